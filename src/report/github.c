/* github.c - the verdict for GitHub Actions: annotations, the step summary, the step's outputs */
#include "perfgate/report_github.h"

#include "perfgate/error.h"
#include "perfgate/report.h"
#include "report/escape.h"
#include "report/figures.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>

/* GitHub shows 10 error and 10 warning annotations of a step and drops the rest silently. */
#define MAX_ANNOTATIONS 10
/* The step summary is refused over 1 MiB; stay clear of it. */
#define SUMMARY_LIMIT 1000000

static void begin(FILE *out, const char *kind)
{
	fprintf(out, "::%s title=", kind);
	pg_escape_gh_property(out, "perfgate");
	fputs("::", out);
}

static void metric_name(FILE *out, const pg_metric_change *c)
{
	pg_escape_gh_data(out, c->bench);
	fputc(' ', out);
	pg_escape_gh_data(out, c->metric);
	if (c->stat) {
		fputc('.', out);
		pg_escape_gh_data(out, c->stat);
	}
}

static void metric_annotation(FILE *out, const char *kind, const pg_metric_change *c)
{
	pg_figures f;
	char line[512];
	pg_figures_fill(&f, c);
	begin(out, kind);
	metric_name(out, c);
	fprintf(out, " %s: ", c->verdict == PG_CHANGE_REGRESSION ? "regressed" : pg_change_verdict_name(c->verdict));
	pg_escape_gh_data(out, pg_figures_line(line, sizeof(line), &f));
	if (f.threshold[0]) {
		fputs(" (threshold ", out);
		pg_escape_gh_data(out, f.threshold);
		fputc(')', out);
	}
	if (c->verdict == PG_CHANGE_INCONCLUSIVE && c->more_runs > 0)
		fprintf(out, "; not significant: about %d more runs per side would decide", c->more_runs);
	if (c->verdict == PG_CHANGE_ACCEPTED) {
		fputs("; accepted by ", out);
		pg_escape_gh_data(out, c->accepted_by ? c->accepted_by : "an acceptance");
	}
	if (c->note) {
		fputs("; ", out);
		pg_escape_gh_data(out, c->note);
	}
	char model[96];
	if (pg_figures_model(model, sizeof(model), c)[0]) {
		fputs("; model: ", out);
		pg_escape_gh_data(out, model);
	}
	fputc('\n', out);
}

static void gate_annotation(FILE *out, const pg_gate_result *g)
{
	pg_gate_figures f;
	pg_gate_figures_fill(&f, g);
	begin(out, "error");
	fputs("gate ", out);
	pg_escape_gh_data(out, g->metric);
	fprintf(out, " %s ", f.op);
	pg_escape_gh_data(out, f.bound);
	fputs(" failed: ", out);
	pg_escape_gh_data(out, f.value);
	if (g->reason) {
		fputs(" (", out);
		pg_escape_gh_data(out, g->reason);
		fputc(')', out);
	}
	fputc('\n', out);
}

static void bench_annotation(FILE *out, const char *kind, const pg_bench_failure *b)
{
	begin(out, kind);
	fputs("benchmark ", out);
	pg_escape_gh_data(out, b->bench);
	fputc(' ', out);
	pg_escape_gh_data(out, b->status);
	if (b->reason) {
		fputs(": ", out);
		pg_escape_gh_data(out, b->reason);
	}
	fputc('\n', out);
}

/*
 * The error annotations in order: regressions, failed gates, failed
 * benchmarks. Writes the first `limit` to out (out NULL: none) and returns
 * how many there are.
 */
static size_t errors(FILE *out, const pg_verdict *v, size_t limit)
{
	size_t n = 0;
	for (size_t i = 0; i < v->n_metrics; i++)
		if (v->metrics[i].gated && v->metrics[i].verdict == PG_CHANGE_REGRESSION && n++ < limit && out)
			metric_annotation(out, "error", &v->metrics[i]);
	for (size_t i = 0; i < v->n_gates; i++)
		if (!v->gates[i].pass && n++ < limit && out)
			gate_annotation(out, &v->gates[i]);
	for (size_t i = 0; i < v->n_failures; i++)
		if (pg_failure_counts(&v->failures[i]) && n++ < limit && out)
			bench_annotation(out, "error", &v->failures[i]);
	return n;
}

/* The warning annotations: inconclusive metrics, skipped benchmarks, warnings, accepted changes. */
static size_t warnings(FILE *out, const pg_verdict *v, size_t limit)
{
	size_t n = 0;
	for (size_t i = 0; i < v->n_metrics; i++)
		if (v->metrics[i].gated && v->metrics[i].verdict == PG_CHANGE_INCONCLUSIVE && n++ < limit && out)
			metric_annotation(out, "warning", &v->metrics[i]);
	for (size_t i = 0; i < v->n_failures; i++)
		if (!pg_failure_counts(&v->failures[i]) && n++ < limit && out)
			bench_annotation(out, "warning", &v->failures[i]);
	for (size_t i = 0; i < v->n_warnings; i++)
		if (n++ < limit && out) {
			begin(out, "warning");
			pg_escape_gh_data(out, v->warnings[i]);
			fputc('\n', out);
		}
	for (size_t i = 0; i < v->n_metrics; i++)
		if (v->metrics[i].verdict == PG_CHANGE_ACCEPTED && n++ < limit && out)
			metric_annotation(out, "warning", &v->metrics[i]);
	return n;
}

static void annotate(FILE *out, const pg_verdict *v)
{
	size_t n_errors = errors(NULL, v, 0), n_warnings = warnings(NULL, v, 0);
	/* The "more" notes are warnings too: they take warning places, so none is dropped. */
	int errors_cut = n_errors > MAX_ANNOTATIONS;
	size_t warning_places = MAX_ANNOTATIONS - (size_t)errors_cut;
	size_t warnings_shown = n_warnings <= warning_places ? n_warnings : warning_places - 1;
	errors(out, v, MAX_ANNOTATIONS);
	warnings(out, v, warnings_shown);
	if (errors_cut) {
		begin(out, "warning");
		fprintf(out, "%zu more errors not shown (see the step summary)\n", n_errors - MAX_ANNOTATIONS);
	}
	if (warnings_shown < n_warnings) {
		begin(out, "warning");
		fprintf(out, "%zu more warnings not shown (see the step summary)\n",
			n_warnings - warnings_shown);
	}
}

static int append_summary(const char *path, const pg_verdict *v, const pg_report_options *o)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	if (!mem)
		return pg_error_set(PG_ENOMEM, "out of memory rendering the step summary");
	int rc = pg_report_markdown(mem, v, o);
	if (fclose(mem) != 0 && !rc)
		rc = pg_error_set(PG_ENOMEM, "out of memory rendering the step summary");
	if (rc) {
		free(text);
		return rc;
	}
	struct stat st;
	size_t have = stat(path, &st) == 0 ? (size_t)st.st_size : 0;
	FILE *f = fopen(path, "a");
	if (!f) {
		free(text);
		return pg_error_set(PG_ESYSTEM, "GITHUB_STEP_SUMMARY %s: %s", path, strerror(errno));
	}
	if (have + len + 1 > SUMMARY_LIMIT)
		fprintf(f, "\nperfgate: the report (%zu bytes) would take the step summary past GitHub's 1 MiB limit; see the JSON report.\n",
			len);
	else
		fprintf(f, "\n%s", text);
	free(text);
	if (fclose(f) != 0)
		return pg_error_set(PG_ESYSTEM, "GITHUB_STEP_SUMMARY %s: %s", path, strerror(errno));
	return 0;
}

static int append_outputs(const char *path, const pg_verdict *v)
{
	FILE *f = fopen(path, "a");
	if (!f)
		return pg_error_set(PG_ESYSTEM, "GITHUB_OUTPUT %s: %s", path, strerror(errno));
	fprintf(f, "verdict=%s\n", pg_overall_name(v->overall));
	fprintf(f, "regressions=%d\n", v->counts.regressions);
	fprintf(f, "failures=%d\n", v->counts.gates_failed + v->counts.failed_benchmarks);
	fprintf(f, "improvements=%d\n", v->counts.improvements);
	fprintf(f, "inconclusive=%d\n", v->counts.inconclusive);
	fprintf(f, "accepted=%d\n", v->counts.accepted);
	fprintf(f, "gates_failed=%d\n", v->counts.gates_failed);
	fprintf(f, "failed_benchmarks=%d\n", v->counts.failed_benchmarks);
	if (v->probe.state == PG_PROBE_COMPARED)
		fprintf(f, "probe_change=%.4f\nprobe_moved=%s\n", v->probe.ratio - 1,
			v->probe.moved ? "true" : "false");
	if (fclose(f) != 0)
		return pg_error_set(PG_ESYSTEM, "GITHUB_OUTPUT %s: %s", path, strerror(errno));
	return 0;
}

int pg_report_github(FILE *out, const pg_verdict *v, const pg_report_options *o)
{
	annotate(out, v);
	if (v->probe.state != PG_PROBE_UNUSED) {
		/* A notice: it has its own ten places, so it never pushes out a warning. */
		char text[512];
		begin(out, "notice");
		pg_escape_gh_data(out, pg_verdict_probe_text(text, sizeof(text), &v->probe));
		fputc('\n', out);
	}
	if (ferror(out))
		return pg_error_set(PG_ESYSTEM, "could not write the GitHub annotations");
	const char *summary = getenv("GITHUB_STEP_SUMMARY"), *outputs = getenv("GITHUB_OUTPUT");
	int rc = 0;
	if (summary && *summary) {
		/* The summary is a separate document: links to plots still work there. */
		pg_report_options so = o ? *o : (pg_report_options){0};
		so.color = 0;
		rc = append_summary(summary, v, &so);
	}
	if (!rc && outputs && *outputs)
		rc = append_outputs(outputs, v);
	return rc;
}

int pg_report_github_stop_commands(FILE *out, const char *child_output)
{
	unsigned char raw[16];
	size_t got = 0;
	while (got < sizeof(raw)) {
		ssize_t n = getrandom(raw + got, sizeof(raw) - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return pg_error_set(PG_ESYSTEM, "getrandom: %s", strerror(errno));
		got += (size_t)n;
	}
	char token[2 * sizeof(raw) + 1];
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(token + 2 * i, 3, "%02x", raw[i]);
	fprintf(out, "::stop-commands::%s\n", token);
	if (child_output && *child_output) {
		size_t len = strlen(child_output);
		fwrite(child_output, 1, len, out);
		if (child_output[len - 1] != '\n')
			fputc('\n', out);
	}
	fprintf(out, "::%s::\n", token);
	return 0;
}
