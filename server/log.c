/* server/log.c - JSON lines on stderr. */
#include "server/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/timing.h"
#include "core/utf8.h"

/* Writes n as `digits` decimal digits, zero-padded, at p; returns the end. */
static char *put_digits(char *p, unsigned long n, int digits)
{
    for (int i = digits - 1; i >= 0; i--, n /= 10)
        p[i] = (char)('0' + n % 10);
    return p + digits;
}

/* The current time as RFC 3339 UTC with milliseconds into buf (>= 25). */
static void log_time(char *buf, unsigned long size)
{
    /* gmtime_r once a second per thread; the milliseconds by hand. */
    static _Thread_local time_t cached_sec = -1;
    static _Thread_local char cached[24]; /* "YYYY-MM-DDTHH:MM:SS." */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (ts.tv_sec != cached_sec) {
        struct tm tm;
        gmtime_r(&ts.tv_sec, &tm);
        char *p = cached;
        p = put_digits(p, (unsigned long)(tm.tm_year + 1900) % 10000, 4);
        *p++ = '-';
        p = put_digits(p, (unsigned long)tm.tm_mon + 1, 2);
        *p++ = '-';
        p = put_digits(p, (unsigned long)tm.tm_mday, 2);
        *p++ = 'T';
        p = put_digits(p, (unsigned long)tm.tm_hour, 2);
        *p++ = ':';
        p = put_digits(p, (unsigned long)tm.tm_min, 2);
        *p++ = ':';
        p = put_digits(p, (unsigned long)tm.tm_sec, 2);
        *p++ = '.';
        *p = '\0';
        cached_sec = ts.tv_sec;
    }
    if (size < 25) {
        if (size)
            buf[0] = '\0';
        return;
    }
    memcpy(buf, cached, 20);
    char *p = put_digits(buf + 20, (unsigned long)ts.tv_nsec / 1000000, 3);
    *p++ = 'Z';
    *p = '\0';
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

/* Whether the 8 bytes at p all go into a JSON string as they are
 * (printable ASCII, neither '"' nor '\\'), tested together. A false
 * answer may be wrong (a carry), a true one never is: the bytes are then
 * taken one at a time. */
static bool plain8(const unsigned char *p)
{
    const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
    uint64_t v;
    memcpy(&v, p, 8);
    uint64_t q = v ^ (ones * '"'), b = v ^ (ones * '\\');
    uint64_t below = (v - ones * 0x20) & ~v;   /* a byte under 0x20 */
    uint64_t above = v | (v + ones);           /* 0x7f and up */
    uint64_t quote = (q - ones) & ~q;          /* a byte equal to '"' */
    uint64_t slash = (b - ones) & ~b;          /* ... to '\\' */
    return ((below | above | quote | slash) & high) == 0;
}

/* Writes text (at most max_in bytes of it) into out as a JSON string
 * literal, quotes included: quotes, backslashes and control characters
 * escaped, bytes that are not UTF-8 replaced by U+FFFD, and cut short
 * (always at a whole character, still closed) to fit cap bytes with the
 * NUL. Returns the length written (0 when cap < 3); NULL text is "".
 * Request lines are logged through this, so no byte a client sends can
 * break a log line. */
static size_t log_quote(char *out, size_t cap, const char *text,
                        size_t max_in)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)text;
    size_t n = text ? strnlen(text, max_in) : 0, o = 0, i = 0;
    if (cap < 3)
        return 0;
    out[o++] = '"';
    /* Eight plain bytes at a time, while they come and fit. */
    while (i + 8 <= n && o + 8 + 2 <= cap && plain8(s + i)) {
        memcpy(out + o, s + i, 8);
        o += 8;
        i += 8;
    }
    while (i < n) {
        /* Runs of plain printable ASCII, the usual case, go in one copy. */
        size_t run = 0;
        while (i + run < n && s[i + run] >= 0x20 && s[i + run] < 0x7f &&
               s[i + run] != '"' && s[i + run] != '\\')
            run++;
        if (run > 0) {
            if (o + run + 2 > cap)
                run = cap - o - 2;
            memcpy(out + o, s + i, run);
            o += run;
            i += run;
            if (o + 2 >= cap)
                break;
            continue;
        }
        char esc[8];
        size_t elen, used = utf8_char_len(s + i, n - i);
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
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    log_line l;
    log_line_begin(&l, level, event);
    log_line_str(&l, "msg", msg, sizeof msg);
    log_line_end(&l);
}

/* Appends n bytes to l, or marks it truncated (keeping room for "}\n"). */
static int line_put(log_line *l, const char *s, size_t n)
{
    if (l->truncated || l->len + n + 24 > sizeof l->buf) {
        l->truncated = 1;
        return 0;
    }
    memcpy(l->buf + l->len, s, n);
    l->len += n;
    return 1;
}

/* Appends ,"key": */
static int line_key(log_line *l, const char *key)
{
    size_t k = strlen(key);
    if (l->truncated || l->len + k + 4 + 24 > sizeof l->buf) {
        l->truncated = 1;
        return 0;
    }
    char *p = l->buf + l->len;
    *p++ = ',';
    *p++ = '"';
    memcpy(p, key, k);
    p += k;
    *p++ = '"';
    *p++ = ':';
    l->len = (size_t)(p - l->buf);
    return 1;
}

void log_line_begin(log_line *l, const char *level, const char *event)
{
    l->len = 0;
    l->truncated = 0;
    char now[32];
    log_time(now, sizeof now);
    line_put(l, "{\"time\":\"", 9);
    line_put(l, now, strlen(now));
    line_put(l, "\"", 1);
    log_line_str(l, "level", level, 16);
    log_line_str(l, "event", event, 64);
}

void log_line_str(log_line *l, const char *key, const char *value,
                  size_t max)
{
    if (!line_key(l, key))
        return;
    if (!value) {
        line_put(l, "null", 4);
        return;
    }
    size_t room = sizeof l->buf - l->len - 24;
    size_t n = log_quote(l->buf + l->len, room, value, max);
    if (n == 0)
        l->truncated = 1;
    l->len += n;
}

void log_line_uint(log_line *l, const char *key, unsigned long long n)
{
    char digits[24];
    size_t i = sizeof digits;
    do
        digits[--i] = (char)('0' + n % 10);
    while ((n /= 10) > 0);
    if (line_key(l, key))
        line_put(l, digits + i, sizeof digits - i);
}

void log_line_ms(log_line *l, const char *key, double ms)
{
    unsigned long long us = ms > 0 ? (unsigned long long)(ms * 1000 + 0.5) : 0;
    char frac[4] = {'.', 0, 0, 0};
    put_digits(frac + 1, (unsigned long)(us % 1000), 3);
    log_line_uint(l, key, us / 1000);
    line_put(l, frac, 4);
}

/* Closes l's object and its line. */
static void line_close(log_line *l)
{
    if (l->truncated) { /* the 24 bytes every put keeps are for this */
        memcpy(l->buf + l->len, ",\"truncated\":true", 17);
        l->len += 17;
    }
    l->buf[l->len++] = '}';
    l->buf[l->len++] = '\n';
}

void log_line_end(log_line *l)
{
    line_close(l);
    write_line(l->buf, l->len);
}

/* ------------------------------------------------------- limited lines */

/* The kinds of limited lines seen, and each one's second. */
#define LIMIT_KINDS 16
static struct {
    const char *kind;
    time_t second;           /* the second counted */
    unsigned written;        /* lines written in it */
    unsigned long long left; /* lines left out, not yet reported */
} limits[LIMIT_KINDS];
static pthread_mutex_t limits_lock = PTHREAD_MUTEX_INITIALIZER;

/* Writes the report of lines left out of kind k (limits_lock held). */
static void report_left_out(size_t k)
{
    if (limits[k].left == 0)
        return;
    log_line l;
    log_line_begin(&l, "warn", "log_suppressed");
    log_line_str(&l, "kind", limits[k].kind, 64);
    log_line_uint(&l, "count", limits[k].left);
    log_line_end(&l);
    limits[k].left = 0;
}

/* Reports the kinds whose second has passed, or all of them (any
 * thread). */
static void report_all_left_out(bool all)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    pthread_mutex_lock(&limits_lock);
    for (size_t k = 0; k < LIMIT_KINDS && limits[k].kind; k++)
        if (all || limits[k].second != now.tv_sec)
            report_left_out(k);
    pthread_mutex_unlock(&limits_lock);
}

void log_line_end_limited(log_line *l, const char *kind)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    pthread_mutex_lock(&limits_lock);
    size_t k = 0;
    while (k < LIMIT_KINDS && limits[k].kind && limits[k].kind != kind &&
           strcmp(limits[k].kind, kind) != 0)
        k++;
    if (k == LIMIT_KINDS) { /* more kinds than expected: not limited */
        pthread_mutex_unlock(&limits_lock);
        log_line_end(l);
        return;
    }
    if (!limits[k].kind)
        limits[k].kind = kind;
    if (limits[k].second != now.tv_sec) {
        report_left_out(k);
        limits[k].second = now.tv_sec;
        limits[k].written = 0;
    }
    bool write = limits[k].written < LOG_LIMIT_PER_SECOND;
    if (write)
        limits[k].written++;
    else
        limits[k].left++;
    pthread_mutex_unlock(&limits_lock);
    if (write)
        log_line_end(l);
}

/* ------------------------------------------------------- batched lines */

/* A thread's access lines not yet written. */
typedef struct batch {
    struct batch *next;
    pthread_mutex_t lock;
    size_t len;
    char buf[LOG_BATCH_BYTES];
} batch;

static pthread_mutex_t batches_lock = PTHREAD_MUTEX_INITIALIZER;
static batch *batches;                 /* every thread's, for the flusher */
static _Thread_local batch *own_batch; /* this thread's */
static bool batching;                  /* log_batch_start ran */
static pthread_t flusher;
static pthread_mutex_t flusher_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t flusher_wake = PTHREAD_COND_INITIALIZER;
static bool flusher_stop;

/* Writes b's lines (its lock held). */
static void batch_write(batch *b)
{
    if (b->len) {
        write_line(b->buf, b->len);
        b->len = 0;
    }
}

static void flush_all(void)
{
    pthread_mutex_lock(&batches_lock);
    for (batch *b = batches; b; b = b->next) {
        pthread_mutex_lock(&b->lock);
        batch_write(b);
        pthread_mutex_unlock(&b->lock);
    }
    pthread_mutex_unlock(&batches_lock);
}

static void *flush_loop(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&flusher_lock);
    while (!flusher_stop) {
        struct timespec until = timing_after_ms(CLOCK_REALTIME, LOG_BATCH_MS);
        pthread_cond_timedwait(&flusher_wake, &flusher_lock, &until);
        pthread_mutex_unlock(&flusher_lock);
        flush_all();
        report_all_left_out(false);
        pthread_mutex_lock(&flusher_lock);
    }
    pthread_mutex_unlock(&flusher_lock);
    return NULL;
}

int log_batch_start(void)
{
    if (pthread_create(&flusher, NULL, flush_loop, NULL) != 0)
        return -1;
    batching = true;
    return 0;
}

void log_batch_stop(void)
{
    if (!batching)
        return;
    pthread_mutex_lock(&flusher_lock);
    flusher_stop = true;
    pthread_cond_signal(&flusher_wake);
    pthread_mutex_unlock(&flusher_lock);
    pthread_join(flusher, NULL);
    batching = false;
    flush_all();
    report_all_left_out(true);
    pthread_mutex_lock(&batches_lock);
    while (batches) {
        batch *b = batches;
        batches = b->next;
        pthread_mutex_destroy(&b->lock);
        free(b);
    }
    pthread_mutex_unlock(&batches_lock);
}

void log_line_end_batched(log_line *l)
{
    if (!batching) {
        log_line_end(l);
        return;
    }
    if (!own_batch) {
        batch *b = malloc(sizeof *b);
        if (!b) {
            log_line_end(l);
            return;
        }
        pthread_mutex_init(&b->lock, NULL);
        b->len = 0;
        pthread_mutex_lock(&batches_lock);
        b->next = batches;
        batches = b;
        pthread_mutex_unlock(&batches_lock);
        own_batch = b;
    }
    line_close(l);
    batch *b = own_batch;
    pthread_mutex_lock(&b->lock);
    if (b->len + l->len > sizeof b->buf)
        batch_write(b);
    memcpy(b->buf + b->len, l->buf, l->len);
    b->len += l->len;
    pthread_mutex_unlock(&b->lock);
}

