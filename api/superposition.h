/* api/superposition.h - a superposition as the api reads and writes it,
 * shared by the files of the resource: api/superpositions.c (create, read,
 * measure) and api/operations.c (gates, collapse, comparison, products,
 * lineage).
 *
 * Bit order, stated once: qubit q is bit q of a basis state's index, so
 * qubit 0 is the least significant; a label is written q_{n-1} ... q_0, so
 * qubit 0 is its rightmost character (core/qstate.h). An outcome over a
 * list of qubits is written the same way: its rightmost character is the
 * first qubit listed. */
#ifndef PSINET_API_SUPERPOSITION_H
#define PSINET_API_SUPERPOSITION_H

#include <stdbool.h>

#include "api/handler.h"
#include "api/read.h"
#include "store/superposition.h"

/* A state is "normalized" when its norm is 1 to within atol: this by
 * default, or what a request sends as "atol" (a number from 0 to 1). The
 * same tolerance decides whether a matrix is unitary and two states are
 * equal up to a global phase. */
#define API_DEFAULT_ATOL 1e-12

#define API_LABEL_MAX 64
#define API_NAME_MAX 200

/* How to write a superposition in an answer. */
typedef struct {
    double atol;  /* decides "normalized" */
    bool b64;     /* arrays in the binary form */
    bool summary; /* without arrays (as in a list) */
} api_state_form;

/* The fields of a request that say how its answer's state is written:
 * "atol", "encoding" and "summary", read into the api_state_form form. */
#define API_STATE_FORM_FIELDS(form)                                          \
    API_FIELD("atol", api_read_atol, &(form).atol, NULL, API_OPTIONAL),      \
        API_FIELD("encoding", api_read_encoding, &(form).b64, NULL,          \
                  API_OPTIONAL),                                             \
        API_FIELD("summary", api_read_bool, &(form).summary, NULL,           \
                  API_OPTIONAL)

/* The representation of s (a new reference): what GET answers for a
 * stored one; a state that is not stored has a null id and created_at. */
json_t *api_superposition_json(const store_superposition *s,
                               const api_state_form *form);

/* "atol": a number from 0 to 1. out: double. */
bool api_read_atol(const api_in *in, const json_t *v, const char *ptr,
                   const api_field *f);

/* ?atol= from the query, or API_DEFAULT_ATOL. A 400 when it is not a
 * number from 0 to 1. */
api_code api_query_atol(const api_call *call, double *atol, api_err *err);

/* Default labels for n amplitudes (core/state.h's state_basis_label) in
 * the store's layout: *labels is an array of n pointers into one block,
 * (*labels)[0], so that store_superposition_free frees both. False (a 503
 * in err) when memory runs out. */
bool api_default_labels(size_t n, char ***labels, api_err *err);

/* A copy of n labels in the same layout. */
bool api_copy_labels(char *const *from, size_t n, char ***labels,
                     api_err *err);

/* A state a request names: {"id": ...} of a stored superposition,
 * {"amplitudes": [...]}, or {"basis": "0110"} (the basis state of that
 * label, qubit 0 rightmost). s holds the amplitudes, labels (the stored
 * ones, or the defaults), norm, and for a stored one its id and name;
 * stored says which it was. */
typedef struct {
    store_superposition s;
    bool stored;
} api_state;

/* Reads the state reference v (at ptr). A stored id that names nothing is
 * a 422 at ptr/id. */
bool api_read_state(const api_ctx *ctx, const api_in *in, const json_t *v,
                    const char *ptr, api_state *out);

/* Reads "basis" (v at ptr): a string of 0s and 1s, at most
 * log2(max_dimension) of them, into the amplitudes, dimension and norm of
 * s. */
bool api_read_basis(const api_in *in, const json_t *v, const char *ptr,
                    store_superposition *s);

void api_state_free(api_state *st);

/* The number of qubits of a state of `dimension` amplitudes, or a 422 at
 * ptr saying it has none (a dimension that is not a power of two) or more
 * than core/qstate.h acts on (QSTATE_MAX_QUBITS). */
bool api_state_qubits(const api_in *in, size_t dimension, const char *ptr,
                      int *qubits);

/* Reads a list of qubits (v at ptr): 1 to n distinct whole numbers below
 * n, into qubits[0 .. *k - 1] (room for n). */
bool api_read_qubits(const api_in *in, const json_t *v, const char *ptr,
                     int n, int *qubits, int *k);

/* Stores s, a state just made (its norm is set here; s gets its id and
 * created_at). When the answer can wait for group commit
 * (api_hold_useful), the row is queued and resp->hold set: whatever resp
 * becomes is sent once the row is durable (api/api.h, holds). */
api_code api_store_state(const api_call *call, store_superposition *s,
                         api_response *resp, api_err *err);

/* Answers body (taken), about the state s: 201 with s's Location when s
 * was stored, else 200. */
api_code api_reply_state(api_response *resp, const store_superposition *s,
                         bool stored, json_t *body, api_err *err);

/* Answers s, a state just made: stored when keep (api_store_state, then
 * 201), else as it is (200), written as form says. */
api_code api_answer_state(const api_call *call, api_response *resp,
                          store_superposition *s, bool keep,
                          const api_state_form *form, api_err *err);

#endif
