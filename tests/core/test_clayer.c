/* tests/core/test_clayer.c - complex layers: analytic values, no NaN at any
 * scale, and numpy's reference vectors (tests/ref/gen_clayer_ref.py).
 *
 * Tolerances. An activation is within 1e-12 of numpy's value relative to
 * that value's larger part: |got - ref| <= 1e-12 max(|Re ref|, |Im ref|) for
 * both parts (so a 0 must be exactly 0, and an overflow the same infinity).
 * A forward pass's pre-activation z_j is within 1e-12 S_j of numpy's, where
 * S_j = sum_i |w_ji| |x_i| + |b_j| is the scale of its terms (the bound a
 * dot product can promise, whatever the cancellation), and its output
 * a_j within 1e-12 (2 S_j + |a_j|): every activation moves by at most about
 * as much as its argument. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "core/clayer.h"
#include "tests/ref/clayer_ref.h"
#include "tests/testlib.h"

#define TOL 1e-12

static double cmax(double complex c)
{
    return fmax(fabs(creal(c)), fabs(cimag(c)));
}

/* Whether got is within tol of ref in both parts; an infinite part of ref
 * must be the same infinity in got. */
static bool close_to(double complex got, double complex ref, double tol)
{
    double g[2] = {creal(got), cimag(got)}, r[2] = {creal(ref), cimag(ref)};
    for (int k = 0; k < 2; k++) {
        if (isinf(r[k])) {
            if (g[k] != r[k])
                return false;
        } else if (!(fabs(g[k] - r[k]) <= tol)) {
            return false;
        }
    }
    return true;
}

#define CHECK_CNEAR(got, ref, tol)                                             \
    do {                                                                       \
        double complex g_ = (got), r_ = (ref);                                 \
        test_check(close_to(g_, r_, (tol)), __FILE__, __LINE__,                \
                   "%s = %.17g%+.17gi, expected %.17g%+.17gi (tol %g)", #got,  \
                   creal(g_), cimag(g_), creal(r_), cimag(r_), (double)(tol)); \
    } while (0)

static double complex at(const double *pairs, size_t i)
{
    return CMPLX(pairs[2 * i], pairs[2 * i + 1]);
}

TEST(names_round_trip_and_unknown_names_fail)
{
    for (int k = 0; k < CLAYER_ACT_COUNT_; k++) {
        clayer_act got;
        CHECK(clayer_act_from_name(clayer_act_name((clayer_act)k), &got));
        CHECK_EQ_INT(got, k);
        CHECK(strstr(clayer_act_all_names(), clayer_act_name((clayer_act)k)));
    }
    clayer_act got;
    CHECK(!clayer_act_from_name("relu", &got));
    CHECK(!clayer_act_from_name("ModReLU", &got));
    CHECK(!clayer_act_from_name("", &got));
}

TEST(modrelu_scales_the_modulus_and_keeps_the_phase)
{
    /* |3 + 4i| = 5: relu(5 - 4) (3 + 4i)/5 = 0.6 + 0.8i */
    CHECK_CNEAR(clayer_modrelu(CMPLX(3, 4), -4.0), CMPLX(0.6, 0.8), 2.3e-16);
    CHECK_CNEAR(clayer_modrelu(CMPLX(3, 4), 5.0), CMPLX(6, 8), 1e-15);
    CHECK(clayer_modrelu(CMPLX(3, 4), 0.0) == CMPLX(3, 4));
    CHECK(clayer_modrelu(CMPLX(3, 4), -5.0) == 0.0); /* relu(0) */
    CHECK(clayer_modrelu(CMPLX(3, 4), -6.0) == 0.0);
    CHECK(clayer_modrelu(CMPLX(0, 0), 1.0) == 0.0);  /* 0 at z = 0 */
    CHECK(clayer_modrelu(CMPLX(0, -2), -1.0) == CMPLX(0, -1));
}

TEST(cardioid_passes_the_positive_axis_and_stops_the_negative)
{
    CHECK(clayer_cardioid(CMPLX(2, 0)) == CMPLX(2, 0));
    CHECK(clayer_cardioid(CMPLX(-2, 0)) == 0.0);
    CHECK(!signbit(creal(clayer_cardioid(CMPLX(-2, 0))))); /* not -0 */
    CHECK_CNEAR(clayer_cardioid(CMPLX(0, 1)), CMPLX(0, 0.5), 1e-16);
    /* cos arg (3 + 4i) = 0.6: 0.8 (3 + 4i) */
    CHECK_CNEAR(clayer_cardioid(CMPLX(3, 4)), CMPLX(2.4, 3.2), 1e-15);
    /* (1 + cos arg (-3 + 4i))/2 = 0.2: no cancellation near the axis */
    CHECK_CNEAR(clayer_cardioid(CMPLX(-3, 4)), CMPLX(-0.6, 0.8), 1e-15);
    CHECK(clayer_cardioid(CMPLX(0, 0)) == 0.0);
}

TEST(split_activations_act_on_each_part)
{
    CHECK(clayer_split_tanh(CMPLX(0, 0)) == 0.0);
    CHECK_CNEAR(clayer_split_tanh(CMPLX(1, -2)), CMPLX(tanh(1.0), tanh(-2.0)),
                1e-16);
    CHECK(clayer_split_tanh(CMPLX(DBL_MAX, -DBL_MAX)) == CMPLX(1, -1));
    CHECK(clayer_split_sigmoid(CMPLX(0, 0)) == CMPLX(0.5, 0.5));
    CHECK(clayer_split_sigmoid(CMPLX(DBL_MAX, -DBL_MAX)) == CMPLX(1, 0));
    CHECK(clayer_split_sigmoid(CMPLX(-1e300, 1e300)) == CMPLX(0, 1));
}

/* Every part from the smallest subnormal to DBL_MAX, both signs. */
static const double SCALES[] = {0.0,      5e-324,  1e-310, DBL_MIN,
                                1e-300,   1e-17,   1.0,    1e17,
                                1e300,    DBL_MAX / 2, DBL_MAX};
#define NSCALES (sizeof SCALES / sizeof SCALES[0])

static bool finite_c(double complex c)
{
    return isfinite(creal(c)) && isfinite(cimag(c));
}

TEST(no_nan_and_no_growth_at_any_scale)
{
    const double bs[] = {0.0, 5e-324, 1.0, 1e300, DBL_MAX};
    for (size_t i = 0; i < 2 * NSCALES; i++) {
        for (size_t j = 0; j < 2 * NSCALES; j++) {
            double x = (i % 2 ? -1 : 1) * SCALES[i / 2];
            double y = (j % 2 ? -1 : 1) * SCALES[j / 2];
            double complex z = CMPLX(x, y);
            double complex c = clayer_cardioid(z);
            test_check(finite_c(c) && fabs(creal(c)) <= fabs(x) &&
                           fabs(cimag(c)) <= fabs(y),
                       __FILE__, __LINE__, "cardioid(%g%+gi)", x, y);
            CHECK(finite_c(clayer_split_tanh(z)));
            CHECK(finite_c(clayer_split_sigmoid(z)));
            for (size_t k = 0; k < sizeof bs / sizeof bs[0]; k++) {
                /* b <= 0 only shrinks z; b > 0 may overflow, never NaN */
                double complex m = clayer_modrelu(z, -bs[k]);
                test_check(finite_c(m) && fabs(creal(m)) <= fabs(x) &&
                               fabs(cimag(m)) <= fabs(y),
                           __FILE__, __LINE__, "modrelu(%g%+gi, %g)", x, y,
                           -bs[k]);
                m = clayer_modrelu(z, bs[k]);
                test_check(!isnan(creal(m)) && !isnan(cimag(m)), __FILE__,
                           __LINE__, "modrelu(%g%+gi, %g)", x, y, bs[k]);
            }
        }
    }
}

TEST(modrelu_at_the_limits_of_the_doubles)
{
    /* |DBL_MAX (1 + i)| passes DBL_MAX, but the result does not */
    double complex z = CMPLX(DBL_MAX, DBL_MAX);
    CHECK(clayer_modrelu(z, 0.0) == z);
    CHECK_CNEAR(clayer_modrelu(z, -DBL_MAX), z * (1.0 - 1.0 / sqrt(2.0)),
                1e-15 * DBL_MAX);
    /* a tiny z beside a large b: b z/|z| */
    CHECK_CNEAR(clayer_modrelu(CMPLX(5e-324, 0), 1e300), CMPLX(1e300, 0),
                1e-15 * 1e300);
    CHECK(clayer_modrelu(CMPLX(5e-324, 5e-324), -1e-300) == 0.0);
    CHECK(clayer_cardioid(CMPLX(DBL_MAX, DBL_MAX)) ==
          CMPLX(DBL_MAX, DBL_MAX) * (0.5 * (1.0 + 1.0 / sqrt(2.0))));
}

TEST(activations_match_numpy_within_1e_12)
{
    for (size_t i = 0; i < CLAYER_REF_N; i++) {
        double complex z = at(cref_z, i);
        double complex r;
        r = at(cref_modrelu, i);
        CHECK_CNEAR(clayer_modrelu(z, cref_b[i]), r, TOL * cmax(r));
        r = at(cref_cardioid, i);
        CHECK_CNEAR(clayer_cardioid(z), r, TOL * cmax(r));
        r = at(cref_split_tanh, i);
        CHECK_CNEAR(clayer_split_tanh(z), r, TOL * cmax(r));
        r = at(cref_split_sigmoid, i);
        CHECK_CNEAR(clayer_split_sigmoid(z), r, TOL * cmax(r));
    }
}

TEST(apply_uses_each_neurons_threshold)
{
    double complex z[3] = {CMPLX(3, 4), CMPLX(3, 4), CMPLX(0, 2)}, a[3];
    double b[3] = {-4.0, -6.0, 1.0};
    clayer_act_spec each = {CLAYER_MODRELU, 0.0, b};
    clayer_act_apply(&each, z, a, 3);
    CHECK_CNEAR(a[0], CMPLX(0.6, 0.8), 2.3e-16);
    CHECK(a[1] == 0.0);
    CHECK_CNEAR(a[2], CMPLX(0, 3), 1e-16);
    clayer_act_spec all = {CLAYER_MODRELU, -4.0, NULL};
    clayer_act_apply(&all, z, z, 3); /* in place */
    CHECK_CNEAR(z[0], CMPLX(0.6, 0.8), 2.3e-16);
    CHECK(z[2] == 0.0);
}

/* The scale S_j of row j's terms for input x (max-norm magnitudes: within
 * a factor sqrt 2 of the moduli, and never overflowing). */
static double row_scale(const clayer_ref_case *c, size_t j, const double *x)
{
    double s = cmax(at(c->bias, j));
    for (size_t i = 0; i < c->cols; i++)
        s += cmax(at(c->weights, j * c->cols + i)) * cmax(at(x, i)) * 2.0;
    return s;
}

TEST(forward_passes_match_numpy)
{
    size_t ncases = sizeof clayer_ref_cases / sizeof clayer_ref_cases[0];
    for (size_t k = 0; k < ncases; k++) {
        const clayer_ref_case *c = &clayer_ref_cases[k];
        clayer_view v = {c->rows, c->cols,
                         (const double complex *)(const void *)c->weights,
                         (const double complex *)(const void *)c->bias,
                         {CLAYER_IDENTITY, c->b, NULL}};
        CHECK(clayer_act_from_name(c->activation, &v.act.kind));
        double complex X[64], Z[64], A[64];
        CHECK(c->batch * c->cols <= 64 && c->batch * c->rows <= 64);
        memcpy(X, c->x, c->batch * c->cols * sizeof *X);
        CHECK_EQ_INT(clayer_forward(&v, X, c->batch, Z, A), CORE_OK);
        for (size_t r = 0; r < c->batch; r++) {
            for (size_t j = 0; j < c->rows; j++) {
                size_t o = r * c->rows + j;
                double s = row_scale(c, j, c->x + 2 * r * c->cols);
                CHECK_CNEAR(Z[o], at(c->z, o), TOL * s);
                CHECK_CNEAR(A[o], at(c->a, o),
                            TOL * (2.0 * s + cmax(at(c->a, o))));
            }
        }
        /* a batch is the same as its inputs one at a time */
        for (size_t r = 0; c->batch > 1 && r < c->batch; r++) {
            double complex z1[16], a1[16];
            CHECK_EQ_INT(clayer_forward(&v, X + r * c->cols, 1, z1, a1),
                         CORE_OK);
            for (size_t j = 0; j < c->rows; j++) {
                double s = row_scale(c, j, c->x + 2 * r * c->cols);
                CHECK_CNEAR(z1[j], Z[r * c->rows + j], 4e-16 * s);
            }
        }
    }
}

TEST(forward_without_bias_and_overflow_is_erange)
{
    double complex w[2] = {CMPLX(0, 1), CMPLX(2, 0)}, x[2] = {CMPLX(1, 1),
                                                               CMPLX(0, -1)};
    double complex z, a;
    clayer_view v = {1, 2, w, NULL, {CLAYER_CARDIOID, 0.0, NULL}};
    /* i (1 + i) + 2 (-i) = -1 - i: cos arg = -1/sqrt 2 */
    CHECK_EQ_INT(clayer_forward(&v, x, 1, &z, &a), CORE_OK);
    CHECK_CNEAR(z, CMPLX(-1, -1), 1e-16);
    CHECK_CNEAR(a, CMPLX(-1, -1) * 0.5 * (1.0 - 1.0 / sqrt(2.0)), 1e-16);
    double complex big[2] = {CMPLX(1e300, 0), CMPLX(1e300, 0)};
    clayer_view huge = {1, 2, big, NULL, {CLAYER_SPLIT_TANH, 0.0, NULL}};
    x[0] = x[1] = CMPLX(1e300, 0);
    CHECK_EQ_INT(clayer_forward(&huge, x, 1, &z, &a), CORE_ERANGE);
    /* an activation that overflows: modrelu's b past DBL_MAX - |z| */
    double complex one = 1.0, in = CMPLX(DBL_MAX, 0);
    clayer_view grow = {1, 1, &one, NULL, {CLAYER_MODRELU, DBL_MAX, NULL}};
    CHECK_EQ_INT(clayer_forward(&grow, &in, 1, &z, &a), CORE_ERANGE);
}

TEST(modulus_softmax_is_softmax_of_the_moduli_at_any_scale)
{
    double complex z[3] = {CMPLX(3, 4), CMPLX(0, -1), 0.0};
    double p[3];
    clayer_modulus_softmax(z, p, 3);
    double e5 = exp(5.0), e1 = exp(1.0), sum = e5 + e1 + 1.0;
    CHECK_NEAR(p[0], e5 / sum, 1e-15);
    CHECK_NEAR(p[1], e1 / sum, 1e-15);
    CHECK_NEAR(p[2], 1.0 / sum, 1e-15);
    /* |z| past DBL_MAX: no Inf - Inf, the largest modulus takes it all */
    double complex big[3] = {CMPLX(DBL_MAX, DBL_MAX), CMPLX(DBL_MAX, 0),
                             CMPLX(1, 1)};
    clayer_modulus_softmax(big, p, 3);
    CHECK(p[0] == 1.0 && p[1] == 0.0 && p[2] == 0.0);
    double complex tie[2] = {CMPLX(DBL_MAX, 0), CMPLX(0, -DBL_MAX)};
    clayer_modulus_softmax(tie, p, 2);
    CHECK(p[0] == 0.5 && p[1] == 0.5);
}

TEST(layer_state_normalizes_the_output)
{
    double complex z[2] = {CMPLX(3, 4), 0.0}, a[2] = {CMPLX(0, 3), 4.0};
    double complex amps[2];
    double ref[2];
    CHECK_EQ_INT(clayer_layer_state(z, a, 2, amps, ref), CORE_OK);
    CHECK_CNEAR(amps[0], CMPLX(0, 0.6), 1e-16);
    CHECK_CNEAR(amps[1], CMPLX(0.8, 0), 1e-16);
    CHECK_NEAR(ref[0], exp(5.0) / (exp(5.0) + 1.0), 1e-15);
    double complex zero[2] = {0.0, 0.0};
    CHECK_EQ_INT(clayer_layer_state(z, zero, 2, amps, ref), CORE_EZERO);
    /* amplitudes near DBL_MAX normalize without overflow */
    double complex huge[2] = {CMPLX(DBL_MAX, DBL_MAX), CMPLX(DBL_MAX, 0)};
    CHECK_EQ_INT(clayer_layer_state(huge, huge, 2, amps, ref), CORE_OK);
    CHECK_CNEAR(amps[0], CMPLX(1, 1) / sqrt(3.0), 1e-15);
    CHECK_CNEAR(amps[1], 1.0 / sqrt(3.0), 1e-15);
}
