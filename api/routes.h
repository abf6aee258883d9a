/* api/routes.h - every route of the service: the resources' tables, one
 * after the other, read by the router and the 405 Allow header. */
#ifndef PSINET_API_ROUTES_H
#define PSINET_API_ROUTES_H

#include "api/handler.h"

/* Route i (0 <= i < api_route_count()), in the order the router tries
 * them. */
const api_route *api_route_at(int i);

/* A route that may match a path: its index (api_route_at), how many
 * bytes at the start of its pattern the path is known to have, and the
 * count of {name} segments in its pattern. */
typedef struct {
    const api_route *route;
    short index;
    unsigned short skip;
    int params;
} api_candidate;

/* The routes that may match path, in table order, into *list; returns how
 * many. Every route that matches path is among them: the router tries
 * these, not the whole table, and each from its skip on
 * (api_route_match(pattern + skip, path + skip, ...)). */
int api_route_candidates(const char *path, const api_candidate **list);

/* Whether path matches the candidate's route (from its skip on, a first
 * literal byte that differs told without a call), with *id as
 * api_route_match gives it. */
int api_candidate_match(const api_candidate *c, const char *path,
                        const char **id, size_t *id_len);

/* Whether path matches pattern; *id receives the segment of a {name} in
 * the pattern ({id}, {file}: one whole, non-empty segment, pointing into
 * path, length *id_len) when the pattern has one. */
int api_route_match(const char *pattern, const char *path, const char **id,
                    size_t *id_len);

#endif
