/* accept.c - where intended changes are read and written: Perfgate-Accept trailers, accept records, a PR label */
#include "perfgate/accept.h"

#include "perfgate/error.h"
#include "perfgate/gitlib.h"
#include "perfgate/json.h"
#include "perfgate/repo.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int warn(pg_acceptances *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int warn(pg_acceptances *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = pg_warning_vadd(&a->warnings, &a->n_warnings, fmt, ap);
	va_end(ap);
	return rc;
}

static int add(pg_acceptances *a, const char *text, const char *by, const char *short_id)
{
	pg_acceptance item;
	int rc = pg_acceptance_parse(&item, text, by);
	if (rc == PG_EINPUT)
		return warn(a, "commit %s: malformed Perfgate-Accept (ignored): %s", short_id, pg_error_message());
	if (rc)
		return rc;
	pg_acceptance *grown = realloc(a->items, (a->n + 1) * sizeof(*grown));
	if (!grown) {
		free(item.glob);
		free(item.by);
		return pg_error_set(PG_ENOMEM, "out of memory");
	}
	a->items = grown;
	a->items[a->n++] = item;
	return 0;
}

static int key_is_accept(const char *key)
{
	return strcasecmp(key, "Perfgate-Accept") == 0;
}

/* The trailers of one commit message, and GitHub's squash form in its body. */
static int from_message(pg_acceptances *a, const char *message, const char *by, const char *short_id)
{
	git_message_trailer_array trailers = {0};
	int rc = 0, found = 0;
	if (git_message_trailers(&trailers, message) == 0) {
		for (size_t i = 0; !rc && i < trailers.count; i++)
			if (key_is_accept(trailers.trailers[i].key)) {
				rc = add(a, trailers.trailers[i].value, by, short_id);
				found = 1;
			}
		git_message_trailer_array_free(&trailers);
	}
	if (rc || found)
		return rc;
	/* A squash merge lists the squashed commits' trailers as "* Perfgate-Accept: ...". */
	for (const char *line = message; !rc && line && *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		const char *p = line;
		while (p < line + len && isspace((unsigned char)*p))
			p++;
		if (p < line + len && *p == '*') {
			p++;
			while (p < line + len && *p == ' ')
				p++;
			if ((size_t)(line + len - p) > 16 && strncasecmp(p, "Perfgate-Accept:", 16) == 0) {
				char value[600];
				snprintf(value, sizeof(value), "%.*s", (int)(line + len - p - 16), p + 16);
				rc = add(a, value, by, short_id);
			}
		}
		line = end ? end + 1 : NULL;
	}
	return rc;
}

/* The perfgate-accept/1 records stored on one commit. */
static int from_records(pg_acceptances *a, pg_store *store, const char *hex, const char *short_id)
{
	/* A summaries read: from a notes store it comes from the summary index, not the note. */
	pg_commit_records r;
	int rc = pg_store_read_summaries(&r, store, hex);
	if (rc)
		return rc;
	for (size_t i = 0; !rc && i < r.n_acceptances; i++) {
		const cJSON *rec = r.acceptances[i];
		const cJSON *metrics = cJSON_GetObjectItemCaseSensitive(rec, "metrics");
		const cJSON *max = cJSON_GetObjectItemCaseSensitive(rec, "max");
		const cJSON *reason = cJSON_GetObjectItemCaseSensitive(rec, "reason");
		char by[400];
		snprintf(by, sizeof(by), "%s accept record: %s", short_id,
			 cJSON_IsString(reason) ? reason->valuestring : "(no reason)");
		const cJSON *glob;
		cJSON_ArrayForEach(glob, metrics)
		{
			if (!cJSON_IsString(glob))
				continue;
			char text[700];
			snprintf(text, sizeof(text), "%s %s", glob->valuestring,
				 cJSON_IsString(max) ? max->valuestring : "");
			if ((rc = add(a, text, by, short_id)))
				break;
		}
	}
	pg_commit_records_release(&r);
	return rc;
}

/* The trailers of one commit's message and the accept records stored on it; a commit that cannot be read adds none. */
static int from_commit(pg_acceptances *out, git_repository *repo, pg_store *store, const git_oid *oid)
{
	git_commit *c = NULL;
	char hex[GIT_OID_HEXSZ + 1], short_id[8], by[400];
	if (git_commit_lookup(&c, repo, oid) != 0)
		return 0; /* the edge of a shallow clone */
	git_oid_tostr(hex, sizeof(hex), oid);
	snprintf(short_id, sizeof(short_id), "%.7s", hex);
	const char *summary = git_commit_summary(c);
	snprintf(by, sizeof(by), "%s %s", short_id, summary ? summary : "");
	int rc = from_message(out, git_commit_message(c), by, short_id);
	git_commit_free(c);
	if (!rc && store)
		rc = from_records(out, store, hex, short_id);
	return rc;
}

int pg_acceptances_collect(pg_acceptances *out, git_repository *repo, pg_store *store,
			   const char *base, const char *head, const char *label)
{
	git_revwalk *walk = NULL;
	git_oid oid;
	int rc = 0;
	memset(out, 0, sizeof(*out));
	if (label && *label) {
		char by[300];
		snprintf(by, sizeof(by), "label %s", label);
		if ((rc = add(out, "*", by, "label")))
			return rc;
	}
	if (!repo || !head || git_oid_fromstr(&oid, head) != 0)
		return 0;
	/* No base commit (none stored, or a baseline file): head alone, never the whole history. */
	if (!base)
		return from_commit(out, repo, store, &oid);
	if (git_revwalk_new(&walk, repo) != 0 || git_revwalk_push(walk, &oid) != 0) {
		git_revwalk_free(walk);
		return 0;
	}
	if (git_oid_fromstr(&oid, base) == 0)
		git_revwalk_hide(walk, &oid);
	while (!rc && git_revwalk_next(&oid, walk) == 0)
		rc = from_commit(out, repo, store, &oid);
	git_revwalk_free(walk);
	return rc;
}

int pg_accept_record_save(pg_store *store, const char *commit, char *const *globs, size_t n,
			  const char *max, const char *reason)
{
	git_signature *sig = NULL;
	char by[512];
	int rc = pg_repo_signature(&sig, pg_store_repo(store));
	if (rc)
		return rc;
	snprintf(by, sizeof(by), "%s <%s>", sig->name, sig->email);
	git_signature_free(sig);
	char *run_id = pg_new_run_id(), *created = pg_now_iso8601(), *line = NULL;
	cJSON *rec = cJSON_CreateObject(), *metrics = cJSON_CreateArray();
	if (!run_id || !created || !rec || !metrics) {
		cJSON_Delete(metrics);
		rc = pg_error_set(PG_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(metrics, cJSON_CreateString(globs[i]));
	pg_json_add_string(rec, "schema", PG_ACCEPT_SCHEMA);
	pg_json_add_string(rec, "commit", commit);
	cJSON_AddItemToObject(rec, "metrics", metrics);
	pg_json_add_string(rec, "max", max);
	pg_json_add_string(rec, "reason", reason);
	pg_json_add_string(rec, "by", by);
	pg_json_add_string(rec, "created", created);
	pg_json_add_string(rec, "run_id", run_id);
	if (!(line = cJSON_PrintUnformatted(rec)))
		rc = pg_error_set(PG_ENOMEM, "out of memory");
	else
		rc = pg_store_append(store, commit, line, run_id);
out:
	free(line);
	cJSON_Delete(rec);
	free(created);
	free(run_id);
	return rc;
}
