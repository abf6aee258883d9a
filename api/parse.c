/* api/parse.c - validation of request values with JSON Pointers. */
#include "api/parse.h"

#include "api/b64.h"
#include "api/b64_lift.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void api_ptr_key(char out[API_PTR_MAX], const char *base, const char *key)
{
    size_t n = (size_t)snprintf(out, API_PTR_MAX, "%s/", base);
    for (const char *k = key; *k && n + 3 < API_PTR_MAX; k++) {
        if (*k == '~' || *k == '/') {
            out[n++] = '~';
            out[n++] = *k == '~' ? '0' : '1';
        } else {
            out[n++] = *k;
        }
    }
    out[n < API_PTR_MAX ? n : API_PTR_MAX - 1] = '\0';
}

void api_ptr_index(char out[API_PTR_MAX], const char *base, size_t index)
{
    /* Room for "/" and 20 digits is kept after the (truncated) base. */
    size_t len = strnlen(base, API_PTR_MAX - 24);
    memmove(out, base, len);
    snprintf(out + len, API_PTR_MAX - len, "/%zu", index);
}

const char *api_json_kind(const json_t *v)
{
    if (!v)
        return "missing";
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER:
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "a value";
}

bool api_check_object(const json_t *obj, const char *ptr,
                      const char *const *allowed, api_err *err)
{
    if (!json_is_object(obj))
        return api_invalid(err, ptr, "must be an object, not %s",
                           api_json_kind(obj));
    bool ok = true;
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)obj, key, value) {
        const char *const *a = allowed;
        while (*a && strcmp(*a, key) != 0)
            a++;
        if (!*a) {
            char p[API_PTR_MAX];
            api_ptr_key(p, ptr, key);
            ok = api_invalid(err, p, "is not a field of this object");
        }
    }
    return ok;
}

bool api_read_number(const json_t *v, const char *ptr, double *out,
                     api_err *err)
{
    if (!json_is_number(v))
        return api_invalid(err, ptr, "must be a number, not %s",
                           api_json_kind(v));
    double d = json_number_value(v);
    if (!isfinite(d))
        return api_invalid(err, ptr, "must be a finite number");
    *out = d;
    return true;
}

bool api_read_uint(const json_t *v, const char *ptr, uint64_t min,
                   uint64_t max, uint64_t *out, api_err *err)
{
    if (!json_is_integer(v))
        return api_invalid(err, ptr, "must be an integer, not %s",
                           json_is_real(v) ? "a fraction" : api_json_kind(v));
    json_int_t i = json_integer_value(v);
    if (i < 0 || (uint64_t)i < min || (uint64_t)i > max)
        return api_invalid(err, ptr,
                           "must be between %llu and %llu, not %lld",
                           (unsigned long long)min, (unsigned long long)max,
                           (long long)i);
    *out = (uint64_t)i;
    return true;
}

bool api_read_string(const json_t *v, const char *ptr, size_t max_len,
                     const char **out, api_err *err)
{
    if (!json_is_string(v))
        return api_invalid(err, ptr, "must be a string, not %s",
                           api_json_kind(v));
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (n == 0)
        return api_invalid(err, ptr, "must not be empty");
    if (n > max_len)
        return api_invalid(err, ptr, "is %zu bytes long; the limit is %zu", n,
                           max_len);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return api_invalid(err, ptr,
                               "must not contain control characters");
    *out = s;
    return true;
}

/* The end of read_b64: x (owned; NULL when the text did not decode to
 * count doubles) is checked for non-finite values and handed out. */
static bool finish_b64(double *x, size_t count, const char *ptr,
                       const size_t dims[2], double **out, size_t *rows,
                       size_t *cols, api_err *err)
{
    if (!x)
        return api_invalid(err, ptr,
                           "must be the base64 of exactly %zu little-endian "
                           "doubles (%zu bytes) for this shape",
                           count, count * 8);
    for (size_t i = 0; i < count; i++) {
        if (!isfinite(x[i])) {
            free(x);
            return api_invalid(err, ptr,
                               "holds a NaN or infinity at double %zu", i);
        }
    }
    *out = x;
    *rows = dims[0];
    if (cols)
        *cols = dims[1];
    return true;
}

/* Reads {"b64": ..., "shape": [n] or [rows, cols]} (rank 1 or 2) into a
 * new array of rows * cols doubles (twice that when pairs: complex). */
static bool read_b64(const json_t *v, const char *ptr, int rank, bool pairs,
                     api_limit max, double **out, size_t *rows, size_t *cols,
                     api_err *err)
{
    static const char *const fields[] = {"b64", "shape", NULL};
    char p[API_PTR_MAX];
    *out = NULL;
    if (!api_check_object(v, ptr, fields, err))
        return false;
    const json_t *shape = json_object_get(v, "shape");
    const json_t *text = json_object_get(v, "b64");
    api_ptr_key(p, ptr, "shape");
    if (!json_is_array(shape) || json_array_size(shape) != (size_t)rank)
        return api_invalid(err, p, "must be [%s]",
                           rank == 1 ? "length" : "rows, cols");
    size_t dims[2] = {1, 1};
    for (int i = 0; i < rank; i++) {
        const json_t *d = json_array_get(shape, (size_t)i);
        json_int_t n = json_is_integer(d) ? json_integer_value(d) : 0;
        if (n < 1 || (uint64_t)n > max.max)
            return api_invalid(err, p,
                               "must hold whole numbers from 1 to %zu (%s)",
                               max.max, max.name);
        dims[i] = (size_t)n;
    }
    if (dims[1] > max.max / dims[0])
        return api_invalid(err, p, "is %zu x %zu = %zu numbers; the limit is "
                                   "%zu (%s)",
                           dims[0], dims[1], dims[0] * dims[1], max.max,
                           max.name);
    size_t count = dims[0] * dims[1] * (pairs ? 2 : 1);
    api_ptr_key(p, ptr, "b64");
    if (!text)
        return api_invalid(err, p, "is required");
    if (!json_is_string(text))
        return api_invalid(err, p, "must be a base64 string, not %s",
                           api_json_kind(text));
    const char *t = json_string_value(text);
    size_t tlen = json_string_length(text);
    unsigned char *lifted;
    size_t lifted_len;
    if (api_b64_lifted_take(t, tlen, &lifted, &lifted_len)) {
        /* decoded already, before the body was parsed (api/b64_lift.h) */
        double *y = NULL;
        if (lifted && lifted_len == count * 8)
            y = api_b64_as_doubles(lifted, count);
        else
            free(lifted);
        return finish_b64(y, count, p, dims, out, rows, cols, err);
    }
    /* The length is checked before anything is allocated: a shape is only
     * as big as the text that fills it. */
    double *x = NULL;
    if (api_b64_holds(t, tlen, count)) {
        x = malloc(count * sizeof *x);
        if (!x) {
            api_fail(err, API_EINTERNAL, "out of memory");
            return false;
        }
    }
    if (x && !api_b64_decode_doubles(t, tlen, x, count)) {
        free(x);
        x = NULL;
    }
    return finish_b64(x, count, p, dims, out, rows, cols, err);
}

static bool check_array(const json_t *v, const char *ptr, api_limit max,
                        const char *what, api_err *err)
{
    if (!json_is_array(v))
        return api_invalid(err, ptr, "must be an array of %s, not %s", what,
                           api_json_kind(v));
    size_t n = json_array_size(v);
    if (n == 0)
        return api_invalid(err, ptr, "must not be empty");
    if (n > max.max)
        return api_invalid(err, ptr, "has %zu entries; the limit is %zu (%s)",
                           n, max.max, max.name);
    return true;
}

/* Reads the n numbers of array v into out; false at the first bad one. */
static bool read_numbers(const json_t *v, const char *ptr, double *out,
                         api_err *err)
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
        return api_read_number(x, p, &out[i], err);
    }
    return true;
}

bool api_read_vector(const json_t *v, const char *ptr, api_limit max,
                     double **out, size_t *n, api_err *err)
{
    *out = NULL;
    *n = 0;
    if (json_is_object(v))
        return read_b64(v, ptr, 1, false, max, out, n, NULL, err);
    if (!check_array(v, ptr, max, "numbers", err))
        return false;
    size_t len = json_array_size(v);
    double *x = malloc(len * sizeof *x);
    if (!x) {
        api_fail(err, API_EINTERNAL, "out of memory");
        return false;
    }
    if (!read_numbers(v, ptr, x, err)) {
        free(x);
        return false;
    }
    *out = x;
    *n = len;
    return true;
}

bool api_read_matrix(const json_t *v, const char *ptr, api_limit max_cells,
                     double **out, size_t *rows, size_t *cols, api_err *err)
{
    *out = NULL;
    *rows = *cols = 0;
    if (json_is_object(v))
        return read_b64(v, ptr, 2, false, max_cells, out, rows, cols, err);
    if (!check_array(v, ptr, max_cells, "rows", err))
        return false;
    size_t m = json_array_size(v);
    const json_t *row0 = json_array_get(v, 0);
    char p[API_PTR_MAX];
    api_ptr_index(p, ptr, 0);
    if (!check_array(row0, p, max_cells, "numbers", err))
        return false;
    size_t n = json_array_size(row0);
    if (n > max_cells.max / m)
        return api_invalid(err, ptr,
                           "is %zu x %zu = %zu numbers; the limit is %zu (%s)",
                           m, n, m * n, max_cells.max, max_cells.name);
    double *w = malloc(m * n * sizeof *w);
    if (!w) {
        api_fail(err, API_EINTERNAL, "out of memory");
        return false;
    }
    for (size_t j = 0; j < m; j++) {
        const json_t *row = json_array_get(v, j);
        api_ptr_index(p, ptr, j);
        if (!json_is_array(row)) {
            free(w);
            return api_invalid(err, p, "must be an array of numbers, not %s",
                               api_json_kind(row));
        }
        if (json_array_size(row) != n) {
            free(w);
            return api_invalid(err, p,
                               "has %zu entries but row 0 has %zu: every row "
                               "must have the same length",
                               json_array_size(row), n);
        }
        if (!read_numbers(row, p, w + j * n, err)) {
            free(w);
            return false;
        }
    }
    *out = w;
    *rows = m;
    *cols = n;
    return true;
}

bool api_read_amplitudes(const json_t *v, const char *ptr, api_limit max,
                         double complex **out, size_t *n, api_err *err)
{
    *out = NULL;
    *n = 0;
    if (json_is_object(v)) { /* interleaved (re, im) pairs */
        double *pairs;
        if (!read_b64(v, ptr, 1, true, max, &pairs, n, NULL, err))
            return false;
        double complex *c = malloc(*n * sizeof *c);
        for (size_t i = 0; c && i < *n; i++)
            c[i] = CMPLX(pairs[2 * i], pairs[2 * i + 1]);
        free(pairs);
        if (!c) {
            *n = 0;
            api_fail(err, API_EINTERNAL, "out of memory");
            return false;
        }
        *out = c;
        return true;
    }
    if (!check_array(v, ptr, max, "amplitudes", err))
        return false;
    size_t len = json_array_size(v);
    double complex *c = malloc(len * sizeof *c);
    if (!c) {
        api_fail(err, API_EINTERNAL, "out of memory");
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        const json_t *a = json_array_get(v, i);
        /* The usual cases first, with no pointer to format. */
        if (json_is_number(a) && isfinite(json_number_value(a))) {
            c[i] = CMPLX(json_number_value(a), 0.0);
            continue;
        }
        if (json_is_array(a) && json_array_size(a) == 2) {
            const json_t *r = json_array_get(a, 0), *m = json_array_get(a, 1);
            if (json_is_number(r) && json_is_number(m) &&
                isfinite(json_number_value(r)) &&
                isfinite(json_number_value(m))) {
                c[i] = CMPLX(json_number_value(r), json_number_value(m));
                continue;
            }
        }
        char p[API_PTR_MAX];
        api_ptr_index(p, ptr, i);
        double re = 0, im = 0;
        bool ok;
        if (json_is_array(a)) {
            if (json_array_size(a) != 2) {
                free(c);
                return api_invalid(err, p,
                                   "a complex amplitude is [re, im]: exactly "
                                   "two numbers, not %zu",
                                   json_array_size(a));
            }
            char pi[API_PTR_MAX];
            api_ptr_index(pi, p, 0);
            ok = api_read_number(json_array_get(a, 0), pi, &re, err);
            api_ptr_index(pi, p, 1);
            ok = ok && api_read_number(json_array_get(a, 1), pi, &im, err);
        } else if (json_is_number(a)) {
            ok = api_read_number(a, p, &re, err);
        } else {
            ok = api_invalid(err, p,
                             "must be a number or a [re, im] pair, not %s",
                             api_json_kind(a));
        }
        if (!ok) {
            free(c);
            return false;
        }
        c[i] = CMPLX(re, im);
    }
    *out = c;
    *n = len;
    return true;
}

bool api_read_activation(const json_t *name, const char *ptr_name,
                         const json_t *params, const char *ptr_params,
                         act_spec *out, api_err *err)
{
    if (!json_is_string(name))
        return api_invalid(err, ptr_name,
                           "must be the name of an activation (%s), not %s",
                           act_all_names(), api_json_kind(name));
    act_kind kind;
    if (!act_from_name(json_string_value(name), &kind))
        return api_invalid(err, ptr_name,
                           "is not a known activation; use one of: %s",
                           act_all_names());
    *out = act_default(kind);
    if (!params || json_is_null(params))
        return true;
    static const char *const with_alpha[] = {"alpha", NULL};
    static const char *const none[] = {NULL};
    if (!api_check_object(params, ptr_params,
                          act_takes_alpha(kind) ? with_alpha : none, err))
        return false;
    const json_t *alpha = json_object_get(params, "alpha");
    if (alpha) {
        char p[API_PTR_MAX];
        api_ptr_key(p, ptr_params, "alpha");
        return api_read_number(alpha, p, &out->alpha, err);
    }
    return true;
}

bool api_all_finite(const double *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return false;
    return true;
}

bool api_read_encoding(const json_t *obj, bool *b64, api_err *err)
{
    const json_t *v = json_object_get(obj, "encoding");
    const char *s = json_string_value(v);
    *b64 = false;
    if (!v || (s && strcmp(s, "json") == 0))
        return true;
    if (s && strcmp(s, "b64") == 0) {
        *b64 = true;
        return true;
    }
    return api_invalid(err, "/encoding", "must be \"json\" or \"b64\"");
}
