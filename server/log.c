/* server/log.c - JSON lines on stderr. */
#include "server/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>


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

/* The length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    size_t len = s[0] < 0x80                    ? 1
                 : s[0] >= 0xc2 && s[0] <= 0xdf ? 2
                 : (s[0] & 0xf0) == 0xe0        ? 3
                 : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4
                                                : 0;
    if (len == 0 || len > n)
        return 0;
    for (size_t k = 1; k < len; k++)
        if ((s[k] & 0xc0) != 0x80)
            return 0;
    if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) ||
        (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
        return 0; /* overlong, surrogate, or beyond U+10FFFF */
    return len;
}

size_t log_quote(char *out, size_t cap, const char *text, size_t max_in)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)text;
    size_t n = text ? strnlen(text, max_in) : 0, o = 0, i = 0;
    if (cap < 3)
        return 0;
    out[o++] = '"';
    while (i < n) {
        char esc[8];
        size_t elen, used = utf8_len(s + i, n - i);
        if (used == 0) { /* not UTF-8: U+FFFD, the replacement character */
            memcpy(esc, "\\ufffd", 6);
            elen = 6;
            used = 1;
        } else if (s[i] == '"' || s[i] == '\\') {
            esc[0] = '\\';
            esc[1] = (char)s[i];
            elen = 2;
        } else if (s[i] < 0x20 || s[i] == 0x7f) {
            memcpy(esc, "\\u00", 4);
            esc[4] = hex[s[i] >> 4];
            esc[5] = hex[s[i] & 15];
            elen = 6;
        } else {
            memcpy(esc, s + i, used);
            elen = used;
        }
        if (o + elen + 2 > cap) /* room for the closing quote and NUL */
            break;
        memcpy(out + o, esc, elen);
        o += elen;
        i += used;
    }
    out[o++] = '"';
    out[o] = '\0';
    return o;
}

void log_event(const char *level, const char *event, const char *fmt, ...)
{
    char msg[1024], quoted[2048], fields[2304];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    log_quote(quoted, sizeof quoted, msg, sizeof msg);
    snprintf(fields, sizeof fields,
             "\"level\":\"%s\",\"event\":\"%s\",\"msg\":%s", level, event,
             quoted);
    log_json(fields);
}
