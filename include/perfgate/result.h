/* result.h - the result set: benchmarks, their metrics and samples (schema perfgate/1) */
#ifndef PERFGATE_RESULT_H
#define PERFGATE_RESULT_H

#include "perfgate/summary.h"

#include <cjson/cJSON.h>
#include <stddef.h>

#define PG_RESULT_SCHEMA "perfgate/1"
/* A note keeps at most this many samples per metric (evenly spaced subsample). */
#define PG_MAX_STORED_SAMPLES 1000
/* The bytes a note's result set fits in: fewer samples are kept (down to 100 per metric) until it does. */
#define PG_NOTE_BUDGET 16384

typedef enum pg_better { PG_BETTER_LOWER = 0, PG_BETTER_HIGHER } pg_better;

typedef enum pg_status {
	PG_STATUS_OK = 0,
	PG_STATUS_FAILED,
	PG_STATUS_TIMEOUT,
	PG_STATUS_SKIPPED,
} pg_status;

typedef struct pg_metric {
	char *name;
	char *unit;
	pg_better better;
	double *samples; /* NULL when the metric has a single value */
	size_t n_samples, cap_samples;
	int has_value;
	double value;
	int has_summary; /* summary of all samples, also when only a subsample is kept */
	pg_summary summary;
	size_t dropped; /* non-finite samples left out */
} pg_metric;

typedef struct pg_benchmark {
	char *name;
	char *kind;
	pg_status status;
	char *reason; /* a sentence for anything but ok */
	char *definition_hash;
	pg_metric *metrics; /* the first is the primary metric */
	size_t n_metrics;
	double noise_floor; /* relative A/A spread of the primary metric on the runner that measured
			       it (`ab`'s calibration); NAN: not measured. JSON "noise_floor", optional */
	struct pg_probe *probe; /* the probe of the run that measured it where that is not the set's
				   (a set merged from shards run on several runners); NULL: the set's.
				   JSON "probe" on the benchmark, optional */
} pg_benchmark;

typedef struct pg_env {
	char *key, *os, *arch, *cpu, *runner;
	int cores;
} pg_env;

/*
 * The environment probe: a fixed calibration workload (a CPU-bound part and
 * a memory-bound part) timed once before and once after the benchmarks, so
 * a verdict can tell a slower runner from a slower program. JSON "probe",
 * optional.
 */
#define PG_PROBE_VERSION 1
typedef struct pg_probe {
	int version;      /* of the workload; 0: no probe recorded */
	double cpu_ms[2]; /* wall time of the CPU-bound part: before, after */
	double mem_ms[2]; /* wall time of the memory-bound part: before, after */
} pg_probe;

typedef struct pg_result_set {
	char *run_id;
	char *commit; /* 40 hex, or NULL */
	int dirty;
	pg_env env;
	char *created; /* ISO 8601 UTC with milliseconds */
	char *tool;
	double rss_floor; /* bytes a child's peak RSS starts from on this host */
	pg_benchmark *benchmarks;
	size_t n_benchmarks;
	pg_probe probe; /* version 0: none (an old result set, an import, --no-probe) */
	char *gates_hash; /* pg_gates_hash of the gates file it ran; NULL: not recorded. JSON "gates_hash" */
	int shard_index, shard_count; /* run with --shard INDEX/COUNT (1-based); 0/0: the whole suite.
					 JSON "shard": {"index": K, "count": N} */
} pg_result_set;

/* 1 when a and b are the same probe pair (one run's), field by field. */
int pg_probe_equal(const pg_probe *a, const pg_probe *b);

/* The probe that describes benchmark b of rs: its own (a merged set's), else the set's; NULL: none. */
const pg_probe *pg_benchmark_probe(const pg_result_set *rs, const pg_benchmark *b);

/* A fresh random run id (UUID v4) and the current time as ISO 8601 UTC with ms; caller frees. */
char *pg_new_run_id(void);
char *pg_now_iso8601(void);

/* A new, empty result set with a fresh run_id and created time; NULL on ENOMEM. */
pg_result_set *pg_result_set_new(void);
void pg_result_set_free(pg_result_set *rs);

/* Append a benchmark (name and kind copied); returns it, or NULL on ENOMEM. Earlier ones may move. */
pg_benchmark *pg_result_set_add_benchmark(pg_result_set *rs, const char *name, const char *kind);
pg_benchmark *pg_result_set_find(const pg_result_set *rs, const char *name);

/* Append a deep copy of src to rs. Returns the copy or NULL on ENOMEM. */
pg_benchmark *pg_result_set_copy_benchmark(pg_result_set *rs, const pg_benchmark *src);

/*
 * Append a deep copy of src, a benchmark of the set `from`, to rs, carrying
 * the probe it was measured under where rs's own probe is another (a shard's
 * benchmark in a merged or folded set). Returns the copy or NULL, PG_ENOMEM set.
 */
pg_benchmark *pg_result_set_adopt_benchmark(pg_result_set *rs, const pg_result_set *from, const pg_benchmark *src);

/* Set status and reason (copied; printf format). Returns 0 or PG_ENOMEM. */
int pg_benchmark_set_status(pg_benchmark *b, pg_status status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Append a metric; returns it or NULL on ENOMEM. Pointers to earlier metrics may move. */
pg_metric *pg_benchmark_add_metric(pg_benchmark *b, const char *name, const char *unit,
				   pg_better better);
pg_metric *pg_benchmark_find_metric(const pg_benchmark *b, const char *name);

/* Where a lookup last found its benchmark and metric; zero to start. */
typedef struct pg_lookup_hint {
	size_t bench, metric;
} pg_lookup_hint;

/*
 * bench.metric in rs when bench ran cleanly (status ok), else NULL (rs may
 * be NULL). hint (may be NULL) is tried first, and the place after it,
 * and updated: result sets along a history mostly hold the same benchmarks
 * in the same order, so a series of 1,000 commits of 50 benchmarks (or the
 * 50 benchmarks of one set, in order) does not compare names 25 times
 * each. Where rs has two benchmarks (or metrics) of a name, the hint may
 * find the later.
 */
const pg_metric *pg_result_set_ok_metric(const pg_result_set *rs, const char *bench, const char *metric,
					 pg_lookup_hint *hint);

/* Leave out metrics that got no figure (a run failed first, a count that does not apply). */
void pg_benchmark_drop_empty(pg_benchmark *b);

/* Keep the metrics i of b for which keep(b, i, arg) is non-zero, in order; free the others. */
void pg_benchmark_keep_metrics(pg_benchmark *b, int (*keep)(const pg_benchmark *b, size_t i, void *arg), void *arg);

/* Append one sample; a non-finite one is counted in dropped. 0 or PG_ENOMEM. */
int pg_metric_add_sample(pg_metric *m, double sample);
void pg_metric_set_value(pg_metric *m, double value);

/* Compute each metric's summary from its samples (before any subsampling). */
int pg_result_set_summarize(pg_result_set *rs);

/* The central value of a metric: median of samples, else value, else summary median. */
int pg_metric_center(const pg_metric *m, double *out);

const char *pg_status_name(pg_status status);

/* From a parsed document; `origin` names it in errors. */
int pg_result_set_from_json(pg_result_set **out, const cJSON *json, const char *origin);

/* Text: compact one-line JSON (pretty = 0, for notes) or indented. Caller frees. */
int pg_result_set_to_string(char **out, const pg_result_set *rs, int pretty);

/*
 * The compact line a note stores: perfgate's own time samples as whole clock
 * ticks ("ticks" with "per_unit"), bytes whole, derived figures to seven
 * digits; "better" left out where it is "lower"; the summary left out where
 * every sample is kept (the reader computes it); and, when the line would
 * be over PG_NOTE_BUDGET, fewer samples kept per metric (an evenly spaced
 * subsample beside the exact summary). pg_result_set_from_json reads it,
 * and every earlier form. Caller frees.
 */
int pg_result_set_to_note(char **out, const pg_result_set *rs);

/*
 * The bytes metric m takes in a note's line, with or without its samples
 * (then with the summary that stands for them); own_clock: perfgate timed
 * it (not an import). SIZE_MAX on ENOMEM. What `prune` weighs: a few
 * samples in clock ticks can take less room than their summary.
 */
size_t pg_metric_note_bytes(const pg_metric *m, int own_clock, int with_samples);

/* Files: read (errors name the file and JSON path), write via temp file + rename. */
int pg_result_set_read_file(pg_result_set **out, const char *path);
int pg_result_set_write_file(const pg_result_set *rs, const char *path);

#endif
