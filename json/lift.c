/* json/lift.c - long base64 strings decoded before jansson sees the body
 * (json/pjson.h). */
#include "json/pjson.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/base64.h"

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The closing quote of the string whose text starts at p, or NULL when it
 * has none; *plain says whether the string has no escapes. */
static const char *string_end(const char *p, const char *end, bool *plain)
{
    *plain = true;
    for (;;) {
        const char *q = memchr(p, '"', (size_t)(end - p));
        if (!q)
            return NULL;
        const char *bs = memchr(p, '\\', (size_t)(q - p));
        if (!bs)
            return q;
        *plain = false;
        if (end - bs < 2)
            return NULL;
        p = bs + 2; /* past the escaped character, which may be a quote */
    }
}

/* A string to lift: its text in the body. */
typedef struct {
    const char *start;
    size_t len;
} span;

/* Finds the strings to lift into a malloc'd array (*spans, *count).
 * Returns false when out of memory. */
static bool find_spans(const char *body, size_t len, span **spans,
                       size_t *count)
{
    const char *p = body, *end = body + len;
    bool after_b64_key = false; /* the last token was the key "b64" and ':' */
    size_t cap = 0;
    *spans = NULL;
    *count = 0;
    while (p < end) {
        if (*p != '"') {
            if (!is_space(*p))
                after_b64_key = false;
            p++;
            continue;
        }
        bool plain;
        const char *s = p + 1, *q = string_end(s, end, &plain);
        if (!q)
            break; /* not closed: jansson will say where */
        size_t n = (size_t)(q - s);
        const char *k = q + 1;
        while (k < end && is_space(*k))
            k++;
        if (k < end && *k == ':') { /* a key */
            after_b64_key = plain && n == 3 && memcmp(s, "b64", 3) == 0;
            p = k + 1;
            continue;
        }
        if (after_b64_key && plain && n >= PJSON_LIFT_MIN) {
            if (*count == cap) {
                size_t ncap = cap ? 2 * cap : 8;
                span *grown = realloc(*spans, ncap * sizeof *grown);
                if (!grown)
                    return false;
                *spans = grown;
                cap = ncap;
            }
            (*spans)[(*count)++] = (span){s, n};
        }
        after_b64_key = false;
        p = q + 1;
    }
    return true;
}

/* Whether body has the key "b64" anywhere (a quick no for most bodies). */
static bool mentions_b64(const char *body, size_t len)
{
    const char *p = body, *end = body + len;
    while (end - p >= 5 && (p = memchr(p, '"', (size_t)(end - p - 4)))) {
        if (memcmp(p, "\"b64\"", 5) == 0)
            return true;
        p++;
    }
    return false;
}

/* Decodes the string at sp into the next item of out. Decoding checks
 * every character; only when it fails is the string looked at again, to
 * tell a string that is not base64 at all (left for jansson, which may
 * refuse it: 0) from one that is base64 characters in a wrong form
 * (lifted, with no bytes: the reader says so). 1 when lifted, -1 when out
 * of memory. */
static int decode_item(pjson_lifted *out, const span *sp)
{
    pjson_lifted_item *it = &out->items[out->count];
    it->bytes = malloc(base64_decoded_size(sp->len) + 1);
    if (!it->bytes)
        return -1;
    if (base64_decode(sp->start, sp->len, it->bytes, &it->len))
        return 1;
    free(it->bytes);
    it->bytes = NULL;
    it->len = 0;
    return base64_chars(sp->start, sp->len) ? 1 : 0;
}

bool pjson_lift(const char *body, size_t len, uint64_t nonce,
                pjson_lifted *out)
{
    span *spans = NULL;
    size_t count;
    bool lifted = false;
    memset(out, 0, sizeof *out);
    if (len < PJSON_LIFT_MIN || !mentions_b64(body, len) ||
        !find_spans(body, len, &spans, &count) || count == 0)
        goto done;
    /* The tag as JSON text writes \u0001; parsed, it is byte 1. */
    char json_tag[48];
    out->tag_len = (size_t)snprintf(out->tag, sizeof out->tag,
                                    "\001b64:%016llx:",
                                    (unsigned long long)nonce);
    int jt = snprintf(json_tag, sizeof json_tag, "\\u0001b64:%016llx:",
                      (unsigned long long)nonce);
    size_t text_cap = len + count * ((size_t)jt + 24);
    out->items = calloc(count, sizeof *out->items);
    out->text = malloc(text_cap);
    if (!out->items || !out->text)
        goto done;
    const char *from = body;
    size_t o = 0;
    for (size_t i = 0; i < count; i++) {
        int r = decode_item(out, &spans[i]);
        if (r < 0)
            goto done;
        if (r == 0)
            continue;
        size_t keep = (size_t)(spans[i].start - from);
        memcpy(out->text + o, from, keep);
        o += keep;
        o += (size_t)snprintf(out->text + o, text_cap - o, "%s%zu", json_tag,
                              out->count);
        from = spans[i].start + spans[i].len;
        out->count++;
    }
    if (out->count == 0)
        goto done;
    size_t rest = (size_t)(body + len - from);
    memcpy(out->text + o, from, rest);
    out->text_len = o + rest;
    lifted = true;
done:
    free(spans);
    if (!lifted)
        pjson_lifted_free(out);
    return lifted;
}

void pjson_lifted_free(pjson_lifted *l)
{
    for (size_t i = 0; l->items && i < l->count; i++)
        free(l->items[i].bytes);
    free(l->items);
    free(l->text);
    memset(l, 0, sizeof *l);
}

/* The item a tag of l stands for, or NULL. */
static pjson_lifted_item *find_item(pjson_lifted *l, const char *s, size_t n)
{
    if (!l || !l->count || n <= l->tag_len ||
        memcmp(s, l->tag, l->tag_len) != 0)
        return NULL;
    size_t i = 0;
    for (size_t k = l->tag_len; k < n; k++) {
        if (s[k] < '0' || s[k] > '9' || i > l->count)
            return NULL;
        i = i * 10 + (size_t)(s[k] - '0');
    }
    return i < l->count ? &l->items[i] : NULL;
}

bool pjson_lifted_take(pjson_lifted *l, const char *s, size_t n,
                       unsigned char **bytes, size_t *len)
{
    pjson_lifted_item *it = find_item(l, s, n);
    if (!it)
        return false;
    *bytes = it->bytes;
    *len = it->len;
    it->bytes = NULL;
    it->len = 0;
    return true;
}
