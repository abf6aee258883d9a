/* api/superpositions.c - superpositions: normalize one sent inline, and
 * stored ones: create, list, get, delete, normalize and measure. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "api/db.h"
#include "api/handler.h"
#include "api/measure.h"
#include "api/page.h"
#include "core/state.h"
#include "core/stats.h"
#include "store/superposition.h"

#define LABEL_MAX 64
#define NAME_MAX_LEN 200
/* A state is "normalized" when its norm is 1 to within this. */
#define NORM_TOLERANCE 1e-12

/* ------------------------------------------------------------ inline */

static api_code normalize(const api_call *call, api_response *resp,
                          api_err *err)
{
    api_amplitudes amps = {0};
    bool b64 = false;
    api_limit max = API_LIMIT(&call->ctx->limits, max_dimension);
    api_field fields[] = {
        API_FIELD("encoding", api_read_encoding, &b64, NULL, API_OPTIONAL),
        API_FIELD("amplitudes", api_read_amplitudes, &amps, &max, 0),
        API_END,
    };
    double *p = NULL;
    double norm;
    if (!api_read_object(call->in, call->body, "", fields))
        goto out;
    p = malloc(amps.n * sizeof *p);
    if (!p) {
        api_no_memory(err);
        goto out;
    }
    if (state_normalize(amps.c, amps.n, &norm) != CORE_OK) {
        api_invalid(err, "/amplitudes",
                    "is the zero vector, which has no direction to normalize");
        goto out;
    }
    if (!isfinite(norm)) {
        api_invalid(err, "/amplitudes",
                    "has a norm beyond the largest double (about 1.8e308); "
                    "scale the amplitudes down");
        goto out;
    }
    state_probabilities(amps.c, amps.n, p);
    /* Built by hand: json_pack would parse its format on every request,
     * and a qubit's whole answer costs less than that. */
    json_t *body = json_object();
    if (body &&
        (json_object_set_new_nocheck(body, "amplitudes",
                                     pjson_amplitudes(amps.c, amps.n, b64)) ||
         json_object_set_new_nocheck(body, "norm", json_real(norm)) ||
         json_object_set_new_nocheck(body, "probabilities",
                                     pjson_reals(p, amps.n, b64)))) {
        json_decref(body);
        body = NULL;
    }
    api_reply(resp, 200, body, err);
out:
    free(amps.c);
    free(p);
    return err->code;
}

/* ------------------------------------------------------------ stored */

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
        entropy = stats_entropy_bits(p, n);
    else
        memset(p, 0, n * sizeof *p); /* a stored zero state (normalize off) */
    for (size_t i = 0; labels && i < n; i++)
        pjson_push(&labels, json_string(s->labels[i]));
    int q = state_qubits(n);
    json_t *out = json_pack(
        "{s:s, s:o, s:I, s:o, s:o, s:o, s:f, s:b, s:o, s:f, s:s}", "id", s->id,
        "name", s->name ? json_string(s->name) : json_null(), "dimension",
        (json_int_t)n, "qubits", q >= 0 ? json_integer(q) : json_null(),
        "amplitudes", pjson_amplitudes(s->amplitudes, n, false), "labels",
        labels, "norm", s->norm, "normalized",
        fabs(s->norm - 1.0) <= NORM_TOLERANCE, "probabilities",
        pjson_reals(p, n, false), "entropy_bits", entropy, "created_at",
        s->created_at);
    free(p);
    return out;
}

/* The list-item representation: no arrays. */
static json_t *superposition_summary_json(const store_superposition *s)
{
    int q = state_qubits(s->dimension);
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

/* Reads "labels" (v): one unique non-empty string per amplitude into
 * labels[0..n-1], borrowed. */
static bool read_labels(const api_in *in, const json_t *v, size_t n,
                        const char **labels)
{
    if (!json_is_array(v))
        return api_invalid(in->err, "/labels",
                           "must be an array of strings, not %s",
                           api_json_kind(v));
    if (json_array_size(v) != n)
        return api_invalid(in->err, "/labels",
                           "has %zu labels for %zu amplitudes: give one "
                           "label per amplitude",
                           json_array_size(v), n);
    for (size_t i = 0; i < n; i++) {
        char p[API_PTR_MAX];
        api_ptr_index(p, "/labels", i);
        api_field f = API_STRING(NULL, &labels[i], LABEL_MAX, 0);
        if (!api_read_string(in, json_array_get(v, i), p, &f))
            return false;
    }
    /* Uniqueness: sort copies of the pointers, compare neighbours. */
    const char **sorted = malloc(n * sizeof *sorted);
    if (!sorted) {
        api_no_memory(in->err);
        return false;
    }
    memcpy(sorted, labels, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, compare_strings);
    bool ok = true;
    for (size_t i = 1; i < n && ok; i++)
        if (strcmp(sorted[i - 1], sorted[i]) == 0)
            ok = api_invalid(in->err, "/labels", "has the label \"%s\" twice",
                             sorted[i]);
    free(sorted);
    return ok;
}

/* The labels of a new superposition of n amplitudes: those given (v, NULL
 * when none) or the default ones, which are written into *defaults. */
static bool labels_of(const api_in *in, const json_t *v, size_t n,
                      const char ***labels, char (**defaults)[STATE_LABEL_SIZE])
{
    *labels = malloc(n * sizeof **labels);
    if (!*labels) {
        api_no_memory(in->err);
        return false;
    }
    if (v)
        return read_labels(in, v, n, *labels);
    *defaults = malloc(n * sizeof **defaults);
    if (!*defaults) {
        api_no_memory(in->err);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        state_basis_label(i, n, (*defaults)[i]);
        (*labels)[i] = (*defaults)[i];
    }
    return true;
}

static api_code create(const api_call *call, api_response *resp,
                       api_err *err)
{
    api_amplitudes amps = {0};
    bool normalize = true;
    const char *name = NULL;
    const json_t *labels_v = NULL;
    api_limit max = API_LIMIT(&call->ctx->limits, max_dimension);
    api_field fields[] = {
        API_FIELD("amplitudes", api_read_amplitudes, &amps, &max, 0),
        API_FIELD("normalize", api_read_bool, &normalize, NULL, API_OPTIONAL),
        API_STRING("name", &name, NAME_MAX_LEN, API_NULL_ABSENT),
        API_FIELD("labels", api_read_value, &labels_v, NULL, API_NULL_ABSENT),
        API_END,
    };
    const char **labels = NULL;
    char(*defaults)[STATE_LABEL_SIZE] = NULL;
    if (api_need_store(call->ctx, err) != API_OK ||
        !api_read_known(call->in, call->body, "", fields))
        goto out;
    api_read_fields(call->in, call->body, "", fields);
    if (amps.c && labels_v && !labels_of(call->in, labels_v, amps.n, &labels,
                                         &defaults))
        goto out;
    if (err->code != API_OK)
        goto out;
    store_superposition s = {.dimension = amps.n, .amplitudes = amps.c};
    if (normalize && state_normalize(s.amplitudes, s.dimension, &s.norm) !=
                         CORE_OK) {
        api_invalid(err, "/amplitudes",
                    "is the zero vector, which has no direction to "
                    "normalize (send \"normalize\": false to store it as is)");
        goto out;
    }
    s.norm = state_norm(s.amplitudes, s.dimension); /* as stored */
    if (!normalize && !isfinite(s.norm)) {
        api_invalid(err, "/amplitudes",
                    "has a norm beyond the largest double (about 1.8e308); "
                    "scale the amplitudes down or let psinet normalize them");
        goto out;
    }
    if (!labels && !labels_of(call->in, NULL, amps.n, &labels, &defaults))
        goto out;
    s.name = (char *)name;
    s.labels = (char **)labels;
    store_status st = store_superposition_create(call->ctx->db, &s);
    if (st != STORE_OK) {
        api_fail_store(err, st, "superposition", "");
        goto out;
    }
    api_reply_created(resp, superposition_json(&s), "superposition",
                      "superpositions", s.id, err);
out:
    free(amps.c);
    free(labels);
    free(defaults);
    return err->code;
}

static api_code list(const api_call *call, api_response *resp, api_err *err)
{
    api_page page;
    if (api_need_store(call->ctx, err) != API_OK ||
        api_page_read(call, &page, err) != API_OK)
        return err->code;
    store_superposition *items;
    size_t count;
    int64_t next;
    store_status st = store_superposition_list(call->ctx->db, page.after,
                                               page.limit, &items, &count,
                                               &next);
    if (st != STORE_OK)
        return api_fail_store(err, st, "superposition", "");
    json_t *list = json_array();
    for (size_t i = 0; list && i < count; i++)
        pjson_push(&list, superposition_summary_json(&items[i]));
    store_superposition_array_free(items, count);
    return api_reply(resp, 200, list ? api_page_json(list, next) : NULL, err);
}

static api_code get(const api_call *call, api_response *resp, api_err *err)
{
    if (api_need_store(call->ctx, err) != API_OK)
        return err->code;
    store_superposition s;
    store_status st = store_superposition_get(call->ctx->db, call->id, &s);
    if (st != STORE_OK)
        return api_fail_store(err, st, "superposition", call->id);
    api_code code = api_reply(resp, 200, superposition_json(&s), err);
    store_superposition_free(&s);
    return code;
}

static api_code delete(const api_call *call, api_response *resp,
                       api_err *err)
{
    if (api_need_store(call->ctx, err) != API_OK)
        return err->code;
    store_status st = store_superposition_delete(call->ctx->db, call->id);
    if (st != STORE_OK)
        return api_fail_store(err, st, "superposition", call->id);
    resp->status = 204;
    return API_OK;
}

static api_code normalize_stored(const api_call *call, api_response *resp,
                                 api_err *err)
{
    api_field fields[] = {API_END};
    if (api_need_store(call->ctx, err) != API_OK ||
        (call->body && !api_read_object(call->in, call->body, "", fields)))
        return err->code;
    store_superposition s;
    store_status st = store_superposition_get(call->ctx->db, call->id, &s);
    if (st != STORE_OK)
        return api_fail_store(err, st, "superposition", call->id);
    if (fabs(s.norm - 1.0) <= NORM_TOLERANCE) /* already unit: idempotent */
        goto reply;
    if (state_normalize(s.amplitudes, s.dimension, NULL) != CORE_OK) {
        api_fail(err, API_EINVALID,
                 "superposition %s is the zero vector, which has no "
                 "direction to normalize",
                 call->id);
        goto out;
    }
    s.norm = state_norm(s.amplitudes, s.dimension);
    st = store_superposition_set_amplitudes(call->ctx->db, call->id,
                                            s.amplitudes, s.dimension, s.norm);
    if (st != STORE_OK) {
        api_fail_store(err, st, "superposition", call->id);
        goto out;
    }
reply:
    api_reply(resp, 200, superposition_json(&s), err);
out:
    store_superposition_free(&s);
    return err->code;
}

static api_code measure(const api_call *call, api_response *resp,
                        api_err *err)
{
    uint64_t shots = 0, seed = 0;
    api_field fields[] = {
        API_FIELD("shots", api_read_shots, &shots, NULL, 0),
        API_FIELD("seed", api_read_seed, &seed, NULL, API_NULL_ABSENT),
        API_END,
    };
    if (api_need_store(call->ctx, err) != API_OK ||
        !api_read_object(call->in, call->body, "", fields))
        return err->code;
    const json_t *seed_v = json_object_get(call->body, "seed");
    if (!seed_v || json_is_null(seed_v))
        seed = api_random_seed();

    store_superposition s;
    store_status st = store_superposition_get(call->ctx->db, call->id, &s);
    if (st != STORE_OK)
        return api_fail_store(err, st, "superposition", call->id);
    json_t *counts = NULL;
    if (api_measure(s.amplitudes, s.dimension, (const char *const *)s.labels,
                    shots, seed, &counts, err) == API_OK)
        api_reply(resp, 200,
                  json_pack("{s:I, s:I, s:o}", "shots", (json_int_t)shots,
                            "seed", (json_int_t)seed, "counts", counts),
                  err);
    store_superposition_free(&s);
    return err->code;
}

const api_route api_superposition_routes[] = {
    {"POST", "/v1/superpositions/normalize", normalize,
     API_ROUTE_BODY | API_ROUTE_LIFT_B64, "superpositions.normalize",
     "normalizeSuperposition"},
    {"POST", "/v1/superpositions", create,
     API_ROUTE_BODY | API_ROUTE_WRITES | API_ROUTE_LIFT_B64,
     "superpositions.create", "createSuperposition"},
    {"GET", "/v1/superpositions", list, 0, "superpositions.list",
     "listSuperpositions"},
    {"GET", "/v1/superpositions/{id}", get, API_ROUTE_LONG, "superpositions.get",
     "getSuperposition"},
    {"DELETE", "/v1/superpositions/{id}", delete, API_ROUTE_WRITES,
     "superpositions.delete", "deleteSuperposition"},
    {"POST", "/v1/superpositions/{id}/normalize", normalize_stored,
     API_ROUTE_BODY | API_ROUTE_BODY_OPTIONAL | API_ROUTE_WRITES |
         API_ROUTE_LONG,
     "superpositions.normalize_stored", "normalizeStoredSuperposition"},
    {"POST", "/v1/superpositions/{id}/measure", measure,
     API_ROUTE_BODY | API_ROUTE_LONG,
     "superpositions.measure", "measureSuperposition"},
    {0},
};
