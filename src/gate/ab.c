/* ab.c - the A/B flow: base and head built side by side, measured interleaved, decided paired */
#include "ab_common.h"

#include "perfgate/gate.h"

#include "perfgate/bench.h"
#include "perfgate/compare.h"
#include "perfgate/error.h"
#include "perfgate/log.h"
#include "perfgate/runner.h"
#include "perfgate/worktree.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Replace each benchmark's primary row of the unpaired verdict with the paired decision. */
static void apply_pairs(pg_verdict *v, const pg_ab_pairs *pairs, size_t np, const double *floors,
			char *const *names, size_t n, const pg_gates *g, int looks)
{
	for (size_t i = 0; i < np; i++) {
		const pg_ab_pairs *p = &pairs[i];
		double floor = NAN;
		for (size_t j = 0; j < n; j++)
			if (strcmp(names[j], p->bench) == 0)
				floor = floors[j];
		for (size_t k = 0; k < v->n_metrics; k++) {
			pg_metric_change *c = &v->metrics[k];
			if (strcmp(c->bench, p->bench) != 0 || c->stat || !c->gated || !p->unit)
				continue;
			/* The primary row only: the metric the pairs were made of. */
			if (k > 0 && strcmp(v->metrics[k - 1].bench, p->bench) == 0)
				continue;
			pg_paired_result est;
			if (p->failure || pg_paired_estimate(&est, p->base, p->head, p->n, p->better_higher,
							     g->alpha, looks) != 0)
				break;
			double thr = pg_gate_ab_threshold(g, p->bench);
			c->change = est.change;
			c->ci_lo = est.lo;
			c->ci_hi = est.hi;
			c->p = est.p;
			c->threshold = thr;
			c->noise_floor = floor;
			c->verdict = pg_paired_verdict(&est, thr, g->alpha, floor);
			c->more_runs = 0;
			char note[400];
			if (isfinite(floor) && floor > thr)
				snprintf(note, sizeof(note),
					 "noise on this runner ±%.1f %% exceeds the %.0f %% threshold: use measure: instructions, more runs or a quieter runner",
					 floor * 100, thr * 100);
			else
				snprintf(note, sizeof(note), "A/B: %zu pairs from %d ABBA block%s%s%s", est.n,
					 p->blocks, p->blocks == 1 ? "" : "s", p->stopped_early ? ", stopped early" : "",
					 isfinite(floor) ? "" : "");
			free(c->note);
			c->note = strdup(note);
			if (isfinite(floor)) {
				char *with = malloc(strlen(note) + 64);
				if (with && !(floor > thr)) {
					snprintf(with, strlen(note) + 64, "%s; A/A noise ±%.1f %%", note, floor * 100);
					free(c->note);
					c->note = with;
				} else {
					free(with);
				}
			}
			break;
		}
		if (p->failure)
			pg_verdict_warn(v, "benchmark '%s' could not be compared: %s", p->bench, p->failure);
	}
}

int pg_gate_ab(const pg_gate_ab_options *o)
{
	pg_gate_context ctx = {0};
	pg_gates *head_g = NULL, *base_g = NULL;
	pg_result_set *head_rs = NULL, *base_rs = NULL;
	pg_ab_pairs *pairs = NULL;
	size_t np = 0, n_names = 0;
	char *base_commit = NULL, *how = NULL, *worktree = NULL, *bindir = NULL, **names = NULL, **shard = NULL;
	double *floors = NULL;
	pg_verdict *v = NULL;
	pg_gate_ab_options sharded;
	int rc;

	if ((rc = pg_gate_context_open(&ctx)))
		goto out;
	if (!ctx.repo) {
		rc = pg_error_set(PG_ESYSTEM, "ab: not in a git repository (it checks out the base commit)");
		goto out;
	}
	if ((rc = pg_gate_load_gates(&head_g, &ctx, &o->gate)) || (rc = pg_gates_check_metrics(head_g)))
		goto out;
	if (!(head_rs = pg_result_set_new()) || !(base_rs = pg_result_set_new())) {
		rc = pg_error_set(PG_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = pg_env_detect(&head_rs->env, o->gate.env_key)) ||
	    (rc = pg_env_detect(&base_rs->env, o->gate.env_key)) || (rc = pg_gate_head(head_rs, &ctx, NULL)))
		goto out;
	if ((rc = pg_baseline_start(&base_commit, &how, ctx.repo, head_rs->commit, &o->base)))
		goto out;
	base_rs->commit = strdup(base_commit);
	head_rs->rss_floor = base_rs->rss_floor = pg_spawner_rss_floor();
	if ((rc = pg_gates_hash(&head_rs->gates_hash, head_g)))
		goto out;
	pg_shard_where where = {.head_commit = head_rs->commit, .env_key = head_rs->env.key,
				.base = o->base.base, .target = o->base.target};
	if ((rc = pg_gate_shard_select(&shard, head_g, &ctx, &o->gate, &where)))
		goto out;
	if (shard) {
		/* From here on the shard is the selection, as if named with -b. */
		sharded = *o;
		sharded.gate.only = shard;
		o = &sharded;
		head_rs->shard_index = base_rs->shard_index = o->gate.shard_index;
		head_rs->shard_count = base_rs->shard_count = o->gate.shard_count;
	}

	if ((rc = pg_worktree_add(&worktree, ctx.root, base_commit)))
		goto out;
	if (!(bindir = pg_gate_ab_bindir(&ctx, worktree))) {
		rc = pg_error_set(PG_ENOMEM, "out of memory");
		goto out;
	}
	/* The head's gates file drives both sides; only {root} and {bindir} differ. */
	if ((rc = pg_gates_load(&base_g, head_g->path, worktree, bindir)))
		goto out;
	if (!o->no_build && head_g->n_build) {
		if (!o->gate.quiet)
			pg_log_note("building head and base (%zu step%s each)", head_g->n_build,
				head_g->n_build == 1 ? "" : "s");
		if ((rc = pg_build(head_g->build, head_g->n_build, ctx.root, "head", 3600)))
			goto out;
		if ((rc = pg_build(base_g->build, base_g->n_build, worktree, "base", 3600))) {
			/* The base failing to build says nothing about the head's speed. */
			char why[2048];
			snprintf(why, sizeof(why), "%s", pg_error_message());
			rc = pg_error_set(PG_ESYSTEM, "%s", why);
			goto out;
		}
	}
	names = calloc(head_g->n_benchmarks + 1, sizeof(char *));
	for (size_t i = 0; names && i < head_g->n_benchmarks; i++) {
		int take = !o->gate.only;
		for (char **w = o->gate.only; w && *w; w++)
			take |= strcmp(*w, head_g->benchmarks[i].name) == 0;
		if (take)
			names[n_names++] = head_g->benchmarks[i].name;
	}
	if (!names) {
		rc = pg_error_set(PG_ENOMEM, "out of memory");
		goto out;
	}
	pg_measure_options mo = {.runs = 1, .warmup = 0, .only = o->gate.only, .progress = o->gate.progress};
	/* One probe pair for both sides: they share the runner, so it informs and never decides. */
	pg_gate_probe(&head_rs->probe, 0, &o->gate, head_g);
	if ((rc = pg_gate_ab_calibrate(&floors, o->aa_runs, head_g, &mo, names, n_names)))
		goto out;
	int max_blocks = o->max_runs / 2;
	pg_gate_ab_stop_rule rule = {.gates = head_g, .looks = max_blocks};
	pg_ab_options ao = {.min_blocks = 3 < max_blocks ? 3 : max_blocks, .max_blocks = max_blocks,
			    .stop = pg_gate_ab_settled, .stop_arg = &rule};
	if ((rc = pg_measure_ab(&pairs, &np, base_rs, head_rs, base_g, head_g, &mo, &ao)))
		goto out;
	if (head_rs->probe.cpu_ms[0] > 0) {
		pg_gate_probe(&head_rs->probe, 1, &o->gate, head_g);
		base_rs->probe = head_rs->probe;
	}

	pg_compare_options co = {.strict = o->strict};
	if ((rc = pg_compare(&v, head_rs, base_rs, NULL, head_g, &co)))
		goto out;
	free(v->base_commit);
	v->base_commit = strdup(base_commit);
	v->base_depth = 0;
	v->base_how = how ? strdup(how) : NULL;
	apply_pairs(v, pairs, np, floors, names, n_names, head_g, max_blocks);
	pg_verdict_decide(v, &(pg_compare_options){.strict = o->strict});
	pg_verdict_probe_same_runner(v, &head_rs->probe);
	/* The runner's A/A noise travels with the results it qualifies (the A/A ran on head). */
	for (size_t j = 0; floors && j < n_names; j++) {
		pg_benchmark *hb = pg_result_set_find(head_rs, names[j]);
		if (hb)
			hb->noise_floor = floors[j];
	}
	if (o->save) {
		if ((rc = pg_gate_save(head_rs, &ctx, NULL, 0)))
			goto out;
		base_rs->dirty = 0;
		if ((rc = pg_gate_save(base_rs, &ctx, NULL, 0)))
			goto out;
	}
	if (!(rc = pg_gate_render(&o->gate, v)))
		rc = pg_gate_verdict_status(v, "ab");
out:
	if (worktree)
		pg_worktree_remove(ctx.root, worktree);
	pg_verdict_free(v);
	pg_ab_pairs_free(pairs, np);
	free(floors);
	free(names);
	free(shard);
	free(worktree);
	free(bindir);
	free(base_commit);
	free(how);
	pg_result_set_free(head_rs);
	pg_result_set_free(base_rs);
	pg_gates_free(base_g);
	pg_gates_free(head_g);
	pg_gate_context_close(&ctx);
	return rc;
}
