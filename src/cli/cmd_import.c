/* cmd_import.c - `perfgate import`: another harness's results as a result set, written or saved */
#include "cli.h"

#include "perfgate/bench.h"
#include "perfgate/error.h"
#include "perfgate/import.h"
#include "perfgate/report.h"

#include <stdlib.h>
#include <string.h>


static const char usage[] =
	"perfgate import --from FORMAT FILE... [-o FILE] [--format text|json[=FILE]]... [--env KEY]\n"
	"                       [--save [--commit REV] [--store DIR] [--allow-dirty]] [-q]";

static const char help[] =
	"Read another harness's results into a perfgate/1 result set: print it, write\n"
	"it (-o), or store it on the commit (--save) for check, compare and log.\n"
	"\n"
	"  --from FORMAT     hyperfine    hyperfine --export-json file: wall (from times,\n"
	"                                 ms), user, sys, peak_rss; non-zero exit_codes fail\n"
	"                    gbench       Google Benchmark JSON (--benchmark_out): repetitions\n"
	"                                 are samples of real_time, cpu_time and counters;\n"
	"                                 aggregates (median) only when there are none\n"
	"                    criterion    target/criterion (or one benchmark's directory, or a\n"
	"                                 new/sample.json): time per iteration in ns\n"
	"                    luminaguard  agent_baseline_*.json / rust_baseline_*.json: one\n"
	"                                 benchmark per summary group, single values\n"
	"                    gab          github-action-benchmark custom JSON; gab-smaller or\n"
	"                                 gab-bigger say which is better (gab: the file's\n"
	"                                 \"tool\" when it has one, else smaller)\n"
	"  -o FILE           write the result set (perfgate/1 JSON)\n"
	"  --format F[=FILE] text (default) or json; repeatable\n"
	"  --env KEY         environment key recorded (default: PERFGATE_ENV, else this host)\n"
	"  --save            store the result set on HEAD (git notes under refs/notes/perfgate)\n"
	"  --commit REV      the commit the results belong to (default HEAD)\n"
	"  --store DIR       keep results in plain files under DIR instead of git notes\n"
	"  --allow-dirty     save even with modified tracked files\n"
	"  -q, --quiet       no table\n"
	"\n"
	"Every file is read and checked before anything is written or saved. A benchmark\n"
	"named in several files pools its samples (repetitions spread over runs).\n"
	"\n"
	"Exit status: 0 imported, 1 a benchmark the file records failed (it is still\n"
	"written and saved), 2 bad command line or a file that is not valid input in\n"
	"that format (named, with the JSON path), 3 a file is missing or unreadable, or\n"
	"results cannot be saved.\n";

typedef struct import_options {
	const char *from, *output, *env_key, *commit, *store_dir;
	char **formats;
	size_t n_formats;
	int save, allow_dirty, quiet;
} import_options;

static int write_outputs(const import_options *o, const pg_result_set *rs)
{
	int rc = 0, printed = 0;
	if (o->output && (rc = pg_result_set_write_file(rs, o->output)))
		return rc;
	for (size_t i = 0; i < o->n_formats && !rc; i++) {
		const char *f = o->formats[i], *eq = strchr(f, '=');
		size_t len = eq ? (size_t)(eq - f) : strlen(f);
		if (len == 4 && strncmp(f, "json", 4) == 0 && eq) {
			rc = pg_result_set_write_file(rs, eq + 1);
		} else if (len == 4 && strncmp(f, "json", 4) == 0) {
			char *text;
			if (!(rc = pg_result_set_to_string(&text, rs, 1))) {
				puts(text);
				free(text);
			}
			printed = 1;
		} else if (len == 4 && strncmp(f, "text", 4) == 0 && eq) {
			FILE *out = fopen(eq + 1, "w");
			if (!out)
				return pg_error_set(PG_ESYSTEM, "%s: cannot write", eq + 1);
			pg_report_results_text(out, rs, 0);
			if (fclose(out) != 0)
				rc = pg_error_set(PG_ESYSTEM, "%s: cannot write", eq + 1);
		} else if (len == 4 && strncmp(f, "text", 4) == 0) {
			pg_report_results_text(stdout, rs, pg_report_want_color(stdout));
			printed = 1;
		}
	}
	if (!rc && !printed && o->n_formats == 0 && !o->quiet)
		pg_report_results_text(stdout, rs, pg_report_want_color(stdout));
	return rc;
}

static int parse(import_options *o, char ***files, int argc, char *argv[])
{
	static const char *const formats_known[] = {"json", "text", NULL};
	static const pg_cli_verb verb = {.name = "import", .usage = usage, .help = help,
					 .operands = PG_CLI_OPERANDS};
	const pg_cli_option opts[] = {
		{"from", 0, PG_CLI_STRING, .dest = &o->from},
		{"output", 'o', PG_CLI_STRING, .dest = &o->output},
		{"format", 0, PG_CLI_LIST, .dest = &o->formats, .count = &o->n_formats, .words = formats_known,
		 .refusal = "--format: unknown format '%s' for import (expected text or json)"},
		{"env", 0, PG_CLI_STRING, .dest = &o->env_key},
		{"save", 0, PG_CLI_FLAG, .dest = &o->save},
		{"commit", 0, PG_CLI_STRING, .dest = &o->commit},
		{"store", 0, PG_CLI_STRING, .dest = &o->store_dir},
		{"allow-dirty", 0, PG_CLI_FLAG, .dest = &o->allow_dirty},
		{"quiet", 'q', PG_CLI_FLAG, .dest = &o->quiet},
		{0}};
	int first, rc = pg_cli_parse(&first, &verb, opts, argc, argv);
	if (rc)
		return rc;
	if (!o->from)
		return pg_error_set(PG_EINPUT, "import: --from FORMAT is required (one of: %s)\nusage: %s",
				    pg_import_format_list(), usage);
	if (!pg_import_format_known(o->from))
		return pg_error_set(PG_EINPUT, "--from %s: unknown format (expected one of: %s)", o->from,
				    pg_import_format_list());
	if (first >= argc)
		return pg_error_set(PG_EINPUT, "import: name at least one file to import\nusage: %s", usage);
	*files = argv + first;
	return 0;
}

int cmd_import(int argc, char *argv[])
{
	import_options o = {0};
	pg_gate_context ctx = {0};
	pg_result_set *rs = NULL;
	pg_import_warnings warnings = {0};
	char **files = NULL;

	int rc = parse(&o, &files, argc, argv);
	if (rc) {
		rc = rc == PG_CLI_HELP ? 0 : rc;
		goto out;
	}
	if ((rc = pg_gate_context_open(&ctx)))
		goto out;
	if (!(rs = pg_result_set_new())) {
		rc = pg_error_set(PG_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = pg_env_detect(&rs->env, o.env_key)))
		goto out;
	if (o.save || o.commit || (ctx.repo && !git_repository_head_unborn(ctx.repo)))
		if ((rc = pg_gate_head(rs, &ctx, o.commit)))
			goto out;
	if (o.save && rs->dirty && !o.allow_dirty) {
		rc = pg_error_set(PG_EINPUT, "%s: tracked files are modified: commit them, or save with --allow-dirty",
				  ctx.root);
		goto out;
	}
	/* Everything is imported before anything is written: a bad file saves nothing. */
	for (char **f = files; *f && !rc; f++)
		rc = pg_import_file(rs, o.from, *f, &warnings);
	for (size_t i = 0; i < warnings.n; i++)
		fprintf(stderr, "perfgate: warning: %s\n", warnings.items[i]);
	if (rc)
		goto out;
	if ((rc = write_outputs(&o, rs)))
		goto out;
	if (o.save && (rc = pg_gate_save(rs, &ctx, o.store_dir, o.allow_dirty)))
		goto out;
	for (size_t i = 0; i < rs->n_benchmarks; i++) {
		const pg_benchmark *b = &rs->benchmarks[i];
		if (b->status == PG_STATUS_FAILED || b->status == PG_STATUS_TIMEOUT) {
			rc = pg_error_set(PG_EFAIL, "benchmark '%s' failed (as imported): %s", b->name,
					  b->reason ? b->reason : "no reason given");
			break;
		}
	}
out:
	pg_import_warnings_release(&warnings);
	pg_result_set_free(rs);
	pg_gate_context_close(&ctx);
	free(o.formats);
	return rc;
}
