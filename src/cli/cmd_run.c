/* cmd_run.c - `perfgate run`: measure the benchmarks of a gates file, or one command */
#include "cli.h"

#include "perfgate/bench.h"
#include "perfgate/error.h"
#include "perfgate/json.h"
#include "perfgate/repo.h"
#include "perfgate/report.h"
#include "perfgate/runner.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
	"perfgate run [-c GATES] [-b BENCH]... [--runs N] [--warmup N] [--env KEY]\n"
	"                    [-o FILE] [--format text|json[=FILE]]... [--save [--commit REV]\n"
	"                    [--store DIR] [--allow-dirty]] [--list] [-- CMD ARG...]";

static const char help[] =
	"Measure the benchmarks of a gates file (or one command after --) and print\n"
	"a table per benchmark: median, p90, p99, mean ± stddev, min … max.\n"
	"\n"
	"  -c GATES          gates file (default: gates/default.json in the repository)\n"
	"  -b NAME           run only this benchmark (repeatable)\n"
	"  --runs N          runs per benchmark (overrides the gates file)\n"
	"  --warmup N        warm-up runs, not recorded\n"
	"  --env KEY         environment key recorded with the results\n"
	"  -o FILE           write the result set (perfgate/1 JSON), failures included\n"
	"  --format F[=FILE] text (default) or json; repeatable\n"
	"  --save            store the result set on HEAD (git notes under refs/notes/perfgate)\n"
	"  --commit REV      the commit the results belong to (default HEAD)\n"
	"  --store DIR       keep results in plain files under DIR instead of git notes\n"
	"  --allow-dirty     save even with modified tracked files\n"
	"  --list            list the benchmarks and exit\n"
	"  --no-probe        take no environment probe (a fixed ~0.1 s calibration\n"
	"                    workload timed before and after the benchmarks)\n"
	"  -q, --quiet       no table, no progress\n"
	"\n"
	"Exit status: 0 all benchmarks ran and succeeded, 1 one failed (non-zero exit,\n"
	"signal, timeout), 2 bad command line or gates file, 3 a command could not be\n"
	"started or a file could not be read or written.\n";

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

static void list_benchmarks(const pg_gates *g)
{
	for (size_t i = 0; i < g->n_benchmarks; i++) {
		const pg_bench_def *d = &g->benchmarks[i];
		printf("%-24s %-10s %d runs, %d warm-up%s\n", d->name, d->kind, d->run.runs,
		       d->run.warmup, pg_kind_supported(d->kind) ? "" : "  (no driver in this build)");
	}
}

static int write_outputs(const pg_gate_options *c, const pg_result_set *rs)
{
	int rc = 0, printed = 0;
	if (c->output && (rc = pg_result_set_write_file(rs, c->output)))
		return rc;
	for (size_t i = 0; i < c->n_formats; i++) {
		const char *f = c->formats[i], *eq = strchr(f, '=');
		size_t len = eq ? (size_t)(eq - f) : strlen(f);
		if (len == 4 && strncmp(f, "json", 4) == 0) {
			if (eq)
				rc = pg_result_set_write_file(rs, eq + 1);
			else {
				char *text;
				if (!(rc = pg_result_set_to_string(&text, rs, 1))) {
					puts(text);
					free(text);
				}
				printed = 1;
			}
		} else if (len == 4 && strncmp(f, "text", 4) == 0) {
			if (eq) {
				FILE *out = fopen(eq + 1, "w");
				if (!out)
					return pg_error_set(PG_ESYSTEM, "%s: cannot write", eq + 1);
				pg_report_results_text(out, rs, 0);
				fclose(out);
			} else {
				pg_report_results_text(stdout, rs, pg_report_want_color(stdout));
				printed = 1;
			}
		} else {
			return pg_error_set(PG_EINPUT, "--format: unknown format '%.*s' for run (expected text or json)",
					    (int)len, f);
		}
		if (rc)
			return rc;
	}
	if (!printed && c->n_formats == 0 && !c->quiet)
		pg_report_results_text(stdout, rs, pg_report_want_color(stdout));
	return 0;
}

int cmd_run(int argc, char *argv[])
{
	static const pg_cli_verb verb = {.name = "run", .usage = usage, .help = help,
					 .operands = PG_CLI_COMMAND};
	pg_gate_options c = PG_GATE_OPTIONS_INIT;
	pg_gate_context ctx = {0};
	pg_gates *gates = NULL;
	pg_result_set *rs = NULL;
	int list = 0, save = 0, allow_dirty = 0, first, rc = 0;
	const char *commit = NULL, *store_dir = NULL;
	const pg_cli_option opts[] = {PG_CLI_MEASURE_OPTIONS(&c),
				      {"list", 0, PG_CLI_FLAG, .dest = &list},
				      {"save", 0, PG_CLI_FLAG, .dest = &save},
				      {"commit", 0, PG_CLI_STRING, .dest = &commit},
				      {"store", 0, PG_CLI_STRING, .dest = &store_dir},
				      {"allow-dirty", 0, PG_CLI_FLAG, .dest = &allow_dirty},
				      {0}};

	if ((rc = pg_cli_parse(&first, &verb, opts, argc, argv))) {
		rc = rc == PG_CLI_HELP ? 0 : rc;
		goto out;
	}
	pg_cli_want_progress(&c);
	char *const *adhoc = first < argc ? argv + first : NULL;
	if (adhoc && c.gates_path) {
		rc = pg_error_set(PG_EINPUT, "run: give a gates file (-c) or a command after --, not both");
		goto out;
	}
	if ((rc = pg_gate_context_open(&ctx)))
		goto out;
	rc = adhoc ? adhoc_gates(&gates, adhoc, &ctx) : pg_gate_load_gates(&gates, &ctx, &c);
	if (rc)
		goto out;
	if (list) {
		list_benchmarks(gates);
		goto out;
	}
	if (!(rs = pg_result_set_new())) {
		rc = pg_error_set(PG_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = pg_env_detect(&rs->env, c.env_key)))
		goto out;
	if (save || commit || (ctx.repo && !git_repository_head_unborn(ctx.repo)))
		if ((rc = pg_gate_head(rs, &ctx, commit)))
			goto out;
	if (save && rs->dirty && !allow_dirty) {
		rc = pg_error_set(PG_EINPUT, "%s: tracked files are modified: commit them, or save with --allow-dirty",
				  ctx.root);
		goto out;
	}
	rs->rss_floor = pg_spawner_rss_floor();

	pg_measure_options mo = {.runs = c.runs, .warmup = c.warmup, .only = c.only, .progress = c.progress};
	pg_gate_probe(&rs->probe, 0, &c, gates);
	int measured = pg_measure(rs, gates, &mo);
	if (measured != PG_EINPUT)
		pg_gate_probe(&rs->probe, 1, &c, gates);
	char message[1024];
	snprintf(message, sizeof(message), "%s", pg_error_message());
	if (measured == PG_EINPUT) {
		rc = measured;
		goto out;
	}
	/* The result set is written whatever happened: a failure is a result too. */
	if ((rc = write_outputs(&c, rs)))
		goto out;
	if (save && (rc = pg_gate_save(rs, &ctx, store_dir, allow_dirty)))
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
	pg_result_set_free(rs);
	pg_gates_free(gates);
	pg_gate_context_close(&ctx);
	pg_cli_measure_release(&c);
	return rc;
}
