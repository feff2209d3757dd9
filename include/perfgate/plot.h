/* plot.h - gnuplot plots: a metric's history along first parents, base-vs-head distributions */
#ifndef PERFGATE_PLOT_H
#define PERFGATE_PLOT_H

#include "perfgate/compare.h"
#include "perfgate/marks.h"
#include "perfgate/result.h"
#include "perfgate/series.h"

#include <stddef.h>
#include <stdio.h>

typedef enum pg_plot_format {
	PG_PLOT_PNG = 0, /* pngcairo 1000x500 (plain png where gnuplot has no cairo) */
	PG_PLOT_SVG,     /* svg 1000x500 dynamic */
} pg_plot_format;

typedef struct pg_plot_options {
	pg_plot_format format;
	double threshold; /* history: the relative threshold drawn and marked; 0: 0.10 */
	double target;    /* history: an absolute gate on the plotted value (stored unit); 0: none */
	int target_is_max; /* the target is a most (<=), else a least (>=) */
	const pg_mark *marks; /* history: per commit of the history drawn, its mark (pg_marks_decide):
	                       * regressions in red, inconclusive in grey; NULL: none marked */
	const char *file;     /* history: the file to write in gp's directory; NULL: pg_plot_history_file */
	/* history of the centre: the change points pg_changes_find_metric found on these commits (one
	 * metric's); NULL: found here, as it finds them */
	const struct pg_changes *changes;
} pg_plot_options;

/* The file extension of a format, without the dot: "png" or "svg". */
const char *pg_plot_extension(pg_plot_format format);

/* One unit for a whole axis: a value in the stored unit times factor reads in `name`. */
typedef struct pg_plot_unit {
	double factor;
	char name[32]; /* "ms", "µs", "MiB", "%", "k/s"; "" for a plain number */
} pg_plot_unit;

/* Choose the unit from a typical value (the median of what is drawn) in the stored unit. */
void pg_plot_unit_choose(pg_plot_unit *out, const char *unit, double typical);

/* ---- one gnuplot process that draws every plot of a call (src/plot/gnuplot.c) ---- */

typedef struct pg_gnuplot pg_gnuplot;

/*
 * Find gnuplot on PATH (*path: caller frees). PG_ESYSTEM with the message
 * "gnuplot not found on PATH: no plots written" when there is none: the
 * caller decides whether that is a warning (`check --plot`) or an error.
 */
int pg_gnuplot_find(char **path);

/*
 * Start gnuplot (without the user's init files) with a pipe to its stdin,
 * and set the terminal for format; dir is created when missing, and a
 * private directory for the plots' commands under $TMPDIR (or /tmp).
 * SIGPIPE is ignored until pg_gnuplot_close. PG_ESYSTEM when gnuplot is not
 * on PATH (the message of pg_gnuplot_find), cannot be started, or a
 * directory cannot be made. Free with pg_gnuplot_close.
 */
int pg_gnuplot_open(pg_gnuplot **out, const char *dir, pg_plot_format format);

/*
 * Begin the plot that becomes dir/file (a safe name with its extension):
 * gnuplot writes dir/.file.tmp, renamed by pg_gnuplot_close when the plot
 * drew without error. Settings from the previous plot are reset. Returns
 * the stream to write the plot's gnuplot commands to (a file gnuplot loads
 * at pg_gnuplot_end; owned by gp), or NULL with PG_ENOMEM or PG_ESYSTEM
 * set.
 */
FILE *pg_gnuplot_begin(pg_gnuplot *gp, const char *file);

/*
 * End the plot begun last: gnuplot loads its commands (none when they could
 * not all be written: the plot then fails), closes its output and records
 * whether it drew cleanly.
 */
void pg_gnuplot_end(pg_gnuplot *gp);

/*
 * Write s as a gnuplot string expression of single-quoted runs: no backquote
 * command substitution, no backslash escapes, no macros. A `'` is the piece
 * "'" joined with '.' ('it'."'".'s'): gnuplot 5.4 misreads a doubled quote
 * at the start of a string, and two in a row. Control
 * characters as spaces, invalid UTF-8 and characters XML forbids replaced
 * by U+FFFD, cut to max bytes (0: no limit) with "…". Print with
 * `set termoption noenhanced` (as pg_gnuplot_open sets), so `^ _ @ & {}`
 * are plain text too.
 */
void pg_gnuplot_quote(FILE *out, const char *s, size_t max);

/*
 * Close gnuplot's stdin, wait for it (killed after 60 s), move each plot
 * that drew cleanly into place and remove the temporary files of the rest
 * and the commands' directory.
 * Returns 0, or PG_ESYSTEM naming the first plot that failed with gnuplot's
 * message. gp is freed; NULL is accepted.
 */
int pg_gnuplot_close(pg_gnuplot *gp);

/* ---- a metric along first-parent history (src/plot/history.c), as pg_history_load reads it ---- */

/*
 * The plot file name (with extension) of bench.metric[.stat]: the name the
 * markdown report links to (pg_report_plot_name), with ".STAT" added for a
 * stat other than the median (median and p50 are the default plot).
 */
char *pg_plot_history_file(char *buf, size_t size, const char *bench, const char *metric,
			   const char *stat, pg_plot_format format);

/*
 * Draw bench.metric (stat NULL: the median, or the value) along history:
 * x the commits with short SHAs (oldest left), y in one unit a person
 * reads, a p10-p90 band (min-p90 where only summaries were read), the
 * threshold as a dashed line at the newest point's predecessor times
 * (1 + threshold), and the points o->marks marks: regressions (what a
 * failed check means) in red, inconclusive ones in grey; never a bare
 * ratio. Commits without the metric are gaps. Writes
 * pg_plot_history_file in gp's directory. Returns 0 (nothing drawn when no
 * commit has the metric: *drawn 0), or PG_ENOMEM.
 */
int pg_plot_history(pg_gnuplot *gp, const pg_history *history, const char *bench,
		    const char *metric, const char *stat, const pg_plot_options *o, int *drawn);

/*
 * Draw bench.metric's centre along one walk read in n_keys env keys
 * (histories[k]: the same commits in the same order, each titled with its
 * env_key) as asv draws a benchmark on several machines: one line per key
 * over the commits where some key has the metric, in one unit. marks[k]
 * (NULL: none marked) holds the mark of each commit of histories[k]:
 * regressions in red, inconclusive ones in grey, as pg_plot_history marks
 * them; o->target as there. No band, threshold or change points: each
 * key's own plot (pg_plot_history) has them. Writes o->file (NULL:
 * pg_plot_history_file) in gp's directory. Returns 0 (nothing drawn when
 * no key has the metric: *drawn 0), or PG_ENOMEM.
 */
int pg_plot_history_keys(pg_gnuplot *gp, const pg_history *const *histories, size_t n_keys, const char *bench,
			 const char *metric, const pg_mark *const *marks, const pg_plot_options *o, int *drawn);

/* ---- the metrics `perfgate plot` draws along one history (src/plot/metrics.c) ---- */

typedef struct pg_plot_item {
	const char *bench, *metric, *stat; /* borrowed from the history's result sets */
	char file[600];                     /* pg_plot_history_file */
} pg_plot_item;

typedef struct pg_plot_list {
	pg_plot_item *items;
	size_t n;
} pg_plot_list;

/*
 * What to draw of h: each of paths[0..n_paths) ("bench.metric[.stat]",
 * resolved against the newest result set that has it: PG_EINPUT naming it
 * when none does), or without paths every benchmark's primary metric,
 * newest benchmarks first. Two metrics whose names make the same plot file
 * (`a|b` and `a\tb` both make a_b) get NAME.EXT and NAME-2.EXT, as publish
 * numbers its pages; the same metric asked twice is drawn once. Release
 * with pg_plot_list_release.
 */
int pg_plot_select(pg_plot_list *l, const pg_history *h, const char *const *paths, size_t n_paths,
		   pg_plot_format format);
void pg_plot_list_release(pg_plot_list *l);

/*
 * Draw every item of l along h with one gnuplot into dir, the centre's
 * plots marked by verdicts (per commit of h, newest first; NULL entries:
 * none), and list each file drawn on `listing`. PG_ESYSTEM "warning:
 * gnuplot not found on PATH: no plots written" without gnuplot, or naming
 * a plot that failed.
 */
int pg_plot_draw(const pg_plot_list *l, const pg_history *h, const char *dir, const pg_plot_options *o,
		 pg_verdict *const *verdicts, FILE *listing);

/* ---- base against head (src/plot/distribution.c) ---- */

/*
 * For each gated metric of v with samples on both sides: a box plot of
 * base and head with every sample jittered over it, titled with
 * bench.metric, the change and the verdict, written to
 * dir/<pg_report_plot_name>.dist.png (.svg). One gnuplot process draws all;
 * nothing is started when there is nothing to draw (base NULL). Returns 0,
 * or PG_ESYSTEM (gnuplot missing: "gnuplot not found on PATH: no plots
 * written"; or a plot failed, named) for the caller to report as a warning:
 * the verdict stands without plots.
 */
int pg_plot_verdict(const char *dir, const pg_result_set *head, const pg_result_set *base,
		    const pg_verdict *v, const pg_plot_options *o);

#endif
