/* test_publish.c - the dashboard of several env keys: each platform's status and part, every key on a metric's page */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "gate/site.h"
#include "perfgate/publish.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEAD "1111111111111111111111111111111111111111"
#define PREV "2222222222222222222222222222222222222222"

/* A site of one benchmark "w" with metric "wall", measured in n_keys env keys (up to 3). */
typedef struct fixture {
	pg_publish_model m;
	pg_publish_metric metric;
	pg_publish_series series[3];
	pg_publish_platform platforms[3];
	pg_publish_row rows[3][2];
	char *keys[3];
	double trend[3][2];
} fixture;

static void site_of(fixture *f, size_t n_keys, const char *const *keys)
{
	memset(f, 0, sizeof(*f));
	for (size_t k = 0; k < n_keys; k++) {
		f->keys[k] = (char *)keys[k];
		pg_publish_series *s = &f->series[k];
		s->env_key = f->keys[k];
		s->rows = f->rows[k];
		s->n_rows = 2;
		f->rows[k][0] = (pg_publish_row){PREV, "commit 1", 10.0 * (double)(k + 1), NAN, 5, NAN, NULL, PG_MARK_NONE, 0};
		f->rows[k][1] = (pg_publish_row){HEAD, "commit 2", 10.0 * (double)(k + 1), NAN, 5, 0, NULL, PG_MARK_UNCHANGED, 0};
		s->no_plot = "gnuplot not found on PATH: no plots written";
		f->trend[k][0] = f->trend[k][1] = 10.0 * (double)(k + 1);
		s->card = (pg_publish_card){PG_PUBLISH_PASS, 1, NULL, 10.0 * (double)(k + 1), HEAD, NAN, 0, PREV,
					    f->trend[k], 2};
		f->platforms[k].latest_commit = HEAD;
		f->platforms[k].latest_subject = "commit 2";
		snprintf(f->platforms[k].anchor, sizeof(f->platforms[k].anchor), "env-%s", keys[k]);
	}
	f->metric.bench = "w";
	f->metric.metric = "wall";
	f->metric.unit = "ms";
	f->metric.on_index = 1;
	snprintf(f->metric.page, sizeof(f->metric.page), "w.wall.html");
	snprintf(f->metric.data, sizeof(f->metric.data), "w.wall.json");
	f->metric.threshold = 0.10;
	f->metric.series = f->series;
	f->metric.no_plot = "gnuplot not found on PATH: no plots written";
	f->m.title = "perfgate";
	f->m.head = HEAD;
	f->m.env_keys = f->keys;
	f->m.n_env_keys = n_keys;
	f->m.platforms = f->platforms;
	f->m.n = 50;
	f->m.back = 1;
	f->m.metrics = &f->metric;
	f->m.n_metrics = 1;
	for (size_t k = 0; k < n_keys; k++)
		pg_site_decide_platform(&f->platforms[k], &f->m, k);
}

static char *index_of(const pg_publish_model *m)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	assert_non_null(out);
	pg_publish_page_index(out, m);
	assert_int_equal(fclose(out), 0);
	return text;
}

static char *page_of(const pg_publish_model *m)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	assert_non_null(out);
	pg_publish_page_metric(out, m, &m->metrics[0]);
	assert_int_equal(fclose(out), 0);
	return text;
}

static size_t count(const char *text, const char *what)
{
	size_t n = 0;
	for (const char *p = text; (p = strstr(p, what)); p++)
		n++;
	return n;
}

/* ---- each platform's status, as check decides ---- */

static void test_platform_fails_when_a_card_fails(void **state)
{
	(void)state;
	static const char *const keys[] = {"x86", "arm"};
	fixture f;
	site_of(&f, 2, keys);
	f.series[1].card.status = PG_PUBLISH_FAIL;
	pg_site_decide_platform(&f.platforms[1], &f.m, 1);
	pg_site_decide_platform(&f.platforms[0], &f.m, 0);
	assert_int_equal(f.platforms[1].status, PG_PUBLISH_FAIL);
	assert_int_equal(f.platforms[1].n_fail, 1);
	assert_int_equal(f.platforms[0].status, PG_PUBLISH_PASS);
	assert_int_equal(f.platforms[0].n_compared, 1);
}

static void test_platform_is_inconclusive_only_on_a_gated_metric(void **state)
{
	(void)state;
	static const char *const keys[] = {"x86", "arm"};
	fixture f;
	site_of(&f, 2, keys);
	/* A regression of a metric no gate holds: check reports it and passes. */
	f.series[0].card.status = PG_PUBLISH_WARN;
	f.series[0].card.gated = 0;
	pg_site_decide_platform(&f.platforms[0], &f.m, 0);
	assert_int_equal(f.platforms[0].status, PG_PUBLISH_PASS);
	f.series[0].card.gated = 1;
	pg_site_decide_platform(&f.platforms[0], &f.m, 0);
	assert_int_equal(f.platforms[0].status, PG_PUBLISH_WARN);
	assert_int_equal(f.platforms[0].n_warn, 1);
}

static void test_platform_fails_when_a_benchmark_broke_on_its_newest_commit(void **state)
{
	(void)state;
	static const char *const keys[] = {"x86", "arm"};
	fixture f;
	site_of(&f, 2, keys);
	/* Its card still shows the newest clean result, which passes: check fails on the broken run. */
	f.platforms[1].n_broken = 1;
	f.platforms[1].broken = "w";
	pg_site_decide_platform(&f.platforms[1], &f.m, 1);
	assert_int_equal(f.platforms[1].status, PG_PUBLISH_FAIL);
	char *html = index_of(&f.m);
	assert_non_null(strstr(html, "\xe2\x9d\x8c</span> fail</td><td>benchmark w broke on its newest commit</td>"));
	free(html);
}

static void test_platform_with_a_single_result_has_no_comparison(void **state)
{
	(void)state;
	static const char *const keys[] = {"x86", "arm"};
	fixture f;
	site_of(&f, 2, keys);
	f.series[1].card.status = PG_PUBLISH_NONE;
	pg_site_decide_platform(&f.platforms[1], &f.m, 1);
	assert_int_equal(f.platforms[1].status, PG_PUBLISH_NONE);
	assert_int_equal(f.platforms[1].n_compared, 0);
}

/* ---- the index ---- */

static void test_index_of_two_keys_lists_each_platform_linked_to_its_part(void **state)
{
	(void)state;
	static const char *const keys[] = {"linux-x86_64", "linux-aarch64"};
	fixture f;
	site_of(&f, 2, keys);
	f.series[1].card.status = PG_PUBLISH_FAIL;
	f.series[1].card.status_text = "regression +30.0 % vs 2222222";
	pg_site_decide_platform(&f.platforms[1], &f.m, 1);
	char *html = index_of(&f.m);
	assert_non_null(strstr(html, "<h2>Platforms</h2>"));
	assert_non_null(strstr(html, "<tr><th scope=\"row\"><a href=\"#env-linux-x86_64\">linux-x86_64</a></th>"
				     "<td><code>1111111</code></td><td class=\"subject\" title=\"commit 2\">commit 2</td>"
				     "<td class=\"status pass\">"));
	assert_non_null(strstr(html, "<a href=\"#env-linux-aarch64\">linux-aarch64</a>"));
	assert_non_null(strstr(html, "\xe2\x9d\x8c</span> fail</td><td><a href=\"w.wall.html\">w.wall</a> "
				     "regression +30.0 % vs 2222222</td>"));
	assert_non_null(strstr(html, "<section class=\"platform\" id=\"env-linux-x86_64\""));
	assert_non_null(strstr(html, "<section class=\"platform\" id=\"env-linux-aarch64\""));
	/* Each part has its card, the benchmark's name a heading under the key's. */
	assert_int_equal(count(html, "<article class=\"card\">"), 2);
	assert_int_equal(count(html, "<h3>w</h3>"), 2);
	assert_non_null(strstr(html, ">20.0 ms</td>"));
	free(html);
}

static void test_index_of_one_key_is_the_cards_alone(void **state)
{
	(void)state;
	static const char *const keys[] = {"linux-x86_64"};
	fixture f;
	site_of(&f, 1, keys);
	char *html = index_of(&f.m);
	assert_null(strstr(html, "Platforms"));
	assert_null(strstr(html, "class=\"platform\""));
	assert_non_null(strstr(html, "<section class=\"cards\" aria-label=\"benchmarks\">\n"
				     "<article class=\"card\">\n<h2>w</h2>"));
	free(html);
}

/* ---- a metric's page ---- */

static void test_metric_page_of_two_keys_shows_every_key_then_each(void **state)
{
	(void)state;
	static const char *const keys[] = {"linux-x86_64", "linux-aarch64"};
	fixture f;
	site_of(&f, 2, keys);
	snprintf(f.metric.plot_key, sizeof(f.metric.plot_key), "0123456789abcdef");
	f.metric.svg = "<svg>every key</svg>";
	char *html = page_of(&f.m);
	const char *together = strstr(html, "<section class=\"together\"");
	const char *keyed = strstr(html, "<div class=\"keys\">");
	assert_non_null(together);
	assert_non_null(keyed);
	assert_true(together < keyed);
	assert_non_null(strstr(together, "<!-- plot:0123456789abcdef --><svg>every key</svg><!-- /plot -->"));
	/* Each key's newest result, linked to its section below. */
	assert_non_null(strstr(together, "<a href=\"#env-linux-aarch64\">linux-aarch64</a></th><td><code>1111111</code>"
					 "</td><td class=\"num\">20.0 ms</td>"));
	assert_non_null(strstr(keyed, "<section class=\"key\" id=\"env-linux-x86_64\">\n<h2>env linux-x86_64</h2>"));
	assert_non_null(strstr(keyed, "<section class=\"key\" id=\"env-linux-aarch64\">\n<h2>env linux-aarch64</h2>"));
	/* Each key's table of its commits. */
	assert_int_equal(count(keyed, "<tr><td data-v="), 4);
	free(html);
}

static void test_metric_page_of_one_key_has_no_plot_of_every_key(void **state)
{
	(void)state;
	static const char *const keys[] = {"linux-x86_64"};
	fixture f;
	site_of(&f, 1, keys);
	snprintf(f.metric.page_key, sizeof(f.metric.page_key), "fedcba9876543210");
	char *html = page_of(&f.m);
	assert_null(strstr(html, "class=\"together\""));
	assert_non_null(strstr(html, "<section class=\"key\">\n<h2>env linux-x86_64</h2>"));
	/* The page's key, by which the next publish knows it, is said once. */
	assert_int_equal(count(html, "<!-- page:fedcba9876543210 -->"), 1);
	free(html);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_platform_fails_when_a_card_fails),
		cmocka_unit_test(test_platform_is_inconclusive_only_on_a_gated_metric),
		cmocka_unit_test(test_platform_fails_when_a_benchmark_broke_on_its_newest_commit),
		cmocka_unit_test(test_platform_with_a_single_result_has_no_comparison),
		cmocka_unit_test(test_index_of_two_keys_lists_each_platform_linked_to_its_part),
		cmocka_unit_test(test_index_of_one_key_is_the_cards_alone),
		cmocka_unit_test(test_metric_page_of_two_keys_shows_every_key_then_each),
		cmocka_unit_test(test_metric_page_of_one_key_has_no_plot_of_every_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
