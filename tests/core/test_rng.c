/* tests/core/test_rng.c - xoshiro256** against an independent Python
 * implementation, and Born-rule sampling. */
#include <math.h>
#include <string.h>

#include "core/rng.h"
#include "tests/ref/core_ref.h"
#include "tests/testlib.h"

TEST(xoshiro_matches_the_reference_sequences_exactly)
{
    for (size_t s = 0; s < 3; s++) {
        rng_state r;
        rng_seed(&r, ref_xoshiro_seeds[s]);
        for (size_t i = 0; i < REF_XOSHIRO_LEN; i++)
            CHECK(rng_next(&r) == ref_xoshiro[s][i]);
    }
}

TEST(uniform_is_in_the_unit_interval)
{
    rng_state r;
    rng_seed(&r, 99);
    double lo = 1, hi = 0, sum = 0;
    for (int i = 0; i < 100000; i++) {
        double u = rng_uniform(&r);
        lo = u < lo ? u : lo;
        hi = u > hi ? u : hi;
        sum += u;
    }
    CHECK(lo >= 0.0 && hi < 1.0);
    /* mean of 1e5 uniforms: sd 0.00091, so 0.5 +- 0.005 is > 5 sigma */
    CHECK_NEAR(sum / 100000, 0.5, 0.005);
}

TEST(counts_sum_to_shots_and_skip_impossible_outcomes)
{
    const double p[5] = {0.0, 0.3, 0.0, 0.7, 0.0};
    uint64_t counts[5] = {0};
    rng_state r;
    rng_seed(&r, 1);
    CHECK_EQ_INT(rng_sample_counts(&r, p, 5, 10000, counts), CORE_OK);
    CHECK_EQ_INT(counts[0] + counts[1] + counts[2] + counts[3] + counts[4],
                 10000);
    CHECK(counts[0] == 0 && counts[2] == 0 && counts[4] == 0);
}

TEST(same_seed_same_counts)
{
    const double p[4] = {0.1, 0.2, 0.3, 0.4};
    uint64_t a[4] = {0}, b[4] = {0}, c[4] = {0};
    rng_state r;
    rng_seed(&r, 20261124);
    rng_sample_counts(&r, p, 4, 5000, a);
    rng_seed(&r, 20261124);
    rng_sample_counts(&r, p, 4, 5000, b);
    rng_seed(&r, 20261125);
    rng_sample_counts(&r, p, 4, 5000, c);
    CHECK(memcmp(a, b, sizeof a) == 0);
    CHECK(memcmp(a, c, sizeof a) != 0);
}

TEST(counts_follow_the_distribution_chi_square)
{
    /* 100000 shots over 4 outcomes at a fixed seed: the chi-square
     * statistic must be below 16.27, the 99.9% point for 3 degrees of
     * freedom. Deterministic at this seed, so it cannot flake. */
    const double p[4] = {1.0 / 30, 4.0 / 30, 9.0 / 30, 16.0 / 30};
    uint64_t counts[4] = {0};
    rng_state r;
    rng_seed(&r, 7);
    CHECK_EQ_INT(rng_sample_counts(&r, p, 4, 100000, counts), CORE_OK);
    double chi2 = 0;
    for (int i = 0; i < 4; i++) {
        double expect = 100000 * p[i];
        chi2 += (counts[i] - expect) * (counts[i] - expect) / expect;
    }
    CHECK(chi2 < 16.27);
}

TEST(sampling_refuses_empty_and_zero_distributions)
{
    const double zero[2] = {0, 0};
    uint64_t counts[2] = {0};
    rng_state r;
    rng_seed(&r, 3);
    CHECK_EQ_INT(rng_sample_counts(&r, zero, 2, 10, counts), CORE_EINVAL);
    CHECK_EQ_INT(rng_sample_counts(&r, zero, 0, 10, counts), CORE_EINVAL);
}
