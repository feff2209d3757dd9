/* runner.h - start a process, time it, take its CPU time and peak memory, kill it when it hangs */
#ifndef PERFGATE_RUNNER_H
#define PERFGATE_RUNNER_H

#include <stddef.h>
#include <sys/types.h>

/* How much of a child's stderr (and captured stdout) is kept: the tail, for the report. */
#define PG_OUTPUT_TAIL 8192

typedef struct pg_run_spec {
	char *const *argv;  /* argv[0] is looked up on PATH; no shell */
	char *const *envp;  /* NULL: inherit perfgate's environment */
	const char *cwd;    /* NULL: perfgate's own */
	double timeout_s;   /* <= 0: none. On expiry the whole process group is killed */
	int cpu;            /* >= 0: pin the child to this CPU */
	int keep_stdout;    /* keep the tail of stdout (else it goes to /dev/null) */
} pg_run_spec;

typedef struct pg_run_outcome {
	double wall_s, user_s, sys_s;
	double peak_rss; /* bytes, from wait4 for this run alone */
	int exited;      /* 1: exit_code is valid */
	int exit_code;
	int signal;      /* terminating signal, 0 if none */
	int timed_out;
	int spawn_errno; /* non-zero: the command could not be started */
	char stderr_tail[PG_OUTPUT_TAIL + 1];
	size_t stderr_len;
	size_t stderr_total; /* bytes the child wrote to stderr, kept or not */
	char stdout_tail[PG_OUTPUT_TAIL + 1];
	size_t stdout_len;
	size_t stdout_total;
} pg_run_outcome;

/*
 * Fork the spawner: a small process, made before perfgate grows, that
 * starts every measured child, so a child's peak RSS starts from the
 * spawner's small footprint and not from perfgate's. Call first thing in
 * main(). Without it, pg_run starts children itself. Returns 0 or
 * PG_ESYSTEM.
 */
int pg_spawner_start(void);
void pg_spawner_stop(void);

/* Bytes a child's peak RSS starts from when started by pg_run (the floor). */
double pg_spawner_rss_floor(void);

/*
 * Run one command to completion and fill out. Returns 0 when the outcome
 * describes the run (whatever the child did), PG_ESYSTEM when the command
 * could not be started (out->spawn_errno set; the message names argv[0])
 * or perfgate itself failed.
 */
int pg_run(pg_run_outcome *out, const pg_run_spec *spec);

/* One line describing how the run ended: "exited with status 3", "killed by SIGSEGV", ... */
const char *pg_run_describe(const pg_run_outcome *o, char *buf, size_t size);

/* 1 when the run ended with exit status 0, in time. */
int pg_run_succeeded(const pg_run_outcome *o);

#endif
