/* codec/base64.c - standard base64, both ways. */
#include "codec/base64.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* The 6-bit value of each byte, or 0xff for bytes outside the alphabet. */
static const unsigned char sextets[256] = {
#define X 0xff
#define ROW16 X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X
    ROW16, ROW16,
    X, X, X, X, X, X, X, X, X, X, X, 62, X, X, X, 63,                   /* + / */
    52, 53, 54, 55, 56, 57, 58, 59, 60, 61, X, X, X, X, X, X,           /* 0-9 */
    X, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,                /* A-O */
    15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, X, X, X, X, X,          /* P-Z */
    X, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,      /* a-o */
    41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, X, X, X, X, X,          /* p-z */
    ROW16, ROW16, ROW16, ROW16, ROW16, ROW16, ROW16, ROW16,
#undef ROW16
#undef X
};

#define PAIR_BAD 0x8000u
static uint16_t pair_bits[1 << 16];
static pthread_once_t pairs_once = PTHREAD_ONCE_INIT;

static void make_pairs(void)
{
    for (unsigned a = 0; a < 256; a++)
        for (unsigned b = 0; b < 256; b++)
            pair_bits[a | b << 8] = (sextets[a] | sextets[b]) & 0xc0
                                    ? PAIR_BAD
                                    : (uint16_t)(sextets[a] << 6 | sextets[b]);
}

bool base64_chars(const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (sextets[(unsigned char)text[i]] & 0xc0 && text[i] != '=')
            return false;
    return true;
}

/* The length of text without its '=' padding. */
static size_t unpadded(const char *text, size_t len)
{
    while (len > 0 && text[len - 1] == '=')
        len--;
    return len;
}

bool base64_holds(const char *text, size_t len, size_t bytes)
{
    /* Unpadded length of `bytes` bytes: 4 chars per 3 bytes, rounded up. */
    return unpadded(text, len) ==
           (bytes / 3) * 4 + (bytes % 3 ? bytes % 3 + 1 : 0);
}

size_t base64_decoded_size(size_t len)
{
    return len / 4 * 3 + (len % 4 ? len % 4 - 1 : 0);
}

bool base64_decode(const char *text, size_t len, unsigned char *out,
                   size_t *n)
{
    const unsigned char *s = (const unsigned char *)text;
    len = unpadded(text, len);
    if (len % 4 == 1)
        return false;
    size_t o = 0, i = 0;
    /* Two characters at a time through a 64 Ki-entry table: the 12 bits
     * they stand for, or PAIR_BAD. */
    pthread_once(&pairs_once, make_pairs);
    for (; i + 4 <= len; i += 4) { /* four characters, three bytes */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        uint32_t w;
        memcpy(&w, s + i, 4); /* one load; the first character is low */
        unsigned x = pair_bits[w & 0xffff], y = pair_bits[w >> 16];
#else
        unsigned x = pair_bits[s[i] | s[i + 1] << 8];
        unsigned y = pair_bits[s[i + 2] | s[i + 3] << 8];
#endif
        if ((x | y) & PAIR_BAD)
            return false;
        uint32_t v = x << 12 | y;
        out[o++] = (unsigned char)(v >> 16);
        out[o++] = (unsigned char)(v >> 8);
        out[o++] = (unsigned char)v;
    }
    if (i < len) { /* 2 or 3 characters left: 1 or 2 bytes */
        unsigned a = sextets[s[i]], b = sextets[s[i + 1]];
        unsigned c = len - i == 3 ? sextets[s[i + 2]] : 0;
        if ((a | b | c) & 0xc0)
            return false;
        uint32_t v = a << 18 | b << 12 | c << 6;
        out[o++] = (unsigned char)(v >> 16);
        if (len - i == 3)
            out[o++] = (unsigned char)(v >> 8);
        /* the bits past the last byte must be zero (canonical base64) */
        if (v & (len - i == 3 ? 0xffu : 0xffffu))
            return false;
    }
    *n = o;
    return true;
}

size_t base64_encoded_size(size_t n)
{
    return (n + 2) / 3 * 4;
}

size_t base64_encode(const unsigned char *in, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)in[i + 1] << 8;
        if (i + 2 < n)
            v |= in[i + 2];
        out[o++] = alphabet[(v >> 18) & 63];
        out[o++] = alphabet[(v >> 12) & 63];
        out[o++] = i + 1 < n ? alphabet[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? alphabet[v & 63] : '=';
    }
    out[o] = '\0';
    return o;
}
