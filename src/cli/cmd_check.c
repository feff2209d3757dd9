/* cmd_check.c - `perfgate check`: its options, then the check flow (or A/B, for --ab and --mode ab|auto) */
#include "cli.h"

#include "perfgate/error.h"

#include <string.h>

static const char usage[] =
	"perfgate check [-c GATES] [-b BENCH]... [--shard K/N] [--runs N] [--warmup N] [--env KEY]\n"
	"                      [--base REV|FILE] [--target BRANCH] [--max-depth N] [--save]\n"
	"                      [--allow-dirty] [--commit REV] [--store DIR] [--confirm N] [--strict]\n"
	"                      [--require-baseline] [--drift N] [--shifts N] [--format F[=FILE]]...\n"
	"                      [-o FILE] [--plot DIR] [--ab] [--mode auto|ab|stored] [--local]\n"
	"                      [--threshold P] [--history K] [--no-probe]";

static const char help[] =
	"Measure the gates file's benchmarks, find the baseline, compare, hold the gates,\n"
	"and report: the one command CI needs.\n"
	"\n"
	"  --shard K/N         measure and judge only part K of N of the benchmarks (one\n"
	"                      job of a CI matrix each), balanced by the time of their\n"
	"                      last stored runs; the split is printed\n"
	"  --base REV|FILE     compare with this commit's stored results (walking first\n"
	"                      parents from it) or a result set file\n"
	"  --target BRANCH     the branch a PR goes into (default: $GITHUB_BASE_REF, else\n"
	"                      origin's default branch); the walk starts at the merge-base\n"
	"  --max-depth N       first-parent commits to look through (default 50)\n"
	"  --save              store the result set on HEAD (git notes, or --store DIR)\n"
	"  --allow-dirty       save even with modified tracked files\n"
	"  --commit REV        the commit the results belong to (default HEAD)\n"
	"  --store DIR         keep results in plain files under DIR instead of git notes\n"
	"  --confirm N         re-measure what looks regressed N times; fail only if it\n"
	"                      reproduces (default 1; 0 = trust the first measurement)\n"
	"  --strict            an inconclusive result fails\n"
	"  --require-baseline  no baseline fails\n"
	"  --format F[=FILE]   report format: text (default), json, markdown, junit,\n"
	"                      github, signoff; repeatable\n"
	"  --plot DIR          base-vs-head distribution plots (gnuplot) into DIR\n"
	"  --drift N           also compare with the target branch N first parents back:\n"
	"                      a creeping regression fails on the branch, warns in a PR\n"
	"  --shifts N          list the level shifts (as `perfgate changes` finds them) of\n"
	"                      the last N commits that went the bad way and that no\n"
	"                      acceptance covers; informative (default 50, 0 = off)\n"
	"  --ab                build the base in a worktree and measure it interleaved with\n"
	"                      the head on this runner (see `perfgate ab --help`)\n"
	"  --mode M            stored (default): against the stored baseline; ab: as --ab;\n"
	"                      auto: A/B when the gates file has build steps, the base\n"
	"                      commit is known and nothing is saved, else stored\n"
	"  --threshold P       the default relative threshold (e.g. 5%), over the gates\n"
	"                      file's defaults; a gate's own regression still holds\n"
	"  --local             the developer's check before a push: what is built now\n"
	"                      against the stored baseline of the merge-base; never saves\n"
	"                      (refuses --save), never pushes (see ci/pre-push.sample)\n"
	"  --no-probe          take no environment probe and leave the baseline's unused\n"
	"                      (see README: Environment probe)\n"
	"  --history K         hold a regression against the run-to-run variation of the\n"
	"                      last K stored runs along the baseline's history (default:\n"
	"                      the gates file's `history`, else 10; fewer than 3 runs:\n"
	"                      single-run baseline)\n"
	"  -o FILE             write the report of the first --format without =FILE (or\n"
	"                      text) to FILE\n"
	"  -c, -b, --runs, --warmup, --env, -q   as for `perfgate run`\n"
	"\n"
	"Exit status: 0 pass (also with no baseline, unless --require-baseline), 1 a\n"
	"regression, a failed gate or a failed benchmark, 2 bad command line or gates\n"
	"file, 3 could not measure, read or save.\n";

static int parse(pg_gate_check_options *a, int argc, char *argv[])
{
	static const char *const modes[] = {"auto", "ab", "stored", NULL};
	static const pg_cli_verb verb = {.name = "check", .usage = usage, .help = help};
	int local = 0;
	const pg_cli_option opts[] = {PG_CLI_MEASURE_OPTIONS(&a->gate), PG_CLI_SHARD_OPTION(&a->gate),
				      {"base", 0, PG_CLI_STRING, .dest = &a->base.base},
				      {"target", 0, PG_CLI_STRING, .dest = &a->base.target},
				      {"max-depth", 0, PG_CLI_INT, .dest = &a->base.max_depth, .least = 1},
				      {"save", 0, PG_CLI_FLAG, .dest = &a->save},
				      {"allow-dirty", 0, PG_CLI_FLAG, .dest = &a->allow_dirty},
				      {"store", 0, PG_CLI_STRING, .dest = &a->store_dir},
				      {"confirm", 0, PG_CLI_INT, .dest = &a->confirm, .least = 0},
				      {"strict", 0, PG_CLI_FLAG, .dest = &a->strict},
				      {"require-baseline", 0, PG_CLI_FLAG, .dest = &a->require_baseline},
				      {"commit", 0, PG_CLI_STRING, .dest = &a->commit},
				      {"plot", 0, PG_CLI_STRING, .dest = &a->plot_dir},
				      {"drift", 0, PG_CLI_INT, .dest = &a->drift, .least = 1},
				      {"shifts", 0, PG_CLI_INT, .dest = &a->shifts, .least = 0},
				      {"local", 0, PG_CLI_FLAG, .dest = &local},
				      {"mode", 0, PG_CLI_CHOICE, .dest = &a->mode, .words = modes},
				      {"history", 0, PG_CLI_INT, .dest = &a->history, .least = 1},
				      {0}};
	int rc = pg_cli_parse(NULL, &verb, opts, argc, argv);
	if (!rc && local && a->save)
		return pg_error_set(PG_EINPUT, "check: --local never saves: drop --save (results stored from a "
						"developer's machine would be compared with CI's)");
	return rc;
}

int cmd_check(int argc, char *argv[])
{
	pg_gate_check_options o = {.gate = PG_GATE_OPTIONS_INIT, .confirm = 1, .shifts = 50,
				   .mode = PG_CHECK_STORED};
	int use_ab = 0, rc;

	/* check --ab is the same-runner A/B of `perfgate ab`, with its options. */
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--ab") == 0)
			return cmd_ab(argc, argv);
	if (!(rc = parse(&o, argc, argv))) {
		pg_cli_want_progress(&o.gate);
		rc = pg_gate_check(&use_ab, &o);
	}
	pg_cli_measure_release(&o.gate);
	/* --mode ab, or auto deciding for A/B: `perfgate ab` with these options. */
	if (use_ab)
		return cmd_ab(argc, argv);
	return rc == PG_CLI_HELP ? 0 : rc;
}
