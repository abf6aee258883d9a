#!/usr/bin/python3
"""Powers of ten for codec/dtoa_shortest.c (Schubfach), computed and checked exactly.

Writes codec/dtoa_powers.h: for every decimal exponent K that codec/dtoa_shortest.c
asks for, a 128-bit integer g(K) just above 10^-K scaled to 128 bits:

    g(K) = floor(10^-K * 2^(127 - E(K))) + 1,    E(K) = floor(log2(10^-K)),

so that 2^127 < g(K) < 2^128. Regenerate with

    python3 codec/gen_dtoa_powers.py > codec/dtoa_powers.h

(Python 3 standard library only, integer arithmetic throughout; psinet's
build and tests never run this script.)

What codec/dtoa_shortest.c does with the table, and what this script proves of it
before writing anything. A positive double is v = c * 2^q. The decimals
that read back as v lie between v - 2^q / 2 and v + 2^q / 2 (v - 2^q / 4
below when v is a power of two whose lower neighbour is half as far).
codec/dtoa_shortest.c scales those bounds and v, times 4 so that they are integers
y * 2^q with y = 4c - 2, 4c - 1, 4c or 4c + 2, by 10^-K for

    K = floor(log10(2^q))            (or floor(log10(3/4 * 2^q))),

and needs each X = y * 2^q * 10^-K rounded to odd: floor(X), its lowest
bit set when X is not an integer. It computes the 192-bit product

    Y * 2^128 = (y * 2^h) * g(K),    h = q + E(K) + 1,

and takes floor(Y), or'ed with 1 when Y's fraction is at least 2^-69 (its
128 bits below the point, at least 2^59). Y exceeds X by (y * 2^h) *
(g(K) - 10^-K * 2^(127 - E(K))) / 2^128: more than 0, less than 2^-69 as
1 <= h <= 4 and y < 2^55. So an integral X gets a fraction below 2^-69,
and Y rounded that way is X rounded to odd if no X that is not an integer
comes within 2^-69 of one, from either side. check_exact proves that for
every q, finding the nearest X with the continued-fraction walk of
residue_records, and computes those X the way the C does; the three X of
each power of two with the nearer lower neighbour are computed one by one.

With --near-integers the script writes tests/ref/dtoa_near_integers.h
instead: doubles whose X come nearest an integer, for tests/codec.
"""

import math
import sys
from fractions import Fraction
from math import gcd

Q_MIN = -1074  # 5e-324 = 1 * 2^-1074, and every subnormal
Q_MAX = 971  # DBL_MAX = (2^53 - 1) * 2^971
C_MIN = 1 << 52  # the significand of a normal double, 2^52 .. 2^53 - 1


# The exponent formulas of codec/dtoa_shortest.c, in the same integer arithmetic (the
# offsets keep C's shifts on nonnegative numbers). main() checks each
# against the exact value over every argument it gets.
def floor_log10_pow2(q):
    """floor(log10(2^q)), as dtoa_floor_log10_pow2."""
    return ((q * 315653 + (1100 << 20)) >> 20) - 1100


def floor_log10_three_quarters_pow2(q):
    """floor(log10(3/4 * 2^q)), as dtoa_floor_log10_three_quarters_pow2."""
    return ((q * 315653 - 131008 + (1100 << 20)) >> 20) - 1100


def floor_log2_pow10(n):
    """floor(log2(10^n)), as dtoa_floor_log2_pow10."""
    return ((n * 1741647 + (1100 << 19)) >> 19) - 1100


def exact_floor_log(base, x):
    """floor(log_base(x)) for a positive Fraction x, by comparing powers of
    base with x exactly, from a guess within a few of it."""
    if base == 2:
        k = x.numerator.bit_length() - x.denominator.bit_length()
    else:
        k = len(str(x.numerator)) - len(str(x.denominator))
    while Fraction(base) ** k > x:
        k -= 1
    while Fraction(base) ** (k + 1) <= x:
        k += 1
    return k


def g(k):
    """floor(10^-k * 2^(127 - E(k))) + 1."""
    e = floor_log2_pow10(-k)
    scaled = Fraction(10) ** -k * Fraction(2) ** (127 - e)
    value = scaled.numerator // scaled.denominator + 1
    assert 1 << 127 < value < 1 << 128, k
    return value


def residue_records(a, m, top):
    """The record minima of (a * x) mod m over 1 <= x <= top, as (r, x) in
    order of x, for gcd(a, m) = 1 and top < m (some records in a run are
    left out; never the last, the minimum). Walks the Stern-Brocot tree
    towards a / m keeping the nearest fraction p / x on each side, with how
    far x * a / m is from p: r below, d above. The fractions below that it
    passes are the records. Many steps one way go at once."""
    x1, r1 = 1, a  # 0/1: a * 1 = r1 (mod m)
    x2, d2 = 0, m  # 1/0: a * 0 = -d2 (mod m)
    yield r1, x1
    while True:
        if r1 > d2:
            j = min((r1 - 1) // d2, (top - x1) // x2)
            if j == 0:
                return
            x1, r1 = x1 + j * x2, r1 - j * d2
            yield r1, x1
        else:
            j = min((d2 - 1) // r1, (top - x2) // x1)
            if j == 0:
                return
            x2, d2 = x2 + j * x1, d2 - j * r1


def min_residue(a, m, top):
    """(r, x): the least r = (a * x) mod m over 1 <= x <= top and an x that
    gives it, for gcd(a, m) = 1 and top < m."""
    for r, x in residue_records(a, m, top):
        pass
    return r, x


def check_min_residue():
    """min_residue against brute force on small cases."""
    state = 12345
    for _ in range(3000):
        state = (state * 6364136223846793005 + 1442695040888963407) % 2**64
        m = 2 + (state >> 33) % 2000
        a = 1 + (state >> 13) % (m - 1)
        top = 1 + (state >> 3) % (m - 1)
        if gcd(a, m) != 1:
            continue
        expected = min(a * x % m for x in range(1, top + 1))
        r, x = min_residue(a, m, top)
        assert r == expected and a * x % m == r and 1 <= x <= top


def round_odd_as_c(y, h, gk):
    """dtoa_round_odd: floor(Y), or'ed with 1 when the 128 bits of Y below
    the point are at least 2^59."""
    product = (y << h) * gk
    assert y << h < 1 << 59
    return (product >> 128) | ((product & ((1 << 128) - 1)) >= 1 << 59)


def round_odd_exact(x):
    integer = x.numerator // x.denominator
    return integer | (x.denominator != 1)


def check_exact(q, k):
    """Every X = y * 2^q * 10^-k with even y = 2z < 2^55 is an integer or
    further than 2^-69 from every integer. Returns how near the nearest
    comes, as a Fraction (1 when the denominator is at most 2^64: none
    comes nearer than 2^-64)."""
    step = Fraction(2) ** (q + 1) * Fraction(10) ** -k  # X = z * step
    a, m = step.numerator % step.denominator, step.denominator
    if m <= 1 << 64:
        return Fraction(1)
    top = (1 << 54) - 1  # z < 2^54; gcd(a, m) = 1 and m > top
    above, z_above = min_residue(a, m, top)  # X just above an integer
    below, z_below = min_residue(m - a, m, top)  # just below one
    nearest = Fraction(min(above, below), m)
    assert nearest > Fraction(1, 1 << 69), (q, k, nearest)
    h = q + floor_log2_pow10(-k) + 1
    for z in (z_above, z_below):
        x = z * step
        assert round_odd_as_c(2 * z, h, g(k)) == round_odd_exact(x), (q, z)
    return nearest


def near_integers():
    """Doubles whose value or an end of whose interval, scaled as codec/dtoa_shortest.c
    scales them, comes within 2^-55 of an integer without being one. For
    each q and either side, from the records of check_exact: the largest
    multiple z of a record's x below 2^54, which lies from 2^53 up (where
    normal doubles are) and comes j times as near. An even y = 2z is 4c, v
    itself; an odd one is 4c + 2 or 4c - 2, an end of c's interval."""
    found = set()
    top = (1 << 54) - 1
    for q in range(Q_MIN, Q_MAX + 1):
        step = Fraction(2) ** (q + 1) * Fraction(10) ** -floor_log10_pow2(q)
        a, m = step.numerator % step.denominator, step.denominator
        if m <= 1 << 64:
            continue
        for side in (a, m - a):
            dist, z = min((top // x * r, top // x * x)
                          for r, x in residue_records(side, m, top))
            if dist << 55 >= m:
                continue
            for c in ((z // 2,) if z % 2 == 0 else ((z - 1) // 2,
                                                     (z + 1) // 2)):
                if q == Q_MIN and 1 <= c < 2 * C_MIN:
                    found.add(c)  # subnormal, or the least exponent
                elif C_MIN <= c < 2 * C_MIN:
                    found.add((q + 1075) << 52 | (c - C_MIN))
    return sorted(found)


def write_near_integers(out):
    cases = near_integers()
    out.write("/* generated by codec/gen_dtoa_powers.py --near-integers; "
              "do not edit.\n"
              " * Regenerate: python3 codec/gen_dtoa_powers.py "
              "--near-integers \\\n"
              " *     > tests/ref/dtoa_near_integers.h\n"
              " *\n"
              " * The bits of doubles whose value or rounding-interval end, "
              "scaled as\n"
              " * codec/dtoa_shortest.c scales them, comes within 2^-55 of an integer "
              "without being\n"
              " * one: where dtoa_round_odd needs its every bit. */\n")
    out.write("#ifndef PSINET_TESTS_REF_DTOA_NEAR_INTEGERS_H\n"
              "#define PSINET_TESTS_REF_DTOA_NEAR_INTEGERS_H\n\n"
              "#include <stdint.h>\n\n")
    out.write("static const uint64_t dtoa_near_integers[%d] = {\n"
              % len(cases))
    for i in range(0, len(cases), 3):
        out.write("   " + "".join(" UINT64_C(0x%016x)," % b
                                  for b in cases[i:i + 3]) + "\n")
    out.write("};\n\n#endif\n")


def main():
    check_min_residue()
    ks = {}
    nearest = Fraction(1)
    for q in range(Q_MIN, Q_MAX + 1):
        k = floor_log10_pow2(q)
        assert k == exact_floor_log(10, Fraction(2) ** q), q
        nearest = min(nearest, check_exact(q, k))
        ks[k] = True
        if q == Q_MIN:
            continue  # no power of two with a nearer lower neighbour
        # 2^52 * 2^q, whose lower neighbour is half as far: its three
        # values, checked one by one.
        k = floor_log10_three_quarters_pow2(q)
        assert k == exact_floor_log(10, Fraction(3, 4) * Fraction(2) ** q), q
        ks[k] = True
        h = q + floor_log2_pow10(-k) + 1
        for y in (4 * C_MIN - 1, 4 * C_MIN, 4 * C_MIN + 2):
            x = y * Fraction(2) ** q * Fraction(10) ** -k
            assert round_odd_as_c(y, h, g(k)) == round_odd_exact(x), (q, y)
    for k in ks:
        assert floor_log2_pow10(-k) == exact_floor_log(2, Fraction(10) ** -k)
        for q in range(Q_MIN, Q_MAX + 1):
            if k in (floor_log10_pow2(q), floor_log10_three_quarters_pow2(q)):
                assert 1 <= q + floor_log2_pow10(-k) + 1 <= 4, (q, k)
    k_min, k_max = min(ks), max(ks)
    assert sorted(ks) == list(range(k_min, k_max + 1))

    out = sys.stdout
    margin = math.log2(nearest.numerator) - math.log2(nearest.denominator)
    out.write("/* generated by codec/gen_dtoa_powers.py; do not edit.\n"
              " * Regenerate: python3 codec/gen_dtoa_powers.py > "
              "codec/dtoa_powers.h\n"
              " *\n"
              " * Checked there for every double: the scaled values and "
              "bounds that are\n"
              " * not integers come no nearer one than 2^%.2f, against the "
              "2^-69 needed. */\n" % margin)
    out.write("#ifndef PSINET_CODEC_DTOA_POWERS_H\n"
              "#define PSINET_CODEC_DTOA_POWERS_H\n\n"
              "#include <stdint.h>\n\n")
    out.write("#define DTOA_K_MIN (%d)\n#define DTOA_K_MAX %d\n\n"
              % (k_min, k_max))
    out.write("/* g(K) = floor(10^-K * 2^(127 - floor(log2(10^-K)))) + 1 "
              "= hi * 2^64 + lo,\n"
              " * entry K - DTOA_K_MIN. */\n"
              "static const struct {\n    uint64_t hi, lo;\n"
              "} dtoa_powers[DTOA_K_MAX - DTOA_K_MIN + 1] = {\n")
    for k in range(k_min, k_max + 1):
        gk = g(k)
        out.write("    {UINT64_C(0x%016x), UINT64_C(0x%016x)}, /* %d */\n"
                  % (gk >> 64, gk & ((1 << 64) - 1), k))
    out.write("};\n\n#endif\n")


if __name__ == "__main__":
    if sys.argv[1:] == ["--near-integers"]:
        write_near_integers(sys.stdout)
    else:
        main()
