/* api/exp_layer_superposition.c - the experiment layer_superposition
 * (superposition <-> layer output): a forward pass whose last output is
 * read as a quantum state, compared with the softmax distribution of the
 * same layer, and optionally measured. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "api/db.h"
#include "api/exp_source.h"
#include "api/experiment.h"
#include "api/forward.h"
#include "api/measure.h"
#include "core/analogy.h"
#include "core/state.h"

/* Reads network_id or layer from params into s. */
static bool read_source(const api_ctx *ctx, const api_in *in,
                        const json_t *params, api_exp_source *s)
{
    int which = api_read_either(in, params, "/params", "network_id", "layer",
                                "layer", "network_id", "for an inline layer");
    if (which == 1)
        return api_exp_read_network(ctx, in,
                                    json_object_get(params, "network_id"),
                                    "/params/network_id", s);
    return which == 2 && api_exp_read_layer(in,
                                            json_object_get(params, "layer"),
                                            "/params/layer", s);
}

/* A finite number, or null for an undefined/infinite one. */
static json_t *number_or_null(double x)
{
    return isfinite(x) ? json_real(x) : json_null();
}

/* The metrics of the state's distribution p against the reference. */
static json_t *metrics_json(const double *p, const double *ref, size_t n)
{
    analogy_comparison c;
    analogy_compare(p, ref, n, &c);
    return json_pack("{s:f, s:f, s:o, s:f, s:f, s:b}", "entropy_bits",
                     c.entropy_bits, "reference_entropy_bits",
                     c.reference_entropy_bits, "kl_divergence_bits",
                     number_or_null(c.kl_divergence_bits), "total_variation",
                     c.total_variation, "fidelity", c.fidelity,
                     "argmax_agrees", c.argmax_agrees);
}

/* What a layer_superposition request asks for. */
typedef struct {
    api_exp_source src;
    api_vector x;       /* the input, owned */
    int mapping;        /* the order of analogy_mapping */
    uint64_t shots;     /* 0: no measurement */
    uint64_t seed;
    bool seeded;        /* the seed was given */
} request;

static void request_free(const api_ctx *ctx, request *r)
{
    free(r->x.x);
    api_exp_source_free(ctx, &r->src);
}

/* Reads params into r; errors point into /params. */
static bool read_request(const api_ctx *ctx, const api_in *in,
                         const json_t *params, request *r)
{
    static const char *const mappings[] = {"l2", "softmax_sqrt", NULL};
    api_field fields[] = {
        API_FIELD("network_id", NULL, NULL, NULL, API_LATER),
        API_FIELD("layer", NULL, NULL, NULL, API_LATER),
        API_FIELD("input", NULL, NULL, NULL, API_LATER),
        API_FIELD("mapping", api_read_choice, &r->mapping, mappings,
                  API_OPTIONAL),
        API_FIELD("shots", api_read_shots, &r->shots, NULL, API_OPTIONAL),
        API_FIELD("seed", api_read_seed, &r->seed, NULL, API_OPTIONAL),
        API_END,
    };
    if (!api_read_known(in, params, "/params", fields))
        return false;
    api_read_fields(in, params, "/params", fields);
    r->seeded = json_object_get(params, "seed") != NULL;
    if (r->seeded && !json_object_get(params, "shots"))
        api_invalid(in->err, "/params/seed", "is only used with shots");
    return read_source(ctx, in, params, &r->src) &&
           api_exp_read_input(in, params, &r->src, &r->x) && in->err->code == API_OK;
}

/* {"shots", "seed", "counts"} of measuring amps as r asks, or NULL (with
 * the error in in->err). */
static json_t *measurement_json(const api_in *in, const request *r,
                                const double complex *amps, size_t n)
{
    json_t *counts;
    if (api_measure(amps, n, NULL, r->shots, r->seed, &counts, in->err) !=
        API_OK)
        return NULL;
    json_t *m = json_pack("{s:I, s:I, s:o}", "shots", (json_int_t)r->shots,
                          "seed", (json_int_t)r->seed, "counts", counts);
    if (!m)
        api_no_memory(in->err);
    return m;
}

/* The result of reading the last layer's output (z, a; n of each) as a
 * state: the state, the reference distribution, their metrics and the
 * measurement r asks for. */
static json_t *result_json(const api_in *in, const request *r,
                           const double *z, const double *a, size_t n)
{
    double complex *amps = malloc(n * sizeof *amps);
    double *p = malloc(n * sizeof *p), *ref = malloc(n * sizeof *ref);
    json_t *result = NULL, *measurement = NULL;
    if (!amps || !p || !ref) {
        api_no_memory(in->err);
        goto out;
    }
    if (analogy_layer_state((analogy_mapping)r->mapping, z, a, n, amps,
                            ref) != CORE_OK) {
        api_fail(in->err, API_EINVALID,
                 "the layer output is the zero vector, so the l2 mapping "
                 "has no state to give; use \"mapping\": \"softmax_sqrt\"");
        goto out;
    }
    state_probabilities(amps, n, p);
    if (r->shots && !(measurement = measurement_json(in, r, amps, n)))
        goto out;
    result = json_pack("{s:o, s:{s:o, s:o}, s:o, s:o}", "output",
                       pjson_reals(a, n, false), "state", "amplitudes",
                       pjson_amplitudes(amps, n, false), "probabilities",
                       pjson_reals(p, n, false), "reference_distribution",
                       pjson_reals(ref, n, false), "metrics",
                       metrics_json(p, ref, n));
    if (result && measurement &&
        json_object_set_new(result, "measurement", measurement) != 0) {
        json_decref(result); /* measurement was taken, even so */
        result = NULL;
    }
    measurement = NULL;
    if (!result)
        api_no_memory(in->err);
out:
    json_decref(measurement);
    free(amps);
    free(p);
    free(ref);
    return result;
}

api_code api_run_layer_superposition(const api_ctx *ctx, const api_in *in,
                                     const json_t *params, json_t **stored,
                                     json_t **result)
{
    request r = {.mapping = 0};
    api_layer_out *outs = NULL;
    *stored = *result = NULL;
    if (!read_request(ctx, in, params, &r) ||
        api_forward(r.src.views, r.src.count, r.x.x, 1,
                    API_LIMIT(in->limits, max_matrix), "/params/input",
                    &outs, in->err) != API_OK)
        goto out;
    if (r.shots && !r.seeded)
        r.seed = api_random_seed();
    const api_layer_out *last = &outs[r.src.count - 1];
    if (!(*result = result_json(in, &r, last->z, last->a, last->rows)))
        goto out;
    /* What is kept is what runs again the same: a drawn seed written in. */
    *stored = json_deep_copy(params);
    if (!*stored || (r.shots && !r.seeded &&
                     json_object_set_new(*stored, "seed",
                                         json_integer((json_int_t)r.seed))))
        api_no_memory(in->err);
out:
    api_forward_free(outs, r.src.count);
    request_free(ctx, &r);
    if (in->err->code != API_OK) {
        json_decref(*stored);
        json_decref(*result);
        *stored = *result = NULL;
    }
    return in->err->code;
}
