/* cmd_show.c - `perfgate show`: what is stored on one commit */
#include "cli.h"

#include "perfgate/error.h"
#include "perfgate/json.h"
#include "perfgate/quantity.h"
#include "perfgate/repo.h"
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

static const char *subject_of(char *buf, size_t size, git_repository *repo, const char *hex)
{
	git_oid id;
	git_commit *c;
	buf[0] = '\0';
	if (!repo || git_oid_fromstrn(&id, hex, 40) < 0 || git_commit_lookup(&c, repo, &id) < 0)
		return buf;
	const char *s = git_commit_summary(c);
	snprintf(buf, size, "%s", s ? s : "");
	git_commit_free(c);
	return buf;
}

/* Whether set i is shown: its key asked for, and (without --all-runs) the latest of its key. */
static int shown(const pg_commit_records *r, size_t i, const show_options *o)
{
	const pg_result_set *rs = r->sets[i];
	if (o->env_key && (!rs->env.key || strcmp(rs->env.key, o->env_key) != 0))
		return 0;
	if (o->all_runs || !rs->env.key)
		return 1;
	return pg_records_latest(r, rs->env.key) == rs;
}

static void print_set(const pg_result_set *rs)
{
	char value[32];
	size_t wname = 9, wstatus = 6, wmetric = 6;
	printf("%s  %s  run %.8s%s\n", rs->env.key ? rs->env.key : "(no env key)",
	       rs->created ? rs->created : "(no time)", rs->run_id ? rs->run_id : "-",
	       rs->dirty ? "  dirty" : "");
	for (size_t i = 0; i < rs->n_benchmarks; i++) {
		const pg_benchmark *b = &rs->benchmarks[i];
		size_t n = strlen(b->name);
		wname = n > wname ? n : wname;
		n = strlen(pg_status_name(b->status));
		wstatus = n > wstatus ? n : wstatus;
		n = b->n_metrics ? strlen(b->metrics[0].name) : 1;
		wmetric = n > wmetric ? n : wmetric;
	}
	printf("  %-*s  %-*s  %-*s  %10s\n", (int)wname, "benchmark", (int)wstatus, "status",
	       (int)wmetric, "metric", "median");
	for (size_t i = 0; i < rs->n_benchmarks; i++) {
		const pg_benchmark *b = &rs->benchmarks[i];
		const pg_metric *m = b->n_metrics ? &b->metrics[0] : NULL;
		double center;
		if (m && pg_metric_center(m, &center) == 0)
			pg_format_value(value, sizeof(value), center, m->unit);
		else
			strcpy(value, "·");
		printf("  %-*s  %-*s  %-*s  %10s", (int)wname, b->name, (int)wstatus,
		       pg_status_name(b->status), (int)wmetric, m ? m->name : "·", value);
		if (b->reason)
			printf("  %s", b->reason);
		putchar('\n');
	}
}

static void print_acceptance(const cJSON *a)
{
	const cJSON *metrics = cJSON_GetObjectItemCaseSensitive(a, "metrics"), *g;
	const char *max = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "max"));
	const char *reason = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "reason"));
	const char *by = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "by"));
	const char *created = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "created"));
	fputs("accepted:", stdout);
	cJSON_ArrayForEach(g, metrics)
	{
		if (cJSON_IsString(g))
			printf(" %s", g->valuestring);
	}
	if (max)
		printf(" up to %s", max);
	if (reason)
		printf(" — %s", reason);
	if (by || created)
		printf(" (%s%s%s)", by ? by : "", by && created ? ", " : "", created ? created : "");
	putchar('\n');
}

static int print_json(const pg_commit_records *r, const show_options *o)
{
	for (size_t i = 0; i < r->n_sets; i++) {
		char *line;
		if (!shown(r, i, o))
			continue;
		int rc = pg_result_set_to_string(&line, r->sets[i], 0);
		if (rc)
			return rc;
		puts(line);
		free(line);
	}
	for (size_t i = 0; i < r->n_acceptances; i++) {
		char *line = pg_json_print(r->acceptances[i], 0);
		if (!line)
			return pg_error_set(PG_ENOMEM, "out of memory");
		puts(line);
		free(line);
	}
	return 0;
}

/* --size: the note's bytes, and each line's. */
static int print_size(pg_store *store, const char *commit, const show_options *o)
{
	char *text, human[32];
	size_t len, line_no = 0;
	int rc = pg_store_read_text(&text, &len, store, commit);
	if (rc)
		return rc;
	if (!text && !o->json) {
		printf("no results stored on %.7s\n", commit);
		return 0;
	}
	cJSON *lines = o->json ? cJSON_CreateArray() : NULL;
	if (!o->json)
		printf("%.7s: the note is %s (%zu bytes)\n", commit,
		       pg_format_value(human, sizeof(human), (double)len, "bytes"), len);
	for (const char *p = text; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		line_no++;
		if (n > 0) {
			cJSON *j = cJSON_ParseWithLength(p, n);
			const char *schema = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "schema"));
			const char *run_id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "run_id"));
			const cJSON *env = cJSON_GetObjectItemCaseSensitive(j, "env");
			const char *key = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(env, "key"));
			if (lines) {
				cJSON *l = cJSON_CreateObject();
				cJSON_AddItemToArray(lines, l);
				cJSON_AddNumberToObject(l, "line", (double)line_no);
				pg_json_add_string(l, "schema", schema);
				pg_json_add_string(l, "run_id", run_id);
				pg_json_add_string(l, "env", key);
				cJSON_AddNumberToObject(l, "bytes", (double)n);
			} else {
				printf("  line %-3zu %-18s %-10.8s %-32s %10s\n", line_no,
				       schema ? schema : j ? "(no schema)" : "(not JSON)",
				       run_id ? run_id : "-", key ? key : "-",
				       pg_format_value(human, sizeof(human), (double)n, "bytes"));
			}
			cJSON_Delete(j);
		}
		p += n + (nl ? 1 : 0);
	}
	if (lines) {
		cJSON *doc = cJSON_CreateObject();
		cJSON_AddStringToObject(doc, "commit", commit);
		cJSON_AddNumberToObject(doc, "note_bytes", (double)len);
		cJSON_AddItemToObject(doc, "records", lines);
		char *out = pg_json_print(doc, 0);
		if (out)
			puts(out);
		free(out);
		cJSON_Delete(doc);
	}
	free(text);
	return 0;
}

static int show(pg_store *store, git_repository *repo, const char *commit, const show_options *o)
{
	pg_commit_records r;
	char subject[256];
	int rc = pg_store_read(&r, store, commit);
	if (rc)
		return rc;
	for (size_t i = 0; i < r.n_warnings; i++)
		fprintf(stderr, "perfgate: warning: %s\n", r.warnings[i]);
	if (o->size) {
		rc = print_size(store, commit, o);
		pg_commit_records_release(&r);
		return rc;
	}
	if (o->json) {
		rc = print_json(&r, o);
		pg_commit_records_release(&r);
		return rc;
	}
	size_t n_shown = 0;
	for (size_t i = 0; i < r.n_sets; i++)
		n_shown += (size_t)shown(&r, i, o);
	if (r.n_sets == 0 && r.n_acceptances == 0) {
		printf("no results stored on %.7s", commit);
		if (r.n_unknown)
			printf(" (%zu records of a newer perfgate skipped)", r.n_unknown);
		putchar('\n');
		pg_commit_records_release(&r);
		return 0;
	}
	printf("%.7s  %s\n", commit, subject_of(subject, sizeof(subject), repo, commit));
	if (n_shown == 0 && o->env_key) {
		printf("no results for env %s (stored:", o->env_key);
		for (size_t i = 0; i < r.n_sets; i++)
			if (r.sets[i]->env.key && pg_records_latest(&r, r.sets[i]->env.key) == r.sets[i])
				printf(" %s", r.sets[i]->env.key);
		puts(")");
	}
	for (size_t i = 0; i < r.n_sets; i++) {
		if (!shown(&r, i, o))
			continue;
		putchar('\n');
		print_set(r.sets[i]);
	}
	if (n_shown < r.n_sets && !o->all_runs && !o->env_key)
		printf("\n(%zu older result sets not shown: --all-runs shows them)\n", r.n_sets - n_shown);
	if (r.n_acceptances)
		putchar('\n');
	for (size_t i = 0; i < r.n_acceptances; i++)
		print_acceptance(r.acceptances[i]);
	if (r.n_unknown)
		printf("(%zu records of a newer perfgate skipped)\n", r.n_unknown);
	pg_commit_records_release(&r);
	return 0;
}


int cmd_show(int argc, char *argv[])
{
	static const char *const formats[] = {"text", "json", NULL};
	static const pg_cli_verb verb = {.name = "show", .usage = usage, .help = help,
					 .operands = PG_CLI_OPERANDS};
	show_options o = {0};
	pg_cli_context ctx = {0};
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
	if ((rc = pg_cli_context_open(&ctx)))
		goto out;
	if (!ctx.repo && !o.store_dir) {
		rc = pg_error_set(PG_ESYSTEM, "not in a git repository (run inside one, or give --store DIR)");
		goto out;
	}
	if ((rc = resolve_rev(commit, ctx.repo, &o)))
		goto out;
	rc = pg_cli_open_store(&store, &ctx, o.store_dir);
	if (!rc)
		rc = show(store, ctx.repo, commit, &o);
out:
	pg_store_free(store);
	pg_cli_context_close(&ctx);
	return rc;
}
