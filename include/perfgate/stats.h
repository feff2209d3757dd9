/* stats.h - summaries, percentiles, confidence intervals and rank tests */
#ifndef PERFGATE_STATS_H
#define PERFGATE_STATS_H

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

typedef enum pg_alternative {
	PG_TWO_SIDED = 0,
	PG_GREATER, /* x tends to be larger than y */
	PG_LESS,    /* x tends to be smaller than y */
} pg_alternative;

typedef struct pg_mwu {
	double u1;    /* U statistic of x: pairs (x_i, y_j) with x_i > y_j, ties 1/2 */
	double p;     /* p-value for the alternative asked */
	int exact;    /* 1 when the exact distribution was used */
} pg_mwu;

/*
 * Summarise n values (n > 0). The values are not modified. Percentiles use
 * the definition numpy calls 'linear' (Hyndman & Fan type 7).
 * Returns 0, or PG_EINPUT when n == 0 or a value is not finite.
 */
int pg_stats_summarize(pg_summary *out, const double *values, size_t n);

/* Percentile q in [0, 100] of sorted values (type 7). n > 0. */
double pg_stats_percentile_sorted(const double *sorted, size_t n, double q);

/* Median of n values (copied and sorted internally). n > 0. */
double pg_stats_median(const double *values, size_t n);

/*
 * Mann-Whitney U test of x against y with tie correction and continuity
 * correction, giving the p-values of scipy 1.10
 * mannwhitneyu(x, y, alternative=..., method='auto', use_continuity=True):
 * exact when min(nx, ny) <= 8 and there are no ties, normal approximation
 * otherwise. Returns 0, or PG_EINPUT when nx or ny is 0.
 */
int pg_stats_mann_whitney(pg_mwu *out, const double *x, size_t nx,
			  const double *y, size_t ny, pg_alternative alt);

/*
 * Confidence interval, at level 1 - alpha, of median(head) / median(base),
 * by a percentile bootstrap with `resamples` resamples drawn from a
 * generator seeded with `seed` (same inputs, same interval).
 * Writes lo and hi. Returns 0, or PG_EINPUT when a sample is empty or a
 * base resample has median 0.
 */
int pg_stats_ratio_ci(double *lo, double *hi, const double *base, size_t nb,
		      const double *head, size_t nh, double alpha,
		      unsigned resamples, unsigned long long seed);

/*
 * Percentile-bootstrap interval, at level 1 - alpha, of the median of one
 * sample (paired log ratios in A/B), seeded like pg_stats_ratio_ci.
 * Returns 0 or PG_EINPUT for an empty sample or a bad alpha.
 */
int pg_stats_median_ci(double *lo, double *hi, const double *values, size_t n, double alpha,
		       unsigned resamples, unsigned long long seed);

/*
 * Wilcoxon signed-rank test of the differences d (zeros dropped, scipy's
 * zero_method='wilcox'), normal approximation with tie and continuity
 * correction. PG_GREATER: d tends to be positive. p is 1 when every
 * difference is zero. Returns 0, PG_EINPUT when n is 0, PG_ENOMEM.
 */
int pg_stats_signed_rank(double *p, const double *d, size_t n, pg_alternative alt);

/*
 * Hodges-Lehmann estimate of the shift head - base (median of all pairwise
 * differences) with its distribution-free confidence interval at level
 * 1 - alpha (normal approximation to the Mann-Whitney distribution for the
 * order statistics). Returns 0 or PG_EINPUT when a sample is empty.
 */
int pg_stats_hodges_lehmann(double *estimate, double *lo, double *hi,
			    const double *base, size_t nb, const double *head,
			    size_t nh, double alpha);

/*
 * Holm-Bonferroni: adjust m p-values in place (adjusted p = monotone
 * max of (m - rank) * p, capped at 1), order of the array preserved.
 * Returns 0 or PG_ENOMEM.
 */
int pg_stats_holm(double *p, size_t m);

/* Upper-tail probability of the standard normal distribution. */
double pg_stats_normal_sf(double z);

/* Quantile of the standard normal distribution, 0 < p < 1. */
double pg_stats_normal_quantile(double p);

#endif
