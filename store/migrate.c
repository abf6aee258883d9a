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

store_status store_migrate(sqlite3 *db, char *errbuf, size_t errlen)
{
    int rc = sqlite3_exec(db,
                          "CREATE TABLE IF NOT EXISTS schema_migrations ("
                          " version INTEGER PRIMARY KEY,"
                          " name TEXT NOT NULL,"
                          " applied_at TEXT NOT NULL)",
                          NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        snprintf(errbuf, errlen, "cannot prepare the schema: %s",
                 sqlite3_errmsg(db));
        return store_status_of(rc);
    }
    sqlite3_stmt *max = NULL, *has = NULL, *add = NULL;
    store_status st = STORE_OK;
    rc = sqlite3_prepare_v2(
        db, "SELECT coalesce(max(version), 0) FROM schema_migrations", -1,
        &max, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(
            db, "SELECT 1 FROM schema_migrations WHERE version = ?1", -1,
            &has, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db,
                                "INSERT INTO schema_migrations (version, name,"
                                " applied_at) VALUES (?1, ?2, ?3)",
                                -1, &add, NULL);
    if (rc == SQLITE_OK && sqlite3_step(max) == SQLITE_ROW) {
        int current = sqlite3_column_int(max, 0);
        sqlite3_reset(max);
        int known = store_known_schema_version();
        if (current > known) {
            snprintf(errbuf, errlen,
                     "the database schema is at version %d, newer than "
                     "this psinet knows (%d): use a newer psinet",
                     current, known);
            st = STORE_SCHEMA;
        }
    } else if (rc == SQLITE_OK) {
        rc = sqlite3_errcode(db);
    }
    for (const store_migration *m = store_migrations;
         st == STORE_OK && rc == SQLITE_OK && m->name; m++) {
        int version = migration_version(m);
        sqlite3_reset(has);
        sqlite3_bind_int(has, 1, version);
        bool applied = sqlite3_step(has) == SQLITE_ROW;
        sqlite3_reset(has); /* a statement left open would lock the tables
                               a migration drops */
        if (applied)
            continue;
        char now[STORE_TIME_MAX];
        store_now(now);
        rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        if (rc == SQLITE_OK)
            rc = sqlite3_exec(db, m->sql, NULL, NULL, NULL);
        if (rc == SQLITE_OK) {
            sqlite3_reset(add);
            sqlite3_bind_int(add, 1, version);
            sqlite3_bind_text(add, 2, m->name, -1, SQLITE_STATIC);
            sqlite3_bind_text(add, 3, now, -1, SQLITE_TRANSIENT);
            rc = sqlite3_step(add) == SQLITE_DONE ? SQLITE_OK
                                                  : sqlite3_errcode(db);
        }
        if (rc == SQLITE_OK)
            rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
        if (rc != SQLITE_OK) {
            snprintf(errbuf, errlen, "migration %s failed: %s", m->name,
                     sqlite3_errmsg(db));
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        }
    }
    if (st == STORE_OK && rc != SQLITE_OK) {
        if (!errbuf[0])
            snprintf(errbuf, errlen, "%s", sqlite3_errmsg(db));
        st = store_status_of(rc);
    }
    sqlite3_finalize(max);
    sqlite3_finalize(has);
    sqlite3_finalize(add);
    return st;
}

