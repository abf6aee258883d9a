/* store/txn.c - prepared statements and transactions on a borrowed
 * connection: BEGIN IMMEDIATE behind the store's write lock, COMMIT that
 * tells a lost fsync from a refusal, ROLLBACK. */
#include "store/internal.h"

#include <stdlib.h>
#include <time.h>

#include "core/mem.h"
#include "core/timing.h"

/* The statements of transactions; each table's own are in its file. */
static const char SQL_BEGIN[] = "BEGIN IMMEDIATE";
static const char SQL_BEGIN_READ[] = "BEGIN";
static const char SQL_COMMIT[] = "COMMIT";
static const char SQL_ROLLBACK[] = "ROLLBACK";

sqlite3_stmt *store_stmt(store_conn *c, const char *sql, int *rc)
{
    if (!c->db) { /* left closed by a reopen that failed */
        *rc = SQLITE_CANTOPEN;
        return NULL;
    }
    /* A few dozen statements in all: a scan of pointers costs less than
     * hashing the text would. */
    for (size_t i = 0; i < c->stmt_count; i++) {
        if (c->stmts[i].sql == sql) {
            sqlite3_stmt *s = c->stmts[i].stmt;
            sqlite3_reset(s);
            sqlite3_clear_bindings(s);
            *rc = SQLITE_OK;
            return s;
        }
    }
    if (c->stmt_count == c->stmt_cap) { /* a few dozen: small */
        c->stmt_cap = c->stmt_cap ? 2 * c->stmt_cap : 32;
        c->stmts = mem_realloc(c->stmts, c->stmt_cap * sizeof *c->stmts);
    }
    sqlite3_stmt *s;
    *rc = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s,
                             NULL);
    if (*rc != SQLITE_OK) {
        sqlite3_finalize(s);
        return NULL;
    }
    c->stmts[c->stmt_count++] = (store_prepared){sql, s};
    return s;
}

store_status store_exec(sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);
    store_status st = rc == SQLITE_DONE ? STORE_OK : store_status_of(rc);
    if (rc == SQLITE_ROW)
        st = STORE_OK;
    sqlite3_reset(s);
    return st;
}

static store_status run_simple(store_conn *c, const char *sql)
{
    int rc;
    sqlite3_stmt *s = store_stmt(c, sql, &rc);
    return s ? store_exec(s) : store_status_of(rc);
}

/* Lets the next writer in: what store_write_end does after COMMIT or
 * ROLLBACK, and store_begin when BEGIN fails. Does nothing when c is not
 * writing. */
static void end_writing(store *st, store_conn *c)
{
    if (c->writing) {
        c->writing = false;
        pthread_mutex_unlock(&st->write_lock);
    }
}

store_status store_begin(store *st, store_conn *c)
{
    if (store_damaged(st))
        return STORE_CORRUPT; /* nothing more goes into a damaged file */
    struct timespec until = timing_after_ms(CLOCK_REALTIME,
                                            (unsigned long)st->busy_ms);
    if (pthread_mutex_timedlock(&st->write_lock, &until) != 0)
        return STORE_BUSY; /* another writer held it past the timeout */
    c->writing = true;
    store_status result = run_simple(c, SQL_BEGIN);
    if (result != STORE_OK)
        end_writing(st, c);
    return result;
}

store_status store_begin_read(store_conn *c)
{
    return run_simple(c, SQL_BEGIN_READ);
}

store_status store_commit(store_conn *c)
{
    store_status st = run_simple(c, SQL_COMMIT);
    if (st != STORE_OK)
        store_rollback(c);
    return st;
}

void store_rollback(store_conn *c)
{
    if (c->db && !sqlite3_get_autocommit(c->db))
        run_simple(c, SQL_ROLLBACK);
}

store_status store_write_begin(store *st, const char *sql, store_conn **c,
                               sqlite3_stmt **q)
{
    *c = store_conn_get(st);
    *q = NULL;
    store_status result = store_begin(st, *c);
    if (result != STORE_OK)
        return result;
    int rc;
    *q = store_stmt(*c, sql, &rc);
    return *q ? STORE_OK : store_status_of(rc);
}

/* Whether the last error on c was a failed fsync: COMMIT had written its
 * WAL records, commit mark included, so recovery at the next start may
 * replay them although this COMMIT failed. */
static bool commit_unconfirmed(store_conn *c)
{
    int x = c->db ? sqlite3_extended_errcode(c->db) : 0;
    return x == SQLITE_IOERR_FSYNC || x == SQLITE_IOERR_DIR_FSYNC;
}

store_status store_write_end(store *st, store_conn *c, store_status result)
{
    if (result == STORE_OK) {
        result = store_commit(c);
        if (result == STORE_IOERR && commit_unconfirmed(c))
            result = STORE_UNCONFIRMED;
    }
    if (result != STORE_OK)
        store_rollback(c);
    end_writing(st, c);
    if (result == STORE_READONLY)
        c->stale = true;
    return store_conn_put(st, c, result);
}

store_status store_delete_by_id(store *st, const char *sql, const char *id)
{
    store_conn *c;
    sqlite3_stmt *q;
    store_status result = store_write_begin(st, sql, &c, &q);
    if (result == STORE_OK) {
        sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
        result = store_exec(q);
        if (result == STORE_OK && sqlite3_changes(c->db) == 0)
            result = STORE_NOTFOUND;
    }
    return store_write_end(st, c, result);
}

