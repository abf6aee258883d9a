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

/* Writes a line that is already a JSON object (no trailing newline) with
 * "time" added first. */
void log_json(const char *object_fields);

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

/* Writes text (at most max_in bytes of it) into out as a JSON string
 * literal, quotes included: quotes, backslashes and control characters
 * escaped, bytes that are not UTF-8 replaced by U+FFFD, and cut short
 * (always at a whole character, still closed) to fit cap bytes with the
 * NUL. Returns the length written; NULL text is "". Request lines are
 * logged through this, so no byte a client sends can break a log line. */
size_t log_quote(char *out, size_t cap, const char *text, size_t max_in);

/* The current time as RFC 3339 UTC with milliseconds into buf (>= 32). */
void log_time(char *buf, unsigned long size);

#endif
