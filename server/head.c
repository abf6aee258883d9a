/* server/head.c - raw NUL bytes, Host, Authorization and framing in a
 * request's head (server/head.h). */
#include "server/head.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

/* Whether c may appear in a header name (an RFC 9110 token). */
static bool is_token_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* Whether the n bytes at p are all NUL. */
static bool all_nul(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

/* What the walk over the header lines found. */
typedef struct {
    const char *why;       /* the first problem found, or NULL */
    const char *prev_end;  /* the end of the previous header's value */
    int host, authorization, content_length, transfer_encoding;
    head_fields *fields;
} walk;

/* A header line as libmicrohttpd leaves it: "name\0" + optional white
 * space + "value" + the line's end, its CR and LF each turned into a NUL,
 * and the next line right after. A raw NUL in the value ends the value
 * before its line's end, and leaves bytes between it and the next line;
 * a folded line moves the name elsewhere. Sets w->why. */
static void check_line(walk *w, const char *key, size_t key_size,
                       const char *value, size_t value_size)
{
    uintptr_t k = (uintptr_t)key, v = (uintptr_t)value;
    if (key_size == 0) {
        w->why = "a header has no name";
        return;
    }
    /* name, its colon (a NUL now), optional white space, the value */
    if (v <= k + key_size || v - (k + key_size) > 4096 || key[key_size]) {
        w->why = "a header is folded onto a second line (obsolete line "
                 "folding), which psinet does not accept";
        return;
    }
    for (const char *p = key + key_size + 1; p < value; p++) {
        if (*p != ' ' && *p != '\t') {
            w->why = "a header holds a NUL byte";
            return;
        }
    }
    if (w->prev_end) {
        /* the previous line's end: "\0" (LF) or "\0\0" (CR LF), then this
         * line */
        uintptr_t e = (uintptr_t)w->prev_end;
        if (k <= e || k - e > 2 || !all_nul(w->prev_end, k - e)) {
            w->why = k > e && k - e <= 4096
                         ? "a header holds a NUL byte"
                         : "a header is folded onto a second line "
                           "(obsolete line folding), which psinet does not "
                           "accept";
            return;
        }
    }
    w->prev_end = value + value_size;
}

/* Framing headers libmicrohttpd frames by, and forms of them it does not
 * frame by while a proxy in front may. Sets w->why. */
static void check_framing(walk *w, const char *key, const char *value)
{
    /* A name libmicrohttpd keeps with a space or another non-token byte in
     * it ("Content-Length : 5") is not one it frames the body by, while a
     * proxy in front may: the body would be read as a second request. */
    for (const unsigned char *c = (const unsigned char *)key; *c; c++)
        if (!is_token_char(*c))
            w->why = "a header name holds a space or another byte names "
                     "cannot have";
    /* libmicrohttpd 0.9.75 joins an obs-folded line to the name before it
     * ("Content-Length:\r\n 5" arrives as "Content-Length5" with no value),
     * and then frames by neither: such a name is refused too. */
    static const char *const names[] = {MHD_HTTP_HEADER_CONTENT_LENGTH,
                                        MHD_HTTP_HEADER_TRANSFER_ENCODING};
    for (size_t i = 0; i < 2; i++) {
        size_t n = strlen(names[i]);
        if (strncasecmp(key, names[i], n) == 0 && key[n] != '\0')
            w->why = "a framing header is folded onto a second line";
    }
    if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0) {
        if (!*value || strspn(value, "0123456789") != strlen(value))
            w->why = "Content-Length is not a plain number";
    } else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) {
        if (strcasecmp(value, "chunked") != 0)
            w->why = "Transfer-Encoding is not chunked";
    }
}

/* Counts the headers that may come once, and keeps the first value of each
 * header psinet reads (head_fields). Names are compared whole, as
 * libmicrohttpd's look-up does, and only those of the right length. */
static void note_field(walk *w, const char *key, const char *value)
{
    head_fields *f = w->fields;
    const char **slot = NULL;
    switch (strlen(key)) {
    case 4:
        w->host += strcasecmp(key, MHD_HTTP_HEADER_HOST) == 0;
        return;
    case 6:
        if (strcasecmp(key, "Origin") == 0)
            slot = &f->origin;
        break;
    case 12:
        if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_TYPE) == 0)
            slot = &f->content_type;
        else if (strcasecmp(key, "X-Request-Id") == 0)
            slot = &f->request_id;
        break;
    case 13:
        if (strcasecmp(key, MHD_HTTP_HEADER_AUTHORIZATION) == 0) {
            w->authorization++;
            slot = &f->authorization;
        } else if (strcasecmp(key, MHD_HTTP_HEADER_IF_NONE_MATCH) == 0) {
            slot = &f->if_none_match;
        }
        break;
    case 14:
        if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0) {
            w->content_length++;
            slot = &f->content_length;
        }
        break;
    case 17:
        if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) {
            w->transfer_encoding++;
            slot = &f->transfer_encoding;
        }
        break;
    default:
        break;
    }
    if (slot && !*slot)
        *slot = value;
}

/* One header line: checked until the first problem, and noted whatever
 * came before (an answer to a bad head still echoes its X-Request-Id). */
static enum MHD_Result check_header(void *cls, enum MHD_ValueKind kind,
                                    const char *key, size_t key_size,
                                    const char *value, size_t value_size)
{
    (void)kind;
    walk *w = cls;
    if (!value)
        value = "";
    if (!w->why) {
        check_line(w, key, key_size, value, value_size);
        if (!w->why)
            check_framing(w, key, value);
    }
    note_field(w, key, value);
    return MHD_YES;
}

/* Whether a raw NUL cut the method or the target short: the method must
 * run up to the (now NUL) space before the target, and the target as it
 * arrived up to the one before the version. */
static bool line_has_nul(const head_request *h)
{
    uintptr_t m = (uintptr_t)h->method, u = (uintptr_t)h->url,
              t = (uintptr_t)h->target, v = (uintptr_t)h->version;
    size_t mlen = strlen(h->method);
    if (u <= m + mlen || u - m > 4096)
        return false; /* not one buffer: nothing to measure */
    if (h->method[mlen] != '\0')
        return true;
    for (const char *p = h->method + mlen + 1; p < h->url; p++)
        if (*p != ' ')
            return true;
    if (!h->target || t != u || !*h->version || v <= t)
        return false;
    return h->target_len != v - 1 - t;
}

/* The end of the head in libmicrohttpd's buffer (just past the blank
 * line), or NULL when it cannot be told. */
static const char *head_end(struct MHD_Connection *conn, const head_request *h)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(
        conn, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
    if (!ci || ci->header_size == 0 || ci->header_size > (1u << 20))
        return NULL;
    return h->method + ci->header_size;
}

const char *head_check(struct MHD_Connection *conn, const head_request *h,
                       head_fields *fields)
{
    *fields = (head_fields){0};
    walk w = {.fields = fields};
    const char *nul = line_has_nul(h) ? "the request line holds a NUL byte"
                                      : NULL;
    const char *end = head_end(conn, h);
    uintptr_t v = (uintptr_t)h->version, m = (uintptr_t)h->method;
    if (end && *h->version && v > m && v < (uintptr_t)end)
        w.prev_end = h->version + strlen(h->version); /* the request line */
    MHD_get_connection_values_n(conn, MHD_HEADER_KIND, check_header, &w);
    if (nul || w.why)
        return nul ? nul : w.why;
    /* After the last line: its end and the blank line, NULs now ("\0" or
     * "\0\0" each), and nothing else. libmicrohttpd 0.9.75 takes a line
     * that begins with ':' for the end of the head, and would read what
     * follows as the next request: those bytes are here. */
    if (end && w.prev_end) {
        uintptr_t e = (uintptr_t)w.prev_end, f = (uintptr_t)end;
        if (f < e + 2 || f > e + 4 || !all_nul(w.prev_end, f - e))
            return f > e && f - e <= 4 ? "a header holds a NUL byte"
                                       : "a header has no name";
    }
    if (w.content_length > 1 || w.transfer_encoding > 1 ||
        (w.content_length && w.transfer_encoding))
        return "the request's framing is ambiguous: two Content-Length or "
               "Transfer-Encoding headers, or both";
    if (w.host > 1)
        return "the request has two Host headers";
    if (w.host == 0 && strcmp(h->version, MHD_HTTP_VERSION_1_0) != 0)
        return "the request has no Host header (HTTP/1.1 needs one)";
    if (w.authorization > 1)
        return "the request has two Authorization headers";
    return NULL;
}

const char *head_trim(const char *value, char *buf, size_t cap)
{
    if (!value || cap == 0)
        return NULL;
    const char *v = value + strspn(value, " \t");
    size_t n = strlen(v);
    while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
        n--;
    if (n >= cap)
        n = cap - 1;
    memcpy(buf, v, n);
    buf[n] = '\0';
    return buf;
}
