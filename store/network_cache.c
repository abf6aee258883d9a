/* store/network_cache.c - stored networks kept in memory for forward passes.
 *
 * Networks never change once stored, so a cached copy is only ever dropped:
 * to make room (least recently used first) or when its network is deleted.
 * Entries are reference counted: one that is dropped while a request still
 * uses it is freed when that request releases it.
 *
 * A copy is read from the database without the lock held, so a delete can
 * commit and drop the id between that read and the copy's insertion; the
 * copy would then outlive its network. Every drop bumps cache_drops, and a
 * copy read before a drop serves only the request that read it.
 *
 * With PostgreSQL, other replicas delete too. A copy served from the cache
 * is first checked to still exist (one indexed lookup, which the notice
 * of a delete may not have beaten), and deletes arrive as notices that
 * drop the copy (store/pg/listen.c); while those cannot be heard the cache
 * is not used at all. */
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "store/internal.h"
#include "store/network.h"

#define CACHE_MAX_ENTRIES 64
#define CACHE_MAX_BYTES ((size_t)256 << 20)

struct cache_entry {
    store_network net; /* first: a store_network * is a cache_entry * */
    size_t bytes;
    int refs;
    bool cached; /* still in the table */
    unsigned long long used;
};

void store_cache_init(store *st)
{
    pthread_mutex_init(&st->cache_lock, NULL);
    st->cache = mem_calloc(CACHE_MAX_ENTRIES, sizeof *st->cache);
    st->cache_count = 0;
    st->cache_bytes = 0;
}

static void entry_free(cache_entry *e)
{
    store_network_free(&e->net);
    free(e);
}

/* Removes table slot i (lock held); frees the entry if nobody uses it. */
static void remove_slot(store *st, size_t i)
{
    cache_entry *e = st->cache[i];
    st->cache[i] = st->cache[--st->cache_count];
    st->cache_bytes -= e->bytes;
    e->cached = false;
    if (e->refs == 0)
        entry_free(e);
}

static size_t network_bytes(const store_network *net)
{
    size_t bytes = sizeof *net;
    for (size_t i = 0; i < net->layer_count; i++)
        bytes += (net->layers[i].rows * (net->layers[i].cols + 1)) *
                 sizeof(double);
    return bytes;
}

/* Makes room for `bytes` more (lock held) by dropping unused entries, least
 * recently used first. Returns whether the new entry fits. */
static bool make_room(store *st, size_t bytes)
{
    while (st->cache_count == CACHE_MAX_ENTRIES ||
           st->cache_bytes + bytes > CACHE_MAX_BYTES) {
        size_t victim = SIZE_MAX;
        for (size_t i = 0; i < st->cache_count; i++)
            if (st->cache[i]->refs == 0 &&
                (victim == SIZE_MAX ||
                 st->cache[i]->used < st->cache[victim]->used))
                victim = i;
        if (victim == SIZE_MAX)
            return false;
        remove_slot(st, victim);
    }
    return true;
}

static cache_entry *find(store *st, const char *id)
{
    for (size_t i = 0; i < st->cache_count; i++)
        if (strcmp(st->cache[i]->net.id, id) == 0)
            return st->cache[i];
    return NULL;
}

store_status store_network_acquire(store *st, const char *id,
                                   const store_network **out)
{
    *out = NULL;
    /* With PostgreSQL, only while deletes by other replicas are heard
     * (store/pg/listen.c); otherwise every pass reads the database. */
    bool usable = !st->pg || store_pg_cache_usable(st);
    pthread_mutex_lock(&st->cache_lock);
    cache_entry *e = usable ? find(st, id) : NULL;
    if (e) {
        e->refs++;
        e->used = ++st->cache_tick;
        pthread_mutex_unlock(&st->cache_lock);
        /* Another replica may have deleted it a moment ago, its notice
         * still on the way: ask (one indexed lookup, no weights). */
        store_status alive = st->pg ? store_pg_network_exists(st, id)
                                    : STORE_OK;
        if (alive != STORE_OK) {
            if (alive == STORE_NOTFOUND)
                store_cache_drop(st, id);
            store_network_release(st, &e->net);
            return alive;
        }
        *out = &e->net;
        return STORE_OK;
    }
    unsigned long long drops = st->cache_drops;
    pthread_mutex_unlock(&st->cache_lock);

    cache_entry *fresh = mem_calloc(1, sizeof *fresh);
    store_status result = store_network_get(st, id, true, &fresh->net);
    if (result != STORE_OK) {
        free(fresh);
        return result;
    }
    fresh->bytes = network_bytes(&fresh->net);
    fresh->refs = 1;
    if (st->cache_load_hook)
        st->cache_load_hook(st, id);

    pthread_mutex_lock(&st->cache_lock);
    e = usable ? find(st, id) : NULL;
    if (e) { /* another request loaded it meanwhile: use theirs */
        e->refs++;
        e->used = ++st->cache_tick;
        pthread_mutex_unlock(&st->cache_lock);
        entry_free(fresh);
        *out = &e->net;
        return STORE_OK;
    }
    if (usable && st->cache && st->cache_drops == drops &&
        make_room(st, fresh->bytes)) {
        fresh->cached = true;
        fresh->used = ++st->cache_tick;
        st->cache[st->cache_count++] = fresh;
        st->cache_bytes += fresh->bytes;
    }
    pthread_mutex_unlock(&st->cache_lock);
    *out = &fresh->net;
    return STORE_OK;
}

bool store_network_peek(store *st, const char *id, size_t *weights,
                        size_t *width)
{
    if (st->pg)
        return false;
    pthread_mutex_lock(&st->cache_lock);
    cache_entry *e = find(st, id);
    if (e) {
        *weights = 0;
        for (size_t i = 0; i < e->net.layer_count; i++)
            *weights += e->net.layers[i].rows * e->net.layers[i].cols;
        *width = e->net.layers[0].cols;
    }
    pthread_mutex_unlock(&st->cache_lock);
    return e != NULL;
}

void store_network_release(store *st, const store_network *net)
{
    if (!net)
        return;
    cache_entry *e = (cache_entry *)net;
    pthread_mutex_lock(&st->cache_lock);
    bool dead = --e->refs == 0 && !e->cached;
    pthread_mutex_unlock(&st->cache_lock);
    if (dead)
        entry_free(e);
}

void store_cache_drop(store *st, const char *id)
{
    pthread_mutex_lock(&st->cache_lock);
    st->cache_drops++;
    for (size_t i = 0; st->cache && i < st->cache_count; i++) {
        if (strcmp(st->cache[i]->net.id, id) == 0) {
            remove_slot(st, i);
            break;
        }
    }
    pthread_mutex_unlock(&st->cache_lock);
}

void store_cache_clear(store *st)
{
    pthread_mutex_lock(&st->cache_lock);
    st->cache_drops++;
    for (size_t i = st->cache_count; st->cache && i > 0; i--)
        remove_slot(st, i - 1);
    pthread_mutex_unlock(&st->cache_lock);
}

void store_cache_free(store *st)
{
    pthread_mutex_lock(&st->cache_lock);
    while (st->cache && st->cache_count > 0)
        remove_slot(st, st->cache_count - 1);
    pthread_mutex_unlock(&st->cache_lock);
    free(st->cache);
    st->cache = NULL;
    pthread_mutex_destroy(&st->cache_lock);
}
