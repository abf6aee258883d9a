/* json/numbers.c - arrays of numbers as JSON values (json/pjson.h). */
#include "json/pjson.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec/base64.h"
#include "codec/dtoa_shortest.h"
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

/* JSON text written into a string value that pjson_write copies out as
 * it is (json/pjson.h): PJSON_RAW, then the text. */
typedef struct {
    char *buf;
    size_t len;
} raw_text;

/* Room for the prefix, count numbers, their brackets and commas (at most
 * 3 bytes a number: "[", "," or "],[" and "]"), and the writer's margin. */
static bool raw_begin(raw_text *t, size_t count)
{
    if (count > SIZE_MAX / (DTOA_SHORTEST_SIZE + 3))
        return false;
    size_t room = count * (DTOA_SHORTEST_SIZE - 8 + 3);
    t->buf = malloc(PJSON_RAW_LEN + room + DTOA_SHORTEST_SIZE + 4);
    if (!t->buf)
        return false;
    memcpy(t->buf, PJSON_RAW, PJSON_RAW_LEN);
    t->len = PJSON_RAW_LEN;
    return true;
}

static inline void raw_char(raw_text *t, char c)
{
    t->buf[t->len++] = c;
}

/* One number, as the writer writes a real. */
static inline void raw_number(raw_text *t, double x)
{
    t->len += dtoa_shortest(x, t->buf + t->len);
}

/* The string value holding t (taken); NULL when out of memory. */
static json_t *raw_end(raw_text *t)
{
    json_t *v = json_stringn_nocheck(t->buf, t->len);
    free(t->buf);
    return v;
}

json_t *pjson_raw(const char *text, size_t len)
{
    raw_text t;
    if (len > SIZE_MAX / 2 || !(t.buf = malloc(PJSON_RAW_LEN + len + 1)))
        return NULL;
    memcpy(t.buf, PJSON_RAW, PJSON_RAW_LEN);
    memcpy(t.buf + PJSON_RAW_LEN, text, len);
    t.len = PJSON_RAW_LEN + len;
    return raw_end(&t);
}

static void raw_reals(raw_text *t, const double *x, size_t n)
{
    raw_char(t, '[');
    for (size_t i = 0; i < n; i++) {
        if (i)
            raw_char(t, ',');
        raw_number(t, x[i]);
    }
    raw_char(t, ']');
}

/* Whether all count numbers at x are finite: json_real refuses the others,
 * so an array holding one was never built (NULL), and still is not. */
static bool all_finite(const double *x, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (!isfinite(x[i]))
            return false;
    return true;
}

/* [x0, x1, ...] */
static json_t *text_reals(const double *x, size_t n)
{
    raw_text t;
    if (!all_finite(x, n) || !raw_begin(&t, n))
        return NULL;
    raw_reals(&t, x, n);
    return raw_end(&t);
}

json_t *pjson_reals(const double *x, size_t n, bool b64)
{
    return b64 ? binary_array(x, n, n, 0) : text_reals(x, n);
}

json_t *pjson_matrix(const double *x, size_t rows, size_t cols, bool b64)
{
    if (b64)
        return binary_array(x, rows * cols, rows, cols);
    raw_text t;
    if (!all_finite(x, rows * cols) || !raw_begin(&t, rows * cols + rows))
        return NULL;
    raw_char(&t, '[');
    for (size_t j = 0; j < rows; j++) {
        if (j)
            raw_char(&t, ',');
        raw_reals(&t, x + j * cols, cols);
    }
    raw_char(&t, ']');
    return raw_end(&t);
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
    raw_text t;
    if (!all_finite((const double *)c, 2 * n) || !raw_begin(&t, 3 * n))
        return NULL;
    raw_char(&t, '[');
    for (size_t i = 0; i < n; i++) {
        if (i)
            raw_char(&t, ',');
        raw_char(&t, '[');
        raw_number(&t, creal(c[i]));
        raw_char(&t, ',');
        raw_number(&t, cimag(c[i]));
        raw_char(&t, ']');
    }
    raw_char(&t, ']');
    return raw_end(&t);
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
