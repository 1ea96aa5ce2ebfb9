"""Shannon–Fano–Elias codes: codewords read off the midpoints of the cumulative distribution."""

from __future__ import annotations

from fractions import Fraction

from coding.code import Code
from coding.distribution import Distribution

__all__ = ["sfe", "sfe_length"]


def sfe_length(probability: Fraction) -> int:
    """l = ⌈log2 1/p⌉ + 1, computed exactly: the smallest l with 2^(l−1) · p ≥ 1.

    >>> sfe_length(Fraction(1, 4)), sfe_length(Fraction(1, 5)), sfe_length(Fraction(1))
    (3, 4, 1)
    """
    if probability <= 0:
        raise ValueError(f"probability must be positive (got {probability})")
    bits = 0
    while (probability * 2**bits) < 1:
        bits += 1
    return bits + 1


def sfe(p: Distribution) -> Code:
    """The Shannon–Fano–Elias code of ``p`` (Cover & Thomas, *Elements of Information Theory*, §5.9).

    Symbols keep the order of ``p.symbols``. With F̄(x) = Σ_{a before x} p(a) + p(x)/2,
    the midpoint of x's step in the cumulative distribution, x gets the first
    l(x) = ⌈log2 1/p(x)⌉ + 1 bits of the binary expansion of F̄(x). Everything is
    exact: the float probabilities become :class:`~fractions.Fraction` values,
    renormalised to sum to exactly 1, and the codeword is ⌊F̄(x) · 2^l⌋ in l
    bits. Truncating F̄ to l bits loses less than 2^−l ≤ p(x)/2, so the
    codeword's dyadic interval lies inside x's step: the code is prefix-free.
    It needs no sorting, and it is the idea behind arithmetic coding.

    H(p) + 1 ≤ L < H(p) + 2; the Kraft sum is at most 1/2 (every length is one
    more than a Shannon length). A zero-probability symbol is an error (it
    would need an infinite codeword).

    Cover & Thomas, Example 5.9.1 (dyadic probabilities):

    >>> ex1 = Distribution({"1": 0.25, "2": 0.5, "3": 0.125, "4": 0.125})
    >>> dict(sfe(ex1).codewords)
    {'1': '001', '2': '10', '3': '1101', '4': '1111'}

    On the India box: lengths 3, 2, 4, 5 and L = 2.87 bits, within [H + 1, H + 2).

    >>> india = Distribution.from_counts({"blue": 25, "red": 50, "green": 13, "yellow": 12})
    >>> dict(sfe(india).codewords), round(sfe(india).expected_length(india), 4)
    ({'blue': '001', 'red': '10', 'green': '1101', 'yellow': '11110'}, 2.87)
    """
    if not isinstance(p, Distribution):
        raise TypeError(f"'p' must be a Distribution (got {type(p).__name__})")
    zero = [s for s, v in zip(p.symbols, p.probabilities) if v == 0]
    if zero:
        raise ValueError(f"sfe: {zero[0]!r} has probability 0 and would need an infinite codeword")
    raw = [Fraction(float(v)) for v in p.probabilities]
    total = sum(raw, Fraction(0))
    probs = [v / total for v in raw]
    words: dict[str, str] = {}
    below = Fraction(0)
    for symbol, prob in zip(p.symbols, probs):
        length = sfe_length(prob)
        value = int((below + prob / 2) * 2**length)  # floor: the fraction is positive
        words[symbol] = format(value, f"0{length}b")
        below += prob
    return Code(words)
