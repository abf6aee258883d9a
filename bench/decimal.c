/* bench/decimal.c - megabytes per second of number text read as doubles:
 * codec/decimal.h's decimal_parse against glibc's strtod, on the same
 * text: 17-significant-digit round-trip numbers ("%.17g" of random
 * doubles in [-1, 1)), and the 6-decimal numbers make bench's bodies hold.
 * The best of several passes, the two taken in turns; one thread
 * (make bench-decimal). */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/clock.h"
#include "codec/decimal.h"
#include "core/rng.h"

#define COUNT 200000
#define PASSES 9

static rng_state gen;

/* COUNT numbers written with 17 significant digits, or with 6 decimals,
 * separated by commas: the text, its length in *len. */
static char *numbers(bool digits17, size_t *len)
{
    char *text = malloc((size_t)COUNT * 32);
    size_t n = 0;
    if (!text)
        exit(1);
    for (size_t i = 0; i < COUNT; i++) {
        double x = rng_uniform(&gen) * 2.0 - 1.0;
        n += (size_t)(digits17 ? snprintf(text + n, 32, "%.17g", x)
                               : snprintf(text + n, 32, "%.6f", x));
        text[n++] = ',';
    }
    text[n] = '\0';
    *len = n;
    return text;
}

static double sink;

static double pass_fast(const char *text, size_t len)
{
    double t = bench_now(), sum = 0;
    const char *p = text, *end = text + len;
    while (p < end) {
        double d;
        bool integral;
        size_t used = decimal_parse(p, end, &d, &integral);
        if (!used)
            exit(2);
        sum += d;
        p += used + 1;
    }
    sink += sum;
    return bench_now() - t;
}

static double pass_strtod(const char *text, size_t len)
{
    double t = bench_now(), sum = 0;
    const char *p = text, *end = text + len;
    while (p < end) {
        char *e;
        sum += strtod(p, &e);
        p = e + 1;
    }
    sink += sum;
    return bench_now() - t;
}

static void row(const char *name, bool digits17)
{
    size_t len;
    char *text = numbers(digits17, &len);
    double fast = 1e9, slow = 1e9;
    for (int i = 0; i < PASSES; i++) {
        double f = pass_fast(text, len), s = pass_strtod(text, len);
        fast = f < fast ? f : fast;
        slow = s < slow ? s : slow;
    }
    printf("%-22s %8.0f %8.0f %7.1f\n", name, (double)len / fast / 1e6,
           (double)len / slow / 1e6, slow / fast);
    free(text);
}

int main(void)
{
    rng_seed(&gen, 20261203);
    printf("%-22s %8s %8s %7s\n", "numbers", "MB/s", "strtod", "ratio");
    row("17 digits (%.17g)", true);
    row("6 decimals (%.6f)", false);
    printf("(checksum %g)\n", sink);
    return 0;
}
