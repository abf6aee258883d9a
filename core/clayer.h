/* core/clayer.h - complex-valued dense layers a = sigma(W x + b).
 *
 * The complex counterpart of core/layer.h: weights, bias, input,
 * pre-activations and outputs are `double complex` (interleaved re, im in
 * memory), the product goes through CBLAS's zgemv (zgemm for a batch), and
 * the activations are the ones made for complex numbers:
 *
 *   identity       z
 *   modrelu        relu(|z| + b) z/|z|, and 0 at z = 0; b is a real
 *                  threshold per neuron (b < 0 silences small |z|)
 *   cardioid       (1 + cos arg z)/2 z = (1 + Re z/|z|)/2 z, 0 at z = 0
 *   split_tanh     tanh(Re z) + i tanh(Im z)
 *   split_sigmoid  sigmoid(Re z) + i sigmoid(Im z)
 *
 * Every activation is total on finite inputs and never makes a NaN: |z| is
 * taken on z scaled by max(|Re z|, |Im z|), so 0/0 and Inf/Inf never occur
 * for amplitudes from the smallest subnormal to DBL_MAX, and modrelu and
 * cardioid scale z by a factor instead of rebuilding it from |z| (whose
 * value may pass DBL_MAX when z does not). Weights are row-major, `rows` x
 * `cols`: row j holds the weights into neuron j, z_j = sum_i w_ji x_i + b_j
 * (no conjugation). */
#ifndef PSINET_CORE_CLAYER_H
#define PSINET_CORE_CLAYER_H

#include <stdbool.h>
#include <stddef.h>

#include "core/cmplx.h"
#include "core/status.h"

typedef enum {
    CLAYER_IDENTITY = 0,
    CLAYER_MODRELU,
    CLAYER_CARDIOID,
    CLAYER_SPLIT_TANH,
    CLAYER_SPLIT_SIGMOID,
    CLAYER_ACT_COUNT_
} clayer_act;

/* An activation with its parameter: modrelu's threshold b, one per neuron
 * (b_each, rows of them) or the same for all (b, when b_each is NULL). The
 * others take none. */
typedef struct {
    clayer_act kind;
    double b;
    const double *b_each; /* borrowed; NULL: b for every neuron */
} clayer_act_spec;

/* A borrowed view of one complex layer: nothing here owns the arrays. */
typedef struct {
    size_t rows;                   /* outputs (neurons) */
    size_t cols;                   /* inputs */
    const double complex *weights; /* rows * cols, row-major */
    const double complex *bias;    /* rows, or NULL for zeros */
    clayer_act_spec act;
} clayer_view;

/* Looks up an activation by its API name ("modrelu", ...). False for an
 * unknown name. */
bool clayer_act_from_name(const char *name, clayer_act *out);

/* The API name of an activation (a static string). */
const char *clayer_act_name(clayer_act kind);

/* A comma-separated list of every name, for error messages (static). */
const char *clayer_act_all_names(void);

/* The scalar functions (see the top of this file). */
double complex clayer_modrelu(double complex z, double b);
double complex clayer_cardioid(double complex z);
double complex clayer_split_tanh(double complex z);
double complex clayer_split_sigmoid(double complex z);

/* Applies spec to z[0..n-1], writing a[0..n-1] (may be the same array);
 * neuron j of modrelu takes b_each[j] when given. */
void clayer_act_apply(const clayer_act_spec *spec, const double complex *z,
                      double complex *a, size_t n);

/* A batch of inputs X[batch][cols] (row-major; batch >= 1): writes the
 * pre-activations Z[batch][rows] and the outputs A[batch][rows], neither
 * aliasing X. CORE_ERANGE when a result is not finite (the product or an
 * activation overflowed a double); Z and A then hold what was computed. */
core_status clayer_forward(const clayer_view *layer,
                           const double complex *X, size_t batch,
                           double complex *Z, double complex *A);

/* softmax(|z|) of z[0..n-1] into p (n >= 1): exp(|z_j| - max |z|) / sum,
 * with the moduli compared at half scale, so that no |z| passing DBL_MAX
 * makes it Inf - Inf. */
void clayer_modulus_softmax(const double complex *z, double *p, size_t n);

/* A complex layer's output a read as a state, as core/analogy.h's
 * analogy_layer_state reads a real one (mapping "none"): amps = a / |a|,
 * and the reference distribution ref = softmax(|z|) of its
 * pre-activations. CORE_EZERO when a is the zero vector. */
core_status clayer_layer_state(const double complex *z,
                               const double complex *a, size_t n,
                               double complex *amps, double *ref);

#endif
