/* stats.c - rank tests, t and normal distributions, bootstrap and Hodges-Lehmann intervals */
#include "perfgate/stats.h"

#include "perfgate/error.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* One observation of the pooled sample, remembering which sample it came from. */
typedef struct ranked_value {
	double value;
	int from_x;
} ranked_value;

static int compare_ranked_values(const void *a, const void *b)
{
	const ranked_value *x = a, *y = b;
	return (x->value > y->value) - (x->value < y->value);
}

/*
 * P(U >= u) under the null hypothesis for samples of sizes m and n, from the
 * number of arrangements f(m, n, k) with U = k (Mann & Whitney's recurrence
 * f(m, n, k) = f(m - 1, n, k - n) + f(m, n - 1, k)). The distribution does
 * not depend on which sample is which, so the rows run over the smaller size
 * and the loop over the larger: time ~ m^2 n^2 / 2, memory ~ m^2 n / 2.
 */
static int mwu_exact_sf(double *p, size_t u, size_t m, size_t n)
{
	size_t total = m * n, k, kmax, rows;
	double *counts, cdf = 0.0, arrangements = 1.0;
	int upper_tail;

	if (m > n) {
		size_t t = m;
		m = n;
		n = t;
	}
	/*
	 * P(U >= u) = P(U <= mn - u) by symmetry; sum whichever tail is
	 * shorter, so small p-values are summed directly, not found as 1 - x.
	 */
	k = total - u;
	upper_tail = k > total / 2;
	if (upper_tail) {
		if (u == 0) {
			*p = 1.0;
			return 0;
		}
		k = u - 1;
	}
	kmax = k;
	rows = m + 1;
	counts = calloc(rows * (kmax + 1), sizeof(*counts));
	if (!counts)
		return pg_error_set(PG_ENOMEM, "out of memory for the exact Mann-Whitney distribution");
	for (size_t r = 0; r < rows; r++)
		counts[r * (kmax + 1)] = 1.0;
	for (size_t j = 1; j <= n && j <= kmax; j++) {
		for (size_t r = 1; r < rows; r++) {
			double *row = counts + r * (kmax + 1);
			const double *shorter = row - (kmax + 1);
			for (size_t i = j; i <= kmax; i++)
				row[i] += shorter[i - j];
		}
	}
	for (size_t i = 0; i <= kmax; i++)
		cdf += counts[m * (kmax + 1) + i];
	free(counts);
	for (size_t i = 1; i <= m; i++)
		arrangements = arrangements * (double)(n + i) / (double)i;
	cdf /= arrangements;
	*p = upper_tail ? 1.0 - cdf : cdf;
	return 0;
}

int pg_stats_mann_whitney(pg_mwu *out, const double *x, size_t nx,
			  const double *y, size_t ny, pg_alternative alt)
{
	size_t n = nx + ny;
	ranked_value *pooled;
	double rank_sum = 0.0, ties = 0.0, u1, u2, u, factor, p = 1.0;
	int tied = 0, err;

	if (nx == 0 || ny == 0)
		return pg_error_set(PG_EINPUT, "Mann-Whitney U needs two non-empty samples");
	if (nx > SIZE_MAX / 2 / ny)
		return pg_error_set(PG_EINPUT, "samples too large for Mann-Whitney U");
	pooled = malloc(n * sizeof(*pooled));
	if (!pooled)
		return pg_error_set(PG_ENOMEM, "out of memory ranking %zu values", n);
	for (size_t i = 0; i < n; i++) {
		pooled[i].from_x = i < nx;
		pooled[i].value = i < nx ? x[i] : y[i - nx];
		if (isnan(pooled[i].value)) {
			free(pooled);
			return pg_error_set(PG_EINPUT, "Mann-Whitney U sample holds NaN");
		}
	}
	qsort(pooled, n, sizeof(*pooled), compare_ranked_values);
	for (size_t first = 0, end; first < n; first = end) {
		double midrank, group;
		size_t from_x = 0;

		for (end = first; end < n && pooled[end].value == pooled[first].value; end++)
			from_x += (size_t)pooled[end].from_x;
		/* 1-based ranks first + 1 .. end share their mean. */
		midrank = ((double)first + 1.0 + (double)end) / 2.0;
		rank_sum += midrank * (double)from_x;
		group = (double)(end - first);
		ties += group * group * group - group;
		tied |= end - first > 1;
	}
	free(pooled);

	u1 = rank_sum - (double)nx * ((double)nx + 1.0) / 2.0;
	u2 = (double)nx * (double)ny - u1;
	/*
	 * scipy 1.10 always takes an upper tail: of U1 for greater, of U2 for
	 * less, and of the larger of the two, doubled, for two-sided.
	 */
	switch (alt) {
	case PG_GREATER:
		u = u1;
		factor = 1.0;
		break;
	case PG_LESS:
		u = u2;
		factor = 1.0;
		break;
	case PG_TWO_SIDED:
		u = u1 > u2 ? u1 : u2;
		factor = 2.0;
		break;
	default:
		return pg_error_set(PG_EINPUT, "unknown alternative hypothesis %d", (int)alt);
	}

	out->u1 = u1;
	/* scipy's 'auto': asymptotic when both samples exceed 8, or when any values tie. */
	out->exact = !(nx > 8 && ny > 8) && !tied;
	if (out->exact) {
		err = mwu_exact_sf(&p, (size_t)u, nx, ny);
		if (err)
			return err;
	} else {
		double nn = (double)n;
		double variance = (double)nx * (double)ny / 12.0 *
				  ((nn + 1.0) - ties / (nn * (nn - 1.0)));
		/* The 0.5 moves U towards the mean, crediting the mass at U itself to the tail. */
		double shift = u - (double)nx * (double)ny / 2.0 - 0.5;
		double z;

		if (variance > 0.0)
			z = shift / sqrt(variance);
		else
			z = shift < 0.0 ? -INFINITY : INFINITY;
		p = pg_stats_normal_sf(z);
	}
	p *= factor;
	out->p = p > 1.0 ? 1.0 : p < 0.0 ? 0.0 : p;
	return 0;
}

/* splitmix64 (Steele, Lea & Flood): small, fast, and the same stream on every platform. */
static uint64_t splitmix64_next(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* Median of n draws with replacement from sample, using work (n values) as scratch. */
static double resample_median(double *work, const double *sample, size_t n,
			      uint64_t *state)
{
	uint64_t bound = (uint64_t)n;
	/* Draws below this would make the low indices slightly likelier than the rest. */
	uint64_t unbiased_from = (0 - bound) % bound;

	for (size_t i = 0; i < n; i++) {
		uint64_t r;
		do
			r = splitmix64_next(state);
		while (r < unbiased_from);
		work[i] = sample[r % bound];
	}
	return pg_stats_median_in_place(work, n);
}

static int all_finite(const double *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return 0;
	return 1;
}

int pg_stats_ratio_ci(double *lo, double *hi, const double *base, size_t nb,
		      const double *head, size_t nh, double alpha,
		      unsigned resamples, unsigned long long seed)
{
	uint64_t state = (uint64_t)seed;
	double *work, *ratios;
	int err = 0;

	if (nb == 0 || nh == 0)
		return pg_error_set(PG_EINPUT, "ratio confidence interval needs two non-empty samples");
	if (!(alpha > 0.0 && alpha < 1.0))
		return pg_error_set(PG_EINPUT, "confidence level alpha %g is not in (0, 1)", alpha);
	if (resamples == 0)
		return pg_error_set(PG_EINPUT, "bootstrap needs at least one resample");
	if (!all_finite(base, nb) || !all_finite(head, nh))
		return pg_error_set(PG_EINPUT, "ratio confidence interval sample is not finite");
	work = malloc((nb > nh ? nb : nh) * sizeof(*work));
	ratios = malloc(resamples * sizeof(*ratios));
	if (!work || !ratios) {
		free(work);
		free(ratios);
		return pg_error_set(PG_ENOMEM, "out of memory for %u bootstrap resamples", resamples);
	}
	for (unsigned r = 0; r < resamples; r++) {
		double base_median = resample_median(work, base, nb, &state);
		double head_median = resample_median(work, head, nh, &state);

		if (base_median == 0.0) {
			err = pg_error_set(PG_EINPUT, "a bootstrap resample of the baseline has median 0");
			break;
		}
		ratios[r] = head_median / base_median;
	}
	if (!err) {
		pg_stats_sort(ratios, resamples);
		*lo = pg_stats_percentile_sorted(ratios, resamples, 100.0 * (alpha / 2.0));
		*hi = pg_stats_percentile_sorted(ratios, resamples, 100.0 * (1.0 - alpha / 2.0));
	}
	free(work);
	free(ratios);
	return err;
}

int pg_stats_median_ci(double *lo, double *hi, const double *values, size_t n, double alpha,
		       unsigned resamples, unsigned long long seed)
{
	uint64_t state = (uint64_t)seed;
	if (n == 0 || resamples == 0 || !(alpha > 0.0 && alpha < 1.0) || !all_finite(values, n))
		return pg_error_set(PG_EINPUT, "median interval needs a finite sample and 0 < alpha < 1");
	double *work = malloc(n * sizeof(*work)), *medians = malloc(resamples * sizeof(*medians));
	if (!work || !medians) {
		free(work);
		free(medians);
		return pg_error_set(PG_ENOMEM, "out of memory for %u bootstrap resamples", resamples);
	}
	for (unsigned r = 0; r < resamples; r++)
		medians[r] = resample_median(work, values, n, &state);
	pg_stats_sort(medians, resamples);
	*lo = pg_stats_percentile_sorted(medians, resamples, 100.0 * (alpha / 2.0));
	*hi = pg_stats_percentile_sorted(medians, resamples, 100.0 * (1.0 - alpha / 2.0));
	free(work);
	free(medians);
	return 0;
}

typedef struct signed_abs {
	double magnitude;
	int positive;
} signed_abs;

static int compare_magnitudes(const void *a, const void *b)
{
	double x = ((const signed_abs *)a)->magnitude, y = ((const signed_abs *)b)->magnitude;
	return (x > y) - (x < y);
}

int pg_stats_signed_rank(double *p, const double *d, size_t n, pg_alternative alt)
{
	if (n == 0)
		return pg_error_set(PG_EINPUT, "signed-rank test needs at least one difference");
	signed_abs *v = malloc(n * sizeof(*v));
	if (!v)
		return pg_error_set(PG_ENOMEM, "out of memory");
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (d[i] != 0.0)
			v[m++] = (signed_abs){fabs(d[i]), d[i] > 0};
	if (m == 0) {
		free(v);
		*p = 1.0;
		return 0;
	}
	qsort(v, m, sizeof(*v), compare_magnitudes);
	/* Average ranks over ties; their sizes correct the variance. */
	double w_plus = 0.0, tie_term = 0.0;
	for (size_t i = 0; i < m;) {
		size_t j = i;
		while (j + 1 < m && v[j + 1].magnitude == v[i].magnitude)
			j++;
		double rank = (double)(i + j + 2) / 2.0, t = (double)(j - i + 1);
		for (size_t k = i; k <= j; k++)
			if (v[k].positive)
				w_plus += rank;
		tie_term += t * t * t - t;
		i = j + 1;
	}
	free(v);
	double mm = (double)m, mean = mm * (mm + 1.0) / 4.0;
	double sd = sqrt(mm * (mm + 1.0) * (2.0 * mm + 1.0) / 24.0 - tie_term / 48.0);
	if (sd == 0.0) {
		*p = 1.0;
		return 0;
	}
	double upper = pg_stats_normal_sf((w_plus - mean - 0.5) / sd);
	double lower = pg_stats_normal_sf((mean - w_plus - 0.5) / sd);
	double result = alt == PG_GREATER ? upper : alt == PG_LESS ? lower : 2.0 * (upper < lower ? upper : lower);
	*p = result > 1.0 ? 1.0 : result;
	return 0;
}

int pg_stats_hodges_lehmann(double *estimate, double *lo, double *hi,
			    const double *base, size_t nb, const double *head,
			    size_t nh, double alpha)
{
	double *diffs, pairs, z, below;
	size_t n, k;

	if (nb == 0 || nh == 0)
		return pg_error_set(PG_EINPUT, "Hodges-Lehmann needs two non-empty samples");
	if (!(alpha > 0.0 && alpha < 1.0))
		return pg_error_set(PG_EINPUT, "confidence level alpha %g is not in (0, 1)", alpha);
	if (!all_finite(base, nb) || !all_finite(head, nh))
		return pg_error_set(PG_EINPUT, "Hodges-Lehmann sample is not finite");
	if (nb > SIZE_MAX / sizeof(double) / nh)
		return pg_error_set(PG_EINPUT, "samples too large for Hodges-Lehmann");
	n = nb * nh;
	diffs = malloc(n * sizeof(*diffs));
	if (!diffs)
		return pg_error_set(PG_ENOMEM, "out of memory for %zu pairwise differences", n);
	for (size_t i = 0; i < nb; i++)
		for (size_t j = 0; j < nh; j++)
			diffs[i * nh + j] = head[j] - base[i];
	*estimate = pg_stats_median_in_place(diffs, n);

	/*
	 * The number of differences below a candidate shift is a Mann-Whitney U,
	 * so the U distribution's normal quantiles pick the bounding differences.
	 */
	pairs = (double)nb * (double)nh;
	z = pg_stats_normal_quantile(1.0 - alpha / 2.0);
	below = floor(pairs / 2.0 - z * sqrt(pairs * ((double)nb + (double)nh + 1.0) / 12.0));
	if (!(below > 0.0))
		k = 0;
	else if (below > (double)((n - 1) / 2))
		k = (n - 1) / 2;
	else
		k = (size_t)below;
	pg_stats_select_nth(diffs, n, k);
	*lo = diffs[k];
	pg_stats_select_nth(diffs, n, n - 1 - k);
	*hi = diffs[n - 1 - k];
	free(diffs);
	return 0;
}

/* One p-value and where it sits in the caller's array. */
typedef struct indexed_p {
	double p;
	size_t index;
} indexed_p;

static int compare_indexed_p(const void *a, const void *b)
{
	const indexed_p *x = a, *y = b;

	/* NaN last, so the sort stays a total order and cannot lower the others' adjustment. */
	if (isnan(x->p) != isnan(y->p))
		return isnan(x->p) ? 1 : -1;
	if (x->p < y->p)
		return -1;
	if (x->p > y->p)
		return 1;
	return (x->index > y->index) - (x->index < y->index);
}

int pg_stats_holm(double *p, size_t m)
{
	indexed_p *order;
	double running = 0.0;

	if (m == 0)
		return 0;
	order = malloc(m * sizeof(*order));
	if (!order)
		return pg_error_set(PG_ENOMEM, "out of memory adjusting %zu p-values", m);
	for (size_t i = 0; i < m; i++) {
		order[i].p = p[i];
		order[i].index = i;
	}
	qsort(order, m, sizeof(*order), compare_indexed_p);
	/* The running maximum keeps a smaller raw p from being rejected after a larger one was kept. */
	for (size_t i = 0; i < m; i++) {
		double adjusted = (double)(m - i) * order[i].p;

		if (isnan(adjusted)) {
			p[order[i].index] = NAN;
			continue;
		}
		if (adjusted > running)
			running = adjusted;
		p[order[i].index] = running < 1.0 ? running : 1.0;
	}
	free(order);
	return 0;
}

double pg_stats_normal_sf(double z)
{
	/* erfc keeps full relative precision deep into the upper tail, where 1 - cdf would give 0. */
	return 0.5 * erfc(z * 0.70710678118654752440);
}

static double polynomial(const double *coefficients, size_t degree, double x)
{
	double sum = coefficients[degree];

	while (degree-- > 0)
		sum = sum * x + coefficients[degree];
	return sum;
}

/* Wichura's AS 241 (PPND16), good to about 1e-16 relative for p down to 1e-300. */
double pg_stats_normal_quantile(double p)
{
	static const double central_num[] = {
		3.3871328727963666080e+00, 1.3314166789178437745e+02,
		1.9715909503065514427e+03, 1.3731693765509461125e+04,
		4.5921953931549871457e+04, 6.7265770927008700853e+04,
		3.3430575583588128105e+04, 2.5090809287301226727e+03,
	};
	static const double central_den[] = {
		1.0, 4.2313330701600911252e+01,
		6.8718700749205790830e+02, 5.3941960214247511077e+03,
		2.1213794301586595867e+04, 3.9307895800092710610e+04,
		2.8729085735721942674e+04, 5.2264952788528545610e+03,
	};
	static const double middle_num[] = {
		1.42343711074968357734e+00, 4.63033784615654529590e+00,
		5.76949722146069140550e+00, 3.64784832476320460504e+00,
		1.27045825245236838258e+00, 2.41780725177450611770e-01,
		2.27238449892691845833e-02, 7.74545014278341407640e-04,
	};
	static const double middle_den[] = {
		1.0, 2.05319162663775882187e+00,
		1.67638483018380384940e+00, 6.89767334985100004550e-01,
		1.48103976427480074590e-01, 1.51986665636164571966e-02,
		5.47593808499534494600e-04, 1.05075007164441684324e-09,
	};
	static const double tail_num[] = {
		6.65790464350110377720e+00, 5.46378491116411436990e+00,
		1.78482653991729133580e+00, 2.96560571828504891230e-01,
		2.65321895265761230930e-02, 1.24266094738807843860e-03,
		2.71155556874348757815e-05, 2.01033439929228813265e-07,
	};
	static const double tail_den[] = {
		1.0, 5.99832206555887937690e-01,
		1.36929880922735805310e-01, 1.48753612908506148525e-02,
		7.86869131145613259100e-04, 1.84631831751005468180e-05,
		1.42151175831644588870e-07, 2.04426310338993978564e-15,
	};
	double q = p - 0.5, r, x;

	if (isnan(p))
		return NAN;
	if (p <= 0.0)
		return -INFINITY;
	if (p >= 1.0)
		return INFINITY;
	if (fabs(q) <= 0.425) {
		r = 0.180625 - q * q;
		return q * polynomial(central_num, 7, r) / polynomial(central_den, 7, r);
	}
	r = sqrt(-log(q < 0.0 ? p : 1.0 - p));
	if (r <= 5.0) {
		r -= 1.6;
		x = polynomial(middle_num, 7, r) / polynomial(middle_den, 7, r);
	} else {
		r -= 5.0;
		x = polynomial(tail_num, 7, r) / polynomial(tail_den, 7, r);
	}
	return q < 0.0 ? -x : x;
}

/*
 * Continued fraction of the regularised incomplete beta function, evaluated
 * by the modified Lentz method; converges fast for x < (a + 1) / (a + b + 2).
 */
static double beta_continued_fraction(double a, double b, double x)
{
	const double tiny = 1e-300;
	double c = 1.0, d = 1.0 - (a + b) * x / (a + 1.0);
	if (fabs(d) < tiny)
		d = tiny;
	d = 1.0 / d;
	double h = d;
	for (int m = 1; m <= 500; m++) {
		double m2 = 2.0 * m;
		double even = m * (b - m) * x / ((a + m2 - 1.0) * (a + m2));
		d = 1.0 + even * d;
		c = 1.0 + even / c;
		d = 1.0 / (fabs(d) < tiny ? tiny : d);
		c = fabs(c) < tiny ? tiny : c;
		h *= d * c;
		double odd = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0));
		d = 1.0 + odd * d;
		c = 1.0 + odd / c;
		d = 1.0 / (fabs(d) < tiny ? tiny : d);
		c = fabs(c) < tiny ? tiny : c;
		double step = d * c;
		h *= step;
		if (fabs(step - 1.0) < 1e-15)
			break;
	}
	return h;
}

/* I_x(a, b), the regularised incomplete beta function, 0 <= x <= 1. */
static double incomplete_beta(double a, double b, double x)
{
	if (x <= 0.0)
		return 0.0;
	if (x >= 1.0)
		return 1.0;
	double front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x));
	if (x < (a + 1.0) / (a + b + 2.0))
		return front * beta_continued_fraction(a, b, x) / a;
	return 1.0 - front * beta_continued_fraction(b, a, 1.0 - x) / b;
}

double pg_stats_t_sf(double t, double df)
{
	if (isnan(t) || !(df > 0.0))
		return NAN;
	if (isinf(t))
		return t > 0 ? 0.0 : 1.0;
	/* P(T > |t|) = I_{df/(df+t^2)}(df/2, 1/2) / 2. */
	double tail = 0.5 * incomplete_beta(df / 2.0, 0.5, df / (df + t * t));
	return t > 0 ? tail : 1.0 - tail;
}

double pg_stats_t_quantile(double p, double df)
{
	if (!(p > 0.0 && p < 1.0) || !(df > 0.0))
		return NAN;
	if (p < 0.5)
		return -pg_stats_t_quantile(1.0 - p, df);
	/* Bracket, then bisect on the survival function: monotone, so this cannot miss. */
	double lo = 0.0, hi = 1.0, want = 1.0 - p;
	while (pg_stats_t_sf(hi, df) > want && hi < 1e12)
		hi *= 2.0;
	for (int i = 0; i < 200 && hi - lo > 1e-13 * hi; i++) {
		double mid = 0.5 * (lo + hi);
		if (pg_stats_t_sf(mid, df) > want)
			lo = mid;
		else
			hi = mid;
	}
	return 0.5 * (lo + hi);
}

int pg_stats_welch(pg_welch *out, size_t nx, double mean_x, double sd_x, size_t ny, double mean_y,
		   double sd_y, pg_alternative alt)
{
	if (nx == 0 || ny == 0 || (nx < 2 && ny < 2))
		return pg_error_set(PG_EINPUT, "Welch's test needs two runs on at least one side");
	if (!isfinite(mean_x) || !isfinite(mean_y) || (nx >= 2 && !(sd_x >= 0)) ||
	    (ny >= 2 && !(sd_y >= 0)))
		return pg_error_set(PG_EINPUT, "Welch's test needs finite means and standard deviations");
	/* A single run has no spread of its own: it borrows the other side's (equal variances). */
	if (nx < 2)
		sd_x = sd_y;
	if (ny < 2)
		sd_y = sd_x;
	double vx = sd_x * sd_x / (double)nx, vy = sd_y * sd_y / (double)ny;
	if (!(vx + vy > 0))
		return pg_error_set(PG_EINPUT, "Welch's test: neither side varies");
	out->t = (mean_x - mean_y) / sqrt(vx + vy);
	if (nx < 2)
		out->df = (double)ny - 1.0;
	else if (ny < 2)
		out->df = (double)nx - 1.0;
	else
		out->df = (vx + vy) * (vx + vy) /
			  (vx * vx / ((double)nx - 1.0) + vy * vy / ((double)ny - 1.0));
	double upper = pg_stats_t_sf(out->t, out->df);
	out->p = alt == PG_GREATER ? upper
		 : alt == PG_LESS  ? 1.0 - upper
				   : 2.0 * (upper < 0.5 ? upper : 1.0 - upper);
	if (out->p > 1.0)
		out->p = 1.0;
	return 0;
}

/* Percentile q (type 7) of n draws with replacement, using work (n values) as scratch. */
static double resample_percentile(double *work, const double *sample, size_t n, double q,
				  uint64_t *state)
{
	uint64_t bound = (uint64_t)n, unbiased_from = (0 - bound) % bound;
	for (size_t i = 0; i < n; i++) {
		uint64_t r;
		do
			r = splitmix64_next(state);
		while (r < unbiased_from);
		work[i] = sample[r % bound];
	}
	pg_stats_sort(work, n);
	return pg_stats_percentile_sorted(work, n, q);
}

int pg_stats_percentile_change(pg_boot_change *out, const double *base, size_t nb,
			       const double *head, size_t nh, double q, double alpha,
			       unsigned resamples, unsigned long long seed)
{
	uint64_t state = (uint64_t)seed;
	if (nb == 0 || nh == 0 || resamples == 0 || !(q >= 0 && q <= 100) ||
	    !(alpha > 0.0 && alpha < 1.0))
		return pg_error_set(PG_EINPUT, "percentile bootstrap needs two samples, 0 <= q <= 100, 0 < alpha < 1");
	if (!all_finite(base, nb) || !all_finite(head, nh))
		return pg_error_set(PG_EINPUT, "percentile bootstrap sample is not finite");
	double *work = malloc((nb > nh ? nb : nh) * sizeof(*work));
	double *changes = malloc(resamples * sizeof(*changes));
	if (!work || !changes) {
		free(work);
		free(changes);
		return pg_error_set(PG_ENOMEM, "out of memory for %u bootstrap resamples", resamples);
	}
	size_t at_or_below = 0, at_or_above = 0;
	int err = 0;
	for (unsigned r = 0; r < resamples; r++) {
		double b = resample_percentile(work, base, nb, q, &state);
		double h = resample_percentile(work, head, nh, q, &state);
		if (b == 0.0) {
			err = pg_error_set(PG_EINPUT, "a bootstrap resample of the baseline has percentile %g at 0", q);
			break;
		}
		/* Relative to |base|: a negative baseline keeps the direction of the difference. */
		changes[r] = (h - b) / fabs(b);
		at_or_below += changes[r] <= 0.0;
		at_or_above += changes[r] >= 0.0;
	}
	if (!err) {
		pg_stats_sort(changes, resamples);
		out->lo = pg_stats_percentile_sorted(changes, resamples, 100.0 * (alpha / 2.0));
		out->hi = pg_stats_percentile_sorted(changes, resamples, 100.0 * (1.0 - alpha / 2.0));
		/* The +1s keep a bootstrap p from claiming more than its resamples can show. */
		out->p_greater = (double)(at_or_below + 1) / (double)(resamples + 1);
		out->p_less = (double)(at_or_above + 1) / (double)(resamples + 1);
	}
	free(work);
	free(changes);
	return err;
}
