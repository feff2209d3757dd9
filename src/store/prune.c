/* prune.c - retention: drop raw samples from stored notes, rewriting the notes by compare-and-swap */
#include "store_private.h"

#include "perfgate/error.h"
#include "perfgate/repo.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

typedef struct note_entry {
	git_oid commit, blob;
} note_entry;

static int compare_entries(const void *a, const void *b)
{
	return git_oid_cmp(&((const note_entry *)a)->commit, &((const note_entry *)b)->commit);
}

/* Requested rewrites, sorted by commit so that each note finds its own in log time. */
typedef struct wanted {
	const char *commit, *text;
} wanted;

static int compare_wanted(const void *a, const void *b)
{
	return strcasecmp(((const wanted *)a)->commit, ((const wanted *)b)->commit);
}

/* What a rewrite of the notes store builds from the ref's tip. */
typedef struct rewrite {
	pg_store *store;
	const wanted *want; /* sorted by commit */
	size_t n;
	const char *message;
} rewrite;

/*
 * The new notes commit (pg_notes_build_fn): every note of the tip's tree,
 * the ones asked for rewritten (merged with what the note holds now), a
 * commit appearing in two layouts folded into one note, written as a new
 * tree and a parentless commit. Sorting the notes by commit puts a
 * commit's layouts side by side: O(m log m) for m notes, never m^2.
 */
static int build_rewrite(git_oid *new_commit, const git_oid *tip, void *arg)
{
	const rewrite *rw = arg;
	pg_store *store = rw->store;
	git_repository *repo = store->repo;
	git_oid tree, new_tree;
	git_commit *c = NULL;
	pg_notes_index *idx = NULL;
	note_entry *all = NULL;
	git_oid *cs = NULL, *bs = NULL;
	int rc = 0;
	if (!tip)
		return 1; /* no notes at all: nothing to rewrite */
	if (git_commit_lookup(&c, repo, tip) < 0)
		return pg_error_set(PG_ESYSTEM, "%s: does not point at a readable commit: %s", store->ref, pg_git_error());
	tree = *git_commit_tree_id(c);
	git_commit_free(c);
	if ((rc = pg_notes_index_new(&idx, repo, &tree)) || (rc = pg_notes_index_load_all(idx)))
		goto out;
	size_t m = pg_notes_index_count(idx), k = 0;
	if (!(all = malloc((m + 1) * sizeof(*all))) || !(cs = malloc((m + 1) * sizeof(*cs))) ||
	    !(bs = malloc((m + 1) * sizeof(*bs)))) {
		rc = pg_error_set(PG_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < m; i++) {
		const git_oid *commit, *blob;
		pg_notes_index_entry(idx, i, &commit, &blob);
		all[i] = (note_entry){*commit, *blob};
	}
	qsort(all, m, sizeof(*all), compare_entries);
	for (size_t i = 0; i < m && !rc;) {
		size_t end = i + 1;
		while (end < m && git_oid_equal(&all[end].commit, &all[i].commit))
			end++;
		char hex[GIT_OID_HEXSZ + 1];
		git_oid_tostr(hex, sizeof(hex), &all[i].commit);
		const wanted key = {hex, NULL};
		const wanted *w = rw->n ? bsearch(&key, rw->want, rw->n, sizeof(*rw->want), compare_wanted) : NULL;
		cs[k] = all[i].commit;
		bs[k] = all[i].blob;
		if (w || end - i > 1) {
			char *current = NULL, *merged = NULL;
			size_t len = 0;
			rc = pg_notes_index_text(&current, &len, idx, repo, &all[i].commit);
			if (!rc)
				rc = pg_store_merge_text(&merged, w ? w->text : current ? current : "",
							 w && current ? current : "");
			if (!rc && git_blob_create_from_buffer(&bs[k], repo, merged, strlen(merged)) < 0)
				rc = pg_error_set(PG_ESYSTEM, "%s: cannot write a note: %s", store->ref, pg_git_error());
			free(current);
			free(merged);
		}
		k++;
		i = end;
	}
	if (!rc)
		rc = pg_notes_write_tree(&new_tree, repo, cs, bs, k);
	if (!rc)
		rc = pg_notes_commit(new_commit, repo, &new_tree, NULL, 0, rw->message);
out:
	pg_notes_index_free(idx);
	free(all);
	free(cs);
	free(bs);
	return rc;
}

int pg_store_rewrite(pg_store *store, char *const *commits, char *const *texts, size_t n, const char *message)
{
	for (size_t i = 0; i < n; i++)
		if (!pg_store_is_hex40(commits[i]))
			return pg_error_set(PG_EINPUT, "%s: not a commit id (40 hex digits)", commits[i]);
	if (!store->ref) {
		int rc = 0;
		for (size_t i = 0; i < n && !rc; i++)
			rc = pg_store_replace(store, commits[i], texts[i]);
		return rc;
	}
	wanted *want = malloc((n + 1) * sizeof(*want));
	if (!want)
		return pg_error_set(PG_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		want[i] = (wanted){commits[i], texts[i]};
	qsort(want, n, sizeof(*want), compare_wanted);
	rewrite rw = {store, want, n, message};
	int rc = pg_notes_cas_update(store->repo, store->ref, store->retry_limit_s, message, build_rewrite, &rw);
	free(want);
	pg_store_refresh(store);
	return rc;
}

/*
 * A perfgate/1 record without its samples, each metric keeping its summary
 * (computed from the samples where the note left it to the reader): *lean
 * the new line, NULL when there is nothing to drop (no metric whose samples
 * take more room than their summary) or when it is not a result set it can
 * read (it then stays as it is). 0 or PG_ENOMEM.
 */
static int strip_record(char **lean, const char *line, size_t n)
{
	cJSON *json = cJSON_ParseWithLength(line, n);
	const cJSON *schema = cJSON_GetObjectItemCaseSensitive(json, "schema");
	pg_result_set *rs = NULL;
	int dropped = 0, rc = 0;
	*lean = NULL;
	if (cJSON_IsString(schema) && strcmp(schema->valuestring, PG_RESULT_SCHEMA) == 0 &&
	    (rc = pg_result_set_from_json(&rs, json, "note")) != 0 && rc != PG_ENOMEM) {
		pg_error_clear();
		rc = 0;
	}
	cJSON_Delete(json);
	for (size_t i = 0; rs && i < rs->n_benchmarks; i++)
		for (size_t k = 0; k < rs->benchmarks[i].n_metrics; k++) {
			pg_metric *m = &rs->benchmarks[i].metrics[k];
			int own_clock = strcmp(rs->benchmarks[i].kind, "import") != 0;
			/* Where a few samples in clock ticks take less room than their summary, they stay. */
			if (m->n_samples > 0 && m->has_summary &&
			    pg_metric_note_bytes(m, own_clock, 0) < pg_metric_note_bytes(m, own_clock, 1)) {
				free(m->samples);
				m->samples = NULL;
				m->n_samples = m->cap_samples = 0;
				dropped = 1;
			}
		}
	if (dropped)
		rc = pg_result_set_to_note(lean, rs);
	pg_result_set_free(rs);
	return rc;
}

static int append(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
	if (*len + n + 2 > *cap) {
		size_t grown_cap = (*len + n + 2) * 2;
		char *grown = realloc(*buf, grown_cap);
		if (!grown)
			return pg_error_set(PG_ENOMEM, "out of memory");
		*buf = grown;
		*cap = grown_cap;
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[(*len)++] = '\n';
	(*buf)[*len] = '\0';
	return 0;
}

int pg_store_strip_samples(char **out, const char *text)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int changed = 0, rc = 0;
	*out = NULL;
	for (const char *line = text; *line && !rc;) {
		const char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) : strlen(line);
		char *lean = NULL;
		rc = strip_record(&lean, line, n);
		changed |= lean != NULL;
		if (!rc && (lean || n > 0))
			rc = lean ? append(&buf, &len, &cap, lean, strlen(lean)) : append(&buf, &len, &cap, line, n);
		free(lean);
		line += n + (nl != NULL);
	}
	if (rc || !changed) {
		free(buf);
		return rc;
	}
	*out = buf;
	return 0;
}

/* ---- what to prune: the walk from HEAD ---- */

/* Seconds since the epoch of an ISO 8601 UTC time ("2024-05-01T12:00:00.000Z"); -1 if unreadable. */
static time_t parse_created(const char *iso)
{
	struct tm tm = {0};
	if (!iso || sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
			   &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return timegm(&tm);
}

void pg_prune_plan_release(pg_prune_plan *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->commits[i]);
		free(l->texts[i]);
		free(l->subjects[i]);
	}
	free(l->commits);
	free(l->texts);
	free(l->subjects);
	free(l->before);
	memset(l, 0, sizeof(*l));
}

/* One commit outside the window: its note without samples, to be written (or only shown). */
static int prune_commit(pg_prune_plan *l, const git_commit *commit, const char *hex, const char *text, size_t len)
{
	char *lean = NULL;
	int rc = pg_store_strip_samples(&lean, text);
	if (rc || !lean)
		return rc;
	const char *subject = git_commit_summary((git_commit *)commit);
	char **c = realloc(l->commits, (l->n + 1) * sizeof(char *));
	l->commits = c ? c : l->commits;
	char **t = c ? realloc(l->texts, (l->n + 1) * sizeof(char *)) : NULL;
	l->texts = t ? t : l->texts;
	char **su = t ? realloc(l->subjects, (l->n + 1) * sizeof(char *)) : NULL;
	l->subjects = su ? su : l->subjects;
	size_t *b = su ? realloc(l->before, (l->n + 1) * sizeof(size_t)) : NULL;
	l->before = b ? b : l->before;
	if (!b) {
		free(lean);
		return pg_error_set(PG_ENOMEM, "out of memory");
	}
	l->commits[l->n] = strdup(hex);
	l->texts[l->n] = lean;
	l->subjects[l->n] = strdup(subject ? subject : "");
	l->before[l->n] = len;
	l->n++;
	return l->commits[l->n - 1] && l->subjects[l->n - 1] ? 0 : pg_error_set(PG_ENOMEM, "out of memory");
}

/* The walk from HEAD: past the first `keep` commits with results, or results older than cutoff. */
typedef struct planning {
	pg_prune_plan *plan;
	pg_store *store;
	int keep, with_results;
	time_t cutoff; /* 0: none */
} planning;

static int plan_commit(void *arg, const git_commit *commit, pg_commit_records *r)
{
	planning *p = arg;
	char hex[GIT_OID_HEXSZ + 1], *text = NULL;
	size_t len = 0;
	if (r->n_sets == 0)
		return 0;
	const pg_result_set *newest = pg_records_latest(r, NULL);
	int old = p->cutoff && newest && parse_created(newest->created) >= 0 &&
		  parse_created(newest->created) < p->cutoff;
	if (p->with_results++ < p->keep && !old)
		return 0;
	git_oid_tostr(hex, sizeof(hex), git_commit_id(commit));
	int rc = pg_store_read_text(&text, &len, p->store, hex);
	if (!rc && text)
		rc = prune_commit(p->plan, commit, hex, text, len);
	free(text);
	return rc;
}

int pg_store_prune_plan(pg_prune_plan *out, pg_store *store, int keep, int older_days)
{
	git_repository *repo = store->repo;
	char head[GIT_OID_HEXSZ + 1], *end = NULL;
	git_oid id;
	memset(out, 0, sizeof(*out));
	if (!repo || git_reference_name_to_id(&id, repo, "HEAD") < 0)
		return pg_error_set(PG_EINPUT, "prune: cannot read HEAD's commit: %s", pg_git_error());
	git_oid_tostr(head, sizeof(head), &id);
	planning p = {out, store, keep, 0, older_days > 0 ? time(NULL) - (time_t)older_days * 86400 : 0};
	int rc = pg_history_walk(store, head, INT_MAX, 0, plan_commit, &p, &end);
	if (!rc && end)
		rc = pg_error_set(PG_EINPUT, "prune: %s", end);
	free(end);
	if (rc)
		pg_prune_plan_release(out);
	return rc;
}
