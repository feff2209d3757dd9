/* distribution.c - base against head for each gated metric: box plots with every run jittered over them */
#include "perfgate/plot.h"

#include "perfgate/error.h"
#include "perfgate/quantity.h"
#include "perfgate/stats.h"
#include "report/escape.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The metric a change was computed from, when it has raw samples on this side. */
static const pg_metric *sampled(const pg_result_set *rs, const pg_metric_change *c)
{
	const pg_benchmark *b = rs ? pg_result_set_find(rs, c->bench) : NULL;
	const pg_metric *m = b ? pg_benchmark_find_metric(b, c->metric) : NULL;
	return m && m->n_samples > 0 ? m : NULL;
}

/* Whether an earlier change of v already drew bench.metric (a median and a p99 share one plot). */
static int drawn_before(const pg_verdict *v, size_t upto, const pg_result_set *head,
			const pg_result_set *base)
{
	const pg_metric_change *c = &v->metrics[upto];
	for (size_t i = 0; i < upto; i++) {
		const pg_metric_change *e = &v->metrics[i];
		if (e->gated && e->has_base && sampled(head, e) && sampled(base, e) &&
		    strcmp(e->bench, c->bench) == 0 && strcmp(e->metric, c->metric) == 0)
			return 1;
	}
	return 0;
}

/* The runs of one side at x, spread sideways by a fixed low-discrepancy sequence (same data, same picture). */
static void write_runs(FILE *out, const char *name, const pg_metric *m, double x, double factor)
{
	fprintf(out, "$%s << EOD\n", name);
	for (size_t i = 0; i < m->n_samples; i++) {
		double spread = fmod((double)i * 0.6180339887498949, 1.0) - 0.5;
		fprintf(out, "%.6f %.10g\n", x + spread * 0.3, m->samples[i] * factor);
	}
	fputs("EOD\n", out);
}

static void write_side_tic(FILE *out, const char *side, const char *commit, size_t n, double x)
{
	char text[128];
	snprintf(text, sizeof(text), "%s %.7s (%zu run%s)", side, commit ? commit : "", n,
		 n == 1 ? "" : "s");
	pg_gnuplot_quote(out, text, 60);
	fprintf(out, " %g", x);
}

static int compare_values(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static int draw(pg_gnuplot *gp, const pg_verdict *v, const pg_metric_change *c,
		const pg_metric *hm, const pg_metric *bm, pg_plot_format format)
{
	char name[512], file[600], text[1024], change[32], head_text[64], base_text[64];
	pg_report_plot_name(name, sizeof(name), c->bench, c->metric);
	snprintf(file, sizeof(file), "%s.dist.%s", name, pg_plot_extension(format));
	double clip_top = 0, clip_bottom = 0;
	char clip_note[64] = "";

	size_t n_all = hm->n_samples + bm->n_samples;
	double *all = malloc(n_all * sizeof(double));
	if (!all)
		return pg_error_set(PG_ENOMEM, "out of memory");
	memcpy(all, bm->samples, bm->n_samples * sizeof(double));
	memcpy(all + bm->n_samples, hm->samples, hm->n_samples * sizeof(double));
	pg_plot_unit u;
	pg_plot_unit_choose(&u, c->unit, pg_stats_median(all, n_all));
	/*
	 * A few stray runs (a scheduler hiccup of 24 ms among 7 us lookups) would
	 * flatten both boxes into a line: a heavy tail is cut at the 99.5th
	 * percentile, the cut points counted in the axis label.
	 */
	qsort(all, n_all, sizeof(double), compare_values);
	double top = pg_stats_percentile_sorted(all, n_all, 99.5), bottom = all[0];
	size_t cut = 0;
	if (all[n_all - 1] > bottom + 1.5 * (top - bottom) && top > bottom)
		for (size_t i = 0; i < n_all; i++)
			cut += all[i] > top;
	free(all);
	if (cut) {
		double limit = isfinite(c->base) ? c->base * (1.0 + c->threshold) : top;
		double hi = fmax(top, fmax(limit, fmax(c->head, c->base)));
		double pad = (hi - bottom) * 0.08;
		char note[64];
		snprintf(note, sizeof(note), "%zu run%s above the range not shown", cut, cut == 1 ? "" : "s");
		clip_top = hi + pad;
		clip_bottom = bottom - pad < 0 && bottom >= 0 ? 0 : bottom - pad;
		snprintf(clip_note, sizeof(clip_note), "%s", note);
	}

	FILE *out = pg_gnuplot_begin(gp, file);
	if (!out)
		return PG_ENOMEM;
	const char *stat = c->stat ? c->stat : "median";
	snprintf(text, sizeof(text), "%s.%s%s%s: %s (%s)", c->bench, c->metric, c->stat ? "." : "",
		 c->stat ? c->stat : "", pg_format_change(change, sizeof(change), c->change),
		 pg_change_verdict_name(c->verdict));
	fputs("set title ", out);
	pg_gnuplot_quote(out, text, 120);
	pg_format_value(base_text, sizeof(base_text), c->base, c->unit);
	pg_format_value(head_text, sizeof(head_text), c->head, c->unit);
	fputs(".\"\\n\".", out);
	/* Without a p-value (single values) the line says nothing of one. */
	if (isfinite(c->p))
		snprintf(text, sizeof(text), "%s %s \xe2\x86\x92 %s, p = %.3g, threshold %.3g %%", stat, base_text,
			 head_text, c->p, c->threshold * 100.0);
	else
		snprintf(text, sizeof(text), "%s %s \xe2\x86\x92 %s, threshold %.3g %%", stat, base_text, head_text,
			 c->threshold * 100.0);
	pg_gnuplot_quote(out, text, 160);
	fputs(" font ',11' noenhanced\nset ylabel ", out);
	snprintf(text, sizeof(text), "%s%s%s%s", c->metric, u.name[0] ? " (" : "", u.name,
		 u.name[0] ? ")" : "");
	pg_gnuplot_quote(out, text, 100);
	fputs("\nset xrange [-0.6:1.6]\nset xtics nomirror (", out);
	write_side_tic(out, "base", c->base_commit ? c->base_commit : v->base_commit, bm->n_samples, 0);
	fputs(", ", out);
	write_side_tic(out, "head", v->head_commit, hm->n_samples, 1);
	fputs(")\nset ytics nomirror\nset format y '%g'\nset grid ytics lc rgb '#dddddd'\nset border 3\n"
	      "set key below horizontal Left reverse font ',9' samplen 2\nset style boxplot nooutliers\n"
	      "set style fill solid 0.25 border\nset boxwidth 0.5\n",
	      out);
	/* Tight around the runs: the spread is what this plot is for (the history starts at zero). */
	if (clip_note[0]) {
		fprintf(out, "set yrange [%.10g:%.10g]\nset xlabel ", clip_bottom * u.factor, clip_top * u.factor);
		pg_gnuplot_quote(out, clip_note, 0);
		fputs(" font ',9'\n", out);
	} else {
		fputs("set offsets 0, 0, graph 0.08, graph 0.08\n", out);
	}
	write_runs(out, "base", bm, 0, u.factor);
	write_runs(out, "head", hm, 1, u.factor);

	const char *head_colour = c->verdict == PG_CHANGE_REGRESSION    ? "#d62728"
				  : c->verdict == PG_CHANGE_IMPROVEMENT ? "#2ca02c"
				  : c->verdict == PG_CHANGE_INCONCLUSIVE ? "#ff7f0e"
									: "#1f77b4";
	fprintf(out,
		"plot $base using (0):2 with boxplot lc rgb '#7f7f7f' notitle, "
		"$head using (1):2 with boxplot lc rgb '%s' notitle, "
		"$base using 1:2 with points pt 7 ps 0.6 lc rgb '#707f7f7f' title 'base runs', "
		"$head using 1:2 with points pt 7 ps 0.6 lc rgb '#70%s' title 'head runs'",
		head_colour, head_colour + 1);
	if (isfinite(c->base) && c->threshold > 0) {
		double limit = c->base * (c->better_higher ? 1.0 - c->threshold : 1.0 + c->threshold);
		char level[64];
		pg_format_value(level, sizeof(level), limit, c->unit);
		snprintf(text, sizeof(text), "threshold: base %s %s %.3g %% (%s)", stat,
			 c->better_higher ? "-" : "+", c->threshold * 100.0, level);
		fprintf(out, ", %.10g with lines dt 2 lw 1.5 lc rgb '#cc0000' title ", limit * u.factor);
		pg_gnuplot_quote(out, text, 0);
	}
	fputc('\n', out);
	pg_gnuplot_end(gp);
	return 0;
}

int pg_plot_verdict(const char *dir, const pg_result_set *head, const pg_result_set *base,
		    const pg_verdict *v, const pg_plot_options *o)
{
	pg_plot_format format = o ? o->format : PG_PLOT_PNG;
	pg_gnuplot *gp = NULL;
	int rc = 0;
	if (!head || !base || !v)
		return 0;
	for (size_t i = 0; i < v->n_metrics && !rc; i++) {
		const pg_metric_change *c = &v->metrics[i];
		const pg_metric *hm = c->gated && c->has_base ? sampled(head, c) : NULL;
		const pg_metric *bm = hm ? sampled(base, c) : NULL;
		if (!bm || drawn_before(v, i, head, base))
			continue;
		/* gnuplot starts with the first plot there is to draw, not before. */
		if (!gp && (rc = pg_gnuplot_open(&gp, dir, format)))
			return rc;
		rc = draw(gp, v, c, hm, bm, format);
	}
	int closed = pg_gnuplot_close(gp);
	return rc ? rc : closed;
}
