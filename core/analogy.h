/* core/analogy.h - the two correspondences psinet computes, on plain
 * arrays.
 *
 * Superposition <-> layer output: a layer's output read as a state, beside
 * the softmax of its pre-activations as the classical reference.
 *
 * Quantum state <-> neuron activation: a real state x fed to neurons w_j;
 * beside each activation sigma(w_j . x + b_j), the Born probability
 * |<w_j/|w_j| | x/|x|>|^2 of finding x in the direction of the weights.
 *
 * The third, collapse propagation (layers measured and only the outcome
 * fed on), is core/collapse.h. */
#ifndef PSINET_CORE_ANALOGY_H
#define PSINET_CORE_ANALOGY_H

#include <stdbool.h>
#include <stddef.h>

#include "core/cmplx.h"
#include "core/status.h"

/* How a layer's output becomes a state. */
typedef enum {
    ANALOGY_L2,           /* the outputs a, divided by their norm */
    ANALOGY_SOFTMAX_SQRT  /* sqrt(softmax(z)): Born probabilities = softmax */
} analogy_mapping;

/* Reads a layer's n pre-activations z and outputs a as a state: writes the
 * unit-norm amplitudes amps[0..n-1] and the reference distribution
 * ref = softmax(z). CORE_EZERO when the mapping is l2 and a is the zero
 * vector (there is no state to give). */
core_status analogy_layer_state(analogy_mapping mapping, const double *z,
                                const double *a, size_t n,
                                double complex *amps, double *ref);

/* A distribution p (the state's Born probabilities) against the reference
 * ref; kl_divergence_bits is +INFINITY when p puts weight where ref has
 * none. */
typedef struct {
    double entropy_bits;
    double reference_entropy_bits;
    double kl_divergence_bits; /* D(p || ref) */
    double total_variation;
    double fidelity;           /* classical: (sum sqrt(p_i ref_i))^2 */
    bool argmax_agrees;        /* the most likely outcome is the same */
} analogy_comparison;

void analogy_compare(const double *p, const double *ref, size_t n,
                     analogy_comparison *out);

/* For each of the rows neurons of weights (rows x cols, row-major) and the
 * real state x[0..cols-1]: overlap[j] = w_j . x / (|w_j| |x|), clamped to
 * [-1, 1], computed on unit copies so that no scale overflows or
 * underflows; NAN when w_j or x is the zero vector. work has room for
 * 2 * cols complex numbers. */
void analogy_overlaps(const double *weights, size_t rows, size_t cols,
                      const double *x, double *overlap,
                      double complex *work);

/* The Pearson correlation of the activations a[j] with the probabilities
 * overlap[j]^2, over the neurons whose overlap is defined (not NAN).
 * CORE_EUNDEFINED when fewer than two are, or either series is constant.
 * work has room for 2 * rows doubles. */
core_status analogy_activation_probability_correlation(const double *a,
                                                       const double *overlap,
                                                       size_t rows,
                                                       double *work,
                                                       double *r);

#endif
