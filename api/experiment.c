/* api/experiment.c - the table of experiment kinds (api/experiment.h). */
#include "api/experiment.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* The columns each kind adds to the CSV export: its scalar parameters and
 * metrics (the vectors stay in the NDJSON export). */
static const api_experiment_column layer_superposition_columns[] = {
    {"network_id", "/params/network_id", NULL},
    {"mapping", "/params/mapping", "l2"},
    {"shots", "/result/measurement/shots", NULL},
    {"seed", "/result/measurement/seed", NULL},
    {"entropy_bits", "/result/metrics/entropy_bits", NULL},
    {"reference_entropy_bits", "/result/metrics/reference_entropy_bits",
     NULL},
    {"kl_divergence_bits", "/result/metrics/kl_divergence_bits", NULL},
    {"total_variation", "/result/metrics/total_variation", NULL},
    {"fidelity", "/result/metrics/fidelity", NULL},
    {"argmax_agrees", "/result/metrics/argmax_agrees", NULL},
    {NULL, NULL, NULL},
};

static const api_experiment_column neuron_activation_columns[] = {
    {"superposition_id", "/params/superposition_id", NULL},
    {"activation", "/params/activation", NULL},
    {"alpha", "/params/params/alpha", NULL},
    {"activation_probability_correlation",
     "/result/metrics/activation_probability_correlation", NULL},
    {NULL, NULL, NULL},
};

static const api_experiment_column collapse_propagation_columns[] = {
    {"network_id", "/params/network_id", NULL},
    {"mapping", "/params/mapping", "l2"},
    {"collapse", "/params/collapse", "one_hot"},
    {"collapse_layers", "/result/collapse_layers", NULL},
    {"shots", "/result/shots", NULL},
    {"seed", "/result/seed", NULL},
    {"deterministic_argmax", "/result/deterministic/argmax", NULL},
    {"agreement", "/result/metrics/agreement", NULL},
    {"kl_divergence_bits", "/result/metrics/kl_divergence_bits", NULL},
    {"total_variation", "/result/metrics/total_variation", NULL},
    {NULL, NULL, NULL},
};

/* A kind: its name, the function that runs it, and its export columns
 * (NULL: none beyond the common ones). */
static const struct {
    const char *name;
    api_experiment_fn run;
    const api_experiment_column *columns;
} kinds[] = {
    {"layer_superposition", api_run_layer_superposition,
     layer_superposition_columns},
    {"neuron_activation", api_run_neuron_activation,
     neuron_activation_columns},
    {"collapse_propagation", api_run_collapse_propagation,
     collapse_propagation_columns},
};

#define KIND_COUNT (sizeof kinds / sizeof kinds[0])

size_t api_experiment_kind_count(void)
{
    return KIND_COUNT;
}

const char *api_experiment_kind_name(size_t i)
{
    return kinds[i].name;
}

const api_experiment_column *api_experiment_kind_columns(size_t i)
{
    static const api_experiment_column none[] = {{NULL, NULL, NULL}};
    return kinds[i].columns ? kinds[i].columns : none;
}

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
