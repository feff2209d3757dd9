/* test_result.c - the result set model: perfgate/1 JSON out and in, without loss */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "perfgate/error.h"
#include "perfgate/fileio.h"
#include "perfgate/json.h"
#include "perfgate/result.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64];

static int make_dir(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/pg-result-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static char *in_dir(const char *name)
{
	static char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

/* Values whose shortest decimal form needs 17 digits, or tiny, or huge. */
static const double awkward[] = {0.1, 1.0 / 3.0, 2.0 / 3.0, 1e-300, 123456789.12345679,
				 4.35, 0.30000000000000004, 5e-324, 9007199254740993.0, 42};

static pg_result_set *sample_set(void)
{
	pg_result_set *rs = pg_result_set_new();
	assert_non_null(rs);
	rs->env.key = strdup("linux-x86_64-test");
	rs->env.cpu = strdup("Test CPU \"quoted\"");
	rs->env.cores = 2;
	rs->rss_floor = 1843200;
	pg_benchmark *b = pg_result_set_add_benchmark(rs, "matcher.v2", "matcher");
	b->definition_hash = strdup("0123456789abcdef");
	b->noise_floor = 0.034;
	/* Not a time: a time sample is kept to the nanosecond (see the clock precision test). */
	pg_metric *m = pg_benchmark_add_metric(b, "score", "ratio", PG_BETTER_LOWER);
	for (size_t i = 0; i < sizeof(awkward) / sizeof(awkward[0]); i++)
		assert_int_equal(pg_metric_add_sample(m, awkward[i]), 0);
	m = pg_benchmark_add_metric(b, "hit_rate", "ratio", PG_BETTER_HIGHER);
	pg_metric_set_value(m, 0.862);
	b = pg_result_set_add_benchmark(rs, "broken", "command");
	pg_benchmark_set_status(b, PG_STATUS_FAILED, "run %d exited with status %d", 1, 3);
	assert_int_equal(pg_result_set_summarize(rs), 0);
	return rs;
}

static void test_result_round_trips_doubles_bit_for_bit(void **state)
{
	(void)state;
	pg_result_set *rs = sample_set(), *back;
	char *text, *again;
	cJSON *json;
	assert_int_equal(pg_result_set_to_string(&text, rs, 0), 0);
	assert_int_equal(pg_json_parse(&json, text, strlen(text), "memory"), 0);
	assert_int_equal(pg_result_set_from_json(&back, json, "memory"), 0);
	cJSON_Delete(json);
	const pg_metric *m = &back->benchmarks[0].metrics[0];
	assert_int_equal(m->n_samples, sizeof(awkward) / sizeof(awkward[0]));
	for (size_t i = 0; i < m->n_samples; i++)
		assert_memory_equal(&m->samples[i], &awkward[i], sizeof(double));
	assert_true(back->benchmarks[0].metrics[1].has_value);
	assert_true(back->benchmarks[0].metrics[1].value == 0.862);
	assert_int_equal(back->benchmarks[0].metrics[1].better, PG_BETTER_HIGHER);
	assert_int_equal(back->benchmarks[1].status, PG_STATUS_FAILED);
	assert_string_equal(back->benchmarks[1].reason, "run 1 exited with status 3");
	assert_true(back->benchmarks[0].noise_floor == 0.034);
	assert_true(isnan(back->benchmarks[1].noise_floor)); /* not measured: no key, NAN back */
	assert_null(strstr(strstr(text, "\"broken\""), "noise_floor"));
	assert_string_equal(back->run_id, rs->run_id);
	assert_string_equal(back->env.cpu, "Test CPU \"quoted\"");
	assert_int_equal(pg_result_set_to_string(&again, back, 0), 0);
	assert_string_equal(text, again);
	free(text);
	free(again);
	pg_result_set_free(rs);
	pg_result_set_free(back);
}

/* The text rule numbers had before the fixed-notation fast path: %.0f for whole ones, else the first of %.15g..%.17g that reads back. */
static void reference_text(char buf[40], double v)
{
	if (v == floor(v) && fabs(v) < 9007199254740992.0) {
		snprintf(buf, 40, "%.0f", v);
		return;
	}
	for (int digits = 15; digits <= 17; digits++) {
		snprintf(buf, 40, "%.*g", digits, v);
		if (strtod(buf, NULL) == v)
			break;
	}
}

static void test_result_numbers_print_as_the_shortest_g_text_reads_back(void **state)
{
	(void)state;
	/* Timings with clock precision, arbitrary doubles over 17 decades, signs, tiny fractions. */
	/* And any finite bit pattern, whole numbers of either sign, negative zero, past 2^53, and 9.99..9 that rounds up a decade. */
	srand48(7);
	for (int i = 0; i < 600000; i++) {
		double v;
		switch (i % 10) {
		case 0: v = round(drand48() * 1e9) / 1e6; break;
		case 1: v = -round(drand48() * 1e12) / 1e9; break;
		case 2: v = exp((drand48() - 0.5) * 40); break;
		case 3: v = drand48() * 1e-3; break;
		case 4: v = drand48() * 1e6; break;
		case 5: {
			unsigned long long bits = ((unsigned long long)lrand48() << 33) ^ ((unsigned long long)lrand48() << 11) ^
						  (unsigned long long)lrand48();
			memcpy(&v, &bits, sizeof(v));
			if (!isfinite(v))
				v = 1.5;
			break;
		}
		case 6: v = (drand48() - 0.5) * 2e7 + (i % 20 == 6 ? 0.0 : 0.5); v = floor(v); break;
		case 7: v = i % 3 == 0 ? -0.0 : ldexp(1.0 + drand48(), 53 + (int)(drand48() * 20)); break;
		case 8: v = nextafter(pow(10, (int)(drand48() * 40) - 20), 0) * (i % 4 == 0 ? -1 : 1); break;
		default: v = (double)(lrand48() % 100000) / 1024.0 + drand48() * 1e-12; break;
		}
		char want[40];
		reference_text(want, v);
		cJSON *n = pg_json_number(v);
		assert_non_null(n);
		if (strcmp(want, n->valuestring) != 0)
			fail_msg("%.17g: printed %s, the shortest %%g text is %s", v, n->valuestring, want);
		assert_true(strtod(n->valuestring, NULL) == v);
		cJSON_Delete(n);
	}
}

/* The same document built as a cJSON tree and through the writer: both layouts, byte for byte. */
static void test_json_writer_lays_out_as_cjson_prints(void **state)
{
	(void)state;
	const char *hostile = "q\"b\\s/\b\f\n\r\t\x01\x1f\x7f <&> caf\xc3\xa9";
	for (int pretty = 0; pretty <= 1; pretty++) {
		cJSON *root = cJSON_CreateObject();
		cJSON_AddStringToObject(root, "name", hostile);
		cJSON_AddItemToObject(root, hostile, cJSON_CreateNull());
		cJSON_AddBoolToObject(root, "yes", 1);
		cJSON_AddBoolToObject(root, "no", 0);
		cJSON_AddItemToObject(root, "n", pg_json_number(0.1));
		cJSON_AddItemToObject(root, "nan", pg_json_number(NAN));
		cJSON_AddObjectToObject(root, "empty_object");
		cJSON_AddArrayToObject(root, "empty_array");
		cJSON *list = cJSON_AddArrayToObject(root, "list");
		for (int i = 0; i < 3; i++) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddItemToObject(o, "i", pg_json_number(i * 1.5));
			cJSON *inner = cJSON_AddArrayToObject(o, "values");
			for (int k = 0; k < i; k++)
				cJSON_AddItemToArray(inner, pg_json_number(1e-7 * k));
			cJSON_AddObjectToObject(o, "nothing");
			cJSON_AddItemToArray(list, o);
		}
		cJSON_AddItemToArray(list, cJSON_CreateString("last"));
		char *want = pretty ? cJSON_Print(root) : cJSON_PrintUnformatted(root);

		pg_json_writer w;
		pg_json_writer_init(&w, pretty);
		pg_json_writer_open(&w, NULL, '{');
		pg_json_writer_string(&w, "name", hostile);
		pg_json_writer_string(&w, hostile, NULL);
		pg_json_writer_bool(&w, "yes", 1);
		pg_json_writer_bool(&w, "no", 0);
		pg_json_writer_number(&w, "n", 0.1);
		pg_json_writer_number(&w, "nan", NAN);
		pg_json_writer_open(&w, "empty_object", '{');
		pg_json_writer_close(&w);
		pg_json_writer_open(&w, "empty_array", '[');
		pg_json_writer_close(&w);
		pg_json_writer_open(&w, "list", '[');
		for (int i = 0; i < 3; i++) {
			pg_json_writer_open(&w, NULL, '{');
			pg_json_writer_number(&w, "i", i * 1.5);
			pg_json_writer_open(&w, "values", '[');
			for (int k = 0; k < i; k++)
				pg_json_writer_number(&w, NULL, 1e-7 * k);
			pg_json_writer_close(&w);
			pg_json_writer_open(&w, "nothing", '{');
			pg_json_writer_close(&w);
			pg_json_writer_close(&w);
		}
		pg_json_writer_string(&w, NULL, "last");
		pg_json_writer_close(&w);
		pg_json_writer_close(&w);
		char *got = NULL;
		size_t len = 0;
		assert_int_equal(pg_json_writer_finish(&w, &got, &len), 0);
		assert_string_equal(got, want);
		assert_int_equal(len, strlen(want));
		free(got);
		cJSON_free(want);
		cJSON_Delete(root);
	}
	/* A bracket left open is the caller's mistake, said as one, and nothing is returned. */
	pg_json_writer w;
	pg_json_writer_init(&w, 0);
	pg_json_writer_open(&w, NULL, '[');
	char *text = (char *)"untouched";
	assert_int_equal(pg_json_writer_finish(&w, &text, NULL), PG_ESYSTEM);
	assert_null(text);
	assert_non_null(strstr(pg_error_message(), "1 open"));
}

/* One document for the two writers below: many items (many 4 KiB fills) and a string longer than one. */
static void write_long_document(pg_json_writer *w, const char *long_string)
{
	pg_json_writer_open(w, NULL, '{');
	pg_json_writer_open(w, "items", '[');
	for (int i = 0; i < 2000; i++) {
		pg_json_writer_open(w, NULL, '{');
		pg_json_writer_number(w, "i", i * 0.37);
		pg_json_writer_string(w, "name", "b\"ench\n");
		pg_json_writer_close(w);
	}
	pg_json_writer_close(w);
	pg_json_writer_string(w, "long", long_string);
	pg_json_writer_close(w);
}

/* A writer to a file writes what the writer in memory returns, byte for byte; a failed write is named. */
static void test_json_writer_to_a_file_writes_the_same_bytes(void **state)
{
	(void)state;
	char *long_string = malloc(20001);
	assert_non_null(long_string);
	for (int i = 0; i < 20000; i++)
		long_string[i] = (char)('a' + i % 26);
	long_string[20000] = '\0';
	for (int pretty = 0; pretty <= 1; pretty++) {
		pg_json_writer w;
		char *want = NULL;
		size_t want_len = 0;
		pg_json_writer_init(&w, pretty);
		write_long_document(&w, long_string);
		assert_int_equal(pg_json_writer_finish(&w, &want, &want_len), 0);
		assert_true(want_len > 20 * 4096);

		char *got = NULL;
		size_t got_len = 0;
		FILE *f = open_memstream(&got, &got_len);
		assert_non_null(f);
		pg_json_writer_init_file(&w, pretty, f);
		write_long_document(&w, long_string);
		/* Written as it went: all but what its buffer holds (grown for the one long string) is out. */
		assert_int_equal(fflush(f), 0);
		assert_true(w.cap <= 32768 && got_len + w.cap >= want_len);
		assert_int_equal(pg_json_writer_finish(&w, NULL, NULL), 0);
		assert_int_equal(fclose(f), 0);
		assert_int_equal(got_len, want_len);
		assert_memory_equal(got, want, want_len);
		free(got);
		free(want);
	}
	/* /dev/full, buffered or not: no space left, said as a system error. */
	for (int buffered = 0; buffered <= 1; buffered++) {
		FILE *full = fopen("/dev/full", "w");
		assert_non_null(full);
		if (!buffered)
			setvbuf(full, NULL, _IONBF, 0);
		pg_json_writer w;
		pg_json_writer_init_file(&w, 0, full);
		pg_json_writer_open(&w, NULL, '[');
		pg_json_writer_string(&w, NULL, buffered ? "short" : long_string);
		pg_json_writer_close(&w);
		assert_int_equal(pg_json_writer_finish(&w, NULL, NULL), PG_ESYSTEM);
		assert_non_null(strstr(pg_error_message(), "cannot write JSON: No space left on device"));
		fclose(full);
	}
	/* A writer to a file has no text to hand back, and one in memory must. */
	pg_json_writer w;
	char *text = NULL;
	pg_json_writer_init_file(&w, 0, stderr);
	pg_json_writer_open(&w, NULL, '[');
	pg_json_writer_close(&w);
	assert_int_equal(pg_json_writer_finish(&w, &text, NULL), PG_ESYSTEM);
	assert_null(text);
	pg_json_writer_init(&w, 0);
	pg_json_writer_open(&w, NULL, '[');
	pg_json_writer_close(&w);
	assert_int_equal(pg_json_writer_finish(&w, NULL, NULL), PG_ESYSTEM);
	assert_non_null(strstr(pg_error_message(), "no place for its text"));
	free(long_string);
}

static void test_result_file_round_trip_is_identical(void **state)
{
	(void)state;
	pg_result_set *rs = sample_set(), *back;
	char *first, *second;
	assert_int_equal(pg_result_set_write_file(rs, in_dir("a.json")), 0);
	assert_int_equal(pg_result_set_read_file(&back, in_dir("a.json")), 0);
	assert_int_equal(pg_result_set_write_file(back, in_dir("b.json")), 0);
	assert_int_equal(pg_file_read(&first, NULL, in_dir("a.json")), 0);
	assert_int_equal(pg_file_read(&second, NULL, in_dir("b.json")), 0);
	assert_string_equal(first, second);
	free(first);
	free(second);
	pg_result_set_free(rs);
	pg_result_set_free(back);
}

static void test_result_written_by_perfgate_run_reads_back_identical(void **state)
{
	(void)state;
	const char *bindir = getenv("PG_BINDIR");
	char cmd[1024], *first, *second;
	pg_result_set *back;
	if (!bindir)
		skip();
	snprintf(cmd, sizeof(cmd),
		 "cd %s && %s/perfgate run -q --runs 5 --warmup 0 -o run.json -- %s/perfgate-workload --work 1",
		 dir, bindir, bindir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(pg_result_set_read_file(&back, in_dir("run.json")), 0);
	assert_int_equal(back->benchmarks[0].metrics[0].n_samples, 5);
	assert_int_equal(pg_result_set_write_file(back, in_dir("run2.json")), 0);
	assert_int_equal(pg_file_read(&first, NULL, in_dir("run.json")), 0);
	assert_int_equal(pg_file_read(&second, NULL, in_dir("run2.json")), 0);
	assert_string_equal(first, second);
	free(first);
	free(second);
	pg_result_set_free(back);
}

/* A time sample as the clock gave it: whole nanoseconds, in a few digits; the summary exact. */
static void test_result_time_samples_keep_the_clock_precision(void **state)
{
	(void)state;
	static const struct {
		const char *unit;
		double in, out;
	} cases[] = {
		{"ms", 0.009684001270215958, 0.009684}, /* a matcher round trip, from seconds * 1e3 */
		{"ms", 5.670610000379384, 5.67061},
		{"ms", 0.0000004, 0},                  /* 0.4 ns */
		{"us", 1.2345678, 1.235},
		{"ns", 921.4, 921},
		{"s", 0.1234567891234, 0.123456789},
		{"bytes", 2572288.5, 2572288.5},       /* not a time: as it is */
	};
	pg_result_set *rs = pg_result_set_new(), *back;
	pg_benchmark *b = pg_result_set_add_benchmark(rs, "t", "command");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char name[16];
		snprintf(name, sizeof(name), "m%zu", i);
		pg_metric_add_sample(pg_benchmark_add_metric(b, name, cases[i].unit, PG_BETTER_LOWER), cases[i].in);
	}
	assert_int_equal(pg_result_set_summarize(rs), 0);
	char *text;
	assert_int_equal(pg_result_set_to_string(&text, rs, 0), 0);
	assert_non_null(strstr(text, "\"samples\":[0.009684]"));
	assert_int_equal(pg_result_set_write_file(rs, in_dir("clock.json")), 0);
	assert_int_equal(pg_result_set_read_file(&back, in_dir("clock.json")), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const pg_metric *m = &back->benchmarks[0].metrics[i];
		assert_true(m->samples[0] == cases[i].out);
		assert_true(m->summary.median == cases[i].in); /* the summary keeps what was measured */
	}
	free(text);
	pg_result_set_free(rs);
	pg_result_set_free(back);
}

static void test_result_keeps_1000_samples_and_the_exact_summary(void **state)
{
	(void)state;
	pg_result_set *rs = pg_result_set_new(), *back;
	pg_benchmark *b = pg_result_set_add_benchmark(rs, "big", "command");
	pg_metric *m = pg_benchmark_add_metric(b, "wall", "ms", PG_BETTER_LOWER);
	for (int i = 0; i < 5000; i++)
		pg_metric_add_sample(m, (double)i);
	assert_int_equal(pg_result_set_summarize(rs), 0);
	assert_int_equal(pg_result_set_write_file(rs, in_dir("big.json")), 0);
	assert_int_equal(pg_result_set_read_file(&back, in_dir("big.json")), 0);
	const pg_metric *bm = &back->benchmarks[0].metrics[0];
	assert_int_equal(bm->n_samples, PG_MAX_STORED_SAMPLES);
	assert_true(bm->samples[0] == 0 && bm->samples[999] == 4999);
	assert_int_equal(bm->summary.n, 5000);
	assert_true(bm->summary.median == 2499.5);
	pg_result_set_free(rs);
	pg_result_set_free(back);
}

/* Read a note's line back as a reader of the store does. */
static pg_result_set *from_note(const char *line)
{
	pg_result_set *rs = NULL;
	cJSON *json = cJSON_Parse(line);
	assert_non_null(json);
	assert_int_equal(pg_result_set_from_json(&rs, json, "note"), 0);
	cJSON_Delete(json);
	return rs;
}

static void test_note_writes_clock_ticks_and_reads_the_same_samples(void **state)
{
	(void)state;
	pg_result_set *rs = pg_result_set_new();
	pg_benchmark *b = pg_result_set_add_benchmark(rs, "t", "command");
	pg_benchmark_add_metric(b, "wall", "ms", PG_BETTER_LOWER);
	pg_benchmark_add_metric(b, "rss_mean", "bytes", PG_BETTER_LOWER);
	pg_benchmark_add_metric(b, "cpu_percent", "ratio", PG_BETTER_HIGHER);
	const double times[] = {0.009684001270215958, 5.670610000379384, 0.000962};
	for (size_t i = 0; i < 3; i++) {
		pg_metric_add_sample(&b->metrics[0], times[i]);
		pg_metric_add_sample(&b->metrics[1], 39459374.54545455 + (double)i);
		pg_metric_add_sample(&b->metrics[2], 0.24484797995746463 + (double)i);
	}
	assert_int_equal(pg_result_set_summarize(rs), 0);
	char *note, *design;
	assert_int_equal(pg_result_set_to_note(&note, rs), 0);
	assert_int_equal(pg_result_set_to_string(&design, rs, 0), 0);
	assert_non_null(strstr(note, "\"ticks\":[9684,5670610,962],\"per_unit\":1000000"));
	assert_non_null(strstr(note, "\"samples\":[39459375,39459376,39459377]"));
	assert_non_null(strstr(note, "\"samples\":[0.244848,1.244848,2.244848]"));
	/* Every sample is kept, so the reader computes the summary; "better" only where it is not "lower". */
	assert_null(strstr(note, "\"summary\""));
	assert_null(strstr(note, "\"better\":\"lower\""));
	assert_non_null(strstr(note, "\"better\":\"higher\""));
	assert_true(strlen(note) < strlen(design));
	pg_result_set *back = from_note(note), *full = from_note(design);
	const pg_metric *bw = &back->benchmarks[0].metrics[0], *fw = &full->benchmarks[0].metrics[0];
	assert_int_equal(bw->n_samples, 3);
	for (size_t i = 0; i < 3; i++)
		assert_true(bw->samples[i] == fw->samples[i]); /* the same doubles as DESIGN's form */
	assert_true(bw->has_summary && bw->summary.median == 0.009684);
	assert_true(back->benchmarks[0].metrics[2].better == PG_BETTER_HIGHER);
	free(note);
	free(design);
	pg_result_set_free(back);
	pg_result_set_free(full);
	pg_result_set_free(rs);
}

static void test_note_keeps_fewer_samples_to_fit_and_the_exact_summary(void **state)
{
	(void)state;
	pg_result_set *rs = pg_result_set_new();
	pg_benchmark *b = pg_result_set_add_benchmark(rs, "matcher", "matcher");
	for (int k = 0; k < 3; k++) {
		char name[16];
		snprintf(name, sizeof(name), "latency%d", k);
		pg_metric *m = pg_benchmark_add_metric(b, name, "ms", PG_BETTER_LOWER);
		for (int i = 0; i < 4000; i++)
			pg_metric_add_sample(m, 1.0 + (double)((i * 7919) % 4000) * 0.000731);
	}
	pg_benchmark_add_metric(b, "cold_start", "ms", PG_BETTER_LOWER);
	for (int i = 0; i < 5; i++)
		pg_metric_add_sample(&b->metrics[3], 50.0 + i);
	assert_int_equal(pg_result_set_summarize(rs), 0);
	char *note;
	assert_int_equal(pg_result_set_to_note(&note, rs), 0);
	assert_true(strlen(note) <= PG_NOTE_BUDGET);
	pg_result_set *back = from_note(note);
	for (int k = 0; k < 3; k++) {
		const pg_metric *m = &back->benchmarks[0].metrics[k], *orig = &rs->benchmarks[0].metrics[k];
		assert_true(m->n_samples >= 100 && m->n_samples < PG_MAX_STORED_SAMPLES);
		assert_true(m->samples[0] == orig->samples[0]); /* first and last kept, order as run */
		assert_int_equal(m->summary.n, 4000);
		assert_memory_equal(&m->summary, &orig->summary, sizeof(pg_summary));
	}
	assert_int_equal(back->benchmarks[0].metrics[3].n_samples, 5);
	free(note);
	pg_result_set_free(back);
	pg_result_set_free(rs);
}

static void test_note_of_an_import_keeps_every_digit(void **state)
{
	(void)state;
	pg_result_set *rs = pg_result_set_new();
	pg_benchmark *b = pg_result_set_add_benchmark(rs, "BM_x", "import");
	pg_metric *m = pg_benchmark_add_metric(b, "real_time", "ns", PG_BETTER_LOWER);
	pg_metric_add_sample(m, 1234.5678901234);
	assert_int_equal(pg_result_set_summarize(rs), 0);
	char *note;
	assert_int_equal(pg_result_set_to_note(&note, rs), 0);
	pg_result_set *back = from_note(note);
	assert_true(back->benchmarks[0].metrics[0].samples[0] == 1234.5678901234);
	free(note);
	pg_result_set_free(back);
	pg_result_set_free(rs);
}

static void test_note_with_samples_and_ticks_is_rejected_naming_the_metric(void **state)
{
	(void)state;
	pg_result_set *rs = NULL;
	cJSON *json = cJSON_Parse("{\"schema\":\"perfgate/1\",\"run_id\":\"r\",\"benchmarks\":[{\"name\":\"b\","
				  "\"metrics\":[{\"name\":\"wall\",\"unit\":\"ms\",\"samples\":[1],\"ticks\":[1],"
				  "\"per_unit\":1000000}]}]}");
	assert_int_equal(pg_result_set_from_json(&rs, json, "note"), PG_EINPUT);
	assert_non_null(strstr(pg_error_message(), "'wall' has both \"samples\" and \"ticks\""));
	cJSON_Delete(json);
	json = cJSON_Parse("{\"schema\":\"perfgate/1\",\"run_id\":\"r\",\"benchmarks\":[{\"name\":\"b\","
			   "\"metrics\":[{\"name\":\"wall\",\"unit\":\"ms\",\"ticks\":[1],\"per_unit\":0}]}]}");
	assert_int_equal(pg_result_set_from_json(&rs, json, "note"), PG_EINPUT);
	assert_non_null(strstr(pg_error_message(), "per_unit: expected a positive number"));
	cJSON_Delete(json);
}

static void test_result_drops_non_finite_samples_and_counts_them(void **state)
{
	(void)state;
	pg_result_set *rs = pg_result_set_new(), *back;
	pg_benchmark *b = pg_result_set_add_benchmark(rs, "gbench", "import");
	pg_metric *m = pg_benchmark_add_metric(b, "real_time", "ns", PG_BETTER_LOWER);
	pg_metric_add_sample(m, 1.0);
	pg_metric_add_sample(m, NAN);
	pg_metric_add_sample(m, INFINITY);
	pg_metric_add_sample(m, 2.0);
	assert_int_equal(pg_result_set_write_file(rs, in_dir("nan.json")), 0);
	assert_int_equal(pg_result_set_read_file(&back, in_dir("nan.json")), 0);
	assert_int_equal(back->benchmarks[0].metrics[0].n_samples, 2);
	assert_int_equal(back->benchmarks[0].metrics[0].dropped, 2);
	pg_result_set_free(rs);
	pg_result_set_free(back);
}

static void write_text(const char *name, const char *text)
{
	assert_int_equal(pg_file_write_atomic(in_dir(name), text, strlen(text)), 0);
}

static void test_result_truncated_file_is_named(void **state)
{
	(void)state;
	pg_result_set *rs = sample_set(), *back = NULL;
	char *text;
	assert_int_equal(pg_result_set_to_string(&text, rs, 1), 0);
	text[strlen(text) / 2] = '\0';
	write_text("cut.json", text);
	assert_int_equal(pg_result_set_read_file(&back, in_dir("cut.json")), PG_EINPUT);
	assert_null(back);
	assert_non_null(strstr(pg_error_message(), "cut.json"));
	assert_non_null(strstr(pg_error_message(), "ends early"));
	free(text);
	pg_result_set_free(rs);
}

static void test_result_wrong_type_names_the_json_path(void **state)
{
	(void)state;
	pg_result_set *back = NULL;
	write_text("type.json",
		   "{\"schema\":\"perfgate/1\",\"benchmarks\":[{\"name\":\"a\",\"metrics\":"
		   "[{\"name\":\"wall\",\"samples\":[1,\"two\"]}]}]}");
	assert_int_equal(pg_result_set_read_file(&back, in_dir("type.json")), PG_EINPUT);
	assert_non_null(strstr(pg_error_message(),
			       "type.json: $.benchmarks[0].metrics[0].samples[1]: expected a number, found a string"));
}

static void test_result_negative_noise_floor_is_rejected(void **state)
{
	(void)state;
	pg_result_set *back = NULL;
	write_text("floor.json", "{\"schema\":\"perfgate/1\",\"benchmarks\":[{\"name\":\"a\",\"noise_floor\":-0.1,"
				 "\"metrics\":[{\"name\":\"wall\",\"samples\":[1]}]}]}");
	assert_int_equal(pg_result_set_read_file(&back, in_dir("floor.json")), PG_EINPUT);
	assert_non_null(strstr(pg_error_message(),
			       "floor.json: $.benchmarks[0].noise_floor: expected a relative spread >= 0, found -0.1"));
}

static void test_result_other_schema_is_rejected(void **state)
{
	(void)state;
	pg_result_set *back = NULL;
	write_text("schema.json", "{\"schema\":\"perfgate-accept/1\",\"benchmarks\":[]}");
	assert_int_equal(pg_result_set_read_file(&back, in_dir("schema.json")), PG_EINPUT);
	assert_non_null(strstr(pg_error_message(), "expected \"perfgate/1\""));
}

static void test_result_missing_file_is_a_system_error(void **state)
{
	(void)state;
	pg_result_set *back = NULL;
	assert_int_equal(pg_result_set_read_file(&back, in_dir("absent.json")), PG_ESYSTEM);
	assert_non_null(strstr(pg_error_message(), "absent.json"));
}

static void test_result_write_to_missing_directory_leaves_nothing(void **state)
{
	(void)state;
	pg_result_set *rs = sample_set();
	assert_int_equal(pg_result_set_write_file(rs, "/nonexistent-pg-dir/out.json"), PG_ESYSTEM);
	assert_non_null(strstr(pg_error_message(), "/nonexistent-pg-dir/out.json"));
	pg_result_set_free(rs);
}

/* 100 KB of lines, then what *arg says: 0, or PG_EINPUT as a render that fails at its end. */
static int render_lines(FILE *f, void *arg)
{
	for (int i = 0; i < 10000; i++)
		fprintf(f, "line %05d\n", i);
	return *(int *)arg ? pg_error_set(*(int *)arg, "the render failed at its end") : 0;
}

/* The number of entries in dir other than . and .. */
static int entries(const char *where)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "ls -A %s | wc -l", where);
	FILE *p = popen(cmd, "r");
	int n = -1;
	assert_non_null(p);
	assert_int_equal(fscanf(p, "%d", &n), 1);
	pclose(p);
	return n;
}

/* A rendered file is written as it is rendered, all or nothing: a failed render leaves the old file. */
static void test_rendered_file_is_all_or_nothing(void **state)
{
	(void)state;
	char sub[128], path[160];
	snprintf(sub, sizeof(sub), "%s/rendered", dir);
	assert_int_equal(pg_make_dirs(sub, "test directory"), 0);
	snprintf(path, sizeof(path), "%s/out.txt", sub);
	int ok = 0, bad = PG_EINPUT;
	assert_int_equal(pg_file_write_rendered(path, render_lines, &ok), 0);
	char *text = NULL;
	size_t len = 0;
	assert_int_equal(pg_file_read(&text, &len, path), 0);
	assert_int_equal(len, 110000);
	assert_memory_equal(text + len - 11, "line 09999\n", 11);
	free(text);
	assert_int_equal(pg_file_write_atomic(path, "old\n", 4), 0);
	assert_int_equal(pg_file_write_rendered(path, render_lines, &bad), PG_EINPUT);
	assert_non_null(strstr(pg_error_message(), "the render failed at its end"));
	assert_int_equal(pg_file_read(&text, &len, path), 0);
	assert_int_equal(len, 4);
	assert_memory_equal(text, "old\n", 4);
	free(text);
	assert_int_equal(entries(sub), 1); /* no temporary file left beside it */
	/* A derived file (not synced) is replaced as whole, or not at all, the same way. */
	assert_int_equal(pg_file_write_derived(path, render_lines, &bad), PG_EINPUT);
	assert_int_equal(pg_file_read(&text, &len, path), 0);
	assert_int_equal(len, 4);
	free(text);
	assert_int_equal(pg_file_write_derived(path, render_lines, &ok), 0);
	assert_int_equal(pg_file_read(&text, &len, path), 0);
	assert_int_equal(len, 110000);
	free(text);
	assert_int_equal(entries(sub), 1);
}

/* Files of every size around the first buffer's read back byte for byte, and with their length. */
static void test_file_read_returns_every_byte_at_any_size(void **state)
{
	(void)state;
	const size_t sizes[] = {0, 1, 4095, 4096, 4097, 131072, 300001};
	char path[160];
	snprintf(path, sizeof(path), "%s/sized.bin", dir);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		char *data = malloc(sizes[i] + 1), *text = NULL;
		assert_non_null(data);
		for (size_t j = 0; j < sizes[i]; j++)
			data[j] = (char)('a' + (j * 7 + i) % 26);
		assert_int_equal(pg_file_write_atomic(path, data, sizes[i]), 0);
		size_t len = 12345;
		assert_int_equal(pg_file_read(&text, &len, path), 0);
		assert_int_equal(len, sizes[i]);
		assert_memory_equal(text, data, sizes[i]);
		assert_int_equal(text[len], '\0');
		free(text);
		free(data);
	}
	unlink(path);
}

/* A JSON string as written: plain runs whole, each character JSON or HTML needs escaped, UTF-8 as it is. */
static void test_json_string_escapes_what_json_and_html_need(void **state)
{
	(void)state;
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	assert_non_null(out);
	pg_json_write_string(out, "plain \"q\" back\\slash <b>&amp; tab\there \x7f del, \xc2\xb5s, end");
	fputc(' ', out);
	pg_json_write_string(out, "");
	fputc(' ', out);
	pg_json_write_string(out, NULL);
	fputc(' ', out);
	pg_json_write_string(out, "\"");
	assert_int_equal(fclose(out), 0);
	assert_string_equal(text, "\"plain \\\"q\\\" back\\\\slash \\u003cb\\u003e\\u0026amp; tab\\u0009here \\u007f del, "
				  "\xc2\xb5s, end\" \"\" null \"\\\"\"");
	/* And cJSON reads it back as the string written. */
	free(text);
	text = NULL;
	out = open_memstream(&text, &len);
	pg_json_write_string(out, "a \"b\" <c> & \\d\n");
	assert_int_equal(fclose(out), 0);
	cJSON *parsed = cJSON_Parse(text);
	assert_non_null(parsed);
	assert_string_equal(cJSON_GetStringValue(parsed), "a \"b\" <c> & \\d\n");
	cJSON_Delete(parsed);
	free(text);
}

/* bench.metric looked up with and without a hint: the hint is a shortcut, never a different answer. */
static void test_ok_metric_finds_with_any_hint_and_skips_failed_benchmarks(void **state)
{
	(void)state;
	pg_result_set *rs = pg_result_set_new();
	assert_non_null(rs);
	const char *names[] = {"alpha", "beta", "gamma"};
	for (size_t i = 0; i < 3; i++) {
		pg_benchmark *b = pg_result_set_add_benchmark(rs, names[i], "command");
		assert_non_null(b);
		assert_non_null(pg_benchmark_add_metric(b, "wall", "ms", PG_BETTER_LOWER));
		assert_non_null(pg_benchmark_add_metric(b, "rss", "B", PG_BETTER_LOWER));
	}
	assert_int_equal(pg_benchmark_set_status(&rs->benchmarks[1], PG_STATUS_FAILED, "exit %d", 1), 0);
	pg_lookup_hint hint = {0, 0};
	const pg_metric *m = pg_result_set_ok_metric(rs, "gamma", "rss", &hint);
	assert_ptr_equal(m, &rs->benchmarks[2].metrics[1]);
	assert_int_equal(hint.bench, 2);
	assert_int_equal(hint.metric, 1);
	/* A hint at another benchmark (or past the end) still finds the right one. */
	assert_ptr_equal(pg_result_set_ok_metric(rs, "alpha", "wall", &hint), &rs->benchmarks[0].metrics[0]);
	hint = (pg_lookup_hint){99, 99};
	assert_ptr_equal(pg_result_set_ok_metric(rs, "gamma", "wall", &hint), &rs->benchmarks[2].metrics[0]);
	assert_ptr_equal(pg_result_set_ok_metric(rs, "gamma", "wall", NULL), &rs->benchmarks[2].metrics[0]);
	/* A benchmark that failed has no metric to show; neither has a missing one or a missing set. */
	assert_null(pg_result_set_ok_metric(rs, "beta", "wall", &hint));
	assert_null(pg_result_set_ok_metric(rs, "gamma", "cpu", &hint));
	assert_null(pg_result_set_ok_metric(rs, "delta", "wall", NULL));
	assert_null(pg_result_set_ok_metric(NULL, "alpha", "wall", &hint));
	pg_result_set_free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_result_round_trips_doubles_bit_for_bit),
		cmocka_unit_test(test_result_time_samples_keep_the_clock_precision),
		cmocka_unit_test(test_note_writes_clock_ticks_and_reads_the_same_samples),
		cmocka_unit_test(test_note_keeps_fewer_samples_to_fit_and_the_exact_summary),
		cmocka_unit_test(test_note_of_an_import_keeps_every_digit),
		cmocka_unit_test(test_note_with_samples_and_ticks_is_rejected_naming_the_metric),
		cmocka_unit_test(test_result_file_round_trip_is_identical),
		cmocka_unit_test(test_result_written_by_perfgate_run_reads_back_identical),
		cmocka_unit_test(test_result_keeps_1000_samples_and_the_exact_summary),
		cmocka_unit_test(test_result_drops_non_finite_samples_and_counts_them),
		cmocka_unit_test(test_result_truncated_file_is_named),
		cmocka_unit_test(test_result_wrong_type_names_the_json_path),
		cmocka_unit_test(test_result_negative_noise_floor_is_rejected),
		cmocka_unit_test(test_result_other_schema_is_rejected),
		cmocka_unit_test(test_result_missing_file_is_a_system_error),
		cmocka_unit_test(test_result_write_to_missing_directory_leaves_nothing),
		cmocka_unit_test(test_result_numbers_print_as_the_shortest_g_text_reads_back),
		cmocka_unit_test(test_json_writer_lays_out_as_cjson_prints),
		cmocka_unit_test(test_json_writer_to_a_file_writes_the_same_bytes),
		cmocka_unit_test(test_rendered_file_is_all_or_nothing),
		cmocka_unit_test(test_file_read_returns_every_byte_at_any_size),
		cmocka_unit_test(test_json_string_escapes_what_json_and_html_need),
		cmocka_unit_test(test_ok_metric_finds_with_any_hint_and_skips_failed_benchmarks),
	};
	return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
