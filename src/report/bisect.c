/* bisect.c - a bisect's steps and answer, as text and as perfgate-bisect/1 JSON */
#include "perfgate/log.h"
#include "perfgate/report_bisect.h"

#include "perfgate/error.h"
#include "perfgate/json.h"

#include <math.h>
#include <stdlib.h>

void pg_report_bisect_start(FILE *out, const pg_bisect_report *r)
{
	fprintf(out, "bisect %s%s%s over %zu first-parent commit%s, good %.7s, bad %.7s, threshold %.0f %%\n",
		r->bench, r->metric ? "." : "", r->metric ? r->metric : "", r->n_commits,
		r->n_commits == 1 ? "" : "s", r->good, r->bad, r->threshold * 100);
}

/* "+25.1 % [+24.0, +26.2]"; deterministic stored results have no interval. */
static void print_change(FILE *f, const pg_bisect_step *st)
{
	fprintf(f, "%+.1f %%", st->change * 100);
	if (isfinite(st->lo) && isfinite(st->hi))
		fprintf(f, " [%+.1f, %+.1f]", st->lo * 100, st->hi * 100);
}

void pg_report_bisect_step(FILE *f, const pg_bisect_step *st)
{
	fprintf(f, "  %.7s ", st->commit);
	pg_text_inert(f, st->subject);
	fputs(": ", f);
	if (st->source == PG_BISECT_SKIPPED) {
		fputs("skipped (", f);
		pg_text_inert(f, st->note ? st->note : "could not be measured");
		fputs(")\n", f);
		return;
	}
	print_change(f, st);
	fprintf(f, " %s (%s, %zu runs%s)\n", pg_change_verdict_name(st->verdict),
		st->source == PG_BISECT_STORED ? "stored" : "measured", st->runs,
		st->measured_again ? ", measured again" : "");
}

void pg_report_bisect_text(FILE *f, const pg_bisect_report *r, int with_steps)
{
	if (with_steps)
		for (size_t i = 0; i < r->n_steps; i++)
			pg_report_bisect_step(f, &r->steps[i]);
	size_t skipped = 0;
	for (size_t i = 0; i < r->n_steps; i++)
		skipped += r->steps[i].source == PG_BISECT_SKIPPED;
	if (skipped) {
		fprintf(f, "skipped:");
		for (size_t i = 0; i < r->n_steps; i++)
			if (r->steps[i].source == PG_BISECT_SKIPPED)
				fprintf(f, " %.7s", r->steps[i].commit);
		fputc('\n', f);
	}
	const pg_bisect_step *c = r->culprit;
	switch (r->result) {
	case PG_BISECT_FOUND:
		fprintf(f, "first bad commit: %s ", c->commit);
		pg_text_inert(f, c->subject);
		fputs(": ", f);
		print_change(f, c);
		fputs(" vs good\n", f);
		break;
	case PG_BISECT_NO_REGRESSION:
		fprintf(f, "no regression between good %.7s and bad %.7s\n", r->good, r->bad);
		break;
	case PG_BISECT_UNDECIDED:
		fprintf(f, "the regression is between %.7s and %.7s; commit %.7s could not be decided: inconclusive\n",
			r->lo, r->hi, r->undecided->commit);
		break;
	case PG_BISECT_ONLY_SKIPPED:
		fprintf(f, "the regression is between %.7s and %.7s; only skipped commits are left: the first bad commit is one of them or %.7s\n",
			r->lo, r->hi, r->hi);
		break;
	case PG_BISECT_BAD_UNMEASURED:
		fprintf(f, "bad %.7s could not be measured\n", r->bad);
		break;
	}
	fprintf(f, "%zu commit%s in the range, %zu looked at, %d build%s, %d checkout%s\n", r->n_commits,
		r->n_commits == 1 ? "" : "s", r->n_steps, r->builds, r->builds == 1 ? "" : "s", r->checkouts,
		r->checkouts == 1 ? "" : "s");
}

static const char *result_name(pg_bisect_result k)
{
	static const char *const names[] = {"found", "no-regression", "inconclusive", "only-skipped",
					    "bad-not-measured"};
	return names[k];
}

static cJSON *step_json(const pg_bisect_step *st)
{
	static const char *const sources[] = {"stored", "measured", "skipped"};
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	int rc = pg_json_add_string(o, "commit", st->commit) || pg_json_add_string(o, "subject", st->subject) ||
		 pg_json_add_string(o, "source", sources[st->source]);
	if (!rc && st->source != PG_BISECT_SKIPPED) {
		cJSON *ci = cJSON_AddArrayToObject(o, "ci");
		rc = !ci || pg_json_add_number(o, "change", st->change) ||
		     pg_json_add_string(o, "verdict", pg_change_verdict_name(st->verdict)) ||
		     pg_json_add_number(o, "p", st->p) || pg_json_add_number(o, "runs", (double)st->runs) ||
		     !cJSON_AddBoolToObject(o, "measured_again", st->measured_again);
		if (!rc) {
			cJSON_AddItemToArray(ci, pg_json_number(st->lo));
			cJSON_AddItemToArray(ci, pg_json_number(st->hi));
		}
	}
	if (!rc)
		rc = pg_json_add_string(o, "note", st->note);
	if (rc) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

int pg_report_bisect_json(FILE *f, const pg_bisect_report *r)
{
	cJSON *o = cJSON_CreateObject(), *steps = o ? cJSON_AddArrayToObject(o, "steps") : NULL;
	int rc = !steps || pg_json_add_string(o, "schema", "perfgate-bisect/1") ||
		 pg_json_add_string(o, "result", result_name(r->result)) ||
		 pg_json_add_string(o, "benchmark", r->bench) || pg_json_add_string(o, "metric", r->metric) ||
		 pg_json_add_string(o, "env_key", r->env_key) || pg_json_add_string(o, "good", r->good) ||
		 pg_json_add_string(o, "bad", r->bad) || pg_json_add_number(o, "threshold", r->threshold) ||
		 pg_json_add_number(o, "commits", (double)r->n_commits) ||
		 pg_json_add_string(o, "range_good", r->lo) || pg_json_add_string(o, "range_bad", r->hi) ||
		 pg_json_add_number(o, "builds", r->builds) || pg_json_add_number(o, "checkouts", r->checkouts);
	for (size_t i = 0; !rc && i < r->n_steps; i++) {
		cJSON *s = step_json(&r->steps[i]);
		rc = !s || !cJSON_AddItemToArray(steps, s);
	}
	if (!rc && r->result == PG_BISECT_FOUND) {
		cJSON *c = step_json(r->culprit);
		rc = !c || !cJSON_AddItemToObject(o, "first_bad", c);
	} else if (!rc) {
		rc = !cJSON_AddNullToObject(o, "first_bad");
	}
	if (!rc && r->result == PG_BISECT_UNDECIDED)
		rc = pg_json_add_string(o, "undecided", r->undecided->commit);
	char *text = rc ? NULL : pg_json_print(o, 1);
	cJSON_Delete(o);
	if (!text)
		return pg_error_set(PG_ENOMEM, "out of memory");
	fprintf(f, "%s\n", text);
	free(text);
	return 0;
}
