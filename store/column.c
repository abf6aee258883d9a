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

void store_new_id(const char *prefix, char *out)
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
    /* 100 random bits from two of the thread's words drawn ahead
     * (entropy_u64): one getrandom(2) for every 16 ids instead of one for
     * each, which was a system call of every created row. */
    unsigned char bytes[16];
    uint64_t words[2] = {entropy_u64(), entropy_u64()};
    memcpy(bytes, words, sizeof bytes);
    size_t len = (size_t)snprintf(out, STORE_ID_MAX, "%s_", prefix);
    /* 20 characters of 5 bits each from the first 100 bits. */
    for (int i = 0; i < 20; i++) {
        int bit = i * 5, byte = bit / 8, shift = bit % 8;
        unsigned v = ((unsigned)bytes[byte] << 8 | bytes[byte + 1]) >>
                     (11 - shift);
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
