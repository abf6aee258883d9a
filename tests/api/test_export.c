/* tests/api/test_export.c - GET /v1/experiments/export through
 * api_handle: the stream's parts against the list, page after page; the
 * filter outliving the request it came in; a failure after the first
 * part. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "store/experiment.h"
#include "tests/api/apitest.h"
#include "tests/testlib.h"

#define COUNT 300 /* more than one page of the export (256 rows) */

static api_ctx ctx;

static const char NEURON[] =
    "{\"name\":\"n%d, \\\"q\\\"\",\"kind\":\"neuron_activation\","
    "\"tags\":[\"t%d\"],\"params\":{\"amplitudes\":[0.6,0.8],"
    "\"weights\":[[1,0],[0,1]],\"activation\":\"relu\"}}";
static const char SUPERPOSITION[] =
    "{\"name\":\"s%d\",\"kind\":\"layer_superposition\",\"params\":{"
    "\"layer\":{\"weights\":[[1,0],[0,1]],\"activation\":\"identity\"},"
    "\"input\":[0.6,0.8],\"shots\":10,\"seed\":%d}}";

/* The whole body of a streamed answer (malloc'd, NUL-terminated), the
 * number of parts in *parts and the final state in *state. */
static char *drain(api_stream *s, size_t *parts, api_stream_state *state)
{
    size_t len = 0, cap = 1 << 16;
    char *all = malloc(cap);
    const char *data;
    size_t n;
    *parts = 0;
    while ((*state = api_stream_next(s, &data, &n)) == API_STREAM_PART) {
        (*parts)++;
        CHECK(n > 0);
        while (len + n + 1 > cap)
            all = realloc(all, cap *= 2);
        memcpy(all + len, data, n);
        len += n;
    }
    all[len] = '\0';
    return all;
}

static size_t count_of(const char *text, const char *line_end)
{
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, line_end)) != NULL;
         p += strlen(line_end))
        n++;
    return n;
}

TEST(setup)
{
    store_status st;
    char err[256];
    ctx = apitest_ctx(store_open(":memory:", 1, 1000, &st, err, sizeof err));
    CHECK(ctx.db != NULL);
    for (int i = 0; i < COUNT; i++) {
        char body[512];
        snprintf(body, sizeof body, i % 3 ? NEURON : SUPERPOSITION, i,
                 i % 5);
        apitest_result r = apitest_post(&ctx, "/v1/experiments", body);
        CHECK(r.resp.status == 201);
        apitest_free(&r);
    }
}

TEST(ndjson_is_the_list_line_by_line)
{
    apitest_result r = apitest_call(&ctx, "GET", "/v1/experiments/export",
                                    NULL, NULL);
    CHECK(r.resp.status == 200 && r.resp.stream);
    CHECK(strcmp(r.resp.content_type, "application/x-ndjson") == 0);
    CHECK(r.body == NULL); /* no JSON body: parts */
    size_t parts;
    api_stream_state state;
    char *text = drain(r.resp.stream, &parts, &state);
    apitest_free(&r);
    CHECK(state == API_STREAM_END);
    CHECK(parts == 2); /* a page of 256, then the rest */
    CHECK(count_of(text, "\n") == COUNT);
    apitest_result page =
        apitest_call(&ctx, "GET", "/v1/experiments?limit=500", NULL, NULL);
    json_t *items = json_object_get(page.body, "items");
    CHECK(json_array_size(items) == COUNT);
    char *line = text;
    for (size_t i = 0; i < COUNT && line; i++) {
        char *end = strchr(line, '\n');
        json_t *v = end ? json_loadb(line, (size_t)(end - line), 0, NULL)
                        : NULL;
        if (!CHECK(v && json_equal(v, json_array_get(items, i))))
            fprintf(stderr, "  line %zu differs from item %zu\n", i, i);
        json_decref(v);
        line = end ? end + 1 : NULL;
    }
    apitest_free(&page);
    free(text);
}

TEST(csv_has_a_header_and_a_quoted_row_per_experiment)
{
    apitest_result r = apitest_call(
        &ctx, "GET", "/v1/experiments/export?format=csv", NULL, NULL);
    CHECK(r.resp.status == 200 && r.resp.stream);
    CHECK(strcmp(r.resp.content_type,
                 "text/csv; charset=utf-8; header=present") == 0);
    size_t parts;
    api_stream_state state;
    char *text = drain(r.resp.stream, &parts, &state);
    apitest_free(&r);
    CHECK(state == API_STREAM_END);
    CHECK(count_of(text, "\r\n") == COUNT + 1);
    CHECK(count_of(text, "\n") == COUNT + 1); /* no bare newline */
    CHECK(strncmp(text,
                  "id,name,kind,created_at,updated_at,tags,notes,"
                  "layer_superposition.network_id,"
                  "layer_superposition.mapping,",
                  76) == 0);
    /* the newest, n299: its name and tags quoted, quotes doubled; the
     * other kinds' columns empty; relu and the correlation (1: the
     * activations are the probabilities' square roots, in order) */
    const char *row = strstr(text, "\r\n") + 2;
    const char *name = strchr(row, ',') + 1;
    const char *quoted = "\"n299, \"\"q\"\"\",neuron_activation,";
    CHECK(strncmp(name, quoted, strlen(quoted)) == 0);
    const char *end = strstr(row, "\r\n");
    const char *want =
        "\"[\"\"t4\"\"]\",,,,,,,,,,,,,relu,,1.0,,,,,,,,,,\r\n";
    CHECK((size_t)(end + 2 - row) > strlen(want) &&
          strncmp(end + 2 - strlen(want), want, strlen(want)) == 0);
    /* s297: the superposition's columns; the default mapping written */
    const char *s = strstr(text, ",s297,layer_superposition,");
    CHECK(s && strstr(s, ",[],,,l2,10,2,") != NULL); /* seed: 297 % 5 */
    free(text);
}

TEST(the_filter_outlives_the_request_it_came_in)
{
    apitest_result r = apitest_call(
        &ctx, "GET", "/v1/experiments/export?kind=neuron_activation&tag=t1",
        NULL, NULL);
    CHECK(r.resp.status == 200 && r.resp.stream);
    /* the request's query strings are gone (apitest reuses its buffers) */
    apitest_result other = apitest_call(
        &ctx, "GET", "/v1/experiments?kind=layer_superposition&tag=t2",
        NULL, NULL);
    apitest_free(&other);
    size_t parts;
    api_stream_state state;
    char *text = drain(r.resp.stream, &parts, &state);
    apitest_free(&r);
    CHECK(state == API_STREAM_END);
    /* i % 5 == 1 and i % 3 != 0: i = 1, 11, 16, 26, ... 40 of 300 */
    size_t n = count_of(text, "\n");
    CHECK(n == 40);
    CHECK(count_of(text, "\"kind\":\"neuron_activation\"") == n);
    CHECK(count_of(text, "\"tags\":[\"t1\"]") == n);
    free(text);
}

TEST(nothing_selected_is_no_part_or_the_header_alone)
{
    apitest_result r = apitest_call(
        &ctx, "GET", "/v1/experiments/export?name=nothing", NULL, NULL);
    size_t parts;
    api_stream_state state;
    char *text = drain(r.resp.stream, &parts, &state);
    CHECK(state == API_STREAM_END && parts == 0 && text[0] == '\0');
    apitest_free(&r);
    free(text);
    r = apitest_call(&ctx, "GET",
                     "/v1/experiments/export?name=nothing&format=csv"
                     "&kind=neuron_activation",
                     NULL, NULL);
    text = drain(r.resp.stream, &parts, &state);
    CHECK(state == API_STREAM_END && parts == 1);
    CHECK(strcmp(text, "id,name,kind,created_at,updated_at,tags,notes,"
                       "neuron_activation.superposition_id,"
                       "neuron_activation.activation,"
                       "neuron_activation.alpha,"
                       "neuron_activation.activation_probability_"
                       "correlation\r\n") == 0);
    apitest_free(&r);
    free(text);
}

TEST(errors_come_before_the_stream)
{
    const char *paths[] = {"/v1/experiments/export?format=xml",
                           "/v1/experiments/export?kind=nope",
                           "/v1/experiments/export?limit=5",
                           "/v1/experiments/export?created_before=soon"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        apitest_result r = apitest_call(&ctx, "GET", paths[i], NULL, NULL);
        CHECK(r.resp.status == 400 && r.resp.stream == NULL);
        CHECK(strcmp(r.resp.content_type, "application/problem+json") == 0);
        apitest_free(&r);
    }
    api_ctx none = apitest_ctx(NULL);
    apitest_result r =
        apitest_call(&none, "GET", "/v1/experiments/export", NULL, NULL);
    CHECK(r.resp.status == 503 && r.resp.stream == NULL);
    apitest_free(&r);
}

TEST(a_damaged_row_after_the_first_part_fails_the_stream)
{
    /* A store of its own: its oldest row one psinet could not have
     * written (params that are not JSON), read in the second page. */
    store_status st;
    char err[256];
    api_ctx damaged =
        apitest_ctx(store_open(":memory:", 1, 1000, &st, err, sizeof err));
    store_experiment e = {.name = "damaged", .kind = "neuron_activation",
                          .params_json = "{nope", .result_json = "{}"};
    CHECK(store_experiment_create(damaged.db, &e) == STORE_OK);
    for (int i = 0; i < COUNT; i++) {
        char body[512];
        snprintf(body, sizeof body, NEURON, i, i % 5);
        apitest_result r = apitest_post(&damaged, "/v1/experiments", body);
        apitest_free(&r);
    }
    apitest_result r = apitest_call(&damaged, "GET",
                                    "/v1/experiments/export", NULL, NULL);
    CHECK(r.resp.status == 200 && r.resp.stream);
    size_t parts;
    api_stream_state state;
    char *text = drain(r.resp.stream, &parts, &state);
    CHECK(state == API_STREAM_FAILED);
    CHECK(parts == 1 && count_of(text, "\n") == 256);
    CHECK(strstr(api_stream_error(r.resp.stream), "failed") != NULL);
    /* and it stays failed */
    const char *data;
    size_t n;
    CHECK(api_stream_next(r.resp.stream, &data, &n) == API_STREAM_FAILED &&
          n == 0);
    apitest_free(&r);
    free(text);
    /* in the first page, the same damage is an error before any part */
    r = apitest_call(&damaged, "GET", "/v1/experiments/export?name=damaged",
                     NULL, NULL);
    CHECK(r.resp.status == 503 && r.resp.stream == NULL);
    apitest_free(&r);
    store_close(damaged.db);
}

TEST(teardown)
{
    store_close(ctx.db);
}
