/* tests/codec/test_sha256.c - SHA-256 against FIPS 180-4's examples and
 * Python's hashlib, HMAC-SHA-256 against RFC 4231's test cases. */
#include <stdio.h>
#include <string.h>

#include "codec/sha256.h"
#include "tests/testlib.h"

static void check_hash(const void *data, size_t n, const char *want)
{
    unsigned char d[SHA256_SIZE];
    char hex[2 * SHA256_SIZE + 1];
    sha256(data, n, d);
    sha256_hex(d, SHA256_SIZE, hex);
    test_check(strcmp(hex, want) == 0, __FILE__, __LINE__,
               "sha256 of %zu bytes: %s, expected %s", n, hex, want);
}

TEST(fips_180_4_examples)
{
    check_hash("", 0,
               "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    check_hash("abc", 3,
               "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    check_hash(two, strlen(two),
               "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    static char million[1000000];
    memset(million, 'a', sizeof million);
    check_hash(million, sizeof million,
               "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(lengths_around_the_padding_match_hashlib)
{
    /* bytes (7i + 3) mod 256; hashlib.sha256(...).hexdigest() */
    static const struct {
        size_t n;
        const char *hex;
    } cases[] = {
#include "tests/ref/sha256_cases.h"
    };
    unsigned char data[1000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (unsigned char)((i * 7 + 3) % 256);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
        check_hash(data, cases[c].n, cases[c].hex);
}

TEST(pieces_hash_as_the_whole)
{
    unsigned char data[300], whole[SHA256_SIZE], pieces[SHA256_SIZE];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (unsigned char)(i * 31 + 1);
    for (size_t n = 0; n <= sizeof data; n += 7) {
        sha256(data, n, whole);
        for (size_t step = 1; step < 70; step += 13) {
            sha256_ctx c;
            sha256_init(&c);
            for (size_t at = 0; at < n; at += step)
                sha256_update(&c, data + at, n - at < step ? n - at : step);
            sha256_final(&c, pieces);
            CHECK(memcmp(whole, pieces, SHA256_SIZE) == 0);
        }
    }
}

static void check_hmac(const void *key, size_t key_len, const char *data,
                       const char *want)
{
    unsigned char d[SHA256_SIZE];
    char hex[2 * SHA256_SIZE + 1];
    sha256_hmac(key, key_len, data, strlen(data), d);
    sha256_hex(d, SHA256_SIZE, hex);
    test_check(strcmp(hex, want) == 0, __FILE__, __LINE__,
               "hmac: %s, expected %s", hex, want);
}

TEST(rfc_4231_test_cases)
{
    unsigned char k1[20], k6[131];
    memset(k1, 0x0b, sizeof k1);
    memset(k6, 0xaa, sizeof k6);
    check_hmac(k1, sizeof k1, "Hi There",
               "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    check_hmac("Jefe", 4, "what do ya want for nothing?",
               "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    check_hmac(k6, sizeof k6,
               "Test Using Larger Than Block-Size Key - Hash Key First",
               "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}
