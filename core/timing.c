/* core/timing.c - milliseconds on a struct timespec (core/timing.h). */
#include "core/timing.h"

struct timespec timing_after_ms(clockid_t clk, unsigned long ms)
{
    struct timespec t;
    clock_gettime(clk, &t);
    t.tv_sec += (time_t)(ms / 1000);
    t.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    return t;
}

double timing_ms_between(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) * 1e3 +
           (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}
