/* series.c - past results as the stages hand them on: releasing them, the latest set, a run series */
#include "perfgate/series.h"

#include "perfgate/error.h"

#include <stdlib.h>
#include <string.h>

void pg_commit_records_release(pg_commit_records *records)
{
	if (!records)
		return;
	for (size_t i = 0; i < records->n_sets; i++)
		pg_result_set_free(records->sets[i]);
	free(records->sets);
	for (size_t i = 0; i < records->n_acceptances; i++)
		cJSON_Delete(records->acceptances[i]);
	free(records->acceptances);
	for (size_t i = 0; i < records->n_warnings; i++)
		free(records->warnings[i]);
	free(records->warnings);
	memset(records, 0, sizeof(*records));
}

/* Does a come after b: a later `created`, or on a tie a later run_id (the same on every clone)? */
static int newer(const pg_result_set *a, const pg_result_set *b)
{
	int c = strcmp(a->created ? a->created : "", b->created ? b->created : "");
	if (c == 0)
		c = strcmp(a->run_id ? a->run_id : "", b->run_id ? b->run_id : "");
	return c > 0;
}

static int same_key(const pg_result_set *a, const pg_result_set *b)
{
	return a->env.key && b->env.key && strcmp(a->env.key, b->env.key) == 0;
}

int pg_records_fold(pg_commit_records *records)
{
	for (size_t i = 0; i < records->n_sets; i++) {
		pg_result_set *latest = records->sets[i];
		if (!latest->env.key || pg_records_latest(records, latest->env.key) != latest)
			continue;
		/* The older sets of its key, newest first: the first to hold a benchmark gives it. */
		const pg_result_set *done = latest;
		for (;;) {
			const pg_result_set *next = NULL;
			for (size_t k = 0; k < records->n_sets; k++) {
				const pg_result_set *o = records->sets[k];
				if (o != latest && same_key(o, latest) && newer(done, o) && (!next || newer(o, next)))
					next = o;
			}
			if (!next)
				break;
			for (size_t b = 0; b < next->n_benchmarks; b++) {
				if (pg_result_set_find(latest, next->benchmarks[b].name))
					continue;
				/* Measured by another run (a shard): it keeps that run's probe. */
				if (!pg_result_set_adopt_benchmark(latest, next, &next->benchmarks[b]))
					return PG_ENOMEM;
			}
			done = next;
		}
	}
	return 0;
}

const pg_result_set *pg_records_latest(const pg_commit_records *records, const char *key)
{
	const pg_result_set *best = NULL;
	for (size_t i = 0; i < records->n_sets; i++) {
		const pg_result_set *rs = records->sets[i];
		if (key && (!rs->env.key || strcmp(rs->env.key, key) != 0))
			continue;
		if (!best) {
			best = rs;
			continue;
		}
		/* ISO 8601 UTC times order as strings. */
		if (newer(rs, best))
			best = rs;
	}
	return best;
}

void pg_history_free(pg_history *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->n_commits; i++)
		pg_result_set_free(h->commits[i].rs);
	free(h->commits);
	free(h->env_key);
	for (size_t i = 0; i < h->n_other_keys; i++)
		free(h->other_keys[i]);
	free(h->other_keys);
	for (size_t i = 0; i < h->n_warnings; i++)
		free(h->warnings[i]);
	free(h->warnings);
	free(h);
}

void pg_run_history_free(pg_run_history *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->n_series; i++) {
		free(h->series[i].bench);
		free(h->series[i].metric);
		free(h->series[i].values);
	}
	free(h->series);
	free(h);
}

pg_run_series *pg_run_history_series(pg_run_history *h, const char *bench, const char *metric)
{
	for (size_t i = 0; i < h->n_series; i++)
		if (strcmp(h->series[i].bench, bench) == 0 && strcmp(h->series[i].metric, metric) == 0)
			return &h->series[i];
	pg_run_series *grown = realloc(h->series, (h->n_series + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	h->series = grown;
	pg_run_series *s = &grown[h->n_series];
	memset(s, 0, sizeof(*s));
	s->bench = strdup(bench);
	s->metric = strdup(metric);
	s->values = calloc(h->wanted > 0 ? (size_t)h->wanted : 1, sizeof(double));
	if (!s->bench || !s->metric || !s->values) {
		free(s->bench);
		free(s->metric);
		free(s->values);
		return NULL;
	}
	h->n_series++;
	return s;
}
