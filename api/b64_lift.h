/* api/b64_lift.h - binary arrays taken out of a body before jansson parses
 * it.
 *
 * jansson reads a string one byte at a time, at about 60 MB/s: the 2.8 MB
 * of base64 that carry a 512 x 512 layer would take 47 ms to parse, far
 * longer than anything psinet then does with them. So before a body is
 * parsed, every long string that is the value of a "b64" key and holds
 * nothing but base64 characters is decoded in one pass, kept aside, and
 * replaced in a copy of the body by a short tag. jansson parses the short
 * copy; api/parse.c's binary reader takes a tag's bytes through
 * api_b64_lifted_take. Anything else, including every string the scan is
 * unsure of (an escape in it, a character outside base64), is left for
 * jansson: the parsed document means exactly what the body meant.
 *
 * A tag is "\u0001b64:" + a random nonce (api_random_seed, 53 bits) + ":"
 * + an index, so no string a client writes can be taken for one. */
#ifndef PSINET_API_B64_LIFT_H
#define PSINET_API_B64_LIFT_H

#include <stdbool.h>
#include <stddef.h>

/* Strings shorter than this stay in the body: lifting them gains nothing. */
#define API_B64_LIFT_MIN 64

typedef struct {
    unsigned char *bytes; /* decoded, owned; NULL when not base64 */
    size_t len;
} api_b64_item;

typedef struct {
    char tag[40];         /* "\x01b64:<nonce>:" — the prefix of every tag */
    size_t tag_len;
    api_b64_item *items;  /* owned */
    size_t count;
    char *text;           /* the body with tags in place of the strings */
    size_t text_len;
} api_b64_lifted;

/* Scans body (len bytes, not NUL-terminated) and, when it holds strings to
 * lift, fills *out (free it with api_b64_lifted_free) and returns true.
 * Returns false, with *out empty, when there is nothing to lift or no
 * memory to do it in (the body is then parsed as it is). */
bool api_b64_lift(const char *body, size_t len, api_b64_lifted *out);

void api_b64_lifted_free(api_b64_lifted *l);

/* The lifted strings of the request this thread is handling: the
 * dispatcher sets them around the handler call (and back to NULL after),
 * so that the binary reader deep in a handler finds them without every
 * reader in between passing them along. */
void api_b64_lifted_use(const api_b64_lifted *l);

/* The bytes a tag stands for, handed over: when s (n bytes) is a tag of
 * the lifted strings in use, sets *bytes and *len and returns true. *bytes
 * is then the caller's to free (malloc'd, so aligned for doubles); it is
 * NULL when that string was not valid base64, or was taken before. */
bool api_b64_lifted_take(const char *s, size_t n, unsigned char **bytes,
                         size_t *len);

#endif
