/* ab_common.h - what `ab` and `bisect` share: thresholds, the stopping rule, worktree {bindir}, A/A noise */
#ifndef PERFGATE_GATE_AB_COMMON_H
#define PERFGATE_GATE_AB_COMMON_H

#include "perfgate/gate.h"

#include "perfgate/bench.h"
#include "perfgate/gates.h"

/* The relative threshold of a benchmark: 20 % for size, else the file's, else its own gate's. */
double pg_gate_ab_threshold(const pg_gates *g, const char *bench);

/* The stopping rule of pg_measure_ab: settled when the paired interval is clear of the threshold. */
typedef struct pg_gate_ab_stop_rule {
	const pg_gates *gates;
	int looks; /* how many times the data may be examined (the most blocks) */
} pg_gate_ab_stop_rule;

/* A pg_ab_stop_fn; arg is a pg_gate_ab_stop_rule. */
int pg_gate_ab_settled(void *arg, const pg_ab_pairs *p);

/* {bindir} inside the repository's tree means the same place inside worktree; caller frees. NULL on ENOMEM. */
char *pg_gate_ab_bindir(const pg_gate_context *ctx, const char *worktree);

/*
 * The A/A noise floor of each of the n benchmarks `names`: how far g's tree
 * looks from itself on this runner, from aa_runs runs per side (0: skip,
 * every floor NAN). *floors has n entries, caller frees (also on error).
 */
int pg_gate_ab_calibrate(double **floors, int aa_runs, const pg_gates *g, const pg_measure_options *mo,
			char *const *names, size_t n);

#endif
