/* test_plot.c - gnuplot plots: quoting, units, file names, distribution plots, gnuplot missing or failing */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "perfgate/changes.h"
#include "perfgate/compare.h"
#include "perfgate/error.h"
#include "perfgate/plot.h"
#include "report/escape.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HOSTILE_QUOTE "a\"b|c`$(x)`"
#define HOSTILE_SCRIPT "<script>alert(1)</script>"

static char *quoted(const char *s, size_t max)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	assert_non_null(out);
	pg_gnuplot_quote(out, s, max);
	fclose(out);
	return text;
}

static void test_quote_uses_single_quotes_that_gnuplot_never_expands(void **state)
{
	(void)state;
	/* In double quotes gnuplot would run `...` through the shell and read backslash escapes. */
	char *q = quoted("a\"b|c`$(x)` \\n @m {x}^_y", 0);
	assert_string_equal(q, "'a\"b|c`$(x)` \\n @m {x}^_y'");
	free(q);
	q = quoted("it's", 0);
	assert_string_equal(q, "'it'.\"'\".'s'");
	free(q);
	/* gnuplot 5.4 reads '''q' as '' then q, and 'a''''b' as a': a quote is its own piece. */
	q = quoted("'q", 0);
	assert_string_equal(q, "\"'\".'q'");
	free(q);
	q = quoted("a''b'", 0);
	assert_string_equal(q, "'a'.\"'\".\"'\".'b'.\"'\"");
	free(q);
	q = quoted("", 0);
	assert_string_equal(q, "''");
	free(q);
}

static void test_quote_turns_control_characters_into_spaces(void **state)
{
	(void)state;
	char *q = quoted("tab\there\r\nnew\x01x\x7f", 0);
	assert_string_equal(q, "'tab here  new x '");
	free(q);
}

static void test_quote_replaces_what_xml_cannot_hold(void **state)
{
	(void)state;
	/* Invalid UTF-8, a surrogate, U+FFFE: each would make an SVG ill-formed. */
	char *q = quoted("a\xff" "b\xed\xa0\x80" "c\xef\xbf\xbe" "d \xc2\xb5s", 0);
	assert_string_equal(q, "'a\xef\xbf\xbd" "b\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
			       "c\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" "d \xc2\xb5s'");
	free(q);
}

static void test_quote_cuts_long_text_on_a_character_boundary(void **state)
{
	(void)state;
	char *q = quoted("ab\xc2\xb5s", 3);
	assert_string_equal(q, "'ab\xe2\x80\xa6'");
	free(q);
}

static void test_unit_is_chosen_once_from_the_typical_value(void **state)
{
	(void)state;
	pg_plot_unit u;
	pg_plot_unit_choose(&u, "ms", 0.35);
	assert_string_equal(u.name, "\xc2\xb5s");
	assert_float_equal(u.factor, 1000.0, 1e-9);
	pg_plot_unit_choose(&u, "ms", 2.5);
	assert_string_equal(u.name, "ms");
	pg_plot_unit_choose(&u, "ms", 2500);
	assert_string_equal(u.name, "s");
	pg_plot_unit_choose(&u, "bytes", 12.5 * 1048576);
	assert_string_equal(u.name, "MiB");
	assert_float_equal(u.factor, 1.0 / 1048576, 1e-15);
	pg_plot_unit_choose(&u, "ratio", 0.86);
	assert_string_equal(u.name, "%");
	assert_float_equal(u.factor, 100.0, 1e-9);
	pg_plot_unit_choose(&u, "1/s", 25000);
	assert_string_equal(u.name, "k/s");
	pg_plot_unit_choose(&u, "count", 12);
	assert_string_equal(u.name, "");
}

static void test_history_file_is_the_name_the_report_links_to(void **state)
{
	(void)state;
	char file[256], name[256];
	pg_plot_history_file(file, sizeof(file), HOSTILE_QUOTE, "wall", NULL, PG_PLOT_PNG);
	pg_report_plot_name(name, sizeof(name), HOSTILE_QUOTE, "wall");
	assert_int_equal(strncmp(file, name, strlen(name)), 0);
	assert_string_equal(file + strlen(name), ".png");
	assert_string_equal(file, "a_b_c___x__.wall.png");
	pg_plot_history_file(file, sizeof(file), "m", "latency", "median", PG_PLOT_SVG);
	assert_string_equal(file, "m.latency.svg");
	pg_plot_history_file(file, sizeof(file), "m", "latency", "p99", PG_PLOT_SVG);
	assert_string_equal(file, "m.latency.p99.svg");
}

/* ---- distribution plots through a real gnuplot ---- */

static int have_gnuplot(void)
{
	char *path = NULL;
	int ok = pg_gnuplot_find(&path) == 0;
	free(path);
	pg_error_clear();
	return ok;
}

static char *temp_dir(void)
{
	char *dir = strdup("/tmp/perfgate-plot-test.XXXXXX");
	assert_non_null(mkdtemp(dir));
	return dir;
}

static void remove_dir(const char *dir)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static size_t count_files(const char *dir)
{
	DIR *d = opendir(dir);
	size_t n = 0;
	if (!d)
		return 0;
	for (struct dirent *e; (e = readdir(d));)
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *text = malloc((size_t)size + 1);
	assert_non_null(text);
	*len = fread(text, 1, (size_t)size, f);
	text[*len] = '\0';
	fclose(f);
	return text;
}

/* A result set of one benchmark whose metric has n samples around centre (ms). */
static void add_bench(pg_result_set *rs, const char *bench, double centre, size_t n)
{
	pg_benchmark *b = pg_result_set_add_benchmark(rs, bench, "command");
	assert_non_null(b);
	pg_metric *m = pg_benchmark_add_metric(b, "wall", "ms", PG_BETTER_LOWER);
	assert_non_null(m);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(pg_metric_add_sample(m, centre * (1.0 + 0.02 * (double)((i * 7) % 5) - 0.04)), 0);
}

typedef struct sides {
	pg_result_set *head, *base;
	pg_verdict *v;
} sides;

static void compared(sides *s, const char *const *benches, size_t n, double slowdown)
{
	s->head = pg_result_set_new();
	s->base = pg_result_set_new();
	assert_non_null(s->head);
	assert_non_null(s->base);
	free(s->head->commit);
	s->head->commit = strdup("fedcba9876543210fedcba9876543210fedcba98");
	for (size_t i = 0; i < n; i++) {
		add_bench(s->base, benches[i], 2.5, 20);
		add_bench(s->head, benches[i], 2.5 * (1.0 + slowdown), 20);
	}
	assert_int_equal(pg_result_set_summarize(s->base), 0);
	assert_int_equal(pg_result_set_summarize(s->head), 0);
	pg_compare_options co = {0};
	assert_int_equal(pg_compare(&s->v, s->head, s->base, NULL, NULL, &co), 0);
}

static void release(sides *s)
{
	pg_verdict_free(s->v);
	pg_result_set_free(s->head);
	pg_result_set_free(s->base);
}

static void test_verdict_draws_a_png_per_gated_metric(void **state)
{
	(void)state;
	if (!have_gnuplot())
		skip();
	static const char *const benches[] = {"workload", "other"};
	sides s;
	compared(&s, benches, 2, 0.3);
	assert_int_equal(s.v->metrics[0].verdict, PG_CHANGE_REGRESSION);
	char *dir = temp_dir();
	pg_plot_options o = {.format = PG_PLOT_PNG};
	assert_int_equal(pg_plot_verdict(dir, s.head, s.base, s.v, &o), 0);
	for (size_t i = 0; i < 2; i++) {
		char path[512], *png;
		size_t len = 0;
		snprintf(path, sizeof(path), "%s/%s.wall.dist.png", dir, benches[i]);
		assert_non_null(png = read_all(path, &len));
		assert_true(len > 1024);
		assert_memory_equal(png, "\x89PNG\r\n\x1a\n", 8);
		free(png);
	}
	/* Nothing but the plots: the temporary files were renamed. */
	assert_int_equal(count_files(dir), 2);
	remove_dir(dir);
	free(dir);
	release(&s);
}

static void test_verdict_svg_with_hostile_names_is_well_formed(void **state)
{
	(void)state;
	if (!have_gnuplot())
		skip();
	static const char *const benches[] = {HOSTILE_QUOTE, HOSTILE_SCRIPT};
	sides s;
	compared(&s, benches, 2, 0.0);
	char *dir = temp_dir();
	pg_plot_options o = {.format = PG_PLOT_SVG};
	assert_int_equal(pg_plot_verdict(dir, s.head, s.base, s.v, &o), 0);
	static const char *const files[] = {"a_b_c___x__.wall.dist.svg",
					    "_script_alert_1___script_.wall.dist.svg"};
	for (size_t i = 0; i < 2; i++) {
		char path[512], cmd[1024], *svg;
		size_t len = 0;
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		assert_non_null(svg = read_all(path, &len));
		snprintf(cmd, sizeof(cmd), "xmllint --noout '%s'", path);
		assert_int_equal(system(cmd), 0);
		/* The name is there as text, never as markup; the backquotes were not run. */
		assert_null(strstr(svg, "<script"));
		assert_non_null(strstr(svg, i == 0 ? "a\"b|c`$(x)`.wall" : "&lt;script>alert(1)&lt;/script>.wall"));
		/* Two jittered series of 20 runs each. */
		size_t points = 0;
		for (const char *p = svg; (p = strstr(p, "<use ")); p++)
			points++;
		assert_true(points >= 40);
		free(svg);
	}
	remove_dir(dir);
	free(dir);
	release(&s);
}

static void test_verdict_without_gnuplot_says_so_and_writes_nothing(void **state)
{
	(void)state;
	static const char *const benches[] = {"workload"};
	sides s;
	compared(&s, benches, 1, 0.3);
	char *empty = temp_dir(), *dir = temp_dir();
	char *old = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
	setenv("PATH", empty, 1);
	pg_plot_options o = {.format = PG_PLOT_PNG};
	int rc = pg_plot_verdict(dir, s.head, s.base, s.v, &o);
	if (old)
		setenv("PATH", old, 1);
	free(old);
	assert_int_equal(rc, PG_ESYSTEM);
	assert_string_equal(pg_error_message(), "gnuplot not found on PATH: no plots written");
	assert_int_equal(count_files(dir), 0);
	remove_dir(dir);
	remove_dir(empty);
	free(dir);
	free(empty);
	release(&s);
}

static void test_verdict_without_a_base_draws_nothing(void **state)
{
	(void)state;
	static const char *const benches[] = {"workload"};
	sides s;
	compared(&s, benches, 1, 0.3);
	char *dir = temp_dir();
	pg_plot_options o = {.format = PG_PLOT_PNG};
	assert_int_equal(pg_plot_verdict(dir, s.head, NULL, s.v, &o), 0);
	assert_int_equal(count_files(dir), 0);
	remove_dir(dir);
	free(dir);
	release(&s);
}

static void test_a_failing_plot_is_named_and_leaves_no_file(void **state)
{
	(void)state;
	if (!have_gnuplot())
		skip();
	char *dir = temp_dir();
	pg_gnuplot *gp = NULL;
	assert_int_equal(pg_gnuplot_open(&gp, dir, PG_PLOT_PNG), 0);
	FILE *out = pg_gnuplot_begin(gp, "good.png");
	fputs("plot x\n", out);
	pg_gnuplot_end(gp);
	out = pg_gnuplot_begin(gp, "bad.png");
	fputs("plot no_such_variable\n", out);
	pg_gnuplot_end(gp);
	out = pg_gnuplot_begin(gp, "after.png");
	fputs("plot x*x\n", out);
	assert_int_equal(pg_gnuplot_close(gp), PG_ESYSTEM);
	assert_non_null(strstr(pg_error_message(), "bad.png"));
	assert_non_null(strstr(pg_error_message(), "undefined variable"));
	/* The good plots are in place, the bad one and every temporary file gone. */
	char path[512];
	struct stat st;
	snprintf(path, sizeof(path), "%s/good.png", dir);
	assert_int_equal(stat(path, &st), 0);
	snprintf(path, sizeof(path), "%s/after.png", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(count_files(dir), 2);
	remove_dir(dir);
	free(dir);
}

/* Point $TMPDIR at dir (NULL: put the old value back, which *old holds). */
static void swap_tmpdir(char **old, const char *dir)
{
	if (dir) {
		const char *was = getenv("TMPDIR");
		*old = was ? strdup(was) : NULL;
		setenv("TMPDIR", dir, 1);
	} else {
		if (*old)
			setenv("TMPDIR", *old, 1);
		else
			unsetenv("TMPDIR");
		free(*old);
	}
}

/*
 * Each plot's commands are a file gnuplot loads: a plot whose data block
 * never ends takes nothing of the next plot with it (through gnuplot's
 * stdin it would swallow every command after it), and close removes the
 * files and their directory under $TMPDIR.
 */
static void test_each_plot_is_loaded_from_its_own_file_that_close_removes(void **state)
{
	(void)state;
	if (!have_gnuplot())
		skip();
	char *dir = temp_dir(), *tmp = temp_dir(), *old = NULL;
	swap_tmpdir(&old, tmp);
	pg_gnuplot *gp = NULL;
	assert_int_equal(pg_gnuplot_open(&gp, dir, PG_PLOT_SVG), 0);
	FILE *out = pg_gnuplot_begin(gp, "unended.svg");
	fputs("$d << EOD\n1 2\n2 3\n", out);
	pg_gnuplot_end(gp);
	out = pg_gnuplot_begin(gp, "long.svg");
	fputs("$d << EOD\n", out);
	for (int i = 0; i < 5000; i++)
		fprintf(out, "%d %d\n", i, i % 97);
	fputs("EOD\nplot $d using 1:2 with lines\n", out);
	/* Its commands wait in a file of the private directory until gnuplot loads them. */
	assert_int_equal(count_files(tmp), 1);
	pg_gnuplot_end(gp);
	/* The first plot draws nothing; whatever is said of it, nothing is said of the second. */
	if (pg_gnuplot_close(gp))
		assert_null(strstr(pg_error_message(), "long.svg"));
	char path[512];
	size_t len = 0;
	snprintf(path, sizeof(path), "%s/long.svg", dir);
	char *svg = read_all(path, &len);
	assert_non_null(svg);
	assert_non_null(strstr(svg, "</svg>"));
	free(svg);
	assert_int_equal(count_files(tmp), 0);
	swap_tmpdir(&old, NULL);
	remove_dir(dir);
	remove_dir(tmp);
	free(dir);
	free(tmp);
}

static void test_a_tmpdir_that_cannot_be_used_is_named(void **state)
{
	(void)state;
	if (!have_gnuplot())
		skip();
	char *dir = temp_dir(), *old = NULL, missing[600];
	snprintf(missing, sizeof(missing), "%s/no-such-dir", dir);
	swap_tmpdir(&old, missing);
	pg_gnuplot *gp = NULL;
	assert_int_equal(pg_gnuplot_open(&gp, dir, PG_PLOT_SVG), PG_ESYSTEM);
	assert_null(gp);
	assert_non_null(strstr(pg_error_message(), missing));
	assert_non_null(strstr(pg_error_message(), "No such file or directory"));
	swap_tmpdir(&old, NULL);
	remove_dir(dir);
	free(dir);
}

/* ---- change points given to the plot ---- */

/* 30 commits of one benchmark (runs only, no summary), twice as slow from the 16th on. */
static void stepped_history(pg_history *h, pg_history_commit *commits)
{
	for (size_t i = 0; i < 30; i++) {
		snprintf(commits[i].commit, sizeof(commits[i].commit), "%040zx", 0xc0de00 + i);
		commits[i].rs = pg_result_set_new();
		assert_non_null(commits[i].rs);
		add_bench(commits[i].rs, "workload", i < 15 ? 10.0 : 20.0, 9);
	}
	*h = (pg_history){commits, 30, "linux-x86_64", NULL, 0, NULL, 0};
}

/* The plot drawn into dir/name with the given change points; its text (caller frees). */
static char *drawn_with(const char *dir, const char *name, const pg_history *h, const pg_changes *changes)
{
	pg_gnuplot *gp = NULL;
	pg_plot_options o = {.format = PG_PLOT_SVG, .file = name, .changes = changes};
	int drawn = 0;
	assert_int_equal(pg_gnuplot_open(&gp, dir, PG_PLOT_SVG), 0);
	assert_int_equal(pg_plot_history(gp, h, "workload", "wall", NULL, &o, &drawn), 0);
	assert_int_equal(drawn, 1);
	assert_int_equal(pg_gnuplot_close(gp), 0);
	char path[512];
	size_t len = 0;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	char *svg = read_all(path, &len);
	assert_non_null(svg);
	return svg;
}

/*
 * The change points `changes` found are drawn as the plot finds them itself
 * (samples without a summary taken as that verb takes them); ones that are
 * not among the plot's commits are searched again; other ones are drawn
 * where they say.
 */
static void test_history_draws_the_change_points_it_is_given_as_it_finds_them(void **state)
{
	(void)state;
	if (!have_gnuplot())
		skip();
	pg_history_commit commits[30];
	pg_history h;
	stepped_history(&h, commits);
	pg_changes found;
	assert_int_equal(pg_changes_find_metric(&found, &h, "workload", "wall", NULL), 0);
	assert_true(found.n >= 1);
	assert_string_equal(found.items[0].commit, commits[15].commit);
	char *dir = temp_dir();
	char *own = drawn_with(dir, "own.svg", &h, NULL), *given = drawn_with(dir, "given.svg", &h, &found);
	assert_non_null(strstr(own, "change point"));
	assert_string_equal(own, given);
	/* A change point at a commit the plot does not have: searched again, the same plot. */
	pg_change_point stray = found.items[0];
	snprintf(stray.commit, sizeof(stray.commit), "%040d", 7);
	pg_changes elsewhere = {&stray, 1, 1, NULL, 0};
	char *again = drawn_with(dir, "again.svg", &h, &elsewhere);
	assert_string_equal(own, again);
	/* One at another commit of the plot is drawn there: the plot takes what it is given. */
	snprintf(stray.commit, sizeof(stray.commit), "%s", commits[8].commit);
	char *moved = drawn_with(dir, "moved.svg", &h, &elsewhere);
	assert_string_not_equal(own, moved);
	free(own);
	free(given);
	free(again);
	free(moved);
	pg_changes_release(&found);
	for (size_t i = 0; i < 30; i++)
		pg_result_set_free(commits[i].rs);
	remove_dir(dir);
	free(dir);
}

/* ---- every env key on one plot ---- */

/* histories[k] of n commits, each key's result at centre[k] ms, none where absent[k] names the commit. */
typedef struct keyed {
	pg_history h[2];
	pg_history_commit commits[2][4];
} keyed;

static void keyed_histories(keyed *kd, const char *const *keys, const double *centre, const int *absent)
{
	memset(kd, 0, sizeof(*kd));
	for (size_t k = 0; k < 2; k++) {
		for (size_t i = 0; i < 4; i++) {
			snprintf(kd->commits[k][i].commit, sizeof(kd->commits[k][i].commit), "%040zu", i + 1);
			if ((int)i == absent[k])
				continue;
			pg_result_set *rs = pg_result_set_new();
			assert_non_null(rs);
			add_bench(rs, "workload", centre[k] * (i == 3 && k == 1 ? 1.5 : 1.0), 12);
			kd->commits[k][i].rs = rs;
		}
		kd->h[k] = (pg_history){kd->commits[k], 4, (char *)keys[k], NULL, 0, NULL, 0};
	}
}

static void keyed_free(keyed *kd)
{
	for (size_t k = 0; k < 2; k++)
		for (size_t i = 0; i < 4; i++)
			pg_result_set_free(kd->commits[k][i].rs);
}

static void test_history_keys_draws_a_line_per_env_key_titled_with_it(void **state)
{
	(void)state;
	if (!have_gnuplot())
		skip();
	static const char *const keys[] = {"linux-x86_64", "linux-<aarch64>"};
	static const double centre[] = {10, 20};
	static const int absent[] = {1, -1};
	keyed kd;
	keyed_histories(&kd, keys, centre, absent);
	/* The newest commit of the second key is its regression. */
	pg_mark marks_b[4] = {PG_MARK_NONE, PG_MARK_UNCHANGED, PG_MARK_UNCHANGED, PG_MARK_REGRESSION};
	const pg_mark *marks[] = {NULL, marks_b};
	const pg_history *hs[] = {&kd.h[0], &kd.h[1]};
	char *dir = temp_dir();
	pg_gnuplot *gp = NULL;
	assert_int_equal(pg_gnuplot_open(&gp, dir, PG_PLOT_SVG), 0);
	pg_plot_options o = {.format = PG_PLOT_SVG, .file = "keys.svg"};
	int drawn = 0;
	assert_int_equal(pg_plot_history_keys(gp, hs, 2, "workload", "wall", marks, &o, &drawn), 0);
	assert_int_equal(drawn, 1);
	assert_int_equal(pg_gnuplot_close(gp), 0);

	char path[512], cmd[1024], *svg;
	size_t len = 0;
	snprintf(path, sizeof(path), "%s/keys.svg", dir);
	assert_non_null(svg = read_all(path, &len));
	snprintf(cmd, sizeof(cmd), "xmllint --noout '%s'", path);
	assert_int_equal(system(cmd), 0);
	/* A line per key in the key below the plot, the hostile name as text. */
	assert_non_null(strstr(svg, "<text>linux-x86_64</text>"));
	assert_non_null(strstr(svg, "<text>linux-&lt;aarch64></text>"));
	assert_non_null(strstr(svg, "<text>regression: a check against the commits before fails here</text>"));
	assert_non_null(strstr(svg, "in 2 env keys, 4 of the last 4 commits"));
	/* Two lines of two colours: the first key's 3 commits and the second's 4, each with its legend point. */
	const char *first = strstr(svg, "<g id=\"gnuplot_plot_1\""), *second = strstr(svg, "<g id=\"gnuplot_plot_2\"");
	const char *third = strstr(svg, "<g id=\"gnuplot_plot_3\"");
	assert_non_null(first);
	assert_non_null(second);
	assert_non_null(third);
	size_t points[2] = {0, 0};
	for (const char *p = first; (p = strstr(p, "<use ")) && p < second; p++)
		points[0]++;
	for (const char *p = second; (p = strstr(p, "<use ")) && p < third; p++)
		points[1]++;
	assert_int_equal(points[0], 3 + 1);
	assert_int_equal(points[1], 4 + 1);
	assert_non_null(strstr(first, "stroke='rgb( 31,  78, 121)'"));
	assert_non_null(strstr(second, "stroke='rgb(230, 159,   0)'"));
	free(svg);
	remove_dir(dir);
	free(dir);
	keyed_free(&kd);
}

static void test_history_keys_draws_nothing_when_no_key_has_the_metric(void **state)
{
	(void)state;
	static const char *const keys[] = {"a", "b"};
	static const double centre[] = {10, 20};
	static const int absent[] = {-1, -1};
	keyed kd;
	keyed_histories(&kd, keys, centre, absent);
	const pg_history *hs[] = {&kd.h[0], &kd.h[1]};
	pg_plot_options o = {.format = PG_PLOT_SVG, .file = "keys.svg"};
	int drawn = 1;
	/* No gnuplot is needed to find that there is nothing to draw. */
	assert_int_equal(pg_plot_history_keys(NULL, hs, 2, "workload", "no-such-metric", NULL, &o, &drawn), 0);
	assert_int_equal(drawn, 0);
	keyed_free(&kd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quote_uses_single_quotes_that_gnuplot_never_expands),
		cmocka_unit_test(test_quote_turns_control_characters_into_spaces),
		cmocka_unit_test(test_quote_replaces_what_xml_cannot_hold),
		cmocka_unit_test(test_quote_cuts_long_text_on_a_character_boundary),
		cmocka_unit_test(test_unit_is_chosen_once_from_the_typical_value),
		cmocka_unit_test(test_history_file_is_the_name_the_report_links_to),
		cmocka_unit_test(test_verdict_draws_a_png_per_gated_metric),
		cmocka_unit_test(test_verdict_svg_with_hostile_names_is_well_formed),
		cmocka_unit_test(test_verdict_without_gnuplot_says_so_and_writes_nothing),
		cmocka_unit_test(test_verdict_without_a_base_draws_nothing),
		cmocka_unit_test(test_a_failing_plot_is_named_and_leaves_no_file),
		cmocka_unit_test(test_each_plot_is_loaded_from_its_own_file_that_close_removes),
		cmocka_unit_test(test_a_tmpdir_that_cannot_be_used_is_named),
		cmocka_unit_test(test_history_draws_the_change_points_it_is_given_as_it_finds_them),
		cmocka_unit_test(test_history_keys_draws_a_line_per_env_key_titled_with_it),
		cmocka_unit_test(test_history_keys_draws_nothing_when_no_key_has_the_metric),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
