/* json/alloc.c - the per-thread arena behind jansson (json/pjson.h). */
#include "json/pjson.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "json/arena.h"

static _Thread_local arena *thread_arena; /* NULL until first used */
static _Thread_local bool in_request;
static _Thread_local unsigned long outstanding; /* responses not yet freed */
static _Thread_local bool fell_back; /* a value went to malloc meanwhile */

static pthread_key_t thread_key; /* frees a thread's arena when it exits */
static pthread_once_t thread_key_once = PTHREAD_ONCE_INIT;

static void free_thread_arena(void *a)
{
    arena_free(a);
}

static void make_key(void)
{
    pthread_key_create(&thread_key, free_thread_arena);
}

/* jansson's allocations: from the arena during a request, else malloc.
 * One under PJSON_SMALL bytes that fails aborts (the policy of
 * core/mem.h): jansson's values and short strings need no error branch. */
static void *json_alloc(size_t n)
{
    if (in_request) {
        void *p = arena_alloc(thread_arena, n);
        if (p)
            return p;
        fell_back = true;
    }
    void *p = malloc(n);
    if (!p && n < PJSON_SMALL) {
        fprintf(stderr, "psinet: out of memory (%zu bytes)\n", n);
        abort();
    }
    return p;
}

static void json_release(void *p)
{
    /* Arena memory goes back all at once, at the reset. */
    if (p && !(thread_arena && arena_owns(thread_arena, p)))
        free(p);
}

void pjson_alloc_install(void)
{
    json_set_alloc_funcs(json_alloc, json_release);
}

bool pjson_arena_begin(void)
{
    if (!thread_arena) {
        pthread_once(&thread_key_once, make_key);
        thread_arena = arena_new();
        if (!thread_arena)
            return false;
        pthread_setspecific(thread_key, thread_arena);
    }
    if (outstanding == 0)
        fell_back = false;
    in_request = true;
    outstanding++;
    return true;
}

void pjson_arena_pause(void)
{
    in_request = false;
}

void pjson_arena_end(void)
{
    if (outstanding > 0 && --outstanding == 0 && thread_arena) {
        in_request = false;
        arena_reset(thread_arena);
    }
}

bool pjson_arena_holds_all(void)
{
    return outstanding > 0 && !fell_back;
}
