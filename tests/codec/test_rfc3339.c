/* tests/codec/test_rfc3339.c - RFC 3339 date-times (codec/rfc3339.c):
 * offsets, fractions, days that do not exist, and the canonical form
 * written back. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "codec/rfc3339.h"
#include "tests/testlib.h"

TEST(times_are_parsed_into_canonical_utc)
{
    char out[RFC3339_SIZE];
    CHECK(rfc3339_parse("2026-11-24T23:40:00Z", false, out));
    CHECK_STR(out, "2026-11-24T23:40:00.000Z");
    CHECK(rfc3339_parse("2026-11-25T01:40:00.5+02:00", false, out));
    CHECK_STR(out, "2026-11-24T23:40:00.500Z");
    CHECK(rfc3339_parse("2024-02-29T23:30:00.123456-01:00", false, out));
    CHECK_STR(out, "2024-03-01T00:30:00.123Z");
    CHECK(!rfc3339_parse("2026-11-24", false, out));
    CHECK(!rfc3339_parse("2026-13-01T00:00:00Z", false, out));
    CHECK(!rfc3339_parse("2026-11-24T23:40:00", false, out));
    CHECK(!rfc3339_parse("2026-11-24T23:40:00Zjunk", false, out));
    CHECK(!rfc3339_parse("yesterday", false, out));
    CHECK(!rfc3339_parse("2026-02-29T00:00:00Z", false, out));
    CHECK(!rfc3339_parse("2100-02-29T00:00:00Z", false, out));
    CHECK(rfc3339_parse("2000-02-29T00:00:00Z", false, out));
}

TEST(times_are_written_as_printf_writes_them)
{
    /* Seconds from year 0 to 9999 in uneven steps, every ms digit; the
     * reference is the gmtime fields through printf. */
    int n = 0;
    for (int64_t secs = -62167219200; secs < 253402300800;
         secs += 7919 * 86400 + 3671) {
        struct timespec ts = {(time_t)secs,
                              (long)((secs % 1000 + 1000) % 1000) * 1000000};
        struct tm tm;
        CHECK(gmtime_r(&ts.tv_sec, &tm) != NULL);
        char want[96], got[RFC3339_SIZE];
        snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                 tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
        rfc3339_format(&ts, got);
        CHECK_STR(got, want);
        n++;
    }
    CHECK(n > 400);
}

TEST(an_upper_bound_finer_than_milliseconds_rounds_up)
{
    /* The store keeps milliseconds; created_before is exclusive, so
     * .3295 must still admit a row stamped .329. */
    char out[RFC3339_SIZE];
    CHECK(rfc3339_parse("2026-11-24T23:40:54.3295Z", true, out));
    CHECK_STR(out, "2026-11-24T23:40:54.330Z");
    CHECK(rfc3339_parse("2026-11-24T23:40:54.3295Z", false, out));
    CHECK_STR(out, "2026-11-24T23:40:54.329Z");
    CHECK(rfc3339_parse("2026-12-31T23:59:59.9999Z", true, out));
    CHECK_STR(out, "2027-01-01T00:00:00.000Z");
    CHECK(rfc3339_parse("2026-11-24T23:40:54.3290000Z", true, out));
    CHECK_STR(out, "2026-11-24T23:40:54.329Z");
}

TEST(instants_are_written_in_canonical_form)
{
    char out[RFC3339_SIZE];
    struct timespec ts = {1764027600, 123999999}; /* date -d @1764027600 */
    rfc3339_format(&ts, out);
    CHECK_STR(out, "2025-11-24T23:40:00.123Z");
    ts = (struct timespec){0, 0};
    rfc3339_format(&ts, out);
    CHECK_STR(out, "1970-01-01T00:00:00.000Z");
    /* what rfc3339_format writes, rfc3339_parse reads back the same */
    char back[RFC3339_SIZE];
    CHECK(rfc3339_parse(out, false, back));
    CHECK_STR(back, out);
}
