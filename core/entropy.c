/* core/entropy.c - random bytes from the operating system. */
#include "core/entropy.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "core/rng.h"

/* Reads what it can of buf[got..n-1] from getrandom, then /dev/urandom;
 * returns how far it got. */
static size_t from_os(unsigned char *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = getrandom(buf + got, n - got, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    if (got == n)
        return got;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return got;
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    return got;
}

void entropy_fill(void *buf, size_t n)
{
    unsigned char *b = buf;
    size_t got = from_os(b, n);
    if (got == n)
        return;
    static atomic_uint_fast64_t counter;
    struct timespec rt, mono;
    clock_gettime(CLOCK_REALTIME, &rt);
    clock_gettime(CLOCK_MONOTONIC, &mono);
    rng_state gen; /* seeded from what differs between calls */
    rng_seed(&gen, ((uint64_t)rt.tv_sec * 1000000000u + (uint64_t)rt.tv_nsec) ^
                       ((uint64_t)getpid() << 40) ^ (uint64_t)mono.tv_nsec ^
                       (atomic_fetch_add(&counter, 1) << 20));
    while (got < n) {
        uint64_t word = rng_next(&gen);
        size_t k = n - got < sizeof word ? n - got : sizeof word;
        memcpy(b + got, &word, k);
        got += k;
    }
}

/* Words drawn at a time by entropy_u64: a request with a body draws one
 * (its lift's nonce), and one getrandom(2) for each was a system call a
 * request more than the HTTP exchange needs. */
#define WORDS_AHEAD 32

uint64_t entropy_u64(void)
{
    static _Thread_local uint64_t ahead[WORDS_AHEAD];
    static _Thread_local size_t left;
    if (left == 0) {
        entropy_fill(ahead, sizeof ahead);
        left = WORDS_AHEAD;
    }
    uint64_t v = ahead[--left];
    ahead[left] = 0; /* a word is given out once, and kept nowhere after */
    return v;
}
