/* codec/sha256.h - SHA-256 (FIPS 180-4) and HMAC-SHA-256 (RFC 2104): the
 * content hash of a stored network's weights, and the signature that
 * binds a list's cursor to its filter. */
#ifndef PSINET_CODEC_SHA256_H
#define PSINET_CODEC_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_SIZE 32

typedef struct {
    uint32_t h[8];
    uint64_t length;           /* bytes hashed so far */
    unsigned char block[64];
    size_t used;               /* bytes waiting in block */
} sha256_ctx;

void sha256_init(sha256_ctx *c);
void sha256_update(sha256_ctx *c, const void *data, size_t n);
void sha256_final(sha256_ctx *c, unsigned char out[SHA256_SIZE]);

/* The hash of data[0 .. n-1] in one call. */
void sha256(const void *data, size_t n, unsigned char out[SHA256_SIZE]);

/* HMAC-SHA-256 of data under key. */
void sha256_hmac(const void *key, size_t key_len, const void *data, size_t n,
                 unsigned char out[SHA256_SIZE]);

/* Writes the n bytes as 2n lower-case hex digits and a NUL into out. */
void sha256_hex(const unsigned char *bytes, size_t n, char *out);

#endif
