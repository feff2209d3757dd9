/* common.c - what the verbs share besides the parser: the options of measuring verbs, the progress line */
#include "cli.h"

#include "perfgate/error.h"

#include <limits.h>
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

/* One whole number of --shard: digits only, at most INT_MAX; -1 otherwise. */
static long shard_part(const char *s, const char **end)
{
	long v = 0;
	const char *p = s;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (*p - '0');
		if (v > INT_MAX)
			return -1;
	}
	*end = p;
	return p == s ? -1 : v;
}

int pg_cli_shard(void *dest, const char *value)
{
	pg_gate_options *m = dest;
	const char *p = value;
	long k = shard_part(p, &p), n = -1;
	if (k >= 0 && *p == '/')
		n = shard_part(p + 1, &p);
	if (k < 1 || n < 1 || *p != '\0' || k > n)
		return pg_error_set(PG_EINPUT, "--shard: expected K/N, whole numbers with 1 <= K <= N (such as 2/3), found '%s'",
				    value);
	m->shard_index = (int)k;
	m->shard_count = (int)n;
	return 0;
}
