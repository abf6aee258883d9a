/* tests/ref/dtoa_grisu2.h - the Grisu2 writer api_dtoa was before
 * Schubfach (Grisu2 with exact checks by strtod and printf), kept as the
 * reference for tests/unit/test_dtoa.c and bench/dtoa.c. */
#ifndef PSINET_TESTS_REF_DTOA_GRISU2_H
#define PSINET_TESTS_REF_DTOA_GRISU2_H

#include <stddef.h>

#include "api/dtoa.h"

/* Writes d into buf exactly as api_dtoa is specified to (api/dtoa.h): the
 * shortest decimal that reads back as d, the nearest d of those, laid out
 * as printf's %g would; returns the length without the NUL. */
size_t ref_dtoa_grisu2(double d, char buf[API_DTOA_SIZE]);

#endif
