/* core/stats.h - comparisons of discrete probability distributions and of
 * paired series. p and q are arrays of n >= 1 non-negative numbers summing to
 * 1 (not checked). */
#ifndef PSINET_CORE_STATS_H
#define PSINET_CORE_STATS_H

#include <stddef.h>

#include "core/status.h"

/* Shannon entropy -sum p log2 p in bits, with 0 log 0 = 0. */
double stats_entropy_bits(const double *p, size_t n);

/* Kullback-Leibler divergence D(p || q) = sum p log2(p/q) in bits; terms with
 * p_i = 0 count 0; +INFINITY when some p_i > 0 has q_i = 0. */
double stats_kl_bits(const double *p, const double *q, size_t n);

/* Total variation distance (1/2) sum |p_i - q_i|, in [0, 1]. */
double stats_total_variation(const double *p, const double *q, size_t n);

/* Classical fidelity (sum sqrt(p_i q_i))^2 (Bhattacharyya coefficient
 * squared), in [0, 1]. */
double stats_classical_fidelity(const double *p, const double *q, size_t n);

/* Pearson correlation of x and y into *r. CORE_EUNDEFINED when n < 2 or
 * either series is constant (zero variance); *r is then untouched. */
core_status stats_pearson(const double *x, const double *y, size_t n,
                           double *r);

#endif
