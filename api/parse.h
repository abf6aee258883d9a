/* api/parse.h - reading and validating request values.
 *
 * Every function takes the JSON value to read (borrowed), the JSON Pointer
 * of that value in the request, and an api_err. On success it returns true
 * and fills its outputs; on failure it adds one {pointer, message} item to
 * err, leaves its outputs NULL/zero, and returns false. Arrays it fills are
 * malloc'd and owned by the caller. Non-finite numbers never get through:
 * JSON has no NaN or Infinity, and out-of-range literals fail at parse time,
 * but every number is checked with isfinite all the same. */
#ifndef PSINET_API_PARSE_H
#define PSINET_API_PARSE_H

#include <complex.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/err.h"
#include "core/activation.h"
#include "core/state.h"

/* A size limit and the name of the setting behind it, so that a message
 * can say which one was exceeded ("the limit is 4096 (max_batch)"). */
typedef struct {
    size_t max;
    const char *name;
} api_limit;

#define API_LIMIT(limits, field) ((api_limit){(limits)->field, #field})

/* Room for a JSON Pointer into any request psinet accepts. */
#define API_PTR_MAX 128

/* out = base + "/" + key, with "~" and "/" in key escaped as ~0 and ~1. */
void api_ptr_key(char out[API_PTR_MAX], const char *base, const char *key);

/* out = base + "/" + index. */
void api_ptr_index(char out[API_PTR_MAX], const char *base, size_t index);

/* The JSON type of v as a word for messages ("a string", "an array", ...);
 * "missing" when v is NULL. */
const char *api_json_kind(const json_t *v);

/* Requires obj to be an object whose keys are all in `allowed` (a NULL-
 * terminated list): an unknown field is an error, so a typo such as
 * "activaton" is reported instead of silently ignored. */
bool api_check_object(const json_t *obj, const char *ptr,
                      const char *const *allowed, api_err *err);

/* A finite number (integer or real). */
bool api_read_number(const json_t *v, const char *ptr, double *out,
                     api_err *err);

/* An integer in [min, max]. */
bool api_read_uint(const json_t *v, const char *ptr, uint64_t min,
                   uint64_t max, uint64_t *out, api_err *err);

/* A string of 1..max_len bytes (valid UTF-8, as all jansson strings are)
 * with no control characters; *out is borrowed from v. */
bool api_read_string(const json_t *v, const char *ptr, size_t max_len,
                     const char **out, api_err *err);

/* Each of the three readers below also takes the binary form
 * {"b64": ..., "shape": [...]} (api/b64.h), validated the same way. */

/* A non-empty array of at most max numbers. */
bool api_read_vector(const json_t *v, const char *ptr, api_limit max,
                     double **out, size_t *n, api_err *err);

/* A non-empty array of non-empty, equally long arrays of numbers, at most
 * max_cells numbers in all; row-major into *out. */
bool api_read_matrix(const json_t *v, const char *ptr, api_limit max_cells,
                     double **out, size_t *rows, size_t *cols, api_err *err);

/* A non-empty array of at most max amplitudes, each a number (real) or a
 * two-number array [re, im]. */
bool api_read_amplitudes(const json_t *v, const char *ptr, api_limit max,
                         double complex **out, size_t *n, api_err *err);

/* An activation from its name (the value at ptr_name) and an optional params
 * object {"alpha": number} (the value at ptr_params, NULL when absent).
 * alpha is allowed only for activations that take it. */
bool api_read_activation(const json_t *name, const char *ptr_name,
                         const json_t *params, const char *ptr_params,
                         act_spec *out, api_err *err);

/* Reads the optional "encoding" of obj: "json" (the default) or "b64",
 * which asks for numeric arrays in the answer as base64 (api/b64.h). */
bool api_read_encoding(const json_t *obj, bool *b64, api_err *err);

/* True when every x[i] is finite. */
bool api_all_finite(const double *x, size_t n);

#endif
