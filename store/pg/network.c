/* store/pg/network.c - the networks and network_layers tables on
 * PostgreSQL (migrations/postgresql/0001): as store/network.c, with
 * weights and biases as bytea of little-endian doubles. A delete NOTIFYs
 * the id to every replica (store/pg/listen.c). */
#include <stdlib.h>
#include <string.h>

#include "codec/f64le.h"
#include "store/pg/pg.h"

static const char SQL_INSERT[] =
    "INSERT INTO networks (id, name, created_at) VALUES ($1::text, $2::text,"
    " $3::text) RETURNING seq";

static const char SQL_LAYER_INSERT[] =
    "INSERT INTO network_layers (network_seq, position, rows, cols,"
    " activation, alpha, weights, bias) VALUES ($1::int8, $2::int8, $3::int8,"
    " $4::int8, $5::text, $6::float8, $7::bytea, $8::bytea)";

static const char SQL_GET[] =
    "SELECT seq, id, name, created_at FROM networks WHERE id = $1::text";

/* Shapes: the arrays' lengths, which do not need the arrays read. */
#define SHAPE                                                                  \
    "position, rows, cols, activation, alpha, octet_length(weights)::int8,"   \
    " octet_length(bias)::int8"

static const char SQL_LAYERS[] =
    "SELECT " SHAPE ", weights, bias FROM network_layers"
    " WHERE network_seq = $1::int8 ORDER BY position";

static const char SQL_LAYERS_SHAPES[] =
    "SELECT " SHAPE " FROM network_layers"
    " WHERE network_seq = $1::int8 ORDER BY position";

static const char SQL_DELETE[] = "DELETE FROM networks WHERE id = $1::text";

static const char SQL_EXISTS[] =
    "SELECT 1::int8 FROM networks WHERE id = $1::text";

static const char SQL_NOTIFY[] =
    "SELECT pg_notify('" PG_CHANNEL_NETWORKS "', $1::text)";

static const char SQL_LIST[] =
    "SELECT seq, id, name, created_at FROM networks"
    " WHERE ($1::int8 = 0 OR seq < $1::int8) ORDER BY seq DESC"
    " LIMIT $2::int8";

enum {
    COL_POSITION, COL_ROWS, COL_COLS, COL_ACTIVATION, COL_ALPHA,
    COL_WEIGHTS_LEN, COL_BIAS_LEN, COL_WEIGHTS, COL_BIAS
};

static store_status insert_layer(pg_conn *c, int64_t net_seq,
                                 size_t position, const store_layer *l)
{
    size_t wn = l->rows * l->cols;
    unsigned char *w = malloc(wn * 8);
    unsigned char *b = l->bias ? malloc(l->rows * 8) : NULL;
    if (!w || (l->bias && !b)) {
        free(w);
        free(b);
        return STORE_NOMEM;
    }
    f64le_encode(l->weights, wn, w);
    if (b)
        f64le_encode(l->bias, l->rows, b);
    pg_params q = {0};
    store_pg_int8(&q, net_seq);
    store_pg_int8(&q, (int64_t)position);
    store_pg_int8(&q, (int64_t)l->rows);
    store_pg_int8(&q, (int64_t)l->cols);
    store_pg_text(&q, l->activation);
    if (l->has_alpha)
        store_pg_float8(&q, l->alpha);
    else
        store_pg_null(&q);
    store_pg_bytes(&q, w, wn * 8);
    if (b)
        store_pg_bytes(&q, b, l->rows * 8);
    else
        store_pg_null(&q);
    store_status result = store_pg_exec(c, SQL_LAYER_INSERT, &q, NULL);
    free(w);
    free(b);
    return result;
}

store_status store_pg_network_create(store *st, store_network *net)
{
    store_new_id("net", net->id);
    store_status result;
    pg_conn *c = store_pg_get(st, &result);
    if (c)
        result = store_pg_begin(st, c);
    if (result == STORE_OK)
        result = store_pg_lock_table(c, PG_LOCK_NETWORKS);
    if (result == STORE_OK) {
        store_now(net->created_at); /* inside the lock: list order */
        pg_params q = {0};
        store_pg_text(&q, net->id);
        store_pg_text(&q, net->name);
        store_pg_text(&q, net->created_at);
        PGresult *r;
        result = store_pg_run(c, SQL_INSERT, &q, &r);
        if (result == STORE_OK) {
            result = PQntuples(r) == 1
                         ? store_pg_col_int8(r, 0, 0, &net->seq)
                         : STORE_ERROR;
            PQclear(r);
        }
    }
    for (size_t i = 0; result == STORE_OK && i < net->layer_count; i++)
        result = insert_layer(c, net->seq, i, &net->layers[i]);
    if (result == STORE_OK)
        result = store_pg_commit(c);
    return c ? store_pg_put(st, c, result) : result;
}

/* Fills l from row `row` (the layer at that position): the checks of
 * store/network.c's read_layer. */
static store_status read_layer(const PGresult *r, int row, bool with_weights,
                               store_layer *l)
{
    int64_t position, rows, cols, wlen, blen = 0;
    store_status e = store_pg_col_int8(r, row, COL_POSITION, &position);
    if (e == STORE_OK && position != row)
        e = STORE_CORRUPT;
    if (e == STORE_OK)
        e = store_pg_col_int8(r, row, COL_ROWS, &rows);
    if (e == STORE_OK)
        e = store_pg_col_int8(r, row, COL_COLS, &cols);
    if (e == STORE_OK)
        e = store_layer_shape(rows, cols, &l->rows, &l->cols);
    if (e != STORE_OK)
        return e;
    size_t entries = l->rows * l->cols; /* no overflow: checked above */
    e = store_pg_col_int8(r, row, COL_WEIGHTS_LEN, &wlen);
    if (e == STORE_OK &&
        (wlen < 0 || !store_bytes_hold((uint64_t)wlen, entries, 8)))
        e = STORE_CORRUPT;
    bool has_bias = !PQgetisnull(r, row, COL_BIAS_LEN);
    if (e == STORE_OK && has_bias)
        e = store_pg_col_int8(r, row, COL_BIAS_LEN, &blen);
    if (e == STORE_OK && has_bias &&
        (blen < 0 || !store_bytes_hold((uint64_t)blen, l->rows, 8)))
        e = STORE_CORRUPT;
    if (e == STORE_OK)
        e = store_pg_col_copy(r, row, COL_ACTIVATION, l->activation,
                              sizeof l->activation);
    bool null = true;
    if (e == STORE_OK)
        e = store_pg_col_float8(r, row, COL_ALPHA, true, &null, &l->alpha);
    l->has_alpha = !null;
    if (e == STORE_OK)
        e = store_layer_activation(l->activation, l->has_alpha, l->alpha);
    if (e != STORE_OK || !with_weights)
        return e;
    const unsigned char *b;
    size_t len;
    e = store_pg_col_bytes(r, row, COL_WEIGHTS, false, &b, &len);
    if (e == STORE_OK)
        e = store_doubles_decode(b, len, entries, &l->weights);
    if (e == STORE_OK && has_bias)
        e = store_pg_col_bytes(r, row, COL_BIAS, false, &b, &len);
    if (e == STORE_OK && has_bias)
        e = store_doubles_decode(b, len, l->rows, &l->bias);
    return e;
}

static store_status load_layers(pg_conn *c, store_network *net,
                                bool with_weights)
{
    pg_params q = {0};
    store_pg_int8(&q, net->seq);
    PGresult *r;
    store_status result = store_pg_run(
        c, with_weights ? SQL_LAYERS : SQL_LAYERS_SHAPES, &q, &r);
    if (result != STORE_OK)
        return result;
    int rows = PQntuples(r);
    if (rows == 0)
        result = STORE_CORRUPT; /* a network always has a layer */
    else if (!(net->layers = calloc((size_t)rows, sizeof *net->layers)))
        result = STORE_NOMEM;
    for (int i = 0; result == STORE_OK && i < rows; i++) {
        net->layer_count = (size_t)i + 1;
        result = read_layer(r, i, with_weights, &net->layers[i]);
        if (result == STORE_OK && i > 0 &&
            net->layers[i].cols != net->layers[i - 1].rows)
            result = STORE_CORRUPT; /* the chain does not fit */
    }
    PQclear(r);
    return result;
}

static store_status read_network(const PGresult *r, int row,
                                 store_network *net)
{
    store_status e = store_pg_col_int8(r, row, 0, &net->seq);
    if (e == STORE_OK)
        e = store_pg_col_copy(r, row, 1, net->id, sizeof net->id);
    if (e == STORE_OK)
        e = store_pg_col_text(r, row, 2, true, &net->name);
    if (e == STORE_OK)
        e = store_pg_col_copy(r, row, 3, net->created_at,
                              sizeof net->created_at);
    return e;
}

store_status store_pg_network_get(store *st, const char *id,
                                  bool with_weights, store_network *out)
{
    memset(out, 0, sizeof *out);
    store_status result;
    pg_conn *c = store_pg_get(st, &result);
    if (!c)
        return result;
    result = store_pg_begin_read(c);
    if (result == STORE_OK) {
        pg_params q = {0};
        store_pg_text(&q, id);
        PGresult *r;
        result = store_pg_run(c, SQL_GET, &q, &r);
        if (result == STORE_OK) {
            result = PQntuples(r) == 0 ? STORE_NOTFOUND
                                       : read_network(r, 0, out);
            PQclear(r);
        }
    }
    if (result == STORE_OK)
        result = load_layers(c, out, with_weights);
    store_pg_rollback(c); /* ends the snapshot */
    result = store_pg_put(st, c, result);
    if (result != STORE_OK)
        store_network_free(out);
    return result;
}

store_status store_pg_network_delete(store *st, const char *id)
{
    store_status result;
    pg_conn *c = store_pg_get(st, &result);
    if (!c)
        return result;
    result = store_pg_begin(st, c);
    pg_params q = {0};
    store_pg_text(&q, id);
    if (result == STORE_OK) {
        long changed = 0;
        result = store_pg_exec(c, SQL_DELETE, &q, &changed);
        if (result == STORE_OK && changed == 0)
            result = STORE_NOTFOUND;
    }
    /* Sent to every listener when, and only when, the delete commits. */
    if (result == STORE_OK)
        result = store_pg_exec(c, SQL_NOTIFY, &q, NULL);
    if (result == STORE_OK)
        result = store_pg_commit(c);
    return store_pg_put(st, c, result);
}

store_status store_pg_network_exists(store *st, const char *id)
{
    store_status result;
    pg_conn *c = store_pg_get(st, &result);
    if (!c)
        return result;
    pg_params q = {0};
    store_pg_text(&q, id);
    PGresult *r;
    result = store_pg_run(c, SQL_EXISTS, &q, &r);
    if (result == STORE_OK) {
        if (PQntuples(r) == 0)
            result = STORE_NOTFOUND;
        PQclear(r);
    }
    return store_pg_put(st, c, result);
}

store_status store_pg_network_list(store *st, int64_t after, size_t limit,
                                   store_network **items, size_t *count,
                                   int64_t *next_after)
{
    *items = calloc(limit ? limit : 1, sizeof **items);
    *count = 0;
    *next_after = 0;
    if (!*items)
        return STORE_NOMEM;
    store_status result;
    pg_conn *c = store_pg_get(st, &result);
    if (c) {
        result = store_pg_begin_read(c);
        PGresult *r = NULL;
        if (result == STORE_OK) {
            pg_params q = {0};
            store_pg_int8(&q, after);
            store_pg_int8(&q, (int64_t)limit + 1);
            result = store_pg_run(c, SQL_LIST, &q, &r);
        }
        if (result == STORE_OK) {
            int rows = PQntuples(r);
            for (int i = 0; result == STORE_OK && i < rows; i++) {
                if (*count == limit) {
                    *next_after = (*items)[limit - 1].seq;
                    break;
                }
                result = read_network(r, i, &(*items)[(*count)++]);
            }
            PQclear(r);
        }
        for (size_t i = 0; result == STORE_OK && i < *count; i++)
            result = load_layers(c, &(*items)[i], false);
        store_pg_rollback(c);
        result = store_pg_put(st, c, result);
    }
    if (result != STORE_OK) {
        store_network_array_free(*items, *count);
        *items = NULL;
        *count = 0;
    }
    return result;
}
