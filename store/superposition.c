/* store/superposition.c - the superpositions table.
 *
 * amplitudes: dimension (re, im) pairs as little-endian doubles.
 * labels: dimension UTF-8 strings, each followed by a NUL byte. */
#include <stdlib.h>
#include <string.h>

#include "store/internal.h"

void store_superposition_free(store_superposition *s)
{
    if (!s)
        return;
    if (s->labels)
        free(s->labels[0] ? s->labels[0] : NULL); /* one block, see below */
    free(s->labels);
    free(s->amplitudes);
    free(s->name);
    memset(s, 0, sizeof *s);
}

void store_superposition_array_free(store_superposition *items, size_t n)
{
    for (size_t i = 0; items && i < n; i++)
        store_superposition_free(&items[i]);
    free(items);
}

/* Labels are kept as one malloc'd block of NUL-terminated strings with an
 * array of pointers into it (labels[0] is the block). */
static bool decode_labels(const void *blob, size_t len, size_t n,
                          char ***out)
{
    *out = NULL;
    const char *b = blob;
    size_t count = 0;
    for (size_t i = 0; i < len; i++)
        count += b[i] == '\0';
    if (len == 0 || b[len - 1] != '\0' || count != n)
        return false;
    char *block = malloc(len);
    char **labels = malloc(n * sizeof *labels);
    if (!block || !labels) {
        free(block);
        free(labels);
        return false;
    }
    memcpy(block, blob, len);
    char *p = block;
    for (size_t i = 0; i < n; i++) {
        labels[i] = p;
        p += strlen(p) + 1;
    }
    *out = labels;
    return true;
}

store_status store_superposition_create(store *st, store_superposition *s)
{
    size_t n = s->dimension, label_bytes = 0;
    for (size_t i = 0; i < n; i++)
        label_bytes += strlen(s->labels[i]) + 1;
    unsigned char *amps = malloc(n * 16);
    char *labels = malloc(label_bytes);
    if (!amps || !labels) {
        free(amps);
        free(labels);
        return STORE_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        double pair[2] = {creal(s->amplitudes[i]), cimag(s->amplitudes[i])};
        store_encode_doubles(pair, 2, amps + i * 16);
    }
    char *p = labels;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(s->labels[i]) + 1;
        memcpy(p, s->labels[i], len);
        p += len;
    }
    store_new_id("sup", s->id);

    store_conn *c;
    sqlite3_stmt *q;
    store_status result = store_write_begin(st, STMT_SUP_INSERT, &c, &q);
    if (result == STORE_OK) {
        store_now(s->created_at); /* inside the write lock: list order */
        sqlite3_bind_text(q, 1, s->id, -1, SQLITE_STATIC);
        if (s->name)
            sqlite3_bind_text(q, 2, s->name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 3, (sqlite3_int64)n);
        sqlite3_bind_blob64(q, 4, amps, n * 16, SQLITE_STATIC);
        sqlite3_bind_blob64(q, 5, labels, label_bytes, SQLITE_STATIC);
        sqlite3_bind_double(q, 6, s->norm);
        sqlite3_bind_text(q, 7, s->created_at, -1, SQLITE_STATIC);
        result = store_exec(q);
        if (result == STORE_OK)
            s->seq = sqlite3_last_insert_rowid(c->db);
    }
    result = store_write_end(st, c, result);
    free(amps);
    free(labels);
    return result;
}

/* Fills s from a row of STMT_SUP_GET. */
static store_status read_full(sqlite3_stmt *q, store_superposition *s)
{
    bool oom = false;
    s->seq = sqlite3_column_int64(q, 0);
    store_column_copy(q, 1, s->id, sizeof s->id);
    s->name = store_column_strdup(q, 2, &oom);
    sqlite3_int64 n = sqlite3_column_int64(q, 3);
    const void *amps = sqlite3_column_blob(q, 4);
    size_t amps_len = (size_t)sqlite3_column_bytes(q, 4);
    const void *labels = sqlite3_column_blob(q, 5);
    size_t labels_len = (size_t)sqlite3_column_bytes(q, 5);
    s->norm = sqlite3_column_double(q, 6);
    store_column_copy(q, 7, s->created_at, sizeof s->created_at);
    if (oom)
        return STORE_NOMEM;
    if (n < 1 || amps_len != (size_t)n * 16)
        return STORE_CORRUPT;
    s->dimension = (size_t)n;
    s->amplitudes = malloc(s->dimension * sizeof *s->amplitudes);
    if (!s->amplitudes)
        return STORE_NOMEM;
    for (size_t i = 0; i < s->dimension; i++) {
        double pair[2];
        store_decode_doubles((const unsigned char *)amps + i * 16, 2, pair);
        s->amplitudes[i] = CMPLX(pair[0], pair[1]);
    }
    if (!decode_labels(labels, labels_len, s->dimension, &s->labels))
        return STORE_CORRUPT;
    return STORE_OK;
}

store_status store_superposition_get(store *st, const char *id,
                                     store_superposition *out)
{
    memset(out, 0, sizeof *out);
    store_conn *c = store_conn_get(st);
    int rc;
    store_status result;
    sqlite3_stmt *q = store_stmt(c, STMT_SUP_GET, &rc);
    if (!q) {
        result = store_status_of(rc);
    } else {
        sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
        rc = sqlite3_step(q);
        if (rc == SQLITE_ROW)
            result = read_full(q, out);
        else if (rc == SQLITE_DONE)
            result = STORE_NOTFOUND;
        else
            result = store_status_of(rc);
        sqlite3_reset(q);
    }
    store_conn_put(st, c);
    if (result != STORE_OK)
        store_superposition_free(out);
    return result;
}

store_status store_superposition_set_amplitudes(store *st, const char *id,
                                                const double complex *amps,
                                                size_t dimension, double norm)
{
    unsigned char *blob = malloc(dimension * 16);
    if (!blob)
        return STORE_NOMEM;
    for (size_t i = 0; i < dimension; i++) {
        double pair[2] = {creal(amps[i]), cimag(amps[i])};
        store_encode_doubles(pair, 2, blob + i * 16);
    }
    store_conn *c;
    sqlite3_stmt *q;
    store_status result = store_write_begin(st, STMT_SUP_SET_AMPS, &c, &q);
    if (result == STORE_OK) {
        sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_blob64(q, 2, blob, dimension * 16, SQLITE_STATIC);
        sqlite3_bind_double(q, 3, norm);
        sqlite3_bind_int64(q, 4, (sqlite3_int64)dimension);
        result = store_exec(q);
        if (result == STORE_OK && sqlite3_changes(c->db) == 0)
            result = STORE_NOTFOUND;
    }
    result = store_write_end(st, c, result);
    free(blob);
    return result;
}

store_status store_superposition_delete(store *st, const char *id)
{
    return store_delete_by_id(st, STMT_SUP_DELETE, id);
}

store_status store_superposition_list(store *st, int64_t after, size_t limit,
                                      store_superposition **items,
                                      size_t *count, int64_t *next_after)
{
    *items = calloc(limit ? limit : 1, sizeof **items);
    *count = 0;
    *next_after = 0;
    if (!*items)
        return STORE_NOMEM;
    store_conn *c = store_conn_get(st);
    int rc;
    store_status result = STORE_OK;
    sqlite3_stmt *q = store_stmt(c, STMT_SUP_LIST, &rc);
    if (!q) {
        result = store_status_of(rc);
    } else {
        sqlite3_bind_int64(q, 1, after);
        sqlite3_bind_int64(q, 2, (sqlite3_int64)limit + 1);
        while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
            if (*count == limit) { /* one more row exists */
                *next_after = (*items)[limit - 1].seq;
                break;
            }
            store_superposition *s = &(*items)[(*count)++];
            bool oom = false;
            s->seq = sqlite3_column_int64(q, 0);
            store_column_copy(q, 1, s->id, sizeof s->id);
            s->name = store_column_strdup(q, 2, &oom);
            s->dimension = (size_t)sqlite3_column_int64(q, 3);
            s->norm = sqlite3_column_double(q, 4);
            store_column_copy(q, 5, s->created_at, sizeof s->created_at);
            if (oom) {
                result = STORE_NOMEM;
                break;
            }
        }
        if (result == STORE_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
            result = store_status_of(rc);
        sqlite3_reset(q);
    }
    store_conn_put(st, c);
    if (result != STORE_OK) {
        store_superposition_array_free(*items, *count);
        *items = NULL;
        *count = 0;
    }
    return result;
}
