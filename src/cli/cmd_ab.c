/* cmd_ab.c - `perfgate ab`: its options, then the A/B flow */
#include "cli.h"

static const char usage[] =
	"perfgate ab [-c GATES] [-b BENCH]... [--shard K/N] [--env KEY] [--base REV] [--target BRANCH]\n"
	"                   [--max-runs N] [--aa-runs N] [--no-build] [--save] [--strict]\n"
	"                   [--format F[=FILE]]... [-o FILE]";

static const char help[] =
	"Same-runner A/B: check out the base commit in a temporary worktree, build\n"
	"both trees with the gates file's `build` steps, and measure base and head\n"
	"interleaved (A B B A blocks, so drift cancels), deciding each benchmark from\n"
	"the paired log ratios: median change, bootstrap interval, signed-rank test.\n"
	"A benchmark stops early once its interval is clearly inside half the\n"
	"threshold or clearly beyond it. An A/A block (head against head) first\n"
	"measures this runner's noise: where it is wider than the threshold the\n"
	"verdict is inconclusive. `--base HEAD` is a legal A/A run.\n"
	"\n"
	"  --base REV     the base (default: the merge-base, as `check` finds it)\n"
	"  --shard K/N    only part K of N of the benchmarks (one CI matrix job each),\n"
	"                 balanced by the time of their last stored runs\n"
	"  --max-runs N   most runs per side and benchmark (default 30)\n"
	"  --aa-runs N    runs per side of the A/A noise block (default 12; 0: skip)\n"
	"  --no-build     measure the trees as they are (no `build` steps)\n"
	"  --save         store both sides' results on their commits\n"
	"  --no-probe     take no environment probe (informative here: one runner)\n"
	"  -q, --quiet    no report on stdout unless a --format asks, no progress or notes\n"
	"\n"
	"Exit status: 0 pass, 1 a regression, gate or benchmark failed, 2 bad command\n"
	"line, 3 the base does not build or could not be measured.\n";

static int parse(pg_gate_ab_options *a, int argc, char *argv[])
{
	static const pg_cli_verb verb = {.name = "ab", .usage = usage, .help = help};
	const pg_cli_option opts[] = {PG_CLI_MEASURE_OPTIONS(&a->gate), PG_CLI_SHARD_OPTION(&a->gate),
				      {"base", 0, PG_CLI_STRING, .dest = &a->base.base},
				      {"target", 0, PG_CLI_STRING, .dest = &a->base.target},
				      {"max-runs", 0, PG_CLI_INT, .dest = &a->max_runs, .least = 4},
				      {"aa-runs", 0, PG_CLI_INT, .dest = &a->aa_runs, .least = 0},
				      {"no-build", 0, PG_CLI_FLAG, .dest = &a->no_build},
				      {"save", 0, PG_CLI_FLAG, .dest = &a->save},
				      {"strict", 0, PG_CLI_FLAG, .dest = &a->strict},
				      /* From `check --ab`, `check --mode ab|auto` (decided) and the pre-push hook's --local. */
				      {"ab", 0, PG_CLI_FLAG, .dest = NULL},
				      {"mode", 0, PG_CLI_STRING, .dest = NULL},
				      {"local", 0, PG_CLI_FLAG, .dest = NULL},
				      {0}};
	return pg_cli_parse(NULL, &verb, opts, argc, argv);
}

int cmd_ab(int argc, char *argv[])
{
	pg_gate_ab_options o = {.gate = PG_GATE_OPTIONS_INIT, .max_runs = 30, .aa_runs = 12};
	int rc = parse(&o, argc, argv);
	if (!rc) {
		pg_cli_want_progress(&o.gate);
		rc = pg_gate_ab(&o);
	}
	pg_cli_measure_release(&o.gate);
	return rc == PG_CLI_HELP ? 0 : rc;
}
