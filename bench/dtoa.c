/* bench/dtoa.c - nanoseconds per number for writing doubles as JSON text,
 * on the same numbers: dtoa_shortest (Schubfach) against the Grisu2 writer it
 * replaced (tests/ref/dtoa_grisu2.c, the same text) and the snprintf/strtod
 * formatter before that (the fewest of 15, 16 or 17 digits that reads
 * back). The best of several passes, the two fast writers' passes taken in
 * turns so that a burst of other load on the machine meets both; one
 * thread (make bench-dtoa). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/dtoa_shortest.h"
#include "bench/clock.h"
#include "core/rng.h"
#include "tests/ref/dtoa_grisu2.h"
#include "tests/ref/dtoa_printf.h"

#define COUNT 100000
#define PASSES 15       /* for the fast writers */
#define PRINTF_PASSES 3 /* printf takes 20 times as long */

static rng_state gen; /* seeded in main: the same numbers every run */

static double uniform(void) /* in [-1, 1) */
{
    return rng_uniform(&gen) * 2.0 - 1.0;
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
            b = rng_next(&gen);
        while ((b >> 52 & 0x7ff) == 0x7ff);
        memcpy(&x[i], &b, sizeof b);
    }
}

static void fill_short_decimals(double *x) /* 0.125, -3.5, 42, 0.001 */
{
    for (size_t i = 0; i < COUNT; i++)
        x[i] = (double)((int64_t)(rng_next(&gen) % 2000001) - 1000000) /
               pow(10.0, (double)(rng_next(&gen) % 7));
}

/* Seconds for one pass of write over x. */
static double time_pass(size_t (*write)(double, char *), const double *x)
{
    char buf[40];
    size_t total = 0;
    double start = bench_now();
    for (size_t i = 0; i < COUNT; i++)
        total += write(x[i], buf);
    double t = bench_now() - start;
    if (total == 0) /* keeps the calls */
        puts("");
    return t;
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
    rng_seed(&gen, 20260303);
    printf("%-22s %8s %8s %10s %12s\n", "ns per number (100000)", "printf",
           "Grisu2", "dtoa_shortest", "vs Grisu2");
    for (size_t s = 0; s < sizeof sets / sizeof sets[0]; s++) {
        sets[s].fill(x);
        double printf_best = INFINITY, grisu2_best = INFINITY,
               schubfach_best = INFINITY;
        for (int pass = 0; pass < PRINTF_PASSES; pass++)
            printf_best = fmin(printf_best, time_pass(ref_dtoa_printf, x));
        for (int pass = 0; pass < PASSES; pass++) {
            grisu2_best = fmin(grisu2_best, time_pass(ref_dtoa_grisu2, x));
            schubfach_best = fmin(schubfach_best, time_pass(dtoa_shortest, x));
        }
        printf("%-22s %8.1f %8.1f %10.1f %11.2fx\n", sets[s].name,
               printf_best / COUNT * 1e9, grisu2_best / COUNT * 1e9,
               schubfach_best / COUNT * 1e9, grisu2_best / schubfach_best);
    }
    return 0;
}
