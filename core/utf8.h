/* core/utf8.h - well-formed UTF-8 (RFC 3629), one character at a time.
 *
 * JSON strings, log lines and the text psinet stores must all be UTF-8:
 * api/ replaces what is not in a message it quotes, server/ in a log line,
 * and store/ refuses a stored value that is not. Each asks here what a
 * character is. */
#ifndef PSINET_CORE_UTF8_H
#define PSINET_CORE_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* The length (1 to 4) of the well-formed UTF-8 character that starts s, of
 * which n >= 1 bytes may be read; 0 when none does: a continuation byte, a
 * byte that never occurs in UTF-8 (C0, C1, F5 to FF), an overlong form, a
 * surrogate (U+D800 to U+DFFF), a code point past U+10FFFF, or a character
 * cut short by the end of the n bytes. A NUL byte is a character (U+0000). */
size_t utf8_char_len(const unsigned char *s, size_t n);

/* Whether text[0..n-1] is well-formed UTF-8 throughout. */
bool utf8_valid(const char *text, size_t n);

#endif
