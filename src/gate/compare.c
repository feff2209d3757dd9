/* compare.c - the compare flow: two stored or file result sets, compared, gated and reported */
#include "perfgate/gate.h"

#include "perfgate/baseline.h"
#include "perfgate/compare.h"
#include "perfgate/error.h"
#include "perfgate/repo.h"
#include "perfgate/store.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The head side: a result set file, or the latest set of the key stored on REV. */
static int load_head(pg_result_set **out, const char *spec, pg_store *store,
		     const pg_gate_context *ctx, const char *key)
{
	if (access(spec, F_OK) == 0)
		return pg_result_set_read_file(out, spec);
	if (!ctx->repo || !store)
		return pg_error_set(PG_EINPUT, "--head %s: no such file (and not in a git repository)", spec);
	char *hex = NULL;
	int rc = pg_repo_resolve_commit(&hex, ctx->repo, spec);
	if (rc == PG_EINPUT)
		return pg_error_set(PG_EINPUT, "--head %s: not a file, nor a commit in this repository", spec);
	pg_commit_records records;
	if (rc || (rc = pg_store_read(&records, store, hex))) {
		free(hex);
		return rc;
	}
	const pg_result_set *latest = pg_records_latest(&records, key);
	if (!latest) {
		pg_commit_records_release(&records);
		rc = pg_error_set(PG_ESYSTEM, "--head %s: no results stored on %.7s%s%s", spec, hex,
				  key ? " for key " : "", key ? key : "");
		free(hex);
		return rc;
	}
	free(hex);
	/* Take the set out of the records so it outlives them. */
	for (size_t i = 0; i < records.n_sets; i++)
		if (records.sets[i] == latest)
			records.sets[i] = NULL;
	*out = (pg_result_set *)latest;
	pg_commit_records_release(&records);
	return 0;
}

int pg_gate_compare(const pg_gate_compare_options *o)
{
	const pg_gate_options *c = &o->gate;
	pg_gate_context ctx = {0};
	pg_baseline_options bo = o->base;
	pg_run_history *history = NULL;
	pg_gates *gates = NULL;
	pg_store *store = NULL;
	pg_result_set *head = NULL;
	pg_baseline *base = NULL;
	pg_verdict *v = NULL;
	int rc;

	if ((rc = pg_gate_context_open(&ctx)))
		goto out;
	if (c->gates_path && (rc = pg_gates_load(&gates, c->gates_path, ctx.root, ctx.bindir)))
		goto out;
	rc = pg_gate_open_store(&store, &ctx, o->store_dir);
	if (rc || (rc = load_head(&head, o->head, store, &ctx, c->env_key)))
		goto out;
	char **names = calloc(head->n_benchmarks + 1, sizeof(char *));
	if (!names) {
		rc = pg_error_set(PG_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < head->n_benchmarks; i++)
		names[i] = head->benchmarks[i].name;
	bo.env_key = head->env.key;
	rc = pg_baseline_find(&base, store, ctx.repo, head->commit, names, head->n_benchmarks, &bo);
	/* A stored baseline has history to weigh run-to-run variation by; a file has not. */
	if (!rc && base->rs && base->start && ctx.repo) {
		int k = o->history;
		for (size_t i = 0; !o->history && gates && i < head->n_benchmarks; i++) {
			const pg_bench_def *d = pg_gates_find(gates, names[i]);
			k = d && d->run.history > k ? d->run.history : k;
		}
		rc = pg_run_history_read(&history, store, ctx.repo, base->start, head->env.key, names,
					 head->n_benchmarks, k > 0 ? k : PG_DEFAULT_HISTORY, 0);
	}
	free(names);
	if (rc)
		goto out;
	pg_compare_options co = {.strict = o->strict, .regression = c->threshold, .history = history,
				  .history_runs = o->history};
	if ((rc = pg_compare(&v, head, base->rs, base->origins, gates, &co)))
		goto out;
	v->base_how = base->how ? strdup(base->how) : NULL;
	if (!c->no_probe &&
	    (rc = pg_verdict_apply_probe(v, head, base->rs, base->probes, base->origins, gates, &co)))
		goto out;
	for (size_t i = 0; i < base->n_warnings; i++)
		pg_verdict_warn(v, "%s", base->warnings[i]);
	if ((rc = pg_gate_apply_acceptances(v, &ctx, store, &co)))
		goto out;
	if (!(rc = pg_gate_render(c, v)))
		rc = pg_gate_verdict_status(v, "compare");
out:
	pg_verdict_free(v);
	pg_run_history_free(history);
	pg_baseline_free(base);
	pg_result_set_free(head);
	pg_store_free(store);
	pg_gates_free(gates);
	pg_gate_context_close(&ctx);
	return rc;
}
