/* cmd_compare.c - `perfgate compare`: two stored or file result sets, compared and reported */
#include "cli.h"

#include "perfgate/baseline.h"
#include "perfgate/compare.h"
#include "perfgate/error.h"
#include "perfgate/repo.h"
#include "perfgate/report.h"
#include "perfgate/store.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
	"perfgate compare [--base REV|FILE] [--head REV|FILE] [-c GATES] [--env KEY]\n"
	"                        [--target BRANCH] [--store DIR] [--strict] [--history K]\n"
	"                        [--threshold P] [--no-probe] [--format F[=FILE]]... [-o FILE]";

static const char help[] =
	"Compare two result sets without measuring: each a file, or what is stored on a\n"
	"commit (head default HEAD; base default: found as `check` finds it). With -c the\n"
	"gates file's gates and thresholds apply. Against a stored baseline, a regression\n"
	"must also lie outside the run-to-run variation of the last K stored runs along\n"
	"its history (--history K; default the gates file's `history`, else 10). The\n"
	"environment probes of both sides are compared (a time regression on a runner\n"
	"the probe found slower is inconclusive); --no-probe leaves them unused.\n";

/* The head side: a result set file, or the latest set of the key stored on REV. */
static int load_head(pg_result_set **out, const char *spec, pg_store *store,
		     const pg_gate_context *ctx, const char *key)
{
	if (access(spec, F_OK) == 0)
		return pg_result_set_read_file(out, spec);
	if (!ctx->repo || !store)
		return pg_error_set(PG_EINPUT, "--head %s: no such file (and not in a git repository)", spec);
	git_object *obj = NULL, *commit = NULL;
	if (git_revparse_single(&obj, ctx->repo, spec) != 0 ||
	    git_object_peel(&commit, obj, GIT_OBJECT_COMMIT) != 0) {
		git_object_free(obj);
		return pg_error_set(PG_EINPUT, "--head %s: not a file, nor a commit in this repository", spec);
	}
	char hex[GIT_OID_HEXSZ + 1];
	git_oid_tostr(hex, sizeof(hex), git_object_id(commit));
	git_object_free(obj);
	git_object_free(commit);
	pg_commit_records records;
	int rc = pg_store_read(&records, store, hex);
	if (rc)
		return rc;
	const pg_result_set *latest = pg_records_latest(&records, key);
	if (!latest) {
		pg_commit_records_release(&records);
		return pg_error_set(PG_ESYSTEM, "--head %s: no results stored on %.7s%s%s", spec, hex,
				    key ? " for key " : "", key ? key : "");
	}
	/* Take the set out of the records so it outlives them. */
	for (size_t i = 0; i < records.n_sets; i++)
		if (records.sets[i] == latest)
			records.sets[i] = NULL;
	*out = (pg_result_set *)latest;
	pg_commit_records_release(&records);
	return 0;
}

int cmd_compare(int argc, char *argv[])
{
	/* Operands are taken and ignored, as they always were. */
	static const pg_cli_verb verb = {.name = "compare", .usage = usage, .help = help,
					 .operands = PG_CLI_OPERANDS};
	pg_gate_options c = PG_GATE_OPTIONS_INIT;
	pg_gate_context ctx = {0};
	pg_baseline_options bo = {0};
	const char *head_spec = "HEAD", *store_dir = NULL;
	int strict = 0, history_k = 0, rc = 0;
	pg_run_history *history = NULL;
	pg_gates *gates = NULL;
	pg_store *store = NULL;
	pg_result_set *head = NULL;
	pg_baseline *base = NULL;
	pg_verdict *v = NULL;
	const pg_cli_option opts[] = {PG_CLI_MEASURE_OPTIONS(&c),
				      {"base", 0, PG_CLI_STRING, .dest = &bo.base},
				      {"head", 0, PG_CLI_STRING, .dest = &head_spec},
				      {"target", 0, PG_CLI_STRING, .dest = &bo.target},
				      {"store", 0, PG_CLI_STRING, .dest = &store_dir},
				      {"strict", 0, PG_CLI_FLAG, .dest = &strict},
				      {"history", 0, PG_CLI_INT, .dest = &history_k, .least = 1},
				      {0}};

	if ((rc = pg_cli_parse(NULL, &verb, opts, argc, argv))) {
		rc = rc == PG_CLI_HELP ? 0 : rc;
		goto out;
	}
	if ((rc = pg_gate_context_open(&ctx)))
		goto out;
	if (c.gates_path && (rc = pg_gates_load(&gates, c.gates_path, ctx.root, ctx.bindir)))
		goto out;
	rc = pg_gate_open_store(&store, &ctx, store_dir);
	if (rc || (rc = load_head(&head, head_spec, store, &ctx, c.env_key)))
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
		int k = history_k;
		for (size_t i = 0; !history_k && gates && i < head->n_benchmarks; i++) {
			const pg_bench_def *d = pg_gates_find(gates, names[i]);
			k = d && d->run.history > k ? d->run.history : k;
		}
		rc = pg_run_history_read(&history, store, ctx.repo, base->start, head->env.key, names,
					 head->n_benchmarks, k > 0 ? k : PG_DEFAULT_HISTORY, 0);
	}
	free(names);
	if (rc)
		goto out;
	pg_compare_options co = {.strict = strict, .regression = c.threshold, .history = history,
				  .history_runs = history_k};
	if ((rc = pg_compare(&v, head, base->rs, base->origins, gates, &co)))
		goto out;
	v->base_how = base->how ? strdup(base->how) : NULL;
	if (!c.no_probe &&
	    (rc = pg_verdict_apply_probe(v, head, base->rs, base->probes, base->origins, gates, &co)))
		goto out;
	for (size_t i = 0; i < base->n_warnings; i++)
		pg_verdict_warn(v, "%s", base->warnings[i]);
	if ((rc = pg_gate_apply_acceptances(v, &ctx, store, &co)))
		goto out;
	if (!(rc = pg_gate_render(&c, v)))
		rc = pg_gate_verdict_status(v, "compare");
out:
	pg_verdict_free(v);
	pg_run_history_free(history);
	pg_baseline_free(base);
	pg_result_set_free(head);
	pg_store_free(store);
	pg_gates_free(gates);
	pg_gate_context_close(&ctx);
	pg_cli_measure_release(&c);
	return rc;
}
