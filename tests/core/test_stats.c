/* tests/core/test_stats.c - distribution metrics: analytic cases and
 * numpy (1e-13 relative). */
#include <float.h>
#include <math.h>

#include "core/stats.h"
#include "tests/ref/core_ref.h"
#include "tests/testlib.h"

#define TOL 1e-13

TEST(entropy_counts_zero_log_zero_as_zero)
{
    const double p[4] = {0.5, 0.0, 0.25, 0.25};
    CHECK_NEAR(stats_entropy_bits(p, 4), 1.5, 0);
    const double point[3] = {0, 1, 0};
    CHECK(stats_entropy_bits(point, 3) == 0.0);
}

TEST(kl_is_zero_for_equal_and_infinite_off_support)
{
    const double p[2] = {0.5, 0.5}, q[2] = {1.0, 0.0};
    CHECK(stats_kl_bits(p, p, 2) == 0.0);
    CHECK(isinf(stats_kl_bits(p, q, 2)));
    CHECK_NEAR(stats_kl_bits(q, p, 2), 1.0, 1e-15); /* log2(1/0.5) */
}

TEST(total_variation_and_fidelity_of_disjoint_supports)
{
    const double p[2] = {1, 0}, q[2] = {0, 1};
    CHECK(stats_total_variation(p, q, 2) == 1.0);
    CHECK(stats_classical_fidelity(p, q, 2) == 0.0);
    CHECK_NEAR(stats_classical_fidelity(p, p, 2), 1.0, 1e-15);
}

TEST(pearson_is_undefined_for_constant_series)
{
    const double x[3] = {1, 2, 3}, c[3] = {4, 4, 4};
    double r = 7;
    CHECK_EQ_INT(stats_pearson(x, c, 3, &r), CORE_EUNDEFINED);
    CHECK(r == 7);
    CHECK_EQ_INT(stats_pearson(x, x, 1, &r), CORE_EUNDEFINED);
    const double y[3] = {-2, -4, -6};
    CHECK_EQ_INT(stats_pearson(x, y, 3, &r), CORE_OK);
    CHECK_NEAR(r, -1.0, 1e-15);
}

TEST(pearson_does_not_depend_on_scale)
{
    /* r(a x, b y) = r(x, y) for a, b > 0, even where squares of the raw
     * deviations would overflow (1e300) or vanish (1e-300). */
    double r0, r;
    CHECK_EQ_INT(stats_pearson(pearson_x, pearson_y, 12, &r0), CORE_OK);
    const double scales[][2] = {{1e300, 1}, {1, 1e-300}, {1e-300, 1e300},
                                {1e305, 1e-305}};
    for (size_t k = 0; k < sizeof scales / sizeof scales[0]; k++) {
        double x[12], y[12];
        for (size_t i = 0; i < 12; i++) {
            x[i] = pearson_x[i] * scales[k][0];
            y[i] = pearson_y[i] * scales[k][1];
        }
        CHECK_EQ_INT(stats_pearson(x, y, 12, &r), CORE_OK);
        CHECK_NEAR(r, r0, 1e-13);
    }
    /* Series across the whole range: (-DBL_MAX, 0, DBL_MAX) is a line. */
    const double wide[3] = {-DBL_MAX, 0, DBL_MAX}, line[3] = {1, 2, 3};
    CHECK_EQ_INT(stats_pearson(wide, line, 3, &r), CORE_OK);
    CHECK_NEAR(r, 1.0, 1e-15);
}

TEST(metrics_match_numpy)
{
    CHECK_NEAR(stats_entropy_bits(metric_p, 9), metric_entropy_p, TOL);
    CHECK_NEAR(stats_kl_bits(metric_p, metric_q, 9), metric_kl_pq, TOL);
    CHECK_NEAR(stats_total_variation(metric_p, metric_q, 9), metric_tv_pq,
               TOL);
    CHECK_NEAR(stats_classical_fidelity(metric_p, metric_q, 9),
               metric_fid_pq, TOL);
    double r;
    CHECK_EQ_INT(stats_pearson(pearson_x, pearson_y, 12, &r), CORE_OK);
    CHECK_NEAR(r, pearson_r, TOL);
}
