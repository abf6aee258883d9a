/* api/forward.h - forward passes as requests ask for them: within the
 * limits, every layer's pre-activations and outputs kept (for traces and
 * experiments), overflow refused. */
#ifndef PSINET_API_FORWARD_H
#define PSINET_API_FORWARD_H

#include "api/problem.h"
#include "api/read.h"
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

/* Views of a stored network's layers (borrowing its arrays) into a
 * malloc'd array. A layer whose activation this build does not know is a
 * 500 (the store held something the api never wrote). */
api_code api_network_views(const store_network *net, layer_view **views,
                           api_err *err);

#endif
