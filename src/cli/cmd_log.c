/* cmd_log.c - `perfgate log`: stored results along first-parent history, one row per commit */
#include "cli.h"

#include "perfgate/error.h"
#include "perfgate/gate_history.h"
#include "perfgate/marks.h"
#include "perfgate/quantity.h"
#include "perfgate/repo.h"
#include "perfgate/store.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] = "perfgate log [-n N] [--metric M]... [--env KEY] [--store DIR]";

static const char help[] =
	"A table of stored results along the first-parent history from HEAD: commit,\n"
	"date of the result, subject, and a column per metric (· where a commit has\n"
	"no result). A value is marked where `perfgate check` of that commit against\n"
	"the results before it (same env key) would say so: ✗ a regression (over the\n"
	"threshold, 10 %% or 20 %% for sizes, and significant on the runs), ? inconclusive\n"
	"(over the threshold, not significant or too few runs), ✓ accepted by a\n"
	"Perfgate-Accept trailer or accept record, ! worse on a metric no gate holds.\n"
	"\n"
	"  -n N              this many commits (default 20)\n"
	"  --metric M        a column for bench.metric[.stat] (repeatable; default:\n"
	"                    each benchmark's primary metric, median)\n"
	"  --env KEY         only result sets of this environment key (default: the\n"
	"                    latest set of each key, a row per key)\n"
	"  --store DIR       read the plain-file store DIR instead of refs/notes/perfgate\n"
	"\n"
	"Exit status: 0, 2 bad command line, 3 not in a repository or the store\n"
	"cannot be read.\n";

enum { OPT_METRIC = OPT_CLI_LAST, OPT_STORE };

#define SUBJECT_WIDTH 40

static const char *const stat_names[] = {"min",  "max", "mean", "stddev", "median", "mad",
					 "p50",  "p90", "p95",  "p99",    "n",      NULL};

typedef struct log_column {
	char *title;       /* as the header shows it */
	const char *path;  /* --metric as given; NULL for a primary-metric column */
	char *bench;       /* primary-metric column: its benchmark */
} log_column;

typedef struct cell {
	size_t column;
	char text[32];
} cell;

typedef struct row {
	char commit[41];
	pg_result_set *rs; /* the row's result set as read (summaries), NULL: none */
	char date[11];
	char *subject;
	char *env; /* NULL: no result on this commit */
	cell *cells;
	size_t n_cells;
} row;

typedef struct table {
	log_column *columns;
	size_t n_columns;
	row *rows;
	size_t n_rows, cap_rows;
	char **keys; /* distinct env keys seen */
	size_t n_keys;
	int fixed_columns; /* --metric given: only those columns */
} table;

static void table_release(table *t)
{
	for (size_t i = 0; i < t->n_columns; i++) {
		free(t->columns[i].title);
		free(t->columns[i].bench);
	}
	free(t->columns);
	for (size_t i = 0; i < t->n_rows; i++) {
		pg_result_set_free(t->rows[i].rs);
		free(t->rows[i].subject);
		free(t->rows[i].env);
		free(t->rows[i].cells);
	}
	free(t->rows);
	for (size_t i = 0; i < t->n_keys; i++)
		free(t->keys[i]);
	free(t->keys);
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
 * then the longest metric name of that benchmark, the rest is the benchmark.
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

static int add_cell(row *r, size_t column, const char *text)
{
	cell *grown = realloc(r->cells, (r->n_cells + 1) * sizeof(*grown));
	if (!grown)
		return pg_error_set(PG_ENOMEM, "out of memory");
	r->cells = grown;
	grown[r->n_cells].column = column;
	snprintf(grown[r->n_cells].text, sizeof(grown[r->n_cells].text), "%s", text);
	r->n_cells++;
	return 0;
}

/* The column of bench's primary metric, added the first time bench is seen. */
static int primary_column(size_t *out, table *t, const pg_benchmark *b)
{
	for (size_t i = 0; i < t->n_columns; i++)
		if (t->columns[i].bench && strcmp(t->columns[i].bench, b->name) == 0) {
			*out = i;
			return 0;
		}
	log_column *grown = realloc(t->columns, (t->n_columns + 1) * sizeof(*grown));
	if (!grown)
		return pg_error_set(PG_ENOMEM, "out of memory");
	t->columns = grown;
	log_column *c = &grown[t->n_columns];
	size_t n = strlen(b->name) + strlen(b->metrics[0].name) + 2;
	c->path = NULL;
	c->bench = strdup(b->name);
	c->title = malloc(n);
	if (!c->bench || !c->title) {
		free(c->bench);
		free(c->title);
		return pg_error_set(PG_ENOMEM, "out of memory");
	}
	snprintf(c->title, n, "%s.%s", b->name, b->metrics[0].name);
	*out = t->n_columns++;
	return 0;
}

static int note_key(table *t, const char *key)
{
	for (size_t i = 0; i < t->n_keys; i++)
		if (strcmp(t->keys[i], key) == 0)
			return 0;
	char **grown = realloc(t->keys, (t->n_keys + 1) * sizeof(char *));
	if (!grown)
		return pg_error_set(PG_ENOMEM, "out of memory");
	t->keys = grown;
	if (!(grown[t->n_keys] = strdup(key)))
		return pg_error_set(PG_ENOMEM, "out of memory");
	t->n_keys++;
	return 0;
}

static row *new_row(table *t, const char *hex, const char *subject)
{
	if (t->n_rows == t->cap_rows) {
		size_t cap = t->cap_rows ? t->cap_rows * 2 : 64;
		row *grown = realloc(t->rows, cap * sizeof(*grown));
		if (!grown)
			return NULL;
		t->rows = grown;
		t->cap_rows = cap;
	}
	row *r = &t->rows[t->n_rows];
	memset(r, 0, sizeof(*r));
	if (!(r->subject = strdup(subject)))
		return NULL;
	snprintf(r->commit, sizeof(r->commit), "%s", hex);
	strcpy(r->date, "·");
	t->n_rows++;
	return r;
}

static int add_result_row(table *t, const char *hex, const char *subject, const pg_result_set *rs)
{
	row *r = new_row(t, hex, subject);
	int rc = 0;
	char text[32];
	if (!r || !(r->env = strdup(rs->env.key ? rs->env.key : "-")))
		return pg_error_set(PG_ENOMEM, "out of memory");
	if (rs->created)
		snprintf(r->date, sizeof(r->date), "%.10s", rs->created);
	if ((rc = note_key(t, r->env)))
		return rc;
	for (size_t i = 0; i < t->n_columns && !rc; i++) {
		const char *stat;
		const pg_metric *m;
		if (!t->columns[i].path)
			continue;
		m = find_path(rs, t->columns[i].path, &stat);
		if (m && metric_text(text, sizeof(text), m, stat) == 0)
			rc = add_cell(r, i, text);
	}
	/* Without --metric, each benchmark brings its primary metric as a column. */
	for (size_t i = 0; i < rs->n_benchmarks && !rc && !t->fixed_columns; i++) {
		const pg_benchmark *b = &rs->benchmarks[i];
		size_t col = 0;
		if (b->n_metrics == 0 || (rc = primary_column(&col, t, b)))
			continue;
		if (metric_text(text, sizeof(text), &b->metrics[0], NULL) == 0)
			rc = add_cell(r, col, text);
	}
	return rc;
}

/* ---- marks: each row decided against the rows before it, as check decides ---- */

/* As the baseline walk: at most this many results back for a benchmark's base. */
#define MARK_DEPTH 50
/* No threshold log applies is lower (10 %, sizes 20 %): a smaller move is unchanged without a test. */
#define MARK_LEAST_CHANGE 0.10

/* The benchmark and metric (its centre) column c shows in rs; 0 when none or a statistic. */
static int column_metric(const table *t, size_t c, const pg_result_set *rs, const char **bench,
			 const char **metric)
{
	const log_column *col = &t->columns[c];
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

static double centre_in(const pg_result_set *rs, const char *bench, const char *metric)
{
	const pg_benchmark *b = rs ? pg_result_set_find(rs, bench) : NULL;
	const pg_metric *m = b && b->status == PG_STATUS_OK ? pg_benchmark_find_metric(b, metric) : NULL;
	double v;
	return m && pg_metric_center(m, &v) == 0 ? v : NAN;
}

static int same_env(const row *a, const row *b)
{
	return a->rs && b->rs && a->env && b->env && strcmp(a->env, b->env) == 0;
}

/* Row i moved by more than any threshold somewhere against the row before it with the metric. */
static int worth_deciding(const table *t, size_t i)
{
	const row *r = &t->rows[i];
	for (size_t c = 0; c < t->n_columns; c++) {
		const char *bench, *metric;
		if (!column_metric(t, c, r->rs, &bench, &metric))
			continue;
		double head = centre_in(r->rs, bench, metric);
		for (size_t j = i + 1; j < t->n_rows && j <= i + MARK_DEPTH; j++) {
			if (!same_env(r, &t->rows[j]))
				continue;
			double base = centre_in(t->rows[j].rs, bench, metric);
			if (isnan(base))
				continue;
			if (base == 0 ? head != 0 : fabs(head / base - 1) > MARK_LEAST_CHANGE)
				return 1;
			break;
		}
	}
	return 0;
}

/* The full result set (with samples) of row i, read once into full[i]. */
static const pg_result_set *full_set(table *t, size_t i, pg_store *store, pg_commit_records *full, int *read)
{
	if (!read[i]) {
		if (pg_store_read(&full[i], store, t->rows[i].commit) != 0)
			return NULL;
		read[i] = 1;
	}
	return pg_records_latest(&full[i], t->rows[i].env);
}

static const char *mark_suffix(pg_mark m)
{
	return m == PG_MARK_REGRESSION	 ? " ✗"
	       : m == PG_MARK_INCONCLUSIVE ? " ?"
	       : m == PG_MARK_ACCEPTED	 ? " ✓"
	       : m == PG_MARK_WORSE	 ? " !"
					 : "";
}

static int mark_row(table *t, size_t i, pg_store *store, git_repository *repo, pg_commit_records *full, int *read)
{
	const pg_result_set *results[MARK_DEPTH + 1] = {0}, *head;
	const char *commits[MARK_DEPTH + 1] = {0};
	unsigned char need[MARK_DEPTH + 1] = {1};
	pg_verdict *verdicts[MARK_DEPTH + 1] = {0};
	size_t n = 1;
	if (!(head = full_set(t, i, store, full, read)))
		return 0;
	results[0] = head;
	commits[0] = t->rows[i].commit;
	/* The rows before it in its key; full reads only of those that hold a benchmark's base. */
	for (size_t j = i + 1; j < t->n_rows && n <= MARK_DEPTH; j++) {
		if (!same_env(&t->rows[i], &t->rows[j]))
			continue;
		int base_of_some = 0;
		for (size_t b = 0; b < head->n_benchmarks && !base_of_some; b++) {
			const char *name = head->benchmarks[b].name;
			const pg_benchmark *here = pg_result_set_find(t->rows[j].rs, name);
			int earlier = 0;
			for (size_t k = 1; k < n && !earlier; k++)
				earlier = results[k] && pg_result_set_find(results[k], name) &&
					  pg_result_set_find(results[k], name)->status == PG_STATUS_OK;
			base_of_some = here && here->status == PG_STATUS_OK && !earlier;
		}
		commits[n] = t->rows[j].commit;
		results[n++] = base_of_some ? full_set(t, j, store, full, read) : NULL;
	}
	pg_compare_options co = {0};
	int rc = pg_gate_decide_marks(verdicts, results, commits, n, need, repo, store, &co);
	for (size_t c = 0; !rc && verdicts[0] && c < t->n_columns; c++) {
		const char *bench, *metric;
		if (!column_metric(t, c, t->rows[i].rs, &bench, &metric))
			continue;
		const char *suffix = mark_suffix(pg_marks_of(verdicts[0], bench, metric, NULL));
		for (size_t k = 0; k < t->rows[i].n_cells && suffix[0]; k++)
			if (t->rows[i].cells[k].column == c) {
				cell *x = &t->rows[i].cells[k];
				size_t len = strlen(x->text);
				snprintf(x->text + len, sizeof(x->text) - len, "%s", suffix);
			}
	}
	for (size_t k = 0; k < n; k++)
		pg_verdict_free(verdicts[k]);
	return rc;
}

static int mark_rows(table *t, pg_store *store, git_repository *repo)
{
	pg_commit_records *full = calloc(t->n_rows + 1, sizeof(*full));
	int *read = calloc(t->n_rows + 1, sizeof(*read)), rc = 0;
	if (!full || !read)
		rc = pg_error_set(PG_ENOMEM, "out of memory");
	for (size_t i = 0; i < t->n_rows && !rc; i++)
		if (t->rows[i].rs && worth_deciding(t, i))
			rc = mark_row(t, i, store, repo, full, read);
	for (size_t i = 0; read && i < t->n_rows; i++)
		if (read[i])
			pg_commit_records_release(&full[i]);
	free(full);
	free(read);
	return rc;
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

static void pad(const char *s, size_t width, int right)
{
	size_t w = display_width(s);
	if (right)
		printf("%*s%s", (int)(width > w ? width - w : 0), "", s);
	else
		printf("%s%*s", s, (int)(width > w ? width - w : 0), "");
}

static void print_table(const table *t)
{
	int env_column = t->n_keys > 1;
	size_t wsubject = 7, wenv = 3, *wcol = calloc(t->n_columns + 1, sizeof(size_t));
	if (!wcol)
		return;
	for (size_t i = 0; i < t->n_rows; i++) {
		const row *r = &t->rows[i];
		size_t w = display_width(r->subject);
		wsubject = w > wsubject ? w : wsubject;
		if (r->env && strlen(r->env) > wenv)
			wenv = strlen(r->env);
		for (size_t j = 0; j < r->n_cells; j++) {
			w = display_width(r->cells[j].text);
			if (w > wcol[r->cells[j].column])
				wcol[r->cells[j].column] = w;
		}
	}
	for (size_t c = 0; c < t->n_columns; c++)
		if (display_width(t->columns[c].title) > wcol[c])
			wcol[c] = display_width(t->columns[c].title);
	printf("%-7s  %-10s  ", "commit", "date");
	pad("subject", wsubject, 0);
	if (env_column) {
		fputs("  ", stdout);
		pad("env", wenv, 0);
	}
	for (size_t c = 0; c < t->n_columns; c++) {
		fputs("  ", stdout);
		pad(t->columns[c].title, wcol[c], 1);
	}
	putchar('\n');
	for (size_t i = 0; i < t->n_rows; i++) {
		const row *r = &t->rows[i];
		printf("%.7s  ", r->commit);
		pad(r->date, 10, 0);
		fputs("  ", stdout);
		pad(r->subject, wsubject, 0);
		if (env_column) {
			fputs("  ", stdout);
			pad(r->env ? r->env : "·", wenv, 0);
		}
		for (size_t c = 0; c < t->n_columns; c++) {
			const char *text = "·";
			for (size_t j = 0; j < r->n_cells; j++)
				if (r->cells[j].column == c)
					text = r->cells[j].text;
			fputs("  ", stdout);
			pad(text, wcol[c], 1);
		}
		putchar('\n');
	}
	free(wcol);
}

/* One commit: a row per env key shown (the latest set of each), or one row of dots. */
static int add_commit(table *t, pg_store *store, const git_commit *commit, const char *env_key)
{
	char hex[41], subject[256];
	pg_commit_records r;
	git_oid_tostr(hex, sizeof(hex), git_commit_id(commit));
	const char *summary = git_commit_summary((git_commit *)commit);
	snprintf(subject, sizeof(subject), "%s", summary ? summary : "");
	truncate_utf8(subject, SUBJECT_WIDTH);
	int rc = pg_store_read_summaries(&r, store, hex);
	if (rc)
		return rc;
	for (size_t i = 0; i < r.n_warnings; i++)
		fprintf(stderr, "perfgate: warning: %s\n", r.warnings[i]);
	size_t rows = 0;
	for (size_t i = 0; i < r.n_sets && !rc; i++) {
		const pg_result_set *rs = r.sets[i];
		if (env_key ? pg_records_latest(&r, env_key) != rs
			    : (rs->env.key && pg_records_latest(&r, rs->env.key) != rs))
			continue;
		rc = add_result_row(t, hex, subject, rs);
		if (!rc)
			t->rows[t->n_rows - 1].rs = r.sets[i];
		rows++;
	}
	/* The rows keep their result sets for the marks: taken out of the records before they go. */
	for (size_t i = 0; i < r.n_sets; i++)
		for (size_t j = t->n_rows - rows; j < t->n_rows; j++)
			if (t->rows[j].rs == r.sets[i])
				r.sets[i] = NULL;
	if (!rc && rows == 0 && !new_row(t, hex, subject))
		rc = pg_error_set(PG_ENOMEM, "out of memory");
	pg_commit_records_release(&r);
	return rc;
}

/*
 * Follow first parents from HEAD, n commits. A plain parent chase rather
 * than git_revwalk: a revwalk with GIT_SORT_TOPOLOGICAL reads the whole
 * history before the first commit (0.5 s for 100k commits, for any n), and
 * one without a sort still stops a commit early at a shallow clone's edge,
 * because it parses each commit's parent before yielding the commit.
 */
static int walk(table *t, pg_store *store, git_repository *repo, int n, const char *env_key)
{
	git_commit *commit = NULL;
	git_oid head;
	int rc = 0;
	if (git_reference_name_to_id(&head, repo, "HEAD") < 0) {
		if (git_repository_head_unborn(repo) == 1)
			return pg_error_set(PG_EINPUT, "HEAD is unborn (no commit yet): nothing to show");
		return pg_error_set(PG_ESYSTEM, "cannot resolve HEAD: %s", pg_git_error());
	}
	if (git_commit_lookup(&commit, repo, &head) < 0)
		return pg_error_set(PG_ESYSTEM, "cannot read HEAD's commit: %s", pg_git_error());
	for (int i = 1; !rc; i++) {
		git_commit *parent = NULL;
		rc = add_commit(t, store, commit, env_key);
		if (rc || i >= n || git_commit_parentcount(commit) == 0)
			break;
		if (git_commit_parent(&parent, commit, 0) < 0) {
			/* A shallow clone ends here: show what there is, and say why it stops. */
			fprintf(stderr,
				"perfgate: warning: history ends after %d commit%s (%s): a shallow clone? "
				"fetch with fetch-depth 0\n",
				i, i == 1 ? "" : "s", pg_git_error());
			break;
		}
		git_commit_free(commit);
		commit = parent;
	}
	git_commit_free(commit);
	return rc;
}

static int add_metric_column(table *t, const char *path)
{
	log_column *grown = realloc(t->columns, (t->n_columns + 1) * sizeof(*grown));
	if (!grown)
		return pg_error_set(PG_ENOMEM, "out of memory");
	t->columns = grown;
	grown[t->n_columns] = (log_column){strdup(path), path, NULL};
	if (!grown[t->n_columns].title)
		return pg_error_set(PG_ENOMEM, "out of memory");
	t->n_columns++;
	return 0;
}


int cmd_log(int argc, char *argv[])
{
	static const struct option longopts[] = {{"env", required_argument, NULL, OPT_ENV},
						  {"metric", required_argument, NULL, OPT_METRIC},
						  {"store", required_argument, NULL, OPT_STORE},
						  {"help", no_argument, NULL, OPT_HELP},
						  {NULL, 0, NULL, 0}};
	const char *env_key = NULL, *store_dir = NULL;
	pg_cli_context ctx = {0};
	pg_store *store = NULL;
	table t = {0};
	int n = 20, opt, rc = 0;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "n:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
		case OPT_HELP:
			printf("usage: %s\n\n%s", usage, help);
			goto out;
		case 'n':
			if ((rc = pg_cli_int(&n, optarg, "-n", 1)))
				goto out;
			break;
		case OPT_METRIC:
			t.fixed_columns = 1;
			if ((rc = add_metric_column(&t, optarg)))
				goto out;
			break;
		case OPT_ENV:
			env_key = optarg;
			break;
		case OPT_STORE:
			store_dir = optarg;
			break;
		default:
			rc = pg_cli_bad_option("log", usage, argv);
			goto out;
		}
	}
	if (optind < argc) {
		rc = pg_error_set(PG_EINPUT, "log: unexpected argument '%s'\nusage: %s", argv[optind], usage);
		goto out;
	}
	rc = pg_cli_open_history(&ctx, &store, store_dir, "log");
	if (!rc)
		rc = walk(&t, store, ctx.repo, n, env_key);
	if (!rc)
		rc = mark_rows(&t, store, ctx.repo);
	if (!rc)
		print_table(&t);
out:
	table_release(&t);
	pg_store_free(store);
	pg_cli_context_close(&ctx);
	return rc;
}
