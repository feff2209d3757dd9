/* show.c - what is stored on one commit, as `perfgate show` prints it: text, JSON Lines, or record sizes */
#include "perfgate/log.h"
#include "perfgate/report.h"

#include "perfgate/error.h"
#include "perfgate/json.h"
#include "perfgate/quantity.h"

#include <stdlib.h>
#include <string.h>

/* Whether set i is shown: its key asked for, and (without --all-runs) the latest of its key. */
static int shown(const pg_commit_records *r, size_t i, const pg_show_options *o)
{
	const pg_result_set *rs = r->sets[i];
	if (o->env_key && (!rs->env.key || strcmp(rs->env.key, o->env_key) != 0))
		return 0;
	if (o->all_runs || !rs->env.key)
		return 1;
	return pg_records_latest(r, rs->env.key) == rs;
}

static void print_set(FILE *out, const pg_result_set *rs)
{
	char value[32];
	size_t wname = 9, wstatus = 6, wmetric = 6;
	fprintf(out, "%s  %s  run %.8s%s\n", rs->env.key ? rs->env.key : "(no env key)",
	       rs->created ? rs->created : "(no time)", rs->run_id ? rs->run_id : "-",
	       rs->dirty ? "  dirty" : "");
	for (size_t i = 0; i < rs->n_benchmarks; i++) {
		const pg_benchmark *b = &rs->benchmarks[i];
		char name[256];
		size_t n = strlen(pg_text_inert_buf(name, sizeof(name), b->name));
		wname = n > wname ? n : wname;
		n = strlen(pg_status_name(b->status));
		wstatus = n > wstatus ? n : wstatus;
		n = b->n_metrics ? strlen(b->metrics[0].name) : 1;
		wmetric = n > wmetric ? n : wmetric;
	}
	fprintf(out, "  %-*s  %-*s  %-*s  %10s\n", (int)wname, "benchmark", (int)wstatus, "status",
	       (int)wmetric, "metric", "median");
	for (size_t i = 0; i < rs->n_benchmarks; i++) {
		const pg_benchmark *b = &rs->benchmarks[i];
		const pg_metric *m = b->n_metrics ? &b->metrics[0] : NULL;
		double center;
		if (m && pg_metric_center(m, &center) == 0)
			pg_format_value(value, sizeof(value), center, m->unit);
		else
			strcpy(value, "·");
		char name[256], metric[160];
		pg_text_inert_buf(name, sizeof(name), b->name);
		pg_text_inert_buf(metric, sizeof(metric), m ? m->name : "·");
		fprintf(out, "  %-*s  %-*s  %-*s  %10s", (int)wname, name, (int)wstatus,
		       pg_status_name(b->status), (int)wmetric, metric, value);
		if (b->reason) {
			fputs("  ", out);
			pg_text_inert(out, b->reason);
		}
		fputc('\n', out);
	}
}

static void print_acceptance(FILE *out, const cJSON *a)
{
	const cJSON *metrics = cJSON_GetObjectItemCaseSensitive(a, "metrics"), *g;
	const char *max = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "max"));
	const char *reason = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "reason"));
	const char *by = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "by"));
	const char *created = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "created"));
	fputs("accepted:", out);
	cJSON_ArrayForEach(g, metrics)
	{
		if (cJSON_IsString(g)) {
			fputc(' ', out);
			pg_text_inert(out, g->valuestring);
		}
	}
	if (max) {
		fputs(" up to ", out);
		pg_text_inert(out, max);
	}
	if (reason) {
		fputs(" — ", out);
		pg_text_inert(out, reason);
	}
	if (by || created) {
		fputs(" (", out);
		pg_text_inert(out, by);
		fputs(by && created ? ", " : "", out);
		pg_text_inert(out, created);
		fputc(')', out);
	}
	fputc('\n', out);
}

int pg_report_show_json(FILE *out, const pg_commit_records *r, const pg_show_options *o)
{
	for (size_t i = 0; i < r->n_sets; i++) {
		char *line;
		if (!shown(r, i, o))
			continue;
		int rc = pg_result_set_to_string(&line, r->sets[i], 0);
		if (rc)
			return rc;
		fprintf(out, "%s\n", line);
		free(line);
	}
	for (size_t i = 0; i < r->n_acceptances; i++) {
		char *line = pg_json_print(r->acceptances[i], 0);
		if (!line)
			return pg_error_set(PG_ENOMEM, "out of memory");
		fprintf(out, "%s\n", line);
		free(line);
	}
	return 0;
}

void pg_report_show_size(FILE *out, const char *commit, const char *text, size_t len, int json)
{
	char human[32];
	size_t line_no = 0;
	if (!text && !json) {
		fprintf(out, "no results stored on %.7s\n", commit);
		return;
	}
	cJSON *lines = json ? cJSON_CreateArray() : NULL;
	if (!json)
		fprintf(out, "%.7s: the note is %s (%zu bytes)\n", commit,
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
				fprintf(out, "  line %-3zu %-18s %-10.8s %-32s %10s\n", line_no,
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
		char *printed = pg_json_print(doc, 0);
		if (printed)
			fprintf(out, "%s\n", printed);
		free(printed);
		cJSON_Delete(doc);
	}
}

void pg_report_show_text(FILE *out, const char *commit, const char *subject, const pg_commit_records *r,
			 const pg_show_options *o)
{
	size_t n_shown = 0;
	for (size_t i = 0; i < r->n_sets; i++)
		n_shown += (size_t)shown(r, i, o);
	if (r->n_sets == 0 && r->n_acceptances == 0) {
		fprintf(out, "no results stored on %.7s", commit);
		if (r->n_unknown)
			fprintf(out, " (%zu records of a newer perfgate skipped)", r->n_unknown);
		fputc('\n', out);
		return;
	}
	fprintf(out, "%.7s  ", commit);
	pg_text_inert(out, subject);
	fputc('\n', out);
	if (n_shown == 0 && o->env_key) {
		fprintf(out, "no results for env %s (stored:", o->env_key);
		for (size_t i = 0; i < r->n_sets; i++)
			if (r->sets[i]->env.key && pg_records_latest(r, r->sets[i]->env.key) == r->sets[i])
				fprintf(out, " %s", r->sets[i]->env.key);
		fputs(")\n", out);
	}
	for (size_t i = 0; i < r->n_sets; i++) {
		if (!shown(r, i, o))
			continue;
		fputc('\n', out);
		print_set(out, r->sets[i]);
	}
	/* The older sets of the keys shown: folded into the table, not lost. */
	size_t n_older = 0;
	for (size_t i = 0; i < r->n_sets && !o->all_runs; i++) {
		const char *key = r->sets[i]->env.key;
		n_older += !shown(r, i, o) && key && (!o->env_key || strcmp(key, o->env_key) == 0);
	}
	if (n_older)
		fprintf(out,
			"\n(%zu older result set%s: each benchmark above is from the newest run that measured it"
			" (shards are folded in); --all-runs shows every set)\n",
			n_older, n_older == 1 ? "" : "s");
	if (r->n_acceptances)
		fputc('\n', out);
	for (size_t i = 0; i < r->n_acceptances; i++)
		print_acceptance(out, r->acceptances[i]);
	if (r->n_unknown)
		fprintf(out, "(%zu records of a newer perfgate skipped)\n", r->n_unknown);
}
