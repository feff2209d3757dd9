/* test_stats.c - summaries, rank tests and intervals checked against numpy and scipy */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "perfgate/error.h"
#include "perfgate/stats.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Reference values below are the output of tests/unit/stats_reference.py
 * (numpy 1.24.2, scipy 1.10.1, Debian's /usr/bin/python3), pasted verbatim.
 */

/* summaries: n, min, max, mean, stddev, median, mad, p50, p90, p95, p99 */
static const double one_value_expected[] = {
	1.0, 42.0, 42.0, 42.0, 0.0, 42.0, 0.0, 42.0, 42.0, 42.0, 42.0
};
static const double two_values_expected[] = {
	2.0, 1.0, 3.0, 2.0, 1.4142135623730951, 2.0, 1.482602218505602, 2.0,
	2.8, 2.9, 2.98
};
static const double odd_unsorted_expected[] = {
	7.0, 1.2, 9.1, 5.471428571428571, 3.055985539731433, 5.0,
	3.706505546264005, 5.0, 8.92, 9.01, 9.081999999999999
};
static const double even_duplicates_expected[] = {
	10.0, 1.0, 10.0, 4.9, 3.1073389830457114, 4.0, 2.223903327758403, 4.0,
	9.1, 9.549999999999999, 9.91
};
static const double timings[] = {
	14.2294, 13.7301, 10.9915, 9.8757, 12.1435, 15.9016, 16.3209, 14.9901,
	13.3971, 17.2142, 15.9953, 11.9612, 10.1081, 11.621, 11.4928, 14.3425,
	8.5498, 12.0306, 17.4611, 10.3986, 10.7407, 12.2911, 9.4137, 12.1801,
	12.4609
};
static const double timings_expected[] = {
	25.0, 8.5498, 17.4611, 12.793664000000001, 2.4838483345539975, 12.1801,
	2.641255852267729, 12.1801, 16.19066, 17.035539999999997,
	17.401843999999997
};

/* Mann-Whitney U */
static const double mwu_small_p_two_sided = 0.1111111111111111;
static const double mwu_small_p_greater = 0.05555555555555555;
static const double mwu_small_p_less = 0.9682539682539684;
static const double mwu_small_u1 = 17.0;
static const double mwu_6v14_x[] = {
	9.9907, 8.023, 9.2683, 11.3076, 8.5709, 11.0944
};
static const double mwu_6v14_y[] = {
	12.811, 8.646, 10.2094, 12.8106, 12.487, 11.8588, 10.8028, 11.7171,
	15.2495, 11.0571, 12.6593, 10.6665, 11.1033, 12.7961
};
static const double mwu_6v14_p_two_sided = 0.015376676986584107;
static const double mwu_6v14_p_greater = 0.9941434468524255;
static const double mwu_6v14_p_less = 0.007688338493292053;
static const double mwu_6v14_u1 = 13.0;
static const double mwu_8v300_p_two_sided = 0.9010571696651467;
static const double mwu_8v300_p_greater = 0.5510337845294299;
static const double mwu_8v300_p_less = 0.45052858483257335;
static const double mwu_8v300_u1 = 1168.0;
static const double mwu_ties_p_two_sided = 0.025279736885893914;
static const double mwu_ties_p_greater = 0.9907347385044912;
static const double mwu_ties_p_less = 0.012639868442946957;
static const double mwu_ties_u1 = 8.5;
static const double mwu_30v30_x[] = {
	95.4, 98.8, 96.9, 95.7, 100.9, 106.2, 101.1, 98.1, 92.7, 104.1, 101.1,
	96.8, 104.3, 107.9, 91.8, 103.0, 104.2, 102.9, 108.0, 103.1, 95.5,
	119.0, 100.7, 107.4, 109.8, 104.4, 91.0, 91.5, 96.6, 100.2
};
static const double mwu_30v30_y[] = {
	96.1, 98.3, 100.8, 100.6, 103.9, 103.4, 102.8, 99.9, 98.8, 93.4, 109.3,
	104.0, 104.8, 94.4, 106.8, 102.6, 107.8, 99.6, 108.0, 110.2, 102.2,
	101.5, 101.0, 103.7, 116.7, 102.8, 106.3, 95.6, 91.4, 103.8
};
static const double mwu_30v30_p_two_sided = 0.3870733935692303;
static const double mwu_30v30_p_greater = 0.8104950902394615;
static const double mwu_30v30_p_less = 0.19353669678461516;
static const double mwu_30v30_u1 = 391.0;
static const double mwu_50v40_x[] = {
	49.7, 53.66, 43.0, 51.25, 44.74, 55.27, 52.28, 47.07, 52.19, 52.67,
	50.35, 54.63, 52.92, 49.76, 48.7, 52.21, 48.17, 42.13, 48.89, 44.78,
	53.05, 50.32, 51.76, 53.52, 49.9, 49.95, 51.34, 57.17, 49.37, 48.75,
	50.38, 52.27, 49.33, 49.16, 52.5, 56.15, 54.07, 44.87, 49.81, 54.08,
	46.94, 50.72, 52.23, 46.76, 45.94, 47.64, 54.03, 49.59, 50.75, 48.06
};
static const double mwu_50v40_y[] = {
	48.91, 43.07, 47.69, 50.03, 44.22, 48.99, 48.53, 51.47, 41.19, 48.58,
	49.98, 48.68, 50.0, 45.3, 54.49, 52.06, 50.12, 52.69, 47.92, 52.08,
	45.82, 53.8, 52.02, 46.33, 46.4, 50.89, 49.06, 52.4, 48.97, 49.64, 48.9,
	49.17, 46.73, 45.5, 50.74, 49.91, 44.3, 47.66, 52.19, 49.02
};
static const double mwu_50v40_p_two_sided = 0.02894142565374767;
static const double mwu_50v40_p_greater = 0.014470712826873835;
static const double mwu_50v40_p_less = 0.9858248068241449;
static const double mwu_50v40_u1 = 1269.5;
static const double mwu_identical_p_two_sided = 1.0;
static const double mwu_identical_p_greater = 0.5422350133116141;
static const double mwu_identical_p_less = 0.5422350133116141;
static const double mwu_identical_u1 = 12.5;
static const double mwu_separated_p_two_sided = 0.007936507936507936;
static const double mwu_separated_p_greater = 0.003968253968253968;
static const double mwu_separated_p_less = 0.9999999999999998;
static const double mwu_separated_u1 = 25.0;
static const double mwu_1v5_p_two_sided = 1.0;
static const double mwu_1v5_p_greater = 0.5;
static const double mwu_1v5_p_less = 0.6666666666666666;
static const double mwu_1v5_u1 = 3.0;

/* normal distribution */
static const double normal_sf_z[] = {
	-3.0, -1.0, 0.0, 0.5, 1.959963984540054, 5.0, 10.0, 20.0
};
static const double normal_sf_expected[] = {
	0.9986501019683699, 0.8413447460685429, 0.5, 0.3085375387259869, 0.025,
	2.866515718791933e-07, 7.61985302416047e-24, 2.7536241186061556e-89
};
static const double normal_quantile_p[] = {
	1e-300, 1e-10, 0.001, 0.025, 0.3, 0.5, 0.75, 0.975, 0.999999
};
static const double normal_quantile_expected[] = {
	-37.0470962993612, -6.361340902404056, -3.090232306167813,
	-1.9599639845400545, -0.5244005127080409, 0.0, 0.6744897501960817,
	1.959963984540054, 4.753424308817087
};

/* Holm */
static const double holm_p[] = {
	0.01, 0.04, 0.03, 0.005, 0.5, 0.04
};
static const double holm_expected[] = {
	0.05, 0.12, 0.12, 0.03, 0.5, 0.12
};
static const double holm_capped_p[] = {
	0.3, 0.2, 0.9, 0.6
};
static const double holm_capped_expected[] = {
	0.8999999999999999, 0.8, 1.0, 1.0
};

/* Hodges-Lehmann */
static const double hl_base[] = {
	18.9, 20.3, 19.1, 19.63, 21.26, 18.31, 20.31, 21.45, 20.3, 20.83, 18.09,
	19.45
};
static const double hl_head[] = {
	20.21, 19.88, 20.8, 20.78, 21.65, 20.2, 21.01, 20.38, 21.39, 21.62,
	20.92, 20.29, 19.06, 21.47, 19.71
};
static const double hl_expected[] = {
	0.75, -0.029999999999997584, 1.620000000000001
};
static const double hl_4v6_expected[] = {
	1.1300000000000008, 0.4800000000000004, 1.8800000000000026
};
static const double hl_tiny_expected[] = {
	2.5, 1.0, 4.0
};

/* Passes when actual is within rel of expected, relatively, or within abs absolutely. */
static void assert_near_at(double actual, double expected, double rel, double abs,
			   const char *what, const char *file, int line)
{
	double diff = fabs(actual - expected);

	if (diff <= abs || diff <= rel * fabs(expected))
		return;
	print_error("%s: got %.17g, expected %.17g (diff %.3g)\n", what, actual,
		    expected, diff);
	_fail(file, line);
}

#define assert_near(actual, expected, rel, abs) \
	assert_near_at((actual), (expected), (rel), (abs), #actual, __FILE__, __LINE__)

/* Numpy reductions sum pairwise, so the last bit or two may differ from a plain loop. */
#define SUMMARY_TOLERANCE 1e-12
#define P_TOLERANCE 1e-9

static void assert_summary_matches(const double *values, size_t n,
				   const double *expected)
{
	pg_summary s;

	assert_int_equal(pg_stats_summarize(&s, values, n), 0);
	assert_int_equal(s.n, (size_t)expected[0]);
	assert_near(s.min, expected[1], SUMMARY_TOLERANCE, 0.0);
	assert_near(s.max, expected[2], SUMMARY_TOLERANCE, 0.0);
	assert_near(s.mean, expected[3], SUMMARY_TOLERANCE, 0.0);
	assert_near(s.stddev, expected[4], SUMMARY_TOLERANCE, 0.0);
	assert_near(s.median, expected[5], SUMMARY_TOLERANCE, 0.0);
	assert_near(s.mad, expected[6], SUMMARY_TOLERANCE, 0.0);
	assert_near(s.p50, expected[7], SUMMARY_TOLERANCE, 0.0);
	assert_near(s.p90, expected[8], SUMMARY_TOLERANCE, 0.0);
	assert_near(s.p95, expected[9], SUMMARY_TOLERANCE, 0.0);
	assert_near(s.p99, expected[10], SUMMARY_TOLERANCE, 0.0);
}

static void test_summarize_single_value_has_zero_spread(void **state)
{
	static const double values[] = {42.0};
	(void)state;
	assert_summary_matches(values, COUNT(values), one_value_expected);
}

static void test_summarize_two_values_matches_numpy(void **state)
{
	static const double values[] = {3.0, 1.0};
	(void)state;
	assert_summary_matches(values, COUNT(values), two_values_expected);
}

static void test_summarize_odd_unsorted_sample_matches_numpy(void **state)
{
	static const double values[] = {9.1, 2.5, 7.3, 4.4, 5.0, 1.2, 8.8};
	(void)state;
	assert_summary_matches(values, COUNT(values), odd_unsorted_expected);
}

static void test_summarize_even_sample_with_duplicates_matches_numpy(void **state)
{
	static const double values[] = {5, 3, 3, 8, 1, 3, 9, 10, 2, 5};
	(void)state;
	assert_summary_matches(values, COUNT(values), even_duplicates_expected);
}

static void test_summarize_timing_sample_matches_numpy(void **state)
{
	(void)state;
	assert_summary_matches(timings, COUNT(timings), timings_expected);
}

static void test_summarize_leaves_values_unmodified(void **state)
{
	double values[] = {9.1, 2.5, 7.3, 4.4, 5.0, 1.2, 8.8};
	double before[COUNT(values)];
	pg_summary s;

	(void)state;
	memcpy(before, values, sizeof(values));
	assert_int_equal(pg_stats_summarize(&s, values, COUNT(values)), 0);
	assert_memory_equal(values, before, sizeof(values));
}

static void test_summarize_rejects_empty_sample(void **state)
{
	static const double values[] = {1.0};
	pg_summary s;

	(void)state;
	assert_int_equal(pg_stats_summarize(&s, values, 0), PG_EINPUT);
}

static void test_summarize_rejects_nan(void **state)
{
	double values[] = {1.0, NAN, 3.0};
	pg_summary s;

	(void)state;
	assert_int_equal(pg_stats_summarize(&s, values, COUNT(values)), PG_EINPUT);
}

static void test_summarize_rejects_infinity(void **state)
{
	double values[] = {1.0, 2.0, -INFINITY};
	pg_summary s;

	(void)state;
	assert_int_equal(pg_stats_summarize(&s, values, COUNT(values)), PG_EINPUT);
}

static void test_percentile_sorted_reaches_both_ends(void **state)
{
	static const double sorted[] = {1.0, 2.0, 4.0, 8.0};

	(void)state;
	assert_near(pg_stats_percentile_sorted(sorted, COUNT(sorted), 0.0), 1.0, 0.0, 0.0);
	assert_near(pg_stats_percentile_sorted(sorted, COUNT(sorted), 100.0), 8.0, 0.0, 0.0);
}

static void test_percentile_sorted_interpolates_between_neighbours(void **state)
{
	static const double sorted[] = {1.0, 2.0, 4.0, 8.0};

	(void)state;
	/* Type 7: index (n - 1) q = 1.5, halfway from 2 to 4. */
	assert_near(pg_stats_percentile_sorted(sorted, COUNT(sorted), 50.0), 3.0, 0.0, 0.0);
}

static void test_median_of_even_count_averages_middle_pair(void **state)
{
	static const double values[] = {7.0, 1.0, 4.0, 2.0};

	(void)state;
	assert_near(pg_stats_median(values, COUNT(values)), 3.0, 0.0, 0.0);
}

static void test_median_of_odd_count_is_middle_value(void **state)
{
	static const double values[] = {7.0, 1.0, 4.0, 2.0, 9.0};

	(void)state;
	assert_near(pg_stats_median(values, COUNT(values)), 4.0, 0.0, 0.0);
}

static pg_mwu run_mwu(const double *x, size_t nx, const double *y, size_t ny,
		      pg_alternative alt)
{
	pg_mwu r;

	memset(&r, 0, sizeof(r));
	assert_int_equal(pg_stats_mann_whitney(&r, x, nx, y, ny, alt), 0);
	return r;
}

/* Checks all three alternatives of one pair of samples against scipy. */
static void assert_mwu_matches(const double *x, size_t nx, const double *y, size_t ny,
			       double u1, double two_sided, double greater,
			       double less, int exact)
{
	pg_mwu r = run_mwu(x, nx, y, ny, PG_TWO_SIDED);

	assert_near(r.u1, u1, 0.0, 0.0);
	assert_int_equal(r.exact, exact);
	assert_near(r.p, two_sided, P_TOLERANCE, 0.0);
	r = run_mwu(x, nx, y, ny, PG_GREATER);
	assert_int_equal(r.exact, exact);
	assert_near(r.p, greater, P_TOLERANCE, 0.0);
	r = run_mwu(x, nx, y, ny, PG_LESS);
	assert_int_equal(r.exact, exact);
	assert_near(r.p, less, P_TOLERANCE, 0.0);
}

static const double males[] = {19, 22, 16, 29, 24};
static const double females[] = {20, 11, 17, 12};

static void test_mann_whitney_exact_matches_scipy_two_sided(void **state)
{
	pg_mwu r;

	(void)state;
	r = run_mwu(males, COUNT(males), females, COUNT(females), PG_TWO_SIDED);
	assert_int_equal(r.exact, 1);
	assert_near(r.u1, mwu_small_u1, 0.0, 0.0);
	assert_near(r.p, mwu_small_p_two_sided, P_TOLERANCE, 0.0);
}

static void test_mann_whitney_exact_matches_scipy_greater(void **state)
{
	pg_mwu r;

	(void)state;
	r = run_mwu(males, COUNT(males), females, COUNT(females), PG_GREATER);
	assert_int_equal(r.exact, 1);
	assert_near(r.p, mwu_small_p_greater, P_TOLERANCE, 0.0);
}

static void test_mann_whitney_exact_matches_scipy_less(void **state)
{
	pg_mwu r;

	(void)state;
	r = run_mwu(males, COUNT(males), females, COUNT(females), PG_LESS);
	assert_int_equal(r.exact, 1);
	assert_near(r.p, mwu_small_p_less, P_TOLERANCE, 0.0);
}

static void test_mann_whitney_exact_when_only_one_sample_is_small(void **state)
{
	(void)state;
	assert_mwu_matches(mwu_6v14_x, COUNT(mwu_6v14_x), mwu_6v14_y, COUNT(mwu_6v14_y),
			   mwu_6v14_u1, mwu_6v14_p_two_sided, mwu_6v14_p_greater,
			   mwu_6v14_p_less, 1);
}

/* The same formula as stats_reference.py: 8 values spread through 300, none repeated. */
static void build_8_and_300(double *x, double *y)
{
	for (size_t i = 0; i < 8; i++)
		x[i] = 20.25 + 36.0 * (double)i;
	for (size_t j = 0; j < 300; j++)
		y[j] = (double)j + 0.5;
}

static void test_mann_whitney_exact_handles_8_against_300(void **state)
{
	double x[8], y[300];

	(void)state;
	build_8_and_300(x, y);
	assert_mwu_matches(x, COUNT(x), y, COUNT(y), mwu_8v300_u1,
			   mwu_8v300_p_two_sided, mwu_8v300_p_greater,
			   mwu_8v300_p_less, 1);
}

static void test_mann_whitney_swapping_samples_swaps_greater_and_less(void **state)
{
	double x[8], y[300];

	(void)state;
	build_8_and_300(x, y);
	assert_mwu_matches(y, COUNT(y), x, COUNT(x),
			   (double)(COUNT(x) * COUNT(y)) - mwu_8v300_u1,
			   mwu_8v300_p_two_sided, mwu_8v300_p_less,
			   mwu_8v300_p_greater, 1);
}

static void test_mann_whitney_ties_use_normal_approximation(void **state)
{
	static const double x[] = {1, 2, 2, 3, 3, 3, 4};
	static const double y[] = {2, 3, 4, 4, 5, 5, 6, 7};

	(void)state;
	assert_mwu_matches(x, COUNT(x), y, COUNT(y), mwu_ties_u1, mwu_ties_p_two_sided,
			   mwu_ties_p_greater, mwu_ties_p_less, 0);
}

static void test_mann_whitney_30_vs_30_matches_scipy(void **state)
{
	(void)state;
	assert_mwu_matches(mwu_30v30_x, COUNT(mwu_30v30_x), mwu_30v30_y,
			   COUNT(mwu_30v30_y), mwu_30v30_u1, mwu_30v30_p_two_sided,
			   mwu_30v30_p_greater, mwu_30v30_p_less, 0);
}

static void test_mann_whitney_50_vs_40_matches_scipy(void **state)
{
	(void)state;
	assert_mwu_matches(mwu_50v40_x, COUNT(mwu_50v40_x), mwu_50v40_y,
			   COUNT(mwu_50v40_y), mwu_50v40_u1, mwu_50v40_p_two_sided,
			   mwu_50v40_p_greater, mwu_50v40_p_less, 0);
}

static void test_mann_whitney_identical_samples_give_p_one(void **state)
{
	static const double x[] = {1, 2, 3, 4, 5};

	(void)state;
	assert_mwu_matches(x, COUNT(x), x, COUNT(x), mwu_identical_u1,
			   mwu_identical_p_two_sided, mwu_identical_p_greater,
			   mwu_identical_p_less, 0);
	assert_near(run_mwu(x, COUNT(x), x, COUNT(x), PG_TWO_SIDED).p, 1.0, 0.0, 0.0);
}

static void test_mann_whitney_constant_samples_give_p_one(void **state)
{
	static const double x[] = {7, 7, 7, 7, 7, 7, 7, 7, 7, 7};

	(void)state;
	/* Every value tied: the variance is zero and scipy's z is -inf. */
	assert_near(run_mwu(x, COUNT(x), x, 4, PG_TWO_SIDED).p, 1.0, 0.0, 0.0);
	assert_near(run_mwu(x, COUNT(x), x, 4, PG_GREATER).p, 1.0, 0.0, 0.0);
}

static void test_mann_whitney_separated_samples_give_smallest_p(void **state)
{
	static const double x[] = {10, 11, 12, 13, 14};
	static const double y[] = {1, 2, 3, 4, 5};

	(void)state;
	/* One arrangement in C(10, 5) = 252 puts every x above every y. */
	assert_mwu_matches(x, COUNT(x), y, COUNT(y), mwu_separated_u1,
			   mwu_separated_p_two_sided, mwu_separated_p_greater,
			   mwu_separated_p_less, 1);
	assert_near(run_mwu(x, COUNT(x), y, COUNT(y), PG_GREATER).p, 1.0 / 252.0,
		    1e-15, 0.0);
}

static void test_mann_whitney_one_vs_five_matches_scipy(void **state)
{
	static const double x[] = {3.5};
	static const double y[] = {1, 2, 3, 4, 5};

	(void)state;
	assert_mwu_matches(x, COUNT(x), y, COUNT(y), mwu_1v5_u1, mwu_1v5_p_two_sided,
			   mwu_1v5_p_greater, mwu_1v5_p_less, 1);
}

static void test_mann_whitney_rejects_empty_sample(void **state)
{
	static const double x[] = {1, 2, 3};
	pg_mwu r;

	(void)state;
	assert_int_equal(pg_stats_mann_whitney(&r, x, 0, x, 3, PG_TWO_SIDED), PG_EINPUT);
	assert_int_equal(pg_stats_mann_whitney(&r, x, 3, x, 0, PG_TWO_SIDED), PG_EINPUT);
}

static void test_normal_sf_matches_scipy(void **state)
{
	(void)state;
	for (size_t i = 0; i < COUNT(normal_sf_z); i++)
		assert_near(pg_stats_normal_sf(normal_sf_z[i]), normal_sf_expected[i],
			    1e-12, 0.0);
}

static void test_normal_quantile_matches_scipy(void **state)
{
	(void)state;
	for (size_t i = 0; i < COUNT(normal_quantile_p); i++)
		assert_near(pg_stats_normal_quantile(normal_quantile_p[i]),
			    normal_quantile_expected[i], 1e-9, 1e-15);
}

static void test_normal_quantile_inverts_sf_in_the_lower_tail(void **state)
{
	(void)state;
	/* Only the small tail probabilities keep enough digits to invert; 1 - 1e-9 does not. */
	for (double z = 0.0; z <= 37.0; z += 0.25)
		assert_near(pg_stats_normal_quantile(pg_stats_normal_sf(z)), -z, 1e-9, 1e-12);
}

static void test_holm_matches_step_down_reference(void **state)
{
	double p[COUNT(holm_p)];

	(void)state;
	memcpy(p, holm_p, sizeof(p));
	assert_int_equal(pg_stats_holm(p, COUNT(p)), 0);
	for (size_t i = 0; i < COUNT(p); i++)
		assert_near(p[i], holm_expected[i], 1e-15, 0.0);
}

static void test_holm_caps_adjusted_p_at_one(void **state)
{
	double p[COUNT(holm_capped_p)];

	(void)state;
	memcpy(p, holm_capped_p, sizeof(p));
	assert_int_equal(pg_stats_holm(p, COUNT(p)), 0);
	for (size_t i = 0; i < COUNT(p); i++)
		assert_near(p[i], holm_capped_expected[i], 1e-15, 0.0);
}

static void test_holm_leaves_single_p_value_alone(void **state)
{
	double p = 0.03;

	(void)state;
	assert_int_equal(pg_stats_holm(&p, 1), 0);
	assert_near(p, 0.03, 0.0, 0.0);
}

static void test_holm_accepts_empty_list(void **state)
{
	(void)state;
	assert_int_equal(pg_stats_holm(NULL, 0), 0);
}

static void assert_hodges_lehmann_matches(const double *base, size_t nb,
					  const double *head, size_t nh,
					  double alpha, const double *expected)
{
	double estimate, lo, hi;

	assert_int_equal(pg_stats_hodges_lehmann(&estimate, &lo, &hi, base, nb, head,
						 nh, alpha), 0);
	assert_near(estimate, expected[0], 1e-12, 1e-12);
	assert_near(lo, expected[1], 1e-12, 1e-12);
	assert_near(hi, expected[2], 1e-12, 1e-12);
}

static void test_hodges_lehmann_matches_reference(void **state)
{
	(void)state;
	assert_hodges_lehmann_matches(hl_base, COUNT(hl_base), hl_head, COUNT(hl_head),
				      0.05, hl_expected);
}

static void test_hodges_lehmann_even_pair_count_matches_reference(void **state)
{
	(void)state;
	/* 4 x 6 differences: the estimate is the mean of the middle two. */
	assert_hodges_lehmann_matches(hl_base, 4, hl_head, 6, 0.10, hl_4v6_expected);
}

static void test_hodges_lehmann_clamps_interval_to_extremes(void **state)
{
	static const double base[] = {1.0, 2.0};
	static const double head[] = {3.0, 5.0, 4.0};

	(void)state;
	assert_hodges_lehmann_matches(base, COUNT(base), head, COUNT(head), 0.05,
				      hl_tiny_expected);
}

static void test_hodges_lehmann_rejects_empty_sample(void **state)
{
	static const double x[] = {1.0, 2.0};
	double estimate, lo, hi;

	(void)state;
	assert_int_equal(pg_stats_hodges_lehmann(&estimate, &lo, &hi, x, 0, x, 2, 0.05),
			 PG_EINPUT);
	assert_int_equal(pg_stats_hodges_lehmann(&estimate, &lo, &hi, x, 2, x, 0, 0.05),
			 PG_EINPUT);
}

/* The tests' own generator, so the samples do not depend on stats.c's. */
static double uniform(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return (double)((z ^ (z >> 31)) >> 11) * 0x1.0p-53;
}

/* n values of centre times (1 + noise), noise uniform in [-spread, spread]. */
static void noisy_sample(double *out, size_t n, double centre, double spread,
			 uint64_t seed)
{
	for (size_t i = 0; i < n; i++)
		out[i] = centre * (1.0 + spread * (2.0 * uniform(&seed) - 1.0));
}

static void test_ratio_ci_is_deterministic_for_a_seed(void **state)
{
	double base[50], head[50], lo1, hi1, lo2, hi2;

	(void)state;
	noisy_sample(base, COUNT(base), 100.0, 0.05, 1);
	noisy_sample(head, COUNT(head), 110.0, 0.05, 2);
	assert_int_equal(pg_stats_ratio_ci(&lo1, &hi1, base, COUNT(base), head,
					   COUNT(head), 0.05, 1000, 42), 0);
	assert_int_equal(pg_stats_ratio_ci(&lo2, &hi2, base, COUNT(base), head,
					   COUNT(head), 0.05, 1000, 42), 0);
	assert_memory_equal(&lo1, &lo2, sizeof(lo1));
	assert_memory_equal(&hi1, &hi2, sizeof(hi1));
}

static void test_ratio_ci_contains_point_estimate(void **state)
{
	double base[40], head[60], lo, hi, point;

	(void)state;
	noisy_sample(base, COUNT(base), 100.0, 0.10, 3);
	noisy_sample(head, COUNT(head), 104.0, 0.10, 4);
	assert_int_equal(pg_stats_ratio_ci(&lo, &hi, base, COUNT(base), head,
					   COUNT(head), 0.05, 2000, 7), 0);
	point = pg_stats_median(head, COUNT(head)) / pg_stats_median(base, COUNT(base));
	assert_true(lo <= point);
	assert_true(point <= hi);
	assert_true(lo < hi);
}

static void test_ratio_ci_brackets_a_25pct_slowdown(void **state)
{
	double base[100], head[100], lo, hi;

	(void)state;
	noisy_sample(base, COUNT(base), 100.0, 0.03, 5);
	noisy_sample(head, COUNT(head), 125.0, 0.03, 6);
	assert_int_equal(pg_stats_ratio_ci(&lo, &hi, base, COUNT(base), head,
					   COUNT(head), 0.05, 2000, 11), 0);
	assert_true(lo >= 1.15);
	assert_true(hi <= 1.35);
	assert_true(lo <= 1.25 && 1.25 <= hi);
}

static void test_ratio_ci_of_identical_samples_contains_one(void **state)
{
	double sample[80], lo, hi;

	(void)state;
	noisy_sample(sample, COUNT(sample), 50.0, 0.10, 8);
	assert_int_equal(pg_stats_ratio_ci(&lo, &hi, sample, COUNT(sample), sample,
					   COUNT(sample), 0.05, 2000, 13), 0);
	assert_true(lo <= 1.0);
	assert_true(1.0 <= hi);
}

static void test_ratio_ci_narrows_as_samples_grow(void **state)
{
	double base[1000], head[1000], lo_small, hi_small, lo_large, hi_large;

	(void)state;
	noisy_sample(base, COUNT(base), 100.0, 0.10, 9);
	noisy_sample(head, COUNT(head), 105.0, 0.10, 10);
	assert_int_equal(pg_stats_ratio_ci(&lo_small, &hi_small, base, 20, head, 20,
					   0.05, 2000, 17), 0);
	assert_int_equal(pg_stats_ratio_ci(&lo_large, &hi_large, base, COUNT(base),
					   head, COUNT(head), 0.05, 2000, 17), 0);
	/* Width shrinks like 1 / sqrt(n): 50 times more data, about 7 times narrower. */
	assert_true(hi_large - lo_large < (hi_small - lo_small) / 3.0);
}

static void test_ratio_ci_rejects_empty_sample(void **state)
{
	static const double x[] = {1.0, 2.0};
	double lo, hi;

	(void)state;
	assert_int_equal(pg_stats_ratio_ci(&lo, &hi, x, 0, x, 2, 0.05, 100, 1), PG_EINPUT);
	assert_int_equal(pg_stats_ratio_ci(&lo, &hi, x, 2, x, 0, 0.05, 100, 1), PG_EINPUT);
}

static void test_ratio_ci_rejects_baseline_with_median_zero(void **state)
{
	static const double base[] = {0.0, 0.0, 0.0};
	static const double head[] = {1.0, 2.0, 3.0};
	double lo, hi;

	(void)state;
	assert_int_equal(pg_stats_ratio_ci(&lo, &hi, base, COUNT(base), head,
					   COUNT(head), 0.05, 100, 1), PG_EINPUT);
}

/* Reference: scipy 1.10.1 wilcoxon(d, correction=True, method='approx', zero_method='wilcox'). */
static void test_signed_rank_matches_scipy_normal_approximation(void **state)
{
	(void)state;
	const double d[] = {0.1, 0.2, -0.05, 0.3, 0.15, 0.12, -0.02, 0.25};
	const double tied[] = {0.1, 0.1, -0.1, 0.2, 0.2, 0.3, 0, 0.05};
	double p;
	assert_int_equal(pg_stats_signed_rank(&p, d, 8, PG_GREATER), 0);
	assert_true(fabs(p - 0.02115763745285698) < 1e-12);
	assert_int_equal(pg_stats_signed_rank(&p, tied, 8, PG_GREATER), 0);
	assert_true(fabs(p - 0.03665579397897009) < 1e-12);
	assert_int_equal(pg_stats_signed_rank(&p, tied, 8, PG_TWO_SIDED), 0);
	assert_true(fabs(p - 0.07331158795794018) < 1e-12);
}

static void test_median_ci_contains_the_median_and_is_seeded(void **state)
{
	(void)state;
	const double v[] = {0.9, 1.0, 1.1, 1.05, 0.95, 1.2, 0.8, 1.0, 1.02, 0.98};
	double lo, hi, lo2, hi2;
	assert_int_equal(pg_stats_median_ci(&lo, &hi, v, 10, 0.05, 2000, 7), 0);
	assert_int_equal(pg_stats_median_ci(&lo2, &hi2, v, 10, 0.05, 2000, 7), 0);
	assert_true(lo <= 1.0 && hi >= 1.0 && lo < hi);
	assert_true(lo == lo2 && hi == hi2);
	assert_int_equal(pg_stats_median_ci(&lo, &hi, v, 0, 0.05, 2000, 7), PG_EINPUT);
}

/* Reference values of Student t and Welch's test: stats_reference.py (scipy 1.10.1). */
/* Student t and Welch's test */
static const double t_sf_t[] = {
	-3.0, -0.5, 0.0, 0.7, 2.0, 6.5
};
static const double t_sf_df[] = {
	1.0, 2.5, 4.0, 9.0, 29.0, 120.0
};
static const double t_sf_expected[] = {
	0.8975836176504333, 0.9637119522254841, 0.9800290159641406,
	0.9925218180447929, 0.9972504039330483, 0.9983580491398829,
	0.6475836176504333, 0.6711510400651426, 0.6783350184090684,
	0.6854643500869868, 0.6895759579031093, 0.6910046378308015, 0.5, 0.5,
	0.5, 0.5, 0.5, 0.5, 0.3055998877857853, 0.2717024715947741,
	0.261250082796725, 0.25080951960807263, 0.24475257430724184,
	0.2426410777428203, 0.1475836176504332, 0.078695747878983,
	0.05805826175840775, 0.03827641188535046, 0.027471818591483593,
	0.02387926367016417, 0.04858979034752892, 0.006314371053781234,
	0.0014450035585503672, 5.572539368430762e-05, 2.0402019103667166e-07,
	9.611629879898838e-10
};
static const double t_quantile_p[] = {
	0.9, 0.95, 0.975, 0.999
};
static const double t_quantile_expected[] = {
	3.0776835372078066, 1.730250928807177, 1.533206273713144,
	1.3830287383964925, 1.311433643950529, 1.2886462336537166,
	6.313751514800932, 2.5582186141360017, 2.13184678133629,
	1.8331129326536335, 1.6991270265334972, 1.6576508993473795,
	12.706204736432095, 3.5746548420118773, 2.7764451051977987,
	2.2621571627409915, 2.045229642132703, 1.9799304050527766,
	318.3088389855419, 13.822193110834316, 7.173182214917768,
	4.296805662730113, 3.396240288341516, 3.1595387414092775
};
static const double welch_cases[] = {
	30.0, 11.0, 1.5, 30.0, 10.0, 1.2, 8.0, 115.0, 40.0, 8.0, 100.0, 35.0,
	5.0, 26.0, 3.5, 12.0, 24.0, 1.0, 40.0, 9.7, 0.4, 6.0, 10.1, 0.9
};
static const double welch_expected[] = {
	2.8513297425610054, 0.0030541103682320287, 2.8513297425610054,
	0.996945889631768, 0.7982281262852873, 0.21915029129515534,
	0.7982281262852873, 0.7808497087048447, 1.2565617248750864,
	0.13659766398991932, 1.2565617248750864, 0.8634023360100807,
	-1.072883561571641, 0.8351376349852122, -1.072883561571641,
	0.16486236501478774
};
static const double welch_one_vs_five[] = {
	24.1, 22.3, 28.9, 31.0, 26.2
};
static const double welch_one_vs_five_expected[] = {
	0.259499648053841, 0.40402913981743876
};

static void test_t_sf_matches_scipy(void **state)
{
	(void)state;
	for (size_t i = 0; i < COUNT(t_sf_t); i++)
		for (size_t j = 0; j < COUNT(t_sf_df); j++) {
			double want = t_sf_expected[i * COUNT(t_sf_df) + j];
			double got = pg_stats_t_sf(t_sf_t[i], t_sf_df[j]);
			assert_true(fabs(got - want) <= 1e-12 * want + 1e-15);
		}
	assert_true(isnan(pg_stats_t_sf(1.0, 0.0)));
}

static void test_t_quantile_matches_scipy(void **state)
{
	(void)state;
	for (size_t i = 0; i < COUNT(t_quantile_p); i++)
		for (size_t j = 0; j < COUNT(t_sf_df); j++) {
			double want = t_quantile_expected[i * COUNT(t_sf_df) + j];
			/*
			 * scipy's ppf and its own sf disagree by up to ~3e-9 relative (t.sf(t.ppf(0.9, 29), 29)
			 * is 0.1 - 6e-10); ours inverts the sf, so it matches the sf to 1e-12 and ppf to 1e-8.
			 */
			double got = pg_stats_t_quantile(t_quantile_p[i], t_sf_df[j]);
			assert_true(fabs(got - want) <= 1e-8 * want);
			assert_true(fabs(pg_stats_t_sf(got, t_sf_df[j]) - (1.0 - t_quantile_p[i])) < 1e-12);
			assert_true(fabs(pg_stats_t_quantile(1.0 - t_quantile_p[i], t_sf_df[j]) + got) <= 1e-12 * want);
		}
	assert_true(isnan(pg_stats_t_quantile(1.0, 5.0)));
}

static void test_welch_matches_scipy_from_summaries(void **state)
{
	(void)state;
	for (size_t i = 0; i < COUNT(welch_cases) / 6; i++) {
		const double *c = &welch_cases[i * 6];
		for (int side = 0; side < 2; side++) {
			pg_welch w;
			assert_int_equal(pg_stats_welch(&w, (size_t)c[0], c[1], c[2], (size_t)c[3], c[4], c[5],
							side == 0 ? PG_GREATER : PG_LESS),
					 0);
			assert_true(fabs(w.t - welch_expected[i * 4 + side * 2]) < 1e-12);
			double want = welch_expected[i * 4 + side * 2 + 1];
			assert_true(fabs(w.p - want) <= 1e-10 * want);
		}
	}
}

static void test_welch_one_run_borrows_the_other_sides_spread(void **state)
{
	(void)state;
	pg_summary s;
	pg_welch w;
	assert_int_equal(pg_stats_summarize(&s, welch_one_vs_five, COUNT(welch_one_vs_five)), 0);
	assert_int_equal(pg_stats_welch(&w, 1, 27.5, 0.0, s.n, s.mean, s.stddev, PG_GREATER), 0);
	assert_true(fabs(w.t - welch_one_vs_five_expected[0]) < 1e-12);
	assert_true(w.df == 4.0);
	assert_true(fabs(w.p - welch_one_vs_five_expected[1]) < 1e-12);
}

static void test_welch_refuses_what_it_cannot_test(void **state)
{
	(void)state;
	pg_welch w;
	assert_int_equal(pg_stats_welch(&w, 1, 2.0, 0.0, 1, 1.0, 0.0, PG_GREATER), PG_EINPUT);
	assert_int_equal(pg_stats_welch(&w, 5, 2.0, 0.0, 5, 1.0, 0.0, PG_GREATER), PG_EINPUT);
	assert_int_equal(pg_stats_welch(&w, 5, NAN, 1.0, 5, 1.0, 1.0, PG_GREATER), PG_EINPUT);
}

/* Samples whose p99 doubles while the median stays: the tail test sees it, the rank test would not. */
static void tail_samples(double *base, double *head, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		base[i] = 10.0 + (double)(i % 10) * 0.1;
		head[i] = base[i];
	}
	/* The top 3 % of the head: more than twice the base's maximum. */
	for (size_t i = 0; i < n / 30; i++)
		head[i * 30 + 9] = 22.0;
}

static void test_percentile_change_sees_a_tail_the_median_does_not(void **state)
{
	(void)state;
	double base[300], head[300];
	tail_samples(base, head, 300);
	pg_boot_change b, again;
	assert_int_equal(pg_stats_percentile_change(&b, base, 300, head, 300, 99, 0.05, 2000, 7), 0);
	assert_true(b.p_greater < 0.01);
	assert_true(b.p_less > 0.99);
	assert_true(b.lo > 0.0 && b.hi <= 22.0 / 10.9 - 1.0 + 1e-9);
	/* Seeded: the same inputs, the same answer. */
	assert_int_equal(pg_stats_percentile_change(&again, base, 300, head, 300, 99, 0.05, 2000, 7), 0);
	assert_true(again.lo == b.lo && again.hi == b.hi && again.p_greater == b.p_greater);
	/* The median did not move: no test of the median may call it larger. */
	pg_mwu u;
	assert_int_equal(pg_stats_mann_whitney(&u, head, 300, base, 300, PG_GREATER), 0);
	assert_true(u.p > 0.05);
	/* Same samples both sides: never significant, and p never below 1/(B+1). */
	assert_int_equal(pg_stats_percentile_change(&b, base, 300, base, 300, 99, 0.05, 999, 7), 0);
	assert_true(b.p_greater > 0.5 && b.p_less > 0.5);
	assert_true(b.p_greater >= 1.0 / 1000.0);
}

static void test_percentile_change_keeps_direction_for_negative_values(void **state)
{
	(void)state;
	/* A negative metric going from about -10 to about -12 went down: the change is negative. */
	double base[40], head[40];
	for (size_t i = 0; i < 40; i++) {
		base[i] = -10.0 + (double)(i % 8) * 0.05;
		head[i] = -12.0 + (double)(i % 8) * 0.05;
	}
	pg_boot_change b;
	assert_int_equal(pg_stats_percentile_change(&b, base, 40, head, 40, 50, 0.05, 1000, 3), 0);
	assert_true(b.hi < -0.15 && b.lo > -0.25);
	assert_true(b.p_less < 0.01 && b.p_greater > 0.99);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_t_sf_matches_scipy),
		cmocka_unit_test(test_t_quantile_matches_scipy),
		cmocka_unit_test(test_welch_matches_scipy_from_summaries),
		cmocka_unit_test(test_welch_one_run_borrows_the_other_sides_spread),
		cmocka_unit_test(test_welch_refuses_what_it_cannot_test),
		cmocka_unit_test(test_percentile_change_sees_a_tail_the_median_does_not),
		cmocka_unit_test(test_percentile_change_keeps_direction_for_negative_values),
		cmocka_unit_test(test_signed_rank_matches_scipy_normal_approximation),
		cmocka_unit_test(test_median_ci_contains_the_median_and_is_seeded),
		cmocka_unit_test(test_summarize_single_value_has_zero_spread),
		cmocka_unit_test(test_summarize_two_values_matches_numpy),
		cmocka_unit_test(test_summarize_odd_unsorted_sample_matches_numpy),
		cmocka_unit_test(test_summarize_even_sample_with_duplicates_matches_numpy),
		cmocka_unit_test(test_summarize_timing_sample_matches_numpy),
		cmocka_unit_test(test_summarize_leaves_values_unmodified),
		cmocka_unit_test(test_summarize_rejects_empty_sample),
		cmocka_unit_test(test_summarize_rejects_nan),
		cmocka_unit_test(test_summarize_rejects_infinity),
		cmocka_unit_test(test_percentile_sorted_reaches_both_ends),
		cmocka_unit_test(test_percentile_sorted_interpolates_between_neighbours),
		cmocka_unit_test(test_median_of_even_count_averages_middle_pair),
		cmocka_unit_test(test_median_of_odd_count_is_middle_value),
		cmocka_unit_test(test_mann_whitney_exact_matches_scipy_two_sided),
		cmocka_unit_test(test_mann_whitney_exact_matches_scipy_greater),
		cmocka_unit_test(test_mann_whitney_exact_matches_scipy_less),
		cmocka_unit_test(test_mann_whitney_exact_when_only_one_sample_is_small),
		cmocka_unit_test(test_mann_whitney_exact_handles_8_against_300),
		cmocka_unit_test(test_mann_whitney_swapping_samples_swaps_greater_and_less),
		cmocka_unit_test(test_mann_whitney_ties_use_normal_approximation),
		cmocka_unit_test(test_mann_whitney_30_vs_30_matches_scipy),
		cmocka_unit_test(test_mann_whitney_50_vs_40_matches_scipy),
		cmocka_unit_test(test_mann_whitney_identical_samples_give_p_one),
		cmocka_unit_test(test_mann_whitney_constant_samples_give_p_one),
		cmocka_unit_test(test_mann_whitney_separated_samples_give_smallest_p),
		cmocka_unit_test(test_mann_whitney_one_vs_five_matches_scipy),
		cmocka_unit_test(test_mann_whitney_rejects_empty_sample),
		cmocka_unit_test(test_normal_sf_matches_scipy),
		cmocka_unit_test(test_normal_quantile_matches_scipy),
		cmocka_unit_test(test_normal_quantile_inverts_sf_in_the_lower_tail),
		cmocka_unit_test(test_holm_matches_step_down_reference),
		cmocka_unit_test(test_holm_caps_adjusted_p_at_one),
		cmocka_unit_test(test_holm_leaves_single_p_value_alone),
		cmocka_unit_test(test_holm_accepts_empty_list),
		cmocka_unit_test(test_hodges_lehmann_matches_reference),
		cmocka_unit_test(test_hodges_lehmann_even_pair_count_matches_reference),
		cmocka_unit_test(test_hodges_lehmann_clamps_interval_to_extremes),
		cmocka_unit_test(test_hodges_lehmann_rejects_empty_sample),
		cmocka_unit_test(test_ratio_ci_is_deterministic_for_a_seed),
		cmocka_unit_test(test_ratio_ci_contains_point_estimate),
		cmocka_unit_test(test_ratio_ci_brackets_a_25pct_slowdown),
		cmocka_unit_test(test_ratio_ci_of_identical_samples_contains_one),
		cmocka_unit_test(test_ratio_ci_narrows_as_samples_grow),
		cmocka_unit_test(test_ratio_ci_rejects_empty_sample),
		cmocka_unit_test(test_ratio_ci_rejects_baseline_with_median_zero),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
