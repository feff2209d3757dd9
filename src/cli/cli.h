/* cli.h - the verbs and what they share: the option parser, the options of measuring verbs, the progress line */
#ifndef PERFGATE_CLI_H
#define PERFGATE_CLI_H

#include "options.h"

#include "perfgate/compare.h"
#include "perfgate/gate.h"
#include "perfgate/result.h"
#include "perfgate/store.h"

#include <git2.h>
#include <stdio.h>

/*
 * The options of every verb that measures (run, check, ab, bisect), into a
 * pg_gate_options m, to splice into the verb's table. -v is accepted and
 * does nothing.
 */
#define PG_CLI_MEASURE_OPTIONS(m)                                                          \
	{NULL, 'c', PG_CLI_STRING, .dest = &(m)->gates_path},                              \
		{"output", 'o', PG_CLI_STRING, .dest = &(m)->output},                      \
		{NULL, 'b', PG_CLI_LIST, .dest = &(m)->only, .count = &(m)->n_only},       \
		{"quiet", 'q', PG_CLI_FLAG, .dest = &(m)->quiet},                          \
		{"verbose", 'v', PG_CLI_FLAG, .dest = NULL},                               \
		{"env", 0, PG_CLI_STRING, .dest = &(m)->env_key},                          \
		{"format", 0, PG_CLI_LIST, .dest = &(m)->formats, .count = &(m)->n_formats}, \
		{"runs", 0, PG_CLI_INT, .dest = &(m)->runs, .least = 1},                   \
		{"warmup", 0, PG_CLI_INT, .dest = &(m)->warmup, .least = 0},               \
		{"threshold", 0, PG_CLI_THRESHOLD, .dest = &(m)->threshold},               \
		{"no-probe", 0, PG_CLI_FLAG, .dest = &(m)->no_probe}

/* m->progress: the progress line, unless m->quiet or stderr is not a terminal. */
void pg_cli_want_progress(pg_gate_options *m);

/* Free the lists the parser made in m. */
void pg_cli_measure_release(pg_gate_options *m);

/* Print the progress line on stderr (a pg_progress_fn). */
void pg_cli_progress(void *arg, const char *bench, int done, int total);

/*
 * The verbs still written with the gate context's old names; renamed at the
 * merge of issue 17, when these go.
 */
typedef pg_gate_context pg_cli_context;
static inline int pg_cli_context_open(pg_cli_context *ctx)
{
	return pg_gate_context_open(ctx);
}
static inline void pg_cli_context_close(pg_cli_context *ctx)
{
	pg_gate_context_close(ctx);
}
static inline int pg_cli_open_store(pg_store **store, const pg_cli_context *ctx, const char *store_dir)
{
	return pg_gate_open_store(store, ctx, store_dir);
}
static inline int pg_cli_open_history(pg_cli_context *ctx, pg_store **store, const char *store_dir,
				      const char *verb)
{
	return pg_gate_open_history(ctx, store, store_dir, verb);
}

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

/*
 * Marks (src/cli/marks.c): results[i] (newest first, commits[i] its commit,
 * NULL where a commit has none) decided against results[i+1..n) by
 * pg_marks_decide without gates at opts, with the acceptances on the
 * commits after its oldest base up to commits[i]. need (NULL: all) says
 * which to decide. verdicts has n slots, NULL where nothing was decided;
 * free with pg_cli_marks_free (which frees the array too).
 */
int pg_cli_decide_marks(pg_verdict **verdicts, const pg_result_set *const *results, const char *const *commits,
			size_t n, const unsigned char *need, git_repository *repo, pg_store *store,
			const pg_compare_options *opts);
void pg_cli_marks_free(pg_verdict **verdicts, size_t n);

#endif
