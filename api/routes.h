/* api/routes.h - the route table: data that both the router and the 405
 * Allow header read. */
#ifndef PSINET_API_ROUTES_H
#define PSINET_API_ROUTES_H

#include "api/handlers.h"

enum {
    ROUTE_BODY = 1 << 0,          /* takes a JSON object body */
    ROUTE_BODY_OPTIONAL = 1 << 1, /* ... which may be absent */
    ROUTE_WRITES = 1 << 2,        /* changes stored state */
    ROUTE_PUBLIC = 1 << 3,        /* never needs the API key (probes) */
    ROUTE_LIFT_B64 = 1 << 4       /* long base64 arrays are decoded before
                                     the body is parsed (api/b64_lift.h):
                                     only for handlers that keep no part of
                                     the body as JSON */
};

typedef struct {
    const char *method;
    const char *pattern; /* "/v1/networks/{id}/forward" */
    api_handler handler;
    unsigned flags;
    const char *name;    /* a stable label for logs and metrics */
} api_route;

/* The table, ending with a zeroed entry. */
extern const api_route api_routes[];

/* Whether path matches pattern; *id receives the {id} segment (pointing
 * into path, length *id_len) when the pattern has one. */
int api_route_match(const char *pattern, const char *path, const char **id,
                    size_t *id_len);

#endif
