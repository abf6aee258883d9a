/* api/routes.c - the list of every resource's route table. */
#include "api/routes.h"

#include <pthread.h>
#include <stdbool.h>
#include <string.h>

/* Each resource file exports one table, ending with a zeroed entry. A new
 * resource is one more line here. */
#define RESOURCES(X)                                                           \
    X(api_meta_routes)                                                         \
    X(api_superposition_routes)                                                \
    X(api_operation_routes)                                                    \
    X(api_layer_routes)                                                        \
    X(api_network_routes)                                                      \
    X(api_experiment_routes)                                                   \
    X(api_web_routes)

#define DECLARE(table) extern const api_route table[];
RESOURCES(DECLARE)

#define LIST(table) table,
static const api_route *const tables[] = {RESOURCES(LIST) NULL};

/* Most routes in all; a test checks the tables stay below it. */
#define MAX_ROUTES 128

/* The router's index: the routes grouped by the head of their pattern (its
 * first two segments, "/v1/superpositions", or the whole of a shorter one,
 * "/healthz"). A route can match only a path with the same head, unless
 * its head has a {name} in it ("/ui/{file}"): such a route is in every
 * group, and alone in the group of the heads no route has. Each group
 * lists its routes in table order (the router's ties go to the first), each
 * with the bytes of its pattern the head is (the path has them too), or 0
 * for a route in every group. */
#define MAX_GROUPS 48

typedef struct {
    const char *head; /* in the first route's pattern */
    size_t head_len;
    int count;
    api_candidate route[MAX_ROUTES];
} group;

static const api_route *all[MAX_ROUTES];
static int all_count;
static group groups[MAX_GROUPS + 1]; /* the last: heads no route has */
static int group_count;
static pthread_once_t all_once = PTHREAD_ONCE_INIT;

/* The length of the head of a path or pattern: up to its third '/'. */
static size_t head_length(const char *path)
{
    const char *p = path;
    for (int slashes = 0; *p; p++)
        if (*p == '/' && ++slashes == 3)
            break;
    return (size_t)(p - path);
}

/* The group of head (head_len bytes), or NULL. */
static group *group_of(const char *head, size_t head_len)
{
    for (int g = 0; g < group_count; g++)
        if (groups[g].head_len == head_len &&
            memcmp(groups[g].head, head, head_len) == 0)
            return &groups[g];
    return NULL;
}

/* The count of {name} segments in pattern. */
static int params_of(const char *pattern)
{
    int n = 0;
    for (const char *p = pattern; *p; p++)
        n += *p == '{';
    return n;
}

/* Lists the tables' routes in all[] (the router reads them by index) and
 * groups them by head. */
static void list_all(void)
{
    for (const api_route *const *t = tables; *t; t++)
        for (const api_route *r = *t; r->method && all_count < MAX_ROUTES; r++)
            all[all_count++] = r;
    for (int i = 0; i < all_count; i++) {
        const char *p = all[i]->pattern;
        size_t n = head_length(p);
        if (memchr(p, '{', n) || group_of(p, n) || group_count == MAX_GROUPS)
            continue;
        groups[group_count].head = p;
        groups[group_count++].head_len = n;
    }
    for (int i = 0; i < all_count; i++) {
        const char *p = all[i]->pattern;
        size_t n = head_length(p);
        bool any = memchr(p, '{', n) != NULL;
        group *own = any ? NULL : group_of(p, n);
        for (int g = 0; g <= group_count; g++) {
            group *gr = &groups[g];
            if (any || gr == own || (!own && g == group_count))
                gr->route[gr->count++] = (api_candidate){
                    all[i], (short)i, (unsigned short)(gr == own ? n : 0),
                    params_of(p)};
        }
    }
}

int api_route_candidates(const char *path, const api_candidate **list)
{
    pthread_once(&all_once, list_all);
    const group *g = group_of(path, head_length(path));
    if (!g)
        g = &groups[group_count];
    *list = g->route;
    return g->count;
}

int api_route_count(void)
{
    pthread_once(&all_once, list_all);
    return all_count;
}

const api_route *api_route_at(int i)
{
    return i >= 0 && i < api_route_count() ? all[i] : NULL;
}

const char *api_route_name(int i)
{
    const api_route *r = api_route_at(i);
    return r ? r->name : "none";
}

int api_candidate_match(const api_candidate *c, const char *path,
                        const char **id, size_t *id_len)
{
    const char *pattern = c->route->pattern + c->skip;
    path += c->skip;
    if (*pattern != '{' && *pattern != *path) {
        *id = NULL;
        *id_len = 0;
        return 0;
    }
    return api_route_match(pattern, path, id, id_len);
}

int api_route_match(const char *pattern, const char *path, const char **id,
                    size_t *id_len)
{
    *id = NULL;
    *id_len = 0;
    while (*pattern) {
        const char *close = pattern;
        if (*pattern == '{') /* names are short: loops, not calls */
            while (*close && *close != '}')
                close++;
        if (*pattern == '{' && *close == '}') { /* {id}, {file}: one whole,
                                                  non-empty segment */
            size_t n = 0;
            while (path[n] && path[n] != '/')
                n++;
            if (n == 0)
                return 0;
            *id = path;
            *id_len = n;
            path += n;
            pattern = close + 1;
            continue;
        }
        if (*pattern != *path)
            return 0;
        pattern++;
        path++;
    }
    return *path == '\0';
}
