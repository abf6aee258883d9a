/* api/common.h - pieces every resource handler shares: store errors as api
 * errors, pagination, ids in Location headers, labels and timestamps. */
#ifndef PSINET_API_COMMON_H
#define PSINET_API_COMMON_H

#include <complex.h>
#include <stdbool.h>
#include <stdint.h>

#include "api/handlers.h"
#include "store/store.h"

/* Maps a store failure to an api error: not found -> 404 naming `what` and
 * id; busy, full, read-only and I/O errors -> 503 (busy with Retry-After);
 * anything else -> 500. Returns the code. */
api_code api_store_fail(api_err *err, store_status st, const char *what,
                        const char *id);

/* Fails with 503 when the service runs without a database. */
api_code api_need_store(const api_call *call, api_err *err);

/* A page request: ?limit= (1..max_page, default 50) and ?cursor= (from a
 * previous page's next_cursor). */
typedef struct {
    size_t limit;
    int64_t after; /* 0: from the newest */
} api_page;

api_code api_page_read(const api_call *call, api_page *page, api_err *err);

/* {"items": items (stolen), "next_cursor": cursor for next_after, or null} */
json_t *api_page_json(json_t *items, int64_t next_after);

/* The number of qubits of a dimension (log2) when it is a power of two, or
 * -1. Dimension 1 is 0 qubits. */
int api_qubits(size_t dimension);

/* The default label of outcome i among `dimension`: binary of width qubits
 * ("00", "01", ...) for a power of two (dimension 1: "0"), else decimal.
 * buf holds at least 72 bytes. */
void api_default_label(size_t i, size_t dimension, char *buf);

/* Parses an RFC 3339 date-time with any offset into the store's canonical
 * UTC form "YYYY-MM-DDTHH:MM:SS.mmmZ" (out holds STORE_TIME_MAX), whose
 * milliseconds are what the store keeps. Finer fractions are cut down, or
 * with round_up taken up to the next millisecond: an exclusive upper bound
 * must not drop a row stamped within it. Returns false when text is not
 * RFC 3339 or names a day that does not exist (February 29 of 2026). */
bool api_parse_time(const char *text, bool round_up, char *out);

/* Reads a number of shots: an integer from 1 to lim->max_shots, with a
 * message that names max_shots when it is over. */
bool api_read_shots(const json_t *v, const char *ptr, const api_limits *lim,
                    uint64_t *shots, api_err *err);

/* Seeds are integers in [0, API_MAX_SEED]: exact as a JSON number in every
 * client, JavaScript included. */
#define API_MAX_SEED ((UINT64_C(1) << 53) - 1)

/* A random seed in [0, API_MAX_SEED]. */
uint64_t api_random_seed(void);

/* Samples `shots` outcomes of the Born distribution of amps (normalized
 * first; it need not be) with the seeded generator of core/rng.h, and sets
 * *counts to {label: count} for every outcome seen at least once, in outcome
 * order (a new reference). labels NULL means the default labels. */
api_code api_measure(const double complex *amps, size_t n,
                     const char *const *labels, uint64_t shots,
                     uint64_t seed, json_t **counts, api_err *err);

#endif
