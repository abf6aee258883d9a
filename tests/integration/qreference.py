"""An independent pure-Python state-vector reference for the quantum
operations, to check psinet's against.

A state of n qubits is a list of 2^n complex numbers; qubit q is bit q of
the basis index (qubit 0 the least significant, the rightmost character of
a label), as openapi.yaml states. Nothing here is fast or clever, and
nothing follows psinet's code: every gate is built from its textbook
definition as a full 2^n x 2^n matrix (what it does to each basis state),
and applied by the full matrix-vector product. The sizes the tests use (up
to 5 qubits, 32 x 32) make that cheap.
"""

import cmath
import itertools
import math
import random

R = 1 / math.sqrt(2)

# ------------------------------------------------------------ 2x2 matrices
# Row-major [[m00, m01], [m10, m11]], acting on the basis |0>, |1>.

I = [[1, 0], [0, 1]]
X = [[0, 1], [1, 0]]
Y = [[0, -1j], [1j, 0]]
Z = [[1, 0], [0, -1]]
H = [[R, R], [R, -R]]
S = [[1, 0], [0, 1j]]
SDG = [[1, 0], [0, -1j]]
T = [[1, 0], [0, cmath.exp(1j * math.pi / 4)]]
TDG = [[1, 0], [0, cmath.exp(-1j * math.pi / 4)]]
SX = [[(1 + 1j) / 2, (1 - 1j) / 2], [(1 - 1j) / 2, (1 + 1j) / 2]]


def rx(theta):
    """exp(-i theta X / 2)"""
    c, s = math.cos(theta / 2), math.sin(theta / 2)
    return [[c, -1j * s], [-1j * s, c]]


def ry(theta):
    """exp(-i theta Y / 2)"""
    c, s = math.cos(theta / 2), math.sin(theta / 2)
    return [[c, -s], [s, c]]


def rz(theta):
    """exp(-i theta Z / 2)"""
    return [[cmath.exp(-1j * theta / 2), 0], [0, cmath.exp(1j * theta / 2)]]


def phase(phi):
    return [[1, 0], [0, cmath.exp(1j * phi)]]


def u(theta, phi, lam):
    """U(theta, phi, lambda) of OpenQASM 3 (and Qiskit's UGate)."""
    c, s = math.cos(theta / 2), math.sin(theta / 2)
    return [[c, -cmath.exp(1j * lam) * s],
            [cmath.exp(1j * phi) * s, cmath.exp(1j * (phi + lam)) * c]]


# name: (controls, 2x2 target matrix from the params), for the gates that
# act with a 2x2 matrix on one target where every control is 1.
SINGLE = {
    "i": (0, lambda p: I), "x": (0, lambda p: X), "y": (0, lambda p: Y),
    "z": (0, lambda p: Z), "h": (0, lambda p: H), "s": (0, lambda p: S),
    "sdg": (0, lambda p: SDG), "t": (0, lambda p: T),
    "tdg": (0, lambda p: TDG), "sx": (0, lambda p: SX),
    "rx": (0, lambda p: rx(*p)), "ry": (0, lambda p: ry(*p)),
    "rz": (0, lambda p: rz(*p)), "p": (0, lambda p: phase(*p)),
    "u": (0, lambda p: u(*p)),
    "cx": (1, lambda p: X), "cy": (1, lambda p: Y), "cz": (1, lambda p: Z),
    "ch": (1, lambda p: H), "cp": (1, lambda p: phase(*p)),
    "crx": (1, lambda p: rx(*p)), "cry": (1, lambda p: ry(*p)),
    "crz": (1, lambda p: rz(*p)),
    "ccx": (2, lambda p: X),
}
# How many qubits and angles each gate takes (the swaps included).
QUBITS = {name: c + 1 for name, (c, _) in SINGLE.items()}
QUBITS.update(swap=2, cswap=3)
PARAMS = {name: 0 for name in QUBITS}
PARAMS.update(rx=1, ry=1, rz=1, p=1, u=3, cp=1, crx=1, cry=1, crz=1)


def bit(b, q):
    return (b >> q) & 1


def gate_matrix(name, qubits, params, n):
    """The full 2^n x 2^n matrix of gate `name` on `qubits` (controls
    first) of n qubits, column by column: column b is the image of the
    basis state |b>."""
    dim = 1 << n
    m = [[0j] * dim for _ in range(dim)]
    for b in range(dim):
        if name in ("swap", "cswap"):
            *controls, q1, q2 = qubits
            image = b
            if all(bit(b, c) for c in controls) and bit(b, q1) != bit(b, q2):
                image = b ^ (1 << q1) ^ (1 << q2)
            m[image][b] = 1
            continue
        ncontrols, target_matrix = SINGLE[name]
        controls, t = qubits[:ncontrols], qubits[ncontrols]
        if not all(bit(b, c) for c in controls):
            m[b][b] = 1
            continue
        g = target_matrix(params)
        for out in (0, 1):   # |b> -> sum_out g[out][bit t of b] |b, t=out>
            image = (b & ~(1 << t)) | (out << t)
            m[image][b] += g[out][bit(b, t)]
    return m


def embed(matrix, qubits, n):
    """The full matrix of a 2^k x 2^k matrix acting on `qubits` of n
    qubits, bit j of its row and column index being qubits[j]."""
    dim = 1 << n
    mask = sum(1 << q for q in qubits)

    def local(b):
        return sum(bit(b, q) << j for j, q in enumerate(qubits))
    return [[matrix[local(r)][local(c)] if (r & ~mask) == (c & ~mask) else 0j
             for c in range(dim)] for r in range(dim)]


def apply(m, state):
    """The matrix-vector product m state."""
    return [sum(row[c] * state[c] for c in range(len(state))) for row in m]


def matmul(a, b):
    return [[sum(a[i][k] * b[k][j] for k in range(len(b)))
             for j in range(len(b[0]))] for i in range(len(a))]


def dagger(m):
    return [[m[j][i].conjugate() for j in range(len(m))]
            for i in range(len(m[0]))]


def unitarity_deviation(m):
    """max |(U^dagger U - I)_ij|"""
    p = matmul(dagger([[complex(v) for v in row] for row in m]), m)
    return max(abs(p[i][j] - (1 if i == j else 0))
               for i in range(len(p)) for j in range(len(p)))


# ------------------------------------------------------------ states

def random_state(rng, n):
    """A random unit state of n qubits (Gaussian amplitudes, normalized)."""
    c = [complex(rng.gauss(0, 1), rng.gauss(0, 1)) for _ in range(1 << n)]
    norm = math.sqrt(sum(abs(v) ** 2 for v in c))
    return [v / norm for v in c]


def random_unitary(rng, k):
    """A random 2^k x 2^k unitary: Gram-Schmidt, twice, on the columns of
    a random complex matrix."""
    dim = 1 << k
    cols = []
    for _ in range(dim):
        v = [complex(rng.gauss(0, 1), rng.gauss(0, 1)) for _ in range(dim)]
        for _ in range(2):
            for w in cols:
                d = sum(a.conjugate() * b for a, b in zip(w, v))
                v = [b - d * a for a, b in zip(w, v)]
        norm = math.sqrt(sum(abs(x) ** 2 for x in v))
        cols.append([x / norm for x in v])
    return [[cols[c][r] for c in range(dim)] for r in range(dim)]


def pairs(state):
    """A state as psinet reads and writes it: [re, im] pairs."""
    return [[v.real, v.imag] for v in state]


def from_pairs(p):
    return [complex(re, im) for re, im in p]


def norm(state):
    return math.sqrt(sum(abs(v) ** 2 for v in state))


def kron(a, b):
    """a (x) b: b's qubits become the low ones."""
    return [x * y for x in a for y in b]


def label(v, k):
    """The label of outcome v over k qubits: bit j of v is the (k-1-j)th
    character, so the first listed qubit is the rightmost."""
    return "".join(str(bit(v, j)) for j in reversed(range(k)))


def marginal(state, qubits):
    """{label: probability} of measuring `qubits` (bit j of an outcome is
    qubits[j]), on the unit state."""
    total = sum(abs(v) ** 2 for v in state)
    p = [0.0] * (1 << len(qubits))
    for b, v in enumerate(state):
        p[sum(bit(b, q) << j for j, q in enumerate(qubits))] += abs(v) ** 2
    return {label(v, len(qubits)): x / total for v, x in enumerate(p)}


def project(state, qubits, outcome):
    """The unit state after measuring `qubits` with the outcome label."""
    k = len(qubits)
    kept = [v if label(sum(bit(b, q) << j for j, q in enumerate(qubits)), k)
            == outcome else 0j for b, v in enumerate(state)]
    nm = norm(kept)
    return [v / nm for v in kept]


PAULI = {"I": I, "X": X, "Y": Y, "Z": Z}


def pauli_matrix(string):
    """The Kronecker product of the string's Paulis, first character first:
    the first character acts on the most significant qubit, the last on
    qubit 0."""
    m = [[1]]
    for ch in string:
        p = PAULI[ch]
        m = [[m[i][j] * p[k][l] for j in range(len(m)) for l in (0, 1)]
             for i in range(len(m)) for k in (0, 1)]
    return m


def expectation(state, string):
    """<psi|P|psi> / <psi|psi>, real."""
    pv = apply(pauli_matrix(string), state)
    num = sum(a.conjugate() * b for a, b in zip(state, pv))
    return num.real / sum(abs(v) ** 2 for v in state)


def inner(a, b):
    """<a|b> of the unit states."""
    na, nb = norm(a), norm(b)
    return sum(x.conjugate() * y for x, y in zip(a, b)) / (na * nb)


def max_diff(a, b):
    return max(abs(x - y) for x, y in zip(a, b))


def every_order(n, k):
    """Every ordered choice of k distinct qubits of n."""
    return list(itertools.permutations(range(n), k))


def rng(seed):
    return random.Random(seed)
