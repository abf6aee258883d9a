/* tests/api/test_head.c - what the api decides from a request's head
 * alone (api_handle_head), before server/ reads its body, and which
 * requests may take long (api_takes_long). */
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "tests/api/apitest.h"
#include "tests/testlib.h"

#define KEY "k3y-for-tests-0123456789abcdef"

/* A head: method, path, Content-Type, Authorization, and the body length
 * its headers announce. */
static api_request head(const char *method, const char *path,
                        const char *content_type, const char *authorization,
                        size_t announced)
{
    return (api_request){.method = method,
                         .path = path,
                         .content_type = content_type,
                         .authorization = authorization,
                         .body_len = announced};
}

/* The status api_handle_head gives h under ctx, or 0 when it is not
 * refused (then resp is left zeroed, with nothing to free). */
static int refused(const api_ctx *ctx, api_request h)
{
    api_response resp;
    if (!api_handle_head(ctx, &h, &resp)) {
        CHECK(resp.status == 0 && !resp.json && resp.header_count == 0);
        return 0;
    }
    int status = resp.status;
    CHECK_STR(resp.content_type, "application/problem+json");
    api_response_free(&resp);
    return status;
}

/* The status and body api_handle gives h with an empty body: what a
 * refused head must equal. */
static void same_as_handle(const api_ctx *ctx, api_request h)
{
    api_response early, full;
    CHECK(api_handle_head(ctx, &h, &early));
    size_t early_len, full_len;
    char *early_body = api_response_body(&early, &early_len);
    h.body = "";
    api_handle(ctx, &h, &full);
    char *full_body = api_response_body(&full, &full_len);
    CHECK_EQ_INT(early.status, full.status);
    CHECK(early_body && full_body && early_len == full_len &&
          memcmp(early_body, full_body, full_len) == 0);
    CHECK_EQ_INT((int)early.header_count, (int)full.header_count);
    for (size_t i = 0; i < early.header_count && i < full.header_count; i++)
        CHECK_STR(early.headers[i].value, full.headers[i].value);
    free(early_body);
    free(full_body);
    api_response_free(&early);
    api_response_free(&full);
}

TEST(a_stranger_is_refused_before_the_body_with_a_key_set)
{
    api_ctx ctx = apitest_ctx(NULL);
    ctx.api_key = KEY;
    const char *json = "application/json";
    CHECK_EQ_INT(refused(&ctx, head("POST", "/v1/experiments", json, NULL,
                                    16 << 20)),
                 401);
    CHECK_EQ_INT(refused(&ctx, head("POST", "/v1/experiments", json,
                                    "Bearer wrong-key-wrong-key!!", 100)),
                 401);
    CHECK_EQ_INT(refused(&ctx, head("PATCH", "/v1/experiments/exp_x", json,
                                    NULL, 1)),
                 401);
    /* with the key, or where no key is needed, the body is read */
    CHECK_EQ_INT(refused(&ctx, head("POST", "/v1/experiments", json,
                                    "Bearer " KEY, 100)),
                 0);
    CHECK_EQ_INT(refused(&ctx, head("POST", "/v1/superpositions/normalize",
                                    json, NULL, 100)),
                 0);
    same_as_handle(&ctx, head("POST", "/v1/experiments", json, NULL, 5));
}

TEST(routing_and_media_type_refusals_need_no_body)
{
    api_ctx ctx = apitest_ctx(NULL);
    CHECK_EQ_INT(refused(&ctx, head("POST", "/nowhere", "application/json",
                                    NULL, 10)),
                 404);
    CHECK_EQ_INT(refused(&ctx, head("PUT", "/v1/superpositions/normalize",
                                    "application/json", NULL, 10)),
                 405);
    CHECK_EQ_INT(refused(&ctx, head("POST", "/v1/superpositions/normalize",
                                    "text/plain", NULL, 10)),
                 415);
    CHECK_EQ_INT(refused(&ctx, head("POST", "/v1/superpositions/normalize",
                                    NULL, NULL, 10)),
                 415);
    /* an optional body that is not coming needs no type */
    CHECK_EQ_INT(refused(&ctx, head("POST", "/v1/superpositions/sup_x/"
                                            "normalize",
                                    NULL, NULL, 0)),
                 0);
    /* a preflight is answered, not refused */
    CHECK_EQ_INT(refused(&ctx, head("OPTIONS", "/v1/experiments", NULL, NULL,
                                    3)),
                 0);
    same_as_handle(&ctx, head("PUT", "/v1/superpositions/normalize",
                              "application/json", NULL, 10));
    same_as_handle(&ctx, head("POST", "/v1/layers/forward", "text/plain",
                              NULL, 10));
}

TEST(with_auth_reads_no_path_can_be_told_from_another_without_the_key)
{
    api_ctx ctx = apitest_ctx(NULL);
    ctx.api_key = KEY;
    ctx.auth_reads = true;
    const char *paths[] = {"/v1/experiments", "/v1/nothing-here", "/admin",
                           "/v1/superpositions/sup_x", "/metrics"};
    const char *methods[] = {"GET", "PUT", "DELETE", "POST"};
    for (size_t p = 0; p < sizeof paths / sizeof *paths; p++) {
        for (size_t m = 0; m < sizeof methods / sizeof *methods; m++) {
            apitest_result r = apitest_call(&ctx, methods[m], paths[p],
                                            NULL, NULL);
            CHECK_EQ_INT(r.resp.status, 401);
            CHECK(api_response_get_header(&r.resp, "WWW-Authenticate"));
            CHECK(!api_response_get_header(&r.resp, "Allow"));
            apitest_free(&r);
        }
        /* a preflight (which never carries the key) gets one answer */
        apitest_result r =
            apitest_call(&ctx, "OPTIONS", paths[p], NULL, NULL);
        CHECK_EQ_INT(r.resp.status, 204);
        CHECK_STR(api_response_get_header(&r.resp, "Allow"),
                  "GET, HEAD, POST, PATCH, DELETE, OPTIONS");
        apitest_free(&r);
    }
    /* the probes answer as always */
    apitest_result r = apitest_call(&ctx, "GET", "/healthz", NULL, NULL);
    CHECK_EQ_INT(r.resp.status, 200);
    apitest_free(&r);
    r = apitest_call(&ctx, "POST", "/healthz", NULL, NULL);
    CHECK_EQ_INT(r.resp.status, 405);
    apitest_free(&r);
    /* with the key, the routes are what they are */
    api_request h = head("GET", "/v1/nothing-here", NULL, "Bearer " KEY, 0);
    api_response resp;
    api_handle(&ctx, &h, &resp);
    CHECK_EQ_INT(resp.status, 404);
    api_response_free(&resp);
}

TEST(long_requests_are_large_bodies_and_work_on_what_is_stored)
{
    api_ctx ctx = apitest_ctx(NULL);
    api_request h = head("POST", "/v1/superpositions/normalize",
                         "application/json", NULL, API_LONG_BODY);
    CHECK(!api_takes_long(&ctx, &h));
    h.body_len = API_LONG_BODY + 1;
    CHECK(api_takes_long(&ctx, &h));
    const char *long_ones[][2] = {
        {"POST", "/v1/superpositions/sup_x/measure"},
        {"POST", "/v1/superpositions/sup_x/normalize"},
        {"GET", "/v1/superpositions/sup_x"},
        {"HEAD", "/v1/networks/net_x"},
        {"POST", "/v1/networks/net_x/forward"},
        {"POST", "/v1/experiments"},
        {"GET", "/v1/experiments"},
        {"GET", "/v1/experiments/exp_x"},
        {"PATCH", "/v1/experiments/exp_x"},
    };
    for (size_t i = 0; i < sizeof long_ones / sizeof *long_ones; i++) {
        h = head(long_ones[i][0], long_ones[i][1], NULL, NULL, 10);
        CHECK(api_takes_long(&ctx, &h));
    }
    const char *short_ones[][2] = {
        {"GET", "/healthz"},       {"GET", "/readyz"},
        {"GET", "/version"},       {"GET", "/metrics"},
        {"GET", "/openapi.yaml"},  {"POST", "/v1/layers/forward"},
        {"GET", "/v1/networks"},   {"DELETE", "/v1/experiments/exp_x"},
        {"GET", "/nowhere"},       {"OPTIONS", "/v1/experiments"},
    };
    for (size_t i = 0; i < sizeof short_ones / sizeof *short_ones; i++) {
        h = head(short_ones[i][0], short_ones[i][1], NULL, NULL, 10);
        CHECK(!api_takes_long(&ctx, &h));
    }
}

/* A network of 3 inputs, a layer of 1000 and one of 1 (4,000 weights),
 * stored through ctx; its id into id. */
static void store_network_of_4000(const api_ctx *ctx, char *id, size_t cap)
{
    size_t len = 0, room = 64 << 10;
    char *body = malloc(room);
    len += (size_t)snprintf(body + len, room - len,
                            "{\"layers\":[{\"weights\":[");
    for (int r = 0; r < 1000; r++)
        len += (size_t)snprintf(body + len, room - len, "%s[0.5,-1,2]",
                                r ? "," : "");
    len += (size_t)snprintf(body + len, room - len,
                            "],\"activation\":\"tanh\"},{\"weights\":[[");
    for (int c = 0; c < 1000; c++)
        len += (size_t)snprintf(body + len, room - len, "%s0.001",
                                c ? "," : "");
    snprintf(body + len, room - len,
             "]],\"activation\":\"identity\"}]}");
    apitest_result r = apitest_post(ctx, "/v1/networks", body);
    CHECK_EQ_INT(r.resp.status, 201);
    snprintf(id, cap, "%s",
             json_string_value(apitest_get(&r, "id")) ?: "none");
    apitest_free(&r);
    free(body);
}

TEST(a_pass_of_a_cached_network_is_quick_when_its_work_is_small)
{
    char err[256];
    store_status st;
    api_ctx ctx =
        apitest_ctx(store_open(":memory:", 1, 1000, &st, err, sizeof err));
    CHECK(ctx.db);
    char id[64], path[128];
    store_network_of_4000(&ctx, id, sizeof id);
    snprintf(path, sizeof path, "/v1/networks/%s/forward", id);
    /* not cached yet: its pass reads the database first */
    api_request h = head("POST", path, "application/json", NULL, 20);
    CHECK(api_takes_long(&ctx, &h));
    apitest_result r = apitest_post(&ctx, path, "{\"input\":[1,2,3]}");
    CHECK_EQ_INT(r.resp.status, 200);
    apitest_free(&r);
    /* cached: quick while the inputs the body can hold (a number takes
     * two bytes at least: body_len / 6 inputs of 3) times its 4,000
     * weights stay within 2^21 multiply-adds: 524 inputs, 3,149 bytes */
    CHECK(!api_takes_long(&ctx, &h));
    h.body_len = 3149;
    CHECK(!api_takes_long(&ctx, &h));
    h.body_len = 3150;
    CHECK(api_takes_long(&ctx, &h));
    /* another id, or the network deleted: not cached, long */
    h = head("POST", "/v1/networks/net_aaaaaaaaaaaaaaaaaaaa/forward",
             "application/json", NULL, 20);
    CHECK(api_takes_long(&ctx, &h));
    snprintf(path, sizeof path, "/v1/networks/%s", id);
    r = apitest_call(&ctx, "DELETE", path, NULL, NULL);
    CHECK_EQ_INT(r.resp.status, 204);
    apitest_free(&r);
    snprintf(path, sizeof path, "/v1/networks/%s/forward", id);
    h = head("POST", path, "application/json", NULL, 20);
    CHECK(api_takes_long(&ctx, &h));
    store_close(ctx.db);
}

TEST(a_request_is_routed_once_when_its_routing_is_kept)
{
    api_ctx ctx = apitest_ctx(NULL);
    api_routing routing = {0};
    api_request h = head("POST", "/v1/superpositions/sup_x/measure",
                         "application/json", NULL, 10);
    h.routing = &routing;
    api_response resp;
    CHECK(!api_handle_head(&ctx, &h, &resp));
    CHECK(routing.routed);
    /* what is kept is what the path and method lead to: the {id} too */
    CHECK(routing.index >= 0);
    CHECK_EQ_INT((int)routing.id_len, 5);
    CHECK(memcmp(h.path + routing.id_at, "sup_x", 5) == 0);
    CHECK(api_takes_long(&ctx, &h));
    /* kept, it is not routed again (the caller keeps the method and the
     * path; here a path no route has tells which routing is used) */
    h.path = "/v1/superpositions/sup_x/nothing";
    CHECK(api_takes_long(&ctx, &h)); /* the measure route, kept */
    routing.routed = false;
    CHECK(!api_takes_long(&ctx, &h)); /* routed anew: no route */
    CHECK(routing.routed && routing.index < 0);
    h.routing = NULL; /* not kept: routed by each call */
    h.path = "/v1/superpositions/sup_x/measure";
    CHECK(api_takes_long(&ctx, &h));
    h.path = "/nowhere";
    CHECK(!api_takes_long(&ctx, &h));
    CHECK(refused(&ctx, h) == 404);
}

TEST(a_busy_refusal_keeps_the_connection_and_asks_to_retry)
{
    api_response resp;
    api_refuse(&resp, API_REFUSE_BUSY, "busy");
    CHECK_EQ_INT(resp.status, 503);
    CHECK_STR(api_response_get_header(&resp, "Retry-After"), "1");
    CHECK(!api_response_get_header(&resp, "Connection"));
    api_response_free(&resp);
    api_refuse(&resp, API_REFUSE_UNAVAILABLE, "no room");
    CHECK_EQ_INT(resp.status, 503);
    CHECK_STR(api_response_get_header(&resp, "Connection"), "close");
    api_response_free(&resp);
}
