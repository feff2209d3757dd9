/* test_import.c - importers of hyperfine, Google Benchmark, criterion, LuminaGuard and github-action-benchmark files */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "import/importer.h"
#include "perfgate/error.h"
#include "perfgate/import.h"
#include "perfgate/json.h"
#include "perfgate/result.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* cmocka's assert_float_equal is single precision: these numbers need double. */
#define assert_double_equal(actual, expected, tolerance)                                       \
	do {                                                                                   \
		double a_ = (actual), e_ = (expected);                                         \
		if (!(fabs(a_ - e_) <= (tolerance)))                                           \
			fail_msg("%s is %.17g, expected %.17g", #actual, a_, e_);              \
	} while (0)

/* A fixture under fixtures/import of the source tree. */
static const char *fixture(const char *name)
{
	static char path[4][1024];
	static int next;
	const char *src = getenv("PG_SRCDIR");
	char *p = path[next++ % 4];
	snprintf(p, sizeof(path[0]), "%s/fixtures/import/%s", src ? src : ".", name);
	return p;
}

static pg_result_set *import_ok(const char *format, const char *name, pg_import_warnings *w)
{
	pg_result_set *rs = pg_result_set_new();
	assert_non_null(rs);
	int rc = pg_import_file(rs, format, fixture(name), w);
	if (rc)
		fail_msg("import %s %s: %s", format, name, pg_error_message());
	return rs;
}

static const pg_benchmark *bench(const pg_result_set *rs, const char *name)
{
	const pg_benchmark *b = pg_result_set_find(rs, name);
	if (!b)
		fail_msg("no benchmark '%s'", name);
	return b;
}

static const pg_metric *metric(const pg_benchmark *b, const char *name)
{
	const pg_metric *m = pg_benchmark_find_metric(b, name);
	if (!m)
		fail_msg("benchmark '%s' has no metric '%s'", b->name, name);
	return m;
}

static void assert_samples(const pg_metric *m, const double *want, size_t n)
{
	assert_int_equal(m->n_samples, n);
	for (size_t i = 0; i < n; i++)
		assert_double_equal(m->samples[i], want[i], fabs(want[i]) * 1e-12);
}

static void assert_value(const pg_metric *m, double want)
{
	assert_true(m->has_value);
	assert_int_equal(m->n_samples, 0);
	assert_double_equal(m->value, want, fabs(want) * 1e-12);
}

static int has_warning(const pg_import_warnings *w, const char *needle)
{
	for (size_t i = 0; i < w->n; i++)
		if (strstr(w->items[i], needle))
			return 1;
	return 0;
}

/* ---- hyperfine ---- */

static void test_hyperfine_times_become_wall_samples_in_ms(void **state)
{
	(void)state;
	pg_import_warnings w = {0};
	pg_result_set *rs = import_ok("hyperfine", "hyperfine.json", &w);
	assert_int_equal(rs->n_benchmarks, 2);
	const pg_benchmark *b = bench(rs, "sleep 0.01");
	assert_string_equal(b->metrics[0].name, "wall");
	assert_string_equal(b->metrics[0].unit, "ms");
	assert_samples(&b->metrics[0], (double[]){10.1, 10.2, 10.4, 10.3}, 4);
	assert_true(b->metrics[0].has_summary);
	assert_double_equal(b->metrics[0].summary.median, 10.25, 1e-12);
	assert_int_equal(b->status, PG_STATUS_OK);
	assert_int_equal(w.n, 0); /* hyperfine's median agrees */
	pg_import_warnings_release(&w);
	pg_result_set_free(rs);
}

static void test_hyperfine_summary_user_and_system_are_single_values(void **state)
{
	(void)state;
	pg_result_set *rs = import_ok("hyperfine", "hyperfine.json", NULL);
	const pg_benchmark *b = bench(rs, "sleep 0.01");
	assert_value(metric(b, "user"), 0.5);
	assert_value(metric(b, "sys"), 0.7);
	assert_string_equal(metric(b, "sys")->unit, "ms");
	const pg_metric *rss = metric(b, "peak_rss");
	assert_string_equal(rss->unit, "bytes");
	assert_samples(rss, (double[]){2097152, 2101248, 2101248, 2105344}, 4);
	pg_result_set_free(rs);
}

static void test_hyperfine_per_run_user_and_system_are_samples(void **state)
{
	(void)state;
	pg_result_set *rs = import_ok("hyperfine", "hyperfine.json", NULL);
	const pg_benchmark *b = bench(rs, "grep big");
	assert_samples(metric(b, "user"), (double[]){0.1, 0.2, 0.3}, 3);
	assert_samples(metric(b, "sys"), (double[]){0.4, 0.5, 0.6}, 3);
	assert_null(pg_benchmark_find_metric(b, "peak_rss"));
	pg_result_set_free(rs);
}

static void test_hyperfine_name_wins_over_command(void **state)
{
	(void)state;
	pg_result_set *rs = import_ok("hyperfine", "hyperfine.json", NULL);
	assert_null(pg_result_set_find(rs, "grep -q needle {file}"));
	assert_non_null(pg_result_set_find(rs, "grep big"));
	pg_result_set_free(rs);
}

static void test_hyperfine_nonzero_exit_code_fails_the_benchmark(void **state)
{
	(void)state;
	pg_result_set *rs = import_ok("hyperfine", "hyperfine.json", NULL);
	const pg_benchmark *b = bench(rs, "grep big");
	assert_int_equal(b->status, PG_STATUS_FAILED);
	assert_non_null(strstr(b->reason, "run 2 of 3 exited with status 1"));
	assert_non_null(strstr(b->reason, "2 of 3 runs failed"));
	/* A failed benchmark keeps its numbers: a failure is a result too. */
	assert_int_equal(b->metrics[0].n_samples, 3);
	pg_result_set_free(rs);
}

/* ---- Google Benchmark ---- */

static void test_gbench_repetitions_are_samples_and_nan_is_dropped(void **state)
{
	(void)state;
	pg_import_warnings w = {0};
	pg_result_set *rs = import_ok("gbench", "gbench.json", &w);
	const pg_benchmark *b = bench(rs, "BM_parse/64");
	assert_string_equal(b->metrics[0].name, "real_time");
	assert_string_equal(b->metrics[0].unit, "ns");
	assert_samples(&b->metrics[0], (double[]){100, 110, 90}, 3);
	const pg_metric *cpu = metric(b, "cpu_time");
	assert_samples(cpu, (double[]){95, 100}, 2);
	assert_int_equal(cpu->dropped, 1);
	pg_import_warnings_release(&w);
	pg_result_set_free(rs);
}

static void test_gbench_rate_counters_are_better_higher(void **state)
{
	(void)state;
	pg_result_set *rs = import_ok("gbench", "gbench.json", NULL);
	const pg_metric *m = metric(bench(rs, "BM_parse/64"), "bytes_per_second");
	assert_int_equal(m->better, PG_BETTER_HIGHER);
	assert_string_equal(m->unit, "1/s");
	assert_samples(m, (double[]){1e9, 1.1e9}, 2);
	assert_int_equal(m->dropped, 1); /* Infinity */
	assert_null(pg_benchmark_find_metric(bench(rs, "BM_parse/64"), "label"));
	pg_result_set_free(rs);
}

static void test_gbench_converts_a_group_to_its_first_rows_unit(void **state)
{
	(void)state;
	pg_result_set *rs = import_ok("gbench", "gbench.json", NULL);
	const pg_benchmark *b = bench(rs, "BM_mixed");
	assert_string_equal(b->metrics[0].unit, "us");
	assert_samples(&b->metrics[0], (double[]){1.5, 2.5}, 2);
	assert_samples(metric(b, "cpu_time"), (double[]){1.0, 2.0}, 2);
	pg_result_set_free(rs);
}

/* n, mean, sd and median of the repetitions, and no statistic the file does not hold. */
static void assert_aggregate(const pg_metric *m, size_t n, double median, double mean, double sd)
{
	assert_int_equal(m->n_samples, 0);
	assert_false(m->has_value);
	assert_true(m->has_summary);
	assert_int_equal(m->summary.n, n);
	assert_double_equal(m->summary.median, median, fabs(median) * 1e-12);
	assert_double_equal(m->summary.mean, mean, fabs(mean) * 1e-12);
	assert_double_equal(m->summary.stddev, sd, fabs(sd) * 1e-12);
	assert_true(isnan(m->summary.p99) && isnan(m->summary.min) && isnan(m->summary.max));
}

static void test_gbench_aggregates_only_keep_n_mean_sd_and_median(void **state)
{
	(void)state;
	pg_result_set *rs = import_ok("gbench", "gbench.json", NULL);
	const pg_benchmark *b = bench(rs, "BM_aggregates_only");
	assert_string_equal(b->metrics[0].name, "real_time");
	assert_string_equal(b->metrics[0].unit, "ms");
	assert_aggregate(&b->metrics[0], 5, 190, 200, 10);
	assert_aggregate(metric(b, "cpu_time"), 5, 180, 190, 10);
	/* The stddev row has no items_per_second: the median stands alone. */
	assert_value(metric(b, "items_per_second"), 5.2);
	/* Written and read back: the statistics it lacks stay absent, not zero. */
	char *text = NULL;
	assert_int_equal(pg_result_set_to_string(&text, rs, 0), 0);
	cJSON *parsed = cJSON_Parse(text);
	assert_non_null(parsed);
	pg_result_set *back = NULL;
	int rc = pg_result_set_from_json(&back, parsed, "roundtrip");
	if (rc)
		fail_msg("%s", pg_error_message());
	assert_aggregate(&bench(back, "BM_aggregates_only")->metrics[0], 5, 190, 200, 10);
	pg_result_set_free(back);
	cJSON_Delete(parsed);
	free(text);
	pg_result_set_free(rs);
}

static void test_gbench_error_fails_and_skip_skips(void **state)
{
	(void)state;
	pg_result_set *rs = import_ok("gbench", "gbench.json", NULL);
	const pg_benchmark *b = bench(rs, "BM_open");
	assert_int_equal(b->status, PG_STATUS_FAILED);
	assert_string_equal(b->reason, "could not open corpus");
	assert_int_equal(b->n_metrics, 0);
	b = bench(rs, "BM_gpu");
	assert_int_equal(b->status, PG_STATUS_SKIPPED);
	assert_string_equal(b->reason, "no GPU on this runner");
	pg_result_set_free(rs);
}

static void test_gbench_complexity_rows_are_not_benchmarks(void **state)
{
	(void)state;
	pg_result_set *rs = import_ok("gbench", "gbench.json", NULL);
	assert_null(pg_result_set_find(rs, "BM_sort"));
	assert_null(pg_result_set_find(rs, "BM_sort_BigO"));
	assert_int_equal(rs->n_benchmarks, 5);
	pg_result_set_free(rs);
}

static void test_gbench_metric_with_every_value_nan_is_left_out_with_a_warning(void **state)
{
	(void)state;
	char path[] = "/tmp/pg-import-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char *text = "{\"benchmarks\": [{\"name\": \"BM_n\", \"run_type\": \"iteration\", "
			   "\"real_time\": 1.0, \"cpu_time\": 1.0, \"time_unit\": \"ns\", \"weird\": NaN}]}";
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	pg_result_set *rs = pg_result_set_new();
	pg_import_warnings w = {0};
	assert_int_equal(pg_import_file(rs, "gbench", path, &w), 0);
	assert_null(pg_benchmark_find_metric(&rs->benchmarks[0], "weird"));
	assert_true(has_warning(&w, "every value of 'weird' is NaN or infinite"));
	pg_import_warnings_release(&w);
	pg_result_set_free(rs);
	unlink(path);
}

static void test_nonfinite_rewrite_leaves_strings_and_literals_alone(void **state)
{
	(void)state;
	const char *in = "{\"s\": \"NaN Infinity\", \"a\": [NaN, -NaN, Infinity, -Infinity, nan, inf, null, -1e5]}";
	size_t len;
	char *out = pg_import_nonfinite_to_null(in, strlen(in), &len);
	assert_non_null(out);
	assert_string_equal(out, "{\"s\": \"NaN Infinity\", \"a\": [null, null, null    , null     , null, null, null, -1e5]}");
	assert_int_equal(len, strlen(out));
	free(out);
}

/* ---- criterion ---- */

static void test_criterion_directory_handwritten_criterion_layout(void **state)
{
	(void)state;
	pg_import_warnings w = {0};
	pg_result_set *rs = import_ok("criterion", "criterion/target/criterion", &w);
	assert_int_equal(rs->n_benchmarks, 2);
	/* Name order: fib before parse; base/ (the previous run) is not read. */
	assert_string_equal(rs->benchmarks[0].name, "fib");
	assert_string_equal(rs->benchmarks[1].name, "parse/small");
	const pg_metric *m = &rs->benchmarks[1].metrics[0];
	assert_string_equal(m->name, "time");
	assert_string_equal(m->unit, "ns");
	assert_samples(m, (double[]){100, 110, 90, 110}, 4);
	assert_samples(&rs->benchmarks[0].metrics[0], (double[]){100, 110}, 2);
	assert_int_equal(w.n, 0); /* estimates.json's medians agree */
	pg_import_warnings_release(&w);
	pg_result_set_free(rs);
}

static void test_criterion_sample_json_handwritten_criterion_layout(void **state)
{
	(void)state;
	pg_result_set *rs =
		import_ok("criterion", "criterion/target/criterion/parse/small/new/sample.json", NULL);
	assert_int_equal(rs->n_benchmarks, 1);
	assert_string_equal(rs->benchmarks[0].name, "parse/small");
	assert_double_equal(rs->benchmarks[0].metrics[0].summary.median, 105, 1e-12);
	pg_result_set_free(rs);
}

static void test_criterion_one_benchmark_directory_handwritten_criterion_layout(void **state)
{
	(void)state;
	pg_result_set *rs = import_ok("criterion", "criterion/target/criterion/parse/small/", NULL);
	assert_int_equal(rs->n_benchmarks, 1);
	assert_string_equal(rs->benchmarks[0].name, "parse/small");
	pg_result_set_free(rs);
}

static void test_criterion_estimate_that_disagrees_warns_handwritten_criterion_layout(void **state)
{
	(void)state;
	pg_import_warnings w = {0};
	pg_result_set *rs = import_ok("criterion", "criterion_mismatch", &w);
	assert_int_equal(rs->n_benchmarks, 1);
	assert_true(has_warning(&w, "criterion's median estimate 200 ns differs"));
	pg_import_warnings_release(&w);
	pg_result_set_free(rs);
}

static void test_criterion_without_benchmark_json_is_named_by_directory_handwritten_criterion_layout(void **state)
{
	(void)state;
	pg_result_set *rs = import_ok("criterion", "criterion_noid", NULL);
	assert_int_equal(rs->n_benchmarks, 1);
	assert_string_equal(rs->benchmarks[0].name, "grp/fn");
	assert_samples(&rs->benchmarks[0].metrics[0], (double[]){25}, 1);
	pg_result_set_free(rs);
}

/* ---- LuminaGuard ---- */

/* A group's median with what the file says of its runs: n (iterations), sd, and its percentiles. */
static void assert_group_summary(const pg_metric *m, double median, double sd, double p99)
{
	assert_false(m->has_value);
	assert_true(m->has_summary);
	assert_int_equal(m->summary.n, 100);
	assert_double_equal(m->summary.median, median, fabs(median) * 1e-12);
	assert_double_equal(m->summary.stddev, sd, fabs(sd) * 1e-12);
	assert_double_equal(m->summary.p99, p99, fabs(p99) * 1e-12);
	assert_true(isnan(m->summary.mean) && isnan(m->summary.p90));
}

static void test_luminaguard_rust_groups_are_benchmarks_whose_median_has_a_summary(void **state)
{
	(void)state;
	pg_result_set *rs = import_ok("luminaguard", "rust_baseline_20260215_033805.json", NULL);
	assert_int_equal(rs->n_benchmarks, 4);
	const pg_benchmark *b = bench(rs, "rust.spawn_time");
	assert_string_equal(b->metrics[0].name, "median_ms");
	assert_string_equal(b->metrics[0].unit, "ms");
	assert_group_summary(&b->metrics[0], 110.20, 0.45, 112.62);
	assert_value(metric(b, "p99_ms"), 112.62);
	assert_value(metric(b, "std_dev_ms"), 0.45);
	assert_int_equal(b->n_metrics, 6);
	b = bench(rs, "rust.memory");
	assert_string_equal(b->metrics[0].name, "median_mb");
	assert_string_equal(b->metrics[0].unit, "bytes");
	assert_group_summary(&b->metrics[0], 28.98e6, 0.3e6, 29.9e6); /* MB scaled in the summary too */
	assert_string_equal(bench(rs, "rust.cpu")->metrics[0].unit, "%");
	/* The median leads even where the file lists it second. */
	assert_string_equal(bench(rs, "rust.network_latency")->metrics[0].name, "median_ms");
	assert_group_summary(&bench(rs, "rust.network_latency")->metrics[0], 10.07, 0.25, 11.3);
	pg_result_set_free(rs);
}

static void test_luminaguard_agent_groups_nested_groups_and_scalars(void **state)
{
	(void)state;
	pg_result_set *rs = import_ok("luminaguard", "agent_baseline_20260215_033200.json", NULL);
	assert_int_equal(rs->n_benchmarks, 4);
	const pg_benchmark *b = bench(rs, "agent.iteration_time");
	assert_string_equal(b->metrics[0].name, "median_ms");
	assert_group_summary(&b->metrics[0], 0.00018, 0.000135, 0.00124);
	assert_value(metric(bench(rs, "agent.tool_execution_times.read_file"), "p95_ms"), 0.061);
	assert_group_summary(&bench(rs, "agent.tool_execution_times.execute_command")->metrics[0], 2.31, 0.21, 3.4);
	b = bench(rs, "agent");
	assert_value(metric(b, "memory_mb"), 28.98e6);
	assert_string_equal(metric(b, "memory_mb")->unit, "bytes");
	assert_value(metric(b, "cpu_percent"), 0.0);
	assert_null(pg_benchmark_find_metric(b, "iterations"));
	pg_result_set_free(rs);
}

/* ---- github-action-benchmark ---- */

static void test_gab_entries_are_benchmarks_with_a_value_metric(void **state)
{
	(void)state;
	pg_result_set *rs = import_ok("gab", "gab_smaller.json", NULL);
	assert_int_equal(rs->n_benchmarks, 4);
	const pg_metric *m = &bench(rs, "fib_10")->metrics[0];
	assert_string_equal(m->name, "value");
	assert_string_equal(m->unit, "ns");
	assert_int_equal(m->better, PG_BETTER_LOWER);
	assert_value(m, 198.0191520825881);
	assert_string_equal(bench(rs, "seq_write_112_thread")->metrics[0].unit, "ms");
	assert_value(&bench(rs, "binary size")->metrics[0], 4.5e6);
	assert_string_equal(bench(rs, "queue depth")->metrics[0].unit, "requests");
	pg_result_set_free(rs);
}

static void test_gab_tool_says_bigger_is_better(void **state)
{
	(void)state;
	pg_result_set *rs = import_ok("gab", "gab_bigger.json", NULL);
	const pg_metric *m = &bench(rs, "throughput")->metrics[0];
	assert_int_equal(m->better, PG_BETTER_HIGHER);
	assert_string_equal(m->unit, "1/s");
	pg_result_set_free(rs);
	rs = import_ok("gab-bigger", "gab_smaller.json", NULL);
	assert_int_equal(bench(rs, "fib_10")->metrics[0].better, PG_BETTER_HIGHER);
	pg_result_set_free(rs);
}

static void test_export_gab_smaller_then_bigger(void **state)
{
	(void)state;
	pg_result_set *rs = import_ok("gbench", "gbench.json", NULL);
	pg_import_warnings w = {0};
	char *text;
	cJSON *doc;
	assert_int_equal(pg_export_gab(&text, rs, PG_BETTER_LOWER, &w), 0);
	assert_int_equal(pg_json_parse(&doc, text, strlen(text), "export"), 0);
	const cJSON *first = cJSON_GetArrayItem(doc, 0);
	assert_string_equal(cJSON_GetObjectItem(first, "name")->valuestring, "BM_parse/64");
	assert_string_equal(cJSON_GetObjectItem(first, "unit")->valuestring, "ns");
	assert_double_equal(cJSON_GetObjectItem(first, "value")->valuedouble, 100, 0);
	assert_string_equal(cJSON_GetObjectItem(first, "range")->valuestring, "\xc2\xb1 10");
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(doc, 1), "name")->valuestring,
			    "BM_parse/64 cpu_time");
	/* BM_open failed and BM_gpu was skipped: left out, said so. */
	assert_true(has_warning(&w, "benchmark 'BM_open' is failed"));
	assert_true(has_warning(&w, "benchmark 'BM_gpu' is skipped"));
	const cJSON *e;
	cJSON_ArrayForEach(e, doc)
	{
		assert_null(strstr(cJSON_GetObjectItem(e, "name")->valuestring, "per_second"));
	}
	cJSON_Delete(doc);
	free(text);
	pg_import_warnings_release(&w);

	assert_int_equal(pg_export_gab(&text, rs, PG_BETTER_HIGHER, NULL), 0);
	assert_int_equal(pg_json_parse(&doc, text, strlen(text), "export"), 0);
	assert_int_equal(cJSON_GetArraySize(doc), 2);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(doc, 0), "name")->valuestring,
			    "BM_parse/64 bytes_per_second");
	assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(doc, 1), "range")); /* a single value */
	cJSON_Delete(doc);
	free(text);
	pg_result_set_free(rs);
}

/* ---- what every import shares ---- */

static void test_import_sets_kind_and_a_definition_hash_of_format_and_name(void **state)
{
	(void)state;
	pg_result_set *a = import_ok("gab", "gab_smaller.json", NULL);
	pg_result_set *b = import_ok("gab-bigger", "gab_smaller.json", NULL);
	pg_result_set *c = import_ok("hyperfine", "hyperfine.json", NULL);
	for (size_t i = 0; i < a->n_benchmarks; i++) {
		assert_string_equal(a->benchmarks[i].kind, "import");
		assert_int_equal(strlen(a->benchmarks[i].definition_hash), 16);
		/* Variants of one format hash alike: the hash names what was measured. */
		assert_string_equal(a->benchmarks[i].definition_hash, b->benchmarks[i].definition_hash);
	}
	assert_string_not_equal(a->benchmarks[0].definition_hash, a->benchmarks[1].definition_hash);
	assert_string_not_equal(a->benchmarks[0].definition_hash, c->benchmarks[0].definition_hash);
	pg_result_set_free(a);
	pg_result_set_free(b);
	pg_result_set_free(c);
}

static void test_import_pools_samples_of_a_benchmark_across_files(void **state)
{
	(void)state;
	pg_result_set *rs = import_ok("hyperfine", "hyperfine.json", NULL);
	assert_int_equal(pg_import_file(rs, "hyperfine", fixture("hyperfine.json"), NULL), 0);
	assert_int_equal(rs->n_benchmarks, 2);
	const pg_benchmark *b = bench(rs, "sleep 0.01");
	assert_int_equal(b->metrics[0].n_samples, 8);
	assert_int_equal(b->metrics[0].summary.n, 8);
	/* hyperfine's user time is a mean over the runs: it pools as one. */
	assert_value(metric(b, "user"), 0.5);
	assert_int_equal(metric(b, "peak_rss")->n_samples, 8);
	pg_result_set_free(rs);
}

static void test_import_refuses_to_pool_single_values_and_leaves_the_set_alone(void **state)
{
	(void)state;
	pg_result_set *rs = import_ok("gab", "gab_smaller.json", NULL);
	size_t before = rs->n_benchmarks;
	int rc = pg_import_file(rs, "gab", fixture("gab_smaller.json"), NULL);
	assert_int_equal(rc, PG_EINPUT);
	assert_non_null(strstr(pg_error_message(), "benchmark 'fib_10' is imported twice"));
	assert_int_equal(rs->n_benchmarks, before);
	pg_result_set_free(rs);
}

static void test_import_round_trips_through_the_result_set_json(void **state)
{
	(void)state;
	static const struct {
		const char *format, *file;
	} all[] = {{"hyperfine", "hyperfine.json"},
		   {"gbench", "gbench.json"},
		   {"criterion", "criterion/target/criterion"},
		   {"luminaguard", "agent_baseline_20260215_033200.json"},
		   {"luminaguard", "rust_baseline_20260215_033805.json"},
		   {"gab", "gab_smaller.json"}};
	pg_result_set *rs = pg_result_set_new();
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		assert_int_equal(pg_import_file(rs, all[i].format, fixture(all[i].file), NULL), 0);
	char *text;
	cJSON *json;
	pg_result_set *back;
	assert_int_equal(pg_result_set_to_string(&text, rs, 0), 0);
	assert_int_equal(pg_json_parse(&json, text, strlen(text), "memory"), 0);
	if (pg_result_set_from_json(&back, json, "memory"))
		fail_msg("%s", pg_error_message());
	assert_int_equal(back->n_benchmarks, rs->n_benchmarks);
	cJSON_Delete(json);
	free(text);
	pg_result_set_free(back);
	pg_result_set_free(rs);
}

/* ---- bad input: PG_EINPUT naming the file and the JSON path, nothing added ---- */

static const struct bad_case {
	const char *format, *file, *message;
} bad_cases[] = {
	{"hyperfine", "bad/hyperfine_truncated.json", "JSON ends early"},
	{"hyperfine", "bad/hyperfine_string_time.json", ": $.results[0].times[3]: expected a number, found a string"},
	{"hyperfine", "bad/hyperfine_huge_time.json", ": $.results[0].times[2]: expected a number, found one too large"},
	{"hyperfine", "bad/hyperfine_missing_times.json", ": $.results[1]: missing key 'times'"},
	{"hyperfine", "bad/hyperfine_string_exit_code.json", ": $.results[0].exit_codes[1]: expected a number, found a string"},
	{"hyperfine", "gbench.json", ": $: missing key 'results' (is this a hyperfine --export-json file?)"},
	{"hyperfine", "gab_smaller.json", ": $: expected an object, found an array"},
	{"gbench", "hyperfine.json", ": $: missing key 'benchmarks' (is this Google Benchmark JSON?)"},
	{"gbench", "bad/gbench_string_time.json", ": $.benchmarks[0].cpu_time: expected a number, found a string"},
	{"gbench", "bad/gbench_bad_unit.json", ": $.benchmarks[0].time_unit: expected ns, us, ms or s, found \"fortnights\""},
	{"gbench", "bad/gbench_missing_real_time.json", ": $.benchmarks[0]: missing key 'real_time'"},
	{"criterion", "bad/criterion_lengths", "sample.json: $: iters has 3 entries and times 2"},
	{"criterion", "bad/criterion_zero_iters", "sample.json: $.iters[1]: expected a positive iteration count"},
	{"criterion", "hyperfine.json", ": $: missing key 'times' (is this criterion's sample.json?)"},
	{"criterion", "criterion/target/criterion/report", "no criterion benchmark under it"},
	{"luminaguard", "bad/luminaguard_string_median.json", ": $.spawn_time_ms.median: expected a number, found a string"},
	{"luminaguard", "bad/luminaguard_array.json", ": $.spawn_time_ms: expected a number or an object of summary values, found an array"},
	{"luminaguard", "hyperfine.json", ": $.results: expected a number or an object of summary values, found an array"},
	{"luminaguard", "gab_smaller.json", ": $: expected an object, found an array"},
	{"gab", "bad/gab_missing_value.json", ": $[1]: missing key 'value'"},
	{"gab", "bad/gab_string_value.json", ": $[0].value: expected a number, found a string"},
	{"gab", "hyperfine.json", ": $: missing key 'benches'"},
	{"gab-smaller", "gab_bigger.json", ": $.tool: \"customBiggerIsBetter\" says bigger is better, but --from gab-smaller says smaller"},
};

static void test_bad_inputs_name_file_and_json_path_and_add_nothing(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		pg_result_set *rs = import_ok("gab", "gab_smaller.json", NULL);
		const char *path = fixture(c->file);
		int rc = pg_import_file(rs, c->format, path, NULL);
		if (rc != PG_EINPUT)
			fail_msg("--from %s %s: rc %d, expected PG_EINPUT (%s)", c->format, c->file, rc,
				 pg_error_message());
		const char *msg = pg_error_message();
		if (strncmp(msg, path, strlen(path)) != 0 || !strstr(msg, c->message))
			fail_msg("--from %s %s: message\n  %s\nexpected it to start with the file and hold\n  %s",
				 c->format, c->file, msg, c->message);
		assert_int_equal(rs->n_benchmarks, 4);
		pg_result_set_free(rs);
	}
}

static void test_unknown_format_and_missing_file(void **state)
{
	(void)state;
	pg_result_set *rs = pg_result_set_new();
	assert_int_equal(pg_import_file(rs, "jmh", fixture("hyperfine.json"), NULL), PG_EINPUT);
	assert_non_null(strstr(pg_error_message(), "unknown import format 'jmh'"));
	assert_int_equal(pg_import_file(rs, "hyperfine", fixture("nope.json"), NULL), PG_ESYSTEM);
	assert_non_null(strstr(pg_error_message(), "nope.json"));
	assert_int_equal(pg_import_file(rs, "criterion", fixture("nope"), NULL), PG_ESYSTEM);
	assert_int_equal(rs->n_benchmarks, 0);
	pg_result_set_free(rs);
}

static void test_import_into_benchmarks_takes_the_one_of_its_name_else_every_one(void **state)
{
	(void)state;
	pg_result_set *rs = pg_result_set_new();
	pg_benchmark *b = pg_result_set_add_benchmark(rs, "BM_mixed", "import");
	assert_int_equal(pg_import_into_benchmarks(rs, 0, "gbench", fixture("gbench.json"), NULL), 0);
	assert_int_equal(rs->n_benchmarks, 1);
	assert_samples(&rs->benchmarks[0].metrics[0], (double[]){1.5, 2.5}, 2);
	b = pg_result_set_add_benchmark(rs, "BM_open", "import");
	assert_int_equal(pg_import_into_benchmarks(rs, 1, "gbench", fixture("gbench.json"), NULL), 0);
	assert_int_equal(rs->benchmarks[1].status, PG_STATUS_FAILED);
	assert_string_equal(rs->benchmarks[1].reason, "could not open corpus");
	/* An entry naming none of the file's benchmarks takes them all, as "entry/<name>", in order. */
	pg_result_set *file = pg_result_set_new();
	assert_int_equal(pg_import_file(file, "gbench", fixture("gbench.json"), NULL), 0);
	b = pg_result_set_add_benchmark(rs, "parser", "import");
	b->definition_hash = strdup("0123456789abcdef");
	assert_int_equal(pg_import_into_benchmarks(rs, 2, "gbench", fixture("gbench.json"), NULL), 0);
	assert_int_equal(rs->n_benchmarks, 2 + file->n_benchmarks);
	for (size_t i = 0; i < file->n_benchmarks; i++) {
		char want[256];
		snprintf(want, sizeof(want), "parser/%s", file->benchmarks[i].name);
		assert_string_equal(rs->benchmarks[2 + i].name, want);
		assert_string_equal(rs->benchmarks[2 + i].definition_hash, "0123456789abcdef");
		assert_int_equal(rs->benchmarks[2 + i].n_metrics, file->benchmarks[i].n_metrics);
	}
	assert_samples(&rs->benchmarks[2].metrics[0], (double[]){100, 110, 90}, 3);
	pg_result_set_free(file);
	pg_result_set_free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hyperfine_times_become_wall_samples_in_ms),
		cmocka_unit_test(test_hyperfine_summary_user_and_system_are_single_values),
		cmocka_unit_test(test_hyperfine_per_run_user_and_system_are_samples),
		cmocka_unit_test(test_hyperfine_name_wins_over_command),
		cmocka_unit_test(test_hyperfine_nonzero_exit_code_fails_the_benchmark),
		cmocka_unit_test(test_gbench_repetitions_are_samples_and_nan_is_dropped),
		cmocka_unit_test(test_gbench_rate_counters_are_better_higher),
		cmocka_unit_test(test_gbench_converts_a_group_to_its_first_rows_unit),
		cmocka_unit_test(test_gbench_aggregates_only_keep_n_mean_sd_and_median),
		cmocka_unit_test(test_gbench_error_fails_and_skip_skips),
		cmocka_unit_test(test_gbench_complexity_rows_are_not_benchmarks),
		cmocka_unit_test(test_gbench_metric_with_every_value_nan_is_left_out_with_a_warning),
		cmocka_unit_test(test_nonfinite_rewrite_leaves_strings_and_literals_alone),
		cmocka_unit_test(test_criterion_directory_handwritten_criterion_layout),
		cmocka_unit_test(test_criterion_sample_json_handwritten_criterion_layout),
		cmocka_unit_test(test_criterion_one_benchmark_directory_handwritten_criterion_layout),
		cmocka_unit_test(test_criterion_estimate_that_disagrees_warns_handwritten_criterion_layout),
		cmocka_unit_test(test_criterion_without_benchmark_json_is_named_by_directory_handwritten_criterion_layout),
		cmocka_unit_test(test_luminaguard_rust_groups_are_benchmarks_whose_median_has_a_summary),
		cmocka_unit_test(test_luminaguard_agent_groups_nested_groups_and_scalars),
		cmocka_unit_test(test_gab_entries_are_benchmarks_with_a_value_metric),
		cmocka_unit_test(test_gab_tool_says_bigger_is_better),
		cmocka_unit_test(test_export_gab_smaller_then_bigger),
		cmocka_unit_test(test_import_sets_kind_and_a_definition_hash_of_format_and_name),
		cmocka_unit_test(test_import_pools_samples_of_a_benchmark_across_files),
		cmocka_unit_test(test_import_refuses_to_pool_single_values_and_leaves_the_set_alone),
		cmocka_unit_test(test_import_round_trips_through_the_result_set_json),
		cmocka_unit_test(test_bad_inputs_name_file_and_json_path_and_add_nothing),
		cmocka_unit_test(test_unknown_format_and_missing_file),
		cmocka_unit_test(test_import_into_benchmarks_takes_the_one_of_its_name_else_every_one),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
