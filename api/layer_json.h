/* api/layer_json.h - a dense layer and its inputs, read from a request.
 *
 * Shared by /v1/layers/forward, stored networks and experiments, so that a
 * layer is validated the same way wherever it appears. */
#ifndef PSINET_API_LAYER_JSON_H
#define PSINET_API_LAYER_JSON_H

#include <jansson.h>
#include <stdbool.h>

#include "api/api.h"
#include "api/err.h"
#include "core/layer.h"

/* A layer read from JSON; owns its weights and bias. */
typedef struct {
    layer_view view; /* weights and bias point at the owned arrays */
    double *weights;
    double *bias;    /* NULL when the request gave none */
    bool has_params; /* whether "params" was given */
} api_layer;

/* Reads {"weights", "bias"?, "activation", "params"?} from obj (whose other
 * fields the caller checks), at JSON Pointer ptr. On failure *out owns
 * nothing (it is safe to free) but keeps view.rows and view.cols when the
 * weights themselves were valid (0 otherwise). */
bool api_layer_read(const json_t *obj, const char *ptr,
                    const api_limits *lim, api_layer *out, api_err *err);

void api_layer_free(api_layer *layer);

/* The inputs of a forward pass: "input" (one vector) or "inputs" (a batch). */
typedef struct {
    double *x;     /* batch x cols, row-major, owned */
    size_t batch;
    size_t cols;
    bool is_batch; /* given as "inputs" */
} api_inputs;

/* Reads exactly one of "input" or "inputs" from obj. Every vector must have
 * `cols` entries; cols == 0 skips that check (the layer was invalid, but the
 * inputs are still checked for their own errors). */
bool api_inputs_read(const json_t *obj, const char *ptr, size_t cols,
                     const api_limits *lim, api_inputs *out, api_err *err);

void api_inputs_free(api_inputs *in);

#endif
