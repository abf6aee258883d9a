/* store/store.h - psinet's persistence: superpositions, networks and analogy
 * experiments in one SQLite database.
 *
 * A `store` is a small pool of SQLite connections to one file, safe to use
 * from many threads at once: each call borrows a connection for its duration.
 * Every statement is prepared (never built from request text). The schema is
 * the embedded migrations/NNNN_*.sql, applied by store_open.
 *
 * Ownership: every store_* call that fills a struct or array allocates it;
 * the caller frees it with the matching *_free function. Strings passed in
 * are borrowed (copied if kept).
 *
 * The store knows nothing of JSON or HTTP: experiment params and results are
 * opaque UTF-8 text to it, and a failure is a store_status value. */
#ifndef PSINET_STORE_STORE_H
#define PSINET_STORE_STORE_H

#include <complex.h>

/* CMPLX is C11, but glibc defines it only for compilers it believes are
 * GCC 4.7 or later, which leaves clang without it. */
#ifndef CMPLX
#define CMPLX(x, y) __builtin_complex((double)(x), (double)(y))
#endif
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    STORE_OK = 0,
    STORE_NOTFOUND, /* no row with that id */
    STORE_BUSY,     /* the database stayed locked past the busy timeout */
    STORE_FULL,     /* disk or quota full */
    STORE_READONLY, /* the file or its directory cannot be written */
    STORE_IOERR,    /* an I/O error from the OS */
    STORE_UNCONFIRMED, /* COMMIT wrote its records but the disk did not
                          confirm them (fsync failed): the write may or may
                          not be there after a restart */
    STORE_CORRUPT,  /* the file is not a usable psinet database */
    STORE_SCHEMA,   /* the file's schema is newer than this binary knows */
    STORE_NOMEM,
    STORE_ERROR     /* anything else (a bug: logged by the caller) */
} store_status;

/* A short English description of a status (static string). */
const char *store_status_str(store_status st);

typedef struct store store;

/* Size limits of identifiers and timestamps, including the NUL. */
#define STORE_ID_MAX 32   /* "sup_" / "net_" / "exp_" + 20 base32 chars */
#define STORE_TIME_MAX 32 /* "2026-11-24T23:40:00.123Z" */

/* Opens (creating if needed) the database at path with `connections` pooled
 * connections (>= 1), sets WAL, synchronous=FULL, foreign_keys=ON and a busy
 * timeout of busy_ms milliseconds (how long a write waits for another
 * writer's lock before STORE_BUSY), and applies every embedded migration not applied yet, each in its
 * own transaction. On failure returns NULL, sets *status, and writes a
 * human-readable reason to errbuf (e.g. "database schema version 7 is newer
 * than this psinet knows (3)"). */
store *store_open(const char *path, int connections, int busy_ms,
                  store_status *status, char *errbuf, size_t errlen);

/* Closes every connection and frees the store. NULL is a no-op. */
void store_close(store *st);

/* STORE_OK when the database answers a trivial query. */
store_status store_ping(store *st);

/* Whether st has met damage since it was opened: a statement that SQLite
 * answered with SQLITE_CORRUPT or SQLITE_NOTADB, or a row psinet could not
 * have written (both are STORE_CORRUPT to the caller). Sticky: it stays
 * set until the process opens the file again. While it is set every write
 * is refused with STORE_CORRUPT, so that nothing more is written into a
 * damaged file; reads go on, and each one that meets damage is
 * STORE_CORRUPT in turn. Safe from any thread. */
bool store_damaged(store *st);

/* The schema version the database is at (the highest applied migration). */
store_status store_schema_version(store *st, int *version);

/* The highest migration version compiled into this binary. */
int store_known_schema_version(void);

/* ------------------------------------------------------------ pagination
 * Lists are newest first, ordered by an internal sequence number that only
 * grows. A page ends with *next_after = the sequence of its last row when
 * more rows may follow (0 when it was the last page); passing that back as
 * `after` continues exactly after it, even while new rows are being added. */

/* ------------------------------------------------------------ superpositions */
typedef struct {
    char id[STORE_ID_MAX];
    int64_t seq;
    char *name;                  /* NULL when unnamed */
    size_t dimension;            /* >= 1 */
    double complex *amplitudes;  /* dimension entries (NULL in list items) */
    char **labels;               /* dimension strings (NULL in list items) */
    double norm;                 /* L2 norm of the stored amplitudes */
    char created_at[STORE_TIME_MAX];
} store_superposition;

void store_superposition_free(store_superposition *s);
void store_superposition_array_free(store_superposition *items, size_t n);

/* Inserts s (its name, dimension, amplitudes, labels, norm); fills s->id,
 * s->seq and s->created_at. */
store_status store_superposition_create(store *st, store_superposition *s);

/* Loads the superposition `id` into *out (zeroed first). */
store_status store_superposition_get(store *st, const char *id,
                                     store_superposition *out);

/* Replaces the amplitudes and norm of `id` (dimension unchanged). */
store_status store_superposition_set_amplitudes(store *st, const char *id,
                                                const double complex *amps,
                                                size_t dimension, double norm);

store_status store_superposition_delete(store *st, const char *id);

/* A page of summaries (amplitudes and labels NULL). */
store_status store_superposition_list(store *st, int64_t after, size_t limit,
                                      store_superposition **items,
                                      size_t *count, int64_t *next_after);

/* ------------------------------------------------------------ networks */
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

/* ------------------------------------------------------------ experiments */
typedef struct {
    char id[STORE_ID_MAX];
    int64_t seq;
    char *name;
    char kind[32];
    char *params_json;  /* opaque text */
    char *result_json;  /* opaque text */
    char **tags;
    size_t tag_count;
    char *notes;        /* NULL when none */
    char created_at[STORE_TIME_MAX];
    char updated_at[STORE_TIME_MAX];
} store_experiment;

void store_experiment_free(store_experiment *e);
void store_experiment_array_free(store_experiment *items, size_t n);

store_status store_experiment_create(store *st, store_experiment *e);
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

/* Filters; NULL fields do not filter. Times are RFC 3339 UTC strings in the
 * store's own canonical form (compared as text). */
typedef struct {
    const char *kind;
    const char *tag;
    const char *name_contains;  /* plain substring, no wildcards */
    const char *created_after;  /* exclusive */
    const char *created_before; /* exclusive */
} store_experiment_filter;

store_status store_experiment_list(store *st,
                                   const store_experiment_filter *filter,
                                   int64_t after, size_t limit,
                                   store_experiment **items, size_t *count,
                                   int64_t *next_after);

#endif
