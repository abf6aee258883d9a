/* tests/api/test_arena.c - the request arena (api/arena.c) and jansson's
 * use of it (api/json_alloc.c). */
#include <jansson.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/arena.h"
#include "api/json_alloc.h"
#include "tests/api/apitest.h"
#include "tests/testlib.h"

TEST(arena_memory_is_aligned_owned_and_writable)
{
    api_arena *a = api_arena_new();
    CHECK(a != NULL);
    unsigned char *prev = NULL;
    for (size_t n = 1; n < 5000; n += 37) {
        unsigned char *p = api_arena_alloc(a, n);
        CHECK(p != NULL);
        CHECK((uintptr_t)p % alignof(max_align_t) == 0);
        CHECK(api_arena_owns(a, p) && api_arena_owns(a, p + n - 1));
        memset(p, 0xab, n); /* ASan would see a write past a block */
        CHECK(p != prev);
        prev = p;
    }
    int on_stack;
    CHECK(!api_arena_owns(a, &on_stack));
    api_arena_free(a);
}

TEST(arena_grows_past_its_first_block_and_a_reset_keeps_only_that)
{
    api_arena *a = api_arena_new();
    void *small = api_arena_alloc(a, 16);
    void *big = api_arena_alloc(a, (size_t)3 << 20); /* its own block */
    CHECK(small && big && api_arena_owns(a, big));
    memset(big, 1, (size_t)3 << 20);
    api_arena_reset(a);
    CHECK(api_arena_owns(a, small)); /* the first block is kept... */
    CHECK(!api_arena_owns(a, big));  /* ...the others are given back */
    CHECK(api_arena_alloc(a, 16) == small); /* and reused from the start */
    CHECK(api_arena_alloc(a, SIZE_MAX - 8) == NULL);
    api_arena_free(a);
}

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
