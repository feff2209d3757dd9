/* publish.h - `perfgate publish`: a static dashboard site rendered from the model pg_gate_publish reads */
#ifndef PERFGATE_PUBLISH_H
#define PERFGATE_PUBLISH_H

#include "perfgate/changes.h"
#include "perfgate/compare.h"
#include "perfgate/gates.h"
#include "perfgate/marks.h"
#include "perfgate/series.h"

#include <stddef.h>
#include <stdio.h>

typedef struct pg_publish_options {
	const char *dir;            /* the site; created when missing */
	const char *const *env_keys; /* n_env_keys keys; none: the newest key, then every other found */
	size_t n_env_keys;
	int n;                      /* commits walked along first parents; 0: 50 */
	const char *repo_url;       /* commit links as URL/commit/SHA; NULL: none */
	const char *title;          /* NULL: "perfgate" */
	const pg_gates *gates;      /* NULL: status from the change against the previous commit */
} pg_publish_options;

/* What a publish did, for the CLI to print. */
typedef struct pg_publish_counts {
	size_t pages;     /* files of the site, data.json included */
	size_t written;   /* of them, rewritten because their content changed */
	size_t plots;     /* plots gnuplot drew (the rest were reused from the pages) */
	char *no_plots;   /* why pages have no plots (gnuplot missing), or NULL; caller frees */
	char **warnings;  /* n_warnings sentences; free with pg_publish_counts_release */
	size_t n_warnings;
} pg_publish_counts;

void pg_publish_counts_release(pg_publish_counts *counts);

/* ---- the model the pages are rendered from (src/gate/publish.c fills it) ---- */

/* One commit of a metric's history in one env key. */
typedef struct pg_publish_row {
	const char *commit;  /* 40 hex */
	const char *subject; /* the commit's subject line */
	double value;        /* the median (or the value) */
	double p90;          /* NAN: none */
	size_t n;            /* runs */
	double change;       /* against the row before, > 0 worse; NAN for the first */
	const char *accepted_by; /* an acceptance of this metric since the row before ("abc1234 subject"), or NULL */
	pg_mark mark;        /* this commit against the results before it, as check decides (pg_marks_decide) */
	int accepted;        /* mark is PG_MARK_ACCEPTED */
} pg_publish_row;

typedef enum pg_publish_status {
	PG_PUBLISH_NONE = 0, /* no comparison: a single result */
	PG_PUBLISH_PASS,
	PG_PUBLISH_FAIL,
	PG_PUBLISH_WARN, /* inconclusive */
} pg_publish_status;

/* A metric's line on its benchmark's index card in one env key: its newest result against the one before. */
typedef struct pg_publish_card {
	pg_publish_status status;
	int gated;              /* a check fails on it: a relative gate holds it, or a gate names it */
	char *status_text;      /* "regression +14.2 % vs abc1234", "max 10 ms exceeded", ... */
	double latest;          /* NAN: never measured */
	const char *latest_commit;
	double vs_tag, vs_back; /* relative, > 0 worse; NAN: not known; vs_back against the oldest result of the walk */
	const char *back_commit;
	double *trend;          /* values, oldest first, for the sparkline */
	size_t n_trend;
} pg_publish_card;

/* A metric in one env key. */
typedef struct pg_publish_series {
	char *env_key;
	pg_publish_row *rows; /* oldest first; commits without the metric left out */
	size_t n_rows;
	char plot_key[17];    /* hash of what the plot shows: an unchanged plot is not redrawn */
	char *svg;            /* the plot, an <svg> element (pg_publish_plots); NULL: none (no_plot says why) */
	int svg_on_disk;      /* the page on disk has this plot (its key): read when the page is rendered */
	const char *no_plot;
	pg_changes changes;   /* where the level shifted, as `perfgate changes` finds it */
	pg_publish_card card;
} pg_publish_series;

typedef struct pg_publish_metric {
	char *bench, *metric, *unit;
	int better_higher;
	int on_index;           /* gated or primary: a line on its benchmark's card */
	char page[640];         /* the page's file name */
	char data[640];         /* its data file's name: every row and change point, as JSON */
	char page_key[17];      /* hash of what page and data file show: unchanged, neither is rendered again */
	double threshold;       /* relative, fraction */
	double target;          /* an absolute gate on the median (max or min), drawn on the plot; 0: none */
	int target_is_max;
	pg_publish_series *series; /* one per env key of the site, in the site's order */
	char *gate_text;        /* "< 10 ms, +10 %", ... */
	/* With several env keys, one plot of every key's line (a series' plot shows its key alone): */
	char plot_key[17];      /* hash of the series' plot keys: an unchanged plot is not redrawn */
	char *svg;              /* NULL: none (no_plot says why; with one env key, none is drawn) */
	int svg_on_disk;        /* as the series' */
	const char *no_plot;
	char *page_on_disk;     /* the page on disk through its plots' keys (pg_publish_plots reads it), or NULL */
} pg_publish_metric;

/* A release tag along the walk, signed off against the release tag before it. */
typedef struct pg_publish_release {
	char *tag;
	char commit[41];
	char date[16];          /* YYYY-MM-DD UTC: the tagger's date, else the commit's */
	char page[320];         /* the page's file name */
	const char *prev_tag;   /* the release compared with (an earlier element), or NULL */
	pg_publish_status status;
	pg_verdict *verdict;    /* the release against prev_tag; NULL when its page's sign-off is reused */
	char *signoff;          /* the sign-off document as an HTML fragment (pg_publish_write renders it) */
	char key[17];           /* hash of what the sign-off was made from: unchanged, it is reused */
} pg_publish_release;

/* One env key of the site (a platform of the CI matrix): where its newest results stand. */
typedef struct pg_publish_platform {
	const char *latest_commit;  /* the newest commit of the walk with results of this key, or NULL */
	const char *latest_subject;
	pg_publish_status status;   /* as check decides (pg_site_decide_platform) */
	const char *broken;         /* a benchmark that failed or timed out on latest_commit, or NULL */
	size_t n_broken;            /* how many did */
	size_t n_fail, n_warn;      /* its cards that fail, and gated ones that are inconclusive */
	size_t n_compared;          /* its cards with a comparison */
	char anchor[96];            /* the id of its part of the index and of each metric page */
} pg_publish_platform;

typedef struct pg_publish_model {
	const char *title, *repo_url, *head;
	char **env_keys;
	size_t n_env_keys;
	pg_publish_platform *platforms; /* one per env key */
	int n;
	int back;               /* commits from the oldest of the walk to head: "vs back" */
	char *tag;              /* the previous release tag, or NULL */
	char *tag_commit;
	pg_publish_metric *metrics; /* ordered by benchmark, then metric */
	size_t n_metrics;
	pg_publish_release *releases; /* tags with results along the walk, oldest first */
	size_t n_releases;
	char **warnings;
	size_t n_warnings;
	/* What the plots are drawn from, borrowed: */
	const pg_history *const *histories; /* per env key, the walk read (summaries), oldest first */
	/* Per env key: each commit of the walk against the results before it, one mark per metric at
	 * [commit * n_metrics + metric] (pg_marks_decide as check decides, then pg_marks_of). */
	const pg_mark *const *marks;
} pg_publish_model;

/* Free what the model owns (its histories and marks are borrowed) and zero it. */
void pg_publish_model_release(pg_publish_model *site);

/* A warning for the site's pages and for its caller (printf format). Returns 0 or PG_ENOMEM. */
int pg_publish_warn(pg_publish_model *site, pg_publish_counts *counts, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- rendering and writing the site (src/publish/site.c) ---- */

/*
 * The plots of site in dir (created when missing): a series' plot is
 * reused from its page on disk when its key is unchanged, else drawn with
 * one gnuplot per env key; with several keys, so is each metric's plot of
 * every key together. gnuplot missing is not an error: the pages say
 * why they have no plot (counts->no_plots). Returns 0, PG_ESYSTEM (dir
 * cannot be made) or PG_ENOMEM.
 */
int pg_publish_plots(pg_publish_counts *counts, pg_publish_model *site, const char *dir);

/*
 * Write site in dir: one page per metric and per release (sign-offs
 * rendered from their verdicts), index.html and data.json. A file whose
 * new content equals what is on disk is not touched; the others are
 * written through a temporary file and a rename. Returns 0, PG_ESYSTEM (a
 * file could not be written) or PG_ENOMEM.
 */
int pg_publish_write(pg_publish_counts *counts, pg_publish_model *site, const char *dir);

/*
 * A release's sign-off as its page in dir has it, when that page was made
 * from the same inputs (r->key): 1 with r->signoff and r->status set, else
 * 0 (then it is to be decided anew).
 */
int pg_publish_release_reuse(pg_publish_release *r, const char *dir);

/* Free n releases (tags, verdicts, sign-offs) and the array. */
void pg_publish_releases_free(pg_publish_release *r, size_t n);

/* ---- the page templates (src/publish/html.c) ---- */

/* index.html: one card per benchmark; with several env keys, each key's status and its own cards. */
void pg_publish_page_index(FILE *out, const pg_publish_model *site);

/* The page of one release tag: its sign-off. */
void pg_publish_page_release(FILE *out, const pg_publish_model *site, const pg_publish_release *r);

/*
 * The page of one metric: per env key side by side, its plot and the table
 * of its commits; with several env keys, above them every key's line on
 * one plot and each key's newest result.
 */
void pg_publish_page_metric(FILE *out, const pg_publish_model *site, const pg_publish_metric *m);

/*
 * An inline SVG sparkline of n values (oldest left), width x height px, the
 * newest point marked; alt is its accessible description. Nothing for n 0.
 */
void pg_publish_sparkline(FILE *out, const double *values, size_t n, int width, int height,
			  const char *alt);

/* The emoji and word of a status: "✅", "pass". */
const char *pg_publish_status_mark(pg_publish_status s);
const char *pg_publish_status_word(pg_publish_status s);

#endif
