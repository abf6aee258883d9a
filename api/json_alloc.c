/* api/json_alloc.c - the per-thread arena behind jansson (api/json_alloc.h). */
#include "api/json_alloc.h"

#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>

#include "api/arena.h"

static _Thread_local api_arena *thread_arena; /* NULL until first used */
static _Thread_local bool arena_on;
static _Thread_local unsigned long outstanding; /* responses not yet freed */
static _Thread_local bool fell_back; /* a value went to malloc meanwhile */

static pthread_key_t arena_key; /* frees a thread's arena when it exits */
static pthread_once_t arena_key_once = PTHREAD_ONCE_INIT;

static void arena_destroy(void *arena)
{
    api_arena_free(arena);
}

static void make_key(void)
{
    pthread_key_create(&arena_key, arena_destroy);
}

static void *json_alloc(size_t n)
{
    if (arena_on) {
        void *p = api_arena_alloc(thread_arena, n);
        if (p)
            return p;
        fell_back = true;
    }
    return malloc(n);
}

static void json_release(void *p)
{
    /* Arena memory goes back all at once, at the reset. */
    if (p && !(thread_arena && api_arena_owns(thread_arena, p)))
        free(p);
}

void api_json_alloc_install(void)
{
    json_set_alloc_funcs(json_alloc, json_release);
}

bool api_json_arena_begin(void)
{
    if (!thread_arena) {
        pthread_once(&arena_key_once, make_key);
        thread_arena = api_arena_new();
        if (!thread_arena)
            return false;
        pthread_setspecific(arena_key, thread_arena);
    }
    if (outstanding == 0)
        fell_back = false;
    arena_on = true;
    outstanding++;
    return true;
}

void api_json_arena_pause(void)
{
    arena_on = false;
}

void api_json_arena_end(void)
{
    if (outstanding > 0 && --outstanding == 0 && thread_arena) {
        arena_on = false;
        api_arena_reset(thread_arena);
    }
}

bool api_json_arena_holds_all(void)
{
    return outstanding > 0 && !fell_back;
}
