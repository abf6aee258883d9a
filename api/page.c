/* api/page.c - pages of a list (api/page.h). */
#include "api/page.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CURSOR_PREFIX "c1."

api_code api_page_read(const api_call *call, api_page *page, api_err *err)
{
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
    if (present) {
        size_t plen = strlen(CURSOR_PREFIX);
        char *end = NULL;
        unsigned long long v = 0;
        bool ok = cursor && strncmp(cursor, CURSOR_PREFIX, plen) == 0 &&
                  strlen(cursor) == plen + 16 &&
                  strspn(cursor + plen, "0123456789abcdef") == 16;
        if (ok)
            v = strtoull(cursor + plen, &end, 16);
        if (!ok || v == 0 || v > INT64_MAX)
            return api_fail(err, API_EBADREQUEST,
                            "cursor is not one this server issued: pass the "
                            "next_cursor of the previous page unchanged");
        page->after = (int64_t)v;
    }
    return API_OK;
}

json_t *api_page_json(json_t *items, int64_t next_after)
{
    json_t *cursor;
    if (next_after > 0) {
        char buf[32];
        snprintf(buf, sizeof buf, CURSOR_PREFIX "%016" PRIx64,
                 (uint64_t)next_after);
        cursor = json_string(buf);
    } else {
        cursor = json_null();
    }
    return json_pack("{s:o, s:o}", "items", items, "next_cursor", cursor);
}
