/* cmd_show.c - `perfgate show`: what is stored on one commit */
#include "cli.h"

#include "perfgate/error.h"
#include "perfgate/log.h"
#include "perfgate/repo.h"
#include "perfgate/report.h"
#include "perfgate/store.h"

#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"perfgate show [REV] [--env KEY] [--all-runs] [--format text|json] [--store DIR] [--size]";

static const char help[] =
	"Show the result sets and acceptances stored on a commit (default HEAD):\n"
	"per result set its environment key, time, run id and dirty flag, and per\n"
	"benchmark its status and the median of its primary metric.\n"
	"\n"
	"  --env KEY         only result sets of this environment key\n"
	"  --all-runs        every result set, not only the latest per environment key\n"
	"  --format F        text (default) or json (the records as JSON Lines)\n"
	"  --store DIR       read the plain-file store DIR instead of refs/notes/perfgate\n"
	"  --size            the size of the note and of each record in it\n"
	"\n"
	"Exit status: 0 (also when nothing is stored), 2 bad command line or revision,\n"
	"3 not in a repository (without --store) or the store cannot be read.\n";

typedef struct show_options {
	const char *rev, *env_key, *store_dir;
	int all_runs, json, size;
} show_options;

/* The commit REV names, as 40 hex; "unversioned" reaches the unversioned file of a dir store. */
static int resolve_rev(char out[41], git_repository *repo, const show_options *o)
{
	const char *rev = o->rev ? o->rev : repo ? "HEAD" : "unversioned";
	if (repo) {
		git_object *obj = NULL, *peeled = NULL;
		int found = git_revparse_single(&obj, repo, rev) == 0 &&
			    git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) == 0;
		if (found)
			git_oid_tostr(out, 41, git_object_id(peeled));
		git_object_free(obj);
		git_object_free(peeled);
		if (found)
			return 0;
	}
	if (o->store_dir && strcmp(rev, "unversioned") == 0) {
		strcpy(out, rev);
		return 0;
	}
	if (!repo && strlen(rev) == 40 && strspn(rev, "0123456789abcdefABCDEF") == 40) {
		strcpy(out, rev);
		return 0;
	}
	if (!repo)
		return pg_error_set(PG_EINPUT,
				    "%s: outside a repository, name a commit by its 40 hex digits "
				    "(or \"unversioned\")",
				    rev);
	return pg_error_set(PG_EINPUT, "%s: not a commit in this repository", rev);
}

static int show(pg_store *store, git_repository *repo, const char *commit, const show_options *o)
{
	pg_commit_records r;
	pg_show_options so = {o->env_key, o->all_runs};
	/* --all-runs shows each set as stored; otherwise the latest of a key holds what older ones add. */
	int rc = o->all_runs ? pg_store_read_sets(&r, store, commit, 0) : pg_store_read(&r, store, commit);
	if (rc)
		return rc;
	pg_log_warnings(r.warnings, r.n_warnings);
	if (o->size) {
		char *text = NULL;
		size_t len = 0;
		if (!(rc = pg_store_read_text(&text, &len, store, commit)))
			pg_report_show_size(stdout, commit, text, len, o->json);
		free(text);
	} else if (o->json) {
		rc = pg_report_show_json(stdout, &r, &so);
	} else {
		char *subject = pg_repo_subject(repo, commit);
		if (!subject)
			rc = pg_error_set(PG_ENOMEM, "out of memory");
		else
			pg_report_show_text(stdout, commit, subject, &r, &so);
		free(subject);
	}
	pg_commit_records_release(&r);
	return rc;
}

int cmd_show(int argc, char *argv[])
{
	static const char *const formats[] = {"text", "json", NULL};
	static const pg_cli_verb verb = {.name = "show", .usage = usage, .help = help,
					 .operands = PG_CLI_OPERANDS};
	show_options o = {0};
	pg_gate_context ctx = {0};
	pg_store *store = NULL;
	char commit[41];
	int first, rc = 0;
	const pg_cli_option opts[] = {{"env", 0, PG_CLI_STRING, .dest = &o.env_key},
				      {"format", 0, PG_CLI_CHOICE, .dest = &o.json, .words = formats,
				       .refusal = "--format: unknown format '%s' for show (expected text or json)"},
				      {"all-runs", 0, PG_CLI_FLAG, .dest = &o.all_runs},
				      {"store", 0, PG_CLI_STRING, .dest = &o.store_dir},
				      {"size", 0, PG_CLI_FLAG, .dest = &o.size},
				      {0}};

	if ((rc = pg_cli_parse(&first, &verb, opts, argc, argv)))
		return rc == PG_CLI_HELP ? 0 : rc;
	if (first < argc)
		o.rev = argv[first++];
	if (first < argc)
		return pg_error_set(PG_EINPUT, "show: one revision at most, found '%s' too\nusage: %s",
				    argv[first], usage);
	if ((rc = pg_gate_context_open(&ctx)))
		goto out;
	if (!ctx.repo && !o.store_dir) {
		rc = pg_error_set(PG_ESYSTEM, "not in a git repository (run inside one, or give --store DIR)");
		goto out;
	}
	if ((rc = resolve_rev(commit, ctx.repo, &o)))
		goto out;
	rc = pg_gate_open_store(&store, &ctx, o.store_dir);
	if (!rc)
		rc = show(store, ctx.repo, commit, &o);
out:
	pg_store_free(store);
	pg_gate_context_close(&ctx);
	return rc;
}
