/* server/reclaim.h - memory given back to the system after a burst.
 *
 * glibc keeps the memory that large requests free for the next ones: after
 * a burst of sixty 16 MiB bodies the process stayed near 600-900 MB long
 * after they were answered. The server notes the bytes of each large body
 * it frees; once RECLAIM_AFTER bytes have been freed since the last time
 * and the burst is over (nothing freed for RECLAIM_QUIET_MS), a thread of
 * this module calls malloc_trim(0), which returns the free pages inside
 * every arena, and once more a moment later for what the burst's last
 * answers freed after it. (The top of a thread's heap it cannot trim:
 * main.c's M_TRIM_THRESHOLD bounds what stays there.) The same happens
 * when the resident set grew by RECLAIM_AFTER since the last trim, which
 * no note counts: a 36-byte body asking for a 2^20-amplitude state takes
 * 58 MiB and left them resident. A steady load of large bodies keeps what
 * it uses and never pays for a trim; a steady load of such small requests
 * pays one trim per RECLAIM_QUIET_MS at most. Without glibc it does
 * nothing. */
#ifndef PSINET_SERVER_RECLAIM_H
#define PSINET_SERVER_RECLAIM_H

#include <stddef.h>

#define RECLAIM_AFTER ((size_t)32 << 20)
#define RECLAIM_QUIET_MS 500

typedef struct reclaimer reclaimer;

/* Starts the thread; NULL when it cannot start (then nothing is trimmed). */
reclaimer *reclaim_start(void);

/* Stops the thread and frees r (NULL: nothing). */
void reclaim_stop(reclaimer *r);

/* bytes of request memory were freed. Cheap; any thread. */
void reclaim_note(reclaimer *r, size_t bytes);

#endif
