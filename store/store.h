/* store/store.h - psinet's persistence: superpositions, networks and analogy
 * experiments in one database, a SQLite file or a PostgreSQL database. This
 * header opens and closes it; each table has its own (store/superposition.h,
 * store/network.h, store/experiment.h), the same for both backends.
 *
 * A `store` is a small pool of connections (to the SQLite file, or to the
 * PostgreSQL server: store/pg/), safe to use from many threads at once:
 * each call borrows a connection for its duration. Every statement is
 * prepared (never built from request text). The schema is the embedded
 * migrations/NNNN_*.sql (migrations/postgresql/ for PostgreSQL, with the
 * same versions), applied by store_open.
 *
 * Ownership: every store_* call that fills a struct or array allocates it;
 * the caller frees it with the matching *_free function. Strings passed in
 * are borrowed (copied if kept).
 *
 * The store knows nothing of JSON or HTTP: experiment params and results are
 * opaque UTF-8 text to it, and a failure is a store_status value. */
#ifndef PSINET_STORE_STORE_H
#define PSINET_STORE_STORE_H

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
    STORE_OFFLINE,  /* the database server cannot be reached (PostgreSQL:
                       the connection was lost; the next call reconnects) */
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

/* Whether target names a PostgreSQL database (a postgresql:// or
 * postgres:// URI, or a libpq conninfo such as "host=/run/pg dbname=psinet")
 * rather than a SQLite file. */
bool store_is_postgres(const char *target);

/* target as it may be logged: a SQLite path as it is; for PostgreSQL its
 * host, port, database and user, never a password ("postgresql database
 * psinet on /tmp/pg port 5432 as psinet"). */
void store_describe(const char *target, char *out, size_t len);

/* Opens (creating if needed) the database at path with `connections` pooled
 * connections (>= 1), sets WAL, synchronous=FULL, foreign_keys=ON and a busy
 * timeout of busy_ms milliseconds (how long a write waits for another
 * writer's lock before STORE_BUSY), and applies every embedded migration
 * not applied yet, each in its own transaction. On failure returns NULL,
 * sets *status, and writes a human-readable reason to errbuf (e.g.
 * "database schema version 7 is newer than this psinet knows (3)"). */
store *store_open(const char *path, int connections, int busy_ms,
                  store_status *status, char *errbuf, size_t errlen);
/* With a PostgreSQL target (store_is_postgres), path is its URI or
 * conninfo: the database must exist; `connections` connections are kept,
 * each SET to synchronous_commit = on and lock_timeout = busy_ms, and the
 * migrations run under an advisory lock, so that replicas starting
 * together migrate once (store/pg/). */

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

/* The HMAC-SHA-256 of data[0 .. n-1] under the database's own key, drawn
 * when it was created (its cursors are signed with it: a cursor edited or
 * made for another list is told apart). out has 32 bytes. */
void store_sign(store *st, const void *data, size_t n, unsigned char *out);

/* Pagination, the same for every table: lists are newest first, ordered
 * by an internal sequence number that only grows. A page ends with
 * *next_after = the sequence of its last row when more rows may follow (0
 * when it was the last page); passing that back as `after` continues
 * exactly after it, even while new rows are being added. */

#endif
