/* probe.c - the environment probe in a verdict: tell a slower runner from a slower program */
#include "perfgate/compare.h"

#include "perfgate/error.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The rule. A side's score is the geometric mean of its two probe totals
 * (before and after its benchmarks); its within-run spread s is
 * |ln(after/before)|, how far the same runner wandered during one run. The
 * runner moved between base and head when
 *
 *     |ln(head score / base score)| > max(ln 1.03, 2 × max(s_base, s_head))
 *
 * Twice the larger spread: a difference of two runs, each as unsteady as
 * its own before/after pair says, stays inside that about 19 times in 20
 * (it is roughly the 95 % band of a difference of two such draws). The 3 %
 * floor is the probe's own repeatability on a quiet machine (about 1 %,
 * with margin): below it a runner change is too small to tell and too small
 * to matter against a 10 % threshold.
 *
 * Where the runner did not move as far as the probe can tell, but the
 * probe's noise is as large as a wall-clock regression (ln(1 + change) <=
 * noise), the runner was too unsteady to vouch for it: the regression is
 * held as inconclusive.
 *
 * The same holds for a pass. A time metric that came out unchanged (or
 * improved) is a pass only where a regression of the threshold would have
 * shown: where the head's runner may have been faster than the base's by
 * ln(1 + threshold) - ln(1 + change) or more, a regression could hide
 * behind the runner, and the row is inconclusive. How much faster it may
 * have been: the probe's shift when it says the head's runner was faster;
 * else its noise when the runner was unsteady (above the 3 % floor); else
 * nothing. (On a loaded 2-core runner a +25 % regression once came out
 * +1.3 %: the base had run while the runner was slower, and its probe had
 * wandered 15.9 % within the run.)
 */
#define PROBE_NOISE_FLOOR 0.0295588022415444 /* ln 1.03 */

int pg_probe_score(double *ms, double *spread, const pg_probe *p)
{
	if (!p || p->version <= 0)
		return -1;
	double before = p->cpu_ms[0] + p->mem_ms[0], after = p->cpu_ms[1] + p->mem_ms[1];
	if (!(before > 0) || !(after > 0))
		return -1;
	*ms = sqrt(before * after);
	*spread = fabs(log(after / before));
	return 0;
}

static int is_time_unit(const char *unit)
{
	static const char *const time_units[] = {"ns", "us", "ms", "s", NULL};
	for (const char *const *u = time_units; *u; u++)
		if (strcmp(unit, *u) == 0)
			return 1;
	return 0;
}

/* 1 for CPU time (user, sys, cpu and their _-suffixed kin). */
static int is_cpu_time(const char *name)
{
	static const char *const cpu_times[] = {"user", "sys", "cpu", NULL};
	for (const char *const *c = cpu_times; *c; c++)
		if (strcmp(name, *c) == 0 || (strncmp(name, *c, strlen(*c)) == 0 && name[strlen(*c)] == '_'))
			return 1;
	return 0;
}

int pg_metric_is_time(const char *name, const char *unit, int better_higher)
{
	/*
	 * CPU time does not wait for a busy runner, so a slower runner does not excuse it; it is
	 * held only where the runner was too unsteady to vouch for anything (apply_probe).
	 */
	if (is_cpu_time(name))
		return 0;
	if (better_higher)
		return strcmp(unit, "1/s") == 0; /* a rate: a slower runner lowers it */
	return is_time_unit(unit);
}

/* Both sides' scores and whether the runner moved; 0, or -1 when a side has no probe. */
static int compare_probes(pg_verdict_probe *out, const pg_probe *base, const pg_probe *head)
{
	memset(out, 0, sizeof(*out));
	out->state = PG_PROBE_MISSING;
	out->has_base = pg_probe_score(&out->base_ms, &out->base_spread, base) == 0;
	out->has_head = pg_probe_score(&out->head_ms, &out->head_spread, head) == 0;
	if (!out->has_base || !out->has_head || base->version != head->version)
		return -1;
	out->state = PG_PROBE_COMPARED;
	out->ratio = out->head_ms / out->base_ms;
	double spread = out->base_spread > out->head_spread ? out->base_spread : out->head_spread;
	out->noise = 2 * spread > PROBE_NOISE_FLOOR ? 2 * spread : PROBE_NOISE_FLOOR;
	out->moved = fabs(log(out->ratio)) > out->noise;
	return 0;
}

/* How much faster (log) the head's runner may have been than the base's; 0: not faster as far as the probe can tell. */
static double head_runner_headroom(const pg_verdict_probe *p)
{
	if (p->moved)
		return p->ratio < 1 ? -log(p->ratio) : 0;
	return p->noise > PROBE_NOISE_FLOOR ? p->noise : 0;
}

static const char *slower_or_faster(double ratio, double *percent)
{
	*percent = fabs(ratio - 1) * 100;
	return ratio >= 1 ? "slower" : "faster";
}

const char *pg_verdict_probe_text(char *buf, size_t size, const pg_verdict_probe *p)
{
	double pct;
	const char *way;
	switch (p->state) {
	case PG_PROBE_UNUSED:
		snprintf(buf, size, "%s", "");
		break;
	case PG_PROBE_MISSING:
		snprintf(buf, size, "environment probe: %s (runner changes cannot be told from regressions)",
			 !p->has_base && !p->has_head ? "neither side has one"
			 : !p->has_base		     ? "the baseline has none"
			 : !p->has_head		     ? "the head has none"
						     : "the two sides ran different probe versions");
		break;
	case PG_PROBE_SAME_RUNNER:
		snprintf(buf, size,
			 "environment probe: %.1f ms, before/after spread %.1f %% (base and head ran on this runner together: informative only)",
			 p->head_ms, p->head_spread * 100);
		break;
	case PG_PROBE_COMPARED:
		way = slower_or_faster(p->ratio, &pct);
		snprintf(buf, size,
			 "runner %.1f %% %s by the probe (base %.1f ms, head %.1f ms; within-run spread %.1f %% and %.1f %%; noise %.1f %%)%s",
			 pct, way, p->base_ms, p->head_ms, p->base_spread * 100, p->head_spread * 100,
			 (exp(p->noise) - 1) * 100,
			 !p->moved ? ": within its noise" : p->ratio > 1 ? ": time regressions are inconclusive unless normalised" : "");
		break;
	}
	return buf;
}

void pg_verdict_probe_same_runner(pg_verdict *v, const pg_probe *probe)
{
	memset(&v->probe, 0, sizeof(v->probe));
	if (pg_probe_score(&v->probe.head_ms, &v->probe.head_spread, probe) != 0)
		return;
	v->probe.state = PG_PROBE_SAME_RUNNER;
	v->probe.has_base = v->probe.has_head = 1;
	v->probe.base_ms = v->probe.head_ms;
	v->probe.base_spread = v->probe.head_spread;
	v->probe.ratio = 1;
}

/* The probe of the run that measured base benchmark `name` (the last ok copy, as pg_compare takes). */
static const pg_probe *base_probe_of(const pg_result_set *base, const pg_probe *base_probes, const char *name)
{
	const pg_probe *found = NULL;
	for (size_t j = 0; j < base->n_benchmarks; j++)
		if (base->benchmarks[j].status == PG_STATUS_OK && strcmp(base->benchmarks[j].name, name) == 0)
			found = base_probes ? &base_probes[j] : pg_benchmark_probe(base, &base->benchmarks[j]);
	return found;
}

static int wants_normalizing(const pg_gates *gates, const char *bench)
{
	const pg_bench_def *def = gates ? pg_gates_find(gates, bench) : NULL;
	return def && def->run.normalize_probe;
}

static void scale_metric(pg_metric *m, double by)
{
	for (size_t i = 0; i < m->n_samples; i++)
		m->samples[i] *= by;
	m->value *= by;
	pg_summary *s = &m->summary;
	double *fields[] = {&s->min, &s->max, &s->mean, &s->stddev, &s->median, &s->mad,
			    &s->p50, &s->p90, &s->p95, &s->p99};
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		*fields[i] *= by;
}

/*
 * The head as a runner as fast as the base's would have measured it: the
 * time metrics of normalising benchmarks divided by their probe ratio
 * (rates multiplied). ratios is parallel to head->benchmarks; 0 = leave.
 */
static int normalized_head(pg_result_set **out, const pg_result_set *head, const double *ratios)
{
	pg_result_set *rs = pg_result_set_new();
	if (!rs)
		return pg_error_set(PG_ENOMEM, "out of memory");
	rs->commit = head->commit ? strdup(head->commit) : NULL;
	rs->env.key = head->env.key ? strdup(head->env.key) : NULL;
	rs->probe = head->probe;
	for (size_t i = 0; i < head->n_benchmarks; i++) {
		pg_benchmark *b = pg_result_set_copy_benchmark(rs, &head->benchmarks[i]);
		if (!b) {
			pg_result_set_free(rs);
			return pg_error_set(PG_ENOMEM, "out of memory");
		}
		for (size_t j = 0; ratios[i] > 0 && j < b->n_metrics; j++) {
			pg_metric *m = &b->metrics[j];
			if (pg_metric_is_time(m->name, m->unit, m->better == PG_BETTER_HIGHER))
				scale_metric(m, m->better == PG_BETTER_HIGHER ? ratios[i] : 1 / ratios[i]);
		}
	}
	*out = rs;
	return 0;
}

static int same_row(const pg_metric_change *a, const pg_metric_change *b)
{
	return strcmp(a->bench, b->bench) == 0 && strcmp(a->metric, b->metric) == 0 &&
	       (a->stat == NULL) == (b->stat == NULL) && (!a->stat || strcmp(a->stat, b->stat) == 0);
}

static int set_note(pg_metric_change *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int set_note(pg_metric_change *c, const char *fmt, ...)
{
	char text[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	/* A note already there (a zero baseline, a re-run) stays in front. */
	size_t len = (c->note ? strlen(c->note) + 2 : 0) + strlen(text) + 1;
	char *note = malloc(len);
	if (!note)
		return pg_error_set(PG_ENOMEM, "out of memory");
	snprintf(note, len, "%s%s%s", c->note ? c->note : "", c->note ? "; " : "", text);
	free(c->note);
	c->note = note;
	return 0;
}

/* A pass the runner cannot vouch for: an unchanged or improved time row a regression could hide in. */
static int hold_unvouched_pass(pg_metric_change *c, const pg_verdict_probe *cmp, int same_runner)
{
	if ((c->verdict != PG_CHANGE_UNCHANGED && c->verdict != PG_CHANGE_IMPROVEMENT) || same_runner ||
	    !(c->threshold > 0) || !isfinite(c->change) || c->change <= -1)
		return 0;
	double headroom = head_runner_headroom(cmp);
	if (!(headroom > 0) || log1p(c->threshold) - log1p(c->change) > headroom)
		return 0;
	/* What a regression of exactly the threshold would have measured on the faster runner. */
	double hidden = (1 + c->threshold) * exp(-headroom) - 1;
	c->verdict = PG_CHANGE_INCONCLUSIVE;
	c->probe_held = 1;
	c->probe_ratio = cmp->ratio;
	if (cmp->moved)
		return set_note(c, "runner %.1f %% faster by the probe: a regression of the %.0f %% threshold would have measured %+.1f %% here, so %+.1f %% is inconclusive, not a pass",
				(1 / cmp->ratio - 1) * 100, c->threshold * 100, pg_change_shown(c, hidden) * 100,
				pg_change_shown(c, c->change) * 100);
	return set_note(c, "runner unsteady: the probe wandered %.1f %% within one run, so a regression of the %.0f %% threshold could have measured %+.1f %% here; %+.1f %% is inconclusive, not a pass",
			(exp(cmp->noise / 2) - 1) * 100, c->threshold * 100, pg_change_shown(c, hidden) * 100,
			pg_change_shown(c, c->change) * 100);
}

/* Take the decision of the normalised comparison for the rows of normalising benchmarks. */
static int take_normalized(pg_verdict *v, const pg_verdict *norm, const pg_result_set *head,
			   const double *ratios)
{
	for (size_t i = 0; i < v->n_metrics; i++) {
		pg_metric_change *c = &v->metrics[i];
		const pg_benchmark *hb = pg_result_set_find(head, c->bench);
		double r = hb ? ratios[hb - head->benchmarks] : 0;
		if (!(r > 0) || !c->has_base || !pg_metric_is_time(c->metric, c->unit, c->better_higher))
			continue;
		for (size_t j = 0; j < norm->n_metrics; j++) {
			const pg_metric_change *n = &norm->metrics[j];
			if (!same_row(c, n))
				continue;
			double pct;
			const char *way = slower_or_faster(r, &pct);
			c->raw_change = c->change;
			c->probe_normalized = 1;
			c->probe_ratio = r;
			pg_metric_change_take_decision(c, n);
			int rc = set_note(c, "normalised by the probe (runner %.1f %% %s): raw %+.1f %%, normalised %+.1f %%",
					  pct, way, pg_change_shown(c, c->raw_change) * 100,
					  pg_change_shown(c, c->change) * 100);
			if (rc)
				return rc;
			break;
		}
	}
	return 0;
}

/* Who lacks a probe, said once with the commit it concerns. */
static int warn_missing(pg_verdict *v, const pg_probe *hp, const pg_result_set *base,
			const pg_probe *bp, const pg_metric_change *c)
{
	char where[160];
	if (!hp || hp->version <= 0)
		return pg_verdict_warn(v, "this run has no environment probe (--no-probe, or \"probe\": false): runner changes cannot be told from regressions");
	if (c->base_commit)
		snprintf(where, sizeof(where), "baseline %.7s", c->base_commit);
	else if (base->commit)
		snprintf(where, sizeof(where), "baseline %.7s", base->commit);
	else if (v->base_how)
		snprintf(where, sizeof(where), "baseline (%s)", v->base_how);
	else
		snprintf(where, sizeof(where), "the baseline");
	if (bp && bp->version > 0)
		return pg_verdict_warn(v, "%s has environment probe version %d, this run %d: not compared, runner changes cannot be told from regressions",
				       where, bp->version, hp->version);
	return pg_verdict_warn(v, "%s has no environment probe: runner changes cannot be told from regressions",
			       where);
}

/* A regression the probe's own noise explains: inconclusive, with the reason. */
static int hold_unsteady(pg_metric_change *c, const pg_verdict_probe *cmp)
{
	c->verdict = PG_CHANGE_INCONCLUSIVE;
	c->probe_held = 1;
	c->probe_ratio = cmp->ratio;
	return set_note(c, "runner unsteady: the probe wandered %.1f %% within one run, so its noise (±%.1f %%) explains a %+.1f %% change: inconclusive, not a regression",
			(exp(cmp->noise / 2) - 1) * 100, (exp(cmp->noise) - 1) * 100,
			pg_change_shown(c, c->change) * 100);
}

/* A CPU-time regression no larger than the slowdown the probe saw in the runner: inconclusive. */
static int hold_slower_runner(pg_metric_change *c, const pg_verdict_probe *cmp)
{
	c->verdict = PG_CHANGE_INCONCLUSIVE;
	c->probe_held = 1;
	c->probe_ratio = cmp->ratio;
	return set_note(c, "runner %.1f %% slower by the probe, which covers a %+.1f %% change of CPU time too: inconclusive, not a regression",
			(cmp->ratio - 1) * 100, pg_change_shown(c, c->change) * 100);
}

/* Every gated time row of bench that came out unchanged or improved: inconclusive, saying why. */
static int hold_time_passes(pg_verdict *v, const char *bench, const char *why)
{
	for (size_t j = 0; j < v->n_metrics; j++) {
		pg_metric_change *c = &v->metrics[j];
		if (!c->gated || c->stat || strcmp(c->bench, bench) != 0 ||
		    (c->verdict != PG_CHANGE_UNCHANGED && c->verdict != PG_CHANGE_IMPROVEMENT) ||
		    !(is_cpu_time(c->metric) || pg_metric_is_time(c->metric, c->unit, c->better_higher)))
			continue;
		c->verdict = PG_CHANGE_INCONCLUSIVE;
		int rc = set_note(c, "%s; %+.1f %% is inconclusive, not a pass", why, pg_change_shown(c, c->change) * 100);
		if (rc)
			return rc;
	}
	return 0;
}

/*
 * The user CPU time of a benchmark is its own computation: where it grew past
 * the threshold, significantly, a gated time row of that benchmark that came
 * out unchanged or improved is no pass but inconclusive. Against a stored base
 * a run can be slowed by what is not the program (the kernel's share: a base
 * with 3.8 ms of sys time a run against the head's 0 once hid +22.8 % of user
 * time, +25 % of work, behind wall +7.8 % and cpu +8.5 %). It never fails
 * anything. The raw evidence counts, before the probe's holds.
 */
static int hold_passes_user_time_contradicts(pg_verdict *v, const pg_compare_options *opts)
{
	double alpha = opts && opts->alpha > 0 ? opts->alpha : 0.05;
	for (size_t i = 0; i < v->n_metrics; i++) {
		const pg_metric_change *u = &v->metrics[i];
		if (strcmp(u->metric, "user") != 0 || u->stat || u->better_higher || !u->has_base ||
		    !is_time_unit(u->unit) || !(u->change > u->threshold) || !(u->p < alpha))
			continue;
		char why[200];
		snprintf(why, sizeof(why), "user CPU time grew %+.1f %% (p %.2g): more work than this row shows",
			 u->change * 100, u->p);
		int rc = hold_time_passes(v, u->bench, why);
		if (rc)
			return rc;
	}
	return 0;
}

/* The least share of a CPU (CPU time over wall time) at which a benchmark's runs count as computing. */
#define COMPUTING_SHARE 0.8

/*
 * A base whose runs waited for a CPU: where a benchmark's share of a CPU
 * (cpu_percent) was significantly lower in the base than in the head, by
 * more than the threshold, and the head computed most of its time, the
 * base's times hold waiting the head's do not, and a gated time row of it
 * that came out unchanged or improved is no pass but inconclusive. Against
 * a stored base, a burst that starved only the base's runs hid +25 % of work
 * once (timing_decision.sh: the base at 86 % of a CPU, the head at 99 %;
 * wall -9.4 %, CPU time +1.9 %, while the probe, taken around the runs,
 * saw the runner 11.0 % faster against a noise of 11.2 %). It never fails
 * anything, and a head that waited is left alone: waiting more is what some
 * regressions are (a lock, a sleep, I/O), and the confirmation run measures
 * a regression again.
 */
static int hold_passes_base_waited(pg_verdict *v, const pg_compare_options *opts)
{
	double alpha = opts && opts->alpha > 0 ? opts->alpha : 0.05;
	for (size_t i = 0; i < v->n_metrics; i++) {
		const pg_metric_change *u = &v->metrics[i];
		if (strcmp(u->metric, "cpu_percent") != 0 || u->stat || !u->has_base || !(u->p < alpha) ||
		    !(u->head >= COMPUTING_SHARE) || !(u->base > 0) || !(u->head / u->base - 1 > u->threshold))
			continue;
		char why[200];
		snprintf(why, sizeof(why),
			 "the base's runs had %.0f %% of a CPU, the head's %.0f %% (p %.2g): the base's times hold waiting for it",
			 u->base * 100, u->head * 100, u->p);
		int rc = hold_time_passes(v, u->bench, why);
		if (rc)
			return rc;
	}
	return 0;
}

int pg_verdict_apply_probe(pg_verdict *v, const pg_result_set *head, const pg_result_set *base,
			   const pg_probe *base_probes, const pg_base_origin *origins,
			   const pg_gates *gates, const pg_compare_options *opts)
{
	memset(&v->probe, 0, sizeof(v->probe));
	if (!base)
		return 0;
	double *ratios = calloc(head->n_benchmarks + 1, sizeof(double));
	int rc = ratios ? 0 : pg_error_set(PG_ENOMEM, "out of memory"), any_normalized = 0, warned = 0;
	for (size_t i = 0; !rc && i < v->n_metrics; i++) {
		pg_metric_change *c = &v->metrics[i];
		int cpu = !c->better_higher && is_cpu_time(c->metric) && is_time_unit(c->unit);
		if (!c->has_base || !(cpu || pg_metric_is_time(c->metric, c->unit, c->better_higher)))
			continue;
		const pg_probe *bp = base_probe_of(base, base_probes, c->bench);
		/* A set merged from shards carries each shard's probe on its benchmarks. */
		const pg_probe *hp = pg_benchmark_probe(head, pg_result_set_find(head, c->bench));
		pg_verdict_probe cmp;
		int compared = compare_probes(&cmp, bp, hp) == 0;
		/* The section shows the first compared benchmark's pair of probes. */
		if (v->probe.state == PG_PROBE_UNUSED || (compared && v->probe.state != PG_PROBE_COMPARED))
			v->probe = cmp;
		if (!compared) {
			if (!warned++ && !cpu)
				rc = warn_missing(v, hp, base, bp, c);
			continue;
		}
		if (cpu) {
			/*
			 * CPU time grows on a contended runner too (caches and memory bandwidth shared
			 * with other work), but far less than wall time wanders: +19 % in an A/A check
			 * beside load.sh on both cores here, while the probe's noise was ±120 % (ln 1.19 =
			 * 0.17 against ln 2.2 = 0.79). A slower runner does not excuse it; a runner whose noise is four
			 * times the regression (in logs) cannot vouch for it. At moderate load that still
			 * lets CPU time catch +25 % (timing_decision.sh), where the probe holds wall time.
			 */
			if (c->verdict != PG_CHANGE_REGRESSION || pg_probe_equal(bp, hp))
				continue;
			/*
			 * Nor is it free of a runner the probe saw slow down: +3 % of work came out
			 * +12.2 % of CPU time on a runner the probe found 25.3 % slower (+9 % that the
			 * runner put there). Where the runner's slowdown covers the whole change, the
			 * change cannot be told from the runner.
			 */
			if (cmp.moved && cmp.ratio > 1 && log1p(c->change) <= log(cmp.ratio))
				rc = hold_slower_runner(c, &cmp);
			else if (4 * log1p(c->change) <= cmp.noise)
				rc = hold_unsteady(c, &cmp);
			continue;
		}
		if (!cmp.moved) {
			/*
			 * Not moved as far as the probe can tell; but where the probe's own
			 * noise is as large as the regression, a runner that unsteady cannot
			 * vouch for it either: hold it.
			 */
			if (c->verdict == PG_CHANGE_REGRESSION && log1p(c->change) <= cmp.noise &&
			    !pg_probe_equal(bp, hp)) {
				rc = hold_unsteady(c, &cmp);
			} else {
				rc = hold_unvouched_pass(c, &cmp, pg_probe_equal(bp, hp));
			}
			continue;
		}
		const pg_benchmark *hb = pg_result_set_find(head, c->bench);
		double pct;
		const char *way = slower_or_faster(cmp.ratio, &pct);
		if (hb && wants_normalizing(gates, c->bench)) {
			ratios[hb - head->benchmarks] = cmp.ratio;
			any_normalized = 1;
		} else if (c->verdict == PG_CHANGE_REGRESSION && cmp.ratio > 1) {
			c->verdict = PG_CHANGE_INCONCLUSIVE;
			c->probe_held = 1;
			c->probe_ratio = cmp.ratio;
			rc = set_note(c, "runner %.1f %% slower by the probe: inconclusive, not a regression (with \"normalize\": \"probe\" it would be decided on normalised values)",
				      pct);
		} else if (!(rc = hold_unvouched_pass(c, &cmp, pg_probe_equal(bp, hp))) &&
			   c->verdict == PG_CHANGE_IMPROVEMENT && cmp.ratio < 1) {
			c->probe_ratio = cmp.ratio;
			rc = set_note(c, "runner %.1f %% %s by the probe: the runner may account for this improvement", pct, way);
		}
	}
	if (!rc && any_normalized) {
		pg_result_set *norm_head = NULL;
		pg_verdict *norm = NULL;
		rc = normalized_head(&norm_head, head, ratios);
		if (!rc)
			rc = pg_compare(&norm, norm_head, base, origins, gates, opts);
		if (!rc)
			rc = take_normalized(v, norm, head, ratios);
		pg_verdict_free(norm);
		pg_result_set_free(norm_head);
	}
	free(ratios);
	if (!rc)
		rc = hold_passes_user_time_contradicts(v, opts);
	if (!rc)
		rc = hold_passes_base_waited(v, opts);
	if (!rc)
		pg_verdict_decide(v, opts);
	return rc;
}
