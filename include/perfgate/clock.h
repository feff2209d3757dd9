/* clock.h - the monotonic clock every stage reads elapsed time from */
#ifndef PERFGATE_CLOCK_H
#define PERFGATE_CLOCK_H

/* Seconds on CLOCK_MONOTONIC: only differences mean anything. */
double pg_now(void);

#endif
