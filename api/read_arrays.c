/* api/read_arrays.c - vectors, matrices and amplitudes, as JSON arrays or
 * in the binary form {"b64": ..., "shape": [...]} (api/read.h). */
#include "api/read.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec/base64.h"
#include "codec/f64le.h"

/* The end of read_b64: x (owned; NULL when the text did not decode to
 * count doubles) is checked for non-finite values and handed out. */
static bool finish_b64(const api_in *in, double *x, size_t count,
                       const char *ptr, const size_t dims[2], double **out,
                       size_t *rows, size_t *cols)
{
    if (!x)
        return api_invalid(in->err, ptr,
                           "must be the base64 of exactly %zu little-endian "
                           "doubles (%zu bytes) for this shape",
                           count, count * 8);
    for (size_t i = 0; i < count; i++) {
        if (!isfinite(x[i])) {
            free(x);
            return api_invalid(in->err, ptr,
                               "holds a NaN or infinity at double %zu", i);
        }
    }
    *out = x;
    *rows = dims[0];
    if (cols)
        *cols = dims[1];
    return true;
}

/* Reads the shape of a binary array at ptr: [n] (rank 1) or [rows, cols]
 * (rank 2), within max. */
static bool read_shape(const api_in *in, const json_t *shape,
                       const char *ptr, int rank, api_limit max,
                       size_t dims[2])
{
    if (!json_is_array(shape) || json_array_size(shape) != (size_t)rank)
        return api_invalid(in->err, ptr, "must be [%s]",
                           rank == 1 ? "length" : "rows, cols");
    dims[0] = dims[1] = 1;
    for (int i = 0; i < rank; i++) {
        double n;
        if (!api_json_whole(json_array_get(shape, (size_t)i), &n) || n < 1 ||
            n > (double)max.max)
            return api_invalid(in->err, ptr,
                               "must hold whole numbers from 1 to %zu (%s)",
                               max.max, max.name);
        dims[i] = (size_t)n;
    }
    if (dims[1] > max.max / dims[0])
        return api_invalid(in->err, ptr,
                           "is %zu x %zu = %zu numbers; the limit is %zu (%s)",
                           dims[0], dims[1], dims[0] * dims[1], max.max,
                           max.name);
    return true;
}

/* Reads {"b64": ..., "shape": [n] or [rows, cols]} (rank 1 or 2) into a
 * new array of rows * cols doubles (twice that when pairs: complex). */
static bool read_b64(const api_in *in, const json_t *v, const char *ptr,
                     int rank, bool pairs, api_limit max, double **out,
                     size_t *rows, size_t *cols)
{
    const json_t *shape = NULL, *text = NULL;
    api_field fields[] = {
        API_FIELD("b64", api_read_value, &text, NULL, API_LATER),
        API_FIELD("shape", api_read_value, &shape, NULL, API_LATER),
        API_END,
    };
    char p[API_PTR_MAX];
    size_t dims[2];
    *out = NULL;
    if (!api_read_object(in, v, ptr, fields))
        return false;
    shape = json_object_get(v, "shape");
    text = json_object_get(v, "b64");
    api_ptr_key(p, ptr, "shape");
    if (!read_shape(in, shape, p, rank, max, dims))
        return false;
    size_t count = dims[0] * dims[1] * (pairs ? 2 : 1);
    api_ptr_key(p, ptr, "b64");
    if (!text)
        return api_invalid(in->err, p, "is required");
    if (!json_is_string(text))
        return api_invalid(in->err, p, "must be a base64 string, not %s",
                           api_json_kind(text));
    const char *t = json_string_value(text);
    size_t tlen = json_string_length(text);
    unsigned char *bytes;
    size_t len;
    if (pjson_lifted_take(in->lifted, t, tlen, &bytes, &len)) {
        /* decoded already, before the body was parsed (json/pjson.h) */
        double *y = NULL;
        if (bytes && len == count * 8) {
            y = (double *)(void *)bytes; /* malloc'd: aligned for doubles */
            f64le_decode(bytes, count, y);
        } else {
            free(bytes);
        }
        return finish_b64(in, y, count, p, dims, out, rows, cols);
    }
    /* The length is checked before anything is allocated: a shape is only
     * as big as the text that fills it. count * 8 cannot overflow: count is
     * at most twice a limit on an array held in memory. */
    if (!base64_holds(t, tlen, count * 8))
        return finish_b64(in, NULL, count, p, dims, out, rows, cols);
    double *x = malloc(count * sizeof *x);
    if (!x) {
        api_no_memory(in->err);
        return false;
    }
    if (base64_decode(t, tlen, (unsigned char *)x, &len) &&
        len == count * 8) {
        f64le_decode((unsigned char *)x, count, x);
    } else {
        free(x);
        x = NULL;
    }
    return finish_b64(in, x, count, p, dims, out, rows, cols);
}

/* The numbers v stands for when it is the tag of an array read before the
 * body was parsed (json/pjson.h), else NULL. */
static const pjson_numbers *lifted_array(const api_in *in, const json_t *v)
{
    return json_is_string(v) ? pjson_lifted_numbers(in->lifted, v) : NULL;
}

/* A malloc'd copy of the count numbers of a (the lifted arrays stay with
 * the request); NULL after api_no_memory. */
static double *copy_lifted(const api_in *in, const pjson_numbers *a,
                           size_t count)
{
    double *x = malloc(count * sizeof *x);
    if (!x)
        api_no_memory(in->err);
    else
        memcpy(x, a->x, count * sizeof *x);
    return x;
}

/* Reads the lifted array a the slow way, with reader: as the jansson
 * values of its numbers, for a shape or size the fast path does not take
 * (whose error then names the array's own entries, as for any array). */
static bool read_lifted_slowly(const api_in *in, const pjson_numbers *a,
                               const char *ptr, const api_field *f,
                               api_field_reader reader)
{
    json_t *v = pjson_lifted_value(a);
    if (!v) {
        api_no_memory(in->err);
        return false;
    }
    bool ok = reader(in, v, ptr, f);
    json_decref(v);
    return ok;
}

static bool check_array(const api_in *in, const json_t *v, const char *ptr,
                        api_limit max, const char *what)
{
    if (!json_is_array(v))
        return api_invalid(in->err, ptr, "must be an array of %s, not %s",
                           what, api_json_kind(v));
    size_t n = json_array_size(v);
    if (n == 0)
        return api_invalid(in->err, ptr, "must not be empty");
    if (n > max.max)
        return api_invalid(in->err, ptr,
                           "has %zu entries; the limit is %zu (%s)", n,
                           max.max, max.name);
    return true;
}

/* Reads the numbers of array v into out; false at the first bad one. */
static bool read_numbers(const api_in *in, const json_t *v, const char *ptr,
                         double *out)
{
    size_t n = json_array_size(v);
    for (size_t i = 0; i < n; i++) {
        const json_t *x = json_array_get(v, i);
        if (json_is_real(x) || json_is_integer(x)) {
            out[i] = json_number_value(x);
            if (isfinite(out[i]))
                continue;
        }
        char p[API_PTR_MAX];
        api_ptr_index(p, ptr, i);
        api_field number = {NULL, api_read_number, &out[i], NULL, 0};
        return api_read_number(in, x, p, &number);
    }
    return true;
}

bool api_read_vector(const api_in *in, const json_t *v, const char *ptr,
                     const api_field *f)
{
    api_vector *out = f->out;
    api_limit max = *(const api_limit *)f->arg;
    out->x = NULL;
    out->n = 0;
    if (json_is_object(v))
        return read_b64(in, v, ptr, 1, false, max, &out->x, &out->n, NULL);
    const pjson_numbers *a = lifted_array(in, v);
    if (a && !a->cols && a->rows <= max.max) {
        out->x = copy_lifted(in, a, a->rows);
        out->n = out->x ? a->rows : 0;
        return out->x != NULL;
    }
    if (a)
        return read_lifted_slowly(in, a, ptr, f, api_read_vector);
    if (!check_array(in, v, ptr, max, "numbers"))
        return false;
    size_t len = json_array_size(v);
    double *x = malloc(len * sizeof *x);
    if (!x) {
        api_no_memory(in->err);
        return false;
    }
    if (!read_numbers(in, v, ptr, x)) {
        free(x);
        return false;
    }
    out->x = x;
    out->n = len;
    return true;
}

/* Whether row (at p) of a matrix is an array of n entries, like row 0;
 * what the entries are, for the error. */
static bool row_of(const api_in *in, const json_t *row, const char *p,
                   size_t n, const char *what)
{
    if (!json_is_array(row))
        return api_invalid(in->err, p, "must be an array of %s, not %s",
                           what, api_json_kind(row));
    if (json_array_size(row) != n)
        return api_invalid(in->err, p,
                           "has %zu entries but row 0 has %zu: every "
                           "row must have the same length",
                           json_array_size(row), n);
    return true;
}

/* Reads the rows of the array of arrays v (m rows of n numbers, row 0
 * already checked) into w. */
static bool read_rows(const api_in *in, const json_t *v, const char *ptr,
                      size_t m, size_t n, double *w)
{
    char p[API_PTR_MAX];
    for (size_t j = 0; j < m; j++) {
        const json_t *row = json_array_get(v, j);
        api_ptr_index(p, ptr, j);
        if (!row_of(in, row, p, n, "numbers"))
            return false;
        if (!read_numbers(in, row, p, w + j * n))
            return false;
    }
    return true;
}

bool api_read_matrix(const api_in *in, const json_t *v, const char *ptr,
                     const api_field *f)
{
    api_matrix *out = f->out;
    api_limit max = *(const api_limit *)f->arg;
    memset(out, 0, sizeof *out);
    if (json_is_object(v))
        return read_b64(in, v, ptr, 2, false, max, &out->x, &out->rows,
                        &out->cols);
    const pjson_numbers *a = lifted_array(in, v);
    if (a && a->cols && a->rows <= max.max && a->cols <= max.max &&
        a->cols <= max.max / a->rows) {
        double *w = copy_lifted(in, a, a->rows * a->cols);
        if (w)
            *out = (api_matrix){w, a->rows, a->cols};
        return w != NULL;
    }
    if (a)
        return read_lifted_slowly(in, a, ptr, f, api_read_matrix);
    if (!check_array(in, v, ptr, max, "rows"))
        return false;
    size_t m = json_array_size(v);
    char p[API_PTR_MAX];
    api_ptr_index(p, ptr, 0);
    if (!check_array(in, json_array_get(v, 0), p, max, "numbers"))
        return false;
    size_t n = json_array_size(json_array_get(v, 0));
    if (n > max.max / m)
        return api_invalid(in->err, ptr,
                           "is %zu x %zu = %zu numbers; the limit is %zu (%s)",
                           m, n, m * n, max.max, max.name);
    double *w = malloc(m * n * sizeof *w);
    if (!w) {
        api_no_memory(in->err);
        return false;
    }
    if (!read_rows(in, v, ptr, m, n, w)) {
        free(w);
        return false;
    }
    *out = (api_matrix){w, m, n};
    return true;
}

/* Takes amplitude a into *c when it is a finite number or a [re, im] pair
 * of finite numbers: the usual cases, read with no pointer to format. */
static bool quick_amplitude(const json_t *a, double complex *c)
{
    if (json_is_number(a) && isfinite(json_number_value(a))) {
        *c = CMPLX(json_number_value(a), 0.0);
        return true;
    }
    if (!json_is_array(a) || json_array_size(a) != 2)
        return false;
    const json_t *r = json_array_get(a, 0), *m = json_array_get(a, 1);
    if (!json_is_number(r) || !json_is_number(m) ||
        !isfinite(json_number_value(r)) || !isfinite(json_number_value(m)))
        return false;
    *c = CMPLX(json_number_value(r), json_number_value(m));
    return true;
}

/* Says what is wrong with amplitude a, at ptr: quick_amplitude refused
 * it. */
static bool refuse_amplitude(const api_in *in, const json_t *a,
                             const char *ptr)
{
    char p[API_PTR_MAX];
    double part;
    api_field number = {NULL, api_read_number, &part, NULL, 0};
    if (json_is_number(a))
        return api_read_number(in, a, ptr, &number);
    if (!json_is_array(a))
        return api_invalid(in->err, ptr,
                           "must be a number or a [re, im] pair, not %s",
                           api_json_kind(a));
    if (json_array_size(a) != 2)
        return api_invalid(in->err, ptr,
                           "a complex amplitude is [re, im]: exactly two "
                           "numbers, not %zu",
                           json_array_size(a));
    api_ptr_index(p, ptr, 0);
    bool ok = api_read_number(in, json_array_get(a, 0), p, &number);
    api_ptr_index(p, ptr, 1);
    return ok && api_read_number(in, json_array_get(a, 1), p, &number);
}

bool api_read_amplitudes(const api_in *in, const json_t *v, const char *ptr,
                         const api_field *f)
{
    api_amplitudes *out = f->out;
    api_limit max = *(const api_limit *)f->arg;
    out->c = NULL;
    out->n = 0;
    if (json_is_object(v)) { /* interleaved (re, im) pairs */
        double *pairs;
        size_t n;
        if (!read_b64(in, v, ptr, 1, true, max, &pairs, &n, NULL))
            return false;
        double complex *c = malloc(n * sizeof *c);
        for (size_t i = 0; c && i < n; i++)
            c[i] = CMPLX(pairs[2 * i], pairs[2 * i + 1]);
        free(pairs);
        if (!c) {
            api_no_memory(in->err);
            return false;
        }
        *out = (api_amplitudes){c, n};
        return true;
    }
    const pjson_numbers *lifted = lifted_array(in, v);
    if (lifted && (lifted->cols == 0 || lifted->cols == 2) &&
        lifted->rows <= max.max) {
        /* real amplitudes, or [re, im] pairs */
        const double *x = lifted->x;
        double complex *c = malloc(lifted->rows * sizeof *c);
        if (!c) {
            api_no_memory(in->err);
            return false;
        }
        for (size_t i = 0; i < lifted->rows; i++)
            c[i] = lifted->cols ? CMPLX(x[2 * i], x[2 * i + 1])
                                : CMPLX(x[i], 0.0);
        *out = (api_amplitudes){c, lifted->rows};
        return true;
    }
    if (lifted)
        return read_lifted_slowly(in, lifted, ptr, f, api_read_amplitudes);
    if (!check_array(in, v, ptr, max, "amplitudes"))
        return false;
    size_t len = json_array_size(v);
    double complex *c = malloc(len * sizeof *c);
    if (!c) {
        api_no_memory(in->err);
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        const json_t *a = json_array_get(v, i);
        if (quick_amplitude(a, &c[i]))
            continue;
        char p[API_PTR_MAX];
        api_ptr_index(p, ptr, i);
        refuse_amplitude(in, a, p);
        free(c);
        return false;
    }
    *out = (api_amplitudes){c, len};
    return true;
}

/* Reads the rows of the array of arrays v (m rows of n amplitudes, row 0
 * already checked) into c. */
static bool read_amplitude_rows(const api_in *in, const json_t *v,
                                const char *ptr, size_t m, size_t n,
                                double complex *c)
{
    char p[API_PTR_MAX], pa[API_PTR_MAX];
    for (size_t j = 0; j < m; j++) {
        const json_t *row = json_array_get(v, j);
        api_ptr_index(p, ptr, j);
        if (!row_of(in, row, p, n, "amplitudes"))
            return false;
        for (size_t i = 0; i < n; i++) {
            const json_t *a = json_array_get(row, i);
            if (quick_amplitude(a, &c[j * n + i]))
                continue;
            api_ptr_index(pa, p, i);
            return refuse_amplitude(in, a, pa);
        }
    }
    return true;
}

bool api_read_amplitude_matrix(const api_in *in, const json_t *v,
                               const char *ptr, const api_field *f)
{
    api_cmatrix *out = f->out;
    api_limit max = *(const api_limit *)f->arg;
    memset(out, 0, sizeof *out);
    if (json_is_object(v)) { /* interleaved (re, im) pairs, row-major */
        double *pairs;
        size_t rows, cols;
        if (!read_b64(in, v, ptr, 2, true, max, &pairs, &rows, &cols))
            return false;
        /* double complex is two doubles, re then im (C11 6.2.5): the
         * decoded pairs are the matrix already */
        *out = (api_cmatrix){(double complex *)(void *)pairs, rows, cols};
        return true;
    }
    const pjson_numbers *lifted = lifted_array(in, v);
    if (lifted && lifted->cols && lifted->rows <= max.max &&
        lifted->cols <= max.max && lifted->cols <= max.max / lifted->rows) {
        /* rows of real amplitudes */
        size_t count = lifted->rows * lifted->cols;
        double complex *c = malloc(count * sizeof *c);
        if (!c) {
            api_no_memory(in->err);
            return false;
        }
        for (size_t i = 0; i < count; i++)
            c[i] = CMPLX(lifted->x[i], 0.0);
        *out = (api_cmatrix){c, lifted->rows, lifted->cols};
        return true;
    }
    if (lifted)
        return read_lifted_slowly(in, lifted, ptr, f,
                                  api_read_amplitude_matrix);
    if (!check_array(in, v, ptr, max, "rows"))
        return false;
    size_t m = json_array_size(v);
    char p[API_PTR_MAX];
    api_ptr_index(p, ptr, 0);
    if (!check_array(in, json_array_get(v, 0), p, max, "amplitudes"))
        return false;
    size_t n = json_array_size(json_array_get(v, 0));
    if (n > max.max / m)
        return api_invalid(in->err, ptr,
                           "is %zu x %zu = %zu amplitudes; the limit is %zu "
                           "(%s)",
                           m, n, m * n, max.max, max.name);
    double complex *c = malloc(m * n * sizeof *c);
    if (!c) {
        api_no_memory(in->err);
        return false;
    }
    if (!read_amplitude_rows(in, v, ptr, m, n, c)) {
        free(c);
        return false;
    }
    *out = (api_cmatrix){c, m, n};
    return true;
}
