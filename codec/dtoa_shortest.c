/* codec/dtoa_shortest.c - shortest round-trip decimal text for a double:
 * Schubfach.
 *
 * After Giulietti, "The Schubfach way to render doubles" (2020). A positive
 * double v = c * 2^q is what strtod makes of every decimal in its rounding
 * interval: v - 2^q / 2 to v + 2^q / 2 (from v - 2^q / 4 when v is a power
 * of two whose lower neighbour is half as far), the ends included when c is
 * even. Take K = floor(log10(2^q)) (of 3/4 * 2^q in the second case): the
 * interval is then at least 1 and less than 10 units of 10^K wide, so it
 * holds a multiple of 10^K and at most one multiple of 10^(K+1). If it
 * holds one of 10^(K+1), that is the shortest decimal there (trailing zeros
 * dropped). Otherwise every multiple of 10^K in it has as many digits, and
 * the nearest v are s * 10^K and (s + 1) * 10^K, s = floor(v / 10^K): the
 * one of them in the interval, or if both are, the nearer v (the even one
 * when v is halfway).
 *
 * Deciding all that takes v and the two ends times 4 / 10^K to the unit,
 * and whether exactly: rounded to odd. dtoa_round_odd gets each from one
 * 128-bit power of ten (codec/dtoa_powers.h) and two 64x64-bit products;
 * codec/gen_dtoa_powers.py proves that exact for every double. No loop, no
 * division by a variable, no fallback. The digits are then laid out as
 * printf's "%g" would lay them out (codec/dtoa_shortest.h). */
#include "codec/dtoa_shortest.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "codec/dtoa_powers.h"

#ifndef __SIZEOF_INT128__
#error "codec/dtoa_shortest.c needs unsigned __int128 (gcc or clang, 64-bit)"
#endif
typedef unsigned __int128 dtoa_u128;

/* floor(log10(2^q)), floor(log10(3/4 * 2^q)) and floor(log2(10^n)), in
 * nonnegative integers before the shift; codec/gen_dtoa_powers.py checks
 * each for every q and n dtoa_shortest uses. */
static int dtoa_floor_log10_pow2(int q)
{
    return ((q * 315653 + (1100 << 20)) >> 20) - 1100;
}

static int dtoa_floor_log10_three_quarters_pow2(int q)
{
    return ((q * 315653 - 131008 + (1100 << 20)) >> 20) - 1100;
}

static int dtoa_floor_log2_pow10(int n)
{
    return ((n * 1741647 + (1100 << 19)) >> 19) - 1100;
}

/* Returns y * g / 2^128 rounded to odd for g = g_hi * 2^64 + g_lo and
 * y < 2^59: its integer part, with the lowest bit set when the fraction is
 * not 0. The fraction counts as 0 below 2^59 / 2^128, the most that g's
 * excess over the exact power can add (codec/gen_dtoa_powers.py). */
static inline uint64_t dtoa_round_odd(uint64_t g_hi, uint64_t g_lo, uint64_t y)
{
    dtoa_u128 low = (dtoa_u128)g_lo * y;
    dtoa_u128 high = (dtoa_u128)g_hi * y + (uint64_t)(low >> 64);
    uint64_t fraction_hi = (uint64_t)high, fraction_lo = (uint64_t)low;
    return (uint64_t)(high >> 64) | ((fraction_hi | fraction_lo >> 59) != 0);
}

/* The shortest decimal that reads back as v = c * 2^q > 0, the nearest v of
 * those (irregular when v's lower neighbour is half as far as its upper):
 * returns its significand, below 10^17 and possibly ending in zeros, and
 * sets *exp10 to its decimal exponent. */
static inline uint64_t dtoa_digits(uint64_t c, int q, bool irregular,
                                   int *exp10)
{
    int k = irregular ? dtoa_floor_log10_three_quarters_pow2(q)
                      : dtoa_floor_log10_pow2(q);
    int h = q + dtoa_floor_log2_pow10(-k) + 1; /* 1 to 4 */
    uint64_t g_hi = dtoa_powers[k - DTOA_K_MIN].hi;
    uint64_t g_lo = dtoa_powers[k - DTOA_K_MIN].lo;

    /* v, and the ends of its interval, times 4 / 10^K, rounded to odd. An
     * odd c leaves the ends out: a decimal at an end reads back as the
     * neighbour with the even significand. Then a multiple d of 10^K is in
     * the interval when lower <= 4 d <= upper, in whole numbers. */
    uint64_t four_c = c << 2, open = c & 1;
    uint64_t vb = dtoa_round_odd(g_hi, g_lo, four_c << h);
    uint64_t lower =
        dtoa_round_odd(g_hi, g_lo, (four_c - 2 + irregular) << h) + open;
    uint64_t upper = dtoa_round_odd(g_hi, g_lo, (four_c + 2) << h) - open;

    uint64_t s = vb >> 2, t = s + 1;
    uint64_t s10 = s - s % 10, t10 = s10 + 10;
    *exp10 = k;
    /* A multiple of 10 inside comes first; at most one is, and s10 is
     * below the upper end, t10 above the lower one. Else s or t, or if
     * both are inside, the nearer v (the even one on a tie). */
    bool s10_in = lower <= s10 << 2, t10_in = t10 << 2 <= upper;
    bool s_in = lower <= s << 2, t_in = t << 2 <= upper;
    bool s_nearer = vb + (s & 1) <= (s << 2) + 2;
    uint64_t f = t - (s_in & (!t_in | s_nearer));
    f = t10_in ? t10 : f;
    return s10_in ? s10 : f;
}

/* "00" to "99" in ASCII as 16-bit numbers, the first digit in the low
 * byte. */
#define DTOA_PAIR(n) (('0' + (n) / 10) | ('0' + (n) % 10) << 8)
#define DTOA_PAIRS(t)                                                          \
    DTOA_PAIR(t * 10), DTOA_PAIR(t * 10 + 1), DTOA_PAIR(t * 10 + 2),           \
        DTOA_PAIR(t * 10 + 3), DTOA_PAIR(t * 10 + 4), DTOA_PAIR(t * 10 + 5),   \
        DTOA_PAIR(t * 10 + 6), DTOA_PAIR(t * 10 + 7), DTOA_PAIR(t * 10 + 8),   \
        DTOA_PAIR(t * 10 + 9)
static const uint16_t dtoa_pairs[100] = {
    DTOA_PAIRS(0), DTOA_PAIRS(1), DTOA_PAIRS(2), DTOA_PAIRS(3), DTOA_PAIRS(4),
    DTOA_PAIRS(5), DTOA_PAIRS(6), DTOA_PAIRS(7), DTOA_PAIRS(8), DTOA_PAIRS(9)};

/* The 8 digits of n < 10^8 in ASCII in the 8 bytes of a word, the first
 * digit in the lowest byte. The four pairs come from three independent
 * divisions (by multiplication) rather than one after another. */
static inline uint64_t dtoa_ascii8(uint32_t n)
{
    uint32_t a = n / 1000000, b = n / 10000, c = n / 100;
    return (uint64_t)dtoa_pairs[a] | (uint64_t)dtoa_pairs[b - 100 * a] << 16 |
           (uint64_t)dtoa_pairs[c - 100 * b] << 32 |
           (uint64_t)dtoa_pairs[n - 100 * c] << 48;
}

/* Writes the 8 bytes of w at p, the lowest first. */
static inline void dtoa_store8(char *p, uint64_t w)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w = __builtin_bswap64(w);
#endif
    memcpy(p, &w, sizeof w);
}

/* Number of leading zero bytes in w != 0. */
static inline int dtoa_zero_bytes(uint64_t w)
{
    return (int)((unsigned)__builtin_clzll(w) >> 3);
}

/* Writes "e+XX" / "e-XXX" for x at p; returns the new end. */
static char *dtoa_exponent(char *p, int x)
{
    *p++ = 'e';
    *p++ = x < 0 ? '-' : '+';
    if (x < 0)
        x = -x;
    int wide = x >= 100;
    *p = (char)('0' + x / 100); /* overwritten unless wide */
    uint16_t pair = dtoa_pairs[x % 100];
    p[wide] = (char)pair;
    p[wide + 1] = (char)(pair >> 8);
    return p + wide + 2;
}

size_t dtoa_shortest(double d, char buf[DTOA_SHORTEST_SIZE])
{
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    uint64_t fraction = bits & ((UINT64_C(1) << 52) - 1);
    int biased = (int)(bits >> 52 & 0x7ff);
    buf[0] = '-'; /* kept only for a negative d: no branch on the sign */
    char *p = buf + (bits >> 63);

    if (biased == 0x7ff) { /* never asked for; printf's spelling */
        memcpy(p, fraction ? "nan" : "inf", 4);
        return (size_t)(p + 3 - buf);
    }
    if (biased == 0 && fraction == 0) {
        memcpy(p, "0.0", 4);
        return (size_t)(p + 3 - buf);
    }

    int exp10;
    uint64_t f;
    if (biased == 0) /* subnormal */
        f = dtoa_digits(fraction, -1074, false, &exp10);
    else
        f = dtoa_digits(fraction | UINT64_C(1) << 52, biased - 1075,
                        fraction == 0 && biased > 1, &exp10);

    /* f's digits, scaled to exactly 17 (zeros after its own): the first,
     * then 8 and 8 in a word each. Only a subnormal has fewer than 16. */
    const uint64_t e15 = UINT64_C(1000000000000000), e16 = 10 * e15;
    const uint64_t zeros = UINT64_C(0x3030303030303030); /* "00000000" */
    int len = 17;
    for (; f < e15; len--)
        f *= 10;
    bool sixteen = f < e16;
    len -= sixteen;
    f = sixteen ? f * 10 : f;
    uint64_t top9 = f / 100000000, top = f / e16;
    char first = (char)('0' + top);
    uint64_t mid = dtoa_ascii8((uint32_t)(top9 - top * 100000000));
    uint64_t last = dtoa_ascii8((uint32_t)(f - top9 * 100000000));
    /* n significant digits: 17 less the trailing zeros, the highest bytes
     * that are '0' */
    int n = last != zeros  ? 17 - dtoa_zero_bytes(last ^ zeros)
            : mid != zeros ? 9 - dtoa_zero_bytes(mid ^ zeros)
                           : 1;

    /* As printf's %.{P}g with P = max(15, n), trailing zeros removed. The
     * fixed-size stores may write past the text's end, never past
     * DTOA_SHORTEST_SIZE. */
    int x = exp10 + len - 1; /* the first digit's power of ten */
    int precision = n > 15 ? n : 15;
    /* -4 <= x < precision, in one unsigned comparison (one branch) */
    if ((unsigned)(x + 4) >= (unsigned)(precision + 4)) { /* d.ddde+XX */
        p[0] = first;
        p[1] = '.';
        dtoa_store8(p + 2, mid);
        dtoa_store8(p + 10, last);
        p = dtoa_exponent(p + (n > 1 ? n + 1 : 1), x);
    } else if (x < 0) { /* 0.000ddd */
        memcpy(p, "0.0000", 6);
        p += 1 - x;
        p[0] = first;
        dtoa_store8(p + 1, mid);
        dtoa_store8(p + 9, last);
        p += n;
    } else if (n <= x + 1) { /* ddd000.0 */
        p[0] = first;
        dtoa_store8(p + 1, mid);
        dtoa_store8(p + 9, last);
        memcpy(p + x + 1, ".0", 2);
        p += x + 3;
    } else { /* ddd.ddd, 0 <= x <= 15 */
        /* Every digit one place on, then the first x + 1 back over them
         * (16 bytes at once), then the point. */
        p[1] = first;
        dtoa_store8(p + 2, mid);
        dtoa_store8(p + 10, last);
        dtoa_u128 digits = (dtoa_u128)last << 72 | (dtoa_u128)mid << 8 |
                           (unsigned char)first;        /* the first 16 */
        dtoa_u128 head = ~(dtoa_u128)0 >> 8 * (15 - x); /* bytes 0 to x */
        digits = (digits & head) | (digits << 8 & ~head);
        dtoa_store8(p, (uint64_t)digits);
        dtoa_store8(p + 8, (uint64_t)(digits >> 64));
        p[x + 1] = '.';
        p += n + 1;
    }
    *p = '\0';
    return (size_t)(p - buf);
}
