/* clock.h - the monotonic clock every stage reads elapsed time from */
#ifndef PERFGATE_CLOCK_H
#define PERFGATE_CLOCK_H

/* Seconds on CLOCK_MONOTONIC: only differences mean anything. */
double pg_now(void);

/*
 * poll()'s timeout for a deadline on pg_now(): -1 (wait on) when deadline
 * is 0 or less (none), 0 once it has passed, else the milliseconds left
 * rounded up so the deadline has passed when poll() times out.
 */
int pg_poll_timeout_ms(double deadline);

#endif
