/* store/internal.h - what the store's files share and nobody else sees:
 * the connection pool, prepared statements, transactions, and reading
 * columns back. */
#ifndef PSINET_STORE_INTERNAL_H
#define PSINET_STORE_INTERNAL_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>

#include "core/cmplx.h"
#include "store/batch.h"
#include "store/store.h"

/* A statement prepared on a connection, found again by its SQL text's
 * address: every statement is a static string of one table's file. */
typedef struct {
    const char *sql;
    sqlite3_stmt *stmt;
} store_prepared;

typedef struct {
    sqlite3 *db;
    store_prepared *stmts; /* prepared on first use (store_stmt) */
    size_t stmt_count, stmt_cap;
    bool stale; /* found the file read-only: the pool is reopened before
                   this connection is used again, in case it is writable */
    bool writing; /* holds the store's write_lock (store_begin) */
} store_conn;

typedef struct cache_entry cache_entry;

/* The group-commit writer (store/batch.c). */
typedef struct store_batcher store_batcher;

/* The background checkpointer (store/checkpoint.c). */
typedef struct store_checkpointer store_checkpointer;

/* The PostgreSQL backend (store/pg/pg.h); NULL in a SQLite store. */
typedef struct store_pg store_pg;

/* Bytes of the key that signs list cursors (migrations/0005). */
#define STORE_CURSOR_KEY_SIZE 32

struct store {
    char *path;
    store_pg *pg; /* the PostgreSQL backend, or NULL for SQLite: every
                     public call of a table's file goes there first */
    unsigned char cursor_key[STORE_CURSOR_KEY_SIZE];
    int busy_ms;
    int size;
    store_conn *conns;
    int *idle;      /* stack of idle connection indexes */
    int idle_count;
    bool resetting; /* one thread is reopening every connection */
    atomic_bool damaged; /* a STORE_CORRUPT was seen (store_damaged) */
    pthread_mutex_t lock;
    pthread_cond_t available;
    /* Writers take turns here before BEGIN IMMEDIATE: one waiting for
     * another in this process wakes as soon as that one commits, instead
     * of sleeping in SQLite's busy handler (which backs off by
     * milliseconds). Other processes still meet the busy timeout. */
    pthread_mutex_t write_lock;

    /* The network cache (network_cache.c). */
    pthread_mutex_t cache_lock;
    cache_entry **cache;
    size_t cache_count;
    size_t cache_bytes;
    unsigned long long cache_tick;
    unsigned long long cache_drops; /* deletes seen: a copy read from the
                                       database before one is not cached */
    /* A test seam (SQLite has sqlite3_test_control for the same job): when
     * set, runs between a cache miss's database read and the insertion of
     * the copy, so that tests can interleave a delete there. */
    void (*cache_load_hook)(store *st, const char *id);

    /* The group-commit writer (store/batch.c), or NULL before
     * store_batch_start. */
    store_batcher *batch;

    /* The background checkpointer (store/checkpoint.c), or NULL: SQLite's
     * automatic checkpoint then runs inside COMMIT. */
    store_checkpointer *ckpt;
};

/* Borrows an idle connection (waiting for one); give it back with
 * store_conn_put, which returns the result of what was done with it and
 * notes a STORE_CORRUPT in st->damaged. Every public call that touches the
 * database ends with it, so no damage goes unnoticed. */
store_conn *store_conn_get(store *st);
store_status store_conn_put(store *st, store_conn *c, store_status result);

/* Opens one connection to path with psinet's settings (WAL,
 * synchronous=FULL, foreign keys, the busy timeout); SQLITE_OK or the
 * error, with SQLite's words in errbuf. / Closes it and finalizes its
 * statements. */
int store_conn_open(store_conn *c, const char *path, int busy_ms,
                    char *errbuf, size_t errlen);
void store_conn_close(store_conn *c);

/* The statement sql (a static string: its address is the key) on c,
 * prepared on first use and reset for a new run. NULL when it cannot be
 * prepared (*rc says why). */
sqlite3_stmt *store_stmt(store_conn *c, const char *sql, int *rc);

/* Maps an SQLite result code to a store_status. */
store_status store_status_of(int rc);

/* BEGIN IMMEDIATE (for writes; STORE_CORRUPT without trying once st has
 * seen damage, see store_damaged; it takes st's write_lock first, and
 * STORE_BUSY when that stays held past the busy timeout) / BEGIN (a
 * consistent snapshot for reads of several statements) / COMMIT /
 * ROLLBACK on c. */
store_status store_begin(store *st, store_conn *c);

store_status store_begin_read(store_conn *c);
store_status store_commit(store_conn *c);
void store_rollback(store_conn *c);

/* Starts a write: borrows a connection (*c), BEGIN IMMEDIATE, and
 * prepares statement sql (*q). On failure *q is NULL and the status says
 * why. Every call, failed or not, ends with store_write_end. */
store_status store_write_begin(store *st, const char *sql, store_conn **c,
                               sqlite3_stmt **q);

/* Commits when result is STORE_OK (and rolls back otherwise), gives the
 * connection back, and returns the final status. */
store_status store_write_end(store *st, store_conn *c, store_status result);

/* A row for the group-commit writer (store/batch.h). write puts it into
 * the database on c inside a transaction the writer holds: it may run a
 * second time, in a transaction of its own, when its batch was rolled
 * back. stamp sets what follows the order rows are queued in (created_at,
 * updated_at): it runs once, under the queue's lock, or inside the write
 * lock when the row is written at once. */
typedef struct {
    store_status (*write)(store_conn *c, void *row);
    void (*stamp)(void *row);
    void *row;
    void (*release)(void *row); /* frees row after its done, or NULL: the
                                   row is its submitter's */
} store_row;

/* Queues row for the writer; done(arg, status) is called once it is
 * committed or has failed (at once, on this thread, when no writer runs). */
void store_batch_submit(store *st, const store_row *row, store_done_fn done,
                        void *arg);

/* store_batch_submit, and waits for the row's status. */
store_status store_batch_write(store *st, const store_row *row);

/* Drains and frees st's writer (store_close). */
void store_batch_free(store *st);

/* Checkpoints off the commit path (store/checkpoint.c). _start (at
 * store_open, once the pool is open; nothing for PostgreSQL) opens the
 * checkpointer's connection and thread and hooks every pool connection to
 * it; when either cannot start, the pool keeps SQLite's automatic
 * checkpoint. _attach hooks a connection opened again (pool_reopen).
 * _stop ends the thread and closes its connection (the hooks stay, and
 * keep checkpointing inside COMMIT once the WAL is large); _free, once the
 * pool is closed, frees the rest. */
void store_checkpoint_start(store *st);

/* Pages added to the WAL since the last checkpoint that wake the
 * checkpointer: SQLite's own automatic threshold. */
#define STORE_CKPT_PAGES 1000

/* Pages in the WAL from which the checkpointer, its pass done, copies
 * what was committed meanwhile with writers held off, so that the WAL
 * starts over. Measured against 1000 (a WAL like SQLite's own, but the
 * writers held off three times as often): a little more throughput and a
 * lower p99 at 32 connections, with a WAL file of 12 to 13 MiB. */
#define STORE_CKPT_RESTART 3000

/* Pages in the WAL at which a COMMIT checkpoints itself (16 MiB with 4 KiB
 * pages): the WAL file never grows much past this. */
#define STORE_CKPT_WAL_MAX 4000

void store_checkpoint_attach(store *st, store_conn *c);
void store_checkpoint_stop(store *st);
void store_checkpoint_free(store *st);

/* Checkpoints the checkpointer ran, and those COMMITs ran themselves
 * because the WAL had grown to its bound (0 and 0 without a
 * checkpointer). */
void store_checkpoint_counts(store *st, unsigned long long *passes,
                             unsigned long long *fallbacks);

/* Steps a statement that returns no rows; maps the result. */
store_status store_exec(sqlite3_stmt *s);

/* Deletes the row whose id is `id` with the one-statement delete sql
 * (?1 the id), in a transaction; STORE_NOTFOUND when there was none. */
store_status store_delete_by_id(store *st, const char *sql, const char *id);

/* Applies the embedded migrations not yet recorded in db, each in its own
 * transaction (store/migrate.c); the reason of a failure in errbuf. */
store_status store_migrate(sqlite3 *db, char *errbuf, size_t errlen);

/* A new id "<prefix>_" + 20 base32 characters into out (STORE_ID_MAX). */
void store_new_id(const char *prefix, char *out);

/* The current time as "YYYY-MM-DDTHH:MM:SS.mmmZ" (STORE_TIME_MAX). */
void store_now(char *out);

/* Reading columns back. psinet writes every row itself, so a value it could
 * not have written means a damaged file: each reader below answers
 * STORE_CORRUPT for one (never a crash or a wrong answer), and says what it
 * accepts. */

/* Copies the TEXT column col into buf (size bytes). STORE_CORRUPT unless
 * it is valid UTF-8 text without a NUL (what a JSON string can hold),
 * shorter than size. */
store_status store_column_copy(sqlite3_stmt *s, int col, char *buf,
                               size_t size);

/* A malloc'd copy of the TEXT column col in *out (the caller frees it);
 * NULL for SQL NULL when nullable. STORE_CORRUPT for NULL otherwise, and
 * for anything but valid UTF-8 text; STORE_NOMEM. */
store_status store_column_text(sqlite3_stmt *s, int col, bool nullable,
                               char **out);

/* Whether column col, the result of an SQL typeof(), names `type`
 * ("blob", "null", ...): a BLOB's type and length are read that way without
 * reading the BLOB itself. */
bool store_typeof_is(sqlite3_stmt *s, int col, const char *type);

/* Whether a BLOB of len bytes holds exactly n items of size bytes each
 * (checked by division: no product that could overflow). */
bool store_blob_holds(sqlite3_int64 len, size_t n, size_t size);

/* The BLOB column col (little-endian doubles, codec/f64le.h) as a new
 * array of n doubles in *out (the caller frees it). STORE_CORRUPT unless
 * it is a BLOB of exactly n * 8 bytes (n >= 1) of finite numbers;
 * STORE_NOMEM. */
store_status store_column_doubles(sqlite3_stmt *s, int col, size_t n,
                                  double **out);

/* The checks both backends make on a column's bytes (store/row.c). */

/* Whether text[0 .. len-1] is what psinet writes as text: valid UTF-8
 * without a NUL. */
bool store_text_ok(const char *text, size_t len);

/* Copies text (len bytes, no NUL needed) into buf of size bytes with a
 * NUL: STORE_CORRUPT unless store_text_ok and len < size. */
store_status store_text_copy(const char *text, size_t len, char *buf,
                             size_t size);

/* A malloc'd NUL-terminated copy in *out: STORE_CORRUPT unless
 * store_text_ok, STORE_NOMEM. */
store_status store_text_dup(const char *text, size_t len, char **out);

/* Whether len bytes hold exactly n items of size bytes each (checked by
 * division: no product that could overflow). */
bool store_bytes_hold(uint64_t len, size_t n, size_t size);

/* n little-endian doubles (codec/f64le.h) from len bytes as a new array
 * in *out: STORE_CORRUPT unless len == n * 8 (n >= 1) and every number is
 * finite; STORE_NOMEM. */
store_status store_doubles_decode(const unsigned char *bytes, size_t len,
                                  size_t n, double **out);

/* n amplitudes, (re, im) pairs of little-endian doubles, from len bytes as
 * a new array in *out: STORE_CORRUPT unless len == n * 16 (n >= 1), every
 * number is finite and norm (finite, >= 0) is their norm; STORE_NOMEM. */
store_status store_amplitudes_decode(const unsigned char *bytes, size_t len,
                                     size_t n, double norm,
                                     double complex **out);

/* n labels from len bytes of NUL-terminated strings: one malloc'd block
 * with an array of pointers into it (labels[0] is the block).
 * STORE_CORRUPT unless they are exactly n distinct UTF-8 strings. */
store_status store_labels_decode(const char *bytes, size_t len, size_t n,
                                 char ***out);

/* A layer's shape as sizes: STORE_CORRUPT below 1x1 or when rows * cols
 * would overflow a size_t. */
store_status store_layer_shape(int64_t rows, int64_t cols, size_t *r,
                               size_t *c);

/* STORE_CORRUPT for an activation this psinet does not know, an alpha it
 * does not take or lacks, or a non-finite one. */
store_status store_layer_activation(const char *activation, bool has_alpha,
                                    double alpha);

/* Network cache hooks (network_cache.c). */
void store_cache_init(store *st);
void store_cache_drop(store *st, const char *id);
void store_cache_clear(store *st); /* drops every entry */
bool store_pg_cache_usable(store *st); /* store/pg/listen.c */
store_status store_pg_network_exists(store *st, const char *id);
void store_cache_free(store *st);

#endif
