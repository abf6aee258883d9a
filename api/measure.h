/* api/measure.h - a measurement as JSON: seeded Born-rule samples of a
 * state, counted by outcome label. */
#ifndef PSINET_API_MEASURE_H
#define PSINET_API_MEASURE_H

#include <jansson.h>
#include <stdint.h>

#include "api/problem.h"
#include "core/cmplx.h"

/* Samples `shots` outcomes of the Born distribution of amps (normalized
 * first; it need not be) with the seeded generator of core/rng.h, and sets
 * *counts to {label: count} for every outcome seen at least once, in
 * outcome order (a new reference). labels NULL means the default labels
 * (core/state.h). A zero state is a 422. */
api_code api_measure(const double complex *amps, size_t n,
                     const char *const *labels, uint64_t shots,
                     uint64_t seed, json_t **counts, api_err *err);

/* Samples `shots` outcomes of the distribution p over n outcomes (named by
 * labels; NULL: the default labels of core/state.h) with the seeded
 * generator: *counts is {label: count} for every outcome seen at least
 * once, in outcome order; when memory is not NULL, *memory is the label of
 * each shot's outcome, in order (the same draws). New references. */
api_code api_sample(const double *p, size_t n, const char *const *labels,
                    uint64_t shots, uint64_t seed, json_t **counts,
                    json_t **memory, api_err *err);

#endif
