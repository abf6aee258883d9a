/* tests/unit/test_store.c - the SQLite store: round trips, paging, filters,
 * patches, restarts, migrations, refusals and concurrent writers. */
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/internal.h"
#include "store/migrations.h"
#include "store/store.h"
#include "tests/testlib.h"

static char dir[64];
static char path[128];
static int file_no;

/* A fresh database path in a temporary directory. */
static const char *new_path(void)
{
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/psinet-store-XXXXXX");
        if (!mkdtemp(dir))
            abort();
    }
    snprintf(path, sizeof path, "%s/t%d.db", dir, file_no++);
    return path;
}

static store *open_new(void)
{
    store_status st;
    char err[256];
    store *s = store_open(new_path(), 2, 5000, &st, err, sizeof err);
    test_check(s != NULL, __FILE__, __LINE__, "store_open: %s", err);
    return s;
}

static store *reopen(store *s, const char *p)
{
    store_close(s);
    store_status st;
    char err[256];
    return store_open(p, 2, 5000, &st, err, sizeof err);
}

__attribute__((destructor)) static void cleanup(void)
{
    char cmd[128];
    if (dir[0]) {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", dir);
    }
}

TEST(superpositions_round_trip_bit_exactly)
{
    store *db = open_new();
    double complex amps[5] = {CMPLX(-0.0, 1e-300), CMPLX(1e300, -2.5),
                              CMPLX(4.9406564584124654e-324, DBL_MAX),
                              CMPLX(0.1, 0.2), 1};
    char *labels[5] = {"a", "b", "", "\xce\xb1", "long label"};
    store_superposition s = {.name = "n", .dimension = 5, .amplitudes = amps,
                             .labels = labels, .norm = 42.5};
    CHECK_EQ_INT(store_superposition_create(db, &s), STORE_OK);
    CHECK(strncmp(s.id, "sup_", 4) == 0 && strlen(s.id) == 24);
    store_superposition got;
    CHECK_EQ_INT(store_superposition_get(db, s.id, &got), STORE_OK);
    CHECK_EQ_INT(got.dimension, 5);
    CHECK(memcmp(got.amplitudes, amps, sizeof amps) == 0);
    CHECK(signbit(creal(got.amplitudes[0])));
    for (int i = 0; i < 5; i++)
        CHECK_STR(got.labels[i], labels[i]);
    CHECK_STR(got.name, "n");
    CHECK(got.norm == 42.5);
    CHECK_STR(got.created_at, s.created_at);
    store_superposition_free(&got);

    double complex unit[5] = {1, 0, 0, 0, 0};
    CHECK_EQ_INT(store_superposition_set_amplitudes(db, s.id, unit, 5, 1.0),
                 STORE_OK);
    CHECK_EQ_INT(store_superposition_get(db, s.id, &got), STORE_OK);
    CHECK(got.norm == 1.0 && got.amplitudes[0] == 1);
    store_superposition_free(&got);
    CHECK_EQ_INT(store_superposition_delete(db, s.id), STORE_OK);
    CHECK_EQ_INT(store_superposition_get(db, s.id, &got), STORE_NOTFOUND);
    CHECK_EQ_INT(store_superposition_delete(db, s.id), STORE_NOTFOUND);
    store_close(db);
}

/* Adds n experiments named "e<i>" with tags; returns their ids in order. */
static void add_experiments(store *db, int n, const char *kind, char **tags,
                            size_t tag_count, char ids[][STORE_ID_MAX])
{
    for (int i = 0; i < n; i++) {
        char name[32];
        snprintf(name, sizeof name, "e%d", i);
        store_experiment e = {.name = name, .params_json = "{\"p\":1}",
                              .result_json = "{\"r\":[0.5]}", .tags = tags,
                              .tag_count = tag_count};
        snprintf(e.kind, sizeof e.kind, "%s", kind);
        CHECK_EQ_INT(store_experiment_create(db, &e), STORE_OK);
        if (ids)
            memcpy(ids[i], e.id, STORE_ID_MAX);
    }
}

TEST(pages_walk_every_row_once_newest_first_even_while_adding)
{
    store *db = open_new();
    char ids[23][STORE_ID_MAX];
    add_experiments(db, 23, "neuron_activation", NULL, 0, ids);
    store_experiment_filter none = {0};
    int64_t after = 0;
    int seen = 0, pages = 0;
    do {
        store_experiment *items;
        size_t count;
        CHECK_EQ_INT(store_experiment_list(db, &none, after, 5, &items, &count,
                                           &after),
                     STORE_OK);
        for (size_t i = 0; i < count; i++, seen++)
            CHECK_STR(items[i].id, ids[22 - seen]);
        store_experiment_array_free(items, count);
        add_experiments(db, 1, "neuron_activation", NULL, 0, NULL);
        pages++;
    } while (after != 0 && pages < 10);
    CHECK_EQ_INT(seen, 23);
    CHECK_EQ_INT(pages, 5);
    store_close(db);
}

static size_t count_matching(store *db, const store_experiment_filter *f)
{
    store_experiment *items;
    size_t count;
    int64_t next;
    CHECK_EQ_INT(store_experiment_list(db, f, 0, 500, &items, &count, &next),
                 STORE_OK);
    store_experiment_array_free(items, count);
    return count;
}

TEST(filters_combine)
{
    store *db = open_new();
    char *ab[2] = {"a", "b"}, *b[1] = {"b"};
    add_experiments(db, 3, "neuron_activation", ab, 2, NULL);
    add_experiments(db, 2, "layer_superposition", b, 1, NULL);
    CHECK_EQ_INT(count_matching(db, &(store_experiment_filter){0}), 5);
    CHECK_EQ_INT(count_matching(db, &(store_experiment_filter){.tag = "b"}), 5);
    CHECK_EQ_INT(count_matching(db, &(store_experiment_filter){.tag = "a"}), 3);
    CHECK_EQ_INT(count_matching(db, &(store_experiment_filter){
                                        .tag = "b", .kind = "layer_superposition"}),
                 2);
    CHECK_EQ_INT(count_matching(db, &(store_experiment_filter){
                                        .name_contains = "e1"}),
                 2);
    CHECK_EQ_INT(count_matching(db, &(store_experiment_filter){
                                        .name_contains = "%"}),
                 0);
    CHECK_EQ_INT(count_matching(db, &(store_experiment_filter){
                                        .created_after = "2000-01-01T00:00:00.000Z",
                                        .created_before = "2999-01-01T00:00:00.000Z"}),
                 5);
    CHECK_EQ_INT(count_matching(db, &(store_experiment_filter){
                                        .created_before = "2000-01-01T00:00:00.000Z"}),
                 0);
    store_close(db);
}

TEST(patch_changes_only_what_is_given)
{
    store *db = open_new();
    char *tags[2] = {"x", "y"};
    store_experiment e = {.name = "before", .params_json = "{}",
                          .result_json = "{}", .tags = tags, .tag_count = 2,
                          .notes = "n1"};
    snprintf(e.kind, sizeof e.kind, "neuron_activation");
    CHECK_EQ_INT(store_experiment_create(db, &e), STORE_OK);
    store_experiment out;
    store_experiment_patch p = {.name = "after"};
    CHECK_EQ_INT(store_experiment_update(db, e.id, &p, &out), STORE_OK);
    CHECK_STR(out.name, "after");
    CHECK_STR(out.notes, "n1");
    CHECK_EQ_INT(out.tag_count, 2);
    CHECK_STR(out.tags[1], "y");
    store_experiment_free(&out);
    const char *one[1] = {"z"};
    store_experiment_patch q = {.set_notes = true, .notes = NULL,
                                .set_tags = true, .tags = one, .tag_count = 1};
    CHECK_EQ_INT(store_experiment_update(db, e.id, &q, &out), STORE_OK);
    CHECK(out.notes == NULL);
    CHECK_EQ_INT(out.tag_count, 1);
    CHECK_STR(out.tags[0], "z");
    CHECK_STR(out.name, "after");
    CHECK_STR(out.params_json, "{}");
    store_experiment_free(&out);
    CHECK_EQ_INT(store_experiment_update(db, "exp_none", &q, &out),
                 STORE_NOTFOUND);
    store_close(db);
}

TEST(networks_round_trip_and_the_cache_follows_deletes)
{
    store *db = open_new();
    const char *p = path;
    char keep[128];
    snprintf(keep, sizeof keep, "%s", p);
    double w0[6] = {1, -2, 3e-300, 4, 5, -0.0}, b0[2] = {0.5, 1e300};
    double w1[2] = {7, 8};
    store_layer layers[2] = {
        {.rows = 2, .cols = 3, .activation = "elu", .alpha = 0.5,
         .has_alpha = true, .weights = w0, .bias = b0},
        {.rows = 1, .cols = 2, .activation = "identity", .weights = w1},
    };
    store_network net = {.name = "n", .layer_count = 2, .layers = layers};
    CHECK_EQ_INT(store_network_create(db, &net), STORE_OK);
    db = reopen(db, keep);
    CHECK(db != NULL);
    const store_network *cached;
    CHECK_EQ_INT(store_network_acquire(db, net.id, &cached), STORE_OK);
    CHECK_EQ_INT(cached->layer_count, 2);
    CHECK(memcmp(cached->layers[0].weights, w0, sizeof w0) == 0);
    CHECK(memcmp(cached->layers[0].bias, b0, sizeof b0) == 0);
    CHECK(cached->layers[1].bias == NULL);
    CHECK(cached->layers[0].has_alpha && cached->layers[0].alpha == 0.5);
    CHECK(!cached->layers[1].has_alpha);
    const store_network *again;
    CHECK_EQ_INT(store_network_acquire(db, net.id, &again), STORE_OK);
    CHECK(again == cached); /* served from the cache */
    store_network_release(db, again);

    store_network shapes;
    CHECK_EQ_INT(store_network_get(db, net.id, false, &shapes), STORE_OK);
    CHECK(shapes.layers[0].weights == NULL && shapes.layers[0].rows == 2);
    store_network_free(&shapes);

    CHECK_EQ_INT(store_network_delete(db, net.id), STORE_OK);
    /* still usable by the request that holds it */
    CHECK(cached->layers[1].weights[1] == 8);
    store_network_release(db, cached);
    CHECK_EQ_INT(store_network_acquire(db, net.id, &again), STORE_NOTFOUND);
    store_close(db);
}

static void delete_during_load(store *db, const char *id)
{
    db->cache_load_hook = NULL;
    CHECK_EQ_INT(store_network_delete(db, id), STORE_OK);
}

TEST(a_network_read_while_it_is_deleted_is_not_cached)
{
    /* A forward pass reads a network from the database (a cache miss) and
     * a DELETE commits before it puts its copy in the cache. The request
     * keeps its copy, but afterwards the network is gone for everyone. */
    store *db = open_new();
    double w[2] = {1, 2};
    store_layer layer = {.rows = 1, .cols = 2, .activation = "identity",
                         .weights = w};
    store_network net = {.name = "race", .layer_count = 1, .layers = &layer};
    CHECK_EQ_INT(store_network_create(db, &net), STORE_OK);
    db->cache_load_hook = delete_during_load;
    const store_network *held, *after;
    CHECK_EQ_INT(store_network_acquire(db, net.id, &held), STORE_OK);
    CHECK(held->layers[0].weights[1] == 2);
    CHECK_EQ_INT(store_network_acquire(db, net.id, &after), STORE_NOTFOUND);
    store_network_release(db, held);
    store_close(db);
}

TEST(data_survives_close_and_open)
{
    store *db = open_new();
    char keep[128];
    snprintf(keep, sizeof keep, "%s", path);
    char ids[3][STORE_ID_MAX];
    add_experiments(db, 3, "neuron_activation", NULL, 0, ids);
    db = reopen(db, keep);
    store_experiment e;
    CHECK_EQ_INT(store_experiment_get(db, ids[1], &e), STORE_OK);
    CHECK_STR(e.name, "e1");
    CHECK_STR(e.result_json, "{\"r\":[0.5]}");
    store_experiment_free(&e);
    int v = 0;
    CHECK_EQ_INT(store_schema_version(db, &v), STORE_OK);
    CHECK_EQ_INT(v, store_known_schema_version());
    store_close(db);
}

TEST(an_old_schema_is_migrated_forward_keeping_its_rows)
{
    const char *p = new_path();
    sqlite3 *raw;
    CHECK_EQ_INT(sqlite3_open(p, &raw), SQLITE_OK);
    /* What psinet with only the first migration left behind. */
    CHECK_EQ_INT(sqlite3_exec(raw,
                              "CREATE TABLE schema_migrations (version INTEGER "
                              "PRIMARY KEY, name TEXT NOT NULL, applied_at "
                              "TEXT NOT NULL)",
                              NULL, NULL, NULL),
                 SQLITE_OK);
    CHECK_EQ_INT(sqlite3_exec(raw, store_migrations[0].sql, NULL, NULL, NULL),
                 SQLITE_OK);
    CHECK_EQ_INT(sqlite3_exec(raw,
                              "INSERT INTO schema_migrations VALUES (1, "
                              "'0001_init.sql', '2026-01-01T00:00:00.000Z');"
                              "INSERT INTO networks (id, name, created_at) "
                              "VALUES ('net_old', 'old', "
                              "'2026-01-01T00:00:00.000Z');"
                              "INSERT INTO network_layers VALUES (1, 0, 1, 1, "
                              "'relu', NULL, X'000000000000F03F', NULL)",
                              NULL, NULL, NULL),
                 SQLITE_OK);
    sqlite3_close(raw);

    store_status st;
    char err[256] = "";
    store *db = store_open(p, 1, 5000, &st, err, sizeof err);
    CHECK(db != NULL);
    if (!db)
        return;
    int v = 0;
    CHECK_EQ_INT(store_schema_version(db, &v), STORE_OK);
    CHECK_EQ_INT(v, store_known_schema_version());
    CHECK(v >= 2);
    store_network old;
    CHECK_EQ_INT(store_network_get(db, "net_old", true, &old), STORE_OK);
    CHECK_EQ_INT(old.layer_count, 1);
    CHECK(old.layers[0].weights && old.layers[0].weights[0] == 1.0);
    store_network_free(&old);
    add_experiments(db, 1, "neuron_activation", NULL, 0, NULL);
    CHECK_EQ_INT(count_matching(db, &(store_experiment_filter){0}), 1);
    store_close(db);
}

TEST(a_newer_schema_is_refused)
{
    store *db = open_new();
    char keep[128];
    snprintf(keep, sizeof keep, "%s", path);
    store_close(db);
    sqlite3 *raw;
    sqlite3_open(keep, &raw);
    sqlite3_exec(raw,
                 "INSERT INTO schema_migrations VALUES (9999, 'x.sql', "
                 "'2030-01-01T00:00:00.000Z')",
                 NULL, NULL, NULL);
    sqlite3_close(raw);
    store_status st;
    char err[256] = "";
    CHECK(store_open(keep, 1, 5000, &st, err, sizeof err) == NULL);
    CHECK_EQ_INT(st, STORE_SCHEMA);
    CHECK(strstr(err, "9999") != NULL);
}

TEST(a_file_that_is_not_a_database_is_refused)
{
    const char *p = new_path();
    FILE *f = fopen(p, "wb");
    for (int i = 0; i < 200; i++)
        fputs("garbage bytes, not SQLite. ", f);
    fclose(f);
    store_status st;
    char err[256] = "";
    CHECK(store_open(p, 1, 5000, &st, err, sizeof err) == NULL);
    CHECK_EQ_INT(st, STORE_CORRUPT);
    CHECK(err[0] != '\0');
}

static store *shared_db;

static void *writer(void *arg)
{
    (void)arg;
    add_experiments(shared_db, 50, "neuron_activation", NULL, 0, NULL);
    return NULL;
}

TEST(concurrent_writers_lose_nothing)
{
    shared_db = open_new();
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, writer, NULL);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    CHECK_EQ_INT(count_matching(shared_db, &(store_experiment_filter){0}), 200);
    store_close(shared_db);
}
