/* cmd_plot.c - `perfgate plot`: gnuplot history plots of metrics along first-parent history */
#include "cli.h"

#include "perfgate/compare.h"
#include "perfgate/error.h"
#include "perfgate/gate_history.h"
#include "perfgate/log.h"
#include "perfgate/plot.h"
#include "perfgate/repo.h"
#include "perfgate/store.h"

#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"perfgate plot [--metric M]... [-n N] [-o DIR] [--format png|svg] [--env KEY]\n"
	"                     [--threshold PCT] [--store DIR]";

static const char help[] =
	"Draw with gnuplot, for each metric, its history along the first-parent line\n"
	"from HEAD (oldest left): the median per commit (or the stat named), the spread\n"
	"of the runs as a band (p10-p90 from the samples; min-p90 where a commit keeps\n"
	"only summaries), the threshold as a dashed line over the newest point's\n"
	"predecessor (what the newest commit is held to), and in red every commit that\n"
	"`perfgate check` against the results before it would fail (over the threshold\n"
	"and significant on the runs, not accepted), in grey the inconclusive ones\n"
	"(over the threshold, not significant or too few runs). Commits without results\n"
	"are gaps. One file per metric: DIR/BENCH.METRIC.png (names made safe for file\n"
	"systems; .STAT added for a stat other than the median).\n"
	"\n"
	"  --metric M        bench.metric[.stat] (repeatable; default: each benchmark's\n"
	"                    primary metric)\n"
	"  -n N              this many commits (default 50)\n"
	"  -o DIR            where the plots go (default: the current directory)\n"
	"  --format F        png (default) or svg\n"
	"  --env KEY         results of this environment key (default: the key of the\n"
	"                    newest result)\n"
	"  --threshold PCT   the relative threshold drawn (default 10%)\n"
	"  --store DIR       read the plain-file store DIR instead of refs/notes/perfgate\n"
	"\n"
	"Needs gnuplot on PATH. Exit status: 0 plots written, 2 bad command line or\n"
	"a metric no stored result has, 3 not in a repository, nothing stored, gnuplot\n"
	"missing or failing.\n";



static int any_result(const pg_history *h)
{
	for (size_t i = 0; i < h->n_commits; i++)
		if (h->commits[i].rs)
			return 1;
	return 0;
}

int cmd_plot(int argc, char *argv[])
{
	static const char *const formats[] = {"png", "svg", NULL}; /* in the order of pg_plot_format */
	static const pg_cli_verb verb = {.name = "plot", .usage = usage, .help = help};
	const char *env_key = NULL, *store_dir = NULL, *dir = ".";
	const char **paths = NULL;
	size_t n_paths = 0;
	pg_plot_options o = {.format = PG_PLOT_PNG, .threshold = 0.10};
	pg_gate_context ctx = {0};
	pg_store *store = NULL;
	pg_history *h = NULL;
	pg_plot_list l = {0};
	pg_verdict **verdicts = NULL;
	char head[GIT_OID_HEXSZ + 1];
	int n = 50, rc = 0;
	const pg_cli_option opts[] = {{NULL, 'n', PG_CLI_INT, .dest = &n, .least = 1},
				      {"output", 'o', PG_CLI_STRING, .dest = &dir},
				      {"format", 0, PG_CLI_CHOICE, .dest = &o.format, .words = formats,
				       .refusal = "plot: --format %s: expected png or svg"},
				      {"metric", 0, PG_CLI_LIST, .dest = &paths, .count = &n_paths},
				      {"env", 0, PG_CLI_STRING, .dest = &env_key},
				      {"store", 0, PG_CLI_STRING, .dest = &store_dir},
				      {"threshold", 0, PG_CLI_THRESHOLD, .dest = &o.threshold},
				      {0}};

	if ((rc = pg_cli_parse(NULL, &verb, opts, argc, argv))) {
		rc = rc == PG_CLI_HELP ? 0 : rc;
		goto out;
	}
	rc = pg_gate_open_history(&ctx, &store, store_dir, "plot");
	if (rc || (rc = pg_repo_head_id(head, ctx.repo, "plot")) ||
	    (rc = pg_history_load(&h, store, head, n, env_key, 1)))
		goto out;
	pg_log_warnings(h->warnings, h->n_warnings);
	if (!any_result(h)) {
		rc = pg_error_set(PG_ESYSTEM, "no results stored on the last %zu commits from HEAD%s%s "
					      "(save some with `perfgate run --save`)",
				  h->n_commits, env_key ? " for env " : "", env_key ? env_key : "");
		goto out;
	}
	if (!env_key && h->n_other_keys > 0) {
		fprintf(stderr, "perfgate: plotting env %s; also stored:", h->env_key);
		for (size_t i = 0; i < h->n_other_keys; i++)
			fprintf(stderr, " %s", h->other_keys[i]);
		fputs(" (choose with --env)\n", stderr);
	}
	/* Red and grey points: each commit against the results before it, as check would decide it. */
	pg_compare_options co = {.regression = o.threshold};
	if (!(rc = pg_plot_select(&l, h, paths, n_paths, o.format)) &&
	    !(rc = pg_gate_history_marks(&verdicts, h, ctx.repo, store, &co)))
		rc = pg_plot_draw(&l, h, dir, &o, verdicts, stdout);
out:
	pg_gate_marks_free(verdicts, h ? h->n_commits : 0);
	pg_plot_list_release(&l);
	free(paths);
	pg_history_free(h);
	pg_store_free(store);
	pg_gate_context_close(&ctx);
	return rc;
}
