/* test_changes.c - change points of one series: steps found from commits and runs, noise left alone */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "perfgate/changes.h"
#include "perfgate/stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define RUNS 12

/* A seeded generator (xorshift64*), so every run of the tests sees the same noise. */
typedef struct prng {
	unsigned long long x;
} prng;

static double uniform(prng *g)
{
	g->x ^= g->x >> 12;
	g->x ^= g->x << 25;
	g->x ^= g->x >> 27;
	return (double)((g->x * 0x2545F4914F6CDD1DULL) >> 11) / 9007199254740992.0;
}

static double gaussian(prng *g)
{
	double u = uniform(g), v = uniform(g);
	return sqrt(-2.0 * log(u > 0 ? u : 1e-300)) * cos(2.0 * M_PI * v);
}

/*
 * One commit measured RUNS times around level: each run off by `noise`
 * (relative sd) within the commit, the whole commit off by `shift` (relative
 * sd) as a run on another runner would be. Summarised as the store keeps it.
 */
static pg_series_point commit_at(prng *g, double level, double noise, double shift)
{
	double runs[RUNS], moved = level * (1.0 + shift * gaussian(g));
	for (int i = 0; i < RUNS; i++)
		runs[i] = moved * (1.0 + noise * gaussian(g));
	pg_summary s;
	assert_int_equal(pg_stats_summarize(&s, runs, RUNS), 0);
	return (pg_series_point){s.median, s.n, s.mean, s.stddev};
}

/* Commits before `step` at 17.5 ms, from it on at 17.5 ms * (1 + rise). */
static void series(pg_series_point *pts, size_t n, size_t step, double rise, double noise, double shift,
		   unsigned long long seed)
{
	prng g = {seed * 0x9E3779B97F4A7C15ULL + 1};
	for (size_t i = 0; i < n; i++)
		pts[i] = commit_at(&g, i < step ? 17.5 : 17.5 * (1.0 + rise), noise, shift);
}

static size_t decided(const pg_series_split *s, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += !s[i].too_few;
	return k;
}

static void test_changes_finds_20pct_step_with_5_commits_a_side(void **state)
{
	(void)state;
	/* The case, on every seed tried: 5 medians against 5 can never pass a rank test. */
	for (unsigned long long seed = 1; seed <= 50; seed++) {
		pg_series_point pts[10];
		pg_series_split out[12];
		size_t n_out = 0;
		series(pts, 10, 5, 0.20, seed % 2 ? 0.05 : 0.10, 0, seed);
		assert_int_equal(pg_changes_split_series(out, &n_out, pts, 10, NULL), 0);
		assert_int_equal(n_out, 1);
		assert_false(out[0].too_few);
		assert_int_equal(out[0].at, 5);
		assert_int_equal(out[0].n_before, 5);
		assert_int_equal(out[0].n_after, 5);
		assert_true(out[0].change >= 0.05 && out[0].change < 0.40);
		assert_true(out[0].p < 0.01);
		assert_true(out[0].p_runs < 0.01);
	}
}

static void test_changes_finds_22pct_step_from_medians_alone(void **state)
{
	(void)state;
	/* Pruned notes keep summaries; bare values (no runs) are decided by the commits. */
	pg_series_point pts[12];
	pg_series_split out[14];
	size_t n_out = 0;
	series(pts, 12, 6, 0.22, 0.05, 0, 7);
	for (size_t i = 0; i < 12; i++)
		pts[i].n = 0;
	assert_int_equal(pg_changes_split_series(out, &n_out, pts, 12, NULL), 0);
	assert_int_equal(decided(out, n_out), 1);
	assert_int_equal(out[0].at, 6);
	assert_true(isnan(out[0].p_runs));
}

static void test_changes_finds_no_step_in_40_commits_of_aa_noise(void **state)
{
	(void)state;
	for (unsigned long long seed = 1; seed <= 40; seed++) {
		pg_series_point pts[40];
		pg_series_split out[42];
		size_t n_out = 0;
		series(pts, 40, 40, 0, 0.075, 0, seed);
		assert_int_equal(pg_changes_split_series(out, &n_out, pts, 40, NULL), 0);
		assert_int_equal(n_out, 0);
	}
}

static void test_changes_takes_no_noisy_runner_for_a_step(void **state)
{
	(void)state;
	/*
	 * Each commit's whole run moves by 4 % (sd) as runners differ: pooled runs
	 * alone would call many splits significant; the commits' own spread says no.
	 */
	for (unsigned long long seed = 1; seed <= 40; seed++) {
		pg_series_point pts[40];
		pg_series_split out[42];
		size_t n_out = 0;
		series(pts, 40, 40, 0, 0.075, 0.04, seed + 100);
		assert_int_equal(pg_changes_split_series(out, &n_out, pts, 40, NULL), 0);
		assert_int_equal(decided(out, n_out), 0);
	}
}

static void test_changes_says_too_few_commits_with_2_after_a_step(void **state)
{
	(void)state;
	pg_series_point pts[12];
	pg_series_split out[14];
	size_t n_out = 0;
	series(pts, 12, 10, 0.22, 0.05, 0, 3);
	assert_int_equal(pg_changes_split_series(out, &n_out, pts, 12, NULL), 0);
	assert_int_equal(n_out, 1);
	assert_true(out[0].too_few);
	assert_int_equal(out[0].at, 10);
	assert_int_equal(out[0].n_after, 2);
	assert_true(out[0].change > 0.15);
	assert_true(isnan(out[0].p));
}

static void test_changes_says_too_few_commits_when_history_is_short(void **state)
{
	(void)state;
	/* 2 commits before, 2 after: no side long enough for a step. */
	pg_series_point pts[4];
	pg_series_split out[6];
	size_t n_out = 0;
	series(pts, 4, 2, 0.30, 0.05, 0, 5);
	assert_int_equal(pg_changes_split_series(out, &n_out, pts, 4, NULL), 0);
	assert_true(n_out >= 1);
	for (size_t i = 0; i < n_out; i++)
		assert_true(out[i].too_few);
	assert_int_equal(out[n_out - 1].at, 2);
}

static void test_changes_segment_keeps_two_steps(void **state)
{
	(void)state;
	/* Up 30 % at 8, back down at 16: both found from bare values. */
	double values[24];
	prng g = {42};
	for (size_t i = 0; i < 24; i++)
		values[i] = (i >= 8 && i < 16 ? 13.0 : 10.0) * (1.0 + 0.01 * gaussian(&g));
	size_t starts[24], n_starts = 0;
	assert_int_equal(pg_changes_segment(starts, &n_starts, values, 24, NULL), 0);
	assert_int_equal(n_starts, 2);
	assert_int_equal(starts[0], 8);
	assert_int_equal(starts[1], 16);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_changes_finds_20pct_step_with_5_commits_a_side),
		cmocka_unit_test(test_changes_finds_22pct_step_from_medians_alone),
		cmocka_unit_test(test_changes_finds_no_step_in_40_commits_of_aa_noise),
		cmocka_unit_test(test_changes_takes_no_noisy_runner_for_a_step),
		cmocka_unit_test(test_changes_says_too_few_commits_with_2_after_a_step),
		cmocka_unit_test(test_changes_says_too_few_commits_when_history_is_short),
		cmocka_unit_test(test_changes_segment_keeps_two_steps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
