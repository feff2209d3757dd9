/* cmd_changes.c - `perfgate changes`: where metrics shifted level along first-parent history */
#include "cli.h"

#include "perfgate/changes.h"
#include "perfgate/error.h"
#include "perfgate/gate_history.h"
#include "perfgate/log.h"
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



/* --min-change P: a positive percentage, "5" or "5%", as a fraction. */
static int min_change_option(void *fraction, const char *value)
{
	char *end;
	double *f = fraction;
	*f = strtod(value, &end) / 100.0;
	if (end == value || (*end && strcmp(end, "%") != 0) || !(*f > 0) || !isfinite(*f))
		return pg_error_set(PG_EINPUT, "--min-change %s: a positive percentage, e.g. 5", value);
	return 0;
}

int cmd_changes(int argc, char *argv[])
{
	static const char *const formats[] = {"text", "json", NULL};
	static const pg_cli_verb verb = {.name = "changes", .usage = usage, .help = help};
	const char *env_key = NULL, *store_dir = NULL;
	char **metrics = NULL;
	size_t n_metrics = 0;
	pg_gate_context ctx = {0};
	pg_store *store = NULL;
	pg_history *h = NULL;
	pg_changes found = {0};
	pg_changes_options o = {0};
	int n = 200, rc = 0, json = 0;
	const pg_cli_option opts[] = {{NULL, 'n', PG_CLI_INT, .dest = &n, .least = 2},
				      {"metric", 0, PG_CLI_LIST, .dest = &metrics, .count = &n_metrics},
				      {"min-change", 0, PG_CLI_CALL, .dest = &o.min_change, .call = min_change_option},
				      {"format", 0, PG_CLI_CHOICE, .dest = &json, .words = formats,
				       .refusal = "--format %s: text or json"},
				      {"env", 0, PG_CLI_STRING, .dest = &env_key},
				      {"store", 0, PG_CLI_STRING, .dest = &store_dir},
				      {0}};

	if ((rc = pg_cli_parse(NULL, &verb, opts, argc, argv))) {
		rc = rc == PG_CLI_HELP ? 0 : rc;
		goto out;
	}
	if ((rc = pg_gate_open_history(&ctx, &store, store_dir, "changes")) ||
	    (rc = pg_gate_changes(&found, &h, ctx.repo, store, n, env_key, metrics, n_metrics, &o)))
		goto out;
	for (size_t i = 0; i < h->n_warnings && !json; i++)
		pg_log_warning("%s", h->warnings[i]);
	if (json)
		rc = pg_report_changes_json(stdout, &found, h, h->n_commits);
	else
		pg_report_changes_text(stdout, &found, h, h->n_commits, o.min_segment ? o.min_segment : 3);
out:
	pg_changes_release(&found);
	pg_history_free(h);
	free(metrics);
	pg_store_free(store);
	pg_gate_context_close(&ctx);
	return rc;
}
