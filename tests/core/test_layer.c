/* tests/core/test_layer.c - dense forward passes against hand computation
 * and numpy (1e-13 relative). */
#include <math.h>
#include <string.h>

#include "core/layer.h"
#include "tests/ref/core_ref.h"
#include "tests/testlib.h"

#define TOL 1e-13

TEST(row_j_holds_the_weights_into_neuron_j)
{
    /* a_j = sigma(sum_i w_ji x_i + b_j) */
    const double w[6] = {1, 2, 3, /* neuron 0 */ -1, 0, 1 /* neuron 1 */};
    const double b[2] = {0.5, -0.5};
    const double x[3] = {1, 10, 100};
    layer_view l = {2, 3, w, b, act_default(ACT_IDENTITY)};
    double z[2], a[2];
    layer_forward(&l, x, z, a);
    CHECK(z[0] == 321.5 && z[1] == 98.5);
    CHECK(a[0] == 321.5 && a[1] == 98.5);
}

TEST(missing_bias_means_zeros)
{
    const double w[2] = {2, -3};
    const double x[2] = {1, 1};
    layer_view l = {1, 2, w, NULL, act_default(ACT_RELU)};
    double z, a;
    layer_forward(&l, x, &z, &a);
    CHECK(z == -1.0 && a == 0.0);
}

TEST(output_only_when_no_pre_activation_wanted)
{
    const double w[2] = {1, 1};
    const double x[2] = {0.25, 0.25};
    layer_view l = {1, 2, w, NULL, act_default(ACT_SIGMOID)};
    double a;
    layer_forward(&l, x, NULL, &a);
    CHECK_NEAR(a, 1.0 / (1.0 + exp(-0.5)), 1e-16);
}

TEST(batch_equals_one_input_at_a_time)
{
    const size_t m = 6, n = 4, batch = 4;
    act_spec s = act_default(ACT_TANH);
    layer_view l = {m, n, layer6x4x4_w, layer6x4x4_b, s};
    double Z[24], A[24];
    layer_forward_batch(&l, layer6x4x4_x, batch, Z, A);
    for (size_t r = 0; r < batch; r++) {
        double z[6], a[6];
        layer_forward(&l, layer6x4x4_x + r * n, z, a);
        for (size_t j = 0; j < m; j++) {
            CHECK_NEAR(Z[r * m + j], z[j], 1e-14);
            CHECK_NEAR(A[r * m + j], a[j], 1e-14);
        }
    }
}

/* One numpy layer with every activation; batch 1 uses layer_forward. */
static void check_layer(size_t m, size_t n, size_t batch, const double *w,
                        const double *b, const double *x, const double *z,
                        const double *want, size_t act_index)
{
    act_kind kind;
    CHECK(act_from_name(ref_act_names[act_index], &kind));
    layer_view l = {m, n, w, b, {kind, ref_act_alpha[act_index]}};
    double Z[64], A[64];
    if (batch == 1)
        layer_forward(&l, x, Z, A);
    else
        layer_forward_batch(&l, x, batch, Z, A);
    for (size_t i = 0; i < m * batch; i++) {
        CHECK_NEAR(Z[i], z[i], TOL);
        CHECK_NEAR(A[i], want[i], TOL);
    }
}

TEST(layers_match_numpy_for_every_activation)
{
    for (size_t k = 0; k < REF_ACT_COUNT; k++) {
        check_layer(5, 3, 1, layer5x3x1_w, layer5x3x1_b, layer5x3x1_x,
                    layer5x3x1_z, layer5x3x1_a[k], k);
        check_layer(16, 32, 1, layer16x32x1_w, layer16x32x1_b,
                    layer16x32x1_x, layer16x32x1_z, layer16x32x1_a[k], k);
        check_layer(6, 4, 4, layer6x4x4_w, layer6x4x4_b, layer6x4x4_x,
                    layer6x4x4_z, layer6x4x4_a[k], k);
    }
}
