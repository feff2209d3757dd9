/* cmd_log.c - `perfgate log`: stored results along first-parent history, one row per commit */
#include "cli.h"

#include "perfgate/error.h"
#include "perfgate/gate_history.h"
#include "perfgate/log.h"
#include "perfgate/report.h"
#include "perfgate/store.h"

#include <stdio.h>

static const char usage[] = "perfgate log [-n N] [--metric M]... [--env KEY] [--store DIR]";

static const char help[] =
	"A table of stored results along the first-parent history from HEAD: commit,\n"
	"date of the result, subject, and a column per metric (· where a commit has\n"
	"no result). A value is marked where `perfgate check` of that commit against\n"
	"the results before it (same env key) would say so: ✗ a regression (over the\n"
	"threshold, 10 % or 20 % for sizes, and significant on the runs), ? inconclusive\n"
	"(over the threshold, not significant or too few runs), ✓ accepted by a\n"
	"Perfgate-Accept trailer or accept record, ! worse on a metric no gate holds.\n"
	"\n"
	"  -n N              this many commits (default 20)\n"
	"  --metric M        a column for bench.metric[.stat] (repeatable; default:\n"
	"                    each benchmark's primary metric, median)\n"
	"  --env KEY         only result sets of this environment key (default: the\n"
	"                    latest set of each key, a row per key)\n"
	"  --store DIR       read the plain-file store DIR instead of refs/notes/perfgate\n"
	"\n"
	"Exit status: 0, 2 bad command line, 3 not in a repository or the store\n"
	"cannot be read.\n";

/* --metric M: a column of its own, and only the columns asked for. */
static int metric_option(void *t, const char *path)
{
	((pg_log_table *)t)->fixed_columns = 1;
	return pg_log_table_add_column(t, path);
}

int cmd_log(int argc, char *argv[])
{
	static const pg_cli_verb verb = {.name = "log", .usage = usage, .help = help};
	const char *env_key = NULL, *store_dir = NULL;
	pg_gate_context ctx = {0};
	pg_store *store = NULL;
	pg_log_table t = {0};
	int n = 20, rc = 0;
	const pg_cli_option opts[] = {{NULL, 'n', PG_CLI_INT, .dest = &n, .least = 1},
				      {"metric", 0, PG_CLI_CALL, .dest = &t, .call = metric_option},
				      {"env", 0, PG_CLI_STRING, .dest = &env_key},
				      {"store", 0, PG_CLI_STRING, .dest = &store_dir},
				      {0}};

	if ((rc = pg_cli_parse(NULL, &verb, opts, argc, argv))) {
		rc = rc == PG_CLI_HELP ? 0 : rc;
		goto out;
	}
	rc = pg_gate_open_history(&ctx, &store, store_dir, "log");
	if (!rc)
		rc = pg_gate_log(&t, ctx.repo, store, n, env_key);
	pg_log_warnings(t.warnings, t.n_warnings);
	if (!rc)
		pg_report_log_text(stdout, &t);
out:
	pg_log_table_release(&t);
	pg_store_free(store);
	pg_gate_context_close(&ctx);
	return rc;
}
