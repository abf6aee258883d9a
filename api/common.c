/* api/common.c - store errors, pagination, labels, timestamps, seeds. */
#include "api/common.h"

#include "api/parse.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

api_code api_store_fail(api_err *err, store_status st, const char *what,
                        const char *id)
{
    switch (st) {
    case STORE_OK:
        return API_OK;
    case STORE_NOTFOUND:
        return api_fail(err, API_ENOTFOUND, "no %s with id %.64s", what, id);
    case STORE_BUSY:
        err->retry_after = 1;
        return api_fail(err, API_EUNAVAILABLE,
                        "the database is busy; try again shortly");
    case STORE_FULL:
    case STORE_READONLY:
    case STORE_IOERR:
        err->retry_after = 5;
        return api_fail(err, API_EUNAVAILABLE,
                        "the database cannot be written right now (%s); "
                        "nothing was changed",
                        store_status_str(st));
    case STORE_UNCONFIRMED:
        err->retry_after = 5;
        return api_fail(err, API_EUNAVAILABLE,
                        "the database could not confirm the write (the disk "
                        "failed to sync it): it may or may not have been "
                        "kept; look before you send it again");
    case STORE_CORRUPT:
        return api_fail(err, API_EUNAVAILABLE,
                        "the database is damaged (%s)", store_status_str(st));
    case STORE_NOMEM:
    case STORE_SCHEMA:
    case STORE_ERROR:
        break;
    }
    return api_fail(err, API_EINTERNAL, "database error: %s",
                    store_status_str(st));
}

api_code api_need_store(const api_call *call, api_err *err)
{
    if (call->ctx->db)
        return API_OK;
    return api_fail(err, API_EUNAVAILABLE, "this server runs without a "
                                           "database");
}

#define CURSOR_PREFIX "c1."

api_code api_page_read(const api_call *call, api_page *page, api_err *err)
{
    size_t max = call->ctx->limits.max_page;
    page->limit = max < 50 ? max : 50;
    page->after = 0;
    int present;
    const char *limit = api_query_get(call->req, "limit", &present);
    if (present) {
        char *end;
        unsigned long long v = limit ? strtoull(limit, &end, 10) : 0;
        if (!limit || !*limit || *end || limit[0] == '-' || v < 1 || v > max)
            return api_fail(err, API_EBADREQUEST,
                            "limit must be a whole number from 1 to %zu "
                            "(max_page)",
                            max);
        page->limit = (size_t)v;
    }
    const char *cursor = api_query_get(call->req, "cursor", &present);
    if (present) {
        size_t plen = strlen(CURSOR_PREFIX);
        char *end = NULL;
        unsigned long long v = 0;
        bool ok = cursor && strncmp(cursor, CURSOR_PREFIX, plen) == 0 &&
                  strlen(cursor) == plen + 16 &&
                  strspn(cursor + plen, "0123456789abcdef") == 16;
        if (ok)
            v = strtoull(cursor + plen, &end, 16);
        if (!ok || v == 0 || v > INT64_MAX)
            return api_fail(err, API_EBADREQUEST,
                            "cursor is not one this server issued: pass the "
                            "next_cursor of the previous page unchanged");
        page->after = (int64_t)v;
    }
    return API_OK;
}

json_t *api_page_json(json_t *items, int64_t next_after)
{
    json_t *cursor;
    if (next_after > 0) {
        char buf[32];
        snprintf(buf, sizeof buf, CURSOR_PREFIX "%016" PRIx64,
                 (uint64_t)next_after);
        cursor = json_string(buf);
    } else {
        cursor = json_null();
    }
    return json_pack("{s:o, s:o}", "items", items, "next_cursor", cursor);
}

int api_qubits(size_t dimension)
{
    if (dimension == 0 || (dimension & (dimension - 1)) != 0)
        return -1;
    int q = 0;
    while ((size_t)1 << q < dimension)
        q++;
    return q;
}

void api_default_label(size_t i, size_t dimension, char *buf)
{
    int q = api_qubits(dimension);
    if (q <= 0) {
        snprintf(buf, 72, "%zu", i);
        return;
    }
    for (int b = 0; b < q; b++)
        buf[b] = (i >> (q - 1 - b)) & 1 ? '1' : '0';
    buf[q] = '\0';
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static bool digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

bool api_parse_time(const char *t, bool round_up, char *out)
{
    int Y, M, D, h, m, s, ms = 0, oh = 0, om = 0;
    bool finer = false; /* nonzero digits past the milliseconds */
    if (!t || strlen(t) < 20 || !digits(t, 4, &Y) || t[4] != '-' ||
        !digits(t + 5, 2, &M) || t[7] != '-' || !digits(t + 8, 2, &D) ||
        (t[10] != 'T' && t[10] != 't' && t[10] != ' ') ||
        !digits(t + 11, 2, &h) || t[13] != ':' || !digits(t + 14, 2, &m) ||
        t[16] != ':' || !digits(t + 17, 2, &s))
        return false;
    const char *p = t + 19;
    if (*p == '.') {
        int n = 0;
        p++;
        while (*p >= '0' && *p <= '9') {
            if (n < 3)
                ms = ms * 10 + (*p - '0');
            else if (*p != '0')
                finer = true;
            n++;
            p++;
        }
        if (n == 0)
            return false;
        for (; n < 3; n++)
            ms *= 10;
    }
    int sign = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        sign = *p == '+' ? 1 : -1;
        if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om))
            return false;
        p += 6;
    } else {
        return false;
    }
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (Y % 4 == 0 && Y % 100 != 0) || Y % 400 == 0;
    if (*p || M < 1 || M > 12 || D < 1 || D > mdays[M - 1] ||
        (M == 2 && D == 29 && !leap) || h > 23 || m > 59 || s > 60 ||
        oh > 23 || om > 59)
        return false;
    if (s == 60)
        s = 59; /* a leap second sorts with the second before it */
    int64_t secs = days_from_civil(Y, (unsigned)M, (unsigned)D) * 86400 +
                   h * 3600 + m * 60 + s - sign * (oh * 3600 + om * 60);
    if (round_up && finer && ++ms == 1000) {
        ms = 0;
        secs++;
    }
    time_t tt = (time_t)secs;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || tm.tm_year + 1900 > 9999 ||
        tm.tm_year + 1900 < 0)
        return false;
    char buf[96]; /* fields in range: 24 characters + NUL */
    snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
             tm.tm_min, tm.tm_sec, ms);
    memcpy(out, buf, 25);
    return true;
}

uint64_t api_random_seed(void)
{
    uint64_t v = 0;
    if (getrandom(&v, sizeof v, 0) != (ssize_t)sizeof v) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        v = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15u ^ (uint64_t)ts.tv_sec;
    }
    return v >> 11; /* 53 bits */
}

bool api_read_shots(const json_t *v, const char *ptr, const api_limits *lim,
                    uint64_t *shots, api_err *err)
{
    if (json_is_integer(v) && json_integer_value(v) > 0 &&
        (uint64_t)json_integer_value(v) > lim->max_shots)
        return api_invalid(err, ptr, "is %lld shots; the limit is %llu "
                                     "(max_shots)",
                           (long long)json_integer_value(v),
                           (unsigned long long)lim->max_shots);
    return api_read_uint(v, ptr, 1, lim->max_shots, shots, err);
}
