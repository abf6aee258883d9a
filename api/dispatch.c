/* api/dispatch.c - api_handle: route, authenticate, parse, run, render.
 *
 * This is the one place where an api_err becomes an HTTP response. */
#include "api/api.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api/body.h"
#include "api/response.h"
#include "api/routes.h"
#include "core/layer.h"

void api_init(void)
{
    pjson_alloc_install();
    layer_blas_single_threaded();
}

void api_limits_default(api_limits *l)
{
    l->max_body = 16u << 20;
    l->max_dimension = 1u << 20;
    l->max_matrix = 1u << 22;
    l->max_layers = 64;
    l->max_batch = 4096;
    l->max_shots = 1000000;
    l->max_memory = 65536;
    l->max_operations = 1000;
    l->max_collapse_work = 1000000000;
    l->max_page = 500;
    l->max_depth = 32;
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

size_t api_query_all(const api_request *req, const char *key,
                     const char **values, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < req->query_count; i++) {
        if (strcmp(req->query[i].key, key) != 0)
            continue;
        if (n < max)
            values[n] = req->query[i].value;
        n++;
    }
    return n;
}

/* Whether key is in a route's list of query parameters; *repeat says
 * whether it may be given more than once. */
static bool query_takes(const char *list, const char *key, bool *repeat)
{
    size_t n = strlen(key);
    for (const char *p = list; p && *p;) {
        size_t len = strcspn(p, " ");
        *repeat = len > 0 && p[len - 1] == '*';
        if (len - *repeat == n && strncmp(p, key, n) == 0)
            return true;
        p += len + strspn(p + len, " ");
    }
    return false;
}

/* The route's query parameters for a message: "limit, cursor, tag". */
static void query_names(const char *list, char *out, size_t cap)
{
    size_t o = 0;
    for (const char *p = list; p && *p && o + 1 < cap; p++) {
        if (*p == '*')
            continue;
        if (*p == ' ') {
            o += (size_t)snprintf(out + o, cap - o, ", ");
            continue;
        }
        out[o++] = *p;
    }
    out[o < cap ? o : cap - 1] = '\0';
}

/* A 400 for a query parameter the route does not take, or takes once and
 * was given twice: a typo such as ?tags= is said, not ignored. */
static api_code check_query(const api_route *route, const api_request *req,
                            api_err *err)
{
    for (size_t i = 0; i < req->query_count; i++) {
        const char *key = req->query[i].key;
        bool repeat = false;
        char names[160];
        if (!query_takes(route->query, key, &repeat)) {
            query_names(route->query, names, sizeof names);
            return api_fail(err, API_EBADREQUEST,
                            "the query parameter \"%.64s\" is not one this "
                            "path takes (%s%s)",
                            key, route->query ? "it takes " : "it takes none",
                            names);
        }
        for (size_t j = 0; j < i && !repeat; j++)
            if (strcmp(req->query[j].key, key) == 0)
                return api_fail(err, API_EBADREQUEST,
                                "the query parameter \"%.64s\" is given "
                                "twice; it takes one value",
                                key);
    }
    return API_OK;
}

/* Collects the methods of the routes of path (at the given specificity)
 * into allow, e.g. "GET, HEAD, DELETE". */
static void allowed_methods(const char *path, int specificity, char *allow,
                            size_t cap)
{
    size_t matched = 0, len = 0;
    allow[0] = '\0';
    const api_candidate *list;
    int count = api_route_candidates(path, &list);
    for (int c = 0; c < count; c++) {
        const api_route *r = list[c].route;
        const char *id;
        size_t id_len;
        if (list[c].params != specificity ||
            !api_candidate_match(&list[c], path, &id, &id_len))
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

/* The route of req: the fewest {id} segments among the routes that match
 * the path (a literal segment wins over {id}), and the first route of the
 * method with that many, found in one pass over the routes of the path's
 * head (api_route_candidates). Sets *index,
 * *id and *id_len; -1 with *specificity -1 when no route matches the path,
 * -1 with the specificity of the path's routes when none has the method. */
static int scan_routes(const api_request *req, int *specificity,
                       const char **id, size_t *id_len)
{
    const char *method = strcmp(req->method, "HEAD") == 0 ? "GET" : req->method;
    int found = -1, found_params = -1;
    *specificity = -1;
    const api_candidate *list;
    int count = api_route_candidates(req->path, &list);
    for (int c = 0; c < count; c++) {
        const api_route *r = list[c].route;
        const char *rid;
        size_t rid_len;
        if (!api_candidate_match(&list[c], req->path, &rid, &rid_len))
            continue;
        int n = list[c].params;
        if (*specificity < 0 || n < *specificity)
            *specificity = n;
        if (strcmp(r->method, method) == 0 &&
            (found < 0 || n < found_params)) {
            found = list[c].index;
            found_params = n;
            *id = rid;
            *id_len = rid_len;
        }
    }
    return found >= 0 && found_params == *specificity ? found : -1;
}

/* scan_routes, once a request: the answer kept in req->routing. */
static int find_route(const api_request *req, int *specificity,
                      const char **id, size_t *id_len)
{
    api_routing *r = req->routing;
    if (r && r->routed) {
        *specificity = r->specificity;
        *id = r->id_len ? req->path + r->id_at : NULL;
        *id_len = r->id_len;
        return r->index;
    }
    *id = NULL;
    *id_len = 0;
    int index = scan_routes(req, specificity, id, id_len);
    if (r)
        *r = (api_routing){true, index, *specificity,
                           *id ? (size_t)(*id - req->path) : 0,
                           *id ? *id_len : 0};
    return index;
}

/* The answer to a path whose routes do not take the method: the Allow
 * header, and 204 for OPTIONS or 405 for anything else. */
static api_code not_allowed(const api_request *req, int specificity,
                            api_response *resp, api_err *err)
{
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

/* The 401 of a request without the right API key. */
static api_code unauthorized(const api_request *req, api_response *resp,
                             api_err *err)
{
    api_response_header(resp, "WWW-Authenticate", "Bearer realm=\"psinet\"");
    return api_fail(err, API_EAUTH,
                    req->authorization
                        ? "the API key in Authorization is not right"
                        : "this request needs Authorization: Bearer "
                          "<API key>");
}

/* 401 when the route needs the API key and req does not carry it. */
static api_code authenticate(const api_ctx *ctx, const api_request *req,
                             const api_route *route, api_response *resp,
                             api_err *err)
{
    if (!ctx->api_key || (route->flags & API_ROUTE_PUBLIC) ||
        (!(route->flags & API_ROUTE_WRITES) && !ctx->auth_reads) ||
        bearer_matches(req->authorization, ctx->api_key))
        return API_OK;
    return unauthorized(req, resp, err);
}

/* Whether a probe's route (API_ROUTE_PUBLIC) has the path of req. */
static bool public_path(const api_request *req)
{
    const api_candidate *list;
    int count = api_route_candidates(req->path, &list);
    for (int c = 0; c < count; c++) {
        const char *id;
        size_t id_len;
        if ((list[c].route->flags & API_ROUTE_PUBLIC) &&
            api_candidate_match(&list[c], req->path, &id, &id_len))
            return true;
    }
    return false;
}

/* Whether req must learn nothing of the routes: with auth_reads, a request
 * without the right key gets the same answer on every path but the
 * probes', so that which paths exist cannot be listed without the key. */
static bool routes_hidden(const api_ctx *ctx, const api_request *req)
{
    return ctx->api_key && ctx->auth_reads &&
           !bearer_matches(req->authorization, ctx->api_key) &&
           !public_path(req);
}

/* Every method a route may have, for the Allow of a hidden path. */
#define ALL_METHODS "GET, HEAD, POST, PATCH, DELETE, OPTIONS"

/* Routes req by its method and path, and checks its API key. Returns
 * API_OK with *route and its {id} (*id, *id_len), or API_OK with *route
 * NULL when resp already holds the answer (204 to OPTIONS), or the code of
 * the error every request with this head gets (err, and resp's headers:
 * Allow for 405, WWW-Authenticate for 401). */
static api_code route_request(const api_ctx *ctx, const api_request *req,
                              const api_route **route, const char **id,
                              size_t *id_len, api_response *resp,
                              api_err *err)
{
    *route = NULL;
    *id = NULL;
    *id_len = 0;
    if (routes_hidden(ctx, req)) {
        /* A preflight never carries the key: one answer for every path. */
        if (strcmp(req->method, "OPTIONS") != 0)
            return unauthorized(req, resp, err);
        api_response_header(resp, "Allow", ALL_METHODS);
        resp->status = 204;
        return API_OK;
    }
    int specificity;
    int index = find_route(req, &specificity, id, id_len);
    if (specificity < 0)
        return api_fail(err, API_ENOTFOUND, "no resource at %.200s", req->path);
    if (index < 0)
        return not_allowed(req, specificity, resp, err);
    *route = api_route_at(index);
    resp->route = index;
    return authenticate(ctx, req, *route, resp, err);
}

static api_code dispatch(const api_ctx *ctx, const api_request *req,
                         api_response *resp, api_err *err)
{
    const char *id;
    size_t id_len;
    const api_route *route;
    if (route_request(ctx, req, &route, &id, &id_len, resp, err) != API_OK ||
        !route || check_query(route, req, err) != API_OK)
        return err->code;

    char id_buf[STORE_ID_MAX * 2];
    if (id) {
        if (id_len >= sizeof id_buf)
            return api_fail(err, API_ENOTFOUND, "no resource at %.200s",
                            req->path);
        memcpy(id_buf, id, id_len);
        id_buf[id_len] = '\0';
    }
    json_t *body = NULL;
    pjson_lifted lifted = {0};
    if (!(route->flags & API_ROUTE_BODY) ||
        api_body_parse(ctx, req, route->flags, &body, &lifted, err) ==
            API_OK) {
        api_in in = {&ctx->limits, &lifted, err};
        api_call call = {ctx, route, req, id ? id_buf : NULL, body, &in};
        route->handler(&call, resp, err);
    }
    api_response_drop_json(resp, body);
    pjson_lifted_free(&lifted);
    return err->code;
}

/* Makes resp the answer to err: its problem+json, and of the headers
 * made so far only those an error needs (Allow for 405, WWW-Authenticate
 * for 401). */
static void answer_error(api_response *resp, const api_err *err)
{
    size_t kept = 0;
    for (size_t i = 0; i < resp->header_count; i++)
        if ((err->code == API_EMETHOD &&
             strcmp(resp->headers[i].name, "Allow") == 0) ||
            (err->code == API_EAUTH &&
             strcmp(resp->headers[i].name, "WWW-Authenticate") == 0))
            resp->headers[kept++] = resp->headers[i];
    resp->header_count = kept;
    api_response_problem(resp, err); /* the arena stays on: err's items
                                         live in it */
}

void api_handle(const api_ctx *ctx, const api_request *req,
                api_response *resp)
{
    memset(resp, 0, sizeof *resp);
    resp->route = -1;
    resp->arena = pjson_arena_begin();
    api_err err;
    api_err_init(&err);
    if (dispatch(ctx, req, resp, &err) != API_OK)
        answer_error(resp, &err);
    api_err_clear(&err);
    if (resp->arena)
        pjson_arena_pause();
}

bool api_handle_head(const api_ctx *ctx, const api_request *req,
                     api_response *resp)
{
    memset(resp, 0, sizeof *resp);
    resp->route = -1;
    resp->arena = pjson_arena_begin();
    api_err err;
    api_err_init(&err);
    const api_route *route;
    const char *id;
    size_t id_len;
    if (route_request(ctx, req, &route, &id, &id_len, resp, &err) ==
            API_OK &&
        route && (route->flags & API_ROUTE_BODY))
        api_body_media(req, route->flags, &err);
    bool refused = err.code != API_OK;
    if (refused)
        answer_error(resp, &err);
    api_err_clear(&err);
    if (!refused) {
        api_response_free(resp);
        memset(resp, 0, sizeof *resp);
        resp->route = -1;
    } else if (resp->arena) {
        pjson_arena_pause();
    }
    return refused;
}

bool api_takes_long(const api_ctx *ctx, const api_request *req)
{
    if (req->body_len > API_LONG_BODY)
        return true;
    int specificity;
    const char *id;
    size_t id_len;
    int index = find_route(req, &specificity, &id, &id_len);
    if (index < 0)
        return false;
    const api_route *route = api_route_at(index);
    return (route->flags & API_ROUTE_LONG) &&
           !(route->quick && route->quick(ctx, req, id, id_len));
}
