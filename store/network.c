/* store/network.c - the networks and network_layers tables.
 *
 * weights: rows * cols little-endian doubles, row-major; bias: rows doubles
 * or NULL; alpha: the activation's parameter or NULL when it has none. */
#include <stdlib.h>
#include <string.h>

#include "store/internal.h"

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
    sqlite3_stmt *q = store_stmt(c, STMT_NET_LAYER_INSERT, &rc);
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
    store_encode_doubles(l->weights, wn, w);
    if (b)
        store_encode_doubles(l->bias, l->rows, b);
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

store_status store_network_create(store *st, store_network *net)
{
    store_new_id("net", net->id);
    store_conn *c;
    sqlite3_stmt *q;
    store_status result = store_write_begin(st, STMT_NET_INSERT, &c, &q);
    if (result == STORE_OK) {
        store_now(net->created_at); /* inside the write lock: list order */
        sqlite3_bind_text(q, 1, net->id, -1, SQLITE_STATIC);
        if (net->name)
            sqlite3_bind_text(q, 2, net->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 3, net->created_at, -1, SQLITE_STATIC);
        result = store_exec(q);
        if (result == STORE_OK)
            net->seq = sqlite3_last_insert_rowid(c->db);
        for (size_t i = 0; result == STORE_OK && i < net->layer_count; i++)
            result = insert_layer(c, net->seq, i, &net->layers[i]);
    }
    return store_write_end(st, c, result);
}

/* Reads a blob of n doubles into a new array; false when its length is
 * wrong (a damaged row) or memory ran out (*oom). */
static bool read_doubles(sqlite3_stmt *q, int col, size_t n, double **out,
                         bool *oom)
{
    const void *blob = sqlite3_column_blob(q, col);
    size_t len = (size_t)sqlite3_column_bytes(q, col);
    if (len != n * 8 || !blob)
        return false;
    *out = malloc(n * sizeof **out);
    if (!*out) {
        *oom = true;
        return false;
    }
    store_decode_doubles(blob, n, *out);
    return true;
}

/* Loads the layers of net (by net->seq) with or without their arrays. */
static store_status load_layers(store_conn *c, store_network *net,
                                bool with_weights)
{
    int rc;
    sqlite3_stmt *q = store_stmt(
        c, with_weights ? STMT_NET_LAYERS : STMT_NET_LAYERS_SHAPES, &rc);
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
        store_layer *l = &net->layers[net->layer_count++];
        sqlite3_int64 rows = sqlite3_column_int64(q, 0);
        sqlite3_int64 cols = sqlite3_column_int64(q, 1);
        if (rows < 1 || cols < 1) {
            result = STORE_CORRUPT;
            break;
        }
        l->rows = (size_t)rows;
        l->cols = (size_t)cols;
        store_column_copy(q, 2, l->activation, sizeof l->activation);
        l->has_alpha = sqlite3_column_type(q, 3) != SQLITE_NULL;
        l->alpha = l->has_alpha ? sqlite3_column_double(q, 3) : 0.0;
        if (!with_weights)
            continue;
        bool oom = false;
        if (!read_doubles(q, 4, l->rows * l->cols, &l->weights, &oom) ||
            (sqlite3_column_type(q, 5) != SQLITE_NULL &&
             !read_doubles(q, 5, l->rows, &l->bias, &oom)))
            result = oom ? STORE_NOMEM : STORE_CORRUPT;
    }
    if (result == STORE_OK && rc != SQLITE_DONE)
        result = store_status_of(rc);
    if (result == STORE_OK && net->layer_count == 0)
        result = STORE_CORRUPT; /* a network always has a layer */
    sqlite3_reset(q);
    return result;
}

/* Fills the network columns from a row of STMT_NET_GET / STMT_NET_LIST. */
static store_status read_network_row(sqlite3_stmt *q, store_network *net)
{
    bool oom = false;
    net->seq = sqlite3_column_int64(q, 0);
    store_column_copy(q, 1, net->id, sizeof net->id);
    net->name = store_column_strdup(q, 2, &oom);
    store_column_copy(q, 3, net->created_at, sizeof net->created_at);
    return oom ? STORE_NOMEM : STORE_OK;
}

store_status store_network_get(store *st, const char *id, bool with_weights,
                               store_network *out)
{
    memset(out, 0, sizeof *out);
    store_conn *c = store_conn_get(st);
    int rc = SQLITE_OK;
    store_status result = store_begin_read(c);
    sqlite3_stmt *q = result == STORE_OK ? store_stmt(c, STMT_NET_GET, &rc)
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
    store_conn_put(st, c);
    if (result != STORE_OK)
        store_network_free(out);
    return result;
}

store_status store_network_delete(store *st, const char *id)
{
    store_status result = store_delete_by_id(st, STMT_NET_DELETE, id);
    if (result == STORE_OK)
        store_cache_drop(st, id);
    return result;
}

store_status store_network_list(store *st, int64_t after, size_t limit,
                                store_network **items, size_t *count,
                                int64_t *next_after)
{
    *items = calloc(limit ? limit : 1, sizeof **items);
    *count = 0;
    *next_after = 0;
    if (!*items)
        return STORE_NOMEM;
    store_conn *c = store_conn_get(st);
    int rc = SQLITE_OK;
    store_status result = store_begin_read(c);
    sqlite3_stmt *q = result == STORE_OK ? store_stmt(c, STMT_NET_LIST, &rc)
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
    store_conn_put(st, c);
    if (result != STORE_OK) {
        store_network_array_free(*items, *count);
        *items = NULL;
        *count = 0;
    }
    return result;
}
