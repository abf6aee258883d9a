/* core/qstate.c - gates, measurements and products of n-qubit states, by
 * strided passes over the amplitudes (core/qstate.h).
 *
 * A gate with controls and one target is a 2x2 matrix applied to each pair
 * (c[i], c[i | t]) whose index i has the target bit t clear and every
 * control bit set: the pairs are visited in blocks of 2t, so a pass reads
 * the state once and never looks at an amplitude a control excludes. SWAP
 * exchanges pairs; a general k-qubit matrix gathers the 2^k amplitudes of
 * each group, multiplies, and scatters them back. Complex products are
 * written out in real arithmetic (no __muldc3: inputs are finite). */
#include "core/qstate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/state.h"

/* 1/sqrt(2), to the last digit a double holds. */
#define QSTATE_SQRT1_2 0.70710678118654752440

static inline double complex cmul(double complex x, double complex y)
{
    double xr = creal(x), xi = cimag(x), yr = creal(y), yi = cimag(y);
    return CMPLX(xr * yr - xi * yi, xr * yi + xi * yr);
}

/* e^{i t} */
static inline double complex cexpi(double t)
{
    return CMPLX(cos(t), sin(t));
}

/* ------------------------------------------------------------ the gates */

static const struct {
    const char *name;
    int qubits, params;
} gates[QGATE_COUNT_] = {
    [QGATE_I] = {"i", 1, 0},         [QGATE_X] = {"x", 1, 0},
    [QGATE_Y] = {"y", 1, 0},         [QGATE_Z] = {"z", 1, 0},
    [QGATE_H] = {"h", 1, 0},         [QGATE_S] = {"s", 1, 0},
    [QGATE_SDG] = {"sdg", 1, 0},     [QGATE_T] = {"t", 1, 0},
    [QGATE_TDG] = {"tdg", 1, 0},     [QGATE_SX] = {"sx", 1, 0},
    [QGATE_RX] = {"rx", 1, 1},       [QGATE_RY] = {"ry", 1, 1},
    [QGATE_RZ] = {"rz", 1, 1},       [QGATE_P] = {"p", 1, 1},
    [QGATE_U] = {"u", 1, 3},         [QGATE_CX] = {"cx", 2, 0},
    [QGATE_CY] = {"cy", 2, 0},       [QGATE_CZ] = {"cz", 2, 0},
    [QGATE_CH] = {"ch", 2, 0},       [QGATE_CP] = {"cp", 2, 1},
    [QGATE_CRX] = {"crx", 2, 1},     [QGATE_CRY] = {"cry", 2, 1},
    [QGATE_CRZ] = {"crz", 2, 1},     [QGATE_SWAP] = {"swap", 2, 0},
    [QGATE_CCX] = {"ccx", 3, 0},     [QGATE_CSWAP] = {"cswap", 3, 0},
};

bool qgate_from_name(const char *name, qgate_kind *out)
{
    for (int k = 0; k < QGATE_COUNT_; k++) {
        if (strcmp(gates[k].name, name) == 0) {
            *out = (qgate_kind)k;
            return true;
        }
    }
    return false;
}

const char *qgate_name(qgate_kind kind)
{
    return kind < QGATE_COUNT_ ? gates[kind].name : "?";
}

const char *qgate_all_names(void)
{
    return "i, x, y, z, h, s, sdg, t, tdg, sx, rx, ry, rz, p, u, cx, cy, "
           "cz, ch, cp, crx, cry, crz, swap, ccx, cswap";
}

int qgate_qubits(qgate_kind kind)
{
    return gates[kind].qubits;
}

int qgate_params(qgate_kind kind)
{
    return gates[kind].params;
}

/* The 2x2 matrix, row-major, that a gate applies to its target (for a
 * controlled gate, where its controls are 1). */
static void target_matrix(qgate_kind kind, const double *a,
                          double complex m[4])
{
    const double r = QSTATE_SQRT1_2;
    double c = 0, s = 0;
    if (gates[kind].params > 0) {
        c = cos(a[0] / 2);
        s = sin(a[0] / 2);
    }
    switch (kind) {
    case QGATE_X:
    case QGATE_CX:
    case QGATE_CCX:
        m[0] = 0, m[1] = 1, m[2] = 1, m[3] = 0;
        return;
    case QGATE_Y:
    case QGATE_CY:
        m[0] = 0, m[1] = CMPLX(0, -1), m[2] = CMPLX(0, 1), m[3] = 0;
        return;
    case QGATE_Z:
    case QGATE_CZ:
        m[0] = 1, m[1] = 0, m[2] = 0, m[3] = -1;
        return;
    case QGATE_H:
    case QGATE_CH:
        m[0] = r, m[1] = r, m[2] = r, m[3] = -r;
        return;
    case QGATE_S:
        m[0] = 1, m[1] = 0, m[2] = 0, m[3] = CMPLX(0, 1);
        return;
    case QGATE_SDG:
        m[0] = 1, m[1] = 0, m[2] = 0, m[3] = CMPLX(0, -1);
        return;
    case QGATE_T:
        m[0] = 1, m[1] = 0, m[2] = 0, m[3] = CMPLX(r, r);
        return;
    case QGATE_TDG:
        m[0] = 1, m[1] = 0, m[2] = 0, m[3] = CMPLX(r, -r);
        return;
    case QGATE_SX:
        m[0] = m[3] = CMPLX(0.5, 0.5);
        m[1] = m[2] = CMPLX(0.5, -0.5);
        return;
    case QGATE_RX:
    case QGATE_CRX:
        m[0] = c, m[1] = CMPLX(0, -s), m[2] = CMPLX(0, -s), m[3] = c;
        return;
    case QGATE_RY:
    case QGATE_CRY:
        m[0] = c, m[1] = -s, m[2] = s, m[3] = c;
        return;
    case QGATE_RZ:
    case QGATE_CRZ:
        m[0] = cexpi(-a[0] / 2), m[1] = 0, m[2] = 0, m[3] = cexpi(a[0] / 2);
        return;
    case QGATE_P:
    case QGATE_CP:
        m[0] = 1, m[1] = 0, m[2] = 0, m[3] = cexpi(a[0]);
        return;
    case QGATE_U: /* theta, phi, lambda */
        m[0] = c;
        m[1] = -s * cexpi(a[2]);
        m[2] = s * cexpi(a[1]);
        m[3] = c * cexpi(a[1] + a[2]);
        return;
    case QGATE_I:
    case QGATE_SWAP:
    case QGATE_CSWAP:
    case QGATE_COUNT_:
        break;
    }
    m[0] = 1, m[1] = 0, m[2] = 0, m[3] = 1;
}

/* Whether qubits[0 .. k-1] are distinct and below n (1 <= n <= the most),
 * and the mask of their bits. */
static bool valid_qubits(int n, const int *qubits, int k, size_t *mask)
{
    *mask = 0;
    if (n < 1 || n > QSTATE_MAX_QUBITS || k < 0 || k > n)
        return false;
    for (int j = 0; j < k; j++) {
        if (qubits[j] < 0 || qubits[j] >= n ||
            (*mask & (size_t)1 << qubits[j]))
            return false;
        *mask |= (size_t)1 << qubits[j];
    }
    return true;
}

/* Applies m to each pair (c[i], c[i | tbit]) whose index has the target
 * bit clear and every bit of cmask set. */
static void apply_2x2(double complex *c, size_t dim, size_t tbit,
                      size_t cmask, const double complex m[4])
{
    for (size_t block = 0; block < dim; block += 2 * tbit) {
        for (size_t i = block; i < block + tbit; i++) {
            if ((i & cmask) != cmask)
                continue;
            double complex a = c[i], b = c[i | tbit];
            c[i] = cmul(m[0], a) + cmul(m[1], b);
            c[i | tbit] = cmul(m[2], a) + cmul(m[3], b);
        }
    }
}

/* Exchanges the amplitudes of the two target bits where every bit of
 * cmask is set: c[i] with bit a set and bit b clear, for c[i ^ a ^ b]. */
static void apply_swap(double complex *c, size_t dim, size_t a, size_t b,
                       size_t cmask)
{
    for (size_t i = 0; i < dim; i++) {
        if (!(i & a) || (i & b) || (i & cmask) != cmask)
            continue;
        double complex t = c[i];
        c[i] = c[i ^ a ^ b];
        c[i ^ a ^ b] = t;
    }
}

core_status qstate_apply_gate(double complex *c, int n, qgate_kind kind,
                              const int *qubits, const double *params)
{
    size_t mask, dim = (size_t)1 << (n > 0 ? n : 0);
    if (kind >= QGATE_COUNT_ ||
        !valid_qubits(n, qubits, gates[kind].qubits, &mask))
        return CORE_EINVAL;
    int k = gates[kind].qubits;
    if (kind == QGATE_SWAP || kind == QGATE_CSWAP) {
        size_t cmask = kind == QGATE_CSWAP ? (size_t)1 << qubits[0] : 0;
        apply_swap(c, dim, (size_t)1 << qubits[k - 2],
                   (size_t)1 << qubits[k - 1], cmask);
        return CORE_OK;
    }
    double complex m[4];
    target_matrix(kind, params, m);
    size_t tbit = (size_t)1 << qubits[k - 1];
    apply_2x2(c, dim, tbit, mask & ~tbit, m);
    return CORE_OK;
}

core_status qstate_apply_matrix(double complex *c, int n, const int *qubits,
                                int k, const double complex *u,
                                double complex *work)
{
    size_t mask;
    if (k < 1 || !valid_qubits(n, qubits, k, &mask))
        return CORE_EINVAL;
    size_t dim = (size_t)1 << n, size = (size_t)1 << k;
    for (size_t base = 0; base < dim; base++) {
        if (base & mask)
            continue; /* each group once, from its index with no bit set */
        for (size_t j = 0; j < size; j++) {
            size_t at = base;
            for (int b = 0; b < k; b++)
                if (j >> b & 1)
                    at |= (size_t)1 << qubits[b];
            work[j] = c[at];
        }
        for (size_t row = 0; row < size; row++) {
            double complex sum = 0;
            for (size_t col = 0; col < size; col++)
                sum += cmul(u[row * size + col], work[col]);
            size_t at = base;
            for (int b = 0; b < k; b++)
                if (row >> b & 1)
                    at |= (size_t)1 << qubits[b];
            c[at] = sum;
        }
    }
    return CORE_OK;
}

double qstate_unitarity_deviation(const double complex *u, int k)
{
    size_t size = (size_t)1 << k;
    double worst = 0.0;
    for (size_t i = 0; i < size; i++) {
        for (size_t j = 0; j < size; j++) {
            double complex sum = 0; /* (U^dagger U)_ij */
            for (size_t r = 0; r < size; r++)
                sum += cmul(conj(u[r * size + i]), u[r * size + j]);
            if (i == j)
                sum -= 1;
            worst = fmax(worst, hypot(creal(sum), cimag(sum)));
        }
    }
    return worst;
}

/* ------------------------------------------------------------ measurement */

/* The outcome value of basis index i on qubits[0 .. k-1]. */
static size_t outcome_of(size_t i, const int *qubits, int k)
{
    size_t v = 0;
    for (int j = 0; j < k; j++)
        v |= (i >> qubits[j] & 1) << j;
    return v;
}

core_status qstate_marginal(const double complex *c, int n, const int *qubits,
                            int k, double *p)
{
    size_t mask;
    if (!valid_qubits(n, qubits, k, &mask))
        return CORE_EINVAL;
    double d1, d2;
    size_t dim = (size_t)1 << n;
    core_status st = state_unit_divisors(c, dim, &d1, &d2);
    if (st != CORE_OK)
        return st;
    memset(p, 0, ((size_t)1 << k) * sizeof *p);
    for (size_t i = 0; i < dim; i++) {
        double re = creal(c[i]) / d1 / d2, im = cimag(c[i]) / d1 / d2;
        p[outcome_of(i, qubits, k)] += re * re + im * im;
    }
    for (size_t v = 0; v < (size_t)1 << k; v++) /* rounding: 1 + 2^-52 */
        p[v] = fmin(p[v], 1.0);
    return CORE_OK;
}

core_status qstate_project(double complex *c, int n, const int *qubits,
                           int k, size_t v)
{
    size_t mask;
    if (!valid_qubits(n, qubits, k, &mask) || v >> k != 0)
        return CORE_EINVAL;
    size_t dim = (size_t)1 << n;
    bool kept = false;
    for (size_t i = 0; i < dim && !kept; i++)
        kept = outcome_of(i, qubits, k) == v && c[i] != 0;
    if (!kept)
        return CORE_EZERO; /* c untouched */
    for (size_t i = 0; i < dim; i++)
        if (outcome_of(i, qubits, k) != v)
            c[i] = 0;
    return state_normalize(c, dim, NULL);
}

core_status qstate_collapse(double complex *c, int n, const int *qubits,
                            int k, rng_state *rng, size_t *outcome,
                            double *prob)
{
    size_t mask;
    if (!valid_qubits(n, qubits, k, &mask))
        return CORE_EINVAL;
    size_t size = (size_t)1 << k;
    double *p = malloc(size * sizeof *p);
    if (!p)
        return CORE_ENOMEM;
    size_t v = 0;
    core_status st = qstate_marginal(c, n, qubits, k, p);
    if (st == CORE_OK)
        st = rng_sample_each(rng, p, size, 1, &v);
    if (st == CORE_OK)
        st = qstate_project(c, n, qubits, k, v);
    if (st == CORE_OK) {
        *outcome = v;
        *prob = p[v];
    }
    free(p);
    return st;
}

/* ------------------------------------------------------------ products */

void qstate_tensor(const double complex *a, int na, const double complex *b,
                   int nb, double complex *out)
{
    size_t da = (size_t)1 << na, db = (size_t)1 << nb;
    for (size_t i = 0; i < da; i++)
        for (size_t j = 0; j < db; j++)
            out[i * db + j] = cmul(a[i], b[j]);
}

core_status qstate_pauli_expectation(const double complex *c, int n,
                                     const char *pauli, double *out)
{
    if (n < 1 || n > QSTATE_MAX_QUBITS || strlen(pauli) != (size_t)n)
        return CORE_EINVAL;
    /* P|i> = i^ny (-1)^{|i & zmask|} |i ^ xmask>: X flips, Z signs, and
     * Y = iXZ does both. */
    size_t xmask = 0, zmask = 0, ny = 0;
    for (int m = 0; m < n; m++) {
        size_t bit = (size_t)1 << (n - 1 - m);
        switch (pauli[m]) {
        case 'I': break;
        case 'X': xmask |= bit; break;
        case 'Z': zmask |= bit; break;
        case 'Y': xmask |= bit, zmask |= bit, ny++; break;
        default: return CORE_EINVAL;
        }
    }
    double d1, d2;
    size_t dim = (size_t)1 << n;
    core_status st = state_unit_divisors(c, dim, &d1, &d2);
    if (st != CORE_OK)
        return st;
    double re = 0.0, im = 0.0; /* sum_i conj(c_{i ^ x}) (-1)^{|i & z|} c_i */
    for (size_t i = 0; i < dim; i++) {
        size_t j = i ^ xmask;
        double ar = creal(c[j]) / d1 / d2, ai = cimag(c[j]) / d1 / d2;
        double br = creal(c[i]) / d1 / d2, bi = cimag(c[i]) / d1 / d2;
        double sign = __builtin_parityll((unsigned long long)(i & zmask))
                          ? -1.0
                          : 1.0;
        re += sign * (ar * br + ai * bi);
        im += sign * (ar * bi - ai * br);
    }
    /* times i^ny: the real part of the product is the expectation */
    double e = ny % 4 == 0 ? re : ny % 4 == 1 ? -im : ny % 4 == 2 ? -re : im;
    *out = e > 1.0 ? 1.0 : e < -1.0 ? -1.0 : e;
    return CORE_OK;
}
