/* api/experiment.h - the analogy experiments: a table of kinds, each a
 * function that validates its params and computes its result.
 *
 * layer_superposition (superposition <-> layer output) is
 * api/exp_layer_superposition.c, neuron_activation (quantum state <->
 * neuron activation) api/exp_neuron_activation.c; core/analogy.h has the
 * mathematics of both. A new kind is one more file like these and one more
 * line in api/experiment.c's table, with the columns it adds to the CSV
 * export (api/export.h). */
#ifndef PSINET_API_EXPERIMENT_H
#define PSINET_API_EXPERIMENT_H

#include <stdbool.h>

#include "api/handler.h"

/* Validates params (errors point into /params/...) and runs the
 * experiment: sets *result to its result object and *stored to the params
 * to keep (params with any drawn seed written in, so that running *stored
 * again gives the same result). Both are new references, NULL on failure. */
typedef api_code (*api_experiment_fn)(const api_ctx *ctx, const api_in *in,
                                      const json_t *params, json_t **stored,
                                      json_t **result);

api_code api_run_layer_superposition(const api_ctx *ctx, const api_in *in,
                                     const json_t *params, json_t **stored,
                                     json_t **result);
api_code api_run_neuron_activation(const api_ctx *ctx, const api_in *in,
                                   const json_t *params, json_t **stored,
                                   json_t **result);

/* A column of the CSV export of experiments (GET /v1/experiments/export):
 * one value of a stored experiment of the kind, named "<kind>.<name>" in
 * the header. pointer is a JSON Pointer into {"params": <params>,
 * "result": <result>} (plain keys and indices, no ~ escapes). */
typedef struct {
    const char *name;
    const char *pointer;
    const char *absent; /* the text written when the pointer finds nothing
                           (a parameter's default), or NULL for an empty
                           field */
} api_experiment_column;

/* The number of kinds; their names and their export columns in the order
 * of the table (columns end with a {NULL} entry). */
size_t api_experiment_kind_count(void);
const char *api_experiment_kind_name(size_t i);
const api_experiment_column *api_experiment_kind_columns(size_t i);

/* The experiment kind called name, or NULL. */
api_experiment_fn api_experiment_find(const char *name);

/* The kinds' names, comma-separated, for messages (a static string). */
const char *api_experiment_kinds(void);

#endif
