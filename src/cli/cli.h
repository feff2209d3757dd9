/* cli.h - the verbs and what they share: the option parser, the options of measuring verbs, the progress line */
#ifndef PERFGATE_CLI_H
#define PERFGATE_CLI_H

#include "options.h"

#include "perfgate/compare.h"
#include "perfgate/gate.h"
#include "perfgate/result.h"
#include "perfgate/store.h"

#include "perfgate/gitlib.h"
#include <stdio.h>

/*
 * The options of every verb that measures (run, check, ab, bisect), into a
 * pg_gate_options m, to splice into the verb's table. -q also sets how much
 * every layer says on stderr (pg_log_set_level, in pg_cli_parse, which
 * gives every verb -q and -v).
 */
#define PG_CLI_MEASURE_OPTIONS(m)                                                          \
	{NULL, 'c', PG_CLI_STRING, .dest = &(m)->gates_path},                              \
		{"output", 'o', PG_CLI_STRING, .dest = &(m)->output},                      \
		{NULL, 'b', PG_CLI_LIST, .dest = &(m)->only, .count = &(m)->n_only},       \
		{"quiet", 'q', PG_CLI_FLAG, .dest = &(m)->quiet},                          \
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

/* --shard K/N into the pg_gate_options at dest: whole numbers, 1 <= K <= N; else PG_EINPUT naming it. */
int pg_cli_shard(void *dest, const char *value);
#define PG_CLI_SHARD_OPTION(m) {"shard", 0, PG_CLI_CALL, .dest = (m), .call = pg_cli_shard}
/* Print the progress line on stderr (a pg_progress_fn). */
void pg_cli_progress(void *arg, const char *bench, int done, int total);

/* What the executable (main.c) calls in the module: argv as main's; the module's version. */
int pg_cli_main(int argc, char *argv[]);
extern const char pg_cli_version[];

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
int cmd_save(int argc, char *argv[]);
int cmd_merge(int argc, char *argv[]);

#endif
