/* tests/api/test_common.c - the shared api pieces: labels, qubits, times,
 * cursors, seeds, JSON Pointers, problem rendering. */
#include <string.h>

#include "api/common.h"
#include "api/err.h"
#include "api/parse.h"
#include "tests/api/apitest.h"
#include "tests/testlib.h"

TEST(qubits_are_log2_of_powers_of_two_only)
{
    CHECK_EQ_INT(api_qubits(1), 0);
    CHECK_EQ_INT(api_qubits(2), 1);
    CHECK_EQ_INT(api_qubits(8), 3);
    CHECK_EQ_INT(api_qubits(1u << 20), 20);
    CHECK_EQ_INT(api_qubits(3), -1);
    CHECK_EQ_INT(api_qubits(12), -1);
}

TEST(default_labels_are_binary_for_qubits_and_decimal_otherwise)
{
    char buf[72];
    api_default_label(0, 4, buf);
    CHECK_STR(buf, "00");
    api_default_label(3, 4, buf);
    CHECK_STR(buf, "11");
    api_default_label(5, 8, buf);
    CHECK_STR(buf, "101");
    api_default_label(2, 3, buf);
    CHECK_STR(buf, "2");
    api_default_label(0, 1, buf);
    CHECK_STR(buf, "0");
}

TEST(times_are_parsed_into_canonical_utc)
{
    char out[STORE_TIME_MAX];
    CHECK(api_parse_time("2026-11-24T23:40:00Z", false, out));
    CHECK_STR(out, "2026-11-24T23:40:00.000Z");
    CHECK(api_parse_time("2026-11-25T01:40:00.5+02:00", false, out));
    CHECK_STR(out, "2026-11-24T23:40:00.500Z");
    CHECK(api_parse_time("2024-02-29T23:30:00.123456-01:00", false, out));
    CHECK_STR(out, "2024-03-01T00:30:00.123Z");
    CHECK(!api_parse_time("2026-11-24", false, out));
    CHECK(!api_parse_time("2026-13-01T00:00:00Z", false, out));
    CHECK(!api_parse_time("2026-11-24T23:40:00", false, out));
    CHECK(!api_parse_time("2026-11-24T23:40:00Zjunk", false, out));
    CHECK(!api_parse_time("yesterday", false, out));
    CHECK(!api_parse_time("2026-02-29T00:00:00Z", false, out));
    CHECK(!api_parse_time("2100-02-29T00:00:00Z", false, out));
    CHECK(api_parse_time("2000-02-29T00:00:00Z", false, out));
}

TEST(an_upper_bound_finer_than_milliseconds_rounds_up)
{
    /* The store keeps milliseconds; created_before is exclusive, so
     * .3295 must still admit a row stamped .329. */
    char out[STORE_TIME_MAX];
    CHECK(api_parse_time("2026-11-24T23:40:54.3295Z", true, out));
    CHECK_STR(out, "2026-11-24T23:40:54.330Z");
    CHECK(api_parse_time("2026-11-24T23:40:54.3295Z", false, out));
    CHECK_STR(out, "2026-11-24T23:40:54.329Z");
    CHECK(api_parse_time("2026-12-31T23:59:59.9999Z", true, out));
    CHECK_STR(out, "2027-01-01T00:00:00.000Z");
    CHECK(api_parse_time("2026-11-24T23:40:54.3290000Z", true, out));
    CHECK_STR(out, "2026-11-24T23:40:54.329Z");
}

TEST(pointer_keys_escape_tilde_and_slash)
{
    char p[API_PTR_MAX];
    api_ptr_key(p, "/params", "a/b~c");
    CHECK_STR(p, "/params/a~1b~0c");
    api_ptr_index(p, "/weights", 12);
    CHECK_STR(p, "/weights/12");
}

TEST(random_seeds_fit_in_53_bits)
{
    for (int i = 0; i < 100; i++)
        CHECK(api_random_seed() <= API_MAX_SEED);
}

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
