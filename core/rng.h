/* core/rng.h - seeded, portable pseudo-random sampling.
 *
 * The generator is xoshiro256** (Blackman & Vigna, 2018) seeded by expanding
 * a 64-bit seed with splitmix64, exactly as the reference implementation
 * recommends. Uniform doubles take the top 53 bits. Sampling uses only
 * integer operations, IEEE additions and comparisons, so the same seed gives
 * the same draws on every conforming machine. */
#ifndef PSINET_CORE_RNG_H
#define PSINET_CORE_RNG_H

#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

typedef struct {
    uint64_t s[4];
} rng_state;

/* Seeds the generator from a 64-bit seed (splitmix64 expansion). */
void rng_seed(rng_state *rng, uint64_t seed);

/* The next 64 random bits. */
uint64_t rng_next(rng_state *rng);

/* A uniform double in [0, 1) with 53 random bits. */
double rng_uniform(rng_state *rng);

/* Draws `shots` samples from the distribution p[0..n-1] (non-negative,
 * summing to ~1; each clamped to [0, 1] and normalised by their actual sum)
 * and adds the count of each outcome to counts[0..n-1], which the caller
 * zeroes. Outcomes of probability 0 are never
 * drawn. CORE_EINVAL when n == 0 or p sums to 0; CORE_ENOMEM if the
 * cumulative table cannot be allocated. */
core_status rng_sample_counts(rng_state *rng, const double *p, size_t n,
                              uint64_t shots, uint64_t *counts);

/* The same draws as rng_sample_counts, one outcome per shot, in order:
 * outcomes[s] for s in [0, shots). The counts of the outcomes are
 * rng_sample_counts' with the same generator state. */
core_status rng_sample_each(rng_state *rng, const double *p, size_t n,
                            uint64_t shots, size_t *outcomes);

#endif
