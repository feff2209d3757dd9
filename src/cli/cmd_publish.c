/* cmd_publish.c - `perfgate publish`: the static dashboard site of the stored results */
#include "cli.h"

#include "perfgate/error.h"
#include "perfgate/gate_history.h"
#include "perfgate/gates.h"
#include "perfgate/log.h"
#include "perfgate/publish.h"
#include "perfgate/repo.h"
#include "perfgate/store.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
	"perfgate publish -o DIR [--env KEY]... [-n N] [--repo-url URL] [--title T]\n"
	"                        [-c GATES] [--store DIR]";

static const char help[] =
	"Write a static site of the results stored along the first-parent history from\n"
	"HEAD, for GitHub Pages or any web server: index.html with a card per benchmark\n"
	"(latest value of each gated or primary metric, its gate and status, the change\n"
	"against the previous release tag and against N commits back, a trend), a page\n"
	"per metric (the gnuplot history plot, inline, its change points and a table of\n"
	"its commits), a page per release tag on the walk (its sign-off against the\n"
	"release tag before it) and data.json. Plain HTML and CSS with inline SVG: no\n"
	"request to any other host.\n"
	"A file whose content did not change is not rewritten.\n"
	"\n"
	"  -o DIR            the site's directory (created when missing)\n"
	"  --env KEY         results of this environment key (repeatable: side by side;\n"
	"                    default: the newest key, then every other key found)\n"
	"  -n N              this many commits (default 50)\n"
	"  --repo-url URL    link commits to URL/commit/SHA (http:// or https://)\n"
	"  --title T         the site's title (default perfgate)\n"
	"  -c GATES          status from this gates file (default: gates/default.json at\n"
	"                    the repository root when there is one; without gates, the\n"
	"                    change against the previous result and a 10% threshold)\n"
	"  --store DIR       read the plain-file store DIR instead of refs/notes/perfgate\n"
	"\n"
	"Without gnuplot the pages have no plots and say why. Exit status: 0 site\n"
	"written, 2 bad command line or gates file, 3 not in a repository, nothing\n"
	"stored, a file that cannot be written.\n";



/* -c, else the repository's gates/default.json when it has one; none is fine. */
static int load_gates(pg_gates **out, const pg_gate_context *ctx, const char *path)
{
	pg_gate_options c = PG_GATE_OPTIONS_INIT;
	*out = NULL;
	if (!path) {
		char *def = ctx->root ? malloc(strlen(ctx->root) + sizeof("/gates/default.json")) : NULL;
		int present = 0;
		if (def) {
			snprintf(def, strlen(ctx->root) + sizeof("/gates/default.json"), "%s/gates/default.json",
				 ctx->root);
			present = access(def, F_OK) == 0;
		}
		free(def);
		if (!present)
			return 0;
	}
	c.gates_path = path;
	return pg_gate_load_gates(out, ctx, &c);
}

/*
 * --repo-url URL: commits link to URL/commit/SHA, with exactly one slash.
 * Only http(s) with a host: the pages put it in href attributes, where
 * javascript: or data: would run when a reader clicks a commit.
 */
static int repo_url_option(void *url, const char *value)
{
	char **u = url;
	size_t scheme = strncmp(value, "https://", 8) == 0 ? 8 : strncmp(value, "http://", 7) == 0 ? 7 : 0;
	if (!scheme || !value[scheme] || value[scheme] == '/' || strpbrk(value, " \t\r\n\"'<>`"))
		return pg_error_set(PG_EINPUT, "--repo-url '%s': expected an http:// or https:// address of the repository, such as https://github.com/OWNER/REPO",
				    value);
	free(*u);
	if (!(*u = strdup(value)))
		return pg_error_set(PG_ENOMEM, "out of memory");
	for (size_t len = strlen(*u); len > 0 && (*u)[len - 1] == '/'; len--)
		(*u)[len - 1] = '\0';
	return 0;
}

int cmd_publish(int argc, char *argv[])
{
	static const pg_cli_verb verb = {.name = "publish", .usage = usage, .help = help};
	const char *store_dir = NULL, *gates_path = NULL;
	const char **keys = NULL;
	char *repo_url = NULL;
	pg_publish_options o = {0};
	pg_publish_counts counts = {0};
	pg_gate_context ctx = {0};
	pg_store *store = NULL;
	pg_gates *gates = NULL;
	char head[GIT_OID_HEXSZ + 1];
	int rc = 0;
	const pg_cli_option opts[] = {{NULL, 'n', PG_CLI_INT, .dest = &o.n, .least = 1},
				      {"output", 'o', PG_CLI_STRING, .dest = &o.dir},
				      {NULL, 'c', PG_CLI_STRING, .dest = &gates_path},
				      {"env", 0, PG_CLI_LIST, .dest = &keys, .count = &o.n_env_keys},
				      {"store", 0, PG_CLI_STRING, .dest = &store_dir},
				      {"repo-url", 0, PG_CLI_CALL, .dest = &repo_url, .call = repo_url_option},
				      {"title", 0, PG_CLI_STRING, .dest = &o.title},
				      {0}};

	if ((rc = pg_cli_parse(NULL, &verb, opts, argc, argv))) {
		rc = rc == PG_CLI_HELP ? 0 : rc;
		goto out;
	}
	if (!o.dir) {
		rc = pg_error_set(PG_EINPUT, "publish: -o DIR is required (where the site goes)\nusage: %s", usage);
		goto out;
	}
	o.env_keys = keys;
	o.repo_url = repo_url;
	if ((rc = pg_gate_context_open(&ctx)))
		goto out;
	if (!ctx.repo) {
		rc = pg_error_set(PG_ESYSTEM, "not in a git repository (publish walks the history of one)");
		goto out;
	}
	if ((rc = load_gates(&gates, &ctx, gates_path)))
		goto out;
	o.gates = gates;
	rc = pg_gate_open_store(&store, &ctx, store_dir);
	if (rc || (rc = pg_repo_head_id(head, ctx.repo, "publish")) || (rc = pg_gate_publish(&counts, store, head, &o)))
		goto out;
	pg_log_warnings(counts.warnings, counts.n_warnings);
	if (counts.no_plots)
		pg_log_warning("%s (the pages say so)", counts.no_plots);
	printf("%s: %zu files, %zu written, %zu unchanged; %zu plots drawn\n", o.dir, counts.pages,
	       counts.written, counts.pages - counts.written, counts.plots);
out:
	pg_publish_counts_release(&counts);
	free(keys);
	free(repo_url);
	pg_gates_free(gates);
	pg_store_free(store);
	pg_gate_context_close(&ctx);
	return rc;
}
