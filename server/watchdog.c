/* server/watchdog.c - cuts off connections that take too long to send a
 * request (server/watchdog.h). */
#include "server/watchdog.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "core/mem.h"
#include "core/timing.h"

/* How often the clocks are read: a slow client is cut off at most this
 * late. */
#define WATCHDOG_TICK_MS 200

struct watch_entry {
    watch_entry *prev, *next;
    int fd;
    struct timespec since; /* when the running clock started */
    bool running;          /* receiving a request, or waiting for one */
    bool cut;              /* shut down already */
    char request_id[72];   /* "" until a request's headers are in: the
                              headers' clock runs, else the body's */
};

struct watchdog {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t thread;
    bool stopping;
    unsigned headers_ms, body_ms;
    unsigned crowded; /* open connections at the shortest headers' time */
    unsigned count;   /* entries */
    watch_entry *head;
    watchdog_cut_fn on_cut;
    void *arg;
};

/* The time for headers with w->count connections open (lock held). */
static double headers_deadline(const watchdog *w)
{
    double full = w->headers_ms, least = WATCHDOG_CROWDED_MS;
    if (least > full)
        least = full;
    if (w->crowded == 0 || 2.0 * w->count <= w->crowded)
        return full;
    if (w->count >= w->crowded)
        return least;
    /* from full at half of crowded down to least at crowded */
    double f = (double)(w->crowded - w->count) / (w->crowded / 2.0);
    return least + (full - least) * f;
}

/* Shuts down every running connection past its deadline (lock held). */
static void cut_late(watchdog *w)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double headers_ms = headers_deadline(w);
    for (watch_entry *e = w->head; e; e = e->next) {
        if (!e->running || e->cut)
            continue;
        double ms = timing_ms_between(&e->since, &now);
        if (ms <= (e->request_id[0] ? (double)w->body_ms : headers_ms))
            continue;
        /* The socket stays open until watchdog_remove has run (the lock
         * is held here), so fd is still this connection's. */
        shutdown(e->fd, SHUT_RDWR);
        e->cut = true;
        if (w->on_cut)
            w->on_cut(w->arg, e->request_id[0] ? e->request_id : NULL, ms);
    }
}

static void *watch_loop(void *arg)
{
    watchdog *w = arg;
    pthread_mutex_lock(&w->lock);
    while (!w->stopping) {
        struct timespec until =
            timing_after_ms(CLOCK_MONOTONIC, WATCHDOG_TICK_MS);
        pthread_cond_timedwait(&w->wake, &w->lock, &until);
        if (!w->stopping)
            cut_late(w);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

watchdog *watchdog_start(unsigned headers_ms, unsigned body_ms,
                         unsigned crowded, watchdog_cut_fn on_cut, void *arg)
{
    if (body_ms == 0)
        return NULL;
    watchdog *w = mem_calloc(1, sizeof *w);
    w->headers_ms = headers_ms;
    w->body_ms = body_ms;
    w->crowded = crowded;
    w->on_cut = on_cut;
    w->arg = arg;
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&w->wake, &attr);
    pthread_condattr_destroy(&attr);
    pthread_mutex_init(&w->lock, NULL);
    if (pthread_create(&w->thread, NULL, watch_loop, w) != 0) {
        pthread_cond_destroy(&w->wake);
        pthread_mutex_destroy(&w->lock);
        free(w);
        return NULL;
    }
    return w;
}

void watchdog_stop(watchdog *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->stopping = true;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    while (w->head) {
        watch_entry *e = w->head;
        w->head = e->next;
        free(e);
    }
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->lock);
    free(w);
}

watch_entry *watchdog_add(watchdog *w, int fd)
{
    if (!w)
        return NULL;
    watch_entry *e = mem_calloc(1, sizeof *e);
    e->fd = fd;
    e->running = true;
    clock_gettime(CLOCK_MONOTONIC, &e->since);
    pthread_mutex_lock(&w->lock);
    e->next = w->head;
    if (w->head)
        w->head->prev = e;
    w->head = e;
    w->count++;
    pthread_mutex_unlock(&w->lock);
    return e;
}

void watchdog_remove(watchdog *w, watch_entry *e)
{
    if (!w || !e)
        return;
    pthread_mutex_lock(&w->lock);
    if (e->prev)
        e->prev->next = e->next;
    else
        w->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    w->count--;
    pthread_mutex_unlock(&w->lock);
    free(e);
}

void watchdog_name(watchdog *w, watch_entry *e, const char *request_id)
{
    if (!w || !e)
        return;
    pthread_mutex_lock(&w->lock);
    size_t n = strnlen(request_id, sizeof e->request_id - 1);
    memcpy(e->request_id, request_id, n);
    e->request_id[n] = '\0';
    clock_gettime(CLOCK_MONOTONIC, &e->since);
    pthread_mutex_unlock(&w->lock);
}

void watchdog_pause(watchdog *w, watch_entry *e)
{
    if (!w || !e)
        return;
    pthread_mutex_lock(&w->lock);
    e->running = false;
    pthread_mutex_unlock(&w->lock);
}

void watchdog_rearm(watchdog *w, watch_entry *e)
{
    if (!w || !e)
        return;
    pthread_mutex_lock(&w->lock);
    e->running = true;
    e->request_id[0] = '\0';
    clock_gettime(CLOCK_MONOTONIC, &e->since);
    pthread_mutex_unlock(&w->lock);
}
