/* tests/core/test_compare.c - state_compare (core/state.h) against numpy.
 *
 * The references come from tests/ref/gen_qstate_ref.py (np.vdot of the
 * unit states). Tolerance: 1e-12, absolute, on the inner product, the
 * fidelity, the phase (radians) and the distance of unit states. The trace
 * distance sqrt(1 - F) is compared through its square 1 - F: near F = 1 the
 * square root turns the rounding of F (1e-16) into 1e-8, so the square is
 * what can be held to 1e-12; where it is at least 0.01 the trace distance
 * itself is held to 1e-12 as well. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "core/state.h"
#include "tests/ref/qstate_ref.h"
#include "tests/testlib.h"

#define TOL 1e-12
#define LEN_MAX 256

static void unpack(const double *pairs, size_t len, double complex *c)
{
    for (size_t i = 0; i < len; i++)
        c[i] = CMPLX(pairs[2 * i], pairs[2 * i + 1]);
}

/* Compares case t's a and b and checks every field against it. */
static void check_case(size_t t, const ref_compare_case *r)
{
    static double complex a[LEN_MAX], b[LEN_MAX];
    unpack(r->a, r->len, a);
    unpack(r->b, r->len, b);
    state_comparison cmp;
    memset(&cmp, 0xff, sizeof cmp); /* NaNs: every field must be written */
    core_status st = state_compare(a, b, r->len, &cmp);
    test_check(st == CORE_OK, __FILE__, __LINE__, "case %zu (%s): status %d", t,
               r->why, (int)st);
    if (st != CORE_OK)
        return;
    double td2 = cmp.trace_distance * cmp.trace_distance;
    double ref_td2 = r->trace_distance * r->trace_distance;
    bool ok = fabs(creal(cmp.inner) - r->inner_re) <= TOL &&
              fabs(cimag(cmp.inner) - r->inner_im) <= TOL &&
              fabs(cmp.fidelity - r->fidelity) <= TOL &&
              fabs(td2 - ref_td2) <= TOL &&
              (r->trace_distance < 0.01 ||
               fabs(cmp.trace_distance - r->trace_distance) <= TOL);
    if (r->phase_defined)
        ok = ok && fabs(cmp.phase - r->phase) <= TOL &&
             fabs(cmp.distance - r->distance) <= TOL;
    test_check(ok, __FILE__, __LINE__,
               "case %zu (%s): inner %.17g%+.17gi (want %.17g%+.17gi), "
               "fidelity %.17g (%.17g), trace distance %.17g (%.17g), "
               "phase %.17g (%.17g), distance %.17g (%.17g)",
               t, r->why, creal(cmp.inner), cimag(cmp.inner), r->inner_re,
               r->inner_im, cmp.fidelity, r->fidelity, cmp.trace_distance,
               r->trace_distance, cmp.phase, r->phase, cmp.distance,
               r->distance);
    /* the header's ranges and relations, whatever the case */
    const double pi = acos(-1.0);
    CHECK(cmp.fidelity >= 0 && cmp.fidelity <= 1);
    CHECK(cmp.phase > -pi && cmp.phase <= pi);
    CHECK(fabs(td2 - (1 - cmp.fidelity)) <= TOL);
    CHECK(fabs(cmp.fidelity - cabs(cmp.inner) * cabs(cmp.inner)) <= TOL);
}

TEST(comparisons_match_the_reference)
{
    for (size_t t = 0; t < REF_COMPARE_CASES; t++)
        check_case(t, &ref_compare_cases[t]);
}

TEST(a_state_compared_with_itself_has_fidelity_1_and_distance_0)
{
    double complex a[32];
    state_comparison cmp;
    for (size_t n = 1; n <= 32; n *= 2) {
        unpack(qs_states[5], n, a); /* the first n amplitudes: any state */
        CHECK_EQ_INT(state_compare(a, a, n, &cmp), CORE_OK);
        CHECK_NEAR(cmp.fidelity, 1.0, TOL);
        CHECK_NEAR(cmp.phase, 0.0, TOL);
        CHECK_NEAR(cmp.distance, 0.0, TOL);
        CHECK_NEAR(cmp.trace_distance * cmp.trace_distance, 0.0, TOL);
        CHECK_NEAR(cimag(cmp.inner), 0.0, TOL);
    }
}

TEST(a_global_phase_is_recovered_and_leaves_distance_0)
{
    /* b = e^{i theta} a for theta across (-pi, pi] */
    const double pi = acos(-1.0);
    double complex a[8], b[8];
    unpack(qs_states[3], 8, a);
    for (int s = -7; s <= 8; s++) {
        double theta = s * pi / 8;
        for (int i = 0; i < 8; i++)
            b[i] = cexp(CMPLX(0, theta)) * a[i] * 2.5;
        state_comparison cmp;
        CHECK_EQ_INT(state_compare(a, b, 8, &cmp), CORE_OK);
        CHECK_NEAR(cmp.phase, theta, TOL);
        CHECK_NEAR(cmp.fidelity, 1.0, TOL);
        CHECK_NEAR(cmp.distance, 0.0, TOL);
    }
}

TEST(orthogonal_states_have_fidelity_0_phase_0_and_trace_distance_1)
{
    /* <a|b> is exactly 0 (and -0 for the sign of some of its terms) */
    const double complex a[2] = {1, 0}, b[2] = {0, CMPLX(0, -3)};
    const double complex c[4] = {CMPLX(-1, 0), 0, CMPLX(0, -1), 0};
    const double complex d[4] = {0, CMPLX(-2, 0), 0, CMPLX(0, 5)};
    state_comparison cmp;
    CHECK_EQ_INT(state_compare(a, b, 2, &cmp), CORE_OK);
    CHECK(cmp.fidelity == 0 && cmp.phase == 0);
    CHECK_NEAR(cmp.trace_distance, 1.0, TOL);
    CHECK_NEAR(cmp.distance, 1.0, TOL); /* |b_1 - a_1| = 1 */
    CHECK_EQ_INT(state_compare(c, d, 4, &cmp), CORE_OK);
    CHECK(cmp.fidelity == 0 && cmp.phase == 0);
    CHECK_NEAR(cmp.trace_distance, 1.0, TOL);
    CHECK_NEAR(cmp.distance, 5 / sqrt(29.0), TOL);
}

TEST(comparison_is_scale_free_at_the_ends_of_the_doubles)
{
    /* (1, 1) against (1, 0), scaled to DBL_MAX and to a subnormal */
    const double complex big[2] = {DBL_MAX, DBL_MAX};
    const double complex tiny[2] = {4.9406564584124654e-324, 0};
    state_comparison cmp;
    CHECK_EQ_INT(state_compare(big, tiny, 2, &cmp), CORE_OK);
    CHECK_NEAR(cmp.fidelity, 0.5, TOL);
    CHECK_NEAR(creal(cmp.inner), sqrt(0.5), TOL);
    CHECK_NEAR(cmp.phase, 0.0, TOL);
    CHECK_NEAR(cmp.trace_distance, sqrt(0.5), TOL);
    CHECK_NEAR(cmp.distance, sqrt(0.5), TOL);
}

TEST(compare_refuses_zero_states_and_empty_ones)
{
    const double complex a[2] = {1, CMPLX(0, 1)}, zero[2] = {0, 0};
    state_comparison cmp;
    CHECK_EQ_INT(state_compare(a, zero, 2, &cmp), CORE_EZERO);
    CHECK_EQ_INT(state_compare(zero, a, 2, &cmp), CORE_EZERO);
    CHECK_EQ_INT(state_compare(zero, zero, 2, &cmp), CORE_EZERO);
    CHECK_EQ_INT(state_compare(a, a, 0, &cmp), CORE_EINVAL);
}
