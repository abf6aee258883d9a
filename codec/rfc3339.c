/* codec/rfc3339.c - RFC 3339 date-times, parsed and written. */
#include "codec/rfc3339.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Writes the UTC time secs + ms milliseconds; false when its year is not
 * 0 to 9999. */
/* The width digits of v (0 <= v < 10^width), zero-padded, at out. */
static void put_digits(char *out, int v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        out[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

static bool format_utc(time_t secs, long ms, char out[RFC3339_SIZE])
{
    struct tm tm;
    if (!gmtime_r(&secs, &tm) || tm.tm_year + 1900 > 9999 ||
        tm.tm_year + 1900 < 0 || ms < 0 || ms > 999)
        return false;
    /* Digits written in place, not with snprintf: every answer with a
     * created_at and every access-log line formats one. */
    put_digits(out, tm.tm_year + 1900, 4);
    out[4] = '-';
    put_digits(out + 5, tm.tm_mon + 1, 2);
    out[7] = '-';
    put_digits(out + 8, tm.tm_mday, 2);
    out[10] = 'T';
    put_digits(out + 11, tm.tm_hour, 2);
    out[13] = ':';
    put_digits(out + 14, tm.tm_min, 2);
    out[16] = ':';
    put_digits(out + 17, tm.tm_sec, 2);
    out[19] = '.';
    put_digits(out + 20, (int)ms, 3);
    out[23] = 'Z';
    out[24] = '\0';
    return true;
}

void rfc3339_format(const struct timespec *ts, char out[RFC3339_SIZE])
{
    if (!format_utc(ts->tv_sec, ts->tv_nsec / 1000000, out))
        memcpy(out, "0000-01-01T00:00:00.000Z", 25);
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

bool rfc3339_parse(const char *t, bool round_up, char out[RFC3339_SIZE])
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
    return format_utc((time_t)secs, ms, out);
}
