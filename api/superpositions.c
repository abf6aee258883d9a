/* api/superpositions.c - superpositions: normalize one sent inline, and
 * stored ones: create, list, get, delete, normalize and measure. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "api/db.h"
#include "api/handler.h"
#include "api/measure.h"
#include "api/page.h"
#include "api/superposition.h"
#include "core/qstate.h"
#include "core/state.h"

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
        api_field f = API_STRING(NULL, &labels[i], API_LABEL_MAX, 0);
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

/* Reads the amplitudes, or the basis state, of a new superposition into
 * s. */
static bool read_state(const api_in *in, const json_t *body,
                       store_superposition *s)
{
    switch (api_read_either(in, body, "", "amplitudes", "basis", "basis",
                            "amplitudes", "a basis state's label")) {
    case 1: {
        api_amplitudes a;
        api_limit max = API_LIMIT(in->limits, max_dimension);
        api_field f = {NULL, api_read_amplitudes, &a, &max, 0};
        if (!api_read_amplitudes(in, json_object_get(body, "amplitudes"),
                                 "/amplitudes", &f))
            return false;
        s->amplitudes = a.c;
        s->dimension = a.n;
        return true;
    }
    case 2:
        return api_read_basis(in, json_object_get(body, "basis"), "/basis",
                              s);
    default:
        return false;
    }
}

static api_code create(const api_call *call, api_response *resp,
                       api_err *err)
{
    bool normalize = true;
    const char *name = NULL;
    const json_t *labels_v = NULL;
    api_state_form form = {API_DEFAULT_ATOL, false, false};
    api_field fields[] = {
        API_FIELD("amplitudes", NULL, NULL, NULL, API_LATER),
        API_FIELD("basis", NULL, NULL, NULL, API_LATER),
        API_FIELD("normalize", api_read_bool, &normalize, NULL, API_OPTIONAL),
        API_STRING("name", &name, API_NAME_MAX, API_NULL_ABSENT),
        API_FIELD("labels", api_read_value, &labels_v, NULL, API_NULL_ABSENT),
        API_FIELD("atol", api_read_atol, &form.atol, NULL, API_OPTIONAL),
        API_END,
    };
    store_superposition s = {0};
    const char **given = NULL; /* borrowed from the body */
    if (api_need_store(call->ctx, err) != API_OK ||
        !api_read_known(call->in, call->body, "", fields))
        goto out;
    bool have_state = read_state(call->in, call->body, &s);
    api_read_fields(call->in, call->body, "", fields);
    if (have_state && labels_v) {
        given = malloc(s.dimension * sizeof *given);
        if (!given)
            api_no_memory(err);
        else
            read_labels(call->in, labels_v, s.dimension, given);
    }
    if (err->code != API_OK)
        goto out;
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
    if (!given && !api_default_labels(s.dimension, &s.labels, err))
        goto out;
    s.name = (char *)name;
    char **owned = s.labels;
    if (given)
        s.labels = (char **)given;
    if (api_store_state(call, &s, resp, err) == API_OK)
        api_reply_created(resp, api_superposition_json(&s, &form),
                          "superposition", "superpositions", s.id, err);
    s.labels = owned; /* what is freed below: only the defaults */
    s.name = NULL;
out:
    free(given);
    store_superposition_free(&s);
    return err->code;
}

static api_code list(const api_call *call, api_response *resp, api_err *err)
{
    api_page page;
    api_state_form form = {API_DEFAULT_ATOL, false, true};
    if (api_need_store(call->ctx, err) != API_OK ||
        api_page_read(call, NULL, &page, err) != API_OK ||
        api_query_atol(call, &form.atol, err) != API_OK)
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
        pjson_push(&list, api_superposition_json(&items[i], &form));
    store_superposition_array_free(items, count);
    return api_reply(resp, 200,
                     list ? api_page_json(call, &page, list, next) : NULL,
                     err);
}

static api_code get(const api_call *call, api_response *resp, api_err *err)
{
    api_state_form form = {API_DEFAULT_ATOL, false, false};
    if (api_need_store(call->ctx, err) != API_OK ||
        api_query_atol(call, &form.atol, err) != API_OK)
        return err->code;
    store_superposition s;
    store_status st = store_superposition_get(call->ctx->db, call->id, &s);
    if (st != STORE_OK)
        return api_fail_store(err, st, "superposition", call->id);
    api_code code = api_reply(resp, 200, api_superposition_json(&s, &form),
                              err);
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
    api_state_form form = {API_DEFAULT_ATOL, false, false};
    api_field fields[] = {
        API_FIELD("atol", api_read_atol, &form.atol, NULL, API_OPTIONAL),
        API_END,
    };
    if (api_need_store(call->ctx, err) != API_OK ||
        (call->body && !api_read_object(call->in, call->body, "", fields)))
        return err->code;
    store_superposition s;
    store_status st = store_superposition_get(call->ctx->db, call->id, &s);
    if (st != STORE_OK)
        return api_fail_store(err, st, "superposition", call->id);
    if (fabs(s.norm - 1.0) <= form.atol) /* already unit: idempotent */
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
    api_reply(resp, 200, api_superposition_json(&s, &form), err);
out:
    store_superposition_free(&s);
    return err->code;
}

/* What a measurement asks for. */
typedef struct {
    uint64_t shots, seed;
    bool memory;
    const json_t *qubits; /* the list, or NULL: every outcome */
    double atol;
} measure_request;

static bool read_measure(const api_call *call, measure_request *m)
{
    api_field fields[] = {
        API_FIELD("shots", api_read_shots, &m->shots, NULL, 0),
        API_FIELD("seed", api_read_seed, &m->seed, NULL, API_NULL_ABSENT),
        API_FIELD("memory", api_read_bool, &m->memory, NULL, API_OPTIONAL),
        API_FIELD("qubits", api_read_value, &m->qubits, NULL,
                  API_NULL_ABSENT),
        API_FIELD("atol", api_read_atol, &m->atol, NULL, API_OPTIONAL),
        API_END,
    };
    const api_limits *lim = &call->ctx->limits;
    if (!api_read_object(call->in, call->body, "", fields))
        return false;
    if (m->memory && m->shots > lim->max_memory)
        return api_invalid(call->in->err, "/memory",
                           "keeps one outcome per shot, for at most %llu "
                           "shots (max_memory); shots is %llu",
                           (unsigned long long)lim->max_memory,
                           (unsigned long long)m->shots);
    const json_t *seed = json_object_get(call->body, "seed");
    if (!seed || json_is_null(seed))
        m->seed = api_random_seed();
    return true;
}

/* The Born probabilities of s's outcomes, or of qubits[0 .. k-1]'s (k >
 * 0, the state's n qubits), into a new array *p of *outcomes. */
static bool outcome_probabilities(const api_in *in,
                                  const store_superposition *s, int n,
                                  const int *qubits, int k, double **p,
                                  size_t *outcomes)
{
    *outcomes = k ? (size_t)1 << k : s->dimension;
    *p = malloc(*outcomes * sizeof **p);
    if (!*p) {
        api_no_memory(in->err);
        return false;
    }
    core_status st = k ? qstate_marginal(s->amplitudes, n, qubits, k, *p)
                       : state_probabilities(s->amplitudes, s->dimension, *p);
    if (st == CORE_OK)
        return true;
    api_fail(in->err, API_EINVALID,
             "the state is the zero vector: it has no Born distribution to "
             "sample");
    return false;
}

/* {label: probability} of every outcome over k qubits. */
static json_t *marginal_json(const double *p, int k)
{
    json_t *out = json_object();
    size_t outcomes = (size_t)1 << k;
    for (size_t v = 0; out && v < outcomes; v++) {
        char label[STATE_LABEL_SIZE];
        state_basis_label(v, outcomes, label);
        pjson_set(&out, label, json_real(p[v]));
    }
    return out;
}

static api_code measure(const api_call *call, api_response *resp,
                        api_err *err)
{
    measure_request m = {.atol = API_DEFAULT_ATOL};
    store_superposition s = {0};
    int qubits[QSTATE_MAX_QUBITS], n = 0, k = 0;
    double *p = NULL;
    size_t outcomes;
    json_t *counts = NULL, *memory = NULL;
    if (api_need_store(call->ctx, err) != API_OK || !read_measure(call, &m))
        goto out;
    store_status st = store_superposition_get(call->ctx->db, call->id, &s);
    if (st != STORE_OK) {
        api_fail_store(err, st, "superposition", call->id);
        goto out;
    }
    if (m.qubits && (!api_state_qubits(call->in, s.dimension, "/qubits", &n) ||
                     !api_read_qubits(call->in, m.qubits, "/qubits", n,
                                      qubits, &k)))
        goto out;
    if (!outcome_probabilities(call->in, &s, n, qubits, k, &p, &outcomes) ||
        api_sample(p, outcomes, k ? NULL : (const char *const *)s.labels,
                   m.shots, m.seed, &counts, m.memory ? &memory : NULL,
                   err) != API_OK)
        goto out;
    json_t *body = json_pack("{s:I, s:I, s:o}", "shots", (json_int_t)m.shots,
                             "seed", (json_int_t)m.seed, "counts", counts);
    counts = NULL; /* taken */
    if (m.memory)
        pjson_set(&body, "memory", memory);
    memory = NULL;
    if (k) {
        pjson_set(&body, "qubits", json_deep_copy(m.qubits));
        pjson_set(&body, "probabilities", marginal_json(p, k));
    }
    pjson_set(&body, "renormalized",
              json_boolean(fabs(s.norm - 1.0) > m.atol));
    api_reply(resp, 200, body, err);
out:
    json_decref(counts);
    json_decref(memory);
    free(p);
    store_superposition_free(&s);
    return err->code;
}

const api_route api_superposition_routes[] = {
    {"POST", "/v1/superpositions/normalize", normalize,
     API_ROUTE_BODY | API_ROUTE_LIFT_B64 | API_ROUTE_LIFT_NUMBERS,
     "superpositions.normalize",
     "normalizeSuperposition", NULL, NULL},
    {"POST", "/v1/superpositions", create,
     API_ROUTE_BODY | API_ROUTE_WRITES | API_ROUTE_LIFT_B64 |
         API_ROUTE_LIFT_NUMBERS,
     "superpositions.create", "createSuperposition", NULL, NULL},
    {"GET", "/v1/superpositions", list, 0, "superpositions.list",
     "listSuperpositions", "limit cursor atol", NULL},
    {"GET", "/v1/superpositions/{id}", get, API_ROUTE_LONG, "superpositions.get",
     "getSuperposition", "atol", NULL},
    {"DELETE", "/v1/superpositions/{id}", delete, API_ROUTE_WRITES,
     "superpositions.delete", "deleteSuperposition", NULL, NULL},
    {"POST", "/v1/superpositions/{id}/normalize", normalize_stored,
     API_ROUTE_BODY | API_ROUTE_BODY_OPTIONAL | API_ROUTE_WRITES |
         API_ROUTE_LONG,
     "superpositions.normalize_stored",
     "normalizeStoredSuperposition", NULL, NULL},
    {"POST", "/v1/superpositions/{id}/measure", measure,
     API_ROUTE_BODY | API_ROUTE_LONG,
     "superpositions.measure", "measureSuperposition", NULL, NULL},
    {0},
};
