/* api/response.c - building and releasing responses (api/api.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/handler.h"
#include "api/response.h"

void api_response_header(api_response *resp, const char *name,
                         const char *fmt, ...)
{
    if (resp->header_count == API_MAX_HEADERS)
        return;
    api_header *h = &resp->headers[resp->header_count++];
    h->name = name;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(h->value, sizeof h->value, fmt, ap);
    va_end(ap);
}

const char *api_response_get_header(const api_response *resp,
                                    const char *name)
{
    for (size_t i = 0; i < resp->header_count; i++)
        if (strcasecmp(resp->headers[i].name, name) == 0)
            return resp->headers[i].value;
    return NULL;
}

void api_response_drop_json(const api_response *resp, json_t *v)
{
    /* A tree wholly in the arena is not walked to be freed value by value:
     * the arena's reset frees it. */
    if (!(resp->arena && pjson_arena_holds_all()))
        json_decref(v);
}

void api_response_drop_body(api_response *resp)
{
    api_response_drop_json(resp, resp->json);
    resp->json = NULL;
    free(resp->owned_raw);
    resp->owned_raw = NULL;
    resp->raw = NULL;
    resp->raw_len = 0;
    api_stream_free(resp->stream);
    resp->stream = NULL;
}

void api_response_free(api_response *resp)
{
    api_hold_free(resp->hold);
    resp->hold = NULL;
    api_response_drop_body(resp);
    if (resp->arena) {
        pjson_arena_end();
        resp->arena = false;
    }
}

/* The answer when the body of another could not be written: fixed bytes,
 * so that writing it needs no memory. */
static const char no_memory_body[] =
    "{\"type\":\"urn:psinet:problem:unavailable\","
    "\"title\":\"Service unavailable\",\"status\":503,"
    "\"detail\":\"the server is short of memory for this answer right now; "
    "try again shortly\"}";

char *api_response_body(api_response *resp, size_t *len)
{
    *len = 0;
    if (resp->json) {
        char *text = pjson_write(resp->json, len);
        if (text)
            return text;
        api_response_drop_body(resp);
        resp->status = 503;
        resp->content_type = "application/problem+json";
        resp->raw = no_memory_body;
        resp->raw_len = sizeof no_memory_body - 1;
        resp->header_count = 0;
        api_response_header(resp, "Retry-After", "1");
    }
    if (!resp->raw)
        return NULL;
    char *copy = malloc(resp->raw_len + 1);
    if (!copy)
        return NULL;
    memcpy(copy, resp->raw, resp->raw_len);
    copy[resp->raw_len] = '\0';
    *len = resp->raw_len;
    return copy;
}

api_code api_reply(api_response *resp, int status, json_t *body, api_err *err)
{
    if (!body)
        return api_no_memory(err);
    api_response_drop_json(resp, resp->json);
    resp->status = status;
    resp->content_type = "application/json";
    resp->json = body;
    return API_OK;
}

void api_response_problem(api_response *resp, const api_err *err)
{
    api_response_drop_body(resp);
    resp->status = api_code_status(err->code);
    resp->content_type = "application/problem+json";
    resp->json = api_problem(err);
    if (err->retry_after > 0)
        api_response_header(resp, "Retry-After", "%d", err->retry_after);
}

void api_refuse(api_response *resp, api_refusal why, const char *detail)
{
    static const api_code codes[] = {
        [API_REFUSE_BAD_REQUEST] = API_EBADREQUEST,
        [API_REFUSE_TOO_LARGE] = API_ETOOLARGE,
        [API_REFUSE_UNAVAILABLE] = API_EUNAVAILABLE,
        [API_REFUSE_BUSY] = API_EUNAVAILABLE,
    };
    memset(resp, 0, sizeof *resp);
    resp->route = -1;
    api_err err;
    api_err_init(&err);
    api_fail(&err, codes[why], "%s", detail);
    if (codes[why] == API_EUNAVAILABLE)
        err.retry_after = 1;
    if (why != API_REFUSE_BUSY)
        api_response_header(resp, "Connection", "close");
    api_response_problem(resp, &err);
    api_err_clear(&err);
}
