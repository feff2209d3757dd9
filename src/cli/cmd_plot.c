/* cmd_plot.c - `perfgate plot`: gnuplot history plots of metrics along first-parent history */
#include "cli.h"

#include "perfgate/compare.h"
#include "perfgate/error.h"
#include "perfgate/gate_history.h"
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

enum { OPT_METRIC = OPT_CLI_LAST, OPT_STORE };


static int any_result(const pg_history *h)
{
	for (size_t i = 0; i < h->n_commits; i++)
		if (h->commits[i].rs)
			return 1;
	return 0;
}

int cmd_plot(int argc, char *argv[])
{
	static const struct option longopts[] = {{"env", required_argument, NULL, OPT_ENV},
						  {"format", required_argument, NULL, OPT_FORMAT},
						  {"metric", required_argument, NULL, OPT_METRIC},
						  {"store", required_argument, NULL, OPT_STORE},
						  {"threshold", required_argument, NULL, OPT_THRESHOLD},
						  {"output", required_argument, NULL, 'o'},
						  {"help", no_argument, NULL, OPT_HELP},
						  {NULL, 0, NULL, 0}};
	const char *env_key = NULL, *store_dir = NULL, *dir = ".";
	const char **paths = NULL;
	size_t n_paths = 0;
	pg_plot_options o = {.format = PG_PLOT_PNG, .threshold = 0.10};
	pg_cli_context ctx = {0};
	pg_store *store = NULL;
	pg_history *h = NULL;
	pg_plot_list l = {0};
	pg_verdict **verdicts = NULL;
	char head[GIT_OID_HEXSZ + 1];
	int n = 50, opt, rc = 0;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "n:o:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
		case OPT_HELP:
			printf("usage: %s\n\n%s", usage, help);
			goto out;
		case 'n':
			if ((rc = pg_cli_int(&n, optarg, "-n", 1)))
				goto out;
			break;
		case 'o':
			dir = optarg;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "png") == 0 || strcmp(optarg, "svg") == 0) {
				o.format = optarg[0] == 's' ? PG_PLOT_SVG : PG_PLOT_PNG;
				break;
			}
			rc = pg_error_set(PG_EINPUT, "plot: --format %s: expected png or svg", optarg);
			goto out;
		case OPT_METRIC: {
			const char **grown = realloc(paths, (n_paths + 1) * sizeof(*grown));
			if (!grown) {
				rc = pg_error_set(PG_ENOMEM, "out of memory");
				goto out;
			}
			paths = grown;
			paths[n_paths++] = optarg;
			break;
		}
		case OPT_ENV:
			env_key = optarg;
			break;
		case OPT_STORE:
			store_dir = optarg;
			break;
		case OPT_THRESHOLD:
			if ((rc = pg_cli_threshold(&o.threshold, optarg)))
				goto out;
			break;
		default:
			rc = pg_cli_bad_option("plot", usage, argv);
			goto out;
		}
	}
	if (optind < argc) {
		rc = pg_error_set(PG_EINPUT, "plot: unexpected argument '%s'\nusage: %s", argv[optind], usage);
		goto out;
	}
	rc = pg_cli_open_history(&ctx, &store, store_dir, "plot");
	if (rc || (rc = pg_repo_head_id(head, ctx.repo, "plot")) ||
	    (rc = pg_history_load(&h, store, head, n, env_key, 1)))
		goto out;
	for (size_t i = 0; i < h->n_warnings; i++)
		fprintf(stderr, "perfgate: warning: %s\n", h->warnings[i]);
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
	if (!(rc = pg_plot_select(&l, h, paths, n_paths, o.format, stderr)) &&
	    !(rc = pg_gate_history_marks(&verdicts, h, ctx.repo, store, &co)))
		rc = pg_plot_draw(&l, h, dir, &o, verdicts, stdout);
out:
	pg_gate_marks_free(verdicts, h ? h->n_commits : 0);
	pg_plot_list_release(&l);
	free(paths);
	pg_history_free(h);
	pg_store_free(store);
	pg_cli_context_close(&ctx);
	return rc;
}
