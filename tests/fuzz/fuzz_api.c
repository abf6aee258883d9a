/* tests/fuzz/fuzz_api.c - libFuzzer target: arbitrary bytes as the body of
 * every POST and PATCH handler, through api_handle with no socket.
 *
 * The first byte picks the route; the rest is the body. A superposition, a
 * network and an experiment exist from the start (in an in-memory
 * database), so the routes with an {id} reach their handlers. Any 500 is a
 * bug and aborts, and so is an experiment stored from a fuzzed body that
 * does not rerun identical; ASan, UBSan and LeakSanitizer report everything
 * else.
 *
 *   make fuzz                   # FUZZ_SECONDS (default 300) of fuzzing
 *   build/fuzz/fuzz_api CRASH   # replay one input */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static api_ctx ctx;
static char paths[24][96];
static const char *methods[24];
static size_t route_count;

/* Calls api_handle; returns the status and, when wanted, the body. */
static int call(const char *method, const char *path, const char *body,
                size_t len, char **out)
{
    api_request req = {.method = method,
                       .path = path,
                       .content_type = "application/json",
                       .body = body,
                       .body_len = len};
    api_response resp;
    api_handle(&ctx, &req, &resp);
    size_t n;
    char *text = api_response_body(&resp, &n);
    if (out)
        *out = text;
    else
        free(text);
    int status = resp.status;
    api_response_free(&resp);
    return status;
}

/* The "id" of a 201 body (a static buffer). */
static const char *created_id(const char *method, const char *path,
                              const char *body)
{
    static char id[64];
    char *text = NULL;
    if (call(method, path, body, strlen(body), &text) != 201 || !text) {
        fprintf(stderr, "fuzz setup: %s %s failed: %s\n", method, path,
                text ? text : "");
        exit(1);
    }
    const char *p = strstr(text, "\"id\":\"");
    snprintf(id, sizeof id, "%.24s", p ? p + 6 : "");
    free(text);
    return id;
}

/* Adds route prefix + id + suffix. */
static void add(const char *method, const char *prefix, const char *id,
                const char *suffix)
{
    methods[route_count] = method;
    snprintf(paths[route_count], sizeof paths[route_count], "%s%s%s", prefix,
             id, suffix);
    route_count++;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    store_status st;
    char err[256];
    ctx.version = "fuzz";
    api_init();
    api_limits_default(&ctx.limits);
    /* Small limits keep each input fast; the checks are the same. */
    ctx.limits.max_dimension = 4096;
    ctx.limits.max_matrix = 1 << 16;
    ctx.limits.max_batch = 64;
    ctx.limits.max_layers = 8;
    ctx.limits.max_shots = 10000;
    ctx.limits.max_collapse_work = 1 << 20;
    ctx.db = store_open(":memory:", 1, 100, &st, err, sizeof err);
    if (!ctx.db) {
        fprintf(stderr, "fuzz setup: %s\n", err);
        exit(1);
    }
    add("POST", "/v1/superpositions/normalize", "", "");
    add("POST", "/v1/layers/forward", "", "");
    add("POST", "/v1/superpositions", "", "");
    add("POST", "/v1/networks", "", "");
    add("POST", "/v1/experiments", "", "");
    const char *sup = created_id("POST", "/v1/superpositions",
                                 "{\"amplitudes\":[1,[0,1],2]}");
    add("POST", "/v1/superpositions/", sup, "/normalize");
    add("POST", "/v1/superpositions/", sup, "/measure");
    add("POST", "/v1/superpositions/", sup, "/collapse");
    /* A state of qubits, for the operations that act on them. */
    const char *qubits = created_id("POST", "/v1/superpositions",
                                    "{\"amplitudes\":[1,[0,1],2,0,0,1,0,3]}");
    add("POST", "/v1/superpositions/", qubits, "/collapse");
    add("POST", "/v1/superpositions/", qubits, "/measure");
    add("POST", "/v1/superpositions/apply", "", "");
    add("POST", "/v1/superpositions/compare", "", "");
    add("POST", "/v1/superpositions/tensor", "", "");
    add("POST", "/v1/superpositions/expectation", "", "");
    const char *net = created_id(
        "POST", "/v1/networks",
        "{\"layers\":[{\"weights\":[[1,2],[3,4]],\"activation\":\"tanh\"},"
        "{\"weights\":[[1,-1]],\"activation\":\"identity\"}]}");
    add("POST", "/v1/networks/", net, "/forward");
    const char *exp = created_id(
        "POST", "/v1/experiments",
        "{\"name\":\"f\",\"kind\":\"neuron_activation\",\"params\":"
        "{\"amplitudes\":[1,0],\"weights\":[[1,1]],\"activation\":\"relu\"}}");
    add("PATCH", "/v1/experiments/", exp, "");
    return 0;
}

/* An experiment the fuzzer got stored (text: the 201's body) must rerun
 * identical, byte for byte; it is then deleted, so the database stays
 * small. */
static void check_rerun(const char *text)
{
    const char *p = strstr(text, "\"id\":\"");
    char path[96], *answer = NULL;
    snprintf(path, sizeof path, "/v1/experiments/%.24s/rerun", p ? p + 6 : "");
    int status = call("POST", path, NULL, 0, &answer);
    if (status == 200 && answer &&
        !strstr(answer, "\"identical\":true")) {
        fprintf(stderr, "%s: not identical: %s\nof %s\n", path, answer,
                text);
        abort();
    }
    free(answer);
    path[strlen(path) - strlen("/rerun")] = '\0';
    call("DELETE", path, NULL, 0, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t r = data[0] % route_count;
    bool creates = strcmp(paths[r], "/v1/experiments") == 0;
    char *text = NULL;
    int status = call(methods[r], paths[r], (const char *)data + 1, size - 1,
                      creates ? &text : NULL);
    if (status >= 500 && status != 503) {
        fprintf(stderr, "%s %s answered %d\n", methods[r], paths[r], status);
        abort();
    }
    if (creates && status == 201 && text)
        check_rerun(text);
    free(text);
    return 0;
}
