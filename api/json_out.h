/* api/json_out.h - arrays of numbers as JSON values.
 *
 * Each returns a new reference (NULL when out of memory). The values must be
 * finite: callers check results with api_all_finite first. */
#ifndef PSINET_API_JSON_OUT_H
#define PSINET_API_JSON_OUT_H

#include <complex.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* [x0, x1, ...] */
json_t *api_json_reals(const double *x, size_t n);

/* [[row 0], [row 1], ...] from a rows x cols row-major array. */
json_t *api_json_matrix(const double *x, size_t rows, size_t cols);

/* [[re, im], ...] */
json_t *api_json_amplitudes(const double complex *c, size_t n);

/* The same, or, when b64, as {"b64", "shape"} (api/b64.h): what a request
 * with "encoding": "b64" gets back. */
json_t *api_json_reals_as(const double *x, size_t n, bool b64);
json_t *api_json_matrix_as(const double *x, size_t rows, size_t cols,
                           bool b64);
json_t *api_json_amplitudes_as(const double complex *c, size_t n, bool b64);

#endif
