/* test_reports.c - the markdown, JUnit, GitHub and sign-off reports against golden files, and their escaping */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "perfgate/compare.h"
#include "perfgate/json.h"
#include "perfgate/report.h"
#include "perfgate/report_github.h"
#include "report/escape.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The verdicts of fixtures/verdicts/NAME.json, each rendered in every format. */
static const char *const fixtures[] = {"pass_improvement", "fail_mixed", "no_baseline", "hostile"};
#define N_FIXTURES (sizeof(fixtures) / sizeof(fixtures[0]))
/* Where plots are linked from, in the one fixture that links them. */
#define PLOT_URL "https://example.org/perf/plots/"

static char *path_in_source(const char *rel)
{
	const char *src = getenv("PG_SRCDIR");
	char *path = NULL;
	assert_true(asprintf(&path, "%s/%s", src ? src : ".", rel) > 0);
	return path;
}

/* ---- A loader of perfgate-verdict/1 documents (what `--format json` writes). ---- */

static char *string_of(const cJSON *o, const char *key)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(item) ? strdup(item->valuestring) : NULL;
}

static double number_of(const cJSON *o, const char *key)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsNumber(item) ? item->valuedouble : NAN;
}

static int int_of(const cJSON *o, const char *key)
{
	double n = number_of(o, key);
	return isfinite(n) ? (int)n : 0;
}

static int bool_of(const cJSON *o, const char *key)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static pg_change_verdict change_verdict_of(const char *name)
{
	for (int v = PG_CHANGE_UNCHANGED; v <= PG_CHANGE_ACCEPTED; v++)
		if (strcmp(pg_change_verdict_name((pg_change_verdict)v), name) == 0)
			return (pg_change_verdict)v;
	fail_msg("unknown metric verdict '%s'", name);
	return PG_CHANGE_UNCHANGED;
}

static void load_metric(pg_metric_change *c, const cJSON *m)
{
	c->bench = string_of(m, "bench");
	c->metric = string_of(m, "metric");
	c->stat = string_of(m, "stat");
	c->unit = string_of(m, "unit");
	char *better = string_of(m, "better");
	c->better_higher = better && strcmp(better, "higher") == 0;
	free(better);
	c->gated = bool_of(m, "gated");
	c->has_base = isfinite(number_of(m, "base"));
	c->base = number_of(m, "base");
	c->head = number_of(m, "head");
	c->change = number_of(m, "change");
	const cJSON *ci = cJSON_GetObjectItemCaseSensitive(m, "ci");
	c->ci_lo = cJSON_IsArray(ci) ? cJSON_GetArrayItem(ci, 0)->valuedouble : NAN;
	c->ci_hi = cJSON_IsArray(ci) ? cJSON_GetArrayItem(ci, 1)->valuedouble : NAN;
	c->p = number_of(m, "p");
	c->threshold = number_of(m, "threshold");
	c->min_change = isfinite(number_of(m, "min_change")) ? number_of(m, "min_change") : 0;
	c->n_base = (size_t)int_of(m, "n_base");
	c->n_head = (size_t)int_of(m, "n_head");
	c->more_runs = int_of(m, "more_runs");
	char *verdict = string_of(m, "verdict");
	assert_non_null(verdict);
	c->verdict = change_verdict_of(verdict);
	free(verdict);
	c->base_commit = string_of(m, "base_commit");
	c->base_depth = int_of(m, "base_depth");
	c->accepted_by = string_of(m, "accepted_by");
	c->noise_floor = number_of(m, "noise_floor");
	c->note = string_of(m, "note");
	assert_non_null(c->bench);
	assert_non_null(c->metric);
	assert_non_null(c->unit);
}

static void load_gate(pg_gate_result *g, const cJSON *o)
{
	g->metric = string_of(o, "metric");
	g->unit = string_of(o, "unit");
	g->is_max = cJSON_HasObjectItem(o, "max");
	g->bound = number_of(o, g->is_max ? "max" : "min");
	g->value = number_of(o, "value");
	g->pass = bool_of(o, "pass");
	g->reason = string_of(o, "reason");
	assert_non_null(g->metric);
}

static size_t array_size(const cJSON *o, const char *key)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsArray(a) ? (size_t)cJSON_GetArraySize(a) : 0;
}

static pg_verdict *load_verdict(const char *name)
{
	char rel[256];
	snprintf(rel, sizeof(rel), "fixtures/verdicts/%s.json", name);
	char *path = path_in_source(rel);
	cJSON *doc;
	assert_int_equal(pg_json_read_file(&doc, path), 0);
	free(path);
	pg_verdict *v = calloc(1, sizeof(*v));
	assert_non_null(v);
	char *overall = string_of(doc, "verdict");
	assert_non_null(overall);
	for (int o = PG_OVERALL_PASS; o <= PG_OVERALL_INCONCLUSIVE; o++)
		if (strcmp(pg_overall_name((pg_overall)o), overall) == 0)
			v->overall = (pg_overall)o;
	free(overall);
	const cJSON *head = cJSON_GetObjectItemCaseSensitive(doc, "head");
	const cJSON *base = cJSON_GetObjectItemCaseSensitive(doc, "base");
	const cJSON *counts = cJSON_GetObjectItemCaseSensitive(doc, "counts");
	v->head_commit = string_of(head, "commit");
	v->env_key = string_of(head, "env");
	v->base_commit = string_of(base, "commit");
	v->base_depth = int_of(base, "depth");
	v->base_how = string_of(base, "how");
	v->no_baseline = !bool_of(base, "found");
	v->counts.regressions = int_of(counts, "regressions");
	v->counts.improvements = int_of(counts, "improvements");
	v->counts.inconclusive = int_of(counts, "inconclusive");
	v->counts.accepted = int_of(counts, "accepted");
	v->counts.failed_benchmarks = int_of(counts, "failed_benchmarks");
	v->counts.gates_failed = int_of(counts, "gates_failed");

	v->n_metrics = array_size(doc, "metrics");
	v->metrics = calloc(v->n_metrics + 1, sizeof(*v->metrics));
	for (size_t i = 0; i < v->n_metrics; i++)
		load_metric(&v->metrics[i], cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "metrics"), (int)i));
	v->n_gates = array_size(doc, "gates");
	v->gates = calloc(v->n_gates + 1, sizeof(*v->gates));
	for (size_t i = 0; i < v->n_gates; i++)
		load_gate(&v->gates[i], cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "gates"), (int)i));
	v->n_failures = array_size(doc, "benchmarks_not_ok");
	v->failures = calloc(v->n_failures + 1, sizeof(*v->failures));
	for (size_t i = 0; i < v->n_failures; i++) {
		const cJSON *f = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "benchmarks_not_ok"), (int)i);
		v->failures[i].bench = string_of(f, "bench");
		v->failures[i].status = string_of(f, "status");
		v->failures[i].reason = string_of(f, "reason");
	}
	v->n_warnings = array_size(doc, "warnings");
	v->warnings = calloc(v->n_warnings + 1, sizeof(*v->warnings));
	for (size_t i = 0; i < v->n_warnings; i++)
		v->warnings[i] = strdup(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "warnings"), (int)i)->valuestring);
	cJSON_Delete(doc);
	return v;
}

/* ---- Verdicts built in code. ---- */

static pg_verdict *empty_verdict(void)
{
	pg_verdict *v = calloc(1, sizeof(*v));
	assert_non_null(v);
	v->env_key = strdup("linux-x86_64");
	v->head_commit = strdup("0123456789abcdef0123456789abcdef01234567");
	v->base_commit = strdup("89abcdef0123456789abcdef0123456789abcdef");
	v->base_how = strdup("merge-base with origin/main");
	return v;
}

/* n metrics over n/10 benchmarks; every `every`-th one a gated regression, the rest unchanged. */
static pg_verdict *many_metrics(size_t n, size_t every)
{
	pg_verdict *v = empty_verdict();
	v->metrics = calloc(n, sizeof(*v->metrics));
	v->n_metrics = n;
	for (size_t i = 0; i < n; i++) {
		pg_metric_change *c = &v->metrics[i];
		char name[64];
		snprintf(name, sizeof(name), "bench-%zu", i / 10);
		c->bench = strdup(name);
		snprintf(name, sizeof(name), "metric-%zu", i % 10);
		c->metric = strdup(name);
		c->unit = strdup("ms");
		c->gated = 1;
		c->has_base = 1;
		c->base = 10.0 + (double)i;
		c->head = c->base * 1.02;
		c->change = 0.02;
		c->ci_lo = 0.01;
		c->ci_hi = 0.03;
		c->p = 0.2;
		c->threshold = 0.1;
		c->noise_floor = NAN;
		c->verdict = PG_CHANGE_UNCHANGED;
		if (i % every == 0) {
			c->head = c->base * 1.3;
			c->change = 0.3;
			c->p = 0.0001;
			c->verdict = PG_CHANGE_REGRESSION;
			v->counts.regressions++;
		}
	}
	v->overall = v->counts.regressions ? PG_OVERALL_FAIL : PG_OVERALL_PASS;
	return v;
}

static void add_warning(pg_verdict *v, const char *text)
{
	v->warnings = realloc(v->warnings, (v->n_warnings + 1) * sizeof(*v->warnings));
	v->warnings[v->n_warnings++] = strdup(text);
}

/* ---- Rendering and golden files. ---- */

static char *render(pg_render_fn fn, const pg_verdict *v, const pg_report_options *o, size_t *len)
{
	char *text = NULL;
	size_t size = 0;
	FILE *mem = open_memstream(&text, &size);
	assert_non_null(mem);
	assert_int_equal(fn(mem, v, o), 0);
	assert_int_equal(fclose(mem), 0);
	if (len)
		*len = size;
	/*
	 * A copy, not the stream's buffer: GCC 12 at -O2 tracks &text into open_memstream and
	 * takes every pointer into the returned buffer for one into this frame
	 * (-Wdangling-pointer false positive).
	 */
	char *copy = malloc(size + 1);
	assert_non_null(copy);
	memcpy(copy, text, size + 1);
	free(text);
	return copy;
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *text = NULL;
	size_t size = 0;
	FILE *mem = open_memstream(&text, &size);
	char buf[8192];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, mem);
	fclose(f);
	fclose(mem);
	*len = size;
	return text;
}

/* Compare with fixtures/reports/NAME.FORMAT byte for byte; PG_UPDATE_GOLDEN=1 rewrites it. */
static void expect_golden(const char *name, const char *format, const char *text, size_t len)
{
	char rel[256];
	snprintf(rel, sizeof(rel), "fixtures/reports/%s.%s", name, format);
	char *path = path_in_source(rel);
	const char *update = getenv("PG_UPDATE_GOLDEN");
	if (update && strcmp(update, "1") == 0) {
		FILE *f = fopen(path, "wb");
		assert_non_null(f);
		assert_int_equal(fwrite(text, 1, len, f), len);
		assert_int_equal(fclose(f), 0);
		free(path);
		return;
	}
	size_t want_len;
	char *want = read_all(path, &want_len);
	if (!want)
		fail_msg("%s: missing (run with PG_UPDATE_GOLDEN=1 to write it)", path);
	if (want_len != len || memcmp(want, text, len) != 0) {
		size_t i = 0, line = 1;
		while (i < len && i < want_len && want[i] == text[i])
			line += text[i++] == '\n';
		fprintf(stderr, "%s: differs at line %zu\n--- golden\n%.*s\n--- rendered\n%.*s\n", path, line,
			(int)(want_len - i < 200 ? want_len - i : 200), want + i,
			(int)(len - i < 200 ? len - i : 200), text + i);
		free(want);
		free(path);
		fail_msg("rendered %s.%s differs from its golden file", name, format);
	}
	free(want);
	free(path);
}

static void check_format_goldens(const char *format)
{
	const pg_renderer *r = pg_report_find(format);
	assert_non_null(r);
	setenv("PERFGATE_DATE", "2026-01-24", 1);
	setenv("PERFGATE_RELEASE_MANAGER", "Ada Lovelace", 1);
	unsetenv("GITHUB_STEP_SUMMARY");
	unsetenv("GITHUB_OUTPUT");
	for (size_t i = 0; i < N_FIXTURES; i++) {
		pg_verdict *v = load_verdict(fixtures[i]);
		pg_report_options o = {0};
		if (strcmp(fixtures[i], "pass_improvement") == 0)
			o.plot_url = PLOT_URL;
		size_t len;
		char *text = render(r->render, v, &o, &len);
		expect_golden(fixtures[i], format, text, len);
		free(text);
		pg_verdict_free(v);
	}
}

static void test_markdown_matches_golden_files(void **state)
{
	(void)state;
	check_format_goldens("markdown");
}

static void test_junit_matches_golden_files(void **state)
{
	(void)state;
	check_format_goldens("junit");
}

static void test_github_matches_golden_files(void **state)
{
	(void)state;
	check_format_goldens("github");
}

static void test_signoff_matches_golden_files(void **state)
{
	(void)state;
	check_format_goldens("signoff");
}

/* The JSON verdict is written as it goes (no tree): its layout is cJSON_Print's, byte for byte. */
static void test_json_matches_golden_files(void **state)
{
	(void)state;
	check_format_goldens("json");
}

/* The parts no fixture has: the environment probe (verdict and row) and the level shifts. */
static void test_json_probe_and_level_shifts_match_golden_file(void **state)
{
	(void)state;
	pg_verdict *v = load_verdict("fail_mixed");
	assert_true(v->n_metrics >= 2);
	v->metrics[0].probe_ratio = 1.25;
	v->metrics[0].probe_held = 1;
	v->metrics[1].probe_ratio = 0.8;
	v->metrics[1].probe_normalized = 1;
	v->metrics[1].raw_change = -0.125;
	v->probe = (pg_verdict_probe){.state = PG_PROBE_COMPARED, .has_base = 1, .has_head = 1, .base_ms = 40.5,
				      .head_ms = 50.625, .base_spread = 0.01, .head_spread = 0.02, .ratio = 1.25,
				      .noise = 0.05, .moved = 1};
	v->shifts_window = 20;
	v->n_shifts = 2;
	assert_non_null(v->shifts = calloc(2, sizeof(*v->shifts)));
	const char *subjects[] = {"slow \"path\" <b>", NULL};
	for (size_t i = 0; i < 2; i++) {
		pg_level_shift *sh = &v->shifts[i];
		assert_non_null(sh->metric = strdup(i ? "b.rss" : "a.wall"));
		assert_non_null(sh->unit = strdup(i ? "B" : "ms"));
		snprintf(sh->commit, sizeof(sh->commit), "%040zu", i + 1);
		sh->subject = subjects[i] ? strdup(subjects[i]) : NULL;
		sh->before = i ? 1048576 : 10.25;
		sh->after = i ? 2097152 : 12.5;
		sh->change = sh->after / sh->before - 1;
		sh->p = i ? NAN : 0.001;
	}
	pg_report_options o = {0};
	size_t len;
	char *text = render(pg_report_find("json")->render, v, &o, &len);
	expect_golden("probe_shifts", "json", text, len);
	free(text);
	pg_verdict_free(v);
}

static size_t count_lines_starting(const char *text, const char *prefix)
{
	size_t n = 0, plen = strlen(prefix);
	for (const char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
		n += strncmp(line, prefix, plen) == 0;
	return n;
}

/* ---- Markdown. ---- */

static void test_markdown_marker_names_the_env_or_unknown(void **state)
{
	(void)state;
	pg_verdict *v = empty_verdict();
	pg_report_options o = {0};
	char *text = render(pg_report_markdown, v, &o, NULL);
	assert_true(strncmp(text, "<!-- perfgate:linux-x86_64 -->\n✅ **perfgate: pass** — ", 56) == 0);
	free(text);
	free(v->env_key);
	v->env_key = NULL;
	text = render(pg_report_markdown, v, &o, NULL);
	assert_true(strncmp(text, "<!-- perfgate:unknown -->\n", 26) == 0);
	free(text);
	pg_verdict_free(v);
}

static void test_markdown_escapes_every_markup_character(void **state)
{
	(void)state;
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	pg_escape_markdown(mem, "a|b`c*d_e[f]g<h>i&j\nk\\l~m#n$o\x01p", 0, 0);
	fclose(mem);
	assert_string_equal(text, "a\\|b\\`c\\*d\\_e\\[f\\]g&lt;h&gt;i&amp;j k\\\\l\\~m\\#n\\$op");
	free(text);
}

static void test_markdown_escapes_what_would_start_a_block(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
		{"- item", "\\- item"}, {"  > quote", "&gt; quote"}, {"12. x", "12\\. x"},
		{"3) x", "3\\) x"},    {"# h", "\\# h"},          {"1.5 s", "1.5 s"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *text = NULL;
		size_t len = 0;
		FILE *mem = open_memstream(&text, &len);
		pg_escape_markdown(mem, cases[i][0], 0, PG_MD_BLOCK_START);
		fclose(mem);
		assert_string_equal(text, cases[i][1]);
		free(text);
	}
}

static void test_markdown_cuts_long_names_on_a_character_boundary(void **state)
{
	(void)state;
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	pg_escape_markdown(mem, "abcé", 4, 0); /* é is two bytes: cutting at 4 would split it */
	fclose(mem);
	assert_string_equal(text, "abc…");
	free(text);
}

static void test_markdown_hostile_names_stay_text(void **state)
{
	(void)state;
	pg_verdict *v = load_verdict("hostile");
	pg_report_options o = {0};
	char *text = render(pg_report_markdown, v, &o, NULL);
	assert_non_null(strstr(text, "| a\"b\\|c\\`\\$(x)\\` | wall |"));
	assert_non_null(strstr(text, "&lt;script&gt;alert(1)&lt;/script&gt;\\|x&amp;y"));
	assert_null(strstr(text, "<script"));
	assert_null(strstr(text, "<img"));
	assert_null(strstr(text, "<b>"));
	/* The only raw HTML: the marker and the details block. */
	size_t tags = 0;
	for (const char *p = text; (p = strchr(p, '<')); p++)
		tags++;
	assert_int_equal(tags, 5);
	assert_non_null(strstr(text, "<!-- perfgate:x_--__script_alert_1___script_ -->\n"));
	free(text);
	pg_verdict_free(v);
}

static void test_markdown_links_metrics_to_their_plots(void **state)
{
	(void)state;
	pg_verdict *v = load_verdict("hostile");
	pg_report_options o = {.plot_url = "https://example.org/a b(c)/"};
	char *text = render(pg_report_markdown, v, &o, NULL);
	assert_non_null(strstr(text, "[wall](https://example.org/a%20b%28c%29/a_b_c___x__.wall.png)"));
	free(text);
	pg_verdict_free(v);
}

static void test_plot_name_keeps_only_safe_characters(void **state)
{
	(void)state;
	char name[64];
	assert_string_equal(pg_report_plot_name(name, sizeof(name), "my bench/1", "section:.text"),
			    "my_bench_1.section_.text");
	assert_string_equal(pg_report_plot_name(name, 8, "matcher", "latency"), "matcher");
}

static size_t details_rows(const char *text)
{
	const char *details = strstr(text, "<details>");
	assert_non_null(details);
	size_t rows = 0;
	const char *end = strstr(details, "</details>");
	for (const char *p = details; p < end && (p = strstr(p, "\n| bench-")) && p < end; p++)
		rows++;
	return rows;
}

static void test_markdown_of_3000_metrics_fits_a_comment(void **state)
{
	(void)state;
	pg_verdict *v = many_metrics(3000, 100);
	pg_report_options o = {.plot_url = "https://example.org/plots"};
	size_t len;
	char *text = render(pg_report_markdown, v, &o, &len);
	assert_true(len < 65536);
	assert_true(len > 50000); /* the budget is used, not wasted */
	/* Every regression is shown; the folded table says how many rows it left out. */
	assert_int_equal(count_lines_starting(text, "| bench-") - details_rows(text), 30);
	const char *more = strstr(text, "… ");
	assert_non_null(more);
	size_t not_shown = strtoul(more + strlen("… "), NULL, 10);
	assert_non_null(strstr(more, " more metrics not shown (see the JSON report)\n"));
	assert_int_equal(details_rows(text) + not_shown, 3000);
	assert_non_null(strstr(text, "<details><summary>All 3000 metrics</summary>"));
	assert_non_null(strstr(text, "\n</details>\n"));
	/* What follows the details is still there. */
	assert_non_null(strstr(text, "Baseline: 89abcde (merge-base with origin/main) · head 0123456\n"));
	free(text);
	pg_verdict_free(v);
}

static void test_markdown_of_3000_regressions_fits_a_comment(void **state)
{
	(void)state;
	pg_verdict *v = many_metrics(3000, 1);
	for (int i = 0; i < 500; i++)
		add_warning(v, "a warning that is repeated many times to fill the comment up");
	pg_report_options o = {0};
	size_t len;
	char *text = render(pg_report_markdown, v, &o, &len);
	assert_true(len < 65536);
	assert_non_null(strstr(text, " more changes not shown (see the JSON report)\n"));
	assert_non_null(strstr(text, "… 3000 more metrics not shown (see the JSON report)\n"));
	assert_non_null(strstr(text, " more warnings not shown (see the JSON report)\n"));
	assert_non_null(strstr(text, "\nBaseline: "));
	free(text);
	pg_verdict_free(v);
}

/* ---- JUnit. ---- */

static char *xml_escaped(const char *s, int attr)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	pg_escape_xml(mem, s, attr);
	fclose(mem);
	return text;
}

static void test_xml_escape_drops_what_xml_forbids(void **state)
{
	(void)state;
	/* \x01 and ESC are not XML characters; \xff is not UTF-8; EF BF BE is U+FFFE. */
	char *text = xml_escaped("<a b=\"c\" d='e'>&\x01\x1b[0m\xff\xef\xbf\xbe\t\n\r é", 0);
	assert_string_equal(text, "&lt;a b=&quot;c&quot; d=&apos;e&apos;&gt;&amp;[0m\xEF\xBF\xBD\t\n&#13; é");
	free(text);
	text = xml_escaped("a\tb\nc", 1);
	assert_string_equal(text, "a&#9;b&#10;c");
	free(text);
	/* A truncated sequence and a surrogate are not UTF-8 either. */
	text = xml_escaped("x\xe2\x82y\xed\xa0\x80z", 0);
	assert_string_equal(text, "x\xEF\xBF\xBD\xEF\xBF\xBDy\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBDz");
	free(text);
}

static void test_junit_counts_agree_with_the_cases(void **state)
{
	(void)state;
	pg_verdict *v = load_verdict("fail_mixed");
	pg_report_options o = {0};
	char *text = render(pg_report_junit, v, &o, NULL);
	/* 7 gated metrics + 5 gates + 2 "run" cases; failures: ttft, 2 gates, server run. */
	assert_non_null(strstr(text, "<testsuites name=\"perfgate\" tests=\"14\" failures=\"4\">"));
	assert_non_null(strstr(text, "<testsuite name=\"microvm\" tests=\"2\" failures=\"0\" skipped=\"2\">"));
	assert_non_null(strstr(text, "<testcase classname=\"perfgate.matcher\" name=\"gate latency.p99 &lt;= 10.0 ms\">"));
	assert_non_null(strstr(text, "type=\"regression\""));
	assert_non_null(strstr(text, "type=\"gate\""));
	assert_non_null(strstr(text, "type=\"benchmark\""));
	free(text);
	pg_verdict_free(v);
}

/* ---- GitHub. ---- */

static char *gh_escaped(const char *s, int property)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	if (property)
		pg_escape_gh_property(mem, s);
	else
		pg_escape_gh_data(mem, s);
	fclose(mem);
	return text;
}

static void test_github_message_escapes_percent_and_line_ends(void **state)
{
	(void)state;
	/* actions/toolkit escapeData: % first, so "%0A" in data stays data. */
	char *text = gh_escaped("100% of 50%0A\r\nnext: a, b::", 0);
	assert_string_equal(text, "100%25 of 50%250A%0D%0Anext: a, b::");
	free(text);
}

static void test_github_property_also_escapes_colon_and_comma(void **state)
{
	(void)state;
	char *text = gh_escaped("100% of 50%0A\r\nnext: a, b::", 1);
	assert_string_equal(text, "100%25 of 50%250A%0D%0Anext%3A a%2C b%3A%3A");
	free(text);
	text = gh_escaped("perfgate", 1);
	assert_string_equal(text, "perfgate");
	free(text);
}

static void test_github_lines_are_all_commands_whatever_the_names(void **state)
{
	(void)state;
	unsetenv("GITHUB_STEP_SUMMARY");
	unsetenv("GITHUB_OUTPUT");
	pg_verdict *v = load_verdict("hostile");
	pg_report_options o = {0};
	char *text = render(pg_report_github, v, &o, NULL);
	size_t lines = count_lines_starting(text, ""), commands = 0;
	commands += count_lines_starting(text, "::error title=perfgate::");
	commands += count_lines_starting(text, "::warning title=perfgate::");
	assert_int_equal(commands, lines);
	assert_int_equal(count_lines_starting(text, "::error title=perfgate::"), 3);
	assert_non_null(strstr(text, "::error title=perfgate::benchmark -- evil%0A::error::x failed: exit status 1%0A::error::pwned%0D%0A%250A::warning::x, a:b\n"));
	free(text);
	pg_verdict_free(v);
}

static void test_github_shows_ten_of_each_then_says_how_many_more(void **state)
{
	(void)state;
	unsetenv("GITHUB_STEP_SUMMARY");
	unsetenv("GITHUB_OUTPUT");
	pg_verdict *v = many_metrics(15, 1);
	for (int i = 0; i < 12; i++)
		add_warning(v, "a warning");
	pg_report_options o = {0};
	char *text = render(pg_report_github, v, &o, NULL);
	assert_int_equal(count_lines_starting(text, "::error "), 10);
	/* Ten warning places: 8 warnings, then the two notes. */
	assert_int_equal(count_lines_starting(text, "::warning "), 10);
	assert_int_equal(count_lines_starting(text, "::warning title=perfgate::a warning\n"), 8);
	assert_non_null(strstr(text, "::warning title=perfgate::5 more errors not shown (see the step summary)\n"));
	assert_non_null(strstr(text, "::warning title=perfgate::4 more warnings not shown (see the step summary)\n"));
	free(text);
	pg_verdict_free(v);
}

static char *temp_file(const char *content)
{
	char *path = strdup("/tmp/perfgate-test-reports.XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	size_t len = strlen(content);
	assert_int_equal(write(fd, content, len), (ssize_t)len);
	close(fd);
	return path;
}

static void test_github_appends_the_summary_and_the_outputs(void **state)
{
	(void)state;
	char *summary = temp_file("# an earlier step\n");
	char *outputs = temp_file("other=1\n");
	setenv("GITHUB_STEP_SUMMARY", summary, 1);
	setenv("GITHUB_OUTPUT", outputs, 1);
	pg_verdict *v = load_verdict("fail_mixed");
	pg_report_options o = {0};
	char *text = render(pg_report_github, v, &o, NULL);
	char *markdown = render(pg_report_markdown, v, &o, NULL);
	size_t len;
	char *written = read_all(summary, &len);
	char *want = NULL;
	assert_true(asprintf(&want, "# an earlier step\n\n%s", markdown) > 0);
	assert_string_equal(written, want);
	free(written);
	written = read_all(outputs, &len);
	assert_string_equal(written, "other=1\nverdict=fail\nregressions=1\nfailures=3\nimprovements=1\n"
				     "inconclusive=1\naccepted=2\ngates_failed=2\nfailed_benchmarks=1\n");
	free(written);
	free(want);
	free(markdown);
	free(text);
	pg_verdict_free(v);
	unsetenv("GITHUB_STEP_SUMMARY");
	unsetenv("GITHUB_OUTPUT");
	unlink(summary);
	unlink(outputs);
	free(summary);
	free(outputs);
}

static void test_github_summary_near_its_limit_gets_a_note_instead(void **state)
{
	(void)state;
	char *filler = malloc(999001);
	memset(filler, 'x', 999000);
	filler[999000] = '\0';
	char *summary = temp_file(filler);
	free(filler);
	setenv("GITHUB_STEP_SUMMARY", summary, 1);
	unsetenv("GITHUB_OUTPUT");
	pg_verdict *v = load_verdict("fail_mixed");
	pg_report_options o = {0};
	char *text = render(pg_report_github, v, &o, NULL);
	size_t len;
	char *written = read_all(summary, &len);
	assert_true(len < 1000000);
	assert_non_null(strstr(written + 999000, "past GitHub's 1 MiB limit; see the JSON report.\n"));
	assert_null(strstr(written + 999000, "perfgate:linux"));
	free(written);
	free(text);
	pg_verdict_free(v);
	unsetenv("GITHUB_STEP_SUMMARY");
	unlink(summary);
	free(summary);
}

static void test_github_stop_commands_fence_child_output(void **state)
{
	(void)state;
	char *first = NULL, *second = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&first, &len);
	assert_int_equal(pg_report_github_stop_commands(mem, "::error::owned\nlast line"), 0);
	fclose(mem);
	mem = open_memstream(&second, &len);
	assert_int_equal(pg_report_github_stop_commands(mem, NULL), 0);
	fclose(mem);
	const char *prefix = "::stop-commands::";
	assert_true(strncmp(first, prefix, strlen(prefix)) == 0);
	const char *token = first + strlen(prefix);
	for (int i = 0; i < 32; i++)
		assert_true(isxdigit((unsigned char)token[i]) && !isupper((unsigned char)token[i]));
	assert_int_equal(token[32], '\n');
	char want[128];
	snprintf(want, sizeof(want), "\n::error::owned\nlast line\n::%.32s::\n", token);
	assert_string_equal(token + 32, want);
	/* A fresh token each time: output cannot end a fence it has not seen. */
	assert_int_equal(strlen(second), strlen(prefix) + 33 + 2 + 32 + 3);
	assert_true(strncmp(second + strlen(prefix), token, 32) != 0);
	free(first);
	free(second);
}

/* ---- Sign-off. ---- */

static void test_signoff_dates_today_in_utc_without_perfgate_date(void **state)
{
	(void)state;
	unsetenv("PERFGATE_DATE");
	pg_verdict *v = empty_verdict();
	pg_report_options o = {0};
	char *text = render(pg_report_signoff, v, &o, NULL);
	const char *date = strstr(text, "**Date**: ");
	assert_non_null(date);
	date += strlen("**Date**: ");
	for (int i = 0; i < 10; i++)
		assert_true(i == 4 || i == 7 ? date[i] == '-' : isdigit((unsigned char)date[i]));
	assert_non_null(strstr(text, "**Status: APPROVED FOR RELEASE** ✅\n"));
	free(text);
	pg_verdict_free(v);
}

static void test_signoff_takes_the_date_it_is_given(void **state)
{
	(void)state;
	setenv("PERFGATE_DATE", "2000-01-01", 1);
	pg_verdict *v = empty_verdict();
	pg_report_options o = {.date = "2026-01-02"};
	char *text = render(pg_report_signoff, v, &o, NULL);
	assert_non_null(strstr(text, "**Date**: 2026-01-02\n"));
	free(text);
	pg_verdict_free(v);
	unsetenv("PERFGATE_DATE");
}

static void test_signoff_names_who_signs_and_never_leaves_a_placeholder(void **state)
{
	(void)state;
	pg_verdict *v = empty_verdict();
	pg_report_options o = {0};
	unsetenv("PERFGATE_RELEASE_MANAGER");
	unsetenv("GITHUB_ACTOR");
	char *text = render(pg_report_signoff, v, &o, NULL);
	assert_null(strchr(text, '['));
	assert_non_null(strstr(text, "**Release Manager**: not named (set PERFGATE_RELEASE_MANAGER)\n"));
	assert_non_null(strstr(text, "**Signature**: pending: no release manager is named\n"));
	free(text);
	setenv("GITHUB_ACTOR", "octocat", 1);
	text = render(pg_report_signoff, v, &o, NULL);
	assert_non_null(strstr(text, "**Release Manager**: octocat (the GitHub actor of this run)\n"));
	free(text);
	o.signer = "Grace Hopper"; /* over the environment */
	text = render(pg_report_signoff, v, &o, NULL);
	assert_non_null(strstr(text, "**Release Manager**: Grace Hopper\n"));
	assert_non_null(strstr(text, "**Signature**: pending: Grace Hopper signs by approving this report\n"));
	free(text);
	unsetenv("GITHUB_ACTOR");
	pg_verdict_free(v);
}

static void test_signoff_summary_does_not_say_no_regressions_above_accepted_ones(void **state)
{
	(void)state;
	pg_verdict *v = many_metrics(10, 5); /* two regressions */
	v->metrics[0].verdict = PG_CHANGE_ACCEPTED;
	v->metrics[0].accepted_by = strdup("abc1234 faster parser, slower start");
	v->metrics[5].verdict = PG_CHANGE_ACCEPTED;
	pg_compare_options co = {0};
	pg_verdict_decide(v, &co);
	pg_report_options o = {0};
	char *text = render(pg_report_signoff, v, &o, NULL);
	assert_null(strstr(text, "No regressions detected"));
	assert_non_null(strstr(text, "No regressions beyond 2 accepted changes (listed under Regressions)."));
	free(text);
	v->metrics[5].verdict = PG_CHANGE_REGRESSION;
	pg_verdict_decide(v, &co);
	text = render(pg_report_signoff, v, &o, NULL);
	assert_non_null(strstr(text, "1 regression detected, and 1 accepted change."));
	free(text);
	pg_verdict_free(v);
}

static void test_every_new_format_is_registered(void **state)
{
	(void)state;
	static const char *const names[] = {"markdown", "junit", "github", "signoff"};
	for (size_t i = 0; i < 4; i++) {
		const pg_renderer *r = pg_report_find(names[i]);
		assert_non_null(r);
		assert_int_equal(r->to_terminal, 0);
		assert_non_null(strstr(pg_report_format_names(), names[i]));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_markdown_matches_golden_files),
		cmocka_unit_test(test_junit_matches_golden_files),
		cmocka_unit_test(test_github_matches_golden_files),
		cmocka_unit_test(test_signoff_matches_golden_files),
		cmocka_unit_test(test_json_matches_golden_files),
		cmocka_unit_test(test_json_probe_and_level_shifts_match_golden_file),
		cmocka_unit_test(test_markdown_marker_names_the_env_or_unknown),
		cmocka_unit_test(test_markdown_escapes_every_markup_character),
		cmocka_unit_test(test_markdown_escapes_what_would_start_a_block),
		cmocka_unit_test(test_markdown_cuts_long_names_on_a_character_boundary),
		cmocka_unit_test(test_markdown_hostile_names_stay_text),
		cmocka_unit_test(test_markdown_links_metrics_to_their_plots),
		cmocka_unit_test(test_plot_name_keeps_only_safe_characters),
		cmocka_unit_test(test_markdown_of_3000_metrics_fits_a_comment),
		cmocka_unit_test(test_markdown_of_3000_regressions_fits_a_comment),
		cmocka_unit_test(test_xml_escape_drops_what_xml_forbids),
		cmocka_unit_test(test_junit_counts_agree_with_the_cases),
		cmocka_unit_test(test_github_message_escapes_percent_and_line_ends),
		cmocka_unit_test(test_github_property_also_escapes_colon_and_comma),
		cmocka_unit_test(test_github_lines_are_all_commands_whatever_the_names),
		cmocka_unit_test(test_github_shows_ten_of_each_then_says_how_many_more),
		cmocka_unit_test(test_github_appends_the_summary_and_the_outputs),
		cmocka_unit_test(test_github_summary_near_its_limit_gets_a_note_instead),
		cmocka_unit_test(test_github_stop_commands_fence_child_output),
		cmocka_unit_test(test_signoff_dates_today_in_utc_without_perfgate_date),
		cmocka_unit_test(test_signoff_takes_the_date_it_is_given),
		cmocka_unit_test(test_signoff_names_who_signs_and_never_leaves_a_placeholder),
		cmocka_unit_test(test_signoff_summary_does_not_say_no_regressions_above_accepted_ones),
		cmocka_unit_test(test_every_new_format_is_registered),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
