/* store/pg/superposition.c - the superpositions table on PostgreSQL
 * (migrations/postgresql/0001 and 0004): as store/superposition.c, with
 * amplitudes and labels as bytea and the operation as json. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "codec/f64le.h"
#include "store/pg/pg.h"

static const char SQL_INSERT[] =
    "INSERT INTO superpositions (id, name, dimension, amplitudes, labels,"
    " norm, created_at, parent, operation) VALUES ($1::text, $2::text,"
    " $3::int8, $4::bytea, $5::bytea, $6::float8, $7::text, $8::text,"
    " $9::json) RETURNING seq";

/* 1 when the operation is one psinet wrote: NULL or a JSON object. */
#define OPERATION_OK                                                           \
    "(operation IS NULL OR json_typeof(operation) = 'object')"

/* Columns 0 to 3, created_at and parent as in the summary's. */
static const char SQL_GET[] =
    "SELECT seq, id, name, dimension, norm, created_at, amplitudes, labels,"
    " parent, operation, " OPERATION_OK " FROM superpositions"
    " WHERE id = $1::text";

#define SUMMARY                                                                \
    "seq, id, name, dimension, norm, created_at,"                             \
    " octet_length(amplitudes)::int8, NULL::bytea, parent"

static const char SQL_LIST[] =
    "SELECT " SUMMARY " FROM superpositions"
    " WHERE ($1::int8 = 0 OR seq < $1::int8) ORDER BY seq DESC"
    " LIMIT $2::int8";

static const char SQL_HEAD[] =
    "SELECT " SUMMARY ", operation, " OPERATION_OK
    " FROM superpositions WHERE id = $1::text";

static const char SQL_SET_AMPS[] =
    "UPDATE superpositions SET amplitudes = $2::bytea, norm = $3::float8"
    " WHERE id = $1::text AND dimension = $4::int8";

static const char SQL_DELETE[] =
    "DELETE FROM superpositions WHERE id = $1::text";

enum {
    COL_SEQ, COL_ID, COL_NAME, COL_DIMENSION, COL_NORM, COL_CREATED,
    COL_AMPS, COL_LABELS, COL_PARENT, COL_OPERATION, COL_OPERATION_OK
};

static void encode_amplitudes(const double complex *amps, size_t n,
                              unsigned char *out)
{
    for (size_t i = 0; i < n; i++) {
        double pair[2] = {creal(amps[i]), cimag(amps[i])};
        f64le_encode(pair, 2, out + i * 16);
    }
}

store_status store_pg_superposition_create(store *st, store_superposition *s)
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
    encode_amplitudes(s->amplitudes, n, amps);
    char *p = labels;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(s->labels[i]) + 1;
        memcpy(p, s->labels[i], len);
        p += len;
    }
    store_new_id("sup", s->id);

    store_status result;
    pg_conn *c = store_pg_get(st, &result);
    if (c)
        result = store_pg_begin(st, c);
    if (result == STORE_OK)
        result = store_pg_lock_table(c, PG_LOCK_SUPERPOSITIONS);
    if (result == STORE_OK) {
        store_now(s->created_at); /* inside the lock: list order */
        pg_params q = {0};
        store_pg_text(&q, s->id);
        store_pg_text(&q, s->name);
        store_pg_int8(&q, (int64_t)n);
        store_pg_bytes(&q, amps, n * 16);
        store_pg_bytes(&q, labels, label_bytes);
        store_pg_float8(&q, s->norm);
        store_pg_text(&q, s->created_at);
        store_pg_text(&q, s->parent[0] ? s->parent : NULL);
        store_pg_text(&q, s->operation);
        PGresult *r;
        result = store_pg_run(c, SQL_INSERT, &q, &r);
        if (result == STORE_OK) {
            result = PQntuples(r) == 1 ? store_pg_col_int8(r, 0, 0, &s->seq)
                                       : STORE_ERROR;
            PQclear(r);
        }
    }
    if (result == STORE_OK)
        result = store_pg_commit(c);
    if (c)
        result = store_pg_put(st, c, result);
    free(amps);
    free(labels);
    return result;
}

/* What a full row and a summary share: seq, id, name, dimension, norm
 * (finite, >= 0), created_at and parent. */
static store_status read_head(const PGresult *r, int row,
                              store_superposition *s)
{
    int64_t dim;
    bool null;
    store_status e = store_pg_col_int8(r, row, COL_SEQ, &s->seq);
    if (e == STORE_OK)
        e = store_pg_col_copy(r, row, COL_ID, s->id, sizeof s->id);
    if (e == STORE_OK)
        e = store_pg_col_text(r, row, COL_NAME, true, &s->name);
    if (e == STORE_OK)
        e = store_pg_col_int8(r, row, COL_DIMENSION, &dim);
    if (e == STORE_OK && dim < 1)
        e = STORE_CORRUPT;
    if (e == STORE_OK)
        e = store_pg_col_float8(r, row, COL_NORM, false, &null, &s->norm);
    if (e == STORE_OK && !(isfinite(s->norm) && s->norm >= 0.0))
        e = STORE_CORRUPT;
    if (e == STORE_OK)
        e = store_pg_col_copy(r, row, COL_CREATED, s->created_at,
                              sizeof s->created_at);
    if (e == STORE_OK && !PQgetisnull(r, row, COL_PARENT))
        e = store_pg_col_copy(r, row, COL_PARENT, s->parent,
                              sizeof s->parent);
    if (e == STORE_OK)
        s->dimension = (size_t)dim;
    return e;
}

/* The operation columns of SQL_GET and SQL_HEAD. */
static store_status read_operation(const PGresult *r, int row,
                                   store_superposition *s)
{
    bool ok;
    store_status e = store_pg_col_bool(r, row, COL_OPERATION_OK, &ok);
    if (e == STORE_OK && !ok)
        e = STORE_CORRUPT;
    if (e == STORE_OK)
        e = store_pg_col_text(r, row, COL_OPERATION, true, &s->operation);
    return e;
}

static store_status read_full(const PGresult *r, store_superposition *s)
{
    const unsigned char *b;
    size_t len;
    store_status e = read_head(r, 0, s);
    if (e == STORE_OK)
        e = store_pg_col_bytes(r, 0, COL_AMPS, false, &b, &len);
    if (e == STORE_OK)
        e = store_amplitudes_decode(b, len, s->dimension, s->norm,
                                    &s->amplitudes);
    if (e == STORE_OK)
        e = read_operation(r, 0, s);
    if (e == STORE_OK)
        e = store_pg_col_bytes(r, 0, COL_LABELS, false, &b, &len);
    if (e == STORE_OK)
        e = store_labels_decode((const char *)b, len, s->dimension,
                                &s->labels);
    return e;
}

/* A summary: the amplitudes checked for their length alone. */
static store_status read_summary(const PGresult *r, int row,
                                 store_superposition *s)
{
    int64_t len;
    store_status e = read_head(r, row, s);
    if (e == STORE_OK)
        e = store_pg_col_int8(r, row, COL_AMPS, &len);
    if (e == STORE_OK &&
        (len < 0 || !store_bytes_hold((uint64_t)len, s->dimension, 16)))
        e = STORE_CORRUPT;
    return e;
}

/* Runs a one-row read by id (SQL_GET or SQL_HEAD) and fills out. */
static store_status get_one(store *st, const char *sql, const char *id,
                            store_superposition *out, bool full)
{
    memset(out, 0, sizeof *out);
    store_status result;
    pg_conn *c = store_pg_get(st, &result);
    if (!c)
        return result;
    pg_params q = {0};
    store_pg_text(&q, id);
    PGresult *r;
    result = store_pg_run(c, sql, &q, &r);
    if (result == STORE_OK) {
        if (PQntuples(r) == 0)
            result = STORE_NOTFOUND;
        else if (full)
            result = read_full(r, out);
        else if ((result = read_summary(r, 0, out)) == STORE_OK)
            result = read_operation(r, 0, out);
        PQclear(r);
    }
    result = store_pg_put(st, c, result);
    if (result != STORE_OK)
        store_superposition_free(out);
    return result;
}

store_status store_pg_superposition_get(store *st, const char *id,
                                        store_superposition *out)
{
    return get_one(st, SQL_GET, id, out, true);
}

store_status store_pg_superposition_head(store *st, const char *id,
                                         store_superposition *out)
{
    return get_one(st, SQL_HEAD, id, out, false);
}

store_status store_pg_superposition_set_amplitudes(
    store *st, const char *id, const double complex *amps, size_t dimension,
    double norm)
{
    unsigned char *blob = malloc(dimension * 16);
    if (!blob)
        return STORE_NOMEM;
    encode_amplitudes(amps, dimension, blob);
    store_status result;
    pg_conn *c = store_pg_get(st, &result);
    if (c)
        result = store_pg_begin(st, c);
    if (result == STORE_OK) {
        pg_params q = {0};
        store_pg_text(&q, id);
        store_pg_bytes(&q, blob, dimension * 16);
        store_pg_float8(&q, norm);
        store_pg_int8(&q, (int64_t)dimension);
        long changed = 0;
        result = store_pg_exec(c, SQL_SET_AMPS, &q, &changed);
        if (result == STORE_OK && changed == 0)
            result = STORE_NOTFOUND;
    }
    if (result == STORE_OK)
        result = store_pg_commit(c);
    if (c)
        result = store_pg_put(st, c, result);
    free(blob);
    return result;
}

store_status store_pg_superposition_delete(store *st, const char *id)
{
    store_status result;
    pg_conn *c = store_pg_get(st, &result);
    if (!c)
        return result;
    result = store_pg_begin(st, c);
    if (result == STORE_OK) {
        pg_params q = {0};
        store_pg_text(&q, id);
        long changed = 0;
        result = store_pg_exec(c, SQL_DELETE, &q, &changed);
        if (result == STORE_OK && changed == 0)
            result = STORE_NOTFOUND;
    }
    if (result == STORE_OK)
        result = store_pg_commit(c);
    return store_pg_put(st, c, result);
}

store_status store_pg_superposition_list(store *st, int64_t after,
                                         size_t limit,
                                         store_superposition **items,
                                         size_t *count, int64_t *next_after)
{
    *items = calloc(limit ? limit : 1, sizeof **items);
    *count = 0;
    *next_after = 0;
    if (!*items)
        return STORE_NOMEM;
    store_status result;
    pg_conn *c = store_pg_get(st, &result);
    if (c) {
        pg_params q = {0};
        store_pg_int8(&q, after);
        store_pg_int8(&q, (int64_t)limit + 1);
        PGresult *r;
        result = store_pg_run(c, SQL_LIST, &q, &r);
        if (result == STORE_OK) {
            int rows = PQntuples(r);
            for (int i = 0; result == STORE_OK && i < rows; i++) {
                if (*count == limit) { /* one more row exists */
                    *next_after = (*items)[limit - 1].seq;
                    break;
                }
                result = read_summary(r, i, &(*items)[(*count)++]);
            }
            PQclear(r);
        }
        result = store_pg_put(st, c, result);
    }
    if (result != STORE_OK) {
        store_superposition_array_free(*items, *count);
        *items = NULL;
        *count = 0;
    }
    return result;
}
