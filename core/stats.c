/* core/stats.c - entropy, divergences and correlation. */
#include "core/stats.h"

#include <math.h>

double stats_entropy_bits(const double *p, size_t n)
{
    double h = 0.0;
    for (size_t i = 0; i < n; i++)
        if (p[i] > 0.0)
            h -= p[i] * log2(p[i]);
    return h > 0.0 ? h : 0.0; /* no -0.0 for a point mass */
}

double stats_kl_bits(const double *p, const double *q, size_t n)
{
    double d = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] <= 0.0)
            continue;
        if (q[i] <= 0.0)
            return INFINITY;
        d += p[i] * log2(p[i] / q[i]);
    }
    return d > 0.0 ? d : 0.0; /* rounding can dip just below 0 */
}

double stats_total_variation(const double *p, const double *q, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += fabs(p[i] - q[i]);
    return 0.5 * s;
}

double stats_classical_fidelity(const double *p, const double *q, size_t n)
{
    double b = 0.0;
    for (size_t i = 0; i < n; i++)
        b += sqrt(p[i] * q[i]);
    double f = b * b;
    return f < 1.0 ? f : 1.0;
}

/* The mean of v / scale and the largest |v[i] / scale - mean|: with scale
 * the largest |v[i]|, every term is at most 1 and nothing overflows. */
static void scaled_spread(const double *v, size_t n, double scale,
                          double *mean, double *spread)
{
    double m = 0.0;
    for (size_t i = 0; i < n; i++)
        m += v[i] / scale;
    m /= (double)n;
    double big = 0.0;
    for (size_t i = 0; i < n; i++)
        big = fmax(big, fabs(v[i] / scale - m));
    *mean = m;
    *spread = big;
}

core_status stats_pearson(const double *x, const double *y, size_t n,
                           double *r)
{
    if (n < 2)
        return CORE_EUNDEFINED;
    /* r does not depend on the scale of x or of y: both are divided by
     * their largest magnitude, and the deviations by the largest deviation,
     * before anything is squared, so that values near DBL_MAX or DBL_MIN
     * neither overflow nor vanish. */
    double bx = 0.0, by = 0.0;
    for (size_t i = 0; i < n; i++) {
        bx = fmax(bx, fabs(x[i]));
        by = fmax(by, fabs(y[i]));
    }
    if (bx == 0.0 || by == 0.0)
        return CORE_EUNDEFINED;
    double mx, my, sx, sy;
    scaled_spread(x, n, bx, &mx, &sx);
    scaled_spread(y, n, by, &my, &sy);
    if (sx == 0.0 || sy == 0.0)
        return CORE_EUNDEFINED;
    double sxy = 0.0, sxx = 0.0, syy = 0.0;
    for (size_t i = 0; i < n; i++) {
        double dx = (x[i] / bx - mx) / sx, dy = (y[i] / by - my) / sy;
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    double c = sxy / (sqrt(sxx) * sqrt(syy));
    *r = c > 1.0 ? 1.0 : c < -1.0 ? -1.0 : c;
    return CORE_OK;
}
