/* log.c - `perfgate log`'s reading: a row per commit and env key along first parents, each decided as check decides */
#include "perfgate/gate_history.h"

#include "perfgate/error.h"
#include "perfgate/gitlib.h"
#include "perfgate/marks.h"
#include "perfgate/repo.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* No threshold log applies is lower (10 %, sizes 20 %): a smaller move is unchanged without a test. */
#define MARK_LEAST_CHANGE 0.10

/* The column of bench's primary metric, added the first time bench is seen. */
static int primary_column(pg_log_table *t, const pg_benchmark *b)
{
	for (size_t i = 0; i < t->n_columns; i++)
		if (t->columns[i].bench && strcmp(t->columns[i].bench, b->name) == 0)
			return 0;
	pg_log_column *grown = realloc(t->columns, (t->n_columns + 1) * sizeof(*grown));
	if (!grown)
		return pg_error_set(PG_ENOMEM, "out of memory");
	t->columns = grown;
	pg_log_column *c = &grown[t->n_columns];
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
	t->n_columns++;
	return 0;
}

static int note_key(pg_log_table *t, const char *key)
{
	for (size_t i = 0; i < t->n_keys; i++)
		if (strcmp(t->keys[i], key) == 0)
			return 0;
	return pg_strlist_push(&t->keys, &t->n_keys, key);
}

static pg_log_row *new_row(pg_log_table *t, const char *hex, const char *subject)
{
	if (t->n_rows == t->cap_rows) {
		size_t cap = t->cap_rows ? t->cap_rows * 2 : 64;
		pg_log_row *grown = realloc(t->rows, cap * sizeof(*grown));
		if (!grown)
			return NULL;
		t->rows = grown;
		t->cap_rows = cap;
	}
	pg_log_row *r = &t->rows[t->n_rows];
	memset(r, 0, sizeof(*r));
	if (!(r->subject = strdup(subject)))
		return NULL;
	snprintf(r->commit, sizeof(r->commit), "%s", hex);
	t->n_rows++;
	return r;
}

/*
 * A row for rs: its key noted, its cells (without --metric each benchmark
 * brings its primary metric as a column first), the benchmarks it measured.
 * rs itself is not kept.
 */
static int add_result_row(pg_log_table *t, const char *hex, const char *subject, const pg_result_set *rs)
{
	pg_log_row *r = new_row(t, hex, subject);
	int rc = 0;
	if (!r || (rc = note_key(t, rs->env.key ? rs->env.key : "-")))
		return rc ? rc : pg_error_set(PG_ENOMEM, "out of memory");
	if (!(r->env = pg_log_table_intern(t, rs->env.key ? rs->env.key : "-")))
		return pg_error_set(PG_ENOMEM, "out of memory");
	snprintf(r->date, sizeof(r->date), "%.10s", rs->created ? rs->created : "");
	for (size_t i = 0; i < rs->n_benchmarks && !rc && !t->fixed_columns; i++)
		if (rs->benchmarks[i].n_metrics > 0)
			rc = primary_column(t, &rs->benchmarks[i]);
	if (!rc && t->n_columns && !(r->cells = calloc(t->n_columns, sizeof(*r->cells))))
		rc = pg_error_set(PG_ENOMEM, "out of memory");
	for (size_t c = 0; c < t->n_columns && !rc; c++, r->n_cells++)
		rc = pg_log_cell_fill(&r->cells[c], t, c, rs);
	if (!rc && rs->n_benchmarks && !(r->ok = calloc(rs->n_benchmarks, sizeof(*r->ok))))
		rc = pg_error_set(PG_ENOMEM, "out of memory");
	for (size_t i = 0; i < rs->n_benchmarks && !rc; i++)
		if (rs->benchmarks[i].status == PG_STATUS_OK &&
		    !(r->ok[r->n_ok++] = pg_log_table_intern(t, rs->benchmarks[i].name)))
			rc = pg_error_set(PG_ENOMEM, "out of memory");
	return rc;
}

typedef struct walking {
	pg_log_table *t;
	const char *env_key;
} walking;

/* One commit: a row per env key shown (the latest set of each), or one row of dots. */
static int add_commit(void *arg, const git_commit *commit, pg_commit_records *r)
{
	walking *w = arg;
	pg_log_table *t = w->t;
	char hex[41];
	git_oid_tostr(hex, sizeof(hex), git_commit_id(commit));
	const char *subject = git_commit_summary((git_commit *)commit);
	subject = subject ? subject : "";
	int rc = 0;
	for (size_t i = 0; i < r->n_warnings && !rc; i++)
		rc = pg_strlist_push(&t->warnings, &t->n_warnings, r->warnings[i]);
	size_t rows = 0;
	for (size_t i = 0; i < r->n_sets && !rc; i++) {
		pg_result_set *rs = r->sets[i];
		if (w->env_key ? pg_records_latest(r, w->env_key) != rs
			       : (rs->env.key && pg_records_latest(r, rs->env.key) != rs))
			continue;
		rows++;
		rc = add_result_row(t, hex, subject, rs);
	}
	if (!rc && rows == 0 && !new_row(t, hex, subject))
		rc = pg_error_set(PG_ENOMEM, "out of memory");
	return rc;
}

/* ---- marks: each row decided against the rows before it, as check decides ---- */

static int same_env(const pg_log_row *a, const pg_log_row *b)
{
	return a->env && a->env == b->env; /* interned: one pointer per key */
}

static int measured_ok(const pg_log_row *r, const char *bench)
{
	for (size_t i = 0; i < r->n_ok; i++)
		if (strcmp(r->ok[i], bench) == 0)
			return 1;
	return 0;
}

/* Row i moved by more than any threshold somewhere against the row before it with the metric. */
static int worth_deciding(const pg_log_table *t, size_t i)
{
	const pg_log_row *r = &t->rows[i];
	for (size_t c = 0; c < r->n_cells; c++) {
		const pg_log_cell *cell = &r->cells[c];
		if (!cell->bench)
			continue;
		double head = cell->centre;
		for (size_t j = i + 1; j < t->n_rows && j <= i + PG_DEFAULT_MAX_DEPTH; j++) {
			if (!same_env(r, &t->rows[j]))
				continue;
			const pg_log_cell *before = c < t->rows[j].n_cells ? &t->rows[j].cells[c] : NULL;
			if (!before || before->metric != cell->metric || before->bench != cell->bench || isnan(before->centre))
				continue;
			double base = before->centre;
			if (base == 0 ? head != 0 : fabs(head / base - 1) > MARK_LEAST_CHANGE)
				return 1;
			break;
		}
	}
	return 0;
}

/* The sets one decision reads whole (with samples): the row's and its bases'. */
typedef struct full_sets {
	pg_commit_records records[PG_DEFAULT_MAX_DEPTH + 1];
	size_t n;
} full_sets;

/* Row i's result set with its samples, read into f (released with it). */
static const pg_result_set *full_set(const pg_log_table *t, size_t i, pg_store *store, full_sets *f)
{
	if (f->n == sizeof(f->records) / sizeof(f->records[0]) ||
	    pg_store_read(&f->records[f->n], store, t->rows[i].commit) != 0)
		return NULL;
	return pg_records_latest(&f->records[f->n++], t->rows[i].env);
}

/*
 * Row i decided as check decides, against the rows before it. Its sets are
 * read whole for this decision only: rows worth deciding are few, and a log
 * of 100,000 commits keeps no result sets.
 */
static int mark_row(pg_log_table *t, size_t i, pg_store *store, git_repository *repo)
{
	const pg_result_set *results[PG_DEFAULT_MAX_DEPTH + 1] = {0}, *head;
	const char *commits[PG_DEFAULT_MAX_DEPTH + 1] = {0};
	unsigned char need[PG_DEFAULT_MAX_DEPTH + 1] = {1};
	pg_verdict *verdicts[PG_DEFAULT_MAX_DEPTH + 1] = {0};
	full_sets *f = calloc(1, sizeof(*f));
	size_t n = 1;
	int rc = 0;
	if (!f)
		return pg_error_set(PG_ENOMEM, "out of memory");
	if (!(head = full_set(t, i, store, f)))
		goto out;
	results[0] = head;
	commits[0] = t->rows[i].commit;
	/* The rows before it in its key; full reads only of those that hold a benchmark's base. */
	for (size_t j = i + 1; j < t->n_rows && n <= PG_DEFAULT_MAX_DEPTH; j++) {
		if (!same_env(&t->rows[i], &t->rows[j]))
			continue;
		int base_of_some = 0;
		for (size_t b = 0; b < head->n_benchmarks && !base_of_some; b++) {
			const char *name = head->benchmarks[b].name;
			int earlier = 0;
			for (size_t k = 1; k < n && !earlier; k++)
				earlier = results[k] && pg_result_set_find(results[k], name) &&
					  pg_result_set_find(results[k], name)->status == PG_STATUS_OK;
			base_of_some = measured_ok(&t->rows[j], name) && !earlier;
		}
		commits[n] = t->rows[j].commit;
		results[n++] = base_of_some ? full_set(t, j, store, f) : NULL;
	}
	pg_compare_options co = {0};
	rc = pg_gate_decide_marks(verdicts, results, commits, n, need, repo, store, &co);
	t->rows[i].marks = verdicts[0];
	for (size_t k = 1; k < n; k++)
		pg_verdict_free(verdicts[k]);
out:
	for (size_t k = 0; k < f->n; k++)
		pg_commit_records_release(&f->records[k]);
	free(f);
	return rc;
}

static int mark_rows(pg_log_table *t, pg_store *store, git_repository *repo)
{
	int rc = 0;
	for (size_t i = 0; i < t->n_rows && !rc; i++)
		if (t->rows[i].env && worth_deciding(t, i))
			rc = mark_row(t, i, store, repo);
	return rc;
}

int pg_gate_log(pg_log_table *t, git_repository *repo, pg_store *store, int n, const char *env_key)
{
	char head[GIT_OID_HEXSZ + 1], *end = NULL;
	walking w = {t, env_key};
	int rc = pg_repo_head_id(head, repo, "show");
	if (rc)
		return rc;
	rc = pg_history_walk(store, head, n, 0, add_commit, &w, &end);
	/* A shallow clone ends the walk: show what there is, and say why it stops. */
	if (end && !rc)
		rc = pg_strlist_push(&t->warnings, &t->n_warnings, end);
	free(end);
	if (!rc)
		rc = mark_rows(t, store, repo);
	return rc;
}
