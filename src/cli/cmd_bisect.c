/* cmd_bisect.c - `perfgate bisect`: its options, then the bisect flow */
#include "cli.h"

#include "perfgate/error.h"

#include <string.h>

static const char usage[] =
	"perfgate bisect [-c GATES] [-b BENCH | --metric BENCH.METRIC] --good REV --bad REV\n"
	"                       [--max-runs N] [--aa-runs N] [--no-build] [--store DIR] [--env KEY]\n"
	"                       [--format text|json[=FILE]]... [-o FILE]";

static const char help[] =
	"Find the first commit of the first-parent range good..bad whose benchmark is a\n"
	"regression against good, by binary search. Bad itself is measured last, and only\n"
	"when the search comes down to it (a bad commit before it ends the search). A commit whose\n"
	"results (same env key) are stored, like good's, is compared from the store;\n"
	"any other is checked out in a temporary worktree, built with the gates file's\n"
	"`build` steps and measured against good (also checked out, built once)\n"
	"interleaved, decided paired, as `perfgate ab` does. A commit that does not build\n"
	"or whose benchmark fails is skipped (a neighbour is tried instead); an\n"
	"inconclusive one is measured again with twice --max-runs, and if still\n"
	"inconclusive the search stops with the range it narrowed to. The gates file\n"
	"(-c, default gates/default.json here) drives every commit, {root} being that\n"
	"commit's worktree.\n"
	"\n"
	"  -b BENCH        the benchmark to follow (default: the gates file's first)\n"
	"  --metric B.M    follow metric M of benchmark B (stored results; measuring\n"
	"                  decides on the benchmark's primary metric)\n"
	"  --good REV      a commit without the regression (an ancestor of --bad)\n"
	"  --bad REV       a commit with it\n"
	"  --max-runs N    most runs per side and commit (default 30)\n"
	"  --aa-runs N     runs per side of the A/A noise block on good (default 12; 0: skip)\n"
	"  --no-build      measure the checkouts as they are (no `build` steps)\n"
	"  --store DIR     stored results in plain files under DIR instead of git notes\n"
	"  -q, --quiet     no steps on stdout unless a --format asks, no progress or notes\n"
	"\n"
	"Exit status: 0 the first bad commit was found, 1 no regression between good and\n"
	"bad, 2 bad command line or revision, 3 could not decide (good does not build,\n"
	"bad could not be measured, an inconclusive commit, only skipped commits left).\n";

static int parse(pg_gate_bisect_options *a, int argc, char *argv[])
{
	static const pg_cli_verb verb = {.name = "bisect", .usage = usage, .help = help};
	const pg_cli_option opts[] = {PG_CLI_MEASURE_OPTIONS(&a->gate),
				      {"good", 0, PG_CLI_STRING, .dest = &a->good},
				      {"bad", 0, PG_CLI_STRING, .dest = &a->bad},
				      {"metric", 0, PG_CLI_STRING, .dest = &a->metric},
				      {"max-runs", 0, PG_CLI_INT, .dest = &a->max_runs, .least = 4},
				      {"aa-runs", 0, PG_CLI_INT, .dest = &a->aa_runs, .least = 0},
				      {"no-build", 0, PG_CLI_FLAG, .dest = &a->no_build},
				      {"store", 0, PG_CLI_STRING, .dest = &a->store_dir},
				      {0}};
	int rc = pg_cli_parse(NULL, &verb, opts, argc, argv);
	if (rc)
		return rc;
	if (!a->good || !a->bad)
		return pg_error_set(PG_EINPUT, "bisect: --good REV and --bad REV are both needed\nusage: %s", usage);
	if (a->gate.n_only > 1)
		return pg_error_set(PG_EINPUT, "bisect: follows one benchmark: give -b once\nusage: %s", usage);
	if (a->gate.n_only && a->metric)
		return pg_error_set(PG_EINPUT, "bisect: give -b BENCH or --metric BENCH.METRIC, not both");
	for (size_t i = 0; i < a->gate.n_formats; i++) {
		const char *f = a->gate.formats[i];
		size_t len = strcspn(f, "=");
		if (!((len == 4 && strncmp(f, "text", 4) == 0) || (len == 4 && strncmp(f, "json", 4) == 0)))
			return pg_error_set(PG_EINPUT, "bisect: --format %s: expected text or json", f);
	}
	return 0;
}

int cmd_bisect(int argc, char *argv[])
{
	pg_gate_bisect_options o = {.gate = PG_GATE_OPTIONS_INIT, .max_runs = 30, .aa_runs = 12};
	int rc = parse(&o, argc, argv);
	if (!rc) {
		pg_cli_want_progress(&o.gate);
		rc = pg_gate_bisect(&o);
	}
	pg_cli_measure_release(&o.gate);
	return rc == PG_CLI_HELP ? 0 : rc;
}
