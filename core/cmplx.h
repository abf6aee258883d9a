/* core/cmplx.h - <complex.h> with C11's CMPLX everywhere.
 *
 * CMPLX is C11, but glibc defines it only for compilers it believes are
 * GCC 4.7 or later, which leaves clang without it. Include this instead of
 * <complex.h>. */
#ifndef PSINET_CORE_CMPLX_H
#define PSINET_CORE_CMPLX_H

#include <complex.h>

#ifndef CMPLX
#define CMPLX(x, y) __builtin_complex((double)(x), (double)(y))
#endif

#endif
