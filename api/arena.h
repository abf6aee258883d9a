/* api/arena.h - a bump allocator for the JSON values of one request.
 *
 * A request builds and drops thousands of small jansson values (a layer of
 * 784 inputs is 785 of them, each its own malloc and free). While a request
 * is handled, jansson allocates from the thread's arena instead, frees are
 * no-ops, and the whole arena is reset in one go when the response has been
 * written (api_response_free). See api_json_alloc_install. */
#ifndef PSINET_API_ARENA_H
#define PSINET_API_ARENA_H

#include <stdbool.h>
#include <stddef.h>

typedef struct api_arena api_arena;

/* A new, empty arena; NULL when out of memory. */
api_arena *api_arena_new(void);

/* n bytes, aligned for any type, that live until the next reset; NULL when
 * out of memory. */
void *api_arena_alloc(api_arena *a, size_t n);

/* Whether p points into memory a handed out. */
bool api_arena_owns(const api_arena *a, const void *p);

/* Forgets everything handed out; keeps the first block for reuse and gives
 * the others back. */
void api_arena_reset(api_arena *a);

void api_arena_free(api_arena *a);

#endif
