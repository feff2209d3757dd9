/* figures.h - the numbers of a verdict as a person reads them, shared by the report formats */
#ifndef PERFGATE_REPORT_FIGURES_H
#define PERFGATE_REPORT_FIGURES_H

#include "perfgate/compare.h"

#include <stddef.h>

/*
 * A compared metric's numbers, "" where there is none. change and ci are
 * shown in the raw direction (head against base), as the terminal shows
 * them; the verdict says whether that is better or worse. Units come from
 * data: escape these before writing them into a markup.
 */
typedef struct pg_figures {
	char base[48], head[48], change[32], ci[72], p[16], threshold[16];
} pg_figures;

void pg_figures_fill(pg_figures *f, const pg_metric_change *c);

/* "base 4.95 ms, head 6.10 ms, change +23.2 %, 95 % CI [+18.0 %, +28.1 %], p <0.001"; returns buf. */
char *pg_figures_line(char *buf, size_t size, const pg_figures *f);

/*
 * How a gated row with a baseline was decided, for every format: "single-run
 * baseline", "run-to-run (K=10), ±6.2 %"; "" when there is
 * nothing to say (no baseline, not gated, or the plain ratio). Returns buf.
 */
char *pg_figures_model(char *buf, size_t size, const pg_metric_change *c);

/*
 * What decides a row that the relative threshold does not: "absolute gate
 * only" when a gate of the verdict names it (a tail statistic with a max),
 * else "not gated"; "" for a gated row.
 */
const char *pg_figures_gating(const pg_verdict *v, const pg_metric_change *c);

/*
 * 1 when a row is folded out of the terminal table and the PR comment: a
 * size benchmark's per-section metric ("section:NAME", or "FILE.section:NAME")
 * that nothing gates and that did not change (the same bytes as the base;
 * with no baseline at all, every one).
 * Every format that lists all rows (JSON, JUnit) keeps it.
 */
int pg_figures_folded(const pg_verdict *v, const pg_metric_change *c);

/* A gate's bound and measured value ("not measured" when NAN). */
typedef struct pg_gate_figures {
	char bound[48], value[48];
	const char *op;     /* "<=" or ">=" */
	const char *op_sym; /* "≤" or "≥" */
} pg_gate_figures;

void pg_gate_figures_fill(pg_gate_figures *f, const pg_gate_result *g);

/*
 * How many leading bytes of a gate's metric path name its benchmark: the
 * longest benchmark of the verdict (metrics and failures) followed by '.',
 * else the text before the first '.' (0 when there is none).
 */
size_t pg_gate_bench_length(const pg_verdict *v, const pg_gate_result *g);

/* 1 when the verdict counts this benchmark status as failed (not skipped). */
int pg_failure_counts(const pg_bench_failure *f);

#endif
