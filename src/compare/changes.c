/* changes.c - change points along first-parent history: rank binary segmentation with Mann-Whitney splits */
/*
 * Method. Binary segmentation on ranks: in a segment of m per-commit
 * values, the split k maximising the standardised Mann-Whitney statistic
 * of values[0..k) against values[k..m) (a rank CUSUM, ties averaged) is
 * found in O(m) after one sort; the split stands when the Mann-Whitney test
 * of the two sides (scipy's p-values, pg_stats_mann_whitney) gives p <
 * alpha (0.001: the split was chosen as the most extreme of m, so the
 * plain p-value flatters it), and both sides are segmented again. Then
 * change points whose two adjacent segments differ by less than
 * --min-change, or not significantly, are merged away, the weakest first.
 *
 * Why not PELT (git-perf): PELT needs a parametric cost (normal mean or
 * variance) and a penalty tuned to the noise; benchmark noise is skewed and
 * heavy-tailed, a single outlier commit buys a change point under a
 * Gaussian cost, and sizes (deterministic) have zero variance, which a
 * Gaussian cost cannot score. Ranks are blind to outliers and to scale, the
 * test is the one the verdict already uses, and the cost is O(n log^2 n):
 * 10,000 commits x 20 metrics segment in milliseconds (the walk over the
 * notes dominates). Not E-divisive (Hunter/Otava): O(n^2) per split, too
 * slow for 10k points.
 */
#include "perfgate/changes.h"

#include "perfgate/accept.h"
#include "perfgate/compare.h"
#include "perfgate/error.h"
#include "perfgate/stats.h"

#include <fnmatch.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MIN_CHANGE 0.05
#define DEFAULT_ALPHA 0.001
#define REPORT_ALPHA 0.05

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
static int best_split(size_t *split, const double *values, size_t m, size_t min_seg, ranked *order,
		      double *rank)
{
	if (m < 2 * min_seg)
		return 0;
	for (size_t i = 0; i < m; i++)
		order[i] = (ranked){values[i], i};
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

/* Change and p of the change point starts[j] against its neighbouring segments. */
static void judge(double *change, double *p, const double *values, size_t n, const size_t *starts,
		  size_t n_starts, size_t j)
{
	size_t lo = j ? starts[j - 1] : 0, mid = starts[j], hi = j + 1 < n_starts ? starts[j + 1] : n;
	pg_mwu t;
	*change = relative(pg_stats_median(values + lo, mid - lo), pg_stats_median(values + mid, hi - mid));
	*p = pg_stats_mann_whitney(&t, values + lo, mid - lo, values + mid, hi - mid, PG_TWO_SIDED) == 0
		     ? t.p
		     : 1.0;
}

int pg_changes_segment(size_t *starts, size_t *n_starts, const double *values, size_t n,
		       const pg_changes_options *o)
{
	double alpha = o && o->alpha > 0 ? o->alpha : DEFAULT_ALPHA;
	double min_change = o && o->min_change > 0 ? o->min_change : DEFAULT_MIN_CHANGE;
	size_t min_seg = o && o->min_segment > 0 ? o->min_segment : 2;
	*n_starts = 0;
	if (n < 2 * min_seg)
		return 0;
	ranked *order = malloc(n * sizeof(*order));
	double *rank = malloc(n * sizeof(*rank));
	/* Segments still to split, as [lo, hi) pairs: an explicit stack, depth bounded by n. */
	size_t *stack = malloc(2 * n * sizeof(*stack)), depth = 0;
	if (!order || !rank || !stack) {
		free(order);
		free(rank);
		free(stack);
		return pg_error_set(PG_ENOMEM, "out of memory");
	}
	stack[depth++] = 0;
	stack[depth++] = n;
	while (depth > 0) {
		size_t hi = stack[--depth], lo = stack[--depth], k = 0;
		if (!best_split(&k, values + lo, hi - lo, min_seg, order, rank))
			continue;
		pg_mwu t;
		if (pg_stats_mann_whitney(&t, values + lo, k, values + lo + k, hi - lo - k, PG_TWO_SIDED) != 0 ||
		    !(t.p < alpha))
			continue;
		starts[(*n_starts)++] = lo + k;
		stack[depth++] = lo;
		stack[depth++] = lo + k;
		stack[depth++] = lo + k;
		stack[depth++] = hi;
	}
	free(order);
	free(rank);
	free(stack);
	qsort(starts, *n_starts, sizeof(*starts), compare_size);
	/* Merge away what is too small or not significant against its neighbours, weakest first. */
	for (;;) {
		size_t weakest = *n_starts;
		double weakest_change = INFINITY;
		for (size_t j = 0; j < *n_starts; j++) {
			double change, p;
			judge(&change, &p, values, n, starts, *n_starts, j);
			if ((fabs(change) < min_change || !(p < REPORT_ALPHA)) && fabs(change) < weakest_change) {
				weakest = j;
				weakest_change = fabs(change);
			}
		}
		if (weakest == *n_starts)
			break;
		memmove(starts + weakest, starts + weakest + 1, (*n_starts - weakest - 1) * sizeof(*starts));
		(*n_starts)--;
	}
	return 0;
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
 * The value of spec on rs, with the metric it came from; NULL when rs does
 * not have it. *hint: where the benchmark was last found (benchmarks keep
 * their order from commit to commit, so the lookup is usually one compare).
 */
static const pg_metric *value_of(double *out, const pg_result_set *rs, const series_spec *s, size_t *hint)
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
	if (b->status != PG_STATUS_OK)
		return NULL;
	*out = pg_metric_stat(m, stat);
	return isfinite(*out) ? m : NULL;
}

static int covered(char **by, git_repository *repo, pg_store *store, const char *prev, const char *commit,
		   const char *metric, double worse_change)
{
	pg_acceptances a;
	*by = NULL;
	if (!repo)
		return 0;
	int rc = pg_acceptances_collect(&a, repo, store, prev[0] ? prev : NULL, commit, NULL);
	if (rc)
		return rc;
	for (size_t i = 0; i < a.n && !*by; i++) {
		const pg_acceptance *acc = &a.items[i];
		if (fnmatch(acc->glob, metric, 0) != 0 || (acc->has_bound && worse_change > acc->bound))
			continue;
		if (!(*by = strdup(acc->by)))
			rc = pg_error_set(PG_ENOMEM, "out of memory");
	}
	pg_acceptances_release(&a);
	return rc;
}

static int add_point(pg_changes *out, const series_spec *s, const pg_metric *m, const pg_history *h,
		     const size_t *at, const double *values, size_t n, const size_t *starts,
		     size_t n_starts, size_t j, git_repository *repo, pg_store *store)
{
	pg_change_point *grown = realloc(out->items, (out->n + 1) * sizeof(*grown));
	if (!grown)
		return pg_error_set(PG_ENOMEM, "out of memory");
	out->items = grown;
	pg_change_point *c = &grown[out->n];
	memset(c, 0, sizeof(*c));
	size_t lo = j ? starts[j - 1] : 0, mid = starts[j], hi = j + 1 < n_starts ? starts[j + 1] : n;
	c->n_before = mid - lo;
	c->n_after = hi - mid;
	c->before = pg_stats_median(values + lo, mid - lo);
	c->after = pg_stats_median(values + mid, hi - mid);
	judge(&c->change, &c->p, values, n, starts, n_starts, j);
	c->better_higher = m->better == PG_BETTER_HIGHER;
	c->worse = c->better_higher ? c->change < 0 : c->change > 0;
	snprintf(c->commit, sizeof(c->commit), "%s", h->commits[at[mid]].commit);
	snprintf(c->prev, sizeof(c->prev), "%s", h->commits[at[mid - 1]].commit);
	if (!(c->metric = strdup(s->name)) || !(c->unit = strdup(m->unit ? m->unit : "")))
		goto nomem;
	out->n++;
	if (repo) {
		git_oid oid;
		git_commit *commit = NULL;
		const char *subject = NULL;
		if (git_oid_fromstr(&oid, c->commit) == 0 && git_commit_lookup(&commit, repo, &oid) == 0)
			subject = git_commit_summary(commit);
		c->subject = strdup(subject ? subject : "");
		git_commit_free(commit);
		if (!c->subject)
			return pg_error_set(PG_ENOMEM, "out of memory");
		/* Acceptances in (previous commit with a value, change commit]: where the shift happened. */
		return covered(&c->accepted_by, repo, store, c->prev, c->commit, c->metric,
			       c->better_higher ? -c->change : c->change);
	}
	return 0;
nomem:
	free(c->metric);
	free(c->unit);
	return pg_error_set(PG_ENOMEM, "out of memory");
}

/* The change points of one series along h, appended to out. */
static int find_series(pg_changes *out, const pg_history *h, const series_spec *spec, git_repository *repo,
		       pg_store *store, const pg_changes_options *o)
{
	double *values = malloc((h->n_commits + 1) * sizeof(*values));
	size_t *at = malloc((h->n_commits + 1) * sizeof(*at));
	size_t *starts = malloc((h->n_commits + 1) * sizeof(*starts));
	size_t n = 0, n_starts = 0, hint = 0;
	const pg_metric *newest = NULL;
	int rc = 0;
	if (!values || !at || !starts) {
		rc = pg_error_set(PG_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t c = 0; c < h->n_commits; c++) {
		const pg_metric *m = value_of(&values[n], h->commits[c].rs, spec, &hint);
		if (m) {
			newest = m;
			at[n++] = c;
		}
	}
	out->n_series++;
	if (!newest || (rc = pg_changes_segment(starts, &n_starts, values, n, o)))
		goto out;
	for (size_t j = 0; j < n_starts && !rc; j++)
		rc = add_point(out, spec, newest, h, at, values, n, starts, n_starts, j, repo, store);
out:
	free(values);
	free(at);
	free(starts);
	return rc;
}

int pg_changes_find(pg_changes *out, const pg_history *h, char *const *metrics, size_t n_metrics,
		    git_repository *repo, pg_store *store, const pg_changes_options *o)
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
		rc = find_series(out, h, &specs[s], repo, store, o);
	specs_free(specs, n_specs);
	if (rc)
		pg_changes_release(out);
	return rc;
}

int pg_changes_find_metric(pg_changes *out, const pg_history *h, const char *bench, const char *metric,
			   git_repository *repo, pg_store *store, const pg_changes_options *o)
{
	size_t len = strlen(bench) + strlen(metric) + 2;
	series_spec spec = {malloc(len), (char *)bench, (char *)metric};
	memset(out, 0, sizeof(*out));
	if (!spec.name)
		return pg_error_set(PG_ENOMEM, "out of memory");
	snprintf(spec.name, len, "%s.%s", bench, metric);
	int rc = find_series(out, h, &spec, repo, store, o);
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
