/* store/checkpoint.c - checkpoints off the commit path: a thread with a
 * connection of its own copies the WAL back into the database file, so
 * that the COMMIT which answers requests does not.
 *
 * SQLite's automatic checkpoint runs inside the COMMIT that takes the WAL
 * past 1000 pages: it copies every page the WAL holds into the database
 * file and fsyncs it, while the rows of that COMMIT (a whole group-commit
 * batch) wait for their answers, and the next batch for its turn. Measured
 * under experiment-write at 32 connections (2 shared cores, virtio disk):
 * 5 to 15 ms, every ~85 ms, 7.5 % of the writer's time.
 *
 * Instead, every pool connection carries a WAL hook (SQLite calls it after
 * each COMMIT with the pages the WAL holds) in place of the automatic
 * checkpoint (the thresholds are in store/internal.h):
 * - when STORE_CKPT_PAGES pages were added since the last checkpoint, it
 *   wakes the checkpointer, which runs a PASSIVE checkpoint on its own
 *   connection: it copies what no reader still needs and fsyncs the file,
 *   taking no lock a writer waits for, so commits go on meanwhile.
 * - The WAL starts over from its beginning only when a write transaction
 *   begins with every page of it copied back, which a checkpoint running
 *   beside a steady stream of commits never sees. So once the WAL holds
 *   STORE_CKPT_RESTART pages, the checkpointer follows its pass with a
 *   second one behind the store's write lock: it copies only what was
 *   committed during the first (tens of pages, and an fsync), and the
 *   next write transaction starts the WAL over. Writers wait for that
 *   second pass (1 to 7 ms, measured as above) once per
 *   STORE_CKPT_RESTART pages, instead of for a whole checkpoint every
 *   1000; the rows committed before it are answered meanwhile.
 * - When the WAL holds STORE_CKPT_WAL_MAX pages all the same (the
 *   checkpointer cannot keep up, or readers hold old snapshots), the
 *   COMMIT checkpoints itself, PASSIVE, as SQLite's automatic checkpoint
 *   does: the fallback that keeps the WAL bounded.
 *
 * Durability is unchanged: a COMMIT is durable once its WAL pages are
 * synced (synchronous=FULL), before and whatever any checkpoint does; a
 * checkpoint interrupted by a crash is redone from the WAL at the next
 * open. When the checkpointer cannot start (its connection or its thread),
 * the pool keeps SQLite's automatic checkpoint. */
#include "store/internal.h"

#include <stdlib.h>

#include "core/mem.h"

struct store_checkpointer {
    pthread_mutex_t lock;
    pthread_cond_t wake; /* a pass is asked for, or the thread must stop */
    sqlite3 *db;         /* the checkpointer's own connection */
    pthread_t thread;
    bool running; /* the thread runs and takes requests */
    bool asked;   /* a pass is asked for and has not begun */
    bool busy;    /* a pass runs: no other is asked for meanwhile */
    store *st;    /* whose write_lock holds writers off (STORE_CKPT_RESTART) */
    int wal_pages;   /* pages in the WAL after the last COMMIT seen */
    int backfilled;  /* of them, copied by the last checkpoint */
    unsigned wal_starts; /* times the WAL was seen starting over */
    unsigned long long passes, fallbacks;
};

/* Notes a checkpoint's result: `done` of the WAL's pages are copied, if
 * the WAL has not started over since the checkpoint began (starts: what
 * wal_starts was then). Lock held. */
static void note_backfilled(store_checkpointer *k, unsigned starts, int done)
{
    if (starts == k->wal_starts && done > k->backfilled)
        k->backfilled = done;
}

/* The WAL hook of every pool connection (sqlite3_wal_hook): runs after
 * each COMMIT, on the committing thread, with the pages the WAL of
 * database `name` holds. Always SQLITE_OK: the COMMIT is done and durable
 * whatever a checkpoint makes of it. */
static int on_commit(void *arg, sqlite3 *db, const char *name, int pages)
{
    store_checkpointer *k = arg;
    pthread_mutex_lock(&k->lock);
    if (pages < k->wal_pages) { /* the WAL started over */
        k->wal_starts++;
        k->backfilled = 0;
    }
    k->wal_pages = pages;
    bool fallback = pages >= STORE_CKPT_WAL_MAX;
    unsigned starts = k->wal_starts;
    if (!fallback && k->running && !k->asked && !k->busy &&
        pages - k->backfilled >= STORE_CKPT_PAGES) {
        k->asked = true;
        pthread_cond_signal(&k->wake);
    }
    pthread_mutex_unlock(&k->lock);
    if (fallback) {
        int log = 0, done = 0;
        int rc = sqlite3_wal_checkpoint_v2(db, name,
                                           SQLITE_CHECKPOINT_PASSIVE, &log,
                                           &done);
        pthread_mutex_lock(&k->lock);
        if (rc == SQLITE_OK) {
            k->fallbacks++;
            note_backfilled(k, starts, done);
        }
        pthread_mutex_unlock(&k->lock);
    }
    return SQLITE_OK;
}

/* One PASSIVE checkpoint on the checkpointer's connection (lock not
 * held); notes what it copied. */
static void pass(store_checkpointer *k, int *log, int *done)
{
    pthread_mutex_lock(&k->lock);
    unsigned starts = k->wal_starts;
    pthread_mutex_unlock(&k->lock);
    *log = *done = 0;
    /* SQLITE_BUSY when a COMMIT's own checkpoint runs: it copies the same
     * pages. */
    int rc = sqlite3_wal_checkpoint_v2(k->db, NULL, SQLITE_CHECKPOINT_PASSIVE,
                                       log, done);
    pthread_mutex_lock(&k->lock);
    if (rc == SQLITE_OK) {
        k->passes++;
        note_backfilled(k, starts, *done);
    }
    pthread_mutex_unlock(&k->lock);
}

static void *checkpointer(void *arg)
{
    store_checkpointer *k = arg;
    pthread_mutex_lock(&k->lock);
    for (;;) {
        while (k->running && !k->asked)
            pthread_cond_wait(&k->wake, &k->lock);
        if (!k->running)
            break;
        /* Asked again by a COMMIT after this pass when it leaves
         * STORE_CKPT_PAGES uncopied (readers hold old snapshots, or it
         * failed): one attempt per COMMIT then, as SQLite's own makes. */
        k->asked = false;
        k->busy = true;
        pthread_mutex_unlock(&k->lock);
        int log, done;
        pass(k, &log, &done);
        if (done == log && log >= STORE_CKPT_RESTART) {
            /* Commits went on meanwhile: copy theirs too, with writers
             * held off, so that the next write transaction finds the WAL
             * copied back and starts it over. */
            pthread_mutex_lock(&k->st->write_lock);
            pass(k, &log, &done);
            pthread_mutex_unlock(&k->st->write_lock);
        }
        pthread_mutex_lock(&k->lock);
        k->busy = false;
    }
    pthread_mutex_unlock(&k->lock);
    return NULL;
}

void store_checkpoint_attach(store *st, store_conn *c)
{
    if (st->ckpt && c->db)
        sqlite3_wal_hook(c->db, on_commit, st->ckpt);
}

void store_checkpoint_start(store *st)
{
    if (st->pg || st->ckpt)
        return;
    store_checkpointer *k = mem_calloc(1, sizeof *k);
    k->st = st;
    pthread_mutex_init(&k->lock, NULL);
    pthread_cond_init(&k->wake, NULL);
    int rc = sqlite3_open_v2(st->path, &k->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                             NULL);
    if (rc == SQLITE_OK) /* its checkpoints sync as the pool's do */
        rc = sqlite3_exec(k->db, "PRAGMA synchronous = FULL", NULL, NULL,
                          NULL);
    k->running = rc == SQLITE_OK;
    if (k->running &&
        pthread_create(&k->thread, NULL, checkpointer, k) != 0)
        k->running = false;
    if (!k->running) { /* SQLite's automatic checkpoint stays */
        sqlite3_close(k->db);
        pthread_cond_destroy(&k->wake);
        pthread_mutex_destroy(&k->lock);
        free(k);
        return;
    }
    st->ckpt = k;
    for (int i = 0; i < st->size; i++)
        store_checkpoint_attach(st, &st->conns[i]);
}

void store_checkpoint_stop(store *st)
{
    store_checkpointer *k = st->ckpt;
    if (!k)
        return;
    pthread_mutex_lock(&k->lock);
    bool join = k->running;
    k->running = false;
    pthread_cond_signal(&k->wake);
    pthread_mutex_unlock(&k->lock);
    if (join)
        pthread_join(k->thread, NULL);
    sqlite3_close(k->db);
    k->db = NULL;
}

void store_checkpoint_free(store *st)
{
    store_checkpointer *k = st->ckpt;
    if (!k)
        return;
    store_checkpoint_stop(st);
    pthread_cond_destroy(&k->wake);
    pthread_mutex_destroy(&k->lock);
    free(k);
    st->ckpt = NULL;
}

void store_checkpoint_counts(store *st, unsigned long long *passes,
                             unsigned long long *fallbacks)
{
    *passes = *fallbacks = 0;
    store_checkpointer *k = st->ckpt;
    if (!k)
        return;
    pthread_mutex_lock(&k->lock);
    *passes = k->passes;
    *fallbacks = k->fallbacks;
    pthread_mutex_unlock(&k->lock);
}
