/* tests/core/test_entropy.c - random bytes from the system
 * (core/entropy.c): every byte is written, and no two draws agree. */
#include <stdint.h>
#include <string.h>

#include "core/entropy.h"
#include "tests/testlib.h"

TEST(draws_fill_every_byte_and_differ)
{
    /* 1,000 draws of 33 bytes into buffers set to 0xee first: that a byte
     * keeps 0xee in every draw has probability 256^-1000. */
    unsigned char seen[33];
    memset(seen, 0, sizeof seen);
    for (int i = 0; i < 1000; i++) {
        unsigned char b[33];
        memset(b, 0xee, sizeof b);
        entropy_fill(b, sizeof b);
        for (size_t k = 0; k < sizeof b; k++)
            seen[k] |= b[k] != 0xee;
    }
    for (size_t k = 0; k < sizeof seen; k++)
        CHECK(seen[k]);
    uint64_t a = entropy_u64(), b = entropy_u64(); /* equal: 2^-64 */
    CHECK(a != b);
}

TEST(words_drawn_ahead_differ_across_refills)
{
    /* 200 words: more than six refills of the thread's 32 words ahead. Two
     * equal among them: about 200^2 / 2^65. */
    uint64_t w[200];
    for (size_t i = 0; i < 200; i++)
        w[i] = entropy_u64();
    for (size_t i = 0; i < 200; i++)
        for (size_t k = 0; k < i; k++)
            CHECK(w[i] != w[k]);
}
