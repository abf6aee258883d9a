"""Independent pure-Python reference math for the integration tests."""

import math


def sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else \
        math.exp(z) / (1.0 + math.exp(z))


def softmax(z):
    m = max(z)
    e = [math.exp(v - m) for v in z]
    s = sum(e)
    return [v / s for v in e]


ACTIVATIONS = {
    "identity": lambda z, a: list(z),
    "sigmoid": lambda z, a: [sigmoid(v) for v in z],
    "tanh": lambda z, a: [math.tanh(v) for v in z],
    "relu": lambda z, a: [max(v, 0.0) for v in z],
    "leaky_relu": lambda z, a: [v if v > 0 else a * v for v in z],
    "elu": lambda z, a: [v if v > 0 else a * math.expm1(v) for v in z],
    "gelu": lambda z, a: [0.5 * v * (1 + math.erf(v / math.sqrt(2)))
                          for v in z],
    "softplus": lambda z, a: [max(v, 0) + math.log1p(math.exp(-abs(v)))
                              for v in z],
    "softmax": lambda z, a: softmax(z),
}
DEFAULT_ALPHA = {"leaky_relu": 0.01, "elu": 1.0}


def layer(weights, bias, activation, x, alpha=None):
    """Returns (z, a) of one dense layer; row j of weights feeds neuron j."""
    z = [sum(w * v for w, v in zip(row, x)) + (bias[j] if bias else 0.0)
         for j, row in enumerate(weights)]
    if alpha is None:
        alpha = DEFAULT_ALPHA.get(activation, 0.0)
    return z, ACTIVATIONS[activation](z, alpha)


def entropy_bits(p):
    return -sum(v * math.log2(v) for v in p if v > 0)


def kl_bits(p, q):
    return sum(a * math.log2(a / b) for a, b in zip(p, q) if a > 0)


def total_variation(p, q):
    return 0.5 * sum(abs(a - b) for a, b in zip(p, q))


def classical_fidelity(p, q):
    return sum(math.sqrt(a * b) for a, b in zip(p, q)) ** 2


def pearson(x, y):
    n = len(x)
    mx, my = sum(x) / n, sum(y) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y))
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    return sxy / math.sqrt(sxx * syy)


def close(a, b, tol=1e-12):
    return abs(a - b) <= tol * max(1.0, abs(b))
