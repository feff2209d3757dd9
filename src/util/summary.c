/* summary.c - descriptive statistics of one sample: summary, median, percentiles */
#include "perfgate/summary.h"

#include "perfgate/error.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* scipy's scale='normal' divides by special.ndtri(0.75) rather than multiplying by 1.4826. */
#define NORMAL_MAD_SCALE 0.6744897501960817

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

void pg_stats_sort(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), compare_doubles);
}

/* Wirth's selection; linear on average, which makes thousands of bootstrap medians cheap. */
void pg_stats_select_nth(double *v, size_t n, size_t k)
{
	ptrdiff_t lo = 0, hi = (ptrdiff_t)n - 1, kth = (ptrdiff_t)k;

	while (lo < hi) {
		double pivot = v[kth];
		ptrdiff_t i = lo, j = hi;

		do {
			while (v[i] < pivot)
				i++;
			while (pivot < v[j])
				j--;
			if (i <= j) {
				double t = v[i];
				v[i] = v[j];
				v[j] = t;
				i++;
				j--;
			}
		} while (i <= j);
		if (j < kth)
			lo = i;
		if (kth < i)
			hi = j;
	}
}

/* The mean of the middle two when n is even, as numpy does. */
double pg_stats_median_in_place(double *v, size_t n)
{
	size_t upper = n / 2;
	double below;

	pg_stats_select_nth(v, n, upper);
	if (n % 2 == 1)
		return v[upper];
	below = v[0];
	for (size_t i = 1; i < upper; i++)
		if (v[i] > below)
			below = v[i];
	return (below + v[upper]) / 2.0;
}

double pg_stats_percentile_sorted(const double *sorted, size_t n, double q)
{
	double index, below, t, a, b;
	size_t i;

	if (n == 0)
		return NAN;
	index = (double)(n - 1) * (q / 100.0);
	if (!(index > 0.0))
		return sorted[0];
	below = floor(index);
	if (below >= (double)(n - 1))
		return sorted[n - 1];
	i = (size_t)below;
	t = index - below;
	a = sorted[i];
	b = sorted[i + 1];
	/* numpy interpolates from the nearer neighbour; doing the same keeps the last bits equal. */
	if (t >= 0.5)
		return b - (b - a) * (1.0 - t);
	return a + (b - a) * t;
}

double pg_stats_median(const double *values, size_t n)
{
	double *copy, median;

	if (n == 0)
		return NAN;
	copy = malloc(n * sizeof(*copy));
	if (!copy) {
		pg_error_set(PG_ENOMEM, "out of memory for the median of %zu values", n);
		return NAN;
	}
	memcpy(copy, values, n * sizeof(*copy));
	median = pg_stats_median_in_place(copy, n);
	free(copy);
	return median;
}

int pg_stats_summarize(pg_summary *out, const double *values, size_t n)
{
	double *sorted, sum = 0.0, squares = 0.0;

	if (n == 0)
		return pg_error_set(PG_EINPUT, "cannot summarise an empty sample");
	for (size_t i = 0; i < n; i++)
		if (!isfinite(values[i]))
			return pg_error_set(PG_EINPUT, "sample value %zu is not finite", i);
	sorted = malloc(n * sizeof(*sorted));
	if (!sorted)
		return pg_error_set(PG_ENOMEM, "out of memory summarising %zu values", n);
	memcpy(sorted, values, n * sizeof(*sorted));
	pg_stats_sort(sorted, n);

	memset(out, 0, sizeof(*out));
	out->n = n;
	out->min = sorted[0];
	out->max = sorted[n - 1];
	for (size_t i = 0; i < n; i++)
		sum += sorted[i];
	out->mean = sum / (double)n;
	/* Two passes: the one-pass formula loses every digit when the spread is tiny next to the mean. */
	for (size_t i = 0; i < n; i++)
		squares += (sorted[i] - out->mean) * (sorted[i] - out->mean);
	out->stddev = n > 1 ? sqrt(squares / (double)(n - 1)) : 0.0;
	out->median = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
	out->p50 = pg_stats_percentile_sorted(sorted, n, 50.0);
	out->p90 = pg_stats_percentile_sorted(sorted, n, 90.0);
	out->p95 = pg_stats_percentile_sorted(sorted, n, 95.0);
	out->p99 = pg_stats_percentile_sorted(sorted, n, 99.0);

	for (size_t i = 0; i < n; i++)
		sorted[i] = fabs(sorted[i] - out->median);
	out->mad = pg_stats_median_in_place(sorted, n) / NORMAL_MAD_SCALE;
	free(sorted);
	return 0;
}

void pg_summary_location(const pg_summary *s, double *centre, double *spread)
{
	*centre = s->mean;
	*spread = s->stddev;
	if (!isfinite(s->mean)) {
		*centre = s->median;
		*spread = s->stddev * sqrt(M_PI / 2.0);
	}
}
