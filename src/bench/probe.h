/* probe.h - the environment probe's fixed workload (private to src/bench) */
#ifndef PERFGATE_BENCH_PROBE_H
#define PERFGATE_BENCH_PROBE_H

#include <stdint.h>

/*
 * Run the calibration workload in this process and time its two parts
 * (ms of wall time). Call only in a child made for it: the memory part
 * maps PG_PROBE_BUFFER bytes, which would otherwise stay in the caller's
 * peak RSS. check receives a digest of the results: whoever gets it keeps
 * the compiler from dropping the work. Returns 0, or -1 when the buffer
 * cannot be mapped.
 */
int pg_probe_workload(double *cpu_ms, double *mem_ms, uint64_t *check);

#endif
