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

/* Answers 201 with body (taken) for the `what` just stored as id, with
 * its Location, /v1/<collection>/<id>. When the body could not be built
 * (memory ran out), the row is kept all the same: the 503 says so and
 * names the id, so that the request is not sent again. */
api_code api_reply_created(api_response *resp, json_t *body,
                           const char *what, const char *collection,
                           const char *id, api_err *err);

/* Fails with 503 when the service runs without a database. */
api_code api_need_store(const api_ctx *ctx, api_err *err);

#endif
