/* api/json_out.c - arrays of numbers as JSON values. */
#include "api/json_out.h"

#include <stdlib.h>

#include "api/b64.h"

json_t *api_json_reals(const double *x, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++) {
        if (json_array_append_new(a, json_real(x[i])) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

json_t *api_json_matrix(const double *x, size_t rows, size_t cols)
{
    json_t *a = json_array();
    for (size_t j = 0; a && j < rows; j++) {
        if (json_array_append_new(a, api_json_reals(x + j * cols, cols)) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

json_t *api_json_amplitudes(const double complex *c, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++) {
        /* json_pack("[f, f]") would parse its format every time */
        json_t *pair = json_array();
        if (!pair || json_array_append_new(pair, json_real(creal(c[i]))) ||
            json_array_append_new(pair, json_real(cimag(c[i]))) ||
            json_array_append_new(a, pair) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

json_t *api_json_reals_as(const double *x, size_t n, bool b64)
{
    return b64 ? api_b64_array(x, n, 0, false) : api_json_reals(x, n);
}

json_t *api_json_matrix_as(const double *x, size_t rows, size_t cols,
                           bool b64)
{
    return b64 ? api_b64_array(x, rows, cols, false)
               : api_json_matrix(x, rows, cols);
}

json_t *api_json_amplitudes_as(const double complex *c, size_t n, bool b64)
{
    if (!b64)
        return api_json_amplitudes(c, n);
    double *pairs = malloc(2 * n * sizeof *pairs);
    if (!pairs)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        pairs[2 * i] = creal(c[i]);
        pairs[2 * i + 1] = cimag(c[i]);
    }
    json_t *out = api_b64_array(pairs, n, 0, true);
    free(pairs);
    return out;
}
