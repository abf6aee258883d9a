/* store/row.c - what both backends share in reading a row back: the checks
 * that tell a value psinet wrote from damage, on plain bytes. A backend
 * finds a column's bytes its own way (SQLite's column API, libpq's binary
 * results) and hands them here. */
#include "store/internal.h"

#include "core/cmplx.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "codec/f64le.h"
#include "core/activation.h"
#include "core/state.h"
#include "core/utf8.h"
#include "core/vec.h"

bool store_text_ok(const char *text, size_t len)
{
    return utf8_valid(text, len) && !memchr(text, '\0', len);
}

store_status store_text_copy(const char *text, size_t len, char *buf,
                             size_t size)
{
    if (!store_text_ok(text, len) || len >= size)
        return STORE_CORRUPT;
    memcpy(buf, text, len);
    buf[len] = '\0';
    return STORE_OK;
}

store_status store_text_dup(const char *text, size_t len, char **out)
{
    *out = NULL;
    if (!store_text_ok(text, len))
        return STORE_CORRUPT;
    *out = malloc(len + 1);
    if (!*out)
        return STORE_NOMEM;
    memcpy(*out, text, len);
    (*out)[len] = '\0';
    return STORE_OK;
}

bool store_bytes_hold(uint64_t len, size_t n, size_t size)
{
    return len % size == 0 && len / size == n;
}

store_status store_doubles_decode(const unsigned char *bytes, size_t len,
                                  size_t n, double **out)
{
    *out = NULL;
    if (n == 0 || !store_bytes_hold(len, n, 8))
        return STORE_CORRUPT;
    *out = malloc(n * sizeof **out); /* n * 8 == len: no overflow */
    if (!*out)
        return STORE_NOMEM;
    f64le_decode(bytes, n, *out);
    if (!vec_all_finite(*out, n)) { /* psinet stores no NaN or infinity */
        free(*out);
        *out = NULL;
        return STORE_CORRUPT;
    }
    return STORE_OK;
}

/* Relative difference allowed between a stored norm and the norm of the
 * stored amplitudes. psinet stores exactly state_norm of the amplitudes, so
 * any real difference is damage; the margin only spares other builds'
 * rounding. */
#define NORM_MATCH 1e-9

store_status store_amplitudes_decode(const unsigned char *bytes, size_t len,
                                     size_t n, double norm,
                                     double complex **out)
{
    *out = NULL;
    if (n == 0 || !store_bytes_hold(len, n, 16) || !isfinite(norm) ||
        norm < 0.0)
        return STORE_CORRUPT;
    /* n * 16 bytes are stored: the products below cannot overflow */
    double complex *amps = malloc(n * sizeof *amps);
    if (!amps)
        return STORE_NOMEM;
    for (size_t i = 0; i < n; i++) {
        double pair[2];
        f64le_decode(bytes + i * 16, 2, pair);
        if (!vec_all_finite(pair, 2)) {
            free(amps);
            return STORE_CORRUPT;
        }
        amps[i] = CMPLX(pair[0], pair[1]);
    }
    double actual = state_norm(amps, n);
    if (!isfinite(actual) || !(fabs(norm - actual) <= NORM_MATCH * actual)) {
        free(amps);
        return STORE_CORRUPT;
    }
    *out = amps;
    return STORE_OK;
}

static int compare_labels(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Whether the n labels are all different (psinet's labels name outcomes). */
static bool labels_distinct(char *const *labels, size_t n, bool *oom)
{
    char **sorted = malloc(n * sizeof *sorted);
    if (!sorted) {
        *oom = true;
        return false;
    }
    memcpy(sorted, labels, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, compare_labels);
    bool distinct = true;
    for (size_t i = 1; i < n && distinct; i++)
        distinct = strcmp(sorted[i - 1], sorted[i]) != 0;
    free(sorted);
    return distinct;
}

store_status store_labels_decode(const char *b, size_t len, size_t n,
                                 char ***out)
{
    *out = NULL;
    if (len == 0)
        return STORE_CORRUPT;
    size_t count = 0;
    for (size_t i = 0; i < len; i++)
        count += b[i] == '\0';
    if (b[len - 1] != '\0' || count != n)
        return STORE_CORRUPT;
    char *block = malloc(len);
    char **labels = malloc(n * sizeof *labels);
    if (!block || !labels) {
        free(block);
        free(labels);
        return STORE_NOMEM;
    }
    memcpy(block, b, len);
    char *p = block;
    bool ok = true, oom = false;
    for (size_t i = 0; i < n; i++) {
        size_t label_len = strlen(p);
        ok = ok && utf8_valid(p, label_len);
        labels[i] = p;
        p += label_len + 1;
    }
    ok = ok && labels_distinct(labels, n, &oom);
    if (!ok) {
        free(block);
        free(labels);
        return oom ? STORE_NOMEM : STORE_CORRUPT;
    }
    *out = labels;
    return STORE_OK;
}

store_status store_layer_shape(int64_t rows, int64_t cols, size_t *r,
                               size_t *c)
{
    if (rows < 1 || cols < 1 || (uint64_t)rows > SIZE_MAX ||
        (uint64_t)cols > SIZE_MAX / (uint64_t)rows)
        return STORE_CORRUPT;
    *r = (size_t)rows;
    *c = (size_t)cols;
    return STORE_OK;
}

store_status store_layer_activation(const char *activation, bool has_alpha,
                                    double alpha)
{
    act_kind kind;
    if (!act_from_name(activation, &kind) ||
        has_alpha != act_takes_alpha(kind) || (has_alpha && !isfinite(alpha)))
        return STORE_CORRUPT;
    return STORE_OK;
}
