/* bench/dtoa.c - nanoseconds per number for writing doubles as JSON text:
 * the snprintf/strtod formatter psinet used before (the fewest of 15, 16 or
 * 17 digits that reads back) against api_dtoa (Grisu2), on the same numbers.
 * Best of several passes, one thread (make bench-dtoa). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/dtoa.h"

#define COUNT 100000
#define PASSES 7

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* api/json_write.c's api_format_double before api_dtoa. */
static size_t old_format_double(double d, char *buf)
{
    int len = 0;
    for (int prec = 15; prec <= 17; prec++) {
        len = snprintf(buf, 32, "%.*g", prec, d);
        if (strtod(buf, NULL) == d)
            break;
    }
    if (!strpbrk(buf, ".eEn")) {
        buf[len++] = '.';
        buf[len++] = '0';
        buf[len] = '\0';
    }
    return (size_t)len;
}

static uint64_t state = 20260303;

static uint64_t next(void) /* splitmix64 */
{
    uint64_t z = (state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static double uniform(void) /* in (-1, 1) */
{
    return (double)(next() >> 11) / 9007199254740992.0 * 2.0 - 1.0;
}

/* Real and imaginary parts of 1024-amplitude states scaled to norm 1, as
 * POST /v1/states/normalize returns them. */
static void fill_amplitudes(double *x)
{
    for (size_t start = 0; start < COUNT; start += 2048) {
        size_t end = start + 2048 < COUNT ? start + 2048 : COUNT;
        double sum = 0.0;
        for (size_t i = start; i < end; i++) {
            x[i] = uniform();
            sum += x[i] * x[i];
        }
        for (size_t i = start; i < end; i++)
            x[i] /= sqrt(sum);
    }
}

static void fill_bit_patterns(double *x) /* every exponent alike */
{
    for (size_t i = 0; i < COUNT; i++) {
        uint64_t b;
        do
            b = next();
        while ((b >> 52 & 0x7ff) == 0x7ff);
        memcpy(&x[i], &b, sizeof b);
    }
}

static void fill_short_decimals(double *x) /* 0.125, -3.5, 42, 0.001 */
{
    for (size_t i = 0; i < COUNT; i++)
        x[i] = (double)((int64_t)(next() % 2000001) - 1000000) /
               pow(10.0, (double)(next() % 7));
}

/* Best time per number over PASSES passes of write over x. */
static double time_per_number(size_t (*write)(double, char *), const double *x)
{
    char buf[40];
    size_t total = 0;
    double best = INFINITY;
    for (int pass = 0; pass < PASSES; pass++) {
        double start = now();
        for (size_t i = 0; i < COUNT; i++)
            total += write(x[i], buf);
        double t = now() - start;
        if (t < best)
            best = t;
    }
    if (total == 0) /* keeps the calls */
        puts("");
    return best / COUNT * 1e9;
}

static size_t new_format_double(double d, char *buf)
{
    return api_dtoa(d, buf);
}

int main(void)
{
    static double x[COUNT];
    static const struct {
        const char *name;
        void (*fill)(double *);
    } sets[] = {
        {"normalized amplitudes", fill_amplitudes},
        {"random bit patterns", fill_bit_patterns},
        {"short decimals", fill_short_decimals},
    };
    printf("%-24s %14s %14s %8s\n", "numbers (100000 each)", "old ns/number",
           "api_dtoa ns", "speedup");
    for (size_t s = 0; s < sizeof sets / sizeof sets[0]; s++) {
        sets[s].fill(x);
        double old_ns = time_per_number(old_format_double, x);
        double new_ns = time_per_number(new_format_double, x);
        printf("%-24s %14.1f %14.1f %7.1fx\n", sets[s].name, old_ns, new_ns,
               old_ns / new_ns);
    }
    return 0;
}
