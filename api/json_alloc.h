/* api/json_alloc.h - jansson's memory during a request comes from the
 * handling thread's arena (api/arena.h).
 *
 * api_handle turns the arena on while it runs; the response it builds
 * lives there until api_response_free, which hands it back. When no
 * response of the thread is left, the arena is reset: values allocated in
 * it are freed by that reset, not one by one. Values allocated outside
 * api_handle (by its caller, or anywhere else) go to malloc and free as
 * usual. */
#ifndef PSINET_API_JSON_ALLOC_H
#define PSINET_API_JSON_ALLOC_H

#include <stdbool.h>

/* Points jansson at psinet's allocation functions. Call once, before any
 * thread uses jansson (the server's main, a test's setup); without it
 * jansson uses malloc and free throughout, which is also correct. */
void api_json_alloc_install(void);

/* Turns the calling thread's arena on (creating it the first time) for a
 * response about to be built. Returns false when it could not be created:
 * allocation then simply goes to malloc, and there is nothing to end. */
bool api_json_arena_begin(void);

/* Turns it off; what was built stays until api_json_arena_end. */
void api_json_arena_pause(void);

/* One response built since a begin is freed; when it was the last, the
 * arena is reset. Every jansson value allocated in it must be released by
 * then. */
void api_json_arena_end(void);

/* Whether every jansson value built since the thread's outstanding
 * responses began is in the arena (none fell back to malloc). Then a whole
 * tree can be dropped by not releasing it at all: the reset frees it. */
bool api_json_arena_holds_all(void);

#endif
