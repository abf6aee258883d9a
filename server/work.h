/* server/work.h - the threads that run long requests.
 *
 * A request whose work may take long (a large body, a stored network run
 * forward, a million shots: api_takes_long) is not run on the thread that
 * serves its connection, where it would keep every other connection of
 * that thread waiting, /healthz included. Its connection is suspended
 * (libmicrohttpd's MHD_suspend_connection), the request goes into a
 * bounded queue, and one of these threads runs it and resumes the
 * connection with the answer. When the queue is full the request is not
 * taken: the caller answers 503 with Retry-After. */
#ifndef PSINET_SERVER_WORK_H
#define PSINET_SERVER_WORK_H

#include <stdbool.h>

typedef struct work_pool work_pool;

/* A job: run(arg, true) on a pool thread; or run(arg, false) when the
 * pool stops before the job started (it must then only conclude, e.g.
 * answer 503). Either way it is called exactly once. */
typedef void (*work_fn)(void *arg, bool run);

/* Starts `threads` threads (>= 1) and a queue of at most queue_max jobs
 * waiting; NULL when a thread cannot start. */
work_pool *work_start(unsigned threads, unsigned queue_max);

/* Queues fn(arg); false (nothing queued) when queue_max jobs wait. */
bool work_submit(work_pool *p, work_fn fn, void *arg);

/* Queues fn(arg) as work_submit does, and when it is queued calls
 * first(arg) before any thread can start the job (under the pool's lock):
 * e.g. to suspend the connection that the job resumes when it is done.
 * false (nothing queued, first not called) when queue_max jobs wait or
 * the pool is stopping. */
bool work_submit_first(work_pool *p, work_fn fn, void *arg,
                       void (*first)(void *arg));

/* Jobs waiting, and jobs running. */
unsigned work_waiting(work_pool *p);
unsigned work_running(work_pool *p);

/* Lets the running jobs finish, concludes the waiting ones with
 * run(arg, false) and stops the threads; p stays valid, and refuses every
 * job submitted from then on (work_submit returns false). */
void work_drain(work_pool *p);

/* Drains p (when work_drain has not) and frees it. */
void work_stop(work_pool *p);

#endif
