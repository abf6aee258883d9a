/* tests/api/apitest.h - calling api_handle without a socket. */
#ifndef PSINET_TESTS_APITEST_H
#define PSINET_TESTS_APITEST_H

#include <jansson.h>

#include "api/api.h"

/* A handled request: the response plus its body parsed back from the bytes
 * the server would send (so the JSON writer is exercised too). */
typedef struct {
    api_response resp;
    json_t *body; /* parsed body, or NULL when there is none */
} apitest_result;

/* The context the tests run with (default limits, no store unless given). */
api_ctx apitest_ctx(store *db);

/* Calls api_handle with method, path (query string allowed after '?'),
 * content type and body text. */
apitest_result apitest_call(const api_ctx *ctx, const char *method,
                            const char *path, const char *content_type,
                            const char *body);

/* POST with Content-Type application/json. */
apitest_result apitest_post(const api_ctx *ctx, const char *path,
                            const char *body);

void apitest_free(apitest_result *r);

/* The number at a path like "output/1" or "amplitudes/0/1" in r->body
 * (NAN when there is none). */
double apitest_num(const apitest_result *r, const char *path);

/* The JSON value at path (borrowed), or NULL. */
json_t *apitest_get(const apitest_result *r, const char *path);

/* Whether the problem body has an error item at this JSON Pointer. */
int apitest_has_pointer(const apitest_result *r, const char *pointer);

#endif
