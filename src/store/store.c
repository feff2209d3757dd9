/* store.c - what both stores share: reading records, merging notes, writing one note */
#include "store_private.h"

#include "perfgate/acceptance.h"
#include "perfgate/error.h"
#include "perfgate/json.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pg_store_free(pg_store *store)
{
	if (store) {
		pg_summary_index_close(store->summaries);
		store->ops->free(store);
	}
}

git_repository *pg_store_repo(const pg_store *store)
{
	return store->repo;
}

void pg_store_short(char out[8], const char *commit)
{
	snprintf(out, 8, "%s", commit);
}

int pg_store_is_hex40(const char *s)
{
	size_t i;
	for (i = 0; s[i]; i++) {
		char c = s[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
			return 0;
	}
	return i == GIT_OID_HEXSZ;
}

void pg_store_set_retry_limit(pg_store *store, double seconds)
{
	store->retry_limit_s = seconds;
}

void pg_store_refresh(pg_store *store)
{
	pg_notes_index_free(store->snapshot);
	store->snapshot = NULL;
}

/* 40 hex in lowercase, as notes trees and file names spell it; "unversioned" as is. */
static int normalize_commit(char out[41], const char *commit)
{
	if (!commit)
		return pg_error_set(PG_EINPUT, "no commit given");
	if (strcmp(commit, "unversioned") == 0) {
		strcpy(out, commit);
		return 0;
	}
	if (!pg_store_is_hex40(commit))
		return pg_error_set(PG_EINPUT, "%s: not a commit id (40 hex digits)", commit);
	for (int i = 0; i <= GIT_OID_HEXSZ; i++)
		out[i] = (char)(commit[i] >= 'A' && commit[i] <= 'F' ? commit[i] - 'A' + 'a' : commit[i]);
	return 0;
}

int pg_store_read_text(char **out, size_t *len, pg_store *store, const char *commit)
{
	char hex[41];
	size_t n = 0;
	int rc = normalize_commit(hex, commit);
	*out = NULL;
	if (!rc)
		rc = store->ops->read_text(out, &n, store, hex);
	if (len)
		*len = n;
	return rc;
}

/* ---- records ---- */

static int add_warning(pg_commit_records *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int add_warning(pg_commit_records *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = pg_warning_vadd(&r->warnings, &r->n_warnings, fmt, ap);
	va_end(ap);
	return rc;
}

static int push_set(pg_commit_records *r, pg_result_set *rs)
{
	pg_result_set **grown = realloc(r->sets, (r->n_sets + 1) * sizeof(*grown));
	if (!grown)
		return pg_error_set(PG_ENOMEM, "out of memory");
	grown[r->n_sets++] = rs;
	r->sets = grown;
	return 0;
}

static int push_acceptance(pg_commit_records *r, cJSON *acceptance)
{
	cJSON **grown = realloc(r->acceptances, (r->n_acceptances + 1) * sizeof(*grown));
	if (!grown)
		return pg_error_set(PG_ENOMEM, "out of memory");
	grown[r->n_acceptances++] = acceptance;
	r->acceptances = grown;
	return 0;
}

/* Parse a whole line as one JSON value (cJSON alone accepts trailing garbage). */
static cJSON *parse_line(const char *line, size_t len)
{
	const char *end = NULL;
	cJSON *json = cJSON_ParseWithLengthOpts(line, len, &end, 0);
	if (!json)
		return NULL;
	for (; end && end < line + len; end++)
		if (*end != ' ' && *end != '\t' && *end != '\r') {
			cJSON_Delete(json);
			return NULL;
		}
	return json;
}

/* A schema of perfgate's family: "perfgate/N" or "perfgate-NAME/N". */
static int is_perfgate_schema(const char *schema)
{
	return strncmp(schema, "perfgate/", 9) == 0 || strncmp(schema, "perfgate-", 9) == 0;
}

/*
 * The line without its arrays under key (`"samples":[`), for readers that
 * need summaries only: parsing thousands of sample numbers is most of the
 * cost of a walk over history. A quote preceded by an even number of
 * backslashes is a real one, so the key found that way is the key and its
 * array holds numbers only. NULL when the line has no such array (or on
 * ENOMEM).
 */
static char *without_array(const char *line, size_t len, const char *key)
{
	const size_t klen = strlen(key);
	char *out = NULL, *w = NULL;
	const char *copied = line, *end = line + len;
	for (const char *p = line; (p = memmem(p, (size_t)(end - p), key, klen)) != NULL;) {
		size_t slashes = 0;
		while (p - slashes > line && p[-(ptrdiff_t)slashes - 1] == '\\')
			slashes++;
		const char *close = memchr(p + klen, ']', (size_t)(end - p - klen));
		if (slashes % 2 || !close) {
			p += klen;
			continue;
		}
		if (!out && !(out = w = malloc(len + 1)))
			return NULL;
		const char *from = p, *to = close + 1;
		if (to < end && *to == ',')
			to++; /* "samples":[...], "summary": ... */
		else if (from > copied && from[-1] == ',')
			from--; /* ..., "samples":[...]} */
		memcpy(w, copied, (size_t)(from - copied));
		w += from - copied;
		copied = p = to;
	}
	if (!out)
		return NULL;
	memcpy(w, copied, (size_t)(end - copied));
	w += end - copied;
	*w = '\0';
	return out;
}

/* The line without "samples" and "ticks" (a note's samples in clock ticks); NULL when it has neither. */
static char *without_samples(const char *line, size_t len)
{
	char *lean = without_array(line, len, "\"samples\":[");
	char *leaner = lean ? without_array(lean, strlen(lean), "\"ticks\":[") : without_array(line, len, "\"ticks\":[");
	if (!leaner)
		return lean;
	free(lean);
	return leaner;
}

/*
 * Summaries only: a result set read from the line without its samples.
 * 1 when that gave a valid result set (pushed), 0 to read the whole line
 * instead (no samples to drop, or a metric had nothing but samples).
 */
static int parse_summaries(pg_commit_records *out, const char *line, size_t len, const char *where)
{
	char *lean = without_samples(line, len);
	if (!lean)
		return 0;
	cJSON *json = parse_line(lean, strlen(lean));
	const cJSON *schema = cJSON_GetObjectItemCaseSensitive(json, "schema");
	pg_result_set *rs = NULL;
	int rc = 0;
	if (cJSON_IsString(schema) && strcmp(schema->valuestring, PG_RESULT_SCHEMA) == 0 &&
	    pg_result_set_from_json(&rs, json, where) == 0) {
		if ((rc = push_set(out, rs)))
			pg_result_set_free(rs);
		else
			rc = 1;
	}
	cJSON_Delete(json);
	free(lean);
	return rc;
}

/* A summaries-only read: samples go where the summary stands for them (a note may leave it to the reader). */
static void drop_samples(pg_result_set *rs)
{
	for (size_t i = 0; i < rs->n_benchmarks; i++)
		for (size_t k = 0; k < rs->benchmarks[i].n_metrics; k++) {
			pg_metric *m = &rs->benchmarks[i].metrics[k];
			if (m->has_summary && m->n_samples > 0) {
				free(m->samples);
				m->samples = NULL;
				m->n_samples = m->cap_samples = 0;
			}
		}
}

static int parse_record(pg_commit_records *out, const char *line, size_t len, size_t line_no,
			const char *origin, int summaries_only)
{
	char where[256];
	const cJSON *schema;
	int rc = 0;
	snprintf(where, sizeof(where), "%s, line %zu", origin, line_no);
	if (summaries_only && (rc = parse_summaries(out, line, len, where)) != 0)
		return rc < 0 ? rc : 0;
	cJSON *json = parse_line(line, len);
	if (!json)
		return add_warning(out, "%s: line %zu is not a perfgate record: not valid JSON", origin,
				   line_no);
	if (!cJSON_IsObject(json)) {
		rc = add_warning(out, "%s: line %zu is not a perfgate record: expected an object, found %s",
				 origin, line_no, pg_json_type_name(json));
		goto out;
	}
	schema = cJSON_GetObjectItemCaseSensitive(json, "schema");
	if (!cJSON_IsString(schema)) {
		rc = add_warning(out, "%s: line %zu is not a perfgate record: it has no \"schema\"",
				 origin, line_no);
		goto out;
	}
	if (strcmp(schema->valuestring, PG_RESULT_SCHEMA) == 0) {
		pg_result_set *rs;
		rc = pg_result_set_from_json(&rs, json, where);
		if (!rc && summaries_only)
			drop_samples(rs);
		if (rc == PG_ENOMEM)
			goto out;
		if (rc) {
			/* The message starts with `where`; the warning names it once. */
			const char *reason = pg_error_message();
			size_t wl = strlen(where);
			if (strncmp(reason, where, wl) == 0 && strncmp(reason + wl, ": ", 2) == 0)
				reason += wl + 2;
			rc = add_warning(out, "%s: line %zu is not a perfgate record: %s", origin,
					 line_no, reason);
			goto out;
		}
		if ((rc = push_set(out, rs)))
			pg_result_set_free(rs);
	} else if (strcmp(schema->valuestring, PG_ACCEPT_SCHEMA) == 0) {
		if ((rc = push_acceptance(out, json)) == 0)
			json = NULL; /* kept */
	} else if (is_perfgate_schema(schema->valuestring)) {
		out->n_unknown++; /* written by a newer perfgate: not ours to judge */
	} else {
		rc = add_warning(out, "%s: line %zu is not a perfgate record: schema \"%s\"", origin,
				 line_no, schema->valuestring);
	}
out:
	cJSON_Delete(json);
	return rc;
}

static int is_blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

/* Parse the text stored on hex (normalized) into out. */
static int parse_note(pg_commit_records *out, pg_store *store, const char *hex, int summaries_only)
{
	char origin[512];
	char *text = NULL;
	size_t len = 0;
	int rc = store->ops->read_text(&text, &len, store, hex);
	if (rc || !text)
		return rc;
	out->note_bytes = len;
	store->ops->origin(origin, sizeof(origin), store, hex);
	size_t line_no = 0;
	for (const char *p = text; *p && !rc;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		line_no++;
		if (!is_blank(p, n))
			rc = parse_record(out, p, n, line_no, origin, summaries_only);
		p += n + (nl ? 1 : 0);
	}
	free(text);
	return rc;
}

/*
 * Summaries only, from a notes store: what the summary index holds for the
 * note's blob, else the note parsed and then kept in the index. 1 when the
 * index cannot serve (none, or several blobs for one commit): parse.
 */
static int read_indexed(pg_commit_records *out, pg_store *store, const char *hex)
{
	git_oid blob, key;
	int rc = store->ops->note_blob(&blob, store, hex);
	if (rc <= 0 || rc > 1)
		return rc <= 0 ? rc : 1; /* no note, or several (parsed: they merge) */
	/* Warnings name the commit: the same note on two commits reads as two. */
	if (git_oid_fromstr(&key, hex) < 0)
		return pg_error_set(PG_EINPUT, "%s: not a commit id", hex);
	for (size_t i = 0; i < GIT_OID_RAWSZ; i++)
		key.id[i] ^= blob.id[i];
	if (!store->summaries_tried) {
		store->summaries_tried = 1;
		if ((rc = pg_summary_index_open(&store->summaries, store->repo)))
			return rc;
	}
	if (!store->summaries)
		return 1;
	if ((rc = pg_summary_index_get(store->summaries, &key, out)) != 0)
		return rc < 0 ? rc : 0;
	if ((rc = parse_note(out, store, hex, 1)))
		return rc;
	return pg_summary_index_put(store->summaries, &key, out);
}

static int read_records(pg_commit_records *out, pg_store *store, const char *commit,
			int summaries_only)
{
	char hex[41];
	memset(out, 0, sizeof(*out));
	int rc = normalize_commit(hex, commit);
	if (rc)
		return rc;
	memcpy(out->commit, hex, sizeof(out->commit));
	rc = summaries_only && store->ops->note_blob ? read_indexed(out, store, hex) : 1;
	if (rc == 1) {
		memset(out, 0, sizeof(*out));
		memcpy(out->commit, hex, sizeof(out->commit));
		rc = parse_note(out, store, hex, summaries_only);
	}
	if (rc)
		pg_commit_records_release(out);
	return rc;
}

/* read_records, then the latest set of each key given what only older sets of that key hold. */
static int read_folded(pg_commit_records *out, pg_store *store, const char *commit, int summaries_only)
{
	int rc = read_records(out, store, commit, summaries_only);
	if (!rc && (rc = pg_records_fold(out))) {
		pg_commit_records_release(out);
		rc = pg_error_set(PG_ENOMEM, "out of memory");
	}
	return rc;
}

int pg_store_read(pg_commit_records *out, pg_store *store, const char *commit)
{
	return read_folded(out, store, commit, 0);
}

int pg_store_read_summaries(pg_commit_records *out, pg_store *store, const char *commit)
{
	return read_folded(out, store, commit, 1);
}

int pg_store_read_sets(pg_commit_records *out, pg_store *store, const char *commit, int summaries_only)
{
	return read_records(out, store, commit, summaries_only);
}

/* ---- merging two notes ---- */

typedef struct note_line {
	const char *text;
	size_t len;
	char *run_id;    /* NULL: the line has none */
	size_t samples; /* raw samples kept, over all metrics */
} note_line;

typedef struct note_lines {
	note_line *v;
	size_t n, cap;
} note_lines;

/* How many samples a line keeps, over all its metrics ("samples", or a note's "ticks"). */
static size_t line_samples(const cJSON *json)
{
	const cJSON *b, *m;
	size_t n = 0;
	cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(json, "benchmarks"))
	{
		cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(b, "metrics"))
		{
			n += (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(m, "samples"));
			n += (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(m, "ticks"));
		}
	}
	return n;
}

static int same_text(const note_line *a, const char *text, size_t len)
{
	return a->len == len && memcmp(a->text, text, len) == 0;
}

/*
 * Which of two copies of one run stays: the one with fewer samples (prune
 * only ever drops them), else the one first in byte order.
 */
static int replaces(const note_line *kept, const char *text, size_t len, size_t samples)
{
	if (kept->samples != samples)
		return samples < kept->samples;
	size_t n = kept->len < len ? kept->len : len;
	int c = memcmp(text, kept->text, n);
	return c < 0 || (c == 0 && len < kept->len);
}

static int add_line(note_lines *lines, const char *text, size_t len)
{
	char *run_id = NULL;
	size_t samples = 0;
	cJSON *json = parse_line(text, len);
	if (json) {
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(json, "run_id");
		if (cJSON_IsString(id) && !(run_id = strdup(id->valuestring))) {
			cJSON_Delete(json);
			return pg_error_set(PG_ENOMEM, "out of memory");
		}
		samples = line_samples(json);
		cJSON_Delete(json);
	}
	for (size_t i = 0; i < lines->n; i++) {
		note_line *l = &lines->v[i];
		if (same_text(l, text, len) ||
		    (run_id && l->run_id && strcmp(run_id, l->run_id) == 0)) {
			if (!same_text(l, text, len) && replaces(l, text, len, samples)) {
				l->text = text;
				l->len = len;
				l->samples = samples;
			}
			free(run_id);
			return 0;
		}
	}
	if (lines->n == lines->cap) {
		size_t cap = lines->cap ? lines->cap * 2 : 16;
		note_line *grown = realloc(lines->v, cap * sizeof(*grown));
		if (!grown) {
			free(run_id);
			return pg_error_set(PG_ENOMEM, "out of memory");
		}
		lines->v = grown;
		lines->cap = cap;
	}
	lines->v[lines->n++] = (note_line){text, len, run_id, samples};
	return 0;
}

static int add_lines(note_lines *lines, const char *text)
{
	int rc = 0;
	for (const char *p = text; p && *p && !rc;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		size_t trimmed = n;
		while (trimmed > 0 && (p[trimmed - 1] == '\r' || p[trimmed - 1] == ' ' ||
				       p[trimmed - 1] == '\t'))
			trimmed--;
		if (!is_blank(p, trimmed))
			rc = add_line(lines, p, trimmed);
		p += n + (nl ? 1 : 0);
	}
	return rc;
}

int pg_store_merge_text(char **out, const char *ours, const char *theirs)
{
	note_lines lines = {0};
	int rc = add_lines(&lines, ours);
	if (!rc)
		rc = add_lines(&lines, theirs);
	size_t total = 1;
	for (size_t i = 0; i < lines.n; i++)
		total += lines.v[i].len + 1;
	char *text = rc ? NULL : malloc(total), *w = text;
	if (!rc && !text)
		rc = pg_error_set(PG_ENOMEM, "out of memory merging notes");
	for (size_t i = 0; i < lines.n; i++) {
		if (w) {
			memcpy(w, lines.v[i].text, lines.v[i].len);
			w += lines.v[i].len;
			*w++ = '\n';
		}
		free(lines.v[i].run_id);
	}
	free(lines.v);
	if (rc)
		return rc;
	*w = '\0';
	*out = text;
	return 0;
}

/* ---- writing ---- */

/* What goes into a note: lines merged with what is stored, ours first or theirs first. */
typedef struct note_merge {
	const char *lines;
	int lines_first; /* replace: the new text first, so its summary-only lines win */
} note_merge;

/* The merged note (pg_note_change_fn); nothing to write when it already reads so. */
static int merge_change(char **out, const char *current, void *arg)
{
	const note_merge *m = arg;
	char *merged = NULL;
	int rc = m->lines_first ? pg_store_merge_text(&merged, m->lines, current ? current : "")
				: pg_store_merge_text(&merged, current ? current : "", m->lines);
	if (rc)
		return rc;
	if (current && strcmp(current, merged) == 0) {
		free(merged);
		merged = NULL;
	}
	*out = merged;
	return 0;
}

static int merge_into_note(pg_store *store, const char *hex, const char *lines, int lines_first)
{
	note_merge m = {lines, lines_first};
	int rc = store->ops->update(store, hex, merge_change, &m);
	if (rc == 0)
		pg_store_refresh(store); /* our own write shows in the next read */
	return rc;
}

int pg_store_append(pg_store *store, const char *commit, const char *line, const char *run_id)
{
	char hex[41];
	int rc = normalize_commit(hex, commit);
	if (rc || (rc = store->ops->check_commit(store, hex)))
		return rc;
	if (!line || strchr(line, '\n') || is_blank(line, strlen(line)))
		return pg_error_set(PG_EINPUT, "a note record is one non-empty line");
	(void)run_id; /* the merge finds it in the line itself, as it must for lines read back */
	return merge_into_note(store, hex, line, 0);
}

int pg_store_replace(pg_store *store, const char *commit, const char *text)
{
	char hex[41];
	if (!commit || !(strcmp(commit, "unversioned") == 0 || pg_store_is_hex40(commit)))
		return pg_error_set(PG_EINPUT, "%s: not a commit id (40 hex digits)", commit ? commit : "(none)");
	int rc = normalize_commit(hex, commit);
	if (rc || (rc = store->ops->check_commit(store, hex)))
		return rc;
	if (!text || strspn(text, " \t\r\n") == strlen(text))
		return pg_error_set(PG_EINPUT, "replacing a note needs at least one record");
	/* Lines another writer added since the caller read the note are kept. */
	return merge_into_note(store, hex, text, 1);
}

int pg_store_save(pg_store *store, const pg_result_set *rs)
{
	char *line;
	if (!rs->commit && !store->dir)
		return pg_error_set(PG_EINPUT,
				    "the result set has no commit (measured outside a repository): "
				    "save it with --store DIR");
	int rc = pg_result_set_to_note(&line, rs);
	if (rc)
		return rc;
	rc = pg_store_append(store, rs->commit ? rs->commit : "unversioned", line, rs->run_id);
	free(line);
	return rc;
}
