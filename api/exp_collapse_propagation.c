/* api/exp_collapse_propagation.c - the experiment collapse_propagation: a
 * network's chosen layers read as states, measured, and only the outcome
 * fed on (core/collapse.h), over many seeded shots, beside the
 * deterministic forward pass. openapi.yaml states the semantics in full. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "api/exp_source.h"
#include "api/experiment.h"
#include "api/forward.h"
#include "core/collapse.h"
#include "core/state.h"
#include "core/stats.h"
#include "core/vec.h"

/* What a collapse_propagation request asks for. */
typedef struct {
    api_exp_source src;
    api_vector x;      /* the input, owned */
    int mapping;       /* the order of analogy_mapping */
    int rule;          /* the order of analogy_collapse_rule */
    size_t *at;        /* the collapsed layers, owned */
    size_t k;
    uint64_t shots;
    uint64_t seed;
    bool seeded;       /* the seed was given */
} request;

static void request_free(const api_ctx *ctx, request *r)
{
    free(r->x.x);
    free(r->at);
    api_exp_source_free(ctx, &r->src);
}

/* Reads network_id or layers from params into s. */
static bool read_source(const api_ctx *ctx, const api_in *in,
                        const json_t *params, api_exp_source *s)
{
    int which = api_read_either(in, params, "/params", "network_id",
                                "layers", "layers", "network_id",
                                "for inline layers");
    if (which == 1)
        return api_exp_read_network(ctx, in,
                                    json_object_get(params, "network_id"),
                                    "/params/network_id", s);
    return which == 2 &&
           api_exp_read_layers(in, json_object_get(params, "layers"),
                               "/params/layers", s);
}

/* Reads "collapse_layers" into r->at: strictly increasing indices of the
 * count layers; by default every hidden layer (all but the last). */
static bool read_at(const api_in *in, const json_t *params, size_t count,
                    request *r)
{
    const char *ptr = "/params/collapse_layers";
    const json_t *v = json_object_get(params, "collapse_layers");
    if (!v && count == 1)
        return api_invalid(in->err, ptr,
                           "is required for a single layer, which has no "
                           "hidden layer to collapse by default: name it, "
                           "[0]");
    if (v && !json_is_array(v))
        return api_invalid(in->err, ptr,
                           "must be an array of layer indices, not %s",
                           api_json_kind(v));
    size_t n = v ? json_array_size(v) : count - 1;
    if (n == 0)
        return api_invalid(in->err, ptr, "must name at least one layer");
    if (n > count)
        return api_invalid(in->err, ptr,
                           "names %zu layers but there are %zu", n, count);
    r->at = malloc(n * sizeof *r->at);
    if (!r->at) {
        api_no_memory(in->err);
        return false;
    }
    for (size_t j = 0; j < n; j++) {
        if (!v) {
            r->at[j] = j;
            continue;
        }
        char p[API_PTR_MAX];
        api_ptr_index(p, ptr, j);
        uint64_t l;
        const uint64_t range[2] = {0, count - 1};
        api_field f = {NULL, api_read_uint, &l, range, 0};
        if (!api_read_uint(in, json_array_get(v, j), p, &f))
            return false;
        if (j > 0 && l <= r->at[j - 1])
            return api_invalid(in->err, p,
                               "is %llu, not after the layer before it "
                               "(%zu): list the layers in increasing order, "
                               "each once",
                               (unsigned long long)l, r->at[j - 1]);
        r->at[j] = (size_t)l;
    }
    r->k = n;
    return true;
}

/* Reads params into r; errors point into /params. */
static bool read_request(const api_ctx *ctx, const api_in *in,
                         const json_t *params, request *r)
{
    static const char *const mappings[] = {"l2", "softmax_sqrt", NULL};
    static const char *const rules[] = {"one_hot", "keep", NULL};
    api_field fields[] = {
        API_FIELD("network_id", NULL, NULL, NULL, API_LATER),
        API_FIELD("layers", NULL, NULL, NULL, API_LATER),
        API_FIELD("input", NULL, NULL, NULL, API_LATER),
        API_FIELD("mapping", api_read_choice, &r->mapping, mappings,
                  API_OPTIONAL),
        API_FIELD("collapse", api_read_choice, &r->rule, rules,
                  API_OPTIONAL),
        API_FIELD("collapse_layers", NULL, NULL, NULL, API_LATER),
        API_FIELD("shots", api_read_shots, &r->shots, NULL, 0),
        API_FIELD("seed", api_read_seed, &r->seed, NULL, API_OPTIONAL),
        API_END,
    };
    if (!api_read_known(in, params, "/params", fields))
        return false;
    api_read_fields(in, params, "/params", fields);
    r->seeded = json_object_get(params, "seed") != NULL;
    return read_source(ctx, in, params, &r->src) &&
           api_exp_read_input(in, params, &r->src, &r->x) &&
           read_at(in, params, r->src.count, r) && in->err->code == API_OK;
}

/* Refuses shots whose work passes max_collapse_work. */
static bool check_work(const api_in *in, const analogy_collapse_net *net,
                       uint64_t shots)
{
    uint64_t cost = analogy_collapse_shot_cost(net),
             max = in->limits->max_collapse_work;
    if (cost > 0 && shots > max / cost)
        return api_invalid(
            in->err, "/params/shots",
            "is %llu shots of %llu multiply-adds each (the weights of the "
            "layers after the first collapsed one, and the collapsed "
            "neurons), more than the limit of %llu in all "
            "(max_collapse_work)",
            (unsigned long long)shots, (unsigned long long)cost,
            (unsigned long long)max);
    return true;
}

/* {label: count} for the outcomes counted at least once. */
static json_t *counts_json(const uint64_t *hits, size_t n)
{
    json_t *out = json_object();
    for (size_t i = 0; out && i < n; i++) {
        if (hits[i] == 0)
            continue;
        char label[STATE_LABEL_SIZE];
        state_basis_label(i, n, label);
        pjson_set(&out, label, json_integer((json_int_t)hits[i]));
    }
    return out;
}

/* The Born distribution of layer output o under mapping into p (amps:
 * room for its rows); false when there is none (l2 of a zero output). */
static bool born(int mapping, const api_layer_out *o, double complex *amps,
                 double *p)
{
    return analogy_layer_state((analogy_mapping)mapping, o->z, o->a, o->rows,
                               amps, p) == CORE_OK &&
           state_probabilities(amps, o->rows, p) == CORE_OK;
}

/* What the shots gave, and the arrays they were counted in. */
typedef struct {
    uint64_t *final;
    uint64_t **counts; /* k arrays */
    double *entropy;
    double *work;
    double complex *cwork;
    analogy_collapse_tally t;
} shots_out;

static void shots_free(shots_out *s, size_t k)
{
    for (size_t j = 0; s->counts && j < k; j++)
        free(s->counts[j]);
    free(s->counts);
    free(s->final);
    free(s->entropy);
    free(s->work);
    free(s->cwork);
}

/* Runs r's shots from the deterministic pass outs into s. */
static bool run_shots(const api_in *in, const request *r,
                      const analogy_collapse_net *net,
                      const api_layer_out *outs, shots_out *s)
{
    size_t w = analogy_collapse_width(net), k = r->k;
    s->final = calloc(outs[net->count - 1].rows, sizeof *s->final);
    s->counts = calloc(k, sizeof *s->counts);
    s->entropy = calloc(k, sizeof *s->entropy);
    s->work = malloc(5 * w * sizeof *s->work);
    s->cwork = malloc(w * sizeof *s->cwork);
    bool ok = s->final && s->counts && s->entropy && s->work && s->cwork;
    for (size_t j = 0; ok && j < k; j++)
        ok = (s->counts[j] = calloc(outs[r->at[j]].rows,
                                    sizeof **s->counts)) != NULL;
    if (!ok) {
        api_no_memory(in->err);
        return false;
    }
    s->t = (analogy_collapse_tally){.final_counts = s->final,
                                    .counts = s->counts,
                                    .entropy_sum = s->entropy};
    const api_layer_out *first = &outs[r->at[0]];
    core_status st = analogy_collapse_shots(net, first->z, first->a, r->seed,
                                            r->shots, s->work, s->cwork,
                                            &s->t);
    if (st == CORE_OK)
        return true;
    if (st == CORE_ENOMEM) {
        api_no_memory(in->err);
        return false;
    }
    if (st == CORE_EZERO)
        return api_invalid(in->err, "/params/mapping",
                           "is l2, but in shot %llu the output of layer %zu "
                           "is the zero vector, which is no state to "
                           "measure; use \"softmax_sqrt\", whose states are "
                           "never zero",
                           (unsigned long long)s->t.failed_shot,
                           s->t.failed_layer);
    char p[API_PTR_MAX];
    if (r->src.net)
        snprintf(p, sizeof p, "/params/network_id");
    else
        snprintf(p, sizeof p, "/params/layers/%zu/weights",
                 s->t.failed_layer);
    return api_invalid(in->err, p,
                       "give layer %zu a result that overflows the range of "
                       "a double in shot %llu: scale the weights or inputs "
                       "down",
                       s->t.failed_layer,
                       (unsigned long long)s->t.failed_shot);
}

/* The "layers" of the result: each collapsed layer's outcome counts, the
 * mean Born entropy of the states measured there and the Born entropy of
 * its deterministic state (null when it has none). */
static json_t *layers_json(const request *r, const api_layer_out *outs,
                           const shots_out *s, double complex *amps,
                           double *p)
{
    json_t *layers = json_array();
    for (size_t j = 0; layers && j < r->k; j++) {
        const api_layer_out *o = &outs[r->at[j]];
        json_t *det = born(r->mapping, o, amps, p)
                          ? json_real(stats_entropy_bits(p, o->rows))
                          : json_null();
        pjson_push(&layers,
                   json_pack("{s:I, s:o, s:f, s:o}", "layer",
                             (json_int_t)r->at[j], "counts",
                             counts_json(s->counts[j], o->rows),
                             "born_entropy_bits",
                             s->entropy[j] / (double)r->shots,
                             "deterministic_born_entropy_bits", det));
    }
    return layers;
}

/* The result; NULL with the error in in->err. */
static json_t *result_json(const api_in *in, const request *r,
                           const api_layer_out *outs, const shots_out *s)
{
    const api_layer_out *last = &outs[r->src.count - 1];
    size_t n = last->rows, w = 0;
    for (size_t l = 0; l < r->src.count; l++)
        w = outs[l].rows > w ? outs[l].rows : w;
    double complex *amps = malloc(w * sizeof *amps);
    double *p = malloc(w * sizeof *p), *det = malloc(n * sizeof *det),
           *dist = malloc(n * sizeof *dist);
    json_t *result = NULL, *at = json_array();
    if (!amps || !p || !det || !dist || !at) {
        api_no_memory(in->err);
        goto out;
    }
    if (!born(r->mapping, last, amps, det)) {
        api_invalid(in->err, "/params/mapping",
                    "is l2, but the deterministic output of the last layer "
                    "is the zero vector, which is no distribution to "
                    "compare with; use \"softmax_sqrt\"");
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        dist[i] = (double)s->final[i] / (double)r->shots;
    size_t argmax = vec_argmax(last->a, n);
    double kl = stats_kl_bits(dist, det, n);
    for (size_t j = 0; j < r->k; j++)
        pjson_push(&at, json_integer((json_int_t)r->at[j]));
    result = json_pack(
        "{s:I, s:I, s:o, s:{s:o, s:o, s:I}, s:{s:o, s:o}, s:o, "
        "s:{s:f, s:o, s:f}}",
        "shots", (json_int_t)r->shots, "seed", (json_int_t)r->seed,
        "collapse_layers", at, "deterministic", "output",
        pjson_reals(last->a, n, false), "distribution",
        pjson_reals(det, n, false), "argmax", (json_int_t)argmax, "final",
        "counts", counts_json(s->final, n), "distribution",
        pjson_reals(dist, n, false), "layers",
        layers_json(r, outs, s, amps, p), "metrics", "agreement",
        (double)s->final[argmax] / (double)r->shots, "kl_divergence_bits",
        isfinite(kl) ? json_real(kl) : json_null(), "total_variation",
        stats_total_variation(dist, det, n));
    at = NULL; /* taken by json_pack, even when it fails */
    if (!result)
        api_no_memory(in->err);
out:
    json_decref(at);
    free(amps);
    free(p);
    free(det);
    free(dist);
    return result;
}

api_code api_run_collapse_propagation(const api_ctx *ctx, const api_in *in,
                                      const json_t *params, json_t **stored,
                                      json_t **result)
{
    request r = {.mapping = 0};
    api_layer_out *outs = NULL;
    shots_out s = {0};
    *stored = *result = NULL;
    if (!read_request(ctx, in, params, &r))
        goto out;
    analogy_collapse_net net = {
        .layers = r.src.views,
        .count = r.src.count,
        .at = r.at,
        .k = r.k,
        .mapping = (analogy_mapping)r.mapping,
        .rule = (analogy_collapse_rule)r.rule,
    };
    if (!check_work(in, &net, r.shots) ||
        api_forward(r.src.views, r.src.count, r.x.x, 1,
                    API_LIMIT(in->limits, max_matrix), "/params/input",
                    &outs, in->err) != API_OK)
        goto out;
    if (!r.seeded)
        r.seed = api_random_seed();
    if (!run_shots(in, &r, &net, outs, &s) ||
        !(*result = result_json(in, &r, outs, &s)))
        goto out;
    /* What is kept is what runs again the same: a drawn seed written in. */
    *stored = api_experiment_kept(in, params, !r.seeded, r.seed);
out:
    shots_free(&s, r.k);
    api_forward_free(outs, r.src.count);
    request_free(ctx, &r);
    if (in->err->code != API_OK) {
        json_decref(*stored);
        json_decref(*result);
        *stored = *result = NULL;
    }
    return in->err->code;
}
