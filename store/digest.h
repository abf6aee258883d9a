/* store/digest.h - content hashes of stored inputs: what an experiment
 * records of the network or superposition it ran on, so that a rerun can
 * say whether that input has changed since.
 *
 * Each is the SHA-256 (codec/sha256.h) of a canonical byte form of what a
 * computation reads, and nothing else (names, labels, ids and times are
 * left out: they change no result). Integers are unsigned 64-bit
 * little-endian ("u64"), numbers little-endian IEEE-754 doubles ("f64",
 * their bits as stored, so -0 and 0 differ):
 *
 *   network:        "psinet-network-1" and a NUL byte, u64 layer count,
 *                   then per layer in order: u64 rows (outputs), u64 cols
 *                   (inputs), the activation's name and a NUL byte, the
 *                   byte 1 and f64 alpha for an activation that takes it
 *                   (the byte 0 for one that does not), rows * cols f64
 *                   weights row by row, rows f64 bias (zeros for a layer
 *                   stored without one, which computes the same).
 *   superposition:  "psinet-superposition-1" and a NUL byte, u64
 *                   dimension, then per amplitude f64 re and f64 im.
 *
 * Written as 64 lower-case hex digits. */
#ifndef PSINET_STORE_DIGEST_H
#define PSINET_STORE_DIGEST_H

#include "store/network.h"
#include "store/superposition.h"

/* 64 hex digits and a NUL. */
#define STORE_DIGEST_HEX 65

/* The hash of net, which must hold its weights (store_network_get with
 * weights, or store_network_acquire). */
void store_network_digest(const store_network *net,
                          char hex[STORE_DIGEST_HEX]);

/* The hash of s, which must hold its amplitudes (store_superposition_get). */
void store_superposition_digest(const store_superposition *s,
                                char hex[STORE_DIGEST_HEX]);

#endif
