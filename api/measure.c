/* api/measure.c - Born-rule sampling of a state into labelled counts. */
#include <stdlib.h>

#include "api/common.h"
#include "core/rng.h"
#include "core/state.h"

api_code api_measure(const double complex *amps, size_t n,
                     const char *const *labels, uint64_t shots,
                     uint64_t seed, json_t **counts, api_err *err)
{
    *counts = NULL;
    double *p = malloc(n * sizeof *p);
    uint64_t *hits = calloc(n, sizeof *hits);
    api_code code = API_OK;
    if (!p || !hits) {
        code = api_fail(err, API_EINTERNAL, "out of memory");
    } else if (state_probabilities(amps, n, p) != CORE_OK) {
        code = api_fail(err, API_EINVALID,
                        "the state is the zero vector: it has no Born "
                        "distribution to sample");
    } else {
        rng_state rng;
        rng_seed(&rng, seed);
        if (rng_sample_counts(&rng, p, n, shots, hits) != CORE_OK)
            code = api_fail(err, API_EINTERNAL, "sampling failed");
    }
    json_t *out = code == API_OK ? json_object() : NULL;
    for (size_t i = 0; out && i < n; i++) {
        if (hits[i] == 0)
            continue;
        char label[72];
        if (!labels)
            api_default_label(i, n, label);
        json_object_set_new(out, labels ? labels[i] : label,
                            json_integer((json_int_t)hits[i]));
    }
    if (code == API_OK && !out)
        code = api_fail(err, API_EINTERNAL, "out of memory");
    free(p);
    free(hits);
    *counts = out;
    return code;
}
