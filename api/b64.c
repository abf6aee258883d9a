/* api/b64.c - base64 of little-endian doubles, both ways. */
#include "api/b64.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* The 6-bit value of c, or -1. */
static int sextet(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

static void put_double(double d, unsigned char *out)
{
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    for (int b = 0; b < 8; b++)
        out[b] = (unsigned char)(bits >> (8 * b));
}

static double get_double(const unsigned char *in)
{
    uint64_t bits = 0;
    for (int b = 0; b < 8; b++)
        bits |= (uint64_t)in[b] << (8 * b);
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

/* The length of text without its '=' padding. */
static size_t unpadded(const char *text, size_t len)
{
    while (len > 0 && text[len - 1] == '=')
        len--;
    return len;
}

bool api_b64_holds(const char *text, size_t len, size_t count)
{
    if (count > SIZE_MAX / 16)
        return false;
    size_t bytes = count * 8;
    /* Unpadded length of `bytes` bytes: 4 chars per 3 bytes, rounded up. */
    return unpadded(text, len) ==
           (bytes / 3) * 4 + (bytes % 3 ? bytes % 3 + 1 : 0);
}

bool api_b64_decode_doubles(const char *text, size_t len, double *out,
                            size_t count)
{
    if (!api_b64_holds(text, len, count))
        return false;
    len = unpadded(text, len);
    unsigned char block[8];
    size_t filled = 0, d = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < len; i++) {
        int v = sextet((unsigned char)text[i]);
        if (v < 0)
            return false;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            block[filled++] = (unsigned char)(acc >> bits);
            acc &= (1u << bits) - 1;
            if (filled == 8) {
                out[d++] = get_double(block);
                filled = 0;
            }
        }
    }
    return d == count && filled == 0 && acc == 0;
}

json_t *api_b64_array(const double *x, size_t rows, size_t cols, bool pairs)
{
    size_t count = rows * (cols ? cols : 1) * (pairs ? 2 : 1);
    size_t bytes = count * 8;
    unsigned char *raw = malloc(bytes ? bytes : 1);
    char *text = malloc((bytes + 2) / 3 * 4 + 1);
    if (!raw || !text) {
        free(raw);
        free(text);
        return NULL;
    }
    for (size_t i = 0; i < count; i++)
        put_double(x[i], raw + 8 * i);
    size_t o = 0;
    for (size_t i = 0; i < bytes; i += 3) {
        uint32_t v = (uint32_t)raw[i] << 16;
        if (i + 1 < bytes)
            v |= (uint32_t)raw[i + 1] << 8;
        if (i + 2 < bytes)
            v |= raw[i + 2];
        text[o++] = alphabet[(v >> 18) & 63];
        text[o++] = alphabet[(v >> 12) & 63];
        text[o++] = i + 1 < bytes ? alphabet[(v >> 6) & 63] : '=';
        text[o++] = i + 2 < bytes ? alphabet[v & 63] : '=';
    }
    text[o] = '\0';
    free(raw);
    json_t *shape = cols ? json_pack("[I, I]", (json_int_t)rows, (json_int_t)cols)
                         : json_pack("[I]", (json_int_t)rows);
    json_t *out = json_pack("{s:s%, s:o}", "b64", text, o, "shape", shape);
    free(text);
    return out;
}
