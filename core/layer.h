/* core/layer.h - dense layers a = sigma(W x + b).
 *
 * Weights are row-major, `rows` x `cols`: row j holds the weights into neuron
 * j, so a_j = sigma(sum_i w_ji x_i + b_j) — the paper's w_ij with i the input
 * and j the neuron. The dense products go through CBLAS. */
#ifndef PSINET_CORE_LAYER_H
#define PSINET_CORE_LAYER_H

#include <stddef.h>

#include "core/activation.h"

/* A borrowed view of one layer: nothing here owns the arrays. */
typedef struct {
    size_t rows;           /* outputs (neurons) */
    size_t cols;           /* inputs */
    const double *weights; /* rows * cols, row-major */
    const double *bias;    /* rows, or NULL for zeros */
    act_spec act;
} layer_view;

/* One input x[cols]: writes the pre-activation z[rows] and the output
 * a[rows]. z and a must not alias x; z may be NULL when not wanted (a is then
 * computed through an internal pass over a itself). */
void layer_forward(const layer_view *layer, const double *x, double *z,
                   double *a);

/* A batch of inputs X[batch][cols] (row-major): writes Z[batch][rows] and
 * A[batch][rows]. Z may be NULL. Same numbers as `batch` calls of
 * layer_forward, to within the BLAS's rounding. */
void layer_forward_batch(const layer_view *layer, const double *X,
                         size_t batch, double *Z, double *A);

/* Keeps the BLAS to the calling thread (OpenBLAS starts a pool of its own
 * otherwise): a server's worker threads are its parallelism already. Call
 * once, before the first forward pass. */
void layer_blas_single_threaded(void);

#endif
