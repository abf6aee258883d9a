/* core/rng.c - xoshiro256** and Born-rule sampling.
 *
 * The generator is xoshiro256** 1.0 (David Blackman and Sebastiano Vigna,
 * 2018, public domain), seeded as its authors recommend: the four words of
 * state are four successive outputs of splitmix64 started at the seed.
 *
 * Sampling (rng_sample_counts, rng_sample_each): the cumulative sums
 * c_i = p_0 + ... + p_i of the probabilities, each clamped to [0, 1], are
 * formed left to right; each shot draws u = rng_uniform() and picks the
 * first i with c_i > u * c_{n-1} (binary search). Only IEEE additions,
 * one multiplication and comparisons are involved, so a seed gives the same
 * counts on every conforming machine. */
#include "core/rng.h"

#include <stdlib.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

void rng_seed(rng_state *rng, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        rng->s[i] = splitmix64(&x);
}

uint64_t rng_next(rng_state *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double rng_uniform(rng_state *rng)
{
    return (double)(rng_next(rng) >> 11) * 0x1.0p-53;
}

/* The cumulative sums of p, each p_i clamped to [0, 1] first (Born
 * probabilities can pass 1 by an ulp), into cum (n entries), and the last
 * outcome with p > 0 into *last. Returns the total, cum[n - 1]: the sum the
 * search scales u by, so that rounding in it can never leave an outcome
 * out of reach or put the draw past the end. */
static double cumulate(const double *p, size_t n, double *cum, size_t *last)
{
    double total = 0.0;
    *last = 0;
    for (size_t i = 0; i < n; i++) {
        double pi = p[i] > 1.0 ? 1.0 : p[i];
        if (pi > 0.0) {
            total += pi;
            *last = i;
        }
        cum[i] = total;
    }
    return total;
}

/* One draw: the first outcome whose cumulative sum exceeds u * total. */
static size_t draw(rng_state *rng, const double *cum, double total,
                   size_t last)
{
    double t = rng_uniform(rng) * total;
    size_t lo = 0, hi = last; /* the answer is in [lo, hi] */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cum[mid] > t)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* Draws shots outcomes of p, adding each to counts (when not NULL) and
 * writing it to each[s] (when not NULL). */
static core_status sample(rng_state *rng, const double *p, size_t n,
                          uint64_t shots, uint64_t *counts, size_t *each)
{
    if (n == 0)
        return CORE_EINVAL;
    double *cum = malloc(n * sizeof *cum);
    if (!cum)
        return CORE_ENOMEM;
    size_t last;
    double total = cumulate(p, n, cum, &last);
    if (!(total > 0.0)) {
        free(cum);
        return CORE_EINVAL;
    }
    for (uint64_t s = 0; s < shots; s++) {
        size_t outcome = draw(rng, cum, total, last);
        if (counts)
            counts[outcome]++;
        if (each)
            each[s] = outcome;
    }
    free(cum);
    return CORE_OK;
}

core_status rng_sample_counts(rng_state *rng, const double *p, size_t n,
                              uint64_t shots, uint64_t *counts)
{
    return sample(rng, p, n, shots, counts, NULL);
}

core_status rng_sample_each(rng_state *rng, const double *p, size_t n,
                            uint64_t shots, size_t *outcomes)
{
    return sample(rng, p, n, shots, NULL, outcomes);
}
