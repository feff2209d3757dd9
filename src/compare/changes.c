/* changes.c - change points along first-parent history: rank binary segmentation, splits decided per commit and per run */
/*
 * Method. Binary segmentation on ranks finds the candidates: in a segment
 * of m per-commit values, the split k maximising the standardised
 * Mann-Whitney statistic of values[0..k) against values[k..m) (a rank
 * CUSUM, ties averaged) is found in O(m) after one sort. Ranks are blind to
 * outliers and to scale, and the cost stays O(n log^2 n) for 10,000
 * commits.
 *
 * The split stands when two tests agree, each at alpha / c, c being the
 * number of splits the segment offered (Bonferroni: the split was picked as
 * the most extreme of c, so its plain p-value flatters it):
 *
 * - the commits: Welch's t-test of the per-commit values of the two sides.
 *   A commit is one run, and a whole run moves with its machine, so the
 *   commit is the unit that run-to-run variation acts on; pooling runs
 *   across commits alone would take a noisy runner for a step. A rank test
 *   on the per-commit values cannot serve here: 5 commits against 5 never
 *   get below p = 2/252 two-sided, and no level corrected for the splits
 *   tried is reachable. The values are medians of 10-30 runs, close to
 *   normal, and Welch allows the two sides different spreads.
 * - the runs: Welch's test of all runs of either side pooled, from each
 *   commit's n, mean and standard deviation (exact pooled moments, so the
 *   summaries of pruned notes serve as well as raw samples): the shift must
 *   also stand out from the noise within the runs, as `check` demands of a
 *   regression. Series without runs (single values, a statistic such as
 *   p99) are decided by the commits alone.
 *
 * Candidates are explored at a looser level (0.1): a step up and back down
 * again makes the first split's sides bimodal, which Welch's test scores
 * weakly until the other step is split off. Then change points whose two
 * adjacent segments differ by less than --min-change, or do not pass both
 * tests against them at alpha (adjusted for the splits the two segments
 * offer), are merged away, the weakest first. Finally each end of the series is looked at for a
 * shift with fewer than min_segment commits on its short side: where those
 * commits lie wholly beyond the range of the rest of their segment, by at
 * least min_change, and their runs differ significantly, it is reported as
 * undecided, "too few commits to tell", never as a step.
 *
 * Why not PELT (git-perf): PELT needs a parametric cost and a penalty
 * tuned to the noise; a single outlier commit buys a change point under a
 * Gaussian cost. Not E-divisive (Hunter/Otava): O(n^2) per split, too slow
 * for 10k points.
 */
#include "perfgate/changes.h"

#include "perfgate/compare.h"
#include "perfgate/error.h"
#include "perfgate/stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MIN_CHANGE 0.05
#define DEFAULT_ALPHA 0.01
#define DEFAULT_MIN_SEGMENT 3
/* Candidates are explored at this level and pruned at alpha (see "Method"). */
#define EXPLORE_ALPHA 0.1

/* ---- Welch's test ---- */

/* Two-sided p of Student's t with df degrees of freedom (stats.c has the distribution). */
static double t_two_sided(double t, double df)
{
	if (!isfinite(t))
		return isnan(t) ? 1.0 : 0.0;
	return 2.0 * pg_stats_t_sf(fabs(t), df);
}

/* Moments of one side: count, mean, variance (n - 1). */
typedef struct moments {
	double n, mean, var;
} moments;

/*
 * Two-sided Welch p of a against b, and t (b's mean above a's is > 0).
 * Both without spread: 0 when the means differ, else 1.
 */
static double welch(double *t, const moments *a, const moments *b)
{
	double ea = a->var / a->n, eb = b->var / b->n, se2 = ea + eb, diff = b->mean - a->mean;
	if (!(se2 > 0)) {
		*t = diff == 0 ? 0 : copysign(INFINITY, diff);
		return diff == 0 ? 1.0 : 0.0;
	}
	*t = diff / sqrt(se2);
	double den = (a->n > 1 ? ea * ea / (a->n - 1) : 0) + (b->n > 1 ? eb * eb / (b->n - 1) : 0);
	double df = den > 0 ? se2 * se2 / den : 1.0;
	return t_two_sided(*t, df < 1 ? 1 : df);
}

/* Moments of the points' values in [lo, hi). */
static moments value_moments(const pg_series_point *pts, size_t lo, size_t hi)
{
	moments m = {(double)(hi - lo), 0, 0};
	for (size_t i = lo; i < hi; i++)
		m.mean += pts[i].value;
	m.mean /= m.n;
	for (size_t i = lo; i < hi; i++)
		m.var += (pts[i].value - m.mean) * (pts[i].value - m.mean);
	m.var = m.n > 1 ? m.var / (m.n - 1) : 0;
	return m;
}

static int has_runs(const pg_series_point *p)
{
	return p->n >= 2 && isfinite(p->mean) && isfinite(p->sd);
}

/* Moments of every run in [lo, hi) pooled; 0 when a point there has no runs. */
static int run_moments(moments *out, const pg_series_point *pts, size_t lo, size_t hi)
{
	double n = 0, sum = 0;
	for (size_t i = lo; i < hi; i++) {
		if (!has_runs(&pts[i]))
			return 0;
		n += (double)pts[i].n;
		sum += (double)pts[i].n * pts[i].mean;
	}
	double mean = sum / n, ss = 0;
	/* Within-commit squares plus each commit's offset from the pooled mean. */
	for (size_t i = lo; i < hi; i++) {
		double k = (double)pts[i].n, off = pts[i].mean - mean;
		ss += (k - 1) * pts[i].sd * pts[i].sd + k * off * off;
	}
	*out = (moments){n, mean, ss / (n - 1)};
	return 1;
}

/* Both tests of [lo, mid) against [mid, hi), each multiplied by tries (capped at 1). */
static void test_split(double *p, double *p_runs, double *t_runs, const pg_series_point *pts, size_t lo,
		       size_t mid, size_t hi, double tries)
{
	double t;
	moments a = value_moments(pts, lo, mid), b = value_moments(pts, mid, hi);
	*p = fmin(1.0, welch(&t, &a, &b) * tries);
	*p_runs = *t_runs = NAN;
	if (run_moments(&a, pts, lo, mid) && run_moments(&b, pts, mid, hi)) {
		*p_runs = fmin(1.0, welch(t_runs, &a, &b) * tries);
	}
}

/* ---- one series ---- */

typedef struct ranked {
	double value;
	size_t at;
} ranked;

static int compare_ranked(const void *a, const void *b)
{
	const ranked *x = a, *y = b;
	return (x->value > y->value) - (x->value < y->value);
}

/*
 * The split of values[0..m) with the largest |z| of the rank-sum statistic,
 * sides at least min_seg long; 0 when there is none (too short, all tied).
 */
static int best_split(size_t *split, const pg_series_point *pts, size_t m, size_t min_seg, ranked *order,
		      double *rank)
{
	if (m < 2 * min_seg)
		return 0;
	for (size_t i = 0; i < m; i++)
		order[i] = (ranked){pts[i].value, i};
	qsort(order, m, sizeof(*order), compare_ranked);
	double ties = 0;
	for (size_t i = 0; i < m;) {
		size_t j = i;
		while (j < m && order[j].value == order[i].value)
			j++;
		double avg = (double)(i + j + 1) / 2.0, t = (double)(j - i);
		for (size_t k = i; k < j; k++)
			rank[order[k].at] = avg;
		ties += t * t * t - t;
		i = j;
	}
	double md = (double)m, sum = 0, best = -1;
	double tie_factor = (md + 1) - ties / (md * (md - 1));
	if (tie_factor <= 0)
		return 0;
	for (size_t k = 0; k + min_seg <= m; k++) {
		sum += rank[k];
		size_t left = k + 1;
		if (left < min_seg || m - left < min_seg)
			continue;
		double kl = (double)left, kr = md - kl;
		double u = sum - kl * (kl + 1) / 2, var = kl * kr / 12.0 * tie_factor;
		double z = fabs(u - kl * kr / 2) / sqrt(var);
		if (z > best) {
			best = z;
			*split = left;
		}
	}
	return best > 0;
}

static int compare_split_at(const void *a, const void *b)
{
	const pg_series_split *x = a, *y = b;
	return (x->at > y->at) - (x->at < y->at);
}

static int compare_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return (x > y) - (x < y);
}

static double relative(double before, double after)
{
	if (before == 0)
		return after == 0 ? 0 : INFINITY;
	return after / before - 1;
}

/* The median of the points' values in [lo, hi); scratch has room for hi - lo. */
static double median_of(const pg_series_point *pts, size_t lo, size_t hi, double *scratch)
{
	for (size_t i = lo; i < hi; i++)
		scratch[i - lo] = pts[i].value;
	return pg_stats_median(scratch, hi - lo);
}

/* Splits a segment of m points offers with sides of at least min_seg. */
static double tries_of(size_t m, size_t min_seg)
{
	return m >= 2 * min_seg ? (double)(m - 2 * min_seg + 1) : 1.0;
}

/* The split [lo, mid) | [mid, hi) described and tested. */
static void describe(pg_series_split *s, const pg_series_point *pts, size_t lo, size_t mid, size_t hi,
		     size_t min_seg, double *scratch)
{
	double t;
	s->at = mid;
	s->n_before = mid - lo;
	s->n_after = hi - mid;
	s->before = median_of(pts, lo, mid, scratch);
	s->after = median_of(pts, mid, hi, scratch);
	s->change = relative(s->before, s->after);
	s->too_few = 0;
	test_split(&s->p, &s->p_runs, &t, pts, lo, mid, hi, tries_of(hi - lo, min_seg));
}

static int stands(const pg_series_split *s, double alpha, double min_change)
{
	return fabs(s->change) >= min_change && s->p < alpha && (isnan(s->p_runs) || s->p_runs < alpha);
}

/*
 * The undecided shift at one end of [lo, hi): the last (right) or first
 * commits, fewer than min_seg, wholly beyond the range of the rest by at
 * least min_change, with runs that differ significantly (tests multiplied by
 * the candidates looked at). 0 when there is none.
 */
static int short_end(pg_series_split *out, const pg_series_point *pts, size_t lo, size_t hi, int right,
		     size_t min_seg, double alpha, double min_change, double *scratch)
{
	double best = -1;
	size_t m = hi - lo;
	for (size_t k = 1; k < min_seg && k < m; k++) {
		size_t mid = right ? hi - k : lo + k;
		size_t slo = right ? mid : lo, shi = right ? hi : mid; /* the short side */
		size_t rlo = right ? lo : mid, rhi = right ? mid : hi;  /* the rest */
		double smin = INFINITY, smax = -INFINITY, rmin = INFINITY, rmax = -INFINITY;
		for (size_t i = slo; i < shi; i++) {
			smin = fmin(smin, pts[i].value);
			smax = fmax(smax, pts[i].value);
		}
		for (size_t i = rlo; i < rhi; i++) {
			rmin = fmin(rmin, pts[i].value);
			rmax = fmax(rmax, pts[i].value);
		}
		if (!(smin > rmax || smax < rmin))
			continue;
		pg_series_split s;
		double p, p_runs, t_runs;
		s.at = mid;
		s.n_before = mid - lo;
		s.n_after = hi - mid;
		s.before = median_of(pts, lo, mid, scratch);
		s.after = median_of(pts, mid, hi, scratch);
		s.change = relative(s.before, s.after);
		test_split(&p, &p_runs, &t_runs, pts, lo, mid, hi, 2.0 * (double)(min_seg - 1));
		if (fabs(s.change) < min_change || (!isnan(p_runs) && !(p_runs < alpha)))
			continue;
		s.p = NAN;
		s.p_runs = p_runs;
		s.too_few = 1;
		double score = isnan(t_runs) ? fabs(s.change) : fabs(t_runs);
		if (score > best) {
			best = score;
			*out = s;
		}
	}
	return best >= 0;
}

int pg_changes_split_series(pg_series_split *out, size_t *n_out, const pg_series_point *pts, size_t n,
			    const pg_changes_options *o)
{
	double alpha = o && o->alpha > 0 ? o->alpha : DEFAULT_ALPHA;
	double min_change = o && o->min_change > 0 ? o->min_change : DEFAULT_MIN_CHANGE;
	size_t min_seg = o && o->min_segment > 1 ? o->min_segment : DEFAULT_MIN_SEGMENT;
	*n_out = 0;
	if (n < 2)
		return 0;
	ranked *order = malloc(n * sizeof(*order));
	double *rank = malloc(n * sizeof(*rank)), *scratch = malloc(n * sizeof(*scratch));
	/* Segments still to split, as [lo, hi) pairs: an explicit stack, depth bounded by n. */
	size_t *stack = malloc(2 * n * sizeof(*stack)), *starts = malloc(n * sizeof(*starts));
	size_t depth = 0, n_starts = 0;
	if (!order || !rank || !scratch || !stack || !starts) {
		free(order);
		free(rank);
		free(scratch);
		free(stack);
		free(starts);
		return pg_error_set(PG_ENOMEM, "out of memory");
	}
	stack[depth++] = 0;
	stack[depth++] = n;
	while (depth > 0) {
		size_t hi = stack[--depth], lo = stack[--depth], k = 0;
		if (!best_split(&k, pts + lo, hi - lo, min_seg, order, rank))
			continue;
		double p, p_runs, t_runs;
		test_split(&p, &p_runs, &t_runs, pts, lo, lo + k, hi, tries_of(hi - lo, min_seg));
		if (!(p < fmax(alpha, EXPLORE_ALPHA)) || (!isnan(p_runs) && !(p_runs < fmax(alpha, EXPLORE_ALPHA))))
			continue;
		starts[n_starts++] = lo + k;
		stack[depth++] = lo;
		stack[depth++] = lo + k;
		stack[depth++] = lo + k;
		stack[depth++] = hi;
	}
	qsort(starts, n_starts, sizeof(*starts), compare_size);
	/* Merge away what is too small or no longer stands against its neighbours, weakest first. */
	for (;;) {
		size_t weakest = n_starts;
		double weakest_change = INFINITY;
		for (size_t j = 0; j < n_starts; j++) {
			pg_series_split s;
			size_t lo = j ? starts[j - 1] : 0, hi = j + 1 < n_starts ? starts[j + 1] : n;
			describe(&s, pts, lo, starts[j], hi, min_seg, scratch);
			if (!stands(&s, alpha, min_change) && fabs(s.change) < weakest_change) {
				weakest = j;
				weakest_change = fabs(s.change);
			}
		}
		if (weakest == n_starts)
			break;
		memmove(starts + weakest, starts + weakest + 1, (n_starts - weakest - 1) * sizeof(*starts));
		n_starts--;
	}
	for (size_t j = 0; j < n_starts; j++) {
		size_t lo = j ? starts[j - 1] : 0, hi = j + 1 < n_starts ? starts[j + 1] : n;
		describe(&out[(*n_out)++], pts, lo, starts[j], hi, min_seg, scratch);
	}
	/* The ends: a shift there may have too few commits on its short side to be a step yet. */
	size_t first_hi = n_starts ? starts[0] : n, last_lo = n_starts ? starts[n_starts - 1] : 0;
	pg_series_split s;
	if (short_end(&s, pts, 0, first_hi, 0, min_seg, alpha, min_change, scratch))
		out[(*n_out)++] = s;
	if (short_end(&s, pts, last_lo, n, 1, min_seg, alpha, min_change, scratch) &&
	    !(*n_out > 0 && out[*n_out - 1].too_few && out[*n_out - 1].at == s.at))
		out[(*n_out)++] = s;
	qsort(out, *n_out, sizeof(*out), compare_split_at);
	free(order);
	free(rank);
	free(scratch);
	free(stack);
	free(starts);
	return 0;
}

int pg_changes_segment(size_t *starts, size_t *n_starts, const double *values, size_t n,
		       const pg_changes_options *o)
{
	pg_series_point *pts = malloc((n ? n : 1) * sizeof(*pts));
	pg_series_split *splits = malloc((n + 2) * sizeof(*splits));
	size_t n_splits = 0;
	int rc = 0;
	*n_starts = 0;
	if (!pts || !splits) {
		rc = pg_error_set(PG_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		pts[i] = (pg_series_point){values[i], 0, NAN, NAN};
	if ((rc = pg_changes_split_series(splits, &n_splits, pts, n, o)))
		goto out;
	for (size_t j = 0; j < n_splits; j++)
		if (!splits[j].too_few)
			starts[(*n_starts)++] = splits[j].at;
out:
	free(pts);
	free(splits);
	return rc;
}

/* ---- along history ---- */

typedef struct series_spec {
	char *name;   /* as listed */
	char *bench;  /* primary metric: the benchmark and metric names; NULL for a path */
	char *metric;
} series_spec;

static void specs_free(series_spec *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(s[i].name);
		free(s[i].bench);
		free(s[i].metric);
	}
	free(s);
}

/* Every benchmark's primary metric, newest commit's benchmarks first. */
static int primary_specs(series_spec **out, size_t *n, const pg_history *h)
{
	*out = NULL;
	*n = 0;
	for (size_t c = h->n_commits; c-- > 0;) {
		const pg_result_set *rs = h->commits[c].rs;
		for (size_t i = 0; rs && i < rs->n_benchmarks; i++) {
			const pg_benchmark *b = &rs->benchmarks[i];
			int seen = 0;
			if (b->n_metrics == 0)
				continue;
			for (size_t k = 0; k < *n && !seen; k++)
				seen = strcmp((*out)[k].bench, b->name) == 0;
			if (seen)
				continue;
			series_spec *grown = realloc(*out, (*n + 1) * sizeof(*grown));
			if (!grown)
				return pg_error_set(PG_ENOMEM, "out of memory");
			*out = grown;
			series_spec *s = &grown[(*n)++];
			size_t len = strlen(b->name) + strlen(b->metrics[0].name) + 2;
			s->bench = strdup(b->name);
			s->metric = strdup(b->metrics[0].name);
			if ((s->name = malloc(len)))
				snprintf(s->name, len, "%s.%s", b->name, b->metrics[0].name);
			if (!s->bench || !s->metric || !s->name)
				return pg_error_set(PG_ENOMEM, "out of memory");
		}
	}
	return 0;
}

/*
 * The point of spec on rs, with the metric it came from; NULL when rs does
 * not have it. *hint: where the benchmark was last found (benchmarks keep
 * their order from commit to commit, so the lookup is usually one compare).
 */
int pg_changes_point(pg_series_point *out, const pg_metric *m, const char *stat)
{
	*out = (pg_series_point){pg_metric_stat(m, stat), 0, NAN, NAN};
	if (!isfinite(out->value))
		return 1;
	/* The runs speak for the centre only: a p99 is one number per commit. */
	if (stat && strcmp(stat, "median") != 0 && strcmp(stat, "p50") != 0)
		return 0;
	if (m->has_summary && m->summary.n >= 2) {
		out->n = m->summary.n;
		pg_summary_location(&m->summary, &out->mean, &out->sd);
	} else if (m->n_samples >= 2) {
		double sum = 0, ss = 0;
		for (size_t i = 0; i < m->n_samples; i++)
			sum += m->samples[i];
		double mean = sum / (double)m->n_samples;
		for (size_t i = 0; i < m->n_samples; i++)
			ss += (m->samples[i] - mean) * (m->samples[i] - mean);
		*out = (pg_series_point){out->value, m->n_samples, mean, sqrt(ss / (double)(m->n_samples - 1))};
	}
	return 0;
}

static const pg_metric *point_of(pg_series_point *out, const pg_result_set *rs, const series_spec *s, size_t *hint)
{
	const pg_benchmark *b = NULL;
	const pg_metric *m;
	const char *stat = NULL;
	if (!rs)
		return NULL;
	if (s->bench) {
		if (*hint < rs->n_benchmarks && strcmp(rs->benchmarks[*hint].name, s->bench) == 0)
			b = &rs->benchmarks[*hint];
		else if ((b = pg_result_set_find(rs, s->bench)))
			*hint = (size_t)(b - rs->benchmarks);
		if (!b || !(m = pg_benchmark_find_metric(b, s->metric)))
			return NULL;
	} else {
		if (pg_metric_path_resolve(&b, &m, &stat, rs, s->name) != 0) {
			pg_error_clear(); /* a commit without the metric is a gap, not an error */
			return NULL;
		}
	}
	if (b->status != PG_STATUS_OK || pg_changes_point(out, m, stat) != 0)
		return NULL;
	return m;
}

static int add_point(pg_changes *out, const series_spec *s, const pg_metric *m, const pg_history *h,
		     const size_t *at, const pg_series_split *split)
{
	pg_change_point *grown = realloc(out->items, (out->n + 1) * sizeof(*grown));
	if (!grown)
		return pg_error_set(PG_ENOMEM, "out of memory");
	out->items = grown;
	pg_change_point *c = &grown[out->n];
	memset(c, 0, sizeof(*c));
	c->n_before = split->n_before;
	c->n_after = split->n_after;
	c->before = split->before;
	c->after = split->after;
	c->change = split->change;
	c->p = split->p;
	c->p_runs = split->p_runs;
	c->too_few = split->too_few;
	c->better_higher = m->better == PG_BETTER_HIGHER;
	c->worse = c->better_higher ? c->change < 0 : c->change > 0;
	snprintf(c->commit, sizeof(c->commit), "%s", h->commits[at[split->at]].commit);
	snprintf(c->prev, sizeof(c->prev), "%s", h->commits[at[split->at - 1]].commit);
	if (!(c->metric = strdup(s->name)) || !(c->unit = strdup(m->unit ? m->unit : "")))
		goto nomem;
	out->n++;
	return 0;
nomem:
	free(c->metric);
	free(c->unit);
	return pg_error_set(PG_ENOMEM, "out of memory");
}

/* The change points of one series along h, appended to out. */
static int find_series(pg_changes *out, const pg_history *h, const series_spec *spec,
		       const pg_changes_options *o)
{
	pg_series_point *pts = malloc((h->n_commits + 1) * sizeof(*pts));
	size_t *at = malloc((h->n_commits + 1) * sizeof(*at));
	pg_series_split *splits = malloc((h->n_commits + 2) * sizeof(*splits));
	size_t n = 0, n_splits = 0, hint = 0;
	const pg_metric *newest = NULL;
	int rc = 0;
	if (!pts || !at || !splits) {
		rc = pg_error_set(PG_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t c = 0; c < h->n_commits; c++) {
		const pg_metric *m = point_of(&pts[n], h->commits[c].rs, spec, &hint);
		if (m) {
			newest = m;
			at[n++] = c;
		}
	}
	out->n_series++;
	if (!newest || (rc = pg_changes_split_series(splits, &n_splits, pts, n, o)))
		goto out;
	for (size_t j = 0; j < n_splits && !rc; j++)
		rc = add_point(out, spec, newest, h, at, &splits[j]);
out:
	free(pts);
	free(at);
	free(splits);
	return rc;
}

int pg_changes_find(pg_changes *out, const pg_history *h, char *const *metrics, size_t n_metrics,
		    const pg_changes_options *o)
{
	series_spec *specs = NULL;
	size_t n_specs = 0;
	int rc = 0;
	memset(out, 0, sizeof(*out));
	if (n_metrics == 0) {
		rc = primary_specs(&specs, &n_specs, h);
	} else if (!(specs = calloc(n_metrics, sizeof(*specs)))) {
		rc = pg_error_set(PG_ENOMEM, "out of memory");
	} else {
		for (n_specs = 0; n_specs < n_metrics && !rc; n_specs++)
			if (!(specs[n_specs].name = strdup(metrics[n_specs])))
				rc = pg_error_set(PG_ENOMEM, "out of memory");
	}
	for (size_t s = 0; s < n_specs && !rc; s++)
		rc = find_series(out, h, &specs[s], o);
	specs_free(specs, n_specs);
	if (rc)
		pg_changes_release(out);
	return rc;
}

int pg_changes_find_metric(pg_changes *out, const pg_history *h, const char *bench, const char *metric,
			   const pg_changes_options *o)
{
	size_t len = strlen(bench) + strlen(metric) + 2;
	series_spec spec = {malloc(len), (char *)bench, (char *)metric};
	memset(out, 0, sizeof(*out));
	if (!spec.name)
		return pg_error_set(PG_ENOMEM, "out of memory");
	snprintf(spec.name, len, "%s.%s", bench, metric);
	int rc = find_series(out, h, &spec, o);
	free(spec.name);
	if (rc)
		pg_changes_release(out);
	return rc;
}

void pg_changes_release(pg_changes *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++) {
		free(c->items[i].metric);
		free(c->items[i].unit);
		free(c->items[i].subject);
		free(c->items[i].accepted_by);
	}
	free(c->items);
	for (size_t i = 0; i < c->n_warnings; i++)
		free(c->warnings[i]);
	free(c->warnings);
	memset(c, 0, sizeof(*c));
}
