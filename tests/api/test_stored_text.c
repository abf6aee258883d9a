/* tests/api/test_stored_text.c - experiments' stored params and results
 * spliced into answers as the JSON text they were stored as (api/
 * experiments.c): every answer of the list, of a get and of a patch is the
 * answer psinet gave when it parsed that text and wrote it again, byte for
 * byte (the answer is its own parse written again: the parsed form, which
 * the old answers were, writes to these very bytes), for experiments of
 * both kinds holding numbers of every form and strings with escapes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "json/pjson.h"
#include "store/store.h"
#include "tests/api/apitest.h"
#include "tests/testlib.h"

static api_ctx ctx;

__attribute__((constructor(101))) static void setup(void)
{
    store_status st;
    char err[256];
    ctx = apitest_ctx(store_open(":memory:", 1, 1000, &st, err, sizeof err));
}

/* The bytes of an answer to method path body; checks the status. */
static char *answer(const char *method, const char *path, const char *body,
                    int status, size_t *len)
{
    api_request req = {.method = method,
                       .path = path,
                       .content_type = body ? "application/json" : NULL,
                       .body = body,
                       .body_len = body ? strlen(body) : 0};
    char query[64] = "";
    api_query_param q[2];
    const char *mark = strchr(path, '?');
    if (mark) { /* one "key=value" */
        snprintf(query, sizeof query, "%s", mark + 1);
        char *eq = strchr(query, '=');
        *eq = '\0';
        q[0] = (api_query_param){query, eq + 1};
        req.query = q;
        req.query_count = 1;
        static char bare[128];
        snprintf(bare, sizeof bare, "%.*s", (int)(mark - path), path);
        req.path = bare;
    }
    api_response resp;
    api_handle(&ctx, &req, &resp);
    char *bytes = api_response_body(&resp, len);
    test_check(resp.status == status, __FILE__, __LINE__,
               "%s %s: %d, expected %d: %.300s", method, path, resp.status,
               status, bytes ? bytes : "");
    api_response_free(&resp);
    return bytes;
}

/* Whether text is what parsing it and writing it again gives. */
static bool written_again_the_same(const char *text, size_t len)
{
    json_error_t jerr;
    json_t *v = json_loadb(text, len, 0, &jerr);
    size_t len2 = 0;
    char *again = v ? pjson_write(v, &len2) : NULL;
    bool same = again && len2 == len && memcmp(again, text, len) == 0;
    if (!same)
        test_check(false, __FILE__, __LINE__, "%.400s\n  written again:\n%.400s",
                   text, again ? again : "(did not parse)");
    free(again);
    json_decref(v);
    return same;
}

TEST(stored_text_is_spliced_as_it_was_written)
{
    static const char *const bodies[] = {
        "{\"name\":\"a \\\"quoted\\\" name \\u00e9\\u2603\",\"kind\":"
        "\"neuron_activation\",\"tags\":[\"x\",\"y\\\\z\"],\"params\":{"
        "\"amplitudes\":[0.6,0.8],\"weights\":[[1,0],[0,1]],"
        "\"activation\":\"sigmoid\"}}",
        "{\"name\":\"small numbers\",\"kind\":\"neuron_activation\","
        "\"params\":{\"amplitudes\":[1e-7,-0.0,3.0000000000000004,2],"
        "\"weights\":[[0.1,0.2,3e-300,-5e-324],[1,2,3,4]],"
        "\"bias\":[-0,1.5],\"activation\":\"tanh\"}}",
        "{\"name\":\"leaky\",\"kind\":\"neuron_activation\",\"params\":{"
        "\"amplitudes\":[1,2,3,4],\"weights\":[[1,2,3,4]],"
        "\"activation\":\"leaky_relu\",\"params\":{\"alpha\":0.01}}}",
        "{\"name\":\"layer\",\"kind\":\"layer_superposition\",\"params\":{"
        "\"layer\":{\"weights\":[[0.5,-1,2],[1e-3,0,7],[1,1,1],[2,2,2]],"
        "\"activation\":\"identity\"},\"input\":[1,2,3],\"shots\":20,"
        "\"seed\":7}}",
        "{\"name\":\"layer softmax\",\"kind\":\"layer_superposition\","
        "\"params\":{\"layer\":{\"weights\":[[0.5,-1],[1e-3,0]],"
        "\"bias\":[0.25,-0.125],\"activation\":\"tanh\"},\"input\":[1,2],"
        "\"mapping\":\"softmax_sqrt\"}}",
    };
    char ids[8][48];
    size_t n = sizeof bodies / sizeof *bodies;
    for (size_t i = 0; i < n; i++) {
        size_t len;
        char *text = answer("POST", "/v1/experiments", bodies[i], 201, &len);
        json_t *v = text ? json_loadb(text, len, 0, NULL) : NULL;
        const char *id = json_string_value(json_object_get(v, "id"));
        snprintf(ids[i], sizeof ids[i], "%.40s", id ? id : "");
        json_decref(v);
        free(text);
    }
    size_t len;
    char *list = answer("GET", "/v1/experiments?limit=50", NULL, 200, &len);
    CHECK(list && written_again_the_same(list, len));
    /* every item is there, with its params and result */
    for (size_t i = 0; i < n; i++)
        CHECK(list && strstr(list, ids[i]));
    CHECK(list && strstr(list, "\"weights\":[[0.1,0.2,3e-300,-5e-324],[1,2,3,4]]"));
    free(list);
    for (size_t i = 0; i < n; i++) {
        char path[128];
        snprintf(path, sizeof path, "/v1/experiments/%.40s", ids[i]);
        char *one = answer("GET", path, NULL, 200, &len);
        CHECK(one && written_again_the_same(one, len));
        free(one);
    }
    char path[128];
    snprintf(path, sizeof path, "/v1/experiments/%.40s", ids[0]);
    api_request req = {.method = "PATCH",
                       .path = path,
                       .content_type = "application/json",
                       .body = "{\"notes\":\"a \\\"note\\\" \\u00e9\"}"};
    req.body_len = strlen(req.body);
    api_response resp;
    api_handle(&ctx, &req, &resp);
    char *patched = api_response_body(&resp, &len);
    CHECK_EQ_INT(resp.status, 200);
    CHECK(patched && written_again_the_same(patched, len));
    free(patched);
    api_response_free(&resp);
}
