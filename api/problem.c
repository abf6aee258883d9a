/* api/problem.c - the table from error code to HTTP status, and
 * problem+json. */
#include "api/problem.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/utf8.h"

#define PROBLEM(slug) "urn:psinet:problem:" slug

static const struct {
    int status;
    const char *type;
    const char *title;
} code_table[] = {
    [API_OK] = {200, PROBLEM("ok"), "OK"},
    [API_EBADJSON] = {400, PROBLEM("malformed-json"), "Malformed JSON"},
    [API_EBADREQUEST] = {400, PROBLEM("bad-request"), "Bad request"},
    [API_EAUTH] = {401, PROBLEM("unauthorized"), "Unauthorized"},
    [API_ENOTFOUND] = {404, PROBLEM("not-found"), "Not found"},
    [API_EMETHOD] = {405, PROBLEM("method-not-allowed"), "Method not allowed"},
    [API_ETIMEOUT] = {408, PROBLEM("timeout"), "Request timeout"},
    [API_ETOOLARGE] = {413, PROBLEM("too-large"), "Content too large"},
    [API_EMEDIATYPE] = {415, PROBLEM("unsupported-media-type"),
                        "Unsupported media type"},
    [API_EINVALID] = {422, PROBLEM("validation"), "Invalid request"},
    [API_EUNAVAILABLE] = {503, PROBLEM("unavailable"), "Service unavailable"},
    [API_EINTERNAL] = {500, PROBLEM("internal"), "Internal error"},
};

/* Copies src into dst (cap bytes), replacing each byte that is not part of
 * valid UTF-8, and each control character, by '?': details may quote input,
 * and a JSON string must be valid UTF-8. */
static void copy_printable_utf8(char *dst, const char *src, size_t cap)
{
    size_t o = 0, n = strlen(src);
    const unsigned char *s = (const unsigned char *)src;
    while (n > 0 && o + 5 < cap) {
        size_t len = utf8_char_len(s, n);
        if (len == 0 || (len == 1 && (*s < 0x20 || *s == 0x7f))) {
            dst[o++] = '?';
            len = 1;
        } else {
            memcpy(dst + o, s, len);
            o += len;
        }
        s += len;
        n -= len;
    }
    dst[o] = '\0';
}

void api_err_init(api_err *e)
{
    memset(e, 0, sizeof *e);
}

void api_err_clear(api_err *e)
{
    json_decref(e->errors);
    api_err_init(e);
}

api_code api_fail(api_err *e, api_code code, const char *fmt, ...)
{
    char raw[sizeof e->detail];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    copy_printable_utf8(e->detail, raw, sizeof e->detail);
    e->code = code;
    return code;
}

bool api_invalid(api_err *e, const char *pointer, const char *fmt, ...)
{
    if (e->code == API_OK)
        e->code = API_EINVALID;
    if (e->code != API_EINVALID)
        return false;
    if (!e->errors)
        e->errors = json_array();
    if (!e->errors || json_array_size(e->errors) >= API_ERR_MAX_ITEMS) {
        e->dropped++;
        return false;
    }
    char raw[256], message[256], ptr[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    copy_printable_utf8(message, raw, sizeof message);
    copy_printable_utf8(ptr, pointer, sizeof ptr);
    json_array_append_new(e->errors, json_pack("{s:s, s:s}", "pointer",
                                               ptr, "message", message));
    return false;
}

api_code api_no_memory(api_err *e)
{
    e->retry_after = 1;
    return api_fail(e, API_EUNAVAILABLE,
                    "the server is short of memory for this request right "
                    "now; try again shortly, or send less at a time");
}

int api_code_status(api_code code)
{
    return code_table[code].status;
}

const char *api_code_title(api_code code)
{
    return code_table[code].title;
}

const char *api_code_type(api_code code)
{
    return code_table[code].type;
}

json_t *api_problem(const api_err *e)
{
    api_code code = e->code == API_OK ? API_EINTERNAL : e->code;
    char detail[sizeof e->detail + 320];
    if (e->detail[0]) {
        snprintf(detail, sizeof detail, "%s", e->detail);
    } else if (e->errors && json_array_size(e->errors) > 0) {
        json_t *first = json_array_get(e->errors, 0);
        const char *ptr = json_string_value(json_object_get(first, "pointer"));
        const char *msg = json_string_value(json_object_get(first, "message"));
        size_t n = json_array_size(e->errors) + e->dropped;
        snprintf(detail, sizeof detail, "%s%s%s%s", ptr[0] ? ptr : "body",
                 ": ", msg, n > 1 ? " (and other errors listed in `errors`)" : "");
    } else {
        snprintf(detail, sizeof detail, "%s", code_table[code].title);
    }
    json_t *p = json_pack("{s:s, s:s, s:i, s:s}", "type", api_code_type(code),
                          "title", code_table[code].title, "status",
                          code_table[code].status, "detail", detail);
    if (p && code == API_EINVALID) {
        /* A 422 always lists what was wrong; one found before any value
         * could be pointed at (a number that overflows as it is parsed, a
         * result that overflows) is about the request as a whole: "". */
        if (e->errors && json_array_size(e->errors) > 0)
            json_object_set(p, "errors", e->errors);
        else
            json_object_set_new(p, "errors",
                                json_pack("[{s:s, s:s}]", "pointer", "",
                                          "message", detail));
    }
    return p;
}
