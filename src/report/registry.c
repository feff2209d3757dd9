/* registry.c - the output formats by name, and where each one's text goes */
#include "perfgate/error.h"
#include "perfgate/fileio.h"
#include "perfgate/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const pg_renderer renderers[] = {
	{"text", pg_report_terminal, 1},
	{"json", pg_report_json, 0},
	{"markdown", pg_report_markdown, 0},
	{"junit", pg_report_junit, 0},
	{"github", pg_report_github, 0},
	{"signoff", pg_report_signoff, 0},
};
#define N_RENDERERS (sizeof(renderers) / sizeof(renderers[0]))

const pg_renderer *pg_report_find(const char *name)
{
	for (size_t i = 0; i < N_RENDERERS; i++)
		if (strcmp(renderers[i].name, name) == 0)
			return &renderers[i];
	return NULL;
}

const char *pg_report_format_names(void)
{
	static char names[256];
	if (!names[0])
		for (size_t i = 0; i < N_RENDERERS; i++)
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
				 i ? ", " : "", renderers[i].name);
	return names;
}

int pg_report_render(const char *spec, const pg_verdict *v, const pg_report_options *o)
{
	const char *eq = strchr(spec, '=');
	char name[64];
	snprintf(name, sizeof(name), "%.*s", (int)(eq ? (size_t)(eq - spec) : strlen(spec)), spec);
	const pg_renderer *r = pg_report_find(name);
	if (!r)
		return pg_error_set(PG_EINPUT, "--format %s: unknown format (expected one of: %s)", name,
				    pg_report_format_names());
	pg_report_options opts = *o;
	if (!eq) {
		opts.color = r->to_terminal && o->color;
		int rc = r->render(stdout, v, &opts);
		fflush(stdout);
		return rc;
	}
	/* A report file is all or nothing: rendered in memory, then renamed into place. */
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	if (!mem)
		return pg_error_set(PG_ENOMEM, "out of memory rendering %s", name);
	opts.color = 0;
	int rc = r->render(mem, v, &opts);
	if (fclose(mem) != 0 && !rc)
		rc = pg_error_set(PG_ENOMEM, "out of memory rendering %s", name);
	if (!rc)
		rc = pg_file_write_atomic(eq + 1, text, len);
	free(text);
	return rc;
}
