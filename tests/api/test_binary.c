/* tests/api/test_binary.c - the binary array form {"b64", "shape"} through
 * api_handle: the same answers as the JSON form, and the same validation.
 *
 * The base64 texts below are the little-endian doubles written out by
 * Python: base64.b64encode(struct.pack('<4d', 1, 2, 3, 4)) and so on. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "codec/base64.h"
#include "codec/f64le.h"
#include "json/pjson.h"
#include "tests/api/apitest.h"
#include "tests/testlib.h"

#define B64_1234 "AAAAAAAA8D8AAAAAAAAAQAAAAAAAAAhAAAAAAAAAEEA="
#define B64_1_M1 "AAAAAAAA8D8AAAAAAADwvw=="
#define B64_3_4 "AAAAAAAACEAAAAAAAAAQQA=="
#define B64_NAN "AAAAAAAA+H8="

static api_ctx ctx;

__attribute__((constructor(101))) static void setup(void)
{
    ctx = apitest_ctx(NULL);
}

TEST(binary_layer_forward_equals_json_form)
{
    apitest_result j = apitest_post(
        &ctx, "/v1/layers/forward",
        "{\"weights\":[[1,2],[3,4]],\"activation\":\"tanh\",\"input\":[1,-1]}");
    apitest_result b = apitest_post(
        &ctx, "/v1/layers/forward",
        "{\"weights\":{\"b64\":\"" B64_1234 "\",\"shape\":[2,2]},"
        "\"activation\":\"tanh\",\"input\":{\"b64\":\"" B64_1_M1
        "\",\"shape\":[2]}}");
    CHECK_EQ_INT(j.resp.status, 200);
    CHECK_EQ_INT(b.resp.status, 200);
    /* z = W x = [1 - 2, 3 - 4] = [-1, -1] */
    CHECK_NEAR(apitest_num(&j, "pre_activation/0"), -1.0, 0);
    CHECK_NEAR(apitest_num(&j, "output/1"), tanh(-1.0), 1e-15);
    for (int i = 0; i < 2; i++) {
        char path[32];
        snprintf(path, sizeof path, "output/%d", i);
        CHECK(apitest_num(&j, path) == apitest_num(&b, path));
    }
    apitest_free(&j);
    apitest_free(&b);
}

/* Decodes text, the base64 of exactly count little-endian doubles, into
 * out. */
static bool decode_doubles(const char *text, double *out, size_t count)
{
    size_t len = strlen(text), n = 0;
    if (!base64_holds(text, len, count * 8) ||
        !base64_decode(text, len, (unsigned char *)out, &n) || n != count * 8)
        return false;
    f64le_decode((unsigned char *)out, count, out);
    return true;
}

TEST(binary_answer_decodes_to_the_json_answer)
{
    apitest_result r = apitest_post(
        &ctx, "/v1/superpositions/normalize",
        "{\"amplitudes\":[3,4],\"encoding\":\"b64\"}");
    CHECK_EQ_INT(r.resp.status, 200);
    const json_t *a = apitest_get(&r, "amplitudes");
    const char *text = json_string_value(json_object_get(a, "b64"));
    double pairs[4] = {0};
    CHECK(text && decode_doubles(text, pairs, 4));
    CHECK_NEAR(pairs[0], 0.6, 1e-15);
    CHECK_NEAR(pairs[1], 0.0, 0);
    CHECK_NEAR(pairs[2], 0.8, 1e-15);
    CHECK_EQ_INT(json_integer_value(
                     json_array_get(json_object_get(a, "shape"), 0)), 2);
    apitest_free(&r);
}

TEST(binary_complex_amplitudes_are_pairs)
{
    /* (3, 4) read as one amplitude 3 + 4i: norm 5, probability 1. */
    apitest_result r = apitest_post(
        &ctx, "/v1/superpositions/normalize",
        "{\"amplitudes\":{\"b64\":\"" B64_3_4 "\",\"shape\":[1]}}");
    CHECK_EQ_INT(r.resp.status, 200);
    CHECK_NEAR(apitest_num(&r, "norm"), 5.0, 1e-15);
    CHECK_NEAR(apitest_num(&r, "amplitudes/0/0"), 0.6, 1e-15);
    CHECK_NEAR(apitest_num(&r, "amplitudes/0/1"), 0.8, 1e-15);
    CHECK_NEAR(apitest_num(&r, "probabilities/0"), 1.0, 1e-15);
    apitest_free(&r);
}

/* Each request must be refused with 422 and an error at pointer. */
/* Checks that POST /v1/layers/forward with body is a 422 with an error at
 * pointer and, unless names is NULL, a first message that names it. */
static void check_refused_in(const api_ctx *c, const char *body,
                             const char *pointer, const char *names)
{
    apitest_result r = apitest_post(c, "/v1/layers/forward", body);
    test_check(r.resp.status == 422, __FILE__, __LINE__,
               "status %d for %s", r.resp.status, body);
    test_check(apitest_has_pointer(&r, pointer), __FILE__, __LINE__,
               "no error at %s for %s", pointer, body);
    if (names) {
        const char *msg =
            json_string_value(apitest_get(&r, "errors/0/message"));
        test_check(msg && strstr(msg, names), __FILE__, __LINE__,
                   "the message \"%s\" does not name %s",
                   msg ? msg : "(none)", names);
    }
    apitest_free(&r);
}

static void check_refused(const char *body, const char *pointer)
{
    check_refused_in(&ctx, body, pointer, NULL);
}

TEST(binary_form_is_validated_like_json)
{
    /* No "b64" at all (found by the fuzzer: once a NULL dereference). */
    check_refused("{\"weights\":{\"shape\":[2,2]},\"activation\":\"tanh\","
                  "\"input\":[1,2]}",
                  "/weights/b64");
    check_refused("{\"weights\":{\"b64\":\"" B64_1234 "\"},"
                  "\"activation\":\"tanh\",\"input\":[1,2]}",
                  "/weights/shape");
    /* Four doubles do not fill a 2 x 3 matrix. */
    check_refused("{\"weights\":{\"b64\":\"" B64_1234 "\",\"shape\":[2,3]},"
                  "\"activation\":\"tanh\",\"input\":[1,2,3]}",
                  "/weights/b64");
    check_refused("{\"weights\":[[1]],\"activation\":\"tanh\","
                  "\"input\":{\"b64\":\"" B64_NAN "\",\"shape\":[1]}}",
                  "/input/b64");
    check_refused("{\"weights\":[[1]],\"activation\":\"tanh\","
                  "\"input\":{\"b64\":\"not base64!\",\"shape\":[1]}}",
                  "/input/b64");
    check_refused("{\"weights\":[[1]],\"activation\":\"tanh\","
                  "\"input\":{\"b64\":7,\"shape\":[1]}}",
                  "/input/b64");
    check_refused("{\"weights\":[[1]],\"activation\":\"tanh\","
                  "\"input\":{\"b64\":\"" B64_NAN "\",\"shape\":[0]}}",
                  "/input/shape");
    check_refused("{\"weights\":[[1]],\"activation\":\"tanh\","
                  "\"input\":{\"b64\":\"" B64_NAN "\",\"shape\":[1],"
                  "\"dtype\":\"f8\"}}",
                  "/input/dtype");
}

TEST(binary_shape_is_checked_against_the_text_before_allocating)
{
    /* 4096 x 1048576 doubles would be 32 GiB: the one-double text shows
     * at once that it cannot be, and nothing that size is allocated. */
    check_refused("{\"weights\":[[1]],\"activation\":\"tanh\","
                  "\"inputs\":{\"b64\":\"" B64_NAN
                  "\",\"shape\":[4096,1048576]}}",
                  "/inputs/b64");
}

TEST(binary_batches_obey_max_batch)
{
    api_ctx small = ctx;
    small.limits.max_batch = 3;
    const double x[4] = {1, 2, 3, 4};
    json_t *inputs = pjson_matrix(x, 4, 1, true);
    json_t *body = json_pack("{s:[[f]], s:s, s:o}", "weights", 1.0,
                             "activation", "identity", "inputs", inputs);
    char *text = json_dumps(body, JSON_COMPACT);
    check_refused_in(&small, text, "/inputs", "(max_batch)");
    free(text);
    json_decref(body);
}

TEST(all_the_outputs_of_a_pass_obey_max_matrix)
{
    /* 60 neurons (60 weights, within a limit of 100) over a batch of two
     * would keep 120 outputs: refused before anything is computed. */
    api_ctx small = ctx;
    small.limits.max_matrix = 100;
    json_t *w = json_array();
    for (int i = 0; i < 60; i++)
        json_array_append_new(w, json_pack("[f]", 0.5));
    json_t *body = json_pack("{s:o, s:s, s:[[f],[f]]}", "weights", w,
                             "activation", "identity", "inputs", 1.0, 2.0);
    char *text = json_dumps(body, JSON_COMPACT);
    check_refused_in(&small, text, "/inputs", "(max_matrix)");
    /* One input keeps 60: answered. */
    json_object_del(body, "inputs");
    json_object_set_new(body, "input", json_pack("[f]", 2.0));
    free(text);
    text = json_dumps(body, JSON_COMPACT);
    apitest_result r = apitest_post(&small, "/v1/layers/forward", text);
    CHECK_EQ_INT(r.resp.status, 200);
    CHECK_NEAR(apitest_num(&r, "output/59"), 1.0, 0);
    apitest_free(&r);
    free(text);
    json_decref(body);
}
