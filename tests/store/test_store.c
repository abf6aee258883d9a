/* tests/store/test_store.c - the store: round trips, paging, filters,
 * patches, restarts, migrations, refusals, damage and concurrent writers.
 *
 * The same tests run on both backends: on SQLite files by default, and on
 * PostgreSQL when PSINET_TEST_PG holds a conninfo of a server the test may
 * create databases on (`make test` starts one: tests/pg/server.sh); each
 * store is then a new database there. The few tests about SQLite's file
 * itself (its pages, its older schemas) run on SQLite only. */
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "core/state.h"
#include "store/digest.h"
#include "store/experiment.h"
#include "store/internal.h"
#include "store/network.h"
#include "store/migrations.h"
#include "store/store.h"
#include "store/superposition.h"
#include "tests/ref/digest_ref.h"
#include "tests/testlib.h"

static char path[128];
static int file_no;

/* The PostgreSQL server's conninfo (without a dbname), or NULL: SQLite. */
static const char *pg_base(void)
{
    const char *b = getenv("PSINET_TEST_PG");
    return b && b[0] ? b : NULL;
}

/* Runs sql on the PostgreSQL database named by conninfo; whether it ran. */
static bool pg_exec(const char *conninfo, const char *sql)
{
    PGconn *c = PQconnectdb(conninfo);
    bool ok = PQstatus(c) == CONNECTION_OK;
    PGresult *r = ok ? PQexec(c, sql) : NULL;
    ok = ok && (PQresultStatus(r) == PGRES_COMMAND_OK ||
                PQresultStatus(r) == PGRES_TUPLES_OK);
    test_check(ok, __FILE__, __LINE__, "%s: %s", sql,
               r ? PQresultErrorMessage(r) : PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
    return ok;
}

static bool damage_file(const char *p, const char *sql);

/* Ends a test that is about SQLite's file itself on PostgreSQL. */
#define SQLITE_ONLY()                                                          \
    do {                                                                       \
        if (pg_base())                                                         \
            return;                                                            \
    } while (0)

/* A fresh database: a path in a temporary directory, or a new PostgreSQL
 * database's conninfo. */
static const char *new_path(void)
{
    if (pg_base()) {
        char admin[160], sql[96];
        snprintf(admin, sizeof admin, "%s dbname=postgres", pg_base());
        snprintf(sql, sizeof sql, "CREATE DATABASE s%d_%d", (int)getpid(),
                 file_no);
        pg_exec(admin, sql);
        snprintf(path, sizeof path, "%s dbname=s%d_%d", pg_base(),
                 (int)getpid(), file_no++);
        return path;
    }
    return test_tmp_path(path, sizeof path, "t");
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
    if (pg_base()) { /* the databases it made */
        char admin[160], sql[96];
        snprintf(admin, sizeof admin, "%s dbname=postgres", pg_base());
        for (int i = 0; i < file_no; i++) {
            snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS s%d_%d"
                     " WITH (FORCE)", (int)getpid(), i);
            pg_exec(admin, sql);
        }
    }
}

TEST(superpositions_round_trip_bit_exactly)
{
    store *db = open_new();
    /* The extremes of a double, with a norm that is still finite (the
     * store keeps only what psinet could have written, so the norm is the
     * amplitudes' own). */
    double complex amps[5] = {CMPLX(-0.0, 1e-300), CMPLX(1e300, -2.5),
                              CMPLX(4.9406564584124654e-324, DBL_MAX / 2),
                              CMPLX(0.1, 0.2), 1};
    char *labels[5] = {"a", "b", "", "\xce\xb1", "long label"};
    double norm = state_norm(amps, 5);
    CHECK(isfinite(norm));
    store_superposition s = {.name = "n", .dimension = 5, .amplitudes = amps,
                             .labels = labels, .norm = norm};
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
    CHECK(got.norm == norm);
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

/* Adds one experiment; returns the status. */
TEST(a_state_keeps_its_parent_and_operation)
{
    store *db = open_new();
    double complex amps[2] = {1, 0};
    char *labels[2] = {"0", "1"};
    store_superposition root = {.dimension = 2, .amplitudes = amps,
                                .labels = labels, .norm = 1.0};
    CHECK_EQ_INT(store_superposition_create(db, &root), STORE_OK);
    store_superposition child = root;
    memcpy(child.parent, root.id, sizeof child.parent);
    child.operation = "{\"op\":\"apply\",\"operations\":[]}";
    CHECK_EQ_INT(store_superposition_create(db, &child), STORE_OK);
    store_superposition got, head;
    CHECK_EQ_INT(store_superposition_get(db, child.id, &got), STORE_OK);
    CHECK_STR(got.parent, root.id);
    CHECK_STR(got.operation, child.operation);
    CHECK_EQ_INT(store_superposition_head(db, child.id, &head), STORE_OK);
    CHECK_STR(head.parent, root.id);
    CHECK_STR(head.operation, child.operation);
    CHECK(head.amplitudes == NULL && head.labels == NULL);
    CHECK_EQ_INT(head.dimension, 2);
    store_superposition_free(&got);
    store_superposition_free(&head);
    CHECK_EQ_INT(store_superposition_get(db, root.id, &got), STORE_OK);
    CHECK(got.parent[0] == '\0' && got.operation == NULL);
    store_superposition_free(&got);
    CHECK_EQ_INT(store_superposition_head(db, "sup_none", &head),
                 STORE_NOTFOUND);
    store_close(db);
}

static store_status add_one_experiment(store *db)
{
    store_experiment e = {.name = "one", .kind = "neuron_activation",
                          .params_json = "{}", .result_json = "{}"};
    return store_experiment_create(db, &e);
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
    CHECK_EQ_INT(count_matching(db, &(store_experiment_filter){
                                        .tag = {"b"}, .tag_count = 1}),
                 5);
    CHECK_EQ_INT(count_matching(db, &(store_experiment_filter){
                                        .tag = {"a"}, .tag_count = 1}),
                 3);
    CHECK_EQ_INT(count_matching(db, &(store_experiment_filter){
                                        .tag = {"b"}, .tag_count = 1,
                                        .kind = {"layer_superposition"},
                                        .kind_count = 1}),
                 2);
    CHECK_EQ_INT(count_matching(db, &(store_experiment_filter){
                                        .name_contains = {"e1"},
                                        .name_count = 1}),
                 2);
    CHECK_EQ_INT(count_matching(db, &(store_experiment_filter){
                                        .name_contains = {"%"},
                                        .name_count = 1}),
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

TEST(a_filter_of_several_values_matches_any_of_them)
{
    store *db = open_new();
    char *a[1] = {"a"}, *c[1] = {"c"};
    add_experiments(db, 3, "neuron_activation", a, 1, NULL);
    add_experiments(db, 2, "layer_superposition", c, 1, NULL);
    CHECK_EQ_INT(count_matching(db, &(store_experiment_filter){
                                        .tag = {"a", "c"}, .tag_count = 2}),
                 5);
    CHECK_EQ_INT(count_matching(db, &(store_experiment_filter){
                                        .tag = {"x", "c", "y"},
                                        .tag_count = 3}),
                 2);
    CHECK_EQ_INT(count_matching(db, &(store_experiment_filter){
                                        .kind = {"layer_superposition",
                                                 "neuron_activation"},
                                        .kind_count = 2,
                                        .tag = {"a"}, .tag_count = 1}),
                 3);
    CHECK_EQ_INT(count_matching(db, &(store_experiment_filter){
                                        .name_contains = {"e0", "e2"},
                                        .name_count = 2}),
                 count_matching(db, &(store_experiment_filter){
                                        .name_contains = {"e0"},
                                        .name_count = 1}) +
                     count_matching(db, &(store_experiment_filter){
                                        .name_contains = {"e2"},
                                        .name_count = 1}));
    const char *eight[8] = {"t1", "t2", "t3", "t4", "t5", "t6", "t7", "c"};
    store_experiment_filter all8 = {.tag_count = 8};
    memcpy(all8.tag, eight, sizeof eight);
    CHECK_EQ_INT(count_matching(db, &all8), 2); /* the eighth value counts */
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


/* The network of tests/ref/gen_digest_ref.py, created in db; its id in
 * id. bias0 is its first layer's bias (NULL: none). */
static void create_digest_network(store *db, const double *bias0, char *id)
{
    double w0[6] = {1, -2, 3e-300, 4, 5, -0.0}, w1[2] = {7, 8};
    store_layer layers[2] = {
        {.rows = 2, .cols = 3, .activation = "elu", .alpha = 0.5,
         .has_alpha = true, .weights = w0, .bias = (double *)bias0},
        {.rows = 1, .cols = 2, .activation = "identity", .weights = w1},
    };
    store_network net = {.name = "digest", .layer_count = 2,
                         .layers = layers};
    CHECK_EQ_INT(store_network_create(db, &net), STORE_OK);
    memcpy(id, net.id, STORE_ID_MAX);
}

/* The digest of the network id as the cache gives it ("" when it cannot
 * be had: *status says why). */
static void network_digest_of(store *db, const char *id, char *hex,
                              store_status *status)
{
    const store_network *net;
    *status = store_network_acquire(db, id, &net);
    hex[0] = '\0';
    if (*status == STORE_OK) {
        store_network_digest(net, hex);
        store_network_release(db, net);
    }
}

TEST(a_network_digest_is_the_canonical_form_python_hashes)
{
    store *db = open_new();
    double b0[2] = {0.5, 1e300};
    char id[STORE_ID_MAX], hex[STORE_DIGEST_HEX];
    store_status st;
    create_digest_network(db, b0, id);
    network_digest_of(db, id, hex, &st);
    CHECK_EQ_INT(st, STORE_OK);
    CHECK_STR(hex, DIGEST_REF_NETWORK);

    /* The same content under another name and id hashes the same; read
     * from the database (not the cache) too. */
    char other[STORE_ID_MAX], hex2[STORE_DIGEST_HEX];
    create_digest_network(db, b0, other);
    network_digest_of(db, other, hex2, &st);
    CHECK_STR(hex2, DIGEST_REF_NETWORK);
    store_network full;
    CHECK_EQ_INT(store_network_get(db, id, true, &full), STORE_OK);
    store_network_digest(&full, hex2);
    CHECK_STR(hex2, DIGEST_REF_NETWORK);
    store_network_free(&full);

    /* A layer without a bias computes as one of zeros, and hashes so. */
    char none[STORE_ID_MAX], zeros[STORE_ID_MAX];
    double z[2] = {0, 0};
    create_digest_network(db, NULL, none);
    create_digest_network(db, z, zeros);
    network_digest_of(db, none, hex, &st);
    network_digest_of(db, zeros, hex2, &st);
    CHECK_STR(hex, hex2);
    CHECK(strcmp(hex, DIGEST_REF_NETWORK) != 0);
    store_close(db);
}

TEST(a_network_digest_sees_a_changed_weight_and_a_deleted_network_is_gone)
{
    store *db = open_new();
    char keep[128];
    snprintf(keep, sizeof keep, "%s", path);
    char id[STORE_ID_MAX], hex[STORE_DIGEST_HEX];
    store_status st;
    double b0[2] = {0.5, 1e300};
    create_digest_network(db, b0, id);
    store_close(db);
    /* psinet has no route that changes a network: only damage or a hand
     * on the file can. The second layer's first weight, 7, becomes 7.5. */
    CHECK(damage_file(keep, pg_base()
                                ? "UPDATE network_layers SET weights ="
                                  " decode('0000000000001E400000000000002040',"
                                  " 'hex') WHERE position = 1"
                                : "UPDATE network_layers SET weights ="
                                  " X'0000000000001E400000000000002040'"
                                  " WHERE position = 1"));
    db = reopen(NULL, keep);
    network_digest_of(db, id, hex, &st);
    CHECK_EQ_INT(st, STORE_OK);
    CHECK(strlen(hex) == 64 && strcmp(hex, DIGEST_REF_NETWORK) != 0);
    const store_network *net;
    CHECK_EQ_INT(store_network_acquire(db, id, &net), STORE_OK);
    CHECK(net->layers[1].weights[0] == 7.5);
    store_network_release(db, net);

    CHECK_EQ_INT(store_network_delete(db, id), STORE_OK);
    network_digest_of(db, id, hex, &st);
    CHECK_EQ_INT(st, STORE_NOTFOUND);
    store_close(db);
}

TEST(a_superposition_digest_follows_its_amplitudes_not_its_labels)
{
    store *db = open_new();
    double complex amps[3] = {CMPLX(0.6, 0), CMPLX(0, 0.8),
                              CMPLX(-0.0, 0.0)};
    char *labels[3] = {"a", "b", "c"}, *other_labels[3] = {"x", "y", "z"};
    store_superposition s = {.dimension = 3, .amplitudes = amps,
                             .labels = labels, .norm = 1.0};
    store_superposition t = {.name = "named", .dimension = 3,
                             .amplitudes = amps, .labels = other_labels,
                             .norm = 1.0};
    CHECK_EQ_INT(store_superposition_create(db, &s), STORE_OK);
    CHECK_EQ_INT(store_superposition_create(db, &t), STORE_OK);
    char hex[STORE_DIGEST_HEX];
    store_superposition got;
    CHECK_EQ_INT(store_superposition_get(db, s.id, &got), STORE_OK);
    store_superposition_digest(&got, hex);
    store_superposition_free(&got);
    CHECK_STR(hex, DIGEST_REF_SUPERPOSITION);
    CHECK_EQ_INT(store_superposition_get(db, t.id, &got), STORE_OK);
    store_superposition_digest(&got, hex);
    store_superposition_free(&got);
    CHECK_STR(hex, DIGEST_REF_SUPERPOSITION);

    /* -0 becoming 0 is a change of bits, and of the hash. */
    double complex changed[3] = {CMPLX(0.6, 0), CMPLX(0, 0.8), 0};
    CHECK_EQ_INT(store_superposition_set_amplitudes(db, s.id, changed, 3,
                                                    1.0),
                 STORE_OK);
    CHECK_EQ_INT(store_superposition_get(db, s.id, &got), STORE_OK);
    store_superposition_digest(&got, hex);
    store_superposition_free(&got);
    CHECK(strlen(hex) == 64 && strcmp(hex, DIGEST_REF_SUPERPOSITION) != 0);
    store_close(db);
}

TEST(an_experiment_keeps_the_inputs_it_ran_on)
{
    store *db = open_new();
    const char *inputs = "[{\"pointer\":\"/params/network_id\","
                         "\"sha256\":\"00\"}]";
    store_experiment e = {.name = "with", .kind = "layer_superposition",
                          .params_json = "{}", .result_json = "{}",
                          .inputs_json = (char *)inputs};
    store_experiment old = {.name = "without", .kind = "neuron_activation",
                            .params_json = "{}", .result_json = "{}"};
    CHECK_EQ_INT(store_experiment_create(db, &e), STORE_OK);
    CHECK_EQ_INT(store_experiment_create(db, &old), STORE_OK);
    store_experiment got;
    CHECK_EQ_INT(store_experiment_get(db, e.id, &got), STORE_OK);
    CHECK_STR(got.inputs_json, inputs);
    store_experiment_free(&got);
    CHECK_EQ_INT(store_experiment_get(db, old.id, &got), STORE_OK);
    CHECK(got.inputs_json == NULL);
    store_experiment_free(&got);
    /* a patch reads the row back with its inputs */
    store_experiment_patch patch = {.name = "renamed"};
    CHECK_EQ_INT(store_experiment_update(db, e.id, &patch, &got), STORE_OK);
    CHECK_STR(got.inputs_json, inputs);
    store_experiment_free(&got);
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

/* Writes at path what a psinet that knew only the first `versions`
 * migrations left behind, then runs rows (SQL) on it. */
static void old_database(const char *file, int versions, const char *rows)
{
    sqlite3 *raw;
    CHECK_EQ_INT(sqlite3_open(file, &raw), SQLITE_OK);
    CHECK_EQ_INT(sqlite3_exec(raw,
                              "CREATE TABLE schema_migrations (version INTEGER "
                              "PRIMARY KEY, name TEXT NOT NULL, applied_at "
                              "TEXT NOT NULL)",
                              NULL, NULL, NULL),
                 SQLITE_OK);
    for (int i = 0; i < versions; i++) {
        char record[160];
        snprintf(record, sizeof record,
                 "INSERT INTO schema_migrations VALUES (%d, '%s', "
                 "'2026-01-01T00:00:00.000Z')",
                 i + 1, store_migrations[i].name);
        CHECK_EQ_INT(sqlite3_exec(raw, store_migrations[i].sql, NULL, NULL,
                                  NULL),
                     SQLITE_OK);
        CHECK_EQ_INT(sqlite3_exec(raw, record, NULL, NULL, NULL), SQLITE_OK);
    }
    CHECK_EQ_INT(sqlite3_exec(raw, rows, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(raw);
}

TEST(an_old_schema_is_migrated_forward_keeping_its_rows)
{
    SQLITE_ONLY();
    const char *p = new_path();
    old_database(p, 1,
                 "INSERT INTO networks (id, name, created_at) VALUES"
                 " ('net_old', 'old', '2026-01-01T00:00:00.000Z');"
                 "INSERT INTO network_layers VALUES (1, 0, 1, 1, 'relu', NULL,"
                 " X'000000000000F03F', NULL)");

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

TEST(tags_of_a_version_2_database_survive_the_move_to_a_lean_table)
{
    SQLITE_ONLY();
    /* 0003 rebuilds experiment_tags without a rowid: a database that
     * psinet 0002 wrote keeps its tags, their order and the tag filter. */
    const char *p = new_path();
    old_database(p, 2,
                 "INSERT INTO experiments (id, name, kind, params, result,"
                 " created_at, updated_at) VALUES ('exp_old', 'old',"
                 " 'neuron_activation', '{}', '{}',"
                 " '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');"
                 "INSERT INTO experiment_tags VALUES (1, 0, 'zeta'),"
                 " (1, 1, 'alpha')");

    store_status st;
    char err[256] = "";
    store *db = store_open(p, 1, 5000, &st, err, sizeof err);
    test_check(db != NULL, __FILE__, __LINE__, "store_open: %s", err);
    if (!db)
        return;
    int v = 0;
    CHECK_EQ_INT(store_schema_version(db, &v), STORE_OK);
    CHECK(v >= 3);
    store_experiment e;
    CHECK_EQ_INT(store_experiment_get(db, "exp_old", &e), STORE_OK);
    CHECK_EQ_INT(e.tag_count, 2);
    if (e.tag_count == 2) {
        CHECK_STR(e.tags[0], "zeta"); /* in the order they were given */
        CHECK_STR(e.tags[1], "alpha");
    }
    store_experiment_free(&e);
    CHECK_EQ_INT(count_matching(db, &(store_experiment_filter){
                                        .tag = {"alpha"}, .tag_count = 1}),
                 1);
    CHECK_EQ_INT(store_experiment_delete(db, "exp_old"), STORE_OK);
    store_close(db);
    /* the delete took the tags with it (ON DELETE CASCADE) */
    sqlite3 *raw;
    CHECK_EQ_INT(sqlite3_open(p, &raw), SQLITE_OK);
    sqlite3_stmt *q;
    CHECK_EQ_INT(sqlite3_prepare_v2(raw, "SELECT count(*) FROM experiment_tags",
                                    -1, &q, NULL),
                 SQLITE_OK);
    CHECK(sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 0) == 0);
    sqlite3_finalize(q);
    sqlite3_close(raw);
}

TEST(a_newer_schema_is_refused)
{
    store *db = open_new();
    char keep[128];
    snprintf(keep, sizeof keep, "%s", path);
    store_close(db);
    damage_file(keep, "INSERT INTO schema_migrations VALUES (9999, 'x.sql', "
                      "'2030-01-01T00:00:00.000Z')");
    store_status st;
    char err[256] = "";
    CHECK(store_open(keep, 1, 5000, &st, err, sizeof err) == NULL);
    CHECK_EQ_INT(st, STORE_SCHEMA);
    CHECK(strstr(err, "9999") != NULL);
}

TEST(a_file_that_is_not_a_database_is_refused)
{
    SQLITE_ONLY();
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

/* ------------------------------------------------------------ damaged rows
 * A database that psinet wrote, then changed behind its back through a
 * connection of the test's own (as a bad disk, a bad copy or another
 * program would): every read of a row that psinet could not have written
 * is STORE_CORRUPT, never a crash, an overflow or a wrong answer. */

/* REFUSED: the damage breaks a CHECK constraint of the schema, which
 * quick_check (at store_open) finds. */
enum { READ_GET = 1, READ_LIST = 2, READ_BOTH = 3, REFUSED = 4 };

typedef struct {
    const char *what; /* the damage, in words */
    char kind;        /* 's'uperposition, 'n'etwork or 'e'xperiment */
    int reads;        /* which reads see it (READ_GET, READ_LIST), and
                         whether store_open refuses the file (REFUSED) */
    const char *sql;  /* the damage */
} damage_case;

/* A NaN and an infinity as stored doubles (little-endian), padded with
 * zero doubles: hex for an SQL blob literal. */
#define HEX_NAN "000000000000F87F"
#define HEX_INF "000000000000F07F"
#define HEX_ZERO "0000000000000000"
#define HEX_ONE "000000000000F03F"

static const damage_case damage_cases[] = {
    /* networks: layer 0 is 2x3 relu with a bias, layer 1 is 1x2
     * leaky_relu (alpha 0.2) without one. */
    {"rows * cols wraps around to the weights' length", 'n', READ_BOTH,
     "UPDATE network_layers SET rows = 2305843009213693953, cols = 8,"
     " weights = zeroblob(64), bias = NULL WHERE position = 0"},
    {"rows * cols wraps around, single layer", 'n', READ_BOTH,
     "DELETE FROM network_layers WHERE position = 1;"
     "UPDATE network_layers SET rows = 2305843009213693953, cols = 8,"
     " weights = zeroblob(64), bias = NULL WHERE position = 0"},
    {"rows * 8 of the bias wraps around", 'n', READ_BOTH,
     "DELETE FROM network_layers WHERE position = 1;"
     "UPDATE network_layers SET rows = 2305843009213693953, cols = 1,"
     " weights = zeroblob(8), bias = zeroblob(8) WHERE position = 0"},
    {"weights shorter than the shape", 'n', READ_BOTH,
     "UPDATE network_layers SET weights = zeroblob(40) WHERE position = 0"},
    {"weights longer than the shape", 'n', READ_BOTH,
     "UPDATE network_layers SET weights = zeroblob(56) WHERE position = 0"},
    {"weights that are text", 'n', READ_BOTH,
     "UPDATE network_layers SET weights = '0123456789012345678901234567890"
     "12345678901234567' WHERE position = 0"},
    {"a bias of the wrong length", 'n', READ_BOTH,
     "UPDATE network_layers SET bias = zeroblob(8) WHERE position = 0"},
    {"a bias that is a number", 'n', READ_BOTH,
     "UPDATE network_layers SET bias = 1.5 WHERE position = 0"},
    {"zero rows", 'n', READ_BOTH | REFUSED,
     "UPDATE network_layers SET rows = 0, weights = zeroblob(0),"
     " bias = NULL WHERE position = 0"},
    {"negative columns", 'n', READ_BOTH | REFUSED,
     "UPDATE network_layers SET cols = -3 WHERE position = 0"},
    {"rows that are not an integer", 'n', READ_BOTH,
     "UPDATE network_layers SET rows = 2.5 WHERE position = 0"},
    {"a layer chain that does not fit", 'n', READ_BOTH,
     "UPDATE network_layers SET cols = 3, weights = zeroblob(24)"
     " WHERE position = 1"},
    {"a missing first layer", 'n', READ_BOTH,
     "DELETE FROM network_layers WHERE position = 0"},
    {"no layers at all", 'n', READ_BOTH, "DELETE FROM network_layers"},
    {"a NaN weight", 'n', READ_GET,
     "UPDATE network_layers SET weights = X'" HEX_NAN HEX_ZERO HEX_ZERO
     HEX_ZERO HEX_ZERO HEX_ZERO "' WHERE position = 0"},
    {"an infinite bias", 'n', READ_GET,
     "UPDATE network_layers SET bias = X'" HEX_ZERO HEX_INF "'"
     " WHERE position = 0"},
    {"an unknown activation", 'n', READ_BOTH,
     "UPDATE network_layers SET activation = 'swish' WHERE position = 0"},
    {"an activation longer than any", 'n', READ_BOTH,
     "UPDATE network_layers SET activation = 'relu_relu_relu_relu_relu'"
     " WHERE position = 0"},
    {"an alpha for relu", 'n', READ_BOTH,
     "UPDATE network_layers SET alpha = 0.5 WHERE position = 0"},
    {"no alpha for leaky_relu", 'n', READ_BOTH,
     "UPDATE network_layers SET alpha = NULL WHERE position = 1"},
    {"an infinite alpha", 'n', READ_BOTH,
     "UPDATE network_layers SET alpha = 1e999 WHERE position = 1"},
    {"an alpha that is text", 'n', READ_BOTH,
     "UPDATE network_layers SET alpha = 'big' WHERE position = 1"},
    {"a name that is not UTF-8", 'n', READ_BOTH,
     "UPDATE networks SET name = CAST(X'C328' AS TEXT)"},
    {"a created_at too long to be a time", 'n', READ_BOTH,
     "UPDATE networks SET created_at = printf('%.100c', 'x')"},

    /* superpositions: dimension 3, amplitudes (1, 0, 0), labels a b c. */
    {"a dimension larger than the amplitudes", 's', READ_BOTH,
     "UPDATE superpositions SET dimension = 4"},
    {"a dimension whose 16 * n wraps around", 's', READ_BOTH,
     "UPDATE superpositions SET dimension = 1152921504606846977,"
     " amplitudes = zeroblob(16), labels = X'6100'"},
    {"a dimension of 0", 's', READ_BOTH | REFUSED,
     "UPDATE superpositions SET dimension = 0"},
    {"a dimension that is text", 's', READ_BOTH,
     "UPDATE superpositions SET dimension = 'three'"},
    {"amplitudes of an odd length", 's', READ_BOTH,
     "UPDATE superpositions SET amplitudes = zeroblob(47)"},
    {"amplitudes that are text", 's', READ_BOTH,
     "UPDATE superpositions SET amplitudes = '012345678901234567890123456789"
     "012345678901234567'"},
    {"a NaN amplitude", 's', READ_GET,
     "UPDATE superpositions SET amplitudes = X'" HEX_ONE HEX_NAN HEX_ZERO
     HEX_ZERO HEX_ZERO HEX_ZERO "'"},
    {"a norm that is not the amplitudes' norm", 's', READ_GET,
     "UPDATE superpositions SET norm = 0.5"},
    {"a negative norm", 's', READ_BOTH,
     "UPDATE superpositions SET norm = -1.0"},
    {"an infinite norm", 's', READ_BOTH,
     "UPDATE superpositions SET norm = 1e999"},
    {"a norm that is text", 's', READ_BOTH,
     "UPDATE superpositions SET norm = 'one'"},
    {"fewer labels than the dimension", 's', READ_GET,
     "UPDATE superpositions SET labels = X'61006200'"},
    {"more labels than the dimension", 's', READ_GET,
     "UPDATE superpositions SET labels = X'6100620063006400'"},
    {"labels without their last NUL", 's', READ_GET,
     "UPDATE superpositions SET labels = X'610062006300630063'"},
    {"labels that are empty", 's', READ_GET,
     "UPDATE superpositions SET labels = zeroblob(0)"},
    {"labels that are text", 's', READ_GET,
     "UPDATE superpositions SET labels = 'a'"},
    {"a label twice", 's', READ_GET,
     "UPDATE superpositions SET labels = X'610062006100'"},
    {"a label that is not UTF-8", 's', READ_GET,
     "UPDATE superpositions SET labels = X'6100FF006300'"},
    {"a created_at that is a BLOB", 's', READ_BOTH,
     "UPDATE superpositions SET created_at = X'32303236'"},
    {"an operation that is not JSON", 's', READ_GET,
     "UPDATE superpositions SET operation = '{\"op\":'"},
    {"an operation that is an array", 's', READ_GET,
     "UPDATE superpositions SET operation = '[1]'"},
    {"an operation that is a BLOB", 's', READ_GET,
     "UPDATE superpositions SET operation = X'7B7D'"},
    {"a parent that is a BLOB", 's', READ_BOTH,
     "UPDATE superpositions SET parent = X'73'"},
    {"a parent too long to be an id", 's', READ_BOTH,
     "UPDATE superpositions SET parent = printf('%.40c', 'p')"},

    /* experiments: params {"p":1}, result {"r":[0.5]}, tags t1 t2. */
    {"inputs that are not JSON", 'e', READ_GET,
     "UPDATE experiments SET inputs = '[{'"},
    {"inputs that are an object", 'e', READ_GET,
     "UPDATE experiments SET inputs = '{}'"},
    {"inputs that are a BLOB", 'e', READ_GET,
     "UPDATE experiments SET inputs = X'5B5D'"},
    {"params that are not JSON", 'e', READ_BOTH,
     "UPDATE experiments SET params = '{\"p\":'"},
    {"a result that is a bare number", 'e', READ_BOTH,
     "UPDATE experiments SET result = '1'"},
    {"params that are a BLOB", 'e', READ_BOTH,
     "UPDATE experiments SET params = X'7B7D'"},
    {"a name that is not UTF-8", 'e', READ_BOTH,
     "UPDATE experiments SET name = CAST(X'6180' AS TEXT)"},
    {"notes with a NUL inside", 'e', READ_BOTH,
     "UPDATE experiments SET notes = CAST(X'610062' AS TEXT)"},
    {"a kind too long to be one", 'e', READ_BOTH,
     "UPDATE experiments SET kind = printf('%.40c', 'k')"},
    {"a tag that is not UTF-8", 'e', READ_BOTH,
     "UPDATE experiment_tags SET tag = CAST(X'EDA080' AS TEXT)"
     " WHERE position = 1"},
    {"a tag that is a BLOB", 'e', READ_BOTH,
     "UPDATE experiment_tags SET tag = X'74' WHERE position = 0"},
};

/* The damage that PostgreSQL's column types allow (text where bytes
 * belong, or a name that is not UTF-8 in a UTF-8 database, cannot be
 * stored there; nor can CHECK constraints be broken): the same fixture. */
#define PG_ZEROS(n) "decode(repeat('00', " #n "), 'hex')"
static const damage_case pg_damage_cases[] = {
    {"rows * cols wraps around to the weights' length", 'n', READ_BOTH,
     "UPDATE network_layers SET rows = 2305843009213693953, cols = 8,"
     " weights = " PG_ZEROS(64) ", bias = NULL WHERE position = 0"},
    {"rows * 8 of the bias wraps around", 'n', READ_BOTH,
     "DELETE FROM network_layers WHERE position = 1;"
     "UPDATE network_layers SET rows = 2305843009213693953, cols = 1,"
     " weights = " PG_ZEROS(8) ", bias = " PG_ZEROS(8) " WHERE position = 0"},
    {"weights shorter than the shape", 'n', READ_BOTH,
     "UPDATE network_layers SET weights = " PG_ZEROS(40)
     " WHERE position = 0"},
    {"weights longer than the shape", 'n', READ_BOTH,
     "UPDATE network_layers SET weights = " PG_ZEROS(56)
     " WHERE position = 0"},
    {"a bias of the wrong length", 'n', READ_BOTH,
     "UPDATE network_layers SET bias = " PG_ZEROS(8) " WHERE position = 0"},
    {"a layer chain that does not fit", 'n', READ_BOTH,
     "UPDATE network_layers SET cols = 3, weights = " PG_ZEROS(24)
     " WHERE position = 1"},
    {"a missing first layer", 'n', READ_BOTH,
     "DELETE FROM network_layers WHERE position = 0"},
    {"no layers at all", 'n', READ_BOTH, "DELETE FROM network_layers"},
    {"a NaN weight", 'n', READ_GET,
     "UPDATE network_layers SET weights = decode('" HEX_NAN HEX_ZERO HEX_ZERO
     HEX_ZERO HEX_ZERO HEX_ZERO "', 'hex') WHERE position = 0"},
    {"an infinite bias", 'n', READ_GET,
     "UPDATE network_layers SET bias = decode('" HEX_ZERO HEX_INF "', 'hex')"
     " WHERE position = 0"},
    {"an unknown activation", 'n', READ_BOTH,
     "UPDATE network_layers SET activation = 'swish' WHERE position = 0"},
    {"an activation longer than any", 'n', READ_BOTH,
     "UPDATE network_layers SET activation = 'relu_relu_relu_relu_relu'"
     " WHERE position = 0"},
    {"an alpha for relu", 'n', READ_BOTH,
     "UPDATE network_layers SET alpha = 0.5 WHERE position = 0"},
    {"no alpha for leaky_relu", 'n', READ_BOTH,
     "UPDATE network_layers SET alpha = NULL WHERE position = 1"},
    {"an infinite alpha", 'n', READ_BOTH,
     "UPDATE network_layers SET alpha = 'Infinity' WHERE position = 1"},
    {"a created_at too long to be a time", 'n', READ_BOTH,
     "UPDATE networks SET created_at = repeat('x', 100)"},
    {"a dimension larger than the amplitudes", 's', READ_BOTH,
     "UPDATE superpositions SET dimension = 4"},
    {"a dimension whose 16 * n wraps around", 's', READ_BOTH,
     "UPDATE superpositions SET dimension = 1152921504606846977,"
     " amplitudes = " PG_ZEROS(16) ", labels = '\\x6100'"},
    {"amplitudes of an odd length", 's', READ_BOTH,
     "UPDATE superpositions SET amplitudes = " PG_ZEROS(47)},
    {"a NaN amplitude", 's', READ_GET,
     "UPDATE superpositions SET amplitudes = decode('" HEX_ONE HEX_NAN
     HEX_ZERO HEX_ZERO HEX_ZERO HEX_ZERO "', 'hex')"},
    {"a norm that is not the amplitudes' norm", 's', READ_GET,
     "UPDATE superpositions SET norm = 0.5"},
    {"a negative norm", 's', READ_BOTH,
     "UPDATE superpositions SET norm = -1.0"},
    {"an infinite norm", 's', READ_BOTH,
     "UPDATE superpositions SET norm = 'Infinity'"},
    {"a NaN norm", 's', READ_BOTH, "UPDATE superpositions SET norm = 'NaN'"},
    {"fewer labels than the dimension", 's', READ_GET,
     "UPDATE superpositions SET labels = '\\x61006200'"},
    {"more labels than the dimension", 's', READ_GET,
     "UPDATE superpositions SET labels = '\\x6100620063006400'"},
    {"labels without their last NUL", 's', READ_GET,
     "UPDATE superpositions SET labels = '\\x610062006300630063'"},
    {"labels that are empty", 's', READ_GET,
     "UPDATE superpositions SET labels = ''"},
    {"a label twice", 's', READ_GET,
     "UPDATE superpositions SET labels = '\\x610062006100'"},
    {"a label that is not UTF-8", 's', READ_GET,
     "UPDATE superpositions SET labels = '\\x6100FF006300'"},
    {"an operation that is an array", 's', READ_GET,
     "UPDATE superpositions SET operation = '[1]'"},
    {"a parent too long to be an id", 's', READ_BOTH,
     "UPDATE superpositions SET parent = repeat('p', 40)"},
    {"a result that is a bare number", 'e', READ_BOTH,
     "UPDATE experiments SET result = '1'"},
    {"params that are a string", 'e', READ_BOTH,
     "UPDATE experiments SET params = '\"x\"'"},
    {"a kind too long to be one", 'e', READ_BOTH,
     "UPDATE experiments SET kind = repeat('k', 40)"},
    {"an updated_at too long to be a time", 'e', READ_BOTH,
     "UPDATE experiments SET updated_at = repeat('9', 40)"},
};

/* Runs sql on the file p through a connection of the test's own, with the
 * schema's CHECK constraints off (damage does not respect them). */
static bool damage_file(const char *p, const char *sql)
{
    if (pg_base())
        return pg_exec(p, sql);
    sqlite3 *raw;
    bool ok = sqlite3_open(p, &raw) == SQLITE_OK &&
              sqlite3_exec(raw, "PRAGMA ignore_check_constraints = ON", NULL,
                           NULL, NULL) == SQLITE_OK;
    char *msg = NULL;
    ok = ok && sqlite3_exec(raw, sql, NULL, NULL, &msg) == SQLITE_OK;
    test_check(ok, __FILE__, __LINE__, "damage \"%s\": %s", sql,
               msg ? msg : sqlite3_errmsg(raw));
    sqlite3_free(msg);
    sqlite3_close(raw);
    return ok;
}

TEST(a_database_without_its_cursor_key_is_refused)
{
    static const char *const sqlite_damage[] = {
        "UPDATE settings SET value = zeroblob(5)",
        "UPDATE settings SET value = 'a key that is text, not bytes, 32!'",
        "DELETE FROM settings",
    };
    static const char *const pg_damage[] = {
        "UPDATE settings SET value = '\\x0000000000'",
        "UPDATE settings SET value = decode(repeat('00', 33), 'hex')",
        "DELETE FROM settings",
    };
    const char *const *damage = pg_base() ? pg_damage : sqlite_damage;
    for (size_t i = 0; i < 3; i++) {
        char keep[128];
        store *db = open_new();
        snprintf(keep, sizeof keep, "%s", path);
        store_close(db);
        if (!damage_file(keep, damage[i]))
            continue;
        store_status st;
        char err[256] = "";
        db = store_open(keep, 1, 5000, &st, err, sizeof err);
        test_check(db == NULL && st == STORE_CORRUPT, __FILE__, __LINE__,
                   "%s: opened (%d)", damage[i], (int)st);
        store_close(db);
    }
}

TEST(a_signature_depends_on_the_database_and_the_data)
{
    unsigned char a[32], b[32], c[32];
    store *one = open_new(), *two = open_new();
    store_sign(one, "page 1", 6, a);
    store_sign(one, "page 1", 6, b);
    CHECK(memcmp(a, b, 32) == 0);
    store_sign(one, "page 2", 6, b);
    store_sign(two, "page 1", 6, c);
    CHECK(memcmp(a, b, 32) != 0);
    CHECK(memcmp(a, c, 32) != 0); /* each database draws its own key */
    char keep[128];
    snprintf(keep, sizeof keep, "%s", path);
    store_close(two);
    two = reopen(NULL, keep);
    store_sign(two, "page 1", 6, b);
    CHECK(memcmp(b, c, 32) == 0); /* and keeps it */
    store_close(one);
    store_close(two);
}

typedef struct {
    char sup[STORE_ID_MAX], net[STORE_ID_MAX], exp[STORE_ID_MAX];
} fixture_ids;

/* A new database holding one superposition, one network and one
 * experiment (described in damage_cases), closed; its path in keep. */
static void write_fixture(char *keep, size_t size, fixture_ids *ids)
{
    store *db = open_new();
    snprintf(keep, size, "%s", path);
    double complex amps[3] = {1, 0, 0};
    char *labels[3] = {"a", "b", "c"};
    store_superposition s = {.dimension = 3, .amplitudes = amps,
                             .labels = labels, .norm = 1.0};
    CHECK_EQ_INT(store_superposition_create(db, &s), STORE_OK);
    double w0[6] = {1, 2, 3, 4, 5, 6}, b0[2] = {0.5, -0.5}, w1[2] = {1, -1};
    store_layer layers[2] = {
        {.rows = 2, .cols = 3, .activation = "relu", .weights = w0,
         .bias = b0},
        {.rows = 1, .cols = 2, .activation = "leaky_relu", .alpha = 0.2,
         .has_alpha = true, .weights = w1},
    };
    store_network net = {.name = "n", .layer_count = 2, .layers = layers};
    CHECK_EQ_INT(store_network_create(db, &net), STORE_OK);
    char *tags[2] = {"t1", "t2"};
    char exp_id[1][STORE_ID_MAX];
    add_experiments(db, 1, "neuron_activation", tags, 2, exp_id);
    snprintf(ids->sup, sizeof ids->sup, "%s", s.id);
    snprintf(ids->net, sizeof ids->net, "%s", net.id);
    snprintf(ids->exp, sizeof ids->exp, "%s", exp_id[0]);
    store_close(db);
}

/* The status of each read of the fixture's rows of one kind (the get
 * reads: with and without weights, and through the cache, for networks). */
static void read_kind(store *db, const fixture_ids *ids, char kind,
                      store_status *get, store_status *list)
{
    store_status more = STORE_OK;
    int64_t next;
    size_t count;
    if (kind == 's') {
        store_superposition s, *items;
        *get = store_superposition_get(db, ids->sup, &s);
        if (*get == STORE_OK)
            store_superposition_free(&s);
        *list = store_superposition_list(db, 0, 10, &items, &count, &next);
        if (*list == STORE_OK)
            store_superposition_array_free(items, count);
    } else if (kind == 'n') {
        store_network n, *items;
        const store_network *cached;
        *get = store_network_get(db, ids->net, true, &n);
        if (*get == STORE_OK)
            store_network_free(&n);
        more = store_network_acquire(db, ids->net, &cached);
        if (more == STORE_OK)
            store_network_release(db, cached);
        CHECK_EQ_INT(more, *get);
        *list = store_network_list(db, 0, 10, &items, &count, &next);
        if (*list == STORE_OK)
            store_network_array_free(items, count);
        more = store_network_get(db, ids->net, false, &n);
        if (more == STORE_OK)
            store_network_free(&n);
        CHECK_EQ_INT(more, *list); /* the shapes are what lists read */
    } else {
        store_experiment e, *items;
        *get = store_experiment_get(db, ids->exp, &e);
        if (*get == STORE_OK)
            store_experiment_free(&e);
        store_experiment_filter all = {0};
        *list = store_experiment_list(db, &all, 0, 10, &items, &count, &next);
        if (*list == STORE_OK)
            store_experiment_array_free(items, count);
    }
}

TEST(every_read_of_a_damaged_row_is_corrupt_and_the_others_go_on)
{
    char clean[128];
    fixture_ids ids;
    write_fixture(clean, sizeof clean, &ids);
    store *db = reopen(NULL, clean);
    for (const char *k = "sne"; *k; k++) { /* the fixture itself reads */
        store_status get, list;
        read_kind(db, &ids, *k, &get, &list);
        CHECK_EQ_INT(get, STORE_OK);
        CHECK_EQ_INT(list, STORE_OK);
    }
    store_close(db);

    size_t n = pg_base() ? sizeof pg_damage_cases / sizeof *pg_damage_cases
                         : sizeof damage_cases / sizeof damage_cases[0];
    for (size_t i = 0; i < n; i++) {
        const damage_case *dc =
            pg_base() ? &pg_damage_cases[i] : &damage_cases[i];
        char keep[128];
        write_fixture(keep, sizeof keep, &ids);
        /* Damaged while psinet has it open, then read; then opened again. */
        db = reopen(NULL, keep);
        for (int pass = 0; db && pass < 2; pass++) {
            if (pass == 0 && !damage_file(keep, dc->sql))
                break;
            for (const char *k = "sne"; *k; k++) {
                store_status get, list;
                read_kind(db, &ids, *k, &get, &list);
                bool hit = *k == dc->kind;
                store_status want_get =
                    hit && (dc->reads & READ_GET) ? STORE_CORRUPT : STORE_OK;
                store_status want_list =
                    hit && (dc->reads & READ_LIST) ? STORE_CORRUPT : STORE_OK;
                test_check(get == want_get, __FILE__, __LINE__,
                           "%s: get of %c = %s, expected %s", dc->what, *k,
                           store_status_str(get), store_status_str(want_get));
                test_check(list == want_list, __FILE__, __LINE__,
                           "%s: list of %c = %s, expected %s", dc->what, *k,
                           store_status_str(list),
                           store_status_str(want_list));
            }
            store_close(db);
            store_status st;
            char err[512];
            db = pass == 0 ? store_open(keep, 2, 5000, &st, err, sizeof err)
                           : NULL;
            if (pass == 0)
                test_check(dc->reads & REFUSED ? !db && st == STORE_CORRUPT
                                               : db != NULL,
                           __FILE__, __LINE__, "%s: open again: %s",
                           dc->what, db ? "opened" : err);
        }
        store_close(db);
    }
}

/* Overwrites page `page` (from 1) of the file p with a fixed pattern, as
 * a bad disk would. */
static void smash_page(const char *p, long page, long page_size)
{
    FILE *f = fopen(p, "r+b");
    CHECK(f != NULL);
    if (!f)
        return;
    CHECK(fseek(f, (page - 1) * page_size, SEEK_SET) == 0);
    for (long i = 0; i < page_size; i++)
        fputc((int)((i * 151 + 7) & 0xff), f);
    fclose(f);
}

TEST(a_damaged_file_is_refused_at_open_saying_what_sqlite_found)
{
    SQLITE_ONLY();
    store *db = open_new();
    char keep[128];
    snprintf(keep, sizeof keep, "%s", path);
    add_experiments(db, 300, "neuron_activation", NULL, 0, NULL);
    store_close(db); /* checkpoints the WAL into the file */
    sqlite3 *raw;
    sqlite3_int64 pages = 0;
    sqlite3_stmt *q;
    CHECK_EQ_INT(sqlite3_open(keep, &raw), SQLITE_OK);
    CHECK_EQ_INT(sqlite3_prepare_v2(raw, "PRAGMA page_count", -1, &q, NULL),
                 SQLITE_OK);
    if (sqlite3_step(q) == SQLITE_ROW)
        pages = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(raw);
    CHECK(pages > 10);
    smash_page(keep, pages / 2, 4096);

    store_status st;
    char err[512] = "";
    db = store_open(keep, 2, 5000, &st, err, sizeof err);
    CHECK(db == NULL);
    store_close(db);
    CHECK_EQ_INT(st, STORE_CORRUPT);
    test_check(strstr(err, "damaged") && strstr(err, "quick_check"), __FILE__,
               __LINE__, "err = %s", err);
}

/* Every write of the store, each on a row that exists: the status of
 * each in turn into out[0..5]. */
static void write_everything(store *db, const fixture_ids *ids,
                             store_status out[6])
{
    double complex amps[2] = {1, 0};
    char *labels[2] = {"x", "y"};
    store_superposition s = {.dimension = 2, .amplitudes = amps,
                             .labels = labels, .norm = 1.0};
    out[0] = store_superposition_create(db, &s);
    double w[1] = {1};
    store_layer layer = {.rows = 1, .cols = 1, .activation = "relu",
                         .weights = w};
    store_network net = {.layer_count = 1, .layers = &layer};
    out[1] = store_network_create(db, &net);
    store_experiment e = {.name = "w", .kind = "neuron_activation",
                          .params_json = "{}", .result_json = "{}"};
    out[2] = store_experiment_create(db, &e);
    store_experiment_patch patch = {.name = "renamed"};
    store_experiment patched;
    out[3] = store_experiment_update(db, ids->exp, &patch, &patched);
    if (out[3] == STORE_OK)
        store_experiment_free(&patched);
    out[4] = store_superposition_set_amplitudes(db, ids->sup, amps, 2, 1.0);
    out[5] = store_network_delete(db, ids->net);
}

TEST(a_damaged_row_read_refuses_every_write_from_then_on)
{
    char keep[128];
    fixture_ids ids;
    write_fixture(keep, sizeof keep, &ids);
    store *db = reopen(NULL, keep);
    CHECK(!store_damaged(db));
    damage_file(keep, pg_base() ? "UPDATE network_layers SET rows ="
                                  " 2305843009213693953, cols = 8, weights = "
                                  PG_ZEROS(64) " WHERE position = 0"
                                : "UPDATE network_layers SET rows ="
                                  " 2305843009213693953, cols = 8, weights ="
                                  " zeroblob(64) WHERE position = 0");
    store_superposition s;
    CHECK_EQ_INT(store_superposition_get(db, ids.sup, &s), STORE_OK);
    store_superposition_free(&s);
    CHECK(!store_damaged(db)); /* not seen yet */

    const store_network *net;
    CHECK_EQ_INT(store_network_acquire(db, ids.net, &net), STORE_CORRUPT);
    CHECK(store_damaged(db));
    store_status writes[6];
    write_everything(db, &ids, writes);
    for (int i = 0; i < 6; i++)
        test_check(writes[i] == STORE_CORRUPT, __FILE__, __LINE__,
                   "write %d = %s", i, store_status_str(writes[i]));
    /* Reads that still work go on, and the damage stays noted. */
    CHECK_EQ_INT(store_superposition_get(db, ids.sup, &s), STORE_OK);
    CHECK(s.dimension == 3 && creal(s.amplitudes[0]) == 1);
    store_superposition_free(&s);
    CHECK_EQ_INT(store_ping(db), STORE_OK);
    CHECK(store_damaged(db));
    store_close(db);
}

TEST(sqlite_finding_a_damaged_page_at_run_time_refuses_writes)
{
    SQLITE_ONLY();
    store *db = open_new();
    char keep[128];
    snprintf(keep, sizeof keep, "%s", path);
    char ids[300][STORE_ID_MAX];
    add_experiments(db, 300, "neuron_activation", NULL, 0, ids);
    /* While the store is open: move everything into the file, overwrite
     * the root page of the experiments table, and make a write elsewhere
     * so that the store's connections drop the pages they cache. */
    sqlite3 *raw;
    sqlite3_stmt *q;
    sqlite3_int64 root = 0;
    CHECK_EQ_INT(sqlite3_open(keep, &raw), SQLITE_OK);
    CHECK_EQ_INT(sqlite3_exec(raw, "PRAGMA wal_checkpoint(TRUNCATE)", NULL,
                              NULL, NULL),
                 SQLITE_OK);
    CHECK_EQ_INT(sqlite3_prepare_v2(raw,
                                    "SELECT rootpage FROM sqlite_master"
                                    " WHERE name = 'experiments'",
                                    -1, &q, NULL),
                 SQLITE_OK);
    if (sqlite3_step(q) == SQLITE_ROW)
        root = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    CHECK(root > 1);
    smash_page(keep, (long)root, 4096);
    CHECK_EQ_INT(sqlite3_exec(raw, "PRAGMA user_version = 7", NULL, NULL,
                              NULL),
                 SQLITE_OK);
    sqlite3_close(raw);

    CHECK_EQ_INT(store_ping(db), STORE_OK); /* it does not see the damage */
    CHECK(!store_damaged(db));
    store_experiment e;
    CHECK_EQ_INT(store_experiment_get(db, ids[150], &e), STORE_CORRUPT);
    CHECK(store_damaged(db));
    CHECK_EQ_INT(add_one_experiment(db), STORE_CORRUPT);
    store_close(db);

    store_status st;
    char err[512] = "";
    db = store_open(keep, 2, 5000, &st, err, sizeof err);
    CHECK(db == NULL); /* and quick_check finds it at the next start */
    CHECK_EQ_INT(st, STORE_CORRUPT);
    store_close(db);
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

static int compare_ids(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* The milliseconds since 1970 that the first 9 characters of id's
 * suffix tell (alphabet "234567abcdefghijklmnopqrstuvwxyz"). */
static uint64_t id_time(const char *id)
{
    static const char alphabet[] = "234567abcdefghijklmnopqrstuvwxyz";
    uint64_t ms = 0;
    for (int k = 0; k < 9; k++)
        ms = ms << 5 | (uint64_t)(strchr(alphabet, id[4 + k]) - alphabet);
    return ms;
}

TEST(new_ids_have_their_form_sort_by_time_and_do_not_repeat)
{
    /* store_new_id: the prefix, '_', 20 characters of [a-z2-7] (the form
     * openapi.yaml states), none twice in 20,000. The first 9 tell the
     * millisecond the id was made: between the clock before and after,
     * and in the order the ids were made (the clock did not step back
     * during the test, or the check is skipped). Each of the last 11
     * takes every one of the 32 characters (a random position misses one
     * with a probability of about 32 * (31/32)^20000, nil), so that no
     * random bit is lost or fixed. */
    enum { N = 20000 };
    static char ids[N][STORE_ID_MAX];
    unsigned seen[20] = {0};
    bool form = true, ordered = true;
    struct timespec t0, t1;
    clock_gettime(CLOCK_REALTIME, &t0);
    for (int i = 0; i < N; i++) {
        store_new_id("exp", ids[i]);
        form = form && strlen(ids[i]) == 24 &&
               strncmp(ids[i], "exp_", 4) == 0;
        for (int k = 0; form && k < 20; k++) {
            char ch = ids[i][4 + k];
            bool letter = ch >= 'a' && ch <= 'z', digit = ch >= '2' &&
                                                          ch <= '7';
            form = letter || digit;
            if (form)
                seen[k] |= 1u << (letter ? ch - 'a' : 26 + ch - '2');
        }
        ordered = ordered &&
                  (i == 0 || strncmp(ids[i - 1], ids[i], 4 + 9) <= 0);
    }
    clock_gettime(CLOCK_REALTIME, &t1);
    CHECK(form);
    uint64_t ms0 = (uint64_t)t0.tv_sec * 1000u +
                   (uint64_t)t0.tv_nsec / 1000000u;
    uint64_t ms1 = (uint64_t)t1.tv_sec * 1000u +
                   (uint64_t)t1.tv_nsec / 1000000u;
    if (form && ms1 >= ms0) {
        CHECK(ordered);
        CHECK(id_time(ids[0]) >= ms0 && id_time(ids[0]) <= ms1);
        CHECK(id_time(ids[N - 1]) >= ms0 && id_time(ids[N - 1]) <= ms1);
    }
    for (int k = 9; k < 20; k++)
        test_check(seen[k] == 0xffffffffu, __FILE__, __LINE__,
                   "position %d took only some characters: %08x", k,
                   seen[k]);
    qsort(ids, N, sizeof ids[0], compare_ids);
    int repeats = 0;
    for (int i = 1; i < N; i++)
        repeats += strcmp(ids[i - 1], ids[i]) == 0;
    CHECK_EQ_INT(repeats, 0);
}
