/* releases.c - the dashboard's release tags: found along the walk, each decided against the release before */
#include "gate/releases.h"

#include "perfgate/error.h"
#include "perfgate/fileio.h"
#include "perfgate/hash.h"
#include "perfgate/report.h"
#include "perfgate/repo.h"
#include "report/escape.h"

#include "perfgate/gitlib.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct found {
	char *tag;
	size_t at;   /* index in the history, oldest first */
	char date[16];
} found;

typedef struct tag_walk {
	git_repository *repo;
	const pg_history *h;
	found *items;
	size_t n;
	int rc;
} tag_walk;

static void utc_date(char *buf, size_t size, git_time_t when)
{
	time_t t = (time_t)when;
	struct tm tm;
	if (!gmtime_r(&t, &tm) || strftime(buf, size, "%Y-%m-%d", &tm) == 0)
		snprintf(buf, size, "unknown");
}

/* git_tag_foreach: keep a tag whose commit is on the walk and has results there. */
static int on_tag(const char *name, git_oid *oid, void *payload)
{
	tag_walk *w = payload;
	git_object *obj = NULL, *peeled = NULL;
	if (git_object_lookup(&obj, w->repo, oid, GIT_OBJECT_ANY) != 0 ||
	    git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) != 0)
		goto out; /* a tag of a tree or a blob is no release */
	char hex[GIT_OID_HEXSZ + 1];
	git_oid_tostr(hex, sizeof(hex), git_object_id(peeled));
	size_t at = w->h->n_commits;
	for (size_t i = 0; i < w->h->n_commits && at == w->h->n_commits; i++)
		if (w->h->commits[i].rs && strcmp(w->h->commits[i].commit, hex) == 0)
			at = i;
	if (at == w->h->n_commits)
		goto out;
	found *grown = realloc(w->items, (w->n + 1) * sizeof(*grown));
	if (!grown) {
		w->rc = pg_error_set(PG_ENOMEM, "out of memory");
		goto out;
	}
	w->items = grown;
	found *f = &grown[w->n];
	const char *short_name = strncmp(name, "refs/tags/", 10) == 0 ? name + 10 : name;
	if (!(f->tag = strdup(short_name))) {
		w->rc = pg_error_set(PG_ENOMEM, "out of memory");
		goto out;
	}
	f->at = at;
	/* An annotated tag is dated when it was made; a lightweight one by its commit. */
	const git_signature *tagger =
		git_object_type(obj) == GIT_OBJECT_TAG ? git_tag_tagger((const git_tag *)obj) : NULL;
	utc_date(f->date, sizeof(f->date),
		 tagger ? tagger->when.time : git_commit_time((const git_commit *)peeled));
	w->n++;
out:
	git_object_free(peeled);
	git_object_free(obj);
	git_error_clear();
	return w->rc ? -1 : 0;
}

static int compare_found(const void *a, const void *b)
{
	const found *x = a, *y = b;
	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return strcmp(x->tag, y->tag);
}

/* release-<tag>.html, numbered when it is a name already taken. */
static void page_name(pg_publish_release *r, const pg_publish_release *before, size_t n_before,
		      const char *const *taken, size_t n_taken)
{
	char safe[256];
	pg_report_safe_name(safe, sizeof(safe), r->tag);
	snprintf(r->page, sizeof(r->page), "release-%s.html", safe);
	for (int k = 2;; k++) {
		int clash = 0;
		for (size_t i = 0; i < n_taken && !clash; i++)
			clash = strcmp(taken[i], r->page) == 0;
		for (size_t i = 0; i < n_before && !clash; i++)
			clash = strcmp(before[i].page, r->page) == 0;
		if (!clash)
			return;
		snprintf(r->page, sizeof(r->page), "release-%s-%d.html", safe, k);
	}
}

/* The verdict of rs against base (NULL: none), with the gates when the results fit them. */
static int decide(pg_verdict **v, const pg_result_set *rs, const pg_result_set *base, const char *base_commit,
		  pg_acceptances *accepts, const pg_gates *gates, const char *tag, int (*warn)(void *, const char *),
		  void *ctx)
{
	pg_base_origin *origins = NULL;
	if (base && base->n_benchmarks && !(origins = calloc(base->n_benchmarks, sizeof(*origins))))
		return pg_error_set(PG_ENOMEM, "out of memory");
	/* Depth 0: the sign-off names the base by its tag, not by commits back from the release. */
	for (size_t i = 0; origins && i < base->n_benchmarks; i++)
		origins[i] = (pg_base_origin){base_commit, 0};
	pg_compare_options opts = {0};
	if (gates) {
		opts.regression = gates->regression;
		opts.alpha = gates->alpha;
	}
	int rc = pg_compare(v, rs, base, origins, gates, &opts);
	if (rc == PG_EINPUT && gates) {
		char text[1024];
		snprintf(text, sizeof(text), "release %s: gates file %s: %s; signed off without its gates", tag,
			 gates->path, pg_error_message());
		pg_error_clear();
		rc = warn(ctx, text);
		if (!rc)
			rc = pg_compare(v, rs, base, origins, NULL, &opts);
	}
	if (!rc && base && accepts->n)
		rc = pg_acceptances_apply(*v, accepts, &opts);
	free(origins);
	return rc;
}

/* Compare r's results with the release before (NULL: none): the verdict its sign-off is rendered from. */
static int measure_up(pg_publish_release *r, const pg_publish_release *before, pg_acceptances *accepts,
		      const pg_release_walk *wk)
{
	pg_store *store = wk->store;
	const pg_history *h = wk->h;
	pg_commit_records recs[2];
	int have[2] = {0, 0}, rc = 0;
	pg_verdict *v = NULL;
	if ((rc = pg_store_read(&recs[0], store, r->commit)))
		return rc;
	have[0] = 1;
	if (before && (rc = pg_store_read(&recs[1], store, before->commit)) == 0)
		have[1] = 1;
	const pg_result_set *rs = pg_records_latest(&recs[0], h->env_key);
	const pg_result_set *base = have[1] ? pg_records_latest(&recs[1], h->env_key) : NULL;
	if (!rc && !rs)
		rc = pg_error_set(PG_ESYSTEM, "%.7s has no results of env %s", r->commit, h->env_key);
	if (!rc)
		rc = decide(&v, rs, base, base ? before->commit : NULL, accepts, wk->gates, r->tag, wk->warn, wk->ctx);
	if (!rc) {
		char how[300];
		free(v->base_how);
		if (base)
			snprintf(how, sizeof(how), "previous release tag %s", before->tag);
		else
			snprintf(how, sizeof(how), "no earlier release tag with results in the walk");
		if (!(v->base_how = strdup(how)))
			rc = pg_error_set(PG_ENOMEM, "out of memory");
	}
	if (!rc) {
		r->status = v->overall == PG_OVERALL_PASS   ? PG_PUBLISH_PASS
			    : v->overall == PG_OVERALL_FAIL ? PG_PUBLISH_FAIL
							    : PG_PUBLISH_WARN;
		r->verdict = v;
		v = NULL;
	}
	pg_verdict_free(v);
	for (int k = 0; k < 2; k++)
		if (have[k])
			pg_commit_records_release(&recs[k]);
	return rc;
}

int pg_gate_releases(pg_publish_release **out, size_t *n, const pg_release_walk *wk)
{
	const pg_history *h = wk->h;
	tag_walk w = {pg_store_repo(wk->store), h, NULL, 0, 0};
	char *gates_text = NULL, *prev_text = NULL;
	size_t gates_len = 0, prev_len = 0, n_rel = 0, prev_at = 0;
	pg_acceptances between = {0};
	int rc;
	*out = NULL;
	*n = 0;
	if (git_tag_foreach(w.repo, on_tag, &w) != 0 && !w.rc)
		git_error_clear(); /* no tags, or an unreadable one: no release pages */
	rc = w.rc;
	if (!rc && w.n)
		qsort(w.items, w.n, sizeof(*w.items), compare_found);
	pg_publish_release *rel = !rc && w.n ? calloc(w.n, sizeof(*rel)) : NULL;
	if (!rc && w.n && !rel)
		rc = pg_error_set(PG_ENOMEM, "out of memory");
	if (!rc && wk->accepts && wk->accepts->n && !(between.items = calloc(wk->accepts->n, sizeof(*between.items))))
		rc = pg_error_set(PG_ENOMEM, "out of memory");
	if (!rc && wk->gates && wk->gates->path && pg_file_read(&gates_text, &gates_len, wk->gates->path) != 0)
		pg_error_clear(); /* then its path stands for it in the key */
	for (size_t i = 0; i < w.n && !rc; i++) {
		const found *f = &w.items[i];
		const char *commit = h->commits[f->at].commit;
		char *text = NULL;
		size_t len = 0;
		if (pg_store_read_text(&text, &len, wk->store, commit) != 0 || !text) {
			pg_error_clear(); /* unreadable notes: the release keeps no page */
			free(text);
			continue;
		}
		pg_publish_release *r = &rel[n_rel++];
		const pg_publish_release *before = n_rel > 1 ? &rel[n_rel - 2] : NULL;
		r->tag = f->tag;
		w.items[i].tag = NULL;
		snprintf(r->commit, sizeof(r->commit), "%s", commit);
		snprintf(r->date, sizeof(r->date), "%s", f->date);
		r->prev_tag = before ? before->tag : NULL;
		page_name(r, rel, n_rel - 1, wk->taken, wk->n_taken);
		/* What the sign-off is made of: an unchanged key reuses the page's sign-off, unmeasured. */
		uint64_t key = pg_fnv1a_field(PG_FNV_BASIS, "perfgate-release/1");
		key = pg_fnv1a_field(key, r->tag);
		key = pg_fnv1a_field(key, r->date);
		key = pg_fnv1a_field(key, h->env_key);
		key = pg_fnv1a_field(key, before ? before->commit : "");
		key = pg_fnv1a(key, text, len);
		key = pg_fnv1a(key, prev_text ? prev_text : "", prev_len);
		/* The acceptances since the release before (shallow copies: apply marks them used). */
		between.n = 0;
		for (size_t j = 0; before && wk->accepts && j < wk->accepts->n; j++)
			if (wk->accept_at[j] > prev_at && wk->accept_at[j] <= f->at) {
				const pg_acceptance *a = &wk->accepts->items[j];
				between.items[between.n++] = *a;
				key = pg_fnv1a_field(key, a->glob);
				key = pg_fnv1a_field(key, a->by);
				key = pg_fnv1a(key, &a->bound, a->has_bound ? sizeof(a->bound) : 0);
			}
		key = pg_fnv1a_field(key, wk->gates ? wk->gates->path : "");
		key = pg_fnv1a(key, gates_text ? gates_text : "", gates_len);
		snprintf(r->key, sizeof(r->key), "%016llx", (unsigned long long)key);
		free(prev_text);
		prev_text = text;
		prev_len = len;
		prev_at = f->at;
		if (!pg_publish_release_reuse(r, wk->dir))
			rc = measure_up(r, before, &between, wk);
	}
	free(prev_text);
	free(gates_text);
	free(between.items);
	for (size_t i = 0; i < w.n; i++)
		free(w.items[i].tag);
	free(w.items);
	if (rc) {
		pg_publish_releases_free(rel, n_rel);
		return rc;
	}
	*out = rel;
	*n = n_rel;
	return 0;
}
