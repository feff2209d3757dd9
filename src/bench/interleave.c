/* interleave.c - same-runner A/B: base and head in ABBA blocks, paired half by half */
#include "driver.h"
#include "perfgate/error.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pg_ab_pairs_free(pg_ab_pairs *pairs, size_t n)
{
	for (size_t i = 0; pairs && i < n; i++) {
		free(pairs[i].bench);
		free(pairs[i].unit);
		free(pairs[i].base);
		free(pairs[i].head);
		free(pairs[i].failure);
	}
	free(pairs);
}

/* Append every sample (and the latest value) of one half's run to the side's benchmark. */
static int accumulate(pg_result_set *rs, const pg_benchmark *run)
{
	pg_benchmark *side = pg_result_set_find(rs, run->name);
	if (!side) {
		side = pg_result_set_copy_benchmark(rs, run);
		return side ? 0 : pg_error_set(PG_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < run->n_metrics; i++) {
		const pg_metric *m = &run->metrics[i];
		pg_metric *into = pg_benchmark_find_metric(side, m->name);
		if (!into)
			continue;
		for (size_t j = 0; j < m->n_samples; j++) {
			int rc = pg_metric_add_sample(into, m->samples[j]);
			if (rc)
				return rc;
		}
		if (m->has_value)
			pg_metric_set_value(into, m->value);
	}
	return 0;
}

/* One half-block: the benchmark once on one side. Fills *center with its primary centre. */
static int half(double *center, char **failure, pg_result_set *side_rs, const pg_gates *g,
		const pg_bench_def *def, const pg_measure_options *mo, int warmup, const char *who)
{
	pg_result_set *tmp = pg_result_set_new();
	if (!tmp)
		return pg_error_set(PG_ENOMEM, "out of memory");
	pg_benchmark *b = pg_result_set_add_benchmark(tmp, def->name, def->kind);
	pg_driver_ctx ctx = {.gates = g, .run = def->run, .opts = mo, .rs = tmp, .at = 0, .ab_half = 1};
	ctx.run.runs = 1;
	ctx.run.warmup = warmup;
	ctx.run.min_time_s = 0;
	pg_driver_fn fn = pg_driver_for(def->kind);
	int rc = b && fn ? fn(b, def, &ctx) : pg_error_set(PG_EINPUT, "kind '%s' cannot be measured in A/B", def->kind);
	if (b) {
		b = &tmp->benchmarks[0]; /* a driver may have added benchmarks, moving the array */
		pg_benchmark_drop_empty(b);
	}
	*center = NAN;
	if (!rc && b->status != PG_STATUS_OK) {
		char msg[1200];
		snprintf(msg, sizeof(msg), "%s: %s %s", who, pg_status_name(b->status), b->reason ? b->reason : "");
		*failure = strdup(msg);
	} else if (!rc && b->n_metrics > 0) {
		if (pg_metric_center(&b->metrics[0], center) != 0)
			*center = NAN;
		rc = warmup ? 0 : accumulate(side_rs, b);
	}
	pg_result_set_free(tmp);
	return rc;
}

static int push(double **v, size_t n, double x)
{
	double *grown = realloc(*v, (n + 1) * sizeof(double));
	if (!grown)
		return pg_error_set(PG_ENOMEM, "out of memory");
	grown[n] = x;
	*v = grown;
	return 0;
}

int pg_measure_ab(pg_ab_pairs **out, size_t *n_out, pg_result_set *base_rs,
		  pg_result_set *head_rs, const pg_gates *base_gates, const pg_gates *head_gates,
		  const pg_measure_options *mo, const pg_ab_options *ao)
{
	pg_ab_pairs *all = calloc(head_gates->n_benchmarks + 1, sizeof(*all));
	size_t n = 0;
	int rc = 0;
	if (!all)
		return pg_error_set(PG_ENOMEM, "out of memory");
	for (size_t i = 0; !rc && i < head_gates->n_benchmarks; i++) {
		const pg_bench_def *hd = &head_gates->benchmarks[i];
		int selected = !mo->only;
		for (char *const *o = mo->only; o && *o; o++)
			selected |= strcmp(*o, hd->name) == 0;
		const pg_bench_def *bd = pg_gates_find(base_gates, hd->name);
		if (!selected || !bd || !pg_driver_for(hd->kind))
			continue;
		pg_ab_pairs *p = &all[n++];
		p->bench = strdup(hd->name);
		if (!p->bench) {
			rc = pg_error_set(PG_ENOMEM, "out of memory");
			break;
		}
		double a, b;
		/* One warm-up each: caches, page cache and CPU frequency settle for both. */
		if ((rc = half(&a, &p->failure, base_rs, base_gates, bd, mo, 1, "base")) || p->failure ||
		    (rc = half(&b, &p->failure, head_rs, head_gates, hd, mo, 1, "head")) || p->failure)
			continue;
		for (int block = 0; !rc && block < ao->max_blocks; block++) {
			/* A B B A: the second pair is taken in the other order, so drift cancels. */
			double a1, b1, b2, a2;
			if ((rc = half(&a1, &p->failure, base_rs, base_gates, bd, mo, 0, "base")) || p->failure ||
			    (rc = half(&b1, &p->failure, head_rs, head_gates, hd, mo, 0, "head")) || p->failure ||
			    (rc = half(&b2, &p->failure, head_rs, head_gates, hd, mo, 0, "head")) || p->failure ||
			    (rc = half(&a2, &p->failure, base_rs, base_gates, bd, mo, 0, "base")) || p->failure)
				break;
			if ((rc = push(&p->base, p->n, a1)) || (rc = push(&p->head, p->n, b1)))
				break;
			p->n++;
			if ((rc = push(&p->base, p->n, a2)) || (rc = push(&p->head, p->n, b2)))
				break;
			p->n++;
			p->blocks = block + 1;
			if (mo->progress)
				mo->progress(mo->progress_arg, hd->name, block + 1, ao->max_blocks);
			if (block + 1 >= ao->min_blocks && ao->stop && ao->stop(ao->stop_arg, p)) {
				p->stopped_early = block + 1 < ao->max_blocks;
				break;
			}
		}
		const pg_benchmark *hb = pg_result_set_find(head_rs, hd->name);
		if (hb && hb->n_metrics > 0) {
			p->unit = strdup(hb->metrics[0].unit);
			p->better_higher = hb->metrics[0].better == PG_BETTER_HIGHER;
		}
	}
	if (rc) {
		pg_ab_pairs_free(all, n);
		return rc;
	}
	pg_result_set_summarize(base_rs);
	pg_result_set_summarize(head_rs);
	*out = all;
	*n_out = n;
	return 0;
}
