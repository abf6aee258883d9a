/* store/pg/open.c - opening a PostgreSQL database: the pool, the
 * migrations (migrations/postgresql/, under an advisory lock so that
 * replicas starting together migrate once), the cursor key; what may be
 * logged of its address; readiness. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "store/migrations.h"
#include "store/pg/pg.h"

static const char SQL_PING[] = "SELECT count(*) FROM schema_migrations";
static const char SQL_SCHEMA_VERSION[] =
    "SELECT coalesce(max(version), 0)::int8 FROM schema_migrations";
static const char SQL_CURSOR_KEY[] =
    "SELECT value FROM settings WHERE key = 'cursor_key'";

bool store_is_postgres(const char *target)
{
    if (strncmp(target, "postgresql://", 13) == 0 ||
        strncmp(target, "postgres://", 11) == 0)
        return true;
    if (!strchr(target, '='))
        return false;
    /* "host=... dbname=...": libpq reads it as a conninfo. A file name
     * with an '=' in it is not one (its first word is no keyword). */
    char *err = NULL;
    PQconninfoOption *o = PQconninfoParse(target, &err);
    PQfreemem(err);
    if (!o)
        return false;
    PQconninfoFree(o);
    return true;
}

void store_describe(const char *target, char *out, size_t len)
{
    if (!store_is_postgres(target)) {
        snprintf(out, len, "%s", target);
        return;
    }
    char *err = NULL;
    PQconninfoOption *o = PQconninfoParse(target, &err);
    PQfreemem(err);
    const char *host = NULL, *port = NULL, *db = NULL, *user = NULL;
    for (PQconninfoOption *p = o; p && p->keyword; p++) {
        if (!p->val || !p->val[0])
            continue;
        if (strcmp(p->keyword, "host") == 0 ||
            (strcmp(p->keyword, "hostaddr") == 0 && !host))
            host = p->val;
        else if (strcmp(p->keyword, "port") == 0)
            port = p->val;
        else if (strcmp(p->keyword, "dbname") == 0)
            db = p->val;
        else if (strcmp(p->keyword, "user") == 0)
            user = p->val;
    }
    if (!o) {
        snprintf(out, len, "a PostgreSQL database (its address does not "
                           "parse)");
        return;
    }
    snprintf(out, len, "PostgreSQL database %s on %s%s%s%s%s",
             db ? db : "(default)", host ? host : "(default host)",
             port ? " port " : "", port ? port : "", user ? " as " : "",
             user ? user : "");
    PQconninfoFree(o);
}

static int migration_version(const store_migration *m)
{
    return atoi(m->name);
}

/* Runs sql (several statements allowed: the simple query protocol) on c;
 * on failure, its words in errbuf after `what`. */
static store_status run_text(pg_conn *c, const char *sql, const char *what,
                             char *errbuf, size_t errlen)
{
    PGresult *r = PQexec(c->conn, sql);
    ExecStatusType s = PQresultStatus(r);
    store_status result = s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK ||
                                  s == PGRES_EMPTY_QUERY
                              ? STORE_OK
                              : store_pg_status(c, r);
    if (result != STORE_OK && !errbuf[0]) {
        snprintf(errbuf, errlen, "%s: %s", what,
                 r ? PQresultErrorMessage(r) : PQerrorMessage(c->conn));
        size_t n = strlen(errbuf);
        while (n > 0 && errbuf[n - 1] == '\n')
            errbuf[--n] = '\0';
    }
    PQclear(r);
    return result;
}

/* The highest applied version, in *version. */
static store_status schema_version_on(pg_conn *c, int *version)
{
    PGresult *r;
    store_status result = store_pg_run(c, SQL_SCHEMA_VERSION, NULL, &r);
    int64_t v = 0;
    if (result == STORE_OK)
        result = PQntuples(r) == 1 ? store_pg_col_int8(r, 0, 0, &v)
                                   : STORE_CORRUPT;
    PQclear(r);
    *version = (int)v;
    return result;
}

/* Applies m and records it, in one transaction. */
static store_status apply(pg_conn *c, const store_migration *m,
                          char *errbuf, size_t errlen)
{
    char what[128], record[256], now[STORE_TIME_MAX];
    store_now(now);
    snprintf(what, sizeof what, "migration %s failed", m->name);
    snprintf(record, sizeof record,
             "INSERT INTO schema_migrations (version, name, applied_at)"
             " VALUES (%d, '%s', '%s')",
             migration_version(m), m->name, now); /* our own file names */
    store_status result = run_text(c, "BEGIN", what, errbuf, errlen);
    if (result == STORE_OK)
        result = run_text(c, m->sql, what, errbuf, errlen);
    if (result == STORE_OK)
        result = run_text(c, record, what, errbuf, errlen);
    if (result == STORE_OK)
        result = run_text(c, "COMMIT", what, errbuf, errlen);
    if (result != STORE_OK)
        run_text(c, "ROLLBACK", what, errbuf, errlen);
    return result;
}

/* The migrations not yet applied, under a session advisory lock: a replica
 * that starts while another migrates waits for it, then finds nothing to
 * do. */
static store_status migrate(pg_conn *c, char *errbuf, size_t errlen)
{
    char lock[96], unlock[96];
    snprintf(lock, sizeof lock, "SELECT pg_advisory_lock(%d, %d)",
             PG_LOCK_CLASS, PG_LOCK_MIGRATE);
    snprintf(unlock, sizeof unlock, "SELECT pg_advisory_unlock(%d, %d)",
             PG_LOCK_CLASS, PG_LOCK_MIGRATE);
    /* Waiting for another replica's migrations is not a lock timeout. */
    store_status result = run_text(c, "SET lock_timeout = 0",
                                   "cannot prepare the schema", errbuf,
                                   errlen);
    if (result == STORE_OK)
        result = run_text(c, lock, "cannot lock the schema", errbuf, errlen);
    if (result != STORE_OK)
        return result;
    result = run_text(c,
                      "CREATE TABLE IF NOT EXISTS schema_migrations ("
                      " version integer PRIMARY KEY,"
                      " name text NOT NULL,"
                      " applied_at text COLLATE \"C\" NOT NULL)",
                      "cannot prepare the schema", errbuf, errlen);
    int current = 0;
    if (result == STORE_OK)
        result = schema_version_on(c, &current);
    int known = store_known_schema_version();
    if (result == STORE_OK && current > known) {
        snprintf(errbuf, errlen,
                 "the database schema is at version %d, newer than this "
                 "psinet knows (%d): use a newer psinet",
                 current, known);
        result = STORE_SCHEMA;
    }
    for (const store_migration *m = store_pg_migrations;
         result == STORE_OK && m->name; m++)
        if (migration_version(m) > current)
            result = apply(c, m, errbuf, errlen);
    run_text(c, unlock, "cannot unlock the schema", errbuf, errlen);
    return result;
}

/* Reads the cursor key into st: STORE_CORRUPT unless it is exactly
 * STORE_CURSOR_KEY_SIZE bytes. */
static store_status read_cursor_key(store *st, pg_conn *c, char *errbuf,
                                    size_t errlen)
{
    PGresult *r;
    store_status result = store_pg_run(c, SQL_CURSOR_KEY, NULL, &r);
    if (result == STORE_OK) {
        const unsigned char *b;
        size_t len;
        if (PQntuples(r) != 1)
            result = STORE_CORRUPT;
        else
            result = store_pg_col_bytes(r, 0, 0, false, &b, &len);
        if (result == STORE_OK && len != STORE_CURSOR_KEY_SIZE)
            result = STORE_CORRUPT;
        if (result == STORE_OK)
            memcpy(st->cursor_key, b, STORE_CURSOR_KEY_SIZE);
        PQclear(r);
    }
    if (result != STORE_OK && !errbuf[0])
        snprintf(errbuf, errlen, "the key that signs list cursors is %s",
                 result == STORE_CORRUPT ? "missing or damaged"
                                         : "unreadable");
    return result;
}

store_status store_pg_open(store *st, const char *conninfo, int connections,
                           int busy_ms, char *errbuf, size_t errlen)
{
    store_pg *pg = mem_calloc(1, sizeof *pg);
    st->pg = pg;
    pg->conninfo = mem_strdup(conninfo);
    pg->busy_ms = busy_ms;
    pg->conns = mem_calloc((size_t)connections, sizeof *pg->conns);
    pg->idle = mem_calloc((size_t)connections, sizeof *pg->idle);
    pg->wake[0] = pg->wake[1] = -1;
    atomic_init(&pg->listening, false);
    pthread_mutex_init(&pg->lock, NULL);
    pthread_cond_init(&pg->available, NULL);
    pg->size = connections;
    store_status result = store_pg_connect(&pg->conns[0], conninfo, busy_ms,
                                           errbuf, errlen);
    if (result == STORE_OK)
        result = migrate(&pg->conns[0], errbuf, errlen);
    if (result == STORE_OK) {
        /* The lock timeout again, after the migrations' wait without one. */
        store_pg_disconnect(&pg->conns[0]);
        result = store_pg_connect(&pg->conns[0], conninfo, busy_ms, errbuf,
                                  errlen);
    }
    if (result == STORE_OK)
        result = read_cursor_key(st, &pg->conns[0], errbuf, errlen);
    /* The other connections are made on first use (store_pg_get). */
    for (int i = 0; i < connections; i++)
        pg->idle[pg->idle_count++] = connections - 1 - i;
    if (result == STORE_OK)
        store_pg_listen_start(st);
    return result;
}

void store_pg_close(store *st)
{
    store_pg *pg = st->pg;
    if (!pg)
        return;
    store_pg_listen_stop(st);
    for (int i = 0; i < pg->size; i++)
        store_pg_disconnect(&pg->conns[i]);
    pthread_mutex_destroy(&pg->lock);
    pthread_cond_destroy(&pg->available);
    free(pg->conns);
    free(pg->idle);
    free(pg->conninfo);
    free(pg);
    st->pg = NULL;
}

store_status store_pg_ping(store *st)
{
    store_status result;
    pg_conn *c = store_pg_get(st, &result);
    if (!c)
        return result;
    result = store_pg_exec(c, SQL_PING, NULL, NULL);
    return store_pg_put(st, c, result);
}

store_status store_pg_schema_version(store *st, int *version)
{
    store_status result;
    pg_conn *c = store_pg_get(st, &result);
    if (!c)
        return result;
    result = schema_version_on(c, version);
    return store_pg_put(st, c, result);
}
