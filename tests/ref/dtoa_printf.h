/* tests/ref/dtoa_printf.h - the number writer psinet had before
 * dtoa_shortest (then api/json_write.c's api_format_double, until Grisu2),
 * kept as a reference: tests/codec/test_dtoa_shortest.c checks
 * dtoa_shortest is never longer, bench/dtoa.c times it. */
#ifndef PSINET_TESTS_REF_DTOA_PRINTF_H
#define PSINET_TESTS_REF_DTOA_PRINTF_H

#include <stddef.h>

/* The fewest of 15, 16 or 17 significant digits, by printf's %g, that
 * strtod reads back as d; ".0" added to an integral value. buf holds 32
 * bytes. Returns the length without the NUL. */
size_t ref_dtoa_printf(double d, char *buf);

#endif
