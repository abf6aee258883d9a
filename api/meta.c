/* api/meta.c - the service itself: health, readiness, metrics, version
 * and the OpenAPI document. */
#include <stdlib.h>
#include <string.h>

#include "api/handler.h"
#include "api/openapi.h"
#include "store/batch.h"

static api_code health(const api_call *call, api_response *resp, api_err *err)
{
    (void)call;
    (void)err;
    /* Probes call this often: a fixed body, nothing to build or write. */
    static const char ok[] = "{\"status\":\"ok\"}";
    resp->status = 200;
    resp->content_type = "application/json";
    resp->raw = ok;
    resp->raw_len = sizeof ok - 1;
    return API_OK;
}

static api_code version(const api_call *call, api_response *resp, api_err *err)
{
    return api_reply(resp, 200,
                     json_pack("{s:s, s:s}", "name", "psinet", "version",
                               call->ctx->version),
                     err);
}

static api_code openapi(const api_call *call, api_response *resp, api_err *err)
{
    (void)call;
    for (const api_document *d = api_documents; d->name; d++) {
        if (strcmp(d->name, "openapi.yaml") == 0) {
            resp->status = 200;
            resp->content_type = "application/yaml";
            resp->raw = d->text;
            resp->raw_len = d->len;
            /* The document changes only with the binary. */
            api_response_header(resp, "Cache-Control", "public, max-age=300");
            return API_OK;
        }
    }
    return api_fail(err, API_ENOTFOUND, "this build has no openapi.yaml");
}

/* Ready when the database answers and has shown no damage since start-up
 * (store_damaged): a damaged file stays unready, and refuses writes, until
 * it is replaced and psinet restarted. */
static api_code ready(const api_call *call, api_response *resp, api_err *err)
{
    store_status st = call->ctx->db ? store_ping(call->ctx->db) : STORE_ERROR;
    if (call->ctx->db && store_damaged(call->ctx->db))
        return api_fail(err, API_EUNAVAILABLE,
                        "the database is damaged: a read met a damaged page "
                        "or row, so writes are refused; reads that still "
                        "work go on. Restore the file from a backup and "
                        "restart psinet");
    if (st != STORE_OK)
        return api_fail(err, API_EUNAVAILABLE, "the database does not answer: %s",
                        store_status_str(st));
    return api_reply(resp, 200, json_pack("{s:s}", "status", "ready"), err);
}

/* The server's metrics text (malloc'd, *len bytes), with the group-commit
 * writer's counters after it (store/batch.h): how many rows shared a
 * COMMIT, in how many transactions. NULL (text freed) when memory runs
 * out. */
static char *with_group_commit(const api_ctx *ctx, char *text, size_t *len)
{
    unsigned long long rows = 0, batches = 0;
    if (ctx->db)
        store_batch_counts(ctx->db, &rows, &batches);
    char more[512];
    int n = snprintf(more, sizeof more,
                     "# HELP psinet_group_commit_rows_total Rows the "
                     "group-commit writer committed together with others.\n"
                     "# TYPE psinet_group_commit_rows_total counter\n"
                     "psinet_group_commit_rows_total %llu\n"
                     "# HELP psinet_group_commit_batches_total Commits of "
                     "more than one row.\n"
                     "# TYPE psinet_group_commit_batches_total counter\n"
                     "psinet_group_commit_batches_total %llu\n",
                     rows, batches);
    char *grown = realloc(text, *len + (size_t)n + 1);
    if (!grown) {
        free(text);
        return NULL;
    }
    memcpy(grown + *len, more, (size_t)n + 1);
    *len += (size_t)n;
    return grown;
}

static api_code metrics(const api_call *call, api_response *resp, api_err *err)
{
    char *text = NULL;
    size_t len = 0;
    /* The renderer fails only when it runs out of memory; without one (the
     * api layer used outside server/) there is nothing to serve. Neither is
     * the database being busy, which is what 503 means. */
    if (!call->ctx->metrics ||
        call->ctx->metrics(call->ctx->metrics_arg, &text, &len) != 0)
        return api_fail(err, API_EINTERNAL,
                        call->ctx->metrics ? "out of memory"
                                           : "no metrics are available");
    text = with_group_commit(call->ctx, text, &len);
    if (!text)
        return api_fail(err, API_EINTERNAL, "out of memory");
    resp->status = 200;
    resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
    resp->owned_raw = text;
    resp->raw = text;
    resp->raw_len = len;
    return API_OK;
}

const api_route api_meta_routes[] = {
    {"GET", "/healthz", health, API_ROUTE_PUBLIC, "healthz",
     "getHealth", NULL, NULL},
    {"GET", "/readyz", ready, API_ROUTE_PUBLIC, "readyz",
     "getReadiness", NULL, NULL},
    {"GET", "/metrics", metrics, 0, "metrics", "getMetrics", NULL, NULL},
    {"GET", "/version", version, 0, "version", "getVersion", NULL, NULL},
    {"GET", "/openapi.yaml", openapi, 0, "openapi", "getOpenApi", NULL, NULL},
    {0},
};
