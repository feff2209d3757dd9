/* merge.c - the merge flow: the result files of a sharded run made one set, what is missing named, written, saved */
#include "perfgate/gate.h"

#include "perfgate/error.h"
#include "perfgate/fileio.h"
#include "perfgate/log.h"
#include "perfgate/merge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * The gates file the inputs ran into *out, or NULL when it is not known:
 * -c, whose hash must be the one every input recorded; else
 * gates/default.json under the root when there is one, used only when it
 * is the inputs' (another is a warning: a merge of files from -c GATES in
 * a checkout whose default is another suite).
 */
static int load_gates(pg_gates **out, const pg_gate_context *ctx, const pg_gate_merge_options *o,
		      const pg_merge_input *in, size_t n)
{
	pg_gate_options go = PG_GATE_OPTIONS_INIT;
	go.gates_path = o->gates_path;
	*out = NULL;
	if (!o->gates_path) {
		char *path = pg_path_join(ctx->root, "gates/default.json");
		if (!path)
			return pg_error_set(PG_ENOMEM, "out of memory");
		int there = access(path, F_OK) == 0;
		free(path);
		if (!there)
			return 0;
	}
	char *hash = NULL;
	int rc = pg_gate_load_gates(out, ctx, &go);
	if (!rc)
		rc = pg_gates_hash(&hash, *out);
	for (size_t i = 0; !rc && i < n; i++) {
		const char *theirs = in[i].rs->gates_hash;
		if (!theirs || strcmp(theirs, hash) == 0)
			continue;
		if (o->gates_path) {
			rc = pg_error_set(PG_EINPUT, "merge: %s ran gates %s, %s is gates %s: a merge is of the gates file the shards ran",
					  in[i].name, theirs, (*out)->path, hash);
			break;
		}
		pg_log_warning("%s is gates %s, %s ran gates %s: benchmarks that no file holds are not looked for (name the gates file the shards ran with -c)",
			       (*out)->path, hash, in[i].name, theirs);
		pg_gates_free(*out);
		*out = NULL;
		break;
	}
	free(hash);
	if (rc) {
		pg_gates_free(*out);
		*out = NULL;
	}
	return rc;
}

/* "shard 2", "shards 2 and 3", "shards 3, 4, ..." (cut to fit size) of the n missing. */
static void shards_text(char *text, size_t size, const int *missing, size_t n)
{
	size_t used = (size_t)snprintf(text, size, "shard%s ", n == 1 ? "" : "s");
	for (size_t i = 0; i < n && used + 32 < size; i++)
		used += (size_t)snprintf(text + used, size - used, "%s%d", i == 0 ? "" : i + 1 == n ? " and " : ", ",
					 missing[i]);
	if (used + 32 >= size)
		snprintf(text + used, size - used, ", ...");
}

/* Why a benchmark is in no input: "no result from shards 2 and 3 of 4 (missing)", or in none of the files. */
static void unmeasured_reason(char *why, size_t size, const int *missing, size_t n_missing, int count,
			      size_t n_files)
{
	if (!n_missing) {
		snprintf(why, size, "in none of the %zu merged files", n_files);
		return;
	}
	char which[300];
	shards_text(which, sizeof(which), missing, n_missing);
	snprintf(why, size, "no result from %s of %d (missing)", which, count);
}

/* Each benchmark of the gates file that no input holds, added to m as failed: not measured, and why. */
static int add_unmeasured(pg_result_set *m, const pg_gates *g, const char *why)
{
	char named[600] = "";
	size_t added = 0, used = 0;
	for (size_t i = 0; i < g->n_benchmarks; i++) {
		const pg_bench_def *d = &g->benchmarks[i];
		if (pg_result_set_find(m, d->name))
			continue;
		pg_benchmark *b = pg_result_set_add_benchmark(m, d->name, d->kind);
		if (!b || !(b->definition_hash = strdup(d->definition_hash)))
			return pg_error_set(PG_ENOMEM, "out of memory");
		int rc = pg_benchmark_set_status(b, PG_STATUS_FAILED, "not measured: %s", why);
		if (rc)
			return rc;
		if (used < sizeof(named))
			used += (size_t)snprintf(named + used, sizeof(named) - used, "%s'%s'", added ? ", " : "", d->name);
		added++;
	}
	if (added)
		pg_log_warning("%zu benchmark%s of %s %s in no merged file, so failed in the merged set (not measured): %s%s",
			       added, added == 1 ? "" : "s", g->path, added == 1 ? "is" : "are", named,
			       used < sizeof(named) ? "" : "...");
	return 0;
}

/* m's benchmarks in the gates file's order, so that the merged set reads as a whole run would. */
static int order_as_gates(pg_result_set *m, const pg_gates *g)
{
	char **names = malloc((g->n_benchmarks ? g->n_benchmarks : 1) * sizeof(*names));
	if (!names)
		return pg_error_set(PG_ENOMEM, "out of memory");
	for (size_t i = 0; i < g->n_benchmarks; i++)
		names[i] = g->benchmarks[i].name;
	int rc = pg_merge_order(m, names, g->n_benchmarks);
	free(names);
	return rc;
}

int pg_gate_merge(const pg_gate_merge_options *o)
{
	pg_gate_context ctx = {0};
	pg_gates *gates = NULL;
	pg_result_set **sets = NULL, *merged = NULL;
	pg_merge_input *inputs = NULL;
	char **warnings = NULL;
	size_t n = 0, n_warnings = 0, n_missing = 0;
	int *missing = NULL;
	int rc;

	while (o->files[n])
		n++;
	if ((rc = pg_gate_context_open(&ctx)))
		goto out;
	sets = calloc(n + 1, sizeof(*sets));
	inputs = calloc(n + 1, sizeof(*inputs));
	if (!sets || !inputs) {
		rc = pg_error_set(PG_ENOMEM, "out of memory");
		goto out;
	}
	/* Everything is read and checked before anything is written or saved. */
	for (size_t i = 0; i < n; i++) {
		if ((rc = pg_result_set_read_file(&sets[i], o->files[i])))
			goto out;
		inputs[i] = (pg_merge_input){.rs = sets[i], .name = o->files[i]};
	}
	if ((rc = pg_merge_result_sets(&merged, &warnings, &n_warnings, inputs, n))) {
		rc = pg_error_wrap(rc, "merge");
		goto out;
	}
	if (o->save && !ctx.repo && !o->store_dir) {
		rc = pg_error_set(PG_ESYSTEM, "merge --save: not in a git repository (give --store DIR)");
		goto out;
	}
	for (size_t i = 0; o->save && i < n; i++)
		if (!sets[i]->commit) {
			rc = pg_error_set(PG_EINPUT, "merge --save: %s names no commit to save it on (name one with: perfgate save --commit REV %s)",
					  o->files[i], o->files[i]);
			goto out;
		}
	if ((rc = load_gates(&gates, &ctx, o, inputs, n)))
		goto out;
	pg_log_warnings(warnings, n_warnings);
	if ((rc = pg_merge_missing_shards(&missing, &n_missing, inputs, n)))
		goto out;
	int count = sets[0]->shard_count;
	/* One line however many are missing: "shard 2/3 missing", "shards 3, 4 and 5 of 5 missing". */
	const char *where = gates ? "in the merged set as failed (not measured)"
				  : "not in the merged set (give the gates file with -c to have them named as failed)";
	if (n_missing == 1) {
		pg_log_warning("shard %d/%d missing: none of the %zu merged files is that shard; its benchmarks are %s",
			       missing[0], count, n, where);
	} else if (n_missing > 1) {
		char which[300];
		shards_text(which, sizeof(which), missing, n_missing);
		pg_log_warning("%s of %d missing: none of the %zu merged files is one of them; their benchmarks are %s",
			       which, count, n, where);
	}
	if (gates) {
		char why[400];
		unmeasured_reason(why, sizeof(why), missing, n_missing, count, n);
		if ((rc = add_unmeasured(merged, gates, why)) || (rc = order_as_gates(merged, gates)))
			goto out;
	}
	pg_log_verbose("merged %zu files: %zu benchmarks", n, merged->n_benchmarks);
	if ((rc = pg_gate_write_results(merged, o->output, o->formats, o->n_formats, o->quiet, "merge")))
		goto out;
	if (o->save) {
		/* Each input its own record, its run_id kept: the store's readers fold them into one suite. */
		pg_gate_save_options so = {.files = o->files, .store_dir = o->store_dir};
		rc = pg_gate_save_files(&so);
	}
out:
	for (size_t i = 0; i < n_warnings; i++)
		free(warnings[i]);
	free(warnings);
	free(missing);
	pg_result_set_free(merged);
	for (size_t i = 0; sets && i < n; i++)
		pg_result_set_free(sets[i]);
	free(sets);
	free(inputs);
	pg_gates_free(gates);
	pg_gate_context_close(&ctx);
	return rc;
}
