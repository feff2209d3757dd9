/* log_text.c - `perfgate log`'s table: a row per commit and env key, a column per metric, check's marks */
#include "perfgate/log.h"
#include "perfgate/report.h"

#include "perfgate/error.h"
#include "perfgate/marks.h"
#include "perfgate/quantity.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SUBJECT_WIDTH 40

static const char *const stat_names[] = {"min",  "max", "mean", "stddev", "median", "mad",
					 "p50",  "p90", "p95",  "p99",    "n",      NULL};

int pg_log_table_add_column(pg_log_table *t, const char *path)
{
	pg_log_column *grown = realloc(t->columns, (t->n_columns + 1) * sizeof(*grown));
	if (!grown)
		return pg_error_set(PG_ENOMEM, "out of memory");
	t->columns = grown;
	grown[t->n_columns] = (pg_log_column){strdup(path), path, NULL};
	if (!grown[t->n_columns].title)
		return pg_error_set(PG_ENOMEM, "out of memory");
	t->n_columns++;
	return 0;
}

void pg_log_table_release(pg_log_table *t)
{
	for (size_t i = 0; i < t->n_columns; i++) {
		free(t->columns[i].title);
		free(t->columns[i].bench);
	}
	free(t->columns);
	for (size_t i = 0; i < t->n_rows; i++) {
		pg_verdict_free(t->rows[i].marks);
		free(t->rows[i].subject);
		free(t->rows[i].cells);
		free(t->rows[i].ok);
	}
	free(t->rows);
	for (size_t i = 0; i < t->n_keys; i++)
		free(t->keys[i]);
	free(t->keys);
	for (size_t i = 0; i < t->n_names; i++)
		free(t->names[i]);
	free(t->names);
	for (size_t i = 0; i < t->n_warnings; i++)
		free(t->warnings[i]);
	free(t->warnings);
	memset(t, 0, sizeof(*t));
}

const char *pg_log_table_intern(pg_log_table *t, const char *s)
{
	for (size_t i = t->n_names; i-- > 0;)
		if (strcmp(t->names[i], s) == 0)
			return t->names[i];
	return pg_strlist_push(&t->names, &t->n_names, s) == 0 ? t->names[t->n_names - 1] : NULL;
}

/*
 * The benchmark and metric (its centre) column c shows in rs: 1, or 0 when
 * rs has none there or the column is a statistic other than the median.
 */
static int column_metric(const pg_log_table *t, size_t c, const pg_result_set *rs, const char **bench,
			 const char **metric)
{
	const pg_log_column *col = &t->columns[c];
	const pg_benchmark *b = NULL;
	const pg_metric *m = NULL;
	const char *stat = NULL;
	if (col->bench) {
		b = pg_result_set_find(rs, col->bench);
		m = b && b->n_metrics ? &b->metrics[0] : NULL;
	} else if (pg_metric_path_resolve(&b, &m, &stat, rs, col->path) != 0) {
		pg_error_clear();
		return 0;
	}
	if (!m || b->status != PG_STATUS_OK || (stat && strcmp(stat, "median") != 0 && strcmp(stat, "p50") != 0))
		return 0;
	*bench = b->name;
	*metric = m->name;
	return 1;
}

static double stat_of(const pg_summary *s, const char *stat)
{
	static const struct {
		const char *name;
		size_t offset;
	} fields[] = {{"min", offsetof(pg_summary, min)},       {"max", offsetof(pg_summary, max)},
		      {"mean", offsetof(pg_summary, mean)},     {"stddev", offsetof(pg_summary, stddev)},
		      {"median", offsetof(pg_summary, median)}, {"mad", offsetof(pg_summary, mad)},
		      {"p50", offsetof(pg_summary, p50)},       {"p90", offsetof(pg_summary, p90)},
		      {"p95", offsetof(pg_summary, p95)},       {"p99", offsetof(pg_summary, p99)}};
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (strcmp(fields[i].name, stat) == 0)
			return *(const double *)((const char *)s + fields[i].offset);
	return (double)s->n;
}

/*
 * `bench.metric[.stat]` in rs, parsed from the right: a trailing known stat,
 * then the longest metric name of that benchmark, the rest is the benchmark;
 * failing that, the whole path as bench.metric.
 */
static const pg_metric *find_path(const pg_result_set *rs, const char *path, const char **stat)
{
	size_t len = strlen(path);
	for (int with_stat = 1; with_stat >= 0; with_stat--) {
		size_t head = len;
		*stat = NULL;
		if (with_stat) {
			const char *dot = strrchr(path, '.');
			if (!dot)
				continue;
			for (const char *const *s = stat_names; *s; s++)
				if (strcmp(dot + 1, *s) == 0)
					*stat = *s;
			if (!*stat)
				continue;
			head = (size_t)(dot - path);
		}
		const pg_metric *best = NULL;
		for (size_t i = 0; i < rs->n_benchmarks; i++) {
			const pg_benchmark *b = &rs->benchmarks[i];
			size_t bl = strlen(b->name);
			if (bl + 1 >= head || strncmp(path, b->name, bl) != 0 || path[bl] != '.')
				continue;
			for (size_t j = 0; j < b->n_metrics; j++) {
				const pg_metric *m = &b->metrics[j];
				if (strlen(m->name) == head - bl - 1 &&
				    strncmp(path + bl + 1, m->name, head - bl - 1) == 0 &&
				    (!best || strlen(m->name) > strlen(best->name)))
					best = m;
			}
		}
		if (best)
			return best;
	}
	*stat = NULL;
	return NULL;
}

static int metric_text(char *buf, size_t size, const pg_metric *m, const char *stat)
{
	double v;
	if (!stat || strcmp(stat, "median") == 0 || strcmp(stat, "p50") == 0) {
		if (pg_metric_center(m, &v) != 0)
			return -1;
	} else if (strcmp(stat, "n") == 0) {
		size_t n = m->has_summary ? m->summary.n : m->n_samples ? m->n_samples : (size_t)m->has_value;
		snprintf(buf, size, "%zu", n);
		return 0;
	} else if (m->has_summary) {
		v = stat_of(&m->summary, stat);
	} else if (m->has_value) {
		v = m->value; /* one value is every statistic of itself */
	} else {
		return -1;
	}
	pg_format_value(buf, size, v, m->unit);
	return 0;
}

static const char *mark_suffix(pg_mark m)
{
	return m == PG_MARK_REGRESSION	 ? " ✗"
	       : m == PG_MARK_INCONCLUSIVE ? " ?"
	       : m == PG_MARK_ACCEPTED	 ? " ✓"
	       : m == PG_MARK_WORSE	 ? " !"
					 : "";
}

int pg_log_cell_fill(pg_log_cell *cell, pg_log_table *t, size_t c, const pg_result_set *rs)
{
	const pg_log_column *col = &t->columns[c];
	const pg_metric *m = NULL;
	const char *stat = NULL, *bench, *metric;
	memset(cell, 0, sizeof(*cell));
	cell->centre = NAN;
	if (!rs)
		return 0;
	if (col->path) {
		m = find_path(rs, col->path, &stat);
	} else {
		/* Each benchmark brings its primary metric as a column. */
		for (size_t i = 0; i < rs->n_benchmarks; i++)
			if (rs->benchmarks[i].n_metrics > 0 && strcmp(rs->benchmarks[i].name, col->bench) == 0)
				m = &rs->benchmarks[i].metrics[0];
	}
	char text[64];
	if (!m || metric_text(text, sizeof(text), m, stat) != 0)
		return 0;
	/* A cell is small (a long log keeps every one): a value with a long unit shows cut, marked "…". */
	if (strlen(text) >= sizeof(cell->text)) {
		size_t keep = sizeof(cell->text) - 4;
		while (keep > 0 && ((unsigned char)text[keep] & 0xc0) == 0x80)
			keep--;
		memcpy(text + keep, "…", sizeof("…"));
	}
	memcpy(cell->text, text, strlen(text) + 1);
	if (column_metric(t, c, rs, &bench, &metric)) {
		if (!(cell->bench = pg_log_table_intern(t, bench)) || !(cell->metric = pg_log_table_intern(t, metric)))
			return pg_error_set(PG_ENOMEM, "out of memory");
		if (pg_metric_center(m, &cell->centre) != 0)
			cell->centre = NAN;
	}
	return 0;
}

/* The cell of row r in column c, with its mark; 0 when the row has nothing there. */
static int cell_text(char text[32], const pg_log_row *r, size_t c)
{
	if (c >= r->n_cells || !r->cells[c].text[0])
		return 0;
	const pg_log_cell *cell = &r->cells[c];
	snprintf(text, 32, "%s%s", cell->text,
		 r->marks && cell->bench ? mark_suffix(pg_marks_of(r->marks, cell->bench, cell->metric, NULL)) : "");
	return 1;
}

/* Cut s to at most width characters (UTF-8 aware), marking the cut with "…". */
static void truncate_utf8(char *s, size_t width)
{
	size_t chars = 0;
	for (char *p = s; *p; p++) {
		if (((unsigned char)*p & 0xc0) == 0x80)
			continue;
		if (++chars > width) {
			char *cut = p;
			/* Step back one character to make room for the ellipsis. */
			do
				cut--;
			while (cut > s && ((unsigned char)*cut & 0xc0) == 0x80);
			strcpy(cut, "…");
			return;
		}
	}
}

static size_t display_width(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static void pad(FILE *out, const char *s, size_t width, int right)
{
	size_t w = display_width(s);
	if (right)
		fprintf(out, "%*s%s", (int)(width > w ? width - w : 0), "", s);
	else
		fprintf(out, "%s%*s", s, (int)(width > w ? width - w : 0), "");
}

/* Row r's subject as shown: made inert, cut to SUBJECT_WIDTH. */
static void subject_text(char out[256], const pg_log_row *r)
{
	pg_text_inert_buf(out, 256, r->subject);
	truncate_utf8(out, SUBJECT_WIDTH);
}

void pg_report_log_text(FILE *out, const pg_log_table *t)
{
	int env_column = t->n_keys > 1;
	size_t wsubject = 7, wenv = 3, *wcol = calloc(t->n_columns + 1, sizeof(size_t));
	char subject[256], cell[32];
	if (!wcol)
		return;
	/* Two passes over the rows, the widths first: a long log keeps no second copy of its cells. */
	for (size_t i = 0; i < t->n_rows; i++) {
		const pg_log_row *r = &t->rows[i];
		subject_text(subject, r);
		size_t w = display_width(subject);
		wsubject = w > wsubject ? w : wsubject;
		if (r->env && strlen(r->env) > wenv)
			wenv = strlen(r->env);
		for (size_t c = 0; c < t->n_columns; c++)
			if (cell_text(cell, r, c) && (w = display_width(cell)) > wcol[c])
				wcol[c] = w;
	}
	for (size_t c = 0; c < t->n_columns; c++)
		if (display_width(t->columns[c].title) > wcol[c])
			wcol[c] = display_width(t->columns[c].title);
	fprintf(out, "%-7s  %-10s  ", "commit", "date");
	pad(out, "subject", wsubject, 0);
	if (env_column) {
		fputs("  ", out);
		pad(out, "env", wenv, 0);
	}
	for (size_t c = 0; c < t->n_columns; c++) {
		fputs("  ", out);
		pad(out, t->columns[c].title, wcol[c], 1);
	}
	fputc('\n', out);
	for (size_t i = 0; i < t->n_rows; i++) {
		const pg_log_row *r = &t->rows[i];
		fprintf(out, "%.7s  ", r->commit);
		pad(out, r->date[0] ? r->date : "·", 10, 0);
		fputs("  ", out);
		subject_text(subject, r);
		pad(out, subject, wsubject, 0);
		if (env_column) {
			fputs("  ", out);
			pad(out, r->env ? r->env : "·", wenv, 0);
		}
		for (size_t c = 0; c < t->n_columns; c++) {
			fputs("  ", out);
			pad(out, cell_text(cell, r, c) ? cell : "·", wcol[c], 1);
		}
		fputc('\n', out);
	}
	free(wcol);
}
