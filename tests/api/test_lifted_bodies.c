/* tests/api/test_lifted_bodies.c - long base64 arrays decoded before the
 * body is parsed (json/lift.c), through api_handle: the same answers as
 * the JSON form and as short base64 strings that stay in the body, and the
 * same errors (tests/json/test_lift.c tests the lift itself).
 *
 * W16 is the 16 doubles 1..16 as base64 (172 characters, above
 * PJSON_LIFT_MIN), X4 the 4 doubles 0.5, -1, 2, 0.25 (44 characters,
 * below it); both written by Python's base64 and struct modules. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/api/apitest.h"
#include "tests/testlib.h"

#define W16                                                                    \
    "AAAAAAAA8D8AAAAAAAAAQAAAAAAAAAhAAAAAAAAAEEAAAAAAAAAUQAAAAAAAABhAAAAAAAAA" \
    "HEAAAAAAAAAgQAAAAAAAACJAAAAAAAAAJEAAAAAAAAAmQAAAAAAAAChAAAAAAAAAKkAAAAAA" \
    "AAAsQAAAAAAAAC5AAAAAAAAAMEA="
#define X4 "AAAAAAAA4D8AAAAAAADwvwAAAAAAAABAAAAAAAAA0D8="

static api_ctx ctx;

__attribute__((constructor(101))) static void setup(void)
{
    ctx = apitest_ctx(NULL);
}

TEST(a_lifted_layer_gives_the_json_answer)
{
    apitest_result j = apitest_post(
        &ctx, "/v1/layers/forward",
        "{\"weights\":[[1,2,3,4],[5,6,7,8],[9,10,11,12],[13,14,15,16]],"
        "\"activation\":\"identity\",\"input\":[0.5,-1,2,0.25]}");
    apitest_result b = apitest_post(
        &ctx, "/v1/layers/forward",
        "{\"weights\": {\"shape\": [4, 4], \"b64\" : \"" W16 "\"},"
        "\"activation\":\"identity\","
        "\"input\":{\"b64\":\"" X4 "\",\"shape\":[4]}}");
    CHECK_EQ_INT(j.resp.status, 200);
    CHECK_EQ_INT(b.resp.status, 200);
    /* row 0: 0.5 - 2 + 6 + 1 = 5.5 */
    CHECK_NEAR(apitest_num(&j, "output/0"), 5.5, 0);
    for (int i = 0; i < 4; i++) {
        char path[32];
        snprintf(path, sizeof path, "output/%d", i);
        CHECK(apitest_num(&j, path) == apitest_num(&b, path));
    }
    apitest_free(&j);
    apitest_free(&b);
}

/* The status and first pointer of a layer forward with these weights. */
static void check_weights(const char *weights, int status,
                          const char *pointer)
{
    char body[1024];
    snprintf(body, sizeof body,
             "{\"weights\":%s,\"activation\":\"identity\",\"input\":[1,1,1,1]}",
             weights);
    apitest_result r = apitest_post(&ctx, "/v1/layers/forward", body);
    test_check(r.resp.status == status, __FILE__, __LINE__,
               "status %d, expected %d for %s", r.resp.status, status,
               weights);
    if (pointer)
        test_check(apitest_has_pointer(&r, pointer), __FILE__, __LINE__,
                   "no error at %s for %s", pointer, weights);
    apitest_free(&r);
}

TEST(lifted_strings_are_checked_like_any_other)
{
    check_weights("{\"b64\":\"" W16 "\",\"shape\":[4,4]}", 200, NULL);
    /* 16 doubles are not 4 x 5 */
    check_weights("{\"b64\":\"" W16 "\",\"shape\":[4,5]}", 422, "/weights/b64");
    /* a bit set past the last byte: not canonical base64 */
    check_weights("{\"b64\":\"" "AAAAAAAA8D8AAAAAAAAAQAAAAAAAAAhAAAAAAAAAEEAAA"
                  "AAAAAAUQAAAAAAAABhAAAAAAAAAHEAAAAAAAAAgQAAAAAAAACJAAAAAAAAAJE"
                  "AAAAAAAAAmQAAAAAAAAChAAAAAAAAAKkAAAAAAAAAsQAAAAAAAAC5AAAAAAAAA"
                  "MEB=\",\"shape\":[4,4]}",
                  422, "/weights/b64");
    /* '=' inside the text */
    check_weights("{\"b64\":\"AAAA=AAA8D8AAAAAAAAAQAAAAAAAAAhAAAAAAAAAEEAAAAAAAAA"
                  "UQAAAAAAAABhAAAAAAAAAHEAAAAAAAAAgQAAAAAAAACJAAAAAAAAAJEAAAAAAA"
                  "AAmQAAAAAAAAChAAAAAAAAAKkAAAAAAAAAsQAAAAAAAAC5AAAAAAAAAMEA=\","
                  "\"shape\":[4,4]}",
                  422, "/weights/b64");
}

TEST(strings_the_scan_is_unsure_of_stay_for_jansson)
{
    /* An escaped letter is still base64 once parsed: not lifted, same
     * answer. */
    check_weights("{\"b64\":\"\\u0041AAAAAAA8D8AAAAAAAAAQAAAAAAAAAhAAAAAAAAAEEAAAAAAA"
                  "AAUQAAAAAAAABhAAAAAAAAAHEAAAAAAAAAgQAAAAAAAACJAAAAAAAAAJEAAAA"
                  "AAAAAmQAAAAAAAAChAAAAAAAAAKkAAAAAAAAAsQAAAAAAAAC5AAAAAAAAAMEA"
                  "=\",\"shape\":[4,4]}",
                  200, NULL);
    /* A key written with an escape is still "b64" to jansson. */
    check_weights("{\"b\\u0036" "4\":\"" W16 "\",\"shape\":[4,4]}", 200,
                  NULL);
    /* A string that looks like a tag, written by a client, is only text. */
    check_weights("{\"b64\":\"\\u0001b64:0000000000000000:0\",\"shape\":[1,1]}",
                  422, "/weights/b64");
}

TEST(a_malformed_body_is_reported_where_it_was_written)
{
    /* The error position is in the body as sent, not in the shortened
     * copy: the stray "x" is at column 209 (Python's json agrees). */
    apitest_result r = apitest_post(
        &ctx, "/v1/layers/forward",
        "{\"weights\":{\"b64\":\"" W16 "\",\"shape\":[4,4]} x}");
    CHECK_EQ_INT(r.resp.status, 400);
    const char *detail = json_string_value(apitest_get(&r, "detail"));
    CHECK(detail && strstr(detail, "column 209"));
    apitest_free(&r);
}
