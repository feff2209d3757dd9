/* junit.c - the verdict as JUnit XML: a test suite per benchmark, a test case per gated metric and gate */
#include "perfgate/error.h"
#include "perfgate/report.h"
#include "report/escape.h"
#include "report/figures.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A benchmark's name, as a pointer and length: a gate names its benchmark as a prefix of a path. */
typedef struct suite {
	const char *name;
	size_t len;
	int tests, failures, skipped;
} suite;

static int same(const suite *s, const char *name, size_t len)
{
	return s->len == len && strncmp(s->name, name, len) == 0;
}

static int is_bench(const suite *s, const char *name)
{
	return name && same(s, name, strlen(name));
}

static int gate_in(const suite *s, const pg_verdict *v, const pg_gate_result *g)
{
	return same(s, g->metric ? g->metric : "", pg_gate_bench_length(v, g));
}

/* A gate on a benchmark that was skipped holds, unmeasured: reported as skipped. */
static int gate_skipped(const pg_gate_result *g)
{
	return g->pass && !isfinite(g->value);
}

/* Benchmarks in the order they first appear: metrics, then failures, then gates. Caller frees. */
static suite *collect_suites(const pg_verdict *v, size_t *n)
{
	size_t cap = v->n_metrics + v->n_failures + v->n_gates + 1;
	suite *s = calloc(cap, sizeof(*s));
	*n = 0;
	if (!s)
		return NULL;
	for (size_t i = 0; i < cap - 1; i++) {
		const char *name;
		size_t len;
		if (i < v->n_metrics) {
			name = v->metrics[i].bench;
			len = strlen(name);
		} else if (i < v->n_metrics + v->n_failures) {
			name = v->failures[i - v->n_metrics].bench;
			len = strlen(name);
		} else {
			const pg_gate_result *g = &v->gates[i - v->n_metrics - v->n_failures];
			name = g->metric ? g->metric : "";
			len = pg_gate_bench_length(v, g);
		}
		/* Consecutive metrics of one benchmark are the common case: check the last one first. */
		int seen = *n > 0 && same(&s[*n - 1], name, len);
		for (size_t j = 0; j < *n && !seen; j++)
			seen = same(&s[j], name, len);
		if (!seen)
			s[(*n)++] = (suite){name, len, 0, 0, 0};
	}
	return s;
}

static void count_suite(suite *s, const pg_verdict *v)
{
	for (size_t i = 0; i < v->n_metrics; i++) {
		const pg_metric_change *c = &v->metrics[i];
		if (c->gated && is_bench(s, c->bench)) {
			s->tests++;
			s->failures += c->verdict == PG_CHANGE_REGRESSION;
		}
	}
	for (size_t i = 0; i < v->n_failures; i++)
		if (is_bench(s, v->failures[i].bench)) {
			s->tests++;
			s->failures += pg_failure_counts(&v->failures[i]);
			s->skipped += !pg_failure_counts(&v->failures[i]);
		}
	for (size_t i = 0; i < v->n_gates; i++)
		if (gate_in(s, v, &v->gates[i])) {
			s->tests++;
			s->failures += !v->gates[i].pass;
			s->skipped += gate_skipped(&v->gates[i]);
		}
}

static void open_case(FILE *out, const suite *s, const char *name, const char *stat)
{
	fputs("    <testcase classname=\"perfgate.", out);
	fwrite(s->name, 1, s->len, out);
	fputs("\" name=\"", out);
	pg_escape_xml(out, name, 1);
	if (stat) {
		fputc('.', out);
		pg_escape_xml(out, stat, 1);
	}
	fputs("\">\n", out);
}

static void metric_case(FILE *out, const suite *s, const pg_metric_change *c)
{
	pg_figures f;
	char line[512], model[96];
	pg_figures_fill(&f, c);
	pg_figures_line(line, sizeof(line), &f);
	open_case(out, s, c->metric, c->stat);
	if (c->verdict == PG_CHANGE_REGRESSION) {
		fputs("      <failure message=\"", out);
		pg_escape_xml(out, c->metric, 1);
		if (c->stat) {
			fputc('.', out);
			pg_escape_xml(out, c->stat, 1);
		}
		fprintf(out, " regressed %s", f.change);
		if (f.threshold[0])
			fprintf(out, " (threshold %s)", f.threshold);
		fputs("\" type=\"regression\">", out);
		pg_escape_xml(out, line, 0);
		if (f.threshold[0])
			fprintf(out, ", threshold %s", f.threshold);
		fprintf(out, ", runs %zu/%zu", c->n_base, c->n_head);
		if (c->note) {
			fputs("; ", out);
			pg_escape_xml(out, c->note, 0);
		}
		if (pg_figures_model(model, sizeof(model), c)[0]) {
			fputs("; model: ", out);
			pg_escape_xml(out, model, 0);
		}
		fputs("</failure>\n", out);
	} else {
		fputs("      <system-out>", out);
		pg_escape_xml(out, pg_change_verdict_name(c->verdict), 0);
		fputs(": ", out);
		pg_escape_xml(out, line, 0);
		if (c->verdict == PG_CHANGE_INCONCLUSIVE && c->more_runs > 0)
			fprintf(out, "; over the %s threshold but not significant: about %d more runs per side would decide",
				f.threshold, c->more_runs);
		if (c->accepted_by) {
			fputs("; accepted by ", out);
			pg_escape_xml(out, c->accepted_by, 0);
		}
		if (c->note) {
			fputs("; ", out);
			pg_escape_xml(out, c->note, 0);
		}
		if (pg_figures_model(model, sizeof(model), c)[0]) {
			fputs("; model: ", out);
			pg_escape_xml(out, model, 0);
		}
		fputs("</system-out>\n", out);
	}
	fputs("    </testcase>\n", out);
}

static void failure_case(FILE *out, const suite *s, const pg_bench_failure *b)
{
	open_case(out, s, "run", NULL);
	if (pg_failure_counts(b)) {
		fputs("      <failure message=\"benchmark ", out);
		pg_escape_xml(out, b->status, 1);
		fputs("\" type=\"benchmark\">", out);
		pg_escape_xml(out, b->status, 0);
		if (b->reason) {
			fputs(": ", out);
			pg_escape_xml(out, b->reason, 0);
		}
		fputs("</failure>\n", out);
	} else {
		fputs("      <skipped message=\"", out);
		pg_escape_xml(out, b->reason ? b->reason : b->status, 1);
		fputs("\"/>\n", out);
	}
	fputs("    </testcase>\n", out);
}

static void gate_case(FILE *out, const suite *s, const pg_verdict *v, const pg_gate_result *g)
{
	pg_gate_figures f;
	pg_gate_figures_fill(&f, g);
	size_t bl = pg_gate_bench_length(v, g);
	const char *metric = g->metric ? g->metric + (bl ? bl + 1 : 0) : "";
	fputs("    <testcase classname=\"perfgate.", out);
	fwrite(s->name, 1, s->len, out);
	fputs("\" name=\"gate ", out);
	pg_escape_xml(out, metric, 1);
	fputs(g->is_max ? " &lt;= " : " &gt;= ", out);
	pg_escape_xml(out, f.bound, 1);
	fputs("\">\n", out);
	if (!g->pass) {
		fputs("      <failure message=\"", out);
		pg_escape_xml(out, g->metric, 1);
		fputs(" = ", out);
		pg_escape_xml(out, f.value, 1);
		fputs(g->is_max ? ", bound &lt;= " : ", bound &gt;= ", out);
		pg_escape_xml(out, f.bound, 1);
		fputs("\" type=\"gate\">", out);
	} else if (gate_skipped(g)) {
		fputs("      <skipped message=\"", out);
		pg_escape_xml(out, g->reason ? g->reason : "not measured", 1);
		fputs("\"/>\n    </testcase>\n", out);
		return;
	} else {
		fputs("      <system-out>", out);
	}
	pg_escape_xml(out, g->metric, 0);
	fputs(": ", out);
	pg_escape_xml(out, f.value, 0);
	fputs(g->is_max ? " (bound &lt;= " : " (bound &gt;= ", out);
	pg_escape_xml(out, f.bound, 0);
	fputc(')', out);
	if (g->reason) {
		fputs("; ", out);
		pg_escape_xml(out, g->reason, 0);
	}
	fputs(g->pass ? "</system-out>\n" : "</failure>\n", out);
	fputs("    </testcase>\n", out);
}

int pg_report_junit(FILE *out, const pg_verdict *v, const pg_report_options *o)
{
	(void)o;
	size_t n;
	suite *suites = collect_suites(v, &n);
	if (!suites)
		return pg_error_set(PG_ENOMEM, "out of memory rendering the JUnit report");
	int tests = 0, failures = 0;
	for (size_t i = 0; i < n; i++) {
		count_suite(&suites[i], v);
		tests += suites[i].tests;
		failures += suites[i].failures;
	}
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
	fprintf(out, "<testsuites name=\"perfgate\" tests=\"%d\" failures=\"%d\">\n", tests, failures);
	for (size_t i = 0; i < n; i++) {
		const suite *s = &suites[i];
		if (s->tests == 0)
			continue;
		/* The suite's name is data: escape it once into a buffer the test cases reuse. */
		char *name = NULL;
		size_t len = 0;
		FILE *mem = open_memstream(&name, &len);
		if (!mem) {
			free(suites);
			return pg_error_set(PG_ENOMEM, "out of memory rendering the JUnit report");
		}
		char *raw = strndup(s->name, s->len);
		pg_escape_xml(mem, raw ? raw : "", 1);
		free(raw);
		if (fclose(mem) != 0 || !raw) {
			free(name);
			free(suites);
			return pg_error_set(PG_ENOMEM, "out of memory rendering the JUnit report");
		}
		fprintf(out, "  <testsuite name=\"%s\" tests=\"%d\" failures=\"%d\" skipped=\"%d\">\n", name,
			s->tests, s->failures, s->skipped);
		if (v->probe.state != PG_PROBE_UNUSED) {
			/* The runner's probe qualifies every time in the suite: a property, as CI tools show them. */
			char text[512];
			fputs("    <properties>\n      <property name=\"perfgate.probe\" value=\"", out);
			pg_escape_xml(out, pg_verdict_probe_text(text, sizeof(text), &v->probe), 1);
			fputs("\"/>\n    </properties>\n", out);
		}
		suite escaped = {name, len, 0, 0, 0};
		for (size_t j = 0; j < v->n_metrics; j++)
			if (v->metrics[j].gated && is_bench(s, v->metrics[j].bench))
				metric_case(out, &escaped, &v->metrics[j]);
		for (size_t j = 0; j < v->n_failures; j++)
			if (is_bench(s, v->failures[j].bench))
				failure_case(out, &escaped, &v->failures[j]);
		for (size_t j = 0; j < v->n_gates; j++)
			if (gate_in(s, v, &v->gates[j]))
				gate_case(out, &escaped, v, &v->gates[j]);
		fputs("  </testsuite>\n", out);
		free(name);
	}
	fputs("</testsuites>\n", out);
	free(suites);
	if (ferror(out))
		return pg_error_set(PG_ESYSTEM, "could not write the JUnit report");
	return 0;
}
