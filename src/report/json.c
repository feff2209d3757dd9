/* json.c - the verdict as JSON (schema perfgate-verdict/1) */
#include "perfgate/error.h"
#include "perfgate/json.h"
#include "perfgate/report.h"

#include <math.h>
#include <stdlib.h>

static int add_nullable_number(cJSON *o, const char *key, double value)
{
	return isfinite(value) ? pg_json_add_number(o, key, value)
			       : (cJSON_AddNullToObject(o, key) ? 0 : PG_ENOMEM);
}

static cJSON *metric_json(const pg_metric_change *c)
{
	cJSON *o = cJSON_CreateObject(), *ci = NULL;
	if (!o)
		return NULL;
	int rc = pg_json_add_string(o, "bench", c->bench) || pg_json_add_string(o, "metric", c->metric) ||
		 pg_json_add_string(o, "stat", c->stat) || pg_json_add_string(o, "unit", c->unit) ||
		 pg_json_add_string(o, "better", c->better_higher ? "higher" : "lower") ||
		 !cJSON_AddBoolToObject(o, "gated", c->gated) ||
		 add_nullable_number(o, "base", c->has_base ? c->base : NAN) ||
		 add_nullable_number(o, "head", c->head) ||
		 add_nullable_number(o, "change", c->has_base ? c->change : NAN);
	if (!rc && isfinite(c->ci_lo) && isfinite(c->ci_hi)) {
		ci = cJSON_AddArrayToObject(o, "ci");
		cJSON *lo = pg_json_number(c->ci_lo), *hi = pg_json_number(c->ci_hi);
		rc = !ci || !lo || !hi;
		if (!rc) {
			cJSON_AddItemToArray(ci, lo);
			cJSON_AddItemToArray(ci, hi);
		} else {
			cJSON_Delete(lo);
			cJSON_Delete(hi);
		}
	} else if (!rc) {
		rc = !cJSON_AddNullToObject(o, "ci");
	}
	rc = rc || add_nullable_number(o, "p", c->p) ||
	     pg_json_add_number(o, "threshold", c->threshold) ||
	     add_nullable_number(o, "min_change", c->min_change > 0 ? c->min_change : NAN) ||
	     pg_json_add_number(o, "n_base", (double)c->n_base) ||
	     pg_json_add_number(o, "n_head", (double)c->n_head) ||
	     pg_json_add_string(o, "verdict", pg_change_verdict_name(c->verdict)) ||
	     add_nullable_number(o, "more_runs", c->more_runs > 0 ? c->more_runs : NAN) ||
	     pg_json_add_string(o, "base_commit", c->base_commit) ||
	     add_nullable_number(o, "base_depth", c->base_commit ? c->base_depth : NAN) ||
	     pg_json_add_string(o, "accepted_by", c->accepted_by) ||
	     add_nullable_number(o, "noise_floor", c->noise_floor) ||
	     pg_json_add_string(o, "note", c->note) ||
	     pg_json_add_string(o, "model", c->model) ||
	     add_nullable_number(o, "history_runs", c->history_runs > 0 ? c->history_runs : NAN) ||
	     add_nullable_number(o, "run_to_run", c->run_to_run);
	/* Only rows the probe judged carry its part: the others read as before. */
	if (!rc && c->probe_ratio > 0) {
		cJSON *probe = cJSON_AddObjectToObject(o, "probe");
		rc = !probe || pg_json_add_number(probe, "ratio", c->probe_ratio) ||
		     !cJSON_AddBoolToObject(probe, "held", c->probe_held) ||
		     !cJSON_AddBoolToObject(probe, "normalized", c->probe_normalized) ||
		     add_nullable_number(probe, "raw_change", c->probe_normalized ? c->raw_change : NAN);
	}
	if (rc) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* "probe": both sides' scores and spreads, their ratio, the noise and what it means. */
static cJSON *probe_json(cJSON *parent, const pg_verdict_probe *p)
{
	static const char *const states[] = {"unused", "missing", "compared", "same_runner"};
	char text[512];
	int compared = p->state == PG_PROBE_COMPARED;
	cJSON *o = cJSON_AddObjectToObject(parent, "probe");
	cJSON *base = o ? cJSON_AddObjectToObject(o, "base") : NULL;
	cJSON *head = o ? cJSON_AddObjectToObject(o, "head") : NULL;
	if (!base || !head || pg_json_add_string(o, "state", states[p->state]) ||
	    add_nullable_number(base, "ms", p->has_base ? p->base_ms : NAN) ||
	    add_nullable_number(base, "spread", p->has_base ? p->base_spread : NAN) ||
	    add_nullable_number(head, "ms", p->has_head ? p->head_ms : NAN) ||
	    add_nullable_number(head, "spread", p->has_head ? p->head_spread : NAN) ||
	    add_nullable_number(o, "ratio", compared ? p->ratio : NAN) ||
	    add_nullable_number(o, "change", compared ? p->ratio - 1 : NAN) ||
	    add_nullable_number(o, "noise", compared ? exp(p->noise) - 1 : NAN) ||
	    !cJSON_AddBoolToObject(o, "moved", compared && p->moved) ||
	    pg_json_add_string(o, "text", pg_verdict_probe_text(text, sizeof(text), p)))
		return NULL;
	return o;
}

static cJSON *gate_json(const pg_gate_result *g)
{
	cJSON *o = cJSON_CreateObject();
	if (!o || pg_json_add_string(o, "metric", g->metric) || pg_json_add_string(o, "bench", g->bench) ||
	    pg_json_add_string(o, "bound", g->bound_text) ||
	    pg_json_add_number(o, g->is_max ? "max" : "min", g->bound) ||
	    pg_json_add_string(o, "unit", g->unit) || add_nullable_number(o, "value", g->value) ||
	    !cJSON_AddBoolToObject(o, "pass", g->pass) || pg_json_add_string(o, "reason", g->reason)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* Build the whole verdict document; caller deletes. NULL on ENOMEM. */
static cJSON *verdict_json(const pg_verdict *v)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *head = cJSON_AddObjectToObject(o, "head"), *base = cJSON_AddObjectToObject(o, "base");
	cJSON *counts = cJSON_AddObjectToObject(o, "counts");
	if (!o || !head || !base || !counts)
		goto fail;
	if (pg_json_add_string(o, "schema", PG_VERDICT_SCHEMA) ||
	    pg_json_add_string(o, "verdict", pg_overall_name(v->overall)) ||
	    pg_json_add_string(head, "commit", v->head_commit) ||
	    pg_json_add_string(head, "env", v->env_key) ||
	    pg_json_add_string(base, "commit", v->base_commit) ||
	    add_nullable_number(base, "depth", v->base_commit ? v->base_depth : NAN) ||
	    pg_json_add_string(base, "how", v->base_how) ||
	    !cJSON_AddBoolToObject(base, "found", !v->no_baseline) ||
	    pg_json_add_number(counts, "regressions", v->counts.regressions) ||
	    pg_json_add_number(counts, "improvements", v->counts.improvements) ||
	    pg_json_add_number(counts, "inconclusive", v->counts.inconclusive) ||
	    pg_json_add_number(counts, "accepted", v->counts.accepted) ||
	    pg_json_add_number(counts, "failed_benchmarks", v->counts.failed_benchmarks) ||
	    pg_json_add_number(counts, "gates_failed", v->counts.gates_failed))
		goto fail;
	cJSON *metrics = cJSON_AddArrayToObject(o, "metrics");
	for (size_t i = 0; metrics && i < v->n_metrics; i++) {
		cJSON *m = metric_json(&v->metrics[i]);
		if (!m)
			goto fail;
		cJSON_AddItemToArray(metrics, m);
	}
	cJSON *gates = cJSON_AddArrayToObject(o, "gates");
	for (size_t i = 0; gates && i < v->n_gates; i++) {
		cJSON *g = gate_json(&v->gates[i]);
		if (!g)
			goto fail;
		cJSON_AddItemToArray(gates, g);
	}
	cJSON *failures = cJSON_AddArrayToObject(o, "benchmarks_not_ok");
	for (size_t i = 0; failures && i < v->n_failures; i++) {
		cJSON *f = cJSON_CreateObject();
		if (!f || pg_json_add_string(f, "bench", v->failures[i].bench) ||
		    pg_json_add_string(f, "status", v->failures[i].status) ||
		    pg_json_add_string(f, "reason", v->failures[i].reason)) {
			cJSON_Delete(f);
			goto fail;
		}
		cJSON_AddItemToArray(failures, f);
	}
	cJSON *warnings = cJSON_AddArrayToObject(o, "warnings");
	for (size_t i = 0; warnings && i < v->n_warnings; i++)
		cJSON_AddItemToArray(warnings, cJSON_CreateString(v->warnings[i]));
	if (v->probe.state != PG_PROBE_UNUSED && !probe_json(o, &v->probe))
		goto fail;
	/* Only when check looked: the key's absence says nobody looked, [] that nothing was found. */
	if (v->shifts_window > 0) {
		cJSON *shifts = cJSON_AddObjectToObject(o, "level_shifts");
		cJSON *items = shifts ? cJSON_AddArrayToObject(shifts, "not_accepted") : NULL;
		if (!items || !cJSON_AddNumberToObject(shifts, "commits", v->shifts_window))
			goto fail;
		for (size_t i = 0; i < v->n_shifts; i++) {
			const pg_level_shift *s = &v->shifts[i];
			cJSON *j = cJSON_CreateObject();
			if (!j || pg_json_add_string(j, "metric", s->metric) || pg_json_add_string(j, "commit", s->commit) ||
			    pg_json_add_string(j, "subject", s->subject) || pg_json_add_string(j, "unit", s->unit) ||
			    add_nullable_number(j, "before", s->before) || add_nullable_number(j, "after", s->after) ||
			    add_nullable_number(j, "change", s->change) || add_nullable_number(j, "p", s->p)) {
				cJSON_Delete(j);
				goto fail;
			}
			cJSON_AddItemToArray(items, j);
		}
	}
	if (!metrics || !gates || !failures || !warnings)
		goto fail;
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

int pg_report_json(FILE *out, const pg_verdict *v, const pg_report_options *o)
{
	(void)o;
	cJSON *doc = verdict_json(v);
	char *text = doc ? cJSON_Print(doc) : NULL;
	cJSON_Delete(doc);
	if (!text)
		return pg_error_set(PG_ENOMEM, "out of memory rendering the verdict as JSON");
	fprintf(out, "%s\n", text);
	free(text);
	return 0;
}
