/* core/qstate.h - operations on n-qubit states, the way state-vector
 * simulators do them.
 *
 * A state of n qubits is the array c[0 .. 2^n - 1] of core/state.h. Qubit q
 * is bit q of the basis index: qubit 0 is the least significant bit, so in
 * a label written q_{n-1} ... q_1 q_0 (state_basis_label) qubit 0 is the
 * rightmost character: the convention of Qiskit's Statevector. Gates act in
 * place by strided passes over the amplitudes; a k-qubit gate never builds
 * a 2^n x 2^n matrix, and a gate with controls touches only the amplitudes
 * whose control bits are 1.
 *
 * A list of qubits names the bits of a value in order: bit j of an outcome
 * or of a matrix index belongs to qubits[j], so qubits[0] is the least
 * significant. Every list must hold distinct qubits below n (CORE_EINVAL
 * otherwise). Inputs are finite (refused at the border); the gates keep the
 * norm of the state they act on. */
#ifndef PSINET_CORE_QSTATE_H
#define PSINET_CORE_QSTATE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/cmplx.h"
#include "core/rng.h"
#include "core/status.h"

/* Most qubits a state may have here (2^30 amplitudes); the service's
 * limits are far lower. */
#define QSTATE_MAX_QUBITS 30

/* The gates by name. Controls come first in a gate's qubits, then its
 * targets: cx(control, target), ccx(control, control, target),
 * cswap(control, target, target). Angles are in radians. */
typedef enum {
    QGATE_I,     /* identity */
    QGATE_X,     /* Pauli X (NOT) */
    QGATE_Y,     /* Pauli Y */
    QGATE_Z,     /* Pauli Z */
    QGATE_H,     /* Hadamard */
    QGATE_S,     /* diag(1, i) */
    QGATE_SDG,   /* S dagger: diag(1, -i) */
    QGATE_T,     /* diag(1, e^{i pi/4}) */
    QGATE_TDG,   /* T dagger */
    QGATE_SX,    /* sqrt(X) = [[1+i, 1-i], [1-i, 1+i]] / 2 */
    QGATE_RX,    /* exp(-i theta X / 2) */
    QGATE_RY,    /* exp(-i theta Y / 2) */
    QGATE_RZ,    /* exp(-i theta Z / 2) = diag(e^{-i theta/2}, e^{i theta/2}) */
    QGATE_P,     /* phase: diag(1, e^{i phi}) */
    QGATE_U,     /* U(theta, phi, lambda), as OpenQASM 3 and Qiskit define it */
    QGATE_CX,    /* controlled X */
    QGATE_CY,    /* controlled Y */
    QGATE_CZ,    /* controlled Z */
    QGATE_CH,    /* controlled H */
    QGATE_CP,    /* controlled phase P(phi) */
    QGATE_CRX,   /* controlled RX(theta) */
    QGATE_CRY,   /* controlled RY(theta) */
    QGATE_CRZ,   /* controlled RZ(theta) */
    QGATE_SWAP,  /* exchanges two qubits */
    QGATE_CCX,   /* Toffoli: X on the target when both controls are 1 */
    QGATE_CSWAP, /* Fredkin: swaps the two targets when the control is 1 */
    QGATE_COUNT_
} qgate_kind;

/* Looks a gate up by its name ("h", "cx", "sdg", ... in lower case); false
 * for a name it does not know. */
bool qgate_from_name(const char *name, qgate_kind *out);

/* The name of a gate (a static string). */
const char *qgate_name(qgate_kind kind);

/* Every name, comma-separated, for messages (a static string). */
const char *qgate_all_names(void);

/* How many qubits, and how many angles, the gate takes. */
int qgate_qubits(qgate_kind kind);
int qgate_params(qgate_kind kind);

/* Applies gate kind with params (qgate_params(kind) angles) to
 * qubits[0 .. qgate_qubits(kind) - 1] of the n-qubit state c, in place.
 * CORE_EINVAL when a qubit is out of range or repeated, or n is out of
 * [1, QSTATE_MAX_QUBITS]. */
core_status qstate_apply_gate(double complex *c, int n, qgate_kind kind,
                              const int *qubits, const double *params);

/* Applies the 2^k x 2^k matrix u (row-major; its row and column index bit
 * j is qubits[j]) to qubits[0 .. k-1] of the n-qubit state c, in place.
 * work has room for 2^k amplitudes. CORE_EINVAL as qstate_apply_gate. Any
 * matrix is applied: qstate_unitarity_deviation says whether it should be. */
core_status qstate_apply_matrix(double complex *c, int n, const int *qubits,
                                int k, const double complex *u,
                                double complex *work);

/* The largest |(U^dagger U - I)_ij| over the entries of the 2^k x 2^k
 * matrix u: 0 for a unitary matrix, up to rounding. */
double qstate_unitarity_deviation(const double complex *u, int k);

/* The Born probabilities of the outcomes of measuring qubits[0 .. k-1] of
 * the n-qubit state c (normalized or not): p[v] for v in [0, 2^k), bit j of
 * v the outcome of qubits[j], summed over the other qubits on the unit
 * state (scale-safe, as state_probabilities), each at most 1. CORE_EZERO
 * for the zero state, CORE_EINVAL for a bad list. */
core_status qstate_marginal(const double complex *c, int n, const int *qubits,
                            int k, double *p);

/* Projects the n-qubit state c onto outcome v of qubits[0 .. k-1] (bit j of
 * v for qubits[j]) and normalizes what is left, in place: the state after
 * that outcome was measured. CORE_EZERO when the outcome has probability 0
 * (c is then untouched), CORE_EINVAL for a bad list or v >= 2^k. */
core_status qstate_project(double complex *c, int n, const int *qubits,
                           int k, size_t v);

/* One projective measurement of qubits[0 .. k-1] of c with the seeded
 * generator: draws the outcome from qstate_marginal's probabilities (one
 * shot of rng_sample_counts, so a seed gives the same outcome everywhere),
 * sets *outcome and its probability *prob, and projects c onto it
 * (qstate_project). Errors as qstate_marginal, and CORE_ENOMEM when the
 * 2^k probabilities cannot be held; c is untouched on error. */
core_status qstate_collapse(double complex *c, int n, const int *qubits,
                            int k, rng_state *rng, size_t *outcome,
                            double *prob);

/* out = a (na qubits) (x) b (nb qubits): out[i * 2^nb + j] = a_i b_j, so
 * b's qubits become qubits 0 .. nb-1 of the result and a's the ones above,
 * as Qiskit's a.tensor(b). out has room for 2^(na + nb) amplitudes. */
void qstate_tensor(const double complex *a, int na, const double complex *b,
                   int nb, double complex *out);

/* The expectation <psi|P|psi> / <psi|psi> of the Pauli string pauli: n
 * characters of I, X, Y and Z, the last acting on qubit 0 (as in a label:
 * "XIZ" is X on qubit 2 and Z on qubit 0). Real, in [-1, 1]. CORE_EINVAL
 * for another character or a length other than n, CORE_EZERO for the
 * zero state. */
core_status qstate_pauli_expectation(const double complex *c, int n,
                                     const char *pauli, double *out);

#endif
