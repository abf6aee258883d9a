/* core/layer.c - dense forward passes through CBLAS.
 *
 * One input: z = W x + b with dgemv. A batch: Z = X W^T + 1 b^T with dgemm
 * on row-major arrays (each input is a row of X, each neuron a row of W). */
#include "core/layer.h"

#include <cblas.h>
#include <string.h>

/* Fills each of the `rows` rows of Z (width m) with the bias, or zeros. */
static void fill_bias(double *Z, size_t rows, size_t m, const double *bias)
{
    for (size_t r = 0; r < rows; r++) {
        if (bias)
            memcpy(Z + r * m, bias, m * sizeof *Z);
        else
            memset(Z + r * m, 0, m * sizeof *Z);
    }
}

void layer_forward(const layer_view *layer, const double *x, double *z,
                   double *a)
{
    double *out = z ? z : a;
    size_t m = layer->rows, n = layer->cols;
    fill_bias(out, 1, m, layer->bias);
    cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)m, (int)n, 1.0,
                layer->weights, (int)n, x, 1, 1.0, out, 1);
    act_apply(&layer->act, out, a, m);
}

void layer_forward_batch(const layer_view *layer, const double *X,
                         size_t batch, double *Z, double *A)
{
    if (batch == 1) {
        layer_forward(layer, X, Z, A);
        return;
    }
    double *out = Z ? Z : A;
    size_t m = layer->rows, n = layer->cols;
    fill_bias(out, batch, m, layer->bias);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)batch, (int)m,
                (int)n, 1.0, X, (int)n, layer->weights, (int)n, 1.0, out,
                (int)m);
    for (size_t r = 0; r < batch; r++)
        act_apply(&layer->act, out + r * m, A + r * m, m);
}

void layer_blas_single_threaded(void)
{
    openblas_set_num_threads(1);
}
