/* cmd_prune.c - `perfgate prune`: keep raw samples for recent commits, summaries beyond them */
#include "cli.h"

#include "perfgate/error.h"
#include "perfgate/repo.h"
#include "perfgate/store.h"

#include <stdio.h>
#include <string.h>

static const char usage[] =
	"perfgate prune [--keep-samples N] [--older-than DAYS] [--dry-run] [--store DIR]";

static const char help[] =
	"Retention: along the first-parent history from HEAD, replace the raw samples of\n"
	"result sets by their summaries (which every verb reads) outside the window of\n"
	"recent commits. The notes are rewritten as one parentless notes commit, moved\n"
	"into place by compare-and-swap (a record written meanwhile is kept), so the\n"
	"old notes and their samples are left unreachable for `git gc`. Push the notes\n"
	"afterwards with `perfgate sync` (it pushes the new root with a lease).\n"
	"\n"
	"  --keep-samples N  keep samples on the N most recent commits with results\n"
	"                    (default 50)\n"
	"  --older-than DAYS also prune, inside the window, results created more than\n"
	"                    DAYS days ago\n"
	"  --dry-run         only print what would change\n"
	"  --store DIR       prune the plain-file store DIR instead of refs/notes/perfgate\n"
	"\n"
	"Exit status: 0, 2 bad command line or a shallow clone, 3 the store cannot be\n"
	"read or written.\n";



/* The notes to rewrite (store/prune.c collects them along the walk). */
typedef pg_prune_plan prune_list;

int cmd_prune(int argc, char *argv[])
{
	static const pg_cli_verb verb = {.name = "prune", .usage = usage, .help = help};
	const char *store_dir = NULL;
	pg_gate_context ctx = {0};
	pg_store *store = NULL;
	prune_list l = {0};
	int keep = 50, older = 0, dry_run = 0, rc = 0;
	const pg_cli_option opts[] = {{"keep-samples", 0, PG_CLI_INT, .dest = &keep, .least = 0},
				      {"older-than", 0, PG_CLI_INT, .dest = &older, .least = 1},
				      {"dry-run", 0, PG_CLI_FLAG, .dest = &dry_run},
				      {"store", 0, PG_CLI_STRING, .dest = &store_dir},
				      {0}};

	if ((rc = pg_cli_parse(NULL, &verb, opts, argc, argv))) {
		rc = rc == PG_CLI_HELP ? 0 : rc;
		goto out;
	}
	if ((rc = pg_gate_context_open(&ctx)))
		goto out;
	if (!ctx.repo) {
		rc = pg_error_set(PG_ESYSTEM, "not in a git repository (prune walks the history of one)");
		goto out;
	}
	/* The window counts commits from HEAD: in a shallow clone everything beyond looks prunable. */
	if (git_repository_is_shallow(ctx.repo) == 1) {
		rc = pg_error_set(PG_EINPUT,
				  "prune: the clone is shallow; prune needs the whole history (fetch with fetch-depth 0)");
		goto out;
	}
	rc = pg_gate_open_store(&store, &ctx, store_dir);
	if (!rc)
		rc = pg_store_prune_plan(&l, store, keep, older);
	if (!rc && !dry_run && l.n) {
		char message[128];
		snprintf(message, sizeof(message), "perfgate prune: samples dropped from %zu note%s", l.n,
			 l.n == 1 ? "" : "s");
		rc = pg_store_rewrite(store, l.commits, l.texts, l.n, message);
	}
	if (!rc) {
		size_t before = 0, after = 0;
		for (size_t i = 0; i < l.n; i++) {
			printf("%s %.7s  %zu → %zu bytes  %.50s\n", dry_run ? "would prune" : "pruned", l.commits[i],
			       l.before[i], strlen(l.texts[i]), l.subjects[i]);
			before += l.before[i];
			after += strlen(l.texts[i]);
		}
		printf("%s %zu note%s: %zu → %zu bytes\n", dry_run ? "would prune" : "pruned", l.n, l.n == 1 ? "" : "s",
		       before, after);
	}
out:
	pg_prune_plan_release(&l);
	pg_store_free(store);
	pg_gate_context_close(&ctx);
	return rc;
}
