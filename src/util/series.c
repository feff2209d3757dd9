/* series.c - past results as the stages hand them on: releasing them, the latest set, a run series */
#include "perfgate/series.h"

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
		/* ISO 8601 UTC times order as strings; equal times fall to run_id, the same on every clone. */
		int c = strcmp(rs->created ? rs->created : "", best->created ? best->created : "");
		if (c == 0)
			c = strcmp(rs->run_id ? rs->run_id : "", best->run_id ? best->run_id : "");
		if (c > 0)
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
