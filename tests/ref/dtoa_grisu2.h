/* tests/ref/dtoa_grisu2.h - the Grisu2 writer dtoa_shortest was before
 * Schubfach (Grisu2 with exact checks by strtod and printf), kept as the
 * reference for tests/codec/test_dtoa_shortest.c and bench/dtoa.c. */
#ifndef PSINET_TESTS_REF_DTOA_GRISU2_H
#define PSINET_TESTS_REF_DTOA_GRISU2_H

#include <stddef.h>

#include "codec/dtoa_shortest.h"

/* Writes d into buf exactly as dtoa_shortest is specified to
 * (codec/dtoa_shortest.h): the shortest decimal that reads back as d, the
 * nearest d of those, laid out as printf's %g would; returns the length
 * without the NUL. */
size_t ref_dtoa_grisu2(double d, char buf[DTOA_SHORTEST_SIZE]);

#endif
