/* tests/json/test_arena.c - the request arena (json/arena.c). */
#include <jansson.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json/arena.h"
#include "tests/testlib.h"

TEST(arena_memory_is_aligned_owned_and_writable)
{
    arena *a = arena_new();
    CHECK(a != NULL);
    unsigned char *prev = NULL;
    for (size_t n = 1; n < 5000; n += 37) {
        unsigned char *p = arena_alloc(a, n);
        CHECK(p != NULL);
        CHECK((uintptr_t)p % alignof(max_align_t) == 0);
        CHECK(arena_owns(a, p) && arena_owns(a, p + n - 1));
        memset(p, 0xab, n); /* ASan would see a write past a block */
        CHECK(p != prev);
        prev = p;
    }
    int on_stack;
    CHECK(!arena_owns(a, &on_stack));
    arena_free(a);
}

TEST(arena_grows_past_its_first_block_and_a_reset_keeps_only_that)
{
    arena *a = arena_new();
    void *small = arena_alloc(a, 16);
    void *big = arena_alloc(a, (size_t)3 << 20); /* its own block */
    CHECK(small && big && arena_owns(a, big));
    memset(big, 1, (size_t)3 << 20);
    arena_reset(a);
    CHECK(arena_owns(a, small)); /* the first block is kept... */
    CHECK(!arena_owns(a, big));  /* ...the others are given back */
    CHECK(arena_alloc(a, 16) == small); /* and reused from the start */
    CHECK(arena_alloc(a, SIZE_MAX - 8) == NULL);
    arena_free(a);
}
