/* api/superposition.c - superpositions as the api reads and writes them
 * (api/superposition.h). */
#include "api/superposition.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "api/db.h"
#include "api/hold.h"
#include "core/qstate.h"
#include "core/state.h"
#include "core/stats.h"

/* ------------------------------------------------------------ writing */

json_t *api_superposition_json(const store_superposition *s,
                               const api_state_form *form)
{
    size_t n = s->dimension;
    int q = state_qubits(n);
    double error = fabs(s->norm - 1.0), entropy = 0;
    double *p = NULL;
    json_t *labels = NULL;
    json_t *out = json_pack("{s:o, s:o, s:I, s:o}", "id",
                            s->id[0] ? json_string(s->id) : json_null(),
                            "name",
                            s->name ? json_string(s->name) : json_null(),
                            "dimension", (json_int_t)n, "qubits",
                            q >= 0 ? json_integer(q) : json_null());
    if (!form->summary) {
        p = malloc(n * sizeof *p);
        labels = json_array();
        if (!p) {
            json_decref(out);
            json_decref(labels);
            return NULL;
        }
        if (state_probabilities(s->amplitudes, n, p) == CORE_OK)
            entropy = stats_entropy_bits(p, n);
        else /* a stored zero state (normalize off) */
            memset(p, 0, n * sizeof *p);
        for (size_t i = 0; labels && i < n; i++)
            pjson_push(&labels, json_string(s->labels[i]));
        pjson_set(&out, "amplitudes",
                  pjson_amplitudes(s->amplitudes, n, form->b64));
        pjson_set(&out, "labels", labels);
    }
    pjson_set(&out, "norm", json_real(s->norm));
    pjson_set(&out, "norm_error", json_real(error));
    pjson_set(&out, "normalized", json_boolean(error <= form->atol));
    if (!form->summary) {
        pjson_set(&out, "probabilities", pjson_reals(p, n, form->b64));
        pjson_set(&out, "entropy_bits", json_real(entropy));
        free(p);
    }
    pjson_set(&out, "created_at",
              s->created_at[0] ? json_string(s->created_at) : json_null());
    pjson_set(&out, "parent",
              s->parent[0] ? json_string(s->parent) : json_null());
    if (!form->summary)
        pjson_set(&out, "operation", s->operation
                                         ? json_loads(s->operation, 0, NULL)
                                         : json_null());
    return out;
}

/* ------------------------------------------------------------ tolerance */

bool api_read_atol(const api_in *in, const json_t *v, const char *ptr,
                   const api_field *f)
{
    double *atol = f->out;
    if (!json_is_number(v))
        return api_invalid(in->err, ptr,
                           "must be a number from 0 to 1 (a tolerance), not "
                           "%s",
                           api_json_kind(v));
    double x = json_number_value(v), whole;
    if (!(x >= 0.0) || !(x <= 1.0))
        /* a whole number with all its digits, as it was written */
        return api_invalid(in->err, ptr,
                           api_json_whole(v, &whole) && fabs(whole) < 1e21
                               ? "must be a number from 0 to 1 (a "
                                 "tolerance), not %.0f"
                               : "must be a number from 0 to 1 (a "
                                 "tolerance), not %.17g",
                           x);
    *atol = x;
    return true;
}

api_code api_query_atol(const api_call *call, double *atol, api_err *err)
{
    int present;
    const char *v = api_query_get(call->req, "atol", &present);
    *atol = API_DEFAULT_ATOL;
    if (!present)
        return API_OK;
    char *end = NULL;
    double x = v ? strtod(v, &end) : NAN;
    if (!v || !*v || *end || !(x >= 0.0) || !(x <= 1.0))
        return api_fail(err, API_EBADREQUEST,
                        "atol must be a number from 0 to 1 (a tolerance)");
    *atol = x;
    return API_OK;
}

/* ------------------------------------------------------------ labels */

bool api_default_labels(size_t n, char ***labels, api_err *err)
{
    size_t size = state_label_size(n); /* the same for every label */
    char *block = malloc(n * size);
    *labels = malloc(n * sizeof **labels);
    if (!block || !*labels) {
        free(block);
        free(*labels);
        *labels = NULL;
        api_no_memory(err);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        (*labels)[i] = block + i * size;
        state_basis_label(i, n, (*labels)[i]);
    }
    return true;
}

bool api_copy_labels(char *const *from, size_t n, char ***labels,
                     api_err *err)
{
    size_t bytes = 0;
    for (size_t i = 0; i < n; i++)
        bytes += strlen(from[i]) + 1;
    char *block = malloc(bytes);
    *labels = malloc(n * sizeof **labels);
    if (!block || !*labels) {
        free(block);
        free(*labels);
        *labels = NULL;
        api_no_memory(err);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(from[i]) + 1;
        memcpy(block, from[i], len);
        (*labels)[i] = block;
        block += len;
    }
    return true;
}

/* ------------------------------------------------------------ reading */

bool api_read_basis(const api_in *in, const json_t *v, const char *ptr,
                    store_superposition *s)
{
    int most = 0;
    while (most < 62 && (size_t)2 << most <= in->limits->max_dimension)
        most++;
    const char *bits = json_string_value(v);
    size_t len = bits ? strlen(bits) : 0;
    if (!bits || len == 0 || strspn(bits, "01") != len)
        return api_invalid(in->err, ptr,
                           "must be a basis state's label: a string of 0s "
                           "and 1s, qubit 0 rightmost");
    if (len > (size_t)most)
        return api_invalid(in->err, ptr,
                           "has %zu qubits; the limit is %d (2^%d "
                           "amplitudes, max_dimension)",
                           len, most, most);
    size_t dimension = (size_t)1 << len, index = 0;
    for (size_t i = 0; i < len; i++)
        index = index << 1 | (size_t)(bits[i] == '1');
    s->amplitudes = calloc(dimension, sizeof *s->amplitudes);
    if (!s->amplitudes) {
        api_no_memory(in->err);
        return false;
    }
    s->amplitudes[index] = 1.0;
    s->dimension = dimension;
    s->norm = 1.0;
    return true;
}

/* A stored superposition, by id (v at ptr), into out. */
static bool read_stored(const api_ctx *ctx, const api_in *in, const json_t *v,
                        const char *ptr, api_state *out)
{
    const char *id;
    api_field f = API_STRING(NULL, &id, 64, 0);
    if (!api_read_string(in, v, ptr, &f) ||
        api_need_store(ctx, in->err) != API_OK)
        return false;
    store_status st = store_superposition_get(ctx->db, id, &out->s);
    if (st == STORE_NOTFOUND)
        return api_invalid(in->err, ptr,
                           "names no stored superposition (%.64s)", id);
    if (st != STORE_OK) {
        api_fail_store(in->err, st, "superposition", id);
        return false;
    }
    out->stored = true;
    return true;
}

bool api_read_state(const api_ctx *ctx, const api_in *in, const json_t *v,
                    const char *ptr, api_state *out)
{
    const json_t *id = NULL, *amplitudes = NULL, *basis = NULL;
    api_field fields[] = {
        API_FIELD("id", api_read_value, &id, NULL, API_OPTIONAL),
        API_FIELD("amplitudes", api_read_value, &amplitudes, NULL,
                  API_OPTIONAL),
        API_FIELD("basis", api_read_value, &basis, NULL, API_OPTIONAL),
        API_END,
    };
    char p[API_PTR_MAX];
    memset(out, 0, sizeof *out);
    if (!api_read_object(in, v, ptr, fields))
        return false;
    if ((id != NULL) + (amplitudes != NULL) + (basis != NULL) != 1)
        return api_invalid(in->err, ptr,
                           "must give exactly one of id (a stored state), "
                           "amplitudes or basis");
    if (id) {
        api_ptr_key(p, ptr, "id");
        return read_stored(ctx, in, id, p, out);
    }
    if (basis) {
        api_ptr_key(p, ptr, "basis");
        if (!api_read_basis(in, basis, p, &out->s))
            return false;
    } else {
        api_amplitudes a;
        api_limit max = API_LIMIT(in->limits, max_dimension);
        api_field f = {NULL, api_read_amplitudes, &a, &max, 0};
        api_ptr_key(p, ptr, "amplitudes");
        if (!api_read_amplitudes(in, amplitudes, p, &f))
            return false;
        out->s.amplitudes = a.c;
        out->s.dimension = a.n;
        out->s.norm = state_norm(a.c, a.n);
        if (!isfinite(out->s.norm))
            return api_invalid(in->err, p,
                               "has a norm beyond the largest double (about "
                               "1.8e308); scale the amplitudes down");
    }
    return api_default_labels(out->s.dimension, &out->s.labels, in->err);
}

void api_state_free(api_state *st)
{
    store_superposition_free(&st->s);
    st->stored = false;
}

bool api_state_qubits(const api_in *in, size_t dimension, const char *ptr,
                      int *qubits)
{
    *qubits = state_qubits(dimension);
    if (*qubits > QSTATE_MAX_QUBITS)
        return api_invalid(in->err, ptr,
                           "has %d qubits; quantum operations act on at "
                           "most %d",
                           *qubits, QSTATE_MAX_QUBITS);
    if (*qubits >= 1)
        return true;
    return api_invalid(in->err, ptr,
                       "has dimension %zu, which is not a power of two "
                       "above 1: it has no qubits to act on",
                       dimension);
}

bool api_read_qubits(const api_in *in, const json_t *v, const char *ptr,
                     int n, int *qubits, int *k)
{
    *k = 0;
    if (!json_is_array(v) || json_array_size(v) == 0)
        return api_invalid(in->err, ptr,
                           "must be a non-empty array of qubits (whole "
                           "numbers from 0 to %d), not %s",
                           n - 1,
                           json_is_array(v) ? "an empty one"
                                            : api_json_kind(v));
    if (json_array_size(v) > (size_t)n)
        return api_invalid(in->err, ptr,
                           "lists %zu qubits, but the state has %d",
                           json_array_size(v), n);
    for (size_t j = 0; j < json_array_size(v); j++) {
        char p[API_PTR_MAX];
        uint64_t q;
        api_ptr_index(p, ptr, j);
        api_field f = {NULL, api_read_uint, &q,
                       (const uint64_t[2]){0, (uint64_t)n - 1}, 0};
        if (!api_read_uint(in, json_array_get(v, j), p, &f))
            return false;
        for (int i = 0; i < *k; i++)
            if (qubits[i] == (int)q)
                return api_invalid(in->err, p, "repeats qubit %d", (int)q);
        qubits[(*k)++] = (int)q;
    }
    return true;
}

/* ------------------------------------------------------------ answering */

api_code api_store_state(const api_call *call, store_superposition *s,
                         api_response *resp, api_err *err)
{
    s->norm = state_norm(s->amplitudes, s->dimension);
    if (api_need_store(call->ctx, err) != API_OK)
        return err->code;
    if (api_hold_useful(call->ctx, call->req)) {
        /* The store writes from a copy; the answer waits for it. */
        resp->hold = api_hold_new("superposition", NULL, NULL);
        store_superposition_submit(call->ctx->db, s, api_hold_done,
                                   resp->hold);
        return API_OK;
    }
    store_status st = store_superposition_create(call->ctx->db, s);
    return api_fail_store(err, st, "superposition", "");
}

api_code api_reply_state(api_response *resp, const store_superposition *s,
                         bool stored, json_t *body, api_err *err)
{
    if (stored)
        return api_reply_created(resp, body, "superposition",
                                 "superpositions", s->id, err);
    return api_reply(resp, 200, body, err);
}

api_code api_answer_state(const api_call *call, api_response *resp,
                          store_superposition *s, bool keep,
                          const api_state_form *form, api_err *err)
{
    s->norm = state_norm(s->amplitudes, s->dimension);
    if (keep && api_store_state(call, s, resp, err) != API_OK)
        return err->code;
    return api_reply_state(resp, s, keep, api_superposition_json(s, form),
                           err);
}
