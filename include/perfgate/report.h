/* report.h - render measurements and verdicts for people and machines */
#ifndef PERFGATE_REPORT_H
#define PERFGATE_REPORT_H

#include "perfgate/compare.h"
#include "perfgate/result.h"

#include <stdio.h>

/*
 * The table `perfgate run` prints: per benchmark its status and, per
 * metric, median, p90, p99, mean ± stddev and min … max in units a person
 * reads. color: use ANSI colours.
 */
void pg_report_results_text(FILE *out, const pg_result_set *rs, int color);

/* 1 when colour should be used on this stream: a TTY, and NO_COLOR unset. */
int pg_report_want_color(FILE *stream);

typedef struct pg_report_options {
	int color;            /* ANSI colours (terminal only) */
	const char *plot_url; /* base URL of plots, for links (markdown), or NULL */
	const char *plot_dir; /* where plots were written, or NULL */
	const char *date;     /* the sign-off's date (YYYY-MM-DD); NULL: PERFGATE_DATE, else today */
} pg_report_options;

/* One output format: render a verdict to a stream. Returns 0 or a PG_ error. */
typedef int (*pg_render_fn)(FILE *out, const pg_verdict *v, const pg_report_options *o);

typedef struct pg_renderer {
	const char *name;
	pg_render_fn render;
	int to_terminal; /* without =FILE, colour may be used */
} pg_renderer;

/* The renderer for a format name, or NULL. */
const pg_renderer *pg_report_find(const char *name);

/* Comma-separated names of every format, for messages. */
const char *pg_report_format_names(void);

/*
 * Render for one "--format F[=FILE]" spec: to stdout, or to FILE through a
 * temporary file and a rename. PG_EINPUT for an unknown format.
 */
int pg_report_render(const char *spec, const pg_verdict *v, const pg_report_options *o);

/* Each format, one file under src/report/. */
int pg_report_terminal(FILE *out, const pg_verdict *v, const pg_report_options *o);
int pg_report_json(FILE *out, const pg_verdict *v, const pg_report_options *o);
int pg_report_markdown(FILE *out, const pg_verdict *v, const pg_report_options *o);
int pg_report_junit(FILE *out, const pg_verdict *v, const pg_report_options *o);
int pg_report_github(FILE *out, const pg_verdict *v, const pg_report_options *o);
int pg_report_signoff(FILE *out, const pg_verdict *v, const pg_report_options *o);

#endif
