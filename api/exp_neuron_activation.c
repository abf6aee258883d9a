/* api/exp_neuron_activation.c - the experiment neuron_activation (quantum
 * state <-> neuron activation): a real state x fed to neurons w_j; each
 * neuron's activation sigma(w_j . x + b_j) beside the Born-rule
 * probability |<w_j/|w_j| | x/|x|>|^2 of finding x in the direction of its
 * weights (core/analogy.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "api/db.h"
#include "api/experiment.h"
#include "api/layer_read.h"
#include "core/analogy.h"
#include "core/vec.h"
#include "store/superposition.h"

/* The amplitudes of the stored superposition named by the string at ptr,
 * into *c (n of them). */
static bool read_stored_state(const api_ctx *ctx, const api_in *in,
                              const json_t *v, const char *ptr,
                              api_amplitudes *c)
{
    const char *id;
    api_field f = API_STRING(NULL, &id, 64, 0);
    if (!api_read_string(in, v, ptr, &f) ||
        api_need_store(ctx, in->err) != API_OK)
        return false;
    store_superposition s;
    store_status st = store_superposition_get(ctx->db, id, &s);
    if (st == STORE_NOTFOUND)
        return api_invalid(in->err, ptr,
                           "names no stored superposition (%.64s)", id);
    if (st != STORE_OK) {
        api_fail_store(in->err, st, "superposition", id);
        return false;
    }
    *c = (api_amplitudes){s.amplitudes, s.dimension};
    s.amplitudes = NULL;
    store_superposition_free(&s);
    return true;
}

/* Reads the real input state from superposition_id or amplitudes into x. */
static bool read_real_state(const api_ctx *ctx, const api_in *in,
                            const json_t *params, api_vector *x)
{
    int which = api_read_either(in, params, "/params", "superposition_id",
                                "amplitudes", "amplitudes", "amplitudes",
                                "for a stored state");
    api_amplitudes c = {0};
    const char *where = which == 1 ? "/params/superposition_id"
                                   : "/params/amplitudes";
    api_limit max = API_LIMIT(in->limits, max_dimension);
    api_field f = {NULL, api_read_amplitudes, &c, &max, 0};
    bool ok = which == 1
                  ? read_stored_state(ctx, in,
                                      json_object_get(params,
                                                      "superposition_id"),
                                      where, &c)
                  : which == 2 && api_read_amplitudes(
                                      in, json_object_get(params, "amplitudes"),
                                      where, &f);
    x->x = ok ? malloc(c.n * sizeof *x->x) : NULL;
    if (ok && !x->x) {
        ok = false;
        api_no_memory(in->err);
    }
    for (size_t i = 0; ok && i < c.n; i++) {
        if (cimag(c.c[i]) != 0.0) {
            char p[API_PTR_MAX];
            if (which == 2)
                api_ptr_index(p, where, i);
            else
                snprintf(p, sizeof p, "%s", where);
            ok = api_invalid(in->err, p,
                             "amplitude %zu is complex; neuron_activation "
                             "feeds the state to neurons as a real input",
                             i);
            break;
        }
        x->x[i] = creal(c.c[i]);
    }
    free(c.c);
    if (!ok) {
        free(x->x);
        x->x = NULL;
        return false;
    }
    x->n = c.n;
    return true;
}

/* The result: each neuron's pre-activation z, activation a, overlap and
 * probability (null where the overlap is undefined), and the correlation
 * of activations with probabilities. */
static json_t *result_json(const double *z, const double *a,
                           const double *overlap, size_t m, double *work)
{
    json_t *neurons = json_array();
    for (size_t j = 0; neurons && j < m; j++) {
        bool defined = !isnan(overlap[j]);
        pjson_push(
            &neurons,
            json_pack("{s:f, s:f, s:o, s:o}", "pre_activation", z[j],
                      "activation", a[j], "overlap",
                      defined ? json_real(overlap[j]) : json_null(),
                      "probability",
                      defined ? json_real(overlap[j] * overlap[j])
                              : json_null()));
    }
    double r;
    json_t *corr = analogy_activation_probability_correlation(
                       a, overlap, m, work, &r) == CORE_OK
                       ? json_real(r)
                       : json_null();
    return json_pack("{s:o, s:{s:o}}", "neurons", neurons, "metrics",
                     "activation_probability_correlation", corr);
}

api_code api_run_neuron_activation(const api_ctx *ctx, const api_in *in,
                                   const json_t *params, json_t **stored,
                                   json_t **result)
{
    api_layer layer = {0};
    api_field fields[] = {
        API_FIELD("superposition_id", NULL, NULL, NULL, API_LATER),
        API_FIELD("amplitudes", NULL, NULL, NULL, API_LATER),
        API_LAYER_FIELDS(&layer),
        API_END,
    };
    api_err *err = in->err;
    api_vector x = {0};
    double *z = NULL, *a = NULL, *overlap = NULL, *work = NULL;
    double complex *cwork = NULL;
    *stored = *result = NULL;

    if (!api_read_known(in, params, "/params", fields))
        goto out;
    bool ok = read_real_state(ctx, in, params, &x);
    ok = api_read_fields(in, params, "/params", fields) && ok;
    ok = api_layer_finish(in, params, "/params", &layer) && ok;
    if (ok && layer.view.cols != x.n)
        ok = api_invalid(err, "/params/weights",
                         "has %zu columns but the state has %zu amplitudes",
                         layer.view.cols, x.n);
    if (!ok)
        goto out;

    size_t m = layer.view.rows, n = x.n;
    z = malloc(m * sizeof *z);
    a = malloc(m * sizeof *a);
    overlap = malloc(m * sizeof *overlap);
    work = malloc(2 * m * sizeof *work);
    cwork = malloc(2 * n * sizeof *cwork);
    if (!z || !a || !overlap || !work || !cwork) {
        api_no_memory(err);
        goto out;
    }
    layer_forward(&layer.view, x.x, z, a);
    if (!vec_all_finite(z, m) || !vec_all_finite(a, m)) {
        api_fail(err, API_EINVALID,
                 "the result overflows the range of a double: scale the "
                 "weights or amplitudes down");
        goto out;
    }
    analogy_overlaps(layer.view.weights, m, n, x.x, overlap, cwork);
    *result = result_json(z, a, overlap, m, work);
    if (!*result)
        api_no_memory(err);
    else
        *stored = api_experiment_kept(in, params, false, 0);
out:
    free(z);
    free(a);
    free(overlap);
    free(work);
    free(cwork);
    free(x.x);
    api_layer_free(&layer);
    if (err->code != API_OK) {
        json_decref(*stored);
        json_decref(*result);
        *stored = *result = NULL;
    }
    return err->code;
}
