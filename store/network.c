/* store/network.c - the networks and network_layers tables.
 *
 * weights: rows * cols little-endian doubles, row-major; bias: rows doubles
 * or NULL; alpha: the activation's parameter or NULL when it has none.
 * Layers are at positions 0, 1, ... and each takes the previous one's
 * outputs (its cols are the previous rows): a row that breaks any of this
 * is read as STORE_CORRUPT. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "codec/f64le.h"
#include "core/activation.h"
#include "store/internal.h"
#include "store/pg/pg.h"
#include "store/network.h"

/* The columns read_layer reads a layer's shape from. */
#define NET_LAYER_SHAPE                                                        \
    "position, rows, cols, activation, alpha, typeof(weights),"               \
    " length(weights), typeof(bias), length(bias)"

static const char SQL_INSERT[] =
    "INSERT INTO networks (id, name, created_at) VALUES (?1, ?2, ?3)";

static const char SQL_LAYER_INSERT[] =
    "INSERT INTO network_layers (network_seq, position, rows, cols,"
    " activation, alpha, weights, bias) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
    " ?8)";

static const char SQL_GET[] =
    "SELECT seq, id, name, created_at FROM networks WHERE id = ?1";

/* The shapes read the BLOBs' types and lengths, which SQLite knows
 * without reading the BLOBs themselves. */
static const char SQL_LAYERS[] =
    "SELECT " NET_LAYER_SHAPE ", weights, bias FROM network_layers"
    " WHERE network_seq = ?1 ORDER BY position";

static const char SQL_LAYERS_SHAPES[] =
    "SELECT " NET_LAYER_SHAPE " FROM network_layers"
    " WHERE network_seq = ?1 ORDER BY position";

static const char SQL_DELETE[] = "DELETE FROM networks WHERE id = ?1";

static const char SQL_LIST[] =
    "SELECT seq, id, name, created_at FROM networks"
    " WHERE (?1 = 0 OR seq < ?1) ORDER BY seq DESC LIMIT ?2";

void store_network_free(store_network *n)
{
    if (!n)
        return;
    for (size_t i = 0; n->layers && i < n->layer_count; i++) {
        free(n->layers[i].weights);
        free(n->layers[i].bias);
    }
    free(n->layers);
    free(n->name);
    memset(n, 0, sizeof *n);
}

void store_network_array_free(store_network *items, size_t n)
{
    for (size_t i = 0; items && i < n; i++)
        store_network_free(&items[i]);
    free(items);
}

/* Inserts one layer of the network whose row is net_seq. */
static store_status insert_layer(store_conn *c, sqlite3_int64 net_seq,
                                 size_t position, const store_layer *l)
{
    int rc;
    sqlite3_stmt *q = store_stmt(c, SQL_LAYER_INSERT, &rc);
    if (!q)
        return store_status_of(rc);
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
    sqlite3_bind_int64(q, 1, net_seq);
    sqlite3_bind_int64(q, 2, (sqlite3_int64)position);
    sqlite3_bind_int64(q, 3, (sqlite3_int64)l->rows);
    sqlite3_bind_int64(q, 4, (sqlite3_int64)l->cols);
    sqlite3_bind_text(q, 5, l->activation, -1, SQLITE_STATIC);
    if (l->has_alpha)
        sqlite3_bind_double(q, 6, l->alpha);
    sqlite3_bind_blob64(q, 7, w, wn * 8, SQLITE_STATIC);
    if (b)
        sqlite3_bind_blob64(q, 8, b, l->rows * 8, SQLITE_STATIC);
    store_status result = store_exec(q);
    free(w);
    free(b);
    return result;
}

/* A network on its way to the group-commit writer (store_row): the
 * caller's (store_network_create, which waits), or a copy of its own
 * (store_network_submit), which tells the caller its created_at when it
 * is stamped. */
typedef struct {
    store_network *net;
    store_network *caller; /* until stamped, with a copy */
    store_network own;
} net_row;

static void stamp_row(void *row)
{
    net_row *r = row;
    store_now(r->net->created_at);
    if (r->caller)
        memcpy(r->caller->created_at, r->net->created_at, STORE_TIME_MAX);
    r->caller = NULL;
}

/* Inserts the network row and its layers (store_row's write). */
static store_status insert_row(store_conn *c, void *row)
{
    store_network *net = ((net_row *)row)->net;
    int rc;
    sqlite3_stmt *q = store_stmt(c, SQL_INSERT, &rc);
    if (!q)
        return store_status_of(rc);
    sqlite3_bind_text(q, 1, net->id, -1, SQLITE_STATIC);
    if (net->name)
        sqlite3_bind_text(q, 2, net->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, net->created_at, -1, SQLITE_STATIC);
    store_status result = store_exec(q);
    if (result == STORE_OK)
        net->seq = sqlite3_last_insert_rowid(c->db);
    for (size_t i = 0; result == STORE_OK && i < net->layer_count; i++)
        result = insert_layer(c, net->seq, i, &net->layers[i]);
    return result;
}

store_status store_network_create(store *st, store_network *net)
{
    if (st->pg)
        return store_pg_network_create(st, net);
    store_new_id("net", net->id);
    /* Committed with the other rows waiting when group commit runs
     * (store/batch.h); created_at is stamped in commit order either way. */
    net_row r = {.net = net};
    store_row row = {insert_row, stamp_row, &r, NULL};
    return store_batch_write(st, &row);
}

static void release_row(void *row)
{
    net_row *r = row;
    store_network_free(&r->own);
    free(r);
}

/* A copy of d doubles, or NULL (with *ok false when it could not be
 * made). */
static double *copy_doubles(const double *v, size_t n, bool *ok)
{
    if (!v)
        return NULL;
    double *c = malloc(n * sizeof *c);
    if (c)
        memcpy(c, v, n * sizeof *c);
    else
        *ok = false;
    return c;
}

/* r->own as a copy of net that owns all it holds: false when memory ran
 * out (what was copied is freed with r). */
static bool copy_network(net_row *r, const store_network *net)
{
    store_network *o = &r->own;
    o->layers = calloc(net->layer_count ? net->layer_count : 1,
                       sizeof *o->layers);
    o->name = net->name ? strdup(net->name) : NULL;
    if (!o->layers || (net->name && !o->name))
        return false;
    bool ok = true;
    for (size_t i = 0; ok && i < net->layer_count; i++) {
        const store_layer *l = &net->layers[i];
        o->layers[i] = *l;
        o->layers[i].weights = NULL;
        o->layers[i].bias = NULL;
        o->layer_count = i + 1;
        o->layers[i].weights = copy_doubles(l->weights, l->rows * l->cols, &ok);
        o->layers[i].bias = copy_doubles(l->bias, l->rows, &ok);
    }
    return ok;
}

void store_network_submit(store *st, store_network *net, store_done_fn done,
                          void *arg)
{
    if (st->pg) { /* one commit per row (ARCHITECTURE.md) */
        done(arg, store_pg_network_create(st, net));
        return;
    }
    net_row *r = calloc(1, sizeof *r);
    if (!r || !copy_network(r, net)) {
        if (r)
            release_row(r);
        done(arg, STORE_NOMEM);
        return;
    }
    store_new_id("net", net->id);
    memcpy(r->own.id, net->id, STORE_ID_MAX);
    r->net = &r->own;
    r->caller = net;
    store_row row = {insert_row, stamp_row, r, release_row};
    store_batch_submit(st, &row, done, arg);
}

/* Column numbers of a row of SQL_LAYERS (the first nine are
 * SQL_LAYERS_SHAPES, NET_LAYER_SHAPE above). */
enum {
    COL_POSITION,
    COL_ROWS,
    COL_COLS,
    COL_ACTIVATION,
    COL_ALPHA,
    COL_WEIGHTS_TYPE,
    COL_WEIGHTS_LEN,
    COL_BIAS_TYPE,
    COL_BIAS_LEN,
    COL_WEIGHTS,
    COL_BIAS
};

/* Fills l from a layer row (the layer at `position`), with its arrays when
 * with_weights. STORE_CORRUPT for a row psinet could not have written: out
 * of place, a shape below 1x1 or whose entries overflow a size_t, weights
 * that are not a BLOB of exactly rows * cols doubles, a bias that is
 * neither NULL nor rows doubles, a NaN or an infinity, an activation this
 * psinet does not know, or an alpha it does not take (or a non-finite one). */
static store_status read_layer(sqlite3_stmt *q, size_t position,
                               bool with_weights, store_layer *l)
{
    if (sqlite3_column_type(q, COL_POSITION) != SQLITE_INTEGER ||
        sqlite3_column_int64(q, COL_POSITION) != (sqlite3_int64)position ||
        sqlite3_column_type(q, COL_ROWS) != SQLITE_INTEGER ||
        sqlite3_column_type(q, COL_COLS) != SQLITE_INTEGER)
        return STORE_CORRUPT;
    if (store_layer_shape(sqlite3_column_int64(q, COL_ROWS),
                          sqlite3_column_int64(q, COL_COLS), &l->rows,
                          &l->cols) != STORE_OK)
        return STORE_CORRUPT;
    size_t entries = l->rows * l->cols; /* no overflow: checked above */
    if (!store_typeof_is(q, COL_WEIGHTS_TYPE, "blob") ||
        !store_blob_holds(sqlite3_column_int64(q, COL_WEIGHTS_LEN), entries,
                          8))
        return STORE_CORRUPT;
    bool has_bias = !store_typeof_is(q, COL_BIAS_TYPE, "null");
    if (has_bias && (!store_typeof_is(q, COL_BIAS_TYPE, "blob") ||
                     !store_blob_holds(sqlite3_column_int64(q, COL_BIAS_LEN),
                                       l->rows, 8)))
        return STORE_CORRUPT;

    store_status result = store_column_copy(q, COL_ACTIVATION, l->activation,
                                            sizeof l->activation);
    if (result != STORE_OK)
        return result;
    int alpha_type = sqlite3_column_type(q, COL_ALPHA);
    l->has_alpha = alpha_type != SQLITE_NULL;
    l->alpha = l->has_alpha ? sqlite3_column_double(q, COL_ALPHA) : 0.0;
    if ((l->has_alpha && alpha_type != SQLITE_FLOAT) ||
        store_layer_activation(l->activation, l->has_alpha, l->alpha) !=
            STORE_OK)
        return STORE_CORRUPT;

    if (!with_weights)
        return STORE_OK;
    result = store_column_doubles(q, COL_WEIGHTS, entries, &l->weights);
    if (result == STORE_OK && has_bias)
        result = store_column_doubles(q, COL_BIAS, l->rows, &l->bias);
    return result;
}

/* Loads the layers of net (by net->seq) with or without their arrays.
 * STORE_CORRUPT when one is damaged (read_layer), when there is none, or
 * when a layer does not take the previous layer's outputs. */
static store_status load_layers(store_conn *c, store_network *net,
                                bool with_weights)
{
    int rc;
    sqlite3_stmt *q = store_stmt(
        c, with_weights ? SQL_LAYERS : SQL_LAYERS_SHAPES, &rc);
    if (!q)
        return store_status_of(rc);
    sqlite3_bind_int64(q, 1, net->seq);
    size_t cap = 4;
    net->layers = calloc(cap, sizeof *net->layers);
    store_status result = net->layers ? STORE_OK : STORE_NOMEM;
    while (result == STORE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (net->layer_count == cap) {
            store_layer *grown =
                realloc(net->layers, 2 * cap * sizeof *net->layers);
            if (!grown) {
                result = STORE_NOMEM;
                break;
            }
            memset(grown + cap, 0, cap * sizeof *grown);
            net->layers = grown;
            cap *= 2;
        }
        size_t i = net->layer_count++;
        result = read_layer(q, i, with_weights, &net->layers[i]);
        if (result == STORE_OK && i > 0 &&
            net->layers[i].cols != net->layers[i - 1].rows)
            result = STORE_CORRUPT; /* the chain does not fit */
    }
    if (result == STORE_OK && rc != SQLITE_DONE)
        result = store_status_of(rc);
    if (result == STORE_OK && net->layer_count == 0)
        result = STORE_CORRUPT; /* a network always has a layer */
    sqlite3_reset(q);
    return result;
}

/* Fills the network columns from a row of SQL_GET / SQL_LIST. */
static store_status read_network_row(sqlite3_stmt *q, store_network *net)
{
    net->seq = sqlite3_column_int64(q, 0);
    store_status r = store_column_copy(q, 1, net->id, sizeof net->id);
    if (r == STORE_OK)
        r = store_column_text(q, 2, true, &net->name);
    if (r == STORE_OK)
        r = store_column_copy(q, 3, net->created_at, sizeof net->created_at);
    return r;
}

store_status store_network_get(store *st, const char *id, bool with_weights,
                               store_network *out)
{
    if (st->pg)
        return store_pg_network_get(st, id, with_weights, out);
    memset(out, 0, sizeof *out);
    store_conn *c = store_conn_get(st);
    int rc = SQLITE_OK;
    store_status result = store_begin_read(c);
    sqlite3_stmt *q = result == STORE_OK ? store_stmt(c, SQL_GET, &rc)
                                         : NULL;
    if (result != STORE_OK) {
        /* result says why */
    } else if (!q) {
        result = store_status_of(rc);
    } else {
        sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
        rc = sqlite3_step(q);
        if (rc == SQLITE_ROW)
            result = read_network_row(q, out);
        else if (rc == SQLITE_DONE)
            result = STORE_NOTFOUND;
        else
            result = store_status_of(rc);
        sqlite3_reset(q);
        if (result == STORE_OK)
            result = load_layers(c, out, with_weights);
    }
    store_rollback(c); /* ends the read snapshot */
    result = store_conn_put(st, c, result);
    if (result != STORE_OK)
        store_network_free(out);
    return result;
}

store_status store_network_delete(store *st, const char *id)
{
    store_status result = st->pg ? store_pg_network_delete(st, id)
                                 : store_delete_by_id(st, SQL_DELETE, id);
    if (result == STORE_OK)
        store_cache_drop(st, id);
    return result;
}

store_status store_network_list(store *st, int64_t after, size_t limit,
                                store_network **items, size_t *count,
                                int64_t *next_after)
{
    if (st->pg)
        return store_pg_network_list(st, after, limit, items, count,
                                     next_after);
    *items = calloc(limit ? limit : 1, sizeof **items);
    *count = 0;
    *next_after = 0;
    if (!*items)
        return STORE_NOMEM;
    store_conn *c = store_conn_get(st);
    int rc = SQLITE_OK;
    store_status result = store_begin_read(c);
    sqlite3_stmt *q = result == STORE_OK ? store_stmt(c, SQL_LIST, &rc)
                                         : NULL;
    if (result != STORE_OK) {
        /* result says why */
    } else if (!q) {
        result = store_status_of(rc);
    } else {
        sqlite3_bind_int64(q, 1, after);
        sqlite3_bind_int64(q, 2, (sqlite3_int64)limit + 1);
        while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
            if (*count == limit) {
                *next_after = (*items)[limit - 1].seq;
                break;
            }
            result = read_network_row(q, &(*items)[(*count)++]);
            if (result != STORE_OK)
                break;
        }
        if (result == STORE_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
            result = store_status_of(rc);
        sqlite3_reset(q);
        /* Layer shapes, after the list statement is done with. */
        for (size_t i = 0; result == STORE_OK && i < *count; i++)
            result = load_layers(c, &(*items)[i], false);
    }
    store_rollback(c); /* ends the read snapshot */
    result = store_conn_put(st, c, result);
    if (result != STORE_OK) {
        store_network_array_free(*items, *count);
        *items = NULL;
        *count = 0;
    }
    return result;
}
