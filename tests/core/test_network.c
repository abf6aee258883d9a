/* tests/core/test_network.c - forward passes through a stack of layers
 * (core/network.c): each layer takes the one before's outputs, every
 * layer's values are kept, and an overflow names its layer. */
#include <float.h>
#include <math.h>

#include "core/network.h"
#include "tests/testlib.h"

TEST(each_layer_takes_the_outputs_of_the_one_before)
{
    /* relu(W1 x + b1) then identity(W2 h): x = (1, -2) */
    const double w1[4] = {1, 1, 1, -1}, b1[2] = {0.5, 0};
    const double w2[2] = {2, 3};
    const layer_view layers[2] = {
        {2, 2, w1, b1, act_default(ACT_RELU)},
        {1, 2, w2, NULL, act_default(ACT_IDENTITY)},
    };
    const double x[2] = {1, -2};
    double z1[2], a1[2], z2[1], a2[1];
    double *Z[2] = {z1, z2}, *A[2] = {a1, a2};
    size_t failed = 99;
    CHECK_EQ_INT(network_forward(layers, 2, x, 1, Z, A, &failed), CORE_OK);
    CHECK(z1[0] == -0.5 && z1[1] == 3.0); /* 1 - 2 + 0.5, 1 + 2 */
    CHECK(a1[0] == 0.0 && a1[1] == 3.0);
    CHECK(z2[0] == 9.0 && a2[0] == 9.0);
    CHECK_EQ_INT(failed, 99); /* untouched on success */
}

TEST(a_batch_is_each_input_on_its_own)
{
    const double w[2] = {1, 2};
    const layer_view layer = {1, 2, w, NULL, act_default(ACT_TANH)};
    const double X[6] = {1, 0, 0, 1, -1, 1};
    double z[3], a[3];
    double *Z[1] = {z}, *A[1] = {a};
    size_t failed;
    CHECK_EQ_INT(network_forward(&layer, 1, X, 3, Z, A, &failed), CORE_OK);
    CHECK(z[0] == 1 && z[1] == 2 && z[2] == 1);
    CHECK_NEAR(a[1], tanh(2.0), 1e-15);
}

TEST(an_overflow_names_its_layer)
{
    const double w1[1] = {1}, w2[1] = {DBL_MAX}, w3[1] = {1};
    const layer_view layers[3] = {
        {1, 1, w1, NULL, act_default(ACT_IDENTITY)},
        {1, 1, w2, NULL, act_default(ACT_IDENTITY)},
        {1, 1, w3, NULL, act_default(ACT_IDENTITY)},
    };
    const double x[1] = {4};
    double z[3], a[3];
    double *Z[3] = {&z[0], &z[1], &z[2]}, *A[3] = {&a[0], &a[1], &a[2]};
    size_t failed = 99;
    CHECK_EQ_INT(network_forward(layers, 3, x, 1, Z, A, &failed),
                 CORE_ERANGE);
    CHECK_EQ_INT(failed, 1); /* 4 * DBL_MAX */
}
