/* tests/api/apitest.c - helpers for handler tests. */
#include "tests/api/apitest.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

api_ctx apitest_ctx(store *db)
{
    api_ctx ctx = {.version = PSINET_VERSION, .db = db};
    api_limits_default(&ctx.limits);
    api_init(); /* as the server runs: an arena per request */
    return ctx;
}

apitest_result apitest_call(const api_ctx *ctx, const char *method,
                            const char *path, const char *content_type,
                            const char *body)
{
    /* Split "path?k=v&k2" into the path and query parameters, as the
     * server does (no percent-decoding needed in tests). */
    static char buf[4096];
    static api_query_param q[API_MAX_QUERY];
    snprintf(buf, sizeof buf, "%s", path);
    size_t nq = 0;
    char *qs = strchr(buf, '?');
    if (qs) {
        *qs++ = '\0';
        for (char *tok = strtok(qs, "&"); tok && nq < API_MAX_QUERY;
             tok = strtok(NULL, "&")) {
            char *eq = strchr(tok, '=');
            if (eq)
                *eq++ = '\0';
            q[nq].key = tok;
            q[nq].value = eq;
            nq++;
        }
    }
    api_request req = {
        .method = method,
        .path = buf,
        .content_type = content_type,
        .body = body,
        .body_len = body ? strlen(body) : 0,
        .query = q,
        .query_count = nq,
    };
    apitest_result r = {0};
    api_handle(ctx, &req, &r.resp);
    size_t len;
    char *text = api_response_body(&r.resp, &len);
    const char *type = r.resp.content_type;
    if (text && type && strstr(type, "json")) /* built, or fixed bytes */
        r.body = json_loadb(text, len, 0, NULL);
    free(text);
    return r;
}

apitest_result apitest_post(const api_ctx *ctx, const char *path,
                            const char *body)
{
    return apitest_call(ctx, "POST", path, "application/json", body);
}

void apitest_free(apitest_result *r)
{
    api_response_free(&r->resp);
    json_decref(r->body);
    r->body = NULL;
}

json_t *apitest_get(const apitest_result *r, const char *path)
{
    json_t *v = r->body;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    char *save = NULL;
    for (char *tok = strtok_r(buf, "/", &save); tok && v;
         tok = strtok_r(NULL, "/", &save)) {
        if (json_is_array(v))
            v = json_array_get(v, strtoul(tok, NULL, 10));
        else
            v = json_object_get(v, tok);
    }
    return v;
}

double apitest_num(const apitest_result *r, const char *path)
{
    json_t *v = apitest_get(r, path);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

int apitest_has_pointer(const apitest_result *r, const char *pointer)
{
    json_t *errors = json_object_get(r->body, "errors");
    size_t i;
    json_t *e;
    json_array_foreach(errors, i, e) {
        const char *p = json_string_value(json_object_get(e, "pointer"));
        if (p && strcmp(p, pointer) == 0)
            return 1;
    }
    return 0;
}
