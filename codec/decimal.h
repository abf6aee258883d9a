/* codec/decimal.h - decimal number text to the nearest double, as strtod
 * reads it, at memory speed.
 *
 * glibc's strtod is exact but slow for the arrays psinet is sent (it looks
 * up the locale's decimal point on every call, and goes through arbitrary
 * precision more often than it needs to). decimal_parse reads the same
 * text to the same double with the Eisel-Lemire algorithm (Daniel Lemire,
 * "Number Parsing at a Gigabyte per Second", 2021; Noble Mushtak and
 * Daniel Lemire, "Fast Number Parsing Without Fallback", 2023): the 19
 * leading significant digits times a 128-bit power of five from a table
 * (codec/decimal_powers.h), Clinger's exact fast path before it for short
 * numbers with small exponents. In the few cases it cannot decide from
 * those bits (more than 19 digits whose truncation straddles a rounding
 * boundary; a product too near a boundary) it asks strtod itself, so the
 * result is strtod's for every input: tests/codec/test_decimal.c and
 * tests/slow/test_decimal_sweep.c compare the two bit for bit.
 *
 * decimal_parse is inline: the numbers clients send most (a sign, a few
 * digits, a point and a few more, no exponent) are read in one pass, in
 * the caller's loop, without a call; every other number goes on to
 * decimal_parse_any, which reads any number of the form. */
#ifndef PSINET_CODEC_DECIMAL_H
#define PSINET_CODEC_DECIMAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Reads the number that text (up to end) starts with, written in the
 * strict form -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? (no leading
 * '+', no leading zeros, no bare '.', no hexadecimal, inf or nan), into
 * *out: the double strtod returns for that text, rounding to nearest, ties
 * to even; +-inf beyond the range of a double, +-0 below it, signed as
 * written. *integral says whether it had no fraction and no exponent.
 *
 * Returns the number of bytes read: the longest prefix of that form; 0
 * when text does not start with a number of that form, or when strtod had
 * to be asked and there was no memory for a copy of a very long number.
 * What follows the number is the caller's to check. */
static inline size_t decimal_parse(const char *text, const char *end,
                                   double *out, bool *integral);

/* decimal_parse, the whole of it out of line: the same result for every
 * text (decimal_parse gives it the numbers it does not read itself). */
size_t decimal_parse_any(const char *text, const char *end, double *out,
                         bool *integral);

/* ---- below: decimal_parse's common case, and what it shares with
 * codec/decimal.c; not for other callers. */

/* 10^0 .. 10^22, exact doubles; and 10^0 .. 10^8 as integers. */
extern const double decimal_exact_powers[23];
extern const uint32_t decimal_powers_of_ten[9];

/* Eight bytes of text less '0' each (the first in the lowest byte): a
 * flag (bit 7) on each byte that is not a digit, below '0' (it wraps) or
 * above '9' (adding 0x76 carries it into bit 7). A carry or borrow runs
 * only upwards from a flagged byte, so the lowest flag is exact: the bytes
 * below it are the digits the text starts with. */
static inline uint64_t decimal_not_digits(uint64_t d)
{
    return (d | (d + UINT64_C(0x7676767676767676))) &
           UINT64_C(0x8080808080808080);
}

/* The value of the n (1 .. 8) digits at the bottom of d (bytes less '0',
 * the first lowest): shifted to the top of the word, where the zeros
 * shifted in are leading zero digits, then fast_float's SWAR for eight
 * digits: pairs, then fours, then the eight. */
static inline uint32_t decimal_digits_value(uint64_t d, unsigned n)
{
    d <<= 64 - 8 * n;
    d = d * 10 + (d >> 8);
    const uint64_t mask = UINT64_C(0x000000FF000000FF);
    d = ((d & mask) * UINT64_C(0x000F424000000064) +
         ((d >> 16) & mask) * UINT64_C(0x0000271000000001)) >>
        32;
    return (uint32_t)d;
}

/* The common shapes, at least 17 bytes before end (room for the 8-byte
 * words below): -?D(.F)? with no exponent, and either one digit in D and
 * 1 to 6 in F (most numbers sent: D and F then make one word, D in place
 * of the point), or 1 to 7 digits in D (no leading zero) and 1 to 7 in F,
 * a word each. Then w, the digits of D and F together, is below 10^14,
 * exact, and so is (double)w / 10^|F|, one correctly rounded division
 * (Clinger): the arithmetic decimal_parse_any does on these numbers, so
 * the same bits. w == 0 gives +0.0, negated to -0.0 when written so.
 * Anything else is decimal_parse_any's, which reads the text from the
 * start. */
static inline size_t decimal_parse(const char *text, const char *end,
                                   double *out, bool *integral)
{
    const uint64_t zeros = UINT64_C(0x3030303030303030); /* '0' in each byte */
    if (end - text < 17)
        goto any;
    const char *p = text + (*text == '-');
    uint64_t w, d, flags;
    unsigned f = 0; /* digits in F */
    if ((unsigned char)(*p - '0') < 10 && p[1] == '.') {
        /* ".F": the point's byte becomes D; the digits in a row are then
         * 1 + |F|, or 1 alone for a bare point, which the number stops
         * before */
        memcpy(&d, p + 1, sizeof d);
        d = ((d & ~UINT64_C(0xFF)) | (unsigned char)*p) - zeros;
        flags = decimal_not_digits(d);
        if (!flags)
            goto any; /* 7 fraction digits or more */
        unsigned n = (unsigned)__builtin_ctzll(flags) >> 3;
        f = n - 1;
        p += f ? 1 + n : 1;
        if ((*p | 0x20) == 'e')
            goto any; /* known before the arithmetic */
        w = decimal_digits_value(d, n);
    } else {
        memcpy(&d, p, sizeof d);
        d -= zeros;
        flags = decimal_not_digits(d);
        if (!flags)
            goto any; /* 8 integer digits or more */
        unsigned n = (unsigned)__builtin_ctzll(flags) >> 3;
        if (n == 0 || (n > 1 && *p == '0'))
            goto any; /* no digit, or a leading zero: read as allowed */
        w = decimal_digits_value(d, n);
        p += n;
        if (*p == '.') {
            memcpy(&d, p + 1, sizeof d);
            d -= zeros;
            flags = decimal_not_digits(d);
            if (!flags)
                goto any; /* 8 fraction digits or more */
            f = (unsigned)__builtin_ctzll(flags) >> 3;
            if (f) { /* else a bare point, which the number stops before */
                w = w * decimal_powers_of_ten[f] + decimal_digits_value(d, f);
                p += 1 + f;
            }
        }
        if ((*p | 0x20) == 'e')
            goto any;
    }
    double x = (double)(int64_t)w / decimal_exact_powers[f];
    *out = *text == '-' ? -x : x;
    *integral = f == 0;
    return (size_t)(p - text);
any:;
    /* through locals: the caller's out and integral stay in registers */
    double any_out = 0;
    bool any_integral = false;
    size_t used = decimal_parse_any(text, end, &any_out, &any_integral);
    *out = any_out;
    *integral = any_integral;
    return used;
}

#endif
