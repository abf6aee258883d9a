/* tests/api/test_operations.c - the quantum operations through api_handle
 * (api/operations.c), with no socket: what is recorded of them, what the
 * defaults are, and what the store keeps. tests/integration checks their
 * numbers against an independent state-vector reference. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "api/superposition.h"
#include "core/qstate.h"
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

/* Stores the basis state of label bits; its id into id (STORE_ID_MAX). */
static void store_basis(const char *bits, char *id)
{
    char body[128];
    snprintf(body, sizeof body, "{\"basis\":\"%s\"}", bits);
    apitest_result r = apitest_post(&ctx, "/v1/superpositions", body);
    CHECK_EQ_INT(r.resp.status, 201);
    snprintf(id, STORE_ID_MAX, "%s", json_string_value(apitest_get(&r, "id")));
    apitest_free(&r);
}

TEST(a_stored_states_result_is_stored_with_its_parent_unless_asked_not)
{
    char root[STORE_ID_MAX], body[256];
    store_basis("00", root);
    snprintf(body, sizeof body,
             "{\"state\":{\"id\":\"%s\"},\"operations\":["
             "{\"gate\":\"h\",\"qubits\":[0]},"
             "{\"gate\":\"cx\",\"qubits\":[0,1]}]}",
             root);
    apitest_result r = apitest_post(&ctx, "/v1/superpositions/apply", body);
    CHECK_EQ_INT(r.resp.status, 201);
    CHECK_STR(json_string_value(apitest_get(&r, "parent")), root);
    CHECK_STR(json_string_value(apitest_get(&r, "operation/op")), "apply");
    CHECK_STR(json_string_value(apitest_get(&r, "operation/operations/1/gate")),
              "cx");
    /* the Bell state (|00> + |11>)/sqrt(2) */
    CHECK_NEAR(apitest_num(&r, "amplitudes/0/0"), sqrt(0.5), 1e-15);
    CHECK_NEAR(apitest_num(&r, "amplitudes/3/0"), sqrt(0.5), 1e-15);
    CHECK(apitest_num(&r, "amplitudes/1/0") == 0.0);
    apitest_free(&r);
    snprintf(body, sizeof body,
             "{\"state\":{\"id\":\"%s\"},\"store\":false,\"operations\":"
             "[{\"gate\":\"x\",\"qubits\":[1]}]}",
             root);
    r = apitest_post(&ctx, "/v1/superpositions/apply", body);
    CHECK_EQ_INT(r.resp.status, 200);
    CHECK(json_is_null(apitest_get(&r, "id")));
    CHECK_STR(json_string_value(apitest_get(&r, "parent")), root);
    CHECK(apitest_num(&r, "amplitudes/2/0") == 1.0); /* |10> */
    apitest_free(&r);
}

TEST(an_inline_states_result_is_not_stored_unless_asked)
{
    apitest_result r = apitest_post(
        &ctx, "/v1/superpositions/apply",
        "{\"state\":{\"amplitudes\":[1,0]},\"operations\":"
        "[{\"gate\":\"ry\",\"qubits\":[0],\"params\":[3.141592653589793]}]}");
    CHECK_EQ_INT(r.resp.status, 200);
    CHECK(json_is_null(apitest_get(&r, "id")));
    CHECK(json_is_null(apitest_get(&r, "parent")));
    CHECK_NEAR(apitest_num(&r, "amplitudes/1/0"), 1.0, 1e-15); /* RY(pi) */
    apitest_free(&r);
}

/* The base64 of the rows of a 2-qubit SWAP as complex pairs: each row is
 * 4 amplitudes, 64 bytes, 88 characters: above PJSON_LIFT_MIN, so lifted
 * out of the body before it is parsed. */
static json_t *swap_rows(void)
{
    json_t *rows = json_array();
    for (int r = 0; r < 4; r++) {
        double complex row[4] = {0, 0, 0, 0};
        row[r == 1 ? 2 : r == 2 ? 1 : r] = 1;
        json_array_append_new(rows, pjson_amplitudes(row, 4, true));
    }
    return rows;
}

TEST(a_binary_matrix_is_recorded_as_numbers_not_as_lifted_text)
{
    char root[STORE_ID_MAX];
    store_basis("01", root);
    json_t *req = json_pack("{s:{s:s}, s:[{s:s, s:[i, i], s:o}]}", "state",
                            "id", root, "operations", "gate", "unitary",
                            "qubits", 0, 1, "matrix", swap_rows());
    char *body = json_dumps(req, JSON_COMPACT);
    CHECK(strlen(body) > 4 * PJSON_LIFT_MIN); /* lifted, row by row */
    apitest_result r = apitest_post(&ctx, "/v1/superpositions/apply", body);
    CHECK_EQ_INT(r.resp.status, 201);
    CHECK(apitest_num(&r, "amplitudes/2/0") == 1.0); /* |01> -> |10> */
    json_t *m = apitest_get(&r, "operation/operations/0/matrix");
    CHECK(json_array_size(m) == 4);
    CHECK(apitest_num(&r, "operation/operations/0/matrix/1/2/0") == 1.0);
    CHECK(apitest_num(&r, "operation/operations/0/matrix/0/0/0") == 1.0);
    apitest_free(&r);
    free(body);
    json_decref(req);
}

TEST(collapse_is_stored_by_default_and_repeats_with_its_seed)
{
    char root[STORE_ID_MAX], path[96], body[256];
    store_basis("000", root);
    snprintf(body, sizeof body,
             "{\"state\":{\"id\":\"%s\"},\"operations\":["
             "{\"gate\":\"h\",\"qubits\":[0]},{\"gate\":\"h\",\"qubits\":[2]}]}",
             root);
    apitest_result r = apitest_post(&ctx, "/v1/superpositions/apply", body);
    char plus[STORE_ID_MAX];
    snprintf(plus, sizeof plus, "%s", json_string_value(apitest_get(&r, "id")));
    apitest_free(&r);
    snprintf(path, sizeof path, "/v1/superpositions/%s/collapse", plus);
    char outcome[8] = "";
    for (int i = 0; i < 2; i++) {
        r = apitest_post(&ctx, path, "{\"qubits\":[2,0],\"seed\":11}");
        CHECK_EQ_INT(r.resp.status, 201);
        const char *o = json_string_value(apitest_get(&r, "outcome"));
        CHECK(o && strlen(o) == 2);
        if (i == 0)
            snprintf(outcome, sizeof outcome, "%s", o ? o : "");
        else
            CHECK_STR(o, outcome);
        CHECK_NEAR(apitest_num(&r, "probability"), 0.25, 1e-15);
        CHECK_STR(json_string_value(apitest_get(&r, "state/parent")), plus);
        CHECK_NEAR(apitest_num(&r, "state/norm"), 1.0, 1e-15);
        apitest_free(&r);
    }
}

TEST(the_tolerance_decides_normalized_and_is_refused_outside_0_to_1)
{
    apitest_result r = apitest_post(
        &ctx, "/v1/superpositions",
        "{\"amplitudes\":[0.6,0.8000001],\"normalize\":false}");
    char id[STORE_ID_MAX], path[96];
    snprintf(id, sizeof id, "%s", json_string_value(apitest_get(&r, "id")));
    CHECK(json_is_false(apitest_get(&r, "normalized")));
    double error = apitest_num(&r, "norm_error");
    CHECK_NEAR(error, fabs(hypot(0.6, 0.8000001) - 1.0), 1e-15);
    apitest_free(&r);
    snprintf(path, sizeof path, "/v1/superpositions/%s?atol=1e-6", id);
    r = apitest_call(&ctx, "GET", path, NULL, NULL);
    CHECK(json_is_true(apitest_get(&r, "normalized")));
    apitest_free(&r);
    snprintf(path, sizeof path, "/v1/superpositions/%s?atol=2", id);
    r = apitest_call(&ctx, "GET", path, NULL, NULL);
    CHECK_EQ_INT(r.resp.status, 400);
    apitest_free(&r);
    snprintf(path, sizeof path, "/v1/superpositions/%s/measure", id);
    r = apitest_post(&ctx, path, "{\"shots\":3,\"seed\":1}");
    CHECK(json_is_true(apitest_get(&r, "renormalized")));
    apitest_free(&r);
    r = apitest_post(&ctx, path, "{\"shots\":3,\"seed\":1,\"atol\":1e-6}");
    CHECK(json_is_false(apitest_get(&r, "renormalized")));
    apitest_free(&r);
    r = apitest_post(&ctx, path, "{\"shots\":3,\"atol\":-1}");
    CHECK_EQ_INT(r.resp.status, 422);
    CHECK(apitest_has_pointer(&r, "/atol"));
    apitest_free(&r);
}

TEST(memory_lists_each_shot_and_agrees_with_the_counts)
{
    char root[STORE_ID_MAX], path[96], body[256];
    store_basis("00", root);
    snprintf(body, sizeof body,
             "{\"state\":{\"id\":\"%s\"},\"operations\":["
             "{\"gate\":\"h\",\"qubits\":[0]},{\"gate\":\"h\",\"qubits\":[1]}]}",
             root);
    apitest_result r = apitest_post(&ctx, "/v1/superpositions/apply", body);
    snprintf(path, sizeof path, "/v1/superpositions/%s/measure",
             json_string_value(apitest_get(&r, "id")));
    apitest_free(&r);
    r = apitest_post(&ctx, path, "{\"shots\":200,\"seed\":3,\"memory\":true}");
    apitest_result plain = apitest_post(&ctx, path,
                                        "{\"shots\":200,\"seed\":3}");
    json_t *memory = apitest_get(&r, "memory");
    CHECK_EQ_INT(json_array_size(memory), 200);
    const char *labels[4] = {"00", "01", "10", "11"};
    for (int l = 0; l < 4; l++) {
        long seen = 0;
        for (size_t s = 0; s < json_array_size(memory); s++)
            seen += strcmp(json_string_value(json_array_get(memory, s)),
                           labels[l]) == 0;
        char key[16];
        snprintf(key, sizeof key, "counts/%s", labels[l]);
        CHECK_EQ_INT(seen, (long)apitest_num(&r, key));
        CHECK_EQ_INT(seen, (long)apitest_num(&plain, key)); /* same draws */
    }
    apitest_free(&r);
    apitest_free(&plain);
    ctx.limits.max_memory = 10;
    r = apitest_post(&ctx, path, "{\"shots\":11,\"memory\":true}");
    CHECK_EQ_INT(r.resp.status, 422);
    CHECK(apitest_has_pointer(&r, "/memory"));
    apitest_free(&r);
    ctx.limits.max_memory = 65536;
}

/* A state of more qubits than core/qstate.h acts on (possible only with
 * --max-dimension raised past 2^30) is refused before any qubit list is
 * read into an array of QSTATE_MAX_QUBITS entries. */
TEST(states_of_more_qubits_than_qstate_takes_are_refused)
{
    api_limits limits;
    api_limits_default(&limits);
    api_err err;
    api_err_init(&err);
    api_in in = {&limits, NULL, &err};
    int n = -1;
    CHECK(api_state_qubits(&in, (size_t)1 << QSTATE_MAX_QUBITS, "/state", &n));
    CHECK_EQ_INT(n, QSTATE_MAX_QUBITS);
    CHECK(!api_state_qubits(&in, (size_t)1 << (QSTATE_MAX_QUBITS + 1),
                            "/state", &n));
    const json_t *item = json_array_get(err.errors, 0);
    CHECK_STR(json_string_value(json_object_get(item, "pointer")), "/state");
    CHECK_STR(json_string_value(json_object_get(item, "message")),
              "has 31 qubits; quantum operations act on at most 30");
    api_err_clear(&err);
}
