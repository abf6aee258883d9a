#!/usr/bin/python3
"""Reference values for psinet's quantum-state tests, computed with numpy.

Writes tests/ref/qstate_ref.h: inputs and expected outputs of core/qstate.h
and state_compare (core/state.h) as C99 hex-float literals. Regenerate with

    /usr/bin/python3 tests/ref/gen_qstate_ref.py > tests/ref/qstate_ref.h

(Debian's python3-numpy; psinet's build and tests never run this script.)

The method is deliberately naive, and independent of core/qstate.c: every
gate is a full 2^n x 2^n matrix, made with np.kron from the gate's 2x2, 4x4
or 8x8 definition and a permutation matrix that puts bit j of the gate's
index on qubits[j] (qubit 0 the least significant bit of the basis index,
controls first), and states are multiplied by it. A second construction,
entry by entry, must agree with the first before anything is written.
"""

import math

import numpy as np

rng = np.random.default_rng(20261203)
out = []


def emit(line=""):
    out.append(line)


def hexs(values):
    return ", ".join(float(v).hex() for v in np.ravel(values))


def carray(name, c):
    """A complex vector as interleaved (re, im) doubles."""
    c = np.ravel(np.asarray(c, dtype=complex))
    pairs = np.column_stack([c.real, c.imag])
    emit("REF const double %s[%d] = {%s};" % (name, 2 * len(c), hexs(pairs)))
    return name


def rarray(name, values):
    values = np.ravel(np.asarray(values, dtype=float))
    emit("REF const double %s[%d] = {%s};" % (name, len(values),
                                            hexs(values)))
    return name


def random_state(n):
    c = rng.normal(size=2 ** n) + 1j * rng.normal(size=2 ** n)
    return c / np.linalg.norm(c)


def random_unitary(k):
    d = 2 ** k
    z = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    q, r = np.linalg.qr(z)
    return q * (np.diag(r) / np.abs(np.diag(r)))


def chex(x):
    return float(x).hex()


# ------------------------------------------------------------------ gates
I2 = np.eye(2, dtype=complex)
X = np.array([[0, 1], [1, 0]], dtype=complex)
Y = np.array([[0, -1j], [1j, 0]], dtype=complex)
Z = np.array([[1, 0], [0, -1]], dtype=complex)
H = np.array([[1, 1], [1, -1]], dtype=complex) / math.sqrt(2)
P0 = np.array([[1, 0], [0, 0]], dtype=complex)  # |0><0|
P1 = np.array([[0, 0], [0, 1]], dtype=complex)  # |1><1|


def rx(t):
    c, s = math.cos(t / 2), math.sin(t / 2)
    return np.array([[c, -1j * s], [-1j * s, c]])


def ry(t):
    c, s = math.cos(t / 2), math.sin(t / 2)
    return np.array([[c, -s], [s, c]], dtype=complex)


def rz(t):
    return np.diag([np.exp(-0.5j * t), np.exp(0.5j * t)])


def phase(p):
    return np.diag([1, np.exp(1j * p)])


def u3(t, p, lam):
    """OpenQASM 3's U(theta, phi, lambda), as Qiskit's UGate."""
    c, s = math.cos(t / 2), math.sin(t / 2)
    return np.array([[c, -np.exp(1j * lam) * s],
                     [np.exp(1j * p) * s, np.exp(1j * (p + lam)) * c]])


def controlled(u):
    """4x4, index bit 0 the control, bit 1 the target. np.kron(A, B) puts A
    on the high bits of the index."""
    return np.kron(I2, P0) + np.kron(u, P1)


SWAP = np.array([[1, 0, 0, 0], [0, 0, 1, 0], [0, 1, 0, 0], [0, 0, 0, 1]],
                dtype=complex)
# ccx: bits 0 and 1 the controls, bit 2 the target.
CCX = np.kron(I2, np.eye(4) - np.kron(P1, P1)) + np.kron(X, np.kron(P1, P1))
# cswap: bit 0 the control, bits 1 and 2 the targets.
CSWAP = np.kron(np.eye(4), P0) + np.kron(SWAP, P1)

# name, C enum, qubits, angles, matrix of the angles
GATES = [
    ("i", "QGATE_I", 1, 0, lambda a: I2),
    ("x", "QGATE_X", 1, 0, lambda a: X),
    ("y", "QGATE_Y", 1, 0, lambda a: Y),
    ("z", "QGATE_Z", 1, 0, lambda a: Z),
    ("h", "QGATE_H", 1, 0, lambda a: H),
    ("s", "QGATE_S", 1, 0, lambda a: np.diag([1, 1j])),
    ("sdg", "QGATE_SDG", 1, 0, lambda a: np.diag([1, -1j])),
    ("t", "QGATE_T", 1, 0, lambda a: np.diag([1, np.exp(1j * math.pi / 4)])),
    ("tdg", "QGATE_TDG", 1, 0,
     lambda a: np.diag([1, np.exp(-1j * math.pi / 4)])),
    ("sx", "QGATE_SX", 1, 0,
     lambda a: np.array([[1 + 1j, 1 - 1j], [1 - 1j, 1 + 1j]]) / 2),
    ("rx", "QGATE_RX", 1, 1, lambda a: rx(a[0])),
    ("ry", "QGATE_RY", 1, 1, lambda a: ry(a[0])),
    ("rz", "QGATE_RZ", 1, 1, lambda a: rz(a[0])),
    ("p", "QGATE_P", 1, 1, lambda a: phase(a[0])),
    ("u", "QGATE_U", 1, 3, lambda a: u3(a[0], a[1], a[2])),
    ("cx", "QGATE_CX", 2, 0, lambda a: controlled(X)),
    ("cy", "QGATE_CY", 2, 0, lambda a: controlled(Y)),
    ("cz", "QGATE_CZ", 2, 0, lambda a: controlled(Z)),
    ("ch", "QGATE_CH", 2, 0, lambda a: controlled(H)),
    ("cp", "QGATE_CP", 2, 1, lambda a: controlled(phase(a[0]))),
    ("crx", "QGATE_CRX", 2, 1, lambda a: controlled(rx(a[0]))),
    ("cry", "QGATE_CRY", 2, 1, lambda a: controlled(ry(a[0]))),
    ("crz", "QGATE_CRZ", 2, 1, lambda a: controlled(rz(a[0]))),
    ("swap", "QGATE_SWAP", 2, 0, lambda a: SWAP),
    ("ccx", "QGATE_CCX", 3, 0, lambda a: CCX),
    ("cswap", "QGATE_CSWAP", 3, 0, lambda a: CSWAP),
]
GATE = {g[0]: g for g in GATES}


def full_matrix(g, n, qubits):
    """The 2^n x 2^n matrix of the 2^k x 2^k matrix g on qubits: kron(I, g)
    acts on the k low bits; the permutation matrix moves bit j to qubits[j]
    and the other qubits, in ascending order, above them."""
    k = len(qubits)
    order = list(qubits) + [q for q in range(n) if q not in qubits]
    dim = 2 ** n
    perm = np.zeros((dim, dim))
    for x in range(dim):
        y = sum(((x >> j) & 1) << order[j] for j in range(n))
        perm[y, x] = 1
    return perm @ np.kron(np.eye(2 ** (n - k)), g) @ perm.T


def full_matrix_entries(g, n, qubits):
    """The same matrix entry by entry: <i|M|j> = g[sub(i), sub(j)] when i
    and j agree off the gate's qubits, else 0."""
    dim = 2 ** n
    mask = sum(1 << q for q in qubits)

    def sub(i):
        return sum(((i >> q) & 1) << j for j, q in enumerate(qubits))

    m = np.zeros((dim, dim), dtype=complex)
    for i in range(dim):
        for j in range(dim):
            if (i & ~mask) == (j & ~mask):
                m[i, j] = g[sub(i), sub(j)]
    return m


def apply(g, n, qubits, c):
    m = full_matrix(g, n, qubits)
    if n <= 6:
        assert np.array_equal(m, full_matrix_entries(g, n, qubits))
    return m @ c


def gate_matrix(name, params):
    return GATE[name][4](params)


def basis(n, i):
    c = np.zeros(2 ** n, dtype=complex)
    c[i] = 1
    return c


# The conventions, by hand, before anything is generated (Qiskit's).
assert np.allclose(apply(gate_matrix("cx", []), 2, [0, 1], basis(2, 1)),
                   basis(2, 3))  # |01> (qubit 0 set) -> |11>
assert np.allclose(apply(gate_matrix("cx", []), 2, [1, 0], basis(2, 1)),
                   basis(2, 1))  # control qubit 1 is 0
assert np.allclose(apply(gate_matrix("cx", []), 2, [1, 0], basis(2, 2)),
                   basis(2, 3))
assert np.allclose(apply(gate_matrix("x", []), 3, [2], basis(3, 0)),
                   basis(3, 4))
assert np.allclose(apply(gate_matrix("ccx", []), 3, [0, 1, 2], basis(3, 3)),
                   basis(3, 7))
assert np.allclose(apply(gate_matrix("ccx", []), 5, [4, 1, 2], basis(5, 18)),
                   basis(5, 22))
assert np.allclose(apply(gate_matrix("cswap", []), 3, [0, 1, 2],
                         basis(3, 0b011)), basis(3, 0b101))
assert np.allclose(apply(gate_matrix("cswap", []), 3, [1, 0, 2],
                         basis(3, 0b011)), basis(3, 0b110))
assert np.allclose(u3(math.pi / 2, 0, math.pi), H)
assert np.allclose(u3(0.7, -math.pi / 2, math.pi / 2), rx(0.7))
assert np.allclose(rz(0.9), np.exp(-0.45j) * phase(0.9))
assert np.allclose(gate_matrix("sx", []) @ gate_matrix("sx", []), X)
for g in GATES:
    m = g[4](rng.uniform(-1, 1, size=3))
    assert np.allclose(m.conj().T @ m, np.eye(len(m)))


# ------------------------------------------------------------------ header
emit("/* generated by tests/ref/gen_qstate_ref.py (numpy %s); do not edit */"
     % np.__version__)
emit("#ifndef PSINET_TESTS_QSTATE_REF_H")
emit("#define PSINET_TESTS_QSTATE_REF_H")
emit()
emit("#include \"core/qstate.h\"")
emit()
emit("/* Each test file uses only some of these. */")
emit("#ifndef REF")
emit("#define REF static __attribute__((unused))")
emit("#endif")
emit()
emit("/* Complex vectors and matrices are interleaved (re, im) doubles; a")
emit(" * matrix is row-major. */")
emit()

# ------------------------------------------------------------------ states
# One unit random state of each size, and the same states scaled: to
# amplitudes near 1e300 and near 1e-300 (whose squares overflow and
# underflow) and by an ordinary factor.
STATES = {n: random_state(n) for n in range(1, 11)}
OTHER6 = random_state(6)
for n in range(1, 11):
    carray("qs_state%d" % n, STATES[n])
emit("REF const double *const qs_states[11] = {0, %s};"
     % ", ".join("qs_state%d" % n for n in range(1, 11)))
BIG, TINY = 1e300, 1e-300
carray("qs_big6", STATES[6] * BIG)
carray("qs_tiny6", STATES[6] * TINY)
carray("qs_other6", OTHER6)
carray("qs_tiny_other6", OTHER6 * TINY)
carray("qs_scaled3", STATES[3] * 3.75)
emit()
INPUTS = {"qs_big6": (6, STATES[6] * BIG), "qs_tiny6": (6, STATES[6] * TINY),
          "qs_other6": (6, OTHER6), "qs_tiny_other6": (6, OTHER6 * TINY),
          "qs_scaled3": (3, STATES[3] * 3.75)}
for n in range(1, 11):
    INPUTS["qs_state%d" % n] = (n, STATES[n])
UNIT_OF = {"qs_big6": ("qs_state6", BIG), "qs_tiny6": ("qs_state6", TINY)}

# ------------------------------------------------------------------ gate cases
# Every gate at every qubit order on 1 to 3 qubits, at non-adjacent and
# reversed orders on 5, a random gate at random qubits on 4 and 6 to 10, and
# some on the scaled states: the expected state for a scaled input is
# scale times the unit state's.
gate_cases = []


def random_params(name):
    return list(rng.uniform(-2 * math.pi, 2 * math.pi, size=GATE[name][3]))


def gate_case(name, qubits, src, params=None):
    n = INPUTS[src][0]
    if params is None:
        params = random_params(name)
    unit_src, scale = UNIT_OF.get(src, (src, 1.0))
    expect = apply(gate_matrix(name, params), n, qubits, INPUTS[unit_src][1])
    gate_cases.append((n, name, list(qubits), params, src, expect, scale))


def orders(n, k):
    import itertools
    return list(itertools.permutations(range(n), k))


for g in GATES:
    name, k = g[0], g[2]
    for n in (1, 2, 3):
        if k <= n:
            for qs in orders(n, k):
                gate_case(name, qs, "qs_state%d" % n)
    picks = {1: [(3,)], 2: [(3, 0), (0, 3), (1, 4)],
             3: [(4, 1, 2), (0, 4, 2), (3, 2, 0)]}[k]
    for qs in picks:
        gate_case(name, qs, "qs_state5")
for n, count in ((4, 8), (6, 8), (7, 3), (8, 2), (9, 1), (10, 1)):
    for _ in range(count):
        g = GATES[rng.integers(len(GATES))]
        qs = [int(q) for q in rng.permutation(n)[:g[2]]]
        gate_case(g[0], qs, "qs_state%d" % n)
for name, qs in (("h", [5]), ("u", [2]), ("cry", [5, 1]), ("ccx", [0, 3, 5]),
                 ("cswap", [4, 5, 0])):
    gate_case(name, qs, "qs_big6")
    gate_case(name, qs, "qs_tiny6")

emit("typedef struct {")
emit("    int n;")
emit("    qgate_kind kind;")
emit("    const char *name;")
emit("    int qubits[3];")
emit("    double params[3];")
emit("    const double *in; /* 2^n amplitudes */")
emit("    const double *out; /* the result over scale */")
emit("    double scale;")
emit("} ref_qgate_case;")
for i, case in enumerate(gate_cases):
    carray("qs_gate_out%d" % i, case[5])
emit("#define REF_QGATE_CASES %d" % len(gate_cases))
emit("REF const ref_qgate_case ref_qgate_cases[REF_QGATE_CASES] = {")
for i, (n, name, qs, params, src, expect, scale) in enumerate(gate_cases):
    qs3 = qs + [-1] * (3 - len(qs))
    p3 = list(params) + [0.0] * (3 - len(params))
    emit("    {%d, %s, \"%s\", {%s}, {%s}, %s, qs_gate_out%d, %s},"
         % (n, GATE[name][1], name, ", ".join(str(q) for q in qs3),
            hexs(p3), src, i, chex(scale)))
emit("};")
emit()

# A circuit of every gate on 10 qubits, in a scrambled order, at random
# qubits and angles: only its final state is kept.
steps = []
c = STATES[10]
for g in [GATES[i] for i in rng.permutation(len(GATES))] * 2:
    qs = [int(q) for q in rng.permutation(10)[:g[2]]]
    params = random_params(g[0])
    c = apply(gate_matrix(g[0], params), 10, qs, c)
    steps.append((g, qs, params))
carray("qs_circuit10_out", c)
emit("#define REF_QCIRCUIT10_STEPS %d" % len(steps))
emit("REF const ref_qgate_case ref_qcircuit10[REF_QCIRCUIT10_STEPS] = {")
for g, qs, params in steps:
    qs3 = qs + [-1] * (3 - len(qs))
    p3 = list(params) + [0.0] * (3 - len(params))
    emit("    {10, %s, \"%s\", {%s}, {%s}, 0, 0, 0x1p+0},"
         % (g[1], g[0], ", ".join(str(q) for q in qs3), hexs(p3)))
emit("};")
emit()

# ------------------------------------------------------------------ matrices
# Random unitaries (QR of a complex Gaussian) on k = 1, 2, 3 qubits in a
# scrambled order, and one matrix that is not unitary (applied all the
# same); with each matrix's unitarity deviation max |(U^dagger U - I)_ij|.


def deviation(u):
    return np.abs(u.conj().T @ u - np.eye(len(u))).max()


matrix_cases = []
for k, n, qs, kind in ((1, 3, [1], "unitary"), (2, 4, [3, 0], "unitary"),
                       (2, 3, [0, 2], "unitary"),
                       (3, 5, [4, 0, 2], "unitary"),
                       (3, 6, [1, 5, 3], "unitary"),
                       (3, 3, [2, 0, 1], "unitary"),
                       (2, 3, [2, 1], "general"),
                       (2, 6, [5, 2], "unitary big")):
    if kind == "general":
        u = (rng.normal(size=(4, 4)) + 1j * rng.normal(size=(4, 4))) / 2
    else:
        u = random_unitary(k)
    src = "qs_big6" if kind == "unitary big" else "qs_state%d" % n
    unit_src, scale = UNIT_OF.get(src, (src, 1.0))
    expect = apply(u, n, qs, INPUTS[unit_src][1])
    matrix_cases.append((n, k, qs, u, src, expect, scale, deviation(u)))
for k, eps in ((1, 1e-3), (2, 1e-3), (3, 1e-6)):
    u = random_unitary(k)
    d = 2 ** k
    u = u + eps * (rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d)))
    matrix_cases.append((3, k, [2, 0, 1][:k], u, "qs_state3",
                         apply(u, 3, [2, 0, 1][:k], STATES[3]), 1.0,
                         deviation(u)))

emit("typedef struct {")
emit("    int n, k;")
emit("    int qubits[3];")
emit("    const double *u; /* 2^k x 2^k */")
emit("    const double *in;")
emit("    const double *out; /* the result over scale */")
emit("    double scale;")
emit("    double deviation; /* max |(U^dagger U - I)_ij| */")
emit("} ref_qmatrix_case;")
for i, case in enumerate(matrix_cases):
    carray("qs_matrix%d" % i, case[3])
    carray("qs_matrix_out%d" % i, case[5])
emit("#define REF_QMATRIX_CASES %d" % len(matrix_cases))
emit("REF const ref_qmatrix_case ref_qmatrix_cases[REF_QMATRIX_CASES] = {")
for i, (n, k, qs, u, src, expect, scale, dev) in enumerate(matrix_cases):
    qs3 = qs + [-1] * (3 - len(qs))
    emit("    {%d, %d, {%s}, qs_matrix%d, %s, qs_matrix_out%d, %s, %s},"
         % (n, k, ", ".join(str(q) for q in qs3), i, src, i, chex(scale),
            chex(dev)))
emit("};")
emit()

# ------------------------------------------------------------------ marginals


def marginal(c, qubits):
    p = np.abs(c) ** 2
    p = p / p.sum()
    k = len(qubits)
    m = np.zeros(2 ** k)
    for i in range(len(c)):
        v = sum(((i >> q) & 1) << j for j, q in enumerate(qubits))
        m[v] += p[i]
    return m


def unit_of(src):
    """The unit state of an input; a scaled state's is its unscaled one's,
    since numpy's norm overflows or underflows at those scales."""
    n, c = INPUTS[UNIT_OF.get(src, (src, 1.0))[0]]
    return n, c / np.linalg.norm(c)


marginal_cases = []
for src, qs in (("qs_state1", [0]), ("qs_state2", [1]), ("qs_state2", [1, 0]),
                ("qs_state2", [0, 1]), ("qs_state3", [2, 0]),
                ("qs_state3", [0, 2, 1]), ("qs_state3", [1]),
                ("qs_scaled3", [2, 0]), ("qs_state4", [2, 0, 3, 1]),
                ("qs_state5", [3, 1]), ("qs_state5", [4, 1, 3]),
                ("qs_state5", [2, 4, 1, 3]), ("qs_state8", [6, 0, 7]),
                ("qs_state10", [9, 0, 5]), ("qs_state10", [3]),
                ("qs_state10", [7, 2, 8, 0]), ("qs_big6", [5, 1, 3]),
                ("qs_tiny6", [0, 4]), ("qs_big6", [2, 0, 5, 3])):
    n, c = unit_of(src)
    marginal_cases.append((n, qs, src, marginal(c, qs)))
emit("typedef struct {")
emit("    int n, k;")
emit("    int qubits[4];")
emit("    const double *in;")
emit("    const double *p; /* 2^k probabilities */")
emit("} ref_qmarginal_case;")
for i, case in enumerate(marginal_cases):
    rarray("qs_marginal%d" % i, case[3])
emit("#define REF_QMARGINAL_CASES %d" % len(marginal_cases))
emit("REF const ref_qmarginal_case ref_qmarginal_cases[REF_QMARGINAL_CASES]"
     " = {")
for i, (n, qs, src, m) in enumerate(marginal_cases):
    qs4 = qs + [-1] * (4 - len(qs))
    emit("    {%d, %d, {%s}, %s, qs_marginal%d},"
         % (n, len(qs), ", ".join(str(q) for q in qs4), src, i))
emit("};")
emit()

# ------------------------------------------------------------------ project


def project(c, qubits, v):
    keep = np.array([sum(((i >> q) & 1) << j for j, q in enumerate(qubits))
                     == v for i in range(len(c))])
    r = np.where(keep, c, 0)
    return r / np.linalg.norm(r)


project_cases = []
for src, qs, vs in (("qs_state3", [1], [0, 1]),
                    ("qs_state3", [2, 0], [0, 1, 2, 3]),
                    ("qs_state3", [1, 2, 0], [6]),
                    ("qs_scaled3", [0], [1]),
                    ("qs_state5", [4, 1, 3], range(8)),
                    ("qs_state8", [7, 0], [1]),
                    ("qs_big6", [3, 0], [3]), ("qs_tiny6", [5], [1]),
                    ("qs_tiny6", [1, 4, 2], [5])):
    n, c = unit_of(src)
    for v in vs:
        project_cases.append((n, qs, v, src, project(c, qs, v)))
emit("typedef struct {")
emit("    int n, k;")
emit("    int qubits[4];")
emit("    unsigned v;")
emit("    const double *in;")
emit("    const double *out; /* unit */")
emit("} ref_qproject_case;")
for i, case in enumerate(project_cases):
    carray("qs_project_out%d" % i, case[4])
emit("#define REF_QPROJECT_CASES %d" % len(project_cases))
emit("REF const ref_qproject_case ref_qproject_cases[REF_QPROJECT_CASES] = {")
for i, (n, qs, v, src, r) in enumerate(project_cases):
    qs4 = qs + [-1] * (4 - len(qs))
    emit("    {%d, %d, {%s}, %du, %s, qs_project_out%d},"
         % (n, len(qs), ", ".join(str(q) for q in qs4), v, src, i))
emit("};")
emit()

# ------------------------------------------------------------------ tensor
tensor_cases = []
for na, nb in ((1, 1), (2, 3), (3, 1), (1, 4), (3, 5)):
    tensor_cases.append((na, nb, np.kron(STATES[na], STATES[nb])))
emit("typedef struct {")
emit("    int na, nb;")
emit("    const double *out; /* qs_state{na} (x) qs_state{nb} */")
emit("} ref_qtensor_case;")
for i, case in enumerate(tensor_cases):
    carray("qs_tensor_out%d" % i, case[2])
emit("#define REF_QTENSOR_CASES %d" % len(tensor_cases))
emit("REF const ref_qtensor_case ref_qtensor_cases[REF_QTENSOR_CASES] = {")
for i, (na, nb, r) in enumerate(tensor_cases):
    emit("    {%d, %d, qs_tensor_out%d}," % (na, nb, i))
emit("};")
emit()

# ------------------------------------------------------------------ Pauli
PAULI = {"I": I2, "X": X, "Y": Y, "Z": Z}


def pauli_expectation(c, s):
    m = np.array([[1]], dtype=complex)
    for ch in s:  # the first character acts on the highest qubit
        m = np.kron(m, PAULI[ch])
    return (np.vdot(c, m @ c) / np.vdot(c, c)).real


def random_pauli(n):
    return "".join("IXYZ"[i] for i in rng.integers(4, size=n))


pauli_cases = []
for src, strings in (("qs_state1", ["I", "X", "Y", "Z"]),
                     ("qs_state2", ["XY", "ZZ", "YI", "IX"]),
                     ("qs_state3", ["XIZ", "YYX", "ZIY", "IIZ"]),
                     ("qs_scaled3", ["XYZ"]),
                     ("qs_state5", [random_pauli(5) for _ in range(3)]),
                     ("qs_state8", [random_pauli(8) for _ in range(2)]),
                     ("qs_state10", [random_pauli(10), "Z" * 10, "I" * 10,
                                     "X" * 10]),
                     ("qs_big6", ["XZIYYX", "ZIIIIZ"]),
                     ("qs_tiny6", ["XZIYYX", "IYIIXI"])):
    n, c = unit_of(src)
    for s in strings:
        pauli_cases.append((n, s, src, pauli_expectation(c, s)))
emit("typedef struct {")
emit("    int n;")
emit("    const char *pauli;")
emit("    const double *in;")
emit("    double expect;")
emit("} ref_qpauli_case;")
emit("#define REF_QPAULI_CASES %d" % len(pauli_cases))
emit("REF const ref_qpauli_case ref_qpauli_cases[REF_QPAULI_CASES] = {")
for n, s, src, e in pauli_cases:
    emit("    {%d, \"%s\", %s, %s}," % (n, s, src, chex(e)))
emit("};")
emit()

# ------------------------------------------------------------------ compare


def compare(a, b):
    ua, ub = a / np.linalg.norm(a), b / np.linalg.norm(b)
    ip = np.vdot(ua, ub)
    f = min(abs(ip) ** 2, 1.0)
    ph = 0.0 if ip == 0 else float(np.angle(ip))
    dist = np.abs(ub - np.exp(1j * ph) * ua).max()
    return ip, f, math.sqrt(1.0 - f), ph, dist


compare_cases = []


def compare_case(why, a_name, a, b_name, b, ua=None, ub=None, defined=1):
    """defined: 0 when <a|b> is rounding noise, whose argument (the phase,
    and the distance that uses it) is not determined."""
    ua = a if ua is None else ua
    ub = b if ub is None else ub
    compare_cases.append((why, len(a), a_name, b_name, defined)
                         + compare(ua, ub))


for n in (1, 3, 6, 8):
    b = random_state(n) * rng.uniform(0.5, 2)
    name = carray("qs_cmp_b%d" % n, b)
    compare_case("random pair", "qs_state%d" % n, STATES[n], name, b)
theta = rng.uniform(-math.pi, math.pi)
name = carray("qs_cmp_rot4", np.exp(1j * theta) * STATES[4])
compare_case("b = e^{i theta} a", "qs_state4", STATES[4], name,
             np.exp(1j * theta) * STATES[4])
name = carray("qs_cmp_neg3", -STATES[3])
compare_case("b = -a: phase pi, not -pi", "qs_state3", STATES[3], name,
             -STATES[3])
compare_case("a state with itself", "qs_state5", STATES[5], "qs_state5",
             STATES[5])
compare_case("scaled copy", "qs_state3", STATES[3], "qs_scaled3",
             STATES[3] * 3.75)
even = np.where(np.arange(8) % 2 == 0, random_state(3), 0)
odd = np.where(np.arange(8) % 2 == 1, random_state(3), 0) * 4
compare_case("orthogonal: disjoint supports", carray("qs_cmp_even3", even),
             even, carray("qs_cmp_odd3", odd), odd)
a, b = STATES[2], random_state(2)
b = b - np.vdot(a, b) * a  # Gram-Schmidt: <a|b> ~ 1e-17, not 0
compare_case("orthogonal up to rounding", "qs_state2", a,
             carray("qs_cmp_gs2", b), b, defined=0)
compare_case("amplitudes near 1e300 and 1e-300", "qs_big6", STATES[6] * BIG,
             "qs_tiny_other6", OTHER6 * TINY, STATES[6], OTHER6)
compare_case("amplitudes near 1e-300, one ray", "qs_tiny6", STATES[6] * TINY,
             "qs_big6", STATES[6] * BIG, STATES[6], STATES[6])
emit("typedef struct {")
emit("    const char *why;")
emit("    size_t len;")
emit("    const double *a, *b;")
emit("    int phase_defined; /* 0: <a|b> is rounding noise */")
emit("    double inner_re, inner_im, fidelity, trace_distance, phase,"
     " distance;")
emit("} ref_compare_case;")
emit("#define REF_COMPARE_CASES %d" % len(compare_cases))
emit("REF const ref_compare_case ref_compare_cases[REF_COMPARE_CASES] = {")
for why, d, an, bn, defined, ip, f, td, ph, dist in compare_cases:
    emit("    {\"%s\", %d, %s, %s, %d, %s, %s, %s, %s, %s, %s},"
         % (why, d, an, bn, defined, chex(ip.real), chex(ip.imag), chex(f),
            chex(td), chex(ph), chex(dist)))
emit("};")
emit()
emit("#endif")
print("\n".join(out))
