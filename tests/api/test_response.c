/* tests/api/test_response.c - responses and the per-request arena
 * (json/alloc.c) as api_handle uses them. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "tests/api/apitest.h"
#include "tests/testlib.h"

TEST(responses_live_until_the_last_is_freed)
{
    /* Two responses of one thread built before either is freed: the first
     * free must not take the second's memory away (ASan would see it). */
    api_ctx ctx = apitest_ctx(NULL);
    apitest_result a = apitest_post(&ctx, "/v1/superpositions/normalize",
                                    "{\"amplitudes\":[3,4]}");
    apitest_result b = apitest_post(&ctx, "/v1/superpositions/normalize",
                                    "{\"amplitudes\":[1,[0,1]]}");
    apitest_free(&a);
    size_t len;
    char *text = api_response_body(&b.resp, &len);
    CHECK(text && strstr(text, "\"norm\":1.4142135623730951"));
    free(text);
    apitest_free(&b);
    /* Outside a request, jansson's values are plain malloc'd ones. */
    json_t *v = json_pack("{s:[i,i]}", "k", 1, 2);
    CHECK(v != NULL);
    json_decref(v);
}
