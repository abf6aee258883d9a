/* tests/store/test_checkpoint.c - checkpoints off the commit path
 * (store/checkpoint.c): under a stream of commits the WAL is copied back
 * into the database file and its file stays bounded, every row is there
 * after the store is opened again, the COMMIT's own checkpoint keeps the
 * WAL bounded without the thread, and closing stops the thread (its
 * connection closed: the last one to close removes the WAL). SQLite only. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/experiment.h"
#include "store/internal.h"
#include "tests/testlib.h"

/* Rows of a stream: each commits alone (no group-commit writer) and adds
 * about 7 pages to the WAL (the row, its indexes, its tag, the sequence),
 * so that the stream passes STORE_CKPT_WAL_MAX three times over. */
#define STREAM_ROWS 1800

static store *open_at(const char *path)
{
    store_status st;
    char err[256];
    store *s = store_open(path, 2, 5000, &st, err, sizeof err);
    test_check(s != NULL, __FILE__, __LINE__, "store_open: %s", err);
    return s;
}

/* The size of file path + suffix in bytes; -1 when there is none. */
static long long file_size(const char *path, const char *suffix)
{
    char name[256];
    snprintf(name, sizeof name, "%s%s", path, suffix);
    struct stat sb;
    return stat(name, &sb) == 0 ? (long long)sb.st_size : -1;
}

/* The WAL file's size for `pages` frames of the database at path. */
static long long wal_bytes(const char *path, long long pages)
{
    sqlite3 *db;
    CHECK(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) ==
          SQLITE_OK);
    sqlite3_stmt *q;
    long long page_size = 0;
    if (sqlite3_prepare_v2(db, "PRAGMA page_size", -1, &q, NULL) ==
        SQLITE_OK) {
        if (sqlite3_step(q) == SQLITE_ROW)
            page_size = sqlite3_column_int64(q, 0);
        sqlite3_finalize(q);
    }
    sqlite3_close(db);
    CHECK(page_size >= 512);
    return 32 + pages * (page_size + 24); /* WAL header, then frames */
}

/* Writes STREAM_ROWS experiments, their ids into ids; the largest size
 * the WAL file had after any of them into *wal_max. */
static void stream(store *s, const char *path, char (*ids)[STORE_ID_MAX],
                   long long *wal_max)
{
    *wal_max = 0;
    char name[32];
    char tag[] = "stream";
    char *tags[] = {tag};
    for (int i = 0; i < STREAM_ROWS; i++) {
        store_experiment e;
        memset(&e, 0, sizeof e);
        snprintf(name, sizeof name, "row %d", i);
        e.name = name;
        snprintf(e.kind, sizeof e.kind, "neuron_activation");
        e.params_json = "{\"amplitudes\":[0.6,0.8]}";
        e.result_json = "{\"neurons\":[{\"activation\":0.6456563062257954}]}";
        e.tags = tags;
        e.tag_count = 1;
        store_status st = store_experiment_create(s, &e);
        if (!test_check(st == STORE_OK, __FILE__, __LINE__,
                        "row %d: status %d", i, (int)st))
            return;
        memcpy(ids[i], e.id, STORE_ID_MAX);
        long long w = file_size(path, "-wal");
        if (w > *wal_max)
            *wal_max = w;
    }
}

/* Waits until the checkpointer has run at least one pass (it was asked
 * for one: the stream added far more than STORE_CKPT_PAGES pages). A
 * bound on the wait so that a broken checkpointer fails the test instead
 * of hanging it; no speed is asserted. */
static unsigned long long wait_for_pass(store *s)
{
    unsigned long long passes = 0, fallbacks = 0;
    for (int i = 0; i < 6000; i++) {
        store_checkpoint_counts(s, &passes, &fallbacks);
        if (passes > 0)
            break;
        nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
    }
    return passes;
}

/* Every row of ids is in the database at path, and no other. */
static void check_rows(const char *path, char (*ids)[STORE_ID_MAX])
{
    store *s = open_at(path);
    if (!s)
        return;
    size_t missing = 0;
    for (int i = 0; i < STREAM_ROWS; i++) {
        store_experiment e;
        if (store_experiment_get(s, ids[i], &e) != STORE_OK) {
            missing++;
            continue;
        }
        char name[32];
        snprintf(name, sizeof name, "row %d", i);
        if (strcmp(e.name, name) != 0 || e.tag_count != 1 ||
            strcmp(e.tags[0], "stream") != 0)
            missing++;
        store_experiment_free(&e);
    }
    CHECK_EQ_INT(missing, 0);
    store_close(s);

    sqlite3 *db;
    CHECK(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) ==
          SQLITE_OK);
    sqlite3_stmt *q;
    long long n = -1;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM experiments", -1, &q,
                           NULL) == SQLITE_OK) {
        if (sqlite3_step(q) == SQLITE_ROW)
            n = sqlite3_column_int64(q, 0);
        sqlite3_finalize(q);
    }
    sqlite3_close(db);
    CHECK_EQ_INT(n, STREAM_ROWS);
}

static char ids[STREAM_ROWS][STORE_ID_MAX];

/* Checks that the WAL file stayed within twice STORE_CKPT_WAL_MAX pages
 * over the stream (wal_max; < 0: not checked), closes s, and checks that
 * the last connection to close took the WAL away (the checkpointer's was
 * closed too) and that every streamed row is there. */
static void close_and_check(store *s, const char *path, long long wal_max)
{
    if (wal_max >= 0) {
        long long bound = wal_bytes(path, 2 * STORE_CKPT_WAL_MAX);
        test_check(wal_max > 0 && wal_max <= bound, __FILE__, __LINE__,
                   "WAL file reached %lld bytes (bound %lld)", wal_max,
                   bound);
    }
    store_close(s);
    CHECK_EQ_INT(file_size(path, "-wal"), -1);
    check_rows(path, ids);
}

TEST(stream_of_commits_is_checkpointed_and_the_wal_stays_bounded)
{
    char path[128];
    test_tmp_path(path, sizeof path, "c");
    store *s = open_at(path);
    if (!s)
        return;
    long long db_before = file_size(path, "");
    long long wal_max;
    stream(s, path, ids, &wal_max);
    CHECK(wait_for_pass(s) > 0);
    /* Copied back while the store is open: the database file holds the
     * rows, not only the WAL. */
    long long db_after = file_size(path, "");
    test_check(db_after > db_before + 100 * 1024, __FILE__, __LINE__,
               "database file %lld bytes after the stream, %lld before",
               db_after, db_before);
    /* Without checkpoints the WAL would hold every page the stream wrote
     * (about 7 a row, over three times STORE_CKPT_WAL_MAX). */
    close_and_check(s, path, wal_max);
}

TEST(without_the_thread_commits_keep_the_wal_bounded)
{
    char path[128];
    test_tmp_path(path, sizeof path, "c");
    store *s = open_at(path);
    if (!s)
        return;
    store_checkpoint_stop(s); /* the hooks stay: the COMMIT's fallback */
    long long wal_max;
    stream(s, path, ids, &wal_max);
    unsigned long long passes, fallbacks;
    store_checkpoint_counts(s, &passes, &fallbacks);
    CHECK_EQ_INT(passes, 0);
    CHECK(fallbacks > 0);
    close_and_check(s, path, wal_max);
}

TEST(closing_while_a_pass_may_run_stops_the_thread)
{
    /* Closed right after the stream, the checkpointer asked for a pass
     * and perhaps in one: store_close waits for it, closes its connection
     * and loses nothing. */
    char path[128];
    test_tmp_path(path, sizeof path, "c");
    store *s = open_at(path);
    if (!s)
        return;
    long long wal_max;
    stream(s, path, ids, &wal_max);
    close_and_check(s, path, -1);
    /* Opened and closed with nothing written: the thread starts and
     * stops idle. */
    s = open_at(path);
    if (s) {
        unsigned long long passes, fallbacks;
        store_checkpoint_counts(s, &passes, &fallbacks);
        CHECK_EQ_INT(passes + fallbacks, 0);
        store_close(s);
    }
    CHECK_EQ_INT(file_size(path, "-wal"), -1);
}
