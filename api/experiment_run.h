/* api/experiment_run.h - the analogy experiments themselves.
 *
 * layer_superposition (superposition <-> layer output): a forward pass whose
 * last output is read as a quantum state, compared with the softmax
 * distribution of the same layer, and optionally measured.
 *
 * neuron_activation (quantum state <-> neuron activation): a real state x
 * fed to neurons w_j; each neuron's activation sigma(w_j . x + b_j) beside
 * the Born-rule probability |<w_j/|w_j| | x/|x|>|^2 of finding x in the
 * direction of its weights. */
#ifndef PSINET_API_EXPERIMENT_RUN_H
#define PSINET_API_EXPERIMENT_RUN_H

#include <stdbool.h>

#include "api/api.h"
#include "api/err.h"

/* Whether kind names an experiment this build can run. */
bool api_experiment_kind_known(const char *kind);

/* The kinds, comma-separated, for messages (static string). */
const char *api_experiment_kinds(void);

/* Validates params for kind (errors point into /params/...), runs the
 * experiment and sets *result to its result object and *stored to the
 * params to keep (params with any drawn seed written in, so that running
 * *stored again gives the same result). Both are new references. */
api_code api_experiment_run(const api_ctx *ctx, const char *kind,
                            const json_t *params, json_t **stored,
                            json_t **result, api_err *err);

#endif
