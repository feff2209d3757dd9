/* check.c - the check flow: measure, save, find the baseline, compare, confirm, gate, report */
#include "perfgate/gate.h"

#include "perfgate/baseline.h"
#include "perfgate/bench.h"
#include "perfgate/compare.h"
#include "perfgate/error.h"
#include "perfgate/gate_history.h"
#include "perfgate/gitlib.h"
#include "perfgate/log.h"
#include "perfgate/plot.h"
#include "perfgate/repo.h"
#include "perfgate/runner.h"
#include "perfgate/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Before measuring: with this few runs, could any result be significant at all? */
static void warn_if_runs_too_few(pg_verdict *v, const pg_gates *g, const pg_measure_options *mo,
				 const pg_baseline *base)
{
	if (!base->rs)
		return;
	size_t gated = 0, least_base = (size_t)-1;
	int least_runs = 1 << 30;
	for (size_t i = 0; i < base->rs->n_benchmarks; i++) {
		const pg_benchmark *b = &base->rs->benchmarks[i];
		const pg_bench_def *d = pg_gates_find(g, b->name);
		if (!d || b->n_metrics == 0 || b->metrics[0].n_samples < 2)
			continue;
		/* The primary metric, and CPU time where it is recorded (gated beside it). */
		const pg_metric *cpu = pg_benchmark_find_metric(b, "cpu");
		gated += 1 + (cpu && cpu->n_samples >= 2);
		int runs = mo->runs > 0 ? mo->runs : d->run.runs;
		least_runs = runs < least_runs ? runs : least_runs;
		size_t n = b->metrics[0].has_summary ? b->metrics[0].summary.n : b->metrics[0].n_samples;
		least_base = n < least_base ? n : least_base;
	}
	if (!gated)
		return;
	double need = g->alpha / (double)gated;
	if (pg_compare_min_p((size_t)least_runs, least_base) >= need) {
		int runs = least_runs;
		while (runs < 10000 && pg_compare_min_p((size_t)runs, least_base) >= need)
			runs++;
		pg_verdict_warn(v,
				"with %d runs against %zu baseline samples no change can be significant across %zu gated metrics (alpha %.3g, Holm): use --runs %d or more",
				least_runs, least_base, gated, g->alpha, runs);
	}
}

static int benchmark_names(char ***names, size_t *n, const pg_gates *g, const pg_gate_options *c)
{
	*names = calloc(g->n_benchmarks + 1, sizeof(char *));
	if (!*names)
		return pg_error_set(PG_ENOMEM, "out of memory");
	*n = 0;
	for (size_t i = 0; i < g->n_benchmarks; i++) {
		int take = !c->only;
		for (char **o = c->only; o && *o; o++)
			take |= strcmp(*o, g->benchmarks[i].name) == 0;
		if (take)
			(*names)[(*n)++] = g->benchmarks[i].name;
	}
	return 0;
}

/* Re-measure the benchmarks that look regressed; keep a regression only if it reproduces. */
static int confirm_regressions(pg_verdict *v, const pg_gate_check_options *o, const pg_gates *g,
			       const pg_measure_options *mo, const pg_baseline *base,
			       const pg_result_set *head, const pg_compare_options *co)
{
	/* earlier[0] is the first measurement (borrowed), earlier[r] the rerun of round r (owned). */
	pg_result_set **earlier = calloc((size_t)o->confirm + 1, sizeof(*earlier));
	int rc = earlier ? 0 : pg_error_set(PG_ENOMEM, "out of memory");
	if (earlier)
		earlier[0] = (pg_result_set *)head;
	for (int round = 1; !rc && round <= o->confirm && v->counts.regressions > 0; round++) {
		char **again_names = calloc(head->n_benchmarks + 1, sizeof(char *));
		size_t n = 0;
		if (!again_names) {
			rc = pg_error_set(PG_ENOMEM, "out of memory");
			break;
		}
		/* An import reads the same file again: nothing to confirm, its regression stands. */
		for (size_t i = 0; i < head->n_benchmarks; i++)
			if (strcmp(head->benchmarks[i].kind, "import") != 0 &&
			    pg_verdict_bench_regressed(v, head->benchmarks[i].name))
				again_names[n++] = head->benchmarks[i].name;
		if (n == 0) {
			free(again_names);
			break;
		}
		pg_measure_options again = *mo;
		again.only = again_names;
		pg_result_set *rs = pg_result_set_new();
		pg_verdict *second = NULL;
		rc = rs ? pg_env_detect(&rs->env, head->env.key) : pg_error_set(PG_ENOMEM, "out of memory");
		if (!rc && !o->gate.quiet)
			pg_log_note("%zu benchmark%s looked regressed: measuring again (round %d of %d)",
				n, n == 1 ? "" : "s", round, o->confirm);
		/* The rerun is judged as the first run was: its own probe pair around it. */
		pg_gate_options probe_only = o->gate;
		probe_only.only = again_names;
		if (!rc)
			pg_gate_probe(&rs->probe, 0, &probe_only, g);
		if (!rc && !(rc = pg_measure(rs, g, &again)))
			pg_gate_probe(&rs->probe, 1, &probe_only, g);
		/* Every earlier measurement of this head is one more head run for the run-to-run model. */
		pg_compare_options with_earlier = *co;
		with_earlier.earlier_heads = (const pg_result_set *const *)earlier;
		with_earlier.n_earlier_heads = (size_t)round;
		if (!rc)
			rc = pg_compare(&second, rs, base->rs, base->origins, g, &with_earlier);
		if (!rc)
			rc = pg_verdict_apply_probe(second, rs, base->rs, base->probes, base->origins, g,
						    &with_earlier);
		if (!rc)
			rc = pg_verdict_confirm(v, second, round, co);
		pg_verdict_free(second);
		earlier[round] = rs;
		free(again_names);
		if (rc)
			break;
	}
	for (int i = 1; earlier && i <= o->confirm; i++)
		pg_result_set_free(earlier[i]);
	free(earlier);
	return rc;
}

/*
 * The run-to-run history along the baseline's first parents: only for a
 * stored baseline (a file is one run by definition). K is the largest the
 * selected benchmarks ask for; compare trims each to its own.
 */
static int read_history(pg_run_history **out, pg_store *store, const pg_gate_context *ctx,
			const pg_baseline *base, const pg_gates *g, char *const *names, size_t n, int history,
			const pg_baseline_options *bo)
{
	*out = NULL;
	if (!base->rs || !base->start || !ctx->repo)
		return 0;
	int k = history;
	for (size_t i = 0; history == 0 && i < n; i++) {
		const pg_bench_def *d = pg_gates_find(g, names[i]);
		int want = d && d->run.history > 0 ? d->run.history : PG_DEFAULT_HISTORY;
		k = want > k ? want : k;
	}
	return pg_run_history_read(out, store, ctx->repo, base->start, bo->env_key, names, n,
				   k > 0 ? k : PG_DEFAULT_HISTORY, bo->max_depth);
}

/*
 * --mode auto: same-runner A/B when it can be had (the gates file builds the tree, the base
 * commit is known) and nothing is to be saved (A/B stores no run of the head alone).
 * Returns 1 for A/B, 0 for the stored baseline.
 */
static int auto_picks_ab(const pg_gate_context *ctx, const pg_gates *gates, const pg_result_set *rs,
			 const pg_gate_check_options *o)
{
	if (o->save || !ctx->repo || !rs->commit || gates->n_build == 0)
		return 0;
	char *start = NULL, *how = NULL;
	int known = pg_baseline_start(&start, &how, ctx->repo, rs->commit, &o->base) == 0;
	if (known && !o->gate.quiet)
		pg_log_note("mode auto: same-runner A/B against %.12s (%s): %s has build steps",
			start, how, gates->path);
	free(start);
	free(how);
	pg_error_clear();
	return known;
}

/*
 * The base commit compare will name (pg_compare: the origin of the first
 * benchmark head measured that the baseline has), foreseen from the
 * selection; NULL when the baseline has none of them.
 */
static const char *foreseen_base_commit(const pg_baseline *base, char *const *names, size_t n)
{
	for (size_t i = 0; base->rs && i < n; i++) {
		const char *commit = NULL;
		size_t len = strlen(names[i]);
		for (size_t j = 0; j < base->rs->n_benchmarks; j++)
			/* the benchmark of that name, or one an import entry of that name brought ("name/...") */
			if (strncmp(base->rs->benchmarks[j].name, names[i], len) == 0 &&
			    (base->rs->benchmarks[j].name[len] == '\0' || base->rs->benchmarks[j].name[len] == '/') &&
			    base->rs->benchmarks[j].status == PG_STATUS_OK && base->origins)
				commit = base->origins[j].commit;
		if (commit)
			return commit;
	}
	return NULL;
}

int pg_gate_check(int *use_ab, const pg_gate_check_options *o)
{
	pg_gate_context ctx = {0};
	pg_baseline_options bo = o->base;
	pg_gates *gates = NULL;
	pg_result_set *rs = NULL;
	pg_store *store = NULL;
	pg_baseline *base = NULL;
	pg_verdict *v = NULL;
	pg_run_history *history = NULL;
	pg_acceptances accepts = {0};
	const char *accepts_base = NULL;
	pg_level_shifts shifts = {0};
	char **names = NULL, **shard = NULL;
	size_t n_names = 0;
	pg_gate_check_options sharded;
	int rc;

	*use_ab = o->mode == PG_CHECK_AB;
	if (*use_ab)
		return 0;
	pg_gitlib_windows(PG_GIT_WINDOWS_SMALL); /* it measures beside what it reads */
	if ((rc = pg_gate_context_open(&ctx)) || (rc = pg_gate_load_gates(&gates, &ctx, &o->gate)) ||
	    (rc = pg_gates_check_metrics(gates)))
		goto out;
	for (char **w = o->gate.only; w && *w; w++)
		if (!pg_gates_find(gates, *w)) {
			rc = pg_error_set(PG_EINPUT, "%s: no benchmark named '%s'", gates->path, *w);
			goto out;
		}
	if (!(rs = pg_result_set_new())) {
		rc = pg_error_set(PG_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = pg_env_detect(&rs->env, o->gate.env_key)))
		goto out;
	if ((rc = pg_gate_head(rs, &ctx, o->commit)))
		goto out;
	if (o->mode == PG_CHECK_AUTO && (rc = auto_picks_ab(&ctx, gates, rs, o)) != 0) {
		if (rc > 0) {
			*use_ab = 1;
			rc = 0;
		}
		goto out;
	}
	if (o->save && (rc = pg_gate_refuse_dirty(rs, &ctx, o->allow_dirty)))
		goto out;
	if (o->save && !ctx.repo && !o->store_dir) {
		rc = pg_error_set(PG_ESYSTEM, "--save: not in a git repository (give --store DIR)");
		goto out;
	}
	rs->rss_floor = pg_spawner_rss_floor();
	if ((rc = pg_gates_hash(&rs->gates_hash, gates)))
		goto out;
	pg_shard_where where = {.head_commit = rs->commit, .env_key = rs->env.key, .store_dir = o->store_dir,
				.base = o->base.base, .target = o->base.target};
	if ((rc = pg_gate_shard_select(&shard, gates, &ctx, &o->gate, &where)))
		goto out;
	if (shard) {
		/* From here on the shard is the selection, as if named with -b. */
		sharded = *o;
		sharded.gate.only = shard;
		o = &sharded;
		rs->shard_index = o->gate.shard_index;
		rs->shard_count = o->gate.shard_count;
	}
	if ((rc = pg_gate_open_store(&store, &ctx, o->store_dir)) ||
	    (rc = benchmark_names(&names, &n_names, gates, &o->gate)))
		goto out;
	bo.env_key = rs->env.key;
	/* The baseline first: it is cheap, and it tells whether the runs can decide anything. */
	if ((rc = pg_baseline_find(&base, store, ctx.repo, rs->commit, names, n_names, &bo)))
		goto out;
	pg_log_verbose("baseline: %s (%s)", !base->rs ? "none" : base->start ? base->start : "found",
		       base->how ? base->how : "the default");

	/*
	 * Everything else check reads from git is read now, while those commits are at
	 * hand: the baseline's run-to-run history, what accepts a change between it
	 * and head (again only if compare names another base commit), and the level
	 * shifts up to head (after saving, with --save: head's result is one of them).
	 */
	if ((rc = read_history(&history, store, &ctx, base, gates, names, n_names, o->history, &bo)))
		goto out;
	accepts_base = foreseen_base_commit(base, names, n_names);
	if ((rc = pg_gate_read_acceptances(&accepts, &ctx, store, accepts_base, rs->commit)))
		goto out;
	if (!o->save && (rc = pg_gate_level_shifts_find(&shifts, ctx.repo, store, rs->commit, rs->env.key, o->shifts)))
		goto out;
	/* Then the repository is let go: libgit2 keeps nothing while the benchmarks run. */
	if ((rc = pg_gate_context_suspend(&ctx, &store)))
		goto out;
	pg_measure_options mo = {.runs = o->gate.runs, .warmup = o->gate.warmup, .only = o->gate.only,
				 .progress = o->gate.progress};
	pg_verdict early = {0};
	warn_if_runs_too_few(&early, gates, &mo, base);
	for (size_t i = 0; i < early.n_warnings && !o->gate.quiet; i++)
		pg_log_warning("%s", early.warnings[i]);
	pg_gate_probe(&rs->probe, 0, &o->gate, gates);
	int measured = pg_measure(rs, gates, &mo);
	char measure_message[1024];
	snprintf(measure_message, sizeof(measure_message), "%s", pg_error_message());
	if (measured != PG_EINPUT)
		pg_gate_probe(&rs->probe, 1, &o->gate, gates);
	if (measured == PG_EINPUT) {
		rc = measured;
		goto early_out;
	}
	/*
	 * Saved whatever the verdict (a failure is history too), what cannot be saved
	 * kept; the level shifts are read after it (head's result is one of them).
	 * Then the repository goes again: confirming a regression measures too.
	 */
	if (o->save) {
		if ((rc = pg_gate_context_resume(&ctx, &store, o->store_dir))) {
			rc = pg_gate_keep_unsaved(rc, rs, &ctx, o->store_dir);
			goto early_out;
		}
		if ((rc = pg_gate_save(rs, &ctx, o->store_dir, o->allow_dirty)) ||
		    (rc = pg_gate_level_shifts_find(&shifts, ctx.repo, store, rs->commit, rs->env.key, o->shifts)) ||
		    (rc = pg_gate_context_suspend(&ctx, &store)))
			goto early_out;
	}
	pg_compare_options co = {.strict = o->strict, .require_baseline = o->require_baseline,
				 .history_runs = o->history, .history = history};
	if ((rc = pg_compare(&v, rs, base->rs, base->origins, gates, &co)))
		goto early_out;
	v->base_how = base->how ? strdup(base->how) : NULL;
	/* Before confirming: a regression the runner explains is not re-measured as one. */
	if (!o->gate.no_probe &&
	    (rc = pg_verdict_apply_probe(v, rs, base->rs, base->probes, base->origins, gates, &co)))
		goto early_out;
	for (size_t i = 0; i < early.n_warnings; i++)
		pg_verdict_warn(v, "%s", early.warnings[i]);
	for (size_t i = 0; i < base->n_warnings; i++)
		pg_verdict_warn(v, "%s", base->warnings[i]);
	if ((rc = confirm_regressions(v, o, gates, &mo, base, rs, &co)))
		goto early_out;
	if (!v->base_commit != !accepts_base || (accepts_base && strcmp(v->base_commit, accepts_base) != 0)) {
		pg_acceptances_release(&accepts);
		if ((rc = pg_gate_context_resume(&ctx, &store, o->store_dir)) ||
		    (rc = pg_gate_read_acceptances(&accepts, &ctx, store, v->base_commit, v->head_commit)))
			goto early_out;
	}
	if ((rc = pg_acceptances_apply(v, &accepts, &co)))
		goto early_out;
	/* Creeping regressions: head against the target branch N first parents back. */
	if (o->drift > 0 && ((rc = pg_gate_context_resume(&ctx, &store, o->store_dir)) ||
			     (rc = pg_gate_drift(v, ctx.repo, store, rs, gates, o->drift, o->base.target, &co))))
		goto early_out;
	if ((rc = pg_gate_level_shifts_apply(v, &shifts)))
		goto early_out;
	if (o->plot_dir) {
		/* Plots help a person; without gnuplot the verdict stands, with a warning. */
		pg_plot_options po = {.format = PG_PLOT_PNG};
		if (pg_plot_verdict(o->plot_dir, rs, base->rs, v, &po) != 0)
			pg_verdict_warn(v, "no plots: %s", pg_error_message());
	}
	if ((rc = pg_repo_release(ctx.repo)) || (rc = pg_gate_render(&o->gate, v)))
		goto early_out;
	if (measured)
		rc = pg_error_set(measured, "%s", measure_message);
	else
		rc = pg_gate_verdict_status(v, "check");
early_out:
	for (size_t i = 0; i < early.n_warnings; i++)
		free(early.warnings[i]);
	free(early.warnings);
out:
	pg_gate_level_shifts_release(&shifts);
	pg_acceptances_release(&accepts);
	pg_verdict_free(v);
	pg_run_history_free(history);
	pg_baseline_free(base);
	pg_store_free(store);
	free(names);
	free(shard);
	pg_result_set_free(rs);
	pg_gates_free(gates);
	pg_gate_context_close(&ctx);
	return rc;
}
