/* compare.c - per metric: change, interval, significance; per gate: pass or fail; one verdict */
#include "perfgate/compare.h"

#include "perfgate/error.h"
#include "perfgate/quantity.h"
#include "perfgate/stats.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Sizes do not vary between runs; the checklist allows them 20 %. */
#define SIZE_REGRESSION 0.20
#define BOOTSTRAP_RESAMPLES 2000
/* A tail test's p cannot go below 1 / (resamples + 1): enough for Holm over 40 gates at 0.05. */
#define TAIL_RESAMPLES 4000
#define DEFAULT_SEED 0x5eedULL

static const char *const stat_names[] = {"min", "max",  "mean", "stddev", "median", "mad",
					 "p50", "p90",  "p95",  "p99",    "n",      NULL};

static const char *known_stat(const char *s)
{
	for (const char *const *n = stat_names; *n; n++)
		if (strcmp(*n, s) == 0)
			return *n;
	return NULL;
}

const char *pg_change_verdict_name(pg_change_verdict v)
{
	static const char *names[] = {"unchanged",    "improvement", "regression",
				      "inconclusive", "no baseline", "accepted"};
	return names[v];
}

const char *pg_overall_name(pg_overall o)
{
	static const char *names[] = {"pass", "fail", "inconclusive"};
	return names[o];
}

double pg_metric_stat(const pg_metric *m, const char *stat)
{
	if (!stat) {
		double c;
		return pg_metric_center(m, &c) == 0 ? c : NAN;
	}
	if (!m->has_summary)
		return m->has_value ? (strcmp(stat, "n") == 0 ? 1.0 : m->value) : NAN;
	const pg_summary *s = &m->summary;
	if (strcmp(stat, "n") == 0)
		return (double)s->n;
	if (strcmp(stat, "min") == 0)
		return s->min;
	if (strcmp(stat, "max") == 0)
		return s->max;
	if (strcmp(stat, "mean") == 0)
		return s->mean;
	if (strcmp(stat, "stddev") == 0)
		return s->stddev;
	if (strcmp(stat, "median") == 0 || strcmp(stat, "p50") == 0)
		return s->median;
	if (strcmp(stat, "mad") == 0)
		return s->mad;
	if (strcmp(stat, "p90") == 0)
		return s->p90;
	if (strcmp(stat, "p95") == 0)
		return s->p95;
	if (strcmp(stat, "p99") == 0)
		return s->p99;
	return NAN;
}

int pg_metric_path_resolve(const pg_benchmark **bench, const pg_metric **metric,
			   const char **stat, const pg_result_set *rs, const char *path)
{
	const char *dot = strrchr(path, '.');
	size_t len = strlen(path);
	*stat = NULL;
	if (dot && known_stat(dot + 1)) {
		*stat = known_stat(dot + 1);
		len = (size_t)(dot - path);
	}
	const pg_benchmark *best_b = NULL;
	const pg_metric *best_m = NULL;
	for (size_t i = 0; i < rs->n_benchmarks; i++) {
		const pg_benchmark *b = &rs->benchmarks[i];
		size_t bl = strlen(b->name);
		if (bl + 1 >= len || strncmp(path, b->name, bl) != 0 || path[bl] != '.')
			continue;
		for (size_t j = 0; j < b->n_metrics; j++) {
			const pg_metric *m = &b->metrics[j];
			size_t ml = strlen(m->name);
			if (bl + 1 + ml == len && strncmp(path + bl + 1, m->name, ml) == 0 &&
			    (!best_m || ml > strlen(best_m->name))) {
				best_b = b;
				best_m = m;
			}
		}
	}
	if (!best_m)
		return pg_error_set(PG_EINPUT, "'%s': no benchmark.metric of that name was measured",
				    path);
	*bench = best_b;
	*metric = best_m;
	return 0;
}

double pg_compare_min_p(size_t n1, size_t n2)
{
	/* All of one sample above all of the other: 1 / C(n1 + n2, n1). */
	double p = 1.0;
	size_t k = n1 < n2 ? n1 : n2, n = n1 + n2;
	for (size_t i = 1; i <= k; i++)
		p *= (double)i / (double)(n - k + i);
	return p;
}

/* ---- building the verdict ---- */

int pg_verdict_warn(pg_verdict *v, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (size_t i = 0; i < v->n_warnings; i++)
		if (strcmp(v->warnings[i], buf) == 0)
			return 0;
	char **grown = realloc(v->warnings, (v->n_warnings + 1) * sizeof(char *));
	if (!grown)
		return pg_error_set(PG_ENOMEM, "out of memory");
	v->warnings = grown;
	if (!(v->warnings[v->n_warnings] = strdup(buf)))
		return pg_error_set(PG_ENOMEM, "out of memory");
	v->n_warnings++;
	return 0;
}

void pg_verdict_free(pg_verdict *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n_metrics; i++) {
		pg_metric_change *c = &v->metrics[i];
		free(c->bench);
		free(c->metric);
		free(c->stat);
		free(c->unit);
		free(c->base_commit);
		free(c->accepted_by);
		free(c->note);
		free(c->model);
	}
	free(v->metrics);
	for (size_t i = 0; i < v->n_gates; i++) {
		free(v->gates[i].metric);
		free(v->gates[i].unit);
		free(v->gates[i].bound_text);
		free(v->gates[i].bench);
		free(v->gates[i].reason);
	}
	free(v->gates);
	for (size_t i = 0; i < v->n_failures; i++) {
		free(v->failures[i].bench);
		free(v->failures[i].status);
		free(v->failures[i].reason);
	}
	free(v->failures);
	for (size_t i = 0; i < v->n_warnings; i++)
		free(v->warnings[i]);
	free(v->warnings);
	for (size_t i = 0; i < v->n_shifts; i++) {
		free(v->shifts[i].metric);
		free(v->shifts[i].unit);
		free(v->shifts[i].subject);
	}
	free(v->shifts);
	free(v->head_commit);
	free(v->env_key);
	free(v->base_commit);
	free(v->base_how);
	free(v);
}

static pg_metric_change *add_change(pg_verdict *v);

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

pg_verdict *pg_verdict_new(void)
{
	return calloc(1, sizeof(pg_verdict));
}

pg_metric_change *pg_verdict_add_metric(pg_verdict *v)
{
	return add_change(v);
}

static pg_metric_change *add_change(pg_verdict *v)
{
	/* Doubling: a verdict of 50 metrics grown one row at a time copied its rows 50 times over. */
	if (v->n_metrics == v->metrics_room) {
		size_t room = v->metrics_room ? 2 * v->metrics_room : 8;
		pg_metric_change *grown = realloc(v->metrics, room * sizeof(*grown));
		if (!grown)
			return NULL;
		v->metrics = grown;
		v->metrics_room = room;
	}
	pg_metric_change *c = &v->metrics[v->n_metrics++];
	memset(c, 0, sizeof(*c));
	c->ci_lo = c->ci_hi = c->p = c->noise_floor = c->run_to_run = NAN;
	return c;
}

/* The threshold and floor for a metric: a gate naming it, else the kind's, else the default. */
static void thresholds_for(const pg_gates *gates, const pg_benchmark *b, const char *metric,
			   const char *stat, const char *unit, double default_thr, double *thr,
			   double *min_change, int *named)
{
	*thr = strcmp(b->kind, "size") == 0 ? SIZE_REGRESSION : default_thr;
	*min_change = 0;
	*named = 0;
	if (!gates)
		return;
	size_t bl = strlen(b->name), ml = strlen(metric);
	for (size_t i = 0; i < gates->n_gates; i++) {
		const pg_gate *g = &gates->gates[i];
		const char *p = g->metric;
		if (strncmp(p, b->name, bl) != 0 || p[bl] != '.' || strncmp(p + bl + 1, metric, ml) != 0)
			continue;
		const char *rest = p + bl + 1 + ml;
		int plain = *rest == '\0', with_stat = *rest == '.' && known_stat(rest + 1);
		if (!plain && !with_stat)
			continue;
		int on_center = plain || strcmp(rest + 1, "median") == 0 || strcmp(rest + 1, "p50") == 0;
		if (!stat) {
			/*
			 * The relative gate of a metric a gate names is held on its median,
			 * where a test can decide; a bound on its p99 is the gate's absolute part.
			 */
			*named = 1;
			if (g->has_regression && (on_center || *thr == default_thr))
				*thr = g->regression;
		} else if (with_stat && strcmp(rest + 1, stat) == 0) {
			/* A tail statistic is gated relatively only when its gate asks for it. */
			*named = g->has_regression;
			if (g->has_regression)
				*thr = g->regression;
		} else {
			continue;
		}
		double mc;
		if (g->has_min_change && pg_quantity_in_unit(&mc, &g->min_change, unit) == 0)
			*min_change = mc;
	}
}

/*
 * About how many more runs per side would bring p below the needed level
 * (the test's statistic grows as sqrt(n)). 0 when no number can be given:
 * p is not on the worse side, or it would take more than ten times the runs
 * made so far, where the change is too small against the spread for more
 * runs to be the answer.
 */
static int more_runs_needed(double p_raw, double p_needed, size_t n)
{
	if (!(p_raw < 0.5) || !(p_needed > 0) || n == 0)
		return 0;
	double z_obs = pg_stats_normal_quantile(1.0 - p_raw);
	double z_need = pg_stats_normal_quantile(1.0 - p_needed);
	double total = (double)n * (z_need / z_obs) * (z_need / z_obs);
	double more = ceil(total - (double)n);
	if (more > 9.0 * (double)n && more > 20)
		return 0;
	return more < 1 ? 1 : (int)more;
}

typedef struct tested {
	size_t index;         /* into v->metrics */
	double p_worse, p_better;
} tested;

/* The change (head - base) / |base|, > 0 worse: a negative baseline keeps its direction. */
static double relative_change(double head, double base, int better_higher)
{
	if (base == 0)
		return head == 0 ? 0 : NAN;
	double change = (head - base) / fabs(base);
	return better_higher ? -change : change;
}

/*
 * Sizes, instruction counts (measure: instructions), a matcher's hit rate
 * and accuracy (answers counted over a fixed corpus, not timed) and samples
 * that are all identical: no test is needed, nor possible.
 */
static int cannot_vary(const pg_benchmark *b, const pg_metric *m, const pg_metric *bm)
{
	if (strcmp(b->kind, "size") == 0 ||
	    (strcmp(m->name, "instructions") == 0 && strcmp(m->unit, "count") == 0) ||
	    (strcmp(b->kind, "matcher") == 0 && strcmp(m->unit, "ratio") == 0))
		return 1;
	return m->has_summary && bm->has_summary && m->summary.n >= 2 && bm->summary.n >= 2 &&
	       m->summary.min == m->summary.max && bm->summary.min == bm->summary.max;
}

/* n, mean and sd of a side, from its samples, its stored summary or its single value. */
typedef struct moments {
	size_t n;
	double mean, sd;
} moments;

static moments moments_of(const pg_metric *m)
{
	if (m->has_summary && m->summary.n >= 1) {
		moments s = {m->summary.n, NAN, NAN};
		pg_summary_location(&m->summary, &s.mean, &s.sd);
		if (s.n < 2)
			s.sd = NAN;
		return s;
	}
	if (m->n_samples >= 1)
		return (moments){1, m->samples[0], NAN};
	if (m->has_value)
		return (moments){1, m->value, NAN};
	return (moments){0, NAN, NAN};
}

/* The percentile a statistic is, or -1 when it is not one. */
static double stat_percentile(const char *stat)
{
	static const struct {
		const char *name;
		double q;
	} table[] = {{"min", 0}, {"p50", 50}, {"median", 50}, {"p90", 90}, {"p95", 95}, {"p99", 99}, {"max", 100}};
	for (size_t i = 0; stat && i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(stat, table[i].name) == 0)
			return table[i].q;
	return -1;
}

#define set_note(c, ...) pg_string_set(&(c)->note, __VA_ARGS__)

static int set_model(pg_metric_change *c, const char *model)
{
	free(c->model);
	return (c->model = strdup(model)) ? 0 : pg_error_set(PG_ENOMEM, "out of memory");
}

/*
 * The one-sided p-values of the worse and the better side, from the test
 * that fits the statistic and what each side has. Returns 0 with both set,
 * 1 when no test can decide (c->note says why), or a negative error.
 */
static int test_change(double *p_worse, double *p_better, pg_metric_change *c, const pg_metric *m,
		       const pg_metric *bm, const char *stat, const pg_compare_options *opts)
{
	unsigned long long seed = opts->seed ? opts->seed : DEFAULT_SEED;
	int samples = m->n_samples >= 2 && bm->n_samples >= 2;
	double q = stat_percentile(stat);
	if (samples && (!stat || q == 50)) {
		/* The centre: one-sided Mann-Whitney each way, adjusted together later. */
		pg_mwu worse, better;
		int rc = pg_stats_mann_whitney(&worse, m->samples, m->n_samples, bm->samples, bm->n_samples,
					       c->better_higher ? PG_LESS : PG_GREATER);
		if (!rc)
			rc = pg_stats_mann_whitney(&better, m->samples, m->n_samples, bm->samples,
						   bm->n_samples, c->better_higher ? PG_GREATER : PG_LESS);
		if (rc)
			return rc;
		*p_worse = worse.p;
		*p_better = better.p;
		double lo, hi;
		if (c->base > 0 && pg_stats_ratio_ci(&lo, &hi, bm->samples, bm->n_samples, m->samples,
						     m->n_samples, opts->alpha, BOOTSTRAP_RESAMPLES, seed) == 0) {
			c->ci_lo = c->better_higher ? 1.0 - hi : lo - 1.0;
			c->ci_hi = c->better_higher ? 1.0 - lo : hi - 1.0;
		} else if (c->base < 0) {
			pg_boot_change bc;
			if (pg_stats_percentile_change(&bc, bm->samples, bm->n_samples, m->samples,
						       m->n_samples, 50, opts->alpha, BOOTSTRAP_RESAMPLES, seed) == 0) {
				c->ci_lo = c->better_higher ? -bc.hi : bc.lo;
				c->ci_hi = c->better_higher ? -bc.lo : bc.hi;
			}
		}
		return 0;
	}
	if (samples && q >= 0) {
		/* A tail moves on its own: test that statistic, never the whole distribution. */
		pg_boot_change bc;
		int rc = pg_stats_percentile_change(&bc, bm->samples, bm->n_samples, m->samples,
						    m->n_samples, q, opts->alpha, TAIL_RESAMPLES, seed);
		if (rc == PG_ENOMEM)
			return rc;
		if (rc)
			return set_note(c, "no test of %s: %s", stat, pg_error_message()) ? PG_ENOMEM : 1;
		*p_worse = c->better_higher ? bc.p_less : bc.p_greater;
		*p_better = c->better_higher ? bc.p_greater : bc.p_less;
		c->ci_lo = c->better_higher ? -bc.hi : bc.lo;
		c->ci_hi = c->better_higher ? -bc.lo : bc.hi;
		return 0;
	}
	if (q >= 0 && q != 50)
		return set_note(c, "a relative gate on %s needs samples on both sides", stat) ? PG_ENOMEM : 1;
	if (stat && q < 0 && strcmp(stat, "mean") != 0)
		return set_note(c, "no test decides a relative change of %s", stat) ? PG_ENOMEM : 1;
	/* A mean, or a side with one run or a summary only: Welch's test on what each side has. */
	moments h = moments_of(m), b = moments_of(bm);
	pg_welch worse, better;
	int testable = (h.n >= 2 && isfinite(h.sd)) || (b.n >= 2 && isfinite(b.sd));
	if (testable && pg_stats_welch(&worse, h.n, h.mean, h.sd, b.n, b.mean, b.sd,
				       c->better_higher ? PG_LESS : PG_GREATER) == 0 &&
	    pg_stats_welch(&better, h.n, h.mean, h.sd, b.n, b.mean, b.sd,
			   c->better_higher ? PG_GREATER : PG_LESS) == 0) {
		*p_worse = worse.p;
		*p_better = better.p;
		return 0;
	}
	if (testable)
		return set_note(c, "neither side varies in its runs, yet they differ: re-measure") ? PG_ENOMEM : 1;
	/* The same single value on both sides (0 bytes of I/O, say): nothing to test, nothing to say. */
	if (h.mean == b.mean)
		return 1;
	/* One run a side: no spread to test against. The fewest runs a rank test could decide with: */
	size_t n = 2;
	while (n < 100 && pg_compare_min_p(n, n) >= opts->alpha)
		n++;
	size_t have = c->n_head < c->n_base ? c->n_head : c->n_base;
	return set_note(c, "one run on %s: no spread to test against; at least %zu more run%s per side could decide",
			c->n_head < 2 && c->n_base < 2 ? "each side" : c->n_head < 2 ? "the head" : "the base",
			n - have, n - have == 1 ? "" : "s")
		       ? PG_ENOMEM
		       : 1;
}

/* CPU time is gated beside wall time unless the process mostly waits (the share is below the bar). */
static int cpu_share(double *share, const pg_benchmark *b, const pg_benchmark *bb)
{
	*share = NAN;
	const pg_benchmark *sides[2] = {b, bb};
	for (int i = 0; i < 2; i++) {
		if (!sides[i])
			continue;
		const pg_metric *cpu = pg_benchmark_find_metric(sides[i], "cpu");
		const pg_metric *wall = pg_benchmark_find_metric(sides[i], "wall");
		double c, w, w2;
		if (!wall && (wall = pg_benchmark_find_metric(sides[i], "spawn"))) {
			/* A VM's process lives through spawn and teardown; its CPU time covers both. */
			const pg_metric *teardown = pg_benchmark_find_metric(sides[i], "teardown");
			if (!teardown || pg_metric_center(teardown, &w2) != 0)
				w2 = 0;
		} else {
			w2 = 0;
		}
		if (!cpu || !wall || pg_metric_center(cpu, &c) != 0 || pg_metric_center(wall, &w) != 0 ||
		    !(w + w2 > 0))
			continue;
		/* The larger share of the two runs: a loaded runner lowers it without the code waiting. */
		double s = c / (w + w2);
		if (!(*share >= s))
			*share = s;
	}
	return isfinite(*share);
}

static int is_cpu_metric(const pg_benchmark *b, const pg_metric *m)
{
	return strcmp(m->name, "cpu") == 0 && strcmp(m->unit, "ms") == 0 &&
	       (strcmp(b->kind, "command") == 0 || strcmp(b->kind, "vmspawn") == 0 ||
		strcmp(b->kind, "import") == 0);
}

static int compare_metric(pg_verdict *v, tested **tests, size_t *n_tests, const pg_benchmark *b,
			  const pg_metric *m, const char *stat, const pg_benchmark *bb,
			  const pg_base_origin *origin, const pg_gates *gates,
			  const pg_compare_options *opts)
{
	pg_metric_change *c = add_change(v);
	if (!c)
		return pg_error_set(PG_ENOMEM, "out of memory");
	int named, rc;
	c->bench = strdup(b->name);
	c->metric = strdup(m->name);
	c->stat = dup_or_null(stat);
	c->unit = strdup(m->unit);
	c->better_higher = m->better == PG_BETTER_HIGHER;
	thresholds_for(gates, b, m->name, stat, m->unit, opts->regression, &c->threshold,
		       &c->min_change, &named);
	c->gated = named || (!stat && m == &b->metrics[0]);
	c->head = pg_metric_stat(m, stat);
	c->n_head = m->has_summary ? m->summary.n : m->n_samples ? m->n_samples : 1;
	const pg_metric *bm = bb ? pg_benchmark_find_metric(bb, m->name) : NULL;
	if (!c->bench || !c->metric || !c->unit || (stat && !c->stat))
		return pg_error_set(PG_ENOMEM, "out of memory");
	int cpu = !stat && is_cpu_metric(b, m);
	if (cpu && !named) {
		double share;
		if (cpu_share(&share, b, bb && bm ? bb : NULL) && share >= PG_CPU_SHARE_TO_GATE)
			c->gated = 1;
		else if (isfinite(share) &&
			 (rc = set_note(c, "not gated: CPU time is %.0f %% of wall time (the benchmark waits on I/O, locks or sleep), so wall time is its only time gate",
					share * 100)))
			return rc;
	}
	if (!bm || !isfinite(pg_metric_stat(bm, stat))) {
		c->verdict = PG_CHANGE_NO_BASELINE;
		/* An aggregate-only import keeps n, mean, sd and median: no tail to compare. */
		if (bm && stat)
			return set_note(c, "the base's result has no %s (its summary holds n, mean, sd and median)",
					stat);
		return 0;
	}
	c->has_base = 1;
	c->base = pg_metric_stat(bm, stat);
	c->n_base = bm->has_summary ? bm->summary.n : bm->n_samples ? bm->n_samples : 1;
	if (origin) {
		c->base_commit = dup_or_null(origin->commit);
		c->base_depth = origin->depth;
	}
	if (!isfinite(c->head)) {
		c->verdict = PG_CHANGE_INCONCLUSIVE;
		return set_note(c, "the head's result has no %s (its summary holds n, mean, sd and median)",
				stat ? stat : "median");
	}
	double sign = c->better_higher ? -1.0 : 1.0;
	c->change = relative_change(c->head, c->base, c->better_higher);
	if (c->min_change > 0 && fabs(c->head - c->base) < c->min_change) {
		c->verdict = PG_CHANGE_UNCHANGED;
		return 0;
	}
	if (!isfinite(c->change)) {
		/* A zero baseline has no ratio; only an absolute floor can gate it. */
		c->verdict = c->min_change > 0 && fabs(c->head - c->base) >= c->min_change
				     ? (sign * (c->head - c->base) > 0 ? PG_CHANGE_REGRESSION
								     : PG_CHANGE_IMPROVEMENT)
				     : PG_CHANGE_UNCHANGED;
		c->note = strdup("zero baseline: no relative change (set min_change to gate it)");
		return 0;
	}
	if (cannot_vary(b, m, bm)) {
		c->verdict = c->change > c->threshold    ? PG_CHANGE_REGRESSION
			     : c->change < -c->threshold ? PG_CHANGE_IMPROVEMENT
							 : PG_CHANGE_UNCHANGED;
		return set_model(c, PG_MODEL_EXACT);
	}
	/*
	 * Run-to-run history, where there is one, upgrades this after the tests are decided. CPU
	 * time too: it moves between runs less than wall time but not "barely" (over 90 pairs of
	 * runs on a shared 2-core runner its run-to-run sd was 3.7 %, wall's 4.0 %), so its own
	 * history's band holds it as wall's holds wall.
	 */
	if ((rc = set_model(c, PG_MODEL_SINGLE_RUN)))
		return rc;
	double p_worse = NAN, p_better = NAN;
	rc = test_change(&p_worse, &p_better, c, m, bm, stat, opts);
	if (rc < 0)
		return rc;
	if (rc == 1) {
		/* Nothing can test it: over the threshold is inconclusive, never a bare-ratio fail. */
		c->verdict = fabs(c->change) > c->threshold ? PG_CHANGE_INCONCLUSIVE : PG_CHANGE_UNCHANGED;
		return 0;
	}
	c->p = c->change >= 0 ? p_worse : p_better;
	tested *grown = realloc(*tests, (*n_tests + 1) * sizeof(**tests));
	if (!grown)
		return pg_error_set(PG_ENOMEM, "out of memory");
	*tests = grown;
	grown[(*n_tests)++] = (tested){v->n_metrics - 1, p_worse, p_better};
	return 0;
}

/* Holm across the gated tests, then each tested metric's verdict. */
static int decide_tested(pg_verdict *v, tested *tests, size_t n_tests, const pg_compare_options *opts)
{
	size_t m = 0;
	for (size_t i = 0; i < n_tests; i++)
		m += v->metrics[tests[i].index].gated;
	double *worse = calloc(m ? m : 1, sizeof(double)), *better = calloc(m ? m : 1, sizeof(double));
	if (!worse || !better) {
		free(worse);
		free(better);
		return pg_error_set(PG_ENOMEM, "out of memory");
	}
	for (size_t i = 0, k = 0; i < n_tests; i++)
		if (v->metrics[tests[i].index].gated) {
			worse[k] = tests[i].p_worse;
			better[k++] = tests[i].p_better;
		}
	int rc = pg_stats_holm(worse, m);
	if (!rc)
		rc = pg_stats_holm(better, m);
	for (size_t i = 0, k = 0; !rc && i < n_tests; i++) {
		pg_metric_change *c = &v->metrics[tests[i].index];
		double pw = tests[i].p_worse, pb = tests[i].p_better;
		if (c->gated) {
			pw = worse[k];
			pb = better[k++];
		}
		c->p = c->change >= 0 ? pw : pb;
		if (c->change > c->threshold)
			c->verdict = pw < opts->alpha ? PG_CHANGE_REGRESSION : PG_CHANGE_INCONCLUSIVE;
		else if (c->change < -c->threshold)
			c->verdict = pb < opts->alpha ? PG_CHANGE_IMPROVEMENT : PG_CHANGE_INCONCLUSIVE;
		else
			c->verdict = PG_CHANGE_UNCHANGED;
		if (c->verdict == PG_CHANGE_INCONCLUSIVE) {
			/* Holm's first step is the strictest a metric can face. */
			double raw = c->change >= 0 ? tests[i].p_worse : tests[i].p_better;
			size_t n = c->n_head < c->n_base ? c->n_head : c->n_base;
			c->more_runs = more_runs_needed(raw, opts->alpha / (double)(c->gated && m ? m : 1), n);
			if (c->more_runs == 0 && !c->note &&
			    !(c->note = strdup("more runs would hardly decide: the change is small against the spread of the runs")))
				rc = pg_error_set(PG_ENOMEM, "out of memory");
		}
	}
	free(worse);
	free(better);
	return rc;
}

/* The spread of run medians is never taken below this (log units, about 1 %). */
#define RUN_TO_RUN_FLOOR 0.01

static const pg_run_series *find_series(const pg_run_history *h, const char *bench, const char *metric)
{
	for (size_t i = 0; h && i < h->n_series; i++)
		if (strcmp(h->series[i].bench, bench) == 0 && strcmp(h->series[i].metric, metric) == 0)
			return &h->series[i];
	return NULL;
}

static int history_wanted(const pg_gates *gates, const char *bench, const pg_compare_options *opts)
{
	if (opts->history_runs > 0)
		return opts->history_runs;
	const pg_bench_def *d = gates ? pg_gates_find(gates, bench) : NULL;
	return d && d->run.history > 0 ? d->run.history : PG_DEFAULT_HISTORY;
}

/*
 * The head's centre on the model's scale, averaged over this measurement
 * and the earlier ones of the same head (--confirm rounds): J head runs.
 */
static double head_level(int *runs, const pg_metric_change *c, const pg_compare_options *opts, int logs)
{
	double sum = logs ? log(c->head) : c->head;
	*runs = 1;
	for (size_t i = 0; i < opts->n_earlier_heads; i++) {
		const pg_benchmark *b = pg_result_set_find(opts->earlier_heads[i], c->bench);
		const pg_metric *m = b ? pg_benchmark_find_metric(b, c->metric) : NULL;
		double centre;
		if (!m || pg_metric_center(m, &centre) != 0 || !isfinite(centre) || (logs && !(centre > 0)))
			continue;
		sum += logs ? log(centre) : centre;
		(*runs)++;
	}
	return sum / *runs;
}

/*
 * Run-to-run variation (a stored baseline): the centres x_1..x_K of the
 * last K stored runs give a mean m and sd s (on logs when all are
 * positive); the head's level h (mean of its J runs) is outside what
 * run-to-run variation explains when, in the worsening direction,
 * h - m > t(K-1, 1-alpha) * max(s, 1 %) * sqrt(1/J + 1/K). A regression
 * inside that band is inconclusive, an improvement inside it unchanged.
 */
static int apply_run_to_run(pg_verdict *v, const pg_gates *gates, const pg_compare_options *opts)
{
	for (size_t i = 0; i < v->n_metrics; i++) {
		pg_metric_change *c = &v->metrics[i];
		if (!c->has_base || !c->model || strcmp(c->model, PG_MODEL_SINGLE_RUN) != 0 || c->stat)
			continue;
		const pg_run_series *sr = find_series(opts->history, c->bench, c->metric);
		int wanted = history_wanted(gates, c->bench, opts);
		size_t k = sr ? sr->n : 0;
		if (k > (size_t)wanted)
			k = (size_t)wanted;
		if (c->gated && (k < (size_t)wanted || k < PG_MIN_HISTORY)) {
			int rc = k < PG_MIN_HISTORY
					 ? pg_verdict_warn(v, "history: %s.%s has %zu stored run%s of the %d asked for (history K); fewer than %d: single-run baseline",
							   c->bench, c->metric, k, k == 1 ? "" : "s", wanted, PG_MIN_HISTORY)
					 : pg_verdict_warn(v, "history: %s.%s has %zu stored runs of the %d asked for (history K); the run-to-run model uses %zu",
							   c->bench, c->metric, k, wanted, k);
			if (rc)
				return rc;
		}
		if (k < PG_MIN_HISTORY)
			continue;
		int logs = c->head > 0;
		for (size_t j = 0; j < k; j++)
			logs = logs && sr->values[j] > 0;
		double mean = 0, ss = 0;
		for (size_t j = 0; j < k; j++)
			mean += (logs ? log(sr->values[j]) : sr->values[j]) / (double)k;
		for (size_t j = 0; j < k; j++) {
			double d = (logs ? log(sr->values[j]) : sr->values[j]) - mean;
			ss += d * d;
		}
		double sd = sqrt(ss / (double)(k - 1));
		double floor = logs ? RUN_TO_RUN_FLOOR : RUN_TO_RUN_FLOOR * fabs(mean);
		if (!(sd > floor))
			sd = floor;
		int j_runs;
		double h = head_level(&j_runs, c, opts, logs);
		double band = pg_stats_t_quantile(1.0 - opts->alpha, (double)(k - 1)) * sd *
			      sqrt(1.0 / j_runs + 1.0 / (double)k);
		double worse = (c->better_higher ? -1.0 : 1.0) * (h - mean);
		c->history_runs = (int)k;
		c->run_to_run = logs ? exp(band) - 1.0 : (mean != 0 ? band / fabs(mean) : NAN);
		char model[64];
		snprintf(model, sizeof(model), "%s (K=%zu)", PG_MODEL_RUN_TO_RUN, k);
		int rc = set_model(c, model);
		if (!rc && c->verdict == PG_CHANGE_REGRESSION && !(worse > band)) {
			c->verdict = PG_CHANGE_INCONCLUSIVE;
			c->more_runs = 0;
			rc = set_note(c, "within run-to-run variation of the last %zu runs: ±%.1f %% (check --ab decides on one runner)",
				      k, c->run_to_run * 100);
		} else if (!rc && c->verdict == PG_CHANGE_IMPROVEMENT && !(-worse > band)) {
			c->verdict = PG_CHANGE_UNCHANGED;
			rc = set_note(c, "improvement within run-to-run variation of the last %zu runs: ±%.1f %%", k,
				      c->run_to_run * 100);
		}
		if (rc)
			return rc;
	}
	return 0;
}

static int add_failure(pg_verdict *v, const pg_benchmark *b)
{
	pg_bench_failure *grown = realloc(v->failures, (v->n_failures + 1) * sizeof(*grown));
	if (!grown)
		return pg_error_set(PG_ENOMEM, "out of memory");
	v->failures = grown;
	pg_bench_failure *f = &v->failures[v->n_failures++];
	f->bench = strdup(b->name);
	f->status = strdup(pg_status_name(b->status));
	f->reason = dup_or_null(b->reason);
	return f->bench && f->status ? 0 : pg_error_set(PG_ENOMEM, "out of memory");
}

/* Does a gate name a statistic of this benchmark's metric that the plain metric row does not cover? */
static int compare_gate_stats(pg_verdict *v, tested **tests, size_t *n_tests, const pg_benchmark *b,
			      const pg_benchmark *bb, const pg_base_origin *origin,
			      const pg_gates *gates, const pg_result_set *head,
			      const pg_compare_options *opts)
{
	if (!gates)
		return 0;
	for (size_t i = 0; i < gates->n_gates; i++) {
		const pg_benchmark *gb;
		const pg_metric *gm;
		const char *stat;
		if (pg_metric_path_resolve(&gb, &gm, &stat, head, gates->gates[i].metric) != 0)
			continue;
		if (gb != b || !stat || strcmp(stat, "median") == 0 || strcmp(stat, "p50") == 0)
			continue;
		int seen = 0;
		for (size_t j = 0; j < v->n_metrics && !seen; j++)
			seen = v->metrics[j].stat && strcmp(v->metrics[j].bench, b->name) == 0 &&
			       strcmp(v->metrics[j].metric, gm->name) == 0 &&
			       strcmp(v->metrics[j].stat, stat) == 0;
		int rc = seen ? 0
			      : compare_metric(v, tests, n_tests, b, gm, stat, bb, origin, gates, opts);
		if (rc)
			return rc;
	}
	return 0;
}

static int evaluate_gates(pg_verdict *v, const pg_result_set *head, const pg_gates *gates)
{
	if (!gates)
		return 0;
	for (size_t i = 0; i < gates->n_gates; i++) {
		const pg_gate *g = &gates->gates[i];
		const pg_benchmark *b = NULL;
		const pg_metric *m = NULL;
		const char *stat = NULL;
		/* A benchmark left out with -b is not judged; one that ran must have the metric. */
		const pg_benchmark *named = NULL;
		for (size_t j = 0; j < head->n_benchmarks; j++) {
			size_t bl = strlen(head->benchmarks[j].name);
			if (strncmp(g->metric, head->benchmarks[j].name, bl) == 0 && g->metric[bl] == '.' &&
			    (!named || bl > strlen(named->name)))
				named = &head->benchmarks[j];
		}
		if (!named)
			continue;
		int resolved = pg_metric_path_resolve(&b, &m, &stat, head, g->metric) == 0;
		if (!resolved && named->status == PG_STATUS_OK)
			return pg_error_set(PG_EINPUT, "%s: gate on '%s': benchmark '%s' has no such metric",
					    gates->path, g->metric, named->name);
		for (int bound = 0; bound < 2; bound++) {
			if (!(bound == 0 ? g->has_max : g->has_min))
				continue;
			pg_gate_result *grown = realloc(v->gates, (v->n_gates + 1) * sizeof(*grown));
			if (!grown)
				return pg_error_set(PG_ENOMEM, "out of memory");
			v->gates = grown;
			pg_gate_result *r = &v->gates[v->n_gates++];
			memset(r, 0, sizeof(*r));
			r->metric = strdup(g->metric);
			r->bench = strdup(named->name);
			r->bound_text = dup_or_null(bound == 0 ? g->max_text : g->min_text);
			r->is_max = bound == 0;
			r->value = NAN;
			/* Not measured: state the bound in its own unit. */
			const pg_quantity *q = bound == 0 ? &g->max : &g->min;
			const char *own = q->dim == PG_DIM_TIME    ? "s"
					  : q->dim == PG_DIM_BYTES ? "bytes"
					  : q->dim == PG_DIM_RATIO ? "ratio"
								   : "count";
			r->unit = strdup(resolved ? m->unit : own);
			if (!r->metric || !r->unit || !r->bench)
				return pg_error_set(PG_ENOMEM, "out of memory");
			if (pg_quantity_in_unit(&r->bound, bound == 0 ? &g->max : &g->min, r->unit))
				return pg_error_wrap(PG_EINPUT, "%s: gate on '%s'", gates->path, g->metric);
			if (named->status != PG_STATUS_OK) {
				/* A skipped benchmark (no /dev/kvm) cannot fail its gates; a failed one has. */
				r->pass = named->status == PG_STATUS_SKIPPED;
				char reason[600];
				snprintf(reason, sizeof(reason), "benchmark %s: %s", pg_status_name(named->status),
					 named->reason ? named->reason : "");
				r->reason = strdup(reason);
				continue;
			}
			r->value = pg_metric_stat(m, stat);
			r->pass = isfinite(r->value) && (r->is_max ? r->value <= r->bound : r->value >= r->bound);
			if (!isfinite(r->value)) {
				char reason[200];
				snprintf(reason, sizeof(reason),
					 "the result has no %s (its summary holds n, mean, sd and median)",
					 stat ? stat : "median");
				if (!(r->reason = strdup(reason)))
					return pg_error_set(PG_ENOMEM, "out of memory");
			}
		}
	}
	return 0;
}

void pg_verdict_decide(pg_verdict *v, const pg_compare_options *opts)
{
	memset(&v->counts, 0, sizeof(v->counts));
	for (size_t i = 0; i < v->n_metrics; i++) {
		const pg_metric_change *c = &v->metrics[i];
		if (!c->gated)
			continue;
		v->counts.regressions += c->verdict == PG_CHANGE_REGRESSION;
		v->counts.improvements += c->verdict == PG_CHANGE_IMPROVEMENT;
		v->counts.inconclusive += c->verdict == PG_CHANGE_INCONCLUSIVE;
		v->counts.accepted += c->verdict == PG_CHANGE_ACCEPTED;
	}
	for (size_t i = 0; i < v->n_gates; i++)
		v->counts.gates_failed += !v->gates[i].pass;
	for (size_t i = 0; i < v->n_failures; i++)
		v->counts.failed_benchmarks += strcmp(v->failures[i].status, "skipped") != 0;
	int fail = v->counts.regressions || v->counts.gates_failed || v->counts.failed_benchmarks ||
		   (opts->strict && v->counts.inconclusive) || (opts->require_baseline && v->no_baseline);
	v->overall = fail ? PG_OVERALL_FAIL
		     : v->counts.inconclusive ? PG_OVERALL_INCONCLUSIVE
					      : PG_OVERALL_PASS;
}

/* Scale every value of m (samples, value, summary) by factor and name its unit. */
static int rescale_metric(pg_metric *m, double factor, const char *unit)
{
	char *u = strdup(unit);
	if (!u)
		return pg_error_set(PG_ENOMEM, "out of memory");
	free(m->unit);
	m->unit = u;
	for (size_t i = 0; i < m->n_samples; i++)
		m->samples[i] *= factor;
	m->value *= factor;
	pg_summary *s = &m->summary;
	double *linear[] = {&s->min, &s->max, &s->mean, &s->stddev, &s->median, &s->mad,
			    &s->p50, &s->p90, &s->p95, &s->p99};
	for (size_t i = 0; i < sizeof(linear) / sizeof(linear[0]); i++)
		*linear[i] *= factor;
	return 0;
}

/*
 * bb with each metric in the unit of head's metric of that name: bb itself
 * when all agree, else a converted copy kept in scratch (a set that lives
 * as long as the comparison). PG_EINPUT names a metric whose two units
 * measure different things (a time and a size) or are not known units.
 */
static int in_head_units(const pg_benchmark **out, pg_result_set *scratch, const pg_benchmark *b,
			 const pg_benchmark *bb)
{
	pg_benchmark *copy = NULL;
	*out = bb;
	for (size_t i = 0; i < bb->n_metrics; i++) {
		const pg_metric *bm = &bb->metrics[i], *m = pg_benchmark_find_metric(b, bm->name);
		if (!m || strcmp(m->unit, bm->unit) == 0)
			continue;
		double head_scale, base_scale;
		pg_dimension hd = pg_unit_dimension(m->unit, &head_scale);
		pg_dimension bd = pg_unit_dimension(bm->unit, &base_scale);
		if (hd != bd || hd == PG_DIM_NUMBER)
			return pg_error_set(PG_EINPUT,
					    "%s.%s: the base is in '%s' and the head in '%s': not one kind of quantity, "
					    "cannot compare",
					    b->name, bm->name, bm->unit, m->unit);
		if (!copy && !(copy = pg_result_set_copy_benchmark(scratch, bb)))
			return pg_error_set(PG_ENOMEM, "out of memory");
		int rc = rescale_metric(&copy->metrics[i], base_scale / head_scale, m->unit);
		if (rc)
			return rc;
	}
	if (copy)
		*out = copy;
	return 0;
}

int pg_compare(pg_verdict **out, const pg_result_set *head, const pg_result_set *base,
	       const pg_base_origin *origins, const pg_gates *gates,
	       const pg_compare_options *options)
{
	pg_compare_options opts = *options;
	if (opts.alpha <= 0)
		opts.alpha = gates ? gates->alpha : 0.05;
	if (opts.regression <= 0)
		opts.regression = gates ? gates->regression : 0.10;
	pg_verdict *v = calloc(1, sizeof(*v));
	pg_result_set *scratch = pg_result_set_new(); /* base benchmarks converted to head's units */
	tested *tests = NULL;
	size_t n_tests = 0;
	int rc = 0;
	if (!v || !scratch) {
		free(v);
		pg_result_set_free(scratch);
		return pg_error_set(PG_ENOMEM, "out of memory");
	}
	v->head_commit = dup_or_null(head->commit);
	v->env_key = dup_or_null(head->env.key);
	v->no_baseline = base == NULL;
	for (size_t i = 0; !rc && i < head->n_benchmarks; i++) {
		const pg_benchmark *b = &head->benchmarks[i];
		if (b->status != PG_STATUS_OK) {
			rc = add_failure(v, b);
			continue;
		}
		const pg_benchmark *bb = NULL;
		const pg_base_origin *origin = NULL;
		for (size_t j = 0; base && j < base->n_benchmarks; j++)
			if (strcmp(base->benchmarks[j].name, b->name) == 0 &&
			    base->benchmarks[j].status == PG_STATUS_OK) {
				bb = &base->benchmarks[j];
				origin = origins ? &origins[j] : NULL;
			}
		if (bb && (rc = in_head_units(&bb, scratch, b, bb)))
			break;
		if (bb && b->definition_hash && bb->definition_hash &&
		    strcmp(b->definition_hash, bb->definition_hash) != 0)
			rc = pg_verdict_warn(v, "benchmark '%s' changed its definition since the baseline; compared anyway",
					     b->name);
		if (bb && origin && origin->commit && !v->base_commit) {
			v->base_commit = strdup(origin->commit);
			v->base_depth = origin->depth;
		}
		for (size_t j = 0; !rc && j < b->n_metrics; j++)
			rc = compare_metric(v, &tests, &n_tests, b, &b->metrics[j], NULL, bb, origin, gates,
					    &opts);
		if (!rc)
			rc = compare_gate_stats(v, &tests, &n_tests, b, bb, origin, gates, head, &opts);
	}
	if (!rc)
		rc = decide_tested(v, tests, n_tests, &opts);
	if (!rc && opts.history)
		rc = apply_run_to_run(v, gates, &opts);
	if (!rc)
		rc = evaluate_gates(v, head, gates);
	free(tests);
	pg_result_set_free(scratch);
	if (rc) {
		pg_verdict_free(v);
		return rc;
	}
	int any_base = 0;
	for (size_t i = 0; i < v->n_metrics; i++)
		any_base |= v->metrics[i].has_base;
	if (!any_base)
		v->no_baseline = 1;
	pg_verdict_decide(v, &opts);
	*out = v;
	return 0;
}

int pg_verdict_bench_regressed(const pg_verdict *v, const char *bench)
{
	for (size_t i = 0; i < v->n_metrics; i++)
		if (v->metrics[i].gated && v->metrics[i].verdict == PG_CHANGE_REGRESSION &&
		    strcmp(v->metrics[i].bench, bench) == 0)
			return 1;
	return 0;
}

void pg_metric_change_take_decision(pg_metric_change *dst, const pg_metric_change *src)
{
	dst->verdict = src->verdict;
	dst->change = src->change;
	dst->p = src->p;
	dst->ci_lo = src->ci_lo;
	dst->ci_hi = src->ci_hi;
	dst->more_runs = src->more_runs;
}

double pg_change_shown(const pg_metric_change *c, double change)
{
	double shown = c->better_higher ? -change : change;
	/* What prints as 0.0 % is +0.0 %: float noise of -1e-13 never reads "-0.0 %". */
	return fabs(shown) < 0.0005 ? 0.0 : shown;
}

int pg_verdict_confirm(pg_verdict *v, const pg_verdict *again, int round,
		       const pg_compare_options *opts)
{
	for (size_t i = 0; i < v->n_metrics; i++) {
		pg_metric_change *c = &v->metrics[i];
		if (c->verdict != PG_CHANGE_REGRESSION)
			continue;
		for (size_t j = 0; j < again->n_metrics; j++) {
			const pg_metric_change *a = &again->metrics[j];
			if (strcmp(a->bench, c->bench) != 0 || strcmp(a->metric, c->metric) != 0 ||
			    (a->stat == NULL) != (c->stat == NULL) || (a->stat && strcmp(a->stat, c->stat) != 0))
				continue;
			char note[768];
			if (a->verdict == PG_CHANGE_REGRESSION) {
				snprintf(note, sizeof(note), "reproduced on re-run %d (%+.1f %%)", round,
					 pg_change_shown(a, a->change) * 100);
			} else {
				/* A re-run that was held says why: "did not reproduce" alone reads as smaller. */
				if (a->verdict == PG_CHANGE_INCONCLUSIVE && a->note)
					snprintf(note, sizeof(note),
						 "looked worse (%+.1f %%); re-run %d was inconclusive (%+.1f %%): %s",
						 pg_change_shown(c, c->change) * 100, round,
						 pg_change_shown(a, a->change) * 100, a->note);
				else
					snprintf(note, sizeof(note),
						 "looked worse (%+.1f %%), but did not reproduce on re-run %d (%+.1f %%)",
						 pg_change_shown(c, c->change) * 100, round,
						 pg_change_shown(a, a->change) * 100);
				pg_metric_change_take_decision(c, a);
				c->head = a->head;
				c->history_runs = a->history_runs;
				c->run_to_run = a->run_to_run;
				free(c->model);
				if (a->model && !(c->model = strdup(a->model)))
					return pg_error_set(PG_ENOMEM, "out of memory");
				if (!a->model)
					c->model = NULL;
			}
			free(c->note);
			if (!(c->note = strdup(note)))
				return pg_error_set(PG_ENOMEM, "out of memory");
		}
	}
	pg_verdict_decide(v, opts);
	return 0;
}
