/* json.c - the verdict as JSON (schema perfgate-verdict/1), written as it goes: no tree */
#include "perfgate/error.h"
#include "perfgate/json.h"
#include "perfgate/report.h"

#include <math.h>
#include <stdlib.h>

/* pg_json_writer_number writes a value that is not finite as null: NAN is "none" below. */

static void metric_json(pg_json_writer *w, const pg_metric_change *c)
{
	pg_json_writer_open(w, NULL, '{');
	pg_json_writer_string(w, "bench", c->bench);
	pg_json_writer_string(w, "metric", c->metric);
	pg_json_writer_string(w, "stat", c->stat);
	pg_json_writer_string(w, "unit", c->unit);
	pg_json_writer_string(w, "better", c->better_higher ? "higher" : "lower");
	pg_json_writer_bool(w, "gated", c->gated);
	pg_json_writer_number(w, "base", c->has_base ? c->base : NAN);
	pg_json_writer_number(w, "head", c->head);
	pg_json_writer_number(w, "change", c->has_base ? c->change : NAN);
	if (isfinite(c->ci_lo) && isfinite(c->ci_hi)) {
		pg_json_writer_open(w, "ci", '[');
		pg_json_writer_number(w, NULL, c->ci_lo);
		pg_json_writer_number(w, NULL, c->ci_hi);
		pg_json_writer_close(w);
	} else {
		pg_json_writer_string(w, "ci", NULL);
	}
	pg_json_writer_number(w, "p", c->p);
	pg_json_writer_number(w, "threshold", c->threshold);
	pg_json_writer_number(w, "min_change", c->min_change > 0 ? c->min_change : NAN);
	pg_json_writer_number(w, "n_base", (double)c->n_base);
	pg_json_writer_number(w, "n_head", (double)c->n_head);
	pg_json_writer_string(w, "verdict", pg_change_verdict_name(c->verdict));
	pg_json_writer_number(w, "more_runs", c->more_runs > 0 ? c->more_runs : NAN);
	pg_json_writer_string(w, "base_commit", c->base_commit);
	pg_json_writer_number(w, "base_depth", c->base_commit ? c->base_depth : NAN);
	pg_json_writer_string(w, "accepted_by", c->accepted_by);
	pg_json_writer_number(w, "noise_floor", c->noise_floor);
	pg_json_writer_string(w, "note", c->note);
	pg_json_writer_string(w, "model", c->model);
	pg_json_writer_number(w, "history_runs", c->history_runs > 0 ? c->history_runs : NAN);
	pg_json_writer_number(w, "run_to_run", c->run_to_run);
	/* Only rows the probe judged carry its part: the others read as before. */
	if (c->probe_ratio > 0) {
		pg_json_writer_open(w, "probe", '{');
		pg_json_writer_number(w, "ratio", c->probe_ratio);
		pg_json_writer_bool(w, "held", c->probe_held);
		pg_json_writer_bool(w, "normalized", c->probe_normalized);
		pg_json_writer_number(w, "raw_change", c->probe_normalized ? c->raw_change : NAN);
		pg_json_writer_close(w);
	}
	pg_json_writer_close(w);
}

/* One side of the probe: its score and spread, null when that side has none. */
static void probe_side_json(pg_json_writer *w, const char *key, int has, double ms, double spread)
{
	pg_json_writer_open(w, key, '{');
	pg_json_writer_number(w, "ms", has ? ms : NAN);
	pg_json_writer_number(w, "spread", has ? spread : NAN);
	pg_json_writer_close(w);
}

/* "probe": both sides' scores and spreads, their ratio, the noise and what it means. */
static void probe_json(pg_json_writer *w, const pg_verdict_probe *p)
{
	static const char *const states[] = {"unused", "missing", "compared", "same_runner"};
	char text[512];
	int compared = p->state == PG_PROBE_COMPARED;
	pg_json_writer_open(w, "probe", '{');
	probe_side_json(w, "base", p->has_base, p->base_ms, p->base_spread);
	probe_side_json(w, "head", p->has_head, p->head_ms, p->head_spread);
	pg_json_writer_string(w, "state", states[p->state]);
	pg_json_writer_number(w, "ratio", compared ? p->ratio : NAN);
	pg_json_writer_number(w, "change", compared ? p->ratio - 1 : NAN);
	pg_json_writer_number(w, "noise", compared ? exp(p->noise) - 1 : NAN);
	pg_json_writer_bool(w, "moved", compared && p->moved);
	pg_json_writer_string(w, "text", pg_verdict_probe_text(text, sizeof(text), p));
	pg_json_writer_close(w);
}

static void gate_json(pg_json_writer *w, const pg_gate_result *g)
{
	pg_json_writer_open(w, NULL, '{');
	pg_json_writer_string(w, "metric", g->metric);
	pg_json_writer_string(w, "bench", g->bench);
	pg_json_writer_string(w, "bound", g->bound_text);
	pg_json_writer_number(w, g->is_max ? "max" : "min", g->bound);
	pg_json_writer_string(w, "unit", g->unit);
	pg_json_writer_number(w, "value", g->value);
	pg_json_writer_bool(w, "pass", g->pass);
	pg_json_writer_string(w, "reason", g->reason);
	pg_json_writer_close(w);
}

static void shift_json(pg_json_writer *w, const pg_level_shift *s)
{
	pg_json_writer_open(w, NULL, '{');
	pg_json_writer_string(w, "metric", s->metric);
	pg_json_writer_string(w, "commit", s->commit);
	pg_json_writer_string(w, "subject", s->subject);
	pg_json_writer_string(w, "unit", s->unit);
	pg_json_writer_number(w, "before", s->before);
	pg_json_writer_number(w, "after", s->after);
	pg_json_writer_number(w, "change", s->change);
	pg_json_writer_number(w, "p", s->p);
	pg_json_writer_close(w);
}

/* The whole verdict document, in the order its readers have always seen the keys. */
static void verdict_json(pg_json_writer *w, const pg_verdict *v)
{
	pg_json_writer_open(w, NULL, '{');
	pg_json_writer_open(w, "head", '{');
	pg_json_writer_string(w, "commit", v->head_commit);
	pg_json_writer_string(w, "env", v->env_key);
	pg_json_writer_close(w);
	pg_json_writer_open(w, "base", '{');
	pg_json_writer_string(w, "commit", v->base_commit);
	pg_json_writer_number(w, "depth", v->base_commit ? v->base_depth : NAN);
	pg_json_writer_string(w, "how", v->base_how);
	pg_json_writer_bool(w, "found", !v->no_baseline);
	pg_json_writer_close(w);
	pg_json_writer_open(w, "counts", '{');
	pg_json_writer_number(w, "regressions", v->counts.regressions);
	pg_json_writer_number(w, "improvements", v->counts.improvements);
	pg_json_writer_number(w, "inconclusive", v->counts.inconclusive);
	pg_json_writer_number(w, "accepted", v->counts.accepted);
	pg_json_writer_number(w, "failed_benchmarks", v->counts.failed_benchmarks);
	pg_json_writer_number(w, "gates_failed", v->counts.gates_failed);
	pg_json_writer_close(w);
	pg_json_writer_string(w, "schema", PG_VERDICT_SCHEMA);
	pg_json_writer_string(w, "verdict", pg_overall_name(v->overall));
	pg_json_writer_open(w, "metrics", '[');
	for (size_t i = 0; i < v->n_metrics; i++)
		metric_json(w, &v->metrics[i]);
	pg_json_writer_close(w);
	pg_json_writer_open(w, "gates", '[');
	for (size_t i = 0; i < v->n_gates; i++)
		gate_json(w, &v->gates[i]);
	pg_json_writer_close(w);
	pg_json_writer_open(w, "benchmarks_not_ok", '[');
	for (size_t i = 0; i < v->n_failures; i++) {
		pg_json_writer_open(w, NULL, '{');
		pg_json_writer_string(w, "bench", v->failures[i].bench);
		pg_json_writer_string(w, "status", v->failures[i].status);
		pg_json_writer_string(w, "reason", v->failures[i].reason);
		pg_json_writer_close(w);
	}
	pg_json_writer_close(w);
	pg_json_writer_open(w, "warnings", '[');
	for (size_t i = 0; i < v->n_warnings; i++)
		pg_json_writer_string(w, NULL, v->warnings[i]);
	pg_json_writer_close(w);
	if (v->probe.state != PG_PROBE_UNUSED)
		probe_json(w, &v->probe);
	/* Only when check looked: the key's absence says nobody looked, [] that nothing was found. */
	if (v->shifts_window > 0) {
		pg_json_writer_open(w, "level_shifts", '{');
		pg_json_writer_open(w, "not_accepted", '[');
		for (size_t i = 0; i < v->n_shifts; i++)
			shift_json(w, &v->shifts[i]);
		pg_json_writer_close(w);
		pg_json_writer_number(w, "commits", v->shifts_window);
		pg_json_writer_close(w);
	}
	pg_json_writer_close(w);
}

int pg_report_json(FILE *out, const pg_verdict *v, const pg_report_options *o)
{
	(void)o;
	pg_json_writer w;
	pg_json_writer_init_file(&w, 1, out);
	verdict_json(&w, v);
	int rc = pg_json_writer_finish(&w, NULL, NULL);
	if (rc)
		return pg_error_wrap(rc, "the verdict as JSON");
	fputc('\n', out);
	return 0;
}
