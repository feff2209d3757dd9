/* shard.c - --shard K/N: one deterministic part of the suite, balanced by what each benchmark last cost */
#include "perfgate/gate.h"

#include "perfgate/baseline.h"
#include "perfgate/error.h"
#include "perfgate/log.h"
#include "perfgate/quantity.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The rule. Each benchmark's cost is the time its last stored run measured
 * (the primary metric's mean times its number of runs, in ms: the baseline
 * the check would use, so every job of a matrix on one commit reads the
 * same figures). A benchmark without one costs the mean of those that have
 * one; when none has one, all cost the same. Then longest first (ties in
 * declaration order), each to the shard with the least cost so far (ties:
 * the lowest shard): with equal costs that is declaration order, dealt
 * round-robin. Every benchmark lands in exactly one shard.
 */

typedef struct costed {
	size_t index; /* in the selection, declaration order */
	double ms;    /* NAN: no stored run */
} costed;

static int by_cost(const void *a, const void *b)
{
	const costed *x = a, *y = b;
	if (x->ms != y->ms)
		return x->ms > y->ms ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* The time benchmark b's stored run took: mean x runs of its primary metric, in ms; NAN when not a time. */
static double run_cost_ms(const pg_benchmark *b)
{
	if (!b || b->status != PG_STATUS_OK || b->n_metrics == 0)
		return NAN;
	const pg_metric *m = &b->metrics[0];
	double scale;
	if (pg_unit_dimension(m->unit, &scale) != PG_DIM_TIME)
		return NAN;
	double mean = NAN, n = 0;
	if (m->has_summary && m->summary.n > 0) {
		mean = m->summary.mean;
		n = (double)m->summary.n;
	} else if (m->n_samples > 0) {
		mean = 0;
		for (size_t i = 0; i < m->n_samples; i++)
			mean += m->samples[i] / (double)m->n_samples;
		n = (double)m->n_samples;
	}
	double ms = mean * n * scale * 1e3;
	return isfinite(ms) && ms >= 0 ? ms : NAN;
}

/* Costs from the baseline the walk finds; all NAN outside a repository or without one. */
static int stored_costs(double *ms, char *const *names, size_t n, const pg_gate_context *ctx,
			const pg_shard_where *w)
{
	for (size_t i = 0; i < n; i++)
		ms[i] = NAN;
	pg_store *store = NULL;
	int rc = pg_gate_open_store(&store, ctx, w->store_dir);
	if (rc || !store)
		return rc;
	pg_baseline *base = NULL;
	pg_baseline_options bo = {.base = w->base, .target = w->target, .env_key = w->env_key};
	rc = pg_baseline_find(&base, store, ctx->repo, w->head_commit, names, n, &bo);
	if (rc == PG_EINPUT) {
		/* No commit to start at (a first commit): nothing stored, declaration order. */
		pg_error_clear();
		rc = 0;
	}
	for (size_t i = 0; !rc && base && base->rs && i < n; i++)
		ms[i] = run_cost_ms(pg_result_set_find(base->rs, names[i]));
	pg_baseline_free(base);
	pg_store_free(store);
	return rc;
}

static void print_assignment(const pg_gate_options *o, char *const *names, const costed *c, size_t n,
			     const int *shard_of, size_t known)
{
	if (o->quiet)
		return;
	fprintf(stderr, "perfgate: shard %d/%d of %zu benchmarks, %s:\n", o->shard_index, o->shard_count, n,
		known == n   ? "balanced by the time of their last stored runs"
		: known == 0 ? "no stored runs: in declaration order"
			     : "balanced by the time of their last stored runs (the others at their mean)");
	for (int s = 1; s <= o->shard_count; s++) {
		double total = 0;
		size_t count = 0;
		for (size_t i = 0; i < n; i++)
			if (shard_of[c[i].index] == s) {
				total += c[i].ms;
				count++;
			}
		fprintf(stderr, "  %s%d/%d", s == o->shard_index ? "*" : " ", s, o->shard_count);
		if (known > 0)
			fprintf(stderr, " (%.0f ms)", total);
		fputc(':', stderr);
		if (count == 0)
			fputs(" (none)", stderr);
		for (size_t i = 0; i < n; i++)
			if (shard_of[i] == s) {
				fputc(' ', stderr);
				pg_text_inert(stderr, names[i]);
			}
		fputc('\n', stderr);
	}
}

int pg_gate_shard_select(char ***out, const pg_gates *g, const pg_gate_context *ctx, const pg_gate_options *o,
			 const pg_shard_where *w)
{
	*out = NULL;
	if (o->shard_count <= 0)
		return 0;
	/* The selection: the gates file's benchmarks, or those of -b, in declaration order. */
	char **names = calloc(g->n_benchmarks + 1, sizeof(char *));
	costed *c = calloc(g->n_benchmarks + 1, sizeof(*c));
	int *shard_of = calloc(g->n_benchmarks + 1, sizeof(int));
	double *ms = calloc(g->n_benchmarks + 1, sizeof(double));
	double *load = calloc((size_t)o->shard_count, sizeof(double));
	int rc = names && c && shard_of && ms && load ? 0 : pg_error_set(PG_ENOMEM, "out of memory");
	size_t n = 0;
	for (size_t i = 0; !rc && i < g->n_benchmarks; i++) {
		int take = !o->only;
		for (char **only = o->only; only && *only; only++)
			take |= strcmp(*only, g->benchmarks[i].name) == 0;
		if (take)
			names[n++] = g->benchmarks[i].name;
	}
	if (!rc)
		rc = stored_costs(ms, names, n, ctx, w);
	size_t known = 0;
	double sum = 0;
	for (size_t i = 0; !rc && i < n; i++)
		if (isfinite(ms[i])) {
			known++;
			sum += ms[i];
		}
	for (size_t i = 0; !rc && i < n; i++)
		c[i] = (costed){i, isfinite(ms[i]) ? ms[i] : known ? sum / (double)known : 1};
	if (!rc) {
		qsort(c, n, sizeof(*c), by_cost);
		for (size_t i = 0; i < n; i++) {
			int least = 0;
			for (int s = 1; s < o->shard_count; s++)
				if (load[s] < load[least])
					least = s;
			load[least] += c[i].ms;
			shard_of[c[i].index] = least + 1;
		}
		print_assignment(o, names, c, n, shard_of, known);
		/* The shard's names, in declaration order; an empty shard is an empty list, not "all". */
		size_t k = 0;
		for (size_t i = 0; i < n; i++)
			if (shard_of[i] == o->shard_index)
				names[k++] = names[i];
		names[k] = NULL;
		if (k == 0)
			pg_log_warning("shard %d/%d has no benchmarks: %zu benchmark%s in %d shards", o->shard_index,
				       o->shard_count, n, n == 1 ? "" : "s", o->shard_count);
	}
	free(c);
	free(shard_of);
	free(ms);
	free(load);
	if (rc) {
		free(names);
		return rc;
	}
	*out = names;
	return 0;
}
