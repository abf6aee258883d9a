/* api/superpositions.c - stored superpositions: create, list, get, delete,
 * normalize and measure. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "api/json_out.h"
#include "api/parse.h"
#include "core/rng.h"
#include "core/state.h"

#define LABEL_MAX 64
#define NAME_MAX_LEN 200
/* A state is "normalized" when its norm is 1 to within this. */
#define NORM_TOLERANCE 1e-12

/* The full representation of s (amplitudes and labels required). */
static json_t *superposition_json(const store_superposition *s)
{
    size_t n = s->dimension;
    double *p = malloc(n * sizeof *p);
    json_t *labels = json_array();
    if (!p || !labels) {
        free(p);
        json_decref(labels);
        return NULL;
    }
    double entropy = 0;
    if (state_probabilities(s->amplitudes, n, p) == CORE_OK)
        state_entropy_bits(s->amplitudes, n, &entropy);
    else
        memset(p, 0, n * sizeof *p); /* a stored zero state (normalize off) */
    for (size_t i = 0; i < n; i++)
        json_array_append_new(labels, json_string(s->labels[i]));
    int q = api_qubits(n);
    json_t *out = json_pack(
        "{s:s, s:o, s:I, s:o, s:o, s:o, s:f, s:b, s:o, s:f, s:s}", "id", s->id,
        "name", s->name ? json_string(s->name) : json_null(), "dimension",
        (json_int_t)n, "qubits", q >= 0 ? json_integer(q) : json_null(),
        "amplitudes", api_json_amplitudes(s->amplitudes, n), "labels", labels,
        "norm", s->norm, "normalized", fabs(s->norm - 1.0) <= NORM_TOLERANCE,
        "probabilities", api_json_reals(p, n), "entropy_bits", entropy,
        "created_at", s->created_at);
    free(p);
    return out;
}

/* The list-item representation: no arrays. */
static json_t *superposition_summary_json(const store_superposition *s)
{
    int q = api_qubits(s->dimension);
    return json_pack("{s:s, s:o, s:I, s:o, s:f, s:b, s:s}", "id", s->id,
                     "name", s->name ? json_string(s->name) : json_null(),
                     "dimension", (json_int_t)s->dimension, "qubits",
                     q >= 0 ? json_integer(q) : json_null(), "norm", s->norm,
                     "normalized", fabs(s->norm - 1.0) <= NORM_TOLERANCE,
                     "created_at", s->created_at);
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Reads "labels": one unique non-empty string per amplitude. Fills
 * labels[0..n-1] with borrowed strings. */
static bool read_labels(const json_t *v, size_t n, const char **labels,
                        api_err *err)
{
    if (!json_is_array(v))
        return api_invalid(err, "/labels", "must be an array of strings, "
                                           "not %s", api_json_kind(v));
    if (json_array_size(v) != n)
        return api_invalid(err, "/labels",
                           "has %zu labels for %zu amplitudes: give one "
                           "label per amplitude",
                           json_array_size(v), n);
    for (size_t i = 0; i < n; i++) {
        char p[API_PTR_MAX];
        api_ptr_index(p, "/labels", i);
        if (!api_read_string(json_array_get(v, i), p, LABEL_MAX, &labels[i],
                             err))
            return false;
    }
    /* Uniqueness: sort copies of the pointers, compare neighbours. */
    const char **sorted = malloc(n * sizeof *sorted);
    if (!sorted) {
        api_fail(err, API_EINTERNAL, "out of memory");
        return false;
    }
    memcpy(sorted, labels, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, compare_strings);
    bool ok = true;
    for (size_t i = 1; i < n && ok; i++)
        if (strcmp(sorted[i - 1], sorted[i]) == 0)
            ok = api_invalid(err, "/labels", "has the label \"%s\" twice",
                             sorted[i]);
    free(sorted);
    return ok;
}

api_code api_superposition_create(const api_call *call, api_response *resp,
                                  api_err *err)
{
    static const char *const fields[] = {"amplitudes", "labels", "normalize",
                                         "name", NULL};
    const json_t *body = call->body;
    if (api_need_store(call, err) != API_OK)
        return err->code;
    if (!api_check_object(body, "", fields, err))
        return err->code;

    store_superposition s = {0};
    const char **labels = NULL;
    const json_t *v = json_object_get(body, "amplitudes");
    if (!v)
        api_invalid(err, "/amplitudes", "is required");
    else
        api_read_amplitudes(v, "/amplitudes",
                            API_LIMIT(&call->ctx->limits, max_dimension),
                            &s.amplitudes, &s.dimension, err);
    bool normalize = true;
    v = json_object_get(body, "normalize");
    if (v && !json_is_boolean(v))
        api_invalid(err, "/normalize", "must be true or false, not %s",
                    api_json_kind(v));
    else if (v)
        normalize = json_is_true(v);
    const char *name = NULL;
    v = json_object_get(body, "name");
    if (v && !json_is_null(v))
        api_read_string(v, "/name", NAME_MAX_LEN, &name, err);
    v = json_object_get(body, "labels");
    if (s.amplitudes && v && !json_is_null(v)) {
        labels = malloc(s.dimension * sizeof *labels);
        if (!labels)
            api_fail(err, API_EINTERNAL, "out of memory");
        else
            read_labels(v, s.dimension, labels, err);
    }
    if (err->code == API_OK && normalize &&
        state_normalize(s.amplitudes, s.dimension, &s.norm) != CORE_OK)
        api_invalid(err, "/amplitudes",
                    "is the zero vector, which has no direction to "
                    "normalize (send \"normalize\": false to store it as is)");
    if (err->code == API_OK && !normalize &&
        !isfinite(state_norm(s.amplitudes, s.dimension)))
        api_invalid(err, "/amplitudes",
                    "has a norm beyond the largest double (about 1.8e308); "
                    "scale the amplitudes down or let psinet normalize them");
    api_code code = err->code;
    char (*defaults)[72] = NULL;
    if (code == API_OK) {
        s.norm = state_norm(s.amplitudes, s.dimension); /* as stored */
        s.name = (char *)name;
        if (!labels) {
            defaults = malloc(s.dimension * sizeof *defaults);
            labels = malloc(s.dimension * sizeof *labels);
            if (!defaults || !labels) {
                code = api_fail(err, API_EINTERNAL, "out of memory");
            } else {
                for (size_t i = 0; i < s.dimension; i++) {
                    api_default_label(i, s.dimension, defaults[i]);
                    labels[i] = defaults[i];
                }
            }
        }
    }
    if (code == API_OK) {
        s.labels = (char **)labels;
        store_status st = store_superposition_create(call->ctx->db, &s);
        if (st != STORE_OK) {
            code = api_store_fail(err, st, "superposition", "");
        } else {
            code = api_reply(resp, 201, superposition_json(&s), err);
            api_response_header(resp, "Location", "/v1/superpositions/%s",
                                s.id);
        }
    }
    free(s.amplitudes);
    free(labels);
    free(defaults);
    return code;
}

api_code api_superposition_list(const api_call *call, api_response *resp,
                                api_err *err)
{
    api_page page;
    if (api_need_store(call, err) != API_OK ||
        api_page_read(call, &page, err) != API_OK)
        return err->code;
    store_superposition *items;
    size_t count;
    int64_t next;
    store_status st = store_superposition_list(call->ctx->db, page.after,
                                               page.limit, &items, &count,
                                               &next);
    if (st != STORE_OK)
        return api_store_fail(err, st, "superposition", "");
    json_t *list = json_array();
    for (size_t i = 0; list && i < count; i++)
        json_array_append_new(list, superposition_summary_json(&items[i]));
    store_superposition_array_free(items, count);
    return api_reply(resp, 200, list ? api_page_json(list, next) : NULL, err);
}

api_code api_superposition_get(const api_call *call, api_response *resp,
                               api_err *err)
{
    if (api_need_store(call, err) != API_OK)
        return err->code;
    store_superposition s;
    store_status st = store_superposition_get(call->ctx->db, call->id, &s);
    if (st != STORE_OK)
        return api_store_fail(err, st, "superposition", call->id);
    api_code code = api_reply(resp, 200, superposition_json(&s), err);
    store_superposition_free(&s);
    return code;
}

api_code api_superposition_delete(const api_call *call, api_response *resp,
                                  api_err *err)
{
    if (api_need_store(call, err) != API_OK)
        return err->code;
    store_status st = store_superposition_delete(call->ctx->db, call->id);
    if (st != STORE_OK)
        return api_store_fail(err, st, "superposition", call->id);
    resp->status = 204;
    return API_OK;
}

api_code api_superposition_normalize_stored(const api_call *call,
                                            api_response *resp, api_err *err)
{
    static const char *const fields[] = {NULL};
    if (api_need_store(call, err) != API_OK)
        return err->code;
    if (call->body && !api_check_object(call->body, "", fields, err))
        return err->code;
    store_superposition s;
    store_status st = store_superposition_get(call->ctx->db, call->id, &s);
    if (st != STORE_OK)
        return api_store_fail(err, st, "superposition", call->id);
    api_code code = API_OK;
    if (fabs(s.norm - 1.0) > NORM_TOLERANCE) { /* already unit: idempotent */
        if (state_normalize(s.amplitudes, s.dimension, NULL) != CORE_OK) {
            api_fail(err, API_EINVALID,
                     "superposition %s is the zero vector, which has no "
                     "direction to normalize",
                     call->id);
            code = err->code;
        } else {
            s.norm = state_norm(s.amplitudes, s.dimension);
            st = store_superposition_set_amplitudes(
                call->ctx->db, call->id, s.amplitudes, s.dimension, s.norm);
            if (st != STORE_OK)
                code = api_store_fail(err, st, "superposition", call->id);
        }
    }
    if (code == API_OK)
        code = api_reply(resp, 200, superposition_json(&s), err);
    store_superposition_free(&s);
    return code;
}

api_code api_superposition_measure(const api_call *call, api_response *resp,
                                   api_err *err)
{
    static const char *const fields[] = {"shots", "seed", NULL};
    const json_t *body = call->body;
    if (api_need_store(call, err) != API_OK)
        return err->code;
    if (!api_check_object(body, "", fields, err))
        return err->code;
    uint64_t shots = 0, seed = 0;
    const json_t *v = json_object_get(body, "shots");
    if (!v)
        api_invalid(err, "/shots", "is required");
    else
        api_read_shots(v, "/shots", &call->ctx->limits, &shots, err);
    v = json_object_get(body, "seed");
    bool seeded = v && !json_is_null(v);
    if (seeded)
        api_read_uint(v, "/seed", 0, API_MAX_SEED, &seed, err);
    if (err->code != API_OK)
        return err->code;
    if (!seeded)
        seed = api_random_seed();

    store_superposition s;
    store_status st = store_superposition_get(call->ctx->db, call->id, &s);
    if (st != STORE_OK)
        return api_store_fail(err, st, "superposition", call->id);
    json_t *counts = NULL;
    api_code code = api_measure(s.amplitudes, s.dimension,
                                (const char *const *)s.labels, shots, seed,
                                &counts, err);
    if (code == API_OK)
        code = api_reply(resp, 200,
                         json_pack("{s:I, s:I, s:o}", "shots",
                                   (json_int_t)shots, "seed",
                                   (json_int_t)seed, "counts", counts),
                         err);
    store_superposition_free(&s);
    return code;
}
