/* api/routes.c - every route of the service, in one table. */
#include "api/routes.h"

#include <string.h>

const api_route api_routes[] = {
    {"GET", "/healthz", api_health, ROUTE_PUBLIC, "healthz"},
    {"GET", "/readyz", api_ready, ROUTE_PUBLIC, "readyz"},
    {"GET", "/metrics", api_metrics, 0, "metrics"},
    {"GET", "/version", api_version, 0, "version"},
    {"GET", "/openapi.yaml", api_openapi, 0, "openapi"},
    {"POST", "/v1/superpositions/normalize", api_superposition_normalize,
     ROUTE_BODY | ROUTE_LIFT_B64, "superpositions.normalize"},
    {"POST", "/v1/layers/forward", api_layer_forward,
     ROUTE_BODY | ROUTE_LIFT_B64, "layers.forward"},

    {"POST", "/v1/superpositions", api_superposition_create,
     ROUTE_BODY | ROUTE_WRITES | ROUTE_LIFT_B64, "superpositions.create"},
    {"GET", "/v1/superpositions", api_superposition_list, 0,
     "superpositions.list"},
    {"GET", "/v1/superpositions/{id}", api_superposition_get, 0,
     "superpositions.get"},
    {"DELETE", "/v1/superpositions/{id}", api_superposition_delete,
     ROUTE_WRITES, "superpositions.delete"},
    {"POST", "/v1/superpositions/{id}/normalize",
     api_superposition_normalize_stored,
     ROUTE_BODY | ROUTE_BODY_OPTIONAL | ROUTE_WRITES,
     "superpositions.normalize_stored"},
    {"POST", "/v1/superpositions/{id}/measure", api_superposition_measure,
     ROUTE_BODY, "superpositions.measure"},

    {"POST", "/v1/networks", api_network_create,
     ROUTE_BODY | ROUTE_WRITES | ROUTE_LIFT_B64, "networks.create"},
    {"GET", "/v1/networks", api_network_list, 0, "networks.list"},
    {"GET", "/v1/networks/{id}", api_network_get, 0, "networks.get"},
    {"DELETE", "/v1/networks/{id}", api_network_delete, ROUTE_WRITES,
     "networks.delete"},
    {"POST", "/v1/networks/{id}/forward", api_network_forward,
     ROUTE_BODY | ROUTE_LIFT_B64, "networks.forward"},

    {"POST", "/v1/experiments", api_experiment_create,
     ROUTE_BODY | ROUTE_WRITES, "experiments.create"},
    {"GET", "/v1/experiments", api_experiment_list, 0, "experiments.list"},
    {"GET", "/v1/experiments/{id}", api_experiment_get, 0,
     "experiments.get"},
    {"PATCH", "/v1/experiments/{id}", api_experiment_patch,
     ROUTE_BODY | ROUTE_WRITES, "experiments.patch"},
    {"DELETE", "/v1/experiments/{id}", api_experiment_delete, ROUTE_WRITES,
     "experiments.delete"},
    {0, 0, 0, 0, 0},
};

int api_route_count(void)
{
    int n = 0;
    while (api_routes[n].method)
        n++;
    return n;
}

const char *api_route_name(int i)
{
    return i >= 0 && i < api_route_count() ? api_routes[i].name : "none";
}

int api_route_match(const char *pattern, const char *path, const char **id,
                    size_t *id_len)
{
    *id = NULL;
    *id_len = 0;
    while (*pattern) {
        if (*pattern == '{' && strncmp(pattern, "{id}", 4) == 0) {
            size_t n = strcspn(path, "/");
            if (n == 0)
                return 0;
            *id = path;
            *id_len = n;
            path += n;
            pattern += 4;
            continue;
        }
        if (*pattern != *path)
            return 0;
        pattern++;
        path++;
    }
    return *path == '\0';
}
