/* cmd_run.c - `perfgate run`: its options (a command after them, or --), then the run flow */
#include "cli.h"

#include "perfgate/error.h"

static const char usage[] =
	"perfgate run [-c GATES] [-b BENCH]... [--shard K/N] [--runs N] [--warmup N] [--env KEY]\n"
	"                    [-o FILE] [--format text|json[=FILE]]... [--save [--commit REV]\n"
	"                    [--store DIR] [--allow-dirty]] [--list] [-- CMD ARG...]";

static const char help[] =
	"Measure the benchmarks of a gates file (or one command after --) and print\n"
	"a table per benchmark: median, p90, p99, mean ± stddev, min … max.\n"
	"\n"
	"  -c GATES          gates file (default: gates/default.json in the repository)\n"
	"  -b NAME           run only this benchmark (repeatable)\n"
	"  --shard K/N       run only part K of N of the benchmarks (one job of a CI\n"
	"                    matrix each; `perfgate merge` joins the parts), balanced by\n"
	"                    the time of their last stored runs; the split is printed\n"
	"  --runs N          runs per benchmark (overrides the gates file)\n"
	"  --warmup N        warm-up runs, not recorded\n"
	"  --env KEY         environment key recorded with the results\n"
	"  -o FILE           write the result set (perfgate/1 JSON), failures included\n"
	"  --format F[=FILE] text (default) or json; repeatable\n"
	"  --save            store the result set on HEAD (git notes under refs/notes/perfgate)\n"
	"  --commit REV      the commit the results belong to (default HEAD)\n"
	"  --store DIR       keep results in plain files under DIR instead of git notes\n"
	"  --allow-dirty     save even with modified tracked files\n"
	"  --list            list the benchmarks (those -b and --shard select) and exit\n"
	"  --no-probe        take no environment probe (a fixed ~0.1 s calibration\n"
	"                    workload timed before and after the benchmarks)\n"
	"  -q, --quiet       no table, no progress\n"
	"\n"
	"Exit status: 0 all benchmarks ran and succeeded, 1 one failed (non-zero exit,\n"
	"signal, timeout), 2 bad command line or gates file, 3 a command could not be\n"
	"started or a file could not be read or written.\n";

int cmd_run(int argc, char *argv[])
{
	static const pg_cli_verb verb = {.name = "run", .usage = usage, .help = help,
					 .operands = PG_CLI_COMMAND};
	pg_gate_run_options o = {.gate = PG_GATE_OPTIONS_INIT};
	const pg_cli_option opts[] = {PG_CLI_MEASURE_OPTIONS(&o.gate), PG_CLI_SHARD_OPTION(&o.gate),
				      {"list", 0, PG_CLI_FLAG, .dest = &o.list},
				      {"save", 0, PG_CLI_FLAG, .dest = &o.save},
				      {"commit", 0, PG_CLI_STRING, .dest = &o.commit},
				      {"store", 0, PG_CLI_STRING, .dest = &o.store_dir},
				      {"allow-dirty", 0, PG_CLI_FLAG, .dest = &o.allow_dirty},
				      {0}};
	int first, rc = pg_cli_parse(&first, &verb, opts, argc, argv);
	o.command = !rc && first < argc ? argv + first : NULL;
	if (o.command && o.gate.gates_path)
		rc = pg_error_set(PG_EINPUT, "run: give a gates file (-c) or a command after --, not both");
	if (!rc) {
		pg_cli_want_progress(&o.gate);
		rc = pg_gate_run(&o);
	}
	pg_cli_measure_release(&o.gate);
	return rc == PG_CLI_HELP ? 0 : rc;
}
