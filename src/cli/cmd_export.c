/* cmd_export.c - `perfgate export --to gab`: a stored or file result set as github-action-benchmark JSON */
#include "cli.h"

#include "perfgate/error.h"
#include "perfgate/fileio.h"
#include "perfgate/import.h"
#include "perfgate/log.h"
#include "perfgate/store.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>


static const char usage[] =
	"perfgate export --to gab [REV|FILE] [-o FILE] [--bigger] [--env KEY] [--store DIR]";

static const char help[] =
	"Write a result set as github-action-benchmark custom JSON, for its charts:\n"
	"the latest result set stored on REV (default HEAD) or a result set file.\n"
	"Each benchmark's primary metric is {\"name\": BENCH, \"unit\", \"value\": median,\n"
	"\"range\": \"± stddev\"}; every other metric is named \"BENCH METRIC\".\n"
	"\n"
	"  --to gab          the format (github-action-benchmark's customSmallerIsBetter)\n"
	"  --bigger          export the higher-is-better metrics instead (throughput, hit\n"
	"                    rate), for a second step with tool customBiggerIsBetter\n"
	"  -o FILE           write there (default: standard output)\n"
	"  --env KEY         the environment key to export when REV holds several\n"
	"  --store DIR       read the plain-file store DIR instead of refs/notes/perfgate\n"
	"\n"
	"Benchmarks that failed are left out, with a warning.\n"
	"\n"
	"Exit status: 0 written, 2 bad command line, revision or result file, 3 nothing\n"
	"stored on REV, not in a repository, or the output cannot be written.\n";

/* The only key of the latest sets on records, or PG_EINPUT listing them when there are several. */
static int pick_key(const char **key, const pg_commit_records *r, const char *spec)
{
	const char *found = NULL;
	char list[512] = "";
	size_t used = 0;
	int several = 0;
	for (size_t i = 0; i < r->n_sets; i++) {
		const char *k = r->sets[i]->env.key;
		if (!k || (found && strcmp(found, k) == 0))
			continue;
		int listed = 0;
		for (size_t j = 0; j < i; j++)
			listed |= r->sets[j]->env.key && strcmp(r->sets[j]->env.key, k) == 0;
		if (listed)
			continue;
		several |= found != NULL;
		found = found ? found : k;
		used += (size_t)snprintf(list + used, used < sizeof(list) ? sizeof(list) - used : 0, "%s%s",
					 used ? ", " : "", k);
	}
	if (several)
		return pg_error_set(PG_EINPUT, "%s holds results of several env keys (%s): choose one with --env",
				    spec, list);
	*key = found;
	return 0;
}

/* The latest result set of key stored on the commit spec names. */
static int load_stored(pg_result_set **out, const char *spec, const char *key, const char *store_dir)
{
	pg_gate_context ctx;
	pg_store *store = NULL;
	pg_commit_records records;
	char hex[GIT_OID_HEXSZ + 1];
	int rc = pg_gate_context_open(&ctx), have_records = 0;
	if (rc)
		goto out;
	if (!ctx.repo) {
		rc = pg_error_set(store_dir ? PG_EINPUT : PG_ESYSTEM,
				  "%s: no such file, and not in a git repository to find it as a revision", spec);
		goto out;
	}
	git_object *obj = NULL, *commit = NULL;
	if (git_revparse_single(&obj, ctx.repo, spec) != 0 ||
	    git_object_peel(&commit, obj, GIT_OBJECT_COMMIT) != 0) {
		git_object_free(obj);
		rc = pg_error_set(PG_EINPUT, "%s: not a file, nor a commit in this repository", spec);
		goto out;
	}
	git_oid_tostr(hex, sizeof(hex), git_object_id(commit));
	git_object_free(obj);
	git_object_free(commit);
	rc = pg_gate_open_store(&store, &ctx, store_dir);
	if (rc || (rc = pg_store_read(&records, store, hex)))
		goto out;
	have_records = 1;
	pg_log_warnings(records.warnings, records.n_warnings);
	if (!key && (rc = pick_key(&key, &records, spec)))
		goto out;
	const pg_result_set *latest = pg_records_latest(&records, key);
	if (!latest) {
		rc = pg_error_set(PG_ESYSTEM, "%s: no results stored on %.7s%s%s", spec, hex,
				  key ? " for env " : "", key ? key : "");
		goto out;
	}
	/* Take the set out of the records so that it outlives them. */
	for (size_t i = 0; i < records.n_sets; i++)
		if (records.sets[i] == latest)
			records.sets[i] = NULL;
	*out = (pg_result_set *)latest;
out:
	if (have_records)
		pg_commit_records_release(&records);
	pg_store_free(store);
	pg_gate_context_close(&ctx);
	return rc;
}

int cmd_export(int argc, char *argv[])
{
	static const pg_cli_verb verb = {.name = "export", .usage = usage, .help = help,
					 .operands = PG_CLI_OPERANDS};
	const char *to = NULL, *output = NULL, *env_key = NULL, *store_dir = NULL, *spec = "HEAD";
	int bigger = 0, first, rc = 0;
	pg_result_set *rs = NULL;
	pg_import_warnings warnings = {0};
	char *json = NULL;
	const pg_cli_option opts[] = {{"to", 0, PG_CLI_STRING, .dest = &to},
				      {"output", 'o', PG_CLI_STRING, .dest = &output},
				      {"bigger", 0, PG_CLI_FLAG, .dest = &bigger},
				      {"env", 0, PG_CLI_STRING, .dest = &env_key},
				      {"store", 0, PG_CLI_STRING, .dest = &store_dir},
				      {0}};

	if ((rc = pg_cli_parse(&first, &verb, opts, argc, argv)))
		return rc == PG_CLI_HELP ? 0 : rc;
	if (!to)
		return pg_error_set(PG_EINPUT, "export: --to gab is required\nusage: %s", usage);
	if (strcmp(to, "gab") != 0)
		return pg_error_set(PG_EINPUT, "--to %s: unknown format (expected gab)", to);
	if (first < argc)
		spec = argv[first++];
	if (first < argc)
		return pg_error_set(PG_EINPUT, "export: one revision or file at most, found '%s' too\nusage: %s",
				    argv[first], usage);

	if (access(spec, F_OK) == 0) {
		rc = pg_result_set_read_file(&rs, spec);
		if (!rc && env_key && (!rs->env.key || strcmp(rs->env.key, env_key) != 0))
			rc = pg_error_set(PG_EINPUT, "%s: its results are of env %s, not %s", spec,
					  rs->env.key ? rs->env.key : "(none)", env_key);
	} else {
		rc = load_stored(&rs, spec, env_key, store_dir);
	}
	if (rc || (rc = pg_export_gab(&json, rs, bigger ? PG_BETTER_HIGHER : PG_BETTER_LOWER, &warnings)))
		goto out;
	pg_log_warnings(warnings.items, warnings.n);
	if (output)
		rc = pg_file_write_atomic(output, json, strlen(json));
	else
		fputs(json, stdout);
out:
	free(json);
	pg_import_warnings_release(&warnings);
	pg_result_set_free(rs);
	return rc;
}
