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

struct render_job {
	const pg_renderer *r;
	const pg_verdict *v;
	const pg_report_options *opts;
};

static int render_job_run(FILE *f, void *arg)
{
	const struct render_job *job = arg;
	return job->r->render(f, job->v, job->opts);
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
	opts.color = 0;
	struct render_job job = {r, v, &opts};
	return pg_file_write_rendered(eq + 1, render_job_run, &job);
}
