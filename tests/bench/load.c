/* load.c - unrelated load for one core: integer work and memory traffic over a buffer larger
 * than the caches, until killed or SECONDS have passed (tests/bench/load.sh starts one per core) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 60;
	size_t words = (64u << 20) / sizeof(uint64_t);
	uint64_t *buf = malloc(words * sizeof(uint64_t)), x = 0x9e3779b97f4a7c15ull, sum = 0;
	if (!buf)
		return 1;
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		/* A pass of streaming writes, then dependent random reads: both cache and bus. */
		for (size_t i = 0; i < words; i++)
			buf[i] = x += i;
		for (size_t i = 0, j = 0; i < words / 8; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			j = (j + buf[j] + x) % words;
			sum += buf[j];
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) * 1e-9 > seconds)
			break;
	}
	free(buf);
	return sum == 42; /* keeps the work from being optimised away */
}
