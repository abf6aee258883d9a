/* tests/api/test_problem.c - errors as problem+json (api/problem.c), and
 * the 503 and 500 of a service without a database or metrics. */
#include <string.h>

#include "api/problem.h"
#include "tests/api/apitest.h"
#include "tests/testlib.h"

TEST(problem_has_rfc9457_members_and_items)
{
    api_err e;
    api_err_init(&e);
    api_invalid(&e, "/weights/2", "has %d entries", 3);
    json_t *p = api_problem(&e);
    CHECK_EQ_INT(json_integer_value(json_object_get(p, "status")), 422);
    CHECK_STR(json_string_value(json_object_get(p, "type")),
              "urn:psinet:problem:validation");
    CHECK_STR(json_string_value(json_object_get(p, "detail")),
              "/weights/2: has 3 entries");
    json_t *item = json_array_get(json_object_get(p, "errors"), 0);
    CHECK_STR(json_string_value(json_object_get(item, "pointer")),
              "/weights/2");
    json_decref(p);
    api_err_clear(&e);
}

TEST(problem_detail_replaces_invalid_utf8)
{
    api_err e;
    api_err_init(&e);
    api_fail(&e, API_ENOTFOUND, "no resource at /v1/\xff\xfe/\x01x");
    json_t *p = api_problem(&e);
    CHECK(p != NULL);
    CHECK_STR(json_string_value(json_object_get(p, "detail")),
              "no resource at /v1/?" "?/?x");
    json_decref(p);
    api_err_clear(&e);
}

TEST(store_free_handlers_answer_503_without_a_database)
{
    api_ctx ctx = apitest_ctx(NULL);
    apitest_result r = apitest_call(&ctx, "GET", "/v1/experiments", NULL, NULL);
    CHECK_EQ_INT(r.resp.status, 503);
    apitest_free(&r);
}

/* A metrics renderer that fails, as the real one does only when it runs
 * out of memory. */
static int metrics_that_fail(void *arg, char **text, size_t *len)
{
    (void)arg;
    *text = NULL;
    *len = 0;
    return -1;
}

TEST(metrics_that_cannot_be_rendered_are_500_not_503)
{
    api_ctx ctx = apitest_ctx(NULL);
    apitest_result r = apitest_call(&ctx, "GET", "/metrics", NULL, NULL);
    CHECK_EQ_INT(r.resp.status, 500);
    apitest_free(&r);
    ctx.metrics = metrics_that_fail;
    r = apitest_call(&ctx, "GET", "/metrics", NULL, NULL);
    CHECK_EQ_INT(r.resp.status, 500);
    CHECK_STR(json_string_value(json_object_get(r.body, "detail")),
              "out of memory");
    apitest_free(&r);
}
