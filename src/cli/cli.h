/* cli.h - the verbs and what they share: options, context, output plumbing */
#ifndef PERFGATE_CLI_H
#define PERFGATE_CLI_H

#include "perfgate/gates.h"
#include "perfgate/result.h"
#include "perfgate/compare.h"
#include "perfgate/store.h"

#include <getopt.h>
#include <git2.h>
#include <stdio.h>

/* Options of every verb that measures (run, check, ab, bisect). */
typedef struct pg_cli_common {
	const char *gates_path; /* -c */
	const char *env_key;    /* --env */
	const char *output;     /* -o */
	int runs, warmup;       /* -1: from the gates file */
	char **only;            /* -b, NULL-terminated */
	size_t n_only;
	int quiet, verbose;
	char **formats;         /* --format F[=FILE], NULL-terminated */
	size_t n_formats;
	double threshold;       /* --threshold: the default relative threshold, fraction; 0: the file's */
	int no_probe;           /* --no-probe: take (or compare) no environment probe */
} pg_cli_common;

/* Where perfgate runs: the repository (or none), {root} and {bindir}. */
typedef struct pg_cli_context {
	git_repository *repo; /* NULL outside a repository */
	char *root;
	char *bindir;
} pg_cli_context;

/* getopt_long ids of the shared options (above the ASCII range). */
enum {
	OPT_ENV = 1000,
	OPT_FORMAT,
	OPT_RUNS,
	OPT_WARMUP,
	OPT_HELP,
	OPT_THRESHOLD,
	OPT_NO_PROBE,
	OPT_CLI_LAST,
};

/* The getopt_long entries of pg_cli_common, to splice into a verb's table. */
#define PG_COMMON_LONG_OPTIONS                                                                 \
	{"env", required_argument, NULL, OPT_ENV}, {"format", required_argument, NULL, OPT_FORMAT}, \
		{"runs", required_argument, NULL, OPT_RUNS},                                     \
		{"warmup", required_argument, NULL, OPT_WARMUP},                                 \
		{"help", no_argument, NULL, OPT_HELP}, {"quiet", no_argument, NULL, 'q'},        \
		{"verbose", no_argument, NULL, 'v'}, {"output", required_argument, NULL, 'o'},   \
		{"threshold", required_argument, NULL, OPT_THRESHOLD},                         \
		{"no-probe", no_argument, NULL, OPT_NO_PROBE}
#define PG_COMMON_SHORT_OPTIONS "c:o:b:qvh"

void pg_cli_common_init(pg_cli_common *c);
void pg_cli_common_release(pg_cli_common *c);

/*
 * Handle one getopt result shared by all measuring verbs. Returns 1 when
 * handled, 0 when the option is not a shared one, PG_EINPUT on a bad value.
 */
int pg_cli_common_option(pg_cli_common *c, int opt, const char *arg);

/* Report an unknown option / missing argument for verb with its usage line; returns PG_EINPUT. */
int pg_cli_bad_option(const char *verb, const char *usage, char *const argv[]);

/* Parse --threshold: a relative change ("10%", "0.1"), more than 0 and under 1000 %. */
int pg_cli_threshold(double *out, const char *arg);

/* Parse a positive integer argument of an option. */
int pg_cli_int(int *out, const char *arg, const char *option, int least);

/* Find the repository from the current directory and fill root and bindir. */
int pg_cli_context_open(pg_cli_context *ctx);
void pg_cli_context_close(pg_cli_context *ctx);

/* Load the gates file: -c, else gates/default.json under the root. */
int pg_cli_load_gates(pg_gates **out, const pg_cli_context *ctx, const pg_cli_common *c);

/*
 * Fill rs->commit and rs->dirty from the repository (HEAD, or commit_rev
 * when given). PG_EINPUT for an unborn HEAD or a revision that is not a
 * commit. Outside a repository nothing is filled.
 */
int pg_cli_head(pg_result_set *rs, const pg_cli_context *ctx, const char *commit_rev);

/*
 * Save rs where results are kept: the notes of the repository, or
 * store_dir. Refuses a dirty tree unless allow_dirty (PG_EINPUT), and
 * outside a repository without store_dir (PG_ESYSTEM).
 */
int pg_cli_save(const pg_result_set *rs, const pg_cli_context *ctx, const char *store_dir,
		int allow_dirty);

/* Render v in every --format (and -o) the user asked for; text to stdout by default. */
int pg_cli_render(const pg_cli_common *c, const pg_verdict *v);

/* PG_EFAIL with "VERB failed: N regressions, ..." when v failed, else 0. */
int pg_cli_verdict_status(const pg_verdict *v, const char *verb);

/* Where results are kept: store_dir, else the repository's notes (NULL outside one). */
int pg_cli_open_store(pg_store **store, const pg_cli_context *ctx, const char *store_dir);

/* For verbs that walk history: the context, a repository (PG_ESYSTEM naming verb without one), the store. */
int pg_cli_open_history(pg_cli_context *ctx, pg_store **store, const char *store_dir, const char *verb);

/*
 * The environment probe around a measurement: after = 0 before the
 * benchmarks, 1 after them. Does nothing with --no-probe or when nothing
 * timed is selected; a probe that cannot run is a warning on stderr and
 * the result set keeps no probe (the verdict then says so).
 */
void pg_cli_probe(pg_probe *probe, int after, const pg_cli_common *c, const pg_gates *gates);

/* Print the progress line on stderr when it is a terminal. */
void pg_cli_progress(void *arg, const char *bench, int done, int total);

/* Each verb: cmd_<verb>(argc, argv) with argv[0] the verb; returns a pg error code. */
int cmd_run(int argc, char *argv[]);
int cmd_size(int argc, char *argv[]);
int cmd_check(int argc, char *argv[]);
int cmd_compare(int argc, char *argv[]);
int cmd_show(int argc, char *argv[]);
int cmd_log(int argc, char *argv[]);
int cmd_sync(int argc, char *argv[]);
int cmd_plot(int argc, char *argv[]);
int cmd_ab(int argc, char *argv[]);
int cmd_import(int argc, char *argv[]);
int cmd_export(int argc, char *argv[]);
int cmd_accept(int argc, char *argv[]);
int cmd_publish(int argc, char *argv[]);
int cmd_changes(int argc, char *argv[]);
int cmd_bisect(int argc, char *argv[]);
int cmd_prune(int argc, char *argv[]);
int cmd_hook(int argc, char *argv[]);

/* Perfgate-Accept trailers, accept records and the PR label between base and head, applied to v. */
int pg_cli_apply_acceptances(pg_verdict *v, const pg_cli_context *ctx, pg_store *store,
			     const pg_compare_options *opts);

#endif
