/* changes.h - change points: where a metric's level shifted along first-parent history */
#ifndef PERFGATE_CHANGES_H
#define PERFGATE_CHANGES_H

#include "perfgate/plot.h"
#include "perfgate/store.h"

#include <git2.h>
#include <stddef.h>

/* One shift of level. */
typedef struct pg_change_point {
	char *metric;        /* "bench.metric" or the --metric path as given */
	char *unit;
	int better_higher;
	char commit[41];     /* the first commit of the new level */
	char prev[41];       /* the last commit with a value before it ("" at the start) */
	char *subject;       /* of commit */
	size_t n_before, n_after; /* commits in the two adjacent segments */
	double before, after; /* medians of the per-commit values of those segments */
	double change;       /* after / before - 1 (not sign-flipped) */
	double p;            /* two-sided Mann-Whitney of the two segments' per-commit values */
	int worse;           /* the change goes the bad way for this metric */
	char *accepted_by;   /* "abc1234 subject" of a covering acceptance, or NULL */
} pg_change_point;

typedef struct pg_changes {
	pg_change_point *items; /* per metric in the order asked, oldest first within one */
	size_t n;
	size_t n_series;        /* metrics examined */
	char **warnings;
	size_t n_warnings;
} pg_changes;

typedef struct pg_changes_options {
	double min_change; /* relative; changes smaller than this are not listed; 0: 0.05 */
	double alpha;      /* significance of a split; 0: 0.001 */
	size_t min_segment; /* fewest commits with values in a segment; 0: 2 */
} pg_changes_options;

/*
 * Find the change points of each metric along history h (oldest first).
 * metrics: "bench.metric[.stat]" paths (n_metrics of them); none: every
 * benchmark's primary metric. Subjects and acceptances come from repo
 * (and store, which may be NULL) when repo is set. Free with
 * pg_changes_release. Returns 0 or PG_ENOMEM.
 */
int pg_changes_find(pg_changes *out, const pg_history *h, char *const *metrics, size_t n_metrics,
		    git_repository *repo, pg_store *store, const pg_changes_options *o);
/* The same for one metric of one benchmark, names as stored (dots in them are no path). */
int pg_changes_find_metric(pg_changes *out, const pg_history *h, const char *bench, const char *metric,
			   git_repository *repo, pg_store *store, const pg_changes_options *o);
void pg_changes_release(pg_changes *c);

/*
 * Change points of one series of n values (oldest first): writes the
 * indices where a new level starts to starts (at most n), ascending, and
 * their count to *n_starts. Binary segmentation by rank (see changes.c).
 * Returns 0 or PG_ENOMEM.
 */
int pg_changes_segment(size_t *starts, size_t *n_starts, const double *values, size_t n,
		       const pg_changes_options *o);

#endif
