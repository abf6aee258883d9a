/* api/measure.c - Born-rule sampling of a state into labelled counts. */
#include "api/measure.h"

#include <stdlib.h>

#include "core/rng.h"
#include "core/state.h"
#include "json/pjson.h"

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
        pjson_set(&out, labels ? labels[i] : label,
                  json_integer((json_int_t)hits[i]));
    }
    return out;
}

/* [label, ...] of each shot's outcome. */
static json_t *memory_json(const size_t *each, uint64_t shots, size_t n,
                           const char *const *labels)
{
    json_t *out = json_array();
    for (uint64_t s = 0; out && s < shots; s++) {
        char label[STATE_LABEL_SIZE];
        if (!labels)
            state_basis_label(each[s], n, label);
        pjson_push(&out, json_string(labels ? labels[each[s]] : label));
    }
    return out;
}

api_code api_sample(const double *p, size_t n, const char *const *labels,
                    uint64_t shots, uint64_t seed, json_t **counts,
                    json_t **memory, api_err *err)
{
    uint64_t *hits = calloc(n, sizeof *hits);
    size_t *each = memory ? malloc(shots * sizeof *each) : NULL;
    rng_state rng;
    *counts = NULL;
    if (memory)
        *memory = NULL;
    if (!hits || (memory && !each)) {
        api_no_memory(err);
        goto out;
    }
    rng_seed(&rng, seed);
    core_status st = memory ? rng_sample_each(&rng, p, n, shots, each)
                            : rng_sample_counts(&rng, p, n, shots, hits);
    if (st == CORE_ENOMEM) {
        api_no_memory(err);
        goto out;
    }
    if (st != CORE_OK) {
        api_fail(err, API_EINTERNAL, "sampling failed");
        goto out;
    }
    for (uint64_t s = 0; memory && s < shots; s++)
        hits[each[s]]++;
    *counts = counts_json(hits, n, labels);
    if (memory)
        *memory = memory_json(each, shots, n, labels);
    if (!*counts || (memory && !*memory)) {
        json_decref(*counts);
        *counts = NULL;
        if (memory) {
            json_decref(*memory);
            *memory = NULL;
        }
        api_no_memory(err);
    }
out:
    free(hits);
    free(each);
    return err->code;
}

api_code api_measure(const double complex *amps, size_t n,
                     const char *const *labels, uint64_t shots,
                     uint64_t seed, json_t **counts, api_err *err)
{
    *counts = NULL;
    double *p = malloc(n * sizeof *p);
    if (!p)
        return api_no_memory(err);
    if (state_probabilities(amps, n, p) != CORE_OK)
        api_fail(err, API_EINVALID,
                 "the state is the zero vector: it has no Born distribution "
                 "to sample");
    else
        api_sample(p, n, labels, shots, seed, counts, NULL, err);
    free(p);
    return err->code;
}
