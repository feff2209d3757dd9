/* history.c - the history reader: stored results along first parents, per commit or as run-to-run series */
#include "perfgate/store.h"

#include "perfgate/error.h"
#include "perfgate/gitlib.h"
#include "perfgate/repo.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- per commit: the latest set of one env key ---- */

static int same_key(const char *a, const char *b)
{
	return a && b ? strcmp(a, b) == 0 : a == b;
}

int pg_history_walk(pg_store *store, const char *start, int n, int with_samples, pg_history_visit_fn visit,
		    void *arg, char **shallow_end)
{
	git_repository *repo = pg_store_repo(store);
	git_commit *commit = NULL;
	git_oid oid;
	int rc = 0;
	*shallow_end = NULL;
	if (!repo)
		return pg_error_set(PG_ESYSTEM, "history needs a git repository");
	if (git_oid_fromstr(&oid, start) < 0 || git_commit_lookup(&commit, repo, &oid) < 0)
		return pg_error_set(PG_EINPUT, "%s: not a commit in this repository", start);
	for (int i = 1; !rc; i++) {
		char hex[GIT_OID_HEXSZ + 1], end[512];
		pg_commit_records r;
		git_commit *parent = NULL;
		git_oid_tostr(hex, sizeof(hex), git_commit_id(commit));
		rc = with_samples ? pg_store_read(&r, store, hex) : pg_store_read_summaries(&r, store, hex);
		if (rc)
			break;
		rc = visit(arg, commit, &r);
		pg_commit_records_release(&r);
		if (rc || i >= n || git_commit_parentcount(commit) == 0)
			break;
		if (git_commit_parent(&parent, commit, 0) < 0) {
			snprintf(end, sizeof(end), "history ends after %d commit%s (%s): a shallow clone? fetch with fetch-depth 0",
				 i, i == 1 ? "" : "s", pg_git_error());
			if (!(*shallow_end = strdup(end)))
				rc = pg_error_set(PG_ENOMEM, "out of memory");
			break;
		}
		git_commit_free(commit);
		commit = parent;
	}
	git_commit_free(commit);
	return rc;
}

typedef struct loading {
	pg_history *h;
	size_t cap;
} loading;

/* One commit, appended: its latest set of the history's key (taken out of the records), keys seen. */
static int add_commit(void *arg, const git_commit *commit, pg_commit_records *r)
{
	loading *l = arg;
	pg_history *h = l->h;
	int rc = 0;
	if (h->n_commits == l->cap) {
		size_t grown_cap = l->cap ? l->cap * 2 : 64;
		pg_history_commit *grown = realloc(h->commits, grown_cap * sizeof(*grown));
		if (!grown)
			return pg_error_set(PG_ENOMEM, "out of memory");
		h->commits = grown;
		l->cap = grown_cap;
	}
	pg_history_commit *c = &h->commits[h->n_commits++];
	memset(c, 0, sizeof(*c));
	git_oid_tostr(c->commit, sizeof(c->commit), git_commit_id(commit));
	for (size_t i = 0; i < r->n_warnings && !rc; i++)
		rc = pg_strlist_push(&h->warnings, &h->n_warnings, r->warnings[i]);
	/* The newest commit with results decides the key when none was asked for. */
	if (!h->env_key && r->n_sets > 0 && !rc) {
		const pg_result_set *newest = pg_records_latest(r, NULL);
		if (newest->env.key && !(h->env_key = strdup(newest->env.key)))
			rc = pg_error_set(PG_ENOMEM, "out of memory");
	}
	const pg_result_set *latest = pg_records_latest(r, h->env_key);
	for (size_t i = 0; i < r->n_sets && !rc; i++) {
		const char *key = r->sets[i]->env.key;
		if (same_key(key, h->env_key) || !key)
			continue;
		int seen = 0;
		for (size_t k = 0; k < h->n_other_keys && !seen; k++)
			seen = strcmp(h->other_keys[k], key) == 0;
		if (!seen)
			rc = pg_strlist_push(&h->other_keys, &h->n_other_keys, key);
	}
	for (size_t i = 0; i < r->n_sets && latest; i++)
		if (r->sets[i] == latest && same_key(latest->env.key, h->env_key)) {
			c->rs = r->sets[i];
			r->sets[i] = NULL;
		}
	return rc;
}

int pg_history_load(pg_history **out, pg_store *store, const char *start, int n,
		    const char *env_key, int with_samples)
{
	char *end = NULL;
	*out = NULL;
	pg_history *h = calloc(1, sizeof(*h));
	if (!h || (env_key && !(h->env_key = strdup(env_key)))) {
		free(h);
		return pg_error_set(PG_ENOMEM, "out of memory");
	}
	loading l = {h, 0};
	int rc = pg_history_walk(store, start, n, with_samples, add_commit, &l, &end);
	if (!rc && end)
		rc = pg_strlist_push(&h->warnings, &h->n_warnings, end);
	free(end);
	if (rc) {
		pg_history_free(h);
		return rc;
	}
	/* Walked newest first; drawn oldest left. */
	for (size_t i = 0; i < h->n_commits / 2; i++) {
		pg_history_commit t = h->commits[i];
		h->commits[i] = h->commits[h->n_commits - 1 - i];
		h->commits[h->n_commits - 1 - i] = t;
	}
	*out = h;
	return 0;
}

/* ---- run to run: the centres of every stored run ---- */

/* Newest first: `created` is ISO 8601 UTC, so text order is time order. */
static int newer_first(const void *a, const void *b)
{
	const pg_result_set *x = *(const pg_result_set *const *)a, *y = *(const pg_result_set *const *)b;
	return -strcmp(x->created ? x->created : "", y->created ? y->created : "");
}

/* One run's centres into the series; counts the run for its benchmark. */
static int take_run(pg_run_history *h, size_t *runs, const pg_result_set *set, char *const *names,
		    size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const pg_benchmark *b = pg_result_set_find(set, names[i]);
		if (!b || b->status != PG_STATUS_OK || runs[i] >= (size_t)h->wanted)
			continue;
		runs[i]++;
		for (size_t j = 0; j < b->n_metrics; j++) {
			double centre;
			if (pg_metric_center(&b->metrics[j], &centre) != 0 || !isfinite(centre))
				continue;
			pg_run_series *s = pg_run_history_series(h, b->name, b->metrics[j].name);
			if (!s)
				return pg_error_set(PG_ENOMEM, "out of memory");
			if (s->n < (size_t)h->wanted)
				s->values[s->n++] = centre;
		}
	}
	return 0;
}

int pg_run_history_read(pg_run_history **out, pg_store *store, git_repository *repo,
			const char *start, const char *env_key, char *const *names, size_t n,
			int k, int max_depth)
{
	pg_run_history *h = calloc(1, sizeof(*h));
	size_t *runs = calloc(n ? n : 1, sizeof(size_t));
	git_oid at;
	int rc = 0;
	if (!h || !runs) {
		free(h);
		free(runs);
		return pg_error_set(PG_ENOMEM, "out of memory");
	}
	h->wanted = k > 0 ? k : PG_DEFAULT_HISTORY;
	*out = h;
	if (!start || !repo || git_oid_fromstr(&at, start) != 0) {
		free(runs);
		return 0;
	}
	int depth_limit = max_depth > 0 ? max_depth : PG_DEFAULT_MAX_DEPTH;
	for (int depth = 0; depth < depth_limit && !rc; depth++) {
		char hex[GIT_OID_HEXSZ + 1];
		pg_commit_records records;
		git_oid_tostr(hex, sizeof(hex), &at);
		/* As stored: a set folded into a newer one would count its runs twice. */
		if ((rc = pg_store_read_sets(&records, store, hex, 1)))
			break;
		const pg_result_set **sets = calloc(records.n_sets ? records.n_sets : 1, sizeof(*sets));
		size_t n_sets = 0;
		if (!sets)
			rc = pg_error_set(PG_ENOMEM, "out of memory");
		for (size_t i = 0; !rc && i < records.n_sets; i++)
			if (records.sets[i]->env.key && env_key && strcmp(records.sets[i]->env.key, env_key) == 0)
				sets[n_sets++] = records.sets[i];
		if (!rc)
			qsort(sets, n_sets, sizeof(*sets), newer_first);
		for (size_t i = 0; !rc && i < n_sets; i++)
			rc = take_run(h, runs, sets[i], names, n);
		free(sets);
		pg_commit_records_release(&records);
		size_t full = 0;
		for (size_t i = 0; i < n; i++)
			full += runs[i] >= (size_t)h->wanted;
		int shallow;
		if (rc || full == n || pg_repo_first_parent(&at, &shallow, repo, &at) != 0)
			break;
	}
	free(runs);
	if (rc) {
		pg_run_history_free(h);
		*out = NULL;
	}
	return rc;
}
