/* tests/core/test_utf8.c - core/utf8.c against the definition in RFC 3629,
 * computed another way: decode the code point from the bit patterns, then
 * ask whether it is in range for its length. Every sequence of up to three
 * bytes is compared, and the four-byte ones around every boundary. */
#include <stdint.h>
#include <string.h>

#include "core/utf8.h"
#include "tests/testlib.h"

/* The length of the character at s (n bytes there) by the definition: a
 * lead byte 0xxxxxxx, 110xxxxx, 1110xxxx or 11110xxx, then 10xxxxxx bytes;
 * the code point must need that many bytes, be at most U+10FFFF and not be
 * a surrogate. */
static size_t reference_len(const unsigned char *s, size_t n)
{
    size_t len;
    uint32_t cp;
    if (s[0] >> 7 == 0)
        return 1;
    if (s[0] >> 5 == 6)
        len = 2, cp = s[0] & 0x1f;
    else if (s[0] >> 4 == 14)
        len = 3, cp = s[0] & 0x0f;
    else if (s[0] >> 3 == 30)
        len = 4, cp = s[0] & 0x07;
    else
        return 0;
    if (n < len)
        return 0;
    for (size_t k = 1; k < len; k++) {
        if (s[k] >> 6 != 2)
            return 0;
        cp = cp << 6 | (s[k] & 0x3f);
    }
    static const uint32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < least[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

TEST(known_characters_and_known_faults)
{
    static const struct {
        const char *bytes;
        size_t n, len;
    } cases[] = {
        {"A", 1, 1},
        {"\0", 1, 1},                 /* U+0000 */
        {"\xc3\xa9", 2, 2},           /* é */
        {"\xe2\x82\xac", 3, 3},       /* € */
        {"\xf0\x9d\x84\x9e", 4, 4},   /* U+1D11E, the G clef */
        {"\xf4\x8f\xbf\xbf", 4, 4},   /* U+10FFFF, the last */
        {"\xed\x9f\xbf", 3, 3},       /* U+D7FF, before the surrogates */
        {"\xee\x80\x80", 3, 3},       /* U+E000, after them */
        {"\x80", 1, 0},               /* a continuation byte alone */
        {"\xc0\x80", 2, 0},           /* overlong NUL */
        {"\xc1\xbf", 2, 0},           /* overlong U+007F */
        {"\xe0\x9f\xbf", 3, 0},       /* overlong U+07FF */
        {"\xed\xa0\x80", 3, 0},       /* U+D800, a surrogate */
        {"\xf0\x8f\xbf\xbf", 4, 0},   /* overlong U+FFFF */
        {"\xf4\x90\x80\x80", 4, 0},   /* U+110000 */
        {"\xf5\x80\x80\x80", 4, 0},   /* never a lead byte */
        {"\xe2\x82\xac", 2, 0},       /* cut short by n */
        {"\xe2\x41\xac", 3, 0},       /* not a continuation */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t got = utf8_char_len((const unsigned char *)cases[i].bytes,
                                   cases[i].n);
        test_check(got == cases[i].len, __FILE__, __LINE__,
                   "case %zu: length %zu, expected %zu", i, got,
                   cases[i].len);
    }
}

TEST(every_sequence_of_up_to_three_bytes_matches_the_definition)
{
    size_t wrong = 0, valid = 0;
    for (uint32_t v = 0; v < 1u << 24; v++) {
        unsigned char s[3] = {(unsigned char)(v >> 16),
                              (unsigned char)(v >> 8), (unsigned char)v};
        for (size_t n = 1; n <= 3; n++) {
            size_t got = utf8_char_len(s, n);
            wrong += got != reference_len(s, n);
            valid += n == 3 && got == 3;
        }
    }
    CHECK_EQ_INT(wrong, 0);
    /* one for each of U+0800 to U+FFFF but the 2048 surrogates: 61,440 */
    CHECK_EQ_INT(valid, 0xffff - 0x800 + 1 - 2048);
}

TEST(four_byte_sequences_match_the_definition)
{
    static const unsigned char tails[] = {0x00, 0x7f, 0x80, 0x8f, 0x90,
                                          0x9f, 0xa0, 0xbf, 0xc0, 0xff};
    size_t wrong = 0;
    for (unsigned lead = 0xf0; lead <= 0xff; lead++)
        for (unsigned b = 0; b < 256; b++)
            for (size_t c = 0; c < sizeof tails; c++)
                for (size_t d = 0; d < sizeof tails; d++) {
                    unsigned char s[4] = {(unsigned char)lead,
                                          (unsigned char)b, tails[c],
                                          tails[d]};
                    for (size_t n = 1; n <= 4; n++)
                        wrong += utf8_char_len(s, n) != reference_len(s, n);
                }
    CHECK_EQ_INT(wrong, 0);
}

TEST(valid_text_is_valid_throughout)
{
    const char *good = "psinet: |\xce\xa8\xe2\x9f\xa9 = \xce\xb1|0\xe2\x9f"
                       "\xa9 + \xce\xb2|1\xe2\x9f\xa9 \xf0\x9f\x8e\xb2";
    CHECK(utf8_valid(good, strlen(good)));
    CHECK(utf8_valid("", 0));
    CHECK(!utf8_valid(good, strlen(good) - 1)); /* the last one cut short */
    CHECK(!utf8_valid("ok\xff", 3));
    CHECK(utf8_valid("a\0b", 3)); /* NUL is U+0000 */
}

TEST(long_ascii_runs_are_checked_to_their_last_byte)
{
    /* ASCII is skipped eight bytes at a time: a bad byte, or a character
     * cut short, at any offset in a long run is still found */
    char text[64];
    for (size_t at = 0; at < 39; at++) {
        memset(text, 'a', sizeof text);
        CHECK(utf8_valid(text, 41));
        text[at] = (char)0xff;
        CHECK(!utf8_valid(text, 41));
        text[at] = (char)0xce; /* U+03A8 whole, then cut short */
        text[at + 1] = (char)0xa8;
        CHECK(utf8_valid(text, 41));
        CHECK(!utf8_valid(text, at + 1));
    }
}
