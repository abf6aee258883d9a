/* core/vec.h - small questions about arrays of doubles. */
#ifndef PSINET_CORE_VEC_H
#define PSINET_CORE_VEC_H

#include <stdbool.h>
#include <stddef.h>

/* Whether every x[i] is finite (no NaN, no infinity). */
bool vec_all_finite(const double *x, size_t n);

/* The index of the largest x[i] (the first of equals); 0 when n is 0. */
size_t vec_argmax(const double *x, size_t n);

#endif
