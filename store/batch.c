/* store/batch.c - the group-commit writer (store/batch.h): a queue of rows
 * and the one thread that commits them together. */
#include "store/internal.h"

#include <stdlib.h>

#include "core/mem.h"

/* Most rows one transaction carries: a burst larger than this is committed
 * in several, so that no one transaction grows without bound and the
 * first rows of a burst are answered without waiting for the last. */
#define BATCH_MAX 256

typedef struct job {
    struct job *next;
    store_row row;
    store_done_fn done;
    void *arg;
} job;

struct store_batcher {
    pthread_mutex_t lock;
    pthread_cond_t more; /* a row was queued, or the writer must stop */
    job *head, *tail;
    bool running; /* the writer takes rows into the queue */
    bool started; /* its thread was created (and is not joined yet) */
    pthread_t thread;
    unsigned long long rows, batches; /* of batches of more than one row */
};

/* Writes one row in a transaction of its own; its status. stamp: the row
 * was not stamped in the queue. */
static store_status write_alone(store *st, const store_row *row, bool stamp)
{
    store_conn *c = store_conn_get(st);
    store_status result = store_begin(st, c);
    if (result == STORE_OK) {
        if (stamp) /* inside the write lock: list order */
            row->stamp(row->row);
        result = row->write(c, row->row);
    }
    return store_write_end(st, c, result);
}

/* Answers every job of list with status, or, when retry, with what each
 * one's row got written alone; frees them. */
static void finish(store *st, job *list, store_status status, bool retry)
{
    while (list) {
        job *next = list->next;
        store_status s =
            retry ? write_alone(st, &list->row, false) : status;
        list->done(list->arg, s);
        if (list->row.release)
            list->row.release(list->row.row);
        free(list);
        list = next;
    }
}

/* Commits the rows of list (in the order they were queued) in one
 * transaction, and answers them. */
static void commit_batch(store *st, job *list, size_t n)
{
    if (n == 1) {
        finish(st, list, STORE_OK, true); /* alone anyway */
        return;
    }
    store_conn *c = store_conn_get(st);
    store_status result = store_begin(st, c);
    if (result != STORE_OK) {
        /* Nothing was written: the database is busy or damaged for every
         * row alike, and each one alone would wait or fail the same. */
        finish(st, list, store_write_end(st, c, result), false);
        return;
    }
    for (job *j = list; j && result == STORE_OK; j = j->next)
        result = j->row.write(c, j->row.row);
    result = store_write_end(st, c, result);
    if (result == STORE_OK) {
        pthread_mutex_lock(&st->batch->lock);
        st->batch->rows += n;
        st->batch->batches++;
        pthread_mutex_unlock(&st->batch->lock);
    }
    if (result == STORE_OK || result == STORE_UNCONFIRMED)
        finish(st, list, result, false);
    else /* rolled back: each row alone, so that a bad one fails alone */
        finish(st, list, result, true);
}

static void *writer(void *arg)
{
    store *st = arg;
    store_batcher *b = st->batch;
    pthread_mutex_lock(&b->lock);
    for (;;) {
        while (b->running && !b->head)
            pthread_cond_wait(&b->more, &b->lock);
        if (!b->head) /* drained: store_batch_drain stopped taking rows */
            break;
        job *list = b->head, *last = list;
        size_t n = 1;
        while (last->next && n < BATCH_MAX) {
            last = last->next;
            n++;
        }
        b->head = last->next;
        if (!b->head)
            b->tail = NULL;
        last->next = NULL;
        pthread_mutex_unlock(&b->lock);
        commit_batch(st, list, n);
        pthread_mutex_lock(&b->lock);
    }
    pthread_mutex_unlock(&b->lock);
    return NULL;
}

bool store_batch_start(store *st)
{
    if (st->pg || st->batch)
        return true;
    store_batcher *b = mem_calloc(1, sizeof *b);
    pthread_mutex_init(&b->lock, NULL);
    pthread_cond_init(&b->more, NULL);
    b->running = true;
    st->batch = b;
    if (pthread_create(&b->thread, NULL, writer, st) != 0) {
        b->running = false;
        return false;
    }
    b->started = true;
    return true;
}

bool store_batch_running(store *st)
{
    store_batcher *b = st->batch;
    if (!b)
        return false;
    pthread_mutex_lock(&b->lock);
    bool running = b->running;
    pthread_mutex_unlock(&b->lock);
    return running;
}

void store_batch_drain(store *st)
{
    store_batcher *b = st ? st->batch : NULL;
    if (!b)
        return;
    pthread_mutex_lock(&b->lock);
    b->running = false;
    bool join = b->started;
    b->started = false;
    pthread_cond_broadcast(&b->more);
    pthread_mutex_unlock(&b->lock);
    /* The writer empties the queue before it ends: rows queued before
     * running turned false are all answered. */
    if (join)
        pthread_join(b->thread, NULL);
}

/* Frees st's writer (drained first); store_close's. */
void store_batch_free(store *st)
{
    store_batcher *b = st->batch;
    if (!b)
        return;
    store_batch_drain(st);
    pthread_cond_destroy(&b->more);
    pthread_mutex_destroy(&b->lock);
    free(b);
    st->batch = NULL;
}

void store_batch_counts(store *st, unsigned long long *rows,
                        unsigned long long *batches)
{
    *rows = *batches = 0;
    store_batcher *b = st->batch;
    if (!b)
        return;
    pthread_mutex_lock(&b->lock);
    *rows = b->rows;
    *batches = b->batches;
    pthread_mutex_unlock(&b->lock);
}

void store_batch_submit(store *st, const store_row *row, store_done_fn done,
                        void *arg)
{
    store_batcher *b = st->batch;
    if (b) {
        pthread_mutex_lock(&b->lock);
        if (b->running) {
            job *j = mem_alloc(sizeof *j);
            *j = (job){NULL, *row, done, arg};
            /* Stamped in queue order, which is commit order. */
            row->stamp(row->row);
            if (b->tail)
                b->tail->next = j;
            else
                b->head = j;
            b->tail = j;
            pthread_cond_signal(&b->more);
            pthread_mutex_unlock(&b->lock);
            return;
        }
        pthread_mutex_unlock(&b->lock);
    }
    done(arg, write_alone(st, row, true));
    if (row->release)
        row->release(row->row);
}

/* A synchronous caller waiting for its row (store_batch_write). */
typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t done;
    bool finished;
    store_status status;
} waiter;

static void wake(void *arg, store_status status)
{
    waiter *w = arg;
    pthread_mutex_lock(&w->lock);
    w->status = status;
    w->finished = true;
    pthread_cond_signal(&w->done);
    pthread_mutex_unlock(&w->lock);
}

store_status store_batch_write(store *st, const store_row *row)
{
    if (!st->batch)
        return write_alone(st, row, true);
    waiter w = {.finished = false};
    pthread_mutex_init(&w.lock, NULL);
    pthread_cond_init(&w.done, NULL);
    store_batch_submit(st, row, wake, &w);
    pthread_mutex_lock(&w.lock);
    while (!w.finished)
        pthread_cond_wait(&w.done, &w.lock);
    pthread_mutex_unlock(&w.lock);
    pthread_cond_destroy(&w.done);
    pthread_mutex_destroy(&w.lock);
    return w.status;
}
