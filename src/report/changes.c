/* changes.c - change points as `perfgate changes` prints them: a line per change, or perfgate-changes/1 JSON */
#include "perfgate/log.h"
#include "perfgate/report.h"

#include "perfgate/error.h"
#include "perfgate/quantity.h"

#include <math.h>
#include <stdlib.h>

void pg_report_changes_text(FILE *out, const pg_changes *c, const pg_history *h, size_t n_commits,
			    size_t min_segment)
{
	size_t undecided = 0;
	for (size_t i = 0; i < c->n; i++)
		undecided += c->items[i].too_few;
	fprintf(out, "%zu change%s in %zu metric%s over %zu commits (env %s)", c->n - undecided,
	       c->n - undecided == 1 ? "" : "s", c->n_series, c->n_series == 1 ? "" : "s", n_commits,
	       h->env_key ? h->env_key : "-");
	if (undecided)
		fprintf(out, "; %zu shift%s with too few commits to tell", undecided, undecided == 1 ? "" : "s");
	fputc('\n', out);
	for (size_t i = 0; i < c->n; i++) {
		const pg_change_point *p = &c->items[i];
		char before[32], after[32], change[32], subject[64];
		pg_format_value(before, sizeof(before), p->before, p->unit);
		pg_format_value(after, sizeof(after), p->after, p->unit);
		if (isfinite(p->change))
			pg_format_change(change, sizeof(change), p->change);
		else
			snprintf(change, sizeof(change), "from 0");
		pg_text_inert_buf(subject, sizeof(subject), p->subject);
		if (p->too_few)
			fprintf(out, "  %s  %.7s  %s → %s  %s  too few commits to tell (%zu before, %zu after; a step needs "
			       "%zu a side)  %s",
			       p->metric, p->commit, before, after, change, p->n_before, p->n_after, min_segment,
			       subject);
		else
			fprintf(out, "  %s  %.7s  %s → %s  %s  p=%.2g  %s  %s", p->metric, p->commit, before, after,
			       change, p->p, p->worse ? "regression" : "improvement", subject);
		if (p->accepted_by) {
			fputs("  (accepted by ", out);
			pg_text_inert(out, p->accepted_by);
			fputc(')', out);
		}
		fputc('\n', out);
	}
}

int pg_report_changes_json(FILE *out, const pg_changes *c, const pg_history *h, size_t n_commits)
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
	fprintf(out, "%s\n", text);
	free(text);
	return 0;
}
