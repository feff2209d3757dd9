/* marks.c - a commit against the results before it, decided by pg_compare and the acceptances as `check` decides */
#include "perfgate/marks.h"

#include "perfgate/error.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int pg_marks_base(pg_result_set **base, pg_base_origin **origins, size_t *oldest, const pg_result_set *head,
		  const pg_result_set *const *earlier, const char *const *commits, size_t n)
{
	pg_result_set *set = pg_result_set_new();
	pg_base_origin *from = calloc(head->n_benchmarks + 1, sizeof(*from));
	*base = NULL;
	*origins = NULL;
	*oldest = 0;
	if (!set || !from) {
		pg_result_set_free(set);
		free(from);
		return pg_error_set(PG_ENOMEM, "out of memory");
	}
	for (size_t b = 0; b < head->n_benchmarks; b++) {
		const char *name = head->benchmarks[b].name;
		for (size_t i = 0; i < n; i++) {
			const pg_benchmark *found = earlier[i] ? pg_result_set_find(earlier[i], name) : NULL;
			if (!found || found->status != PG_STATUS_OK)
				continue;
			if (!pg_result_set_copy_benchmark(set, found)) {
				pg_result_set_free(set);
				free(from);
				return pg_error_set(PG_ENOMEM, "out of memory");
			}
			from[set->n_benchmarks - 1] = (pg_base_origin){commits ? commits[i] : NULL, (int)i + 1};
			if (i > *oldest)
				*oldest = i;
			break;
		}
	}
	if (set->n_benchmarks == 0) {
		pg_result_set_free(set);
		free(from);
		return 0;
	}
	*base = set;
	*origins = from;
	return 0;
}

int pg_marks_history(pg_run_history **out, const pg_result_set *head, const pg_result_set *const *earlier,
		     size_t n, int k)
{
	pg_run_history *h = calloc(1, sizeof(*h));
	*out = NULL;
	if (!h)
		return pg_error_set(PG_ENOMEM, "out of memory");
	h->wanted = k;
	for (size_t b = 0; b < head->n_benchmarks; b++) {
		const pg_benchmark *hb = &head->benchmarks[b];
		for (size_t m = 0; m < hb->n_metrics; m++) {
			pg_run_series *sr = pg_run_history_series(h, hb->name, hb->metrics[m].name);
			if (!sr) {
				pg_run_history_free(h);
				return pg_error_set(PG_ENOMEM, "out of memory");
			}
			for (size_t i = 0; i < n && sr->n < (size_t)k; i++) {
				const pg_benchmark *eb = earlier[i] ? pg_result_set_find(earlier[i], hb->name) : NULL;
				const pg_metric *em = eb && eb->status == PG_STATUS_OK
							      ? pg_benchmark_find_metric(eb, hb->metrics[m].name)
							      : NULL;
				double centre;
				if (em && pg_metric_center(em, &centre) == 0 && isfinite(centre))
					sr->values[sr->n++] = centre;
			}
		}
	}
	*out = h;
	return 0;
}

static const pg_metric *metric_in(const pg_result_set *rs, const char *bench, const char *metric,
				  const pg_benchmark **b)
{
	*b = rs ? pg_result_set_find(rs, bench) : NULL;
	return *b ? pg_benchmark_find_metric(*b, metric) : NULL;
}

/* Runs behind a metric's centre: its samples, else its summary's n, else 1 for a single value. */
static size_t runs_of(const pg_metric *m)
{
	return m->n_samples ? m->n_samples : m->has_summary ? m->summary.n : 1;
}

/* Metrics whose value does not move from run to run: the plain ratio decides them. */
static int cannot_vary(const pg_benchmark *b, const pg_metric *head, const pg_metric *base)
{
	if (strcmp(b->kind, "size") == 0 || strcmp(head->name, "instructions") == 0)
		return 1;
	return head->has_summary && base->has_summary && head->summary.n >= 2 && base->summary.n >= 2 &&
	       head->summary.min == head->summary.max && base->summary.min == base->summary.max;
}

/* A bare-ratio verdict on a metric that varies, with too few runs to test, is no verdict. */
static int hold_bare_ratios(pg_verdict *v, const pg_result_set *head, const pg_result_set *base)
{
	for (size_t i = 0; i < v->n_metrics; i++) {
		pg_metric_change *c = &v->metrics[i];
		const pg_benchmark *hb, *bb;
		if (!c->has_base || isfinite(c->p) || c->stat ||
		    (c->verdict != PG_CHANGE_REGRESSION && c->verdict != PG_CHANGE_IMPROVEMENT))
			continue;
		const pg_metric *hm = metric_in(head, c->bench, c->metric, &hb);
		const pg_metric *bm = metric_in(base, c->bench, c->metric, &bb);
		if (!hm || !bm || cannot_vary(hb, hm, bm) || (hm->n_samples >= 2 && bm->n_samples >= 2))
			continue;
		char note[160];
		snprintf(note, sizeof(note), "too few runs to decide (%zu before, %zu here): no verdict from a bare ratio",
			 runs_of(bm), runs_of(hm));
		free(c->note);
		if (!(c->note = strdup(note)))
			return pg_error_set(PG_ENOMEM, "out of memory");
		c->verdict = PG_CHANGE_INCONCLUSIVE;
	}
	return 0;
}

int pg_marks_decide(pg_verdict **out, const pg_result_set *head, const pg_result_set *base,
		    const pg_base_origin *origins, const pg_gates *gates, const pg_compare_options *opts,
		    pg_acceptances *accepts)
{
	pg_compare_options o = opts ? *opts : (pg_compare_options){0};
	pg_verdict *v = NULL;
	*out = NULL;
	int rc = pg_compare(&v, head, base, origins, gates, &o);
	if (rc)
		return rc;
	if (base && (rc = hold_bare_ratios(v, head, base)) == 0)
		pg_verdict_decide(v, &o);
	if (!rc && accepts)
		rc = pg_acceptances_apply(v, accepts, &o);
	if (rc) {
		pg_verdict_free(v);
		return rc;
	}
	*out = v;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* 1 when no two benchmarks of rs, and no two metrics of one of them, share a name. */
static int names_unique(const pg_result_set *rs)
{
	int unique = 1;
	for (size_t b = 0; b < rs->n_benchmarks && unique; b++) {
		const pg_benchmark *bench = &rs->benchmarks[b];
		for (size_t i = 0; i < bench->n_metrics && unique; i++)
			for (size_t j = i + 1; j < bench->n_metrics && unique; j++)
				unique = strcmp(bench->metrics[i].name, bench->metrics[j].name) != 0;
	}
	const char **names = unique && rs->n_benchmarks > 1 ? malloc(rs->n_benchmarks * sizeof(*names)) : NULL;
	if (!names)
		return unique && rs->n_benchmarks <= 1;
	for (size_t b = 0; b < rs->n_benchmarks; b++)
		names[b] = rs->benchmarks[b].name;
	qsort(names, rs->n_benchmarks, sizeof(*names), by_name);
	for (size_t b = 1; b < rs->n_benchmarks && unique; b++)
		unique = strcmp(names[b - 1], names[b]) != 0;
	free(names);
	return unique;
}

int pg_marks_unmoved(pg_mark *out, const pg_metric_ref *wanted, size_t n, const pg_result_set *head,
		     const pg_result_set *base)
{
	/* Every name once (base has one benchmark per head's): a lookup by position is the lookup by name. */
	if (!names_unique(head) || (base && !names_unique(base)))
		return 1;
	pg_lookup_hint near = {0, 0}, near_base = {0, 0};
	for (size_t b = 0; base && b < head->n_benchmarks; b++) {
		const pg_benchmark *hb = &head->benchmarks[b];
		for (size_t m = 0; m < hb->n_metrics; m++) {
			const pg_metric *bm = pg_result_set_ok_metric(base, hb->name, hb->metrics[m].name, &near_base);
			if (bm && hb->status == PG_STATUS_OK &&
			    (strcmp(hb->kind, "size") == 0 || strcmp(bm->unit, hb->metrics[m].unit) != 0))
				return 1;
		}
	}
	for (size_t j = 0; j < n; j++) {
		const pg_metric *hm = pg_result_set_ok_metric(head, wanted[j].bench, wanted[j].metric, &near);
		const pg_metric *bm = hm && base ? pg_result_set_ok_metric(base, wanted[j].bench, wanted[j].metric,
									   &near_base)
						  : NULL;
		if (!bm || !isfinite(pg_metric_stat(bm, NULL)))
			out[j] = PG_MARK_NONE;
		else
			out[j] = isfinite(pg_metric_stat(hm, NULL)) ? PG_MARK_UNCHANGED : PG_MARK_INCONCLUSIVE;
	}
	return 0;
}

pg_mark pg_marks_of(const pg_verdict *v, const char *bench, const char *metric, const pg_metric_change **row)
{
	size_t hint = 0;
	return pg_marks_of_at(v, bench, metric, row, &hint);
}

pg_mark pg_marks_of_at(const pg_verdict *v, const char *bench, const char *metric, const pg_metric_change **row,
		       size_t *hint)
{
	const pg_metric_change *c = NULL;
	size_t n = v ? v->n_metrics : 0;
	for (size_t k = 0; k < n && !c; k++) {
		size_t i = (*hint + k) % n;
		if (!v->metrics[i].stat && strcmp(v->metrics[i].metric, metric) == 0 &&
		    strcmp(v->metrics[i].bench, bench) == 0) {
			c = &v->metrics[i];
			*hint = i;
		}
	}
	if (row)
		*row = c;
	if (!c || !c->has_base)
		return PG_MARK_NONE;
	switch (c->verdict) {
	case PG_CHANGE_REGRESSION:
		return c->gated ? PG_MARK_REGRESSION : PG_MARK_WORSE;
	case PG_CHANGE_IMPROVEMENT:
		return PG_MARK_IMPROVEMENT;
	case PG_CHANGE_INCONCLUSIVE:
		return PG_MARK_INCONCLUSIVE;
	case PG_CHANGE_ACCEPTED:
		return PG_MARK_ACCEPTED;
	case PG_CHANGE_NO_BASELINE:
		return PG_MARK_NONE;
	default:
		return PG_MARK_UNCHANGED;
	}
}

const char *pg_mark_name(pg_mark mark)
{
	static const char *const names[] = {"",	     "unchanged",    "improvement", "regression",
					    "worse", "inconclusive", "accepted"};
	return (size_t)mark < sizeof(names) / sizeof(names[0]) ? names[mark] : "";
}
