/* baseline.h - find the result set to compare with: a file, or a commit up first-parent history */
#ifndef PERFGATE_BASELINE_H
#define PERFGATE_BASELINE_H

#include "perfgate/result.h"
#include "perfgate/series.h"
#include "perfgate/store.h"

#include <git2.h>

typedef struct pg_baseline_options {
	const char *base;   /* --base REV|FILE, or NULL */
	const char *target; /* --target BRANCH, or NULL (GITHUB_BASE_REF, origin's default) */
	int max_depth;      /* 0: PG_DEFAULT_MAX_DEPTH */
	const char *env_key;
} pg_baseline_options;

typedef struct pg_baseline {
	/* Per benchmark, the nearest stored copy (status ok, same env key); NULL when none. */
	pg_result_set *rs;
	pg_base_origin *origins; /* parallel to rs->benchmarks */
	char *how;               /* "merge-base with origin/main", "--base v1.0", "file base.json" */
	char *start;             /* 40 hex of the commit the walk started at, or NULL */
	int shallow;             /* the walk hit the end of a shallow clone */
	char **warnings;
	size_t n_warnings;
	pg_probe *probes;        /* parallel to rs->benchmarks: the probe of the set each came from */
} pg_baseline;

/*
 * Find the baseline of the benchmarks `names` (n of them) for head_commit
 * (40 hex; NULL outside a repository). Returns 0 with *out set even when
 * nothing was found (then (*out)->rs is NULL and a warning says why),
 * PG_EINPUT when --base or --target does not resolve (naming it), PG_ESYSTEM
 * when the store cannot be read. Free with pg_baseline_free.
 */
int pg_baseline_find(pg_baseline **out, pg_store *store, git_repository *repo,
		     const char *head_commit, char *const *names, size_t n,
		     const pg_baseline_options *opts);
void pg_baseline_free(pg_baseline *baseline);

/*
 * Only the commit the walk would start at (--base REV, the merge-base with
 * the target branch, or HEAD's first parent) and how it was chosen; both
 * caller-freed. PG_EINPUT when there is none or it does not resolve.
 */
int pg_baseline_start(char **commit, char **how, git_repository *repo, const char *head_commit,
		      const pg_baseline_options *opts);

#endif
