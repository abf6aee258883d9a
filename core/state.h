/* core/state.h - complex state vectors |psi> = sum_i c_i |i>.
 *
 * A state is a plain array of `double complex` of length n >= 1. Nothing here
 * allocates; outputs go to caller-provided arrays. Inputs are assumed finite
 * (the api layer refuses NaN and Inf at the border). */
#ifndef PSINET_CORE_STATE_H
#define PSINET_CORE_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "core/cmplx.h"
#include "core/status.h"

/* Euclidean norm sqrt(sum |c_i|^2), computed with a scaled sum of squares
 * (as LAPACK's dznrm2) so that it neither overflows for amplitudes near
 * DBL_MAX nor underflows for subnormal ones. Returns 0 for n == 0. */
double state_norm(const double complex *c, size_t n);

/* Divides c in place by its norm. Writes the norm it had to *norm_out when
 * norm_out is not NULL. Returns CORE_EZERO (c untouched) for a zero vector and
 * CORE_EINVAL for n == 0. After success state_norm(c) is 1 to within a few
 * ulps, whatever the scale of the input. */
core_status state_normalize(double complex *c, size_t n, double *norm_out);

/* The two divisors that take c to unit norm when applied in turn,
 * c_i / d1 / d2: what state_normalize divides by, so that a function can
 * work on the unit state without copying it. CORE_EZERO for a zero vector,
 * CORE_EINVAL for n == 0. */
core_status state_unit_divisors(const double complex *c, size_t n, double *d1,
                                double *d2);

/* Born probabilities p_i = |c_i|^2 / ||c||^2 written to p[0..n-1]; they sum to
 * 1 to within rounding, and each is at most 1 (rounding alone would put a
 * lone amplitude's at 1 + 2^-52 now and then). Scale-safe: the state need
 * not be normalized, and huge or tiny amplitudes give the right
 * distribution. CORE_EZERO for a zero vector, CORE_EINVAL for n == 0. */
core_status state_probabilities(const double complex *c, size_t n, double *p);

/* Shannon entropy in bits of the state's Born distribution. CORE_EZERO for a
 * zero vector. */
core_status state_entropy_bits(const double complex *c, size_t n, double *out);

/* Inner product <a|b> = sum_i conj(a_i) b_i (antilinear in the first slot). */
double complex state_inner(const double complex *a, const double complex *b,
                           size_t n);

/* Fidelity |<a|b>|^2 / (||a||^2 ||b||^2): 1 for equal rays, 0 for orthogonal
 * states, scale-invariant. CORE_EZERO when either state is zero. */
core_status state_fidelity(const double complex *a, const double complex *b,
                           size_t n, double *out);

/* Two states side by side, each taken to unit norm first (scale-safe, as
 * state_normalize). */
typedef struct {
    double complex inner;  /* <a|b>, antilinear in a */
    double fidelity;       /* |<a|b>|^2, clamped to [0, 1] */
    double trace_distance; /* of the pure states: sqrt(1 - fidelity) */
    double phase;          /* arg <a|b> in (-pi, pi]: b is nearest e^{i phase} a
                              (0 when they are orthogonal) */
    double distance;       /* max_i |b_i - e^{i phase} a_i|: 0 when the states
                              are equal up to that global phase */
} state_comparison;

/* Compares a and b, n amplitudes each. CORE_EZERO when either is the zero
 * vector, CORE_EINVAL for n == 0. */
core_status state_compare(const double complex *a, const double complex *b,
                          size_t n, state_comparison *out);

/* The number of qubits of dimension n: log2 n when n is a power of two
 * (n = 1 is 0 qubits), otherwise -1. */
int state_qubits(size_t n);

/* Room for any label state_basis_label writes, with its NUL. */
#define STATE_LABEL_SIZE 72

/* The bytes state_basis_label writes for every i < n, its NUL included:
 * state_qubits(n) + 1 for a power of two above 1, otherwise the digits of
 * n - 1 and the NUL. At most STATE_LABEL_SIZE. Default labels of a 2^20
 * state take 21 bytes each this way, not STATE_LABEL_SIZE. */
size_t state_label_size(size_t n);

/* The default label of basis state i of n (i < n): the state_qubits(n)
 * binary digits of i, most significant first ("00", "01", ...), when n is a
 * power of two above 1; otherwise i in decimal ("0" for n = 1). buf holds
 * state_label_size(n) bytes at least. */
void state_basis_label(size_t i, size_t n, char *buf);

#endif
