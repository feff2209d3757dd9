/* report_bisect.h - what a bisect looked at and found, and its renderers: text and perfgate-bisect/1 JSON */
#ifndef PERFGATE_REPORT_BISECT_H
#define PERFGATE_REPORT_BISECT_H

#include "perfgate/compare.h"

#include <stddef.h>
#include <stdio.h>

/* Where a step's decision came from. */
typedef enum pg_bisect_source {
	PG_BISECT_STORED,   /* compared from stored results */
	PG_BISECT_MEASURED, /* checked out, built and measured against good */
	PG_BISECT_SKIPPED,  /* does not build, or its benchmark failed */
} pg_bisect_source;

/* One commit looked at, in the order the search looked. */
typedef struct pg_bisect_step {
	char commit[41];
	char *subject;
	pg_bisect_source source;
	pg_change_verdict verdict;
	double change, lo, hi, p; /* vs good, > 0 worse */
	size_t runs;              /* per side */
	int measured_again;       /* inconclusive at first: measured with twice --max-runs */
	char *note;               /* why it was skipped, or what the decision rests on */
} pg_bisect_step;

typedef enum pg_bisect_result {
	PG_BISECT_FOUND,
	PG_BISECT_NO_REGRESSION,
	PG_BISECT_UNDECIDED,      /* a commit stayed inconclusive */
	PG_BISECT_ONLY_SKIPPED,   /* the commits left could not be measured */
	PG_BISECT_BAD_UNMEASURED, /* bad itself could not be measured */
} pg_bisect_result;

/* The whole search: what it followed, its steps, and what it found. */
typedef struct pg_bisect_report {
	const char *bench;
	const char *metric; /* followed in stored results; NULL: the primary */
	const char *env_key;
	char good[41], bad[41];
	double threshold;
	size_t n_commits; /* in the range good..bad */
	const pg_bisect_step *steps;
	size_t n_steps;
	int builds, checkouts;
	pg_bisect_result result;
	const char *lo, *hi;               /* the last good and the first bad commit known (lo may be good) */
	const pg_bisect_step *culprit;     /* PG_BISECT_FOUND: the first bad commit's step */
	const pg_bisect_step *undecided;   /* the step that ended the search otherwise */
} pg_bisect_report;

/* "bisect BENCH over N first-parent commits, good G, bad B, threshold T %": the line before the steps. */
void pg_report_bisect_start(FILE *out, const pg_bisect_report *r);

/* One step's line, as it is made. */
void pg_report_bisect_step(FILE *out, const pg_bisect_step *step);

/* The steps (with_steps: unless printed as they were made), the skipped commits, the answer, the cost. */
void pg_report_bisect_text(FILE *out, const pg_bisect_report *r, int with_steps);

/* The report as perfgate-bisect/1 JSON. Returns 0 or PG_ENOMEM. */
int pg_report_bisect_json(FILE *out, const pg_bisect_report *r);

#endif
