/* json/arena.c - bump allocation in blocks that grow geometrically. */
#include "json/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>

#define ARENA_FIRST_BLOCK ((size_t)64 << 10)
#define ARENA_ALIGN alignof(max_align_t)

typedef struct block {
    struct block *prev; /* the block before: newest first */
    size_t size, used;
    alignas(max_align_t) unsigned char data[];
} block;

struct arena {
    block *newest;
};

static block *block_new(size_t size, block *prev)
{
    block *b = malloc(sizeof *b + size);
    if (!b)
        return NULL;
    b->prev = prev;
    b->size = size;
    b->used = 0;
    return b;
}

arena *arena_new(void)
{
    arena *a = malloc(sizeof *a);
    if (!a)
        return NULL;
    a->newest = block_new(ARENA_FIRST_BLOCK, NULL);
    if (!a->newest) {
        free(a);
        return NULL;
    }
    return a;
}

void *arena_alloc(arena *a, size_t n)
{
    size_t need = (n + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
    if (need < n)
        return NULL; /* n near SIZE_MAX */
    block *b = a->newest;
    if (b->size - b->used < need) {
        /* Each new block doubles the last, so a request that builds a
         * large tree has few blocks to look through in arena_owns. */
        size_t size = b->size * 2;
        if (size < need)
            size = need;
        block *grown = block_new(size, b);
        if (!grown)
            return NULL;
        a->newest = b = grown;
    }
    void *p = b->data + b->used;
    b->used += need;
    return p;
}

bool arena_owns(const arena *a, const void *p)
{
    uintptr_t x = (uintptr_t)p;
    for (const block *b = a->newest; b; b = b->prev)
        if (x >= (uintptr_t)b->data && x < (uintptr_t)(b->data + b->size))
            return true;
    return false;
}

void arena_reset(arena *a)
{
    block *b = a->newest;
    while (b->prev) {
        block *prev = b->prev;
        free(b);
        b = prev;
    }
    b->used = 0;
    a->newest = b;
}

void arena_free(arena *a)
{
    if (!a)
        return;
    arena_reset(a);
    free(a->newest);
    free(a);
}
