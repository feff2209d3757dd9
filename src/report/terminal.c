/* terminal.c - the verdict as tables a person reads in a terminal */
#include "report/figures.h"
#include "perfgate/log.h"
#include "perfgate/quantity.h"
#include "perfgate/report.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define RED "\033[31m"
#define GREEN "\033[32m"
#define YELLOW "\033[33m"
#define BOLD "\033[1m"
#define DIM "\033[2m"
#define RESET "\033[0m"

static const char *verdict_color(pg_change_verdict v)
{
	switch (v) {
	case PG_CHANGE_REGRESSION:
		return RED;
	case PG_CHANGE_IMPROVEMENT:
		return GREEN;
	case PG_CHANGE_INCONCLUSIVE:
	case PG_CHANGE_ACCEPTED:
		return YELLOW;
	default:
		return "";
	}
}

/* The metric and statistic, inert: names come from gates files and imported files. */
static void metric_label(char *buf, size_t size, const pg_metric_change *c)
{
	char raw[160];
	snprintf(raw, sizeof(raw), "%s%s%s", c->metric, c->stat ? "." : "", c->stat ? c->stat : "");
	pg_text_inert_buf(buf, size, raw);
}

/* An indented line under a row: prefix, then text from data made inert. */
static void print_under(FILE *out, int width, const char *prefix, const char *text)
{
	fprintf(out, "  %-*s   %s", width, "", prefix);
	pg_text_inert(out, text);
	fputc('\n', out);
}

static void print_row(FILE *out, const pg_verdict *v, const pg_metric_change *c, int color, int width)
{
	char label[160], base[32] = "-", head[32], change[32] = "", ci[64] = "", p[16] = "";
	metric_label(label, sizeof(label), c);
	pg_format_value(head, sizeof(head), c->head, c->unit);
	if (c->has_base) {
		pg_format_value(base, sizeof(base), c->base, c->unit);
		/* Shown as the raw direction a person expects: head vs base. */
		pg_format_change(change, sizeof(change), c->better_higher ? -c->change : c->change);
	}
	if (isfinite(c->ci_lo)) {
		char lo[24], hi[24];
		double a = c->better_higher ? -c->ci_hi : c->ci_lo, b = c->better_higher ? -c->ci_lo : c->ci_hi;
		snprintf(ci, sizeof(ci), "[%s, %s]", pg_format_change(lo, sizeof(lo), a),
			 pg_format_change(hi, sizeof(hi), b));
	}
	if (isfinite(c->p))
		snprintf(p, sizeof(p), c->p < 0.001 ? "<0.001" : "%.3f", c->p);
	const char *verdict = pg_change_verdict_name(c->verdict);
	const char *gating = pg_figures_gating(v, c);
	fprintf(out, "  %-*s %11s %11s %9s %-22s %7s  %s%s%s%s%s%s\n", width, label, base, head, change, ci,
		p, color ? verdict_color(c->verdict) : "", c->gated ? verdict : "", color ? RESET : "",
		gating[0] ? "(" : "", gating, gating[0] ? ")" : "");
	if (c->gated && c->verdict == PG_CHANGE_INCONCLUSIVE && c->more_runs > 0)
		fprintf(out, "  %-*s   over the %.0f %% threshold but not significant: about %d more runs per side would decide\n",
			width, "", c->threshold * 100, c->more_runs);
	if (c->accepted_by)
		print_under(out, width, "accepted by ", c->accepted_by);
	if (c->note)
		print_under(out, width, "", c->note);
	char model[96];
	if (pg_figures_model(model, sizeof(model), c)[0])
		print_under(out, width, "model: ", model);
}

static void print_gate(FILE *out, const pg_gate_result *g, int color)
{
	char bound[32], value[32];
	if (g->bound_text)
		snprintf(bound, sizeof(bound), "%s", g->bound_text);
	else
		pg_format_value(bound, sizeof(bound), g->bound, g->unit);
	if (isfinite(g->value))
		pg_format_value(value, sizeof(value), g->value, g->unit);
	else
		snprintf(value, sizeof(value), "not measured");
	fprintf(out, "  %s%s%s ", color ? (g->pass ? GREEN : RED) : "", g->pass ? "pass" : "FAIL",
		color ? RESET : "");
	pg_text_inert(out, g->metric);
	fprintf(out, " %s ", g->is_max ? "<=" : ">=");
	pg_text_inert(out, bound);
	fprintf(out, ": %s%s", value, g->reason ? " — " : "");
	pg_text_inert(out, g->reason);
	fputc('\n', out);
}

int pg_report_terminal(FILE *out, const pg_verdict *v, const pg_report_options *o)
{
	int color = o->color;
	int width = 12;
	size_t folded = 0;
	for (size_t i = 0; i < v->n_metrics; i++) {
		char label[160];
		if (pg_figures_folded(v, &v->metrics[i]))
			continue;
		metric_label(label, sizeof(label), &v->metrics[i]);
		width = (int)strlen(label) > width ? (int)strlen(label) : width;
	}
	const char *last = NULL;
	for (size_t i = 0; i < v->n_metrics; i++) {
		const pg_metric_change *c = &v->metrics[i];
		if (pg_figures_folded(v, c)) {
			folded++;
			continue;
		}
		if (!last || strcmp(last, c->bench) != 0) {
			fprintf(out, "%s%s", last ? "\n" : "", color ? BOLD : "");
			pg_text_inert(out, c->bench);
			fprintf(out, "%s\n", color ? RESET : "");
			fprintf(out, "  %-*s %11s %11s %9s %-22s %7s  %s\n", width, "metric", "base", "head",
				"change", "95% CI", "p", "verdict");
			last = c->bench;
		}
		print_row(out, v, c, color, width);
	}
	if (folded)
		fprintf(out, "  (%zu section size%s unchanged and not gated, folded: --format json lists them)\n",
			folded, folded == 1 ? "" : "s");
	for (size_t i = 0; i < v->n_failures; i++) {
		fprintf(out, "%s%s", v->n_metrics || i ? "\n" : "", color ? BOLD : "");
		pg_text_inert(out, v->failures[i].bench);
		fprintf(out, "%s: %s%s", color ? RESET : "", v->failures[i].status,
			v->failures[i].reason ? " — " : "");
		pg_text_inert(out, v->failures[i].reason);
		fputc('\n', out);
	}
	if (v->n_gates) {
		fprintf(out, "\n%sgates%s\n", color ? BOLD : "", color ? RESET : "");
		for (size_t i = 0; i < v->n_gates; i++)
			print_gate(out, &v->gates[i], color);
	}
	fputc('\n', out);
	if (v->probe.state != PG_PROBE_UNUSED) {
		char probe[512];
		int moved = v->probe.state == PG_PROBE_COMPARED && v->probe.moved;
		fprintf(out, "%sprobe:%s %s\n", color && moved ? YELLOW : "", color && moved ? RESET : "",
			pg_verdict_probe_text(probe, sizeof(probe), &v->probe));
	}
	for (size_t i = 0; i < v->n_warnings; i++) {
		fprintf(out, "%swarning:%s ", color ? YELLOW : "", color ? RESET : "");
		pg_text_inert(out, v->warnings[i]);
		fputc('\n', out);
	}
	for (size_t i = 0; i < v->n_shifts; i++) {
		const pg_level_shift *s = &v->shifts[i];
		char change[32], before[64], after[64];
		pg_format_change(change, sizeof(change), s->change);
		pg_format_value(before, sizeof(before), s->before, s->unit);
		pg_format_value(after, sizeof(after), s->after, s->unit);
		fprintf(out, "%slevel shift:%s ", color ? YELLOW : "", color ? RESET : "");
		pg_text_inert(out, s->metric);
		fprintf(out, " %s (%s -> %s) at %.7s ", change, before, after, s->commit);
		pg_text_inert(out, s->subject);
		fputs(", not accepted\n", out);
	}
	char how[512];
	pg_text_inert_buf(how, sizeof(how), v->base_how);
	if (v->no_baseline)
		fprintf(out, "baseline: none (%s)\n", v->base_how ? how : "not looked up");
	else if (v->base_commit && v->base_depth == 0)
		fprintf(out, "baseline: %.7s (%s)\n", v->base_commit, how);
	else if (v->base_commit)
		fprintf(out, "baseline: %.7s (%d first-parent commit%s before the %s; nearer ones had no results)\n",
			v->base_commit, v->base_depth, v->base_depth == 1 ? "" : "s",
			v->base_how ? how : "start");
	else
		fprintf(out, "baseline: %s\n", v->base_how ? how : "given");
	const char *word = v->overall == PG_OVERALL_PASS ? "PASS"
			   : v->overall == PG_OVERALL_FAIL ? "FAIL"
							   : "INCONCLUSIVE";
	fprintf(out, "%s%s%s%s: %d regression%s, %d improvement%s, %d inconclusive, %d accepted, %d failed benchmark%s, %d gate%s failed%s\n",
		color ? BOLD : "",
		color ? (v->overall == PG_OVERALL_PASS ? GREEN : v->overall == PG_OVERALL_FAIL ? RED : YELLOW)
		      : "",
		word, color ? RESET : "", v->counts.regressions, v->counts.regressions == 1 ? "" : "s",
		v->counts.improvements, v->counts.improvements == 1 ? "" : "s", v->counts.inconclusive,
		v->counts.accepted, v->counts.failed_benchmarks,
		v->counts.failed_benchmarks == 1 ? "" : "s", v->counts.gates_failed,
		v->counts.gates_failed == 1 ? "" : "s", v->no_baseline ? " (no baseline)" : "");
	return 0;
}
