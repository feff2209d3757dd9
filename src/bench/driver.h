/* driver.h - the interface every benchmark kind implements (private to src/bench) */
#ifndef PERFGATE_BENCH_DRIVER_H
#define PERFGATE_BENCH_DRIVER_H

#include "perfgate/bench.h"
#include "perfgate/runner.h"

typedef struct pg_driver_ctx {
	const pg_gates *gates;
	pg_run_settings run; /* the benchmark's settings after command-line overrides */
	const pg_measure_options *opts;
	pg_result_set *rs; /* the set out is rs->benchmarks[at] of: a driver may add benchmarks to it */
	size_t at;
	/* One half of an A/B block: measure what the blocks compare, and nothing that idles or starts
	 * other processes in between (that would change the runner for the next half). */
	int ab_half;
} pg_driver_ctx;

/*
 * Measure def into out (already named and kinded). A driver that adds
 * benchmarks to ctx->rs (the import kind) must not touch out afterwards:
 * the array moved. Record failures of the
 * benchmark in out's status; return non-zero only for what perfgate could
 * not do (PG_ESYSTEM: could not start, PG_EINPUT: bad definition).
 */
typedef int (*pg_driver_fn)(pg_benchmark *out, const pg_bench_def *def, const pg_driver_ctx *ctx);

int pg_driver_command(pg_benchmark *out, const pg_bench_def *def, const pg_driver_ctx *ctx);
int pg_driver_size(pg_benchmark *out, const pg_bench_def *def, const pg_driver_ctx *ctx);
int pg_driver_matcher(pg_benchmark *out, const pg_bench_def *def, const pg_driver_ctx *ctx);
int pg_driver_inference(pg_benchmark *out, const pg_bench_def *def, const pg_driver_ctx *ctx);
int pg_driver_vmspawn(pg_benchmark *out, const pg_bench_def *def, const pg_driver_ctx *ctx);
int pg_driver_import(pg_benchmark *out, const pg_bench_def *def, const pg_driver_ctx *ctx);

/* The driver of a kind, or NULL. */
pg_driver_fn pg_driver_for(const char *kind);

/* The corpus file of def (placeholders expanded, relative to root); caller frees. */
int pg_driver_corpus_path(char **out, const pg_bench_def *def, const pg_driver_ctx *ctx);

/*
 * def's target.command as argv (placeholders expanded, room for one more
 * argument at the end) and its target.protocol (NULL when absent); *out is
 * NULL when there is no command. Caller frees with pg_strv_free.
 */
int pg_driver_target_argv(char ***out, const pg_bench_def *def, const pg_driver_ctx *ctx,
			  const char **protocol);

/* The last line(s) of a child's stderr, for a failure reason: at most max bytes. */
void pg_driver_stderr_excerpt(char *buf, size_t size, const char *tail, size_t len);

/* "how the process ended (stderr: its last lines)", for a failure reason. */
void pg_driver_describe_exit(char *buf, size_t size, const pg_run_outcome *o);

#endif
