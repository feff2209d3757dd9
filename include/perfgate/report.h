/* report.h - render measurements and verdicts for people and machines */
#ifndef PERFGATE_REPORT_H
#define PERFGATE_REPORT_H

#include "perfgate/result.h"

#include <stdio.h>

/*
 * The table `perfgate run` prints: per benchmark its status and, per
 * metric, median, p90, p99, mean ± stddev and min … max in units a person
 * reads. color: use ANSI colours.
 */
void pg_report_results_text(FILE *out, const pg_result_set *rs, int color);

/* 1 when colour should be used on this stream: a TTY, and NO_COLOR unset. */
int pg_report_want_color(FILE *stream);

#endif
