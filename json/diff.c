/* json/diff.c - where two JSON values first differ (json/pjson.h). */
#include "json/pjson.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The pointer being walked: grows as the walk goes down, cut back as it
 * comes up. */
typedef struct {
    char *buf;
    size_t len, cap;
    bool oom;
} path;

/* Appends "/" and token (n bytes, escaped as RFC 6901 says); returns the
 * length to cut back to afterwards. */
static size_t path_push(path *p, const char *token, size_t n)
{
    size_t mark = p->len;
    size_t need = p->len + 1 + 2 * n + 1;
    if (need > p->cap) {
        size_t cap = p->cap ? p->cap : 64;
        while (cap < need)
            cap *= 2;
        char *b = realloc(p->buf, cap);
        if (!b) {
            p->oom = true;
            return mark;
        }
        p->buf = b;
        p->cap = cap;
    }
    p->buf[p->len++] = '/';
    for (size_t i = 0; i < n; i++) {
        if (token[i] == '~' || token[i] == '/') {
            p->buf[p->len++] = '~';
            p->buf[p->len++] = token[i] == '~' ? '0' : '1';
        } else {
            p->buf[p->len++] = token[i];
        }
    }
    p->buf[p->len] = '\0';
    return mark;
}

static size_t path_push_index(path *p, size_t i)
{
    char digits[24];
    int n = snprintf(digits, sizeof digits, "%zu", i);
    return path_push(p, digits, (size_t)n);
}

static void path_pop(path *p, size_t mark)
{
    if (p->buf && mark <= p->len) {
        p->len = mark;
        p->buf[mark] = '\0';
    }
}

/* 1: differ, 0: same, -1: no memory. Scalars by their written text. */
static int scalars_differ(const json_t *a, const json_t *b)
{
    if (json_is_string(a) && json_is_string(b))
        return json_string_length(a) != json_string_length(b) ||
               memcmp(json_string_value(a), json_string_value(b),
                      json_string_length(a)) != 0;
    if (json_is_number(a) && json_is_number(b)) {
        size_t la, lb;
        char *ta = pjson_write(a, &la), *tb = pjson_write(b, &lb);
        int r = !ta || !tb ? -1 : la != lb || memcmp(ta, tb, la) != 0;
        free(ta);
        free(tb);
        return r;
    }
    return json_typeof(a) != json_typeof(b); /* true, false, null */
}

/* Whether a and b list the same keys in the same order (their members
 * being known to be the same set). */
static bool same_order(const json_t *a, const json_t *b)
{
    void *ia = json_object_iter((json_t *)a), *ib = json_object_iter((json_t *)b);
    while (ia && ib) {
        if (strcmp(json_object_iter_key(ia), json_object_iter_key(ib)) != 0)
            return false;
        ia = json_object_iter_next((json_t *)a, ia);
        ib = json_object_iter_next((json_t *)b, ib);
    }
    return !ia && !ib;
}

static int walk(const json_t *a, const json_t *b, path *p,
                pjson_difference *d);

/* The difference at the current pointer: a and b (either may be NULL). */
static int found(const json_t *a, const json_t *b, path *p,
                 pjson_difference *d)
{
    d->pointer = malloc(p->len + 1);
    if (!d->pointer)
        return -1;
    memcpy(d->pointer, p->buf ? p->buf : "", p->len + 1);
    d->a = a;
    d->b = b;
    return 1;
}

static int walk_arrays(const json_t *a, const json_t *b, path *p,
                       pjson_difference *d)
{
    size_t na = json_array_size(a), nb = json_array_size(b);
    size_t common = na < nb ? na : nb;
    for (size_t i = 0; i < common; i++) {
        size_t mark = path_push_index(p, i);
        if (p->oom)
            return -1;
        int r = walk(json_array_get(a, i), json_array_get(b, i), p, d);
        if (r != 0)
            return r;
        path_pop(p, mark);
    }
    if (na == nb)
        return 0;
    path_push_index(p, common);
    if (p->oom)
        return -1;
    return found(na > nb ? json_array_get(a, common) : NULL,
                 nb > na ? json_array_get(b, common) : NULL, p, d);
}

static int walk_objects(const json_t *a, const json_t *b, path *p,
                        pjson_difference *d)
{
    const char *key;
    json_t *item;
    json_object_foreach((json_t *)a, key, item) {
        size_t mark = path_push(p, key, strlen(key));
        if (p->oom)
            return -1;
        const json_t *other = json_object_get(b, key);
        int r = other ? walk(item, other, p, d) : found(item, NULL, p, d);
        if (r != 0)
            return r;
        path_pop(p, mark);
    }
    json_object_foreach((json_t *)b, key, item) {
        if (json_object_get(a, key))
            continue;
        path_push(p, key, strlen(key));
        return p->oom ? -1 : found(NULL, item, p, d);
    }
    return same_order(a, b) ? 0 : found(a, b, p, d);
}

static int walk(const json_t *a, const json_t *b, path *p,
                pjson_difference *d)
{
    if (json_is_array(a) && json_is_array(b))
        return walk_arrays(a, b, p, d);
    if (json_is_object(a) && json_is_object(b))
        return walk_objects(a, b, p, d);
    if (json_is_array(a) || json_is_array(b) || json_is_object(a) ||
        json_is_object(b))
        return found(a, b, p, d);
    int r = scalars_differ(a, b);
    return r == 1 ? found(a, b, p, d) : r;
}

int pjson_first_difference(const json_t *a, const json_t *b,
                           const char *base, pjson_difference *d)
{
    memset(d, 0, sizeof *d);
    size_t n = strlen(base);
    path p = {.buf = malloc(n + 64), .cap = n + 64};
    if (!p.buf)
        return -1;
    memcpy(p.buf, base, n + 1);
    p.len = n;
    int r = walk(a, b, &p, d);
    free(p.buf);
    if (r != 1) {
        free(d->pointer);
        memset(d, 0, sizeof *d);
    }
    return r;
}
