/* api/routes.c - the list of every resource's route table. */
#include "api/routes.h"

#include <pthread.h>
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

static const api_route *all[MAX_ROUTES];
static int all_count;
static pthread_once_t all_once = PTHREAD_ONCE_INIT;

/* Lists the tables' routes in all[]: the router reads them by index. */
static void list_all(void)
{
    for (const api_route *const *t = tables; *t; t++)
        for (const api_route *r = *t; r->method && all_count < MAX_ROUTES; r++)
            all[all_count++] = r;
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

int api_route_match(const char *pattern, const char *path, const char **id,
                    size_t *id_len)
{
    *id = NULL;
    *id_len = 0;
    while (*pattern) {
        const char *close = *pattern == '{' ? strchr(pattern, '}') : NULL;
        if (close) { /* {id}, {file}: one whole, non-empty segment */
            size_t n = strcspn(path, "/");
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
