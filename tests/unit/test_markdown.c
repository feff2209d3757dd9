/* test_markdown.c - the dashboard's markdown to HTML: GFM tables, and nothing raw gets through */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "perfgate/error.h"
#include "perfgate/module.h"
#include "publish/commonmark.h"

#include <stdlib.h>
#include <string.h>

/* Runs first: before the module was ever loaded, a directory without it is a clear error. */
static void test_a_missing_module_is_named(void **state)
{
	(void)state;
	char *html = (char *)"not touched";
	pg_module_dir("/nonexistent/perfgate-modules");
	assert_int_equal(pg_markdown_to_html(&html, "# x\n", 4), PG_ESYSTEM);
	assert_null(html);
	assert_non_null(strstr(pg_error_message(), "/nonexistent/perfgate-modules/" PG_COMMONMARK_MODULE));
	/* The build tree's modules, as ctest names it; the tests below load from there. */
	const char *bindir = getenv("PG_BINDIR");
	assert_non_null(bindir);
	pg_module_dir(bindir);
}

static char *html_of(const char *md)
{
	char *html = NULL;
	assert_int_equal(pg_markdown_to_html(&html, md, strlen(md)), 0);
	assert_non_null(html);
	return html;
}

static void test_a_gfm_table_becomes_an_html_table(void **state)
{
	(void)state;
	char *html = html_of("| Metric | Target |\n|:--|:--|\n| a.wall | ≤ 10 ms |\n");
	assert_non_null(strstr(html, "<table>"));
	assert_non_null(strstr(html, "<th align=\"left\">Metric</th>"));
	assert_non_null(strstr(html, "<td align=\"left\">≤ 10 ms</td>"));
	free(html);
}

static void test_raw_html_and_script_links_never_pass(void **state)
{
	(void)state;
	char *html = html_of("<script>alert(1)</script>\n\nsee [x](javascript:alert(1)) and <b>bold</b>\n");
	assert_null(strstr(html, "<script>"));
	assert_null(strstr(html, "<b>"));
	assert_null(strstr(html, "javascript:"));
	free(html);
}

static void test_escaped_markdown_stays_text(void **state)
{
	(void)state;
	/* What pg_escape_markdown makes of a hostile name reads back as that name, as text. */
	char *html = html_of("- bench &lt;script&gt;\\|x\n");
	assert_non_null(strstr(html, "<li>bench &lt;script&gt;|x</li>"));
	free(html);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_missing_module_is_named),
		cmocka_unit_test(test_a_gfm_table_becomes_an_html_table),
		cmocka_unit_test(test_raw_html_and_script_links_never_pass),
		cmocka_unit_test(test_escaped_markdown_stays_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
