/* bench/decimal.c - megabytes per second of number text read as doubles:
 * codec/decimal.h's decimal_parse against glibc's strtod, on the same
 * text: 17-significant-digit round-trip numbers ("%.17g" of random
 * doubles in [-1, 1)), the 6-decimal numbers make bench's bodies hold,
 * integers, and 7 significant digits with an exponent ("%.6e"). The best
 * of several passes, the two taken in turns; one thread
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

typedef enum { DIGITS17, DECIMALS6, INTEGERS, EXPONENTS } number_form;

/* COUNT numbers of one form, separated by commas: the text, its length in
 * *len. */
static char *numbers(number_form form, size_t *len)
{
    char *text = malloc((size_t)COUNT * 32);
    size_t n = 0;
    if (!text)
        exit(1);
    for (size_t i = 0; i < COUNT; i++) {
        double x = rng_uniform(&gen) * 2.0 - 1.0;
        switch (form) {
        case DIGITS17: n += (size_t)snprintf(text + n, 32, "%.17g", x); break;
        case DECIMALS6: n += (size_t)snprintf(text + n, 32, "%.6f", x); break;
        case INTEGERS:
            n += (size_t)snprintf(text + n, 32, "%d", (int)(x * 100000));
            break;
        case EXPONENTS:
            n += (size_t)snprintf(text + n, 32, "%.6e", x * 1e5);
            break;
        }
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

static void row(const char *name, number_form form)
{
    size_t len;
    char *text = numbers(form, &len);
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
    row("17 digits (%.17g)", DIGITS17);
    row("6 decimals (%.6f)", DECIMALS6);
    row("integers (%d)", INTEGERS);
    row("exponents (%.6e)", EXPONENTS);
    printf("(checksum %g)\n", sink);
    return 0;
}
