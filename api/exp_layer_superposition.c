/* api/exp_layer_superposition.c - the experiment layer_superposition
 * (superposition <-> layer output): a forward pass whose last output is
 * read as a quantum state, compared with the softmax distribution of the
 * same layer, and optionally measured. An inline layer may be complex:
 * its output is a vector of amplitudes already, which the mapping "none"
 * only normalizes, and its reference distribution is softmax(|z|). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "api/db.h"
#include "api/exp_source.h"
#include "api/experiment.h"
#include "api/forward.h"
#include "api/measure.h"
#include "core/analogy.h"
#include "core/clayer.h"
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
    s->complex_ok = true;
    return which == 2 && api_exp_read_layer(in,
                                            json_object_get(params, "layer"),
                                            "/params/layer", s);
}

/* Whether s is one inline complex layer (its view: owned[0].cview). */
static bool source_is_complex(const api_exp_source *s)
{
    return s->owned_count == 1 && s->owned[0].is_complex;
}

/* Reads the amplitudes a complex layer takes as its input into cx. */
static bool read_complex_input(const api_in *in, const json_t *params,
                               const api_exp_source *s, api_amplitudes *cx)
{
    const char *ptr = "/params/input";
    const json_t *v = json_object_get(params, "input");
    if (!v)
        return api_invalid(in->err, ptr, "is required");
    api_limit max = API_LIMIT(in->limits, max_dimension);
    api_field f = {NULL, api_read_amplitudes, cx, &max, 0};
    if (!api_read_amplitudes(in, v, ptr, &f))
        return false;
    if (cx->n != s->cols)
        return api_invalid(in->err, ptr,
                           "has %zu entries but the layer takes %zu inputs",
                           cx->n, s->cols);
    return true;
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
    api_amplitudes cx;  /* the input of a complex layer, owned */
    int mapping;        /* MAPPINGS' order; -1: the default */
    uint64_t shots;     /* 0: no measurement */
    uint64_t seed;
    bool seeded;        /* the seed was given */
} request;

static void request_free(const api_ctx *ctx, request *r)
{
    free(r->x.x);
    free(r->cx.c);
    api_exp_source_free(ctx, &r->src);
}

/* The mappings, in the order of analogy_mapping, then "none": the output
 * itself, normalized (for a real layer the same numbers as l2). */
enum { MAP_L2, MAP_SOFTMAX_SQRT, MAP_NONE };
static const char *const MAPPINGS[] = {"l2", "softmax_sqrt", "none", NULL};

/* Settles the mapping once the source is known: the default is l2 for a
 * real layer, none for a complex one, which takes no other. */
static bool settle_mapping(const api_in *in, request *r)
{
    if (!source_is_complex(&r->src)) {
        if (r->mapping < 0)
            r->mapping = MAP_L2;
        return true;
    }
    if (r->mapping < 0)
        r->mapping = MAP_NONE;
    if (r->mapping == MAP_NONE)
        return true;
    return api_invalid(in->err, "/params/mapping",
                       "%s maps a real layer's output to a state; a complex "
                       "layer's output is the state's amplitudes already: "
                       "use \"none\" (its default)",
                       MAPPINGS[r->mapping]);
}

/* Reads params into r; errors point into /params. */
static bool read_request(const api_ctx *ctx, const api_in *in,
                         const json_t *params, request *r)
{
    api_field fields[] = {
        API_FIELD("network_id", NULL, NULL, NULL, API_LATER),
        API_FIELD("layer", NULL, NULL, NULL, API_LATER),
        API_FIELD("input", NULL, NULL, NULL, API_LATER),
        API_FIELD("mapping", api_read_choice, &r->mapping, MAPPINGS,
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
    if (!read_source(ctx, in, params, &r->src))
        return false;
    settle_mapping(in, r); /* a wrong name has had its error: default */
    if (source_is_complex(&r->src))
        return read_complex_input(in, params, &r->src, &r->cx) &&
               in->err->code == API_OK;
    return api_exp_read_input(in, params, &r->src, &r->x) &&
           in->err->code == API_OK;
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

/* The last layer's output: its pre-activations and outputs, n of each,
 * real (z, a) or complex (cz, ca). */
typedef struct {
    const double *z, *a;
    const double complex *cz, *ca;
    size_t n;
} last_output;

/* The result of reading the last layer's output as a state: the state,
 * the reference distribution, their metrics and the measurement r asks
 * for. */
static json_t *result_json(const api_in *in, const request *r,
                           const last_output *o)
{
    size_t n = o->n;
    double complex *amps = malloc(n * sizeof *amps);
    double *p = malloc(n * sizeof *p), *ref = malloc(n * sizeof *ref);
    json_t *result = NULL, *measurement = NULL;
    if (!amps || !p || !ref) {
        api_no_memory(in->err);
        goto out;
    }
    core_status st =
        o->ca ? clayer_layer_state(o->cz, o->ca, n, amps, ref)
              : analogy_layer_state(r->mapping == MAP_SOFTMAX_SQRT
                                        ? ANALOGY_SOFTMAX_SQRT
                                        : ANALOGY_L2,
                                    o->z, o->a, n, amps, ref);
    if (st != CORE_OK) {
        api_fail(in->err, API_EINVALID,
                 "the layer output is the zero vector, so the %s mapping "
                 "has no state to give%s",
                 MAPPINGS[r->mapping],
                 o->ca ? "" : "; use \"mapping\": \"softmax_sqrt\"");
        goto out;
    }
    state_probabilities(amps, n, p);
    if (r->shots && !(measurement = measurement_json(in, r, amps, n)))
        goto out;
    result = json_pack("{s:o, s:{s:o, s:o}, s:o, s:o}", "output",
                       o->ca ? pjson_amplitudes(o->ca, n, false)
                             : pjson_reals(o->a, n, false),
                       "state", "amplitudes",
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
    request r = {.mapping = -1};
    api_layer_out *outs = NULL;
    api_clayer_out cout = {0};
    api_limit max = API_LIMIT(in->limits, max_matrix);
    *stored = *result = NULL;
    if (!read_request(ctx, in, params, &r))
        goto out;
    last_output last;
    if (source_is_complex(&r.src)) {
        if (api_cforward(&r.src.owned[0].cview, r.cx.c, 1, max,
                         "/params/input", &cout, in->err) != API_OK)
            goto out;
        last = (last_output){NULL, NULL, cout.z, cout.a, cout.rows};
    } else {
        if (api_forward(r.src.views, r.src.count, r.x.x, 1, max,
                        "/params/input", &outs, in->err) != API_OK)
            goto out;
        const api_layer_out *o = &outs[r.src.count - 1];
        last = (last_output){o->z, o->a, NULL, NULL, o->rows};
    }
    if (r.shots && !r.seeded)
        r.seed = api_random_seed();
    if (!(*result = result_json(in, &r, &last)))
        goto out;
    /* What is kept is what runs again the same: a drawn seed written in. */
    *stored = api_experiment_kept(in, params, r.shots && !r.seeded, r.seed);
out:
    api_forward_free(outs, r.src.count);
    api_clayer_out_free(&cout);
    request_free(ctx, &r);
    if (in->err->code != API_OK) {
        json_decref(*stored);
        json_decref(*result);
        *stored = *result = NULL;
    }
    return in->err->code;
}
