/* core/analogy.c - the layer-as-state and neuron-as-measurement
 * correspondences (core/analogy.h). */
#include "core/analogy.h"

#include <math.h>

#include "core/activation.h"
#include "core/state.h"
#include "core/stats.h"
#include "core/vec.h"

core_status analogy_layer_state(analogy_mapping mapping, const double *z,
                                const double *a, size_t n,
                                double complex *amps, double *ref)
{
    act_softmax(z, ref, n);
    if (mapping == ANALOGY_SOFTMAX_SQRT) {
        for (size_t i = 0; i < n; i++)
            amps[i] = sqrt(ref[i]);
        return CORE_OK;
    }
    for (size_t i = 0; i < n; i++)
        amps[i] = a[i];
    return state_normalize(amps, n, NULL);
}

void analogy_compare(const double *p, const double *ref, size_t n,
                     analogy_comparison *out)
{
    out->entropy_bits = stats_entropy_bits(p, n);
    out->reference_entropy_bits = stats_entropy_bits(ref, n);
    out->kl_divergence_bits = stats_kl_bits(p, ref, n);
    out->total_variation = stats_total_variation(p, ref, n);
    out->fidelity = stats_classical_fidelity(p, ref, n);
    out->argmax_agrees = vec_argmax(p, n) == vec_argmax(ref, n);
}

void analogy_overlaps(const double *weights, size_t rows, size_t cols,
                      const double *x, double *overlap,
                      double complex *work)
{
    double complex *xs = work, *ws = work + cols;
    for (size_t i = 0; i < cols; i++)
        xs[i] = x[i];
    bool x_ok = state_normalize(xs, cols, NULL) == CORE_OK;
    for (size_t j = 0; j < rows; j++) {
        const double *w = weights + j * cols;
        for (size_t i = 0; i < cols; i++)
            ws[i] = w[i];
        overlap[j] = NAN;
        if (!x_ok || state_normalize(ws, cols, NULL) != CORE_OK)
            continue;
        double o = creal(state_inner(ws, xs, cols));
        overlap[j] = o > 1.0 ? 1.0 : o < -1.0 ? -1.0 : o;
    }
}

core_status analogy_activation_probability_correlation(const double *a,
                                                       const double *overlap,
                                                       size_t rows,
                                                       double *work,
                                                       double *r)
{
    double *act = work, *prob = work + rows;
    size_t defined = 0;
    for (size_t j = 0; j < rows; j++) {
        if (isnan(overlap[j]))
            continue;
        act[defined] = a[j];
        prob[defined] = overlap[j] * overlap[j];
        defined++;
    }
    return stats_pearson(act, prob, defined, r);
}
