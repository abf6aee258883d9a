/* store/column.c - what every table's file shares: new ids and time
 * stamps, and reading columns back with the checks that tell a row psinet
 * wrote from a damaged one. */
#include "store/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "codec/rfc3339.h"
#include "core/entropy.h"

/* Characters of a new id that tell its time: 9 of 5 bits, the
 * milliseconds since 1970 (45 bits, until the year 3084). */
#define ID_TIME_CHARS 9

void store_new_id(const char *prefix, char *out)
{
    /* The 32 characters in ASCII order, so that ids sort as their times */
    static const char alphabet[] = "234567abcdefghijklmnopqrstuvwxyz";
    /* The time first, then 55 random bits (entropy_u64: the thread's
     * words drawn ahead). Ids made one after the other sort together, so
     * the id index (UNIQUE) grows at one place: random ids put each new
     * row on an index page of its own, about half of the pages a group
     * commit wrote (and fsynced, and copied back at checkpoints) under
     * experiment-write. Two ids of the same millisecond differ in 55
     * random bits. */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t ms = (uint64_t)ts.tv_sec * 1000u +
                  (uint64_t)ts.tv_nsec / 1000000u;
    uint64_t bits = entropy_u64();
    size_t len = (size_t)snprintf(out, STORE_ID_MAX, "%s_", prefix);
    for (int i = 0; i < 20; i++) {
        uint64_t v = i < ID_TIME_CHARS
                         ? ms >> (5 * (ID_TIME_CHARS - 1 - i))
                         : bits >> (5 * (i - ID_TIME_CHARS));
        out[len + (size_t)i] = alphabet[v & 31];
    }
    out[len + 20] = '\0';
}

void store_now(char *out)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    rfc3339_format(&ts, out);
}

/* Points *text at column col and sets *len when it is TEXT that psinet
 * could have written (valid UTF-8, no NUL inside). */
static store_status column_text(sqlite3_stmt *s, int col, const char **text,
                                size_t *len)
{
    if (sqlite3_column_type(s, col) != SQLITE_TEXT)
        return STORE_CORRUPT;
    *text = (const char *)sqlite3_column_text(s, col);
    if (!*text) /* a TEXT value that could not be fetched */
        return STORE_NOMEM;
    *len = (size_t)sqlite3_column_bytes(s, col);
    return store_text_ok(*text, *len) ? STORE_OK : STORE_CORRUPT;
}

store_status store_column_copy(sqlite3_stmt *s, int col, char *buf,
                               size_t size)
{
    const char *t;
    size_t len;
    store_status result = column_text(s, col, &t, &len);
    if (result == STORE_OK && len >= size)
        result = STORE_CORRUPT;
    if (result == STORE_OK)
        memcpy(buf, t, len + 1);
    return result;
}

store_status store_column_text(sqlite3_stmt *s, int col, bool nullable,
                               char **out)
{
    *out = NULL;
    if (nullable && sqlite3_column_type(s, col) == SQLITE_NULL)
        return STORE_OK;
    const char *t;
    size_t len;
    store_status result = column_text(s, col, &t, &len);
    if (result != STORE_OK)
        return result;
    *out = malloc(len + 1);
    if (!*out)
        return STORE_NOMEM;
    memcpy(*out, t, len + 1);
    return STORE_OK;
}

bool store_typeof_is(sqlite3_stmt *s, int col, const char *type)
{
    const unsigned char *t = sqlite3_column_text(s, col);
    return t && strcmp((const char *)t, type) == 0;
}

bool store_blob_holds(sqlite3_int64 len, size_t n, size_t size)
{
    return len >= 0 && store_bytes_hold((uint64_t)len, n, size);
}

store_status store_column_doubles(sqlite3_stmt *s, int col, size_t n,
                                  double **out)
{
    *out = NULL;
    if (sqlite3_column_type(s, col) != SQLITE_BLOB)
        return STORE_CORRUPT;
    const unsigned char *blob = sqlite3_column_blob(s, col);
    int len = sqlite3_column_bytes(s, col);
    if (n == 0 || !store_blob_holds(len, n, 8))
        return STORE_CORRUPT;
    if (!blob) /* a BLOB of len > 0 bytes that could not be fetched */
        return STORE_NOMEM;
    return store_doubles_decode(blob, (size_t)len, n, out);
}
