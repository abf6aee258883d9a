/* store/open.c - opening a database: the pool, a check of the file, the
 * migrations; closing it; the trivial queries of readiness. */
#include "store/internal.h"
#include "store/pg/pg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/sha256.h"
#include "core/mem.h"

#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)

/* How every refusal of a damaged file at start-up begins, and ends. */
#define DAMAGED "the file is damaged or is not a database"
#define DAMAGED_ADVICE "; restore it from a backup"

static const char SQL_PING[] = "SELECT count(*) FROM schema_migrations";
static const char SQL_CURSOR_KEY[] =
    "SELECT value FROM settings WHERE key = 'cursor_key'";
static const char SQL_SCHEMA_VERSION[] =
    "SELECT coalesce(max(version), 0) FROM schema_migrations";

/* How many of quick_check's findings to ask for: the first is reported,
 * the others only counted. */
#define CHECK_MAX_PROBLEMS 20

/* Runs PRAGMA quick_check on db: STORE_OK when SQLite finds the file sound,
 * otherwise STORE_CORRUPT (or the error that stopped the check) with what
 * SQLite said in errbuf. quick_check reads every page once and checks the
 * b-trees, the free list, overflow chains and NOT NULL and CHECK
 * constraints; it leaves out only integrity_check's cross-check of every
 * index against its table. Measured on a 108 MB psinet database (22,000
 * experiments, 2,000 networks of 3,000 weights, 5,000 superpositions of
 * 64 amplitudes; 2 shared cores, virtio disk): 0.06 s with the file in the
 * page cache, 1.3 to 1.5 s from disk, adding 0.11 s and 1.1 s to the time
 * until psinet listens. Cheap enough to run at every start. */
static store_status check_file(sqlite3 *db, char *errbuf, size_t errlen)
{
    static const char header[] = "*** in database main ***\n";
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(db, "PRAGMA quick_check(" STRINGIFY(
                                        CHECK_MAX_PROBLEMS) ")",
                                -1, &q, NULL);
    int problems = 0;
    char first[200] = "";
    while (rc == SQLITE_OK) {
        int step = sqlite3_step(q);
        if (step != SQLITE_ROW) {
            rc = step;
            break;
        }
        const unsigned char *t = sqlite3_column_text(q, 0);
        const char *msg = t ? (const char *)t : "(no message)";
        if (problems == 0 && strcmp(msg, "ok") == 0)
            continue;
        if (problems++ > 0)
            continue;
        if (strncmp(msg, header, strlen(header)) == 0)
            msg += strlen(header);
        snprintf(first, sizeof first, "%s", msg);
        for (char *c = first; *c; c++) /* one line for the log */
            if (*c == '\n' || *c == '\t')
                *c = ' ';
    }
    if (rc == SQLITE_DONE)
        rc = SQLITE_OK;
    store_status result = store_status_of(rc);
    if (rc != SQLITE_OK)
        snprintf(errbuf, errlen,
                 "%s (SQLite stopped PRAGMA quick_check: %s)%s",
                 result == STORE_CORRUPT ? DAMAGED : "cannot check the file",
                 sqlite3_errmsg(db),
                 result == STORE_CORRUPT ? DAMAGED_ADVICE : "");
    else if (problems > 0)
        snprintf(errbuf, errlen,
                 DAMAGED ": SQLite's PRAGMA quick_check found %s%d problem%s,"
                 " the first: %s" DAMAGED_ADVICE,
                 problems >= CHECK_MAX_PROBLEMS ? "at least " : "", problems,
                 problems == 1 ? "" : "s", first);
    sqlite3_finalize(q);
    return rc != SQLITE_OK ? result : problems > 0 ? STORE_CORRUPT : STORE_OK;
}

/* Reads the cursor key into st: STORE_CORRUPT unless it is a BLOB of
 * exactly STORE_CURSOR_KEY_SIZE bytes. */
static store_status read_cursor_key(store *st, store_conn *c, char *errbuf,
                                    size_t errlen)
{
    int rc;
    sqlite3_stmt *q = store_stmt(c, SQL_CURSOR_KEY, &rc);
    store_status result = q ? STORE_OK : store_status_of(rc);
    if (q) {
        rc = sqlite3_step(q);
        if (rc != SQLITE_ROW)
            result = rc == SQLITE_DONE ? STORE_CORRUPT : store_status_of(rc);
        else if (sqlite3_column_type(q, 0) != SQLITE_BLOB ||
                 sqlite3_column_bytes(q, 0) != STORE_CURSOR_KEY_SIZE)
            result = STORE_CORRUPT;
        else
            memcpy(st->cursor_key, sqlite3_column_blob(q, 0),
                   STORE_CURSOR_KEY_SIZE);
        sqlite3_reset(q);
    }
    if (result != STORE_OK)
        snprintf(errbuf, errlen, "the key that signs list cursors is %s",
                 result == STORE_CORRUPT ? "missing or damaged"
                                         : "unreadable");
    return result;
}

store *store_open(const char *path, int connections, int busy_ms,
                  store_status *status, char *errbuf, size_t errlen)
{
    errbuf[0] = '\0';
    if (connections < 1)
        connections = 1;
    store *st = mem_calloc(1, sizeof *st);
    st->path = mem_strdup(path);
    st->conns = mem_calloc((size_t)connections, sizeof *st->conns);
    st->idle = mem_calloc((size_t)connections, sizeof *st->idle);
    st->busy_ms = busy_ms;
    atomic_init(&st->damaged, false);
    pthread_mutex_init(&st->lock, NULL);
    pthread_mutex_init(&st->write_lock, NULL);
    pthread_cond_init(&st->available, NULL);
    store_cache_init(st);
    *status = STORE_OK;
    if (store_is_postgres(path)) {
        *status = store_pg_open(st, path, connections, busy_ms, errbuf,
                                errlen);
        connections = 0; /* no SQLite connection */
    }
    for (int i = 0; i < connections && *status == STORE_OK; i++) {
        int rc = store_conn_open(&st->conns[i], path, busy_ms, errbuf, errlen);
        if (rc != SQLITE_OK) {
            *status = store_status_of(rc);
            break;
        }
        st->size = i + 1;
        st->idle[st->idle_count++] = i;
        if (i == 0)
            *status = check_file(st->conns[0].db, errbuf, errlen);
        if (i == 0 && *status == STORE_OK)
            *status = store_migrate(st->conns[0].db, errbuf, errlen);
        if (i == 0 && *status == STORE_OK)
            *status = read_cursor_key(st, &st->conns[0], errbuf, errlen);
    }
    if (*status == STORE_CORRUPT && !st->pg &&
        strncmp(errbuf, DAMAGED, strlen(DAMAGED)) != 0) {
        char said[256];
        snprintf(said, sizeof said, "%s", errbuf);
        snprintf(errbuf, errlen, DAMAGED " (SQLite: %s)" DAMAGED_ADVICE,
                 said);
    }
    if (*status != STORE_OK) {
        store_close(st);
        return NULL;
    }
    store_checkpoint_start(st);
    return st;
}

void store_close(store *st)
{
    if (!st)
        return;
    store_batch_free(st); /* every queued row written first */
    store_checkpoint_stop(st);
    store_pg_close(st);
    for (int i = 0; i < st->size; i++)
        store_conn_close(&st->conns[i]);
    store_checkpoint_free(st);
    store_cache_free(st);
    pthread_mutex_destroy(&st->lock);
    pthread_mutex_destroy(&st->write_lock);
    pthread_cond_destroy(&st->available);
    free(st->conns);
    free(st->idle);
    free(st->path);
    free(st);
}

store_status store_ping(store *st)
{
    if (st->pg)
        return store_pg_ping(st);
    store_conn *c = store_conn_get(st);
    int rc;
    sqlite3_stmt *s = store_stmt(c, SQL_PING, &rc);
    store_status result = s ? store_exec(s) : store_status_of(rc);
    return store_conn_put(st, c, result);
}

store_status store_schema_version(store *st, int *version)
{
    if (st->pg)
        return store_pg_schema_version(st, version);
    store_conn *c = store_conn_get(st);
    int rc;
    store_status result;
    sqlite3_stmt *s = store_stmt(c, SQL_SCHEMA_VERSION, &rc);
    if (!s) {
        result = store_status_of(rc);
    } else if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        *version = sqlite3_column_int(s, 0);
        result = STORE_OK;
    } else {
        result = store_status_of(rc);
    }
    if (s)
        sqlite3_reset(s);
    return store_conn_put(st, c, result);
}


void store_sign(store *st, const void *data, size_t n, unsigned char *out)
{
    sha256_hmac(st->cursor_key, sizeof st->cursor_key, data, n, out);
}
