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
	double rss_mean; /* bytes: the mean of the resident set sampled every PG_RSS_SAMPLE_MS while it
			    ran; NAN when it ended before the first sample */
	double io_read_bytes, io_write_bytes; /* block I/O from wait4 (ru_inblock, ru_oublock: 512-byte units),
					       * what /proc/PID/io calls read_bytes and write_bytes */
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

/*
 * A process that stays up while perfgate talks to it (a matcher serving
 * queries, a launcher printing a ready marker): its pipes are perfgate's,
 * its reaping (and so its rusage) the spawner's.
 */
typedef struct pg_process {
	pid_t pid;
	int stdin_fd;  /* write end of the child's stdin, or -1 (then stdin is /dev/null) */
	int stdout_fd; /* read end of its stdout (non-blocking) */
	int stderr_fd; /* read end of its stderr (non-blocking) */
	double started; /* CLOCK_MONOTONIC seconds just before the spawn */
	char stderr_tail[PG_OUTPUT_TAIL + 1];
	size_t stderr_len, stderr_total;
} pg_process;

/*
 * Start spec's command with pipes (stdin one only when with_stdin).
 * Returns 0, or PG_ESYSTEM naming the command when it cannot start.
 * Finish every started process with pg_process_finish.
 */
int pg_process_start(pg_process *p, const pg_run_spec *spec, int with_stdin);

/* Keep the tail of what the process wrote to stderr so far (call while talking to it). */
void pg_process_drain_stderr(pg_process *p);

/*
 * Close stdin, wait for the exit (killing the process group after
 * timeout_s, or at once when kill_now), and fill out with how it ended,
 * its CPU time and peak RSS. Wall time is from the start. Closes the
 * pipes. Returns 0 or PG_ESYSTEM.
 */
int pg_process_finish(pg_run_outcome *out, pg_process *p, double timeout_s, int kill_now);

/*
 * Run the environment probe's workload in a child forked from the spawner
 * (from perfgate without one) and return the wall time of its CPU-bound
 * and memory-bound parts in ms. Returns 0 or PG_ESYSTEM.
 */
int pg_spawner_probe(double *cpu_ms, double *mem_ms);

/*
 * perfgate's echo target, the matcher kind's transport floor: every line
 * of stdin written back at once, as a line-protocol target answers. perfgate
 * runs it as `/proc/self/exe PG_ECHO_TARGET_ARG` (main.c dispatches it before
 * anything else). Returns the exit status.
 */
#define PG_ECHO_TARGET_ARG "--internal-echo-target"
int pg_echo_target(void);

/* One line describing how the run ended: "exited with status 3", "killed by SIGSEGV", ... */
const char *pg_run_describe(const pg_run_outcome *o, char *buf, size_t size);

/* 1 when the run ended with exit status 0, in time. */
int pg_run_succeeded(const pg_run_outcome *o);

/* How often a running child's resident set is sampled for rss_mean. */
#define PG_RSS_SAMPLE_MS 10

/* The resident set of a live process in bytes (/proc/PID/statm), or NAN when it cannot be read. */
double pg_process_rss(pid_t pid);

#endif
