/* api/layer_read.h - a dense layer and its inputs, read from a request.
 *
 * Shared by /v1/layers/forward, stored networks and experiments, so that a
 * layer is validated the same way wherever it appears. A layer's fields go
 * into the table of the object that holds them (api/read.h):
 *
 *     api_layer layer = {0};
 *     api_field fields[] = {API_LAYER_FIELDS(&layer), API_END};
 *     if (!api_read_known(in, obj, ptr, fields))
 *         ...
 *     bool ok = api_read_fields(in, obj, ptr, fields);
 *     ok = api_layer_finish(in, obj, ptr, &layer) && ok;
 *     ...
 *     api_layer_free(&layer);
 */
#ifndef PSINET_API_LAYER_READ_H
#define PSINET_API_LAYER_READ_H

#include <jansson.h>
#include <stdbool.h>

#include "api/read.h"
#include "core/clayer.h"
#include "core/layer.h"

/* A layer read from JSON; owns its weights and bias.
 *
 * A layer is real unless it says "complex": true; its weights and bias are
 * then amplitudes (a number, or [re, im]; in binary form, interleaved
 * pairs), its activation one of core/clayer.h's, and `cview` its view.
 * Only a caller that runs complex layers sets complex_ok before reading:
 * everywhere else "complex": true is a 422 that says where they run. */
typedef struct {
    layer_view view;    /* rows and cols once the weights are read (for a
                           complex layer too); the arrays and activation
                           once finished */
    api_matrix weights; /* owned */
    api_vector bias;    /* owned; x is NULL when none was given */
    bool complex_ok;    /* set by the caller: complex layers are taken */
    bool is_complex;    /* "complex": true was sent */
    clayer_view cview;  /* a complex layer's, once finished */
    api_cmatrix cweights; /* owned */
    api_amplitudes cbias; /* owned; c is NULL when none was given */
    api_vector modrelu_b; /* owned: modrelu's "b" per neuron, or NULL */
} api_layer;

/* The table entries of a layer's fields: complex, weights, bias,
 * activation and params (the last two read by api_layer_finish). */
#define API_LAYER_FIELDS(layer)                                                \
    API_FIELD("complex", api_layer_read_complex, (layer), NULL,               \
              API_OPTIONAL),                                                   \
        API_FIELD("weights", api_layer_read_weights, (layer), NULL, 0),       \
        API_FIELD("bias", api_layer_read_bias, (layer), NULL,                 \
                  API_NULL_ABSENT),                                            \
        API_FIELD("activation", NULL, NULL, NULL, API_LATER),                  \
        API_FIELD("params", NULL, NULL, NULL, API_LATER)

/* Readers of "complex" (true or false; true only where complex_ok),
 * "weights" (at most max_matrix numbers or amplitudes) and "bias" (one per
 * row of the weights read before it); out: api_layer. */
bool api_layer_read_complex(const api_in *in, const json_t *v,
                            const char *ptr, const api_field *f);
bool api_layer_read_weights(const api_in *in, const json_t *v,
                            const char *ptr, const api_field *f);
bool api_layer_read_bias(const api_in *in, const json_t *v, const char *ptr,
                         const api_field *f);

/* Reads the activation and params of obj (at ptr) into layer and points
 * its view at its arrays. Returns false, with the error in in->err, when
 * they are wrong. */
bool api_layer_finish(const api_in *in, const json_t *obj, const char *ptr,
                      api_layer *layer);

/* A layer that is a JSON object of its own (at ptr): api_read_known with
 * the layer's fields alone, then api_read_fields and api_layer_finish. */
bool api_layer_read(const api_in *in, const json_t *obj, const char *ptr,
                    api_layer *layer);

void api_layer_free(api_layer *layer);

/* The inputs of a forward pass: "input" (one vector) or "inputs" (a
 * batch), read by api_inputs_read. */
typedef struct {
    double *x; /* batch x cols, row-major, owned */
    size_t batch;
    size_t cols;
    bool is_batch; /* given as "inputs" */
} api_inputs;

#define API_INPUT_FIELDS                                                       \
    API_FIELD("input", NULL, NULL, NULL, API_LATER),                           \
        API_FIELD("inputs", NULL, NULL, NULL, API_LATER)

/* Reads exactly one of "input" or "inputs" from obj (at ptr). Every vector
 * must have `cols` entries; cols == 0 skips that check (the layer was
 * invalid, but the inputs are still checked for their own errors). */
bool api_inputs_read(const api_in *in, const json_t *obj, const char *ptr,
                     size_t cols, api_inputs *out);

void api_inputs_free(api_inputs *inputs);

/* The inputs of a complex layer: amplitudes (a number or [re, im] each;
 * in binary form, interleaved pairs) for "input", rows of them for
 * "inputs". */
typedef struct {
    double complex *x; /* batch x cols, row-major, owned */
    size_t batch;
    size_t cols;
    bool is_batch;
} api_cinputs;

/* api_inputs_read for a complex layer. */
bool api_cinputs_read(const api_in *in, const json_t *obj, const char *ptr,
                      size_t cols, api_cinputs *out);

void api_cinputs_free(api_cinputs *inputs);

#endif
