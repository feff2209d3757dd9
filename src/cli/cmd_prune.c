/* cmd_prune.c - `perfgate prune`: keep raw samples for recent commits, summaries beyond them */
#include "cli.h"

#include "perfgate/error.h"
#include "perfgate/repo.h"
#include "perfgate/store.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

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



/* Seconds since the epoch of an ISO 8601 UTC time ("2024-05-01T12:00:00.000Z"); -1 if unreadable. */
static time_t parse_created(const char *iso)
{
	struct tm tm = {0};
	if (!iso || sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
			   &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return timegm(&tm);
}

/* The notes to rewrite, collected along the walk and written at once. */
typedef struct prune_list {
	char **commits, **texts, **subjects;
	size_t *before;
	size_t n;
} prune_list;

static void list_free(prune_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->commits[i]);
		free(l->texts[i]);
		free(l->subjects[i]);
	}
	free(l->commits);
	free(l->texts);
	free(l->subjects);
	free(l->before);
}

/* One commit outside the window: its note without samples, to be written (or only shown). */
static int prune_commit(prune_list *l, const git_commit *commit, const char *hex, const char *text, size_t len)
{
	char *lean = NULL;
	int rc = pg_store_strip_samples(&lean, text);
	if (rc || !lean)
		return rc;
	const char *subject = git_commit_summary((git_commit *)commit);
	char **c = realloc(l->commits, (l->n + 1) * sizeof(char *));
	l->commits = c ? c : l->commits;
	char **t = c ? realloc(l->texts, (l->n + 1) * sizeof(char *)) : NULL;
	l->texts = t ? t : l->texts;
	char **su = t ? realloc(l->subjects, (l->n + 1) * sizeof(char *)) : NULL;
	l->subjects = su ? su : l->subjects;
	size_t *b = su ? realloc(l->before, (l->n + 1) * sizeof(size_t)) : NULL;
	l->before = b ? b : l->before;
	if (!b) {
		free(lean);
		return pg_error_set(PG_ENOMEM, "out of memory");
	}
	l->commits[l->n] = strdup(hex);
	l->texts[l->n] = lean;
	l->subjects[l->n] = strdup(subject ? subject : "");
	l->before[l->n] = len;
	l->n++;
	return l->commits[l->n - 1] && l->subjects[l->n - 1] ? 0 : pg_error_set(PG_ENOMEM, "out of memory");
}

static int walk(prune_list *l, pg_store *store, git_repository *repo, int keep, int older_days)
{
	git_commit *commit = NULL;
	git_oid head;
	int rc = 0, with_results = 0;
	time_t cutoff = older_days > 0 ? time(NULL) - (time_t)older_days * 86400 : 0;
	if (git_reference_name_to_id(&head, repo, "HEAD") < 0 || git_commit_lookup(&commit, repo, &head) < 0)
		return pg_error_set(PG_EINPUT, "prune: cannot read HEAD's commit: %s", pg_git_error());
	while (!rc) {
		char hex[GIT_OID_HEXSZ + 1], *text = NULL;
		size_t len = 0;
		git_commit *parent = NULL;
		git_oid_tostr(hex, sizeof(hex), git_commit_id(commit));
		if ((rc = pg_store_read_text(&text, &len, store, hex)))
			break;
		if (text) {
			pg_commit_records r;
			if ((rc = pg_store_read_summaries(&r, store, hex))) {
				free(text);
				break;
			}
			const pg_result_set *newest = pg_records_latest(&r, NULL);
			int old = cutoff && newest && parse_created(newest->created) >= 0 &&
				  parse_created(newest->created) < cutoff;
			if (r.n_sets > 0 && (with_results++ >= keep || old))
				rc = prune_commit(l, commit, hex, text, len);
			pg_commit_records_release(&r);
			free(text);
		}
		if (rc || git_commit_parentcount(commit) == 0)
			break;
		if (git_commit_parent(&parent, commit, 0) < 0) {
			rc = pg_error_set(PG_EINPUT, "prune: history ends at %.7s (%s): fetch with fetch-depth 0",
					  hex, pg_git_error());
			break;
		}
		git_commit_free(commit);
		commit = parent;
	}
	git_commit_free(commit);
	return rc;
}

int cmd_prune(int argc, char *argv[])
{
	static const pg_cli_verb verb = {.name = "prune", .usage = usage, .help = help};
	const char *store_dir = NULL;
	pg_cli_context ctx = {0};
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
	if ((rc = pg_cli_context_open(&ctx)))
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
	rc = pg_cli_open_store(&store, &ctx, store_dir);
	if (!rc)
		rc = walk(&l, store, ctx.repo, keep, older);
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
	list_free(&l);
	pg_store_free(store);
	pg_cli_context_close(&ctx);
	return rc;
}
