/* test_marks.c - a commit's mark against the results before it: red only where check would fail */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "perfgate/marks.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* n runs around center, relative spread `spread` (uniform), from a seeded generator. */
static pg_result_set *set_of(const char *bench, const char *kind, double center, double spread, int n,
			     unsigned seed)
{
	pg_result_set *rs = pg_result_set_new();
	rs->env.key = strdup("test");
	pg_benchmark *b = pg_result_set_add_benchmark(rs, bench, kind);
	pg_metric *m = pg_benchmark_add_metric(b, strcmp(kind, "size") == 0 ? "bytes" : "wall",
					       strcmp(kind, "size") == 0 ? "bytes" : "ms", PG_BETTER_LOWER);
	unsigned long long x = 0x9e3779b97f4a7c15ULL * (seed + 1);
	for (int i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		double u = (double)(x >> 11) / 9007199254740992.0 - 0.5;
		pg_metric_add_sample(m, center * (1.0 + spread * u));
	}
	assert_int_equal(pg_result_set_summarize(rs), 0);
	return rs;
}

static pg_mark mark_of(const pg_result_set *head, const pg_result_set *base, pg_acceptances *accepts)
{
	pg_verdict *v = NULL;
	pg_compare_options o = {0};
	assert_int_equal(pg_marks_decide(&v, head, base, NULL, NULL, &o, accepts), 0);
	pg_mark mark = pg_marks_of(v, head->benchmarks[0].name, head->benchmarks[0].metrics[0].name, NULL);
	pg_verdict_free(v);
	return mark;
}

static void test_marks_noisy_12pct_jump_is_not_red(void **state)
{
	(void)state;
	/* 6 runs a side, +-40 % noise: a 12 % move of the median is no evidence. */
	pg_result_set *base = set_of("w", "command", 10.0, 0.8, 6, 1);
	pg_result_set *head = set_of("w", "command", 11.2, 0.8, 6, 2);
	pg_verdict *v = NULL;
	const pg_metric_change *row = NULL;
	pg_compare_options o = {0};
	assert_int_equal(pg_marks_decide(&v, head, base, NULL, NULL, &o, NULL), 0);
	pg_mark m = pg_marks_of(v, "w", "wall", &row);
	assert_non_null(row);
	assert_true(row->change > 0.10); /* the old rule's red: over 10 % median to median */
	assert_int_equal(m, PG_MARK_INCONCLUSIVE);
	pg_verdict_free(v);
	pg_result_set_free(base);
	pg_result_set_free(head);
}

static void test_marks_significant_30pct_jump_is_red(void **state)
{
	(void)state;
	pg_result_set *base = set_of("w", "command", 10.0, 0.05, 12, 1);
	pg_result_set *head = set_of("w", "command", 13.0, 0.05, 12, 2);
	assert_int_equal(mark_of(head, base, NULL), PG_MARK_REGRESSION);
	pg_result_set_free(base);
	pg_result_set_free(head);
}

static void test_marks_accepted_regression_is_not_red(void **state)
{
	(void)state;
	pg_result_set *base = set_of("w", "command", 10.0, 0.05, 12, 1);
	pg_result_set *head = set_of("w", "command", 13.0, 0.05, 12, 2);
	pg_acceptances a = {0};
	a.items = calloc(1, sizeof(*a.items));
	a.n = 1;
	assert_int_equal(pg_acceptance_parse(&a.items[0], "w.* +50%", "abc1234 slower on purpose"), 0);
	assert_int_equal(mark_of(head, base, &a), PG_MARK_ACCEPTED);
	pg_acceptances_release(&a);
	pg_result_set_free(base);
	pg_result_set_free(head);
}

/*
 * One run on a side is tested from what it has, as check does (Welch's test, borrowing the
 * other side's spread): +30 % against 12 runs spread 5 % is decided. One run on both sides
 * has no spread to test with: inconclusive, never red by the bare ratio.
 */
static void test_marks_one_run_is_tested_never_red_by_ratio(void **state)
{
	(void)state;
	pg_result_set *base = set_of("w", "command", 10.0, 0.05, 12, 1);
	pg_result_set *head = set_of("w", "command", 13.0, 0.05, 1, 2);
	pg_result_set *base1 = set_of("w", "command", 10.0, 0.05, 1, 3);
	assert_int_equal(mark_of(head, base, NULL), PG_MARK_REGRESSION);
	assert_int_equal(mark_of(head, base1, NULL), PG_MARK_INCONCLUSIVE);
	pg_result_set_free(base1);
	pg_result_set_free(base);
	pg_result_set_free(head);
}

/* Ten earlier runs, tight within each run, whose medians alternate 8 and 12 (±20 % run to run). */
static pg_mark mark_with_history(const pg_result_set *head, pg_result_set **earlier)
{
	pg_run_history *history = NULL;
	pg_verdict *v = NULL;
	assert_int_equal(pg_marks_history(&history, head, (const pg_result_set *const *)earlier, 10, 10), 0);
	assert_int_equal(history->n_series, 1);
	assert_int_equal(history->series[0].n, 10);
	pg_compare_options o = {.history = history};
	assert_int_equal(pg_marks_decide(&v, head, earlier[0], NULL, NULL, &o, NULL), 0);
	pg_mark mark = pg_marks_of(v, "w", "wall", NULL);
	pg_verdict_free(v);
	pg_run_history_free(history);
	return mark;
}

static void test_marks_hold_a_jump_inside_run_to_run_variation(void **state)
{
	(void)state;
	pg_result_set *earlier[10];
	for (int i = 0; i < 10; i++)
		earlier[i] = set_of("w", "command", i % 2 ? 8.0 : 12.0, 0.02, 12, (unsigned)i + 10);
	/* +20 % over the newest run is significant within the run, but inside the run-to-run band. */
	pg_result_set *head = set_of("w", "command", 14.4, 0.02, 12, 99);
	assert_int_equal(mark_of(head, earlier[0], NULL), PG_MARK_REGRESSION); /* one run alone */
	assert_int_equal(mark_with_history(head, earlier), PG_MARK_INCONCLUSIVE);
	/* Twice the level is outside any band these runs explain: red, as check would fail it. */
	pg_result_set *doubled = set_of("w", "command", 24.0, 0.02, 12, 98);
	assert_int_equal(mark_with_history(doubled, earlier), PG_MARK_REGRESSION);
	pg_result_set_free(doubled);
	pg_result_set_free(head);
	for (int i = 0; i < 10; i++)
		pg_result_set_free(earlier[i]);
}

static void test_marks_size_decides_by_plain_ratio(void **state)
{
	(void)state;
	pg_result_set *base = set_of("bin", "size", 1e6, 0, 1, 1);
	pg_result_set *head = set_of("bin", "size", 1.3e6, 0, 1, 2);
	assert_int_equal(mark_of(head, base, NULL), PG_MARK_REGRESSION);
	pg_result_set_free(base);
	pg_result_set_free(head);
}

static void test_marks_base_takes_each_benchmark_from_its_newest_earlier_result(void **state)
{
	(void)state;
	pg_result_set *head = set_of("w", "command", 10.0, 0.05, 5, 1);
	pg_benchmark *b = pg_result_set_add_benchmark(head, "v", "command");
	pg_metric_add_sample(pg_benchmark_add_metric(b, "wall", "ms", PG_BETTER_LOWER), 1.0);
	pg_result_set *older = set_of("v", "command", 1.0, 0.05, 5, 2);
	pg_result_set *newer = set_of("w", "command", 10.0, 0.05, 5, 3);
	const pg_result_set *earlier[] = {newer, NULL, older};
	const char *commits[] = {"c1", "c2", "c3"};
	pg_result_set *base = NULL;
	pg_base_origin *origins = NULL;
	size_t oldest = 0;
	assert_int_equal(pg_marks_base(&base, &origins, &oldest, head, earlier, commits, 3), 0);
	assert_non_null(base);
	assert_int_equal(base->n_benchmarks, 2);
	assert_string_equal(base->benchmarks[0].name, "w");
	assert_string_equal(origins[0].commit, "c1");
	assert_string_equal(base->benchmarks[1].name, "v");
	assert_int_equal(origins[1].depth, 3);
	assert_int_equal(oldest, 2);
	pg_result_set_free(base);
	free(origins);
	pg_result_set_free(head);
	pg_result_set_free(older);
	pg_result_set_free(newer);
}

/* ---- marks of a commit that moved under every threshold, without a verdict ---- */

/* Benchmark name of kind with metrics wall (ms) and cpu (ms) around centre; NAN: wall has no figure. */
static void add_two(pg_result_set *rs, const char *name, const char *kind, double wall, double cpu, const char *unit)
{
	pg_benchmark *b = pg_result_set_add_benchmark(rs, name, kind);
	/* Each metric filled before the next is added: adding one may move the others. */
	pg_metric *w = pg_benchmark_add_metric(b, "wall", unit, PG_BETTER_LOWER);
	for (int i = 0; i < 5 && isfinite(wall); i++)
		pg_metric_add_sample(w, wall * (1.0 + 0.01 * i));
	pg_metric *c = pg_benchmark_add_metric(b, "cpu", "ms", PG_BETTER_LOWER);
	for (int i = 0; i < 5 && isfinite(cpu); i++)
		pg_metric_add_sample(c, cpu * (1.0 + 0.01 * i));
}

/* What pg_marks_decide says of each wanted metric, with publish's quick options. */
static void decided(pg_mark *out, const pg_metric_ref *wanted, size_t n, const pg_result_set *head,
		    const pg_result_set *base)
{
	pg_verdict *v = NULL;
	pg_compare_options quick = {.regression = 1e9};
	assert_int_equal(pg_marks_decide(&v, head, base, NULL, NULL, &quick, NULL), 0);
	for (size_t j = 0; j < n; j++)
		out[j] = pg_marks_of(v, wanted[j].bench, wanted[j].metric, NULL);
	pg_verdict_free(v);
}

static void test_marks_unmoved_are_the_marks_the_verdict_gives(void **state)
{
	(void)state;
	pg_result_set *head = pg_result_set_new(), *base = pg_result_set_new();
	add_two(head, "steady", "command", 10.0, 8.0, "ms");
	add_two(base, "steady", "command", 10.1, 8.1, "ms");
	add_two(head, "failed", "command", 10.0, 8.0, "ms");
	add_two(base, "failed", "command", 10.0, 8.0, "ms");
	assert_int_equal(pg_benchmark_set_status(&head->benchmarks[1], PG_STATUS_FAILED, "exit 1"), 0);
	add_two(head, "new", "command", 5.0, 4.0, "ms"); /* not in base */
	add_two(head, "no-cpu-before", "command", 7.0, 6.0, "ms");
	add_two(base, "no-cpu-before", "command", 7.0, NAN, "ms");
	add_two(head, "no-wall-now", "command", NAN, 3.0, "ms");
	add_two(base, "no-wall-now", "command", 3.0, 3.0, "ms");
	add_two(head, "zero", "command", 0.0, 1.0, "ms");
	add_two(base, "zero", "command", 0.0, 1.0, "ms");
	assert_int_equal(pg_result_set_summarize(head), 0);
	assert_int_equal(pg_result_set_summarize(base), 0);
	const pg_metric_ref wanted[] = {{"steady", "wall"},        {"steady", "cpu"},       {"failed", "wall"},
					{"new", "wall"},           {"no-cpu-before", "wall"}, {"no-cpu-before", "cpu"},
					{"no-wall-now", "wall"},   {"no-wall-now", "cpu"},    {"zero", "wall"},
					{"missing", "wall"},       {"steady", "rss"}};
	size_t n = sizeof(wanted) / sizeof(wanted[0]);
	pg_mark fast[11], slow[11];
	assert_int_equal(pg_marks_unmoved(fast, wanted, n, head, base), 0);
	decided(slow, wanted, n, head, base);
	for (size_t j = 0; j < n; j++)
		assert_int_equal(fast[j], slow[j]);
	/* Each kind of answer is among them. */
	assert_int_equal(fast[0], PG_MARK_UNCHANGED);
	assert_int_equal(fast[2], PG_MARK_NONE);
	assert_int_equal(fast[5], PG_MARK_NONE);
	assert_int_equal(fast[6], PG_MARK_INCONCLUSIVE);
	/* No base at all: nothing compared. */
	assert_int_equal(pg_marks_unmoved(fast, wanted, n, head, NULL), 0);
	for (size_t j = 0; j < n; j++)
		assert_int_equal(fast[j], PG_MARK_NONE);
	pg_result_set_free(head);
	pg_result_set_free(base);
}

static void test_marks_unmoved_leave_to_the_verdict_what_it_alone_decides(void **state)
{
	(void)state;
	const pg_metric_ref wanted[] = {{"a", "wall"}};
	pg_mark out[1] = {PG_MARK_REGRESSION};
	/* A size benchmark is held to its own threshold. */
	pg_result_set *head = set_of("a", "size", 100.0, 0.0, 3, 1), *base = set_of("a", "size", 90.0, 0.0, 3, 2);
	assert_int_equal(pg_marks_unmoved(out, wanted, 1, head, base), 1);
	pg_result_set_free(head);
	pg_result_set_free(base);
	/* Another unit: compare converts it. */
	head = pg_result_set_new();
	base = pg_result_set_new();
	add_two(head, "a", "command", 10.0, 1.0, "ms");
	add_two(base, "a", "command", 0.01, 1.0, "s");
	assert_int_equal(pg_marks_unmoved(out, wanted, 1, head, base), 1);
	/* Two benchmarks of one name: which the verdict shows is its own. */
	add_two(base, "b", "command", 1.0, 1.0, "ms");
	add_two(head, "b", "command", 1.0, 1.0, "ms");
	add_two(head, "b", "command", 2.0, 1.0, "ms");
	const pg_metric_ref b[] = {{"b", "wall"}};
	pg_result_set_free(base);
	base = pg_result_set_new();
	add_two(base, "b", "command", 1.0, 1.0, "ms");
	assert_int_equal(pg_marks_unmoved(out, b, 1, head, base), 1);
	assert_int_equal(out[0], PG_MARK_REGRESSION); /* untouched */
	pg_result_set_free(head);
	pg_result_set_free(base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_marks_noisy_12pct_jump_is_not_red),
		cmocka_unit_test(test_marks_unmoved_are_the_marks_the_verdict_gives),
		cmocka_unit_test(test_marks_unmoved_leave_to_the_verdict_what_it_alone_decides),
		cmocka_unit_test(test_marks_significant_30pct_jump_is_red),
		cmocka_unit_test(test_marks_accepted_regression_is_not_red),
		cmocka_unit_test(test_marks_one_run_is_tested_never_red_by_ratio),
		cmocka_unit_test(test_marks_hold_a_jump_inside_run_to_run_variation),
		cmocka_unit_test(test_marks_size_decides_by_plain_ratio),
		cmocka_unit_test(test_marks_base_takes_each_benchmark_from_its_newest_earlier_result),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
