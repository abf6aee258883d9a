/* api/hold.h - an answer held until the row it announces is durable
 * (api_hold in api/api.h), as the handlers that create rows make it. */
#ifndef PSINET_API_HOLD_H
#define PSINET_API_HOLD_H

#include "api/api.h"

/* A hold on a row of the resource `what` ("experiment", a static string,
 * named in the error answer): row is the caller's allocation that the
 * store writes from, and release(row) frees it once both the store has
 * finished with it and the hold is ended or freed (NULL, NULL when the
 * store wrote from a copy of its own). */
api_hold *api_hold_new(const char *what, void *row,
                       void (*release)(void *row));

/* The store's verdict on the row (a store_done_fn, arg the hold): from the
 * group-commit writer's thread, or from the handler's before the submit
 * returns. Wakes whoever waits on the hold. */
void api_hold_done(void *arg, store_status status);

/* Whether ctx's requests may be answered through a hold: the caller can
 * send an answer later (req->can_hold) and the store commits rows in
 * groups, so that the thread is better spent elsewhere than waiting. */
bool api_hold_useful(const api_ctx *ctx, const api_request *req);

#endif
