/* codec/rfc3339.h - RFC 3339 date-times in psinet's canonical form,
 * "YYYY-MM-DDTHH:MM:SS.mmmZ": UTC, milliseconds, 24 characters, so that
 * two of them compare as text in time order. */
#ifndef PSINET_CODEC_RFC3339_H
#define PSINET_CODEC_RFC3339_H

#include <stdbool.h>
#include <time.h>

/* Room for a canonical date-time and its NUL (with some to spare). */
#define RFC3339_SIZE 32

/* Writes the instant ts (CLOCK_REALTIME, years 0 to 9999) in canonical
 * form into out, cut down to the millisecond. */
void rfc3339_format(const struct timespec *ts, char out[RFC3339_SIZE]);

/* Parses an RFC 3339 date-time with any offset into canonical form. Finer
 * fractions than milliseconds are cut down or, with round_up, taken up to
 * the next millisecond (an exclusive upper bound must not drop an instant
 * within it). A leap second (:60) reads as :59. False when text is not
 * RFC 3339, names a day that does not exist (2026-02-29) or a year past
 * 9999 once in UTC. */
bool rfc3339_parse(const char *text, bool round_up, char out[RFC3339_SIZE]);

#endif
