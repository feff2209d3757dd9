/* merge.c - the result sets of one commit's shards made one: agreement checked, benchmarks united */
#include "perfgate/merge.h"

#include "perfgate/error.h"
#include "perfgate/quantity.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int same_text(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* "shard 2/3", or "unsharded". */
static const char *shard_text(char *buf, size_t size, const pg_result_set *rs)
{
	if (rs->shard_count == 0)
		return "unsharded";
	snprintf(buf, size, "shard %d/%d", rs->shard_index, rs->shard_count);
	return buf;
}

/* Every input against the first (against the first with one, for gates_hash): one commit, env, suite, split. */
static int check_agreement(const pg_merge_input *in, size_t n)
{
	const pg_merge_input *first = &in[0], *hashed = NULL;
	const pg_result_set *f = first->rs;
	char mine[64], theirs[64];
	for (size_t i = 0; i < n; i++) {
		const pg_result_set *a = in[i].rs;
		if (!same_text(a->commit, f->commit))
			return pg_error_set(PG_EINPUT, "%s has commit %.12s, %s %.12s: a merge is of one commit",
					    in[i].name, a->commit ? a->commit : "none", first->name,
					    f->commit ? f->commit : "none");
		if (!same_text(a->env.key, f->env.key))
			return pg_error_set(PG_EINPUT, "%s has env key %s, %s %s: a merge is of one environment",
					    in[i].name, a->env.key ? a->env.key : "none", first->name,
					    f->env.key ? f->env.key : "none");
		if (a->gates_hash && hashed && strcmp(a->gates_hash, hashed->rs->gates_hash) != 0)
			return pg_error_set(PG_EINPUT, "%s ran gates %s, %s gates %s: a merge is of one gates file",
					    in[i].name, a->gates_hash, hashed->name, hashed->rs->gates_hash);
		if (a->gates_hash && !hashed)
			hashed = &in[i];
		if (a->shard_count != f->shard_count)
			return pg_error_set(PG_EINPUT, "%s is %s, %s is %s: a merge is of one split of the suite",
					    in[i].name, shard_text(mine, sizeof(mine), a), first->name,
					    shard_text(theirs, sizeof(theirs), f));
		for (size_t j = 0; a->shard_count && j < i; j++)
			if (in[j].rs->shard_index == a->shard_index)
				return pg_error_set(PG_EINPUT, "%s and %s are both %s: a merge takes each shard once",
						    in[j].name, in[i].name, shard_text(mine, sizeof(mine), a));
	}
	return 0;
}

/* Does b have a time metric, which a probe speaks for? */
static int timed(const pg_benchmark *b)
{
	double scale;
	for (size_t i = 0; i < b->n_metrics; i++)
		if (pg_unit_dimension(b->metrics[i].unit, &scale) == PG_DIM_TIME)
			return 1;
	return 0;
}

/* *slot = a copy of s (the old value freed); s NULL: *slot as it was. 0 or PG_ENOMEM. */
static int take_text(char **slot, const char *s)
{
	if (!s)
		return 0;
	char *copy = strdup(s);
	if (!copy)
		return pg_error_set(PG_ENOMEM, "out of memory");
	free(*slot);
	*slot = copy;
	return 0;
}

/*
 * What the merged set says of itself: the first input's commit, env, tool
 * and probe; the latest created; the highest rss_floor; dirty when any is.
 */
static int take_header(pg_result_set *m, const pg_merge_input *in, const size_t *order, size_t n)
{
	const pg_result_set *first = in[order[0]].rs;
	const char *created = NULL, *gates_hash = NULL;
	for (size_t k = 0; k < n; k++) {
		const pg_result_set *rs = in[order[k]].rs;
		if (rs->created && (!created || strcmp(rs->created, created) > 0))
			created = rs->created;
		if (!gates_hash)
			gates_hash = rs->gates_hash;
		m->rss_floor = k == 0 ? rs->rss_floor : fmax(m->rss_floor, rs->rss_floor);
		m->dirty |= rs->dirty;
	}
	m->env.cores = first->env.cores;
	m->probe = first->probe;
	char **slots[] = {&m->created, &m->tool, &m->commit, &m->env.key, &m->env.os, &m->env.arch,
			  &m->env.cpu, &m->env.runner, &m->gates_hash};
	const char *values[] = {created, first->tool, first->commit, first->env.key, first->env.os,
				first->env.arch, first->env.cpu, first->env.runner, gates_hash};
	for (size_t i = 0; i < sizeof(slots) / sizeof(slots[0]); i++)
		if (take_text(slots[i], values[i]))
			return PG_ENOMEM;
	return 0;
}

/* Append the benchmarks of input k (from[i]: the input benchmark i of m came from). */
static int take_benchmarks(pg_result_set *m, size_t *from, char ***warnings, size_t *n_warnings,
			   const pg_merge_input *in, size_t k, const pg_merge_input *first)
{
	const pg_result_set *rs = in[k].rs;
	size_t unprobed = 0;
	for (size_t i = 0; i < rs->n_benchmarks; i++) {
		const pg_benchmark *b = &rs->benchmarks[i];
		for (size_t j = 0; j < m->n_benchmarks; j++) {
			if (strcmp(m->benchmarks[j].name, b->name) != 0)
				continue;
			if (from[j] == k)
				return pg_error_set(PG_EINPUT, "benchmark '%s' is in %s twice: a merge takes each benchmark once",
						    b->name, in[k].name);
			return pg_error_set(PG_EINPUT, "benchmark '%s' is in both %s and %s: a merge takes each benchmark from one file",
					    b->name, in[from[j]].name, in[k].name);
		}
		if (!pg_result_set_adopt_benchmark(m, rs, b))
			return PG_ENOMEM;
		from[m->n_benchmarks - 1] = k;
		unprobed += !pg_benchmark_probe(rs, b) && m->probe.version > 0 && timed(b);
	}
	/* The model has no "no probe" for one benchmark of a set that has one: say what the set implies. */
	if (unprobed)
		return pg_warning_add(warnings, n_warnings,
				      "%s took no environment probe: its %zu timed benchmark%s will be read as measured under the probe of %s",
				      in[k].name, unprobed, unprobed == 1 ? "" : "s", first->name);
	return 0;
}

int pg_merge_result_sets(pg_result_set **out, char ***warnings, size_t *n_warnings,
			 const pg_merge_input *inputs, size_t n)
{
	*out = NULL;
	if (n == 0)
		return pg_error_set(PG_EINPUT, "no result sets to merge");
	int rc = check_agreement(inputs, n);
	if (rc)
		return rc;
	size_t total = 0;
	for (size_t k = 0; k < n; k++)
		total += inputs[k].rs->n_benchmarks;
	size_t *order = malloc(n * sizeof(*order));
	size_t *from = malloc((total ? total : 1) * sizeof(*from));
	pg_result_set *m = pg_result_set_new();
	if (!order || !from || !m) {
		rc = pg_error_set(PG_ENOMEM, "out of memory");
		goto out;
	}
	/* Shard order, stable: unsharded inputs (all index 0) stay as given. */
	for (size_t k = 0; k < n; k++) {
		size_t at = k;
		while (at > 0 && inputs[order[at - 1]].rs->shard_index > inputs[k].rs->shard_index) {
			order[at] = order[at - 1];
			at--;
		}
		order[at] = k;
	}
	if ((rc = take_header(m, inputs, order, n)))
		goto out;
	for (size_t k = 0; k < n && !rc; k++)
		rc = take_benchmarks(m, from, warnings, n_warnings, inputs, order[k], &inputs[order[0]]);
out:
	free(order);
	free(from);
	if (rc)
		pg_result_set_free(m);
	else
		*out = m;
	return rc;
}

int pg_merge_missing_shards(int **missing, size_t *n_missing, const pg_merge_input *inputs, size_t n)
{
	*missing = NULL;
	*n_missing = 0;
	int count = n ? inputs[0].rs->shard_count : 0;
	if (count == 0)
		return 0;
	char *seen = calloc((size_t)count + 1, 1);
	int *list = malloc((size_t)count * sizeof(*list));
	if (!seen || !list) {
		free(seen);
		free(list);
		return pg_error_set(PG_ENOMEM, "out of memory");
	}
	for (size_t k = 0; k < n; k++)
		if (inputs[k].rs->shard_index >= 1 && inputs[k].rs->shard_index <= count)
			seen[inputs[k].rs->shard_index] = 1;
	for (int i = 1; i <= count; i++)
		if (!seen[i])
			list[(*n_missing)++] = i;
	free(seen);
	if (*n_missing == 0) {
		free(list);
		list = NULL;
	}
	*missing = list;
	return 0;
}

int pg_merge_order(pg_result_set *rs, char *const *names, size_t n_names)
{
	if (rs->n_benchmarks < 2)
		return 0;
	pg_benchmark *sorted = malloc(rs->n_benchmarks * sizeof(*sorted));
	char *placed = calloc(rs->n_benchmarks, 1);
	if (!sorted || !placed) {
		free(sorted);
		free(placed);
		return pg_error_set(PG_ENOMEM, "out of memory");
	}
	size_t at = 0;
	for (size_t i = 0; i < n_names; i++)
		for (size_t j = 0; j < rs->n_benchmarks; j++)
			if (!placed[j] && strcmp(rs->benchmarks[j].name, names[i]) == 0) {
				sorted[at++] = rs->benchmarks[j];
				placed[j] = 1;
				break;
			}
	for (size_t j = 0; j < rs->n_benchmarks; j++)
		if (!placed[j])
			sorted[at++] = rs->benchmarks[j];
	free(rs->benchmarks);
	rs->benchmarks = sorted;
	free(placed);
	return 0;
}
