/* bench/kernels.c - GFLOP/s of the core's dense forward pass (784 -> 256,
 * relu) against OpenBLAS's dgemm called directly on the same arrays, at
 * batch 1, 32 and 256, one thread (as psinet runs it). */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench/clock.h"
#include "core/layer.h"

static double *filled(size_t n, unsigned seed)
{
    double *x = malloc(n * sizeof *x);
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        x[i] = (double)(seed >> 8) / 16777216.0 - 0.5;
    }
    return x;
}

static const size_t m = 256, n = 784;
static double *w, *b, *x, *z, *a;
static layer_view layer;

static void run_core(size_t k)
{
    layer_forward_batch(&layer, x, k, z, a);
}

static void run_blas(size_t k)
{
    if (k == 1)
        cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)m, (int)n, 1.0, w,
                    (int)n, x, 1, 0.0, z, 1);
    else
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)k, (int)m,
                    (int)n, 1.0, x, (int)n, w, (int)n, 0.0, z, (int)m);
}

/* Seconds per call of f(k), timed over about half a second. */
static double seconds_per_call(void (*f)(size_t), size_t k)
{
    long reps = 0;
    double start = bench_now(), t;
    do {
        f(k);
        reps++;
    } while ((t = bench_now() - start) < 0.5);
    return t / (double)reps;
}

int main(void)
{
    openblas_set_num_threads(1);
    w = filled(m * n, 1);
    b = filled(m, 2);
    x = filled(256 * n, 3);
    z = malloc(256 * m * sizeof *z);
    a = malloc(256 * m * sizeof *a);
    layer = (layer_view){m, n, w, b, act_default(ACT_RELU)};
    printf("%-8s %14s %14s %8s\n", "batch", "core GFLOP/s", "OpenBLAS GFLOP/s",
           "ratio");
    const size_t batches[] = {1, 32, 256};
    for (size_t i = 0; i < 3; i++) {
        size_t k = batches[i];
        double flops = 2.0 * (double)(m * n * k);
        double core = seconds_per_call(run_core, k);
        double blas = seconds_per_call(run_blas, k);
        printf("%-8zu %14.2f %14.2f %8.2f\n", k, flops / core / 1e9,
               flops / blas / 1e9, blas / core);
    }
    free(w);
    free(b);
    free(x);
    free(z);
    free(a);
    return 0;
}
