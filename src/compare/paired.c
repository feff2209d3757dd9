/* paired.c - same-runner A/B decided from paired ABBA halves: estimate, interval, stop rule */
#include "perfgate/compare.h"
#include "perfgate/error.h"
#include "perfgate/stats.h"

#include <math.h>
#include <stdlib.h>

#define RESAMPLES 2000
#define SEED 0xab5eedULL

int pg_paired_estimate(pg_paired_result *out, const double *base, const double *head, size_t n,
		       int better_higher, double alpha, int looks)
{
	double *d = malloc((n ? n : 1) * sizeof(*d));
	size_t m = 0;
	if (!d)
		return pg_error_set(PG_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		if (base[i] > 0 && head[i] > 0 && isfinite(base[i]) && isfinite(head[i]))
			d[m++] = (better_higher ? -1.0 : 1.0) * log(head[i] / base[i]);
	if (m == 0) {
		free(d);
		return pg_error_set(PG_EINPUT, "no pair of positive values to compare");
	}
	double lo, hi, p;
	double level = alpha / (double)(looks > 0 ? looks : 1);
	int rc = pg_stats_median_ci(&lo, &hi, d, m, level, RESAMPLES, SEED);
	double med = pg_stats_median(d, m);
	if (!rc)
		rc = pg_stats_signed_rank(&p, d, m, med >= 0 ? PG_GREATER : PG_LESS);
	free(d);
	if (rc)
		return rc;
	out->change = expm1(med);
	out->lo = expm1(lo);
	out->hi = expm1(hi);
	out->p = p;
	out->n = m;
	return 0;
}

pg_change_verdict pg_paired_verdict(const pg_paired_result *r, double threshold, double alpha,
				    double noise_floor)
{
	if (isfinite(noise_floor) && noise_floor > threshold)
		return PG_CHANGE_INCONCLUSIVE;
	if (r->change > threshold)
		return r->lo > 0 && r->p < alpha ? PG_CHANGE_REGRESSION : PG_CHANGE_INCONCLUSIVE;
	if (r->change < -threshold)
		return r->hi < 0 && r->p < alpha ? PG_CHANGE_IMPROVEMENT : PG_CHANGE_INCONCLUSIVE;
	return PG_CHANGE_UNCHANGED;
}

int pg_paired_bisect_side(const pg_paired_result *r, double threshold, double alpha, double noise_floor)
{
	if (isfinite(noise_floor) && noise_floor > threshold) {
		double mid = threshold / 2;
		if (r->hi < mid)
			return -1;
		return r->lo > mid && r->change > threshold && r->p < alpha ? 1 : 0;
	}
	switch (pg_paired_verdict(r, threshold, alpha, noise_floor)) {
	case PG_CHANGE_REGRESSION:
		return 1;
	case PG_CHANGE_UNCHANGED:
	case PG_CHANGE_IMPROVEMENT:
		return -1;
	default:
		return 0;
	}
}

int pg_paired_settled(const pg_paired_result *r, double threshold)
{
	return (r->lo > -threshold / 2 && r->hi < threshold / 2) || r->lo > threshold ||
	       r->hi < -threshold;
}

int pg_paired_noise(double *floor, const double *base, const double *head, size_t n)
{
	double *d = malloc((n ? n : 1) * sizeof(*d));
	size_t m = 0;
	if (!d)
		return pg_error_set(PG_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		if (base[i] > 0 && head[i] > 0 && isfinite(base[i]) && isfinite(head[i]))
			d[m++] = log(head[i] / base[i]);
	pg_summary s;
	int rc = m ? pg_stats_summarize(&s, d, m) : pg_error_set(PG_EINPUT, "no A/A pairs");
	free(d);
	if (rc)
		return rc;
	double half_width = 1.96 * 1.2533 * s.mad / sqrt((double)m);
	*floor = expm1(fabs(s.median) + half_width);
	return 0;
}
