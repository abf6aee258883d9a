/* core/timing.h - milliseconds on a struct timespec: the absolute times
 * that pthread_cond_timedwait and pthread_mutex_timedlock wait until, and
 * the durations measured between two readings of a clock. */
#ifndef PSINET_CORE_TIMING_H
#define PSINET_CORE_TIMING_H

#include <time.h>

/* The time ms milliseconds from now on clock clk (tv_nsec below 10^9). */
struct timespec timing_after_ms(clockid_t clk, unsigned long ms);

/* Milliseconds from a to b; negative when b is before a. */
double timing_ms_between(const struct timespec *a, const struct timespec *b);

#endif
