/* codec/f64le.h - IEEE-754 doubles as little-endian bytes, whatever the
 * host's byte order: the form of every numeric array psinet stores and
 * every base64 array it reads or writes. */
#ifndef PSINET_CODEC_F64LE_H
#define PSINET_CODEC_F64LE_H

#include <stddef.h>

/* Writes x[0..n-1] as 8 * n bytes into out. */
void f64le_encode(const double *x, size_t n, unsigned char *out);

/* Reads 8 * n bytes into x[0..n-1]. in may be the very memory of x
 * (decoding in place); otherwise the two must not overlap. */
void f64le_decode(const unsigned char *in, size_t n, double *x);

#endif
