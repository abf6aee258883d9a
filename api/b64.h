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

/* Whether the length of text (padding optional) is that of exactly
 * `count` doubles; says nothing yet of its characters. */
bool api_b64_holds(const char *text, size_t len, size_t count);

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
