/* api/experiment.c - the table of experiment kinds (api/experiment.h). */
#include "api/experiment.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    api_experiment_fn run;
} kinds[] = {
    {"layer_superposition", api_run_layer_superposition},
    {"neuron_activation", api_run_neuron_activation},
    {"collapse_propagation", api_run_collapse_propagation},
};

#define KIND_COUNT (sizeof kinds / sizeof kinds[0])

api_experiment_fn api_experiment_find(const char *name)
{
    for (size_t i = 0; i < KIND_COUNT; i++)
        if (strcmp(kinds[i].name, name) == 0)
            return kinds[i].run;
    return NULL;
}

static char kind_list[256];
static pthread_once_t kind_list_once = PTHREAD_ONCE_INIT;

static void write_kind_list(void)
{
    size_t len = 0;
    for (size_t i = 0; i < KIND_COUNT && len < sizeof kind_list; i++)
        len += (size_t)snprintf(kind_list + len, sizeof kind_list - len,
                                "%s%s", i ? ", " : "", kinds[i].name);
}

const char *api_experiment_kinds(void)
{
    pthread_once(&kind_list_once, write_kind_list);
    return kind_list;
}
