/* log.c - `perfgate log`'s reading: a row per commit and env key along first parents, each decided as check decides */
#include "perfgate/gate_history.h"

#include "perfgate/error.h"
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

/* A metric a column can show: the primary one without --metric, else one a --metric path names. */
static int shown(const pg_benchmark *b, size_t i, void *arg)
{
	const pg_log_table *t = arg;
	if (!t->fixed_columns)
		return i == 0;
	size_t bl = strlen(b->name), ml = strlen(b->metrics[i].name);
	for (size_t c = 0; c < t->n_columns; c++) {
		const char *path = t->columns[c].path;
		if (path && strncmp(path, b->name, bl) == 0 && path[bl] == '.' &&
		    strncmp(path + bl + 1, b->metrics[i].name, ml) == 0 &&
		    (path[bl + 1 + ml] == '\0' || path[bl + 1 + ml] == '.'))
			return 1;
	}
	return 0;
}

static void drop_string(char **s)
{
	free(*s);
	*s = NULL;
}

/*
 * What a row keeps of its result set: its key and date, and per benchmark
 * its name, status and the metrics a column can show. A long log holds a
 * row per commit until it prints (its columns are every benchmark seen), so
 * a row holds a few hundred bytes, not a whole result set; the marks read
 * the sets they decide on from the store again.
 */
static void slim(pg_result_set *rs, const pg_log_table *t)
{
	char **strings[] = {&rs->run_id, &rs->commit, &rs->tool, &rs->env.os, &rs->env.arch, &rs->env.cpu, &rs->env.runner};
	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
		drop_string(strings[i]);
	for (size_t i = 0; i < rs->n_benchmarks; i++) {
		drop_string(&rs->benchmarks[i].reason);
		drop_string(&rs->benchmarks[i].definition_hash);
		pg_benchmark_keep_metrics(&rs->benchmarks[i], shown, (void *)t);
	}
}

/* A row for rs (taken), its key noted; without --metric each benchmark brings its primary metric as a column. */
static int add_result_row(pg_log_table *t, const char *hex, const char *subject, pg_result_set *rs)
{
	pg_log_row *r = new_row(t, hex, subject);
	int rc = 0;
	if (!r || !(r->env = strdup(rs->env.key ? rs->env.key : "-")))
		return pg_error_set(PG_ENOMEM, "out of memory");
	r->rs = rs;
	if ((rc = note_key(t, r->env)))
		return rc;
	for (size_t i = 0; i < rs->n_benchmarks && !rc && !t->fixed_columns; i++)
		if (rs->benchmarks[i].n_metrics > 0)
			rc = primary_column(t, &rs->benchmarks[i]);
	slim(rs, t);
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
	/* The rows keep their result sets for the marks: taken out of the records before they go. */
	for (size_t i = 0; i < r->n_sets; i++)
		for (size_t j = t->n_rows - rows; j < t->n_rows; j++)
			if (t->rows[j].rs == r->sets[i])
				r->sets[i] = NULL;
	if (!rc && rows == 0 && !new_row(t, hex, subject))
		rc = pg_error_set(PG_ENOMEM, "out of memory");
	return rc;
}

/* ---- marks: each row decided against the rows before it, as check decides ---- */

static double centre_in(const pg_result_set *rs, const char *bench, const char *metric)
{
	const pg_benchmark *b = rs ? pg_result_set_find(rs, bench) : NULL;
	const pg_metric *m = b && b->status == PG_STATUS_OK ? pg_benchmark_find_metric(b, metric) : NULL;
	double v;
	return m && pg_metric_center(m, &v) == 0 ? v : NAN;
}

static int same_env(const pg_log_row *a, const pg_log_row *b)
{
	return a->rs && b->rs && a->env && b->env && strcmp(a->env, b->env) == 0;
}

/* Row i moved by more than any threshold somewhere against the row before it with the metric. */
static int worth_deciding(const pg_log_table *t, size_t i)
{
	const pg_log_row *r = &t->rows[i];
	for (size_t c = 0; c < t->n_columns; c++) {
		const char *bench, *metric;
		if (!pg_log_column_metric(t, c, r->rs, &bench, &metric))
			continue;
		double head = centre_in(r->rs, bench, metric);
		for (size_t j = i + 1; j < t->n_rows && j <= i + PG_DEFAULT_MAX_DEPTH; j++) {
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
static const pg_result_set *full_set(const pg_log_table *t, size_t i, pg_store *store, pg_commit_records *full,
				     int *read)
{
	if (!read[i]) {
		if (pg_store_read(&full[i], store, t->rows[i].commit) != 0)
			return NULL;
		read[i] = 1;
	}
	return pg_records_latest(&full[i], t->rows[i].env);
}

static int mark_row(pg_log_table *t, size_t i, pg_store *store, git_repository *repo, pg_commit_records *full,
		    int *read)
{
	const pg_result_set *results[PG_DEFAULT_MAX_DEPTH + 1] = {0}, *head;
	const char *commits[PG_DEFAULT_MAX_DEPTH + 1] = {0};
	unsigned char need[PG_DEFAULT_MAX_DEPTH + 1] = {1};
	pg_verdict *verdicts[PG_DEFAULT_MAX_DEPTH + 1] = {0};
	size_t n = 1;
	if (!(head = full_set(t, i, store, full, read)))
		return 0;
	results[0] = head;
	commits[0] = t->rows[i].commit;
	/* The rows before it in its key; full reads only of those that hold a benchmark's base. */
	for (size_t j = i + 1; j < t->n_rows && n <= PG_DEFAULT_MAX_DEPTH; j++) {
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
	t->rows[i].marks = verdicts[0];
	for (size_t k = 1; k < n; k++)
		pg_verdict_free(verdicts[k]);
	return rc;
}

static int mark_rows(pg_log_table *t, pg_store *store, git_repository *repo)
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
