/* api/forward.h - forward passes as requests ask for them: within the
 * limits, every layer's pre-activations and outputs kept (for traces and
 * experiments), overflow refused. */
#ifndef PSINET_API_FORWARD_H
#define PSINET_API_FORWARD_H

#include "api/problem.h"
#include "api/read.h"
#include "core/clayer.h"
#include "core/layer.h"
#include "store/network.h"

typedef struct {
    size_t rows;
    double *z; /* batch x rows pre-activations, owned */
    double *a; /* batch x rows outputs, owned */
} api_layer_out;

/* Runs X (batch x layers[0].cols) through layers[0..count-1]; sets *outs
 * to a malloc'd array of count results the caller frees with
 * api_forward_free. Every layer's outputs are kept, so a pass whose
 * batch x (sum of the layers' rows) passes max_outputs is refused first,
 * with a 422 at ptr (the inputs). A result that is not finite (overflow)
 * is a 422 too. */
api_code api_forward(const layer_view *layers, size_t count, const double *X,
                     size_t batch, api_limit max_outputs, const char *ptr,
                     api_layer_out **outs, api_err *err);

void api_forward_free(api_layer_out *outs, size_t count);

/* A complex layer's pre-activations and outputs, batch x rows each. */
typedef struct {
    size_t rows;
    double complex *z; /* owned */
    double complex *a; /* owned */
} api_clayer_out;

/* Runs X (batch x layer->cols) through the complex layer into *out (free
 * it with api_clayer_out_free), within max_outputs as api_forward; a
 * result that is not finite is a 422 too. */
api_code api_cforward(const clayer_view *layer, const double complex *X,
                      size_t batch, api_limit max_outputs, const char *ptr,
                      api_clayer_out *out, api_err *err);

void api_clayer_out_free(api_clayer_out *out);

/* Views of a stored network's layers (borrowing its arrays) into a
 * malloc'd array. A layer whose activation this build does not know is a
 * 500 (the store held something the api never wrote). */
api_code api_network_views(const store_network *net, layer_view **views,
                           api_err *err);

#endif
