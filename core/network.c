/* core/network.c - forward passes through a stack of layers. */
#include "core/network.h"

#include "core/vec.h"

core_status network_forward(const layer_view *layers, size_t count,
                            const double *X, size_t batch, double *const *Z,
                            double *const *A, size_t *failed)
{
    const double *in = X;
    for (size_t l = 0; l < count; l++) {
        size_t n = batch * layers[l].rows;
        layer_forward_batch(&layers[l], in, batch, Z[l], A[l]);
        if (!vec_all_finite(Z[l], n) || !vec_all_finite(A[l], n)) {
            *failed = l;
            return CORE_ERANGE;
        }
        in = A[l];
    }
    return CORE_OK;
}
