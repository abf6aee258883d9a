/* store/pg/pg.h - the PostgreSQL backend: what its files share and nobody
 * else sees.
 *
 * The same public store API as SQLite's (store/store.h and the per-table
 * headers); each public function of a table's file hands a PostgreSQL store
 * to its store_pg_* twin here. What differs from SQLite:
 *
 * - A pool of libpq connections, one per worker thread of the server
 *   (borrowed per call, like SQLite's), each SET to synchronous_commit = on
 *   and lock_timeout = the busy timeout. A connection found broken is
 *   reset before its next use: a lost server costs the calls that met it a
 *   STORE_OFFLINE (503), and the next call reconnects.
 * - Every statement is prepared once per connection (named by its place in
 *   the connection's list, found again by its SQL text's address), with
 *   binary parameters and results: integers, doubles and byte arrays travel
 *   as their bytes, so doubles stay bit-exact.
 * - Rows are created under a transaction-scoped advisory lock of their
 *   table, taken before the sequence number is drawn: numbers are drawn in
 *   commit order, so a walk of pages (seq < after) never passes a row that
 *   commits later, whichever replica wrote it.
 * - A commit whose answer is lost (the connection broke after COMMIT was
 *   sent) is STORE_UNCONFIRMED: it may or may not have been kept.
 * - The network cache stays true with several replicas: a forward pass
 *   served from it first asks whether the network still exists (one
 *   indexed lookup; its weights are not read again), and a delete is
 *   announced with NOTIFY, on which every replica drops the network from
 *   its memory (store/pg/listen.c). */
#ifndef PSINET_STORE_PG_PG_H
#define PSINET_STORE_PG_PG_H

#include <libpq-fe.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "store/experiment.h"
#include "store/internal.h"
#include "store/network.h"
#include "store/superposition.h"

/* PostgreSQL's type OIDs for the columns psinet reads (pg_type.h). */
#define PG_BOOL 16
#define PG_BYTEA 17
#define PG_INT8 20
#define PG_INT4 23
#define PG_TEXT 25
#define PG_JSON 114
#define PG_FLOAT8 701

/* The advisory locks psinet takes: (PG_LOCK_CLASS, one of these). */
#define PG_LOCK_CLASS 0x70736e74 /* "psnt" */
enum { PG_LOCK_MIGRATE = 0, PG_LOCK_SUPERPOSITIONS = 1,
       PG_LOCK_NETWORKS = 2, PG_LOCK_EXPERIMENTS = 3 };

/* The channel deleted networks' ids are announced on. */
#define PG_CHANNEL_NETWORKS "psinet_network_deleted"

typedef struct {
    PGconn *conn;
    const char *conninfo; /* the store's: to connect again */
    int busy_ms;
    const char **prepared; /* SQL texts prepared on conn; statement "p<i>" */
    size_t count, cap;
    bool in_txn;
} pg_conn;

struct store_pg {
    char *conninfo;
    int busy_ms;
    int size;
    pg_conn *conns;
    int *idle;
    int idle_count;
    pthread_mutex_t lock;
    pthread_cond_t available;

    /* The listener of deleted networks (store/pg/listen.c). */
    pthread_t listener;
    bool listener_started;
    int wake[2];          /* a pipe that wakes the listener to stop it */
    atomic_bool listening; /* LISTEN is in force: the cache may be used */
};

/* Parameters of one statement, in binary form. */
#define PG_MAX_PARAMS 32
typedef struct {
    int n;
    const char *values[PG_MAX_PARAMS];
    int lengths[PG_MAX_PARAMS];
    int formats[PG_MAX_PARAMS];
    unsigned char scratch[PG_MAX_PARAMS][8]; /* integers and doubles */
} pg_params;

void store_pg_int8(pg_params *p, int64_t v);
void store_pg_float8(pg_params *p, double v);
/* Text (NULL: SQL NULL); also json, whose binary form is its text. */
void store_pg_text(pg_params *p, const char *s);
void store_pg_bytes(pg_params *p, const void *b, size_t len);
void store_pg_null(pg_params *p);
/* An int8[] of v[0 .. n-1], written into buf (PG_INT8_ARRAY_SIZE(n)
 * bytes, the caller's until the statement ran). */
#define PG_INT8_ARRAY_SIZE(n) (20 + 12 * (size_t)(n))
void store_pg_int8_array(pg_params *p, const int64_t *v, size_t n,
                         unsigned char *buf);

/* Connects c with psinet's settings (synchronous_commit = on, the lock
 * timeout busy_ms, UTF-8, UTC); STORE_OFFLINE with libpq's words (which
 * never hold a password) in errbuf when the server cannot be reached. /
 * Closes it and forgets its prepared statements. */
store_status store_pg_connect(pg_conn *c, const char *conninfo, int busy_ms,
                              char *errbuf, size_t errlen);
void store_pg_disconnect(pg_conn *c);

/* Borrows a connection, reconnecting one that was found broken; NULL with
 * STORE_OFFLINE in *status when the server cannot be reached. / Gives it
 * back (rolling back a transaction left open) and returns result, noting
 * a STORE_CORRUPT in st->damaged. */
pg_conn *store_pg_get(store *st, store_status *status);
store_status store_pg_put(store *st, pg_conn *c, store_status result);

/* Runs the prepared statement sql (a static string: its address is the
 * key) with p (NULL: none); *res is the result when it is STORE_OK (the
 * caller PQclear()s it), NULL otherwise. */
store_status store_pg_run(pg_conn *c, const char *sql, const pg_params *p,
                          PGresult **res);

/* As store_pg_run, for a statement whose rows are not wanted; *changed
 * (may be NULL) is the number of rows it changed. */
store_status store_pg_exec(pg_conn *c, const char *sql, const pg_params *p,
                           long *changed);

/* BEGIN (READ WRITE, READ COMMITTED) / BEGIN ISOLATION LEVEL REPEATABLE
 * READ READ ONLY (one snapshot for reads of several statements) / COMMIT
 * (STORE_UNCONFIRMED when its answer was lost) / ROLLBACK. store_pg_begin
 * is STORE_CORRUPT without trying once st has seen damage. */
store_status store_pg_begin(store *st, pg_conn *c);
store_status store_pg_begin_read(pg_conn *c);
store_status store_pg_commit(pg_conn *c);
void store_pg_rollback(pg_conn *c);

/* Takes the transaction-scoped advisory lock (PG_LOCK_CLASS, key): new
 * rows of a table are numbered and committed in one order. */
store_status store_pg_lock_table(pg_conn *c, int key);

/* Maps a failed result (or none) on c to a store_status. */
store_status store_pg_status(pg_conn *c, const PGresult *res);

/* Reading binary result columns: each is STORE_CORRUPT for a NULL (unless
 * nullable, which leaves *is_null true) or a value of another type or
 * size: what psinet could not have written. */
store_status store_pg_col_int8(const PGresult *r, int row, int col,
                               int64_t *out);
store_status store_pg_col_float8(const PGresult *r, int row, int col,
                                 bool nullable, bool *is_null, double *out);
store_status store_pg_col_bool(const PGresult *r, int row, int col,
                               bool *out);
/* Text or json (its binary form is its text): store_text_copy's checks. */
store_status store_pg_col_copy(const PGresult *r, int row, int col,
                               char *buf, size_t size);
/* NULL in *out for SQL NULL when nullable. */
store_status store_pg_col_text(const PGresult *r, int row, int col,
                               bool nullable, char **out);
/* bytea: its bytes and length (NULL for SQL NULL when nullable). */
store_status store_pg_col_bytes(const PGresult *r, int row, int col,
                                bool nullable, const unsigned char **bytes,
                                size_t *len);

/* Opening and closing (store/pg/open.c). */
store_status store_pg_open(store *st, const char *conninfo, int connections,
                           int busy_ms, char *errbuf, size_t errlen);
void store_pg_close(store *st);
store_status store_pg_ping(store *st);
store_status store_pg_schema_version(store *st, int *version);

/* The listener of deleted networks (store/pg/listen.c). */
void store_pg_listen_start(store *st);
void store_pg_listen_stop(store *st);
/* Whether the cache may answer: the listener is in force. */
bool store_pg_cache_usable(store *st);

/* The tables (store/pg/superposition.c, network.c, experiment.c). */
store_status store_pg_superposition_create(store *st,
                                           store_superposition *s);
store_status store_pg_superposition_get(store *st, const char *id,
                                        store_superposition *out);
store_status store_pg_superposition_head(store *st, const char *id,
                                         store_superposition *out);
store_status store_pg_superposition_set_amplitudes(
    store *st, const char *id, const double complex *amps, size_t dimension,
    double norm);
store_status store_pg_superposition_delete(store *st, const char *id);
store_status store_pg_superposition_list(store *st, int64_t after,
                                         size_t limit,
                                         store_superposition **items,
                                         size_t *count, int64_t *next_after);

store_status store_pg_network_create(store *st, store_network *net);
store_status store_pg_network_get(store *st, const char *id,
                                  bool with_weights, store_network *out);
store_status store_pg_network_delete(store *st, const char *id);
/* STORE_OK while network id exists, STORE_NOTFOUND once it was deleted
 * (through any replica): the one question a forward pass through the
 * cache asks the database. */
store_status store_pg_network_exists(store *st, const char *id);
store_status store_pg_network_list(store *st, int64_t after, size_t limit,
                                   store_network **items, size_t *count,
                                   int64_t *next_after);

store_status store_pg_experiment_create(store *st, store_experiment *e);
store_status store_pg_experiment_get(store *st, const char *id,
                                     store_experiment *out);
store_status store_pg_experiment_update(store *st, const char *id,
                                        const store_experiment_patch *patch,
                                        store_experiment *out);
store_status store_pg_experiment_delete(store *st, const char *id);
store_status store_pg_experiment_list(store *st,
                                      const store_experiment_filter *filter,
                                      int64_t after, size_t limit,
                                      store_experiment **items,
                                      size_t *count, int64_t *next_after);

#endif
