/* store/network.h - stored networks: the networks and network_layers
 * tables, and a cache of networks for forward passes. */
#ifndef PSINET_STORE_NETWORK_H
#define PSINET_STORE_NETWORK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/batch.h"
#include "store/store.h"

typedef struct {
    size_t rows, cols;        /* outputs x inputs */
    char activation[24];      /* API name, e.g. "leaky_relu" */
    double alpha;             /* the activation's parameter */
    bool has_alpha;           /* whether alpha was given or defaulted */
    double *weights;          /* rows*cols row-major (NULL in summaries) */
    double *bias;             /* rows, or NULL for zeros / in summaries */
} store_layer;

typedef struct {
    char id[STORE_ID_MAX];
    int64_t seq;
    char *name;
    size_t layer_count;
    store_layer *layers;
    char created_at[STORE_TIME_MAX];
} store_network;

void store_network_free(store_network *n);
void store_network_array_free(store_network *items, size_t n);

/* Inserts a network with all its layers in one transaction; fills id, seq,
 * created_at. Weights and biases are stored as BLOBs of little-endian
 * IEEE-754 doubles. */
store_status store_network_create(store *st, store_network *net);

/* Creates net without waiting for its commit (group commit,
 * store/batch.h): what it writes is copied, so net is the caller's again
 * when this returns, with its id and created_at set (on PostgreSQL, where
 * the row is written before this returns, its seq too). done(arg, status)
 * is called once the row is committed or has failed, from the writer's
 * thread, or from this one before it returns (no writer, PostgreSQL, or
 * STORE_NOMEM for the copy). */
void store_network_submit(store *st, store_network *net, store_done_fn done,
                          void *arg);

/* Loads a network; with_weights false leaves weights and bias NULL. */
store_status store_network_get(store *st, const char *id, bool with_weights,
                               store_network *out);

/* Deletes the network (and its layers) and drops it from the cache. */
store_status store_network_delete(store *st, const char *id);

/* A page of networks with their layer shapes but no weights. */
store_status store_network_list(store *st, int64_t after, size_t limit,
                                store_network **items, size_t *count,
                                int64_t *next_after);

/* The network `id` with its weights, from a bounded in-memory cache (loaded
 * on a miss). The result is shared and read-only: hand it back with
 * store_network_release. Safe from any thread. */
store_status store_network_acquire(store *st, const char *id,
                                   const store_network **out);
void store_network_release(store *st, const store_network *net);

/* Whether network `id` is in the cache, so that store_network_acquire
 * would hand it over without reading the database (never with
 * PostgreSQL, whose cached copies are checked against the database
 * first); then *weights is the count of its weights (the multiply-adds of
 * a pass, per input) and *width its input's. Takes no reference and does
 * not count as a use. */
bool store_network_peek(store *st, const char *id, size_t *weights,
                        size_t *width);

#endif
