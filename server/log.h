/* server/log.h - one JSON object per line on stderr.
 *
 * Lines are written with a single write(2), so lines from different threads
 * never interleave. */
#ifndef PSINET_SERVER_LOG_H
#define PSINET_SERVER_LOG_H

#include <stddef.h>

/* Logs {"time":..., "level":level, "event":event, "msg":...}. msg is a
 * printf-style format; the message is JSON-escaped. */
void log_event(const char *level, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A log line built field by field, without printf: the access log writes
 * one per request. Fields that would not fit are dropped and the line
 * says "truncated":true, so it always stays one JSON object. */
typedef struct {
    char buf[2048];
    size_t len;
    int truncated;
} log_line;

/* Starts {"time":..., "level":level, "event":event. */
void log_line_begin(log_line *l, const char *level, const char *event);

/* Appends "key":"value" with value (at most max bytes) escaped; a NULL
 * value is written as null. */
void log_line_str(log_line *l, const char *key, const char *value,
                  size_t max);

/* Appends "key":N. */
void log_line_uint(log_line *l, const char *key, unsigned long long n);

/* Appends "key":ms with three decimals (microseconds). */
void log_line_ms(log_line *l, const char *key, double ms);

/* Closes the line and writes it. */
void log_line_end(log_line *l);

/* Access lines come one per request: a write(2) each would cost a small
 * request a tenth of its time. Between log_batch_start and log_batch_stop,
 * log_line_end_batched collects a thread's lines in a buffer, written when
 * it fills and at least every LOG_BATCH_MS by a flusher thread; a line is
 * never split. Other lines (start-up, warnings, errors) are written at
 * once, with log_line_end. Without log_batch_start, lines are written at
 * once too. */
#define LOG_BATCH_MS 100
#define LOG_BATCH_BYTES 16384
int log_batch_start(void);

/* Stops the flusher and writes whatever is left. */
void log_batch_stop(void);

void log_line_end_batched(log_line *l);

/* Lines about refusals (a connection cut off at its deadline, one over a
 * connection limit, libmicrohttpd's own warnings) come by the thousand
 * in an attack. log_line_end_limited writes at most LOG_LIMIT_PER_SECOND
 * of them a second for each kind (a static string: the event), and counts
 * the others; once a second, a line
 * {"event":"log_suppressed","kind":KIND,"count":N} says how many of a
 * kind were left out (written by the flusher, or by the next line of the
 * kind). */
#define LOG_LIMIT_PER_SECOND 10
void log_line_end_limited(log_line *l, const char *kind);

#endif
