/* store/superposition.c - the superpositions table.
 *
 * amplitudes: dimension (re, im) pairs as little-endian doubles.
 * labels: dimension distinct UTF-8 strings, each followed by a NUL byte.
 * norm: state_norm of the amplitudes.
 * A row that breaks any of this is read as STORE_CORRUPT. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "codec/f64le.h"
#include "core/state.h"
#include "core/utf8.h"
#include "core/vec.h"
#include "store/internal.h"
#include "store/pg/pg.h"
#include "store/superposition.h"

/* 1 when the operation column is one psinet wrote: NULL or the text of a
 * JSON object. json_type runs only on valid JSON, where it cannot fail. */
#define OPERATION_OK                                                           \
    "CASE WHEN operation IS NULL THEN 1"                                       \
    " WHEN typeof(operation) = 'text' AND json_valid(operation)"              \
    " THEN json_type(operation) = 'object' ELSE 0 END"

static const char SQL_INSERT[] =
    "INSERT INTO superpositions (id, name, dimension, amplitudes, labels,"
    " norm, created_at, parent, operation)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

/* Columns 0 to 3 and 8 are read_head's, in this and SQL_LIST. */
static const char SQL_GET[] =
    "SELECT seq, id, name, dimension, amplitudes, labels, norm, created_at,"
    " parent, operation, " OPERATION_OK " FROM superpositions WHERE id = ?1";

static const char SQL_SET_AMPS[] =
    "UPDATE superpositions SET amplitudes = ?2, norm = ?3 WHERE id = ?1"
    " AND dimension = ?4";

static const char SQL_DELETE[] =
    "DELETE FROM superpositions WHERE id = ?1";

/* A summary's columns (read_summary), in this and SQL_HEAD. */
#define SUMMARY                                                                \
    "seq, id, name, dimension, norm, created_at, typeof(amplitudes),"         \
    " length(amplitudes), parent"

static const char SQL_LIST[] =
    "SELECT " SUMMARY " FROM superpositions"
    " WHERE (?1 = 0 OR seq < ?1) ORDER BY seq DESC LIMIT ?2";

static const char SQL_HEAD[] =
    "SELECT " SUMMARY ", operation, " OPERATION_OK
    " FROM superpositions WHERE id = ?1";

void store_superposition_free(store_superposition *s)
{
    if (!s)
        return;
    if (s->labels)
        free(s->labels[0] ? s->labels[0] : NULL); /* one block, see below */
    free(s->labels);
    free(s->amplitudes);
    free(s->name);
    free(s->operation);
    memset(s, 0, sizeof *s);
}

void store_superposition_array_free(store_superposition *items, size_t n)
{
    for (size_t i = 0; items && i < n; i++)
        store_superposition_free(&items[i]);
    free(items);
}

/* Writes n amplitudes as (re, im) pairs of little-endian doubles into out
 * (16 * n bytes). */
static void encode_amplitudes(const double complex *amps, size_t n,
                              unsigned char *out)
{
    for (size_t i = 0; i < n; i++) {
        double pair[2] = {creal(amps[i]), cimag(amps[i])};
        f64le_encode(pair, 2, out + i * 16);
    }
}

/* Labels are kept as one malloc'd block of NUL-terminated strings with an
 * array of pointers into it (labels[0] is the block). Reads them from the
 * BLOB in column col: STORE_CORRUPT unless it holds exactly n distinct
 * NUL-terminated UTF-8 strings. */
static store_status read_labels(sqlite3_stmt *q, int col, size_t n,
                                char ***out)
{
    *out = NULL;
    if (sqlite3_column_type(q, col) != SQLITE_BLOB)
        return STORE_CORRUPT;
    const char *b = sqlite3_column_blob(q, col);
    size_t len = (size_t)sqlite3_column_bytes(q, col);
    if (len == 0)
        return STORE_CORRUPT;
    if (!b)
        return STORE_NOMEM;
    return store_labels_decode(b, len, n, out);
}

/* Whether the stored norm column col is one psinet wrote: a finite REAL
 * >= 0 (and, for a full row, the norm of the amplitudes it came with). */
static bool norm_valid(sqlite3_stmt *q, int col, double *norm)
{
    *norm = sqlite3_column_double(q, col);
    return sqlite3_column_type(q, col) == SQLITE_FLOAT && isfinite(*norm) &&
           *norm >= 0.0;
}

/* A superposition on its way to the group-commit writer (store_row): the
 * row (the caller's for store_superposition_create, which waits; a copy
 * of its own for store_superposition_submit, which tells the caller its
 * created_at when it is stamped), with its amplitudes and labels encoded
 * as they are stored. */
typedef struct {
    store_superposition *s;
    unsigned char *amps;
    char *labels;
    size_t label_bytes;
    store_superposition *caller; /* until stamped, with a copy */
    store_superposition own;
} sup_row;

static void stamp_row(void *row)
{
    sup_row *r = row;
    store_now(r->s->created_at);
    if (r->caller)
        memcpy(r->caller->created_at, r->s->created_at, STORE_TIME_MAX);
    r->caller = NULL;
}

static store_status insert_row(store_conn *c, void *row)
{
    sup_row *r = row;
    store_superposition *s = r->s;
    int rc;
    sqlite3_stmt *q = store_stmt(c, SQL_INSERT, &rc);
    if (!q)
        return store_status_of(rc);
    sqlite3_bind_text(q, 1, s->id, -1, SQLITE_STATIC);
    if (s->name)
        sqlite3_bind_text(q, 2, s->name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 3, (sqlite3_int64)s->dimension);
    sqlite3_bind_blob64(q, 4, r->amps, s->dimension * 16, SQLITE_STATIC);
    sqlite3_bind_blob64(q, 5, r->labels, r->label_bytes, SQLITE_STATIC);
    sqlite3_bind_double(q, 6, s->norm);
    sqlite3_bind_text(q, 7, s->created_at, -1, SQLITE_STATIC);
    if (s->parent[0])
        sqlite3_bind_text(q, 8, s->parent, -1, SQLITE_STATIC);
    if (s->operation)
        sqlite3_bind_text(q, 9, s->operation, -1, SQLITE_STATIC);
    store_status result = store_exec(q);
    if (result == STORE_OK)
        s->seq = sqlite3_last_insert_rowid(c->db);
    return result;
}

/* r's amplitudes and labels, encoded from s; STORE_NOMEM. */
static store_status encode_row(sup_row *r, const store_superposition *s)
{
    size_t n = s->dimension;
    r->label_bytes = 0;
    for (size_t i = 0; i < n; i++)
        r->label_bytes += strlen(s->labels[i]) + 1;
    r->amps = malloc(n * 16);
    r->labels = malloc(r->label_bytes);
    if (!r->amps || !r->labels)
        return STORE_NOMEM;
    encode_amplitudes(s->amplitudes, n, r->amps);
    char *p = r->labels;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(s->labels[i]) + 1;
        memcpy(p, s->labels[i], len);
        p += len;
    }
    return STORE_OK;
}

store_status store_superposition_create(store *st, store_superposition *s)
{
    if (st->pg)
        return store_pg_superposition_create(st, s);
    sup_row r = {.s = s};
    store_status result = encode_row(&r, s);
    if (result == STORE_OK) {
        store_new_id("sup", s->id);
        /* Committed with the other rows waiting when group commit runs
         * (store/batch.h); created_at is stamped in commit order either
         * way. */
        store_row row = {insert_row, stamp_row, &r, NULL};
        result = store_batch_write(st, &row);
    }
    free(r.amps);
    free(r.labels);
    return result;
}

static void release_row(void *row)
{
    sup_row *r = row;
    free(r->amps);
    free(r->labels);
    free(r->own.name);
    free(r->own.operation);
    free(r);
}

void store_superposition_submit(store *st, store_superposition *s,
                                store_done_fn done, void *arg)
{
    if (st->pg) { /* one commit per row (ARCHITECTURE.md) */
        done(arg, store_pg_superposition_create(st, s));
        return;
    }
    sup_row *r = calloc(1, sizeof *r);
    store_status result = r ? encode_row(r, s) : STORE_NOMEM;
    if (result == STORE_OK) {
        /* What insert_row reads of the row, copied: the arrays are in
         * amps and labels already. */
        r->own = *s;
        r->own.amplitudes = NULL;
        r->own.labels = NULL;
        r->own.name = s->name ? strdup(s->name) : NULL;
        r->own.operation = s->operation ? strdup(s->operation) : NULL;
        if ((s->name && !r->own.name) || (s->operation && !r->own.operation))
            result = STORE_NOMEM;
    }
    if (result != STORE_OK) {
        if (r)
            release_row(r);
        done(arg, result);
        return;
    }
    store_new_id("sup", s->id);
    memcpy(r->own.id, s->id, STORE_ID_MAX);
    r->s = &r->own;
    r->caller = s;
    store_row row = {insert_row, stamp_row, r, release_row};
    store_batch_submit(st, &row, done, arg);
}

/* Fills what a full row and a summary share: seq, id, name and dimension
 * (columns 0 to 3), created_at (column created_col) and parent (column 8).
 * STORE_CORRUPT for text that is not UTF-8, a dimension that is not an
 * integer >= 1, or a parent that is neither NULL nor an id. */
static store_status read_head(sqlite3_stmt *q, int created_col,
                              store_superposition *s)
{
    s->seq = sqlite3_column_int64(q, 0);
    store_status r = store_column_copy(q, 1, s->id, sizeof s->id);
    if (r == STORE_OK)
        r = store_column_text(q, 2, true, &s->name);
    if (r == STORE_OK)
        r = store_column_copy(q, created_col, s->created_at,
                              sizeof s->created_at);
    if (r == STORE_OK && sqlite3_column_type(q, 8) != SQLITE_NULL)
        r = store_column_copy(q, 8, s->parent, sizeof s->parent);
    if (r != STORE_OK)
        return r;
    sqlite3_int64 n = sqlite3_column_int64(q, 3);
    if (sqlite3_column_type(q, 3) != SQLITE_INTEGER || n < 1)
        return STORE_CORRUPT;
    s->dimension = (size_t)n;
    return STORE_OK;
}

/* Fills s from a row of SQL_GET. STORE_CORRUPT for a row psinet could
 * not have written: a dimension below 1, amplitudes that are not a BLOB of
 * exactly 16 * dimension bytes of finite numbers, labels that are not
 * dimension distinct UTF-8 strings (read_labels), a norm that is not the
 * amplitudes' norm, an operation that is not a JSON object, or text that
 * is not UTF-8. */
static store_status read_full(sqlite3_stmt *q, store_superposition *s)
{
    store_status r = read_head(q, 7, s);
    if (r != STORE_OK)
        return r;
    if (sqlite3_column_type(q, 4) != SQLITE_BLOB ||
        !store_blob_holds(sqlite3_column_bytes(q, 4), s->dimension, 16) ||
        !norm_valid(q, 6, &s->norm))
        return STORE_CORRUPT;
    const unsigned char *amps = sqlite3_column_blob(q, 4);
    if (!amps)
        return STORE_NOMEM;
    r = store_amplitudes_decode(amps, (size_t)sqlite3_column_bytes(q, 4),
                                s->dimension, s->norm, &s->amplitudes);
    if (r != STORE_OK)
        return r;
    if (sqlite3_column_int(q, 10) != 1) /* OPERATION_OK */
        return STORE_CORRUPT;
    r = store_column_text(q, 9, true, &s->operation);
    if (r != STORE_OK)
        return r;
    return read_labels(q, 5, s->dimension, &s->labels);
}

/* One row by id through the statement sql, read by read into out (freed
 * again on any failure). */
static store_status get_row(store *st, const char *sql, const char *id,
                            store_status (*read)(sqlite3_stmt *,
                                                 store_superposition *),
                            store_superposition *out)
{
    memset(out, 0, sizeof *out);
    store_conn *c = store_conn_get(st);
    int rc;
    store_status result;
    sqlite3_stmt *q = store_stmt(c, sql, &rc);
    if (!q) {
        result = store_status_of(rc);
    } else {
        sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
        rc = sqlite3_step(q);
        if (rc == SQLITE_ROW)
            result = read(q, out);
        else if (rc == SQLITE_DONE)
            result = STORE_NOTFOUND;
        else
            result = store_status_of(rc);
        sqlite3_reset(q);
    }
    result = store_conn_put(st, c, result);
    if (result != STORE_OK)
        store_superposition_free(out);
    return result;
}

store_status store_superposition_get(store *st, const char *id,
                                     store_superposition *out)
{
    if (st->pg)
        return store_pg_superposition_get(st, id, out);
    return get_row(st, SQL_GET, id, read_full, out);
}

store_status store_superposition_set_amplitudes(store *st, const char *id,
                                                const double complex *amps,
                                                size_t dimension, double norm)
{
    if (st->pg)
        return store_pg_superposition_set_amplitudes(st, id, amps, dimension,
                                                     norm);
    unsigned char *blob = malloc(dimension * 16);
    if (!blob)
        return STORE_NOMEM;
    encode_amplitudes(amps, dimension, blob);
    store_conn *c;
    sqlite3_stmt *q;
    store_status result = store_write_begin(st, SQL_SET_AMPS, &c, &q);
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
    if (st->pg)
        return store_pg_superposition_delete(st, id);
    return store_delete_by_id(st, SQL_DELETE, id);
}

/* Fills s from a row of SQL_LIST: as read_full, but the amplitudes
 * are checked only for their type and length (columns 6 and 7), and the
 * norm only for being finite and >= 0. */
static store_status read_summary(sqlite3_stmt *q, store_superposition *s)
{
    store_status r = read_head(q, 5, s);
    if (r != STORE_OK)
        return r;
    if (!store_typeof_is(q, 6, "blob") ||
        !store_blob_holds(sqlite3_column_int64(q, 7), s->dimension, 16) ||
        !norm_valid(q, 4, &s->norm))
        return STORE_CORRUPT;
    return STORE_OK;
}

store_status store_superposition_list(store *st, int64_t after, size_t limit,
                                      store_superposition **items,
                                      size_t *count, int64_t *next_after)
{
    if (st->pg)
        return store_pg_superposition_list(st, after, limit, items, count,
                                           next_after);
    *items = calloc(limit ? limit : 1, sizeof **items);
    *count = 0;
    *next_after = 0;
    if (!*items)
        return STORE_NOMEM;
    store_conn *c = store_conn_get(st);
    int rc;
    store_status result = STORE_OK;
    sqlite3_stmt *q = store_stmt(c, SQL_LIST, &rc);
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
            result = read_summary(q, &(*items)[(*count)++]);
            if (result != STORE_OK)
                break;
        }
        if (result == STORE_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
            result = store_status_of(rc);
        sqlite3_reset(q);
    }
    result = store_conn_put(st, c, result);
    if (result != STORE_OK) {
        store_superposition_array_free(*items, *count);
        *items = NULL;
        *count = 0;
    }
    return result;
}

/* A summary with its parent and operation (SQL_HEAD's columns). */
static store_status read_lineage(sqlite3_stmt *q, store_superposition *s)
{
    store_status r = read_summary(q, s);
    if (r == STORE_OK && sqlite3_column_int(q, 10) != 1)
        r = STORE_CORRUPT; /* OPERATION_OK */
    if (r == STORE_OK)
        r = store_column_text(q, 9, true, &s->operation);
    return r;
}

store_status store_superposition_head(store *st, const char *id,
                                      store_superposition *out)
{
    if (st->pg)
        return store_pg_superposition_head(st, id, out);
    return get_row(st, SQL_HEAD, id, read_lineage, out);
}
