/* api/read.h - reading request values, with the body described as data.
 *
 * An object (a request body, or one inside it) is read by one call,
 * api_read_object, from a table of its fields: each entry names a field,
 * the reader of its value, where the value goes and whether it must be
 * there (the way GNU Taler's exchange describes a body). The call refuses
 * any field the table does not name, each at its JSON Pointer, and reads
 * nothing more then (api_read_known); otherwise it runs each reader in
 * table order (api_read_fields), so that every error is reported with the
 * pointer of the value it is about. What depends on several fields at once
 * (API_LATER in the table) is read after, by the caller, which calls the
 * two halves itself to go on after an error in the first fields.
 *
 *     api_field fields[] = {
 *         API_STRING("name", &name, NAME_MAX_LEN, API_OPTIONAL),
 *         API_FIELD("shots", api_read_shots, &shots, NULL, 0),
 *         API_END,
 *     };
 *     if (!api_read_object(in, body, "", fields))
 *         return in->err->code;
 *
 * A reader takes the reading context, the value (borrowed, never NULL),
 * its JSON Pointer and its field (for out and arg). On failure it adds one
 * {pointer, message} item to in->err and returns false, leaving its output
 * empty. Arrays it fills are malloc'd and the caller's; a request-sized one
 * that cannot be had is api_no_memory's 503. Non-finite numbers never get
 * through: JSON has no NaN or Infinity, and out-of-range literals fail at
 * parse time, but every number is checked with isfinite all the same. */
#ifndef PSINET_API_READ_H
#define PSINET_API_READ_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/api.h"
#include "api/problem.h"
#include "core/activation.h"
#include "core/cmplx.h"
#include "json/pjson.h"

/* What reading one request needs, passed explicitly. */
typedef struct {
    const api_limits *limits;
    pjson_lifted *lifted; /* binary arrays decoded before the body was
                             parsed (json/pjson.h), or NULL */
    api_err *err;         /* where errors go */
} api_in;

typedef struct api_field api_field;

typedef bool (*api_field_reader)(const api_in *in, const json_t *v,
                                 const char *ptr, const api_field *f);

enum {
    API_OPTIONAL = 1 << 0,    /* may be absent */
    API_NULL_ABSENT = 1 << 1, /* null is taken as absent (and may be) */
    API_LATER = 1 << 2        /* named here, read by the caller afterwards
                                 (its value depends on other fields) */
};

struct api_field {
    const char *name; /* NULL ends the table */
    api_field_reader read;
    void *out;        /* where the reader puts the value */
    const void *arg;  /* what else the reader takes (a limit, names) */
    unsigned flags;
};

#define API_FIELD(name, read, out, arg, flags)                                \
    {(name), (read), (out), (arg), (flags)}
#define API_END {NULL, NULL, NULL, NULL, 0}

/* Refuses each field of obj (at ptr) that fields does not name, and obj
 * itself when it is not an object. Returns whether there was none. */
bool api_read_known(const api_in *in, const json_t *obj, const char *ptr,
                    const api_field *fields);

/* Runs the readers of fields on obj's values in table order ("is
 * required" for a required one that is absent). Returns whether every
 * value was right. */
bool api_read_fields(const api_in *in, const json_t *obj, const char *ptr,
                     const api_field *fields);

/* api_read_known, then api_read_fields: the usual call. */
bool api_read_object(const api_in *in, const json_t *obj, const char *ptr,
                     const api_field *fields);

/* ------------------------------------------------------------ pointers */

/* Room for a JSON Pointer into any request psinet accepts. */
#define API_PTR_MAX 128

/* out = base + "/" + key, with "~" and "/" in key escaped as ~0 and ~1. */
void api_ptr_key(char out[API_PTR_MAX], const char *base, const char *key);

/* out = base + "/" + index. */
void api_ptr_index(char out[API_PTR_MAX], const char *base, size_t index);

/* The JSON type of v as a word for messages ("a string", "an array", ...);
 * "missing" when v is NULL. */
const char *api_json_kind(const json_t *v);

/* ------------------------------------------------------------ readers
 * Each is an api_field_reader; the comment says what `out` points to and
 * what `arg` is. */

/* A finite number (integer or real). out: double. */
bool api_read_number(const api_in *in, const json_t *v, const char *ptr,
                     const api_field *f);

/* true or false. out: bool. */
bool api_read_bool(const api_in *in, const json_t *v, const char *ptr,
                   const api_field *f);

/* Whether v is a whole number, integer or double (10, 10.0, 1e1), with
 * its value in *out (a double: exact up to 2^53). False for fractions,
 * non-finite values and non-numbers (*out is then the number, if any). */
bool api_json_whole(const json_t *v, double *out);

/* A whole number in [arg[0], arg[1]] (10, 10.0 and 1e1 are all ten).
 * out: uint64_t; arg: uint64_t[2]. */
bool api_read_uint(const api_in *in, const json_t *v, const char *ptr,
                   const api_field *f);

/* A string of 1 to *arg bytes (valid UTF-8, as all jansson strings are)
 * with no control characters, borrowed from v. out: const char *;
 * arg: size_t. */
bool api_read_string(const api_in *in, const json_t *v, const char *ptr,
                     const api_field *f);

/* Any value, borrowed. out: const json_t *. */
bool api_read_value(const api_in *in, const json_t *v, const char *ptr,
                    const api_field *f);

/* An object, borrowed. out: const json_t *. */
bool api_read_any_object(const api_in *in, const json_t *v, const char *ptr,
                         const api_field *f);

/* One of the strings of arg (NULL-terminated), as its index. out: int;
 * arg: const char *const[]. */
bool api_read_choice(const api_in *in, const json_t *v, const char *ptr,
                     const api_field *f);

/* A number of shots: an integer from 1 to max_shots. out: uint64_t. */
bool api_read_shots(const api_in *in, const json_t *v, const char *ptr,
                    const api_field *f);

/* Seeds are integers in [0, API_MAX_SEED]: exact as a JSON number in every
 * client, JavaScript included. */
#define API_MAX_SEED ((UINT64_C(1) << 53) - 1)

/* A seed. out: uint64_t. */
bool api_read_seed(const api_in *in, const json_t *v, const char *ptr,
                   const api_field *f);

/* A random seed in [0, API_MAX_SEED] (core/entropy.h). */
uint64_t api_random_seed(void);

/* "encoding": "json" or "b64", which asks for numeric arrays in the answer
 * in the binary form (json/pjson.h). out: bool, true for b64. */
bool api_read_encoding(const api_in *in, const json_t *v, const char *ptr,
                       const api_field *f);

/* Always refuses the field with the message arg (a fixed field of the
 * resource that a request may not set). arg: const char *. */
bool api_read_refused(const api_in *in, const json_t *v, const char *ptr,
                      const api_field *f);

#define API_STRING(name, out, max_len, flags)                                 \
    API_FIELD((name), api_read_string, (out), &(const size_t){(max_len)},     \
              (flags))

/* ------------------------------------------------------------ arrays
 * Each also takes the binary form {"b64": ..., "shape": [...]}
 * (json/pjson.h), validated the same way. The limit is given as arg. */

/* A size limit and the name of the setting behind it, so that a message
 * can say which one was exceeded ("the limit is 4096 (max_batch)"). */
typedef struct {
    size_t max;
    const char *name;
} api_limit;

#define API_LIMIT(limits, field) ((api_limit){(limits)->field, #field})

typedef struct {
    double *x; /* owned */
    size_t n;
} api_vector;

typedef struct {
    double *x; /* rows x cols, row-major, owned */
    size_t rows, cols;
} api_matrix;

typedef struct {
    double complex *c; /* owned */
    size_t n;
} api_amplitudes;

/* A non-empty array of at most arg->max numbers. out: api_vector;
 * arg: api_limit. */
bool api_read_vector(const api_in *in, const json_t *v, const char *ptr,
                     const api_field *f);

/* A non-empty array of non-empty, equally long arrays of numbers, at most
 * arg->max numbers in all. out: api_matrix; arg: api_limit. */
bool api_read_matrix(const api_in *in, const json_t *v, const char *ptr,
                     const api_field *f);

/* A non-empty array of at most arg->max amplitudes, each a number (real)
 * or a two-number array [re, im]. out: api_amplitudes; arg: api_limit. */
bool api_read_amplitudes(const api_in *in, const json_t *v, const char *ptr,
                         const api_field *f);

typedef struct {
    double complex *c; /* rows x cols, row-major, owned */
    size_t rows, cols;
} api_cmatrix;

/* A non-empty array of non-empty, equally long arrays of amplitudes (each
 * a number or [re, im]), at most arg->max amplitudes in all; in binary
 * form, shape [rows, cols] of interleaved (re, im) pairs. out: api_cmatrix;
 * arg: api_limit. */
bool api_read_amplitude_matrix(const api_in *in, const json_t *v,
                               const char *ptr, const api_field *f);

/* ------------------------------------------------------------ others */

/* An activation from its name (the value at ptr_name) and an optional
 * params object {"alpha": number} (the value at ptr_params, NULL when
 * absent). alpha is allowed only for activations that take it. */
bool api_read_activation(const api_in *in, const json_t *name,
                         const char *ptr_name, const json_t *params,
                         const char *ptr_params, act_spec *out);

/* Exactly one of the fields `first` and `second` of obj (at ptr): both is
 * an error at the one named `at_both`, neither one at `at_neither`, whose
 * message adds the hint ("is required (or inputs, for a batch of
 * vectors)"). Returns which was given: 1 or 2, or 0 after an error. */
int api_read_either(const api_in *in, const json_t *obj, const char *ptr,
                    const char *first, const char *second,
                    const char *at_both, const char *at_neither,
                    const char *hint);

#endif
