/* common.c - what the verbs share besides the parser: the options of measuring verbs, the progress line */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

void pg_cli_want_progress(pg_gate_options *m)
{
	m->progress = !m->quiet && isatty(STDERR_FILENO) ? pg_cli_progress : NULL;
}

void pg_cli_measure_release(pg_gate_options *m)
{
	free(m->only);
	free(m->formats);
	m->only = m->formats = NULL;
	m->n_only = m->n_formats = 0;
}

void pg_cli_progress(void *arg, const char *bench, int done, int total)
{
	(void)arg;
	fprintf(stderr, "\r\033[K  %s  %d/%d", bench, done, total);
	if (done == total)
		fputs("\r\033[K", stderr);
	fflush(stderr);
}
