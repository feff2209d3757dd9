/* report.h - render measurements and verdicts for people and machines */
#ifndef PERFGATE_REPORT_H
#define PERFGATE_REPORT_H

#include "perfgate/changes.h"
#include "perfgate/compare.h"
#include "perfgate/result.h"
#include "perfgate/series.h"

#include <stddef.h>
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
	const char *signer;   /* the sign-off's release manager; NULL: PERFGATE_RELEASE_MANAGER, else GITHUB_ACTOR */
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

/* ---- what is stored on one commit: `perfgate show` (src/report/show.c) ---- */

typedef struct pg_show_options {
	const char *env_key; /* only result sets of this key; NULL: every key */
	int all_runs;        /* every result set, not only the latest of each key */
} pg_show_options;

/*
 * The text show prints of records stored on commit (40 hex, or
 * "unversioned"): per result set shown its key, time, run id and dirty
 * flag, and per benchmark its status and the median of its primary
 * metric; then the acceptances. subject: the commit's subject line.
 */
void pg_report_show_text(FILE *out, const char *commit, const char *subject, const pg_commit_records *r,
			 const pg_show_options *o);

/* The records shown, as JSON Lines: result sets, then acceptances. Returns 0 or PG_ENOMEM. */
int pg_report_show_json(FILE *out, const pg_commit_records *r, const pg_show_options *o);

/*
 * `show --size`: the note's text (len bytes, NULL: nothing stored) and
 * each record line's size, schema, run id and key; as text or as one JSON
 * document.
 */
void pg_report_show_size(FILE *out, const char *commit, const char *text, size_t len, int json);

/* ---- change points: `perfgate changes` (src/report/changes.c) ---- */

/*
 * The change points c found over n_commits of history h: a line per
 * change, "too few commits to tell" for undecided ones (a step needs
 * min_segment commits a side), the acceptance that covers each.
 */
void pg_report_changes_text(FILE *out, const pg_changes *c, const pg_history *h, size_t n_commits,
			    size_t min_segment);

/* The same as one perfgate-changes/1 JSON document, with h's warnings. Returns 0 or PG_ENOMEM. */
int pg_report_changes_json(FILE *out, const pg_changes *c, const pg_history *h, size_t n_commits);

/* ---- stored results along history: `perfgate log` (src/report/log_text.c) ---- */

typedef struct pg_log_column {
	char *title;      /* as the header shows it */
	const char *path; /* --metric as given; NULL for a primary-metric column */
	char *bench;      /* primary-metric column: its benchmark */
} pg_log_column;

/* What one column shows of one row's result set. */
typedef struct pg_log_cell {
	char text[16];              /* the value as printed ("4.95 ms"); "" where the row has none */
	double centre;              /* the metric's centre where the column shows it (marks decide on it); NAN otherwise */
	const char *bench, *metric; /* the metric the column shows (interned in the table); NULL: no mark */
} pg_log_cell;

/*
 * A row keeps what it shows, not its result set: a log of 100,000 commits
 * holds every row until it prints (its columns are every benchmark seen).
 */
typedef struct pg_log_row {
	char commit[41];
	char date[11];      /* of the result, YYYY-MM-DD; "" when the commit has none */
	char *subject;
	const char *env;    /* interned in the table; NULL: no result on this commit */
	pg_log_cell *cells; /* a cell per column the table had when the row was read (later ones: none) */
	size_t n_cells;
	const char **ok;    /* the benchmarks measured without failure (interned) */
	size_t n_ok;
	pg_verdict *marks;  /* this row against the rows before it, as check decides; NULL: not decided */
} pg_log_row;

/* Filled by pg_gate_log, printed by pg_report_log_text. */
typedef struct pg_log_table {
	pg_log_column *columns;
	size_t n_columns;
	int fixed_columns; /* --metric given: only those columns */
	pg_log_row *rows;  /* newest commit first */
	size_t n_rows, cap_rows;
	char **keys;       /* distinct env keys seen */
	size_t n_keys;
	char **names;      /* benchmark and metric names the rows point to, each once */
	size_t n_names;
	char **warnings;   /* unreadable note lines, the end of a shallow clone */
	size_t n_warnings;
} pg_log_table;

/* s as the table keeps it (one copy per distinct string, freed with the table); NULL on ENOMEM. */
const char *pg_log_table_intern(pg_log_table *t, const char *s);

/* What column c shows of rs (NULL: the row has no result). Returns 0 or PG_ENOMEM. */
int pg_log_cell_fill(pg_log_cell *cell, pg_log_table *t, size_t c, const pg_result_set *rs);

/* A column for bench.metric[.stat] (--metric path, borrowed: keep it alive). Returns 0 or PG_ENOMEM. */
int pg_log_table_add_column(pg_log_table *t, const char *path);

/* Free what t holds. */
void pg_log_table_release(pg_log_table *t);


/*
 * The table of t: commit, date of the result, subject (cut to 40
 * characters), env when several keys show, a column per metric (· where a
 * commit has none), each value marked ✗ regression, ? inconclusive, ✓
 * accepted, ! worse on a metric no gate holds.
 */
void pg_report_log_text(FILE *out, const pg_log_table *t);

#endif
