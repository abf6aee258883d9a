/* tests/store/test_batch.c - the group-commit writer (store/batch.h) on
 * SQLite: rows of many threads committed together, every acknowledged row
 * there after the store is opened again, a bad row failing alone in its
 * batch, and the drain. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/experiment.h"
#include "store/network.h"
#include "store/superposition.h"
#include "store/internal.h"
#include "tests/testlib.h"

static const char *new_path(char *path, size_t len)
{
    return test_tmp_path(path, len, "b");
}

static store *open_at(const char *path, int connections)
{
    store_status st;
    char err[256];
    store *s = store_open(path, connections, 5000, &st, err, sizeof err);
    test_check(s != NULL, __FILE__, __LINE__, "store_open: %s", err);
    return s;
}

/* A row to submit, and what the writer said of it. */
typedef struct {
    store_experiment e;
    char name[32];
    char *tags[2];
    char tag0[16], tag1[16];
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool done;
    store_status status;
    int calls; /* how often done was called: exactly once */
} row;

static void row_init(row *r, const char *name)
{
    memset(r, 0, sizeof *r);
    snprintf(r->name, sizeof r->name, "%s", name);
    snprintf(r->tag0, sizeof r->tag0, "t-%s", name);
    snprintf(r->tag1, sizeof r->tag1, "shared");
    r->tags[0] = r->tag0;
    r->tags[1] = r->tag1;
    r->e.name = r->name;
    snprintf(r->e.kind, sizeof r->e.kind, "neuron_activation");
    r->e.params_json = "{\"p\":1}";
    r->e.result_json = "{\"r\":[1,2]}";
    r->e.inputs_json = "[]";
    r->e.tags = r->tags;
    r->e.tag_count = 2;
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->cond, NULL);
}

static void row_done(void *arg, store_status status)
{
    row *r = arg;
    pthread_mutex_lock(&r->lock);
    r->status = status;
    r->done = true;
    r->calls++;
    pthread_cond_signal(&r->cond);
    pthread_mutex_unlock(&r->lock);
}

static store_status row_wait(row *r)
{
    pthread_mutex_lock(&r->lock);
    while (!r->done)
        pthread_cond_wait(&r->cond, &r->lock);
    store_status s = r->status;
    pthread_mutex_unlock(&r->lock);
    return s;
}

static void row_fini(row *r)
{
    pthread_cond_destroy(&r->cond);
    pthread_mutex_destroy(&r->lock);
}

/* The row with id is there, as it was written. */
static bool row_stored(store *s, const row *r)
{
    store_experiment got;
    if (store_experiment_get(s, r->e.id, &got) != STORE_OK)
        return false;
    bool same = strcmp(got.name, r->name) == 0 &&
                strcmp(got.params_json, "{\"p\":1}") == 0 &&
                strcmp(got.created_at, r->e.created_at) == 0 &&
                got.tag_count == 2 && strcmp(got.tags[0], r->tag0) == 0 &&
                strcmp(got.tags[1], "shared") == 0;
    store_experiment_free(&got);
    return same;
}

#define THREADS 16
#define PER_THREAD 40

typedef struct {
    store *s;
    int t;
    row rows[PER_THREAD];
} writer_arg;

/* Submits its rows one after the other, each waiting for the one before
 * (as a client on one connection does); half through the synchronous
 * store_experiment_create, half through submit. */
static void *writer(void *arg)
{
    writer_arg *w = arg;
    for (int i = 0; i < PER_THREAD; i++) {
        char name[32];
        snprintf(name, sizeof name, "w%d-%d", w->t, i);
        row *r = &w->rows[i];
        row_init(r, name);
        if (i % 2) {
            r->status = store_experiment_create(w->s, &r->e);
            r->done = true;
            r->calls = 1;
        } else {
            store_experiment_submit(w->s, &r->e, row_done, r);
            row_wait(r);
        }
    }
    return NULL;
}

TEST(many_threads_every_acknowledged_row_is_there_after_reopen)
{
    char path[128];
    new_path(path, sizeof path);
    store *s = open_at(path, 4);
    CHECK(store_batch_start(s));
    CHECK(store_batch_running(s));
    static writer_arg w[THREADS];
    pthread_t th[THREADS];
    for (int t = 0; t < THREADS; t++) {
        w[t].s = s;
        w[t].t = t;
        pthread_create(&th[t], NULL, writer, &w[t]);
    }
    for (int t = 0; t < THREADS; t++)
        pthread_join(th[t], NULL);
    unsigned long long rows, batches;
    store_batch_counts(s, &rows, &batches);
    /* Sixteen writers at once: the writer found several rows waiting at
     * least once (a batch is counted only when it holds more than one). */
    CHECK(batches > 0);
    CHECK(rows >= 2 * batches);
    store_close(s);
    s = open_at(path, 2);
    int ok = 0, there = 0, once = 0;
    for (int t = 0; t < THREADS; t++)
        for (int i = 0; i < PER_THREAD; i++) {
            row *r = &w[t].rows[i];
            once += r->calls == 1;
            if (r->status == STORE_OK) {
                ok++;
                there += row_stored(s, r);
            }
            row_fini(r);
        }
    CHECK_EQ_INT(once, THREADS * PER_THREAD);
    CHECK_EQ_INT(ok, THREADS * PER_THREAD);
    CHECK_EQ_INT(there, ok);
    /* List order (seq) is created_at order. */
    store_experiment *items;
    size_t count;
    int64_t next;
    CHECK(store_experiment_list(s, &(store_experiment_filter){0}, 0, 1000,
                                &items, &count, &next) == STORE_OK);
    CHECK_EQ_INT(count, THREADS * PER_THREAD);
    int ordered = 0;
    for (size_t i = 1; i < count; i++)
        ordered += strcmp(items[i - 1].created_at, items[i].created_at) >= 0;
    CHECK_EQ_INT(ordered, (long long)count - 1);
    store_experiment_array_free(items, count);
    store_close(s);
}

/* Keeps the writer from committing: the store's write lock, held. */
static void hold_writes(store *s)
{
    pthread_mutex_lock(&s->write_lock);
}

static void release_writes(store *s)
{
    pthread_mutex_unlock(&s->write_lock);
}

static void pause_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

#define BATCH 12

/* BATCH rows named prefix0, prefix1, ... */
static void rows_init(row rows[BATCH], const char *prefix)
{
    for (int i = 0; i < BATCH; i++) {
        char name[16];
        snprintf(name, sizeof name, "%s%d", prefix, i);
        row_init(&rows[i], name);
    }
}

/* Holds the write lock and queues BATCH rows named prefix0, prefix1, ...:
 * the writer takes rows[0] and waits in BEGIN; the other rows, queued
 * meanwhile, all go into the next batch. rows[bad] (when bad >= 0) is one
 * SQLite refuses (a NULL name, NOT NULL). The caller releases the lock. */
static void queue_behind_lock(store *s, row rows[BATCH], const char *prefix,
                              int bad)
{
    hold_writes(s);
    rows_init(rows, prefix);
    store_experiment_submit(s, &rows[0].e, row_done, &rows[0]);
    pause_ms(100); /* the writer takes rows[0] and waits for the lock */
    if (bad >= 0)
        rows[bad].e.name = NULL;
    for (int i = 1; i < BATCH; i++)
        store_experiment_submit(s, &rows[i].e, row_done, &rows[i]);
}

TEST(a_bad_row_fails_alone_and_the_others_of_its_batch_are_committed)
{
    char path[128];
    new_path(path, sizeof path);
    store *s = open_at(path, 2);
    CHECK(store_batch_start(s));
    static row rows[BATCH];
    /* A row SQLite refuses (NOT NULL), amid good ones. */
    queue_behind_lock(s, rows, "r", 5);
    for (int i = 0; i < BATCH; i++)
        CHECK(!rows[i].done); /* nothing answered before its commit */
    release_writes(s);
    for (int i = 0; i < BATCH; i++)
        row_wait(&rows[i]);
    unsigned long long n, batches;
    store_batch_counts(s, &n, &batches);
    CHECK_EQ_INT(batches, 0); /* the batch of 11 failed as a whole */
    store_close(s);
    s = open_at(path, 2);
    for (int i = 0; i < BATCH; i++) {
        CHECK_EQ_INT(rows[i].calls, 1);
        if (i == 5) {
            CHECK(rows[i].status == STORE_ERROR);
            CHECK(!row_stored(s, &rows[i]));
        } else {
            CHECK(rows[i].status == STORE_OK);
            CHECK(row_stored(s, &rows[i]));
        }
        row_fini(&rows[i]);
    }
    /* The ids that were answered are the ids stored. */
    store_experiment *items;
    size_t count;
    int64_t next;
    CHECK(store_experiment_list(s, &(store_experiment_filter){0}, 0, 100,
                                &items, &count, &next) == STORE_OK);
    CHECK_EQ_INT(count, BATCH - 1);
    store_experiment_array_free(items, count);
    store_close(s);
}

TEST(good_rows_queued_together_share_one_commit)
{
    char path[128];
    new_path(path, sizeof path);
    store *s = open_at(path, 2);
    CHECK(store_batch_start(s));
    static row rows[BATCH];
    queue_behind_lock(s, rows, "g", -1);
    release_writes(s);
    for (int i = 0; i < BATCH; i++)
        CHECK(row_wait(&rows[i]) == STORE_OK);
    unsigned long long n, batches;
    store_batch_counts(s, &n, &batches);
    /* rows[0] alone (or with the others, when the writer was slow to take
     * it), then the rest in one transaction. */
    CHECK_EQ_INT(batches, 1);
    CHECK(n == BATCH - 1 || n == BATCH);
    for (int i = 0; i < BATCH; i++) {
        CHECK(row_stored(s, &rows[i]));
        row_fini(&rows[i]);
    }
    store_close(s);
}

TEST(drain_commits_what_waits_and_later_rows_commit_alone)
{
    char path[128];
    new_path(path, sizeof path);
    store *s = open_at(path, 2);
    CHECK(store_batch_start(s));
    hold_writes(s);
    static row rows[BATCH];
    rows_init(rows, "d");
    for (int i = 0; i < BATCH - 1; i++)
        store_experiment_submit(s, &rows[i].e, row_done, &rows[i]);
    pause_ms(50);
    release_writes(s);
    store_batch_drain(s); /* returns once every queued row is answered */
    for (int i = 0; i < BATCH - 1; i++) {
        CHECK(rows[i].done);
        CHECK(rows[i].status == STORE_OK);
    }
    CHECK(!store_batch_running(s));
    /* After the drain a row is written on the caller's thread, before
     * submit returns. */
    store_experiment_submit(s, &rows[BATCH - 1].e, row_done,
                            &rows[BATCH - 1]);
    CHECK(rows[BATCH - 1].done);
    CHECK(rows[BATCH - 1].status == STORE_OK);
    store_close(s);
    s = open_at(path, 2);
    for (int i = 0; i < BATCH; i++) {
        CHECK(row_stored(s, &rows[i]));
        CHECK_EQ_INT(rows[i].calls, 1);
        row_fini(&rows[i]);
    }
    store_close(s);
}

TEST(without_the_writer_submit_writes_at_once)
{
    char path[128];
    new_path(path, sizeof path);
    store *s = open_at(path, 2);
    CHECK(!store_batch_running(s));
    row r;
    row_init(&r, "alone");
    store_experiment_submit(s, &r.e, row_done, &r);
    CHECK(r.done);
    CHECK(r.status == STORE_OK);
    CHECK(row_stored(s, &r));
    row_fini(&r);
    store_close(s);
}

/* Superpositions and networks, created from several threads while the
 * writer runs, share its commits with the experiments. */
typedef struct {
    store *s;
    int t;
    char sup_id[8][STORE_ID_MAX], net_id[8][STORE_ID_MAX];
    int ok;
} mixed_arg;

static void *mixed_writer(void *arg)
{
    mixed_arg *m = arg;
    for (int i = 0; i < 8; i++) {
        double complex amps[2] = {0.6, 0.8 * I};
        char l0[] = "0", l1[] = "1";
        char *labels[2] = {l0, l1};
        store_superposition sup = {.dimension = 2, .amplitudes = amps,
                                   .labels = labels, .norm = 1.0};
        m->ok += store_superposition_create(m->s, &sup) == STORE_OK;
        memcpy(m->sup_id[i], sup.id, STORE_ID_MAX);
        double w[4] = {1, 2, 3, (double)m->t};
        store_layer layer = {.rows = 2, .cols = 2, .activation = "tanh",
                             .weights = w};
        char name[16];
        snprintf(name, sizeof name, "n%d-%d", m->t, i);
        store_network net = {.name = name, .layer_count = 1,
                             .layers = &layer};
        m->ok += store_network_create(m->s, &net) == STORE_OK;
        memcpy(m->net_id[i], net.id, STORE_ID_MAX);
    }
    return NULL;
}

TEST(superpositions_and_networks_go_through_the_writer_too)
{
    char path[128];
    new_path(path, sizeof path);
    store *s = open_at(path, 4);
    CHECK(store_batch_start(s));
    static mixed_arg m[6];
    pthread_t th[6];
    for (int t = 0; t < 6; t++) {
        m[t] = (mixed_arg){.s = s, .t = t};
        pthread_create(&th[t], NULL, mixed_writer, &m[t]);
    }
    for (int t = 0; t < 6; t++)
        pthread_join(th[t], NULL);
    unsigned long long rows, batches;
    store_batch_counts(s, &rows, &batches);
    CHECK(batches > 0); /* six threads: some rows shared a commit */
    store_close(s);
    s = open_at(path, 2);
    int ok = 0, there = 0;
    for (int t = 0; t < 6; t++) {
        ok += m[t].ok;
        for (int i = 0; i < 8; i++) {
            store_superposition sup;
            if (store_superposition_get(s, m[t].sup_id[i], &sup) ==
                STORE_OK) {
                there += sup.dimension == 2 && creal(sup.amplitudes[0]) == 0.6 &&
                         cimag(sup.amplitudes[1]) == 0.8;
                store_superposition_free(&sup);
            }
            store_network net;
            if (store_network_get(s, m[t].net_id[i], true, &net) ==
                STORE_OK) {
                there += net.layer_count == 1 &&
                         net.layers[0].weights[3] == (double)t;
                store_network_free(&net);
            }
        }
    }
    CHECK_EQ_INT(ok, 6 * 16);
    CHECK_EQ_INT(there, 6 * 16);
    store_close(s);
}

TEST(submitted_superpositions_and_networks_are_copied_before_submit_returns)
{
    char path[128];
    new_path(path, sizeof path);
    store *s = open_at(path, 2);
    CHECK(store_batch_start(s));
    hold_writes(s); /* nothing is written before the caller's data is gone */
    row first;
    row_init(&first, "first");
    store_experiment_submit(s, &first.e, row_done, &first);
    pause_ms(50);
    row sup_done, net_done;
    row_init(&sup_done, "s");
    row_init(&net_done, "n");
    char sup_id[STORE_ID_MAX], net_id[STORE_ID_MAX];
    char sup_at[STORE_TIME_MAX], net_at[STORE_TIME_MAX];
    {
        double complex *amps = malloc(2 * sizeof *amps);
        char *l0 = strdup("up"), *l1 = strdup("down");
        char *labels[2] = {l0, l1};
        amps[0] = 0.6;
        amps[1] = 0.8 * I;
        char *name = strdup("copied");
        store_superposition sup = {.dimension = 2, .amplitudes = amps,
                                   .labels = labels, .norm = 1.0,
                                   .name = name};
        store_superposition_submit(s, &sup, row_done, &sup_done);
        memcpy(sup_id, sup.id, sizeof sup_id);
        memcpy(sup_at, sup.created_at, sizeof sup_at);
        amps[0] = 99; /* the caller's again: changed, then freed */
        free(amps);
        free(l0);
        free(l1);
        free(name);
        double *w = malloc(4 * sizeof *w), *b = malloc(2 * sizeof *b);
        for (int i = 0; i < 4; i++)
            w[i] = i + 1;
        b[0] = 0.5;
        b[1] = -1;
        store_layer layer = {.rows = 2, .cols = 2, .activation = "tanh",
                             .weights = w, .bias = b};
        store_network net = {.name = NULL, .layer_count = 1,
                             .layers = &layer};
        store_network_submit(s, &net, row_done, &net_done);
        memcpy(net_id, net.id, sizeof net_id);
        memcpy(net_at, net.created_at, sizeof net_at);
        w[0] = 99;
        free(w);
        free(b);
    }
    CHECK(!sup_done.done && !net_done.done);
    CHECK(strncmp(sup_id, "sup_", 4) == 0 && strncmp(net_id, "net_", 4) == 0);
    CHECK(sup_at[0] != '\0' && net_at[0] != '\0');
    release_writes(s);
    CHECK(row_wait(&first) == STORE_OK);
    CHECK(row_wait(&sup_done) == STORE_OK);
    CHECK(row_wait(&net_done) == STORE_OK);
    store_close(s);
    s = open_at(path, 2);
    store_superposition got;
    CHECK(store_superposition_get(s, sup_id, &got) == STORE_OK);
    CHECK(got.dimension == 2 && creal(got.amplitudes[0]) == 0.6 &&
          cimag(got.amplitudes[1]) == 0.8);
    CHECK_STR(got.labels[1], "down");
    CHECK_STR(got.name, "copied");
    CHECK_STR(got.created_at, sup_at);
    store_superposition_free(&got);
    store_network n;
    CHECK(store_network_get(s, net_id, true, &n) == STORE_OK);
    CHECK(n.layer_count == 1 && n.layers[0].weights[0] == 1 &&
          n.layers[0].weights[3] == 4 && n.layers[0].bias[1] == -1);
    CHECK_STR(n.created_at, net_at);
    store_network_free(&n);
    row_fini(&first);
    row_fini(&sup_done);
    row_fini(&net_done);
    store_close(s);
}
