/* store/superposition.h - stored superpositions: the superpositions table. */
#ifndef PSINET_STORE_SUPERPOSITION_H
#define PSINET_STORE_SUPERPOSITION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cmplx.h"
#include "store/batch.h"
#include "store/store.h"

typedef struct {
    char id[STORE_ID_MAX];
    int64_t seq;
    char *name;                  /* NULL when unnamed */
    size_t dimension;            /* >= 1 */
    double complex *amplitudes;  /* dimension entries (NULL in list items) */
    char **labels;               /* dimension strings (NULL in list items) */
    double norm;                 /* L2 norm of the stored amplitudes */
    char created_at[STORE_TIME_MAX];
    char parent[STORE_ID_MAX];   /* the id it was made from, or "" */
    char *operation;             /* JSON object text of what made it, or
                                    NULL (and NULL in list items) */
} store_superposition;

void store_superposition_free(store_superposition *s);
void store_superposition_array_free(store_superposition *items, size_t n);

/* Inserts s (its name, dimension, amplitudes, labels, norm, parent and
 * operation, which must be a JSON object's text); fills s->id, s->seq and
 * s->created_at. */
store_status store_superposition_create(store *st, store_superposition *s);

/* Creates s without waiting for its commit (group commit,
 * store/batch.h): what it writes is copied, so s is the caller's again
 * when this returns, with its id and created_at set (on PostgreSQL, where
 * the row is written before this returns, its seq too). done(arg, status)
 * is called once the row is committed or has failed, from the writer's
 * thread, or from this one before it returns (no writer, PostgreSQL, or
 * STORE_NOMEM for the copy). */
void store_superposition_submit(store *st, store_superposition *s,
                                store_done_fn done, void *arg);

/* Loads the superposition `id` into *out (zeroed first). */
store_status store_superposition_get(store *st, const char *id,
                                     store_superposition *out);

/* Loads the summary of `id` (no amplitudes or labels) and its operation
 * into *out (zeroed first): what a walk back through parents reads. */
store_status store_superposition_head(store *st, const char *id,
                                      store_superposition *out);

/* Replaces the amplitudes and norm of `id` (dimension unchanged). */
store_status store_superposition_set_amplitudes(store *st, const char *id,
                                                const double complex *amps,
                                                size_t dimension, double norm);

store_status store_superposition_delete(store *st, const char *id);

/* A page of summaries (amplitudes, labels and operation NULL). */
store_status store_superposition_list(store *st, int64_t after, size_t limit,
                                      store_superposition **items,
                                      size_t *count, int64_t *next_after);

#endif
