/* json/arena.h - a bump allocator for the JSON values of one request.
 *
 * A request builds and drops thousands of small jansson values (a layer of
 * 784 inputs is 785 of them, each its own malloc and free). While a request
 * is handled, jansson allocates from the thread's arena instead, frees are
 * no-ops, and the whole arena is reset in one go when the response has been
 * written. See json/pjson.h. */
#ifndef PSINET_JSON_ARENA_H
#define PSINET_JSON_ARENA_H

#include <stdbool.h>
#include <stddef.h>

typedef struct arena arena;

/* A new, empty arena; NULL when out of memory. */
arena *arena_new(void);

/* n bytes, aligned for any type, that live until the next reset; NULL when
 * out of memory. */
void *arena_alloc(arena *a, size_t n);

/* Whether p points into memory a handed out. */
bool arena_owns(const arena *a, const void *p);

/* Forgets everything handed out; keeps the first block for reuse and gives
 * the others back. */
void arena_reset(arena *a);

void arena_free(arena *a);

#endif
