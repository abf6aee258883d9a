/* tests/codec/test_base64.c - the base64 decoder (codec/base64.c) against
 * Python's base64 module, a round trip of doubles through the encoder
 * (codec/f64le.c), and every bad byte in every position. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec/base64.h"
#include "codec/f64le.h"
#include "core/rng.h"
#include "tests/testlib.h"

TEST(decoding_matches_python)
{
    /* base64.b64encode(bytes(range(0, 245, 7))): 35 bytes, one '=' */
    const char *text = "AAcOFRwjKjE4P0ZNVFtiaXB3foWMk5qhqK+2vcTL0tng5+4=";
    unsigned char out[64];
    size_t n = 0;
    CHECK(base64_decode(text, strlen(text), out, &n));
    CHECK_EQ_INT(n, 35);
    for (size_t i = 0; i < n; i++)
        CHECK_EQ_INT(out[i], 7 * i);
    /* padding is optional */
    CHECK(base64_decode(text, strlen(text) - 1, out, &n));
    CHECK_EQ_INT(n, 35);
    CHECK_EQ_INT(out[34], 238);
}

TEST(every_length_round_trips_through_the_encoder)
{
    rng_state gen;
    rng_seed(&gen, 40);
    for (size_t count = 1; count <= 40; count++) {
        double x[40];
        for (size_t i = 0; i < count; i++) {
            uint64_t bits = rng_next(&gen) & 0x7fefffffffffffffu; /* finite */
            memcpy(&x[i], &bits, sizeof bits);
        }
        unsigned char bytes[320];
        char text[432];
        f64le_encode(x, count, bytes);
        size_t len = base64_encode(bytes, count * 8, text);
        CHECK(len == base64_encoded_size(count * 8) && len == strlen(text));
        double y[40];
        size_t n = 0;
        CHECK(base64_holds(text, len, count * 8));
        CHECK(base64_decode(text, len, (unsigned char *)y, &n) &&
              n == count * 8);
        f64le_decode((unsigned char *)y, count, y);
        CHECK(memcmp(x, y, count * sizeof *x) == 0);
        /* one double more or fewer does not fit */
        CHECK(!base64_holds(text, len, (count - 1) * 8));
        CHECK(!base64_holds(text, len, (count + 1) * 8));
    }
}

TEST(every_bad_byte_in_every_position_is_refused)
{
    const char *good = "AAAAAAAA8D8AAAAAAAAAQA=="; /* 1.0, 2.0 */
    size_t len = strlen(good);
    unsigned char out[32];
    size_t n;
    CHECK(base64_decode(good, len, out, &n) && n == 16);
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn"
                                   "opqrstuvwxyz0123456789+/";
    int refused = 0, tried = 0;
    for (size_t pos = 0; pos < 22; pos++) { /* not the padding */
        for (int c = 1; c < 256; c++) {
            if (memchr(alphabet, c, sizeof alphabet - 1))
                continue;
            char text[32];
            memcpy(text, good, len + 1);
            text[pos] = (char)c;
            tried++;
            refused += !base64_decode(text, len, out, &n);
        }
    }
    CHECK_EQ_INT(refused, tried);
    /* bits past the last byte must be zero; one character left is never
     * whole bytes */
    CHECK(!base64_decode("AB==", 4, out, &n));
    CHECK(!base64_decode("AAAAA", 5, out, &n));
}
