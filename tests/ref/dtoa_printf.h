/* tests/ref/dtoa_printf.h - the number writer psinet had before api_dtoa
 * (api/json_write.c's api_format_double until Grisu2), kept as a reference:
 * tests/unit/test_dtoa.c checks api_dtoa is never longer, bench/dtoa.c
 * times it. */
#ifndef PSINET_TESTS_REF_DTOA_PRINTF_H
#define PSINET_TESTS_REF_DTOA_PRINTF_H

#include <stddef.h>

/* The fewest of 15, 16 or 17 significant digits, by printf's %g, that
 * strtod reads back as d; ".0" added to an integral value. buf holds 32
 * bytes. Returns the length without the NUL. */
size_t ref_dtoa_printf(double d, char *buf);

#endif
