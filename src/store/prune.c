/* prune.c - retention: drop raw samples from stored notes, rewriting a note by compare-and-swap */
#include "store_private.h"

#include "perfgate/error.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Exponential backoff with jitter, capped at 0.5 s, as pg_store_append waits. */
static void backoff(int attempt, uint64_t *rng)
{
	*rng = *rng * 6364136223846793005ULL + 1442695040888963407ULL;
	double cap = 0.005 * (double)(1u << (attempt < 7 ? attempt : 7));
	if (cap > 0.5)
		cap = 0.5;
	double wait = cap * (0.5 + (double)(*rng >> 11) / 9007199254740992.0 / 2);
	struct timespec ts = {(time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9)};
	nanosleep(&ts, NULL);
}

int pg_store_replace(pg_store *store, const char *commit, const char *text)
{
	char hex[41];
	if (!commit || !(strcmp(commit, "unversioned") == 0 || pg_store_is_hex40(commit)))
		return pg_error_set(PG_EINPUT, "%s: not a commit id (40 hex digits)", commit ? commit : "(none)");
	for (int i = 0; i <= 40; i++)
		hex[i] = (char)(commit[i] >= 'A' && commit[i] <= 'F' ? commit[i] - 'A' + 'a' : commit[i]);
	int rc = store->ops->check_commit(store, hex);
	if (rc)
		return rc;
	if (!text || strspn(text, " \t\r\n") == strlen(text))
		return pg_error_set(PG_EINPUT, "replacing a note needs at least one record");

	struct timespec seed;
	clock_gettime(CLOCK_REALTIME, &seed);
	uint64_t rng = ((uint64_t)getpid() << 32) ^ (uint64_t)seed.tv_nsec ^ 0x2545f4914f6cdd1dULL;
	double start = now_s();
	for (int attempt = 1;; attempt++) {
		pg_store_version ver = {.lock_fd = -1};
		char *current = NULL, *merged = NULL;
		size_t len;
		rc = store->ops->read_text(&current, &len, store, hex, &ver);
		/* Lines another writer added since the caller read the note are kept. */
		if (!rc)
			rc = pg_store_merge_text(&merged, text, current ? current : "");
		if (!rc && !(current && strcmp(current, merged) == 0))
			rc = store->ops->write_cas(store, hex, merged, &ver);
		store->ops->release(store, &ver);
		free(current);
		free(merged);
		if (rc != PG_STORE_RACE)
			break;
		if (now_s() - start >= store->retry_limit_s) {
			char last[512];
			snprintf(last, sizeof(last), "%s", pg_error_message());
			return pg_error_set(PG_ESYSTEM,
					    "%s: gave up after %d attempts: another writer kept winning (%s)",
					    store->ref ? store->ref : store->dir, attempt, last);
		}
		backoff(attempt, &rng);
	}
	if (rc == 0)
		pg_store_refresh(store);
	return rc;
}

/* Drop "samples" beside a "summary" in each metric of a perfgate/1 record; 1 when something was dropped. */
static int strip_record(cJSON *json)
{
	const cJSON *schema = cJSON_GetObjectItemCaseSensitive(json, "schema");
	cJSON *b, *m;
	int dropped = 0;
	if (!cJSON_IsString(schema) || strcmp(schema->valuestring, PG_RESULT_SCHEMA) != 0)
		return 0;
	cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(json, "benchmarks"))
	{
		cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(b, "metrics"))
		{
			/* Without a summary the samples are all there is: they stay. */
			if (cJSON_GetObjectItemCaseSensitive(m, "samples") &&
			    cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(m, "summary"))) {
				cJSON_DeleteItemFromObjectCaseSensitive(m, "samples");
				dropped = 1;
			}
		}
	}
	return dropped;
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
		cJSON *json = cJSON_ParseWithLength(line, n);
		char *lean = NULL;
		if (json && strip_record(json)) {
			if (!(lean = cJSON_PrintUnformatted(json)))
				rc = pg_error_set(PG_ENOMEM, "out of memory");
			changed = 1;
		}
		cJSON_Delete(json);
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
