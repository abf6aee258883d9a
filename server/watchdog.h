/* server/watchdog.h - absolute deadlines for receiving each request.
 *
 * libmicrohttpd's connection timeout counts idle time only: a client that
 * sends one byte every few seconds, of its headers or of its body, is
 * never dropped by it, and a few such clients hold every connection. The
 * watchdog gives each request two fixed times: one for its headers to
 * arrive, counted from the moment the connection opens or the previous
 * answer was sent, and one for its body, counted from the headers. A
 * thread checks the clocks a few times a second and shuts down the socket
 * of a connection that ran out of time; libmicrohttpd then closes it as it
 * would any connection the client dropped.
 *
 * As connections near the limit, the time for headers shrinks: it is
 * whole while at most half of `crowded` connections are open, then falls
 * in proportion to WATCHDOG_CROWDED_MS when `crowded` are open (and stays
 * there beyond). A client that is not trickling sends its headers in far
 * less; a thousand slow ones can no longer hold every slot for the whole
 * deadline while new clients wait.
 *
 * Every function takes a NULL watchdog (no deadline) and does nothing. */
#ifndef PSINET_SERVER_WATCHDOG_H
#define PSINET_SERVER_WATCHDOG_H

#include <stdbool.h>

typedef struct watchdog watchdog;
typedef struct watch_entry watch_entry;

/* Called (on the watchdog's thread) for each connection it cuts off:
 * request_id is the id of the request whose body was late, or NULL when
 * no request's headers arrived in time; ms is the time the client had. */
typedef void (*watchdog_cut_fn)(void *arg, const char *request_id, double ms);

#define WATCHDOG_CROWDED_MS 1000

/* Starts the thread with the time for headers and the time for a body, in
 * milliseconds, and the number of open connections at which the time for
 * headers is shortest (0: never shortened); body_ms 0 gives NULL (no
 * deadlines). NULL also when the thread cannot start (an error only when
 * body_ms > 0). */
watchdog *watchdog_start(unsigned headers_ms, unsigned body_ms,
                         unsigned crowded, watchdog_cut_fn on_cut,
                         void *arg);

/* Stops the thread and frees w and any entries left. */
void watchdog_stop(watchdog *w);

/* A connection opened on socket fd: its clock starts. The entry belongs to
 * the watchdog; NULL only when w is. */
watch_entry *watchdog_add(watchdog *w, int fd);

/* The connection closed: forget it. Must come before its socket is closed
 * (libmicrohttpd's "closed" notification does). */
void watchdog_remove(watchdog *w, watch_entry *e);

/* The headers of a request are in: its body's clock starts, and the
 * request is named for the log. */
void watchdog_name(watchdog *w, watch_entry *e, const char *request_id);

/* The whole request is in: its clock stops while it is answered. */
void watchdog_pause(watchdog *w, watch_entry *e);

/* The answer is sent: the clock starts again for the next request on the
 * connection (which also bounds how long a kept-alive connection idles). */
void watchdog_rearm(watchdog *w, watch_entry *e);

#endif
