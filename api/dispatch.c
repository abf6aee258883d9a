/* api/dispatch.c - api_handle: route, check media type, parse, run, render.
 *
 * This is the one place where an api_err becomes an HTTP response. */
#include "api/api.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/b64_lift.h"
#include "api/json_alloc.h"
#include "api/json_write.h"
#include "api/parse.h"
#include "api/routes.h"

void api_limits_default(api_limits *l)
{
    l->max_body = 16u << 20;
    l->max_dimension = 1u << 20;
    l->max_matrix = 1u << 22;
    l->max_layers = 64;
    l->max_batch = 4096;
    l->max_shots = 1000000;
    l->max_page = 500;
    l->max_depth = 32;
}

void api_response_header(api_response *resp, const char *name,
                         const char *fmt, ...)
{
    if (resp->header_count == API_MAX_HEADERS)
        return;
    api_header *h = &resp->headers[resp->header_count++];
    h->name = name;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(h->value, sizeof h->value, fmt, ap);
    va_end(ap);
}

const char *api_response_get_header(const api_response *resp,
                                    const char *name)
{
    for (size_t i = 0; i < resp->header_count; i++)
        if (strcasecmp(resp->headers[i].name, name) == 0)
            return resp->headers[i].value;
    return NULL;
}

/* Releases v, a tree built while resp was handled. A tree wholly in the
 * arena is not walked to be freed value by value: the arena's reset frees
 * it. */
static void drop_json(const api_response *resp, json_t *v)
{
    if (!(resp->arena && api_json_arena_holds_all()))
        json_decref(v);
}

/* Drops resp's body (JSON or owned bytes). */
static void drop_body(api_response *resp)
{
    drop_json(resp, resp->json);
    resp->json = NULL;
    free(resp->owned_raw);
    resp->owned_raw = NULL;
    resp->raw = NULL;
}

void api_response_free(api_response *resp)
{
    drop_body(resp);
    if (resp->arena) {
        api_json_arena_end();
        resp->arena = false;
    }
}

char *api_response_body(const api_response *resp, size_t *len)
{
    *len = 0;
    if (resp->json)
        return api_json_write(resp->json, len);
    if (!resp->raw)
        return NULL;
    char *copy = malloc(resp->raw_len + 1);
    if (!copy)
        return NULL;
    memcpy(copy, resp->raw, resp->raw_len);
    copy[resp->raw_len] = '\0';
    *len = resp->raw_len;
    return copy;
}

const char *api_query_get(const api_request *req, const char *key,
                          int *present)
{
    for (size_t i = 0; i < req->query_count; i++) {
        if (strcmp(req->query[i].key, key) == 0) {
            if (present)
                *present = 1;
            return req->query[i].value;
        }
    }
    if (present)
        *present = 0;
    return NULL;
}

api_code api_reply(api_response *resp, int status, json_t *body, api_err *err)
{
    if (!body)
        return api_fail(err, API_EINTERNAL, "out of memory");
    json_decref(resp->json);
    resp->status = status;
    resp->content_type = "application/json";
    resp->json = body;
    return API_OK;
}

/* Whether the Content-Type names JSON: application/json or any
 * application/<x>+json, with or without parameters such as charset. */
static int is_json_media_type(const char *ct)
{
    if (!ct)
        return 0;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    size_t n = strcspn(ct, "; \t");
    if (n == 16 && strncasecmp(ct, "application/json", 16) == 0)
        return 1;
    return n > 17 && strncasecmp(ct, "application/", 12) == 0 &&
           strncasecmp(ct + n - 5, "+json", 5) == 0;
}

/* The depth of the deepest array or object in text, a JSON document that
 * jansson has parsed (so brackets pair up): brackets inside strings do not
 * count. A pass over the bytes costs less than a walk over the values. */
static size_t json_text_depth(const char *text, size_t len)
{
    size_t depth = 0, deepest = 0;
    for (const char *p = text, *end = text + len; p < end; p++) {
        switch (*p) {
        case '"': /* skip the string: to the quote no backslash escapes */
            for (p++; p < end && *p != '"'; p++)
                if (*p == '\\')
                    p++;
            break;
        case '[':
        case '{':
            if (++depth > deepest)
                deepest = depth;
            break;
        case ']':
        case '}': depth--; break;
        default: break;
        }
    }
    return deepest;
}

/* The refusal of a body nested deeper than max_depth: jansson's own limit
 * (2048 levels) is reported the same way. */
static api_code too_deep(const api_ctx *ctx, api_err *err)
{
    return api_fail(err, API_EINVALID,
                    "the request body nests arrays and objects deeper than "
                    "the limit of %zu levels (max_depth)",
                    ctx->limits.max_depth);
}

/* Parses the request body for a route that takes one. With
 * ROUTE_LIFT_B64, long base64 arrays are decoded into *lifted first and
 * the rest is parsed; the caller frees *lifted after the handler ran. */
static api_code parse_body(const api_ctx *ctx, const api_request *req,
                           unsigned flags, json_t **body,
                           api_b64_lifted *lifted, api_err *err)
{
    *body = NULL;
    memset(lifted, 0, sizeof *lifted);
    if (req->body_len == 0 && (flags & ROUTE_BODY_OPTIONAL))
        return API_OK;
    if (!is_json_media_type(req->content_type))
        return api_fail(err, API_EMEDIATYPE,
                        "the request body must be JSON, sent with "
                        "Content-Type: application/json (got %s)",
                        req->content_type ? "another type" : "none");
    if (req->body_len == 0)
        return api_fail(err, API_EBADJSON,
                        "the request body is empty; a JSON object is needed");
    /* Any JSON value parses (JSON_DECODE_ANY): a scalar body is well-formed,
     * and is refused below as not an object, like an array is. */
    const size_t flags_json = JSON_REJECT_DUPLICATES | JSON_DECODE_ANY;
    const char *text = req->body; /* what jansson parses */
    size_t len = req->body_len;
    if ((flags & ROUTE_LIFT_B64) && api_b64_lift(text, len, lifted)) {
        text = lifted->text;
        len = lifted->text_len;
    }
    json_error_t jerr;
    json_t *v = json_loadb(text, len, flags_json, &jerr);
    if (!v && text != req->body) /* report positions in the body sent */
        json_decref(json_loadb(req->body, req->body_len, flags_json, &jerr));
    if (!v && json_error_code(&jerr) == json_error_stack_overflow)
        return too_deep(ctx, err);
    if (!v) {
        /* Well-formed JSON that psinet cannot hold (a number beyond a
         * double, a string with \u0000) is a 422; anything else a 400. */
        enum json_error_code jc = json_error_code(&jerr);
        api_code code = jc == json_error_numeric_overflow ||
                                jc == json_error_null_character
                            ? API_EINVALID
                            : API_EBADJSON;
        return api_fail(err, code, "%s (line %d, column %d, byte %d)",
                        jerr.text, jerr.line, jerr.column, jerr.position);
    }
    if (!json_is_object(v)) {
        api_invalid(err, "", "the request body must be a JSON object, not %s",
                    api_json_kind(v));
        json_decref(v);
        return API_EINVALID;
    }
    if (json_text_depth(text, len) > ctx->limits.max_depth) {
        json_decref(v);
        return too_deep(ctx, err);
    }
    *body = v;
    return API_OK;
}

/* How many {id} segments a pattern has. */
static int pattern_params(const char *pattern)
{
    int n = 0;
    for (const char *p = pattern; *p; p++)
        n += *p == '{';
    return n;
}

/* Collects the methods of the routes of path (at the given specificity)
 * into allow, e.g. "GET, HEAD, DELETE". */
static void allowed_methods(const char *path, int specificity, char *allow,
                            size_t cap)
{
    size_t matched = 0, len = 0;
    allow[0] = '\0';
    for (const api_route *r = api_routes; r->method; r++) {
        const char *id;
        size_t id_len;
        if (pattern_params(r->pattern) != specificity ||
            !api_route_match(r->pattern, path, &id, &id_len))
            continue;
        const char *m = strcmp(r->method, "GET") == 0 ? "GET, HEAD" : r->method;
        len += (size_t)snprintf(allow + len, cap - len, "%s%s",
                                matched ? ", " : "", m);
        if (len >= cap)
            len = cap - 1;
        matched++;
    }
}

/* Whether header is "Bearer <key>", compared in time that depends only on
 * the lengths, never on where the first difference is. */
static bool bearer_matches(const char *header, const char *key)
{
    if (!header || strncasecmp(header, "Bearer ", 7) != 0)
        return false;
    const char *given = header + 7;
    while (*given == ' ')
        given++;
    size_t n = strlen(given), k = strlen(key);
    unsigned char diff = n != k;
    for (size_t i = 0; i < k; i++)
        diff |= (unsigned char)(given[i < n ? i : 0] ^ key[i]);
    return diff == 0;
}

static api_code dispatch(const api_ctx *ctx, const api_request *req,
                         api_response *resp, api_err *err)
{
    /* One pass over the table: the fewest {id} segments among the routes
     * that match the path (a literal segment wins over {id}), and the first
     * route of the method with that many. */
    const char *method = strcmp(req->method, "HEAD") == 0 ? "GET" : req->method;
    const api_route *route = NULL;
    const char *id = NULL;
    size_t id_len = 0;
    int specificity = -1, route_params = -1;
    for (const api_route *r = api_routes; r->method; r++) {
        const char *rid;
        size_t rid_len;
        if (!api_route_match(r->pattern, req->path, &rid, &rid_len))
            continue;
        int n = pattern_params(r->pattern);
        if (specificity < 0 || n < specificity)
            specificity = n;
        if (strcmp(r->method, method) == 0 && (!route || n < route_params)) {
            route = r;
            route_params = n;
            id = rid;
            id_len = rid_len;
        }
    }
    if (specificity < 0)
        return api_fail(err, API_ENOTFOUND, "no resource at %.200s", req->path);
    if (route && route_params != specificity)
        route = NULL; /* the method's route is a less specific one */

    if (!route) {
        char allow[128];
        allowed_methods(req->path, specificity, allow, sizeof allow);
        api_response_header(resp, "Allow", "%s, OPTIONS", allow);
        if (strcmp(req->method, "OPTIONS") == 0) {
            resp->status = 204;
            return API_OK;
        }
        return api_fail(err, API_EMETHOD, "%.20s is not allowed on %.200s; "
                        "allowed: %s", req->method, req->path, allow);
    }

    resp->route = (int)(route - api_routes);
    if (ctx->api_key && !(route->flags & ROUTE_PUBLIC) &&
        ((route->flags & ROUTE_WRITES) || ctx->auth_reads) &&
        !bearer_matches(req->authorization, ctx->api_key)) {
        api_response_header(resp, "WWW-Authenticate", "Bearer realm=\"psinet\"");
        return api_fail(err, API_EAUTH,
                        req->authorization
                            ? "the API key in Authorization is not right"
                            : "this request needs Authorization: Bearer "
                              "<API key>");
    }

    char id_buf[STORE_ID_MAX * 2];
    if (id) {
        if (id_len >= sizeof id_buf)
            return api_fail(err, API_ENOTFOUND, "no resource at %.200s",
                            req->path);
        memcpy(id_buf, id, id_len);
        id_buf[id_len] = '\0';
    }

    json_t *body = NULL;
    api_b64_lifted lifted = {0};
    if (route->flags & ROUTE_BODY) {
        api_code code = parse_body(ctx, req, route->flags, &body, &lifted,
                                   err);
        if (code != API_OK) {
            api_b64_lifted_free(&lifted);
            return code;
        }
    }
    api_call call = {ctx, req, id ? id_buf : NULL, body};
    api_b64_lifted_use(&lifted);
    api_code code = route->handler(&call, resp, err);
    api_b64_lifted_use(NULL);
    drop_json(resp, body);
    api_b64_lifted_free(&lifted);
    return code;
}

void api_handle(const api_ctx *ctx, const api_request *req,
                api_response *resp)
{
    memset(resp, 0, sizeof *resp);
    resp->route = -1;
    resp->arena = api_json_arena_begin();
    api_err err;
    api_err_init(&err);
    api_code code = dispatch(ctx, req, resp, &err);
    if (code != API_OK) {
        /* Keep only the headers an error needs (Allow for 405). */
        size_t kept = 0;
        for (size_t i = 0; i < resp->header_count; i++)
            if ((code == API_EMETHOD &&
                 strcmp(resp->headers[i].name, "Allow") == 0) ||
                (code == API_EAUTH &&
                 strcmp(resp->headers[i].name, "WWW-Authenticate") == 0))
                resp->headers[kept++] = resp->headers[i];
        resp->header_count = kept;
        if (err.retry_after > 0)
            api_response_header(resp, "Retry-After", "%d", err.retry_after);
        drop_body(resp); /* the arena stays on: err's items live in it */
        resp->status = api_code_status(code);
        resp->content_type = "application/problem+json";
        resp->json = api_problem(&err);
        resp->raw_len = 0;
    }
    api_err_clear(&err);
    if (resp->arena)
        api_json_arena_pause();
}
