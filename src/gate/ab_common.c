/* ab_common.c - what `ab` and `bisect` share: thresholds, the stopping rule, worktree {bindir}, A/A noise */
#include "ab_common.h"

#include "perfgate/compare.h"
#include "perfgate/error.h"
#include "perfgate/fileio.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double pg_gate_ab_threshold(const pg_gates *g, const char *bench)
{
	const pg_bench_def *d = pg_gates_find(g, bench);
	double thr = d && strcmp(d->kind, "size") == 0 ? 0.20 : g->regression;
	size_t bl = strlen(bench);
	for (size_t i = 0; i < g->n_gates; i++)
		if (g->gates[i].has_regression && strncmp(g->gates[i].metric, bench, bl) == 0 &&
		    g->gates[i].metric[bl] == '.')
			thr = g->gates[i].regression;
	return thr;
}

int pg_gate_ab_settled(void *arg, const pg_ab_pairs *p)
{
	const pg_gate_ab_stop_rule *r = arg;
	pg_paired_result est;
	if (pg_paired_estimate(&est, p->base, p->head, p->n, p->better_higher, r->gates->alpha, r->looks) != 0)
		return 0;
	return pg_paired_settled(&est, pg_gate_ab_threshold(r->gates, p->bench));
}

char *pg_gate_ab_bindir(const pg_gate_context *ctx, const char *worktree)
{
	size_t rl = strlen(ctx->root);
	if (strncmp(ctx->bindir, ctx->root, rl) == 0 && ctx->bindir[rl] == '/')
		return pg_path_join(worktree, ctx->bindir + rl + 1);
	return strdup(ctx->bindir);
}

int pg_gate_ab_calibrate(double **floors, int aa_runs, const pg_gates *g, const pg_measure_options *mo,
			char *const *names, size_t n)
{
	*floors = malloc((n ? n : 1) * sizeof(double));
	if (!*floors)
		return pg_error_set(PG_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		(*floors)[i] = NAN;
	if (aa_runs == 0)
		return 0;
	pg_result_set *x = pg_result_set_new(), *y = pg_result_set_new();
	pg_ab_pairs *pairs = NULL;
	size_t np = 0;
	int blocks = (aa_runs + 1) / 2;
	pg_ab_options ao = {.min_blocks = blocks, .max_blocks = blocks};
	int rc = x && y ? pg_measure_ab(&pairs, &np, x, y, g, g, mo, &ao) : pg_error_set(PG_ENOMEM, "out of memory");
	for (size_t i = 0; !rc && i < np; i++) {
		double floor;
		if (pairs[i].failure || pg_paired_noise(&floor, pairs[i].base, pairs[i].head, pairs[i].n) != 0)
			continue;
		for (size_t j = 0; j < n; j++)
			if (strcmp(names[j], pairs[i].bench) == 0)
				(*floors)[j] = floor;
	}
	pg_ab_pairs_free(pairs, np);
	pg_result_set_free(x);
	pg_result_set_free(y);
	return rc;
}
