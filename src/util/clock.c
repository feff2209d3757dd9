/* clock.c - the monotonic clock */
#include "perfgate/clock.h"

#include <time.h>

double pg_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int pg_poll_timeout_ms(double deadline)
{
	double left;

	if (deadline <= 0)
		return -1;
	left = deadline - pg_now();
	return left <= 0 ? 0 : (int)(left * 1e3) + 1;
}
