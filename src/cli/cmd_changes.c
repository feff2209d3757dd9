/* cmd_changes.c - `perfgate changes`: where metrics shifted level along first-parent history */
#include "cli.h"

#include "perfgate/changes.h"
#include "perfgate/error.h"
#include "perfgate/gate_history.h"
#include "perfgate/plot.h"
#include "perfgate/quantity.h"
#include "perfgate/repo.h"
#include "perfgate/store.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"perfgate changes [--metric M]... [-n N] [--min-change P] [--env KEY]\n"
	"                        [--format text|json] [--store DIR]";

static const char help[] =
	"Change points: the commits where a metric's level shifted along the first-parent\n"
	"history from HEAD. Candidate splits come from binary segmentation on the ranks\n"
	"of the per-commit medians; a split stands when Welch's test of the per-commit\n"
	"medians and of all runs pooled per side both pass at 0.01, adjusted for the\n"
	"splits tried. For each: the commit where the new level starts, before -> after\n"
	"(medians of the two segments), the change, its p-value, and the Perfgate-Accept\n"
	"trailer or accept record that covers it. A shift at either end of the history\n"
	"with fewer than 3 commits on one side is listed as \"too few commits to tell\".\n"
	"\n"
	"  --metric M        bench.metric[.stat] (repeatable; default: each benchmark's\n"
	"                    primary metric)\n"
	"  -n N              look at this many commits (default 200)\n"
	"  --min-change P    ignore shifts smaller than P percent (default 5)\n"
	"  --env KEY         results of this environment key (default: the newest key)\n"
	"  --format F        text (default) or json\n"
	"  --store DIR       read the plain-file store DIR instead of refs/notes/perfgate\n"
	"\n"
	"Exit status: 0 (also when there are changes), 2 bad command line, 3 not in a\n"
	"repository or the store cannot be read.\n";

enum { OPT_METRIC = OPT_CLI_LAST, OPT_STORE, OPT_MIN_CHANGE };


static void print_text(const pg_changes *c, const pg_history *h, size_t n_commits, size_t min_segment)
{
	size_t undecided = 0;
	for (size_t i = 0; i < c->n; i++)
		undecided += c->items[i].too_few;
	printf("%zu change%s in %zu metric%s over %zu commits (env %s)", c->n - undecided,
	       c->n - undecided == 1 ? "" : "s", c->n_series, c->n_series == 1 ? "" : "s", n_commits,
	       h->env_key ? h->env_key : "-");
	if (undecided)
		printf("; %zu shift%s with too few commits to tell", undecided, undecided == 1 ? "" : "s");
	putchar('\n');
	for (size_t i = 0; i < c->n; i++) {
		const pg_change_point *p = &c->items[i];
		char before[32], after[32], change[32], subject[64];
		pg_format_value(before, sizeof(before), p->before, p->unit);
		pg_format_value(after, sizeof(after), p->after, p->unit);
		if (isfinite(p->change))
			pg_format_change(change, sizeof(change), p->change);
		else
			snprintf(change, sizeof(change), "from 0");
		snprintf(subject, sizeof(subject), "%s", p->subject ? p->subject : "");
		if (p->too_few)
			printf("  %s  %.7s  %s → %s  %s  too few commits to tell (%zu before, %zu after; a step needs "
			       "%zu a side)  %s",
			       p->metric, p->commit, before, after, change, p->n_before, p->n_after, min_segment,
			       subject);
		else
			printf("  %s  %.7s  %s → %s  %s  p=%.2g  %s  %s", p->metric, p->commit, before, after,
			       change, p->p, p->worse ? "regression" : "improvement", subject);
		if (p->accepted_by)
			printf("  (accepted by %s)", p->accepted_by);
		putchar('\n');
	}
}

static int print_json(const pg_changes *c, const pg_history *h, size_t n_commits)
{
	cJSON *root = cJSON_CreateObject(), *list = cJSON_CreateArray(), *warnings = cJSON_CreateArray();
	if (!root || !list || !warnings) {
		cJSON_Delete(root);
		cJSON_Delete(list);
		cJSON_Delete(warnings);
		return pg_error_set(PG_ENOMEM, "out of memory");
	}
	cJSON_AddStringToObject(root, "schema", "perfgate-changes/1");
	if (h->env_key)
		cJSON_AddStringToObject(root, "env", h->env_key);
	else
		cJSON_AddNullToObject(root, "env");
	cJSON_AddNumberToObject(root, "commits", (double)n_commits);
	cJSON_AddNumberToObject(root, "metrics", (double)c->n_series);
	cJSON_AddItemToObject(root, "changes", list);
	for (size_t i = 0; i < c->n; i++) {
		const pg_change_point *p = &c->items[i];
		cJSON *o = cJSON_CreateObject();
		if (!o)
			break;
		cJSON_AddItemToArray(list, o);
		cJSON_AddStringToObject(o, "metric", p->metric);
		cJSON_AddStringToObject(o, "commit", p->commit);
		cJSON_AddStringToObject(o, "subject", p->subject ? p->subject : "");
		cJSON_AddStringToObject(o, "unit", p->unit);
		cJSON_AddNumberToObject(o, "before", p->before);
		cJSON_AddNumberToObject(o, "after", p->after);
		if (isfinite(p->change))
			cJSON_AddNumberToObject(o, "change", p->change);
		else
			cJSON_AddNullToObject(o, "change");
		if (isfinite(p->p))
			cJSON_AddNumberToObject(o, "p", p->p);
		else
			cJSON_AddNullToObject(o, "p");
		if (isfinite(p->p_runs))
			cJSON_AddNumberToObject(o, "p_runs", p->p_runs);
		else
			cJSON_AddNullToObject(o, "p_runs");
		cJSON_AddNumberToObject(o, "n_before", (double)p->n_before);
		cJSON_AddNumberToObject(o, "n_after", (double)p->n_after);
		cJSON_AddStringToObject(o, "direction", p->worse ? "regression" : "improvement");
		cJSON_AddBoolToObject(o, "decided", !p->too_few);
		if (p->too_few)
			cJSON_AddStringToObject(o, "note", "too few commits to tell");
		else
			cJSON_AddNullToObject(o, "note");
		if (p->accepted_by)
			cJSON_AddStringToObject(o, "accepted_by", p->accepted_by);
		else
			cJSON_AddNullToObject(o, "accepted_by");
	}
	for (size_t i = 0; i < h->n_warnings; i++)
		cJSON_AddItemToArray(warnings, cJSON_CreateString(h->warnings[i]));
	cJSON_AddItemToObject(root, "warnings", warnings);
	char *text = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	if (!text)
		return pg_error_set(PG_ENOMEM, "out of memory");
	puts(text);
	free(text);
	return 0;
}

int cmd_changes(int argc, char *argv[])
{
	static const struct option longopts[] = {{"env", required_argument, NULL, OPT_ENV},
						  {"metric", required_argument, NULL, OPT_METRIC},
						  {"min-change", required_argument, NULL, OPT_MIN_CHANGE},
						  {"format", required_argument, NULL, OPT_FORMAT},
						  {"store", required_argument, NULL, OPT_STORE},
						  {"help", no_argument, NULL, OPT_HELP},
						  {NULL, 0, NULL, 0}};
	const char *env_key = NULL, *store_dir = NULL;
	char **metrics = NULL, *head = NULL, *end;
	size_t n_metrics = 0;
	pg_cli_context ctx = {0};
	pg_store *store = NULL;
	pg_history *h = NULL;
	pg_changes found = {0};
	pg_changes_options o = {0};
	int n = 200, opt, rc = 0, json = 0, dirty;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "n:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
		case OPT_HELP:
			printf("usage: %s\n\n%s", usage, help);
			goto out;
		case 'n':
			if ((rc = pg_cli_int(&n, optarg, "-n", 2)))
				goto out;
			break;
		case OPT_METRIC: {
			char **grown = realloc(metrics, (n_metrics + 1) * sizeof(char *));
			if (!grown) {
				rc = pg_error_set(PG_ENOMEM, "out of memory");
				goto out;
			}
			metrics = grown;
			metrics[n_metrics++] = optarg;
			break;
		}
		case OPT_MIN_CHANGE:
			o.min_change = strtod(optarg, &end) / 100.0;
			if (end == optarg || (*end && strcmp(end, "%") != 0) || !(o.min_change > 0) ||
			    !isfinite(o.min_change)) {
				rc = pg_error_set(PG_EINPUT, "--min-change %s: a positive percentage, e.g. 5", optarg);
				goto out;
			}
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "json") != 0 && strcmp(optarg, "text") != 0) {
				rc = pg_error_set(PG_EINPUT, "--format %s: text or json", optarg);
				goto out;
			}
			json = strcmp(optarg, "json") == 0;
			break;
		case OPT_ENV:
			env_key = optarg;
			break;
		case OPT_STORE:
			store_dir = optarg;
			break;
		default:
			rc = pg_cli_bad_option("changes", usage, argv);
			goto out;
		}
	}
	if (optind < argc) {
		rc = pg_error_set(PG_EINPUT, "changes: unexpected argument '%s'\nusage: %s", argv[optind],
				  usage);
		goto out;
	}
	if ((rc = pg_cli_open_history(&ctx, &store, store_dir, "changes")) ||
	    (rc = pg_repo_head(&head, &dirty, ctx.repo)) ||
	    (rc = pg_history_load(&h, store, head, n, env_key, 0)) ||
	    (rc = pg_changes_find(&found, h, metrics, n_metrics, &o)) ||
	    (rc = pg_gate_changes_annotate(&found, ctx.repo, store)))
		goto out;
	for (size_t i = 0; i < h->n_warnings && !json; i++)
		fprintf(stderr, "perfgate: warning: %s\n", h->warnings[i]);
	if (json)
		rc = print_json(&found, h, h->n_commits);
	else
		print_text(&found, h, h->n_commits, o.min_segment ? o.min_segment : 3);
out:
	pg_changes_release(&found);
	pg_history_free(h);
	free(head);
	free(metrics);
	pg_store_free(store);
	pg_cli_context_close(&ctx);
	return rc;
}
