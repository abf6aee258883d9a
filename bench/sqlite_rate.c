/* bench/sqlite_rate.c - how fast SQLite alone commits one small row per
 * transaction with psinet's settings (WAL, synchronous=FULL): the ceiling
 * for experiment-write.
 *
 *   bench/sqlite_rate DIR SECONDS   prints "commits_per_second N" */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench/clock.h"

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    char path[1024];
    snprintf(path, sizeof path, "%s/rate.db", argv[1]);
    sqlite3 *db;
    if (sqlite3_open(path, &db) != SQLITE_OK)
        return 1;
    sqlite3_exec(db,
                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                 "CREATE TABLE t (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
                 " id TEXT, body TEXT)",
                 NULL, NULL, NULL);
    sqlite3_stmt *ins;
    sqlite3_prepare_v2(db, "INSERT INTO t (id, body) VALUES (?1, ?2)", -1,
                       &ins, NULL);
    double start = bench_now(), t;
    long n = 0;
    do {
        sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        sqlite3_bind_text(ins, 1, "exp_aaaaaaaaaaaaaaaaaaaa", -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 2, "{\"params\":{},\"result\":{}}", -1,
                          SQLITE_STATIC);
        sqlite3_step(ins);
        sqlite3_reset(ins);
        sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
        n++;
    } while ((t = bench_now() - start) < atof(argv[2]));
    printf("commits_per_second %.0f\n", n / t);
    sqlite3_finalize(ins);
    sqlite3_close(db);
    return 0;
}
