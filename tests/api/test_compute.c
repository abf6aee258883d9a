/* tests/api/test_compute.c - the stateless endpoints through api_handle:
 * /healthz, /version, routing errors, /v1/superpositions/normalize and
 * /v1/layers/forward, with no socket. */
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/api/apitest.h"
#include "tests/testlib.h"

#define TOL 1e-15

static api_ctx ctx;

__attribute__((constructor(101))) static void setup(void)
{
    ctx = apitest_ctx(NULL);
}

static const char *content_type(const apitest_result *r)
{
    return r->resp.content_type ? r->resp.content_type : "";
}

TEST(healthz_is_ok)
{
    apitest_result r = apitest_call(&ctx, "GET", "/healthz", NULL, NULL);
    CHECK_EQ_INT(r.resp.status, 200);
    CHECK_STR(json_string_value(apitest_get(&r, "status")), "ok");
    apitest_free(&r);
}

TEST(version_names_psinet)
{
    apitest_result r = apitest_call(&ctx, "GET", "/version", NULL, NULL);
    CHECK_EQ_INT(r.resp.status, 200);
    CHECK_STR(json_string_value(apitest_get(&r, "name")), "psinet");
    CHECK_STR(json_string_value(apitest_get(&r, "version")), PSINET_VERSION);
    apitest_free(&r);
}

TEST(unknown_path_is_404_problem)
{
    apitest_result r = apitest_call(&ctx, "GET", "/v1/nothing", NULL, NULL);
    CHECK_EQ_INT(r.resp.status, 404);
    CHECK_STR(content_type(&r), "application/problem+json");
    CHECK_EQ_INT(json_integer_value(apitest_get(&r, "status")), 404);
    CHECK_STR(json_string_value(apitest_get(&r, "type")),
              "urn:psinet:problem:not-found");
    apitest_free(&r);
}

TEST(wrong_method_is_405_with_allow)
{
    apitest_result r =
        apitest_call(&ctx, "GET", "/v1/layers/forward", NULL, NULL);
    CHECK_EQ_INT(r.resp.status, 405);
    CHECK_STR(api_response_get_header(&r.resp, "Allow"), "POST, OPTIONS");
    apitest_free(&r);
    r = apitest_call(&ctx, "DELETE", "/healthz", NULL, NULL);
    CHECK_EQ_INT(r.resp.status, 405);
    CHECK_STR(api_response_get_header(&r.resp, "Allow"),
              "GET, HEAD, OPTIONS");
    apitest_free(&r);
}

TEST(head_is_routed_like_get)
{
    apitest_result r = apitest_call(&ctx, "HEAD", "/healthz", NULL, NULL);
    CHECK_EQ_INT(r.resp.status, 200);
    apitest_free(&r);
}

TEST(non_json_content_type_is_415)
{
    apitest_result r =
        apitest_call(&ctx, "POST", "/v1/superpositions/normalize",
                     "text/plain", "{\"amplitudes\":[1]}");
    CHECK_EQ_INT(r.resp.status, 415);
    apitest_free(&r);
    r = apitest_call(&ctx, "POST", "/v1/superpositions/normalize", NULL,
                     "{\"amplitudes\":[1]}");
    CHECK_EQ_INT(r.resp.status, 415);
    apitest_free(&r);
}

TEST(json_content_type_with_charset_is_accepted)
{
    apitest_result r =
        apitest_call(&ctx, "POST", "/v1/superpositions/normalize",
                     "Application/JSON; charset=utf-8", "{\"amplitudes\":[2]}");
    CHECK_EQ_INT(r.resp.status, 200);
    apitest_free(&r);
}

TEST(malformed_json_is_400_with_position)
{
    apitest_result r =
        apitest_post(&ctx, "/v1/superpositions/normalize", "{\"amplitudes\":[1,");
    CHECK_EQ_INT(r.resp.status, 400);
    const char *detail = json_string_value(apitest_get(&r, "detail"));
    CHECK(detail && strstr(detail, "column"));
    apitest_free(&r);
}

TEST(duplicate_keys_are_rejected)
{
    apitest_result r = apitest_post(&ctx, "/v1/superpositions/normalize",
                                    "{\"amplitudes\":[1],\"amplitudes\":[0,1]}");
    CHECK_EQ_INT(r.resp.status, 400);
    apitest_free(&r);
}

TEST(number_overflow_is_422)
{
    apitest_result r = apitest_post(&ctx, "/v1/superpositions/normalize",
                                    "{\"amplitudes\":[1e999]}");
    CHECK_EQ_INT(r.resp.status, 422);
    /* found by the parser, before any value could be pointed at */
    CHECK(apitest_has_pointer(&r, ""));
    apitest_free(&r);
}

TEST(an_integer_beyond_int64_is_the_double_it_denotes)
{
    /* 2^64 and -2^64 are exact doubles; jansson holds neither as an
     * integer, and psinet reads them as the numbers they are. */
    apitest_result r = apitest_post(&ctx, "/v1/superpositions/normalize",
                                    "{\"amplitudes\":[18446744073709551616,"
                                    "-18446744073709551616, 0]}");
    CHECK_EQ_INT(r.resp.status, 200);
    CHECK(apitest_num(&r, "norm") == 0x1p64 * sqrt(2.0));
    CHECK(apitest_num(&r, "amplitudes/0/0") == 1 / sqrt(2.0));
    CHECK(apitest_num(&r, "amplitudes/1/0") == -1 / sqrt(2.0));
    CHECK(apitest_num(&r, "amplitudes/2/0") == 0);
    apitest_free(&r);
    /* 30 digits: the double nearest to 123456789012345678901234567890 */
    r = apitest_post(&ctx, "/v1/superpositions/normalize",
                     "{\"amplitudes\":[123456789012345678901234567890]}");
    CHECK_EQ_INT(r.resp.status, 200);
    CHECK(apitest_num(&r, "norm") == 123456789012345678901234567890.0);
    apitest_free(&r);
}

TEST(only_numbers_beyond_a_double_overflow)
{
    static char body[600];
    snprintf(body, sizeof body, "{\"amplitudes\":[1%0400d]}", 0);
    const char *overflowing[] = {"{\"amplitudes\":[1e999]}", body,
                                 "{\"amplitudes\":[-1e400]}"};
    for (size_t i = 0; i < 3; i++) {
        apitest_result r =
            apitest_post(&ctx, "/v1/superpositions/normalize", overflowing[i]);
        CHECK_EQ_INT(r.resp.status, 422);
        CHECK(apitest_has_pointer(&r, ""));
        const char *detail = json_string_value(apitest_get(&r, "detail"));
        CHECK(detail && strstr(detail, "beyond the range of a double"));
        apitest_free(&r);
    }
}

TEST(big_integers_in_strings_stay_text_and_errors_keep_their_position)
{
    /* The digits in the string are not a number: the field is refused as
     * the string it is. */
    apitest_result r = apitest_post(&ctx, "/v1/superpositions/normalize",
                                    "{\"amplitudes\":[1],\"encoding\":"
                                    "\"18446744073709551616\"}");
    CHECK_EQ_INT(r.resp.status, 422);
    CHECK(apitest_has_pointer(&r, "/encoding"));
    apitest_free(&r);
    /* A syntax error after a big integer is reported where it is in the
     * body sent. */
    r = apitest_post(&ctx, "/v1/superpositions/normalize",
                     "{\"amplitudes\":[18446744073709551616,nul]}");
    CHECK_EQ_INT(r.resp.status, 400);
    const char *detail = json_string_value(apitest_get(&r, "detail"));
    CHECK(detail && strstr(detail, "column 39, byte 39"));
    apitest_free(&r);
}

TEST(parse_errors_are_told_in_psinets_words)
{
    /* jansson's own text names its flags (JSON_ALLOW_NUL): never shown */
    const char *bodies[] = {"{\"amplitudes\":[1],\"encoding\":\"a\\u0000\"}",
                            "{\"a\\u0000\":1}", "{\"amplitudes\":[1,",
                            "{} {}", "{\"a\":1,\"a\":2}", "\xff"};
    const char *words[] = {"NUL", "NUL", "ends before", "goes on after",
                           "same key twice", "not valid UTF-8"};
    for (size_t i = 0; i < 6; i++) {
        apitest_result r =
            apitest_post(&ctx, "/v1/superpositions/normalize", bodies[i]);
        const char *detail = json_string_value(apitest_get(&r, "detail"));
        CHECK(detail && strstr(detail, words[i]));
        CHECK(detail && !strstr(detail, "JSON_"));
        CHECK(detail && !strstr(detail, "end of file"));
        apitest_free(&r);
    }
}

TEST(nesting_past_the_parser_limit_names_max_depth)
{
    /* 3000 levels: past jansson's own parsing limit (2048), which is
     * reported like max_depth, not as malformed JSON. */
    static char body[6100];
    size_t n = 0;
    n += (size_t)snprintf(body, sizeof body, "{\"amplitudes\":");
    for (int i = 0; i < 3000; i++)
        body[n++] = '[';
    for (int i = 0; i < 3000; i++)
        body[n++] = ']';
    body[n++] = '}';
    body[n] = '\0';
    apitest_result r =
        apitest_post(&ctx, "/v1/superpositions/normalize", body);
    CHECK_EQ_INT(r.resp.status, 422);
    const char *detail = json_string_value(apitest_get(&r, "detail"));
    CHECK(detail && strstr(detail, "(max_depth)"));
    apitest_free(&r);
}

TEST(a_nul_character_in_a_string_is_422)
{
    /* "\u0000" is well-formed JSON that psinet does not take. */
    apitest_result r = apitest_post(&ctx, "/v1/layers/forward",
                                    "{\"weights\":[[1]],\"input\":[1],"
                                    "\"activation\":\"re\\u0000lu\"}");
    CHECK_EQ_INT(r.resp.status, 422);
    CHECK(apitest_has_pointer(&r, ""));
    apitest_free(&r);
}

TEST(body_must_be_an_object)
{
    apitest_result r =
        apitest_post(&ctx, "/v1/superpositions/normalize", "[1,2]");
    CHECK_EQ_INT(r.resp.status, 422);
    CHECK(apitest_has_pointer(&r, ""));
    apitest_free(&r);
}

TEST(normalize_three_four_gives_three_fifths_four_fifths)
{
    apitest_result r = apitest_post(&ctx, "/v1/superpositions/normalize",
                                    "{\"amplitudes\":[3,4]}");
    CHECK_EQ_INT(r.resp.status, 200);
    CHECK_NEAR(apitest_num(&r, "amplitudes/0/0"), 0.6, TOL);
    CHECK_NEAR(apitest_num(&r, "amplitudes/0/1"), 0.0, TOL);
    CHECK_NEAR(apitest_num(&r, "amplitudes/1/0"), 0.8, TOL);
    CHECK_NEAR(apitest_num(&r, "norm"), 5.0, TOL);
    CHECK_NEAR(apitest_num(&r, "probabilities/0"), 0.36, TOL);
    CHECK_NEAR(apitest_num(&r, "probabilities/1"), 0.64, TOL);
    apitest_free(&r);
}

TEST(normalize_accepts_complex_pairs)
{
    /* (1+i)/2, (1-i)/2: norm 1, probabilities 1/2 each. */
    apitest_result r = apitest_post(&ctx, "/v1/superpositions/normalize",
                                    "{\"amplitudes\":[[0.5,0.5],[0.5,-0.5]]}");
    CHECK_EQ_INT(r.resp.status, 200);
    CHECK_NEAR(apitest_num(&r, "norm"), 1.0, TOL);
    CHECK_NEAR(apitest_num(&r, "amplitudes/1/1"), -0.5, TOL);
    CHECK_NEAR(apitest_num(&r, "probabilities/0"), 0.5, TOL);
    apitest_free(&r);
}

TEST(normalize_survives_extreme_scales)
{
    apitest_result r = apitest_post(&ctx, "/v1/superpositions/normalize",
                                    "{\"amplitudes\":[1e300,1e300]}");
    CHECK_EQ_INT(r.resp.status, 200);
    CHECK_NEAR(apitest_num(&r, "amplitudes/0/0"), sqrt(0.5), 1e-15);
    CHECK_NEAR(apitest_num(&r, "norm") / 1e300, sqrt(2.0), 1e-15);
    apitest_free(&r);
    r = apitest_post(&ctx, "/v1/superpositions/normalize",
                     "{\"amplitudes\":[3e-300,[0,4e-300]]}");
    CHECK_EQ_INT(r.resp.status, 200);
    CHECK_NEAR(apitest_num(&r, "amplitudes/1/1"), 0.8, 1e-15);
    CHECK_NEAR(apitest_num(&r, "norm") / 1e-300, 5.0, 1e-14);
    apitest_free(&r);
}

TEST(normalize_rejects_zero_vector_with_pointer)
{
    apitest_result r = apitest_post(&ctx, "/v1/superpositions/normalize",
                                    "{\"amplitudes\":[0,[0,0]]}");
    CHECK_EQ_INT(r.resp.status, 422);
    CHECK(apitest_has_pointer(&r, "/amplitudes"));
    apitest_free(&r);
}

TEST(normalize_points_at_the_bad_amplitude)
{
    apitest_result r = apitest_post(&ctx, "/v1/superpositions/normalize",
                                    "{\"amplitudes\":[1,[2,\"x\"],3]}");
    CHECK_EQ_INT(r.resp.status, 422);
    CHECK(apitest_has_pointer(&r, "/amplitudes/1/1"));
    apitest_free(&r);
    r = apitest_post(&ctx, "/v1/superpositions/normalize",
                     "{\"amplitudes\":[1,[2,3,4]]}");
    CHECK(apitest_has_pointer(&r, "/amplitudes/1"));
    apitest_free(&r);
    r = apitest_post(&ctx, "/v1/superpositions/normalize",
                     "{\"amplitudes\":[]}");
    CHECK_EQ_INT(r.resp.status, 422);
    CHECK(apitest_has_pointer(&r, "/amplitudes"));
    apitest_free(&r);
}

TEST(unknown_fields_are_reported)
{
    apitest_result r = apitest_post(&ctx, "/v1/superpositions/normalize",
                                    "{\"amplitudes\":[1],\"amplitude\":[1]}");
    CHECK_EQ_INT(r.resp.status, 422);
    CHECK(apitest_has_pointer(&r, "/amplitude"));
    apitest_free(&r);
}

TEST(layer_forward_matches_hand_computation)
{
    /* z = W x + b = [1*1 + 2*2 + 0.5, -1*1 + 0*2 - 0.5] = [5.5, -1.5] */
    apitest_result r = apitest_post(
        &ctx, "/v1/layers/forward",
        "{\"weights\":[[1,2],[-1,0]],\"bias\":[0.5,-0.5],"
        "\"activation\":\"sigmoid\",\"input\":[1,2]}");
    CHECK_EQ_INT(r.resp.status, 200);
    CHECK_NEAR(apitest_num(&r, "pre_activation/0"), 5.5, TOL);
    CHECK_NEAR(apitest_num(&r, "pre_activation/1"), -1.5, TOL);
    CHECK_NEAR(apitest_num(&r, "output/0"), 1.0 / (1.0 + exp(-5.5)), 1e-15);
    CHECK_NEAR(apitest_num(&r, "output/1"), 1.0 / (1.0 + exp(1.5)), 1e-15);
    apitest_free(&r);
}

TEST(layer_forward_batch_gives_rows)
{
    apitest_result r = apitest_post(
        &ctx, "/v1/layers/forward",
        "{\"weights\":[[1,-1]],\"activation\":\"relu\","
        "\"inputs\":[[3,1],[1,3]]}");
    CHECK_EQ_INT(r.resp.status, 200);
    CHECK_NEAR(apitest_num(&r, "pre_activation/0/0"), 2.0, TOL);
    CHECK_NEAR(apitest_num(&r, "pre_activation/1/0"), -2.0, TOL);
    CHECK_NEAR(apitest_num(&r, "output/0/0"), 2.0, TOL);
    CHECK_NEAR(apitest_num(&r, "output/1/0"), 0.0, TOL);
    apitest_free(&r);
}

TEST(layer_forward_leaky_relu_uses_alpha)
{
    apitest_result r = apitest_post(
        &ctx, "/v1/layers/forward",
        "{\"weights\":[[1]],\"activation\":\"leaky_relu\","
        "\"params\":{\"alpha\":0.25},\"input\":[-2]}");
    CHECK_EQ_INT(r.resp.status, 200);
    CHECK_NEAR(apitest_num(&r, "output/0"), -0.5, TOL);
    apitest_free(&r);
}

TEST(layer_forward_softmax_is_stable)
{
    apitest_result r = apitest_post(
        &ctx, "/v1/layers/forward",
        "{\"weights\":[[1],[1]],\"bias\":[1000,1001],"
        "\"activation\":\"softmax\",\"input\":[0]}");
    CHECK_EQ_INT(r.resp.status, 200);
    double e = exp(1.0);
    CHECK_NEAR(apitest_num(&r, "output/0"), 1.0 / (1.0 + e), 1e-15);
    CHECK_NEAR(apitest_num(&r, "output/1"), e / (1.0 + e), 1e-15);
    apitest_free(&r);
}

TEST(layer_forward_reports_shape_errors_with_pointers)
{
    apitest_result r = apitest_post(
        &ctx, "/v1/layers/forward",
        "{\"weights\":[[1,2],[3,4],[5]],\"activation\":\"tanh\","
        "\"input\":[1,2]}");
    CHECK_EQ_INT(r.resp.status, 422);
    CHECK(apitest_has_pointer(&r, "/weights/2"));
    apitest_free(&r);

    r = apitest_post(&ctx, "/v1/layers/forward",
                     "{\"weights\":[[1,2]],\"bias\":[1,2],"
                     "\"activation\":\"tanh\",\"input\":[1,2,3]}");
    CHECK_EQ_INT(r.resp.status, 422);
    CHECK(apitest_has_pointer(&r, "/bias"));
    CHECK(apitest_has_pointer(&r, "/input"));
    apitest_free(&r);

    r = apitest_post(&ctx, "/v1/layers/forward",
                     "{\"weights\":[[1]],\"activation\":\"swish\","
                     "\"input\":[1]}");
    CHECK_EQ_INT(r.resp.status, 422);
    CHECK(apitest_has_pointer(&r, "/activation"));
    apitest_free(&r);

    r = apitest_post(&ctx, "/v1/layers/forward",
                     "{\"weights\":[[1]],\"activation\":\"relu\","
                     "\"params\":{\"alpha\":1},\"input\":[1]}");
    CHECK_EQ_INT(r.resp.status, 422);
    CHECK(apitest_has_pointer(&r, "/params/alpha"));
    apitest_free(&r);

    r = apitest_post(&ctx, "/v1/layers/forward",
                     "{\"weights\":[[1]],\"activation\":\"relu\"}");
    CHECK_EQ_INT(r.resp.status, 422);
    CHECK(apitest_has_pointer(&r, "/input"));
    apitest_free(&r);
}

TEST(layer_forward_overflow_is_422_not_inf)
{
    apitest_result r = apitest_post(
        &ctx, "/v1/layers/forward",
        "{\"weights\":[[1e300]],\"activation\":\"identity\","
        "\"input\":[1e300]}");
    CHECK_EQ_INT(r.resp.status, 422);
    CHECK(apitest_has_pointer(&r, ""));
    apitest_free(&r);
}
