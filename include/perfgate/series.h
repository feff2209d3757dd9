/* series.h - past results as the stages hand them on: one commit's records, a history of commits, run-to-run series */
#ifndef PERFGATE_SERIES_H
#define PERFGATE_SERIES_H

#include "perfgate/result.h"

#include <cjson/cJSON.h>
#include <stddef.h>

/*
 * Everything one commit holds, parsed (the store reads it, see
 * pg_store_read). Result sets appear in note order; lines of a perfgate-*
 * schema this version does not know are skipped silently (n_unknown counts
 * them), lines that are not JSON or not a valid record are skipped with a
 * warning naming the commit.
 */
typedef struct pg_commit_records {
	char commit[41];
	pg_result_set **sets;
	size_t n_sets;
	cJSON **acceptances; /* perfgate-accept/1 records, as parsed JSON */
	size_t n_acceptances;
	char **warnings;
	size_t n_warnings;
	size_t n_unknown;
	size_t note_bytes; /* size of the note as stored */
} pg_commit_records;

/* Free what records holds and zero it (NULL is fine). */
void pg_commit_records_release(pg_commit_records *records);

/*
 * Several result sets of one env key on one commit (a run and an import,
 * say) hold different benchmarks: give the latest set of each key the
 * benchmarks only older sets of that key hold (deep copies; of a benchmark
 * in several, the newest). The store's readers do this, so a second set
 * never hides the first. Returns 0 or PG_ENOMEM.
 */
int pg_records_fold(pg_commit_records *records);

/*
 * The latest result set (by `created`) of env key `key` in records, or NULL.
 * key NULL: the latest of any key.
 */
const pg_result_set *pg_records_latest(const pg_commit_records *records, const char *key);

/* One commit of a first-parent history. */
typedef struct pg_history_commit {
	char commit[41];
	pg_result_set *rs; /* the latest set of the history's key on this commit; NULL: a gap */
} pg_history_commit;

/* Stored results along first parents, one env key (read by pg_history_load). */
typedef struct pg_history {
	pg_history_commit *commits; /* oldest first */
	size_t n_commits;
	char *env_key;     /* the key read; NULL when nothing was stored */
	char **other_keys; /* keys also stored along the way, not read */
	size_t n_other_keys;
	char **warnings;   /* unreadable note lines, the end of a shallow clone */
	size_t n_warnings;
} pg_history;

/* Free a history and its result sets (NULL is fine). */
void pg_history_free(pg_history *history);

/* Runs of the run-to-run model per metric, unless a benchmark's `history` key says otherwise. */
#define PG_DEFAULT_HISTORY 10

/* The centres (median, else value) of one metric in earlier stored runs, newest first. */
typedef struct pg_run_series {
	char *bench, *metric;
	double *values;
	size_t n;
} pg_run_series;

/* Earlier runs along the baseline's first-parent history (read by pg_run_history_read). */
typedef struct pg_run_history {
	int wanted; /* K: the runs asked for per metric */
	pg_run_series *series;
	size_t n_series;
} pg_run_history;

/* Free a run-to-run history (NULL is fine). */
void pg_run_history_free(pg_run_history *history);

/*
 * The series of bench.metric in h, added (room for h->wanted values) when
 * missing; NULL on ENOMEM.
 */
pg_run_series *pg_run_history_series(pg_run_history *h, const char *bench, const char *metric);

/* Where a base benchmark came from, one per benchmark of base (parallel array), or NULL. */
typedef struct pg_base_origin {
	const char *commit;
	int depth;
} pg_base_origin;

#endif
