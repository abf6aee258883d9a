/* core/utf8.c - well-formed UTF-8 (core/utf8.h). */
#include "core/utf8.h"

#include <stdint.h>
#include <string.h>

size_t utf8_char_len(const unsigned char *s, size_t n)
{
    size_t len = s[0] < 0x80                    ? 1
                 : s[0] >= 0xc2 && s[0] <= 0xdf ? 2
                 : s[0] >= 0xe0 && s[0] <= 0xef ? 3
                 : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4
                                                : 0;
    if (len == 0 || len > n)
        return 0;
    for (size_t k = 1; k < len; k++)
        if ((s[k] & 0xc0) != 0x80)
            return 0;
    /* The lead byte alone allows these; the second byte rules them out. */
    if ((s[0] == 0xe0 && s[1] < 0xa0) ||  /* overlong, below U+0800 */
        (s[0] == 0xed && s[1] >= 0xa0) || /* a surrogate */
        (s[0] == 0xf0 && s[1] < 0x90) ||  /* overlong, below U+10000 */
        (s[0] == 0xf4 && s[1] >= 0x90))   /* past U+10FFFF */
        return 0;
    return len;
}

bool utf8_valid(const char *text, size_t n)
{
    const unsigned char *s = (const unsigned char *)text;
    for (size_t i = 0, len; i < n; i += len) {
        /* ASCII, the most of any text, eight bytes at a time */
        uint64_t eight;
        while (n - i >= 8 && (memcpy(&eight, s + i, 8),
                              (eight & UINT64_C(0x8080808080808080)) == 0))
            i += 8;
        if (i == n)
            break;
        if ((len = utf8_char_len(s + i, n - i)) == 0)
            return false;
    }
    return true;
}
