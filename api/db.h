/* api/db.h - the store as the api sees it: failures as problems. */
#ifndef PSINET_API_DB_H
#define PSINET_API_DB_H

#include "api/handler.h"
#include "store/store.h"

/* Maps a store failure to an api error: not found -> 404 naming `what` and
 * id; busy, full, read-only and I/O errors -> 503 (Retry-After); out of
 * memory -> 503 (api_no_memory); anything else -> 500. Returns the code. */
api_code api_fail_store(api_err *err, store_status st, const char *what,
                        const char *id);

/* Fails with 503 when the service runs without a database. */
api_code api_need_store(const api_ctx *ctx, api_err *err);

#endif
