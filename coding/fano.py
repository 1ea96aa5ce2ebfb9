"""Shannon–Fano codes by Fano's splitting method."""

from __future__ import annotations

from fractions import Fraction

from coding.code import Code
from coding.distribution import Distribution

__all__ = ["fano"]


def fano(p: Distribution) -> Code:
    """The binary Shannon–Fano code of ``p`` by Fano's method (Fano 1949).

    Split rule: list the symbols by decreasing probability (ties keep the
    order of ``p.symbols``); cut the list into a top and a bottom part whose
    probability sums differ as little as possible; the top part's codewords
    start with ``0``, the bottom part's with ``1``; split each part again the
    same way until every part holds one symbol. When two cuts give the same
    difference the earlier cut (the smaller top part) is taken. Sums are
    compared exactly (the float probabilities as :class:`~fractions.Fraction`),
    so the code does not depend on rounding. Zero-probability symbols sit at
    the bottom of the list and still get codewords; a single symbol gets ``0``.

    The code is prefix-free and complete (Kraft sum 1), but not always
    optimal: it never beats Huffman and sometimes loses to it. Its expected
    length obeys H(p) ≤ L ≤ H(p) + 1 − p_min, p_min the smallest
    probability (Krajči, Liu, Mikeš & Moser, "Performance analysis of Fano
    coding", ISIT 2015); so L < H(p) + 1, like Huffman's.

    >>> india = Distribution.from_counts({"blue": 25, "red": 50, "green": 13, "yellow": 12})
    >>> code = fano(india)
    >>> dict(code.codewords), code.expected_length(india)
    ({'blue': '10', 'red': '0', 'green': '110', 'yellow': '111'}, 1.75)

    Where Fano loses to Huffman (the counts 15, 7, 6, 6, 5 of the classic
    textbook example): 2.28 against Huffman's 2.23 bits.

    >>> abcde = Distribution.from_counts({"a": 15, "b": 7, "c": 6, "d": 6, "e": 5})
    >>> dict(fano(abcde).codewords)
    {'a': '00', 'b': '01', 'c': '10', 'd': '110', 'e': '111'}
    >>> round(fano(abcde).expected_length(abcde), 2)
    2.28
    """
    if not isinstance(p, Distribution):
        raise TypeError(f"'p' must be a Distribution (got {type(p).__name__})")
    probs = [Fraction(float(v)) for v in p.probabilities]
    order = sorted(range(len(p)), key=lambda i: (-probs[i], i))
    words = {i: "" for i in order}
    stack = [order]
    while stack:
        part = stack.pop()
        if len(part) < 2:
            continue
        total = sum((probs[i] for i in part), Fraction(0))
        best, cut, top = None, 1, Fraction(0)
        for k in range(1, len(part)):
            top += probs[part[k - 1]]
            diff = abs(total - 2 * top)
            if best is None or diff < best:
                best, cut = diff, k
        for i in part[:cut]:
            words[i] += "0"
        for i in part[cut:]:
            words[i] += "1"
        stack += [part[:cut], part[cut:]]
    if len(p) == 1:
        words[0] = "0"
    return Code({p.symbols[i]: words[i] for i in range(len(p))})
