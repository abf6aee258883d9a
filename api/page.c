/* api/page.c - pages of a list (api/page.h). */
#include "api/page.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

#define CURSOR_PREFIX "c2."
#define CURSOR_HEX 16 /* digits of the position and of the signature */
#define CURSOR_LEN (sizeof CURSOR_PREFIX - 1 + CURSOR_HEX + 1 + CURSOR_HEX)

void api_page_scope_init(api_page_scope *s, const api_call *call)
{
    sha256_init(&s->hash);
    sha256_update(&s->hash, call->route->name, strlen(call->route->name) + 1);
}

void api_page_scope_add(api_page_scope *s, const char *key, const char *value)
{
    /* NUL cannot occur in a decoded query value, so "key\0value\0" pairs
     * cannot be rearranged into another filter's. */
    sha256_update(&s->hash, key, strlen(key) + 1);
    sha256_update(&s->hash, value, strlen(value) + 1);
}

/* The hex signature of position under page's scope, into out (17 bytes). */
static void cursor_signature(const api_call *call, const api_page *page,
                             uint64_t position, char *out)
{
    unsigned char data[SHA256_SIZE + 8], mac[SHA256_SIZE];
    memcpy(data, page->scope, SHA256_SIZE);
    for (int i = 0; i < 8; i++)
        data[SHA256_SIZE + i] = (unsigned char)(position >> (56 - 8 * i));
    store_sign(call->ctx->db, data, sizeof data, mac);
    sha256_hex(mac, CURSOR_HEX / 2, out);
}

/* Compares n bytes in a time that does not depend on where they differ. */
static bool same_bytes(const char *a, const char *b, size_t n)
{
    unsigned char diff = 0;
    for (size_t i = 0; i < n; i++)
        diff |= (unsigned char)(a[i] ^ b[i]);
    return diff == 0;
}

static bool is_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!s[i] || !strchr("0123456789abcdef", s[i]))
            return false;
    return true;
}

static api_code read_cursor(const api_call *call, const char *cursor,
                            api_page *page, api_err *err)
{
    const size_t plen = sizeof CURSOR_PREFIX - 1;
    const char *pos = cursor + plen, *sig = pos + CURSOR_HEX + 1;
    uint64_t v = 0;
    bool ok = cursor && strlen(cursor) == CURSOR_LEN &&
              strncmp(cursor, CURSOR_PREFIX, plen) == 0 &&
              is_hex(pos, CURSOR_HEX) && pos[CURSOR_HEX] == '.' &&
              is_hex(sig, CURSOR_HEX);
    if (ok) {
        char expect[CURSOR_HEX + 1];
        v = strtoull(pos, NULL, 16);
        cursor_signature(call, page, v, expect);
        ok = v > 0 && v <= INT64_MAX && same_bytes(sig, expect, CURSOR_HEX);
    }
    if (!ok)
        return api_fail(err, API_EBADREQUEST,
                        "cursor is not one this server issued for this list "
                        "and filter: pass the next_cursor of the previous "
                        "page unchanged, with the same filters");
    page->after = (int64_t)v;
    return API_OK;
}

api_code api_page_read(const api_call *call, api_page_scope *scope,
                       api_page *page, api_err *err)
{
    api_page_scope route_only;
    if (!scope) {
        api_page_scope_init(&route_only, call);
        scope = &route_only;
    }
    sha256_final(&scope->hash, page->scope);
    size_t max = call->ctx->limits.max_page;
    page->limit = max < 50 ? max : 50;
    page->after = 0;
    int present;
    const char *limit = api_query_get(call->req, "limit", &present);
    if (present) {
        char *end;
        unsigned long long v = limit ? strtoull(limit, &end, 10) : 0;
        if (!limit || !*limit || *end || limit[0] == '-' || v < 1 || v > max)
            return api_fail(err, API_EBADREQUEST,
                            "limit must be a whole number from 1 to %zu "
                            "(max_page)",
                            max);
        page->limit = (size_t)v;
    }
    const char *cursor = api_query_get(call->req, "cursor", &present);
    if (present)
        return read_cursor(call, cursor ? cursor : "", page, err);
    return API_OK;
}

json_t *api_page_json(const api_call *call, const api_page *page,
                      json_t *items, int64_t next_after)
{
    json_t *cursor;
    if (next_after > 0) {
        char sig[CURSOR_HEX + 1], buf[CURSOR_LEN + 1];
        cursor_signature(call, page, (uint64_t)next_after, sig);
        snprintf(buf, sizeof buf, CURSOR_PREFIX "%016" PRIx64 ".%s",
                 (uint64_t)next_after, sig);
        cursor = json_string(buf);
    } else {
        cursor = json_null();
    }
    return json_pack("{s:o, s:o}", "items", items, "next_cursor", cursor);
}
