/* marks.h - a commit against the results before it, decided as `check` decides: the marks of log, plots and the dashboard */
#ifndef PERFGATE_MARKS_H
#define PERFGATE_MARKS_H

#include "perfgate/acceptance.h"
#include "perfgate/compare.h"
#include "perfgate/gates.h"
#include "perfgate/result.h"

#include <stddef.h>

typedef enum pg_mark {
	PG_MARK_NONE = 0,     /* not compared: no earlier result, or a statistic check does not test */
	PG_MARK_UNCHANGED,
	PG_MARK_IMPROVEMENT,
	PG_MARK_REGRESSION,   /* red: a check of this commit against those results would fail on it */
	PG_MARK_WORSE,        /* a regression of a metric no gate holds: check reports it, does not fail */
	PG_MARK_INCONCLUSIVE, /* grey: over the threshold and not decided (not significant, too few runs) */
	PG_MARK_ACCEPTED,     /* a regression an acceptance covers, within its bound */
} pg_mark;

/*
 * The base a commit is compared with: for each benchmark of head, the
 * newest of earlier[0..n) (newest first; NULL entries are commits without
 * a result) where it ran cleanly, copied into *base, with *origins
 * parallel to (*base)->benchmarks pointing at commits[i] (borrowed: keep
 * them alive while origins are used) and depth i + 1. *oldest: the largest
 * i used. *base NULL (and *origins NULL) when no benchmark has an earlier
 * result. Free with pg_result_set_free and free. Returns 0 or PG_ENOMEM.
 */
int pg_marks_base(pg_result_set **base, pg_base_origin **origins, size_t *oldest, const pg_result_set *head,
		  const pg_result_set *const *earlier, const char *const *commits, size_t n);

/*
 * The run-to-run history check reads from the store, taken from the walk
 * instead: per benchmark and metric of head, the centres (median, else
 * value) of up to k clean runs in earlier[0..n) (newest first, NULL entries
 * skipped). Put it in pg_compare_options.history so that a mark holds a
 * regression to run-to-run variation as check does. Free with
 * pg_run_history_free. Returns 0 or PG_ENOMEM.
 */
int pg_marks_history(pg_run_history **out, const pg_result_set *head, const pg_result_set *const *earlier,
		     size_t n, int k);

/*
 * Decide head against base as `check` does: pg_compare with gates (NULL:
 * each benchmark's primary metric at opts' threshold) and opts, then the
 * acceptances (accepts may be NULL; pass those on the commits after the
 * oldest base commit up to head). A metric that can vary with fewer than two
 * runs on a side, which compare did not test, is inconclusive ("too few runs
 * to decide"), never a regression by bare ratio; sizes, instruction counts
 * and runs that are all equal keep the plain rule. Free *out with
 * pg_verdict_free. Returns 0, PG_EINPUT (a gate names a metric head does not
 * have), PG_ENOMEM.
 */
int pg_marks_decide(pg_verdict **out, const pg_result_set *head, const pg_result_set *base,
		    const pg_base_origin *origins, const pg_gates *gates, const pg_compare_options *opts,
		    pg_acceptances *accepts);

/* The mark of bench.metric (its centre) in v; *row (may be NULL) its row, NULL when not compared. */
pg_mark pg_marks_of(const pg_verdict *v, const char *bench, const char *metric, const pg_metric_change **row);

/*
 * pg_marks_of, looking first where *hint says (and setting it to where it
 * found the metric): a reader going down many verdicts of the same metrics
 * finds each at once.
 */
pg_mark pg_marks_of_at(const pg_verdict *v, const char *bench, const char *metric, const pg_metric_change **row,
		       size_t *hint);

/* A metric by name: the marks publish shows. */
typedef struct pg_metric_ref {
	const char *bench, *metric;
} pg_metric_ref;

/*
 * The marks of the wanted metrics that pg_marks_decide (then pg_marks_of)
 * gives head against base (pg_marks_base's) without gates, acceptances or
 * history and with the relative threshold out of reach: as publish decides
 * a commit whose every centre moved under every threshold, without building
 * the verdict. Unchanged where base has the metric, inconclusive where
 * head's centre is not finite, none where either lacks it. Returns 0 with
 * out[0..n) set, or 1 (out untouched) where only pg_marks_decide can say:
 * a size benchmark (held to its own threshold), a unit other than the
 * base's, two benchmarks or metrics of one name.
 */
int pg_marks_unmoved(pg_mark *out, const pg_metric_ref *wanted, size_t n, const pg_result_set *head,
		     const pg_result_set *base);

/* "regression", "inconclusive", ...; "" for PG_MARK_NONE. */
const char *pg_mark_name(pg_mark mark);

#endif
