/* json/lift.c - long base64 strings decoded, and numeric arrays read,
 * before jansson sees the body (json/pjson.h). */
#include "json/pjson.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/base64.h"
#include "codec/decimal.h"

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

/* A value to lift: its text in the body (a string's without its quotes,
 * an array's with its brackets), and for an array its numbers. */
typedef struct {
    const char *start;
    size_t len;
    bool numbers;
    pjson_numbers array; /* owned until moved into the result */
} span;

typedef struct {
    span *spans;
    size_t count, cap;
} span_list;

static bool add_span(span_list *list, span sp)
{
    if (list->count == list->cap) {
        size_t ncap = list->cap ? 2 * list->cap : 8;
        span *grown = realloc(list->spans, ncap * sizeof *grown);
        if (!grown)
            return false;
        list->spans = grown;
        list->cap = ncap;
    }
    list->spans[list->count++] = sp;
    return true;
}

static void free_spans(span_list *list)
{
    for (size_t i = 0; i < list->count; i++)
        free(list->spans[i].array.x);
    free(list->spans);
}

static const char *skip_space(const char *p, const char *end)
{
    while (p < end && is_space(*p))
        p++;
    return p;
}

/* Growable room for the numbers of one array. */
typedef struct {
    double *x;
    size_t n, cap;
} number_buf;

/* Doubles b's room (to at least 64 numbers); false when out of memory. */
static bool grow_numbers(number_buf *b)
{
    size_t ncap = b->cap ? 2 * b->cap : 64;
    double *grown = realloc(b->x, ncap * sizeof *grown);
    if (!grown)
        return false;
    b->x = grown;
    b->cap = ncap;
    return true;
}

/* Reads the flat array of numbers at p ('[') into b: the end of the array
 * (past ']'), or NULL when it is anything else (or empty); *oom when
 * memory ran out. Each number is the double jansson would hold: strtod's
 * for a real; for an integer the double nearest it, so -0 is +0.
 *
 * This loop is most of the work of a numeric body, so it does little per
 * number: b's room and count are kept in locals (b grows where they meet),
 * and white space is looked for only where a number or a ',' is not found
 * (JSON bodies mostly have none between numbers). */
static const char *read_flat(const char *p, const char *end, number_buf *b,
                             bool *oom)
{
    double *x = b->x;
    size_t n = b->n, cap = b->cap;
    const char *stop = NULL;
    p++;
    for (;;) {
        double d;
        bool integral;
        size_t used = decimal_parse(p, end, &d, &integral);
        if (!used) {
            const char *q = skip_space(p, end);
            if (q == p)
                break; /* not a number: jansson's */
            p = q;
            continue;
        }
        if (isinf(d))
            break; /* beyond a double: jansson's */
        if (integral)
            d += 0.0; /* -0 becomes +0; no other double changes */
        if (n == cap) {
            b->n = n;
            if (!grow_numbers(b)) {
                *oom = true;
                return NULL;
            }
            x = b->x;
            cap = b->cap;
        }
        x[n++] = d;
        p += used;
        if (p < end && *p != ',')
            p = skip_space(p, end); /* then ',' or ']' */
        if (p == end || *p != ',') {
            if (p < end && *p == ']')
                stop = p + 1;
            break;
        }
        p++;
    }
    b->n = n;
    return stop;
}

/* Reads the array at p ('['): flat, or of equally long flat arrays, with
 * at least PJSON_LIFT_NUMBERS_MIN numbers. Returns its end and fills *a
 * (and *levels: 1 or 2), or NULL (leaving nothing to free); *oom when
 * memory ran out. */
static const char *read_numbers(const char *p, const char *end,
                                pjson_numbers *a, int *levels, bool *oom)
{
    number_buf b = {0};
    const char *q = skip_space(p + 1, end), *stop = NULL;
    size_t rows = 0, cols = 0;
    if (q < end && *q != '[') {
        stop = read_flat(p, end, &b, oom);
        rows = b.n;
        *levels = 1;
    } else {
        while (q < end && *q == '[') {
            size_t before = b.n;
            q = read_flat(q, end, &b, oom);
            if (!q || (rows > 0 && b.n - before != cols))
                break; /* not numbers, or rows of different lengths */
            cols = b.n - before;
            rows++;
            q = skip_space(q, end);
            if (q < end && *q == ']') {
                stop = q + 1;
                break;
            }
            if (q == end || *q != ',')
                break;
            q = skip_space(q + 1, end);
        }
        *levels = 2;
    }
    if (!stop || b.n < PJSON_LIFT_NUMBERS_MIN) {
        free(b.x);
        return NULL;
    }
    *a = (pjson_numbers){b.x, rows, cols};
    return stop;
}

/* Whether the key s (n bytes, no escapes) is one of keys. */
static bool is_number_key(const char *const *keys, const char *s, size_t n)
{
    for (; keys && *keys; keys++)
        if (strlen(*keys) == n && memcmp(*keys, s, n) == 0)
            return true;
    return false;
}

/* Finds the values to lift, in order, and the body's deepest nesting.
 * Returns false when out of memory. */
static bool find_spans(const char *body, size_t len,
                       const pjson_lift_what *what, span_list *list,
                       size_t *deepest)
{
    const char *p = body, *end = body + len;
    bool after_b64_key = false;    /* the last token was the key "b64" and ':' */
    bool after_number_key = false; /* ... one of what->number_keys and ':' */
    size_t depth = 0;
    *deepest = 0;
    while (p < end) {
        char c = *p;
        if (c == '[' && after_number_key) {
            pjson_numbers a;
            int levels;
            bool oom = false;
            const char *stop = read_numbers(p, end, &a, &levels, &oom);
            if (oom)
                return false;
            if (stop) {
                if (depth + (size_t)levels > *deepest)
                    *deepest = depth + (size_t)levels;
                if (!add_span(list, (span){p, (size_t)(stop - p), true, a})) {
                    free(a.x);
                    return false;
                }
                after_number_key = after_b64_key = false;
                p = stop;
                continue;
            }
        }
        if (c != '"') {
            if (c == '[' || c == '{') {
                if (++depth > *deepest)
                    *deepest = depth;
            } else if ((c == ']' || c == '}') && depth > 0) {
                depth--;
            }
            if (!is_space(c))
                after_b64_key = after_number_key = false;
            p++;
            continue;
        }
        bool plain;
        const char *s = p + 1, *q = string_end(s, end, &plain);
        if (!q)
            break; /* not closed: jansson will say where */
        size_t n = (size_t)(q - s);
        const char *k = skip_space(q + 1, end);
        if (k < end && *k == ':') { /* a key */
            after_b64_key =
                what->b64 && plain && n == 3 && memcmp(s, "b64", 3) == 0;
            after_number_key = plain && is_number_key(what->number_keys, s, n);
            p = k + 1;
            continue;
        }
        if (after_b64_key && plain && n >= PJSON_LIFT_MIN &&
            !add_span(list, (span){s, n, false, {0}}))
            return false;
        after_b64_key = after_number_key = false;
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
    pjson_lift_what b64 = {true, NULL};
    return pjson_lift_with(body, len, nonce, &b64, out);
}

/* Writes kind, then nonce in 16 lowercase hex digits, then ':' at out,
 * and a NUL; returns the length without it. A tag is written for every lifted body: by
 * hand, not with snprintf, which cost a few thousand instructions. */
static size_t put_tag(char *out, const char *kind, uint64_t nonce)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = strlen(kind);
    memcpy(out, kind, n);
    for (int shift = 60; shift >= 0; shift -= 4)
        out[n++] = hex[(nonce >> shift) & 0xF];
    out[n++] = ':';
    out[n] = '\0';
    return n;
}

/* Writes i in decimal at out (no NUL); returns the length. */
static size_t put_index(char *out, size_t i)
{
    char digits[24];
    size_t d = 0, n = 0;
    do {
        digits[d++] = (char)('0' + i % 10);
        i /= 10;
    } while (i);
    while (d)
        out[n++] = digits[--d];
    return n;
}

bool pjson_lift_with(const char *body, size_t len, uint64_t nonce,
                     const pjson_lift_what *what, pjson_lifted *out)
{
    span_list list = {0};
    size_t deepest = 0, strings = 0;
    bool lifted = false;
    memset(out, 0, sizeof *out);
    pjson_lift_what scan = *what;
    if (scan.b64 && (len < PJSON_LIFT_MIN || !mentions_b64(body, len)))
        scan.b64 = false;
    if (len < PJSON_LIFT_NUMBERS_BODY)
        scan.number_keys = NULL;
    if (!scan.b64 && !(scan.number_keys && scan.number_keys[0]))
        goto done;
    if (!find_spans(body, len, &scan, &list, &deepest))
        goto done;
    if (deepest > PJSON_LIFT_MAX_DEPTH) { /* numbers stay for jansson */
        size_t kept = 0;
        for (size_t i = 0; i < list.count; i++) {
            if (list.spans[i].numbers)
                free(list.spans[i].array.x);
            else
                list.spans[kept++] = list.spans[i];
        }
        list.count = kept;
    }
    if (list.count == 0)
        goto done;
    /* The tags as JSON text write \u0001; parsed, it is byte 1. */
    char json_tag[48], json_num_tag[48];
    out->tag_len = put_tag(out->tag, "\001b64:", nonce);
    out->num_tag_len = put_tag(out->num_tag, "\001num:", nonce);
    size_t jt = put_tag(json_tag, "\\u0001b64:", nonce);
    size_t jn = put_tag(json_num_tag, "\\u0001num:", nonce);
    size_t arrays = 0;
    for (size_t i = 0; i < list.count; i++)
        arrays += list.spans[i].numbers;
    strings = list.count - arrays;
    /* a tag, quotes and an index in place of each value (an array of at
     * least 16 numbers is longer than that) */
    size_t text_cap = len + list.count * (jt + 24);
    out->items = calloc(strings ? strings : 1, sizeof *out->items);
    out->arrays = calloc(arrays ? arrays : 1, sizeof *out->arrays);
    out->text = malloc(text_cap);
    if (!out->items || !out->arrays || !out->text)
        goto done;
    const char *from = body;
    size_t o = 0;
    for (size_t i = 0; i < list.count; i++) {
        span *sp = &list.spans[i];
        if (!sp->numbers) {
            int r = decode_item(out, sp);
            if (r < 0)
                goto done;
            if (r == 0)
                continue;
        }
        size_t keep = (size_t)(sp->start - from);
        memcpy(out->text + o, from, keep);
        o += keep;
        if (sp->numbers) {
            out->text[o++] = '"';
            memcpy(out->text + o, json_num_tag, jn);
            o += jn;
            o += put_index(out->text + o, out->array_count);
            out->text[o++] = '"';
            out->arrays[out->array_count++] = sp->array;
            sp->array.x = NULL;
        } else {
            memcpy(out->text + o, json_tag, jt);
            o += jt;
            o += put_index(out->text + o, out->count);
            out->count++;
        }
        from = sp->start + sp->len;
    }
    if (out->count == 0 && out->array_count == 0)
        goto done;
    size_t rest = (size_t)(body + len - from);
    memcpy(out->text + o, from, rest);
    out->text_len = o + rest;
    out->depth = deepest;
    lifted = true;
done:
    free_spans(&list);
    if (!lifted)
        pjson_lifted_free(out);
    return lifted;
}

void pjson_lifted_free(pjson_lifted *l)
{
    for (size_t i = 0; l->items && i < l->count; i++)
        free(l->items[i].bytes);
    free(l->items);
    for (size_t i = 0; l->arrays && i < l->array_count; i++)
        free(l->arrays[i].x);
    free(l->arrays);
    free(l->text);
    memset(l, 0, sizeof *l);
}

/* The item a tag of l stands for, or NULL. */
static bool tag_index(const char *tag, size_t tag_len, size_t count,
                      const char *s, size_t n, size_t *index);

static pjson_lifted_item *find_item(pjson_lifted *l, const char *s, size_t n)
{
    size_t i;
    return l && tag_index(l->tag, l->tag_len, l->count, s, n, &i)
               ? &l->items[i]
               : NULL;
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

/* The index a tag (s, n bytes) with prefix tag (tag_len bytes) carries,
 * below count; false when s is no such tag. */
static bool tag_index(const char *tag, size_t tag_len, size_t count,
                      const char *s, size_t n, size_t *index)
{
    if (!count || n <= tag_len || memcmp(s, tag, tag_len) != 0)
        return false;
    size_t i = 0;
    for (size_t k = tag_len; k < n; k++) {
        if (s[k] < '0' || s[k] > '9' || i > count)
            return false;
        i = i * 10 + (size_t)(s[k] - '0');
    }
    *index = i;
    return i < count;
}

const pjson_numbers *pjson_lifted_numbers(const pjson_lifted *l,
                                          const json_t *v)
{
    size_t i;
    if (!l || !l->array_count || !json_is_string(v) ||
        !tag_index(l->num_tag, l->num_tag_len, l->array_count,
                   json_string_value(v), json_string_length(v), &i))
        return NULL;
    return &l->arrays[i];
}

/* [x0, x1, ...] of n reals */
static json_t *reals(const double *x, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        pjson_push(&a, json_real(x[i]));
    return a;
}

json_t *pjson_lifted_value(const pjson_numbers *a)
{
    if (!a->cols)
        return reals(a->x, a->rows);
    json_t *rows = json_array();
    for (size_t j = 0; rows && j < a->rows; j++)
        pjson_push(&rows, reals(a->x + j * a->cols, a->cols));
    return rows;
}
