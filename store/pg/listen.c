/* store/pg/listen.c - keeping the network cache true with several
 * replicas.
 *
 * A delete of a network NOTIFYs its id on PG_CHANNEL_NETWORKS in its own
 * transaction, so the notice goes out when (and only when) the delete
 * commits. Each store LISTENs on a connection of its own, in a thread that
 * drops every announced id from the cache (store_cache_drop, which also
 * keeps a copy read before the drop out of the cache), so that memory is
 * freed at once. What keeps a forward pass from running a network deleted
 * a moment ago, its notice still on the way, is the existence check of a
 * cache hit (store/network_cache.c); the notices keep the cache small.
 *
 * While that connection is down, notices can be missed: the cache is then
 * not used (store_pg_cache_usable is false, every forward pass reads the
 * network from the database), and when LISTEN is in force again the whole
 * cache is dropped before it is used, since a delete may have gone
 * unheard meanwhile. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/pg/pg.h"

/* How long the listener waits before it connects again. */
#define RETRY_MS 500
/* How long store_pg_listen_start waits for LISTEN to be in force. */
#define STARTUP_WAIT_MS 2000

/* Waits up to ms for the socket (fd >= 0) or the wake pipe; true when the
 * store is closing. */
static bool wait_for(store_pg *pg, int fd, int ms)
{
    struct pollfd p[2] = {{.fd = pg->wake[0], .events = POLLIN},
                          {.fd = fd, .events = POLLIN}};
    int n = poll(p, fd >= 0 ? 2 : 1, ms);
    return n > 0 && (p[0].revents & POLLIN);
}

static void *listener(void *arg)
{
    store *st = arg;
    store_pg *pg = st->pg;
    pg_conn c = {0};
    char err[256];
    for (;;) {
        if (!c.conn) {
            atomic_store(&pg->listening, false);
            if (store_pg_connect(&c, pg->conninfo, pg->busy_ms, err,
                                 sizeof err) == STORE_OK) {
                PGresult *r = PQexec(c.conn, "LISTEN " PG_CHANNEL_NETWORKS);
                bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
                PQclear(r);
                if (ok) {
                    store_cache_clear(st); /* deletes unheard till now */
                    atomic_store(&pg->listening, true);
                } else {
                    store_pg_disconnect(&c);
                }
            }
            if (!c.conn) {
                if (wait_for(pg, -1, RETRY_MS))
                    break;
                continue;
            }
        }
        if (wait_for(pg, PQsocket(c.conn), 1000))
            break;
        if (!PQconsumeInput(c.conn) || PQstatus(c.conn) != CONNECTION_OK) {
            atomic_store(&pg->listening, false);
            store_pg_disconnect(&c);
            continue;
        }
        PGnotify *n;
        while ((n = PQnotifies(c.conn)) != NULL) {
            store_cache_drop(st, n->extra);
            PQfreemem(n);
        }
    }
    atomic_store(&pg->listening, false);
    store_pg_disconnect(&c);
    return NULL;
}

void store_pg_listen_start(store *st)
{
    store_pg *pg = st->pg;
    if (pipe(pg->wake) != 0) {
        pg->wake[0] = pg->wake[1] = -1;
        return; /* no listener: the cache stays unused */
    }
    fcntl(pg->wake[0], F_SETFD, FD_CLOEXEC);
    fcntl(pg->wake[1], F_SETFD, FD_CLOEXEC);
    pg->listener_started =
        pthread_create(&pg->listener, NULL, listener, st) == 0;
    /* The cache is of use from the first request on: wait (a little) for
     * LISTEN to be in force. */
    for (int ms = 0; pg->listener_started && ms < STARTUP_WAIT_MS &&
                     !atomic_load(&pg->listening);
         ms++)
        nanosleep(&(struct timespec){0, 1000000}, NULL);
}

void store_pg_listen_stop(store *st)
{
    store_pg *pg = st->pg;
    if (pg->listener_started) {
        ssize_t w;
        do
            w = write(pg->wake[1], "x", 1);
        while (w < 0 && errno == EINTR);
        pthread_join(pg->listener, NULL);
        pg->listener_started = false;
    }
    if (pg->wake[0] >= 0) {
        close(pg->wake[0]);
        close(pg->wake[1]);
    }
    pg->wake[0] = pg->wake[1] = -1;
}

bool store_pg_cache_usable(store *st)
{
    return atomic_load(&st->pg->listening);
}
