/* codec/dtoa_shortest.h - the shortest decimal text that reads back as a
 * given double.
 *
 * Schubfach (Raffaello Giulietti, "The Schubfach way to render doubles",
 * 2020): the digits straight from a table of 128-bit powers of ten, exact
 * for every double with no fallback: codec/dtoa_shortest.c. The Grisu2
 * writer it replaced writes the same text (tests/ref/dtoa_grisu2.c, which
 * tests/codec/test_dtoa_shortest.c compares it with). */
#ifndef PSINET_CODEC_DTOA_SHORTEST_H
#define PSINET_CODEC_DTOA_SHORTEST_H

#include <stddef.h>

/* Room for dtoa_shortest's text: at most 24 bytes and the NUL
 * ("-2.2250738585072014e-308", "-0.00012345678901234567"). */
#define DTOA_SHORTEST_SIZE 32

/* Writes d into buf, NUL-terminated, and returns the length without the NUL.
 *
 * For finite d the text is the shortest decimal (fewest significant digits)
 * that strtod reads back as exactly d and, when several are that short, the
 * one nearest d (ties to even, as printf rounds). It is laid out the way
 * printf's "%.*g" lays out a precision P of max(15, digits): exponent form
 * ("1e+300", "5e-324", "1.5e-05", two exponent digits at least) when the
 * decimal exponent X is below -4 or at least P, plain otherwise ("0.0001",
 * "123.25"); integral values get ".0" ("5.0", "-0.0", "100000000000000.0")
 * so that they read as reals. This is the text of the snprintf/strtod
 * formatter psinet had first, except where that one wrote more digits (some
 * subnormals and powers of two: tests/codec/test_dtoa_shortest.c). buf may be
 * written past the NUL, never past DTOA_SHORTEST_SIZE bytes.
 *
 * NaN and infinities are not JSON: psinet refuses them at the border and
 * never asks. Should one arrive, dtoa_shortest writes "nan", "-nan", "inf" or
 * "-inf" as glibc's printf does. */
size_t dtoa_shortest(double d, char buf[DTOA_SHORTEST_SIZE]);

#endif
