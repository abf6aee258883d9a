/* tests/codec/test_dtoa_shortest.c - dtoa_shortest: exact text for chosen
 * values, the very text of the Grisu2 writer it replaced
 * (tests/ref/dtoa_grisu2.c) on doubles of every kind, strtod reading every
 * output back bit for bit, and never more digits than the snprintf/strtod
 * formatter before that.
 *
 * The random inputs come from a fixed-seed generator. This file runs in
 * every build (release and ASan+UBSan) with 100,000 round trips, 400,000
 * doubles compared with Grisu2's text, 50 per binary exponent and 10,000
 * comparisons with the old formatter: a fraction of a second. The sweep,
 * tests/slow/test_dtoa_shortest_sweep.c, is this same file with
 * DTOA_SWEEP defined, run once by `make test` in the release build (under
 * 5 s): 16,000,000 doubles compared with Grisu2's text, 2,000,000 more
 * across every exponent, 4,000,000 round trips and 400,000 comparisons
 * with the old formatter. Both also check the 6,318 doubles around those
 * that dtoa_shortest's arithmetic finds hardest
 * (tests/ref/dtoa_near_integers.h). PSINET_DTOA_COUNT=N sets the round
 * trips, 4 N comparisons with Grisu2 and N / 10 with the old formatter,
 * for a longer soak. */
#include "codec/dtoa_shortest.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "tests/ref/dtoa_grisu2.h"
#include "tests/ref/dtoa_printf.h"
#include "tests/ref/dtoa_near_integers.h"
#include "tests/testlib.h"

#ifdef DTOA_SWEEP
#define ROUND_TRIPS 4000000
#define PER_EXPONENT 1000
#else
#define ROUND_TRIPS 100000
#define PER_EXPONENT 50
#endif

static uint64_t bits_of(double d)
{
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    return b;
}

static double from_bits(uint64_t b)
{
    double d;
    memcpy(&d, &b, sizeof d);
    return d;
}

/* core/rng.h's generator, seeded with fixed seeds: the same inputs every
 * run. */
static rng_state gen;

static int rng_below(int n)
{
    return (int)(rng_next(&gen) % (uint64_t)n);
}

/* x >= 0 moved by `steps` doubles, stopping at zero. */
static double step(double x, int steps)
{
    uint64_t b = bits_of(x);
    if (steps < 0 && b < (uint64_t)-steps)
        return 0.0;
    return from_bits(b + (uint64_t)(int64_t)steps);
}

/* The i-th test input: finite, from a rotation of kinds. */
static double sample(uint64_t i)
{
    uint64_t r = rng_next(&gen);
    double sign = r >> 63 ? -1.0 : 1.0;
    double d;
    char text[48];
    switch (i % 9) {
    case 0: /* any bit pattern: every exponent alike */
    case 1:
        do
            r = rng_next(&gen);
        while ((r >> 52 & 0x7ff) == 0x7ff);
        return from_bits(r);
    case 2: /* subnormal */ return from_bits(r & UINT64_C(0x800fffffffffffff));
    case 3: /* an integer up to 2^53, of any length */
        return sign * (double)(r >> (11 + rng_below(53)));
    case 4: /* a power of two, or a few doubles either side */
        d = ldexp(1.0, rng_below(2098) - 1074);
        return sign * step(d, d == ldexp(1.0, -1074) ? rng_below(3)
                                                     : rng_below(7) - 3);
    case 5: /* a power of ten, or a few doubles either side */
        snprintf(text, sizeof text, "1e%d", rng_below(632) - 323);
        return sign * step(strtod(text, NULL), rng_below(7) - 3);
    case 6: /* a short decimal, as people write them */
        snprintf(text, sizeof text, "%llue%d",
                 (unsigned long long)(r % 100000000000000000u >> rng_below(57)),
                 rng_below(640) - 330);
        d = strtod(text, NULL);
        return isfinite(d) ? sign * d : 1.5;
    case 7: /* around the ends: DBL_MIN, DBL_MAX, 5e-324, 2^53 */
    {
        static const double ends[] = {DBL_MIN, DBL_MAX, 5e-324,
                                      9007199254740992.0};
        d = ends[rng_below(4)];
        int steps = rng_below(2001) - 1000;
        if (d == DBL_MAX && steps > 0)
            steps = -steps;
        if (d == 5e-324 && steps < 0)
            steps = -steps;
        return sign * step(d, steps);
    }
    default: /* a probability amplitude, uniform in (-1, 1) */
        return sign * (double)(r >> 11) / 9007199254740992.0;
    }
}

/* Checks dtoa_shortest(d) reads back as d bit for bit; returns false (after one
 * failed check naming d) when it does not. */
static bool round_trips(double d, char *buf)
{
    size_t len = dtoa_shortest(d, buf);
    double back = strtod(buf, NULL);
    return test_check(len == strlen(buf) && len < DTOA_SHORTEST_SIZE &&
                          bits_of(back) == bits_of(d),
                      __FILE__, __LINE__, "%a wrote \"%s\", reads back %a", d,
                      buf, back);
}

/* Significant digits in a printed number. */
static int significant_digits(const char *s)
{
    int count = 0, zeros = 0;
    bool started = false;
    for (; *s && *s != 'e'; s++) {
        if (*s < '0' || *s > '9')
            continue;
        started = started || *s != '0';
        if (!started)
            continue;
        if (*s == '0') {
            zeros++;
        } else {
            count += zeros + 1;
            zeros = 0;
        }
    }
    return count;
}

static long round_trip_count(void)
{
    const char *env = getenv("PSINET_DTOA_COUNT");
    long n = env ? atol(env) : 0;
    return n > 0 ? n : ROUND_TRIPS;
}

TEST(dtoa_writes_the_expected_text)
{
    static const struct {
        double d;
        const char *text;
    } cases[] = {
        /* from format_double_is_shortest_round_trip (tests/api) */
        {0.6, "0.6"},
        {5.0, "5.0"},
        {-0.0, "-0.0"},
        {1e300, "1e+300"},
        {0.1 + 0.2, "0.30000000000000004"},
        {3.141592653589793, "3.141592653589793"},
        {1.0 / 3.0, "0.3333333333333333"},
        {4.9e-324, "5e-324"}, /* the old formatter: 4.94065645841247e-324 */
        {1.7976931348623157e308, "1.7976931348623157e+308"},
        {2.2250738585072014e-308, "2.2250738585072014e-308"},
        {123456789.125, "123456789.125"},
        /* zero, integers, and where printf's %g turns to exponents */
        {0.0, "0.0"},
        {1.0, "1.0"},
        {-1.5, "-1.5"},
        {100.0, "100.0"},
        {299792458.0, "299792458.0"},
        {1e14, "100000000000000.0"},
        {1e15, "1e+15"},
        {123456789012345.0, "123456789012345.0"},
        {1234567890123456.0, "1234567890123456.0"},
        {12345678901234568.0, "12345678901234568.0"},
        {1e16, "1e+16"},
        {9007199254740992.0, "9007199254740992.0"},
        {9223372036854775808.0, "9.223372036854776e+18"},
        {0.0001, "0.0001"},
        {0.000123456789, "0.000123456789"},
        {1e-5, "1e-05"},
        {1.5e-5, "1.5e-05"},
        {1e-7, "1e-07"},
        {0.1, "0.1"},
        {-123.456, "-123.456"},
        {2.0 / 3.0, "0.6666666666666666"},
        {DBL_EPSILON, "2.220446049250313e-16"},
        {1e21, "1e+21"},
        {1e22, "1e+22"},
        {1e23, "1e+23"}, /* not a double: the nearest one */
        {6.02214076e23, "6.02214076e+23"},
        {1.602176634e-19, "1.602176634e-19"},
        {1e100, "1e+100"},
        {1e-100, "1e-100"},
        {1e-300, "1e-300"},
        {-1.7976931348623157e308, "-1.7976931348623157e+308"},
        /* subnormals: fewer bits, so often fewer digits than 15 */
        {-5e-324, "-5e-324"},
        {1.5e-323, "1.5e-323"}, /* old: 1.48219693752374e-323 */
        {2.225073858507201e-308, "2.225073858507201e-308"},
        {0x0.0098a47368818p-1022, "5.182504009491e-311"}, /* old: ...125e */
        /* 2^-509: the nearest 16 digits lie outside the half-width gap
         * below, another 16 inside; the old formatter wrote 17 */
        {0x1p-509, "5.966672584960166e-154"},
        /* a tie between two shortest: printf's choice (even), exactly */
        {2023347301156851.25, "2023347301156851.2"},
    };
    char buf[DTOA_SHORTEST_SIZE];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len = dtoa_shortest(cases[i].d, buf);
        CHECK_STR(buf, cases[i].text);
        CHECK_EQ_INT(len, strlen(cases[i].text));
    }
}

TEST(dtoa_writes_something_for_nan_and_infinity)
{
    char buf[DTOA_SHORTEST_SIZE];
    CHECK_EQ_INT(dtoa_shortest(INFINITY, buf), 3);
    CHECK_STR(buf, "inf");
    dtoa_shortest(-INFINITY, buf);
    CHECK_STR(buf, "-inf");
    dtoa_shortest(from_bits(UINT64_C(0x7ff8000000000000)), buf);
    CHECK_STR(buf, "nan");
    dtoa_shortest(from_bits(UINT64_C(0xfff0000000000001)), buf);
    CHECK_STR(buf, "-nan");
}

TEST(dtoa_round_trips_every_power_of_two_and_ten_and_its_neighbours)
{
    char buf[DTOA_SHORTEST_SIZE];
    for (int e = -1074; e <= 1023; e++)
        for (int s = -2; s <= 2; s++) {
            double d = ldexp(1.0, e);
            if ((e == -1074 && s < 0) || (e == 1023 && s > 0))
                continue;
            round_trips(step(d, s), buf);
            round_trips(-step(d, s), buf);
        }
    for (int e = -323; e <= 308; e++) {
        char text[16];
        snprintf(text, sizeof text, "1e%d", e);
        double d = strtod(text, NULL);
        for (int s = -2; s <= 2; s++)
            round_trips(step(d, s), buf);
        dtoa_shortest(d, buf); /* the shortest text of 10^e is 1e... */
        CHECK(significant_digits(buf) == 1);
    }
    for (uint64_t b = 0; b < 100000; b++) /* the smallest subnormals */
        round_trips(from_bits(b), buf);
    for (int i = 0; i <= 100000; i++) /* small integers are written whole */
        if (round_trips((double)i, buf))
            CHECK(significant_digits(buf) <= 6 && strchr(buf, 'e') == NULL);
}

/* Several million inputs of every kind read back bit for bit. */
TEST(dtoa_round_trips_random_doubles)
{
    char buf[DTOA_SHORTEST_SIZE];
    long n = round_trip_count(), failures = 0;
    rng_seed(&gen, 20260101);
    for (long i = 0; i < n && failures < 10; i++)
        failures += !round_trips(sample((uint64_t)i), buf);
    printf("dtoa: %ld doubles read back bit for bit\n", n);
}

/* Checks that dtoa_shortest writes d as the Grisu2 writer did, byte for byte;
 * returns false (after one failed check naming d) when it does not. */
static bool writes_what_grisu2_wrote(double d)
{
    char mine[DTOA_SHORTEST_SIZE], theirs[DTOA_SHORTEST_SIZE];
    size_t len = dtoa_shortest(d, mine), their_len = ref_dtoa_grisu2(d, theirs);
    return test_check(len == their_len && !strcmp(mine, theirs), __FILE__,
                      __LINE__, "%a: \"%s\", Grisu2 wrote \"%s\"", d, mine,
                      theirs);
}

/* 16 million inputs of every kind, written as Grisu2 wrote them. */
TEST(dtoa_writes_what_grisu2_wrote)
{
    long n = 4 * round_trip_count(), compared = 0, different = 0;
    rng_seed(&gen, 20260303);
    for (; compared < n && different < 10; compared++)
        different += !writes_what_grisu2_wrote(sample((uint64_t)compared));
    printf("dtoa: %ld doubles compared with Grisu2's text, %ld different\n",
           compared, different);
}

/* At every binary exponent, subnormal to the largest, either sign: the
 * four least and three greatest significands, the middle one and
 * PER_EXPONENT random ones. */
TEST(dtoa_writes_what_grisu2_wrote_at_every_exponent)
{
    const uint64_t top = (UINT64_C(1) << 52) - 1; /* the fraction bits */
    const uint64_t edge[] = {0, 1, 2, 3, top / 2 + 1, top - 2, top - 1, top};
    const int n_edges = (int)(sizeof edge / sizeof edge[0]);
    long compared = 0, different = 0;
    rng_seed(&gen, 20260404);
    for (uint64_t biased = 0; biased < 0x7ff && different < 10; biased++)
        for (int i = 0; i < n_edges + PER_EXPONENT; i++) {
            uint64_t r = rng_next(&gen);
            uint64_t fraction = i < n_edges ? edge[i] : r & top;
            different += !writes_what_grisu2_wrote(
                from_bits((r & UINT64_C(1) << 63) | biased << 52 | fraction));
            compared++;
        }
    printf("dtoa: %ld doubles across every exponent compared with Grisu2's "
           "text, %ld different\n",
           compared, different);
}

/* The 1,053 doubles whose value or interval end, as dtoa_shortest scales it,
 * comes nearest an integer without being one (within 2^-55, down to
 * 2^-65.4): where dtoa_round_odd has the least to spare. Listed by
 * codec/gen_dtoa_powers.py --near-integers; with their neighbours, either
 * sign. */
TEST(dtoa_writes_what_grisu2_wrote_near_integers)
{
    long compared = 0, different = 0;
    size_t n = sizeof dtoa_near_integers / sizeof dtoa_near_integers[0];
    for (size_t i = 0; i < n && different < 10; i++)
        for (int s = -1; s <= 1; s++) {
            double d = from_bits(dtoa_near_integers[i] + (uint64_t)(int64_t)s);
            different += !writes_what_grisu2_wrote(d);
            different += !writes_what_grisu2_wrote(-d);
            compared += 2;
        }
    printf("dtoa: %ld doubles near integers compared with Grisu2's text, %ld "
           "different\n",
           compared, different);
}

/* Never more digits than the old formatter, and the very same text wherever
 * as short (ties included: printf decides those for both). The figures of a
 * run are printed. Measured:
 *  - these 400,000 inputs (a mix heavy in subnormals and powers of two):
 *    14,936 shorter, 133 of them normal doubles, 0 longer, 0 different;
 *  - 6 million random bit patterns: 59 shorter (0.001%), all subnormal;
 *  - 200,000 random subnormals: 4,042 shorter (2%). A subnormal has 52 bits
 *    or fewer, so it may need fewer than the 15 digits the old formatter
 *    started from (5e-324, not 4.94065645841247e-324);
 *  - 3 million of these inputs: all 1,007 normal doubles written shorter
 *    are exact powers of two. There the double below is half as far as the
 *    one above, and the nearest 16-digit number, the old formatter's only
 *    16-digit try, can fall outside the shorter half while another 16-digit
 *    number reads back: the old formatter went on to 17 digits.
 * For 1 million random bit patterns, subnormals, powers of two and their
 * neighbours, the digits were also those of Python's repr (David Gay's
 * shortest, nearest). */
TEST(dtoa_is_never_longer_than_the_old_formatter)
{
    char buf[DTOA_SHORTEST_SIZE], old[32];
    long n = round_trip_count() / 10, shorter = 0, shorter_normal = 0,
         longer = 0, different = 0;
    rng_seed(&gen, 20260202);
    for (long i = 0; i < n; i++) {
        double d = sample((uint64_t)i);
        dtoa_shortest(d, buf);
        ref_dtoa_printf(d, old);
        int mine = significant_digits(buf), theirs = significant_digits(old);
        if (mine < theirs) {
            shorter++;
            shorter_normal += fabs(d) >= DBL_MIN;
        } else if (mine > theirs) {
            longer++;
        } else if (strcmp(buf, old) != 0) {
            different++;
        }
        if (!test_check(mine <= theirs && (mine < theirs || !strcmp(buf, old)),
                        __FILE__, __LINE__, "%a: \"%s\", the old \"%s\"", d,
                        buf, old) &&
            longer + different > 10)
            break;
    }
    printf("dtoa: of %ld doubles, %ld shorter than the old formatter (%ld of "
           "them normal), %ld longer, %ld as short but different\n",
           n, shorter, shorter_normal, longer, different);
}

TEST(format_double_is_shortest_round_trip)
{
    char buf[DTOA_SHORTEST_SIZE];
    dtoa_shortest(0.6, buf);
    CHECK_STR(buf, "0.6");
    dtoa_shortest(5.0, buf);
    CHECK_STR(buf, "5.0");
    dtoa_shortest(-0.0, buf);
    CHECK_STR(buf, "-0.0");
    dtoa_shortest(1e300, buf);
    CHECK_STR(buf, "1e+300");
    dtoa_shortest(0.1 + 0.2, buf);
    CHECK_STR(buf, "0.30000000000000004");
    const double samples[] = {3.141592653589793,       1.0 / 3.0,
                              4.9e-324,                1.7976931348623157e308,
                              2.2250738585072014e-308, 123456789.125};
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        dtoa_shortest(samples[i], buf);
        CHECK(strtod(buf, NULL) == samples[i]);
    }
}
