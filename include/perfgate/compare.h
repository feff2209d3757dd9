/* compare.h - from a head and a base result set to per-metric changes, gates and one verdict */
#ifndef PERFGATE_COMPARE_H
#define PERFGATE_COMPARE_H

#include "perfgate/acceptance.h"
#include "perfgate/changes.h"
#include "perfgate/gates.h"
#include "perfgate/result.h"
#include "perfgate/series.h"

#include <stddef.h>

#define PG_VERDICT_SCHEMA "perfgate-verdict/1"

typedef enum pg_change_verdict {
	PG_CHANGE_UNCHANGED = 0,
	PG_CHANGE_IMPROVEMENT,
	PG_CHANGE_REGRESSION,
	PG_CHANGE_INCONCLUSIVE, /* over the threshold, not significant */
	PG_CHANGE_NO_BASELINE,
	PG_CHANGE_ACCEPTED,     /* a regression an acceptance covers */
} pg_change_verdict;

typedef enum pg_overall {
	PG_OVERALL_PASS = 0,
	PG_OVERALL_FAIL,
	PG_OVERALL_INCONCLUSIVE,
} pg_overall;

/* One compared metric (or metric statistic a gate names). */
typedef struct pg_metric_change {
	char *bench, *metric, *stat; /* stat NULL: the metric's centre (median / value) */
	char *unit;
	int better_higher;
	int gated;             /* the relative gate applies (primary metric, or named by a gate) */
	int has_base;
	double base, head;     /* the compared statistic on each side */
	double change;         /* head/base - 1, sign flipped when higher is better: > 0 is worse */
	double ci_lo, ci_hi;   /* interval of the change (same sign convention), NAN if none */
	double p;              /* Holm-adjusted one-sided p of the worsening (or improving) side; NAN if none */
	double threshold;      /* relative threshold, fraction */
	double min_change;     /* absolute change below which nothing is reported, metric unit; 0 none */
	size_t n_base, n_head;
	int more_runs;         /* for inconclusive: about how many more runs per side would decide; 0 unknown */
	pg_change_verdict verdict;
	char *base_commit;     /* where this metric's baseline came from (NULL: a file or none) */
	int base_depth;
	char *accepted_by;     /* "abc1234 subject" of the acceptance, or NULL */
	double noise_floor;    /* A/A noise on this runner, fraction, NAN if not measured */
	char *note;            /* a sentence for the report, or NULL ("did not reproduce on re-run") */
	/* The environment probe's part in this row; all zero when it had none. */
	double probe_ratio;    /* head/base probe score the row was judged with; 0: not judged */
	int probe_held;        /* a regression made inconclusive: the runner moved, not the code */
	int probe_normalized;  /* decided on head values divided by probe_ratio ("normalize": "probe") */
	double raw_change;     /* when probe_normalized: the change before normalising */
	char *model;           /* how it was decided: PG_MODEL_* text; NULL without a baseline */
	int history_runs;      /* earlier stored runs the run-to-run model used; 0 none */
	double run_to_run;     /* half-width of the run-to-run prediction interval, fraction; NAN none */
} pg_metric_change;

/*
 * A change of row c (in pg_metric_change.change's convention: > 0 is worse)
 * as every report shows it: head against base, so a rate that fell is
 * negative. Notes use it, so their figures read like the table's.
 */
double pg_change_shown(const pg_metric_change *c, double change);

/* pg_metric_change.model: plain ratio of what cannot vary (sizes, instruction counts, identical samples) */
#define PG_MODEL_EXACT "exact"
/* against one stored run: fewer than 3 earlier runs, a file baseline, or a statistic without history */
#define PG_MODEL_SINGLE_RUN "single-run baseline"
/* "run-to-run (K=10)": the head was also held against the medians of the last K stored runs */
#define PG_MODEL_RUN_TO_RUN "run-to-run"

/* One absolute bound of a gate. */
typedef struct pg_gate_result {
	char *metric;   /* as written in the gates file */
	char *unit;
	int is_max;     /* 1: value must be <= bound; 0: >= bound */
	double bound;   /* in the metric's unit */
	char *bound_text; /* the bound as the gates file wrote it ("15MB"), or NULL */
	char *bench;      /* the benchmark the gate belongs to */
	double value;   /* NAN when the metric was not measured */
	int pass;
	char *reason;   /* why it failed when value is NAN, else NULL */
} pg_gate_result;

/* A benchmark that did not run cleanly. */
typedef struct pg_bench_failure {
	char *bench;
	char *status; /* failed, timeout, skipped */
	char *reason;
} pg_bench_failure;

/* A level shift along recent history that no acceptance covers (informative: it passed its own checks). */
typedef struct pg_level_shift {
	char *metric;        /* bench.metric */
	char *unit;
	int better_higher;
	char commit[41];     /* the first commit of the new level */
	char *subject;
	double before, after; /* medians of the per-commit values on either side */
	double change;       /* after / before - 1 */
	double p;
} pg_level_shift;

typedef enum pg_probe_state {
	PG_PROBE_UNUSED = 0,  /* no probe was looked at: nothing to report */
	PG_PROBE_MISSING,     /* a side has none (old result set, --no-probe): warned */
	PG_PROBE_COMPARED,    /* both sides have one */
	PG_PROBE_SAME_RUNNER, /* `ab`: one runner measured both sides; informative only */
} pg_probe_state;

/* The environment probes of both sides, compared (see probe.c for the rule). */
typedef struct pg_verdict_probe {
	pg_probe_state state;
	int has_base, has_head;
	double base_ms, head_ms;         /* score: CPU + memory part, geometric mean of before and after */
	double base_spread, head_spread; /* within-run spread: |ln(after/before)| of the score */
	double ratio;                    /* head_ms / base_ms: > 1, the head ran on a slower runner */
	double noise;                    /* |ln ratio| above this, the runner moved */
	int moved;
} pg_verdict_probe;

typedef struct pg_verdict {
	pg_overall overall;
	char *head_commit, *env_key;
	char *base_commit; /* the baseline of the first benchmark, or NULL */
	int base_depth;
	char *base_how;    /* "merge-base with origin/main", "--base v1.0", "file base.json", ... */
	int no_baseline;
	struct {
		int regressions, improvements, inconclusive, failed_benchmarks, gates_failed, accepted;
	} counts;
	pg_metric_change *metrics;
	size_t n_metrics, metrics_room; /* room: rows allocated (pg_verdict_add_metric grows it) */
	pg_gate_result *gates;
	size_t n_gates;
	pg_bench_failure *failures; /* failed and timed-out; skipped are listed with status skipped */
	size_t n_failures;
	char **warnings;
	size_t n_warnings;
	int shifts_window;        /* commits looked through for level shifts; 0: not looked */
	pg_level_shift *shifts;   /* worse shifts without an acceptance, oldest first */
	size_t n_shifts;
	pg_verdict_probe probe;   /* the environment probes (state UNUSED: not looked at) */
} pg_verdict;

typedef struct pg_compare_options {
	double alpha;             /* 0: 0.05 */
	double regression;        /* default relative threshold; 0: 0.10 */
	int strict;               /* inconclusive fails */
	int require_baseline;
	unsigned long long seed;  /* bootstrap seed; 0: a fixed default */
	/*
	 * Earlier stored runs along the baseline's history (NULL: the baseline is
	 * a file, or none was read): a regression of a gated time metric must
	 * also lie outside their run-to-run variation.
	 */
	const pg_run_history *history;
	int history_runs;         /* K (--history); 0: the benchmark's `history` key, else 10 */
	/* Earlier measurements of this same head (--confirm rounds): extra head runs for the model. */
	const pg_result_set *const *earlier_heads;
	size_t n_earlier_heads;
} pg_compare_options;

/* Fewer earlier runs than this and the baseline is treated as a single run. */
#define PG_MIN_HISTORY 3
/* A benchmark whose CPU time is below this share of its wall time waits: CPU time is not gated. */
#define PG_CPU_SHARE_TO_GATE 0.25

/*
 * Compare head with base (base may be NULL: no baseline; absolute gates
 * still hold). gates may be NULL (compare without gates: every common
 * metric reported, primary metrics gated at the default threshold).
 * origins, when given, is parallel to base->benchmarks. Free with
 * pg_verdict_free. Returns 0, PG_EINPUT when a gate names a metric the
 * head does not have (naming the gate), PG_ENOMEM.
 */
int pg_compare(pg_verdict **out, const pg_result_set *head, const pg_result_set *base,
	       const pg_base_origin *origins, const pg_gates *gates,
	       const pg_compare_options *opts);

void pg_verdict_free(pg_verdict *v);

/* An empty verdict (pass, no metrics) to fill by hand; NULL on ENOMEM. */
pg_verdict *pg_verdict_new(void);

/* Append a metric row (NAN interval, p and noise floor) to fill in; NULL on ENOMEM. */
pg_metric_change *pg_verdict_add_metric(pg_verdict *v);

/* Same-runner A/B, decided from paired halves (ABBA). */
typedef struct pg_paired_result {
	double change;  /* exp(median log ratio) - 1, > 0 worse */
	double lo, hi;  /* its interval, same convention */
	double p;       /* one-sided signed-rank p in the direction of the change */
	size_t n;       /* pairs used */
} pg_paired_result;

/*
 * Paired estimate from n pairs: the median of log(head/base) (sign flipped
 * when higher is better), a bootstrap interval at level 1 - alpha/looks
 * (looks: how many times the data may be examined while deciding to stop,
 * so stopping early spends alpha, never repeats a plain test), and a
 * Wilcoxon signed-rank p. Returns 0, PG_EINPUT with no usable pair.
 */
int pg_paired_estimate(pg_paired_result *out, const double *base, const double *head, size_t n,
		       int better_higher, double alpha, int looks);

/*
 * The verdict of an estimate against a threshold: regression when the
 * change is over it, the interval above zero and p < alpha; improvement
 * symmetric; unchanged under it; inconclusive otherwise, and always when the
 * runner's A/A noise floor is wider than the threshold.
 */
pg_change_verdict pg_paired_verdict(const pg_paired_result *r, double threshold, double alpha,
				    double noise_floor);

/*
 * Which side of the threshold a bisect probe sits on: -1 good (no
 * regression), +1 bad, 0 undecided. Bisect asks only that, so a runner
 * whose A/A noise floor is over the threshold still decides, but with a
 * margin: the whole interval must lie on one side of half the threshold
 * (and a bad one's change be over the threshold). On a quieter runner it is
 * pg_paired_verdict's reading: regression bad; unchanged, improvement good.
 */
int pg_paired_bisect_side(const pg_paired_result *r, double threshold, double alpha, double noise_floor);

/*
 * The noise floor from A/A pairs (the same code on both sides): how far the
 * median ratio of that many pairs strays from 1 here, |median| plus the
 * 95 % half-width of the median from the pairs' robust spread
 * (1.96 × 1.2533 × MAD / sqrt(n)), as a fraction. Outliers do not widen it.
 */
int pg_paired_noise(double *floor, const double *base, const double *head, size_t n);

/* Stop early: the interval lies inside half the threshold, or beyond the threshold. */
int pg_paired_settled(const pg_paired_result *r, double threshold);

/* Add a warning (printf format) to a verdict. Returns 0 or PG_ENOMEM. */
int pg_verdict_warn(pg_verdict *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A metric's decision taken from another test of it: verdict, change, p, interval, runs to decide. */
void pg_metric_change_take_decision(pg_metric_change *dst, const pg_metric_change *src);

/* Recount and decide the overall verdict after metrics or gates were changed. */
void pg_verdict_decide(pg_verdict *v, const pg_compare_options *opts);

/*
 * Confirm before failing: `again` compared a re-measurement of what looked
 * regressed with the same baseline. A regression of v that `again` does not
 * show as a regression takes again's verdict, with a note saying it did not
 * reproduce (round `round`). Then v is decided anew. Returns 0 or PG_ENOMEM.
 */
int pg_verdict_confirm(pg_verdict *v, const pg_verdict *again, int round,
		       const pg_compare_options *opts);

/* ---- acceptances matched to changes (src/compare/accept.c) ---- */

/*
 * Mark the regressions (and inconclusive worsenings) of v that an
 * acceptance covers as accepted, up to its bound; a change beyond the bound
 * stays a regression with a note. Warns about globs that matched nothing.
 * Then decides v anew. Returns 0 or PG_ENOMEM.
 */
int pg_acceptances_apply(pg_verdict *v, pg_acceptances *a, const pg_compare_options *opts);

/*
 * The first acceptance of a whose glob matches metric ("bench.metric") and
 * whose bound, if any, holds worse_change (> 0 worse); NULL when none does.
 */
const pg_acceptance *pg_acceptances_covering(const pg_acceptances *a, const char *metric,
					     double worse_change);

/* ---- what check decides from history read back (src/compare/drift.c) ---- */

/* Head against the results N first-parent commits back (what pg_gate_drift reads). */
typedef struct pg_drift {
	const pg_result_set *head;
	const pg_result_set *base;     /* the stored results at or beyond that commit */
	const pg_base_origin *origins; /* parallel to base->benchmarks */
	int n;                         /* N */
	const char *at;                /* the commit N back (40 hex) */
	const char *target;            /* the target branch's name, or NULL */
	int on_target;                 /* this run is on the target branch itself (a push there) */
} pg_drift;

/*
 * Compare d->head with d->base (gates as check has them), accept what
 * accepts (the acceptances since the base commit), and add to v each
 * gated primary metric whose cumulative change is still a regression: on
 * the target branch as a regression row noted "drift over N commits: +X %",
 * elsewhere (a PR) as a warning. v is decided anew. Returns 0, PG_EINPUT
 * (a gate names a metric head lacks), PG_ENOMEM.
 */
int pg_verdict_apply_drift(pg_verdict *v, const pg_drift *d, const pg_gates *gates, pg_acceptances *accepts,
			   const pg_compare_options *co);

/*
 * The change points of found that go the bad way, are decided and that no
 * acceptance covers, as v->shifts for the reports to list; window: the
 * commits looked through. They do not change the verdict (each passed its
 * own check, or crept in). Returns 0 or PG_ENOMEM.
 */
int pg_verdict_set_shifts(pg_verdict *v, const pg_changes *found, size_t window);

/* 1 when v has a regression in benchmark `bench` (to pick what to re-measure). */
int pg_verdict_bench_regressed(const pg_verdict *v, const char *bench);

/*
 * The environment probe's score (ms: CPU + memory part, geometric mean of
 * the before and after probes) and within-run spread (|ln(after/before)|).
 * Returns 0, or -1 when p holds no probe.
 */
int pg_probe_score(double *ms, double *spread, const pg_probe *p);

/*
 * Apply the environment probe to a verdict pg_compare made of head and base
 * (same arguments). base_probes, when given, is parallel to
 * base->benchmarks (the probe of the result set each came from), else
 * base->probe holds for all. When the runner moved beyond the probe's
 * noise, |ln(head/base)| > max(ln 1.03, 2 × the larger within-run spread),
 * a time metric's regression becomes inconclusive ("runner 18 % slower by
 * the probe"); a benchmark with "normalize": "probe" is decided instead on
 * its head's time values divided by the probe ratio (raw change kept). A
 * side without a probe is a named warning. Fills v->probe and decides v
 * anew. Returns 0, or what pg_compare returns.
 */
int pg_verdict_apply_probe(pg_verdict *v, const pg_result_set *head, const pg_result_set *base,
			   const pg_probe *base_probes, const pg_base_origin *origins,
			   const pg_gates *gates, const pg_compare_options *opts);

/* `ab`: both sides ran on this runner at once; record its probe as information only. */
void pg_verdict_probe_same_runner(pg_verdict *v, const pg_probe *probe);

/* One sentence on the probe for reports ("runner 18.0 % slower by the probe ..."); "" when unused. */
const char *pg_verdict_probe_text(char *buf, size_t size, const pg_verdict_probe *p);

/* 1 when a metric is wall-clock time (or a rate of it): what a slower runner slows. */
int pg_metric_is_time(const char *name, const char *unit, int better_higher);

const char *pg_change_verdict_name(pg_change_verdict v);
const char *pg_overall_name(pg_overall o);

/*
 * Split a metric path "bench.metric[.stat]" against a result set: a
 * trailing known stat, then the longest metric name of a benchmark whose
 * name is the rest. Fills bench/metric (pointers into rs) and stat (a
 * static string or NULL). Returns 0 or PG_EINPUT naming the path.
 */
int pg_metric_path_resolve(const pg_benchmark **bench, const pg_metric **metric,
			   const char **stat, const pg_result_set *rs, const char *path);

/* The value of a statistic of a metric (NULL stat: median of samples, or the value). NAN if unknown. */
double pg_metric_stat(const pg_metric *m, const char *stat);

/*
 * The smallest one-sided p-value a Mann-Whitney test of n1 against n2
 * samples can reach, and whether, after Holm over m tests at alpha, any
 * result could be significant. Used to warn before measuring.
 */
double pg_compare_min_p(size_t n1, size_t n2);

#endif
