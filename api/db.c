/* api/db.c - opening the store for the service, and its failures as
 * problems (api/db.h). */
#include "api/db.h"

#include "store/batch.h"

void api_db_describe(const char *path, char *out, size_t len)
{
    store_describe(path, out, len);
}

bool api_db_open(api_ctx *ctx, const char *path, int connections,
                 int busy_ms, char *err, size_t errlen)
{
    store_status st;
    ctx->db = store_open(path, connections, busy_ms, &st, err, errlen);
    return ctx->db != NULL;
}

bool api_db_group_commit(api_ctx *ctx)
{
    return !ctx->db || store_batch_start(ctx->db);
}

void api_db_drain(const api_ctx *ctx)
{
    if (ctx->db)
        store_batch_drain(ctx->db);
}

void api_db_close(api_ctx *ctx)
{
    store_close(ctx->db);
    ctx->db = NULL;
}

int api_db_schema_version(void)
{
    return store_known_schema_version();
}

api_code api_fail_store(api_err *err, store_status st, const char *what,
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
    case STORE_OFFLINE:
        err->retry_after = 2;
        return api_fail(err, API_EUNAVAILABLE,
                        "the database server cannot be reached right now; "
                        "try again shortly");
    case STORE_UNCONFIRMED:
        err->retry_after = 5;
        return api_fail(err, API_EUNAVAILABLE,
                        "the database could not confirm the write (the disk "
                        "failed to sync it, or the answer to its commit was "
                        "lost): it may or may not have been kept; look "
                        "before you send it again");
    case STORE_CORRUPT:
        return api_fail(err, API_EUNAVAILABLE,
                        "the database is damaged (%s)", store_status_str(st));
    case STORE_NOMEM:
        return api_no_memory(err);
    case STORE_SCHEMA:
    case STORE_ERROR:
        break;
    }
    return api_fail(err, API_EINTERNAL, "database error: %s",
                    store_status_str(st));
}

api_code api_reply_created(api_response *resp, json_t *body,
                           const char *what, const char *collection,
                           const char *id, api_err *err)
{
    if (!body) {
        err->retry_after = 1;
        return api_fail(err, API_EUNAVAILABLE,
                        "the %s was stored as %s, but the server is short of "
                        "memory for the answer: GET /v1/%s/%s shortly "
                        "rather than sending it again",
                        what, id, collection, id);
    }
    api_reply(resp, 201, body, err);
    api_response_header(resp, "Location", "/v1/%s/%s", collection, id);
    return API_OK;
}

api_code api_need_store(const api_ctx *ctx, api_err *err)
{
    if (ctx->db)
        return API_OK;
    return api_fail(err, API_EUNAVAILABLE,
                    "this server runs without a database");
}
