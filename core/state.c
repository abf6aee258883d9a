/* core/state.c - norms, normalization, Born probabilities, overlaps. */
#include "core/state.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/stats.h"

/* The norm of c / d, as the scaled sum of squares of LAPACK's dnrm2 over
 * the 2n reals: norm = scale * sqrt(ssq), updated so that no square
 * overflows or underflows whatever the magnitudes. */
static double norm_divided(const double complex *c, size_t n, double d)
{
    double scale = 0.0, ssq = 1.0;
    for (size_t i = 0; i < n; i++) {
        double parts[2] = {creal(c[i]) / d, cimag(c[i]) / d};
        for (int k = 0; k < 2; k++) {
            double x = fabs(parts[k]);
            if (x == 0.0)
                continue;
            if (scale < x) {
                double r = scale / x;
                ssq = 1.0 + ssq * r * r;
                scale = x;
            } else {
                double r = x / scale;
                ssq += r * r;
            }
        }
    }
    return scale * sqrt(ssq);
}

/* The largest |re| or |im| in c. */
static double max_part(const double complex *c, size_t n)
{
    double big = 0.0;
    for (size_t i = 0; i < n; i++)
        big = fmax(big, fmax(fabs(creal(c[i])), fabs(cimag(c[i]))));
    return big;
}

/* Two divisors that take c to unit norm, applied one after the other:
 * c / d1 / d2. In the normal range that is the norm itself. When the norm
 * overflows (entries near DBL_MAX) or is subnormal (where it carries too
 * few bits to divide by), c is first scaled by its largest part, then by
 * the norm of what that leaves, which is between 1 and sqrt(2n). */
static void unit_divisors(const double complex *c, size_t n, double norm,
                          double *d1, double *d2)
{
    if (isfinite(norm) && norm >= DBL_MIN) {
        *d1 = norm;
        *d2 = 1.0;
        return;
    }
    *d1 = max_part(c, n);
    *d2 = norm_divided(c, n, *d1);
}

double state_norm(const double complex *c, size_t n)
{
    return norm_divided(c, n, 1.0);
}

/* The norm of c and the divisors that make it a unit vector; CORE_EINVAL
 * for n == 0, CORE_EZERO for a zero vector. */
static core_status unit_scale(const double complex *c, size_t n,
                              double *norm, double *d1, double *d2)
{
    if (n == 0)
        return CORE_EINVAL;
    *norm = state_norm(c, n);
    if (*norm == 0.0)
        return CORE_EZERO;
    unit_divisors(c, n, *norm, d1, d2);
    return CORE_OK;
}

core_status state_unit_divisors(const double complex *c, size_t n, double *d1,
                                double *d2)
{
    double norm;
    return unit_scale(c, n, &norm, d1, d2);
}

core_status state_normalize(double complex *c, size_t n, double *norm_out)
{
    double norm, d1, d2;
    core_status st = unit_scale(c, n, &norm, &d1, &d2);
    if (st != CORE_OK)
        return st;
    for (size_t i = 0; i < n; i++)
        c[i] = CMPLX(creal(c[i]) / d1 / d2, cimag(c[i]) / d1 / d2);
    if (norm_out)
        *norm_out = norm;
    return CORE_OK;
}

core_status state_probabilities(const double complex *c, size_t n, double *p)
{
    double norm, d1, d2;
    core_status st = unit_scale(c, n, &norm, &d1, &d2);
    if (st != CORE_OK)
        return st;
    for (size_t i = 0; i < n; i++) {
        double re = creal(c[i]) / d1 / d2, im = cimag(c[i]) / d1 / d2;
        p[i] = fmin(re * re + im * im, 1.0); /* rounding: 1 + 2^-52 */
    }
    return CORE_OK;
}

core_status state_entropy_bits(const double complex *c, size_t n, double *out)
{
    double stack[64];
    double *p = n <= 64 ? stack : malloc(n * sizeof *p);
    if (!p)
        return CORE_ENOMEM;
    core_status st = state_probabilities(c, n, p);
    if (st == CORE_OK)
        *out = stats_entropy_bits(p, n);
    if (p != stack)
        free(p);
    return st;
}

double complex state_inner(const double complex *a, const double complex *b,
                           size_t n)
{
    double re = 0.0, im = 0.0;
    for (size_t i = 0; i < n; i++) { /* conj(a) b, written out */
        double ar = creal(a[i]), ai = cimag(a[i]);
        double br = creal(b[i]), bi = cimag(b[i]);
        re += ar * br + ai * bi;
        im += ar * bi - ai * br;
    }
    return CMPLX(re, im);
}

core_status state_fidelity(const double complex *a, const double complex *b,
                           size_t n, double *out)
{
    double na, a1, a2, nb, b1, b2;
    core_status st = unit_scale(a, n, &na, &a1, &a2);
    if (st == CORE_OK)
        st = unit_scale(b, n, &nb, &b1, &b2);
    if (st != CORE_OK)
        return st;
    /* <a|b> / (|a||b|) on entries taken to unit norm first, so that neither
     * the products nor the norms overflow or underflow. */
    double re = 0.0, im = 0.0;
    for (size_t i = 0; i < n; i++) {
        double ar = creal(a[i]) / a1 / a2, ai = cimag(a[i]) / a1 / a2;
        double br = creal(b[i]) / b1 / b2, bi = cimag(b[i]) / b1 / b2;
        re += ar * br + ai * bi;
        im += ar * bi - ai * br;
    }
    double f = re * re + im * im;
    *out = f > 1.0 ? 1.0 : f;
    return CORE_OK;
}

int state_qubits(size_t n)
{
    if (n == 0 || (n & (n - 1)) != 0)
        return -1;
    int q = 0;
    while ((size_t)1 << q < n)
        q++;
    return q;
}

size_t state_label_size(size_t n)
{
    int q = state_qubits(n);
    if (q > 0)
        return (size_t)q + 1;
    size_t size = 2; /* one digit and the NUL */
    for (size_t v = n > 1 ? n - 1 : 0; v >= 10; v /= 10)
        size++;
    return size;
}

void state_basis_label(size_t i, size_t n, char *buf)
{
    int q = state_qubits(n);
    if (q <= 0) {
        snprintf(buf, state_label_size(n), "%zu", i);
        return;
    }
    for (int b = 0; b < q; b++)
        buf[b] = (i >> (q - 1 - b)) & 1 ? '1' : '0';
    buf[q] = '\0';
}

core_status state_compare(const double complex *a, const double complex *b,
                          size_t n, state_comparison *out)
{
    double na, a1, a2, nb, b1, b2;
    core_status st = unit_scale(a, n, &na, &a1, &a2);
    if (st == CORE_OK)
        st = unit_scale(b, n, &nb, &b1, &b2);
    if (st != CORE_OK)
        return st;
    double re = 0.0, im = 0.0;
    for (size_t i = 0; i < n; i++) { /* conj(a) b on the unit states */
        double ar = creal(a[i]) / a1 / a2, ai = cimag(a[i]) / a1 / a2;
        double br = creal(b[i]) / b1 / b2, bi = cimag(b[i]) / b1 / b2;
        re += ar * br + ai * bi;
        im += ar * bi - ai * br;
    }
    double f = re * re + im * im;
    out->inner = CMPLX(re, im);
    out->fidelity = f > 1.0 ? 1.0 : f;
    out->trace_distance = sqrt(1.0 - out->fidelity);
    out->phase = re == 0.0 && im == 0.0 ? 0.0 : atan2(im, re);
    double cr = cos(out->phase), ci = sin(out->phase), worst = 0.0;
    for (size_t i = 0; i < n; i++) { /* |b_i - e^{i phase} a_i| */
        double ar = creal(a[i]) / a1 / a2, ai = cimag(a[i]) / a1 / a2;
        double dr = creal(b[i]) / b1 / b2 - (cr * ar - ci * ai);
        double di = cimag(b[i]) / b1 / b2 - (cr * ai + ci * ar);
        worst = fmax(worst, hypot(dr, di));
    }
    out->distance = worst;
    return CORE_OK;
}
