/* cmd_sync.c - `perfgate sync`: share refs/notes/perfgate with a git remote */
#include "cli.h"

#include "perfgate/error.h"
#include "perfgate/store.h"

#include <stdio.h>
#include <string.h>

static const char usage[] = "perfgate sync [REMOTE]";

static const char help[] =
	"Fetch REMOTE's refs/notes/perfgate (default remote: origin), merge it with the\n"
	"local notes (the union of every commit's records), and push the result with a\n"
	"lease, so a concurrent sync elsewhere is merged, not overwritten; retried when\n"
	"another pusher wins. git does the network part: credentials work as for git.\n"
	"\n"
	"Exit status: 0 in sync, 2 bad command line, 3 not in a repository, or git\n"
	"could not fetch or push (its message is quoted).\n";


int cmd_sync(int argc, char *argv[])
{
	static const pg_cli_verb verb = {.name = "sync", .usage = usage, .help = help,
					 .operands = PG_CLI_OPERANDS};
	static const pg_cli_option opts[] = {{0}};
	pg_gate_context ctx = {0};
	const char *remote = "origin";
	pg_sync_outcome done;
	int first, rc;

	if ((rc = pg_cli_parse(&first, &verb, opts, argc, argv)))
		return rc == PG_CLI_HELP ? 0 : rc;
	if (first < argc)
		remote = argv[first++];
	if (first < argc)
		return pg_error_set(PG_EINPUT, "sync: one remote at most, found '%s' too\nusage: %s",
				    argv[first], usage);
	if ((rc = pg_gate_context_open(&ctx)))
		return rc;
	if (!ctx.repo)
		rc = pg_error_set(PG_ESYSTEM, "not in a git repository (sync shares the notes of one)");
	else if ((rc = pg_store_sync(&done, ctx.repo, remote, NULL)) == 0 && done.pushed && done.merged)
		printf("%s: merged %s's notes, pushed the union to it\n", PG_NOTES_REF, remote);
	else if (!rc && done.pushed)
		printf("%s: pushed to %s (it had nothing this clone lacked)\n", PG_NOTES_REF, remote);
	else if (!rc && done.merged)
		printf("%s: merged %s's notes (it lacked nothing of this clone's)\n", PG_NOTES_REF, remote);
	else if (!rc)
		printf("%s: %s %s\n", PG_NOTES_REF,
		       done.local_had || done.remote_had ? "already in sync with" : "nothing stored here or on", remote);
	pg_gate_context_close(&ctx);
	return rc;
}
