/* core/status.h - the result codes every fallible core function returns.
 *
 * core/ never allocates on behalf of its caller and never prints: a function
 * that can fail returns one of these, and the caller decides what it means
 * (api/ maps them to HTTP problems). */
#ifndef PSINET_CORE_STATUS_H
#define PSINET_CORE_STATUS_H

typedef enum {
    CORE_OK = 0,
    CORE_EZERO,      /* a zero vector where a direction is needed (normalize) */
    CORE_EUNDEFINED, /* the quantity is undefined for this input (e.g. Pearson
                        correlation of a constant series) */
    CORE_EINVAL,     /* a size or parameter out of range (n == 0, ...) */
    CORE_ERANGE,     /* a result overflows the range of a double */
    CORE_ENOMEM      /* an allocation failed */
} core_status;

#endif
