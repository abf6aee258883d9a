/* tests/core/test_analogy.c - the two correspondences (core/analogy.c) on
 * cases whose answers are known in closed form. */
#include <float.h>
#include <math.h>

#include "core/analogy.h"
#include "tests/testlib.h"

#define TOL 1e-15

TEST(l2_mapping_divides_the_outputs_by_their_norm)
{
    const double z[2] = {0, 0}, a[2] = {3, -4};
    double complex amps[2];
    double ref[2];
    CHECK_EQ_INT(analogy_layer_state(ANALOGY_L2, z, a, 2, amps, ref),
                 CORE_OK);
    CHECK_NEAR(creal(amps[0]), 0.6, TOL);
    CHECK_NEAR(creal(amps[1]), -0.8, TOL);
    CHECK(cimag(amps[0]) == 0 && cimag(amps[1]) == 0);
    /* the reference is softmax(z): equal pre-activations, equal halves */
    CHECK_NEAR(ref[0], 0.5, TOL);
    CHECK_NEAR(ref[1], 0.5, TOL);
}

TEST(softmax_sqrt_mapping_has_the_softmax_as_its_born_distribution)
{
    /* softmax(0, ln 3) = (1/4, 3/4); amplitudes (1/2, sqrt(3)/2) */
    const double z[2] = {0, log(3.0)}, a[2] = {0, 0};
    double complex amps[2];
    double ref[2];
    CHECK_EQ_INT(analogy_layer_state(ANALOGY_SOFTMAX_SQRT, z, a, 2, amps,
                                     ref),
                 CORE_OK);
    CHECK_NEAR(ref[0], 0.25, TOL);
    CHECK_NEAR(ref[1], 0.75, TOL);
    CHECK_NEAR(creal(amps[0]), 0.5, TOL);
    CHECK_NEAR(creal(amps[1]), sqrt(3.0) / 2, TOL);
}

TEST(l2_mapping_of_a_zero_output_has_no_state)
{
    const double z[3] = {1, 2, 3}, a[3] = {0, 0, 0};
    double complex amps[3];
    double ref[3];
    CHECK_EQ_INT(analogy_layer_state(ANALOGY_L2, z, a, 3, amps, ref),
                 CORE_EZERO);
}

TEST(comparison_of_equal_and_disjoint_distributions)
{
    const double p[2] = {0.5, 0.5}, q[2] = {1, 0};
    analogy_comparison c;
    analogy_compare(p, p, 2, &c);
    CHECK_NEAR(c.entropy_bits, 1.0, TOL);
    CHECK_NEAR(c.reference_entropy_bits, 1.0, TOL);
    CHECK_NEAR(c.kl_divergence_bits, 0.0, TOL);
    CHECK_NEAR(c.total_variation, 0.0, TOL);
    CHECK_NEAR(c.fidelity, 1.0, TOL);
    CHECK(c.argmax_agrees);
    analogy_compare(p, q, 2, &c); /* p puts weight where q has none */
    CHECK(isinf(c.kl_divergence_bits) && c.kl_divergence_bits > 0);
    CHECK_NEAR(c.total_variation, 0.5, TOL);
    CHECK_NEAR(c.fidelity, 0.5, TOL); /* (sqrt(1/2))^2 */
    CHECK_NEAR(c.reference_entropy_bits, 0.0, TOL);
    const double r[2] = {0.25, 0.75};
    analogy_compare(q, r, 2, &c);
    CHECK(!c.argmax_agrees);
    CHECK_NEAR(c.kl_divergence_bits, 2.0, TOL); /* log2(1 / (1/4)) */
}

TEST(overlaps_are_cosines_of_weights_and_state)
{
    /* neurons along x, along y, at 45 degrees, opposite, and zero */
    const double w[10] = {2, 0, 0, 5, 1, 1, -3, 0, 0, 0};
    const double x[2] = {7, 0};
    double overlap[5];
    double complex work[4];
    analogy_overlaps(w, 5, 2, x, overlap, work);
    CHECK_NEAR(overlap[0], 1.0, TOL);
    CHECK_NEAR(overlap[1], 0.0, TOL);
    CHECK_NEAR(overlap[2], sqrt(0.5), TOL);
    CHECK_NEAR(overlap[3], -1.0, TOL);
    CHECK(isnan(overlap[4])); /* a zero neuron has no direction */
}

TEST(overlaps_are_scale_safe)
{
    /* Dot products of these would overflow or vanish; their cosines are
     * those of (1, 1) and (1, 0). */
    const double w[4] = {DBL_MAX, DBL_MAX, 1e-310, 0};
    const double x[2] = {DBL_MAX / 2, 0};
    double overlap[2];
    double complex work[4];
    analogy_overlaps(w, 2, 2, x, overlap, work);
    CHECK_NEAR(overlap[0], sqrt(0.5), 1e-15);
    CHECK_NEAR(overlap[1], 1.0, 1e-15);
    const double zero[2] = {0, 0};
    analogy_overlaps(w, 2, 2, zero, overlap, work); /* a zero state */
    CHECK(isnan(overlap[0]) && isnan(overlap[1]));
}

TEST(correlation_uses_only_neurons_with_an_overlap)
{
    /* probabilities 1, 0.25, 0 (and one undefined) against activations
     * that rise with them: a straight line gives r = 1 */
    const double overlap[4] = {1.0, -0.5, NAN, 0.0};
    const double a[4] = {2.0, 0.5, 100.0, 0.0};
    double work[8], r = 0;
    CHECK_EQ_INT(analogy_activation_probability_correlation(a, overlap, 4,
                                                            work, &r),
                 CORE_OK);
    CHECK_NEAR(r, 1.0, 1e-15);
    const double one[2] = {1.0, NAN}; /* a single defined neuron */
    CHECK_EQ_INT(analogy_activation_probability_correlation(a, one, 2, work,
                                                            &r),
                 CORE_EUNDEFINED);
}
