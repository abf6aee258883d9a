/* server/log.c - JSON lines on stderr. */
#include "server/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api/json_write.h"
#include <jansson.h>

void log_time(char *buf, unsigned long size)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
             tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
}

static void write_line(const char *text, size_t len)
{
    while (len > 0) {
        ssize_t n = write(STDERR_FILENO, text, len);
        if (n <= 0)
            return;
        text += n;
        len -= (size_t)n;
    }
}

void log_json(const char *object_fields)
{
    char line[4096], now[32];
    log_time(now, sizeof now);
    int n = snprintf(line, sizeof line, "{\"time\":\"%s\",%s}\n", now,
                     object_fields);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof line) { /* keep the line valid JSON */
        n = snprintf(line, sizeof line,
                     "{\"time\":\"%s\",\"level\":\"warn\",\"event\":"
                     "\"log_truncated\"}\n", now);
    }
    write_line(line, (size_t)n);
}

void log_event(const char *level, const char *event, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_t *m = json_stringn_nocheck(msg, strlen(msg));
    size_t len;
    char *quoted = m ? api_json_write(m, &len) : NULL;
    char fields[2048];
    snprintf(fields, sizeof fields,
             "\"level\":\"%s\",\"event\":\"%s\",\"msg\":%s", level, event,
             quoted ? quoted : "\"\"");
    free(quoted);
    json_decref(m);
    log_json(fields);
}
