/* tests/ref/dtoa_grisu2.c - the Grisu2 writer that was api/dtoa.c before
 * dtoa_shortest (codec/dtoa_shortest.c), kept unchanged (but for its names)
 * as the reference that tests/codec/test_dtoa_shortest.c compares
 * dtoa_shortest with, and bench/dtoa.c times it against.
 *
 * After Loitsch, "Printing Floating-Point Numbers Quickly and Accurately
 * with Integers" (PLDI 2010). A positive double v = f * 2^e is what strtod
 * makes of any decimal between m- and m+, the midpoints to its neighbours
 * (the midpoints themselves too when f is even). The three are exact as
 * 64-bit significands with one binary exponent. Multiplying each by a cached
 * 10^K (dtoa_grisu2_powers.h) chosen so that the product's exponent lies in
 * [-60, -32] turns them into fixed-point numbers W, M-, M+ whose integer
 * part fits 32 bits; each is within one unit of the exact product. Grisu2
 * narrows the interval by that unit on each side, L = M- + 1 and U = M+ - 1,
 * so that anything in [L, U] surely reads back as v, and generates the
 * digits of U until the number they form lies in [L, U]: the fewest digits
 * there. It then lowers the last digit while that brings the number nearer
 * W.
 *
 * Two things the paper's Grisu2 leaves open are settled exactly here, so
 * that the text is always the shortest and, of the shortest, the nearest v:
 * a shorter number may lie in the two units narrowed off at either end, and
 * W, being v only to within a unit, cannot tell near-ties apart. In both
 * cases the candidates are known from the digits already made
 * (grisu2_shorter, grisu2_round) and libc decides, strtod whether a
 * candidate reads back as v, printf ("%.*e", exact, ties to even) which is
 * nearest. That takes a call
 * to one of them for about 1 double in 200 (measured over 4 million random
 * bit patterns: 0.17% strtod, 0.29% printf), too few to measure: it
 * runs as fast with both calls stubbed out. */
#include "tests/ref/dtoa_grisu2.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/ref/dtoa_grisu2_powers.h"

/* Grisu2 makes at most 18 digits (see grisu2_core), 17 in practice. */
#define GRISU2_MAX_DIGITS 20

/* f * 2^e. */
typedef struct {
    uint64_t f;
    int e;
} grisu2_fp;

/* Returns x * y with its significand rounded to 64 bits (the high half of
 * the 128-bit product, to nearest), built from four 32x32-bit products. */
static grisu2_fp grisu2_multiply(grisu2_fp x, grisu2_fp y)
{
    const uint64_t lo32 = 0xffffffffu;
    uint64_t a = x.f >> 32, b = x.f & lo32, c = y.f >> 32, d = y.f & lo32;
    uint64_t ac = a * c, bc = b * c, ad = a * d, bd = b * d;
    uint64_t mid = (bd >> 32) + (ad & lo32) + (bc & lo32) + (UINT64_C(1) << 31);
    grisu2_fp r = {ac + (ad >> 32) + (bc >> 32) + (mid >> 32), x.e + y.e + 64};
    return r;
}

/* Returns the cached power 10^k, as f * 2^e with k in *k, that brings a
 * significand with binary exponent e to a product exponent in
 * [GRISU2_ALPHA, GRISU2_GAMMA]. gen_grisu2_powers.py proves this choice
 * right for every exponent a double can have. */
static grisu2_fp grisu2_cached_power(int e, int *k)
{
    /* ceil((GRISU2_ALPHA - e - 1) * log10(2)), log10(2) ~= 78913 / 2^18, in
     * nonnegative integers (400 * 2^18 exceeds 1100 * 78913). */
    int first =
        (((GRISU2_ALPHA - e - 1) * 78913 + (401 << 18) - 1) >> 18) - 400;
    int i = (first - GRISU2_POWER_MIN_K + GRISU2_POWER_STEP - 1) /
            GRISU2_POWER_STEP;
    grisu2_fp c = {grisu2_powers[i].f, grisu2_powers[i].e};
    *k = grisu2_powers[i].k;
    return c;
}

static const uint32_t grisu2_pow10[10] = {
    1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000};

/* Number of decimal digits of n (at least 1). */
static int grisu2_count_digits(uint32_t n)
{
    int count = 1;
    while (count < 10 && n >= grisu2_pow10[count])
        count++;
    return count;
}

/* Reads digits[0..n) * 10^exp10 exactly (strtod rounds correctly) and says
 * whether it is v. */
static bool grisu2_reads_back(const char *digits, int n, int exp10, double v)
{
    char text[GRISU2_MAX_DIGITS + 8];
    memcpy(text, digits, (size_t)n);
    snprintf(text + n, sizeof text - (size_t)n, "e%d", exp10);
    return strtod(text, NULL) == v;
}

/* Says whether printf, which rounds exactly (ties to even), writes v > 0
 * to n significant digits as digits[0..n) with the first at 10^x. */
static bool grisu2_printf_agrees(double v, const char *digits, int n, int x)
{
    char text[GRISU2_MAX_DIGITS + 16];
    snprintf(text, sizeof text, "%.*e", n - 1, v);
    const char *p = text;
    int i = 0;
    for (; *p && *p != 'e'; p++) {
        if (*p == '.')
            continue;
        if (i == n || *p != digits[i])
            return false;
        i++;
    }
    return i == n && *p == 'e' && atoi(p + 1) == x;
}

/* Drops trailing zeros of digits[0..n) into the exponent; returns the new
 * count. */
static int grisu2_trim(const char *digits, int n, int *exp10)
{
    while (n > 1 && digits[n - 1] == '0') {
        n--;
        ++*exp10;
    }
    return n;
}

/* Grisu2's result, and what deciding on it further needs: digits[0..n) of
 * U, the last at 10^exp10; rest, U minus their number; unit, the weight of
 * the last digit; delta, U - L; dist, U - W; slack, the one unit of error.
 * The last five in one fixed point (scaled by 10 for each fraction digit). */
typedef struct {
    char digits[GRISU2_MAX_DIGITS];
    int n, exp10;
    uint64_t rest, unit, delta, dist, slack;
} grisu2_result;

/* Grisu2 proper for v = f * 2^e > 0 (lower_closer when the double below v
 * is half as far as the one above): the fewest digits of U that form a
 * number in [L, U]. */
static void grisu2_core(uint64_t f, int e, bool lower_closer, grisu2_result *g)
{
    /* Normalise: w's top bit at 63; m+ and m- share its exponent. */
    int s = 11; /* 53 bits, unless subnormal */
    while (!(f << s >> 63))
        s++;
    grisu2_fp w = {f << s, e - s};
    grisu2_fp m_plus = {(2 * f + 1) << (s - 1), w.e};
    grisu2_fp m_minus = {
        lower_closer ? (4 * f - 1) << (s - 2) : (2 * f - 1) << (s - 1), w.e};

    int k;
    grisu2_fp c = grisu2_cached_power(w.e, &k);
    grisu2_fp scaled_w = grisu2_multiply(w, c);
    grisu2_fp scaled_plus = grisu2_multiply(m_plus, c);
    grisu2_fp scaled_minus = grisu2_multiply(m_minus, c);

    /* Fixed point with `shift` fraction bits, 32 <= shift <= 60; U is at
     * least 2^62, so its integer part p1 is 4 or more. */
    int shift = -scaled_w.e;
    uint64_t one = UINT64_C(1) << shift;
    uint64_t upper = scaled_plus.f - 1;
    uint64_t delta = upper - (scaled_minus.f + 1);
    uint32_t p1 = (uint32_t)(upper >> shift);
    uint64_t p2 = upper & (one - 1);
    int kappa = grisu2_count_digits(p1); /* the next digit's power of ten + 1 */
    int n = 0;
    uint64_t rest = 0, unit = 0, slack = 1;
    bool done = false;
    while (kappa > 0 && !done) {
        uint32_t weight = grisu2_pow10[--kappa];
        g->digits[n++] = (char)('0' + p1 / weight);
        p1 %= weight;
        rest = ((uint64_t)p1 << shift) + p2;
        unit = (uint64_t)weight << shift;
        done = rest < delta;
    }
    g->dist = upper - scaled_w.f;
    while (!done) {
        /* p2 >= delta and p2 < one, so delta < one and nothing overflows.
         * The digits stop by the time unit <= delta, and U / delta < 2^55:
         * 18 digits at most (17 in practice). */
        p2 *= 10;
        delta *= 10;
        g->dist *= 10;
        slack *= 10;
        g->digits[n++] = (char)('0' + (p2 >> shift));
        p2 &= one - 1;
        kappa--;
        rest = p2;
        unit = one;
        done = rest < delta;
    }
    g->n = n;
    g->exp10 = kappa - k;
    g->rest = rest;
    g->unit = unit;
    g->delta = delta;
    g->slack = slack;
}

/* Writes to out a number with fewer digits than Grisu2's that reads back as
 * v, if there is one, with the decimal exponent of its last digit in
 * *exp10; returns its digit count, or 0.
 *
 * The true interval runs from L - 2 * slack to U + 2 * slack at most. No
 * shorter number lies in [L, U], or Grisu2 would have stopped a digit
 * earlier. Below L the only candidate is Grisu2's digits without the last
 * (U minus it is rest_short), and only when n > 1; above U only that plus
 * one in its last place, which is above U by (9 - last) * unit + (unit -
 * rest): within 2 * slack < unit only when the last digit is 9. Any shorter
 * number is a multiple of these two's last place, so there is none else. */
static int grisu2_shorter(const grisu2_result *g, double v,
                          char out[GRISU2_MAX_DIGITS], int *exp10)
{
    int n = g->n, last = g->digits[n - 1] - '0';
    uint64_t rest_short = g->rest + (uint64_t)last * g->unit;
    bool maybe_below = n > 1 && rest_short - g->delta < 2 * g->slack;
    bool maybe_above = n > 1 && last == 9 && g->unit - g->rest <= 2 * g->slack;
    if (!maybe_below && !maybe_above)
        return 0;

    char below[GRISU2_MAX_DIGITS], above[GRISU2_MAX_DIGITS];
    int n_below = 0, n_above = 0;
    int exp_below = g->exp10 + 1, exp_above = g->exp10 + 1;
    if (maybe_below) {
        memcpy(below, g->digits, (size_t)(n - 1));
        n_below = grisu2_trim(below, n - 1, &exp_below);
        if (!grisu2_reads_back(below, n_below, exp_below, v))
            n_below = 0;
    }
    if (maybe_above) { /* digits[0..n-1) plus one in the last place */
        int i = n - 2;
        memcpy(above, g->digits, (size_t)(n - 1));
        while (i >= 0 && above[i] == '9')
            i--;
        if (i >= 0) {
            above[i]++;
            n_above = i + 1;
            exp_above += n - 2 - i;
        } else { /* all nines: the next power of ten */
            above[0] = '1';
            n_above = 1;
            exp_above += n - 1;
        }
        if (!grisu2_reads_back(above, n_above, exp_above, v))
            n_above = 0;
    }
    /* The shorter that reads back; when both do and are as short, the one
     * printf rounds v to. */
    if (n_above &&
        (!n_below || n_above < n_below ||
         (n_above == n_below &&
          !grisu2_printf_agrees(v, below, n_below, exp_below + n_below - 1)))) {
        memcpy(out, above, (size_t)n_above);
        *exp10 = exp_above;
        return n_above;
    }
    memcpy(out, below, (size_t)n_below);
    *exp10 = exp_below;
    return n_below;
}

/* Moves Grisu2's number, one unit at a time, to the one of its length that
 * is nearest v and reads back as v.
 *
 * Grisu2 lowers the last digit while the number stays in [L, U] and gets
 * nearer W. W is v only to within slack, though, and the number on W's
 * other side may lie just outside [L, U] yet still read back. So lower
 * while surely nearer; then, if the neighbour on W's other side is within
 * 2 * slack of being as near and within 2 * slack of [L, U], ask printf,
 * which rounds v exactly (ties to even): if it writes that neighbour and
 * that reads back, take it. A neighbour that changes the number's length
 * (a last digit of 0 or 10) is grisu2_shorter's business. */
static void grisu2_round(grisu2_result *g, double v)
{
    char *last = &g->digits[g->n - 1];
    uint64_t rest = g->rest, unit = g->unit, delta = g->delta, dist = g->dist,
             slack2 = 2 * g->slack;
    while (rest < dist && delta - rest > unit &&
           (rest + unit <= dist || dist - rest > rest + unit - dist + slack2)) {
        --*last;
        rest += unit;
    }

    int step = 0;
    bool inside = false;
    if (rest < dist) { /* above W; the one below is W - (rest + unit - dist) */
        if (delta + slack2 - rest >= unit &&
            rest + unit - dist <= dist - rest + slack2) {
            step = -1;
            inside = delta - rest > unit;
        }
    } else { /* at or below W; unless lowered, the one above is U + (unit -
              * rest), and lowering was sure */
        if (rest < unit && unit - rest <= slack2 &&
            unit - rest + dist <= rest - dist + slack2)
            step = 1;
    }
    if (!step || *last + step < '1' || *last + step > '9')
        return;
    char other[GRISU2_MAX_DIGITS];
    memcpy(other, g->digits, (size_t)g->n);
    other[g->n - 1] = (char)(*last + step);
    if (grisu2_printf_agrees(v, other, g->n, g->exp10 + g->n - 1) &&
        (inside || grisu2_reads_back(other, g->n, g->exp10, v)))
        *last = other[g->n - 1];
}

/* The shortest digits for v > 0 (f * 2^e; lower_closer when the double
 * below v is half as far as the one above), the nearest v of those: writes
 * them to digits, with no trailing zero, sets *exp10 to the decimal exponent
 * of the last one and returns their count. */
static int grisu2_digits(double v, uint64_t f, int e, bool lower_closer,
                         char digits[GRISU2_MAX_DIGITS], int *exp10)
{
    grisu2_result g;
    grisu2_core(f, e, lower_closer, &g);
    int n = grisu2_shorter(&g, v, digits, exp10);
    if (n)
        return n;
    grisu2_round(&g, v);
    memcpy(digits, g.digits, (size_t)g.n);
    *exp10 = g.exp10;
    return grisu2_trim(digits, g.n, exp10);
}

/* Writes "e+XX" / "e-XXX" for x at p; returns the new end. */
static char *grisu2_exponent(char *p, int x)
{
    *p++ = 'e';
    *p++ = x < 0 ? '-' : '+';
    if (x < 0)
        x = -x;
    if (x >= 100)
        *p++ = (char)('0' + x / 100);
    *p++ = (char)('0' + x / 10 % 10);
    *p++ = (char)('0' + x % 10);
    return p;
}

size_t ref_dtoa_grisu2(double d, char buf[DTOA_SHORTEST_SIZE])
{
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    uint64_t fraction = bits & ((UINT64_C(1) << 52) - 1);
    int biased = (int)(bits >> 52 & 0x7ff);
    char *p = buf;
    if (bits >> 63)
        *p++ = '-';

    if (biased == 0x7ff) { /* never asked for; printf's spelling */
        memcpy(p, fraction ? "nan" : "inf", 4);
        return (size_t)(p + 3 - buf);
    }
    if (biased == 0 && fraction == 0) {
        memcpy(p, "0.0", 4);
        return (size_t)(p + 3 - buf);
    }

    char digits[GRISU2_MAX_DIGITS];
    int exp10, n;
    double v = fabs(d);
    if (biased == 0) /* subnormal */
        n = grisu2_digits(v, fraction, -1074, false, digits, &exp10);
    else
        n = grisu2_digits(v, fraction | UINT64_C(1) << 52, biased - 1075,
                          fraction == 0 && biased > 1, digits, &exp10);

    /* As printf's %.{P}g with P = max(15, n), trailing zeros removed. */
    int x = exp10 + n - 1; /* the first digit's power of ten */
    int precision = n > 15 ? n : 15;
    if (x < -4 || x >= precision) {
        *p++ = digits[0];
        if (n > 1) {
            *p++ = '.';
            memcpy(p, digits + 1, (size_t)(n - 1));
            p += n - 1;
        }
        p = grisu2_exponent(p, x);
    } else if (x < 0) { /* 0.000ddd */
        *p++ = '0';
        *p++ = '.';
        for (int i = -1; i > x; i--)
            *p++ = '0';
        memcpy(p, digits, (size_t)n);
        p += n;
    } else if (n <= x + 1) { /* ddd000.0 */
        memcpy(p, digits, (size_t)n);
        p += n;
        for (int i = n; i <= x; i++)
            *p++ = '0';
        *p++ = '.';
        *p++ = '0';
    } else { /* ddd.ddd */
        memcpy(p, digits, (size_t)(x + 1));
        p += x + 1;
        *p++ = '.';
        memcpy(p, digits + x + 1, (size_t)(n - x - 1));
        p += n - x - 1;
    }
    *p = '\0';
    return (size_t)(p - buf);
}
