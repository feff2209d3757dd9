/* test_probe.c - the environment probe: measured, stored in perfgate/1, and applied to verdicts */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "perfgate/bench.h"
#include "perfgate/compare.h"
#include "perfgate/error.h"
#include "perfgate/gates.h"
#include "perfgate/json.h"
#include "perfgate/result.h"
#include "perfgate/runner.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

/* ---- fixtures ---- */

static void set_probe(pg_probe *p, double cpu_before, double cpu_after, double mem_before, double mem_after)
{
	p->version = PG_PROBE_VERSION;
	p->cpu_ms[0] = cpu_before;
	p->cpu_ms[1] = cpu_after;
	p->mem_ms[0] = mem_before;
	p->mem_ms[1] = mem_after;
}

/* n samples spread evenly (and deterministically) ±spread/2 around center. */
static void fill(pg_metric *m, double center, double spread, int n, unsigned seed)
{
	unsigned long long x = seed * 2654435761ULL + 1;
	for (int i = 0; i < n; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		double u = (double)(x >> 11) / 9007199254740992.0 - 0.5;
		pg_metric_add_sample(m, center * (1.0 + spread * u));
	}
}

/* One command benchmark "w": wall (ms), user (ms), peak_rss (bytes), with a probe scaled by `runner`. */
static pg_result_set *bench_set(double wall, double user, double runner, unsigned seed)
{
	pg_result_set *rs = pg_result_set_new();
	assert_non_null(rs);
	rs->env.key = strdup("test");
	pg_benchmark *b = pg_result_set_add_benchmark(rs, "w", "command");
	fill(pg_benchmark_add_metric(b, "wall", "ms", PG_BETTER_LOWER), wall, 0.04, 30, seed);
	fill(pg_benchmark_add_metric(b, "user", "ms", PG_BETTER_LOWER), user, 0.04, 30, seed + 1);
	fill(pg_benchmark_add_metric(b, "peak_rss", "bytes", PG_BETTER_LOWER), 2e6, 0.01, 30, seed + 2);
	assert_int_equal(pg_result_set_summarize(rs), 0);
	/* A steady runner: before and after within 0.5 %. */
	set_probe(&rs->probe, 40 * runner, 40.1 * runner, 60 * runner, 60.2 * runner);
	return rs;
}

static pg_gates *gates_normalizing(int normalize)
{
	pg_gates *g = NULL;
	char text[512];
	snprintf(text, sizeof(text),
		 "{\"schema\": \"perfgate-gates/1\", \"benchmarks\": [{\"name\": \"w\", \"command\": [\"true\"]%s}]}",
		 normalize ? ", \"normalize\": \"probe\"" : "");
	cJSON *json = cJSON_Parse(text);
	assert_non_null(json);
	assert_int_equal(pg_gates_from_json(&g, json, "gates.json", "/tmp", "/tmp"), 0);
	cJSON_Delete(json);
	return g;
}

static const pg_metric_change *row(const pg_verdict *v, const char *metric)
{
	for (size_t i = 0; i < v->n_metrics; i++)
		if (strcmp(v->metrics[i].metric, metric) == 0 && !v->metrics[i].stat)
			return &v->metrics[i];
	fail_msg("no metric %s", metric);
	return NULL;
}

static int has_warning(const pg_verdict *v, const char *text)
{
	for (size_t i = 0; i < v->n_warnings; i++)
		if (strstr(v->warnings[i], text))
			return 1;
	return 0;
}

/* pg_compare then the probe, as check and compare do. */
static pg_verdict *judge(const pg_result_set *head, const pg_result_set *base, const pg_gates *g)
{
	pg_verdict *v = NULL;
	pg_compare_options co = {0};
	assert_int_equal(pg_compare(&v, head, base, NULL, g, &co), 0);
	assert_int_equal(pg_verdict_apply_probe(v, head, base, NULL, NULL, g, &co), 0);
	return v;
}

/* ---- stored in perfgate/1 ---- */

static void test_probe_round_trips_through_result_json_bit_for_bit(void **state)
{
	(void)state;
	pg_result_set *rs = bench_set(10, 5, 1, 1), *back = NULL;
	set_probe(&rs->probe, 41.237, 1.0 / 3.0, 0.1, 63.5);
	char *text, *again;
	cJSON *json;
	assert_int_equal(pg_result_set_to_string(&text, rs, 0), 0);
	assert_non_null(strstr(text, "\"probe\":{\"version\":1,\"cpu_ms\":[41.237,"));
	assert_int_equal(pg_json_parse(&json, text, strlen(text), "memory"), 0);
	assert_int_equal(pg_result_set_from_json(&back, json, "memory"), 0);
	cJSON_Delete(json);
	assert_int_equal(back->probe.version, 1);
	assert_memory_equal(back->probe.cpu_ms, rs->probe.cpu_ms, sizeof(rs->probe.cpu_ms));
	assert_memory_equal(back->probe.mem_ms, rs->probe.mem_ms, sizeof(rs->probe.mem_ms));
	assert_int_equal(pg_result_set_to_string(&again, back, 0), 0);
	assert_string_equal(text, again);
	free(text);
	free(again);
	pg_result_set_free(rs);
	pg_result_set_free(back);
}

static void test_probe_absent_is_not_written_and_old_sets_still_read(void **state)
{
	(void)state;
	pg_result_set *rs = bench_set(10, 5, 1, 1), *back = NULL;
	memset(&rs->probe, 0, sizeof(rs->probe));
	char *text;
	cJSON *json;
	assert_int_equal(pg_result_set_to_string(&text, rs, 0), 0);
	assert_null(strstr(text, "probe"));
	assert_int_equal(pg_json_parse(&json, text, strlen(text), "memory"), 0);
	assert_int_equal(pg_result_set_from_json(&back, json, "old.json"), 0);
	assert_int_equal(back->probe.version, 0);
	cJSON_Delete(json);
	free(text);
	pg_result_set_free(rs);
	pg_result_set_free(back);
}

/* Reading `probe` (a JSON text) fails with PG_EINPUT and a message containing `expected`. */
static void assert_probe_rejected(const char *probe, const char *expected)
{
	char text[1024];
	snprintf(text, sizeof(text),
		 "{\"schema\": \"perfgate/1\", \"probe\": %s, \"benchmarks\": []}", probe);
	cJSON *json = cJSON_Parse(text);
	pg_result_set *rs = NULL;
	assert_non_null(json);
	int rc = pg_result_set_from_json(&rs, json, "r.json");
	cJSON_Delete(json);
	if (rc != PG_EINPUT)
		fail_msg("probe %s: expected PG_EINPUT, got %d", probe, rc);
	if (!strstr(pg_error_message(), expected))
		fail_msg("probe %s: message '%s' lacks '%s'", probe, pg_error_message(), expected);
	assert_null(rs);
}

static void test_probe_malformed_is_rejected_naming_its_json_path(void **state)
{
	(void)state;
	assert_probe_rejected("[1, 2]", "r.json: $.probe");
	assert_probe_rejected("{\"version\": 1, \"cpu_ms\": [1, 2]}", "r.json: $.probe: missing key 'mem_ms'");
	assert_probe_rejected("{\"version\": 1, \"cpu_ms\": [1], \"mem_ms\": [1, 2]}", "r.json: $.probe.cpu_ms: expected [before, after]");
	assert_probe_rejected("{\"version\": 1, \"cpu_ms\": [1, 2], \"mem_ms\": [1, \"x\"]}", "r.json: $.probe.mem_ms[1]: expected a time in ms > 0");
	assert_probe_rejected("{\"version\": 1, \"cpu_ms\": [0, 2], \"mem_ms\": [1, 2]}", "r.json: $.probe.cpu_ms[0]");
	assert_probe_rejected("{\"version\": 0.5, \"cpu_ms\": [1, 2], \"mem_ms\": [1, 2]}", "r.json: $.probe.version: expected an integer >= 1");
	assert_probe_rejected("{\"version\": 1, \"cpu_ms\": [1, 2], \"mem_ms\": [1, 2], \"gpu_ms\": [1, 2]}", "gpu_ms");
}

/* ---- measured ---- */

static void test_probe_measure_times_both_parts_before_and_after(void **state)
{
	(void)state;
	pg_probe p = {0};
	assert_int_equal(pg_probe_measure(&p, 0), 0);
	assert_int_equal(p.version, 0); /* half a probe is no probe */
	assert_int_equal(pg_probe_measure(&p, 1), 0);
	assert_int_equal(p.version, PG_PROBE_VERSION);
	for (int i = 0; i < 2; i++) {
		assert_true(p.cpu_ms[i] > 0.5 && p.cpu_ms[i] < 60000);
		assert_true(p.mem_ms[i] > 0.5 && p.mem_ms[i] < 60000);
	}
}

static void test_probe_runs_in_a_child_so_the_callers_peak_rss_stays(void **state)
{
	(void)state;
	struct rusage before, after;
	pg_probe p = {0};
	getrusage(RUSAGE_SELF, &before);
	assert_int_equal(pg_probe_measure(&p, 0), 0);
	getrusage(RUSAGE_SELF, &after);
	/* The workload maps and fills 32 MiB; none of it may land in this process. */
	assert_true(after.ru_maxrss - before.ru_maxrss < 8 * 1024);
}

static void test_probe_after_without_before_is_an_error_not_a_probe(void **state)
{
	(void)state;
	pg_probe p = {0};
	assert_int_equal(pg_probe_measure(&p, 1), PG_ESYSTEM);
	assert_int_equal(p.version, 0);
}

static void test_probe_wanted_only_when_something_is_timed_and_allowed(void **state)
{
	(void)state;
	pg_gates *g = gates_normalizing(0);
	assert_true(pg_probe_wanted(g, NULL));
	g->probe = 0; /* defaults "probe": false */
	assert_false(pg_probe_wanted(g, NULL));
	pg_gates_free(g);
	cJSON *json = cJSON_Parse("{\"schema\": \"perfgate-gates/1\", \"benchmarks\": [{\"name\": \"bin\", \"kind\": \"size\", \"files\": [\"x\"]}]}");
	assert_int_equal(pg_gates_from_json(&g, json, "size.json", "/tmp", "/tmp"), 0);
	assert_false(pg_probe_wanted(g, NULL));
	cJSON_Delete(json);
	pg_gates_free(g);
}

/* ---- the gates keys ---- */

static void test_gates_normalize_and_probe_keys_are_validated(void **state)
{
	(void)state;
	pg_gates *g = gates_normalizing(1);
	assert_true(g->benchmarks[0].run.normalize_probe);
	assert_true(g->probe);
	pg_gates_free(g);
	g = NULL;
	cJSON *json = cJSON_Parse("{\"schema\": \"perfgate-gates/1\", \"benchmarks\": [{\"name\": \"w\", \"command\": [\"true\"], \"normalize\": \"cpu\"}]}");
	assert_int_equal(pg_gates_from_json(&g, json, "g.json", "/tmp", "/tmp"), PG_EINPUT);
	assert_non_null(strstr(pg_error_message(), "g.json: $.benchmarks[0].normalize: expected \"probe\""));
	cJSON_Delete(json);
	json = cJSON_Parse("{\"schema\": \"perfgate-gates/1\", \"defaults\": {\"probe\": \"no\"}, \"benchmarks\": []}");
	assert_int_equal(pg_gates_from_json(&g, json, "g.json", "/tmp", "/tmp"), PG_EINPUT);
	assert_non_null(strstr(pg_error_message(), "g.json: $.defaults.probe"));
	cJSON_Delete(json);
	json = cJSON_Parse("{\"schema\": \"perfgate-gates/1\", \"defaults\": {\"probe\": false, \"normalize\": \"probe\"}, \"benchmarks\": [{\"name\": \"w\", \"command\": [\"true\"]}]}");
	assert_int_equal(pg_gates_from_json(&g, json, "g.json", "/tmp", "/tmp"), 0);
	assert_false(g->probe);
	assert_true(g->benchmarks[0].run.normalize_probe); /* inherited from defaults */
	cJSON_Delete(json);
	pg_gates_free(g);
}

/* ---- the decision ---- */

static void test_probe_score_is_geometric_mean_and_spread_the_before_after_log_ratio(void **state)
{
	(void)state;
	pg_probe p = {0};
	double ms, spread;
	assert_int_equal(pg_probe_score(&ms, &spread, &p), -1);
	set_probe(&p, 40, 50, 60, 75); /* totals 100 and 125 */
	assert_int_equal(pg_probe_score(&ms, &spread, &p), 0);
	assert_true(fabs(ms - sqrt(100.0 * 125.0)) < 1e-9);
	assert_true(fabs(spread - log(1.25)) < 1e-12);
}

/* Gates that hold w.user (CPU time) to the 10 % relative gate besides the primary metric. */
static pg_gates *gates_gating_user(void)
{
	pg_gates *g = NULL;
	cJSON *json = cJSON_Parse("{\"schema\": \"perfgate-gates/1\", \"benchmarks\": [{\"name\": \"w\", \"command\": [\"true\"]}], \"gates\": [{\"metric\": \"w.user\", \"regression\": \"10%\"}]}");
	assert_int_equal(pg_gates_from_json(&g, json, "g.json", "/tmp", "/tmp"), 0);
	cJSON_Delete(json);
	return g;
}

/*
 * METRIC's regression of head over base: inconclusive on the runner the two probes describe
 * (unsteady), a regression again once both sides carry the same probe pair (no runner moved).
 */
static void unsteady_holds_then_steady_stands(pg_result_set *head, const pg_result_set *base, const pg_gates *g,
					      const char *metric)
{
	pg_verdict *v = judge(head, base, g);
	const pg_metric_change *c = row(v, metric);
	assert_int_equal(c->verdict, PG_CHANGE_INCONCLUSIVE);
	assert_true(c->probe_held);
	assert_non_null(strstr(c->note, "runner unsteady: the probe wandered"));
	assert_int_not_equal(v->overall, PG_OVERALL_FAIL);
	pg_verdict_free(v);
	head->probe = base->probe;
	v = judge(head, base, g);
	assert_int_equal(row(v, metric)->verdict, PG_CHANGE_REGRESSION);
	assert_false(row(v, metric)->probe_held);
	assert_int_equal(v->overall, PG_OVERALL_FAIL);
	pg_verdict_free(v);
}

static void test_probe_beyond_noise_turns_a_time_regression_inconclusive_with_the_reason(void **state)
{
	(void)state;
	/* The base was measured on a runner 30 % faster: its probe and its wall both 0.7 of the head's. */
	pg_result_set *base = bench_set(7, 5, 0.7, 1), *head = bench_set(10, 5, 1, 2);
	pg_verdict *plain = NULL;
	pg_compare_options co = {0};
	assert_int_equal(pg_compare(&plain, head, base, NULL, NULL, &co), 0);
	assert_int_equal(row(plain, "wall")->verdict, PG_CHANGE_REGRESSION); /* what compare alone says */
	pg_verdict *v = judge(head, base, NULL);
	const pg_metric_change *wall = row(v, "wall");
	assert_int_equal(wall->verdict, PG_CHANGE_INCONCLUSIVE);
	assert_true(wall->probe_held);
	assert_non_null(wall->note);
	assert_non_null(strstr(wall->note, "runner 42.9 % slower by the probe"));
	assert_int_equal(v->overall, PG_OVERALL_INCONCLUSIVE);
	assert_int_equal(v->counts.regressions, 0);
	assert_int_equal(v->probe.state, PG_PROBE_COMPARED);
	assert_true(v->probe.moved);
	assert_true(fabs(v->probe.ratio - 1 / 0.7) < 1e-9);
	char text[512];
	assert_non_null(strstr(pg_verdict_probe_text(text, sizeof(text), &v->probe), "runner 42.9 % slower by the probe"));
	pg_verdict_free(plain);
	pg_verdict_free(v);
	pg_result_set_free(base);
	pg_result_set_free(head);
}

static void test_probe_slower_runner_excuses_no_larger_cpu_time_change_and_no_size(void **state)
{
	(void)state;
	/* user time regressed 50 % on a runner the probe says is 43 % slower: more than the runner explains. */
	pg_result_set *base = bench_set(7, 4, 0.7, 1), *head = bench_set(10, 6, 1, 2);
	pg_gates *g = gates_gating_user();
	pg_verdict *v = judge(head, base, g);
	assert_int_equal(row(v, "user")->verdict, PG_CHANGE_REGRESSION);
	assert_false(row(v, "user")->probe_held);
	assert_int_equal(row(v, "peak_rss")->probe_ratio, 0);
	assert_int_equal(v->overall, PG_OVERALL_FAIL);
	assert_false(pg_metric_is_time("user", "ms", 0));
	assert_false(pg_metric_is_time("sys", "ms", 0));
	assert_false(pg_metric_is_time("instructions", "count", 0));
	assert_false(pg_metric_is_time("stripped_bytes", "bytes", 0));
	assert_true(pg_metric_is_time("ttft", "ms", 0));
	assert_true(pg_metric_is_time("throughput", "1/s", 1));
	pg_verdict_free(v);
	pg_gates_free(g);
	pg_result_set_free(base);
	pg_result_set_free(head);
}

static void test_normalize_probe_divides_by_the_ratio_so_a_runner_change_is_unchanged(void **state)
{
	(void)state;
	pg_result_set *base = bench_set(7, 5, 0.7, 1), *head = bench_set(10, 5, 1, 1);
	pg_gates *g = gates_normalizing(1);
	pg_verdict *v = judge(head, base, g);
	const pg_metric_change *wall = row(v, "wall");
	assert_int_equal(wall->verdict, PG_CHANGE_UNCHANGED);
	assert_true(wall->probe_normalized);
	assert_false(wall->probe_held);
	assert_true(fabs(wall->raw_change - (10.0 / 7.0 - 1)) < 1e-9);
	assert_true(fabs(wall->change) < 1e-9);
	assert_non_null(strstr(wall->note, "raw +42.9 %, normalised +0.0 %"));
	assert_int_equal(v->overall, PG_OVERALL_PASS);
	pg_verdict_free(v);
	pg_gates_free(g);
	pg_result_set_free(base);
	pg_result_set_free(head);
}

static void test_normalize_probe_still_fails_a_real_regression(void **state)
{
	(void)state;
	/* Runner 43 % slower, and the code 40 % slower on top: raw +100 %, normalised +40 %. */
	pg_result_set *base = bench_set(5, 5, 0.7, 1), *head = bench_set(10, 5, 1, 2);
	pg_gates *g = gates_normalizing(1);
	pg_verdict *v = judge(head, base, g);
	const pg_metric_change *wall = row(v, "wall");
	assert_int_equal(wall->verdict, PG_CHANGE_REGRESSION);
	assert_true(wall->probe_normalized);
	assert_true(wall->change > 0.3 && wall->change < 0.5);
	assert_true(wall->raw_change > 0.9 && wall->raw_change < 1.1);
	assert_int_equal(v->overall, PG_OVERALL_FAIL);
	pg_verdict_free(v);
	pg_gates_free(g);
	pg_result_set_free(base);
	pg_result_set_free(head);
}

static void test_probe_within_noise_changes_nothing(void **state)
{
	(void)state;
	/* Runner 2 % slower (under the 3 % floor): the 40 % regression stands, normalising or not. */
	pg_result_set *base = bench_set(7, 5, 0.98, 1), *head = bench_set(10, 5, 1, 2);
	for (int normalize = 0; normalize < 2; normalize++) {
		pg_gates *g = gates_normalizing(normalize);
		pg_verdict *v = judge(head, base, g);
		const pg_metric_change *wall = row(v, "wall");
		assert_int_equal(wall->verdict, PG_CHANGE_REGRESSION);
		assert_false(wall->probe_held);
		assert_false(wall->probe_normalized);
		assert_null(wall->note);
		assert_int_equal(v->probe.state, PG_PROBE_COMPARED);
		assert_false(v->probe.moved);
		assert_int_equal(v->overall, PG_OVERALL_FAIL);
		pg_verdict_free(v);
		pg_gates_free(g);
	}
	pg_result_set_free(base);
	pg_result_set_free(head);
}

static void test_probe_noise_grows_with_the_within_run_spread(void **state)
{
	(void)state;
	/* Runner 10 % slower, but the head's own probe moved 8 % between before and after. */
	pg_result_set *base = bench_set(7, 5, 1, 1), *head = bench_set(10, 5, 1, 2);
	set_probe(&head->probe, 42, 45.4, 63, 68.1);
	pg_verdict *v = judge(head, base, NULL);
	assert_true(v->probe.noise > 2 * 0.07);
	assert_false(v->probe.moved);
	assert_int_equal(row(v, "wall")->verdict, PG_CHANGE_REGRESSION);
	pg_verdict_free(v);
	pg_result_set_free(base);
	pg_result_set_free(head);
}

static void test_probe_unsteady_runner_vouches_for_no_pass_a_regression_could_hide_in(void **state)
{
	(void)state;
	/*
	 * Seen on a loaded 2-core runner: a +25 % regression measured +1.3 % because the base
	 * ran while the runner was slower; the base's probe went from 213.8 to 184.5 ms within
	 * that run (15.9 %). A runner that unsteady cannot vouch that +1.3 % is not +10 % or more.
	 */
	pg_result_set *base = bench_set(10, 5, 1, 1), *head = bench_set(10.13, 5, 1, 2);
	set_probe(&base->probe, 90.2, 54.0, 123.6, 130.5);
	set_probe(&head->probe, 60.0, 57.0, 124.0, 122.0);
	pg_verdict *v = judge(head, base, NULL);
	assert_false(v->probe.moved);
	const pg_metric_change *wall = row(v, "wall");
	assert_int_equal(wall->verdict, PG_CHANGE_INCONCLUSIVE);
	assert_true(wall->probe_held);
	assert_non_null(strstr(wall->note, "runner unsteady"));
	assert_non_null(strstr(wall->note, "inconclusive, not a pass"));
	assert_int_equal(row(v, "user")->verdict, PG_CHANGE_UNCHANGED); /* CPU time decides on its own */
	assert_int_equal(v->overall, PG_OVERALL_INCONCLUSIVE);
	pg_verdict_free(v);
	/* A big improvement stays one: no runner wander of 15.9 % turns +10 % into -40 %. */
	pg_result_set_free(head);
	head = bench_set(6, 5, 1, 2);
	set_probe(&head->probe, 60.0, 57.0, 124.0, 122.0);
	v = judge(head, base, NULL);
	assert_int_equal(row(v, "wall")->verdict, PG_CHANGE_IMPROVEMENT);
	assert_false(row(v, "wall")->probe_held);
	pg_verdict_free(v);
	/* The same +1.3 % on steady runners (probes within 0.5 %): a pass. */
	pg_result_set_free(base);
	pg_result_set_free(head);
	base = bench_set(10, 5, 1, 1), head = bench_set(10.13, 5, 1, 2);
	v = judge(head, base, NULL);
	assert_int_equal(row(v, "wall")->verdict, PG_CHANGE_UNCHANGED);
	assert_false(row(v, "wall")->probe_held);
	assert_null(row(v, "wall")->note);
	assert_int_equal(v->overall, PG_OVERALL_PASS);
	pg_verdict_free(v);
	pg_result_set_free(base);
	pg_result_set_free(head);
}

static void test_probe_faster_head_runner_vouches_for_no_pass_it_could_explain(void **state)
{
	(void)state;
	/* The head's runner 15 % faster (steady both times): +2 % could be +17 % of code. */
	pg_result_set *base = bench_set(10, 5, 1, 1), *head = bench_set(10.2, 5, 1 / 1.15, 2);
	pg_verdict *v = judge(head, base, NULL);
	assert_true(v->probe.moved);
	const pg_metric_change *wall = row(v, "wall");
	assert_int_equal(wall->verdict, PG_CHANGE_INCONCLUSIVE);
	assert_true(wall->probe_held);
	assert_non_null(strstr(wall->note, "runner 15.0 % faster by the probe: a regression of the 10 % threshold would have measured -4.3 % here"));
	assert_int_equal(v->overall, PG_OVERALL_INCONCLUSIVE);
	pg_verdict_free(v);
	pg_result_set_free(head);
	/* A runner 2 % faster is within the probe's floor: the pass stands. */
	head = bench_set(10.2, 5, 0.98, 2);
	v = judge(head, base, NULL);
	assert_int_equal(row(v, "wall")->verdict, PG_CHANGE_UNCHANGED);
	assert_int_equal(v->overall, PG_OVERALL_PASS);
	pg_verdict_free(v);
	pg_result_set_free(head);
	/* Normalising benchmarks are decided on normalised values instead: +2 % / 0.87 = +17 %. */
	head = bench_set(10.2, 5, 1 / 1.15, 2);
	pg_gates *g = gates_normalizing(1);
	v = judge(head, base, g);
	assert_int_equal(row(v, "wall")->verdict, PG_CHANGE_REGRESSION);
	assert_true(row(v, "wall")->probe_normalized);
	pg_verdict_free(v);
	pg_gates_free(g);
	pg_result_set_free(base);
	pg_result_set_free(head);
}

static void test_probe_unsteady_runner_holds_a_wall_regression(void **state)
{
	(void)state;
	/*
	 * Seen on a loaded machine: the base's probe went from 80 to 168 ms between before and
	 * after (74 % spread), so the probe cannot tell whether the head's runner, 95 % slower,
	 * moved. A runner that wandered that much within one run vouches for no 40 % wall change:
	 * inconclusive, while CPU time (unchanged here) still decides.
	 */
	pg_result_set *base = bench_set(7, 5, 1, 1), *head = bench_set(10, 5, 1, 2);
	set_probe(&base->probe, 32, 67, 48, 101);
	set_probe(&head->probe, 90, 102, 135, 153);
	pg_verdict *v = judge(head, base, NULL);
	assert_false(v->probe.moved);
	assert_int_equal(row(v, "user")->verdict, PG_CHANGE_UNCHANGED);
	pg_verdict_free(v);
	/* Held; with the same probe pair on both sides (one job cut in two) the regression stands. */
	unsteady_holds_then_steady_stands(head, base, NULL, "wall");
	pg_result_set_free(base);
	pg_result_set_free(head);
}

static void test_probe_unsteady_runner_holds_a_cpu_time_regression_too(void **state)
{
	(void)state;
	/*
	 * Seen in A/A beside load.sh on both cores: user + sys of the same workload 19 % higher
	 * (caches and memory bandwidth shared with the load), on a runner whose probe wandered
	 * 48 % within one run. The runner vouches for no CPU-time change that size either.
	 */
	pg_result_set *base = bench_set(10, 5, 1, 1), *head = bench_set(10, 6, 1, 2);
	set_probe(&base->probe, 32, 67, 48, 101);
	set_probe(&head->probe, 90, 102, 135, 153);
	pg_gates *g = gates_gating_user();
	/* Held on this runner; on a steady one (the same probe pair on both sides) it stands. */
	unsteady_holds_then_steady_stands(head, base, g, "user");
	pg_gates_free(g);
	pg_result_set_free(base);
	pg_result_set_free(head);
}

static void test_probe_slower_runner_holds_a_cpu_time_regression_it_covers(void **state)
{
	(void)state;
	/*
	 * user time +20 % on a runner the probe says is 43 % slower (and steady within each run):
	 * the runner can account for all of it. On a runner that did not move it stands.
	 */
	pg_result_set *base = bench_set(7, 5, 0.7, 1), *head = bench_set(10, 6, 1, 2);
	pg_gates *g = gates_gating_user();
	pg_verdict *v = judge(head, base, g);
	const pg_metric_change *user = row(v, "user");
	assert_int_equal(user->verdict, PG_CHANGE_INCONCLUSIVE);
	assert_true(user->probe_held);
	assert_non_null(strstr(user->note, "runner 42.9 % slower by the probe, which covers a +19.6 % change of CPU time"));
	assert_int_not_equal(v->overall, PG_OVERALL_FAIL);
	pg_verdict_free(v);
	head->probe = base->probe;
	v = judge(head, base, g);
	assert_int_equal(row(v, "user")->verdict, PG_CHANGE_REGRESSION);
	assert_int_equal(v->overall, PG_OVERALL_FAIL);
	pg_verdict_free(v);
	pg_gates_free(g);
	pg_result_set_free(base);
	pg_result_set_free(head);
}

static void test_probe_user_time_past_the_threshold_holds_a_wall_pass(void **state)
{
	(void)state;
	/*
	 * Seen against a stored base: +25 % of work came out wall +7.8 % (the base's runs carried
	 * 3.8 ms of sys time each) while user time grew 22.8 %. The wall pass is inconclusive; with
	 * user time within the threshold it stands.
	 */
	pg_result_set *base = bench_set(10, 5, 1, 1), *head = bench_set(10.5, 6.2, 1, 2);
	pg_verdict *v = judge(head, base, NULL);
	const pg_metric_change *wall = row(v, "wall");
	assert_int_equal(wall->verdict, PG_CHANGE_INCONCLUSIVE);
	assert_non_null(strstr(wall->note, "user CPU time grew +2"));
	assert_non_null(strstr(wall->note, "inconclusive, not a pass"));
	assert_int_equal(v->overall, PG_OVERALL_INCONCLUSIVE);
	pg_verdict_free(v);
	pg_result_set_free(head);
	head = bench_set(10.5, 5.1, 1, 2);
	v = judge(head, base, NULL);
	assert_int_equal(row(v, "wall")->verdict, PG_CHANGE_UNCHANGED);
	assert_int_equal(v->overall, PG_OVERALL_PASS);
	pg_verdict_free(v);
	pg_result_set_free(base);
	pg_result_set_free(head);
}

/* bench_set's benchmark with its share of a CPU (cpu_percent) centred on share. */
static pg_result_set *bench_set_share(double wall, double share, unsigned seed)
{
	pg_result_set *rs = bench_set(wall, 5, 1, seed);
	fill(pg_benchmark_add_metric(&rs->benchmarks[0], "cpu_percent", "ratio", PG_BETTER_LOWER), share, 0.02, 30,
	     seed + 3);
	assert_int_equal(pg_result_set_summarize(rs), 0);
	return rs;
}

static void test_probe_base_that_waited_for_a_cpu_holds_a_pass(void **state)
{
	(void)state;
	/*
	 * Seen against a stored base (timing_decision.sh, CI): the base's runs had 86 % of a CPU,
	 * the head's 99 %, and +25 % of work came out wall -9.4 %. A base that waited cannot vouch
	 * for a pass; a head that waited, a benchmark that mostly waits anyway, or a share within
	 * the threshold changes nothing.
	 */
	pg_result_set *base = bench_set_share(12, 0.85, 1), *head = bench_set_share(10, 0.97, 2);
	pg_verdict *v = judge(head, base, NULL);
	const pg_metric_change *wall = row(v, "wall");
	assert_int_equal(wall->verdict, PG_CHANGE_INCONCLUSIVE);
	assert_non_null(strstr(wall->note, "the base's runs had 85 % of a CPU, the head's 97 %"));
	assert_non_null(strstr(wall->note, "(p "));
	assert_non_null(strstr(wall->note, " % is inconclusive, not a pass"));
	assert_true(wall->change < -0.15);
	assert_int_equal(v->overall, PG_OVERALL_INCONCLUSIVE);
	pg_verdict_free(v);
	/* The head waited and is slower: a regression stands (some regressions are waiting). */
	v = judge(base, head, NULL);
	assert_int_equal(row(v, "wall")->verdict, PG_CHANGE_REGRESSION);
	assert_int_equal(v->overall, PG_OVERALL_FAIL);
	pg_verdict_free(v);
	pg_result_set_free(base);
	pg_result_set_free(head);
	/*
	 * A benchmark that mostly waits (30 % and 40 % of a CPU): its improvement stands. A share
	 * within the threshold (95 % and 99 %): the pass stands.
	 */
	const struct {
		double base_wall, base_share, head_wall, head_share;
		pg_change_verdict wall;
	} stands[] = {{12, 0.30, 10, 0.40, PG_CHANGE_IMPROVEMENT}, {10, 0.95, 10, 0.99, PG_CHANGE_UNCHANGED}};
	for (size_t i = 0; i < sizeof(stands) / sizeof(stands[0]); i++) {
		base = bench_set_share(stands[i].base_wall, stands[i].base_share, 1);
		head = bench_set_share(stands[i].head_wall, stands[i].head_share, 2);
		v = judge(head, base, NULL);
		assert_int_equal(row(v, "wall")->verdict, stands[i].wall);
		assert_int_equal(v->overall, PG_OVERALL_PASS);
		pg_verdict_free(v);
		pg_result_set_free(base);
		pg_result_set_free(head);
	}
}

static void test_probe_faster_runner_never_hides_a_regression(void **state)
{
	(void)state;
	/* The head's runner is faster, and still the head is slower: that is the code. */
	pg_result_set *base = bench_set(7, 5, 1.3, 1), *head = bench_set(10, 5, 1, 2);
	pg_verdict *v = judge(head, base, NULL);
	assert_true(v->probe.moved);
	assert_int_equal(row(v, "wall")->verdict, PG_CHANGE_REGRESSION);
	assert_int_equal(v->overall, PG_OVERALL_FAIL);
	pg_verdict_free(v);
	pg_result_set_free(base);
	pg_result_set_free(head);
}

static void test_probe_missing_on_the_base_is_a_named_warning_not_a_silent_pass(void **state)
{
	(void)state;
	pg_result_set *base = bench_set(7, 5, 0.7, 1), *head = bench_set(10, 5, 1, 2);
	memset(&base->probe, 0, sizeof(base->probe));
	base->commit = strdup("0123456789abcdef0123456789abcdef01234567");
	pg_verdict *v = judge(head, base, NULL);
	assert_true(has_warning(v, "baseline 0123456 has no environment probe: runner changes cannot be told from regressions"));
	assert_int_equal(v->probe.state, PG_PROBE_MISSING);
	assert_false(v->probe.has_base);
	assert_true(v->probe.has_head);
	/* Nothing to tell the runner by: the regression stands as measured. */
	assert_int_equal(row(v, "wall")->verdict, PG_CHANGE_REGRESSION);
	char text[512];
	assert_non_null(strstr(pg_verdict_probe_text(text, sizeof(text), &v->probe), "the baseline has none"));
	pg_verdict_free(v);
	pg_result_set_free(base);
	pg_result_set_free(head);
}

static void test_probe_missing_on_the_head_is_a_named_warning(void **state)
{
	(void)state;
	pg_result_set *base = bench_set(7, 5, 0.7, 1), *head = bench_set(10, 5, 1, 2);
	memset(&head->probe, 0, sizeof(head->probe));
	pg_verdict *v = judge(head, base, NULL);
	assert_true(has_warning(v, "this run has no environment probe"));
	assert_int_equal(v->n_warnings, 1); /* said once, not per metric */
	assert_int_equal(v->probe.state, PG_PROBE_MISSING);
	pg_verdict_free(v);
	pg_result_set_free(base);
	pg_result_set_free(head);
}

static void test_probe_per_benchmark_base_probes_take_precedence(void **state)
{
	(void)state;
	/* The set-level probe says "same runner"; the benchmark's own run said 30 % faster. */
	pg_result_set *base = bench_set(7, 5, 1, 1), *head = bench_set(10, 5, 1, 2);
	pg_probe own;
	set_probe(&own, 28, 28.07, 42, 42.14);
	pg_verdict *v = NULL;
	pg_compare_options co = {0};
	assert_int_equal(pg_compare(&v, head, base, NULL, NULL, &co), 0);
	assert_int_equal(pg_verdict_apply_probe(v, head, base, &own, NULL, NULL, &co), 0);
	assert_int_equal(row(v, "wall")->verdict, PG_CHANGE_INCONCLUSIVE);
	pg_verdict_free(v);
	pg_result_set_free(base);
	pg_result_set_free(head);
}

static void test_probe_same_runner_is_informative_only(void **state)
{
	(void)state;
	pg_verdict *v = pg_verdict_new();
	pg_probe p;
	char text[512];
	set_probe(&p, 40, 41, 60, 61);
	pg_verdict_probe_same_runner(v, &p);
	assert_int_equal(v->probe.state, PG_PROBE_SAME_RUNNER);
	assert_non_null(strstr(pg_verdict_probe_text(text, sizeof(text), &v->probe), "informative only"));
	pg_verdict_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe_round_trips_through_result_json_bit_for_bit),
		cmocka_unit_test(test_probe_absent_is_not_written_and_old_sets_still_read),
		cmocka_unit_test(test_probe_malformed_is_rejected_naming_its_json_path),
		cmocka_unit_test(test_probe_measure_times_both_parts_before_and_after),
		cmocka_unit_test(test_probe_runs_in_a_child_so_the_callers_peak_rss_stays),
		cmocka_unit_test(test_probe_after_without_before_is_an_error_not_a_probe),
		cmocka_unit_test(test_probe_wanted_only_when_something_is_timed_and_allowed),
		cmocka_unit_test(test_gates_normalize_and_probe_keys_are_validated),
		cmocka_unit_test(test_probe_score_is_geometric_mean_and_spread_the_before_after_log_ratio),
		cmocka_unit_test(test_probe_beyond_noise_turns_a_time_regression_inconclusive_with_the_reason),
		cmocka_unit_test(test_probe_slower_runner_excuses_no_larger_cpu_time_change_and_no_size),
		cmocka_unit_test(test_normalize_probe_divides_by_the_ratio_so_a_runner_change_is_unchanged),
		cmocka_unit_test(test_normalize_probe_still_fails_a_real_regression),
		cmocka_unit_test(test_probe_within_noise_changes_nothing),
		cmocka_unit_test(test_probe_noise_grows_with_the_within_run_spread),
		cmocka_unit_test(test_probe_unsteady_runner_holds_a_wall_regression),
		cmocka_unit_test(test_probe_unsteady_runner_holds_a_cpu_time_regression_too),
		cmocka_unit_test(test_probe_unsteady_runner_vouches_for_no_pass_a_regression_could_hide_in),
		cmocka_unit_test(test_probe_faster_head_runner_vouches_for_no_pass_it_could_explain),
		cmocka_unit_test(test_probe_slower_runner_holds_a_cpu_time_regression_it_covers),
		cmocka_unit_test(test_probe_user_time_past_the_threshold_holds_a_wall_pass),
		cmocka_unit_test(test_probe_base_that_waited_for_a_cpu_holds_a_pass),
		cmocka_unit_test(test_probe_faster_runner_never_hides_a_regression),
		cmocka_unit_test(test_probe_missing_on_the_base_is_a_named_warning_not_a_silent_pass),
		cmocka_unit_test(test_probe_missing_on_the_head_is_a_named_warning),
		cmocka_unit_test(test_probe_per_benchmark_base_probes_take_precedence),
		cmocka_unit_test(test_probe_same_runner_is_informative_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
