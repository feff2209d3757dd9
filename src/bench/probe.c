/* probe.c - the environment probe: a fixed CPU-bound and memory-bound workload, timed */
#include "probe.h"

#include "perfgate/bench.h"
#include "perfgate/error.h"
#include "perfgate/runner.h"

#include <math.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

/*
 * The work is fixed in iterations, never in time, so the same work is done
 * on every runner and only its duration tells them apart. Sized for about
 * 0.1 s per probe on a 2020s x86 server core (0.2 s per result set):
 * long enough that timer and scheduler granularity are far below 1 %.
 */
#define CPU_ITERATIONS 12000000u
#define BUFFER_BYTES (32u << 20) /* beyond L2 everywhere, at or beyond most L3 slices */
#define WALK_STEPS 150000u

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

/* A dependent chain of multiply-xorshift steps: integer ALU and multiplier latency only. */
static uint64_t cpu_part(void)
{
	uint64_t x = 0x9e3779b97f4a7c15u;
	for (uint32_t i = 0; i < CPU_ITERATIONS; i++) {
		x ^= x >> 31;
		x *= 0xbf58476d1ce4e5b9u;
		x ^= x >> 27;
		x += i;
	}
	return x;
}

/*
 * Fill a buffer from a xorshift generator (page faults and write
 * bandwidth), then walk it where each index comes from the last load (a
 * chain of cache and TLB misses the CPU cannot overlap).
 */
static int mem_part(uint64_t seed, uint32_t *out)
{
	size_t n = BUFFER_BYTES / sizeof(uint32_t);
	uint32_t *buf = mmap(NULL, BUFFER_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return -1;
	/* Same page size on every run here, whatever the THP setting says this minute. */
	madvise(buf, BUFFER_BYTES, MADV_NOHUGEPAGE);
	uint64_t s = seed | 1;
	for (size_t i = 0; i < n; i++) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		buf[i] = (uint32_t)s;
	}
	uint32_t at = 0;
	for (uint32_t i = 0; i < WALK_STEPS; i++)
		at = (buf[at] + i) & (uint32_t)(n - 1);
	*out = at;
	munmap(buf, BUFFER_BYTES);
	return 0;
}

int pg_probe_workload(double *cpu_ms, double *mem_ms, uint64_t *check)
{
	uint32_t walked = 0;
	double t0 = now_ms();
	uint64_t x = cpu_part();
	double t1 = now_ms();
	if (mem_part(x, &walked) != 0)
		return -1;
	double t2 = now_ms();
	*check = x ^ walked;
	*cpu_ms = t1 - t0;
	*mem_ms = t2 - t1;
	return 0;
}

int pg_probe_measure(pg_probe *probe, int after)
{
	double cpu, mem;
	if (after && !(probe->cpu_ms[0] > 0)) {
		memset(probe, 0, sizeof(*probe));
		return pg_error_set(PG_ESYSTEM, "environment probe: no probe was taken before the benchmarks");
	}
	int rc = pg_spawner_probe(&cpu, &mem);
	if (rc) {
		memset(probe, 0, sizeof(*probe));
		return rc;
	}
	/* Microseconds are far below the probe's noise and keep the note short. */
	probe->cpu_ms[after ? 1 : 0] = round(cpu * 1000) / 1000;
	probe->mem_ms[after ? 1 : 0] = round(mem * 1000) / 1000;
	/* Only a complete pair is a probe: the version marks it recorded. */
	probe->version = after ? PG_PROBE_VERSION : 0;
	return 0;
}

int pg_probe_wanted(const pg_gates *gates, const pg_measure_options *opts)
{
	static const char *const timed_kinds[] = {"command", "matcher", "inference", "vmspawn", NULL};
	if (!gates->probe)
		return 0;
	for (size_t i = 0; i < gates->n_benchmarks; i++) {
		const pg_bench_def *def = &gates->benchmarks[i];
		int selected = !opts || !opts->only;
		for (char *const *n = opts ? opts->only : NULL; n && *n && !selected; n++)
			selected = strcmp(*n, def->name) == 0;
		for (const char *const *k = timed_kinds; selected && !def->run.instructions && *k; k++)
			if (strcmp(*k, def->kind) == 0)
				return 1;
	}
	return 0;
}
