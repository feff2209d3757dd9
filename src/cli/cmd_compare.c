/* cmd_compare.c - `perfgate compare`: its options, then the compare flow */
#include "cli.h"

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
	"the probe found slower is inconclusive); --no-probe leaves them unused.\n"
	"\n"
	"  --base REV|FILE     the baseline: a result file, or the sets stored on REV\n"
	"  --head REV|FILE     the head (default HEAD)\n"
	"  --target BRANCH     find the baseline from the merge-base with BRANCH\n"
	"  --store DIR         read a directory store instead of refs/notes/perfgate\n"
	"  --strict            inconclusive fails\n"
	"  --history K         run-to-run variation of the last K stored runs\n"
	"  --threshold P       the default relative threshold (e.g. 5%)\n"
	"  --format F[=FILE]   text, json, markdown, junit, github, signoff (repeatable)\n"
	"  -o FILE             write the report of the first --format without =FILE (or\n"
	"                      text) to FILE\n"
	"  -c GATES, --env KEY, -q, -v\n"
	"                      the gates file whose gates apply; the env key of stored sets;\n"
	"                      errors and warnings only; also say what was read\n"
	"\n"
	"Exit status: 0 pass, 1 a regression or a failed gate, 2 bad command line, 3 a\n"
	"side could not be read.\n";

int cmd_compare(int argc, char *argv[])
{
	static const pg_cli_verb verb = {.name = "compare", .usage = usage, .help = help,
					 .unknown = "compare: unexpected argument '%s': name the sides with --base and --head\nusage: %s"};
	pg_gate_compare_options o = {.gate = PG_GATE_OPTIONS_INIT, .head = "HEAD"};
	const pg_cli_option opts[] = {PG_CLI_MEASURE_OPTIONS(&o.gate),
				      {"base", 0, PG_CLI_STRING, .dest = &o.base.base},
				      {"head", 0, PG_CLI_STRING, .dest = &o.head},
				      {"target", 0, PG_CLI_STRING, .dest = &o.base.target},
				      {"store", 0, PG_CLI_STRING, .dest = &o.store_dir},
				      {"strict", 0, PG_CLI_FLAG, .dest = &o.strict},
				      {"history", 0, PG_CLI_INT, .dest = &o.history, .least = 1},
				      {0}};
	int rc = pg_cli_parse(NULL, &verb, opts, argc, argv);
	if (!rc)
		rc = pg_gate_compare(&o);
	pg_cli_measure_release(&o.gate);
	return rc == PG_CLI_HELP ? 0 : rc;
}
