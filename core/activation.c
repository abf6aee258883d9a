/* core/activation.c - activation functions, stable at the extremes. */
#include "core/activation.h"

#include <math.h>
#include <string.h>

/* 1/sqrt(2); M_SQRT1_2 is not part of C11. */
#define M_SQRT1_2_ 0.70710678118654752440

static const struct {
    const char *name;
    bool takes_alpha;
    double alpha;
} act_table[ACT_COUNT_] = {
    [ACT_IDENTITY] = {"identity", false, 0.0},
    [ACT_SIGMOID] = {"sigmoid", false, 0.0},
    [ACT_TANH] = {"tanh", false, 0.0},
    [ACT_RELU] = {"relu", false, 0.0},
    [ACT_LEAKY_RELU] = {"leaky_relu", true, 0.01},
    [ACT_ELU] = {"elu", true, 1.0},
    [ACT_GELU] = {"gelu", false, 0.0},
    [ACT_SOFTPLUS] = {"softplus", false, 0.0},
    [ACT_SOFTMAX] = {"softmax", false, 0.0},
};

bool act_from_name(const char *name, act_kind *out)
{
    for (int k = 0; k < ACT_COUNT_; k++) {
        if (strcmp(act_table[k].name, name) == 0) {
            *out = (act_kind)k;
            return true;
        }
    }
    return false;
}

const char *act_name(act_kind kind)
{
    return act_table[kind].name;
}

const char *act_all_names(void)
{
    return "identity, sigmoid, tanh, relu, leaky_relu, elu, gelu, softplus, "
           "softmax";
}

bool act_takes_alpha(act_kind kind)
{
    return act_table[kind].takes_alpha;
}

double act_default_alpha(act_kind kind)
{
    return act_table[kind].alpha;
}

act_spec act_default(act_kind kind)
{
    act_spec s = {kind, act_table[kind].alpha};
    return s;
}

/* 1 / (1 + e^-z), evaluated through e^-|z| so that the exponential never
 * overflows: for z = -1e308 it is e^-1e308 / (1 + e^-1e308) = 0. */
double act_sigmoid(double z)
{
    if (z >= 0.0)
        return 1.0 / (1.0 + exp(-z));
    double e = exp(z);
    return e / (1.0 + e);
}

/* log(1 + e^z) = max(z, 0) + log1p(e^-|z|): exact for large |z|. */
double act_softplus(double z)
{
    return fmax(z, 0.0) + log1p(exp(-fabs(z)));
}

/* z Phi(z) with Phi(z) = erfc(-z / sqrt 2) / 2, which keeps full relative
 * accuracy in the negative tail where 1 + erf(...) would cancel. */
double act_gelu(double z)
{
    return 0.5 * z * erfc(-z * M_SQRT1_2_);
}

void act_softmax(const double *z, double *p, size_t n)
{
    double max = z[0];
    for (size_t i = 1; i < n; i++)
        if (z[i] > max)
            max = z[i];
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        p[i] = exp(z[i] - max);
        sum += p[i];
    }
    for (size_t i = 0; i < n; i++)
        p[i] /= sum;
}

void act_apply(const act_spec *spec, const double *z, double *a, size_t n)
{
    size_t i;
    switch (spec->kind) {
    case ACT_IDENTITY:
        if (a != z)
            memmove(a, z, n * sizeof *a);
        break;
    case ACT_SIGMOID:
        for (i = 0; i < n; i++)
            a[i] = act_sigmoid(z[i]);
        break;
    case ACT_TANH:
        for (i = 0; i < n; i++)
            a[i] = tanh(z[i]);
        break;
    case ACT_RELU:
        for (i = 0; i < n; i++)
            a[i] = z[i] > 0.0 ? z[i] : 0.0;
        break;
    case ACT_LEAKY_RELU:
        for (i = 0; i < n; i++)
            a[i] = z[i] > 0.0 ? z[i] : spec->alpha * z[i];
        break;
    case ACT_ELU:
        for (i = 0; i < n; i++)
            a[i] = z[i] > 0.0 ? z[i] : spec->alpha * expm1(z[i]);
        break;
    case ACT_GELU:
        for (i = 0; i < n; i++)
            a[i] = act_gelu(z[i]);
        break;
    case ACT_SOFTPLUS:
        for (i = 0; i < n; i++)
            a[i] = act_softplus(z[i]);
        break;
    case ACT_SOFTMAX:
        if (n > 0)
            act_softmax(z, a, n);
        break;
    case ACT_COUNT_:
        break;
    }
}
