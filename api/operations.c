/* api/operations.c - quantum operations on superpositions: gates and
 * unitaries, collapse, comparison, tensor products, Pauli expectations,
 * and the walk back through the states one was made from. The numbers are
 * core/qstate.h's; the bit order is api/superposition.h's. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "api/db.h"
#include "api/handler.h"
#include "api/superposition.h"
#include "core/qstate.h"
#include "core/state.h"
#include "core/vec.h"

/* The most states a walk back through parents reads. */
#define LINEAGE_MAX 1000

/* The operation of a state made here, as the JSON text it is stored as
 * (s->operation, owned); taken: op. */
static bool set_operation(store_superposition *s, json_t *op, api_err *err)
{
    size_t len;
    s->operation = op ? pjson_write(op, &len) : NULL;
    json_decref(op);
    if (!s->operation)
        api_no_memory(err);
    return s->operation != NULL;
}

/* Makes st's state the one to answer: made from its stored self when it
 * was stored (its parent), with the name given (borrowed: cleared before
 * st is freed). */
static void become_child(api_state *st, const char *name)
{
    store_superposition *s = &st->s;
    if (st->stored)
        memcpy(s->parent, s->id, sizeof s->parent);
    s->id[0] = '\0';
    s->created_at[0] = '\0';
    s->seq = 0;
    free(s->name);
    s->name = (char *)name;
    free(s->operation);
    s->operation = NULL;
}

/* ------------------------------------------------------------ gates */

/* One operation of a list, read. */
typedef struct {
    bool unitary;               /* a matrix, not a named gate */
    qgate_kind gate;
    int qubits[QSTATE_MAX_QUBITS];
    int k;
    double params[3];
    double complex *matrix;     /* 2^k x 2^k, owned, when unitary */
} operation;

/* Reads "params": the angles, in radians, that gate takes. */
static bool read_params(const api_in *in, const json_t *v, const char *ptr,
                        qgate_kind gate, double *params)
{
    int want = qgate_params(gate);
    size_t got = v ? json_array_size(v) : 0;
    if (v && !json_is_array(v))
        return api_invalid(in->err, ptr,
                           "must be an array of the angles %s takes, not %s",
                           qgate_name(gate), api_json_kind(v));
    if (got != (size_t)want && want == 0)
        return api_invalid(in->err, ptr,
                           "lists %zu angle%s, but %s takes none", got,
                           got == 1 ? "" : "s", qgate_name(gate));
    if (got != (size_t)want)
        return api_invalid(in->err, ptr,
                           "lists %zu angle%s, but %s takes %d (radians)",
                           got, got == 1 ? "" : "s", qgate_name(gate), want);
    for (size_t i = 0; i < got; i++) {
        char p[API_PTR_MAX];
        api_ptr_index(p, ptr, i);
        api_field f = {NULL, api_read_number, &params[i], NULL, 0};
        if (!api_read_number(in, json_array_get(v, i), p, &f))
            return false;
    }
    return true;
}

/* Reads "matrix": 2^k rows of 2^k complex entries (numbers or [re, im]),
 * unitary to within atol, into op->matrix. */
static bool read_matrix(const api_in *in, const json_t *v, const char *ptr,
                        double atol, operation *op)
{
    size_t size = (size_t)1 << op->k;
    if (!json_is_array(v) || json_array_size(v) != size)
        return api_invalid(in->err, ptr,
                           "must be the %zu x %zu matrix that acts on the "
                           "%d qubits listed (an array of %zu rows)",
                           size, size, op->k, size);
    op->matrix = malloc(size * size * sizeof *op->matrix);
    if (!op->matrix) {
        api_no_memory(in->err);
        return false;
    }
    for (size_t r = 0; r < size; r++) {
        char p[API_PTR_MAX];
        api_amplitudes row;
        api_limit max = {size, "one entry per column"};
        api_field f = {NULL, api_read_amplitudes, &row, &max, 0};
        api_ptr_index(p, ptr, r);
        if (!api_read_amplitudes(in, json_array_get(v, r), p, &f))
            return false;
        bool whole = row.n == size;
        if (whole)
            memcpy(op->matrix + r * size, row.c, size * sizeof *row.c);
        free(row.c);
        if (!whole)
            return api_invalid(in->err, p, "has %zu entries, not %zu",
                               row.n, size);
    }
    double deviation = qstate_unitarity_deviation(op->matrix, op->k);
    if (!(deviation <= atol))
        return api_invalid(in->err, ptr,
                           "is not unitary: the largest entry of U^dagger U "
                           "- I is %.3g, above atol %.3g",
                           deviation, atol);
    return true;
}

/* Reads one operation (v at ptr) for a state of n qubits. */
static bool read_operation(const api_in *in, const json_t *v, const char *ptr,
                           int n, double atol, operation *op)
{
    const char *gate = NULL;
    const json_t *qubits = NULL, *params = NULL, *matrix = NULL;
    api_field fields[] = {
        API_STRING("gate", &gate, 16, 0),
        API_FIELD("qubits", api_read_value, &qubits, NULL, 0),
        API_FIELD("params", api_read_value, &params, NULL, API_OPTIONAL),
        API_FIELD("matrix", api_read_value, &matrix, NULL, API_OPTIONAL),
        API_END,
    };
    char p[API_PTR_MAX];
    if (!api_read_object(in, v, ptr, fields))
        return false;
    op->unitary = strcmp(gate, "unitary") == 0;
    api_ptr_key(p, ptr, "gate");
    if (!op->unitary && !qgate_from_name(gate, &op->gate))
        return api_invalid(in->err, p,
                           "is not a known gate; use one of: %s, unitary",
                           qgate_all_names());
    api_ptr_key(p, ptr, "qubits");
    if (!api_read_qubits(in, qubits, p, n, op->qubits, &op->k))
        return false;
    if (op->unitary) {
        api_ptr_key(p, ptr, params ? "params" : "matrix");
        if (params || !matrix)
            return api_invalid(in->err, p,
                               params ? "is not taken by a unitary: give "
                                        "its matrix"
                                      : "is required for a unitary");
        if (op->k > 10 || ((size_t)1 << (2 * op->k)) > in->limits->max_matrix)
            return api_invalid(in->err, p,
                               "would have 4^%d entries; the limit is %zu "
                               "(max_matrix)",
                               op->k, in->limits->max_matrix);
        return read_matrix(in, matrix, p, atol, op);
    }
    if (op->k != qgate_qubits(op->gate))
        return api_invalid(in->err, p,
                           "lists %d qubit%s, but %s acts on %d (controls "
                           "first)",
                           op->k, op->k == 1 ? "" : "s", gate,
                           qgate_qubits(op->gate));
    if (matrix) {
        api_ptr_key(p, ptr, "matrix");
        return api_invalid(in->err, p, "is only for the gate \"unitary\"");
    }
    api_ptr_key(p, ptr, "params");
    return read_params(in, params, p, op->gate, op->params);
}

/* Reads "operations" (v): 1 to max_operations of them, for n qubits. */
static bool read_operations(const api_in *in, const json_t *v, int n,
                            double atol, operation **ops, size_t *count)
{
    *ops = NULL;
    *count = 0;
    if (!json_is_array(v) || json_array_size(v) == 0)
        return api_invalid(in->err, "/operations",
                           "must be a non-empty array of operations, not %s",
                           json_is_array(v) ? "an empty one"
                                            : api_json_kind(v));
    size_t len = json_array_size(v);
    if (len > in->limits->max_operations)
        return api_invalid(in->err, "/operations",
                           "has %zu operations; the limit is %zu "
                           "(max_operations)",
                           len, in->limits->max_operations);
    *ops = calloc(len, sizeof **ops);
    if (!*ops) {
        api_no_memory(in->err);
        return false;
    }
    *count = len;
    bool ok = true;
    for (size_t i = 0; i < len; i++) {
        char p[API_PTR_MAX];
        api_ptr_index(p, "/operations", i);
        ok = read_operation(in, json_array_get(v, i), p, n, atol, &(*ops)[i]) &&
             ok;
    }
    return ok;
}

static void operations_free(operation *ops, size_t count)
{
    for (size_t i = 0; ops && i < count; i++)
        free(ops[i].matrix);
    free(ops);
}

/* Applies ops in turn to the n-qubit state c. */
static bool run_operations(const api_in *in, double complex *c, int n,
                           const operation *ops, size_t count)
{
    int most = 0;
    for (size_t i = 0; i < count; i++)
        if (ops[i].unitary && ops[i].k > most)
            most = ops[i].k;
    double complex *work = malloc(((size_t)1 << most) * sizeof *work);
    if (!work) {
        api_no_memory(in->err);
        return false;
    }
    core_status failed = CORE_OK;
    for (size_t i = 0; i < count && failed == CORE_OK; i++) {
        const operation *op = &ops[i];
        failed = op->unitary ? qstate_apply_matrix(c, n, op->qubits, op->k,
                                                   op->matrix, work)
                             : qstate_apply_gate(c, n, op->gate, op->qubits,
                                                 op->params);
    }
    free(work);
    /* Every operation was checked against the state as it was read: a
     * refusal here is psinet's own mistake, never a gate left out. */
    if (failed != CORE_OK) {
        api_fail(in->err, API_EINTERNAL,
                 "an operation the request validated was refused");
        return false;
    }
    /* A unitary within atol keeps the norm to within it: only one that
     * is not could take a state to infinity. */
    if (vec_all_finite((const double *)c, 2 * ((size_t)1 << n)))
        return true;
    api_fail(in->err, API_EINVALID,
             "the result overflows the range of a double");
    return false;
}

/* The operations as they are recorded: each {"gate", "qubits", "params"
 * (for a gate that takes angles), "matrix" (for a unitary, rows of [re,
 * im])}, written from what was read, never from the body's own text (whose
 * binary arrays may have been lifted out of it). */
static json_t *operations_json(const operation *ops, size_t count)
{
    json_t *list = json_array();
    for (size_t i = 0; list && i < count; i++) {
        const operation *op = &ops[i];
        json_t *qubits = json_array(), *item;
        for (int j = 0; qubits && j < op->k; j++)
            pjson_push(&qubits, json_integer(op->qubits[j]));
        item = json_pack("{s:s, s:o}", "gate",
                         op->unitary ? "unitary" : qgate_name(op->gate),
                         "qubits", qubits);
        if (!op->unitary && qgate_params(op->gate) > 0)
            pjson_set(&item, "params",
                      pjson_reals(op->params,
                                  (size_t)qgate_params(op->gate), false));
        if (op->unitary) {
            size_t size = (size_t)1 << op->k;
            json_t *rows = json_array();
            for (size_t r = 0; rows && r < size; r++)
                pjson_push(&rows, pjson_amplitudes(op->matrix + r * size,
                                                   size, false));
            pjson_set(&item, "matrix", rows);
        }
        pjson_push(&list, item);
    }
    return list;
}

static api_code apply(const api_call *call, api_response *resp,
                      api_err *err)
{
    const json_t *state_v = NULL, *ops_v = NULL;
    const char *name = NULL;
    bool keep = false;
    api_state_form form = {API_DEFAULT_ATOL, false, false};
    api_field fields[] = {
        API_FIELD("state", api_read_any_object, &state_v, NULL, 0),
        API_FIELD("operations", api_read_value, &ops_v, NULL, 0),
        API_FIELD("store", api_read_bool, &keep, NULL, API_OPTIONAL),
        API_STRING("name", &name, API_NAME_MAX, API_NULL_ABSENT),
        API_STATE_FORM_FIELDS(form),
        API_END,
    };
    api_state st = {0};
    operation *ops = NULL;
    size_t count = 0;
    int n;
    if (!api_read_object(call->in, call->body, "", fields) ||
        !api_read_state(call->ctx, call->in, state_v, "/state", &st) ||
        !api_state_qubits(call->in, st.s.dimension, "/state", &n) ||
        !read_operations(call->in, ops_v, n, form.atol, &ops, &count) ||
        !run_operations(call->in, st.s.amplitudes, n, ops, count))
        goto out;
    /* A stored state's result is stored unless the request says not. */
    if (!json_object_get(call->body, "store"))
        keep = st.stored;
    become_child(&st, name);
    if (!set_operation(&st.s,
                       json_pack("{s:s, s:o}", "op", "apply", "operations",
                                 operations_json(ops, count)),
                       err))
        goto out;
    api_answer_state(call, resp, &st.s, keep, &form, err);
out:
    if (st.s.name == name)
        st.s.name = NULL;
    operations_free(ops, count);
    api_state_free(&st);
    return err->code;
}

/* ------------------------------------------------------------ collapse */

/* Measures every amplitude of s once (any dimension): the outcome's index
 * in *v, its probability in *prob, and s left in that basis state (its
 * amplitude keeps its phase). */
static bool collapse_all(const api_in *in, store_superposition *s,
                         rng_state *rng, size_t *v, double *prob)
{
    double *p = malloc(s->dimension * sizeof *p);
    if (!p) {
        api_no_memory(in->err);
        return false;
    }
    core_status st = state_probabilities(s->amplitudes, s->dimension, p);
    if (st == CORE_OK) /* its cumulative sums are as many as p */
        st = rng_sample_each(rng, p, s->dimension, 1, v);
    if (st == CORE_OK) {
        *prob = p[*v];
        for (size_t i = 0; i < s->dimension; i++)
            if (i != *v)
                s->amplitudes[i] = 0;
        state_normalize(s->amplitudes, s->dimension, NULL);
    }
    free(p);
    if (st == CORE_ENOMEM)
        api_no_memory(in->err);
    else if (st != CORE_OK)
        api_fail(in->err, API_EINVALID,
                 "the state is the zero vector: it has no outcome to "
                 "collapse to");
    return st == CORE_OK;
}

static api_code collapse(const api_call *call, api_response *resp,
                         api_err *err)
{
    const json_t *qubits_v = NULL;
    const char *name = NULL;
    uint64_t seed = 0;
    bool keep = true;
    api_state_form form = {API_DEFAULT_ATOL, false, false};
    api_field fields[] = {
        API_FIELD("qubits", api_read_value, &qubits_v, NULL, API_NULL_ABSENT),
        API_FIELD("seed", api_read_seed, &seed, NULL, API_NULL_ABSENT),
        API_FIELD("store", api_read_bool, &keep, NULL, API_OPTIONAL),
        API_STRING("name", &name, API_NAME_MAX, API_NULL_ABSENT),
        API_STATE_FORM_FIELDS(form),
        API_END,
    };
    api_state st = {0};
    int qubits[QSTATE_MAX_QUBITS], n = 0, k = 0;
    size_t v = 0;
    double prob = 0;
    char label[STATE_LABEL_SIZE];
    if (api_need_store(call->ctx, err) != API_OK ||
        (call->body && !api_read_object(call->in, call->body, "", fields)))
        goto out;
    const json_t *seed_v = call->body ? json_object_get(call->body, "seed")
                                      : NULL;
    if (!seed_v || json_is_null(seed_v))
        seed = api_random_seed();
    store_status found = store_superposition_get(call->ctx->db, call->id,
                                                 &st.s);
    if (found != STORE_OK) {
        api_fail_store(err, found, "superposition", call->id);
        goto out;
    }
    st.stored = true;
    rng_state rng;
    rng_seed(&rng, seed);
    if (qubits_v) {
        if (!api_state_qubits(call->in, st.s.dimension, "/qubits", &n) ||
            !api_read_qubits(call->in, qubits_v, "/qubits", n, qubits, &k))
            goto out;
        core_status c = qstate_collapse(st.s.amplitudes, n, qubits, k, &rng,
                                        &v, &prob);
        if (c == CORE_ENOMEM)
            api_no_memory(err);
        else if (c != CORE_OK)
            api_fail(err, API_EINVALID,
                     "the state is the zero vector: it has no outcome to "
                     "collapse to");
        if (c != CORE_OK)
            goto out;
        state_basis_label(v, (size_t)1 << k, label);
    } else {
        if (!collapse_all(call->in, &st.s, &rng, &v, &prob))
            goto out;
        snprintf(label, sizeof label, "%s", st.s.labels[v]);
    }
    become_child(&st, name);
    json_t *op = json_pack("{s:s, s:O, s:I, s:s}", "op", "collapse",
                           "qubits", qubits_v ? qubits_v : json_null(),
                           "seed", (json_int_t)seed, "outcome", label);
    if (!set_operation(&st.s, op, err) ||
        (keep && api_store_state(call, &st.s, resp, err) != API_OK))
        goto out;
    st.s.norm = state_norm(st.s.amplitudes, st.s.dimension);
    json_t *body = json_pack("{s:s, s:O, s:f, s:I, s:o}", "outcome", label,
                             "qubits", qubits_v ? qubits_v : json_null(),
                             "probability", prob, "seed", (json_int_t)seed,
                             "state", api_superposition_json(&st.s, &form));
    api_reply_state(resp, &st.s, keep, body, err);
out:
    if (st.s.name == name)
        st.s.name = NULL;
    api_state_free(&st);
    return err->code;
}

/* ------------------------------------------------------------ comparison */

static api_code compare(const api_call *call, api_response *resp,
                        api_err *err)
{
    const json_t *a_v = NULL, *b_v = NULL;
    double atol = API_DEFAULT_ATOL;
    api_field fields[] = {
        API_FIELD("a", api_read_any_object, &a_v, NULL, 0),
        API_FIELD("b", api_read_any_object, &b_v, NULL, 0),
        API_FIELD("atol", api_read_atol, &atol, NULL, API_OPTIONAL),
        API_END,
    };
    api_state a = {0}, b = {0};
    state_comparison c;
    if (!api_read_object(call->in, call->body, "", fields))
        goto out;
    bool ok = api_read_state(call->ctx, call->in, a_v, "/a", &a);
    ok = api_read_state(call->ctx, call->in, b_v, "/b", &b) && ok;
    if (!ok)
        goto out;
    if (a.s.dimension != b.s.dimension) {
        api_invalid(err, "/b", "has dimension %zu, but a has %zu",
                    b.s.dimension, a.s.dimension);
        goto out;
    }
    if (state_compare(a.s.amplitudes, b.s.amplitudes, a.s.dimension, &c) !=
        CORE_OK) {
        api_invalid(err, state_norm(a.s.amplitudes, a.s.dimension) == 0
                             ? "/a"
                             : "/b",
                    "is the zero vector, which has no direction to compare");
        goto out;
    }
    api_reply(resp, 200,
              json_pack("{s:[f, f], s:f, s:f, s:f, s:f, s:b, s:f}",
                        "inner_product", creal(c.inner), cimag(c.inner),
                        "fidelity", c.fidelity, "trace_distance",
                        c.trace_distance, "phase", c.phase, "distance",
                        c.distance, "equal_up_to_global_phase",
                        c.distance <= atol, "atol", atol),
              err);
out:
    api_state_free(&a);
    api_state_free(&b);
    return err->code;
}

/* ------------------------------------------------------------ products */

static api_code tensor(const api_call *call, api_response *resp,
                       api_err *err)
{
    const json_t *a_v = NULL, *b_v = NULL;
    const char *name = NULL;
    bool keep = false;
    api_state_form form = {API_DEFAULT_ATOL, false, false};
    api_field fields[] = {
        API_FIELD("a", api_read_any_object, &a_v, NULL, 0),
        API_FIELD("b", api_read_any_object, &b_v, NULL, 0),
        API_FIELD("store", api_read_bool, &keep, NULL, API_OPTIONAL),
        API_STRING("name", &name, API_NAME_MAX, API_NULL_ABSENT),
        API_STATE_FORM_FIELDS(form),
        API_END,
    };
    api_state a = {0}, b = {0};
    store_superposition s = {0};
    int na, nb;
    if (!api_read_object(call->in, call->body, "", fields))
        goto out;
    bool ok = api_read_state(call->ctx, call->in, a_v, "/a", &a) &&
              api_state_qubits(call->in, a.s.dimension, "/a", &na);
    ok = api_read_state(call->ctx, call->in, b_v, "/b", &b) &&
         api_state_qubits(call->in, b.s.dimension, "/b", &nb) && ok;
    if (!ok)
        goto out;
    if (((size_t)1 << (na + nb)) > call->ctx->limits.max_dimension ||
        na + nb > QSTATE_MAX_QUBITS) {
        api_invalid(err, "/b",
                    "would make a state of %d qubits: 2^%d amplitudes, "
                    "past the limit of %zu (max_dimension)",
                    na + nb, na + nb, call->ctx->limits.max_dimension);
        goto out;
    }
    s.dimension = (size_t)1 << (na + nb);
    s.amplitudes = malloc(s.dimension * sizeof *s.amplitudes);
    if (!s.amplitudes) {
        api_no_memory(err);
        goto out;
    }
    qstate_tensor(a.s.amplitudes, na, b.s.amplitudes, nb, s.amplitudes);
    if (!vec_all_finite((const double *)s.amplitudes, 2 * s.dimension)) {
        api_fail(err, API_EINVALID,
                 "the product overflows the range of a double: scale the "
                 "amplitudes down");
        goto out;
    }
    json_t *op = json_pack("{s:s, s:o, s:o}", "op", "tensor", "a",
                           a.stored ? json_string(a.s.id) : json_null(), "b",
                           b.stored ? json_string(b.s.id) : json_null());
    if (!api_default_labels(s.dimension, &s.labels, err) ||
        !set_operation(&s, op, err))
        goto out;
    s.name = (char *)name;
    api_answer_state(call, resp, &s, keep, &form, err);
    s.name = NULL;
out:
    store_superposition_free(&s);
    api_state_free(&a);
    api_state_free(&b);
    return err->code;
}

/* Reads a Pauli string for n qubits (v at ptr). */
static bool read_pauli(const api_in *in, const json_t *v, const char *ptr,
                       int n, const char **out)
{
    const char *s = json_string_value(v);
    if (!s || strlen(s) != (size_t)n || strspn(s, "IXYZ") != (size_t)n)
        return api_invalid(in->err, ptr,
                           "must be a Pauli string of %d characters, each "
                           "I, X, Y or Z (the last acts on qubit 0)",
                           n);
    *out = s;
    return true;
}

static api_code expectation(const api_call *call, api_response *resp,
                            api_err *err)
{
    const json_t *state_v = NULL, *paulis = NULL;
    api_field fields[] = {
        API_FIELD("state", api_read_any_object, &state_v, NULL, 0),
        API_FIELD("paulis", api_read_value, &paulis, NULL, 0),
        API_END,
    };
    api_state st = {0};
    json_t *values = NULL;
    int n;
    if (!api_read_object(call->in, call->body, "", fields) ||
        !api_read_state(call->ctx, call->in, state_v, "/state", &st) ||
        !api_state_qubits(call->in, st.s.dimension, "/state", &n))
        goto out;
    size_t count = json_array_size(paulis);
    if (!json_is_array(paulis) || count == 0 ||
        count > call->ctx->limits.max_operations) {
        api_invalid(err, "/paulis",
                    "must be an array of 1 to %zu Pauli strings "
                    "(max_operations)",
                    call->ctx->limits.max_operations);
        goto out;
    }
    values = json_array();
    for (size_t i = 0; i < count; i++) {
        char p[API_PTR_MAX];
        const char *pauli = NULL;
        double e;
        api_ptr_index(p, "/paulis", i);
        if (!read_pauli(call->in, json_array_get(paulis, i), p, n, &pauli))
            continue;
        if (qstate_pauli_expectation(st.s.amplitudes, n, pauli, &e) !=
            CORE_OK) {
            api_invalid(err, "/state",
                        "is the zero vector, which has no expectation");
            goto out;
        }
        pjson_push(&values, json_pack("{s:s, s:f}", "pauli", pauli,
                                      "value", e));
    }
    if (err->code == API_OK)
        api_reply(resp, 200, json_pack("{s:O}", "expectations", values), err);
out:
    json_decref(values);
    api_state_free(&st);
    return err->code;
}

/* ------------------------------------------------------------ lineage */

/* One state of a walk back: its summary and what made it. */
static json_t *lineage_item(const store_superposition *s)
{
    api_state_form form = {API_DEFAULT_ATOL, false, true};
    json_t *item = api_superposition_json(s, &form);
    pjson_set(&item, "operation", s->operation
                                      ? json_loads(s->operation, 0, NULL)
                                      : json_null());
    return item;
}

static api_code lineage(const api_call *call, api_response *resp,
                        api_err *err)
{
    char id[STORE_ID_MAX];
    json_t *items = json_array();
    bool complete = true;
    char missing[STORE_ID_MAX] = "";
    if (api_need_store(call->ctx, err) != API_OK)
        goto out;
    snprintf(id, sizeof id, "%s", call->id);
    for (size_t depth = 0; items && id[0]; depth++) {
        store_superposition s;
        if (depth == LINEAGE_MAX) {
            complete = false;
            break;
        }
        store_status st = store_superposition_head(call->ctx->db, id, &s);
        if (st == STORE_NOTFOUND && depth > 0) { /* an ancestor deleted */
            complete = false;
            memcpy(missing, id, sizeof missing);
            break;
        }
        if (st != STORE_OK) {
            api_fail_store(err, st, "superposition", id);
            goto out;
        }
        pjson_push(&items, lineage_item(&s));
        memcpy(id, s.parent, sizeof id);
        store_superposition_free(&s);
    }
    api_reply(resp, 200,
              json_pack("{s:O, s:b, s:o}", "items", items, "complete",
                        complete, "missing",
                        missing[0] ? json_string(missing) : json_null()),
              err);
out:
    json_decref(items);
    return err->code;
}

const api_route api_operation_routes[] = {
    {"POST", "/v1/superpositions/apply", apply,
     API_ROUTE_BODY | API_ROUTE_WRITES | API_ROUTE_LIFT_B64 |
         API_ROUTE_LIFT_NUMBERS | API_ROUTE_LONG,
     "superpositions.apply", "applyOperations", NULL, NULL},
    {"POST", "/v1/superpositions/compare", compare,
     API_ROUTE_BODY | API_ROUTE_LIFT_B64 | API_ROUTE_LIFT_NUMBERS |
         API_ROUTE_LONG,
     "superpositions.compare",
     "compareSuperpositions", NULL, NULL},
    {"POST", "/v1/superpositions/tensor", tensor,
     API_ROUTE_BODY | API_ROUTE_WRITES | API_ROUTE_LIFT_B64 |
         API_ROUTE_LIFT_NUMBERS | API_ROUTE_LONG,
     "superpositions.tensor", "tensorSuperpositions", NULL, NULL},
    {"POST", "/v1/superpositions/expectation", expectation,
     API_ROUTE_BODY | API_ROUTE_LIFT_B64 | API_ROUTE_LIFT_NUMBERS |
         API_ROUTE_LONG,
     "superpositions.expectation",
     "expectationValues", NULL, NULL},
    {"POST", "/v1/superpositions/{id}/collapse", collapse,
     API_ROUTE_BODY | API_ROUTE_BODY_OPTIONAL | API_ROUTE_WRITES |
         API_ROUTE_LONG,
     "superpositions.collapse", "collapseSuperposition", NULL, NULL},
    {"GET", "/v1/superpositions/{id}/lineage", lineage, API_ROUTE_LONG,
     "superpositions.lineage", "getLineage", NULL, NULL},
    {0},
};
