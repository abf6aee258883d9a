/* core/activation.h - elementwise and layer-wide activation functions.
 *
 * Every activation is total on finite inputs and stable at the extremes:
 * sigmoid and softplus never overflow for |z| up to DBL_MAX, softmax is
 * max-subtracted. */
#ifndef PSINET_CORE_ACTIVATION_H
#define PSINET_CORE_ACTIVATION_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    ACT_IDENTITY = 0,
    ACT_SIGMOID,
    ACT_TANH,
    ACT_RELU,
    ACT_LEAKY_RELU, /* z if z > 0 else alpha z; alpha default 0.01 */
    ACT_ELU,        /* z if z > 0 else alpha (e^z - 1); alpha default 1.0 */
    ACT_GELU,       /* z Phi(z) = z/2 (1 + erf(z/sqrt 2)), the exact form */
    ACT_SOFTPLUS,   /* log(1 + e^z) */
    ACT_SOFTMAX,    /* over the whole layer: e^(z_j - max z) / sum */
    ACT_COUNT_
} act_kind;

/* An activation with its parameter; alpha is used by leaky_relu and elu. */
typedef struct {
    act_kind kind;
    double alpha;
} act_spec;

/* Looks up an activation by its API name ("sigmoid", "leaky_relu", ...).
 * Returns false for an unknown name. */
bool act_from_name(const char *name, act_kind *out);

/* The API name of an activation (a static string). */
const char *act_name(act_kind kind);

/* A comma-separated list of every name, for error messages (static). */
const char *act_all_names(void);

/* Whether the activation takes the `alpha` parameter. */
bool act_takes_alpha(act_kind kind);

/* The default alpha of leaky_relu (0.01) and elu (1.0); 0 for the others. */
double act_default_alpha(act_kind kind);

/* The spec with the default parameter for kind. */
act_spec act_default(act_kind kind);

/* Applies the activation to z[0..n-1], writing a[0..n-1]. z and a may be the
 * same array. softmax acts on the n values together; the others elementwise. */
void act_apply(const act_spec *spec, const double *z, double *a, size_t n);

/* The scalar functions, exposed for tests and for other core modules. */
double act_sigmoid(double z);
double act_softplus(double z);
double act_gelu(double z);

/* Softmax of z[0..n-1] into p (may alias z); max-subtracted, so finite for
 * any finite input. n >= 1. */
void act_softmax(const double *z, double *p, size_t n);

#endif
