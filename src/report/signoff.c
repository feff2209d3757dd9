/* signoff.c - the release "Performance Sign-Off" document of the seed guide, filled from a verdict */
#include "perfgate/error.h"
#include "perfgate/report.h"
#include "report/escape.h"
#include "report/figures.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NAME_MAX_BYTES 200
#define TEXT_MAX_BYTES 500

/* The date asked for, else PERFGATE_DATE when set (reproducible documents and tests), else today in UTC. */
static void sign_date(char *buf, size_t size, const pg_report_options *o)
{
	const char *fixed = o && o->date ? o->date : getenv("PERFGATE_DATE");
	if (fixed && *fixed) {
		snprintf(buf, size, "%s", fixed);
		return;
	}
	time_t now = time(NULL);
	struct tm tm;
	if (!gmtime_r(&now, &tm) || strftime(buf, size, "%Y-%m-%d", &tm) == 0)
		snprintf(buf, size, "unknown");
}

static void text(FILE *out, const char *s)
{
	pg_escape_markdown(out, s, TEXT_MAX_BYTES, 0);
}

static void metric_name(FILE *out, const pg_metric_change *c, int flags)
{
	pg_escape_markdown(out, c->bench, NAME_MAX_BYTES, flags);
	fputc('.', out);
	pg_escape_markdown(out, c->metric, NAME_MAX_BYTES, 0);
	if (c->stat) {
		fputc('.', out);
		pg_escape_markdown(out, c->stat, NAME_MAX_BYTES, 0);
	}
}

/* "- bench.metric: base → head (change, CI, p)" */
static void change_item(FILE *out, const pg_metric_change *c)
{
	pg_figures f;
	char line[512];
	pg_figures_fill(&f, c);
	fputs("- ", out);
	metric_name(out, c, PG_MD_BLOCK_START);
	fputs(": ", out);
	text(out, pg_figures_line(line, sizeof(line), &f));
	if (f.threshold[0])
		fprintf(out, " (threshold %s)", f.threshold);
}

static void gate_item(FILE *out, const pg_gate_result *g)
{
	pg_gate_figures f;
	pg_gate_figures_fill(&f, g);
	fputs("- gate ", out);
	pg_escape_markdown(out, g->metric, NAME_MAX_BYTES, 0);
	fprintf(out, " %s ", f.op_sym);
	text(out, f.bound);
	fputs(isfinite(g->value) ? ": measured " : ": ", out);
	text(out, f.value);
	if (g->reason) {
		fputs(" (", out);
		text(out, g->reason);
		fputc(')', out);
	}
	fputc('\n', out);
}

static void bench_item(FILE *out, const pg_bench_failure *b)
{
	fputs("- benchmark ", out);
	pg_escape_markdown(out, b->bench, NAME_MAX_BYTES, 0);
	fputc(' ', out);
	text(out, b->status);
	if (b->reason) {
		fputs(": ", out);
		text(out, b->reason);
	}
	fputc('\n', out);
}

/*
 * Who signs: o->signer, else PERFGATE_RELEASE_MANAGER, else the GitHub actor
 * who started the run; NULL when nobody is named (never a placeholder).
 */
static const char *signer(const pg_report_options *o, const char **how)
{
	const char *named = o && o->signer && *o->signer ? o->signer : getenv("PERFGATE_RELEASE_MANAGER");
	*how = "";
	if (named && *named)
		return named;
	const char *actor = getenv("GITHUB_ACTOR");
	*how = " (the GitHub actor of this run)";
	return actor && *actor ? actor : NULL;
}

static void header(FILE *out, const pg_verdict *v, const pg_report_options *o)
{
	char date[64], head[16] = "";
	sign_date(date, sizeof(date), o);
	if (v->head_commit)
		snprintf(head, sizeof(head), " (%.7s)", v->head_commit);
	fputs("## Performance Sign-Off", out);
	text(out, head);
	fputs("\n\n**Date**: ", out);
	text(out, date);
	const char *how, *who = signer(o, &how);
	fputs("\n\n**Release Manager**: ", out);
	if (who) {
		text(out, who);
		fputs(how, out);
	} else {
		fputs("not named (set PERFGATE_RELEASE_MANAGER)", out);
	}
	fputs("\n\n**Commit**: ", out);
	text(out, v->head_commit ? v->head_commit : "unknown");
	fputs("\n\n**Environment**: ", out);
	text(out, v->env_key ? v->env_key : "unknown");
	fputs("\n\n**Baseline**: ", out);
	if (v->no_baseline) {
		fputs("none", out);
		if (v->base_how) {
			fputs(" (", out);
			text(out, v->base_how);
			fputc(')', out);
		}
		fputs("; only the absolute targets were checked", out);
	} else {
		char base[16];
		snprintf(base, sizeof(base), "%.7s", v->base_commit ? v->base_commit : "");
		text(out, base);
		if (v->base_how) {
			fputs(v->base_commit ? " (" : "", out);
			if (v->base_depth > 0)
				fprintf(out, "%d first-parent commit%s before the ", v->base_depth,
					v->base_depth == 1 ? "" : "s");
			text(out, v->base_how);
			fputs(v->base_commit ? ")" : "", out);
		}
	}
	if (v->probe.state != PG_PROBE_UNUSED) {
		char probe[512];
		fputs("\n\n**Runner**: ", out);
		text(out, pg_verdict_probe_text(probe, sizeof(probe), &v->probe));
	}
	fputs("\n\n", out);
}

static void summary(FILE *out, const pg_verdict *v)
{
	fputs("### Summary\n\n", out);
	size_t n = v->n_gates;
	int failed = v->counts.gates_failed;
	if (n == 0)
		fputs("No performance gates are defined.", out);
	else if (failed == 0)
		fprintf(out, "All %zu performance gate%s PASSED.", n, n == 1 ? "" : "s");
	else
		fprintf(out, "%d of %zu performance gate%s FAILED.", failed, n, n == 1 ? "" : "s");
	int r = v->counts.regressions, a = v->counts.accepted;
	if (v->no_baseline)
		fputs(" No baseline: regressions could not be checked.", out);
	else if (r == 0 && a == 0)
		fputs(" No regressions detected.", out);
	else if (r == 0)
		fprintf(out, " No regressions beyond %d accepted change%s (listed under Regressions).", a,
			a == 1 ? "" : "s");
	else
		fprintf(out, " %d regression%s detected", r, r == 1 ? "" : "s");
	if (r && a)
		fprintf(out, ", and %d accepted change%s", a, a == 1 ? "" : "s");
	if (r)
		fputc('.', out);
	if (v->counts.failed_benchmarks)
		fprintf(out, " %d benchmark%s did not run cleanly.", v->counts.failed_benchmarks,
			v->counts.failed_benchmarks == 1 ? "" : "s");
	fputs("\n\n", out);
}

static void key_metrics(FILE *out, const pg_verdict *v)
{
	fputs("### Key Metrics\n\n", out);
	if (v->n_gates == 0) {
		fputs("- None: the gates file sets no target\n\n", out);
		return;
	}
	fputs("| Metric | Target | Measured | Status |\n|:--|:--|--:|:--|\n", out);
	for (size_t i = 0; i < v->n_gates; i++) {
		const pg_gate_result *g = &v->gates[i];
		pg_gate_figures f;
		pg_gate_figures_fill(&f, g);
		fputs("| ", out);
		pg_escape_markdown(out, g->metric, NAME_MAX_BYTES, 0);
		fprintf(out, " | %s ", f.op_sym);
		text(out, f.bound);
		fputs(" | ", out);
		text(out, f.value);
		/* A skipped benchmark's gate holds, but nobody measured it: not a tick. */
		fputs(!g->pass ? " | ❌ |\n" : isfinite(g->value) ? " | ✅ |\n" : " | ⚠️ not measured |\n", out);
	}
	fputc('\n', out);
}

static void regressions(FILE *out, const pg_verdict *v)
{
	fputs("### Regressions\n\n", out);
	int any = 0;
	for (size_t i = 0; i < v->n_metrics; i++) {
		const pg_metric_change *c = &v->metrics[i];
		if (!c->gated || c->verdict != PG_CHANGE_REGRESSION)
			continue;
		change_item(out, c);
		if (c->note) {
			fputs("; ", out);
			text(out, c->note);
		}
		fputc('\n', out);
		any = 1;
	}
	for (size_t i = 0; i < v->n_metrics; i++) {
		const pg_metric_change *c = &v->metrics[i];
		if (c->verdict != PG_CHANGE_ACCEPTED)
			continue;
		change_item(out, c);
		fputs(" — accepted by ", out);
		text(out, c->accepted_by ? c->accepted_by : "an acceptance");
		fputc('\n', out);
		any = 1;
	}
	fputs(any ? "\n" : v->no_baseline ? "- Not checked: no baseline\n\n" : "- None detected\n\n", out);
}

static void concerns(FILE *out, const pg_verdict *v)
{
	fputs("### Concerns\n\n", out);
	int any = 0;
	for (size_t i = 0; i < v->n_metrics; i++) {
		const pg_metric_change *c = &v->metrics[i];
		if (!c->gated || c->verdict != PG_CHANGE_INCONCLUSIVE)
			continue;
		change_item(out, c);
		fputs(": inconclusive", out);
		if (c->more_runs > 0)
			fprintf(out, ", about %d more runs per side would decide", c->more_runs);
		if (c->probe_held) {
			/* Why it is not a regression is the release manager's first question. */
			fputs("; ", out);
			text(out, c->note);
		}
		fputc('\n', out);
		any = 1;
	}
	for (size_t i = 0; i < v->n_failures; i++)
		if (!pg_failure_counts(&v->failures[i])) {
			bench_item(out, &v->failures[i]);
			any = 1;
		}
	for (size_t i = 0; i < v->n_warnings; i++) {
		fputs("- ", out);
		pg_escape_markdown(out, v->warnings[i], TEXT_MAX_BYTES, PG_MD_BLOCK_START);
		fputc('\n', out);
		any = 1;
	}
	fputs(any ? "\n" : "- None\n\n", out);
}

/* What keeps the release from approval: failures first; inconclusive only when nothing else. */
static void status(FILE *out, const pg_verdict *v)
{
	if (v->overall == PG_OVERALL_PASS) {
		fputs("**Status: APPROVED FOR RELEASE** ✅\n\n", out);
		return;
	}
	fputs("**Status: NOT APPROVED** ❌\n\n", out);
	int any = 0;
	for (size_t i = 0; i < v->n_metrics; i++) {
		const pg_metric_change *c = &v->metrics[i];
		if (c->gated && c->verdict == PG_CHANGE_REGRESSION) {
			change_item(out, c);
			fputs(": regression\n", out);
			any = 1;
		}
	}
	for (size_t i = 0; i < v->n_gates; i++)
		if (!v->gates[i].pass) {
			gate_item(out, &v->gates[i]);
			any = 1;
		}
	for (size_t i = 0; i < v->n_failures; i++)
		if (pg_failure_counts(&v->failures[i])) {
			bench_item(out, &v->failures[i]);
			any = 1;
		}
	for (size_t i = 0; !any && i < v->n_metrics; i++) {
		const pg_metric_change *c = &v->metrics[i];
		if (c->gated && c->verdict == PG_CHANGE_INCONCLUSIVE) {
			change_item(out, c);
			fputs(": inconclusive\n", out);
		}
	}
	if (!any && v->counts.inconclusive == 0 && v->no_baseline)
		fputs("- no baseline to compare with, and one is required\n", out);
	fputc('\n', out);
}

int pg_report_signoff(FILE *out, const pg_verdict *v, const pg_report_options *o)
{
	header(out, v, o);
	summary(out, v);
	key_metrics(out, v);
	regressions(out, v);
	concerns(out, v);
	status(out, v);
	const char *how, *who = signer(o, &how);
	fputs("**Signature**: ", out);
	if (who) {
		fputs("pending: ", out);
		text(out, who);
		fputs(" signs by approving this report\n", out);
	} else {
		fputs("pending: no release manager is named\n", out);
	}
	if (ferror(out))
		return pg_error_set(PG_ESYSTEM, "could not write the sign-off");
	return 0;
}
