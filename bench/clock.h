/* bench/clock.h - the time the benchmarks' loops run for. */
#ifndef PSINET_BENCH_CLOCK_H
#define PSINET_BENCH_CLOCK_H

#include <time.h>

/* Seconds on the monotonic clock, from some fixed point: a difference of
 * two readings is the time between them. */
static inline double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif
