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
 * tests/slow/test_decimal_sweep.c compare the two bit for bit. */
#ifndef PSINET_CODEC_DECIMAL_H
#define PSINET_CODEC_DECIMAL_H

#include <stdbool.h>
#include <stddef.h>

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
size_t decimal_parse(const char *text, const char *end, double *out,
                     bool *integral);

#endif
