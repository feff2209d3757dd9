/* cmd_import.c - `perfgate import`: its options and files, then the import flow */
#include "cli.h"

#include "perfgate/error.h"
#include "perfgate/import.h"

#include <stdlib.h>

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

static int parse(pg_gate_import_options *o, int argc, char *argv[])
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
	o->files = argv + first;
	return 0;
}

int cmd_import(int argc, char *argv[])
{
	pg_gate_import_options o = {0};
	int rc = parse(&o, argc, argv);
	if (!rc)
		rc = pg_gate_import(&o);
	free(o.formats);
	return rc == PG_CLI_HELP ? 0 : rc;
}
