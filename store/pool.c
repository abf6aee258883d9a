/* store/pool.c - the connection pool: a fixed set of SQLite connections to
 * one file, borrowed one per call, reopened together after the file was
 * found read-only. */
#include "store/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Closes and reopens every connection (lock held, every connection idle
 * but the caller's). A connection opened while the file was read-only
 * stays read-only, and SQLite hands a reopened connection the old file
 * descriptor while any other connection to the file is open: so all of
 * them are closed first, then opened again. One that cannot be opened is
 * left closed and retried on its next use. */
static void pool_reopen(store *st)
{
    char err[256];
    for (int i = 0; i < st->size; i++)
        store_conn_close(&st->conns[i]);
    for (int i = 0; i < st->size; i++) {
        if (store_conn_open(&st->conns[i], st->path, st->busy_ms, err,
                      sizeof err) != SQLITE_OK)
            st->conns[i].stale = true;
        else
            store_checkpoint_attach(st, &st->conns[i]);
    }
}

store_conn *store_conn_get(store *st)
{
    pthread_mutex_lock(&st->lock);
    while (st->idle_count == 0 || st->resetting)
        pthread_cond_wait(&st->available, &st->lock);
    store_conn *c = &st->conns[st->idle[--st->idle_count]];
    if (c->stale) {
        st->resetting = true;
        while (st->idle_count < st->size - 1)
            pthread_cond_wait(&st->available, &st->lock);
        pool_reopen(st);
        st->resetting = false;
        pthread_cond_broadcast(&st->available);
    }
    pthread_mutex_unlock(&st->lock);
    return c;
}

store_status store_conn_put(store *st, store_conn *c, store_status result)
{
    if (result == STORE_CORRUPT)
        atomic_store(&st->damaged, true);
    pthread_mutex_lock(&st->lock);
    st->idle[st->idle_count++] = (int)(c - st->conns);
    pthread_cond_broadcast(&st->available); /* a reset may be waiting */
    pthread_mutex_unlock(&st->lock);
    return result;
}

bool store_damaged(store *st)
{
    return atomic_load(&st->damaged);
}

void store_conn_close(store_conn *c)
{
    for (size_t i = 0; i < c->stmt_count; i++)
        sqlite3_finalize(c->stmts[i].stmt);
    free(c->stmts);
    c->stmts = NULL;
    c->stmt_count = c->stmt_cap = 0;
    sqlite3_close(c->db);
    c->db = NULL;
}

int store_conn_open(store_conn *c, const char *path, int busy_ms,
                     char *errbuf, size_t errlen)
{
    memset(c, 0, sizeof *c);
    int rc = sqlite3_open_v2(path, &c->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                 SQLITE_OPEN_NOMUTEX,
                             NULL);
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout(c->db, busy_ms);
        rc = sqlite3_exec(c->db,
                          "PRAGMA journal_mode = WAL;"
                          "PRAGMA synchronous = FULL;"
                          "PRAGMA foreign_keys = ON;",
                          NULL, NULL, NULL);
    }
    if (rc != SQLITE_OK) {
        snprintf(errbuf, errlen, "%s",
                 c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
        store_conn_close(c);
    }
    return rc;
}

