/* store/migrate.c - the schema: the embedded migrations/NNNN_*.sql,
 * applied in order, each in its own transaction, once. */
#include "store/internal.h"

#include <stdio.h>
#include <stdlib.h>

#include "store/migrations.h"

static int migration_version(const store_migration *m)
{
    return atoi(m->name);
}

int store_known_schema_version(void)
{
    int v = 0;
    for (const store_migration *m = store_migrations; m->name; m++)
        if (migration_version(m) > v)
            v = migration_version(m);
    return v;
}

/* The statements of the schema's own table, for one run of migrations. */
typedef struct {
    sqlite3_stmt *max, *has, *add;
} schema_stmts;

static int schema_prepare(sqlite3 *db, schema_stmts *q)
{
    int rc = sqlite3_exec(db,
                          "CREATE TABLE IF NOT EXISTS schema_migrations ("
                          " version INTEGER PRIMARY KEY,"
                          " name TEXT NOT NULL,"
                          " applied_at TEXT NOT NULL)",
                          NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(
            db, "SELECT coalesce(max(version), 0) FROM schema_migrations",
            -1, &q->max, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(
            db, "SELECT 1 FROM schema_migrations WHERE version = ?1", -1,
            &q->has, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db,
                                "INSERT INTO schema_migrations (version, name,"
                                " applied_at) VALUES (?1, ?2, ?3)",
                                -1, &q->add, NULL);
    return rc;
}

static void schema_finalize(schema_stmts *q)
{
    sqlite3_finalize(q->max);
    sqlite3_finalize(q->has);
    sqlite3_finalize(q->add);
}

/* STORE_SCHEMA (with the reason in errbuf) when the database was migrated
 * past what this binary knows; STORE_OK, or the error, otherwise. */
static store_status schema_not_newer(sqlite3 *db, schema_stmts *q,
                                     char *errbuf, size_t errlen)
{
    if (sqlite3_step(q->max) != SQLITE_ROW)
        return store_status_of(sqlite3_errcode(db));
    int current = sqlite3_column_int(q->max, 0);
    sqlite3_reset(q->max);
    int known = store_known_schema_version();
    if (current <= known)
        return STORE_OK;
    snprintf(errbuf, errlen,
             "the database schema is at version %d, newer than this psinet "
             "knows (%d): use a newer psinet",
             current, known);
    return STORE_SCHEMA;
}

/* Whether migration `version` is recorded as applied. */
static bool schema_has(schema_stmts *q, int version)
{
    sqlite3_reset(q->has);
    sqlite3_bind_int(q->has, 1, version);
    bool applied = sqlite3_step(q->has) == SQLITE_ROW;
    sqlite3_reset(q->has); /* a statement left open would lock the tables a
                              migration drops */
    return applied;
}

/* Applies m and records it, in one transaction; SQLite's result, with the
 * reason of a failure in errbuf. */
static int apply(sqlite3 *db, schema_stmts *q, const store_migration *m,
                 char *errbuf, size_t errlen)
{
    char now[STORE_TIME_MAX];
    store_now(now);
    int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, m->sql, NULL, NULL, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_reset(q->add);
        sqlite3_bind_int(q->add, 1, migration_version(m));
        sqlite3_bind_text(q->add, 2, m->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(q->add, 3, now, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(q->add) == SQLITE_DONE ? SQLITE_OK
                                                 : sqlite3_errcode(db);
    }
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        snprintf(errbuf, errlen, "migration %s failed: %s", m->name,
                 sqlite3_errmsg(db));
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    }
    return rc;
}

store_status store_migrate(sqlite3 *db, char *errbuf, size_t errlen)
{
    schema_stmts q = {0};
    store_status st;
    int rc = schema_prepare(db, &q);
    if (rc != SQLITE_OK) {
        snprintf(errbuf, errlen, "cannot prepare the schema: %s",
                 sqlite3_errmsg(db));
        st = store_status_of(rc);
        goto out;
    }
    st = schema_not_newer(db, &q, errbuf, errlen);
    for (const store_migration *m = store_migrations;
         st == STORE_OK && m->name; m++)
        if (!schema_has(&q, migration_version(m)))
            st = store_status_of(apply(db, &q, m, errbuf, errlen));
out:
    if (st != STORE_OK && !errbuf[0])
        snprintf(errbuf, errlen, "%s", sqlite3_errmsg(db));
    schema_finalize(&q);
    return st;
}
