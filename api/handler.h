/* api/handler.h - what a resource file is made of: handlers and the route
 * table that lists them.
 *
 * A handler is a plain function: it reads the call (context, request, the
 * {id} from the path, the parsed JSON body) and either fills resp and
 * returns API_OK, or fills err and returns its code. It never writes to a
 * socket. Each resource file (meta.c, superpositions.c, ...) keeps its
 * handlers static and exports one table of routes; api/routes.c lists the
 * tables. */
#ifndef PSINET_API_HANDLER_H
#define PSINET_API_HANDLER_H

#include "api/api.h"
#include "api/problem.h"
#include "api/read.h"

typedef struct api_route api_route;

typedef struct {
    const api_ctx *ctx;
    const api_route *route; /* the route that matched */
    const api_request *req;
    const char *id;     /* the {id} (or {file}) segment of the path, or NULL */
    const json_t *body; /* the parsed body object (borrowed), or NULL */
    const api_in *in;   /* for reading the body: limits, lifted arrays,
                           and err (the handler's own) */
} api_call;

typedef api_code (*api_handler)(const api_call *call, api_response *resp,
                                api_err *err);

enum {
    API_ROUTE_BODY = 1 << 0,          /* takes a JSON object body */
    API_ROUTE_BODY_OPTIONAL = 1 << 1, /* ... which may be absent */
    API_ROUTE_WRITES = 1 << 2,        /* changes stored state */
    API_ROUTE_PUBLIC = 1 << 3,        /* never needs the API key (probes) */
    API_ROUTE_LIFT_B64 = 1 << 4,      /* long base64 arrays are decoded
                                         before the body is parsed
                                         (json/pjson.h): only for handlers
                                         that keep no part of the body as
                                         JSON */
    API_ROUTE_LONG = 1 << 5,          /* may take long whatever the body's
                                         size: its work or its answer is
                                         bounded by what is stored, not by
                                         what it is sent (api_takes_long) */
    API_ROUTE_LIFT_NUMBERS = 1 << 6   /* numeric arrays under the keys of
                                         vectors and matrices (api/body.c)
                                         are read before the body is parsed
                                         (json/pjson.h): only for handlers
                                         that read those keys with
                                         api_read_vector, _matrix or
                                         _amplitudes alone */
};

struct api_route {
    const char *method;
    const char *pattern; /* "/v1/networks/{id}/forward" */
    api_handler handler;
    unsigned flags;
    const char *name;      /* a stable label for logs and metrics */
    const char *operation; /* its operationId in openapi.yaml */
    const char *query;     /* the query parameters it takes, separated by
                              spaces; one that may be repeated ends in '*'
                              ("limit cursor tag*"); NULL: none. Any other
                              is a 400 before the handler runs. */
    /* For an API_ROUTE_LONG route: whether this request's work is known
     * to be small after all (api_takes_long), deciding from the request
     * whole and the path's {id} (id_len bytes, not NUL-terminated; NULL
     * when the route has none) without waiting on anything; NULL: the
     * route's requests always may take long. */
    bool (*quick)(const api_ctx *ctx, const api_request *req,
                  const char *id, size_t id_len);
};

/* Sets resp to status with a JSON body (taken). Returns API_OK; a NULL body
 * (a value that could not be built) is api_no_memory's 503. */
api_code api_reply(api_response *resp, int status, json_t *body,
                   api_err *err);

/* The first query parameter called key, or NULL; *present (when not NULL)
 * tells whether it appeared at all (a bare `?key` has a NULL value). */
const char *api_query_get(const api_request *req, const char *key,
                          int *present);

/* Every value of the query parameter key, in order, into values (room for
 * max); returns how many there are (which may be more than max). */
size_t api_query_all(const api_request *req, const char *key,
                     const char **values, size_t max);

#endif
