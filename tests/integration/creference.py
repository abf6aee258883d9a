"""Independent pure-Python reference for complex layers.

The product W x + b is exact (fractions.Fraction on the doubles sent); the
moduli, the activations' factors, the state and softmax(|z|) are taken in
60-digit decimals, whose exponent range makes 1e300 + 1e300i or
1e-300 * 1e-300 ordinary numbers; only the results are rounded to doubles.
Nothing here shares code or formulas with core/clayer.c: each activation
is its textbook definition.

    modrelu(z; b)  = max(|z| + b, 0) z/|z|     (0 at z = 0)
    cardioid(z)    = (1 + cos arg z)/2 z        (cos arg z = Re z/|z|)
    split_tanh(z)  = tanh(Re z) + i tanh(Im z)
    split_sigmoid  = sigmoid(Re z) + i sigmoid(Im z)
"""

import math
from decimal import Context, Decimal
from fractions import Fraction

CTX = Context(prec=60, Emin=-99999, Emax=99999)
DBL_MAX = 1.7976931348623157e308


def amplitude(v):
    """A JSON amplitude (a number or [re, im]) as a pair of Fractions."""
    if isinstance(v, list):
        return (Fraction(v[0]), Fraction(v[1]))
    return (Fraction(v), Fraction(0))


def dec(f):
    return CTX.divide(Decimal(f.numerator), Decimal(f.denominator))


def to_float(d):
    """A Decimal rounded to a double (inf past DBL_MAX)."""
    return float(d)


def modulus(re, im):
    """|re + i im| of two Decimals or Fractions, as a Decimal."""
    if isinstance(re, Fraction):
        re, im = dec(re), dec(im)
    return CTX.sqrt(CTX.add(CTX.multiply(re, re), CTX.multiply(im, im)))


def forward(weights, bias, x):
    """z = W x + b, exactly: a list of (re, im) Fraction pairs."""
    z = []
    for j, row in enumerate(weights):
        re, im = amplitude(bias[j]) if bias else (Fraction(0), Fraction(0))
        for w, v in zip(row, x):
            (a, b), (c, d) = amplitude(w), amplitude(v)
            re += a * c - b * d
            im += a * d + b * c
        z.append((re, im))
    return z


def _sigmoid(x):
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _part(f):
    """A Fraction as a double for tanh and sigmoid, which are flat long
    before the end of the doubles: DBL_MAX in place of anything beyond."""
    try:
        return float(f)
    except OverflowError:
        return math.copysign(DBL_MAX, f)


def activate(name, z, b=None):
    """The activation of the pre-activations z ((re, im) Fraction pairs),
    with modrelu's b (a number, or one per neuron): a list of [re, im]
    doubles."""
    out = []
    for j, (re, im) in enumerate(z):
        if name == "identity":
            out.append([float(re), float(im)])
        elif name == "split_tanh":
            out.append([math.tanh(_part(re)), math.tanh(_part(im))])
        elif name == "split_sigmoid":
            out.append([_sigmoid(_part(re)), _sigmoid(_part(im))])
        else:
            m = modulus(re, im)
            if m == 0:
                out.append([0.0, 0.0])
                continue
            if name == "modrelu":
                bj = b[j] if isinstance(b, list) else (b or 0)
                f = CTX.divide(CTX.add(m, Decimal(bj)), m)
                if f <= 0:
                    f = Decimal(0)
            elif name == "cardioid":
                f = CTX.divide(CTX.add(1, CTX.divide(dec(re), m)), 2)
            else:
                raise ValueError(name)
            out.append([to_float(CTX.multiply(dec(re), f)),
                        to_float(CTX.multiply(dec(im), f))])
    return out


def layer_state(z, a):
    """What layer_superposition reads from a complex layer: the state
    a/|a| ([re, im] doubles), its probabilities, and the reference
    distribution softmax(|z|)."""
    da = [(Decimal(re), Decimal(im)) for re, im in a]
    norm2 = sum((CTX.add(CTX.multiply(r, r), CTX.multiply(i, i))
                 for r, i in da), Decimal(0))
    norm = CTX.sqrt(norm2)
    amps = [[to_float(CTX.divide(r, norm)), to_float(CTX.divide(i, norm))]
            for r, i in da]
    probs = [to_float(CTX.divide(CTX.add(CTX.multiply(r, r),
                                         CTX.multiply(i, i)), norm2))
             for r, i in da]
    moduli = [modulus(re, im) for re, im in z]
    top = max(moduli)
    e = [CTX.exp(CTX.subtract(m, top)) for m in moduli]
    total = sum(e, Decimal(0))
    ref = [to_float(CTX.divide(v, total)) for v in e]
    return amps, probs, ref


def row_scale(weights, bias, x, j):
    """sum_i |w_ji| |x_i| + |b_j| as a double (the scale the product's
    rounding is measured against, with max-norm moduli: within a factor 2
    of it; DBL_MAX for anything beyond)."""
    def mag(v):
        re, im = amplitude(v)
        return max(abs(re), abs(im))
    s = mag(bias[j]) if bias else Fraction(0)
    s += sum(mag(w) * mag(v) for w, v in zip(weights[j], x))
    return _part(s)
