/* core/clayer.c - complex dense layers through CBLAS (core/clayer.h).
 *
 * One input: z = W x + b with zgemv. A batch: Z = X W^T + 1 b^T with zgemm
 * on row-major arrays. The activations work on z = s u, with
 * s = max(|Re z|, |Im z|) and u = z / s, whose modulus r = |u| lies in
 * [1, sqrt 2]: |z| = s r is never formed where it could overflow, and no
 * quotient is 0/0 or Inf/Inf. */
#include "core/clayer.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

#include "core/activation.h"
#include "core/state.h"

static const char *const NAMES[CLAYER_ACT_COUNT_] = {
    [CLAYER_IDENTITY] = "identity",
    [CLAYER_MODRELU] = "modrelu",
    [CLAYER_CARDIOID] = "cardioid",
    [CLAYER_SPLIT_TANH] = "split_tanh",
    [CLAYER_SPLIT_SIGMOID] = "split_sigmoid",
};

bool clayer_act_from_name(const char *name, clayer_act *out)
{
    for (int k = 0; k < CLAYER_ACT_COUNT_; k++) {
        if (strcmp(name, NAMES[k]) == 0) {
            *out = (clayer_act)k;
            return true;
        }
    }
    return false;
}

const char *clayer_act_name(clayer_act kind)
{
    return (unsigned)kind < CLAYER_ACT_COUNT_ ? NAMES[kind] : "unknown";
}

const char *clayer_act_all_names(void)
{
    return "identity, modrelu, cardioid, split_tanh, split_sigmoid";
}

/* z = s u with s = max(|x|, |y|) > 0; writes u's parts and r = |u|. */
static double scale_of(double x, double y, double *ux, double *uy,
                       double *r)
{
    double s = fmax(fabs(x), fabs(y));
    *ux = x / s;
    *uy = y / s;
    *r = hypot(*ux, *uy);
    return s;
}

/* a + b and its rounding error (Knuth's TwoSum). */
static double two_sum(double a, double b, double *err)
{
    double s = a + b, bb = s - a;
    *err = (a - (s - bb)) + (b - bb);
    return s;
}

/* ux^2 + uy^2 - bs^2 with the error of one rounding of the exact value:
 * each square split exactly into a product and its error (fma), the six
 * terms summed with TwoSum (Ogita, Rump and Oishi's Sum2). Where |z| + b
 * cancels, this is what keeps modrelu's result accurate relative to
 * itself rather than to |z|. */
static double squares_minus(double ux, double uy, double bs)
{
    double p1 = ux * ux, p2 = uy * uy, p3 = bs * bs;
    double t[6] = {p1, p2, -p3, fma(ux, ux, -p1), fma(uy, uy, -p2),
                   -fma(bs, bs, -p3)};
    double sum = t[0], comp = 0.0, e;
    for (int i = 1; i < 6; i++) {
        sum = two_sum(sum, t[i], &e);
        comp += e;
    }
    return sum + comp;
}

/* relu(|z| + b) z/|z| = z f with f = (|z| + b)/|z| = (r + bs)/r, where
 * z = 2^k u (exact scaling: 1 <= max(|Re u|, |Im u|) < 2), r = |u| in
 * [1, 2 sqrt 2) and bs = b 2^-k. For b < 0, r + bs is taken as
 * (r^2 - bs^2) / (r - bs), which does not cancel, and f is at most 1 in
 * rounding too. Where b is so large beside z that bs could overflow, |z|
 * is negligible against it: the result is b z/|z|, or 0. */
double complex clayer_modrelu(double complex z, double b)
{
    double x = creal(z), y = cimag(z);
    if (x == 0.0 && y == 0.0)
        return CMPLX(0.0, 0.0);
    int k = ilogb(fmax(fabs(x), fabs(y)));
    double ux = scalbn(x, -k), uy = scalbn(y, -k), r = hypot(ux, uy);
    if (b != 0.0 && ilogb(b) - k > 1000)
        return b < 0.0 ? CMPLX(0.0, 0.0)
                       : CMPLX(b * (ux / r), b * (uy / r));
    double bs = scalbn(b, -k), m;
    if (bs >= 0.0) {
        m = r + bs;
    } else {
        if (bs <= -3.0) /* |bs| > r */
            return CMPLX(0.0, 0.0);
        double d = squares_minus(ux, uy, bs);
        if (d <= 0.0)
            return CMPLX(0.0, 0.0);
        m = d / (r - bs);
    }
    /* the factor (|z| + b)/|z|, at most 1 for b < 0 in rounding too */
    double f = bs < 0.0 ? fmin(m / r, 1.0) : m / r;
    return CMPLX(x * f, y * f);
}

/* (1 + c)/2 z with c = cos arg z = Re u / r. Where c < 0, 1 + c is taken
 * as sin^2 / (1 - c), which does not cancel near the negative real axis. */
double complex clayer_cardioid(double complex z)
{
    double x = creal(z), y = cimag(z), ux, uy, r;
    if (x == 0.0 && y == 0.0)
        return CMPLX(0.0, 0.0);
    scale_of(x, y, &ux, &uy, &r);
    double c = ux / r, sn = uy / r;
    double f = c >= 0.0 ? 0.5 * (1.0 + c) : 0.5 * (sn * sn) / (1.0 - c);
    if (f == 0.0) /* on the negative real axis: 0, not -0 */
        return CMPLX(0.0, 0.0);
    return CMPLX(x * f, y * f);
}

double complex clayer_split_tanh(double complex z)
{
    return CMPLX(tanh(creal(z)), tanh(cimag(z)));
}

double complex clayer_split_sigmoid(double complex z)
{
    return CMPLX(act_sigmoid(creal(z)), act_sigmoid(cimag(z)));
}

void clayer_act_apply(const clayer_act_spec *spec, const double complex *z,
                      double complex *a, size_t n)
{
    size_t i;
    switch (spec->kind) {
    case CLAYER_MODRELU:
        for (i = 0; i < n; i++)
            a[i] = clayer_modrelu(z[i],
                                  spec->b_each ? spec->b_each[i] : spec->b);
        break;
    case CLAYER_CARDIOID:
        for (i = 0; i < n; i++)
            a[i] = clayer_cardioid(z[i]);
        break;
    case CLAYER_SPLIT_TANH:
        for (i = 0; i < n; i++)
            a[i] = clayer_split_tanh(z[i]);
        break;
    case CLAYER_SPLIT_SIGMOID:
        for (i = 0; i < n; i++)
            a[i] = clayer_split_sigmoid(z[i]);
        break;
    case CLAYER_IDENTITY:
    case CLAYER_ACT_COUNT_:
    default:
        if (a != z)
            memmove(a, z, n * sizeof *a);
        break;
    }
}

static bool all_finite(const double complex *c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(creal(c[i])) || !isfinite(cimag(c[i])))
            return false;
    return true;
}

core_status clayer_forward(const clayer_view *layer,
                           const double complex *X, size_t batch,
                           double complex *Z, double complex *A)
{
    static const double complex one = 1.0;
    size_t m = layer->rows, n = layer->cols;
    for (size_t r = 0; r < batch; r++) {
        if (layer->bias)
            memcpy(Z + r * m, layer->bias, m * sizeof *Z);
        else
            for (size_t j = 0; j < m; j++)
                Z[r * m + j] = 0.0;
    }
    if (batch == 1)
        cblas_zgemv(CblasRowMajor, CblasNoTrans, (int)m, (int)n, &one,
                    layer->weights, (int)n, X, 1, &one, Z, 1);
    else
        cblas_zgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)batch,
                    (int)m, (int)n, &one, X, (int)n, layer->weights, (int)n,
                    &one, Z, (int)m);
    for (size_t r = 0; r < batch; r++)
        clayer_act_apply(&layer->act, Z + r * m, A + r * m, m);
    return all_finite(Z, batch * m) && all_finite(A, batch * m)
               ? CORE_OK
               : CORE_ERANGE;
}

void clayer_modulus_softmax(const double complex *z, double *p, size_t n)
{
    double hmax = 0.0, sum = 0.0;
    for (size_t j = 0; j < n; j++) {
        p[j] = hypot(0.5 * creal(z[j]), 0.5 * cimag(z[j])); /* |z_j| / 2 */
        hmax = fmax(hmax, p[j]);
    }
    for (size_t j = 0; j < n; j++) {
        p[j] = exp(2.0 * (p[j] - hmax));
        sum += p[j];
    }
    for (size_t j = 0; j < n; j++)
        p[j] /= sum;
}

core_status clayer_layer_state(const double complex *z,
                               const double complex *a, size_t n,
                               double complex *amps, double *ref)
{
    clayer_modulus_softmax(z, ref, n);
    if (amps != a)
        memmove(amps, a, n * sizeof *amps);
    return state_normalize(amps, n, NULL);
}
