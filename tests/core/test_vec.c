/* tests/core/test_vec.c - small questions about arrays (core/vec.c). */
#include <math.h>

#include "core/vec.h"
#include "tests/testlib.h"

TEST(all_finite_refuses_nan_and_both_infinities)
{
    double x[3] = {1, -0.0, 1e308};
    CHECK(vec_all_finite(x, 3));
    CHECK(vec_all_finite(x, 0));
    x[2] = NAN;
    CHECK(!vec_all_finite(x, 3));
    x[2] = -INFINITY;
    CHECK(!vec_all_finite(x, 3));
    CHECK(vec_all_finite(x, 2));
}

TEST(argmax_is_the_first_of_the_largest)
{
    const double x[5] = {-1, 3, 2, 3, -7};
    CHECK_EQ_INT(vec_argmax(x, 5), 1);
    CHECK_EQ_INT(vec_argmax(x, 1), 0);
    CHECK_EQ_INT(vec_argmax(x, 0), 0);
}
