/* bench.h - measure: run the benchmarks of a gates file into a result set */
#ifndef PERFGATE_BENCH_H
#define PERFGATE_BENCH_H

#include "perfgate/gates.h"
#include "perfgate/result.h"

/* Called as runs finish, for a progress line; done counts warm-ups too. */
typedef void (*pg_progress_fn)(void *arg, const char *bench, int done, int total);

typedef struct pg_measure_options {
	int runs;   /* > 0 overrides every benchmark's runs */
	int warmup; /* >= 0 overrides every benchmark's warm-ups */
	char *const *only; /* NULL-terminated benchmark names, or NULL for all */
	pg_progress_fn progress;
	void *progress_arg;
} pg_measure_options;

/* Fill a result set's env, commit-independent fields (key from override, PERFGATE_ENV, or the host). */
int pg_env_detect(pg_env *env, const char *key_override);

/* Normalise an env key to [a-z0-9._-] (in place). */
void pg_env_normalize(char *key);

/*
 * Run every selected benchmark and append it to rs. A benchmark that fails
 * (non-zero exit, signal, timeout) is recorded as failed with the reason,
 * never as fast. Returns 0 when all ran (whatever their status), PG_EINPUT
 * when -b names an unknown benchmark, PG_ESYSTEM when a command could not
 * be started (the benchmark is recorded as failed and the rest still run).
 */
int pg_measure(pg_result_set *rs, const pg_gates *gates, const pg_measure_options *opts);

/*
 * Check, before measuring, that every gate names a benchmark of the file and
 * a metric its kind produces (kinds whose metrics depend on their input,
 * size and import, are checked after measuring). PG_EINPUT naming the file,
 * the gate and what the benchmark has.
 */
int pg_gates_check_metrics(const pg_gates *gates);

/* Same-runner A/B: base and head measured in interleaved ABBA blocks. */
typedef struct pg_ab_pairs {
	char *bench;
	char *unit;        /* of the primary metric */
	int better_higher;
	double *base, *head; /* the primary metric's centre of each half-block, paired */
	size_t n;
	int blocks;        /* ABBA blocks run */
	int stopped_early;
	char *failure;     /* why the benchmark could not be compared, or NULL */
} pg_ab_pairs;

/* Asked after each block from min_blocks on: 1 to stop measuring this benchmark. */
typedef int (*pg_ab_stop_fn)(void *arg, const pg_ab_pairs *pairs);

typedef struct pg_ab_options {
	int min_blocks, max_blocks;
	pg_ab_stop_fn stop;
	void *stop_arg;
} pg_ab_options;

/*
 * For each selected benchmark of head_gates that base_gates also has: one
 * warm-up per side, then blocks of base, head, head, base (linear drift
 * cancels), each half one run of the benchmark's driver; every sample is
 * appended to base_rs / head_rs as a run would, and each half's primary
 * centre makes the pairs. *out has *n_out entries (free with
 * pg_ab_pairs_free). A benchmark that fails on either side is reported in
 * its entry's failure, not as a change.
 */
int pg_measure_ab(pg_ab_pairs **out, size_t *n_out, pg_result_set *base_rs,
		  pg_result_set *head_rs, const pg_gates *base_gates, const pg_gates *head_gates,
		  const pg_measure_options *mo, const pg_ab_options *ao);
void pg_ab_pairs_free(pg_ab_pairs *pairs, size_t n);

/*
 * The environment probe: time the fixed calibration workload once, in a
 * child of the spawner (so neither perfgate's nor a measured child's peak
 * RSS grows), into probe's "before" slot (after = 0) or "after" slot
 * (after = 1, which completes it: version set). On failure the probe is
 * cleared (version 0) and PG_ESYSTEM returned.
 */
int pg_probe_measure(pg_probe *probe, int after);

/* 1 when a probe is worth taking: the gates file allows it and a selected benchmark times something. */
int pg_probe_wanted(const pg_gates *gates, const pg_measure_options *opts);

/* 1 when the kind has a driver in this build. */
int pg_kind_supported(const char *kind);

#endif
