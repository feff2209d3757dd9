/* releases.c - the dashboard's release pages: a sign-off reused from the page on disk, or rendered from its verdict */
#include "publish/releases.h"

#include "perfgate/error.h"
#include "perfgate/fileio.h"
#include "perfgate/report.h"
#include "publish/commonmark.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int pg_publish_release_sign_off(pg_publish_release *r)
{
	const pg_verdict *v = r->verdict;
	char *md = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&md, &len);
	if (!out)
		return pg_error_set(PG_ENOMEM, "out of memory");
	pg_report_options ro = {.date = r->date};
	int rc = pg_report_signoff(out, v, &ro);
	if (fclose(out) != 0 && !rc)
		rc = pg_error_set(PG_ENOMEM, "out of memory");
	if (!rc)
		rc = pg_markdown_to_html(&r->signoff, md, len);
	free(md);
	return rc;
}

int pg_publish_release_reuse(pg_publish_release *r, const char *dir)
{
	char *path = pg_path_join(dir, r->page), *old = NULL;
	size_t len = 0;
	int reused = 0;
	if (path && access(path, F_OK) == 0 && pg_file_read(&old, &len, path) == 0) {
		char marker[64];
		snprintf(marker, sizeof(marker), "<!-- signoff:%s:", r->key);
		const char *begin = strstr(old, marker), *end;
		if (begin && (end = strstr(begin, "<!-- /signoff -->"))) {
			begin += strlen(marker);
			int status = begin[0] - '0';
			if (status >= PG_PUBLISH_NONE && status <= PG_PUBLISH_WARN && strncmp(begin + 1, " -->", 4) == 0) {
				begin += 5;
				r->status = (pg_publish_status)status;
				reused = (r->signoff = strndup(begin, (size_t)(end - begin))) != NULL;
			}
		}
	}
	pg_error_clear();
	free(old);
	free(path);
	return reused;
}

void pg_publish_releases_free(pg_publish_release *r, size_t n)
{
	for (size_t i = 0; r && i < n; i++) {
		free(r[i].tag);
		pg_verdict_free(r[i].verdict);
		free(r[i].signoff);
	}
	free(r);
}
