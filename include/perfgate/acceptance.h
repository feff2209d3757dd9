/* acceptance.h - intended changes as data: a metric glob, its bound, who accepted it */
#ifndef PERFGATE_ACCEPTANCE_H
#define PERFGATE_ACCEPTANCE_H

#include <stddef.h>

/* The schema of an accept record stored in a note (`perfgate accept`). */
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

/* Free what a holds and zero it. */
void pg_acceptances_release(pg_acceptances *a);

/* Parse "<glob> [<bound>]" into an acceptance (by copied). PG_EINPUT naming the problem. */
int pg_acceptance_parse(pg_acceptance *out, const char *text, const char *by);

#endif
