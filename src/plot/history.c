/* history.c - a metric along first-parent history, drawn: the median per commit, the runs' band, the threshold, check's marks, change points; every env key's line */
#include "perfgate/plot.h"

#include "perfgate/changes.h"
#include "perfgate/error.h"
#include "perfgate/quantity.h"
#include "perfgate/stats.h"
#include "report/escape.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---- the plot ---- */

/* The most commits whose medians each get a marker on the line. */
#define PG_PLOT_MARKERS_UPTO 250

char *pg_plot_history_file(char *buf, size_t size, const char *bench, const char *metric,
			   const char *stat, pg_plot_format format)
{
	char name[512], joined[512];
	int default_stat = !stat || strcmp(stat, "median") == 0 || strcmp(stat, "p50") == 0;
	snprintf(joined, sizeof(joined), "%s%s%s", metric, default_stat ? "" : ".",
		 default_stat ? "" : stat);
	pg_report_plot_name(name, sizeof(name), bench, joined);
	snprintf(buf, size, "%s.%s", name, pg_plot_extension(format));
	return buf;
}

typedef struct point {
	const pg_metric *metric; /* NULL: a gap */
	double y, lo, hi;        /* lo/hi NAN: no band */
	int regressed;
} point;

typedef enum band_kind { BAND_NONE, BAND_P10_P90, BAND_MIN_P90 } band_kind;

/* Statistics of where values lie get a band of the runs around them; spreads and counts do not. */
static int stat_is_location(const char *stat)
{
	return !stat || (strcmp(stat, "stddev") != 0 && strcmp(stat, "mad") != 0 && strcmp(stat, "n") != 0);
}

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The runs' band of each point: p10-p90 when every point has its samples, else min-p90 from summaries. */
static band_kind fill_bands(point *pts, size_t n, const char *stat)
{
	int all_samples = 1, any = 0;
	if (!stat_is_location(stat))
		return BAND_NONE;
	for (size_t i = 0; i < n; i++)
		if (pts[i].metric) {
			any |= pts[i].metric->n_samples >= 2 || pts[i].metric->has_summary;
			all_samples &= pts[i].metric->n_samples >= 2 || (!pts[i].metric->has_summary &&
									 pts[i].metric->has_value);
		}
	if (!any)
		return BAND_NONE;
	for (size_t i = 0; i < n; i++) {
		const pg_metric *m = pts[i].metric;
		pts[i].lo = pts[i].hi = NAN;
		if (!m)
			continue;
		if (all_samples && m->n_samples >= 2) {
			double *sorted = malloc(m->n_samples * sizeof(double));
			if (!sorted)
				continue; /* a point without its band still plots */
			memcpy(sorted, m->samples, m->n_samples * sizeof(double));
			qsort(sorted, m->n_samples, sizeof(double), compare_doubles);
			pts[i].lo = pg_stats_percentile_sorted(sorted, m->n_samples, 10);
			pts[i].hi = pg_stats_percentile_sorted(sorted, m->n_samples, 90);
			free(sorted);
		} else if (!all_samples && m->has_summary && m->summary.n >= 2) {
			pts[i].lo = m->summary.min;
			pts[i].hi = m->summary.p90;
		}
	}
	return all_samples ? BAND_P10_P90 : BAND_MIN_P90;
}

/* The marks the caller decided (pg_marks_decide): red for a regression, grey for inconclusive. */
static void mark_points(point *pts, size_t n, const pg_mark *marks)
{
	for (size_t i = 0; marks && i < n; i++)
		if (pts[i].metric)
			pts[i].regressed = marks[i] == PG_MARK_REGRESSION ? 1 : marks[i] == PG_MARK_INCONCLUSIVE ? 2 : 0;
}

/*
 * Where each level of the n points starts (the index of its first point),
 * as `changes` found them on h (their commits looked up in order; at[]
 * maps points to commits). 0 when some change point is not among them.
 */
static int known_starts(size_t *starts, size_t *n_starts, const pg_changes *known, const pg_history *h,
			const size_t *at, size_t n)
{
	size_t p = 0;
	*n_starts = 0;
	for (size_t j = 0; j < known->n; j++) {
		while (p < n && strcmp(h->commits[at[p]].commit, known->items[j].commit) != 0)
			p++;
		if (p == 0 || p == n)
			return 0;
		if (!known->items[j].too_few)
			starts[(*n_starts)++] = p;
	}
	return 1;
}

/*
 * Change points of the plotted values, found as `perfgate changes` finds
 * them (pg_changes_split_series with its defaults, from each commit's value
 * and, for the centre, its runs), so the plot and that verb agree: a dotted
 * vertical line where each new level starts, labelled with the change, and
 * the level of each segment (its median) as a step. Shifts with too few
 * commits to tell are not drawn. Data blocks $levels and $shifts; *any:
 * there are shifts to plot. known (may be NULL): the change points the
 * caller found on these points with pg_changes_find_metric, taken as
 * they are.
 */
static int write_changes(FILE *out, const point *pts, const pg_history *h, size_t n_points, const char *stat,
			 const char *unit, double factor, const pg_changes *known, int *any)
{
	size_t n_commits = h->n_commits;
	double *values = malloc(n_points * sizeof(*values));
	size_t *at = malloc(n_points * sizeof(*at)), *starts = malloc(n_points * sizeof(*starts));
	pg_series_point *series = malloc(n_points * sizeof(*series));
	pg_series_split *splits = malloc((n_points + 2) * sizeof(*splits));
	size_t n = 0, n_starts = 0, n_splits = 0;
	int rc = 0, centre = !stat || strcmp(stat, "median") == 0 || strcmp(stat, "p50") == 0;
	*any = 0;
	if (!values || !at || !starts || !series || !splits) {
		rc = pg_error_set(PG_ENOMEM, "out of memory");
		goto out;
	}
	double top = -INFINITY, bottom = 0;
	for (size_t i = 0; i < n_commits; i++)
		if (pts[i].metric) {
			/* As `perfgate changes` takes each commit (pts[i].y is this statistic, finite). */
			pg_changes_point(&series[n], pts[i].metric, stat);
			values[n] = pts[i].y;
			at[n++] = i;
			top = fmax(top, fmax(pts[i].y, isfinite(pts[i].hi) ? pts[i].hi : pts[i].y));
			bottom = fmin(bottom, fmin(pts[i].y, isfinite(pts[i].lo) ? pts[i].lo : pts[i].y));
		}
	/* Change points the caller found on the same points (pg_changes_find_metric) are not searched again. */
	if (!centre || !known || !known_starts(starts, &n_starts, known, h, at, n)) {
		n_starts = 0;
		if ((rc = pg_changes_split_series(splits, &n_splits, series, n, NULL)))
			goto out;
		for (size_t j = 0; j < n_splits; j++)
			if (!splits[j].too_few)
				starts[n_starts++] = splits[j].at;
	}
	if (n_starts == 0)
		goto out;
	*any = 1;
	/* Each segment's level over its commits, a blank line between segments. */
	fputs("$levels << EOD\n", out);
	for (size_t j = 0; j <= n_starts; j++) {
		size_t lo = j ? starts[j - 1] : 0, hi = j < n_starts ? starts[j] : n;
		double level = pg_stats_median(values + lo, hi - lo) * factor;
		fprintf(out, "%.10g %.10g\n%.10g %.10g\n\n", (double)at[lo] - 0.4, level, (double)at[hi - 1] + 0.4,
			level);
	}
	fputs("EOD\n$shifts << EOD\n", out);
	for (size_t j = 0; j < n_starts; j++)
		fprintf(out, "%.1f %.10g 0 %.10g\n", (double)(at[starts[j] - 1] + at[starts[j]]) / 2.0,
			bottom * factor, (top - bottom) * factor);
	fputs("EOD\n", out);
	for (size_t j = 0; j < n_starts; j++) {
		size_t lo = j ? starts[j - 1] : 0, mid = starts[j], hi = j + 1 < n_starts ? starts[j + 1] : n;
		double before = pg_stats_median(values + lo, mid - lo), after = pg_stats_median(values + mid, hi - mid);
		char change[32], level[64], label[128];
		pg_format_change(change, sizeof(change), before != 0 ? after / before - 1 : 0);
		pg_format_value(level, sizeof(level), after, unit);
		snprintf(label, sizeof(label), "%s (%s)", change, level);
		fputs("set label ", out);
		pg_gnuplot_quote(out, label, 0);
		fprintf(out, " at first %.1f, graph 0.98 left offset 0.4,0 font ',8' tc rgb '#b35900' front\n",
			(double)(at[mid - 1] + at[mid]) / 2.0);
	}
out:
	free(values);
	free(at);
	free(starts);
	free(series);
	free(splits);
	return rc;
}

/* The highest value drawn (a point or its band). */
static double top_of(const point *pts, size_t n)
{
	double top = 0;
	for (size_t i = 0; i < n; i++)
		if (pts[i].metric)
			top = fmax(top, fmax(pts[i].y, isfinite(pts[i].hi) ? pts[i].hi : pts[i].y));
	return top;
}

/*
 * The absolute target (a gate's max or min) as a solid green line, in the
 * plot command. A target far above what is drawn would squash the plot to a
 * flat line at the bottom: then it is a note in the corner instead, written
 * before the plot command (in_plot 0).
 */
static void write_target(FILE *out, const pg_plot_options *o, const char *unit, double factor, double top,
			 int in_plot)
{
	char bound[64], text[160];
	pg_format_value(bound, sizeof(bound), o->target, unit);
	int on_scale = o->target <= 3 * top;
	if (on_scale != in_plot)
		return;
	snprintf(text, sizeof(text), "target %s %s%s", o->target_is_max ? "\xe2\x89\xa4" : "\xe2\x89\xa5", bound,
		 on_scale ? "" : ", off the scale");
	if (on_scale) {
		fprintf(out, ", %.10g with lines lw 1.5 lc rgb '#1a7f37' title ", o->target * factor);
		pg_gnuplot_quote(out, text, 0);
	} else {
		fputs("set label ", out);
		pg_gnuplot_quote(out, text, 0);
		fputs(" at graph 0.99, graph 0.98 right font ',9' tc rgb '#1a7f37' front\n", out);
	}
}

/* Tick labels: every commit's short SHA, thinned so that rotated labels never overlap. */
static void write_xtics(FILE *out, const pg_history *h)
{
	size_t step = h->n_commits > 60 ? (h->n_commits + 59) / 60 : 1;
	/* Up to 16 labels fit side by side; more are turned so they do not run into each other. */
	fprintf(out, "set xtics %s nomirror font ',%d' (",
		h->n_commits > 16 ? "rotate by 60 right" : "norotate center", h->n_commits > 30 ? 8 : 9);
	int first = 1;
	for (size_t i = 0; i < h->n_commits; i++) {
		/* The newest commit is always labelled. */
		if ((h->n_commits - 1 - i) % step != 0)
			continue;
		fprintf(out, "%s'%.7s' %zu", first ? "" : ", ", h->commits[i].commit, i);
		first = 0;
	}
	fputs(")\n", out);
}

static void write_title(FILE *out, const pg_history *h, const char *bench, const char *metric,
			const char *stat, size_t n_points)
{
	char heading[1024], detail[1024];
	snprintf(heading, sizeof(heading), "%s.%s%s%s", bench, metric, stat ? "." : "", stat ? stat : "");
	snprintf(detail, sizeof(detail), "%s per commit, %zu of the last %zu commits on the first-parent line%s%s",
		 stat ? stat : "median", n_points, h->n_commits, h->env_key ? ", env " : "",
		 h->env_key ? h->env_key : "");
	fputs("set title ", out);
	pg_gnuplot_quote(out, heading, 120);
	fputs(".\"\\n\".", out);
	pg_gnuplot_quote(out, detail, 160);
	fputs(" font ',11' noenhanced\n", out);
}

/* What every history plot sets after its ticks: the y axis, the grid, the key below, translucent fills. */
static const char axes_style[] = "set ytics nomirror\nset format y '%g'\nset grid ytics lc rgb '#dddddd'\n"
				 "set border 3\nset key below horizontal Left reverse font ',9' samplen 2\n"
				 "set style fill transparent solid 0.25 noborder\n";

int pg_plot_history(pg_gnuplot *gp, const pg_history *h, const char *bench, const char *metric,
		    const char *stat, const pg_plot_options *o, int *drawn)
{
	double threshold = o && o->threshold > 0 ? o->threshold : 0.10;
	pg_plot_format format = o ? o->format : PG_PLOT_PNG;
	const pg_metric *unit_metric = NULL;
	size_t n_points = 0;
	*drawn = 0;
	point *pts = calloc(h->n_commits ? h->n_commits : 1, sizeof(point));
	double *ys = calloc(h->n_commits ? h->n_commits : 1, sizeof(double));
	if (!pts || !ys) {
		free(pts);
		free(ys);
		return pg_error_set(PG_ENOMEM, "out of memory");
	}
	pg_lookup_hint near = {0, 0};
	for (size_t i = 0; i < h->n_commits; i++) {
		/* A benchmark that failed is a gap, never a fast point. */
		const pg_metric *m = pg_result_set_ok_metric(h->commits[i].rs, bench, metric, &near);
		double y = m ? pg_metric_stat(m, stat) : NAN;
		if (!isfinite(y))
			continue;
		pts[i].metric = m;
		pts[i].y = y;
		ys[n_points++] = y;
		if (!unit_metric)
			unit_metric = m;
	}
	if (n_points == 0) {
		free(pts);
		free(ys);
		return 0;
	}
	const char *unit = stat && strcmp(stat, "n") == 0 ? "count" : unit_metric->unit;
	int better_higher = unit_metric->better == PG_BETTER_HIGHER;
	pg_plot_unit u;
	pg_plot_unit_choose(&u, unit, pg_stats_median(ys, n_points));
	free(ys);
	band_kind band = fill_bands(pts, h->n_commits, stat);
	mark_points(pts, h->n_commits, o ? o->marks : NULL);

	/* The threshold the newest point is held to: its predecessor's value moved by it. */
	size_t newest = h->n_commits, before = h->n_commits;
	for (size_t i = h->n_commits; i-- > 0;)
		if (pts[i].metric) {
			if (newest == h->n_commits)
				newest = i;
			else if (before == h->n_commits)
				before = i;
		}

	char file[600];
	if (o->file)
		snprintf(file, sizeof(file), "%s", o->file);
	else
		pg_plot_history_file(file, sizeof(file), bench, metric, stat, format);
	FILE *out = pg_gnuplot_begin(gp, file);
	if (!out) {
		free(pts);
		return PG_ENOMEM;
	}
	write_title(out, h, bench, metric, stat, n_points);
	fputs("set xlabel 'commit (first parent, oldest left)'\nset ylabel ", out);
	{
		char label[256];
		snprintf(label, sizeof(label), "%s%s%s%s%s%s", metric, stat ? " " : "", stat ? stat : "",
			 u.name[0] ? " (" : "", u.name, u.name[0] ? ")" : "");
		pg_gnuplot_quote(out, label, 100);
	}
	fprintf(out, "\nset xrange [-0.5:%zu.5]\n", h->n_commits - 1);
	write_xtics(out, h);
	fputs(axes_style, out);
	int all_positive = 1;
	for (size_t i = 0; i < h->n_commits; i++)
		if (pts[i].metric && (pts[i].y < 0 || pts[i].lo < 0))
			all_positive = 0;
	/* From zero: a 2 % wobble must not look like a cliff. */
	if (all_positive)
		fputs("set yrange [0:*]\nset offsets 0, 0, graph 0.08, 0\n", out);

	/* Data: a blank line where a commit has nothing, so lines and bands break there. */
	fputs("$median << EOD\n", out);
	for (size_t i = 0; i < h->n_commits; i++)
		if (pts[i].metric)
			fprintf(out, "%zu %.10g\n", i, pts[i].y * u.factor);
		else
			fputc('\n', out);
	fputs("EOD\n", out);
	int any_band = 0, any_lonely = 0, any_red = 0;
	if (band != BAND_NONE) {
		fputs("$band << EOD\n", out);
		for (size_t i = 0; i < h->n_commits; i++)
			if (isfinite(pts[i].lo)) {
				fprintf(out, "%zu %.10g %.10g\n", i, pts[i].lo * u.factor, pts[i].hi * u.factor);
				any_band = 1;
			} else {
				fputc('\n', out);
			}
		fputs("EOD\n$lonely << EOD\n", out);
		/* A band of one point has no area: its runs show as a bar instead. */
		for (size_t i = 0; i < h->n_commits; i++)
			if (isfinite(pts[i].lo) && (i == 0 || !isfinite(pts[i - 1].lo)) &&
			    (i + 1 == h->n_commits || !isfinite(pts[i + 1].lo))) {
				fprintf(out, "%zu %.10g %.10g %.10g\n", i, pts[i].y * u.factor,
					pts[i].lo * u.factor, pts[i].hi * u.factor);
				any_lonely = 1;
			}
		fputs("EOD\n", out);
	}
	int any_grey = 0;
	fputs("$regressed << EOD\n", out);
	for (size_t i = 0; i < h->n_commits; i++)
		if (pts[i].regressed == 1) {
			fprintf(out, "%zu %.10g\n", i, pts[i].y * u.factor);
			any_red = 1;
		}
	fputs("EOD\n$undecided << EOD\n", out);
	for (size_t i = 0; i < h->n_commits; i++)
		if (pts[i].regressed == 2) {
			fprintf(out, "%zu %.10g\n", i, pts[i].y * u.factor);
			any_grey = 1;
		}
	fputs("EOD\n", out);
	int any_shift = 0;
	if (write_changes(out, pts, h, n_points, stat, unit, u.factor, o ? o->changes : NULL, &any_shift)) {
		pg_gnuplot_end(gp);
		free(pts);
		return PG_ENOMEM;
	}

	const char *band_title = band == BAND_P10_P90 ? "p10-p90 of runs" : "min-p90 of runs";
	char change[32], level[64], text[256];
	pg_format_change(change, sizeof(change), better_higher ? -threshold : threshold);
	if (o && o->target > 0)
		write_target(out, o, unit, u.factor, top_of(pts, h->n_commits), 0);
	fputs("plot ", out);
	if (any_band)
		fprintf(out, "$band using 1:2:3 with filledcurves lc rgb '#4a90d9' title '%s', ", band_title);
	if (any_lonely)
		fprintf(out, "$lonely using 1:2:3:4 with yerrorbars pt 7 ps 0 lw 2 lc rgb '#9dbfe6' %s%s%s, ",
			any_band ? "notitle" : "title '", any_band ? "" : band_title, any_band ? "" : "'");
	/* Past a few hundred commits a marker per commit is a smear (and most of the SVG): a line alone. */
	fprintf(out, "$median using 1:2 with %s lc rgb '#1f4e79' title '%s'",
		h->n_commits > PG_PLOT_MARKERS_UPTO ? "lines lw 1.5" : "linespoints lw 2 pt 7 ps 0.9", stat ? stat : "median");
	if (before < h->n_commits) {
		double base = pts[before].y;
		double limit = base * (better_higher ? 1.0 - threshold : 1.0 + threshold);
		pg_format_value(level, sizeof(level), limit, unit);
		snprintf(text, sizeof(text), "threshold %s over %.7s (%s)", change,
			 h->commits[before].commit, level);
		fprintf(out, ", %.10g with lines dt 2 lw 1.5 lc rgb '#cc0000' title ", limit * u.factor);
		pg_gnuplot_quote(out, text, 0);
	}
	if (any_red) {
		snprintf(text, sizeof(text), "regression: a check against the commits before fails here");
		fputs(", $regressed using 1:2 with points pt 7 ps 1.8 lc rgb '#d62728' title ", out);
		pg_gnuplot_quote(out, text, 0);
	}
	if (any_grey)
		fputs(", $undecided using 1:2 with points pt 7 ps 1.5 lc rgb '#8c8c8c' title "
		      "'inconclusive: over the threshold, not significant or too few runs'",
		      out);
	if (o && o->target > 0)
		write_target(out, o, unit, u.factor, top_of(pts, h->n_commits), 1);
	if (any_shift)
		fputs(", $levels using 1:2 with lines lw 2.5 lc rgb '#b35900' title 'level between change points'"
		      ", $shifts using 1:2:3:4 with vectors nohead dt 3 lw 1.5 lc rgb '#b35900' title 'change point'",
		      out);
	fputc('\n', out);
	pg_gnuplot_end(gp);
	free(pts);
	*drawn = 1;
	return 0;
}

/* ---- every env key on one plot ---- */

/* Each key's line: told apart by colour and by marker, never in the red of the marks. */
static const char *const key_colours[] = {"#1f4e79", "#e69f00", "#009e73", "#cc79a7",
					  "#56b4e9", "#8c564b", "#7f7f7f", "#bcbd22"};
static const int key_markers[] = {7, 5, 9, 13, 11, 15};
#define N_KEY_COLOURS (sizeof(key_colours) / sizeof(key_colours[0]))
#define N_KEY_MARKERS (sizeof(key_markers) / sizeof(key_markers[0]))

/* The centre of bench.metric in rs when the benchmark ran cleanly (*m its metric), else NAN. */
static double centre_of(const pg_result_set *rs, const char *bench, const char *metric, const pg_metric **m,
			pg_lookup_hint *near)
{
	*m = pg_result_set_ok_metric(rs, bench, metric, near);
	return *m ? pg_metric_stat(*m, NULL) : NAN;
}

/* The points of one mark over every key: $NAME, x on the shared axis. *any: some point has the mark. */
static void write_marked(FILE *out, const char *name, pg_mark mark, const double *y, const size_t *x, size_t n,
			 size_t n_keys, const pg_mark *const *marks, double factor, int *any)
{
	*any = 0;
	fprintf(out, "$%s << EOD\n", name);
	for (size_t k = 0; marks && k < n_keys; k++)
		for (size_t i = 0; marks[k] && i < n; i++)
			if (isfinite(y[k * n + i]) && marks[k][i] == mark) {
				fprintf(out, "%zu %.10g\n", x[i], y[k * n + i] * factor);
				*any = 1;
			}
	fputs("EOD\n", out);
}

int pg_plot_history_keys(pg_gnuplot *gp, const pg_history *const *histories, size_t n_keys, const char *bench,
			 const char *metric, const pg_mark *const *marks, const pg_plot_options *o, int *drawn)
{
	size_t n = n_keys ? histories[0]->n_commits : 0, cells = n * n_keys + 1;
	*drawn = 0;
	/* y[k * n + i]: commit i in key k, NAN where it has no result; x[i]: its place on the axis. */
	double *y = malloc(cells * sizeof(*y)), *ys = malloc(cells * sizeof(*ys));
	size_t *x = calloc(n + 1, sizeof(*x));
	pg_history_commit *view = calloc(n + 1, sizeof(*view));
	pg_lookup_hint *near = calloc(n_keys + 1, sizeof(*near));
	int rc = 0;
	if (!y || !ys || !x || !view || !near) {
		rc = pg_error_set(PG_ENOMEM, "out of memory");
		goto out;
	}
	const pg_metric *unit_metric = NULL;
	size_t n_x = 0, n_values = 0;
	double top = 0;
	int all_positive = 1;
	for (size_t i = 0; i < n; i++) {
		int any = 0;
		for (size_t k = 0; k < n_keys; k++) {
			const pg_metric *m = NULL;
			double v = i < histories[k]->n_commits
					   ? centre_of(histories[k]->commits[i].rs, bench, metric, &m, &near[k])
					   : NAN;
			y[k * n + i] = isfinite(v) ? v : NAN;
			if (!isfinite(v))
				continue;
			ys[n_values++] = v;
			top = fmax(top, v);
			all_positive &= v >= 0;
			any = 1;
			if (!unit_metric)
				unit_metric = m;
		}
		/* Only commits some key measured: one that none did leaves the axis alone. */
		x[i] = n_x;
		if (any)
			view[n_x++] = histories[0]->commits[i];
	}
	if (n_values == 0)
		goto out;
	pg_plot_unit u;
	pg_plot_unit_choose(&u, unit_metric->unit, pg_stats_median(ys, n_values));
	char file[600];
	if (o && o->file)
		snprintf(file, sizeof(file), "%s", o->file);
	else
		pg_plot_history_file(file, sizeof(file), bench, metric, NULL, o ? o->format : PG_PLOT_PNG);
	FILE *plot = pg_gnuplot_begin(gp, file);
	if (!plot) {
		rc = PG_ENOMEM;
		goto out;
	}
	char heading[1024], detail[256], label[256];
	snprintf(heading, sizeof(heading), "%s.%s", bench, metric);
	snprintf(detail, sizeof(detail), "median per commit in %zu env keys, %zu of the last %zu commits on the "
					 "first-parent line",
		 n_keys, n_x, n);
	fputs("set title ", plot);
	pg_gnuplot_quote(plot, heading, 120);
	fputs(".\"\\n\".", plot);
	pg_gnuplot_quote(plot, detail, 160);
	fputs(" font ',11' noenhanced\nset xlabel 'commit (first parent, oldest left)'\nset ylabel ", plot);
	snprintf(label, sizeof(label), "%s%s%s%s", metric, u.name[0] ? " (" : "", u.name, u.name[0] ? ")" : "");
	pg_gnuplot_quote(plot, label, 100);
	fprintf(plot, "\nset xrange [-0.5:%zu.5]\n", n_x - 1);
	pg_history hv = {view, n_x, NULL, NULL, 0, NULL, 0};
	write_xtics(plot, &hv);
	fputs(axes_style, plot);
	if (all_positive)
		fputs("set yrange [0:*]\nset offsets 0, 0, graph 0.08, 0\n", plot);
	for (size_t k = 0; k < n_keys; k++) {
		fprintf(plot, "$key%zu << EOD\n", k);
		/* No blank line where a key missed a commit: its line goes on to its next result. */
		for (size_t i = 0; i < n; i++)
			if (isfinite(y[k * n + i]))
				fprintf(plot, "%zu %.10g\n", x[i], y[k * n + i] * u.factor);
		fputs("EOD\n", plot);
	}
	int any_red = 0, any_grey = 0;
	write_marked(plot, "regressed", PG_MARK_REGRESSION, y, x, n, n_keys, marks, u.factor, &any_red);
	write_marked(plot, "undecided", PG_MARK_INCONCLUSIVE, y, x, n, n_keys, marks, u.factor, &any_grey);
	const char *unit = unit_metric->unit;
	if (o && o->target > 0)
		write_target(plot, o, unit, u.factor, top, 0);
	fputs("plot ", plot);
	int first = 1;
	for (size_t k = 0; k < n_keys; k++) {
		int has = 0;
		for (size_t i = 0; i < n && !has; i++)
			has = isfinite(y[k * n + i]);
		if (!has)
			continue; /* gnuplot fails on a data block without a point */
		/* Past the colours, the same colours again, dashed. */
		fprintf(plot, "%s$key%zu using 1:2 with %s lc rgb '%s' pt %d dt %zu title ", first ? "" : ", ", k,
			n_x > PG_PLOT_MARKERS_UPTO ? "lines lw 1.5" : "linespoints lw 2 ps 0.8",
			key_colours[k % N_KEY_COLOURS], key_markers[k % N_KEY_MARKERS], 1 + (k / N_KEY_COLOURS) % 4);
		pg_gnuplot_quote(plot, histories[k]->env_key ? histories[k]->env_key : "", 60);
		first = 0;
	}
	if (any_red)
		fputs(", $regressed using 1:2 with points pt 7 ps 1.8 lc rgb '#d62728' title "
		      "'regression: a check against the commits before fails here'",
		      plot);
	if (any_grey)
		fputs(", $undecided using 1:2 with points pt 7 ps 1.5 lc rgb '#8c8c8c' title "
		      "'inconclusive: over the threshold, not significant or too few runs'",
		      plot);
	if (o && o->target > 0)
		write_target(plot, o, unit, u.factor, top, 1);
	fputc('\n', plot);
	pg_gnuplot_end(gp);
	*drawn = 1;
out:
	free(y);
	free(ys);
	free(x);
	free(view);
	free(near);
	return rc;
}
