/* tests/api/test_complex_layers.c - complex layers through api_handle:
 * POST /v1/layers/forward with "complex": true, the layer_superposition
 * experiment on a complex inline layer (mapping "none"), the 422s of bad
 * complex input with their pointers, and the places that refuse complex
 * layers. Expected values are worked by hand in the comments. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/base64.h"
#include "codec/f64le.h"
#include "json/pjson.h"
#include "tests/api/apitest.h"
#include "tests/testlib.h"

static api_ctx ctx;

__attribute__((constructor(101))) static void setup(void)
{
    store_status st;
    char err[256];
    ctx = apitest_ctx(store_open(":memory:", 1, 1000, &st, err, sizeof err));
}

__attribute__((destructor)) static void teardown(void)
{
    store_close(ctx.db);
}

/* The body of r as the server writes it; malloc'd. */
static char *text_of(const apitest_result *r)
{
    size_t len;
    return pjson_write(r->body, &len);
}

/* Whether the error at pointer says something containing needle. */
static bool message_has(const apitest_result *r, const char *pointer,
                        const char *needle)
{
    json_t *errors = apitest_get(r, "errors"), *e;
    size_t i;
    json_array_foreach(errors, i, e)
    {
        const char *p = json_string_value(json_object_get(e, "pointer"));
        const char *m = json_string_value(json_object_get(e, "message"));
        if (p && m && strcmp(p, pointer) == 0 && strstr(m, needle))
            return true;
    }
    return false;
}

#define LAYER                                                                  \
    "\"complex\":true,\"weights\":[[[1,1],[0,-1]],[2,[0.5,0.5]]],"            \
    "\"bias\":[[0,1],0]"

TEST(a_complex_forward_pass_matches_hand_computation)
{
    /* z0 = (1+i) 1 + (-i) i + i = 2 + 2i, z1 = 2 + (0.5+0.5i) i = 1.5 +
     * 0.5i; modrelu with b = -1: z0 (1 - 1/(2 sqrt 2)), z1 (1 - 1/|z1|) */
    apitest_result r = apitest_post(
        &ctx, "/v1/layers/forward",
        "{" LAYER ",\"activation\":\"modrelu\",\"params\":{\"b\":-1},"
        "\"input\":[[1,0],[0,1]]}");
    CHECK_EQ_INT(r.resp.status, 200);
    CHECK(apitest_num(&r, "pre_activation/0/0") == 2.0);
    CHECK(apitest_num(&r, "pre_activation/0/1") == 2.0);
    CHECK(apitest_num(&r, "pre_activation/1/0") == 1.5);
    CHECK(apitest_num(&r, "pre_activation/1/1") == 0.5);
    double f0 = 1.0 - 1.0 / sqrt(8.0), f1 = 1.0 - 1.0 / sqrt(2.5);
    CHECK_NEAR(apitest_num(&r, "output/0/0"), 2.0 * f0, 1e-15);
    CHECK_NEAR(apitest_num(&r, "output/0/1"), 2.0 * f0, 1e-15);
    CHECK_NEAR(apitest_num(&r, "output/1/0"), 1.5 * f1, 1e-15);
    CHECK_NEAR(apitest_num(&r, "output/1/1"), 0.5 * f1, 1e-15);
    apitest_free(&r);

    /* one b per neuron: b1 = -2 > -|z1| silences neuron 1 */
    r = apitest_post(&ctx, "/v1/layers/forward",
                     "{" LAYER ",\"activation\":\"modrelu\","
                     "\"params\":{\"b\":[0,-2]},\"input\":[[1,0],[0,1]]}");
    CHECK_EQ_INT(r.resp.status, 200);
    CHECK(apitest_num(&r, "output/0/0") == 2.0);
    CHECK(apitest_num(&r, "output/1/0") == 0.0);
    CHECK(apitest_num(&r, "output/1/1") == 0.0);
    apitest_free(&r);
}

TEST(each_complex_activation_by_name)
{
    /* z = 3 + 4i through a 1 x 1 identity weight */
    static const struct {
        const char *name;
        double re, im;
    } cases[] = {
        {"identity", 3.0, 4.0},
        {"cardioid", 2.4, 3.2}, /* (1 + 0.6)/2 z */
        {"split_tanh", 0.99505475368673046, 0.99932929973906704},
        {"split_sigmoid", 0.95257412682243336, 0.98201379003790845},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char body[256];
        snprintf(body, sizeof body,
                 "{\"complex\":true,\"weights\":[[1]],\"activation\":\"%s\","
                 "\"input\":[[3,4]]}",
                 cases[k].name);
        apitest_result r = apitest_post(&ctx, "/v1/layers/forward", body);
        CHECK_EQ_INT(r.resp.status, 200);
        CHECK_NEAR(apitest_num(&r, "output/0/0"), cases[k].re, 1e-15);
        CHECK_NEAR(apitest_num(&r, "output/0/1"), cases[k].im, 1e-15);
        apitest_free(&r);
    }
}

TEST(a_complex_batch_gives_rows_of_pairs_and_b64_interleaves_them)
{
#define BATCH_BODY                                                             \
    "{" LAYER ",\"activation\":\"identity\",\"inputs\":[[[1,0],[0,1]],[1,2]]%s}"
    char plain[256], b64[256];
    snprintf(plain, sizeof plain, BATCH_BODY, "");
    snprintf(b64, sizeof b64, BATCH_BODY, ",\"encoding\":\"b64\"");
    apitest_result r = apitest_post(&ctx, "/v1/layers/forward", plain);
    CHECK_EQ_INT(r.resp.status, 200);
    /* input 1: z0 = (1+i) + (-i) 2 + i = 1, z1 = 2 + (0.5+0.5i) 2 = 3 + i */
    char *text = text_of(&r);
    CHECK_STR(text, "{\"pre_activation\":[[[2.0,2.0],[1.5,0.5]],"
                    "[[1.0,0.0],[3.0,1.0]]],\"output\":[[[2.0,2.0],"
                    "[1.5,0.5]],[[1.0,0.0],[3.0,1.0]]]}");
    free(text);
    apitest_free(&r);

    r = apitest_post(&ctx, "/v1/layers/forward", b64);
    CHECK_EQ_INT(r.resp.status, 200);
    CHECK_EQ_INT(apitest_num(&r, "output/shape/0"), 2);
    CHECK_EQ_INT(apitest_num(&r, "output/shape/1"), 2);
    const char *t = json_string_value(apitest_get(&r, "output/b64"));
    unsigned char raw[64];
    size_t len = 0;
    CHECK(t && base64_decode(t, strlen(t), raw, &len) && len == 64);
    double x[8];
    f64le_decode(raw, 8, x);
    const double want[8] = {2, 2, 1.5, 0.5, 1, 0, 3, 1};
    for (int i = 0; i < 8; i++)
        CHECK(x[i] == want[i]);
    apitest_free(&r);
}

TEST(complex_weights_and_inputs_in_binary_form)
{
    /* [[i]] as the interleaved pair (0, 1), input [2 - i]: z = 1 + 2i */
    double w[2] = {0, 1}, x[2] = {2, -1};
    unsigned char raw[16];
    char tw[32], tx[32], body[256];
    f64le_encode(w, 2, raw);
    tw[base64_encode(raw, 16, tw)] = '\0';
    f64le_encode(x, 2, raw);
    tx[base64_encode(raw, 16, tx)] = '\0';
    snprintf(body, sizeof body,
             "{\"complex\":true,\"weights\":{\"b64\":\"%s\",\"shape\":[1,1]},"
             "\"activation\":\"identity\",\"input\":{\"b64\":\"%s\","
             "\"shape\":[1]}}",
             tw, tx);
    apitest_result r = apitest_post(&ctx, "/v1/layers/forward", body);
    CHECK_EQ_INT(r.resp.status, 200);
    CHECK(apitest_num(&r, "output/0/0") == 1.0);
    CHECK(apitest_num(&r, "output/0/1") == 2.0);
    apitest_free(&r);

    /* one double is not a complex 1 x 1 matrix */
    snprintf(body, sizeof body,
             "{\"complex\":true,\"weights\":{\"b64\":\"AAAAAAAA8D8=\","
             "\"shape\":[1,1]},\"activation\":\"identity\",\"input\":[1]}");
    r = apitest_post(&ctx, "/v1/layers/forward", body);
    CHECK_EQ_INT(r.resp.status, 422);
    CHECK(message_has(&r, "/weights/b64", "exactly 2 little-endian doubles"));
    apitest_free(&r);
}

TEST(real_layers_answer_as_before)
{
#define REAL_BODY                                                              \
    "{\"weights\":[[1,2],[-1,0]],\"bias\":[0.5,-0.5],\"activation\":\"relu\","     \
    "\"input\":[1,2]%s}"
    char with[256], without[256];
    snprintf(without, sizeof without, REAL_BODY, "");
    snprintf(with, sizeof with, REAL_BODY, ",\"complex\":false");
    for (int k = 0; k < 2; k++) {
        apitest_result r =
            apitest_post(&ctx, "/v1/layers/forward", k ? with : without);
        CHECK_EQ_INT(r.resp.status, 200);
        char *text = text_of(&r);
        CHECK_STR(text, "{\"pre_activation\":[5.5,-1.5],\"output\":[5.5,0.0]}");
        free(text);
        apitest_free(&r);
    }
}

/* Posts body to path and checks a 422 with message part at pointer. */
static void check_refused(const char *path, const char *body,
                          const char *pointer, const char *part)
{
    apitest_result r = apitest_post(&ctx, path, body);
    test_check(r.resp.status == 422 && message_has(&r, pointer, part),
               __FILE__, __LINE__, "%s: %d, wanted 422 at %s (%s)", body,
               r.resp.status, pointer, part);
    apitest_free(&r);
}

TEST(bad_complex_input_is_422_at_its_pointer)
{
    const char *fwd = "/v1/layers/forward";
    check_refused(fwd, "{\"complex\":1,\"weights\":[[1]],"
                       "\"activation\":\"identity\",\"input\":[1]}",
                  "/complex", "must be true or false");
    check_refused(fwd, "{\"complex\":true,\"weights\":[[1,[1,2,3]]],"
                       "\"activation\":\"identity\",\"input\":[1,1]}",
                  "/weights/0/1", "exactly two numbers, not 3");
    check_refused(fwd, "{\"complex\":true,\"weights\":[[1,[1,\"x\"]]],"
                       "\"activation\":\"identity\",\"input\":[1,1]}",
                  "/weights/0/1/1", "must be a number");
    check_refused(fwd, "{\"complex\":true,\"weights\":[[1,2],[[0,1]]],"
                       "\"activation\":\"identity\",\"input\":[1,1]}",
                  "/weights/1", "row 0 has 2");
    check_refused(fwd, "{\"complex\":true,\"weights\":[[1]],\"bias\":[1,2],"
                       "\"activation\":\"identity\",\"input\":[1]}",
                  "/bias", "one bias per neuron");
    check_refused(fwd, "{\"complex\":true,\"weights\":[[1]],"
                       "\"activation\":\"relu\",\"input\":[1]}",
                  "/activation", "relu is an activation of real layers");
    check_refused(fwd, "{\"complex\":true,\"weights\":[[1]],"
                       "\"activation\":\"swish\",\"input\":[1]}",
                  "/activation", "modrelu, cardioid, split_tanh");
    check_refused(fwd, "{\"complex\":true,\"weights\":[[1]],"
                       "\"activation\":\"modrelu\",\"params\":{\"alpha\":1},"
                       "\"input\":[1]}",
                  "/params/alpha", "");
    check_refused(fwd, "{\"complex\":true,\"weights\":[[1]],"
                       "\"activation\":\"cardioid\",\"params\":{\"b\":1},"
                       "\"input\":[1]}",
                  "/params/b", "");
    check_refused(fwd, "{\"complex\":true,\"weights\":[[1]],"
                       "\"activation\":\"modrelu\",\"params\":{\"b\":[1,2]},"
                       "\"input\":[1]}",
                  "/params/b", "one threshold per neuron");
    check_refused(fwd, "{\"complex\":true,\"weights\":[[1]],"
                       "\"activation\":\"modrelu\",\"params\":{\"b\":[0,1]},"
                       "\"input\":[1]}",
                  "/params/b", "has 2 entries but weights has 1 rows");
    check_refused(fwd, "{\"complex\":true,\"weights\":[[1]],"
                       "\"activation\":\"modrelu\",\"params\":{\"b\":\"x\"},"
                       "\"input\":[1]}",
                  "/params/b", "must be a number");
    check_refused(fwd, "{\"complex\":true,\"weights\":[[1,2]],"
                       "\"activation\":\"identity\",\"input\":[[1,0]]}",
                  "/input", "the layer takes 2 inputs");
    check_refused(fwd, "{\"complex\":true,\"weights\":[[1,2]],"
                       "\"activation\":\"identity\","
                       "\"inputs\":[[[1,0],[0,1]],[1,[2,\"y\"]]]}",
                  "/inputs/1/1/1", "must be a number");
    check_refused(fwd, "{\"complex\":true,\"weights\":[[1e300]],"
                       "\"activation\":\"identity\",\"input\":[[1e300,0]]}",
                  "", "overflows the range of a double");
    /* a real layer sent pairs, or a complex activation */
    check_refused(fwd, "{\"weights\":[[[1,2]]],\"activation\":\"identity\","
                       "\"input\":[1]}",
                  "/weights/0/0", "only a complex layer takes");
    check_refused(fwd, "{\"weights\":[[1]],\"bias\":[[1,2]],"
                       "\"activation\":\"identity\",\"input\":[1]}",
                  "/bias/0", "only a complex layer takes");
    check_refused(fwd, "{\"weights\":[[1]],\"activation\":\"cardioid\","
                       "\"input\":[1]}",
                  "/activation", "cardioid is an activation of complex");
}

TEST(complex_layers_are_refused_where_only_real_ones_run)
{
    check_refused("/v1/networks",
                  "{\"layers\":[{\"complex\":true,\"weights\":[[1]],"
                  "\"activation\":\"identity\"}]}",
                  "/layers/0/complex", "stored networks hold real layers");
    check_refused("/v1/experiments",
                  "{\"name\":\"n\",\"kind\":\"neuron_activation\",\"params\":"
                  "{\"complex\":true,\"weights\":[[1]],"
                  "\"activation\":\"identity\",\"amplitudes\":[1]}}",
                  "/params/complex", "complex layers run only in");
}

TEST(layer_superposition_reads_a_complex_output_as_the_state)
{
    /* z = a = [i 3, 4] (identity): the state is a / 5 = [0.6i, 0.8], and
     * the reference softmax(|z|) = softmax([3, 4]) */
    apitest_result r = apitest_post(
        &ctx, "/v1/experiments",
        "{\"name\":\"c\",\"kind\":\"layer_superposition\",\"params\":"
        "{\"layer\":{\"complex\":true,\"weights\":[[[0,1],0],[0,2]],"
        "\"activation\":\"identity\"},\"input\":[3,2],\"shots\":100,"
        "\"seed\":7}}");
    CHECK_EQ_INT(r.resp.status, 201);
    CHECK(apitest_num(&r, "result/output/0/1") == 3.0);
    CHECK(apitest_num(&r, "result/output/1/0") == 4.0);
    CHECK_NEAR(apitest_num(&r, "result/state/amplitudes/0/1"), 0.6, 1e-16);
    CHECK(apitest_num(&r, "result/state/amplitudes/0/0") == 0.0);
    CHECK_NEAR(apitest_num(&r, "result/state/amplitudes/1/0"), 0.8, 1e-16);
    CHECK_NEAR(apitest_num(&r, "result/state/probabilities/0"), 0.36, 1e-15);
    double e = exp(1.0);
    CHECK_NEAR(apitest_num(&r, "result/reference_distribution/0"),
               1.0 / (1.0 + e), 1e-15);
    CHECK_NEAR(apitest_num(&r, "result/reference_distribution/1"),
               e / (1.0 + e), 1e-15);
    CHECK(apitest_get(&r, "result/metrics/fidelity") != NULL);
    CHECK(apitest_num(&r, "result/measurement/shots") == 100);
    /* the stored params are what was sent: no mapping written in */
    CHECK(apitest_get(&r, "params/mapping") == NULL);
    apitest_free(&r);
}

TEST(mapping_none_is_the_complex_default_and_l2_for_a_real_layer)
{
    const char *exp = "/v1/experiments";
    check_refused(exp,
                  "{\"name\":\"c\",\"kind\":\"layer_superposition\","
                  "\"params\":{\"layer\":{\"complex\":true,"
                  "\"weights\":[[1]],\"activation\":\"identity\"},"
                  "\"input\":[1],\"mapping\":\"softmax_sqrt\"}}",
                  "/params/mapping", "use \"none\"");
    check_refused(exp,
                  "{\"name\":\"c\",\"kind\":\"layer_superposition\","
                  "\"params\":{\"layer\":{\"complex\":true,"
                  "\"weights\":[[1]],\"activation\":\"cardioid\"},"
                  "\"input\":[-1]}}",
                  "", "zero vector");
    check_refused(exp,
                  "{\"name\":\"c\",\"kind\":\"layer_superposition\","
                  "\"params\":{\"layer\":{\"complex\":true,"
                  "\"weights\":[[1]],\"activation\":\"identity\"},"
                  "\"input\":[[1,\"i\"]]}}",
                  "/params/input/0/1", "must be a number");
    check_refused(exp,
                  "{\"name\":\"c\",\"kind\":\"layer_superposition\","
                  "\"params\":{\"layer\":{\"complex\":true,"
                  "\"weights\":[[1]],\"activation\":\"relu\"},"
                  "\"input\":[1]}}",
                  "/params/layer/activation", "activation of real layers");
    /* "none" on a real layer gives l2's numbers */
#define MAPPED_BODY                                                            \
    "{\"name\":\"r\",\"kind\":\"layer_superposition\",\"params\":{\"layer\":"     \
    "{\"weights\":[[1,0],[0,1]],\"activation\":\"identity\"},\"input\":[3,-4],"  \
    "\"mapping\":\"%s\"}}"
    char b1[256], b2[256];
    snprintf(b1, sizeof b1, MAPPED_BODY, "none");
    snprintf(b2, sizeof b2, MAPPED_BODY, "l2");
    apitest_result r1 = apitest_post(&ctx, exp, b1);
    apitest_result r2 = apitest_post(&ctx, exp, b2);
    CHECK_EQ_INT(r1.resp.status, 201);
    CHECK_EQ_INT(r2.resp.status, 201);
    char *t1 = pjson_write(apitest_get(&r1, "result"), &(size_t){0});
    char *t2 = pjson_write(apitest_get(&r2, "result"), &(size_t){0});
    CHECK_STR(t1, t2);
    CHECK_NEAR(apitest_num(&r1, "result/state/amplitudes/1/0"), -0.8, 1e-16);
    free(t1);
    free(t2);
    apitest_free(&r1);
    apitest_free(&r2);
}
