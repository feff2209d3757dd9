/* cmd_accept.c - `perfgate accept`: record on a commit that its change of some metrics is intended */
#include "cli.h"

#include "perfgate/accept.h"
#include "perfgate/error.h"
#include "perfgate/repo.h"
#include "perfgate/store.h"

#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"perfgate accept METRIC-GLOB... --reason TEXT [--max +N%] [--commit REV] [--store DIR]";

static const char help[] =
	"For a commit that cannot carry a Perfgate-Accept trailer (a merge, a squash made\n"
	"by GitHub): record in its note that the change of the metrics matching the\n"
	"globs (fnmatch on bench.metric, e.g. 'matcher.latency*') is intended, up to\n"
	"--max when given. check and compare report those metrics as accepted for any\n"
	"baseline before that commit. The record is synced like any note.\n"
	"\n"
	"  --reason TEXT   why (required; shown in every report)\n"
	"  --max +N%       accept up to this change; beyond it still fails\n"
	"  --commit REV    the commit (default HEAD)\n";

enum { OPT_REASON = OPT_CLI_LAST, OPT_MAX, OPT_COMMIT, OPT_STORE };

int cmd_accept(int argc, char *argv[])
{
	static const struct option longopts[] = {{"reason", required_argument, NULL, OPT_REASON},
						  {"max", required_argument, NULL, OPT_MAX},
						  {"commit", required_argument, NULL, OPT_COMMIT},
						  {"store", required_argument, NULL, OPT_STORE},
						  {"help", no_argument, NULL, OPT_HELP},
						  {NULL, 0, NULL, 0}};
	const char *reason = NULL, *max = NULL, *rev = "HEAD", *store_dir = NULL;
	pg_cli_context ctx = {0};
	pg_store *store = NULL;
	char *commit = NULL;
	int opt, rc = 0;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (opt == 'h' || opt == OPT_HELP) {
			printf("usage: %s\n\n%s", usage, help);
			return 0;
		}
		if (opt == OPT_REASON)
			reason = optarg;
		else if (opt == OPT_MAX)
			max = optarg;
		else if (opt == OPT_COMMIT)
			rev = optarg;
		else if (opt == OPT_STORE)
			store_dir = optarg;
		else
			return pg_cli_bad_option("accept", usage, argv);
	}
	if (optind >= argc)
		return pg_error_set(PG_EINPUT, "accept: name at least one metric glob\nusage: %s", usage);
	if (!reason || !*reason)
		return pg_error_set(PG_EINPUT, "accept: --reason is required (it is what reviewers read)\nusage: %s", usage);
	/* The same parser as the trailers: a bad bound or glob is refused here, not ignored later. */
	for (int i = optind; i < argc; i++) {
		char text[700];
		pg_acceptance probe;
		snprintf(text, sizeof(text), "%s %s", argv[i], max ? max : "");
		if ((rc = pg_acceptance_parse(&probe, text, "accept")))
			return pg_error_wrap(rc, "accept %s", argv[i]);
		free(probe.glob);
		free(probe.by);
	}
	if ((rc = pg_cli_context_open(&ctx)))
		goto out;
	if (!ctx.repo) {
		rc = pg_error_set(PG_ESYSTEM, "accept: not in a git repository");
		goto out;
	}
	if ((rc = pg_repo_resolve_commit(&commit, ctx.repo, rev)))
		goto out;
	rc = pg_cli_open_store(&store, &ctx, store_dir);
	if (rc || (rc = pg_accept_record_save(store, commit, argv + optind, (size_t)(argc - optind), max, reason)))
		goto out;
	printf("accepted on %.7s: %d metric glob%s%s%s — %s\n", commit, argc - optind,
	       argc - optind == 1 ? "" : "s", max ? " up to " : "", max ? max : "", reason);
out:
	free(commit);
	pg_store_free(store);
	pg_cli_context_close(&ctx);
	return rc;
}
