/* terminal.c - the verdict as tables a person reads in a terminal */
#include "report/figures.h"
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

static void metric_label(char *buf, size_t size, const pg_metric_change *c)
{
	snprintf(buf, size, "%s%s%s", c->metric, c->stat ? "." : "", c->stat ? c->stat : "");
}

static void print_row(FILE *out, const pg_metric_change *c, int color, int width)
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
	fprintf(out, "  %-*s %11s %11s %9s %-22s %7s  %s%s%s%s\n", width, label, base, head, change, ci,
		p, color ? verdict_color(c->verdict) : "", c->gated ? verdict : "", color ? RESET : "",
		c->gated ? "" : "(not gated)");
	if (c->verdict == PG_CHANGE_INCONCLUSIVE && c->more_runs > 0)
		fprintf(out, "  %-*s   over the %.0f %% threshold but not significant: about %d more runs per side would decide\n",
			width, "", c->threshold * 100, c->more_runs);
	if (c->accepted_by)
		fprintf(out, "  %-*s   accepted by %s\n", width, "", c->accepted_by);
	if (c->note)
		fprintf(out, "  %-*s   %s\n", width, "", c->note);
	char model[96];
	if (pg_figures_model(model, sizeof(model), c)[0])
		fprintf(out, "  %-*s   model: %s\n", width, "", model);
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
	fprintf(out, "  %s%s%s %s %s %s: %s%s%s\n", color ? (g->pass ? GREEN : RED) : "",
		g->pass ? "pass" : "FAIL", color ? RESET : "", g->metric, g->is_max ? "<=" : ">=",
		bound, value, g->reason ? " — " : "", g->reason ? g->reason : "");
}

int pg_report_terminal(FILE *out, const pg_verdict *v, const pg_report_options *o)
{
	int color = o->color;
	int width = 12;
	for (size_t i = 0; i < v->n_metrics; i++) {
		char label[160];
		metric_label(label, sizeof(label), &v->metrics[i]);
		width = (int)strlen(label) > width ? (int)strlen(label) : width;
	}
	const char *last = NULL;
	for (size_t i = 0; i < v->n_metrics; i++) {
		const pg_metric_change *c = &v->metrics[i];
		if (!last || strcmp(last, c->bench) != 0) {
			fprintf(out, "%s%s%s%s\n", last ? "\n" : "", color ? BOLD : "", c->bench,
				color ? RESET : "");
			fprintf(out, "  %-*s %11s %11s %9s %-22s %7s  %s\n", width, "metric", "base", "head",
				"change", "95% CI", "p", "verdict");
			last = c->bench;
		}
		print_row(out, c, color, width);
	}
	for (size_t i = 0; i < v->n_failures; i++)
		fprintf(out, "%s%s%s%s: %s%s%s\n", v->n_metrics || i ? "\n" : "", color ? BOLD : "",
			v->failures[i].bench, color ? RESET : "", v->failures[i].status,
			v->failures[i].reason ? " — " : "", v->failures[i].reason ? v->failures[i].reason : "");
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
	for (size_t i = 0; i < v->n_warnings; i++)
		fprintf(out, "%swarning:%s %s\n", color ? YELLOW : "", color ? RESET : "", v->warnings[i]);
	for (size_t i = 0; i < v->n_shifts; i++) {
		const pg_level_shift *s = &v->shifts[i];
		char change[32], before[64], after[64];
		pg_format_change(change, sizeof(change), s->change);
		pg_format_value(before, sizeof(before), s->before, s->unit);
		pg_format_value(after, sizeof(after), s->after, s->unit);
		fprintf(out, "%slevel shift:%s %s %s (%s -> %s) at %.7s %s, not accepted\n", color ? YELLOW : "",
			color ? RESET : "", s->metric, change, before, after, s->commit, s->subject);
	}
	if (v->no_baseline)
		fprintf(out, "baseline: none (%s)\n", v->base_how ? v->base_how : "not looked up");
	else if (v->base_commit && v->base_depth == 0)
		fprintf(out, "baseline: %.7s (%s)\n", v->base_commit, v->base_how ? v->base_how : "");
	else if (v->base_commit)
		fprintf(out, "baseline: %.7s (%d first-parent commit%s before the %s; nearer ones had no results)\n",
			v->base_commit, v->base_depth, v->base_depth == 1 ? "" : "s",
			v->base_how ? v->base_how : "start");
	else
		fprintf(out, "baseline: %s\n", v->base_how ? v->base_how : "given");
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
