/* tests/core/test_activation.c - activations: analytic values, the
 * extremes, and numpy reference vectors (1e-13 relative). */
#include <float.h>
#include <math.h>
#include <string.h>

#include "core/activation.h"
#include "tests/ref/core_ref.h"
#include "tests/testlib.h"

TEST(names_round_trip_and_unknown_names_fail)
{
    for (int k = 0; k < ACT_COUNT_; k++) {
        act_kind got;
        CHECK(act_from_name(act_name((act_kind)k), &got));
        CHECK_EQ_INT(got, k);
        CHECK(strstr(act_all_names(), act_name((act_kind)k)) != NULL);
    }
    act_kind got;
    CHECK(!act_from_name("swish", &got));
    CHECK(!act_from_name("", &got));
    CHECK(!act_from_name("Sigmoid", &got));
}

TEST(default_alphas_are_leaky_0_01_and_elu_1)
{
    CHECK(act_takes_alpha(ACT_LEAKY_RELU) && act_takes_alpha(ACT_ELU));
    CHECK(!act_takes_alpha(ACT_SIGMOID) && !act_takes_alpha(ACT_SOFTMAX));
    CHECK_NEAR(act_default(ACT_LEAKY_RELU).alpha, 0.01, 0);
    CHECK_NEAR(act_default(ACT_ELU).alpha, 1.0, 0);
}

TEST(sigmoid_of_zero_is_one_half)
{
    CHECK(act_sigmoid(0.0) == 0.5);
    CHECK_NEAR(act_sigmoid(1.0), 1.0 / (1.0 + exp(-1.0)), 1e-16);
    CHECK_NEAR(act_sigmoid(-1.0), 1.0 - act_sigmoid(1.0), 1e-16);
}

TEST(sigmoid_is_finite_at_the_ends_of_the_doubles)
{
    CHECK(act_sigmoid(1e308) == 1.0);
    CHECK(act_sigmoid(-1e308) == 0.0);
    CHECK(act_sigmoid(DBL_MAX) == 1.0);
    CHECK(act_sigmoid(-DBL_MAX) == 0.0);
    /* deep negative tail keeps relative accuracy: sigmoid(-40) ~ e^-40 */
    CHECK_NEAR(act_sigmoid(-40.0) / exp(-40.0), 1.0, 1e-15);
}

TEST(softplus_is_exact_for_large_inputs)
{
    CHECK(act_softplus(1000.0) == 1000.0);
    CHECK(act_softplus(1e308) == 1e308);
    CHECK(act_softplus(-1000.0) >= 0.0 && act_softplus(-1000.0) < 1e-300);
    CHECK_NEAR(act_softplus(0.0), log(2.0), 1e-16);
    CHECK_NEAR(act_softplus(-30.0) / exp(-30.0), 1.0, 1e-13);
}

TEST(softmax_of_large_logits_is_finite)
{
    double z[2] = {1000.0, 1001.0}, p[2];
    act_softmax(z, p, 2);
    double e = exp(1.0);
    CHECK_NEAR(p[0], 1.0 / (1.0 + e), 1e-15);
    CHECK_NEAR(p[1], e / (1.0 + e), 1e-15);
    double w[3] = {-1e308, 0.0, 1e308}, q[3];
    act_softmax(w, q, 3);
    CHECK(q[0] == 0.0 && q[1] == 0.0 && q[2] == 1.0);
}

TEST(gelu_uses_the_exact_erf_form)
{
    CHECK(act_gelu(0.0) == 0.0);
    CHECK_NEAR(act_gelu(1.0), 0.5 * (1.0 + erf(1.0 / sqrt(2.0))), 1e-15);
    CHECK(act_gelu(1e308) == 1e308);
    CHECK(act_gelu(-1e308) == 0.0);
    /* the negative tail keeps relative accuracy (no 1 + erf cancellation):
     * gelu(-10) = -10 * Phi(-10) = -10 * 7.6198530241605e-24 */
    CHECK_NEAR(act_gelu(-10.0) / -7.6198530241604696e-23, 1.0, 1e-12);
}

TEST(piecewise_activations_use_alpha)
{
    double z[4] = {-2.0, -0.5, 0.0, 3.0}, a[4];
    act_spec leaky = {ACT_LEAKY_RELU, 0.25};
    act_apply(&leaky, z, a, 4);
    CHECK(a[0] == -0.5 && a[1] == -0.125 && a[2] == 0.0 && a[3] == 3.0);
    act_spec relu = act_default(ACT_RELU);
    act_apply(&relu, z, a, 4);
    CHECK(a[0] == 0.0 && a[1] == 0.0 && a[3] == 3.0);
    act_spec elu = {ACT_ELU, 2.0};
    act_apply(&elu, z, a, 4);
    CHECK_NEAR(a[0], 2.0 * expm1(-2.0), 1e-16);
    CHECK(a[3] == 3.0);
}

TEST(apply_works_in_place)
{
    double z[3] = {1.0, 2.0, 3.0};
    act_spec s = act_default(ACT_SOFTMAX);
    act_apply(&s, z, z, 3);
    CHECK_NEAR(z[0] + z[1] + z[2], 1.0, 1e-15);
    CHECK_NEAR(z[2] / z[1], exp(1.0), 1e-14);
}

/* Every activation on numpy's pre-activations of a 6-neuron layer, a
 * batch of 4 (softmax over each row). */
TEST(activations_match_numpy)
{
    const size_t m = 6, batch = 4;
    for (int k = 0; k < REF_ACT_COUNT; k++) {
        act_kind kind;
        CHECK(act_from_name(ref_act_names[k], &kind));
        act_spec s = {kind, ref_act_alpha[k]};
        for (size_t r = 0; r < batch; r++) {
            double a[6];
            act_apply(&s, layer6x4x4_z + r * m, a, m);
            for (size_t j = 0; j < m; j++)
                CHECK_NEAR(a[j], layer6x4x4_a[k][r * m + j], 1e-13);
        }
    }
}
