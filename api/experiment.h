/* api/experiment.h - the analogy experiments: a table of kinds, each a
 * function that validates its params and computes its result.
 *
 * layer_superposition (superposition <-> layer output) is
 * api/exp_layer_superposition.c, neuron_activation (quantum state <->
 * neuron activation) api/exp_neuron_activation.c, collapse_propagation
 * (a network measured at chosen layers, only the outcomes fed on)
 * api/exp_collapse_propagation.c; core/analogy.h and core/collapse.h have
 * the mathematics. A new kind is one more file like these and one more
 * line in api/experiment.c's table, with the columns it adds to the CSV
 * export (api/export.h). */
#ifndef PSINET_API_EXPERIMENT_H
#define PSINET_API_EXPERIMENT_H

#include <stdbool.h>
#include <stdint.h>

#include "api/handler.h"
#include "store/experiment.h"

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
api_code api_run_collapse_propagation(const api_ctx *ctx, const api_in *in,
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

/* ------------------------------------------------------------ for every
 * kind: stored inputs and rerun (api/exp_run.c).
 *
 * A kind that runs on a stored input names it at the top of its params by
 * network_id or superposition_id. Whatever the kind, when it runs, the
 * machinery records each such input's content hash (store/digest.h), so
 * that a rerun can say whether the input is still the one it ran on. */

/* What a kind keeps of the params it ran on (api_experiment_fn's
 * *stored): a copy, with seed written in when it was drawn (drawn), so
 * that running the copy again gives the same result. NULL, with the
 * no-memory error set, when it cannot be made. */
json_t *api_experiment_kept(const api_in *in, const json_t *params,
                            bool drawn, uint64_t seed);

/* Runs the kind called kind (api_experiment_fn's *stored and *result) and
 * sets *used to the stored inputs params names, as they were when it ran:
 * [{"pointer": "/params/network_id", "type": "network", "id", "sha256"}]
 * (sha256 null when there is no such input). *used is set (a new
 * reference) whenever the inputs could be looked at, even when the kind
 * then fails. An input that psinet can change in place (a superposition,
 * by normalize) and that changed during the run makes it a 503: which
 * version it ran on is not known. */
api_code api_experiment_run(const api_ctx *ctx, const api_in *in,
                            const char *kind, const json_t *params,
                            json_t **stored, json_t **result,
                            json_t **used);

/* Recomputes the stored experiment e from its stored params (and so its
 * seed), with its stored inputs as they are now, and sets *answer to what
 * POST /v1/experiments/{id}/rerun answers (openapi.yaml's RerunResult):
 * whether it was recomputed, whether the result is the stored text byte
 * for byte, the first difference (json/pjson.h's walk, from /result) with
 * both values, and for each stored input its recorded and current hashes.
 * An experiment that cannot run again (an input deleted, a limit lowered)
 * is an answer with the error; only a server that cannot run it now (503)
 * or a bug fails. Writes nothing. */
api_code api_experiment_rerun(const api_ctx *ctx, const api_in *in,
                              const store_experiment *e, json_t **answer);

#endif
