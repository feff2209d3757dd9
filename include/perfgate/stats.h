/* stats.h - rank tests, t and normal distributions, confidence intervals (summaries: summary.h) */
#ifndef PERFGATE_STATS_H
#define PERFGATE_STATS_H

#include "perfgate/summary.h"

#include <stddef.h>

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

/* Upper-tail probability of Student's t with df (> 0, may be fractional) degrees of freedom. */
double pg_stats_t_sf(double t, double df);

/* Quantile of Student's t with df degrees of freedom, 0 < p < 1; NAN outside. */
double pg_stats_t_quantile(double p, double df);

typedef struct pg_welch {
	double t;  /* (mean_x - mean_y) / its standard error */
	double df; /* Welch-Satterthwaite degrees of freedom */
	double p;  /* for the alternative asked */
} pg_welch;

/*
 * Welch's unequal-variance t-test of mean x against mean y from summaries
 * (n, mean, Bessel-corrected sd), the p-values of scipy 1.10
 * ttest_ind_from_stats(..., equal_var=False, alternative=...). A side with
 * one run has no spread of its own: it borrows the other side's, and df is
 * the other side's n - 1 (the test of one new observation against a
 * sample). PG_GREATER: x tends to be larger. Returns 0, or PG_EINPUT when
 * both sides have fewer than 2 runs, a figure is not finite, or neither
 * side varies.
 */
int pg_stats_welch(pg_welch *out, size_t nx, double mean_x, double sd_x, size_t ny, double mean_y,
		   double sd_y, pg_alternative alt);

/* A bootstrap of the relative change of one statistic, head against base. */
typedef struct pg_boot_change {
	double lo, hi;   /* interval of (head - base) / |base| at level 1 - alpha */
	double p_greater; /* one-sided p that head's statistic is larger (share of resamples <= 0) */
	double p_less;    /* one-sided p that it is smaller */
} pg_boot_change;

/*
 * Percentile bootstrap of the relative change (head - base) / |base| of the
 * q-th percentile (type 7) of each sample, seeded like pg_stats_ratio_ci.
 * This tests the statistic itself (a p99 can move while the median does
 * not). The p-values are (1 + resamples on the other side of 0) /
 * (1 + resamples), never below 1 / (resamples + 1). Returns 0, PG_EINPUT
 * for an empty or non-finite sample, a bad q or alpha, or a baseline
 * resample whose percentile is 0; PG_ENOMEM.
 */
int pg_stats_percentile_change(pg_boot_change *out, const double *base, size_t nb,
			       const double *head, size_t nh, double q, double alpha,
			       unsigned resamples, unsigned long long seed);

#endif
