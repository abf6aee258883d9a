/* tests/api/test_out_of_memory.c - the allocation policy (core/mem.h)
 * held to its word: every allocation of MEM_SMALL bytes or more that
 * handling a request makes, failed in turn, ends in a 503 with Retry-After
 * or in the very answer the request gets without the failure; never a
 * crash, a 500, a wrong answer or a leak (the ASan+UBSan build runs this
 * too).
 *
 * The link wraps malloc, calloc and realloc (-Wl,--wrap, see the
 * Makefile): every call from psinet's code and from jansson (through
 * json/alloc.c) comes here first. The requests are large enough that each
 * allocation whose size they decide is at least MEM_SMALL; smaller ones
 * are the policy's to abort on, and are never failed. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/mem.h"
#include "json/pjson.h"
#include "tests/api/apitest.h"
#include "tests/testlib.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t count, size_t size);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t count, size_t size);
void *__wrap_realloc(void *p, size_t n);

/* The allocation of MEM_SMALL bytes or more to fail, counting from 0
 * after arming; -1: none. One fails, then the shim is disarmed. */
static long countdown = -1;
static bool fired;

static bool fail_now(size_t n)
{
    if (countdown < 0 || n < MEM_SMALL || countdown-- > 0)
        return false;
    countdown = -1;
    fired = true;
    return true;
}

void *__wrap_malloc(size_t n)
{
    return fail_now(n) ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t count, size_t size)
{
    size_t n = size && count > (size_t)-1 / size ? (size_t)-1 : count * size;
    return fail_now(n) ? NULL : __real_calloc(count, size);
}

void *__wrap_realloc(void *p, size_t n)
{
    return fail_now(n) ? NULL : __real_realloc(p, n);
}

static api_ctx ctx;
static char network_id[64], superposition_id[64];

/* Whether the last streamed answer handled failed after its first part
 * (the client would see it cut short). */
static bool last_cut;

/* The whole body of a streamed answer, drained with the shim still armed
 * (the buffer itself is never failed); *cut when the stream failed. */
static char *drain(api_stream *s, size_t *len, bool *cut)
{
    size_t cap = 1 << 16;
    char *all = __real_malloc(cap);
    const char *data;
    size_t n;
    api_stream_state state;
    *len = 0;
    while ((state = api_stream_next(s, &data, &n)) == API_STREAM_PART) {
        while (*len + n + 1 > cap)
            all = __real_realloc(all, cap *= 2);
        memcpy(all + *len, data, n);
        *len += n;
    }
    all[*len] = '\0';
    *cut = state == API_STREAM_FAILED;
    return all;
}

/* A JSON array of n numbers, "[0.5,1.5,...]"; malloc'd. */
static char *numbers(size_t n, double start)
{
    char *text = malloc(n * 24 + 3);
    size_t len = 0;
    text[len++] = '[';
    for (size_t i = 0; i < n; i++)
        len += (size_t)sprintf(text + len, "%s%g", i ? "," : "",
                               start + (double)(i % 97) * 0.25 - 12);
    text[len++] = ']';
    text[len] = '\0';
    return text;
}

/* A JSON matrix of rows arrays of cols numbers; malloc'd. */
static char *matrix(size_t rows, size_t cols)
{
    char *text = malloc(rows * (cols * 24 + 3) + 3);
    size_t len = 0;
    text[len++] = '[';
    for (size_t j = 0; j < rows; j++) {
        char *row = numbers(cols, (double)j * 0.01);
        len += (size_t)sprintf(text + len, "%s%s", j ? "," : "", row);
        free(row);
    }
    text[len++] = ']';
    text[len] = '\0';
    return text;
}

/* The request, handled and its body written, with the shim armed at
 * allocation k (-1: not armed); returns the status, whether the shim
 * fired, whether the answer is a proper 503, and the body (malloc'd, into
 * *text when text is not NULL). A query string is up to four parameters,
 * "?key=value&key=value". */
static int handle_failing_at(long k, const char *method, const char *path,
                             const char *body, bool *was_fired, bool *ok503,
                             char **text_out)
{
    char bare[256];
    api_query_param query[4];
    size_t query_count = 0;
    snprintf(bare, sizeof bare, "%s", path);
    char *q = strchr(bare, '?');
    if (q)
        *q++ = '\0';
    for (char *part = q; part && query_count < 4;) {
        char *next = strchr(part, '&');
        if (next)
            *next++ = '\0';
        char *eq = strchr(part, '=');
        if (eq)
            *eq = '\0';
        query[query_count++] = (api_query_param){part, eq ? eq + 1 : NULL};
        part = next;
    }
    api_request req = {
        .method = method,
        .path = bare,
        .query = query,
        .query_count = query_count,
        .content_type = body ? "application/json" : NULL,
        .body = body,
        .body_len = body ? strlen(body) : 0,
    };
    api_response resp;
    fired = false;
    countdown = k;
    api_handle(&ctx, &req, &resp);
    size_t len;
    last_cut = false;
    char *text = resp.stream ? drain(resp.stream, &len, &last_cut)
                             : api_response_body(&resp, &len);
    countdown = -1;
    *was_fired = fired;
    /* A 503 says so: problem+json, Retry-After, status 503 in the body. */
    json_t *problem = text ? json_loadb(text, len, 0, NULL) : NULL;
    *ok503 = resp.status == 503 &&
             api_response_get_header(&resp, "Retry-After") != NULL &&
             resp.content_type &&
             strcmp(resp.content_type, "application/problem+json") == 0 &&
             json_integer_value(json_object_get(problem, "status")) == 503;
    json_decref(problem);
    if (text_out)
        *text_out = text;
    else
        free(text);
    int status = resp.status;
    api_response_free(&resp);
    return status;
}

/* Fails each allocation of the request in turn, from the first until one
 * run makes no more; every answer must be a proper 503 or the normal one,
 * byte for byte when `same` (the request's answer does not change from run
 * to run: no new id, no new row in a list). A streamed answer that fails
 * after its first part cannot change its status any more: its body must
 * then be the start of the normal one, cut short. */
static void check_each_failure(const char *method, const char *path,
                               const char *body, int ok_status, bool same)
{
    long k = 0;
    int bad = 0;
    bool unused_fired, unused_503;
    char *normal = NULL;
    handle_failing_at(-1, method, path, body, &unused_fired, &unused_503,
                      &normal);
    for (;; k++) {
        bool was_fired, ok503;
        char *text = NULL;
        int status = handle_failing_at(k, method, path, body, &was_fired,
                                       &ok503, &text);
        if (last_cut) {
            if (!(was_fired && normal && text &&
                  strncmp(normal, text, strlen(text)) == 0) &&
                bad++ < 5)
                test_check(false, __FILE__, __LINE__,
                           "%s %s, allocation %ld failed: a stream cut "
                           "short that is not the start of the normal one",
                           method, path, k);
            free(text);
            continue;
        }
        if (same && status == ok_status &&
            !(normal && text && strcmp(normal, text) == 0) && bad++ < 5)
            test_check(false, __FILE__, __LINE__,
                       "%s %s, allocation %ld failed: a %d unlike the "
                       "normal answer",
                       method, path, k, status);
        free(text);
        if (!was_fired) {
            test_check(status == ok_status, __FILE__, __LINE__,
                       "%s %s: %d without a failure, expected %d", method,
                       path, status, ok_status);
            break;
        }
        if (status != ok_status && !ok503 && bad++ < 5)
            test_check(false, __FILE__, __LINE__,
                       "%s %s, allocation %ld failed: %d, not a 503 with "
                       "Retry-After or %d",
                       method, path, k, status, ok_status);
    }
    free(normal);
    printf("%s %s: %ld allocations failed in turn\n", method, path, k);
    test_check(k > 0, __FILE__, __LINE__,
               "%s %s made no allocation of %d bytes or more", method, path,
               MEM_SMALL);
}

/* Stores what the requests on stored resources use (the shim disarmed). */
__attribute__((constructor(101))) static void setup(void)
{
    store_status st;
    char err[256];
    ctx = apitest_ctx(store_open(":memory:", 1, 1000, &st, err, sizeof err));
    char *amps = numbers(1024, 1), *w = matrix(64, 64), *body;
    size_t cap = 2 * strlen(w) + strlen(amps) + 256;
    body = malloc(cap);
    snprintf(body, cap, "{\"amplitudes\":%s}", amps);
    apitest_result r = apitest_post(&ctx, "/v1/superpositions", body);
    snprintf(superposition_id, sizeof superposition_id, "%s",
             json_string_value(apitest_get(&r, "id")));
    apitest_free(&r);
    snprintf(body, cap,
             "{\"layers\":[{\"weights\":%s,\"activation\":\"tanh\"},"
             "{\"weights\":%s,\"activation\":\"softmax\"}]}",
             w, w);
    r = apitest_post(&ctx, "/v1/networks", body);
    snprintf(network_id, sizeof network_id, "%s",
             json_string_value(apitest_get(&r, "id")));
    apitest_free(&r);
    free(body);
    free(amps);
    free(w);
}

__attribute__((destructor)) static void teardown(void)
{
    store_close(ctx.db);
}

TEST(stateless_requests_answer_503_or_their_answer)
{
    char *amps = numbers(1024, 1), *w = matrix(64, 64), *batch = matrix(64, 64);
    size_t cap = strlen(w) + strlen(batch) + strlen(amps) + 256;
    char *body = malloc(cap);
    snprintf(body, cap, "{\"amplitudes\":%s}", amps);
    check_each_failure("POST", "/v1/superpositions/normalize", body, 200,
                       true);
    snprintf(body, cap, "{\"amplitudes\":%s,\"encoding\":\"b64\"}", amps);
    check_each_failure("POST", "/v1/superpositions/normalize", body, 200,
                       true);
    snprintf(body, cap,
             "{\"weights\":%s,\"activation\":\"sigmoid\",\"inputs\":%s}", w,
             batch);
    check_each_failure("POST", "/v1/layers/forward", body, 200, true);
    /* the same numbers as a complex layer's amplitudes */
    snprintf(body, cap,
             "{\"complex\":true,\"weights\":%s,\"activation\":\"cardioid\","
             "\"inputs\":%s,\"encoding\":\"b64\"}",
             w, batch);
    check_each_failure("POST", "/v1/layers/forward", body, 200, true);
    free(body);
    free(amps);
    free(w);
    free(batch);
}

TEST(binary_bodies_answer_503_or_their_answer)
{
    /* 512 amplitudes in base64, lifted out of the body before it is
     * parsed */
    double complex c[512];
    for (int i = 0; i < 512; i++)
        c[i] = CMPLX(i * 0.5 - 100, i % 3);
    json_t *amps = pjson_amplitudes(c, 512, true);
    json_t *v = json_pack("{s:o}", "amplitudes", amps);
    char *body = json_dumps(v, JSON_COMPACT);
    check_each_failure("POST", "/v1/superpositions/normalize", body, 200,
                       true);
    free(body);
    json_decref(v);
}

TEST(stored_resources_answer_503_or_their_answer)
{
    char *amps = numbers(1024, 3), *labels = malloc(1024 * 8 + 3);
    size_t len = 0;
    labels[len++] = '[';
    for (int i = 0; i < 1024; i++)
        len += (size_t)sprintf(labels + len, "%s\"L%d\"", i ? "," : "", i);
    labels[len++] = ']';
    labels[len] = '\0';
    char *batch = matrix(64, 64);
    size_t cap = strlen(amps) + strlen(labels) + strlen(batch) + 1024;
    char *body = malloc(cap), path[128];
    snprintf(body, cap, "{\"amplitudes\":%s,\"labels\":%s}", amps, labels);
    check_each_failure("POST", "/v1/superpositions", body, 201, false);
    snprintf(path, sizeof path, "/v1/superpositions/%s", superposition_id);
    check_each_failure("GET", path, NULL, 200, true);
    snprintf(path, sizeof path, "/v1/superpositions/%s/measure",
             superposition_id);
    check_each_failure("POST", path, "{\"shots\":10000,\"seed\":1}", 200,
                       true);
    check_each_failure("GET", "/v1/superpositions?limit=500", NULL, 200,
                       false);
    snprintf(path, sizeof path, "/v1/networks/%s?include=weights",
             network_id);
    check_each_failure("GET", path, NULL, 200, true);
    snprintf(path, sizeof path, "/v1/networks/%s/forward", network_id);
    snprintf(body, cap, "{\"inputs\":%s,\"trace\":true}", batch);
    check_each_failure("POST", path, body, 200, true);
    free(batch);
    free(body);
    free(amps);
    free(labels);
}

TEST(experiments_answer_503_or_their_answer)
{
    char *amps = numbers(1024, 1), *w = matrix(16, 1024);
    size_t cap = strlen(w) + strlen(amps) + 512;
    char *body = malloc(cap);
    snprintf(body, cap,
             "{\"name\":\"n\",\"kind\":\"neuron_activation\",\"params\":"
             "{\"amplitudes\":%s,\"weights\":%s,\"activation\":\"tanh\"}}",
             amps, w);
    check_each_failure("POST", "/v1/experiments", body, 201, false);
    /* What a failed write left behind reads back whole (pjson_write once
     * returned text cut short when its buffer could not grow). */
    check_each_failure("GET", "/v1/experiments", NULL, 200, false);
    char *x = numbers(64, 0);
    snprintf(body, cap,
             "{\"name\":\"l\",\"kind\":\"layer_superposition\",\"params\":"
             "{\"network_id\":\"%s\",\"input\":%s,\"shots\":1000,"
             "\"seed\":3}}",
             network_id, x);
    check_each_failure("POST", "/v1/experiments", body, 201, false);
    check_each_failure("GET", "/v1/experiments", NULL, 200, false);
    snprintf(body, cap,
             "{\"name\":\"c\",\"kind\":\"layer_superposition\",\"params\":"
             "{\"layer\":{\"complex\":true,\"weights\":%s,"
             "\"activation\":\"modrelu\",\"params\":{\"b\":-1}},"
             "\"input\":%s,\"shots\":1000,\"seed\":3}}",
             w, amps);
    check_each_failure("POST", "/v1/experiments", body, 201, false);
    /* The export: a failure in the first page is a 503; a later one cuts
     * the stream (300 more experiments make a second page). */
    for (int i = 0; i < 300; i++) {
        apitest_result r = apitest_post(
            &ctx, "/v1/experiments",
            "{\"name\":\"small\",\"kind\":\"neuron_activation\","
            "\"params\":{\"amplitudes\":[1],\"weights\":[[1]],"
            "\"activation\":\"relu\"}}");
        apitest_free(&r);
    }
    check_each_failure("GET", "/v1/experiments/export", NULL, 200, true);
    /* CSV of the small ones only, over both pages: its writer allocates
     * per row, and failing each allocation of an export of the large ones
     * in turn would cost minutes, not more coverage. */
    check_each_failure("GET",
                       "/v1/experiments/export?format=csv&name=small", NULL,
                       200, true);
    free(x);
    free(body);
    free(amps);
    free(w);
}

TEST(collapse_propagation_answers_503_or_its_answer)
{
    /* 600 neurons collapsed: the shots' work arrays, the counts and each
     * draw's table are all of MEM_SMALL bytes or more */
    char *w0 = matrix(600, 1), *w1 = matrix(2, 600);
    size_t cap = strlen(w0) + strlen(w1) + 512;
    char *body = malloc(cap);
    snprintf(body, cap,
             "{\"name\":\"c\",\"kind\":\"collapse_propagation\","
             "\"params\":{\"layers\":[{\"weights\":%s,\"activation\":"
             "\"tanh\"},{\"weights\":%s,\"activation\":\"softmax\"}],"
             "\"input\":[0.3],\"mapping\":\"softmax_sqrt\","
             "\"collapse\":\"keep\",\"shots\":20,\"seed\":3}}",
             w0, w1);
    check_each_failure("POST", "/v1/experiments", body, 201, false);
    check_each_failure("GET", "/v1/experiments", NULL, 200, false);
    free(body);
    free(w0);
    free(w1);
}

/* The id of the experiment body makes (the shim disarmed), into id. */
static void create_experiment(const char *body, char *id, size_t size)
{
    apitest_result r = apitest_post(&ctx, "/v1/experiments", body);
    CHECK_EQ_INT(r.resp.status, 201);
    snprintf(id, size, "%s", json_string_value(apitest_get(&r, "id")));
    apitest_free(&r);
}

TEST(reruns_answer_503_or_their_answer)
{
    char *amps = numbers(1024, 2), *w = matrix(16, 1024), *x = numbers(64, 0);
    size_t cap = strlen(w) + strlen(amps) + 512;
    char *body = malloc(cap), id[64], path[128], sup[64];
    /* identical, through a stored network and a drawn seed */
    snprintf(body, cap,
             "{\"name\":\"l\",\"kind\":\"layer_superposition\",\"params\":"
             "{\"network_id\":\"%s\",\"input\":%s,\"shots\":1000}}",
             network_id, x);
    create_experiment(body, id, sizeof id);
    snprintf(path, sizeof path, "/v1/experiments/%s/rerun", id);
    check_each_failure("POST", path, NULL, 200, true);

    /* different: its superposition normalized since, so the walk runs */
    snprintf(body, cap, "{\"amplitudes\":%s,\"normalize\":false}", amps);
    apitest_result r = apitest_post(&ctx, "/v1/superpositions", body);
    snprintf(sup, sizeof sup, "%s", json_string_value(apitest_get(&r, "id")));
    apitest_free(&r);
    snprintf(body, cap,
             "{\"name\":\"n\",\"kind\":\"neuron_activation\",\"params\":"
             "{\"superposition_id\":\"%s\",\"weights\":%s,"
             "\"activation\":\"tanh\"}}",
             sup, w);
    create_experiment(body, id, sizeof id);
    snprintf(path, sizeof path, "/v1/superpositions/%s/normalize", sup);
    r = apitest_post(&ctx, path, "{}");
    CHECK_EQ_INT(r.resp.status, 200);
    apitest_free(&r);
    snprintf(path, sizeof path, "/v1/experiments/%s/rerun", id);
    r = apitest_post(&ctx, path, NULL);
    CHECK(json_is_false(apitest_get(&r, "identical")));
    CHECK_STR(json_string_value(apitest_get(&r, "difference/pointer")),
              "/result/neurons/0/pre_activation");
    apitest_free(&r);
    check_each_failure("POST", path, NULL, 200, true);
    free(x);
    free(body);
    free(amps);
    free(w);
}

/* A JSON permutation matrix of n rows (unitary), reversing the index. */
static char *reversal(size_t n)
{
    char *text = malloc(n * (n * 2 + 3) + 3);
    size_t len = 0;
    text[len++] = '[';
    for (size_t r = 0; r < n; r++) {
        text[len++] = r ? ',' : '[';
        if (r)
            text[len++] = '[';
        for (size_t c = 0; c < n; c++)
            len += (size_t)sprintf(text + len, "%s%d", c ? "," : "",
                                   c == n - 1 - r);
        text[len++] = ']';
    }
    text[len++] = ']';
    text[len] = '\0';
    return text;
}

TEST(quantum_operations_answer_503_or_their_answer)
{
    /* The stored state has 1024 amplitudes: 10 qubits. */
    char *u = reversal(64), path[160];
    size_t cap = strlen(u) + 1024;
    char *body = malloc(cap);
    snprintf(body, cap,
             "{\"state\":{\"id\":\"%s\"},\"store\":false,\"operations\":["
             "{\"gate\":\"h\",\"qubits\":[0]},{\"gate\":\"cx\",\"qubits\":"
             "[9,2]},{\"gate\":\"unitary\",\"qubits\":[1,8,3,0,5,7],"
             "\"matrix\":%s}]}",
             superposition_id, u);
    check_each_failure("POST", "/v1/superpositions/apply", body, 200, true);
    snprintf(body, cap,
             "{\"state\":{\"id\":\"%s\"},\"operations\":[{\"gate\":\"u\","
             "\"qubits\":[4],\"params\":[1,2,3]}]}",
             superposition_id);
    check_each_failure("POST", "/v1/superpositions/apply", body, 201, false);
    snprintf(path, sizeof path, "/v1/superpositions/%s/collapse",
             superposition_id);
    check_each_failure("POST", path,
                       "{\"qubits\":[0,3,9],\"seed\":2,\"store\":false}", 200,
                       true);
    /* every amplitude: the sampler's cumulative sums are 8 KiB (a 422
     * "zero vector" once answered their failure) */
    check_each_failure("POST", path, "{\"seed\":2,\"store\":false}", 200,
                       true);
    check_each_failure("POST", path, "{\"seed\":2}", 201, false);
    snprintf(path, sizeof path, "/v1/superpositions/%s/measure",
             superposition_id);
    check_each_failure("POST", path,
                       "{\"shots\":10000,\"seed\":1,\"memory\":true,"
                       "\"qubits\":[0,5]}",
                       200, true);
    snprintf(body, cap, "{\"a\":{\"id\":\"%s\"},\"b\":{\"id\":\"%s\"}}",
             superposition_id, superposition_id);
    check_each_failure("POST", "/v1/superpositions/compare", body, 200, true);
    snprintf(body, cap, "{\"a\":{\"basis\":\"01\"},\"b\":{\"id\":\"%s\"}}",
             superposition_id);
    check_each_failure("POST", "/v1/superpositions/tensor", body, 200, true);
    snprintf(body, cap,
             "{\"state\":{\"id\":\"%s\"},\"paulis\":[\"XYZIIIIIIZ\","
             "\"ZZZZZZZZZZ\",\"IIIIIIIIIX\"]}",
             superposition_id);
    check_each_failure("POST", "/v1/superpositions/expectation", body, 200,
                       true);
    /* an inline state, every kind of operation */
    snprintf(body, cap,
             "{\"state\":{\"basis\":\"0000000000\"},\"operations\":["
             "{\"gate\":\"h\",\"qubits\":[0]},"
             "{\"gate\":\"cx\",\"qubits\":[0,9]},"
             "{\"gate\":\"u\",\"qubits\":[3],\"params\":[0.1,0.2,0.3]},"
             "{\"gate\":\"unitary\",\"qubits\":[5,2],\"matrix\":"
             "[[0,1,0,0],[1,0,0,0],[0,0,0,1],[0,0,1,0]]}],"
             "\"store\":false}");
    check_each_failure("POST", "/v1/superpositions/apply", body, 200, true);
    free(body);
    free(u);
}
