/* api/json_out.c - arrays of numbers as JSON values. */
#include "api/json_out.h"

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
        json_t *pair = json_pack("[f, f]", creal(c[i]), cimag(c[i]));
        if (json_array_append_new(a, pair) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}
