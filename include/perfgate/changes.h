/* changes.h - change points: where a metric's level shifted along first-parent history */
#ifndef PERFGATE_CHANGES_H
#define PERFGATE_CHANGES_H

#include "perfgate/series.h"

#include <stddef.h>

/* One shift of level. */
typedef struct pg_change_point {
	char *metric;        /* "bench.metric" or the --metric path as given */
	char *unit;
	int better_higher;
	char commit[41];     /* the first commit of the new level */
	char prev[41];       /* the last commit with a value before it ("" at the start) */
	char *subject;       /* of commit; NULL until the history's reader fills it (pg_gate_changes) */
	size_t n_before, n_after; /* commits in the two adjacent segments */
	double before, after; /* medians of the per-commit values of those segments */
	double change;       /* after / before - 1 (not sign-flipped) */
	double p;            /* Welch's test of the two segments' per-commit values, times the splits
	                      * tried (Bonferroni); NAN when too_few */
	double p_runs;       /* Welch's test of all runs of either side pooled, adjusted alike; NAN: no runs */
	int too_few;         /* not decided: a shift at the end of the history with fewer commits on one
	                      * side than a step needs (min_segment); "too few commits to tell" */
	int worse;           /* the change goes the bad way for this metric */
	char *accepted_by;   /* "abc1234 subject" of a covering acceptance (pg_gate_changes), or NULL */
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
	double alpha;      /* family-wise level of one segment's split (Bonferroni over its candidate
	                    * splits); 0: 0.01 */
	size_t min_segment; /* fewest commits on a side of a step; 0: 3 */
} pg_changes_options;

/* One commit of a series: its level and, when known, the spread of its runs. */
typedef struct pg_series_point {
	double value; /* the commit's centre (median of its runs, the value, or the statistic asked) */
	size_t n;     /* runs behind mean and sd; < 2: no runs to pool (a single value, a statistic) */
	double mean, sd;
} pg_series_point;

/* A shift found in a series. */
typedef struct pg_series_split {
	size_t at;       /* the index where the new level starts */
	size_t n_before, n_after; /* points in the adjacent segments */
	double before, after, change; /* medians of the points' values either side; after / before - 1 */
	double p, p_runs; /* as in pg_change_point */
	int too_few;
} pg_series_split;

/*
 * Find the change points of each metric along history h (oldest first).
 * metrics: "bench.metric[.stat]" paths (n_metrics of them); none: every
 * benchmark's primary metric. Subjects and acceptances are not known here:
 * pg_gate_changes reads them from the repository. Free with
 * pg_changes_release. Returns 0 or PG_ENOMEM.
 */
int pg_changes_find(pg_changes *out, const pg_history *h, char *const *metrics, size_t n_metrics,
		    const pg_changes_options *o);
/* The same for one metric of one benchmark, names as stored (dots in them are no path). */
int pg_changes_find_metric(pg_changes *out, const pg_history *h, const char *bench, const char *metric,
			   const pg_changes_options *o);
void pg_changes_release(pg_changes *c);

/*
 * One commit's point as the search takes it: stat of m (NULL: its centre),
 * and for the centre the runs behind it (its summary's, else its samples').
 * Returns 0, or 1 when the statistic is not finite (no point).
 */
int pg_changes_point(pg_series_point *out, const pg_metric *m, const char *stat);

/*
 * Change points of one series of n points (oldest first), see changes.c:
 * candidate splits by rank binary segmentation, each decided by Welch's
 * test on the per-commit values and on the pooled runs. Writes the decided
 * shifts and at most one undecided shift per end of the series (too_few),
 * ascending, to out, which has room for n + 2; their count to *n_out.
 * Returns 0 or PG_ENOMEM.
 */
int pg_changes_split_series(pg_series_split *out, size_t *n_out, const pg_series_point *pts, size_t n,
			    const pg_changes_options *o);

/*
 * The decided change points of n bare values (no runs known): the indices
 * where a new level starts, ascending, to starts (room for n).
 * Returns 0 or PG_ENOMEM.
 */
int pg_changes_segment(size_t *starts, size_t *n_starts, const double *values, size_t n,
		       const pg_changes_options *o);

#endif
