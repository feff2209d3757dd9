/* cmd_merge.c - `perfgate merge`: its options and files, then the merge flow */
#include "cli.h"

#include "perfgate/error.h"

#include <stdlib.h>

static const char usage[] =
	"perfgate merge FILE... [-o OUT] [-c GATES] [--format text|json[=FILE]]...\n"
	"                      [--save [--store DIR]] [-q]";

static const char help[] =
	"Merge the result files of one commit measured in parts (the jobs of a CI\n"
	"matrix, each `perfgate run --shard K/N -o shard-K.json`) into one result set,\n"
	"for compare or check to read as a whole run. The files must agree on the commit,\n"
	"the env key, the gates file they ran (gates_hash) and the shard count, and hold\n"
	"no shard and no benchmark twice. A missing shard is a warning; when the gates\n"
	"file is known (-c, else gates/default.json in the repository when it is the one\n"
	"the files ran), each of its benchmarks that no file holds is in the merged set\n"
	"as failed (\"not measured: no result from shard 2 of 3 (missing)\"), so that a\n"
	"compare of the merged set fails naming it.\n"
	"\n"
	"The merged set has a new run id, the latest file's time and the first shard's\n"
	"environment probe; a benchmark measured on a runner whose probe differs\n"
	"carries its own.\n"
	"\n"
	"  -o OUT            write the merged set (perfgate/1 JSON)\n"
	"  -c GATES          the gates file the shards ran\n"
	"  --format F[=FILE] text (default) or json; repeatable\n"
	"  --save            store each file's result set as its own record on its commit\n"
	"                    (show, log and check read them as one suite)\n"
	"  --store DIR       keep results in plain files under DIR instead of git notes\n"
	"  -q, --quiet       no table\n"
	"\n"
	"Exit status: 0 merged (failed and not measured benchmarks included: compare\n"
	"fails on them), 2 bad command line, files that disagree, a file that is not a\n"
	"result set, or --save of a set without a commit, 3 a file is missing or\n"
	"unreadable, or results cannot be written or saved.\n";

int cmd_merge(int argc, char *argv[])
{
	static const char *const formats_known[] = {"json", "text", NULL};
	static const pg_cli_verb verb = {.name = "merge", .usage = usage, .help = help, .operands = PG_CLI_OPERANDS};
	pg_gate_merge_options o = {0};
	const pg_cli_option opts[] = {
		{"output", 'o', PG_CLI_STRING, .dest = &o.output},
		{NULL, 'c', PG_CLI_STRING, .dest = &o.gates_path},
		{"format", 0, PG_CLI_LIST, .dest = &o.formats, .count = &o.n_formats, .words = formats_known,
		 .refusal = "--format: unknown format '%s' for merge (expected text or json)"},
		{"save", 0, PG_CLI_FLAG, .dest = &o.save},
		{"store", 0, PG_CLI_STRING, .dest = &o.store_dir},
		{"quiet", 'q', PG_CLI_FLAG, .dest = &o.quiet},
		{0}};
	int first, rc = pg_cli_parse(&first, &verb, opts, argc, argv);
	if (!rc && first >= argc)
		rc = pg_error_set(PG_EINPUT, "merge: name the result files to merge\nusage: %s", usage);
	if (!rc) {
		o.files = argv + first;
		rc = pg_gate_merge(&o);
	}
	free(o.formats);
	return rc == PG_CLI_HELP ? 0 : rc;
}
