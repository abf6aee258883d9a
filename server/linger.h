/* server/linger.h - lingering close: an early answer that reaches the
 * client.
 *
 * When psinet answers a request before reading its body (413, 401, 415,
 * 503, a 400 for its framing), the client is usually still writing. Were
 * the socket closed then, the kernel would answer the unread bytes with a
 * reset: the client's next write fails ("Broken pipe") and it never reads
 * the answer, and a proxy in front turns it into a 502. So, as nginx does,
 * psinet keeps such a socket open a while after its answer: the write side
 * is shut (the client sees the end of the answer), and whatever the client
 * still sends is read and dropped, until it closes its side or a bound is
 * met. libmicrohttpd closes its own descriptor of the socket as usual;
 * the lingering thread holds a duplicate.
 *
 * Every function takes a NULL linger (none) and then just closes fds. */
#ifndef PSINET_SERVER_LINGER_H
#define PSINET_SERVER_LINGER_H

#include <stdbool.h>
#include <stddef.h>

typedef struct linger_pool linger_pool;

/* Bounds of one socket's lingering: the whole time, the time without any
 * input, and the bytes read. */
#define LINGER_MS 30000
#define LINGER_IDLE_MS 5000
#define LINGER_MAX_BYTES ((size_t)64 << 20)
/* Most sockets lingering at once; beyond, a socket is closed at once. */
#define LINGER_MAX_SOCKETS 256

/* Starts the lingering thread; NULL when it cannot start. */
linger_pool *linger_start(void);

/* Closes every socket still lingering, stops the thread, frees l. */
void linger_stop(linger_pool *l);

/* Takes fd, a duplicate of a socket whose answer is written: shuts its
 * write side, then reads and drops its input within the bounds above,
 * and closes it. */
void linger_add(linger_pool *l, int fd);

/* How many sockets linger now. */
unsigned linger_count(linger_pool *l);

#endif
