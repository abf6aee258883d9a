/* codec/base64.h - standard base64 (RFC 4648, section 4) of bytes.
 *
 * Decoding is strict: no white space, padding optional, canonical (the bits
 * past the last byte are zero). It knows nothing of what the bytes hold. */
#ifndef PSINET_CODEC_BASE64_H
#define PSINET_CODEC_BASE64_H

#include <stdbool.h>
#include <stddef.h>

/* Whether every byte of text is a base64 character or '=' (its form,
 * padding and length aside). */
bool base64_chars(const char *text, size_t len);

/* Whether text (padding optional) is as long as the base64 of exactly
 * `bytes` bytes; says nothing yet of its characters. */
bool base64_holds(const char *text, size_t len, size_t bytes);

/* How many bytes `len` characters of unpadded base64 hold. */
size_t base64_decoded_size(size_t len);

/* Decodes text into out, which has room for base64_decoded_size(len)
 * bytes; *n receives the count. False when text is not strict base64. */
bool base64_decode(const char *text, size_t len, unsigned char *out,
                   size_t *n);

/* The length of the padded base64 of n bytes (without a NUL). */
size_t base64_encoded_size(size_t n);

/* Writes the padded base64 of in[0..n-1] into out, which has room for
 * base64_encoded_size(n) + 1 bytes, NUL-terminated; returns its length. */
size_t base64_encode(const unsigned char *in, size_t n, char *out);

#endif
