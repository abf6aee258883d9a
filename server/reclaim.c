/* server/reclaim.c - malloc_trim after a burst (server/reclaim.h). */
#include "server/reclaim.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#ifdef __GLIBC__ /* defined by the headers above */
#include <malloc.h>
#endif

#include "core/mem.h"
#include "core/timing.h"

struct reclaimer {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stopping;
    atomic_size_t freed;  /* bytes freed since the last trim */
    atomic_uint notes;    /* notes since the thread last looked */
    size_t trimmed_rss;   /* resident bytes after the last trim */
};

/* The process's resident bytes (/proc/self/statm), 0 when unknown. */
static size_t resident_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long size = 0, resident = 0;
    if (!f)
        return 0;
    int got = fscanf(f, "%lu %lu", &size, &resident);
    fclose(f);
    long page = sysconf(_SC_PAGESIZE);
    return got == 2 && page > 0 ? (size_t)resident * (size_t)page : 0;
}

/* Whether the resident set grew by RECLAIM_AFTER since the last trim: a
 * request with a small body can still take hundreds of megabytes (a
 * 2^20-amplitude state made from a basis label) that no note counts. */
static bool grown(const reclaimer *r)
{
    size_t rss = resident_bytes();
    return rss != 0 && rss >= r->trimmed_rss + RECLAIM_AFTER;
}

static void *reclaim_loop(void *arg)
{
    reclaimer *r = arg;
    bool settle = false; /* trim once more, a moment after a trim */
    pthread_mutex_lock(&r->lock);
    while (!r->stopping) {
        struct timespec until =
            timing_after_ms(CLOCK_MONOTONIC, RECLAIM_QUIET_MS);
        pthread_cond_timedwait(&r->wake, &r->lock, &until);
        bool quiet = atomic_exchange(&r->notes, 0) == 0;
        if (r->stopping || !quiet)
            continue;
        /* A burst is over: trim. What its last requests free after that
         * (their answers, once written) goes at the next, settling trim. */
        bool burst = atomic_load(&r->freed) >= RECLAIM_AFTER || grown(r);
        if (!burst && !settle)
            continue;
        atomic_store(&r->freed, 0);
        settle = burst;
        pthread_mutex_unlock(&r->lock);
#ifdef __GLIBC__
        malloc_trim(0);
#endif
        size_t rss = resident_bytes();
        pthread_mutex_lock(&r->lock);
        r->trimmed_rss = rss;
    }
    pthread_mutex_unlock(&r->lock);
    return NULL;
}

reclaimer *reclaim_start(void)
{
    reclaimer *r = mem_calloc(1, sizeof *r);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&r->wake, &attr);
    pthread_condattr_destroy(&attr);
    pthread_mutex_init(&r->lock, NULL);
    if (pthread_create(&r->thread, NULL, reclaim_loop, r) != 0) {
        pthread_cond_destroy(&r->wake);
        pthread_mutex_destroy(&r->lock);
        free(r);
        return NULL;
    }
    return r;
}

void reclaim_stop(reclaimer *r)
{
    if (!r)
        return;
    pthread_mutex_lock(&r->lock);
    r->stopping = true;
    pthread_cond_signal(&r->wake);
    pthread_mutex_unlock(&r->lock);
    pthread_join(r->thread, NULL);
    pthread_cond_destroy(&r->wake);
    pthread_mutex_destroy(&r->lock);
    free(r);
}

void reclaim_note(reclaimer *r, size_t bytes)
{
    if (r) {
        atomic_fetch_add(&r->freed, bytes);
        atomic_fetch_add(&r->notes, 1);
    }
}
