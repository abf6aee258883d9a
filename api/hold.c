/* api/hold.c - answers held until their row is durable (api/hold.h and
 * api_hold in api/api.h).
 *
 * Three parties touch a hold, each once, in any order: the store, which
 * says how the row fared (api_hold_done, on the writer's thread); the
 * server, which asks to be woken (api_hold_wait) and then ends it
 * (api_hold_end), or gives it up (api_hold_free: the answer will never be
 * sent); and the handler, which made it. The last one of the store and
 * the server frees it, with its row. */
#include "api/hold.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "api/db.h"
#include "api/problem.h"
#include "api/response.h"
#include "core/mem.h"
#include "json/pjson.h"
#include "store/batch.h"

struct api_hold {
    pthread_mutex_t lock;
    bool done;      /* the store has finished with the row */
    bool abandoned; /* the server will not end it (api_hold_free) */
    store_status status;
    void (*wake)(void *arg); /* set by api_hold_wait */
    void *wake_arg;
    const char *what;
    void *row;
    void (*release)(void *row);
};

api_hold *api_hold_new(const char *what, void *row,
                       void (*release)(void *row))
{
    api_hold *h = mem_calloc(1, sizeof *h);
    pthread_mutex_init(&h->lock, NULL);
    h->what = what;
    h->row = row;
    h->release = release;
    return h;
}

static void hold_free(api_hold *h)
{
    if (h->release)
        h->release(h->row);
    pthread_mutex_destroy(&h->lock);
    free(h);
}

void api_hold_done(void *arg, store_status status)
{
    api_hold *h = arg;
    pthread_mutex_lock(&h->lock);
    h->status = status;
    h->done = true;
    bool abandoned = h->abandoned;
    void (*wake)(void *) = h->wake;
    void *wake_arg = h->wake_arg;
    pthread_mutex_unlock(&h->lock);
    /* h is not touched after the wake: the server may end it at once. */
    if (abandoned)
        hold_free(h);
    else if (wake)
        wake(wake_arg);
}

void api_hold_wait(api_hold *h, void (*wake)(void *arg), void *arg)
{
    pthread_mutex_lock(&h->lock);
    bool done = h->done;
    if (!done) {
        h->wake = wake;
        h->wake_arg = arg;
    }
    pthread_mutex_unlock(&h->lock);
    if (done)
        wake(arg);
}

bool api_hold_end(api_hold *h, api_response *resp)
{
    store_status status = h->status; /* after the wake: set, and final */
    const char *what = h->what;
    hold_free(h);
    if (status == STORE_OK)
        return false;
    memset(resp, 0, sizeof *resp);
    resp->route = -1; /* the caller knows its request's route */
    resp->arena = pjson_arena_begin();
    api_err err;
    api_err_init(&err);
    api_fail_store(&err, status, what, "");
    api_response_problem(resp, &err);
    api_err_clear(&err);
    if (resp->arena)
        pjson_arena_pause();
    return true;
}

void api_hold_free(api_hold *h)
{
    if (!h)
        return;
    pthread_mutex_lock(&h->lock);
    bool done = h->done;
    h->abandoned = true;
    pthread_mutex_unlock(&h->lock);
    if (done)
        hold_free(h);
}

bool api_hold_useful(const api_ctx *ctx, const api_request *req)
{
    return req->can_hold && ctx->db && store_batch_running(ctx->db);
}
