/* test_quantity.c - quantities in (parse) and out (what a person reads) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "perfgate/error.h"
#include "perfgate/quantity.h"

#include <math.h>
#include <string.h>

static void assert_parses(const char *text, double value, pg_dimension dim)
{
	pg_quantity q;
	assert_int_equal(pg_quantity_parse(&q, text), 0);
	assert_int_equal(q.dim, dim);
	assert_true(fabs(q.value - value) <= 1e-12 * fabs(value));
}

static void test_quantity_parses_times(void **state)
{
	(void)state;
	assert_parses("10ms", 0.010, PG_DIM_TIME);
	assert_parses("1.5 s", 1.5, PG_DIM_TIME);
	assert_parses("250us", 250e-6, PG_DIM_TIME);
	assert_parses("60s", 60, PG_DIM_TIME);
	assert_parses("3ns", 3e-9, PG_DIM_TIME);
}

static void test_quantity_parses_decimal_and_binary_bytes(void **state)
{
	(void)state;
	assert_parses("15MB", 15e6, PG_DIM_BYTES);
	assert_parses("15MiB", 15.0 * 1048576, PG_DIM_BYTES);
	assert_parses("4KiB", 4096, PG_DIM_BYTES);
	assert_parses("5 GB", 5e9, PG_DIM_BYTES);
}

static void test_quantity_parses_percent_as_fraction(void **state)
{
	(void)state;
	assert_parses("10%", 0.10, PG_DIM_RATIO);
	assert_parses("+25%", 0.25, PG_DIM_RATIO);
	assert_parses("0.8", 0.8, PG_DIM_NUMBER);
}

static void test_quantity_rejects_unknown_unit_naming_it(void **state)
{
	(void)state;
	pg_quantity q;
	assert_int_equal(pg_quantity_parse(&q, "10 parsecs"), PG_EINPUT);
	assert_non_null(strstr(pg_error_message(), "unknown unit 'parsecs'"));
	assert_int_equal(pg_quantity_parse(&q, "fast"), PG_EINPUT);
	assert_non_null(strstr(pg_error_message(), "'fast' is not a quantity"));
}

static void test_quantity_converts_into_metric_unit(void **state)
{
	(void)state;
	pg_quantity q;
	double v;
	assert_int_equal(pg_quantity_parse(&q, "10ms"), 0);
	assert_int_equal(pg_quantity_in_unit(&v, &q, "ms"), 0);
	assert_true(fabs(v - 10) < 1e-12);
	assert_int_equal(pg_quantity_in_unit(&v, &q, "us"), 0);
	assert_true(fabs(v - 10000) < 1e-9);
	assert_int_equal(pg_quantity_parse(&q, "50MB"), 0);
	assert_int_equal(pg_quantity_in_unit(&v, &q, "bytes"), 0);
	assert_true(v == 50e6);
	assert_int_equal(pg_quantity_in_unit(&v, &q, "ms"), PG_EINPUT);
}

static void assert_prints(double value, const char *unit, const char *expected)
{
	char buf[64];
	assert_string_equal(pg_format_value(buf, sizeof(buf), value, unit), expected);
}

static void test_quantity_prints_three_significant_digits(void **state)
{
	(void)state;
	assert_prints(4.95, "ms", "4.95 ms");
	assert_prints(0.25, "ms", "250 us");
	assert_prints(1500, "ms", "1.50 s");
	assert_prints(12.3 * 1048576, "bytes", "12.3 MiB");
	assert_prints(512, "bytes", "512 B");
	assert_prints(0.862, "ratio", "86.2 %");
	assert_prints(123456, "1/s", "123 k/s");
	assert_prints(42, "count", "42.0");
}

static void test_quantity_prints_change_with_sign(void **state)
{
	(void)state;
	char buf[32];
	assert_string_equal(pg_format_change(buf, sizeof(buf), 0.123), "+12.3 %");
	assert_string_equal(pg_format_change(buf, sizeof(buf), -0.04), "-4.0 %");
	/* float noise around no change reads as no change, never "-0.0 %" */
	assert_string_equal(pg_format_change(buf, sizeof(buf), -1.6e-13), "+0.0 %");
	assert_string_equal(pg_format_change(buf, sizeof(buf), -0.0004), "+0.0 %");
	assert_string_equal(pg_format_change(buf, sizeof(buf), -0.0006), "-0.1 %");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quantity_parses_times),
		cmocka_unit_test(test_quantity_parses_decimal_and_binary_bytes),
		cmocka_unit_test(test_quantity_parses_percent_as_fraction),
		cmocka_unit_test(test_quantity_rejects_unknown_unit_naming_it),
		cmocka_unit_test(test_quantity_converts_into_metric_unit),
		cmocka_unit_test(test_quantity_prints_three_significant_digits),
		cmocka_unit_test(test_quantity_prints_change_with_sign),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
