/* store/db.c - opening the database, the connection pool, migrations,
 * statements, transactions and the small encodings every table uses. */
#include "store/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "core/timing.h"
#include "core/utf8.h"
#include "store/migrations.h"

#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)

/* How every refusal of a damaged file at start-up begins, and ends. */
#define DAMAGED "the file is damaged or is not a database"
#define DAMAGED_ADVICE "; restore it from a backup"

/* 1 when an experiment's params and result are what psinet writes: JSON
 * text whose top level is an object or an array (what jansson parses
 * without flags). json_type runs only on valid JSON, where it cannot fail. */
#define EXP_JSON_OK                                                            \
    "CASE WHEN typeof(params) = 'text' AND typeof(result) = 'text'"           \
    " AND json_valid(params) AND json_valid(result)"                           \
    " THEN json_type(params) IN ('object', 'array')"                           \
    " AND json_type(result) IN ('object', 'array') ELSE 0 END"

/* The columns network.c reads a layer's shape from (read_layer). */
#define NET_LAYER_SHAPE                                                        \
    "position, rows, cols, activation, alpha, typeof(weights),"               \
    " length(weights), typeof(bias), length(bias)"

static const char *const stmt_sql[STMT_COUNT_] = {
    [STMT_BEGIN] = "BEGIN IMMEDIATE",
    [STMT_BEGIN_READ] = "BEGIN",
    [STMT_COMMIT] = "COMMIT",
    [STMT_ROLLBACK] = "ROLLBACK",
    [STMT_PING] = "SELECT count(*) FROM schema_migrations",
    [STMT_SCHEMA_VERSION] =
        "SELECT coalesce(max(version), 0) FROM schema_migrations",
    [STMT_SUP_INSERT] =
        "INSERT INTO superpositions (id, name, dimension, amplitudes, labels,"
        " norm, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [STMT_SUP_GET] =
        "SELECT seq, id, name, dimension, amplitudes, labels, norm, created_at"
        " FROM superpositions WHERE id = ?1",
    [STMT_SUP_SET_AMPS] =
        "UPDATE superpositions SET amplitudes = ?2, norm = ?3 WHERE id = ?1"
        " AND dimension = ?4",
    [STMT_SUP_DELETE] = "DELETE FROM superpositions WHERE id = ?1",
    [STMT_SUP_LIST] =
        "SELECT seq, id, name, dimension, norm, created_at, typeof(amplitudes),"
        " length(amplitudes) FROM superpositions"
        " WHERE (?1 = 0 OR seq < ?1) ORDER BY seq DESC LIMIT ?2",
    [STMT_NET_INSERT] =
        "INSERT INTO networks (id, name, created_at) VALUES (?1, ?2, ?3)",
    [STMT_NET_LAYER_INSERT] =
        "INSERT INTO network_layers (network_seq, position, rows, cols,"
        " activation, alpha, weights, bias) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
        " ?8)",
    [STMT_NET_GET] =
        "SELECT seq, id, name, created_at FROM networks WHERE id = ?1",
    /* The shapes read the BLOBs' types and lengths, which SQLite knows
     * without reading the BLOBs themselves. */
    [STMT_NET_LAYERS] =
        "SELECT " NET_LAYER_SHAPE ", weights, bias FROM network_layers"
        " WHERE network_seq = ?1 ORDER BY position",
    [STMT_NET_LAYERS_SHAPES] =
        "SELECT " NET_LAYER_SHAPE " FROM network_layers"
        " WHERE network_seq = ?1 ORDER BY position",
    [STMT_NET_DELETE] = "DELETE FROM networks WHERE id = ?1",
    [STMT_NET_LIST] =
        "SELECT seq, id, name, created_at FROM networks"
        " WHERE (?1 = 0 OR seq < ?1) ORDER BY seq DESC LIMIT ?2",
    [STMT_EXP_INSERT] =
        "INSERT INTO experiments (id, name, kind, params, result, notes,"
        " created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
    [STMT_EXP_TAG_INSERT] =
        "INSERT INTO experiment_tags (experiment_seq, position, tag)"
        " VALUES (?1, ?2, ?3)",
    [STMT_EXP_TAGS] =
        "SELECT tag FROM experiment_tags WHERE experiment_seq = ?1"
        " ORDER BY position",
    [STMT_EXP_TAGS_DELETE] =
        "DELETE FROM experiment_tags WHERE experiment_seq = ?1",
    [STMT_EXP_GET] =
        "SELECT seq, id, name, kind, params, result, notes, created_at,"
        " updated_at, " EXP_JSON_OK " FROM experiments WHERE id = ?1",
    [STMT_EXP_SET_NAME] = "UPDATE experiments SET name = ?2 WHERE seq = ?1",
    [STMT_EXP_SET_NOTES] = "UPDATE experiments SET notes = ?2 WHERE seq = ?1",
    [STMT_EXP_TOUCH] = "UPDATE experiments SET updated_at = ?2 WHERE seq = ?1",
    [STMT_EXP_DELETE] = "DELETE FROM experiments WHERE id = ?1",
    [STMT_EXP_LIST] =
        "SELECT seq, id, name, kind, params, result, notes, created_at,"
        " updated_at, " EXP_JSON_OK " FROM experiments"
        " WHERE (?1 = 0 OR seq < ?1)"
        " AND (?2 IS NULL OR kind = ?2)"
        " AND (?3 IS NULL OR EXISTS (SELECT 1 FROM experiment_tags t"
        "      WHERE t.experiment_seq = experiments.seq AND t.tag = ?3))"
        " AND (?4 IS NULL OR instr(name, ?4) > 0)"
        " AND (?5 IS NULL OR created_at > ?5)"
        " AND (?6 IS NULL OR created_at < ?6)"
        " ORDER BY seq DESC LIMIT ?7",
};

const char *store_status_str(store_status st)
{
    switch (st) {
    case STORE_OK: return "ok";
    case STORE_NOTFOUND: return "not found";
    case STORE_BUSY: return "database is locked";
    case STORE_FULL: return "disk is full";
    case STORE_READONLY: return "database is read-only";
    case STORE_IOERR: return "disk I/O error";
    case STORE_UNCONFIRMED: return "the disk did not confirm the write";
    case STORE_CORRUPT: return "database file is damaged or not a database";
    case STORE_SCHEMA: return "database schema is newer than this psinet";
    case STORE_NOMEM: return "out of memory";
    case STORE_ERROR: return "database error";
    }
    return "database error";
}

store_status store_status_of(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_DONE:
    case SQLITE_ROW: return STORE_OK;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return STORE_BUSY;
    case SQLITE_FULL: return STORE_FULL;
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_CANTOPEN: return STORE_READONLY;
    case SQLITE_IOERR: return STORE_IOERR;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: return STORE_CORRUPT;
    case SQLITE_NOMEM: return STORE_NOMEM;
    default: return STORE_ERROR;
    }
}

/* ------------------------------------------------------------ statements */

sqlite3_stmt *store_stmt(store_conn *c, stmt_id id, int *rc)
{
    if (!c->db) { /* left closed by a reopen that failed */
        *rc = SQLITE_CANTOPEN;
        return NULL;
    }
    sqlite3_stmt *s = c->stmts[id];
    if (s) {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
        *rc = SQLITE_OK;
        return s;
    }
    *rc = sqlite3_prepare_v3(c->db, stmt_sql[id], -1,
                             SQLITE_PREPARE_PERSISTENT, &s, NULL);
    if (*rc != SQLITE_OK) {
        sqlite3_finalize(s);
        return NULL;
    }
    c->stmts[id] = s;
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

static store_status run_simple(store_conn *c, stmt_id id)
{
    int rc;
    sqlite3_stmt *s = store_stmt(c, id, &rc);
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
    store_status result = run_simple(c, STMT_BEGIN);
    if (result != STORE_OK)
        end_writing(st, c);
    return result;
}

store_status store_begin_read(store_conn *c)
{
    return run_simple(c, STMT_BEGIN_READ);
}

store_status store_commit(store_conn *c)
{
    store_status st = run_simple(c, STMT_COMMIT);
    if (st != STORE_OK)
        store_rollback(c);
    return st;
}

void store_rollback(store_conn *c)
{
    if (c->db && !sqlite3_get_autocommit(c->db))
        run_simple(c, STMT_ROLLBACK);
}

store_status store_write_begin(store *st, stmt_id id, store_conn **c,
                               sqlite3_stmt **q)
{
    *c = store_conn_get(st);
    *q = NULL;
    store_status result = store_begin(st, *c);
    if (result != STORE_OK)
        return result;
    int rc;
    *q = store_stmt(*c, id, &rc);
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

store_status store_delete_by_id(store *st, stmt_id id_stmt, const char *id)
{
    store_conn *c;
    sqlite3_stmt *q;
    store_status result = store_write_begin(st, id_stmt, &c, &q);
    if (result == STORE_OK) {
        sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
        result = store_exec(q);
        if (result == STORE_OK && sqlite3_changes(c->db) == 0)
            result = STORE_NOTFOUND;
    }
    return store_write_end(st, c, result);
}

/* ------------------------------------------------------------ the pool */

static int conn_open(store_conn *c, const char *path, int busy_ms,
                     char *errbuf, size_t errlen);
static void conn_close(store_conn *c);

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
        conn_close(&st->conns[i]);
    for (int i = 0; i < st->size; i++) {
        if (conn_open(&st->conns[i], st->path, st->busy_ms, err,
                      sizeof err) != SQLITE_OK)
            st->conns[i].stale = true;
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

static void conn_close(store_conn *c)
{
    for (int i = 0; i < STMT_COUNT_; i++) {
        sqlite3_finalize(c->stmts[i]);
        c->stmts[i] = NULL;
    }
    sqlite3_close(c->db);
    c->db = NULL;
}

/* Opens one connection with psinet's settings. */
static int conn_open(store_conn *c, const char *path, int busy_ms,
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
        conn_close(c);
    }
    return rc;
}

/* ------------------------------------------------------------ migrations */

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

/* Applies the migrations not yet recorded, each in its own transaction. */
static store_status migrate(sqlite3 *db, char *errbuf, size_t errlen)
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

store *store_open(const char *path, int connections, int busy_ms,
                  store_status *status, char *errbuf, size_t errlen)
{
    errbuf[0] = '\0';
    if (connections < 1)
        connections = 1;
    store *st = calloc(1, sizeof *st);
    if (st) {
        st->path = strdup(path);
        st->conns = calloc((size_t)connections, sizeof *st->conns);
        st->idle = calloc((size_t)connections, sizeof *st->idle);
    }
    if (!st || !st->path || !st->conns || !st->idle) {
        if (st) {
            free(st->path);
            free(st->conns);
            free(st->idle);
            free(st);
        }
        *status = STORE_NOMEM;
        snprintf(errbuf, errlen, "out of memory");
        return NULL;
    }
    st->busy_ms = busy_ms;
    atomic_init(&st->damaged, false);
    pthread_mutex_init(&st->lock, NULL);
    pthread_mutex_init(&st->write_lock, NULL);
    pthread_cond_init(&st->available, NULL);
    store_cache_init(st);
    *status = STORE_OK;
    for (int i = 0; i < connections && *status == STORE_OK; i++) {
        int rc = conn_open(&st->conns[i], path, busy_ms, errbuf, errlen);
        if (rc != SQLITE_OK) {
            *status = store_status_of(rc);
            break;
        }
        st->size = i + 1;
        st->idle[st->idle_count++] = i;
        if (i == 0)
            *status = check_file(st->conns[0].db, errbuf, errlen);
        if (i == 0 && *status == STORE_OK)
            *status = migrate(st->conns[0].db, errbuf, errlen);
    }
    if (*status == STORE_CORRUPT &&
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
    return st;
}

void store_close(store *st)
{
    if (!st)
        return;
    for (int i = 0; i < st->size; i++)
        conn_close(&st->conns[i]);
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
    store_conn *c = store_conn_get(st);
    int rc;
    sqlite3_stmt *s = store_stmt(c, STMT_PING, &rc);
    store_status result = s ? store_exec(s) : store_status_of(rc);
    return store_conn_put(st, c, result);
}

store_status store_schema_version(store *st, int *version)
{
    store_conn *c = store_conn_get(st);
    int rc;
    store_status result;
    sqlite3_stmt *s = store_stmt(c, STMT_SCHEMA_VERSION, &rc);
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

/* ------------------------------------------------------------ encodings */

void store_new_id(const char *prefix, char *out)
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
    unsigned char bytes[13];
    size_t got = 0;
    while (got < sizeof bytes) {
        ssize_t n = getrandom(bytes + got, sizeof bytes - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    if (got < sizeof bytes) { /* no getrandom: /dev/urandom */
        int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            while (got < sizeof bytes) {
                ssize_t n = read(fd, bytes + got, sizeof bytes - got);
                if (n <= 0)
                    break;
                got += (size_t)n;
            }
            close(fd);
        }
    }
    size_t len = (size_t)snprintf(out, STORE_ID_MAX, "%s_", prefix);
    /* 20 characters of 5 bits each from the first 100 bits. */
    for (int i = 0; i < 20; i++) {
        int bit = i * 5, byte = bit / 8, shift = bit % 8;
        unsigned v = ((unsigned)bytes[byte] << 8 | bytes[byte + 1]) >>
                     (11 - shift);
        out[len + (size_t)i] = alphabet[v & 31];
    }
    out[len + 20] = '\0';
}

void store_now(char *out)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    char buf[96];
    snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
             tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
    memcpy(out, buf, 25);
}

/* Points *text at column col and sets *len when it is TEXT that psinet
 * could have written (valid UTF-8, no NUL inside). */
static store_status column_text(sqlite3_stmt *s, int col, const char **text,
                                size_t *len)
{
    if (sqlite3_column_type(s, col) != SQLITE_TEXT)
        return STORE_CORRUPT;
    *text = (const char *)sqlite3_column_text(s, col);
    if (!*text) /* a TEXT value that could not be fetched */
        return STORE_NOMEM;
    *len = (size_t)sqlite3_column_bytes(s, col);
    return utf8_valid(*text, *len) && !memchr(*text, '\0', *len)
               ? STORE_OK
               : STORE_CORRUPT;
}

store_status store_column_copy(sqlite3_stmt *s, int col, char *buf,
                               size_t size)
{
    const char *t;
    size_t len;
    store_status result = column_text(s, col, &t, &len);
    if (result == STORE_OK && len >= size)
        result = STORE_CORRUPT;
    if (result == STORE_OK)
        memcpy(buf, t, len + 1);
    return result;
}

store_status store_column_text(sqlite3_stmt *s, int col, bool nullable,
                               char **out)
{
    *out = NULL;
    if (nullable && sqlite3_column_type(s, col) == SQLITE_NULL)
        return STORE_OK;
    const char *t;
    size_t len;
    store_status result = column_text(s, col, &t, &len);
    if (result != STORE_OK)
        return result;
    *out = malloc(len + 1);
    if (!*out)
        return STORE_NOMEM;
    memcpy(*out, t, len + 1);
    return STORE_OK;
}

bool store_typeof_is(sqlite3_stmt *s, int col, const char *type)
{
    const unsigned char *t = sqlite3_column_text(s, col);
    return t && strcmp((const char *)t, type) == 0;
}

bool store_blob_holds(sqlite3_int64 len, size_t n, size_t size)
{
    return len >= 0 && (sqlite3_uint64)len % size == 0 &&
           (sqlite3_uint64)len / size == n;
}

store_status store_column_doubles(sqlite3_stmt *s, int col, size_t n,
                                  double **out)
{
    *out = NULL;
    if (sqlite3_column_type(s, col) != SQLITE_BLOB)
        return STORE_CORRUPT;
    const unsigned char *blob = sqlite3_column_blob(s, col);
    int len = sqlite3_column_bytes(s, col);
    if (n == 0 || !store_blob_holds(len, n, 8))
        return STORE_CORRUPT;
    if (!blob) /* a BLOB of len > 0 bytes that could not be fetched */
        return STORE_NOMEM;
    *out = malloc(n * sizeof **out); /* n * 8 == len: no overflow */
    if (!*out)
        return STORE_NOMEM;
    if (!store_decode_doubles(blob, n, *out)) {
        free(*out);
        *out = NULL;
        return STORE_CORRUPT;
    }
    return STORE_OK;
}

void store_encode_doubles(const double *x, size_t n, unsigned char *out)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t bits;
        memcpy(&bits, &x[i], sizeof bits);
        for (int b = 0; b < 8; b++)
            out[i * 8 + (size_t)b] = (unsigned char)(bits >> (8 * b));
    }
}

bool store_decode_doubles(const unsigned char *in, size_t n, double *x)
{
    bool finite = true;
    for (size_t i = 0; i < n; i++) {
        uint64_t bits = 0;
        for (int b = 0; b < 8; b++)
            bits |= (uint64_t)in[i * 8 + (size_t)b] << (8 * b);
        memcpy(&x[i], &bits, sizeof bits);
        finite = finite && isfinite(x[i]);
    }
    return finite;
}
