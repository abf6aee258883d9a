/* json/write.c - a compact JSON writer with round-trip-exact reals. */
#include "json/pjson.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "codec/dtoa_shortest.h"

typedef struct {
    char *buf;
    size_t len, cap;
    bool oom;
} out_buf;

/* Makes room for extra more bytes and a NUL (growing the buffer). */
static bool out_grow(out_buf *o, size_t extra)
{
    if (o->oom)
        return false;
    if (o->len + extra + 1 <= o->cap)
        return true;
    size_t cap = o->cap ? o->cap : 256;
    while (cap < o->len + extra + 1)
        cap *= 2;
    char *b = realloc(o->buf, cap);
    if (!b) {
        o->oom = true;
        return false;
    }
    o->buf = b;
    o->cap = cap;
    return true;
}

static inline bool out_reserve(out_buf *o, size_t extra)
{
    return o->len + extra + 1 <= o->cap || out_grow(o, extra);
}

static inline void out_bytes(out_buf *o, const char *s, size_t n)
{
    if (!out_reserve(o, n))
        return;
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

static inline void out_char(out_buf *o, char c)
{
    if (out_reserve(o, 1))
        o->buf[o->len++] = c;
}

/* Writes s as a JSON string. jansson strings are valid UTF-8, so only the
 * quote, the backslash and control characters need escaping. */
static void write_string(out_buf *o, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    out_char(o, '"');
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        out_bytes(o, s + start, i - start);
        start = i + 1;
        switch (c) {
        case '"': out_bytes(o, "\\\"", 2); break;
        case '\\': out_bytes(o, "\\\\", 2); break;
        case '\n': out_bytes(o, "\\n", 2); break;
        case '\r': out_bytes(o, "\\r", 2); break;
        case '\t': out_bytes(o, "\\t", 2); break;
        case '\b': out_bytes(o, "\\b", 2); break;
        case '\f': out_bytes(o, "\\f", 2); break;
        default: {
            char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            out_bytes(o, u, 6);
        }
        }
    }
    out_bytes(o, s + start, n - start);
    out_char(o, '"');
}

static void write_value(out_buf *o, const json_t *v)
{
    char num[40];
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *key;
        json_t *item;
        bool first = true;
        out_char(o, '{');
        json_object_foreach((json_t *)v, key, item) {
            if (!first)
                out_char(o, ',');
            first = false;
            write_string(o, key, strlen(key));
            out_char(o, ':');
            write_value(o, item);
        }
        out_char(o, '}');
        break;
    }
    case JSON_ARRAY: {
        size_t n = json_array_size(v);
        out_char(o, '[');
        for (size_t i = 0; i < n; i++) {
            if (i)
                out_char(o, ',');
            write_value(o, json_array_get(v, i));
        }
        out_char(o, ']');
        break;
    }
    case JSON_STRING: {
        const char *s = json_string_value(v);
        size_t n = json_string_length(v);
        if (s[0] == '\0' && n >= PJSON_RAW_LEN &&
            memcmp(s, PJSON_RAW, PJSON_RAW_LEN) == 0)
            out_bytes(o, s + PJSON_RAW_LEN, n - PJSON_RAW_LEN); /* text */
        else
            write_string(o, s, n);
        break;
    }
    case JSON_INTEGER: { /* digits from the right, without printf */
        json_int_t i = json_integer_value(v);
        unsigned long long u = i < 0 ? 0ULL - (unsigned long long)i
                                     : (unsigned long long)i;
        size_t at = sizeof num;
        do
            num[--at] = (char)('0' + u % 10);
        while ((u /= 10) > 0);
        if (i < 0)
            num[--at] = '-';
        out_bytes(o, num + at, sizeof num - at);
        break;
    }
    case JSON_REAL: /* straight into the buffer: at most 32 bytes */
        if (out_reserve(o, DTOA_SHORTEST_SIZE))
            o->len += dtoa_shortest(json_real_value(v), o->buf + o->len);
        break;
    case JSON_TRUE: out_bytes(o, "true", 4); break;
    case JSON_FALSE: out_bytes(o, "false", 5); break;
    case JSON_NULL: out_bytes(o, "null", 4); break;
    }
}

char *pjson_write(const json_t *v, size_t *len)
{
    out_buf o = {0};
    write_value(&o, v);
    /* A write that could not grow the buffer skipped its bytes and every
     * one after: the text is whole only when none did. */
    if (!out_reserve(&o, 0) || o.oom) {
        free(o.buf);
        *len = 0;
        return NULL;
    }
    o.buf[o.len] = '\0';
    *len = o.len;
    return o.buf;
}
