/* summary.h - descriptive statistics of one sample: summary, median, percentiles */
#ifndef PERFGATE_SUMMARY_H
#define PERFGATE_SUMMARY_H

#include <stddef.h>

/* Every statistic of one sample that a result set stores. */
typedef struct pg_summary {
	size_t n;
	double min, max, mean;
	double stddev; /* Bessel-corrected (n - 1); 0 when n < 2 */
	double median;
	double mad; /* median absolute deviation, scaled by 1.4826 */
	double p50, p90, p95, p99;
} pg_summary;

/*
 * Summarise n values (n > 0). The values are not modified. Percentiles use
 * the definition numpy calls 'linear' (Hyndman & Fan type 7).
 * Returns 0, or PG_EINPUT when n == 0 or a value is not finite.
 */
int pg_stats_summarize(pg_summary *out, const double *values, size_t n);

/*
 * The centre and spread a test of means (Welch's) takes from a summary: its
 * mean and stddev, or, when it holds a median but no mean (a harness that
 * reports percentiles only), the median with the stddev scaled by sqrt(pi/2):
 * the standard error of a median over that of a mean, for normal data.
 */
void pg_summary_location(const pg_summary *s, double *centre, double *spread);

/* Percentile q in [0, 100] of sorted values (type 7). n > 0. */
double pg_stats_percentile_sorted(const double *sorted, size_t n, double q);

/* Median of n values (copied and sorted internally). n > 0. */
double pg_stats_median(const double *values, size_t n);

/* Median of n values (n > 0) as numpy computes it, reordering v instead of copying it. */
double pg_stats_median_in_place(double *v, size_t n);

/*
 * Reorder v so that v[k] (k < n) holds the value a sort would put there,
 * no larger value before it and no smaller one after; linear on average.
 */
void pg_stats_select_nth(double *v, size_t n, size_t k);

/* Sort n values ascending, in place. */
void pg_stats_sort(double *v, size_t n);

#endif
