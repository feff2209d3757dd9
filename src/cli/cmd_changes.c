/* cmd_changes.c - `perfgate changes`: where metrics shifted level along first-parent history */
#include "cli.h"

#include "perfgate/changes.h"
#include "perfgate/error.h"
#include "perfgate/gate_history.h"
#include "perfgate/report.h"
#include "perfgate/store.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"perfgate changes [--metric M]... [-n N] [--min-change P] [--env KEY]\n"
	"                        [--format text|json] [--store DIR]";

static const char help[] =
	"Change points: the commits where a metric's level shifted along the first-parent\n"
	"history from HEAD. Candidate splits come from binary segmentation on the ranks\n"
	"of the per-commit medians; a split stands when Welch's test of the per-commit\n"
	"medians and of all runs pooled per side both pass at 0.01, adjusted for the\n"
	"splits tried. For each: the commit where the new level starts, before -> after\n"
	"(medians of the two segments), the change, its p-value, and the Perfgate-Accept\n"
	"trailer or accept record that covers it. A shift at either end of the history\n"
	"with fewer than 3 commits on one side is listed as \"too few commits to tell\".\n"
	"\n"
	"  --metric M        bench.metric[.stat] (repeatable; default: each benchmark's\n"
	"                    primary metric)\n"
	"  -n N              look at this many commits (default 200)\n"
	"  --min-change P    ignore shifts smaller than P percent (default 5)\n"
	"  --env KEY         results of this environment key (default: the newest key)\n"
	"  --format F        text (default) or json\n"
	"  --store DIR       read the plain-file store DIR instead of refs/notes/perfgate\n"
	"\n"
	"Exit status: 0 (also when there are changes), 2 bad command line, 3 not in a\n"
	"repository or the store cannot be read.\n";

enum { OPT_METRIC = OPT_CLI_LAST, OPT_STORE, OPT_MIN_CHANGE };


int cmd_changes(int argc, char *argv[])
{
	static const struct option longopts[] = {{"env", required_argument, NULL, OPT_ENV},
						  {"metric", required_argument, NULL, OPT_METRIC},
						  {"min-change", required_argument, NULL, OPT_MIN_CHANGE},
						  {"format", required_argument, NULL, OPT_FORMAT},
						  {"store", required_argument, NULL, OPT_STORE},
						  {"help", no_argument, NULL, OPT_HELP},
						  {NULL, 0, NULL, 0}};
	const char *env_key = NULL, *store_dir = NULL;
	char **metrics = NULL, *end;
	size_t n_metrics = 0;
	pg_cli_context ctx = {0};
	pg_store *store = NULL;
	pg_history *h = NULL;
	pg_changes found = {0};
	pg_changes_options o = {0};
	int n = 200, opt, rc = 0, json = 0;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "n:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
		case OPT_HELP:
			printf("usage: %s\n\n%s", usage, help);
			goto out;
		case 'n':
			if ((rc = pg_cli_int(&n, optarg, "-n", 2)))
				goto out;
			break;
		case OPT_METRIC: {
			char **grown = realloc(metrics, (n_metrics + 1) * sizeof(char *));
			if (!grown) {
				rc = pg_error_set(PG_ENOMEM, "out of memory");
				goto out;
			}
			metrics = grown;
			metrics[n_metrics++] = optarg;
			break;
		}
		case OPT_MIN_CHANGE:
			o.min_change = strtod(optarg, &end) / 100.0;
			if (end == optarg || (*end && strcmp(end, "%") != 0) || !(o.min_change > 0) ||
			    !isfinite(o.min_change)) {
				rc = pg_error_set(PG_EINPUT, "--min-change %s: a positive percentage, e.g. 5", optarg);
				goto out;
			}
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "json") != 0 && strcmp(optarg, "text") != 0) {
				rc = pg_error_set(PG_EINPUT, "--format %s: text or json", optarg);
				goto out;
			}
			json = strcmp(optarg, "json") == 0;
			break;
		case OPT_ENV:
			env_key = optarg;
			break;
		case OPT_STORE:
			store_dir = optarg;
			break;
		default:
			rc = pg_cli_bad_option("changes", usage, argv);
			goto out;
		}
	}
	if (optind < argc) {
		rc = pg_error_set(PG_EINPUT, "changes: unexpected argument '%s'\nusage: %s", argv[optind],
				  usage);
		goto out;
	}
	if ((rc = pg_cli_open_history(&ctx, &store, store_dir, "changes")) ||
	    (rc = pg_gate_changes(&found, &h, ctx.repo, store, n, env_key, metrics, n_metrics, &o)))
		goto out;
	for (size_t i = 0; i < h->n_warnings && !json; i++)
		fprintf(stderr, "perfgate: warning: %s\n", h->warnings[i]);
	if (json)
		rc = pg_report_changes_json(stdout, &found, h, h->n_commits);
	else
		pg_report_changes_text(stdout, &found, h, h->n_commits, o.min_segment ? o.min_segment : 3);
out:
	pg_changes_release(&found);
	pg_history_free(h);
	free(metrics);
	pg_store_free(store);
	pg_cli_context_close(&ctx);
	return rc;
}
