/* test_compare.c - the verdict: change, significance, thresholds, gates, confirmation */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "perfgate/compare.h"
#include "perfgate/error.h"
#include "perfgate/json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Deterministic noise: samples around `center` with relative spread `spread`. */
static void fill(pg_metric *m, double center, double spread, int n, unsigned seed)
{
	unsigned long long x = 0x9e3779b97f4a7c15ULL * (seed + 1);
	for (int i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		double u = (double)(x >> 11) / 9007199254740992.0 - 0.5;
		pg_metric_add_sample(m, center * (1.0 + spread * u));
	}
}

static pg_result_set *one_bench(const char *name, const char *kind, double center, double spread,
				int n, unsigned seed)
{
	pg_result_set *rs = pg_result_set_new();
	rs->env.key = strdup("test");
	pg_benchmark *b = pg_result_set_add_benchmark(rs, name, kind);
	pg_metric *m = pg_benchmark_add_metric(b, "wall", "ms", PG_BETTER_LOWER);
	fill(m, center, spread, n, seed);
	m = pg_benchmark_add_metric(b, "peak_rss", "bytes", PG_BETTER_LOWER);
	fill(m, 2e6, 0.01, n, seed + 7);
	assert_int_equal(pg_result_set_summarize(rs), 0);
	return rs;
}

static const pg_metric_change *find(const pg_verdict *v, const char *metric, const char *stat)
{
	for (size_t i = 0; i < v->n_metrics; i++)
		if (strcmp(v->metrics[i].metric, metric) == 0 &&
		    ((!stat && !v->metrics[i].stat) || (stat && v->metrics[i].stat && strcmp(stat, v->metrics[i].stat) == 0)))
			return &v->metrics[i];
	fail_msg("no metric %s", metric);
	return NULL;
}

static const pg_compare_options defaults = {0};

static void test_compare_flags_significant_25pct_regression(void **state)
{
	(void)state;
	pg_result_set *base = one_bench("w", "command", 10.0, 0.04, 30, 1);
	pg_result_set *head = one_bench("w", "command", 12.5, 0.04, 30, 2);
	pg_verdict *v;
	assert_int_equal(pg_compare(&v, head, base, NULL, NULL, &defaults), 0);
	const pg_metric_change *c = find(v, "wall", NULL);
	assert_int_equal(c->verdict, PG_CHANGE_REGRESSION);
	assert_true(c->change > 0.2 && c->change < 0.3);
	assert_true(c->p < 0.001);
	assert_true(c->ci_lo > 0.15 && c->ci_hi < 0.35);
	assert_true(c->gated);
	assert_int_equal(v->overall, PG_OVERALL_FAIL);
	assert_int_equal(v->counts.regressions, 1);
	pg_verdict_free(v);
	pg_result_set_free(base);
	pg_result_set_free(head);
}

static void test_compare_passes_an_unchanged_benchmark(void **state)
{
	(void)state;
	pg_result_set *base = one_bench("w", "command", 10.0, 0.04, 30, 1);
	pg_result_set *head = one_bench("w", "command", 10.0, 0.04, 30, 3);
	pg_verdict *v;
	assert_int_equal(pg_compare(&v, head, base, NULL, NULL, &defaults), 0);
	assert_int_equal(find(v, "wall", NULL)->verdict, PG_CHANGE_UNCHANGED);
	assert_int_equal(v->overall, PG_OVERALL_PASS);
	pg_verdict_free(v);
	pg_result_set_free(base);
	pg_result_set_free(head);
}

static void test_compare_significant_3pct_change_is_under_threshold(void **state)
{
	(void)state;
	pg_result_set *base = one_bench("w", "command", 10.0, 0.01, 50, 1);
	pg_result_set *head = one_bench("w", "command", 10.3, 0.01, 50, 4);
	pg_verdict *v;
	assert_int_equal(pg_compare(&v, head, base, NULL, NULL, &defaults), 0);
	const pg_metric_change *c = find(v, "wall", NULL);
	assert_true(c->p < 0.001); /* real, but small */
	assert_int_equal(c->verdict, PG_CHANGE_UNCHANGED);
	assert_int_equal(v->overall, PG_OVERALL_PASS);
	pg_verdict_free(v);
	pg_result_set_free(base);
	pg_result_set_free(head);
}

static pg_result_set *explicit_bench(const double *values, int n)
{
	pg_result_set *rs = pg_result_set_new();
	pg_metric *m = pg_benchmark_add_metric(pg_result_set_add_benchmark(rs, "w", "command"), "wall",
					       "ms", PG_BETTER_LOWER);
	for (int i = 0; i < n; i++)
		pg_metric_add_sample(m, values[i]);
	pg_result_set_summarize(rs);
	return rs;
}

static void test_compare_too_few_noisy_runs_is_inconclusive_with_runs_needed(void **state)
{
	(void)state;
	/* Medians 10.5 -> 12.0 (+14 %), but four overlapping runs a side cannot show it. */
	const double b[] = {9, 10, 11, 12}, h[] = {10.5, 11.5, 12.5, 13.5};
	pg_result_set *base = explicit_bench(b, 4), *head = explicit_bench(h, 4);
	pg_verdict *v;
	assert_int_equal(pg_compare(&v, head, base, NULL, NULL, &defaults), 0);
	const pg_metric_change *c = find(v, "wall", NULL);
	assert_true(c->change > 0.10);
	assert_int_equal(c->verdict, PG_CHANGE_INCONCLUSIVE);
	assert_true(c->more_runs > 0);
	assert_int_equal(v->overall, PG_OVERALL_INCONCLUSIVE);
	pg_compare_options strict = {.strict = 1};
	pg_verdict *vs;
	assert_int_equal(pg_compare(&vs, head, base, NULL, NULL, &strict), 0);
	assert_int_equal(vs->overall, PG_OVERALL_FAIL);
	pg_verdict_free(vs);
	pg_verdict_free(v);
	pg_result_set_free(base);
	pg_result_set_free(head);
}

static void test_compare_only_primary_metric_is_gated_by_default(void **state)
{
	(void)state;
	pg_result_set *base = one_bench("w", "command", 10.0, 0.02, 30, 1);
	pg_result_set *head = one_bench("w", "command", 10.0, 0.02, 30, 2);
	/* Double peak_rss: reported, not gated. */
	pg_metric *rss = &head->benchmarks[0].metrics[1];
	for (size_t i = 0; i < rss->n_samples; i++)
		rss->samples[i] *= 2;
	pg_result_set_summarize(head);
	pg_verdict *v;
	assert_int_equal(pg_compare(&v, head, base, NULL, NULL, &defaults), 0);
	const pg_metric_change *c = find(v, "peak_rss", NULL);
	assert_false(c->gated);
	assert_int_equal(c->verdict, PG_CHANGE_REGRESSION);
	assert_int_equal(v->counts.regressions, 0);
	assert_int_equal(v->overall, PG_OVERALL_PASS);
	pg_verdict_free(v);
	pg_result_set_free(base);
	pg_result_set_free(head);
}

static pg_gates *gates_from(const char *text)
{
	cJSON *json;
	pg_gates *g = NULL;
	assert_int_equal(pg_json_parse(&json, text, strlen(text), "g.json"), 0);
	int rc = pg_gates_from_json(&g, json, "g.json", "/r", "/b");
	cJSON_Delete(json);
	assert_int_equal(rc, 0);
	return g;
}

static void test_compare_absolute_gates_hold_without_baseline(void **state)
{
	(void)state;
	pg_gates *g = gates_from("{\"schema\":\"perfgate-gates/1\",\"benchmarks\":[{\"name\":\"w\",\"command\":\"x\"}],"
				 "\"gates\":[{\"metric\":\"w.wall.p99\",\"max\":\"10ms\"},"
				 "{\"metric\":\"w.peak_rss\",\"max\":\"50MB\"}]}");
	pg_result_set *head = one_bench("w", "command", 12.0, 0.02, 30, 2);
	pg_verdict *v;
	assert_int_equal(pg_compare(&v, head, NULL, NULL, g, &defaults), 0);
	assert_true(v->no_baseline);
	assert_int_equal(v->n_gates, 2);
	assert_false(v->gates[0].pass); /* p99 ≈ 12 ms > 10 ms */
	assert_true(v->gates[0].bound == 10.0);
	assert_true(v->gates[1].pass);
	assert_int_equal(v->counts.gates_failed, 1);
	assert_int_equal(v->overall, PG_OVERALL_FAIL);
	pg_verdict_free(v);
	pg_result_set_free(head);
	pg_gates_free(g);
}

static void test_compare_gate_regression_threshold_overrides_default(void **state)
{
	(void)state;
	pg_gates *g = gates_from("{\"schema\":\"perfgate-gates/1\",\"benchmarks\":[{\"name\":\"w\",\"command\":\"x\"}],"
				 "\"gates\":[{\"metric\":\"w.wall\",\"regression\":\"30%\"}]}");
	pg_result_set *base = one_bench("w", "command", 10.0, 0.04, 30, 1);
	pg_result_set *head = one_bench("w", "command", 12.5, 0.04, 30, 2);
	pg_verdict *v;
	assert_int_equal(pg_compare(&v, head, base, NULL, g, &defaults), 0);
	const pg_metric_change *c = find(v, "wall", NULL);
	assert_true(c->threshold == 0.30);
	assert_int_equal(c->verdict, PG_CHANGE_UNCHANGED);
	pg_verdict_free(v);
	pg_result_set_free(base);
	pg_result_set_free(head);
	pg_gates_free(g);
}

static void test_compare_higher_is_better_flips_the_sign(void **state)
{
	(void)state;
	pg_result_set *base = pg_result_set_new(), *head = pg_result_set_new();
	pg_metric *mb = pg_benchmark_add_metric(pg_result_set_add_benchmark(base, "m", "matcher"),
						 "hit_rate", "ratio", PG_BETTER_HIGHER);
	pg_metric *mh = pg_benchmark_add_metric(pg_result_set_add_benchmark(head, "m", "matcher"),
						 "hit_rate", "ratio", PG_BETTER_HIGHER);
	pg_metric_set_value(mb, 0.90);
	pg_metric_set_value(mh, 0.70);
	pg_verdict *v;
	assert_int_equal(pg_compare(&v, head, base, NULL, NULL, &defaults), 0);
	const pg_metric_change *c = find(v, "hit_rate", NULL);
	assert_true(c->change > 0.2); /* worse */
	assert_int_equal(c->verdict, PG_CHANGE_REGRESSION);
	pg_verdict_free(v);
	pg_result_set_free(base);
	pg_result_set_free(head);
}

static pg_result_set *size_set(double bytes)
{
	pg_result_set *rs = pg_result_set_new();
	pg_benchmark *b = pg_result_set_add_benchmark(rs, "binary", "size");
	pg_metric_set_value(pg_benchmark_add_metric(b, "stripped_bytes", "bytes", PG_BETTER_LOWER), bytes);
	pg_metric_set_value(pg_benchmark_add_metric(b, "section:.text", "bytes", PG_BETTER_LOWER), bytes / 2);
	return rs;
}

static void test_compare_sizes_use_plain_ratio_and_20pct(void **state)
{
	(void)state;
	pg_result_set *base = size_set(1000000), *grew15 = size_set(1150000), *grew25 = size_set(1250000);
	pg_verdict *v;
	assert_int_equal(pg_compare(&v, grew15, base, NULL, NULL, &defaults), 0);
	assert_int_equal(find(v, "stripped_bytes", NULL)->verdict, PG_CHANGE_UNCHANGED);
	assert_true(isnan(find(v, "stripped_bytes", NULL)->p));
	pg_verdict_free(v);
	assert_int_equal(pg_compare(&v, grew25, base, NULL, NULL, &defaults), 0);
	assert_int_equal(find(v, "stripped_bytes", NULL)->verdict, PG_CHANGE_REGRESSION);
	assert_int_equal(v->overall, PG_OVERALL_FAIL);
	pg_verdict_free(v);
	pg_result_set_free(base);
	pg_result_set_free(grew15);
	pg_result_set_free(grew25);
}

static void test_compare_constant_counts_decide_by_plain_ratio(void **state)
{
	(void)state;
	/* Two identical instruction counts a side: no test can be significant, none is needed. */
	const double b[] = {24.1e6, 24.1e6}, h[] = {30.1e6, 30.1e6};
	pg_result_set *base = explicit_bench(b, 2), *head = explicit_bench(h, 2);
	pg_verdict *v;
	assert_int_equal(pg_compare(&v, head, base, NULL, NULL, &defaults), 0);
	assert_int_equal(find(v, "wall", NULL)->verdict, PG_CHANGE_REGRESSION);
	assert_true(isnan(find(v, "wall", NULL)->p));
	pg_verdict_free(v);
	pg_result_set_free(base);
	pg_result_set_free(head);
}

static void test_compare_min_change_hides_small_absolute_growth(void **state)
{
	(void)state;
	pg_gates *g = gates_from("{\"schema\":\"perfgate-gates/1\",\"benchmarks\":[{\"name\":\"binary\",\"kind\":\"size\",\"files\":[\"x\"]}],"
				 "\"gates\":[{\"metric\":\"binary.stripped_bytes\",\"min_change\":\"4KiB\"}]}");
	pg_result_set *base = size_set(10000), *head = size_set(13000); /* +30 %, but 3 kB */
	pg_verdict *v;
	assert_int_equal(pg_compare(&v, head, base, NULL, g, &defaults), 0);
	assert_int_equal(find(v, "stripped_bytes", NULL)->verdict, PG_CHANGE_UNCHANGED);
	pg_verdict_free(v);
	pg_result_set_free(base);
	pg_result_set_free(head);
	pg_gates_free(g);
}

static void test_compare_zero_baseline_needs_min_change(void **state)
{
	(void)state;
	pg_result_set *base = size_set(0), *head = size_set(5000);
	pg_verdict *v;
	assert_int_equal(pg_compare(&v, head, base, NULL, NULL, &defaults), 0);
	const pg_metric_change *c = find(v, "stripped_bytes", NULL);
	assert_int_equal(c->verdict, PG_CHANGE_UNCHANGED);
	assert_non_null(strstr(c->note, "zero baseline"));
	pg_verdict_free(v);
	pg_result_set_free(base);
	pg_result_set_free(head);
}

static void test_compare_gate_on_unknown_metric_names_it(void **state)
{
	(void)state;
	pg_gates *g = gates_from("{\"schema\":\"perfgate-gates/1\",\"benchmarks\":[{\"name\":\"w\",\"command\":\"x\"}],"
				 "\"gates\":[{\"metric\":\"w.latency.p99\",\"max\":\"10ms\"}]}");
	pg_result_set *head = one_bench("w", "command", 1.0, 0.02, 5, 2);
	pg_verdict *v = NULL;
	assert_int_equal(pg_compare(&v, head, NULL, NULL, g, &defaults), PG_EINPUT);
	assert_non_null(strstr(pg_error_message(), "g.json: gate on 'w.latency.p99'"));
	pg_result_set_free(head);
	pg_gates_free(g);
}

static void test_compare_failed_benchmark_fails_and_skipped_does_not(void **state)
{
	(void)state;
	pg_result_set *head = one_bench("w", "command", 1.0, 0.02, 5, 2);
	pg_benchmark *vm = pg_result_set_add_benchmark(head, "vm", "vmspawn");
	pg_benchmark_set_status(vm, PG_STATUS_SKIPPED, "no /dev/kvm");
	pg_verdict *v;
	assert_int_equal(pg_compare(&v, head, NULL, NULL, NULL, &defaults), 0);
	assert_int_equal(v->overall, PG_OVERALL_PASS);
	assert_int_equal(v->n_failures, 1);
	pg_verdict_free(v);
	pg_benchmark_set_status(&head->benchmarks[0], PG_STATUS_TIMEOUT, "run 1 timed out");
	assert_int_equal(pg_compare(&v, head, NULL, NULL, NULL, &defaults), 0);
	assert_int_equal(v->counts.failed_benchmarks, 1);
	assert_int_equal(v->overall, PG_OVERALL_FAIL);
	pg_verdict_free(v);
	pg_result_set_free(head);
}

static void test_compare_holm_needs_stronger_evidence_across_many_metrics(void **state)
{
	(void)state;
	/* One metric at p ≈ 0.03 alone is significant; among 20 gated ones it is not. */
	pg_result_set *base = pg_result_set_new(), *head = pg_result_set_new();
	for (int i = 0; i < 20; i++) {
		char name[16];
		snprintf(name, sizeof(name), "b%d", i);
		pg_metric *mb = pg_benchmark_add_metric(pg_result_set_add_benchmark(base, name, "command"),
							 "wall", "ms", PG_BETTER_LOWER);
		pg_metric *mh = pg_benchmark_add_metric(pg_result_set_add_benchmark(head, name, "command"),
							 "wall", "ms", PG_BETTER_LOWER);
		double b[] = {10, 11, 12, 13, 14}, h[] = {11.5, 12.5, 13.5, 14.5, 15.5};
		for (int k = 0; k < 5; k++) {
			pg_metric_add_sample(mb, b[k]);
			pg_metric_add_sample(mh, i == 0 ? h[k] + 1.8 : b[k]);
		}
	}
	pg_result_set_summarize(base);
	pg_result_set_summarize(head);
	pg_verdict *v;
	assert_int_equal(pg_compare(&v, head, base, NULL, NULL, &defaults), 0);
	const pg_metric_change *c = &v->metrics[0];
	assert_true(c->change > 0.10);
	assert_true(c->p > 0.05); /* adjusted */
	assert_int_equal(c->verdict, PG_CHANGE_INCONCLUSIVE);
	pg_verdict_free(v);
	pg_result_set_free(base);
	pg_result_set_free(head);
}

/* A rate (higher is better) of n samples around center. */
static pg_result_set *rate_bench(double center, unsigned seed)
{
	pg_result_set *rs = pg_result_set_new();
	rs->env.key = strdup("test");
	pg_benchmark *b = pg_result_set_add_benchmark(rs, "gen", "inference");
	fill(pg_benchmark_add_metric(b, "tokens_per_s", "1/s", PG_BETTER_HIGHER), center, 0.04, 30, seed);
	assert_int_equal(pg_result_set_summarize(rs), 0);
	return rs;
}

static void test_compare_rerun_notes_show_a_rate_as_the_table_does(void **state)
{
	(void)state;
	/* tokens_per_s fell 42 %: the table shows -42.0 %, and so must the notes. */
	pg_result_set *base = rate_bench(100, 1), *head = rate_bench(58, 2), *again = rate_bench(58, 3);
	pg_verdict *v, *second;
	assert_int_equal(pg_compare(&v, head, base, NULL, NULL, &defaults), 0);
	assert_int_equal(pg_compare(&second, again, base, NULL, NULL, &defaults), 0);
	assert_int_equal(find(v, "tokens_per_s", NULL)->verdict, PG_CHANGE_REGRESSION);
	assert_int_equal(pg_verdict_confirm(v, second, 1, &defaults), 0);
	const pg_metric_change *c = find(v, "tokens_per_s", NULL);
	assert_non_null(strstr(c->note, "reproduced on re-run 1 (-4"));
	assert_true(pg_change_shown(c, c->change) < -0.35);
	pg_verdict_free(second);
	pg_result_set_free(again);
	/* Not reproduced: both figures in the table's direction. */
	again = rate_bench(100, 4);
	assert_int_equal(pg_compare(&second, again, base, NULL, NULL, &defaults), 0);
	pg_verdict_free(v);
	assert_int_equal(pg_compare(&v, head, base, NULL, NULL, &defaults), 0);
	assert_int_equal(pg_verdict_confirm(v, second, 1, &defaults), 0);
	assert_non_null(strstr(find(v, "tokens_per_s", NULL)->note, "looked worse (-4"));
	pg_verdict_free(second);
	pg_verdict_free(v);
	pg_result_set_free(again);
	pg_result_set_free(base);
	pg_result_set_free(head);
}

/* One benchmark "w" with wall samples and io_write_bytes as a single value. */
static pg_result_set *io_bench(double io, unsigned seed)
{
	pg_result_set *rs = one_bench("w", "command", 10.0, 0.04, 30, seed);
	pg_metric_set_value(pg_benchmark_add_metric(&rs->benchmarks[0], "io_write_bytes", "bytes", PG_BETTER_LOWER), io);
	return rs;
}

static void test_compare_single_values_say_why_untested_only_when_they_differ(void **state)
{
	(void)state;
	pg_result_set *base = io_bench(0, 1), *same = io_bench(0, 2), *more = io_bench(4096, 3);
	pg_verdict *v;
	assert_int_equal(pg_compare(&v, same, base, NULL, NULL, &defaults), 0);
	assert_int_equal(find(v, "io_write_bytes", NULL)->verdict, PG_CHANGE_UNCHANGED);
	assert_null(find(v, "io_write_bytes", NULL)->note); /* 0 B and 0 B: nothing to say */
	pg_verdict_free(v);
	assert_int_equal(pg_compare(&v, more, base, NULL, NULL, &defaults), 0);
	const pg_metric_change *c = find(v, "io_write_bytes", NULL);
	assert_non_null(c->note); /* a zero baseline, or one run a side: said */
	pg_verdict_free(v);
	pg_result_set_free(base);
	pg_result_set_free(same);
	pg_result_set_free(more);
}

static void test_compare_confirmation_clears_a_regression_that_does_not_reproduce(void **state)
{
	(void)state;
	pg_result_set *base = one_bench("w", "command", 10.0, 0.04, 30, 1);
	pg_result_set *bad = one_bench("w", "command", 12.5, 0.04, 30, 2);
	pg_result_set *good = one_bench("w", "command", 10.0, 0.04, 30, 9);
	pg_verdict *v, *again;
	assert_int_equal(pg_compare(&v, bad, base, NULL, NULL, &defaults), 0);
	assert_true(pg_verdict_bench_regressed(v, "w"));
	assert_int_equal(pg_compare(&again, good, base, NULL, NULL, &defaults), 0);
	assert_int_equal(pg_verdict_confirm(v, again, 1, &defaults), 0);
	const pg_metric_change *c = find(v, "wall", NULL);
	assert_int_equal(c->verdict, PG_CHANGE_UNCHANGED);
	assert_non_null(strstr(c->note, "did not reproduce"));
	assert_int_equal(v->overall, PG_OVERALL_PASS);
	pg_verdict_free(again);
	pg_verdict_free(v);
	/* A re-run held inconclusive (here: by hand, as the probe holds one) carries its reason. */
	assert_int_equal(pg_compare(&v, bad, base, NULL, NULL, &defaults), 0);
	assert_int_equal(pg_compare(&again, bad, base, NULL, NULL, &defaults), 0);
	pg_metric_change *held = (pg_metric_change *)find(again, "wall", NULL);
	held->verdict = PG_CHANGE_INCONCLUSIVE;
	free(held->note);
	held->note = strdup("runner unsteady");
	assert_int_equal(pg_verdict_confirm(v, again, 1, &defaults), 0);
	c = find(v, "wall", NULL);
	assert_int_equal(c->verdict, PG_CHANGE_INCONCLUSIVE);
	assert_non_null(strstr(c->note, "looked worse (+2"));
	assert_non_null(strstr(c->note, "re-run 1 was inconclusive (+2"));
	assert_non_null(strstr(c->note, "): runner unsteady"));
	assert_int_equal(v->overall, PG_OVERALL_INCONCLUSIVE);
	pg_verdict_free(again);
	pg_verdict_free(v);
	pg_result_set_free(base);
	pg_result_set_free(bad);
	pg_result_set_free(good);
}

static void test_compare_metric_path_splits_from_the_right(void **state)
{
	(void)state;
	pg_result_set *rs = pg_result_set_new();
	pg_benchmark *b = pg_result_set_add_benchmark(rs, "matcher.v2", "matcher");
	pg_benchmark_add_metric(b, "latency", "ms", PG_BETTER_LOWER);
	pg_benchmark_add_metric(b, "section:.text", "bytes", PG_BETTER_LOWER);
	const pg_benchmark *rb;
	const pg_metric *rm;
	const char *stat;
	assert_int_equal(pg_metric_path_resolve(&rb, &rm, &stat, rs, "matcher.v2.latency.p99"), 0);
	assert_string_equal(rb->name, "matcher.v2");
	assert_string_equal(rm->name, "latency");
	assert_string_equal(stat, "p99");
	assert_int_equal(pg_metric_path_resolve(&rb, &rm, &stat, rs, "matcher.v2.section:.text"), 0);
	assert_string_equal(rm->name, "section:.text");
	assert_null(stat);
	assert_int_equal(pg_metric_path_resolve(&rb, &rm, &stat, rs, "matcher.latency"), PG_EINPUT);
	pg_result_set_free(rs);
}

static void test_compare_min_p_of_small_samples(void **state)
{
	(void)state;
	assert_true(fabs(pg_compare_min_p(3, 3) - 0.05) < 1e-12); /* 1 / C(6,3) = 1/20 */
	assert_true(pg_compare_min_p(30, 30) < 1e-15);
}

/* A benchmark of kind `kind` with one metric of the given samples (n may be 1). */
static pg_result_set *samples_bench(const char *kind, const char *metric, const double *values, int n)
{
	pg_result_set *rs = pg_result_set_new();
	pg_metric *m = pg_benchmark_add_metric(pg_result_set_add_benchmark(rs, "w", kind), metric, "ns",
					       PG_BETTER_LOWER);
	for (int i = 0; i < n; i++)
		pg_metric_add_sample(m, values[i]);
	pg_result_set_summarize(rs);
	return rs;
}

/* What `prune` leaves: the summary, no samples. */
static void drop_samples(pg_result_set *rs)
{
	pg_metric *m = &rs->benchmarks[0].metrics[0];
	free(m->samples);
	m->samples = NULL;
	m->n_samples = m->cap_samples = 0;
}

static void test_compare_one_repetition_against_five_is_not_a_bare_ratio_fail(void **state)
{
	(void)state;
	/* Google Benchmark: 5 repetitions spread 22-31 ns, one repetition of the same code 11.6 % above. */
	const double five[] = {22.3, 24.1, 26.2, 28.9, 31.0}, one[] = {29.24};
	pg_result_set *many = samples_bench("import", "real_time", five, 5);
	pg_result_set *single = samples_bench("import", "real_time", one, 1);
	pg_verdict *v;
	assert_int_equal(pg_compare(&v, single, many, NULL, NULL, &defaults), 0);
	const pg_metric_change *c = find(v, "real_time", NULL);
	assert_true(c->change > 0.10);
	assert_int_equal(c->verdict, PG_CHANGE_INCONCLUSIVE);
	assert_true(isfinite(c->p) && c->p > 0.05); /* Welch's test, one run borrowing the five's spread */
	assert_int_not_equal(v->overall, PG_OVERALL_FAIL);
	pg_verdict_free(v);
	/* Swapped: the single run is the baseline now, and still no bare-ratio verdict. */
	assert_int_equal(pg_compare(&v, many, single, NULL, NULL, &defaults), 0);
	assert_int_not_equal(find(v, "real_time", NULL)->verdict, PG_CHANGE_IMPROVEMENT);
	assert_int_not_equal(find(v, "real_time", NULL)->verdict, PG_CHANGE_REGRESSION);
	pg_verdict_free(v);
	pg_result_set_free(many);
	pg_result_set_free(single);
}

static void test_compare_one_run_each_side_is_inconclusive_with_runs_needed(void **state)
{
	(void)state;
	const double b[] = {10.0}, h[] = {13.0};
	pg_result_set *base = samples_bench("import", "real_time", b, 1);
	pg_result_set *head = samples_bench("import", "real_time", h, 1);
	pg_verdict *v;
	assert_int_equal(pg_compare(&v, head, base, NULL, NULL, &defaults), 0);
	const pg_metric_change *c = find(v, "real_time", NULL);
	assert_int_equal(c->verdict, PG_CHANGE_INCONCLUSIVE);
	assert_true(isnan(c->p));
	/* min p of 4 against 4 is 1/70 < 0.05, of 3 against 3 1/20: at least 3 more a side. */
	assert_non_null(strstr(c->note, "at least 3 more runs per side"));
	assert_int_equal(v->overall, PG_OVERALL_INCONCLUSIVE);
	pg_verdict_free(v);
	pg_result_set_free(base);
	pg_result_set_free(head);
}

static void test_compare_pruned_noisy_baseline_is_tested_by_welch(void **state)
{
	(void)state;
	/* 8 runs a side, +-40 % noise, +15 %: inconclusive with samples, and so with a summary only. */
	const double b[] = {6.0, 7.2, 8.4, 9.6, 10.4, 11.6, 12.8, 14.0};
	double h[8];
	for (int i = 0; i < 8; i++)
		h[i] = b[(i * 3) % 8] * 1.15;
	pg_result_set *base = explicit_bench(b, 8), *head = explicit_bench(h, 8);
	pg_verdict *v;
	assert_int_equal(pg_compare(&v, head, base, NULL, NULL, &defaults), 0);
	assert_int_equal(find(v, "wall", NULL)->verdict, PG_CHANGE_INCONCLUSIVE);
	pg_verdict_free(v);
	drop_samples(base);
	assert_int_equal(pg_compare(&v, head, base, NULL, NULL, &defaults), 0);
	const pg_metric_change *c = find(v, "wall", NULL);
	assert_true(fabs(c->change - 0.15) < 1e-9);
	assert_int_equal(c->verdict, PG_CHANGE_INCONCLUSIVE);
	assert_true(isfinite(c->p) && c->p > 0.05);
	pg_verdict_free(v);
	pg_result_set_free(base);
	pg_result_set_free(head);
	/* A clear +50 % against a quiet pruned baseline still fails. */
	base = one_bench("w", "command", 10.0, 0.04, 30, 13);
	head = one_bench("w", "command", 15.0, 0.04, 30, 14);
	drop_samples(base);
	assert_int_equal(pg_compare(&v, head, base, NULL, NULL, &defaults), 0);
	assert_int_equal(find(v, "wall", NULL)->verdict, PG_CHANGE_REGRESSION);
	assert_true(find(v, "wall", NULL)->p < 0.001);
	pg_verdict_free(v);
	pg_result_set_free(base);
	pg_result_set_free(head);
}

/* An aggregate-only Google Benchmark import: n, mean, sd and median, nothing else. */
static pg_result_set *aggregate_bench(size_t n, double median, double mean, double sd)
{
	pg_result_set *rs = pg_result_set_new();
	pg_metric *m = pg_benchmark_add_metric(pg_result_set_add_benchmark(rs, "w", "import"), "real_time",
					       "ns", PG_BETTER_LOWER);
	m->summary = (pg_summary){.n = n, .mean = mean, .stddev = sd, .median = median, .p50 = median,
				  .min = NAN, .max = NAN, .mad = NAN, .p90 = NAN, .p95 = NAN, .p99 = NAN};
	m->has_summary = 1;
	return rs;
}

static void test_compare_aggregate_only_summaries_are_tested_by_welch(void **state)
{
	(void)state;
	pg_result_set *base = aggregate_bench(10, 100, 101, 3);
	pg_result_set *slower = aggregate_bench(10, 130, 131, 3), *same = aggregate_bench(10, 101, 101.5, 3);
	pg_verdict *v;
	assert_int_equal(pg_compare(&v, slower, base, NULL, NULL, &defaults), 0);
	const pg_metric_change *c = find(v, "real_time", NULL);
	assert_int_equal(c->verdict, PG_CHANGE_REGRESSION);
	assert_true(c->p < 0.001);
	pg_verdict_free(v);
	assert_int_equal(pg_compare(&v, same, base, NULL, NULL, &defaults), 0);
	assert_int_equal(find(v, "real_time", NULL)->verdict, PG_CHANGE_UNCHANGED);
	pg_verdict_free(v);
	/* A gate on a tail the file does not hold: inconclusive, named; never a pass on a NaN. */
	pg_gates *g = gates_from("{\"schema\":\"perfgate-gates/1\",\"benchmarks\":[{\"name\":\"w\",\"command\":[\"x\"]}],"
				 "\"gates\":[{\"metric\":\"w.real_time.p99\",\"regression\":\"10%\"},"
				 "{\"metric\":\"w.real_time.p90\",\"max\":\"1ms\"}]}");
	assert_int_equal(pg_compare(&v, same, base, NULL, g, &defaults), 0);
	c = find(v, "real_time", "p99");
	assert_int_equal(c->verdict, PG_CHANGE_NO_BASELINE);
	assert_non_null(strstr(c->note, "the base's result has no p99"));
	assert_int_equal(v->n_gates, 1);
	assert_false(v->gates[0].pass);
	assert_non_null(strstr(v->gates[0].reason, "no p90"));
	pg_verdict_free(v);
	const double runs[] = {99, 100, 101, 102, 98, 100, 101, 99, 100, 100};
	pg_result_set *sampled = samples_bench("import", "real_time", runs, 10);
	assert_int_equal(pg_compare(&v, same, sampled, NULL, g, &defaults), 0);
	c = find(v, "real_time", "p99");
	assert_int_equal(c->verdict, PG_CHANGE_INCONCLUSIVE);
	assert_non_null(strstr(c->note, "the head's result has no p99"));
	assert_int_not_equal(v->overall, PG_OVERALL_PASS);
	pg_verdict_free(v);
	pg_result_set_free(sampled);
	pg_gates_free(g);
	pg_result_set_free(base);
	pg_result_set_free(slower);
	pg_result_set_free(same);
}

static void test_compare_identical_noisy_looking_samples_keep_the_plain_rule(void **state)
{
	(void)state;
	const double b[] = {7, 7, 7}, h[] = {9, 9, 9};
	pg_result_set *base = samples_bench("command", "wall", b, 3), *head = samples_bench("command", "wall", h, 3);
	pg_verdict *v;
	assert_int_equal(pg_compare(&v, head, base, NULL, NULL, &defaults), 0);
	assert_int_equal(find(v, "wall", NULL)->verdict, PG_CHANGE_REGRESSION);
	assert_string_equal(find(v, "wall", NULL)->model, PG_MODEL_EXACT);
	pg_verdict_free(v);
	pg_result_set_free(base);
	pg_result_set_free(head);
	/* Instruction counts: one run each decides. */
	const double bi[] = {1e6}, hi[] = {1.3e6};
	base = samples_bench("command", "instructions", bi, 1);
	head = samples_bench("command", "instructions", hi, 1);
	free(base->benchmarks[0].metrics[0].unit);
	base->benchmarks[0].metrics[0].unit = strdup("count");
	free(head->benchmarks[0].metrics[0].unit);
	head->benchmarks[0].metrics[0].unit = strdup("count");
	assert_int_equal(pg_compare(&v, head, base, NULL, NULL, &defaults), 0);
	assert_int_equal(find(v, "instructions", NULL)->verdict, PG_CHANGE_REGRESSION);
	pg_verdict_free(v);
	pg_result_set_free(base);
	pg_result_set_free(head);
}

/* 300 samples whose top 3 % more than doubles while the median stays. */
static pg_result_set *tail_bench(int grown)
{
	pg_result_set *rs = pg_result_set_new();
	pg_metric *m = pg_benchmark_add_metric(pg_result_set_add_benchmark(rs, "m", "matcher"), "latency",
					       "ms", PG_BETTER_LOWER);
	for (int i = 0; i < 300; i++)
		pg_metric_add_sample(m, grown && i % 30 == 9 ? 22.0 : 10.0 + (i % 10) * 0.1);
	pg_result_set_summarize(rs);
	return rs;
}

static void test_compare_tail_gate_is_tested_on_the_tail(void **state)
{
	(void)state;
	pg_gates *g = gates_from("{\"schema\":\"perfgate-gates/1\",\"benchmarks\":[{\"name\":\"m\",\"kind\":\"matcher\","
				 "\"target\":{\"command\":[\"x\"],\"protocol\":\"line\"},\"corpus\":\"q\"}],"
				 "\"gates\":[{\"metric\":\"m.latency.p99\",\"regression\":\"10%\"}]}");
	pg_result_set *base = tail_bench(0), *head = tail_bench(1);
	pg_verdict *v;
	assert_int_equal(pg_compare(&v, head, base, NULL, g, &defaults), 0);
	const pg_metric_change *p99 = find(v, "latency", "p99");
	assert_true(p99->gated);
	assert_true(p99->change > 1.0);
	assert_int_equal(p99->verdict, PG_CHANGE_REGRESSION);
	assert_true(p99->p < 0.01);
	assert_true(p99->ci_lo > 0);
	/* The median did not move: its row passes. */
	assert_int_equal(find(v, "latency", NULL)->verdict, PG_CHANGE_UNCHANGED);
	pg_verdict_free(v);
	/* A/A on the tail: never a regression. */
	pg_result_set *again = tail_bench(0);
	assert_int_equal(pg_compare(&v, again, base, NULL, g, &defaults), 0);
	assert_int_equal(find(v, "latency", "p99")->verdict, PG_CHANGE_UNCHANGED);
	pg_verdict_free(v);
	pg_result_set_free(again);
	pg_result_set_free(base);
	pg_result_set_free(head);
	pg_gates_free(g);
}

static void test_compare_more_runs_is_never_absurd(void **state)
{
	(void)state;
	/* +12 % under +-60 % noise with 30 runs: over the threshold, far from significant. */
	for (unsigned seed = 1; seed < 40; seed++) {
		pg_result_set *base = one_bench("w", "command", 10.0, 1.2, 30, seed);
		pg_result_set *head = one_bench("w", "command", 11.2, 1.2, 30, seed + 100);
		pg_verdict *v;
		assert_int_equal(pg_compare(&v, head, base, NULL, NULL, &defaults), 0);
		const pg_metric_change *c = find(v, "wall", NULL);
		if (c->verdict == PG_CHANGE_INCONCLUSIVE) {
			/* A figure only where ten times the runs would do; otherwise a sentence. */
			assert_true(c->more_runs <= 9 * 30);
			assert_true(c->more_runs > 0 || (c->note && strstr(c->note, "hardly decide")));
		}
		pg_verdict_free(v);
		pg_result_set_free(base);
		pg_result_set_free(head);
	}
}

static void test_compare_negative_baseline_keeps_direction(void **state)
{
	(void)state;
	/* A score that is negative, lower is better: -10 -> -12 went down, an improvement. */
	pg_result_set *base = one_bench("w", "command", -10.0, 0.02, 30, 21);
	pg_result_set *head = one_bench("w", "command", -12.0, 0.02, 30, 22);
	pg_verdict *v;
	assert_int_equal(pg_compare(&v, head, base, NULL, NULL, &defaults), 0);
	const pg_metric_change *c = find(v, "wall", NULL);
	assert_true(c->change < -0.15 && c->change > -0.25);
	assert_int_equal(c->verdict, PG_CHANGE_IMPROVEMENT);
	assert_true(c->ci_hi < 0);
	pg_verdict_free(v);
	assert_int_equal(pg_compare(&v, base, head, NULL, NULL, &defaults), 0);
	assert_int_equal(find(v, "wall", NULL)->verdict, PG_CHANGE_REGRESSION);
	pg_verdict_free(v);
	pg_result_set_free(base);
	pg_result_set_free(head);
}

/* A command benchmark: wall, and cpu as `share` of it. */
static pg_result_set *cpu_bench(double wall, double share, double cpu_scale, int n, unsigned seed, int with_cpu)
{
	pg_result_set *rs = pg_result_set_new();
	pg_benchmark *b = pg_result_set_add_benchmark(rs, "w", "command");
	fill(pg_benchmark_add_metric(b, "wall", "ms", PG_BETTER_LOWER), wall, 0.3, n, seed);
	if (with_cpu)
		fill(pg_benchmark_add_metric(b, "cpu", "ms", PG_BETTER_LOWER), wall * share * cpu_scale, 0.03, n,
		     seed + 50);
	pg_result_set_summarize(rs);
	return rs;
}

static void test_compare_cpu_time_is_gated_beside_wall(void **state)
{
	(void)state;
	/* CPU-bound: cpu is 95 % of wall; +20 % of CPU time under noisy wall time fails on cpu. */
	pg_result_set *base = cpu_bench(50, 0.95, 1.0, 30, 1, 1), *head = cpu_bench(50, 0.95, 1.2, 30, 2, 1);
	pg_verdict *v;
	assert_int_equal(pg_compare(&v, head, base, NULL, NULL, &defaults), 0);
	const pg_metric_change *cpu = find(v, "cpu", NULL);
	assert_true(cpu->gated);
	assert_int_equal(cpu->verdict, PG_CHANGE_REGRESSION);
	assert_string_equal(cpu->model, PG_MODEL_SINGLE_RUN);
	assert_true(find(v, "wall", NULL)->gated);
	assert_int_equal(v->overall, PG_OVERALL_FAIL);
	pg_verdict_free(v);
	pg_result_set_free(head);
	/* A/A: both pass. */
	head = cpu_bench(50, 0.95, 1.0, 30, 3, 1);
	assert_int_equal(pg_compare(&v, head, base, NULL, NULL, &defaults), 0);
	assert_int_equal(find(v, "cpu", NULL)->verdict, PG_CHANGE_UNCHANGED);
	pg_verdict_free(v);
	pg_result_set_free(head);
	pg_result_set_free(base);
}

static void test_compare_cpu_time_of_a_waiting_benchmark_is_not_gated(void **state)
{
	(void)state;
	pg_result_set *base = cpu_bench(50, 0.05, 1.0, 30, 1, 1), *head = cpu_bench(50, 0.05, 1.5, 30, 2, 1);
	pg_verdict *v;
	assert_int_equal(pg_compare(&v, head, base, NULL, NULL, &defaults), 0);
	const pg_metric_change *cpu = find(v, "cpu", NULL);
	assert_false(cpu->gated);
	assert_non_null(strstr(cpu->note, "not gated: CPU time is"));
	assert_non_null(strstr(cpu->note, "wall time is its only time gate"));
	assert_int_equal(v->counts.regressions, 0);
	pg_verdict_free(v);
	pg_result_set_free(base);
	pg_result_set_free(head);
}

static void test_compare_old_baseline_without_cpu_is_no_baseline(void **state)
{
	(void)state;
	pg_result_set *base = cpu_bench(50, 0.95, 1.0, 30, 1, 0), *head = cpu_bench(50, 0.95, 1.0, 30, 2, 1);
	pg_verdict *v;
	assert_int_equal(pg_compare(&v, head, base, NULL, NULL, &defaults), 0);
	assert_int_equal(find(v, "cpu", NULL)->verdict, PG_CHANGE_NO_BASELINE);
	assert_int_not_equal(v->overall, PG_OVERALL_FAIL);
	pg_verdict_free(v);
	pg_result_set_free(base);
	pg_result_set_free(head);
}

/* A history of the run medians of w.wall: 10 x each factor, newest first. */
static pg_run_history *history_of(const double *factors, size_t n)
{
	static pg_run_series series;
	static pg_run_history h;
	static double values[32];
	for (size_t i = 0; i < n; i++)
		values[i] = 10.0 * factors[i];
	series = (pg_run_series){"w", "wall", values, n};
	h = (pg_run_history){10, &series, 1};
	return &h;
}

static void test_compare_regression_inside_run_to_run_variation_is_inconclusive(void **state)
{
	(void)state;
	/* Ten earlier runs whose medians spread +-20 %: a +20 % head is within what runs do. */
	const double wide[] = {0.85, 1.15, 0.9, 1.1, 0.95, 1.05, 1.2, 0.8, 1.0, 1.12};
	pg_result_set *base = one_bench("w", "command", 10.0, 0.04, 30, 1);
	pg_result_set *head = one_bench("w", "command", 12.0, 0.04, 30, 2);
	pg_compare_options o = {.history = history_of(wide, 10)};
	pg_verdict *v;
	assert_int_equal(pg_compare(&v, head, base, NULL, NULL, &o), 0);
	const pg_metric_change *c = find(v, "wall", NULL);
	assert_true(c->p < 0.001); /* significant within the run ... */
	assert_int_equal(c->verdict, PG_CHANGE_INCONCLUSIVE); /* ... but not beyond run-to-run variation */
	assert_non_null(strstr(c->note, "within run-to-run variation of the last 10 runs"));
	assert_string_equal(c->model, "run-to-run (K=10)");
	assert_int_equal(c->history_runs, 10);
	/* log sd of the ten, t(9, 0.95) = 1.8331, sqrt(1 + 1/10): the band is about +-28 %. */
	assert_true(c->run_to_run > 0.2 && c->run_to_run < 0.4);
	assert_int_not_equal(v->overall, PG_OVERALL_FAIL);
	pg_verdict_free(v);
	pg_result_set_free(head);
	/* A +60 % head is outside it: a regression. */
	head = one_bench("w", "command", 16.0, 0.04, 30, 2);
	assert_int_equal(pg_compare(&v, head, base, NULL, NULL, &o), 0);
	assert_int_equal(find(v, "wall", NULL)->verdict, PG_CHANGE_REGRESSION);
	pg_verdict_free(v);
	pg_result_set_free(head);
	pg_result_set_free(base);
}

static void test_compare_quiet_history_keeps_a_clear_regression(void **state)
{
	(void)state;
	/* Identical history: the 1 % floor keeps the band finite, +25 % is still outside. */
	const double same[] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
	pg_result_set *base = one_bench("w", "command", 10.0, 0.04, 30, 1);
	pg_result_set *head = one_bench("w", "command", 12.5, 0.04, 30, 2);
	pg_compare_options o = {.history = history_of(same, 10)};
	pg_verdict *v;
	assert_int_equal(pg_compare(&v, head, base, NULL, NULL, &o), 0);
	const pg_metric_change *c = find(v, "wall", NULL);
	assert_int_equal(c->verdict, PG_CHANGE_REGRESSION);
	/* t(9, 0.95) * 0.01 * sqrt(1.1) = 0.01923: exp - 1 = 1.94 %. */
	assert_true(fabs(c->run_to_run - (exp(1.8331129326536335 * 0.01 * sqrt(1.1)) - 1.0)) < 1e-6);
	pg_verdict_free(v);
	/* A/A against that history: never a regression. */
	pg_result_set *again = one_bench("w", "command", 10.0, 0.04, 30, 5);
	assert_int_equal(pg_compare(&v, again, base, NULL, NULL, &o), 0);
	assert_int_not_equal(find(v, "wall", NULL)->verdict, PG_CHANGE_REGRESSION);
	pg_verdict_free(v);
	pg_result_set_free(again);
	pg_result_set_free(base);
	pg_result_set_free(head);
}

static void test_compare_short_history_is_a_single_run_baseline_with_a_warning(void **state)
{
	(void)state;
	const double two[] = {1.0, 1.02};
	pg_result_set *base = one_bench("w", "command", 10.0, 0.04, 30, 1);
	pg_result_set *head = one_bench("w", "command", 12.5, 0.04, 30, 2);
	pg_compare_options o = {.history = history_of(two, 2)};
	pg_verdict *v;
	assert_int_equal(pg_compare(&v, head, base, NULL, NULL, &o), 0);
	const pg_metric_change *c = find(v, "wall", NULL);
	assert_int_equal(c->verdict, PG_CHANGE_REGRESSION);
	assert_string_equal(c->model, PG_MODEL_SINGLE_RUN);
	assert_true(isnan(c->run_to_run));
	int warned = 0;
	for (size_t i = 0; i < v->n_warnings; i++)
		warned |= strstr(v->warnings[i], "history: w.wall has 2 stored runs of the 10 asked for") != NULL;
	assert_true(warned);
	pg_verdict_free(v);
	/* Without history at all (a file baseline), the same words. */
	assert_int_equal(pg_compare(&v, head, base, NULL, NULL, &defaults), 0);
	assert_string_equal(find(v, "wall", NULL)->model, PG_MODEL_SINGLE_RUN);
	pg_verdict_free(v);
	/* K larger than the history: a warning, and the model uses what there is. */
	const double five[] = {1, 1.01, 0.99, 1.0, 1.02};
	o.history = history_of(five, 5);
	assert_int_equal(pg_compare(&v, head, base, NULL, NULL, &o), 0);
	assert_string_equal(find(v, "wall", NULL)->model, "run-to-run (K=5)");
	warned = 0;
	for (size_t i = 0; i < v->n_warnings; i++)
		warned |= strstr(v->warnings[i], "has 5 stored runs of the 10 asked for") != NULL;
	assert_true(warned);
	pg_verdict_free(v);
	pg_result_set_free(base);
	pg_result_set_free(head);
}

static void test_compare_confirm_runs_count_as_extra_head_runs(void **state)
{
	(void)state;
	/* History spread +-10 %; +22 % once is inside the band of one head run, outside that of three. */
	const double spread[] = {0.92, 1.08, 0.95, 1.05, 0.9, 1.1, 1.0, 0.97, 1.03, 1.0};
	pg_result_set *base = one_bench("w", "command", 10.0, 0.04, 30, 1);
	pg_result_set *h1 = one_bench("w", "command", 12.2, 0.04, 30, 2);
	pg_result_set *h2 = one_bench("w", "command", 12.2, 0.04, 30, 3);
	pg_result_set *h3 = one_bench("w", "command", 12.2, 0.04, 30, 4);
	pg_compare_options o = {.history = history_of(spread, 10)};
	pg_verdict *v;
	assert_int_equal(pg_compare(&v, h1, base, NULL, NULL, &o), 0);
	double one_run_band = find(v, "wall", NULL)->run_to_run;
	pg_verdict_free(v);
	const pg_result_set *earlier[] = {h1, h2};
	o.earlier_heads = earlier;
	o.n_earlier_heads = 2;
	assert_int_equal(pg_compare(&v, h3, base, NULL, NULL, &o), 0);
	const pg_metric_change *c = find(v, "wall", NULL);
	assert_true(c->run_to_run < one_run_band);
	/* sqrt(1/3 + 1/10) against sqrt(1 + 1/10) */
	assert_true(fabs(log1p(c->run_to_run) / log1p(one_run_band) - sqrt((1.0 / 3 + 0.1) / 1.1)) < 1e-9);
	pg_verdict_free(v);
	pg_result_set_free(base);
	pg_result_set_free(h1);
	pg_result_set_free(h2);
	pg_result_set_free(h3);
}

/* Bisect on a runner noisier than the threshold: decided only with the interval clear of half of it. */
static void test_paired_bisect_side_decides_on_a_noisy_runner_with_a_margin(void **state)
{
	(void)state;
	/* CI saw this on a loaded runner: a good commit at -1.3 % [-14.0, +2.1], A/A floor 12 %. */
	pg_paired_result good = {.change = -0.013, .lo = -0.140, .hi = 0.021, .p = 0.4, .n = 30};
	pg_paired_result bad = {.change = 0.25, .lo = 0.17, .hi = 0.33, .p = 0.0001, .n = 30};
	pg_paired_result between = {.change = 0.09, .lo = 0.03, .hi = 0.15, .p = 0.01, .n = 30};
	pg_paired_result low_bad = {.change = 0.12, .lo = 0.04, .hi = 0.20, .p = 0.001, .n = 30};
	assert_int_equal(pg_paired_verdict(&good, 0.10, 0.05, 0.12), PG_CHANGE_INCONCLUSIVE);
	assert_int_equal(pg_paired_bisect_side(&good, 0.10, 0.05, 0.12), -1);
	assert_int_equal(pg_paired_bisect_side(&bad, 0.10, 0.05, 0.12), 1);
	assert_int_equal(pg_paired_bisect_side(&between, 0.10, 0.05, 0.12), 0);
	/* Over the threshold but its interval reaches under half of it: not decided there ... */
	assert_int_equal(pg_paired_bisect_side(&low_bad, 0.10, 0.05, 0.12), 0);
	/* ... and bad on a quiet runner, where the plain verdict holds. */
	assert_int_equal(pg_paired_bisect_side(&low_bad, 0.10, 0.05, 0.03), 1);
	assert_int_equal(pg_paired_bisect_side(&good, 0.10, 0.05, NAN), -1);
	assert_int_equal(pg_paired_bisect_side(&between, 0.10, 0.05, 0.03), -1);
	/* Not significant: never bad, on either runner. */
	bad.p = 0.2;
	assert_int_equal(pg_paired_bisect_side(&bad, 0.10, 0.05, 0.12), 0);
	assert_int_equal(pg_paired_bisect_side(&bad, 0.10, 0.05, 0.03), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compare_flags_significant_25pct_regression),
		cmocka_unit_test(test_paired_bisect_side_decides_on_a_noisy_runner_with_a_margin),
		cmocka_unit_test(test_compare_passes_an_unchanged_benchmark),
		cmocka_unit_test(test_compare_significant_3pct_change_is_under_threshold),
		cmocka_unit_test(test_compare_too_few_noisy_runs_is_inconclusive_with_runs_needed),
		cmocka_unit_test(test_compare_only_primary_metric_is_gated_by_default),
		cmocka_unit_test(test_compare_absolute_gates_hold_without_baseline),
		cmocka_unit_test(test_compare_gate_regression_threshold_overrides_default),
		cmocka_unit_test(test_compare_higher_is_better_flips_the_sign),
		cmocka_unit_test(test_compare_sizes_use_plain_ratio_and_20pct),
		cmocka_unit_test(test_compare_constant_counts_decide_by_plain_ratio),
		cmocka_unit_test(test_compare_min_change_hides_small_absolute_growth),
		cmocka_unit_test(test_compare_zero_baseline_needs_min_change),
		cmocka_unit_test(test_compare_gate_on_unknown_metric_names_it),
		cmocka_unit_test(test_compare_failed_benchmark_fails_and_skipped_does_not),
		cmocka_unit_test(test_compare_holm_needs_stronger_evidence_across_many_metrics),
		cmocka_unit_test(test_compare_confirmation_clears_a_regression_that_does_not_reproduce),
		cmocka_unit_test(test_compare_rerun_notes_show_a_rate_as_the_table_does),
		cmocka_unit_test(test_compare_single_values_say_why_untested_only_when_they_differ),
		cmocka_unit_test(test_compare_metric_path_splits_from_the_right),
		cmocka_unit_test(test_compare_min_p_of_small_samples),
		cmocka_unit_test(test_compare_one_repetition_against_five_is_not_a_bare_ratio_fail),
		cmocka_unit_test(test_compare_one_run_each_side_is_inconclusive_with_runs_needed),
		cmocka_unit_test(test_compare_pruned_noisy_baseline_is_tested_by_welch),
		cmocka_unit_test(test_compare_aggregate_only_summaries_are_tested_by_welch),
		cmocka_unit_test(test_compare_identical_noisy_looking_samples_keep_the_plain_rule),
		cmocka_unit_test(test_compare_tail_gate_is_tested_on_the_tail),
		cmocka_unit_test(test_compare_more_runs_is_never_absurd),
		cmocka_unit_test(test_compare_negative_baseline_keeps_direction),
		cmocka_unit_test(test_compare_cpu_time_is_gated_beside_wall),
		cmocka_unit_test(test_compare_cpu_time_of_a_waiting_benchmark_is_not_gated),
		cmocka_unit_test(test_compare_old_baseline_without_cpu_is_no_baseline),
		cmocka_unit_test(test_compare_regression_inside_run_to_run_variation_is_inconclusive),
		cmocka_unit_test(test_compare_quiet_history_keeps_a_clear_regression),
		cmocka_unit_test(test_compare_short_history_is_a_single_run_baseline_with_a_warning),
		cmocka_unit_test(test_compare_confirm_runs_count_as_extra_head_runs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
