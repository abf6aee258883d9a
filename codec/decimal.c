/* codec/decimal.c - decimal text to the nearest double (codec/decimal.h).
 * A port to C of fast_float's binary64 path (Daniel Lemire and others,
 * Apache-2.0/MIT/Boost), with strtod where fast_float has its own
 * arbitrary-precision fallback. */
#include "codec/decimal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec/decimal_powers.h"

static inline bool is_digit(char c)
{
    return (unsigned char)(c - '0') < 10;
}

const uint32_t decimal_powers_of_ten[9] = {
    1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};

/* Reads the digits from s on into *w (*w * 10^count + their value; it may
 * wrap: the caller counts the digits and reads them again when there are
 * more than 19) and returns where they end. Eight bytes at a time while
 * eight are left before end: all digits, or the digits before the first
 * byte that is not one (decimal_not_digits), where they end; the last
 * bytes one by one. The value is kept in a local: a store through w could
 * alias the text, and would be reloaded on every digit. */
static inline const char *read_digits(const char *s, const char *end,
                                      uint64_t *w)
{
    uint64_t v = *w;
    while (end - s >= 8) {
        uint64_t d;
        memcpy(&d, s, sizeof d);
        d -= UINT64_C(0x3030303030303030);
        uint64_t flags = decimal_not_digits(d);
        if (flags) {
            unsigned n = (unsigned)__builtin_ctzll(flags) >> 3;
            if (n == 1) /* often the last of 17 digits */
                v = v * 10 + (d & 0xF);
            else if (n)
                v = v * decimal_powers_of_ten[n] + decimal_digits_value(d, n);
            s += n;
            *w = v;
            return s;
        }
        v = v * 100000000 + decimal_digits_value(d, 8);
        s += 8;
    }
    while (s < end && is_digit(*s))
        v = 10 * v + (uint64_t)(*s++ - '0');
    *w = v;
    return s;
}

/* The 128-bit product a * b. */
static inline void mul128(uint64_t a, uint64_t b, uint64_t *hi, uint64_t *lo)
{
    unsigned __int128 p = (unsigned __int128)a * b;
    *hi = (uint64_t)(p >> 64);
    *lo = (uint64_t)p;
}

/* A double's bits from its biased exponent and its 52 stored bits. */
static inline double from_bits(int power2, uint64_t mantissa, bool negative)
{
    uint64_t bits =
        mantissa | (uint64_t)power2 << 52 | (uint64_t)negative << 63;
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

/* Eisel-Lemire: w * 10^q (w != 0, no more than 19 digits) rounded to the
 * nearest double, as its biased exponent and stored bits. False when the
 * 128 bits of the product cannot decide the rounding (rare): the caller
 * asks strtod. fast_float's compute_float<binary64>. Inline at each of
 * its three calls, so that its results stay in registers. */
static inline __attribute__((always_inline)) bool
eisel_lemire(int64_t q, uint64_t w, int *power2, uint64_t *mantissa)
{
    if (q < DECIMAL_Q_MIN) {
        *power2 = 0;
        *mantissa = 0;
        return true;
    }
    if (q > DECIMAL_Q_MAX) {
        *power2 = 0x7FF;
        *mantissa = 0;
        return true;
    }
    int lz = __builtin_clzll(w);
    w <<= lz;
    size_t index = (size_t)(q - DECIMAL_Q_MIN);
    uint64_t hi, lo;
    mul128(w, decimal_powers[index].hi, &hi, &lo);
    /* Only when the 9 bits below the 55 that matter are all ones can the
     * lower half of the power change them. */
    const uint64_t precision_mask = UINT64_MAX >> 55;
    if ((hi & precision_mask) == precision_mask) {
        uint64_t hi2, lo2;
        mul128(w, decimal_powers[index].lo, &hi2, &lo2);
        lo += hi2;
        if (hi2 > lo)
            hi++;
    }
    /* 5^q is exact in the table for 0 <= q <= 55 and its reciprocal is
     * exact enough for -27 <= q < 0; elsewhere a product whose lower half
     * is all ones may be an underestimate that crosses a boundary. */
    if (lo == UINT64_MAX && (q < -27 || q > 55))
        return false;
    int upperbit = (int)(hi >> 63);
    int shift = upperbit + 64 - 52 - 3;
    uint64_t m = hi >> shift;
    /* floor(log2(10^q)) + 63, as fast_float computes it */
    int p2 = (int)((((152170 + 65536) * q) >> 16) + 63) + upperbit - lz + 1023;
    if (p2 <= 0) { /* subnormal, or zero */
        if (-p2 + 1 >= 64) {
            *power2 = 0;
            *mantissa = 0;
            return true;
        }
        m >>= -p2 + 1;
        m += m & 1; /* round up; a tie here needs more than 19 digits */
        m >>= 1;
        *power2 = m < (UINT64_C(1) << 52) ? 0 : 1;
        *mantissa = m & ((UINT64_C(1) << 52) - 1);
        return true;
    }
    /* Exactly halfway between two doubles: ties to even. Only possible
     * where 5^q fits the product exactly. */
    if (lo <= 1 && q >= -4 && q <= 23 && (m & 3) == 1 && (m << shift) == hi)
        m &= ~UINT64_C(1);
    m += m & 1;
    m >>= 1;
    if (m >= (UINT64_C(2) << 52)) {
        m = UINT64_C(1) << 52;
        p2++;
    }
    m &= ~(UINT64_C(1) << 52);
    if (p2 >= 0x7FF) {
        p2 = 0x7FF;
        m = 0;
    }
    *power2 = p2;
    *mantissa = m;
    return true;
}

/* strtod on the n bytes at text, which hold a number of the strict form. */
static bool ask_strtod(const char *text, size_t n, double *out)
{
    char small[128];
    char *copy = n < sizeof small ? small : malloc(n + 1);
    if (!copy)
        return false;
    memcpy(copy, text, n);
    copy[n] = '\0';
    *out = strtod(copy, NULL);
    if (copy != small)
        free(copy);
    return true;
}

const double decimal_exact_powers[23] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* Reads the exponent at p ('e' or 'E') into *x: where it ends, or p when
 * no digit follows the 'e' and its sign (then there is none). */
static inline const char *read_exponent(const char *p, const char *end,
                                        int64_t *x)
{
    const char *e = p + 1;
    bool negative = false;
    if (e < end && (*e == '+' || *e == '-'))
        negative = *e++ == '-';
    if (e == end || !is_digit(*e))
        return p;
    int64_t v = 0;
    for (; e < end && is_digit(*e); e++)
        if (v < (INT64_C(1) << 40)) /* past any double either way */
            v = 10 * v + (*e - '0');
    *x = negative ? -v : v;
    return e;
}

/* The double of the number of the strict form at text (len bytes) with
 * more than 19 digits: its 19 leading significant digits and the exponent
 * of the last of them, then Eisel-Lemire on those digits and on them plus
 * one in the last place (the rest of the digits lie between the two: when
 * both give the same double, that is the answer), else strtod. Reads the
 * text again, as this is rare. Returns len, or 0 when out of memory. */
static size_t __attribute__((noinline))
parse_many_digits(const char *text, size_t len, double *out)
{
    const char *p = text, *end = text + len;
    bool negative = *p == '-';
    p += negative;
    const char *digits = p, *frac = NULL, *mant_end;
    while (p < end && is_digit(*p))
        p++;
    const char *int_end = p;
    if (p < end && *p == '.')
        for (frac = ++p; p < end && is_digit(*p);)
            p++;
    mant_end = p;
    int64_t exponent = 0;
    if (p < end)
        read_exponent(p, end, &exponent);
    /* The significant digits: leading zeros (of "0.000123") do not count. */
    size_t count =
        (size_t)(int_end - digits) + (frac ? (size_t)(mant_end - frac) : 0);
    const char *first = digits;
    while (count > 19 && (*first == '0' || *first == '.')) {
        count -= *first == '0';
        first++;
    }
    uint64_t w = 0;
    size_t taken = 0;
    const char *s = first;
    for (; taken < 19 && taken < count; s++) {
        if (*s == '.')
            continue;
        w = 10 * w + (uint64_t)(*s - '0');
        taken++;
    }
    /* the exponent of the digit after the last taken one: the digits left
     * in the integer part, or minus the fraction digits taken */
    int64_t after =
        s <= int_end ? (int64_t)(int_end - s) : -(int64_t)(s - frac);
    exponent += after;
    if (w == 0) {
        *out = negative ? -0.0 : 0.0;
        return len;
    }
    int power2, power2_up;
    uint64_t mantissa, mantissa_up;
    if (eisel_lemire(exponent, w, &power2, &mantissa) &&
        (count <= 19 ||
         (eisel_lemire(exponent, w + 1, &power2_up, &mantissa_up) &&
          power2 == power2_up && mantissa == mantissa_up))) {
        *out = from_bits(power2, mantissa, negative);
        return len;
    }
    return ask_strtod(text, len, out) ? len : 0;
}

size_t decimal_parse_any(const char *text, const char *end, double *out,
                         bool *integral)
{
    const char *p = text;
    bool negative = p < end && *p == '-';
    p += negative;
    if (p == end || !is_digit(*p))
        return 0;
    uint64_t w = 0;
    const char *digits = p; /* the integer part */
    if (*p == '0')
        p++;
    else
        p = read_digits(p, end, &w);
    int64_t exponent = 0, fraction = 0;
    if (end - p >= 2 && *p == '.' && is_digit(p[1])) {
        const char *frac = ++p;
        p = read_digits(p, end, &w);
        fraction = p - frac;
    }
    /* all the digits, leading zeros too, less the point */
    size_t count = (size_t)(p - digits) - (fraction != 0);
    *integral = fraction == 0;
    if (p < end && (*p | 0x20) == 'e') {
        const char *e = read_exponent(p, end, &exponent);
        *integral &= e == p;
        p = e;
    }
    size_t len = (size_t)(p - text);
    if (count > 19) /* w wrapped, or may have */
        return parse_many_digits(text, len, out);
    exponent -= fraction;
    if (w == 0) {
        *out = negative ? -0.0 : 0.0;
        return len;
    }
    if (exponent >= -22 && exponent <= 22 && w <= (UINT64_C(1) << 53)) {
        /* Clinger: both exact, one correctly rounded operation */
        double d = (double)(int64_t)w;
        d = exponent < 0 ? d / decimal_exact_powers[-exponent]
                         : d * decimal_exact_powers[exponent];
        *out = negative ? -d : d;
        return len;
    }
    int power2;
    uint64_t mantissa;
    if (eisel_lemire(exponent, w, &power2, &mantissa)) {
        *out = from_bits(power2, mantissa, negative);
        return len;
    }
    return ask_strtod(text, len, out) ? len : 0;
}
