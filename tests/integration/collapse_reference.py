"""An independent pure-Python collapse_propagation, for the tests.

Written from the semantics openapi.yaml states for the experiment kind
collapse_propagation, not from psinet's C: every shot runs the whole
network from the input (the C starts from the shared prefix), takes dense
products throughout, and finds each outcome by a linear scan. The seeded
generator is xoshiro256** seeded through splitmix64, from its authors'
reference code, as tests/ref/gen_core_ref.py has it.

Standard library only: tests/ref/gen_collapse_ref.py imports it too.
"""

import math

import reference as ref

MASK = (1 << 64) - 1


class Xoshiro:
    """xoshiro256** 1.0, seeded with four outputs of splitmix64."""

    def __init__(self, seed):
        x = seed & MASK
        self.s = []
        for _ in range(4):
            x = (x + 0x9E3779B97F4A7C15) & MASK
            z = x
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
            self.s.append(z ^ (z >> 31))

    def next(self):
        s = self.s

        def rotl(v, k):
            return ((v << k) | (v >> (64 - k))) & MASK

        result = (rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def uniform(self):
        return (self.next() >> 11) * 2.0 ** -53


def draw(rng, p):
    """One outcome: the first i whose running sum of p (each clamped to 1)
    exceeds u times the total; never an outcome of probability 0."""
    cum, total, last = [], 0.0, 0
    for i, v in enumerate(p):
        v = min(v, 1.0)
        if v > 0:
            total += v
            last = i
        cum.append(total)
    t = rng.uniform() * total
    for i in range(last + 1):
        if cum[i] > t:
            return i
    return last


def born(mapping, z, a):
    """The Born distribution of a layer read as a state, or None (l2 of a
    zero output)."""
    if mapping == "softmax_sqrt":
        return ref.softmax(z)
    norm = math.hypot(*a)
    if norm == 0:
        return None
    return [(v / norm) ** 2 for v in a]


def argmax(v):
    """The lowest index among equal maxima."""
    best = 0
    for i in range(1, len(v)):
        if v[i] > v[best]:
            best = i
    return best


def label(i, n):
    """psinet's default basis label: binary digits for a power of two."""
    if n > 1 and n & (n - 1) == 0:
        return format(i, "0%db" % (n.bit_length() - 1))
    return str(i)


def forward(layer, x):
    return ref.layer(layer["weights"], layer.get("bias"),
                     layer["activation"], x,
                     (layer.get("params") or {}).get("alpha"))


def run(layers, x, mapping="l2", collapse="one_hot", at=None, shots=1,
        seed=0):
    """The result psinet should give, as a dict of the same shape."""
    if at is None:
        at = list(range(len(layers) - 1))
    det_z, det_a, h = [], [], x
    for layer in layers:
        z, a = forward(layer, h)
        det_z.append(z)
        det_a.append(a)
        h = a
    n_out = len(det_a[-1])
    final = [0] * n_out
    counts = [[0] * len(det_a[l]) for l in at]
    entropy = [0.0] * len(at)
    for s in range(shots):
        rng = Xoshiro(seed + s)
        h = x
        for l, layer in enumerate(layers):
            z, a = forward(layer, h)
            if l in at:
                j = at.index(l)
                p = born(mapping, z, a)
                if p is None:
                    raise ValueError("zero state at layer %d, shot %d"
                                     % (l, s))
                o = draw(rng, p)
                counts[j][o] += 1
                entropy[j] += ref.entropy_bits(p)
                v = 1.0 if collapse == "one_hot" else a[o]
                a = [v if i == o else 0.0 for i in range(len(a))]
            h = a
        final[argmax(h)] += 1
    det_p = born(mapping, det_z[-1], det_a[-1])
    dist = [c / shots for c in final]
    kl = 0.0
    for f, d in zip(dist, det_p):
        if f > 0:
            if d <= 0:
                kl = None
                break
            kl += f * math.log2(f / d)
    if kl is not None:
        kl = max(kl, 0.0)
    d_arg = argmax(det_a[-1])

    def count_obj(c):
        return {label(i, len(c)): v for i, v in enumerate(c) if v}

    layer_out = []
    for j, l in enumerate(at):
        p = born(mapping, det_z[l], det_a[l])
        layer_out.append({
            "layer": l,
            "counts": count_obj(counts[j]),
            "born_entropy_bits": entropy[j] / shots,
            "deterministic_born_entropy_bits":
                None if p is None else ref.entropy_bits(p),
        })
    return {
        "shots": shots,
        "seed": seed,
        "collapse_layers": list(at),
        "deterministic": {"output": det_a[-1], "distribution": det_p,
                          "argmax": d_arg},
        "final": {"counts": count_obj(final), "distribution": dist},
        "layers": layer_out,
        "metrics": {
            "agreement": final[d_arg] / shots,
            "kl_divergence_bits": kl,
            "total_variation": ref.total_variation(dist, det_p),
        },
    }
