/* json/numbers.c - arrays of numbers as JSON values (json/pjson.h). */
#include "json/pjson.h"

#include <stdlib.h>

#include "codec/base64.h"
#include "codec/f64le.h"

/* {"b64": ..., "shape": [rows]} or, when cols > 0, shape [rows, cols], for
 * the `count` doubles at x. */
static json_t *binary_array(const double *x, size_t count, size_t rows,
                            size_t cols)
{
    size_t bytes = count * 8;
    unsigned char *raw = malloc(bytes ? bytes : 1);
    char *text = malloc(base64_encoded_size(bytes) + 1);
    json_t *out = NULL;
    if (raw && text) {
        f64le_encode(x, count, raw);
        size_t len = base64_encode(raw, bytes, text);
        json_t *shape = cols ? json_pack("[I, I]", (json_int_t)rows,
                                         (json_int_t)cols)
                             : json_pack("[I]", (json_int_t)rows);
        out = json_pack("{s:s%, s:o}", "b64", text, len, "shape", shape);
    }
    free(raw);
    free(text);
    return out;
}

/* [x0, x1, ...] */
static json_t *text_reals(const double *x, size_t n)
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

json_t *pjson_reals(const double *x, size_t n, bool b64)
{
    return b64 ? binary_array(x, n, n, 0) : text_reals(x, n);
}

json_t *pjson_matrix(const double *x, size_t rows, size_t cols, bool b64)
{
    if (b64)
        return binary_array(x, rows * cols, rows, cols);
    json_t *a = json_array();
    for (size_t j = 0; a && j < rows; j++) {
        if (json_array_append_new(a, text_reals(x + j * cols, cols)) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

json_t *pjson_amplitudes(const double complex *c, size_t n, bool b64)
{
    if (b64) {
        double *pairs = malloc(2 * n * sizeof *pairs);
        if (!pairs)
            return NULL;
        for (size_t i = 0; i < n; i++) {
            pairs[2 * i] = creal(c[i]);
            pairs[2 * i + 1] = cimag(c[i]);
        }
        json_t *out = binary_array(pairs, 2 * n, n, 0);
        free(pairs);
        return out;
    }
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

json_t *pjson_amplitude_matrix(const double complex *c, size_t rows,
                               size_t cols, bool b64)
{
    if (b64) /* double complex is (re, im): the pairs in order */
        return binary_array((const double *)(const void *)c, 2 * rows * cols,
                            rows, cols);
    json_t *a = json_array();
    for (size_t j = 0; a && j < rows; j++) {
        if (json_array_append_new(a, pjson_amplitudes(c + j * cols, cols,
                                                      false)) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}
