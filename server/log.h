/* server/log.h - one JSON object per line on stderr.
 *
 * Lines are written with a single write(2), so lines from different threads
 * never interleave. */
#ifndef PSINET_SERVER_LOG_H
#define PSINET_SERVER_LOG_H

/* Logs {"time":..., "level":level, "event":event, "msg":...}. msg is a
 * printf-style format; the message is JSON-escaped. */
void log_event(const char *level, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Writes a line that is already a JSON object (no trailing newline) with
 * "time" added first. */
void log_json(const char *object_fields);

/* The current time as RFC 3339 UTC with milliseconds into buf (>= 32). */
void log_time(char *buf, unsigned long size);

#endif
