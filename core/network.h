/* core/network.h - a forward pass through a stack of dense layers, keeping
 * every layer's pre-activations and outputs (for traces and experiments). */
#ifndef PSINET_CORE_NETWORK_H
#define PSINET_CORE_NETWORK_H

#include <stddef.h>

#include "core/layer.h"
#include "core/status.h"

/* Runs the batch X (batch x layers[0].cols, row-major) through
 * layers[0..count-1], each taking the previous one's outputs: layer l
 * writes Z[l] and A[l], caller-owned arrays of batch x layers[l].rows.
 * CORE_ERANGE when a layer's results are not all finite (an overflow), with
 * that layer's index in *failed; the layers after it are not run. */
core_status network_forward(const layer_view *layers, size_t count,
                            const double *X, size_t batch, double *const *Z,
                            double *const *A, size_t *failed);

#endif
