/* accept.h - intended changes: Perfgate-Accept trailers, accept records, a PR label */
#ifndef PERFGATE_ACCEPT_H
#define PERFGATE_ACCEPT_H

#include "perfgate/compare.h"
#include "perfgate/store.h"

#include <git2.h>
#include <stddef.h>

#define PG_ACCEPT_SCHEMA "perfgate-accept/1"

typedef struct pg_acceptance {
	char *glob;    /* fnmatch pattern on bench.metric (and bench.metric.stat) */
	int has_bound;
	double bound;  /* accepted up to this change (fraction, > 0 worse) */
	char *by;      /* "abc1234 subject" or "label perf-accepted" */
	int used;      /* matched a metric */
} pg_acceptance;

typedef struct pg_acceptances {
	pg_acceptance *items;
	size_t n;
	char **warnings; /* malformed trailers, named with their commit */
	size_t n_warnings;
} pg_acceptances;

/*
 * Collect what accepts changes between base and head: `Perfgate-Accept:
 * <glob> [<bound>]` trailers (git_message_trailers, and GitHub's squash
 * form "* Perfgate-Accept: ...") of every commit in base..head (all
 * parents), the perfgate-accept/1 records stored on those commits (store
 * may be NULL), and, when label is set, the label itself (accepting every
 * metric). base NULL: head alone. Free with pg_acceptances_release.
 */
int pg_acceptances_collect(pg_acceptances *out, git_repository *repo, pg_store *store,
			   const char *base, const char *head, const char *label);
void pg_acceptances_release(pg_acceptances *a);

/*
 * Mark the regressions (and inconclusive worsenings) of v that an
 * acceptance covers as accepted, up to its bound; a change beyond the bound
 * stays a regression with a note. Warns about globs that matched nothing.
 * Then decides v anew. Returns 0 or PG_ENOMEM.
 */
int pg_acceptances_apply(pg_verdict *v, pg_acceptances *a, const pg_compare_options *opts);

/* Parse "<glob> [<bound>]" into an acceptance (by copied). PG_EINPUT naming the problem. */
int pg_acceptance_parse(pg_acceptance *out, const char *text, const char *by);

#endif
