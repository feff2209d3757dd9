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

int cmd_accept(int argc, char *argv[])
{
	static const pg_cli_verb verb = {.name = "accept", .usage = usage, .help = help,
					 .operands = PG_CLI_OPERANDS};
	const char *reason = NULL, *max = NULL, *rev = "HEAD", *store_dir = NULL;
	pg_gate_context ctx = {0};
	pg_store *store = NULL;
	char *commit = NULL;
	int first, rc = 0;
	const pg_cli_option opts[] = {{"reason", 0, PG_CLI_STRING, .dest = &reason},
				      {"max", 0, PG_CLI_STRING, .dest = &max},
				      {"commit", 0, PG_CLI_STRING, .dest = &rev},
				      {"store", 0, PG_CLI_STRING, .dest = &store_dir},
				      {0}};

	if ((rc = pg_cli_parse(&first, &verb, opts, argc, argv)))
		return rc == PG_CLI_HELP ? 0 : rc;
	if (first >= argc)
		return pg_error_set(PG_EINPUT, "accept: name at least one metric glob\nusage: %s", usage);
	if (!reason || !*reason)
		return pg_error_set(PG_EINPUT, "accept: --reason is required (it is what reviewers read)\nusage: %s", usage);
	if (strpbrk(reason, "\r\n"))
		return pg_error_set(PG_EINPUT, "accept: --reason: expected one line (it is printed in every report)");
	/* The same parser as the trailers: a bad bound or glob is refused here, not ignored later. */
	for (int i = first; i < argc; i++) {
		char text[700];
		pg_acceptance probe;
		snprintf(text, sizeof(text), "%s %s", argv[i], max ? max : "");
		if ((rc = pg_acceptance_parse(&probe, text, "accept")))
			return pg_error_wrap(rc, "accept %s", argv[i]);
		free(probe.glob);
		free(probe.by);
	}
	if ((rc = pg_gate_context_open(&ctx)))
		goto out;
	if (!ctx.repo) {
		rc = pg_error_set(PG_ESYSTEM, "accept: not in a git repository");
		goto out;
	}
	if ((rc = pg_repo_resolve_commit(&commit, ctx.repo, rev)))
		goto out;
	rc = pg_gate_open_store(&store, &ctx, store_dir);
	if (rc || (rc = pg_accept_record_save(store, commit, argv + first, (size_t)(argc - first), max, reason)))
		goto out;
	printf("accepted on %.7s: %d metric glob%s%s%s — %s\n", commit, argc - first,
	       argc - first == 1 ? "" : "s", max ? " up to " : "", max ? max : "", reason);
out:
	free(commit);
	pg_store_free(store);
	pg_gate_context_close(&ctx);
	return rc;
}
