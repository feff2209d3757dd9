/* merge.h - result sets of one commit measured in parts (the shards of a suite) made one set */
#ifndef PERFGATE_MERGE_H
#define PERFGATE_MERGE_H

#include "perfgate/result.h"

#include <stddef.h>

/* A set to merge and what names it in messages (its file). */
typedef struct pg_merge_input {
	const pg_result_set *rs;
	const char *name;
} pg_merge_input;

/*
 * Merge n sets into *out, a new set the caller frees. They must agree on
 * the commit (all none, or all one), the env key, the gates_hash (where
 * recorded) and the shard count, and hold no shard index and no benchmark
 * twice: else PG_EINPUT naming both inputs and both values, and *out is
 * NULL. The inputs are taken in shard order (as given when unsharded): the
 * merged set has a fresh run_id, the latest created, the highest
 * rss_floor, dirty when any input is, the first input's env, tool and
 * probe, every benchmark measured under another probe carrying its own,
 * and no shard. What the merged set cannot say is appended to *warnings
 * (*n_warnings strings; the caller frees each and the array): a benchmark
 * measured without a probe beside one that has a probe.
 */
int pg_merge_result_sets(pg_result_set **out, char ***warnings, size_t *n_warnings,
			 const pg_merge_input *inputs, size_t n);

/*
 * The shard indices of 1..count that none of the n inputs is (they agree
 * on the count, pg_merge_result_sets): *missing, *n_missing, in order; the
 * caller frees *missing. None for unsharded inputs. 0 or PG_ENOMEM.
 */
int pg_merge_missing_shards(int **missing, size_t *n_missing, const pg_merge_input *inputs, size_t n);

/*
 * Reorder rs's benchmarks: those named in names (n_names of them) first,
 * in that order, then the others as they were. 0 or PG_ENOMEM.
 */
int pg_merge_order(pg_result_set *rs, char *const *names, size_t n_names);

#endif
