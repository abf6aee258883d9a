/* tests/api/test_hold.c - answers held until their row is durable
 * (api_hold, with group commit): a 201 that is sent only after its row is
 * committed, and replaced by the error of the commit when the row could
 * not be written. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests/api/apitest.h"
#include "tests/testlib.h"

static const char BODY[] =
    "{\"name\":\"held\",\"kind\":\"neuron_activation\",\"tags\":[\"a\"],"
    "\"params\":{\"amplitudes\":[0.6,0.8],\"weights\":[[1,0],[0,1]],"
    "\"activation\":\"sigmoid\"}}";

static const char *db_path(void)
{
    static char path[128];
    return test_tmp_path(path, sizeof path, "h");
}

/* Another process's writer: python3's sqlite3 module holds the write lock
 * of the database at path (BEGIN IMMEDIATE) until its standard input is
 * closed (pclose). NULL when it could not be started. */
static FILE *lock_elsewhere(const char *path)
{
    char flag[160], cmd[640];
    snprintf(flag, sizeof flag, "%s.locked", path);
    snprintf(cmd, sizeof cmd,
             "python3 -c \"import sqlite3, sys; "
             "c = sqlite3.connect('%s', isolation_level=None); "
             "c.execute('BEGIN IMMEDIATE'); open('%s', 'w').close(); "
             "sys.stdin.read(); c.execute('ROLLBACK')\"",
             path, flag);
    FILE *f = popen(cmd, "w");
    for (int i = 0; f && i < 1000 && access(flag, F_OK) != 0; i++) {
        struct timespec t = {0, 10 * 1000 * 1000};
        nanosleep(&t, NULL);
    }
    if (f && access(flag, F_OK) != 0) {
        pclose(f);
        return NULL;
    }
    return f;
}

/* A server's side of a hold: woken once. */
typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int wakes;
} waiter;

static void wake(void *arg)
{
    waiter *w = arg;
    pthread_mutex_lock(&w->lock);
    w->wakes++;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

static void wait_woken(waiter *w)
{
    pthread_mutex_lock(&w->lock);
    while (w->wakes == 0)
        pthread_cond_wait(&w->cond, &w->lock);
    pthread_mutex_unlock(&w->lock);
}

static void post(const api_ctx *ctx, bool can_hold, api_response *resp)
{
    api_request req = {.method = "POST",
                       .path = "/v1/experiments",
                       .content_type = "application/json",
                       .body = BODY,
                       .body_len = strlen(BODY),
                       .can_hold = can_hold};
    api_handle(ctx, &req, resp);
}

/* The id in a 201's body. */
static void answered_id(api_response *resp, char *id, size_t len)
{
    size_t n;
    char *text = api_response_body(resp, &n);
    json_t *v = text ? json_loadb(text, n, 0, NULL) : NULL;
    const char *s = json_string_value(json_object_get(v, "id"));
    snprintf(id, len, "%s", s ? s : "");
    json_decref(v);
    free(text);
}

static int get_status(const api_ctx *ctx, const char *id)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/experiments/%s", id);
    apitest_result r = apitest_call(ctx, "GET", path, NULL, NULL);
    int status = r.resp.status;
    apitest_free(&r);
    return status;
}

static api_ctx open_ctx(const char *path, int busy_ms)
{
    api_ctx ctx = apitest_ctx(NULL);
    char err[256];
    test_check(api_db_open(&ctx, path, 2, busy_ms, err, sizeof err),
               __FILE__, __LINE__, "api_db_open: %s", err);
    return ctx;
}

TEST(without_group_commit_nothing_is_held)
{
    api_ctx ctx = open_ctx(db_path(), 1000);
    api_response resp;
    post(&ctx, true, &resp);
    CHECK_EQ_INT(resp.status, 201);
    CHECK(resp.hold == NULL); /* committed already */
    api_response_free(&resp);
    api_db_close(&ctx);
}

TEST(a_held_201_is_released_once_its_row_is_committed)
{
    api_ctx ctx = open_ctx(db_path(), 1000);
    CHECK(api_db_group_commit(&ctx));
    api_response resp;
    post(&ctx, false, &resp); /* a caller that cannot hold: as before */
    CHECK_EQ_INT(resp.status, 201);
    CHECK(resp.hold == NULL);
    api_response_free(&resp);

    post(&ctx, true, &resp);
    CHECK_EQ_INT(resp.status, 201);
    CHECK(resp.hold != NULL);
    api_hold *hold = resp.hold;
    resp.hold = NULL;
    char id[64];
    answered_id(&resp, id, sizeof id);
    CHECK(strncmp(id, "exp_", 4) == 0);
    api_response_free(&resp);
    waiter w = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0};
    api_hold_wait(hold, wake, &w);
    wait_woken(&w);
    api_response other;
    CHECK(!api_hold_end(hold, &other)); /* committed: send the 201 */
    CHECK_EQ_INT(w.wakes, 1);
    CHECK_EQ_INT(get_status(&ctx, id), 200);
    api_db_close(&ctx);
}

TEST(a_held_201_whose_row_cannot_be_committed_becomes_its_503)
{
    const char *path = db_path();
    api_ctx ctx = open_ctx(path, 200);
    CHECK(api_db_group_commit(&ctx));
    /* Another process's writer holds the database past the busy
     * timeout: the writer's BEGIN IMMEDIATE fails. */
    FILE *other = lock_elsewhere(path);
    CHECK(other != NULL);
    api_response resp;
    post(&ctx, true, &resp);
    CHECK_EQ_INT(resp.status, 201); /* made, not sent */
    api_hold *hold = resp.hold;
    resp.hold = NULL;
    char id[64];
    answered_id(&resp, id, sizeof id);
    api_response_free(&resp);
    CHECK(hold != NULL);
    if (!hold) {
        if (other)
            pclose(other);
        api_db_close(&ctx);
        return;
    }
    waiter w = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0};
    api_hold_wait(hold, wake, &w);
    wait_woken(&w);
    if (other)
        pclose(other);
    api_response err;
    CHECK(api_hold_end(hold, &err));
    CHECK_EQ_INT(err.status, 503);
    CHECK(api_response_get_header(&err, "Retry-After") != NULL);
    size_t n;
    char *text = api_response_body(&err, &n);
    CHECK(text && strstr(text, "busy"));
    free(text);
    api_response_free(&err);
    CHECK_EQ_INT(get_status(&ctx, id), 404); /* never acknowledged, not there */
    api_db_close(&ctx);
}

TEST(a_hold_given_up_before_its_commit_is_freed_after_it)
{
    api_ctx ctx = open_ctx(db_path(), 1000);
    CHECK(api_db_group_commit(&ctx));
    for (int i = 0; i < 50; i++) {
        api_response resp;
        post(&ctx, true, &resp);
        CHECK_EQ_INT(resp.status, 201);
        /* The client went away: the response (and its hold) is dropped,
         * whether or not the row is written yet (ASan: nothing leaks,
         * nothing is freed twice). */
        api_response_free(&resp);
    }
    api_db_drain(&ctx); /* every row written */
    apitest_result r = apitest_call(&ctx, "GET", "/v1/experiments?limit=100",
                                    NULL, NULL);
    CHECK_EQ_INT(json_array_size(apitest_get(&r, "items")), 50);
    apitest_free(&r);
    api_db_close(&ctx);
}

/* POST path with body, can_hold, on ctx: the response (hold taken out into
 * *hold) and the id it names. */
static void post_held(const api_ctx *ctx, const char *path, const char *body,
                      api_response *resp, api_hold **hold, char *id,
                      size_t len)
{
    api_request req = {.method = "POST",
                       .path = path,
                       .content_type = "application/json",
                       .body = body,
                       .body_len = strlen(body),
                       .can_hold = true};
    api_handle(ctx, &req, resp);
    *hold = resp->hold;
    resp->hold = NULL;
    answered_id(resp, id, len);
}

/* Waits for hold's wake and ends it: whether the row was committed. */
static bool settle(api_hold *hold)
{
    waiter w = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0};
    api_hold_wait(hold, wake, &w);
    wait_woken(&w);
    api_response other;
    bool failed = api_hold_end(hold, &other);
    if (failed)
        api_response_free(&other);
    return !failed;
}

TEST(new_superpositions_networks_and_stored_results_are_held_too)
{
    api_ctx ctx = open_ctx(db_path(), 1000);
    CHECK(api_db_group_commit(&ctx));
    static const struct {
        const char *path, *body, *get;
    } cases[] = {
        {"/v1/superpositions", "{\"amplitudes\":[[0.6,0],[0,0.8]]}",
         "/v1/superpositions/"},
        {"/v1/networks",
         "{\"layers\":[{\"weights\":[[1,2],[3,4]],\"bias\":[0.5,-1],"
         "\"activation\":\"tanh\"}]}",
         "/v1/networks/"},
        {"/v1/superpositions/apply",
         "{\"state\":{\"basis\":\"0\"},\"operations\":[{\"gate\":\"h\","
         "\"qubits\":[0]}],\"store\":true}",
         "/v1/superpositions/"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        api_response resp;
        api_hold *hold;
        char id[64];
        post_held(&ctx, cases[i].path, cases[i].body, &resp, &hold, id,
                  sizeof id);
        test_check(resp.status == 201 && hold != NULL, __FILE__, __LINE__,
                   "%s: %d, hold %p", cases[i].path, resp.status,
                   (void *)hold);
        api_response_free(&resp);
        if (!hold)
            continue;
        CHECK(settle(hold));
        char path[128];
        snprintf(path, sizeof path, "%s%s", cases[i].get, id);
        apitest_result r = apitest_call(&ctx, "GET", path, NULL, NULL);
        test_check(r.resp.status == 200, __FILE__, __LINE__, "GET %s: %d",
                   path, r.resp.status);
        apitest_free(&r);
    }
    api_db_close(&ctx);
}

TEST(a_held_superposition_whose_commit_fails_is_its_503)
{
    const char *path = db_path();
    api_ctx ctx = open_ctx(path, 200);
    CHECK(api_db_group_commit(&ctx));
    FILE *other = lock_elsewhere(path);
    CHECK(other != NULL);
    api_response resp;
    api_hold *hold;
    char id[64];
    post_held(&ctx, "/v1/superpositions", "{\"amplitudes\":[1,0]}", &resp,
              &hold, id, sizeof id);
    api_response_free(&resp);
    CHECK(hold != NULL);
    if (hold)
        CHECK(!settle(hold));
    if (other)
        pclose(other);
    char get[96];
    snprintf(get, sizeof get, "/v1/superpositions/%s", id);
    apitest_result r = apitest_call(&ctx, "GET", get, NULL, NULL);
    CHECK_EQ_INT(r.resp.status, 404);
    apitest_free(&r);
    api_db_close(&ctx);
}
