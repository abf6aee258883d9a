/* core/entropy.h - random bytes from the operating system: the one source
 * of every seed, id and nonce psinet draws (measurement seeds, stored ids,
 * request ids, the base64 lift's tags). Not for sampling: core/rng.h is
 * the seeded, reproducible generator. */
#ifndef PSINET_CORE_ENTROPY_H
#define PSINET_CORE_ENTROPY_H

#include <stddef.h>
#include <stdint.h>

/* Fills buf[0..n-1]: getrandom(2), then /dev/urandom where that fails,
 * then, where neither answers (a sandbox without either), a mix of the
 * clocks and a counter, unique within the process if not unpredictable. */
void entropy_fill(void *buf, size_t n);

/* 64 random bits (entropy_fill), drawn for each thread 32 words at a
 * time. */
uint64_t entropy_u64(void);

#endif
