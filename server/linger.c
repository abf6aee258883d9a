/* server/linger.c - reads and drops what clients send after an early
 * answer, then closes their sockets (server/linger.h). */
#include "server/linger.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/mem.h"
#include "core/timing.h"

/* One socket lingering. */
typedef struct {
    int fd;
    struct timespec since; /* when it began to linger */
    struct timespec heard; /* when input last came */
    size_t bytes;          /* read and dropped so far */
} lingerer;

struct linger_pool {
    pthread_t thread;
    pthread_mutex_t lock;
    int wake[2];      /* a byte on wake[1] wakes the thread */
    bool stopping;    /* under lock */
    int pending[LINGER_MAX_SOCKETS]; /* added, not yet polled (lock) */
    unsigned pending_count;
    atomic_uint count; /* lingering or pending */
    lingerer *socks;   /* the thread's own */
    unsigned sock_count;
};

static void close_socket(linger_pool *l, int fd)
{
    close(fd);
    atomic_fetch_sub(&l->count, 1);
}

/* Reads what fd holds and drops it; false when fd is done with: the
 * client closed its side, an error came, or it sent more than the bound. */
static bool drain(lingerer *s, const struct timespec *now)
{
    static _Thread_local char scratch[65536];
    for (int reads = 0; reads < 16; reads++) {
        ssize_t n = recv(s->fd, scratch, sizeof scratch, MSG_DONTWAIT);
        if (n > 0) {
            s->bytes += (size_t)n;
            s->heard = *now;
            if (s->bytes > LINGER_MAX_BYTES)
                return false;
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
                      errno == EINTR))
            return true;
        return false; /* 0: the client closed; or an error */
    }
    return true;
}

/* Milliseconds left to s before a bound closes it (0: none). */
static double time_left(const lingerer *s, const struct timespec *now)
{
    double total = LINGER_MS - timing_ms_between(&s->since, now);
    double idle = LINGER_IDLE_MS - timing_ms_between(&s->heard, now);
    double left = total < idle ? total : idle;
    return left > 0 ? left : 0;
}

/* Moves the sockets added since the last round into l->socks (the
 * thread's); returns whether to stop. */
static bool take_pending(linger_pool *l, const struct timespec *now)
{
    pthread_mutex_lock(&l->lock);
    bool stopping = l->stopping;
    for (unsigned i = 0; i < l->pending_count; i++) {
        lingerer *s = &l->socks[l->sock_count++];
        s->fd = l->pending[i];
        s->since = s->heard = *now;
        s->bytes = 0;
    }
    l->pending_count = 0;
    pthread_mutex_unlock(&l->lock);
    return stopping;
}

static void *linger_loop(void *arg)
{
    linger_pool *l = arg;
    struct pollfd fds[LINGER_MAX_SOCKETS + 1];
    for (;;) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (take_pending(l, &now))
            break;
        /* Close what ran out of time; poll the rest and the wake pipe. */
        double wait_ms = 1000;
        unsigned kept = 0;
        for (unsigned i = 0; i < l->sock_count; i++) {
            double left = time_left(&l->socks[i], &now);
            if (left <= 0) {
                close_socket(l, l->socks[i].fd);
                continue;
            }
            if (left < wait_ms)
                wait_ms = left;
            l->socks[kept++] = l->socks[i];
        }
        l->sock_count = kept;
        fds[0] = (struct pollfd){.fd = l->wake[0], .events = POLLIN};
        for (unsigned i = 0; i < kept; i++)
            fds[i + 1] = (struct pollfd){.fd = l->socks[i].fd,
                                         .events = POLLIN};
        int ready = poll(fds, kept + 1, (int)wait_ms + 1);
        if (ready <= 0)
            continue;
        if (fds[0].revents) {
            char drop[64];
            while (read(l->wake[0], drop, sizeof drop) > 0)
                ;
        }
        clock_gettime(CLOCK_MONOTONIC, &now);
        kept = 0;
        for (unsigned i = 0; i < l->sock_count; i++) {
            if (fds[i + 1].revents && !drain(&l->socks[i], &now)) {
                close_socket(l, l->socks[i].fd);
                continue;
            }
            l->socks[kept++] = l->socks[i];
        }
        l->sock_count = kept;
    }
    for (unsigned i = 0; i < l->sock_count; i++)
        close_socket(l, l->socks[i].fd);
    l->sock_count = 0;
    return NULL;
}

linger_pool *linger_start(void)
{
    linger_pool *l = mem_calloc(1, sizeof *l);
    l->socks = mem_calloc(LINGER_MAX_SOCKETS, sizeof *l->socks);
    pthread_mutex_init(&l->lock, NULL);
    if (pipe(l->wake) != 0)
        goto fail;
    fcntl(l->wake[0], F_SETFL, O_NONBLOCK);
    fcntl(l->wake[1], F_SETFL, O_NONBLOCK);
    if (pthread_create(&l->thread, NULL, linger_loop, l) != 0) {
        close(l->wake[0]);
        close(l->wake[1]);
        goto fail;
    }
    return l;
fail:
    pthread_mutex_destroy(&l->lock);
    free(l->socks);
    free(l);
    return NULL;
}

/* Wakes the thread. */
static void wake(linger_pool *l)
{
    char b = 1;
    ssize_t n = write(l->wake[1], &b, 1);
    (void)n; /* a full pipe wakes it already */
}

void linger_stop(linger_pool *l)
{
    if (!l)
        return;
    pthread_mutex_lock(&l->lock);
    l->stopping = true;
    pthread_mutex_unlock(&l->lock);
    wake(l);
    pthread_join(l->thread, NULL);
    for (unsigned i = 0; i < l->pending_count; i++)
        close(l->pending[i]);
    close(l->wake[0]);
    close(l->wake[1]);
    pthread_mutex_destroy(&l->lock);
    free(l->socks);
    free(l);
}

void linger_add(linger_pool *l, int fd)
{
    if (fd < 0)
        return;
    shutdown(fd, SHUT_WR);
    if (!l) {
        close(fd);
        return;
    }
    pthread_mutex_lock(&l->lock);
    bool room = !l->stopping &&
                atomic_load(&l->count) < LINGER_MAX_SOCKETS;
    if (room) {
        l->pending[l->pending_count++] = fd;
        atomic_fetch_add(&l->count, 1);
    }
    pthread_mutex_unlock(&l->lock);
    if (room)
        wake(l);
    else
        close(fd);
}

unsigned linger_count(linger_pool *l)
{
    return l ? atomic_load(&l->count) : 0;
}
