/* test_gates.c - the gates file: placeholders, command words, defaults and their precedence */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "perfgate/error.h"
#include "perfgate/gates.h"
#include "perfgate/json.h"

#include <stdlib.h>
#include <string.h>

static void test_gates_expands_root_and_bindir_and_literal_braces(void **state)
{
	(void)state;
	char *out;
	assert_int_equal(pg_expand_placeholders(&out, "{bindir}/x --in {root}/c {{a}}", "/r", "/b"), 0);
	assert_string_equal(out, "/b/x --in /r/c {a}");
	free(out);
}

static void test_gates_unknown_placeholder_is_named(void **state)
{
	(void)state;
	char *out;
	assert_int_equal(pg_expand_placeholders(&out, "{home}/x", "/r", "/b"), PG_EINPUT);
	assert_non_null(strstr(pg_error_message(), "'{home}'"));
}

static void test_gates_splits_command_words_with_quotes(void **state)
{
	(void)state;
	char **v;
	assert_int_equal(pg_split_words(&v, "grep -e 'a b' \"c \\\"d\\\"\" e\\ f"), 0);
	assert_string_equal(v[0], "grep");
	assert_string_equal(v[1], "-e");
	assert_string_equal(v[2], "a b");
	assert_string_equal(v[3], "c \"d\"");
	assert_string_equal(v[4], "e f");
	assert_null(v[5]);
	pg_strv_free(v);
	assert_int_equal(pg_split_words(&v, "echo 'open"), PG_EINPUT);
}

static pg_gates *load_text(const char *text)
{
	cJSON *json;
	pg_gates *g = NULL;
	assert_int_equal(pg_json_parse(&json, text, strlen(text), "test.json"), 0);
	int rc = pg_gates_from_json(&g, json, "test.json", "/root", "/bin");
	cJSON_Delete(json);
	return rc ? NULL : g;
}

static void test_gates_benchmark_keys_override_defaults(void **state)
{
	(void)state;
	pg_gates *g = load_text(
		"{\"schema\":\"perfgate-gates/1\",\"defaults\":{\"runs\":30,\"warmup\":2,\"timeout\":\"5s\","
		"\"regression\":\"7%\"},\"benchmarks\":[{\"name\":\"a\",\"command\":\"x y\",\"runs\":4},"
		"{\"name\":\"b\",\"command\":[\"z\"],\"cwd\":\"sub\"}],"
		"\"gates\":[{\"metric\":\"a.wall.p99\",\"max\":\"10ms\"}]}");
	assert_non_null(g);
	assert_int_equal(g->benchmarks[0].run.runs, 4);
	assert_int_equal(g->benchmarks[0].run.warmup, 2);
	assert_true(g->benchmarks[0].run.timeout_s == 5.0);
	assert_int_equal(g->benchmarks[1].run.runs, 30);
	assert_true(g->regression == 0.07);
	assert_string_equal(g->benchmarks[0].command[1], "y");
	assert_string_equal(g->benchmarks[0].cwd, "/root");
	assert_string_equal(g->benchmarks[1].cwd, "/root/sub");
	assert_true(g->gates[0].has_max);
	assert_int_equal(g->gates[0].max.dim, PG_DIM_TIME);
	pg_gates_free(g);
}

static void test_gates_definition_hash_ignores_run_counts(void **state)
{
	(void)state;
	pg_gates *a = load_text("{\"schema\":\"perfgate-gates/1\",\"benchmarks\":[{\"name\":\"a\",\"command\":[\"x\"],\"runs\":4}]}");
	pg_gates *b = load_text("{\"schema\":\"perfgate-gates/1\",\"benchmarks\":[{\"name\":\"a\",\"command\":[\"x\"],\"runs\":9}]}");
	pg_gates *c = load_text("{\"schema\":\"perfgate-gates/1\",\"benchmarks\":[{\"name\":\"a\",\"command\":[\"y\"]}]}");
	assert_string_equal(a->benchmarks[0].definition_hash, b->benchmarks[0].definition_hash);
	assert_string_not_equal(a->benchmarks[0].definition_hash, c->benchmarks[0].definition_hash);
	pg_gates_free(a);
	pg_gates_free(b);
	pg_gates_free(c);
}

/* The suite's hash of a gates file written as text; caller frees. */
static char *suite_hash(const char *text)
{
	pg_gates *g = load_text(text);
	char *hash = NULL;
	assert_non_null(g);
	assert_int_equal(pg_gates_hash(&hash, g), 0);
	pg_gates_free(g);
	return hash;
}

static void test_gates_hash_follows_the_suite_not_run_counts_or_thresholds(void **state)
{
	(void)state;
	char *ab = suite_hash("{\"schema\":\"perfgate-gates/1\",\"benchmarks\":[{\"name\":\"a\",\"command\":[\"x\"]},"
			      "{\"name\":\"b\",\"command\":[\"y\"]}]}");
	char *retuned = suite_hash("{\"schema\":\"perfgate-gates/1\",\"defaults\":{\"runs\":30,\"regression\":\"5%\"},"
				   "\"benchmarks\":[{\"name\":\"a\",\"command\":[\"x\"],\"runs\":4},"
				   "{\"name\":\"b\",\"command\":[\"y\"]}]}");
	char *ba = suite_hash("{\"schema\":\"perfgate-gates/1\",\"benchmarks\":[{\"name\":\"b\",\"command\":[\"y\"]},"
			      "{\"name\":\"a\",\"command\":[\"x\"]}]}");
	char *changed = suite_hash("{\"schema\":\"perfgate-gates/1\",\"benchmarks\":[{\"name\":\"a\",\"command\":[\"x\"]},"
				   "{\"name\":\"b\",\"command\":[\"z\"]}]}");
	char *fewer = suite_hash("{\"schema\":\"perfgate-gates/1\",\"benchmarks\":[{\"name\":\"a\",\"command\":[\"x\"]}]}");
	assert_int_equal(strlen(ab), 16);
	assert_int_equal(strspn(ab, "0123456789abcdef"), 16);
	assert_string_equal(ab, retuned);
	assert_string_not_equal(ab, ba);
	assert_string_not_equal(ab, changed);
	assert_string_not_equal(ab, fewer);
	free(ab);
	free(retuned);
	free(ba);
	free(changed);
	free(fewer);
}

static void test_gates_duplicate_benchmark_name_is_rejected(void **state)
{
	(void)state;
	assert_null(load_text("{\"schema\":\"perfgate-gates/1\",\"benchmarks\":[{\"name\":\"a\",\"command\":[\"x\"]},"
			      "{\"name\":\"a\",\"command\":[\"y\"]}]}"));
	assert_non_null(strstr(pg_error_message(), "benchmark \"a\" is defined twice"));
}

static void test_gates_gate_without_bounds_is_rejected(void **state)
{
	(void)state;
	assert_null(load_text("{\"schema\":\"perfgate-gates/1\",\"benchmarks\":[],\"gates\":[{\"metric\":\"a.wall\"}]}"));
	assert_non_null(strstr(pg_error_message(), "test.json: $.gates[0]: gate on 'a.wall' sets nothing"));
}

static void test_gates_build_accepts_one_argv_or_a_list(void **state)
{
	(void)state;
	pg_gates *one = load_text("{\"schema\":\"perfgate-gates/1\",\"build\":[\"make\",\"-C\",\"{root}\"],\"benchmarks\":[]}");
	pg_gates *two = load_text("{\"schema\":\"perfgate-gates/1\",\"build\":[[\"cmake\",\"-B\",\"b\"],[\"cmake\",\"--build\",\"b\"]],\"benchmarks\":[]}");
	assert_int_equal(one->n_build, 1);
	assert_string_equal(one->build[0][2], "/root");
	assert_int_equal(two->n_build, 2);
	assert_string_equal(two->build[1][1], "--build");
	pg_gates_free(one);
	pg_gates_free(two);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gates_expands_root_and_bindir_and_literal_braces),
		cmocka_unit_test(test_gates_unknown_placeholder_is_named),
		cmocka_unit_test(test_gates_splits_command_words_with_quotes),
		cmocka_unit_test(test_gates_benchmark_keys_override_defaults),
		cmocka_unit_test(test_gates_definition_hash_ignores_run_counts),
		cmocka_unit_test(test_gates_hash_follows_the_suite_not_run_counts_or_thresholds),
		cmocka_unit_test(test_gates_duplicate_benchmark_name_is_rejected),
		cmocka_unit_test(test_gates_gate_without_bounds_is_rejected),
		cmocka_unit_test(test_gates_build_accepts_one_argv_or_a_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
