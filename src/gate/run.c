/* run.c - the run flow: measure the benchmarks of a gates file (or one command), write the result set, save it */
#include "perfgate/gate.h"

#include "perfgate/bench.h"
#include "perfgate/error.h"
#include "perfgate/gitlib.h"
#include "perfgate/json.h"
#include "perfgate/runner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* `run -- CMD ARG...`: a gates file of one command benchmark, made in memory. */
static int adhoc_gates(pg_gates **out, char *const *cmd, const pg_gate_context *ctx)
{
	cJSON *doc = cJSON_CreateObject(), *benches = cJSON_AddArrayToObject(doc, "benchmarks");
	cJSON *bench = cJSON_CreateObject(), *argv = cJSON_CreateArray();
	char name[256] = "";
	size_t used = 0;
	for (char *const *a = cmd; *a && used < sizeof(name) - 2; a++)
		used += (size_t)snprintf(name + used, sizeof(name) - used, "%s%s", a == cmd ? "" : " ", *a);
	cJSON_AddStringToObject(doc, "schema", PG_GATES_SCHEMA);
	cJSON_AddStringToObject(bench, "name", name);
	cJSON_AddItemToObject(bench, "command", argv);
	for (int i = 0; cmd[i]; i++)
		cJSON_AddItemToArray(argv, cJSON_CreateString(cmd[i]));
	cJSON_AddItemToArray(benches, bench);
	/* Braces in an ad hoc command are the user's, not placeholders. */
	cJSON *word;
	cJSON_ArrayForEach(word, argv)
	{
		if (!strchr(word->valuestring, '{') && !strchr(word->valuestring, '}'))
			continue;
		size_t n = strlen(word->valuestring);
		char *escaped = malloc(2 * n + 1), *w = escaped;
		for (const char *r = word->valuestring; escaped && *r; r++) {
			*w++ = *r;
			if (*r == '{' || *r == '}')
				*w++ = *r;
		}
		if (escaped) {
			*w = '\0';
			cJSON_SetValuestring(word, escaped);
			free(escaped);
		}
	}
	int rc = pg_gates_from_json(out, doc, "command line", ctx->root, ctx->bindir);
	cJSON_Delete(doc);
	return rc;
}

static void list_benchmarks(const pg_gates *g, char *const *only)
{
	for (size_t i = 0; i < g->n_benchmarks; i++) {
		const pg_bench_def *d = &g->benchmarks[i];
		int take = !only;
		for (char *const *w = only; w && *w; w++)
			take |= strcmp(*w, d->name) == 0;
		if (!take)
			continue;
		printf("%-24s %-10s %d runs, %d warm-up%s\n", d->name, d->kind, d->run.runs,
		       d->run.warmup, pg_kind_supported(d->kind) ? "" : "  (no driver in this build)");
	}
}

int pg_gate_run(const pg_gate_run_options *o)
{
	const pg_gate_options *c = &o->gate;
	pg_gate_context ctx = {0};
	pg_gates *gates = NULL;
	pg_result_set *rs = NULL;
	char **shard = NULL;
	int rc;

	pg_gitlib_windows(PG_GIT_WINDOWS_SMALL); /* it measures beside what it reads */
	if ((rc = pg_gate_context_open(&ctx)))
		goto out;
	rc = o->command ? adhoc_gates(&gates, o->command, &ctx) : pg_gate_load_gates(&gates, &ctx, c);
	if (rc)
		goto out;
	if ((rc = pg_gate_new_result_set(&rs, &ctx, c->env_key, o->commit, o->save && !o->list, o->allow_dirty)))
		goto out;
	rs->rss_floor = pg_spawner_rss_floor();
	if ((rc = pg_gates_hash(&rs->gates_hash, gates)))
		goto out;
	pg_gate_options selected = *c;
	pg_shard_where where = {.head_commit = rs->commit, .env_key = rs->env.key, .store_dir = o->store_dir};
	if ((rc = pg_gate_shard_select(&shard, gates, &ctx, c, &where)))
		goto out;
	if (shard) {
		selected.only = shard;
		rs->shard_index = c->shard_index;
		rs->shard_count = c->shard_count;
	}
	if (o->list) {
		list_benchmarks(gates, selected.only);
		goto out;
	}

	/* As check does: no repository and no libgit2 while the benchmarks run; both again to save. */
	if ((rc = pg_gate_context_suspend(&ctx, NULL)))
		goto out;
	pg_measure_options mo = {.runs = c->runs, .warmup = c->warmup, .only = selected.only, .progress = c->progress};
	pg_gate_probe(&rs->probe, 0, &selected, gates);
	int measured = pg_measure(rs, gates, &mo);
	if (measured != PG_EINPUT)
		pg_gate_probe(&rs->probe, 1, &selected, gates);
	char message[1024];
	snprintf(message, sizeof(message), "%s", pg_error_message());
	if (measured == PG_EINPUT) {
		rc = measured;
		goto out;
	}
	/* The result set is written whatever happened: a failure is a result too. */
	if ((rc = pg_gate_write_results(rs, c->output, c->formats, c->n_formats, c->quiet, "run")))
		goto out;
	if (o->save && (rc = pg_gate_context_resume(&ctx, NULL, o->store_dir))) {
		rc = pg_gate_keep_unsaved(rc, rs, &ctx, o->store_dir);
		goto out;
	}
	if (o->save && (rc = pg_gate_save(rs, &ctx, o->store_dir, o->allow_dirty)))
		goto out;
	if (measured) {
		rc = pg_error_set(measured, "%s", message);
		goto out;
	}
	for (size_t i = 0; i < rs->n_benchmarks; i++) {
		const pg_benchmark *b = &rs->benchmarks[i];
		if (b->status == PG_STATUS_FAILED || b->status == PG_STATUS_TIMEOUT) {
			rc = pg_error_set(PG_EFAIL, "benchmark '%s' %s: %s", b->name,
					  b->status == PG_STATUS_TIMEOUT ? "timed out" : "failed",
					  b->reason ? b->reason : "");
			break;
		}
	}
out:
	free(shard);
	pg_result_set_free(rs);
	pg_gates_free(gates);
	pg_gate_context_close(&ctx);
	return rc;
}
