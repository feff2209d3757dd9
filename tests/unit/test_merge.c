/* test_merge.c - result sets of one commit's shards made one: what must agree, what the merged set says */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "perfgate/error.h"
#include "perfgate/json.h"
#include "perfgate/merge.h"
#include "perfgate/result.h"
#include "perfgate/series.h"

#include <stdlib.h>
#include <string.h>

#define COMMIT "0123456789abcdef0123456789abcdef01234567"

/* A shard's set: benchmarks named in names (a wall-time metric each), on COMMIT, env "linux-test". */
static pg_result_set *shard(int index, int count, const char *created, double cpu_ms, const char *const *names)
{
	pg_result_set *rs = pg_result_set_new();
	assert_non_null(rs);
	rs->commit = strdup(COMMIT);
	rs->env.key = strdup("linux-test");
	rs->gates_hash = strdup("00000000000000aa");
	free(rs->created);
	rs->created = strdup(created);
	rs->shard_index = index;
	rs->shard_count = count;
	rs->rss_floor = 1000.0 * index;
	if (cpu_ms > 0)
		rs->probe = (pg_probe){.version = 1, .cpu_ms = {cpu_ms, cpu_ms}, .mem_ms = {20, 20}};
	for (const char *const *n = names; *n; n++) {
		pg_benchmark *b = pg_result_set_add_benchmark(rs, *n, "command");
		assert_non_null(b);
		pg_metric *m = pg_benchmark_add_metric(b, "wall", "ms", PG_BETTER_LOWER);
		for (int i = 1; i <= 30; i++)
			assert_int_equal(pg_metric_add_sample(m, 10.0 + i), 0);
	}
	assert_int_equal(pg_result_set_summarize(rs), 0);
	return rs;
}

typedef struct fixture {
	pg_result_set *sets[4];
	pg_merge_input in[4];
	size_t n;
	pg_result_set *merged;
	char **warnings;
	size_t n_warnings;
} fixture;

static void add(fixture *f, pg_result_set *rs, const char *name)
{
	f->sets[f->n] = rs;
	f->in[f->n] = (pg_merge_input){.rs = rs, .name = name};
	f->n++;
}

static int merge(fixture *f)
{
	return pg_merge_result_sets(&f->merged, &f->warnings, &f->n_warnings, f->in, f->n);
}

static void release(fixture *f)
{
	for (size_t i = 0; i < f->n; i++)
		pg_result_set_free(f->sets[i]);
	pg_result_set_free(f->merged);
	for (size_t i = 0; i < f->n_warnings; i++)
		free(f->warnings[i]);
	free(f->warnings);
}

static const char *const ab[] = {"a", "b", NULL}, *const cd[] = {"c", "d", NULL}, *const ef[] = {"e", "f", NULL};

/* The three shards of a suite, given out of order (as a shell glob sorts shard-10 before shard-2). */
static void three_shards(fixture *f)
{
	add(f, shard(3, 3, "2026-01-01T00:00:03.000Z", 100, ef), "shard-3.json");
	add(f, shard(1, 3, "2026-01-01T00:00:09.000Z", 100, ab), "shard-1.json");
	add(f, shard(2, 3, "2026-01-01T00:00:01.000Z", 100, cd), "shard-2.json");
}

static void test_merge_unites_benchmarks_in_shard_order(void **state)
{
	(void)state;
	fixture f = {0};
	three_shards(&f);
	assert_int_equal(merge(&f), 0);
	assert_int_equal(f.merged->n_benchmarks, 6);
	const char *want[] = {"a", "b", "c", "d", "e", "f"};
	for (size_t i = 0; i < 6; i++) {
		assert_string_equal(f.merged->benchmarks[i].name, want[i]);
		assert_int_equal(f.merged->benchmarks[i].metrics[0].n_samples, 30);
	}
	assert_int_equal(f.n_warnings, 0);
	release(&f);
}

static void test_merge_says_one_commit_env_and_suite_and_no_shard(void **state)
{
	(void)state;
	fixture f = {0};
	three_shards(&f);
	assert_int_equal(merge(&f), 0);
	const pg_result_set *m = f.merged;
	assert_string_equal(m->commit, COMMIT);
	assert_string_equal(m->env.key, "linux-test");
	assert_string_equal(m->gates_hash, "00000000000000aa");
	assert_int_equal(m->shard_index, 0);
	assert_int_equal(m->shard_count, 0);
	for (size_t i = 0; i < f.n; i++)
		assert_string_not_equal(m->run_id, f.sets[i]->run_id);
	release(&f);
}

static void test_merge_takes_the_latest_created_and_the_highest_rss_floor(void **state)
{
	(void)state;
	fixture f = {0};
	three_shards(&f);
	assert_int_equal(merge(&f), 0);
	assert_string_equal(f.merged->created, "2026-01-01T00:00:09.000Z");
	assert_true(f.merged->rss_floor == 3000.0);
	release(&f);
}

static void test_merge_refuses_two_commits_naming_both_files_and_commits(void **state)
{
	(void)state;
	fixture f = {0};
	three_shards(&f);
	free(f.sets[2]->commit);
	f.sets[2]->commit = strdup("fedcba9876543210fedcba9876543210fedcba98");
	assert_int_equal(merge(&f), PG_EINPUT);
	assert_null(f.merged);
	assert_string_equal(pg_error_message(),
			    "shard-2.json has commit fedcba987654, shard-3.json 0123456789ab: a merge is of one commit");
	release(&f);
}

static void test_merge_refuses_a_set_without_a_commit_beside_one_with(void **state)
{
	(void)state;
	fixture f = {0};
	three_shards(&f);
	free(f.sets[1]->commit);
	f.sets[1]->commit = NULL;
	assert_int_equal(merge(&f), PG_EINPUT);
	assert_non_null(strstr(pg_error_message(), "shard-1.json has commit none, shard-3.json 0123456789ab"));
	release(&f);
}

static void test_merge_refuses_two_env_keys(void **state)
{
	(void)state;
	fixture f = {0};
	three_shards(&f);
	free(f.sets[1]->env.key);
	f.sets[1]->env.key = strdup("macos-test");
	assert_int_equal(merge(&f), PG_EINPUT);
	assert_string_equal(pg_error_message(),
			    "shard-1.json has env key macos-test, shard-3.json linux-test: a merge is of one environment");
	release(&f);
}

static void test_merge_refuses_two_gates_files_but_not_one_unrecorded(void **state)
{
	(void)state;
	fixture f = {0};
	three_shards(&f);
	free(f.sets[0]->gates_hash);
	f.sets[0]->gates_hash = NULL;
	assert_int_equal(merge(&f), 0);
	pg_result_set_free(f.merged);
	f.merged = NULL;
	free(f.sets[2]->gates_hash);
	f.sets[2]->gates_hash = strdup("00000000000000bb");
	assert_int_equal(merge(&f), PG_EINPUT);
	assert_string_equal(pg_error_message(), "shard-2.json ran gates 00000000000000bb, shard-1.json gates "
						"00000000000000aa: a merge is of one gates file");
	release(&f);
}

static void test_merge_refuses_two_shard_counts(void **state)
{
	(void)state;
	fixture f = {0};
	add(&f, shard(1, 3, "2026-01-01T00:00:00.000Z", 100, ab), "shard-1.json");
	add(&f, shard(2, 4, "2026-01-01T00:00:00.000Z", 100, cd), "shard-2.json");
	assert_int_equal(merge(&f), PG_EINPUT);
	assert_string_equal(pg_error_message(),
			    "shard-2.json is shard 2/4, shard-1.json is shard 1/3: a merge is of one split of the suite");
	release(&f);
}

static void test_merge_refuses_a_shard_twice(void **state)
{
	(void)state;
	fixture f = {0};
	add(&f, shard(2, 3, "2026-01-01T00:00:00.000Z", 100, ab), "shard-2.json");
	add(&f, shard(2, 3, "2026-01-01T00:00:00.000Z", 100, cd), "again.json");
	assert_int_equal(merge(&f), PG_EINPUT);
	assert_string_equal(pg_error_message(), "shard-2.json and again.json are both shard 2/3: a merge takes each shard once");
	release(&f);
}

static void test_merge_refuses_a_benchmark_in_two_files(void **state)
{
	(void)state;
	fixture f = {0};
	static const char *const bc[] = {"b", "c", NULL};
	add(&f, shard(2, 2, "2026-01-01T00:00:00.000Z", 100, bc), "shard-2.json");
	add(&f, shard(1, 2, "2026-01-01T00:00:00.000Z", 100, ab), "shard-1.json");
	assert_int_equal(merge(&f), PG_EINPUT);
	assert_string_equal(pg_error_message(), "benchmark 'b' is in both shard-1.json and shard-2.json: a merge "
						"takes each benchmark from one file");
	release(&f);
}

static void test_merge_refuses_a_benchmark_twice_in_one_file(void **state)
{
	(void)state;
	fixture f = {0};
	static const char *const aa[] = {"a", "a", NULL};
	add(&f, shard(0, 0, "2026-01-01T00:00:00.000Z", 100, aa), "run.json");
	assert_int_equal(merge(&f), PG_EINPUT);
	assert_string_equal(pg_error_message(), "benchmark 'a' is in run.json twice: a merge takes each benchmark once");
	release(&f);
}

static void test_merge_takes_the_first_shards_probe_and_others_carry_their_own(void **state)
{
	(void)state;
	fixture f = {0};
	add(&f, shard(2, 2, "2026-01-01T00:00:00.000Z", 130, cd), "shard-2.json");
	add(&f, shard(1, 2, "2026-01-01T00:00:00.000Z", 100, ab), "shard-1.json");
	assert_int_equal(merge(&f), 0);
	const pg_result_set *m = f.merged;
	assert_true(m->probe.cpu_ms[0] == 100);
	assert_null(m->benchmarks[0].probe);
	assert_ptr_equal(pg_benchmark_probe(m, &m->benchmarks[1]), &m->probe);
	assert_non_null(m->benchmarks[2].probe);
	assert_true(pg_benchmark_probe(m, &m->benchmarks[3])->cpu_ms[0] == 130);
	release(&f);
}

static void test_merge_carries_no_probe_where_a_shard_measured_under_the_same(void **state)
{
	(void)state;
	fixture f = {0};
	three_shards(&f);
	assert_int_equal(merge(&f), 0);
	for (size_t i = 0; i < f.merged->n_benchmarks; i++)
		assert_null(f.merged->benchmarks[i].probe);
	release(&f);
}

static void test_merge_keeps_the_probe_a_merged_input_carries(void **state)
{
	(void)state;
	fixture f = {0};
	pg_result_set *earlier = shard(0, 0, "2026-01-01T00:00:00.000Z", 100, ab);
	assert_non_null(earlier->benchmarks[1].probe = malloc(sizeof(pg_probe)));
	*earlier->benchmarks[1].probe = (pg_probe){.version = 1, .cpu_ms = {150, 150}, .mem_ms = {30, 30}};
	add(&f, earlier, "merged.json");
	add(&f, shard(0, 0, "2026-01-01T00:00:00.000Z", 100, cd), "more.json");
	assert_int_equal(merge(&f), 0);
	assert_true(pg_benchmark_probe(f.merged, &f.merged->benchmarks[1])->cpu_ms[0] == 150);
	assert_null(f.merged->benchmarks[2].probe);
	release(&f);
}

static void test_merge_warns_of_timed_benchmarks_measured_without_a_probe(void **state)
{
	(void)state;
	fixture f = {0};
	add(&f, shard(1, 2, "2026-01-01T00:00:00.000Z", 100, ab), "shard-1.json");
	add(&f, shard(2, 2, "2026-01-01T00:00:00.000Z", 0, cd), "shard-2.json");
	assert_int_equal(merge(&f), 0);
	assert_int_equal(f.n_warnings, 1);
	assert_non_null(strstr(f.warnings[0], "shard-2.json took no environment probe: its 2 timed benchmarks"));
	release(&f);
}

static void test_merge_of_unsharded_sets_keeps_the_order_given(void **state)
{
	(void)state;
	fixture f = {0};
	add(&f, shard(0, 0, "2026-01-01T00:00:00.000Z", 100, ef), "e.json");
	add(&f, shard(0, 0, "2026-01-01T00:00:00.000Z", 100, ab), "a.json");
	assert_int_equal(merge(&f), 0);
	assert_string_equal(f.merged->benchmarks[0].name, "e");
	assert_string_equal(f.merged->benchmarks[3].name, "b");
	release(&f);
}

static void test_merge_writes_a_set_that_reads_back_with_its_benchmark_probes(void **state)
{
	(void)state;
	fixture f = {0};
	add(&f, shard(1, 2, "2026-01-01T00:00:00.000Z", 100, ab), "shard-1.json");
	add(&f, shard(2, 2, "2026-01-01T00:00:00.000Z", 130, cd), "shard-2.json");
	assert_int_equal(merge(&f), 0);
	cJSON *json;
	char *text;
	pg_result_set *back;
	assert_int_equal(pg_result_set_to_string(&text, f.merged, 0), 0);
	assert_int_equal(pg_json_parse(&json, text, strlen(text), "merged"), 0);
	free(text);
	assert_null(cJSON_GetObjectItem(json, "shard"));
	assert_int_equal(pg_result_set_from_json(&back, json, "merged"), 0);
	cJSON_Delete(json);
	assert_null(back->benchmarks[1].probe);
	assert_true(pg_benchmark_probe(back, &back->benchmarks[2])->cpu_ms[0] == 130);
	pg_result_set_free(back);
	release(&f);
}

static void test_missing_shards_are_listed_in_order(void **state)
{
	(void)state;
	fixture f = {0};
	add(&f, shard(4, 5, "2026-01-01T00:00:00.000Z", 100, ab), "shard-4.json");
	add(&f, shard(1, 5, "2026-01-01T00:00:00.000Z", 100, cd), "shard-1.json");
	int *missing;
	size_t n_missing;
	assert_int_equal(pg_merge_missing_shards(&missing, &n_missing, f.in, f.n), 0);
	assert_int_equal(n_missing, 3);
	assert_int_equal(missing[0], 2);
	assert_int_equal(missing[1], 3);
	assert_int_equal(missing[2], 5);
	free(missing);
	release(&f);
}

static void test_no_shard_is_missing_of_unsharded_sets(void **state)
{
	(void)state;
	fixture f = {0};
	add(&f, shard(0, 0, "2026-01-01T00:00:00.000Z", 100, ab), "a.json");
	int *missing;
	size_t n_missing;
	assert_int_equal(pg_merge_missing_shards(&missing, &n_missing, f.in, f.n), 0);
	assert_int_equal(n_missing, 0);
	assert_null(missing);
	release(&f);
}

static void test_order_puts_the_named_first_then_the_rest_as_they_were(void **state)
{
	(void)state;
	static const char *const names[] = {"f", "zz", "a", "c", "b", "d", "e", NULL};
	pg_result_set *rs = shard(0, 0, "2026-01-01T00:00:00.000Z", 100, names);
	char *order[] = {"e", "d", "c"};
	assert_int_equal(pg_merge_order(rs, order, 3), 0);
	const char *want[] = {"e", "d", "c", "f", "zz", "a", "b"};
	for (size_t i = 0; i < 7; i++)
		assert_string_equal(rs->benchmarks[i].name, want[i]);
	pg_result_set_free(rs);
}

static void test_fold_keeps_each_stored_shards_probe(void **state)
{
	(void)state;
	/* Three shard records stored on one commit: the reader folds them into the latest. */
	const char *const a[] = {"a", NULL}, *const b[] = {"b", NULL}, *const c[] = {"c", NULL};
	pg_result_set *sets[] = {shard(1, 3, "2026-01-01T00:00:01.000Z", 30, a),
				 shard(2, 3, "2026-01-01T00:00:02.000Z", 45, b),
				 shard(3, 3, "2026-01-01T00:00:03.000Z", 30, c)};
	pg_commit_records records = {.sets = sets, .n_sets = 3};
	assert_int_equal(pg_records_fold(&records), 0);
	const pg_result_set *latest = pg_records_latest(&records, "linux-test");
	assert_ptr_equal(latest, sets[2]);
	assert_int_equal(latest->n_benchmarks, 3);
	/* b was measured under its own shard's probe (45 ms); a under one equal to the latest's. */
	const pg_probe *pb = pg_benchmark_probe(latest, pg_result_set_find(latest, "b"));
	assert_non_null(pb);
	assert_true(pb->cpu_ms[0] == 45);
	assert_null(pg_result_set_find(latest, "a")->probe);
	assert_true(pg_probe_equal(pg_benchmark_probe(latest, pg_result_set_find(latest, "a")), &latest->probe));
	for (size_t i = 0; i < 3; i++)
		pg_result_set_free(sets[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_unites_benchmarks_in_shard_order),
		cmocka_unit_test(test_merge_says_one_commit_env_and_suite_and_no_shard),
		cmocka_unit_test(test_merge_takes_the_latest_created_and_the_highest_rss_floor),
		cmocka_unit_test(test_merge_refuses_two_commits_naming_both_files_and_commits),
		cmocka_unit_test(test_merge_refuses_a_set_without_a_commit_beside_one_with),
		cmocka_unit_test(test_merge_refuses_two_env_keys),
		cmocka_unit_test(test_merge_refuses_two_gates_files_but_not_one_unrecorded),
		cmocka_unit_test(test_merge_refuses_two_shard_counts),
		cmocka_unit_test(test_merge_refuses_a_shard_twice),
		cmocka_unit_test(test_merge_refuses_a_benchmark_in_two_files),
		cmocka_unit_test(test_merge_refuses_a_benchmark_twice_in_one_file),
		cmocka_unit_test(test_merge_takes_the_first_shards_probe_and_others_carry_their_own),
		cmocka_unit_test(test_merge_carries_no_probe_where_a_shard_measured_under_the_same),
		cmocka_unit_test(test_merge_keeps_the_probe_a_merged_input_carries),
		cmocka_unit_test(test_merge_warns_of_timed_benchmarks_measured_without_a_probe),
		cmocka_unit_test(test_merge_of_unsharded_sets_keeps_the_order_given),
		cmocka_unit_test(test_merge_writes_a_set_that_reads_back_with_its_benchmark_probes),
		cmocka_unit_test(test_missing_shards_are_listed_in_order),
		cmocka_unit_test(test_no_shard_is_missing_of_unsharded_sets),
		cmocka_unit_test(test_order_puts_the_named_first_then_the_rest_as_they_were),
		cmocka_unit_test(test_fold_keeps_each_stored_shards_probe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
