/* api/experiment_run.c - running the two analogy experiments. */
#include "api/experiment_run.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "api/forward.h"
#include "api/json_out.h"
#include "api/layer_json.h"
#include "api/parse.h"
#include "core/activation.h"
#include "core/metrics.h"
#include "core/state.h"

bool api_experiment_kind_known(const char *kind)
{
    return strcmp(kind, "layer_superposition") == 0 ||
           strcmp(kind, "neuron_activation") == 0;
}

const char *api_experiment_kinds(void)
{
    return "layer_superposition, neuron_activation";
}

/* A finite number, or null for an undefined/infinite one. */
static json_t *number_or_null(double x)
{
    return isfinite(x) ? json_real(x) : json_null();
}

static size_t argmax(const double *x, size_t n)
{
    size_t best = 0;
    for (size_t i = 1; i < n; i++)
        if (x[i] > x[best])
            best = i;
    return best;
}

/* ---------------------------------------------------- layer_superposition */

typedef struct {
    const store_network *net; /* from the cache, or NULL */
    api_layer inline_layer;
    layer_view *views;
    size_t count;
    api_inputs in;
} layer_source;

static void layer_source_free(const api_ctx *ctx, layer_source *s)
{
    if (s->net)
        store_network_release(ctx->db, s->net);
    api_layer_free(&s->inline_layer);
    if (s->views != &s->inline_layer.view)
        free(s->views);
    api_inputs_free(&s->in);
}

/* Reads network_id or layer, and input, from params. */
static bool read_layer_source(const api_ctx *ctx, const json_t *params,
                              layer_source *s, api_err *err)
{
    static const char *const layer_fields[] = {"weights", "bias", "activation",
                                               "params", NULL};
    const json_t *id = json_object_get(params, "network_id");
    const json_t *layer = json_object_get(params, "layer");
    if (id && layer)
        return api_invalid(err, "/params/layer",
                           "give either network_id or layer, not both");
    if (!id && !layer)
        return api_invalid(err, "/params/network_id",
                           "is required (or layer, for an inline layer)");
    size_t cols = 0;
    if (id) {
        const char *nid;
        if (!api_read_string(id, "/params/network_id", 64, &nid, err))
            return false;
        if (!ctx->db) {
            api_fail(err, API_EUNAVAILABLE, "this server runs without a "
                                            "database");
            return false;
        }
        store_status st = store_network_acquire(ctx->db, nid, &s->net);
        if (st == STORE_NOTFOUND)
            return api_invalid(err, "/params/network_id",
                               "names no stored network (%.64s)", nid);
        if (st != STORE_OK) {
            api_store_fail(err, st, "network", nid);
            return false;
        }
        if (api_network_views(s->net, &s->views, err) != API_OK)
            return false;
        s->count = s->net->layer_count;
        cols = s->net->layers[0].cols;
    } else {
        if (!api_check_object(layer, "/params/layer", layer_fields, err) ||
            !api_layer_read(layer, "/params/layer", &ctx->limits,
                            &s->inline_layer, err))
            return false;
        s->views = &s->inline_layer.view;
        s->count = 1;
        cols = s->inline_layer.view.cols;
    }
    const json_t *input = json_object_get(params, "input");
    if (!input)
        return api_invalid(err, "/params/input", "is required");
    double *x;
    size_t n;
    if (!api_read_vector(input, "/params/input",
                         API_LIMIT(&ctx->limits, max_dimension), &x,
                         &n, err))
        return false;
    s->in = (api_inputs){.x = x, .batch = 1, .cols = n};
    if (n != cols)
        return api_invalid(err, "/params/input",
                           "has %zu entries but the %s takes %zu inputs", n,
                           id ? "network" : "layer", cols);
    return true;
}

static api_code run_layer_superposition(const api_ctx *ctx,
                                        const json_t *params, json_t **stored,
                                        json_t **result, api_err *err)
{
    static const char *const fields[] = {"network_id", "layer", "input",
                                         "mapping",    "shots", "seed", NULL};
    if (!api_check_object(params, "/params", fields, err))
        return err->code;
    bool softmax_sqrt = false;
    const json_t *v = json_object_get(params, "mapping");
    if (v) {
        const char *m = json_string_value(v);
        if (m && strcmp(m, "softmax_sqrt") == 0)
            softmax_sqrt = true;
        else if (!m || strcmp(m, "l2") != 0)
            api_invalid(err, "/params/mapping",
                        "must be \"l2\" or \"softmax_sqrt\"");
    }
    uint64_t shots = 0, seed = 0;
    v = json_object_get(params, "shots");
    if (v)
        api_read_shots(v, "/params/shots", &ctx->limits, &shots, err);
    const json_t *seed_v = json_object_get(params, "seed");
    if (seed_v)
        api_read_uint(seed_v, "/params/seed", 0, API_MAX_SEED, &seed, err);
    if (seed_v && !json_object_get(params, "shots"))
        api_invalid(err, "/params/seed", "is only used with shots");

    layer_source src = {0};
    if (!read_layer_source(ctx, params, &src, err) || err->code != API_OK) {
        layer_source_free(ctx, &src);
        return err->code ? err->code : api_fail(err, API_EINVALID, "invalid");
    }

    api_layer_out *outs = NULL;
    api_code code = api_forward(src.views, src.count, src.in.x, 1,
                                API_LIMIT(&ctx->limits, max_matrix),
                                "/params/input", &outs, err);
    size_t n = code == API_OK ? outs[src.count - 1].rows : 0;
    const double *z = code == API_OK ? outs[src.count - 1].z : NULL;
    const double *a = code == API_OK ? outs[src.count - 1].a : NULL;
    double complex *amps = NULL;
    double *p = NULL, *ref = NULL;
    if (code == API_OK) {
        amps = malloc(n * sizeof *amps);
        p = malloc(n * sizeof *p);
        ref = malloc(n * sizeof *ref);
        if (!amps || !p || !ref)
            code = api_fail(err, API_EINTERNAL, "out of memory");
    }
    if (code == API_OK) {
        act_softmax(z, ref, n); /* the reference distribution */
        if (softmax_sqrt) {
            for (size_t i = 0; i < n; i++)
                amps[i] = sqrt(ref[i]);
        } else {
            for (size_t i = 0; i < n; i++)
                amps[i] = a[i];
            if (state_normalize(amps, n, NULL) != CORE_OK)
                code = api_fail(err, API_EINVALID,
                                "the layer output is the zero vector, so the "
                                "l2 mapping has no state to give; use "
                                "\"mapping\": \"softmax_sqrt\"");
        }
    }
    json_t *measurement = NULL;
    if (code == API_OK) {
        state_probabilities(amps, n, p);
        if (shots) {
            if (!seed_v)
                seed = api_random_seed();
            json_t *counts;
            code = api_measure(amps, n, NULL, shots, seed, &counts, err);
            if (code == API_OK)
                measurement = json_pack("{s:I, s:I, s:o}", "shots",
                                        (json_int_t)shots, "seed",
                                        (json_int_t)seed, "counts", counts);
        }
    }
    if (code == API_OK) {
        json_t *metrics = json_pack(
            "{s:f, s:f, s:o, s:f, s:f, s:b}", "entropy_bits",
            metric_entropy_bits(p, n), "reference_entropy_bits",
            metric_entropy_bits(ref, n), "kl_divergence_bits",
            number_or_null(metric_kl_bits(p, ref, n)), "total_variation",
            metric_total_variation(p, ref, n), "fidelity",
            metric_classical_fidelity(p, ref, n), "argmax_agrees",
            argmax(p, n) == argmax(ref, n));
        *result = json_pack("{s:o, s:{s:o, s:o}, s:o, s:o}", "output",
                            api_json_reals(a, n), "state", "amplitudes",
                            api_json_amplitudes(amps, n), "probabilities",
                            api_json_reals(p, n), "reference_distribution",
                            api_json_reals(ref, n), "metrics", metrics);
        if (*result && measurement)
            json_object_set_new(*result, "measurement", measurement);
        else
            json_decref(measurement);
        *stored = json_deep_copy(params);
        if (*stored && shots && !seed_v)
            json_object_set_new(*stored, "seed", json_integer((json_int_t)seed));
        if (!*result || !*stored)
            code = api_fail(err, API_EINTERNAL, "out of memory");
    }
    free(amps);
    free(p);
    free(ref);
    api_forward_free(outs, src.count);
    layer_source_free(ctx, &src);
    return code;
}

/* ----------------------------------------------------- neuron_activation */

/* Reads the real input state from superposition_id or amplitudes. */
static bool read_real_state(const api_ctx *ctx, const json_t *params,
                            double **x, size_t *n, api_err *err)
{
    const json_t *id = json_object_get(params, "superposition_id");
    const json_t *amps = json_object_get(params, "amplitudes");
    *x = NULL;
    if (id && amps)
        return api_invalid(err, "/params/amplitudes",
                           "give either superposition_id or amplitudes, not "
                           "both");
    if (!id && !amps)
        return api_invalid(err, "/params/amplitudes",
                           "is required (or superposition_id, for a stored "
                           "state)");
    double complex *c = NULL;
    const char *where = "/params/amplitudes";
    if (amps) {
        if (!api_read_amplitudes(amps, where,
                                 API_LIMIT(&ctx->limits, max_dimension), &c, n,
                                 err))
            return false;
    } else {
        const char *sid;
        where = "/params/superposition_id";
        if (!api_read_string(id, where, 64, &sid, err))
            return false;
        if (!ctx->db) {
            api_fail(err, API_EUNAVAILABLE, "this server runs without a "
                                            "database");
            return false;
        }
        store_superposition s;
        store_status st = store_superposition_get(ctx->db, sid, &s);
        if (st == STORE_NOTFOUND)
            return api_invalid(err, where, "names no stored superposition "
                                           "(%.64s)", sid);
        if (st != STORE_OK) {
            api_store_fail(err, st, "superposition", sid);
            return false;
        }
        c = s.amplitudes;
        *n = s.dimension;
        s.amplitudes = NULL;
        store_superposition_free(&s);
    }
    *x = malloc(*n * sizeof **x);
    if (!*x) {
        free(c);
        api_fail(err, API_EINTERNAL, "out of memory");
        return false;
    }
    for (size_t i = 0; i < *n; i++) {
        if (cimag(c[i]) != 0.0) {
            char p[API_PTR_MAX];
            if (amps)
                api_ptr_index(p, where, i);
            else
                strcpy(p, where);
            free(c);
            free(*x);
            *x = NULL;
            return api_invalid(err, p,
                               "amplitude %zu is complex; neuron_activation "
                               "feeds the state to neurons as a real input",
                               i);
        }
        (*x)[i] = creal(c[i]);
    }
    free(c);
    return true;
}

static api_code run_neuron_activation(const api_ctx *ctx,
                                      const json_t *params, json_t **stored,
                                      json_t **result, api_err *err)
{
    static const char *const fields[] = {"superposition_id", "amplitudes",
                                         "weights", "bias", "activation",
                                         "params", NULL};
    if (!api_check_object(params, "/params", fields, err))
        return err->code;
    double *x = NULL;
    size_t n = 0;
    api_layer layer;
    bool ok = read_real_state(ctx, params, &x, &n, err);
    ok = api_layer_read(params, "/params", &ctx->limits, &layer, err) && ok;
    if (ok && layer.view.cols != n)
        ok = api_invalid(err, "/params/weights",
                         "has %zu columns but the state has %zu amplitudes",
                         layer.view.cols, n);
    if (!ok) {
        free(x);
        api_layer_free(&layer);
        return err->code;
    }
    size_t m = layer.view.rows;
    double *z = malloc(m * sizeof *z), *a = malloc(m * sizeof *a);
    double *prob = malloc(m * sizeof *prob), *act = malloc(m * sizeof *act);
    api_code code = API_OK;
    if (!z || !a || !prob || !act)
        code = api_fail(err, API_EINTERNAL, "out of memory");
    if (code == API_OK) {
        layer_forward(&layer.view, x, z, a);
        if (!api_all_finite(z, m) || !api_all_finite(a, m))
            code = api_fail(err, API_EINVALID,
                            "the result overflows the range of a double: "
                            "scale the weights or amplitudes down");
    }
    if (code == API_OK) {
        /* overlap_j = w_j . x / (|w_j| |x|): the real inner product of the
         * unit vectors, computed on normalized copies for scale safety. */
        double complex *xs = malloc(n * sizeof *xs);
        double complex *ws = malloc(n * sizeof *ws);
        json_t *neurons = json_array();
        size_t defined = 0;
        if (!xs || !ws || !neurons) {
            code = api_fail(err, API_EINTERNAL, "out of memory");
        } else {
            for (size_t i = 0; i < n; i++)
                xs[i] = x[i];
            bool x_ok = state_normalize(xs, n, NULL) == CORE_OK;
            for (size_t j = 0; j < m; j++) {
                const double *w = layer.view.weights + j * n;
                for (size_t i = 0; i < n; i++)
                    ws[i] = w[i];
                json_t *overlap = json_null(), *probability = json_null();
                if (x_ok && state_normalize(ws, n, NULL) == CORE_OK) {
                    double o = creal(state_inner(ws, xs, n));
                    if (o > 1.0)
                        o = 1.0;
                    if (o < -1.0)
                        o = -1.0;
                    overlap = json_real(o);
                    probability = json_real(o * o);
                    prob[defined] = o * o;
                    act[defined] = a[j];
                    defined++;
                }
                json_array_append_new(
                    neurons, json_pack("{s:f, s:f, s:o, s:o}",
                                       "pre_activation", z[j], "activation",
                                       a[j], "overlap", overlap,
                                       "probability", probability));
            }
            double r;
            json_t *corr = metric_pearson(act, prob, defined, &r) == CORE_OK
                               ? json_real(r)
                               : json_null();
            *result = json_pack("{s:o, s:{s:o}}", "neurons", neurons,
                                "metrics", "activation_probability_correlation",
                                corr);
            neurons = NULL;
            *stored = json_deep_copy(params);
            if (!*result || !*stored)
                code = api_fail(err, API_EINTERNAL, "out of memory");
        }
        json_decref(neurons);
        free(xs);
        free(ws);
    }
    free(z);
    free(a);
    free(prob);
    free(act);
    free(x);
    api_layer_free(&layer);
    return code;
}

api_code api_experiment_run(const api_ctx *ctx, const char *kind,
                            const json_t *params, json_t **stored,
                            json_t **result, api_err *err)
{
    *stored = *result = NULL;
    api_code code;
    if (strcmp(kind, "layer_superposition") == 0)
        code = run_layer_superposition(ctx, params, stored, result, err);
    else if (strcmp(kind, "neuron_activation") == 0)
        code = run_neuron_activation(ctx, params, stored, result, err);
    else
        code = api_fail(err, API_EINTERNAL, "unknown kind %s", kind);
    if (code != API_OK) {
        json_decref(*stored);
        json_decref(*result);
        *stored = *result = NULL;
    }
    return code;
}
