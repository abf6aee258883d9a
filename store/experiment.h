/* store/experiment.h - analogy experiments: the experiments and
 * experiment_tags tables. Params and results are opaque JSON text here. */
#ifndef PSINET_STORE_EXPERIMENT_H
#define PSINET_STORE_EXPERIMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/batch.h"
#include "store/store.h"

typedef struct {
    char id[STORE_ID_MAX];
    int64_t seq;
    char *name;
    char kind[32];
    char *params_json;  /* opaque text */
    char *result_json;  /* opaque text */
    char *inputs_json;  /* opaque text: the stored inputs it ran on and
                           their hashes (migrations/0006), or NULL when
                           not recorded; written by create, read by get
                           (NULL in list items) */
    char **tags;
    size_t tag_count;
    char *notes;        /* NULL when none */
    char created_at[STORE_TIME_MAX];
    char updated_at[STORE_TIME_MAX];
} store_experiment;

void store_experiment_free(store_experiment *e);
void store_experiment_array_free(store_experiment *items, size_t n);

/* Creates e: sets its id, seq, created_at and updated_at. While the
 * group-commit writer runs (store/batch.h), e joins its queue and the call
 * waits for the commit that holds it. */
store_status store_experiment_create(store *st, store_experiment *e);

/* Creates e as store_experiment_create does, without waiting: its id is
 * set when this returns (and, but on PostgreSQL, its created_at and
 * updated_at), and done(arg, status) is called once the row is committed
 * or has failed, on the writer's thread (or on this one, before this
 * returns, when no writer runs). e and its strings stay the caller's and
 * must live until done is called; seq is set by then. */
void store_experiment_submit(store *st, store_experiment *e,
                             store_done_fn done, void *arg);
store_status store_experiment_get(store *st, const char *id,
                                  store_experiment *out);

/* Changes only the fields that are given: name when non-NULL, notes when
 * set_notes (NULL clears them), tags when set_tags (replacing all of them).
 * Sets updated_at. Params and results never change. Fills *out with the
 * updated row. */
typedef struct {
    const char *name;
    bool set_notes;
    const char *notes; /* NULL clears */
    bool set_tags;
    const char *const *tags;
    size_t tag_count;
} store_experiment_patch;

store_status store_experiment_update(store *st, const char *id,
                                     const store_experiment_patch *patch,
                                     store_experiment *out);

store_status store_experiment_delete(store *st, const char *id);

/* Most values one filter may list. */
#define STORE_FILTER_VALUES 8

/* Filters: a row passes when it matches every filter given. A filter that
 * lists values matches any of them; an empty list (count 0) or a NULL time
 * does not filter. Times are RFC 3339 UTC strings in the store's own
 * canonical form (compared as text). */
typedef struct {
    const char *kind[STORE_FILTER_VALUES];
    size_t kind_count;
    const char *tag[STORE_FILTER_VALUES];
    size_t tag_count;
    const char *name_contains[STORE_FILTER_VALUES]; /* plain substrings, no
                                                       wildcards */
    size_t name_count;
    const char *created_after;  /* exclusive */
    const char *created_before; /* exclusive */
} store_experiment_filter;

/* Up to limit experiments that pass filter, newest first, from the one
 * after position `after` (a seq; 0: from the newest). *next_after is the
 * position to continue from, or 0 when there is no more. */
store_status store_experiment_list(store *st,
                                   const store_experiment_filter *filter,
                                   int64_t after, size_t limit,
                                   store_experiment **items, size_t *count,
                                   int64_t *next_after);

/* The same, and the page also ends once its rows hold max_bytes bytes of
 * text (name, params, result, notes; at least one row is read whatever
 * its size): a reader that goes through every row page by page, in one
 * short read each, holds a bounded amount at a time. (On PostgreSQL the
 * page is bounded by its rows only.) */
store_status store_experiment_scan(store *st,
                                   const store_experiment_filter *filter,
                                   int64_t after, size_t limit,
                                   size_t max_bytes, store_experiment **items,
                                   size_t *count, int64_t *next_after);

#endif
