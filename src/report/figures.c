/* figures.c - the numbers of a verdict as a person reads them, shared by the report formats */
#include "report/figures.h"

#include "perfgate/quantity.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void pg_figures_fill(pg_figures *f, const pg_metric_change *c)
{
	memset(f, 0, sizeof(*f));
	pg_format_value(f->head, sizeof(f->head), c->head, c->unit);
	if (c->has_base) {
		pg_format_value(f->base, sizeof(f->base), c->base, c->unit);
		if (isfinite(c->change))
			pg_format_change(f->change, sizeof(f->change),
					 c->better_higher ? -c->change : c->change);
	}
	if (isfinite(c->ci_lo) && isfinite(c->ci_hi)) {
		char lo[24], hi[24];
		double a = c->better_higher ? -c->ci_hi : c->ci_lo;
		double b = c->better_higher ? -c->ci_lo : c->ci_hi;
		snprintf(f->ci, sizeof(f->ci), "[%s, %s]", pg_format_change(lo, sizeof(lo), a),
			 pg_format_change(hi, sizeof(hi), b));
	}
	if (isfinite(c->p))
		snprintf(f->p, sizeof(f->p), c->p < 0.001 ? "<0.001" : "%.3f", c->p);
	if (isfinite(c->threshold) && c->threshold > 0)
		snprintf(f->threshold, sizeof(f->threshold), "%g %%", c->threshold * 100.0);
}

char *pg_figures_line(char *buf, size_t size, const pg_figures *f)
{
	snprintf(buf, size, "%s%s%shead %s%s%s%s%s%s%s", f->base[0] ? "base " : "", f->base,
		 f->base[0] ? ", " : "", f->head, f->change[0] ? ", change " : "", f->change,
		 f->ci[0] ? ", 95 % CI " : "", f->ci, f->p[0] ? ", p " : "", f->p);
	return buf;
}

void pg_gate_figures_fill(pg_gate_figures *f, const pg_gate_result *g)
{
	/* The bound as written ("15MB") reads as the gates file does; the value in units a person reads. */
	if (g->bound_text)
		snprintf(f->bound, sizeof(f->bound), "%s", g->bound_text);
	else
		pg_format_value(f->bound, sizeof(f->bound), g->bound, g->unit);
	if (isfinite(g->value))
		pg_format_value(f->value, sizeof(f->value), g->value, g->unit);
	else
		snprintf(f->value, sizeof(f->value), "not measured");
	f->op = g->is_max ? "<=" : ">=";
	f->op_sym = g->is_max ? "≤" : "≥";
}

static size_t prefix_length(const char *path, const char *bench, size_t best)
{
	size_t n = strlen(bench);
	return n > best && strncmp(path, bench, n) == 0 && path[n] == '.' ? n : best;
}

size_t pg_gate_bench_length(const pg_verdict *v, const pg_gate_result *g)
{
	size_t best = 0;
	if (!g->metric)
		return 0;
	for (size_t i = 0; i < v->n_metrics; i++)
		best = prefix_length(g->metric, v->metrics[i].bench, best);
	for (size_t i = 0; i < v->n_failures; i++)
		best = prefix_length(g->metric, v->failures[i].bench, best);
	if (best)
		return best;
	const char *dot = strchr(g->metric, '.');
	return dot ? (size_t)(dot - g->metric) : 0;
}

int pg_failure_counts(const pg_bench_failure *f)
{
	return !f->status || strcmp(f->status, "skipped") != 0;
}

const char *pg_figures_gating(const pg_verdict *v, const pg_metric_change *c)
{
	if (c->gated)
		return "";
	char label[512];
	snprintf(label, sizeof(label), "%s.%s%s%s", c->bench, c->metric, c->stat ? "." : "", c->stat ? c->stat : "");
	for (size_t i = 0; i < v->n_gates; i++)
		if (v->gates[i].metric && strcmp(v->gates[i].metric, label) == 0)
			return "absolute gate only";
	return "not gated";
}

int pg_figures_folded(const pg_verdict *v, const pg_metric_change *c)
{
	const char *section = strstr(c->metric, "section:");
	if (!section || (section != c->metric && section[-1] != '.'))
		return 0;
	if (c->gated || strcmp(pg_figures_gating(v, c), "not gated") != 0)
		return 0;
	if (c->verdict != PG_CHANGE_UNCHANGED && c->verdict != PG_CHANGE_NO_BASELINE)
		return 0;
	/* A size is exact: any change of bytes is one a person wants to see, and so is a new section. */
	return c->has_base ? c->head == c->base : v->no_baseline;
}

char *pg_figures_model(char *buf, size_t size, const pg_metric_change *c)
{
	buf[0] = '\0';
	if (!c->gated || !c->has_base || !c->model || strcmp(c->model, PG_MODEL_EXACT) == 0)
		return buf;
	if (isfinite(c->run_to_run))
		snprintf(buf, size, "%s, ±%.1f %%", c->model, c->run_to_run * 100);
	else
		snprintf(buf, size, "%s", c->model);
	return buf;
}
