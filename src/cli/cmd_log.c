/* cmd_log.c - `perfgate log`: stored results along first-parent history, one row per commit */
#include "cli.h"

#include "perfgate/error.h"
#include "perfgate/gate_history.h"
#include "perfgate/report.h"
#include "perfgate/store.h"

#include <stdio.h>

static const char usage[] = "perfgate log [-n N] [--metric M]... [--env KEY] [--store DIR]";

static const char help[] =
	"A table of stored results along the first-parent history from HEAD: commit,\n"
	"date of the result, subject, and a column per metric (· where a commit has\n"
	"no result). A value is marked where `perfgate check` of that commit against\n"
	"the results before it (same env key) would say so: ✗ a regression (over the\n"
	"threshold, 10 %% or 20 %% for sizes, and significant on the runs), ? inconclusive\n"
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

enum { OPT_METRIC = OPT_CLI_LAST, OPT_STORE };

/* The table gate/log.c fills and report/log_text.c prints. */
typedef pg_log_table table;

static int add_metric_column(table *t, const char *path)
{
	return pg_log_table_add_column(t, path);
}

int cmd_log(int argc, char *argv[])
{
	static const struct option longopts[] = {{"env", required_argument, NULL, OPT_ENV},
						  {"metric", required_argument, NULL, OPT_METRIC},
						  {"store", required_argument, NULL, OPT_STORE},
						  {"help", no_argument, NULL, OPT_HELP},
						  {NULL, 0, NULL, 0}};
	const char *env_key = NULL, *store_dir = NULL;
	pg_cli_context ctx = {0};
	pg_store *store = NULL;
	table t = {0};
	int n = 20, opt, rc = 0;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "n:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
		case OPT_HELP:
			printf("usage: %s\n\n%s", usage, help);
			goto out;
		case 'n':
			if ((rc = pg_cli_int(&n, optarg, "-n", 1)))
				goto out;
			break;
		case OPT_METRIC:
			t.fixed_columns = 1;
			if ((rc = add_metric_column(&t, optarg)))
				goto out;
			break;
		case OPT_ENV:
			env_key = optarg;
			break;
		case OPT_STORE:
			store_dir = optarg;
			break;
		default:
			rc = pg_cli_bad_option("log", usage, argv);
			goto out;
		}
	}
	if (optind < argc) {
		rc = pg_error_set(PG_EINPUT, "log: unexpected argument '%s'\nusage: %s", argv[optind], usage);
		goto out;
	}
	rc = pg_cli_open_history(&ctx, &store, store_dir, "log");
	if (!rc)
		rc = pg_gate_log(&t, ctx.repo, store, n, env_key);
	for (size_t i = 0; i < t.n_warnings; i++)
		fprintf(stderr, "perfgate: warning: %s\n", t.warnings[i]);
	if (!rc)
		pg_report_log_text(stdout, &t);
out:
	pg_log_table_release(&t);
	pg_store_free(store);
	pg_cli_context_close(&ctx);
	return rc;
}
