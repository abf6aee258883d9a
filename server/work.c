/* server/work.c - a bounded queue and the threads that empty it
 * (server/work.h). */
#include "server/work.h"

#include <pthread.h>
#include <stdlib.h>

#include "core/mem.h"

typedef struct {
    work_fn fn;
    void *arg;
} job;

struct work_pool {
    pthread_mutex_t lock;
    pthread_cond_t ready;
    bool stopping;
    job *queue; /* a ring of queue_max */
    unsigned queue_max, head, waiting, running;
    unsigned thread_count;
    pthread_t *threads;
};

static void *work_loop(void *arg)
{
    work_pool *p = arg;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!p->stopping && p->waiting == 0)
            pthread_cond_wait(&p->ready, &p->lock);
        if (p->stopping)
            break;
        job j = p->queue[p->head];
        p->head = (p->head + 1) % p->queue_max;
        p->waiting--;
        p->running++;
        pthread_mutex_unlock(&p->lock);
        j.fn(j.arg, true);
        pthread_mutex_lock(&p->lock);
        p->running--;
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

work_pool *work_start(unsigned threads, unsigned queue_max)
{
    work_pool *p = mem_calloc(1, sizeof *p);
    p->queue_max = queue_max ? queue_max : 1;
    p->queue = mem_calloc(p->queue_max, sizeof *p->queue);
    p->threads = mem_calloc(threads ? threads : 1, sizeof *p->threads);
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->ready, NULL);
    for (unsigned i = 0; i < (threads ? threads : 1); i++) {
        if (pthread_create(&p->threads[i], NULL, work_loop, p) != 0) {
            work_stop(p);
            return NULL;
        }
        p->thread_count++;
    }
    return p;
}

bool work_submit(work_pool *p, work_fn fn, void *arg)
{
    return work_submit_first(p, fn, arg, NULL);
}

bool work_submit_first(work_pool *p, work_fn fn, void *arg,
                       void (*first)(void *arg))
{
    pthread_mutex_lock(&p->lock);
    bool room = !p->stopping && p->waiting < p->queue_max;
    if (room) {
        if (first)
            first(arg);
        p->queue[(p->head + p->waiting) % p->queue_max] = (job){fn, arg};
        p->waiting++;
        pthread_cond_signal(&p->ready);
    }
    pthread_mutex_unlock(&p->lock);
    return room;
}

unsigned work_waiting(work_pool *p)
{
    pthread_mutex_lock(&p->lock);
    unsigned n = p->waiting;
    pthread_mutex_unlock(&p->lock);
    return n;
}

unsigned work_running(work_pool *p)
{
    pthread_mutex_lock(&p->lock);
    unsigned n = p->running;
    pthread_mutex_unlock(&p->lock);
    return n;
}

void work_drain(work_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    bool drained = p->stopping;
    p->stopping = true;
    pthread_cond_broadcast(&p->ready);
    pthread_mutex_unlock(&p->lock);
    if (drained)
        return;
    for (unsigned i = 0; i < p->thread_count; i++)
        pthread_join(p->threads[i], NULL);
    /* The threads are gone: what still waits is concluded here. Nothing
     * is queued any more (stopping), so waiting only goes down. */
    pthread_mutex_lock(&p->lock);
    while (p->waiting > 0) {
        job j = p->queue[p->head];
        p->head = (p->head + 1) % p->queue_max;
        p->waiting--;
        pthread_mutex_unlock(&p->lock);
        j.fn(j.arg, false);
        pthread_mutex_lock(&p->lock);
    }
    pthread_mutex_unlock(&p->lock);
}

void work_stop(work_pool *p)
{
    if (!p)
        return;
    work_drain(p);
    pthread_cond_destroy(&p->ready);
    pthread_mutex_destroy(&p->lock);
    free(p->threads);
    free(p->queue);
    free(p);
}
