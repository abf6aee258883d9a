/* api/b64.h - numeric arrays as base64 of little-endian IEEE-754 doubles.
 *
 * Front-ends hold Float64Arrays; sending their bytes skips decimal
 * formatting and parsing entirely. In JSON an array is then
 * {"b64": "<standard base64, RFC 4648>", "shape": [n] or [rows, cols]};
 * complex amplitudes are interleaved (re, im) pairs, shape [n]. */
#ifndef PSINET_API_B64_H
#define PSINET_API_B64_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* Whether every byte of text is a base64 character or '=' (its form,
 * padding and length aside). */
bool api_b64_chars(const char *text, size_t len);

/* Whether the length of text (padding optional) is that of exactly
 * `count` doubles; says nothing yet of its characters. */
bool api_b64_holds(const char *text, size_t len, size_t count);

/* How many bytes `len` characters of unpadded base64 hold. */
size_t api_b64_decoded_size(size_t len);

/* Decodes standard base64 (padding optional, no white space, canonical:
 * the bits after the last byte are zero) into out, which has room for
 * api_b64_decoded_size(len) bytes; *n receives the count. False when text
 * is not such base64. */
bool api_b64_decode(const char *text, size_t len, unsigned char *out,
                    size_t *n);

/* In place: bytes (8 * count of them, little-endian doubles, in memory
 * aligned for doubles, as malloc's is) becomes the array of doubles it
 * holds; returns it as such. */
double *api_b64_as_doubles(unsigned char *bytes, size_t count);

/* Decodes standard base64 (padding optional, no white space) of exactly
 * `count` little-endian doubles into out. Returns false when the text is
 * not base64 or holds another number of bytes. */
bool api_b64_decode_doubles(const char *text, size_t len, double *out,
                            size_t count);

/* {"b64": ..., "shape": [n]} or, when cols > 0, shape [rows, cols], for
 * `rows * max(cols, 1)` doubles at x (complex: pass 2n doubles and shape
 * [n] via rows = n, pairs = true). A new reference, NULL when out of
 * memory. */
json_t *api_b64_array(const double *x, size_t rows, size_t cols, bool pairs);

#endif
