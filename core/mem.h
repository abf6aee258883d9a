/* core/mem.h - psinet's allocation policy, stated once.
 *
 * Two kinds of allocation, two rules:
 *
 *   - A small allocation of fixed size (a struct, a short table, a jansson
 *     value) cannot fail in a way worth answering: when even that much
 *     memory is missing, no answer can be built either. These go through
 *     mem_alloc and friends, which abort the process with a message on
 *     failure, and so need no error branch. jansson's own allocations under
 *     MEM_SMALL follow the same rule (json/alloc.c).
 *   - An allocation whose size a request decides (a vector, a matrix, a
 *     body, an answer, a page of rows) is checked where it is made: api/
 *     answers its failure with 503 and Retry-After (api_no_memory), store/
 *     reports it as STORE_NOMEM, which api/ answers the same way. Limits
 *     refuse the sizes no server should try (413, 422) before anything is
 *     allocated. tests/api/test_out_of_memory.c fails each such allocation
 *     of a range of requests in turn and checks every answer.
 *
 * core/'s own functions never allocate for their caller; the few that need
 * room of a request's size (sampling) check it and return CORE_ENOMEM. */
#ifndef PSINET_CORE_MEM_H
#define PSINET_CORE_MEM_H

#include <stddef.h>

/* Below this many bytes an allocation is small: its failure aborts. */
#define MEM_SMALL 4096

/* malloc, calloc, realloc and strdup for small allocations of fixed size: they
 * never return NULL, and abort with a message to stderr instead. */
void *mem_alloc(size_t n);
void *mem_calloc(size_t count, size_t size);
void *mem_realloc(void *p, size_t n);
char *mem_strdup(const char *s);

/* Aborts with "psinet: out of memory (n bytes)" on stderr. */
_Noreturn void mem_exhausted(size_t n);

#endif
