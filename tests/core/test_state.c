/* tests/core/test_state.c - core/state.c against analytic cases and numpy.
 *
 * Tolerance: 1e-13 relative (or absolute below 1) against numpy's float64
 * results; exact where the arithmetic is exact. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/state.h"
#include "tests/ref/core_ref.h"
#include "tests/testlib.h"

#define TOL 1e-13

/* Unpacks interleaved (re, im) pairs. */
static void unpack(const double *pairs, size_t n, double complex *c)
{
    for (size_t i = 0; i < n; i++)
        c[i] = CMPLX(pairs[2 * i], pairs[2 * i + 1]);
}

TEST(normalize_three_four_gives_three_fifths_four_fifths)
{
    double complex c[2] = {3, 4};
    double norm = 0;
    CHECK_EQ_INT(state_normalize(c, 2, &norm), CORE_OK);
    CHECK_NEAR(norm, 5.0, 0);
    CHECK_NEAR(creal(c[0]), 0.6, 1e-16);
    CHECK_NEAR(creal(c[1]), 0.8, 1e-16);
    CHECK(cimag(c[0]) == 0 && cimag(c[1]) == 0);
}

TEST(normalize_rejects_zero_vector_and_leaves_it)
{
    double complex c[3] = {0, 0, 0};
    double norm = -1;
    CHECK_EQ_INT(state_normalize(c, 3, &norm), CORE_EZERO);
    CHECK(norm == -1);
    CHECK(c[0] == 0 && c[1] == 0 && c[2] == 0);
    CHECK_EQ_INT(state_normalize(c, 0, NULL), CORE_EINVAL);
}

TEST(norm_neither_overflows_nor_underflows)
{
    double complex big[2] = {1e300, 1e300};
    CHECK_NEAR(state_norm(big, 2) / 1e300, sqrt(2.0), 1e-15);
    double complex tiny[2] = {3e-300, CMPLX(0, 4e-300)};
    CHECK_NEAR(state_norm(tiny, 2) / 1e-300, 5.0, 1e-15);
    double complex sub[2] = {4.9406564584124654e-324, 4.9406564584124654e-324};
    CHECK(state_norm(sub, 2) > 0);
    double complex huge[2] = {DBL_MAX, DBL_MAX}; /* norm itself overflows */
    CHECK(isinf(state_norm(huge, 2)));
}

TEST(normalize_works_at_extreme_scales)
{
    double complex big[2] = {1e300, 1e300};
    CHECK_EQ_INT(state_normalize(big, 2, NULL), CORE_OK);
    CHECK_NEAR(creal(big[0]), sqrt(0.5), 1e-15);
    CHECK_NEAR(creal(big[1]), sqrt(0.5), 1e-15);

    double complex tiny[2] = {1e-300, CMPLX(0, -1e-300)};
    CHECK_EQ_INT(state_normalize(tiny, 2, NULL), CORE_OK);
    CHECK_NEAR(cimag(tiny[1]), -sqrt(0.5), 1e-15);

    double complex huge[3] = {DBL_MAX, -DBL_MAX, 0};
    double norm;
    CHECK_EQ_INT(state_normalize(huge, 3, &norm), CORE_OK);
    CHECK(isinf(norm));
    CHECK_NEAR(creal(huge[0]), sqrt(0.5), 1e-15);
    CHECK_NEAR(creal(huge[1]), -sqrt(0.5), 1e-15);
    CHECK_NEAR(state_norm(huge, 3), 1.0, 1e-15);

    double complex sub[2] = {4.9406564584124654e-324, 0};
    CHECK_EQ_INT(state_normalize(sub, 2, NULL), CORE_OK);
    CHECK(creal(sub[0]) == 1.0);

    /* Subnormal norms carry too few bits to divide by directly. */
    double complex pair[2] = {4.9406564584124654e-324,
                              4.9406564584124654e-324};
    CHECK_EQ_INT(state_normalize(pair, 2, NULL), CORE_OK);
    CHECK_NEAR(creal(pair[0]), sqrt(0.5), 1e-15);
    CHECK_NEAR(creal(pair[1]), sqrt(0.5), 1e-15);
}

TEST(probabilities_are_scale_free_and_sum_to_one)
{
    double complex c[3] = {1e-200, CMPLX(0, 2e-200), CMPLX(2e-200, 0)};
    double p[3];
    CHECK_EQ_INT(state_probabilities(c, 3, p), CORE_OK);
    CHECK_NEAR(p[0], 1.0 / 9, 1e-15);
    CHECK_NEAR(p[1], 4.0 / 9, 1e-15);
    CHECK_NEAR(p[2], 4.0 / 9, 1e-15);
    double complex big[2] = {DBL_MAX, DBL_MAX / 2};
    CHECK_EQ_INT(state_probabilities(big, 2, p), CORE_OK);
    CHECK_NEAR(p[0], 0.8, 1e-15);
    CHECK_NEAR(p[1], 0.2, 1e-15);
    double complex zero[2] = {0, 0};
    CHECK_EQ_INT(state_probabilities(zero, 2, p), CORE_EZERO);
}

TEST(probabilities_never_exceed_one)
{
    /* A lone amplitude is certain: the squares of its parts divided by the
     * norm sum to 1 + 2^-52 in doubles here, and a probability above 1 is
     * a number no measurement can have. */
    double complex c[4] = {0, CMPLX(-0.09150646482988965, -0.16748377401214634),
                           0, 0};
    double p[4];
    CHECK_EQ_INT(state_probabilities(c, 4, p), CORE_OK);
    CHECK(p[1] <= 1.0);
    CHECK_NEAR(p[1], 1.0, 1e-15);
    CHECK(p[0] == 0 && p[2] == 0 && p[3] == 0);
}

TEST(entropy_of_uniform_state_over_eight_is_three_bits)
{
    double complex c[8];
    for (int i = 0; i < 8; i++)
        c[i] = CMPLX(i % 2 ? -1 : 1, 0) / sqrt(8.0);
    double h;
    CHECK_EQ_INT(state_entropy_bits(c, 8, &h), CORE_OK);
    CHECK_NEAR(h, 3.0, 1e-15);
    double complex basis[4] = {0, 0, 1, 0};
    CHECK_EQ_INT(state_entropy_bits(basis, 4, &h), CORE_OK);
    CHECK(h == 0.0);
}

TEST(inner_product_is_antilinear_in_the_first_slot)
{
    double complex a[2] = {CMPLX(1, 2), CMPLX(3, -1)};
    double complex b[2] = {CMPLX(0, 1), CMPLX(2, 2)};
    double complex ia[2] = {I * a[0], I * a[1]};
    double complex ab = state_inner(a, b, 2);
    double complex iab = state_inner(ia, b, 2);
    /* <a|b> = (1-2i)(i) + (3+i)(2+2i) = (2+i) + (4+8i) = 6+9i */
    CHECK_NEAR(creal(ab), 6.0, 0);
    CHECK_NEAR(cimag(ab), 9.0, 0);
    CHECK_NEAR(creal(iab), creal(-I * ab), 0);
    CHECK_NEAR(cimag(iab), cimag(-I * ab), 0);
}

TEST(fidelity_is_one_for_equal_rays_and_zero_for_orthogonal)
{
    double complex a[2] = {CMPLX(1, 1), CMPLX(0, 2)};
    double complex phase[2] = {CMPLX(0, 3) * a[0], CMPLX(0, 3) * a[1]};
    double f;
    CHECK_EQ_INT(state_fidelity(a, phase, 2, &f), CORE_OK);
    CHECK_NEAR(f, 1.0, 1e-15);
    double complex x[2] = {1, 0}, y[2] = {0, CMPLX(0, 5)};
    CHECK_EQ_INT(state_fidelity(x, y, 2, &f), CORE_OK);
    CHECK(f == 0.0);
    double complex z[2] = {0, 0};
    CHECK_EQ_INT(state_fidelity(x, z, 2, &f), CORE_EZERO);
}

TEST(fidelity_neither_overflows_nor_underflows)
{
    /* |<a|b>|^2 / (|a|^2 |b|^2) is scale free: these are the rays of
     * (1, 1) and (1, 0), fidelity 1 and 1/2, at the ends of the doubles. */
    double complex big[2] = {DBL_MAX, DBL_MAX}, tiny[2] = {4.9e-324, 0};
    double complex one[2] = {1, 1};
    double f;
    CHECK_EQ_INT(state_fidelity(big, one, 2, &f), CORE_OK);
    CHECK_NEAR(f, 1.0, 1e-15);
    CHECK_EQ_INT(state_fidelity(tiny, big, 2, &f), CORE_OK);
    CHECK_NEAR(f, 0.5, 1e-15);
    CHECK_EQ_INT(state_fidelity(tiny, tiny, 2, &f), CORE_OK);
    CHECK_NEAR(f, 1.0, 1e-15);
}

/* Checks one numpy reference state of dimension d. */
static void check_reference(size_t d, const double *in, double norm,
                            const double *unit, const double *prob,
                            double entropy)
{
    double complex c[64];
    double p[64];
    double h, got_norm;
    unpack(in, d, c);
    CHECK_NEAR(state_norm(c, d), norm, TOL);
    CHECK_EQ_INT(state_normalize(c, d, &got_norm), CORE_OK);
    CHECK_NEAR(got_norm, norm, TOL);
    for (size_t i = 0; i < d; i++) {
        CHECK_NEAR(creal(c[i]), unit[2 * i], TOL);
        CHECK_NEAR(cimag(c[i]), unit[2 * i + 1], TOL);
    }
    CHECK_EQ_INT(state_probabilities(c, d, p), CORE_OK);
    for (size_t i = 0; i < d; i++)
        CHECK_NEAR(p[i], prob[i], TOL);
    CHECK_EQ_INT(state_entropy_bits(c, d, &h), CORE_OK);
    CHECK_NEAR(h, entropy, TOL);
}

TEST(states_match_numpy)
{
    check_reference(1, state1_in, state1_norm, state1_unit, state1_prob,
                    state1_entropy);
    check_reference(2, state2_in, state2_norm, state2_unit, state2_prob,
                    state2_entropy);
    check_reference(7, state7_in, state7_norm, state7_unit, state7_prob,
                    state7_entropy);
    check_reference(64, state64_in, state64_norm, state64_unit, state64_prob,
                    state64_entropy);
}

TEST(inner_product_and_fidelity_match_numpy)
{
    double complex a[7], b[7];
    unpack(inner_a, 7, a);
    unpack(inner_b, 7, b);
    double complex ip = state_inner(a, b, 7);
    CHECK_NEAR(creal(ip), inner_re, TOL);
    CHECK_NEAR(cimag(ip), inner_im, TOL);
    double f;
    CHECK_EQ_INT(state_fidelity(a, b, 7, &f), CORE_OK);
    CHECK_NEAR(f, inner_fidelity, TOL);
}

TEST(qubits_are_log2_of_powers_of_two_only)
{
    CHECK_EQ_INT(state_qubits(1), 0);
    CHECK_EQ_INT(state_qubits(2), 1);
    CHECK_EQ_INT(state_qubits(8), 3);
    CHECK_EQ_INT(state_qubits(1u << 20), 20);
    CHECK_EQ_INT(state_qubits(3), -1);
    CHECK_EQ_INT(state_qubits(12), -1);
}

TEST(default_labels_are_binary_for_qubits_and_decimal_otherwise)
{
    char buf[STATE_LABEL_SIZE];
    state_basis_label(0, 4, buf);
    CHECK_STR(buf, "00");
    state_basis_label(3, 4, buf);
    CHECK_STR(buf, "11");
    state_basis_label(5, 8, buf);
    CHECK_STR(buf, "101");
    state_basis_label(2, 3, buf);
    CHECK_STR(buf, "2");
    state_basis_label(0, 1, buf);
    CHECK_STR(buf, "0");
}

TEST(label_size_is_exactly_the_room_the_widest_label_takes)
{
    static const struct { size_t n, size; } cases[] = {
        {1, 2}, {2, 2}, {3, 2}, {4, 3}, {10, 2}, {11, 3}, {100, 3},
        {101, 4}, {1000, 4}, {1001, 5}, {1024, 11}, {12345, 6},
        {(size_t)1 << 20, 21},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        size_t n = cases[c].n, size = state_label_size(n);
        CHECK_EQ_INT((int)size, (int)cases[c].size);
        /* A buffer of exactly that size (ASan sees a byte too many): the
         * first, middle and last labels fit, and the last fills it. */
        char *buf = malloc(size);
        CHECK(buf != NULL);
        size_t at[] = {0, n / 2, n - 1};
        for (int k = 0; k < 3; k++) {
            state_basis_label(at[k], n, buf);
            CHECK(strlen(buf) + 1 <= size);
        }
        CHECK_EQ_INT((int)(strlen(buf) + 1), (int)size);
        free(buf);
    }
}
