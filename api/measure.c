/* api/measure.c - Born-rule sampling of a state into labelled counts. */
#include "api/measure.h"

#include <stdlib.h>

#include "core/rng.h"
#include "core/state.h"

/* {label: count} for the outcomes counted at least once. */
static json_t *counts_json(const uint64_t *hits, size_t n,
                           const char *const *labels)
{
    json_t *out = json_object();
    for (size_t i = 0; out && i < n; i++) {
        if (hits[i] == 0)
            continue;
        char label[STATE_LABEL_SIZE];
        if (!labels)
            state_basis_label(i, n, label);
        if (json_object_set_new(out, labels ? labels[i] : label,
                                json_integer((json_int_t)hits[i])) != 0) {
            json_decref(out);
            return NULL;
        }
    }
    return out;
}

api_code api_measure(const double complex *amps, size_t n,
                     const char *const *labels, uint64_t shots,
                     uint64_t seed, json_t **counts, api_err *err)
{
    api_code code = API_OK;
    *counts = NULL;
    uint64_t *hits = calloc(n, sizeof *hits);
    if (!hits)
        return api_no_memory(err);
    rng_state rng;
    rng_seed(&rng, seed);
    switch (state_sample_counts(amps, n, &rng, shots, hits)) {
    case CORE_OK:
        *counts = counts_json(hits, n, labels);
        if (!*counts)
            code = api_no_memory(err);
        break;
    case CORE_EZERO:
        code = api_fail(err, API_EINVALID,
                        "the state is the zero vector: it has no Born "
                        "distribution to sample");
        break;
    case CORE_ENOMEM:
        code = api_no_memory(err);
        break;
    default:
        code = api_fail(err, API_EINTERNAL, "sampling failed");
        break;
    }
    free(hits);
    return code;
}
