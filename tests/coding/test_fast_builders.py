"""The vectorised Huffman and canonical builders give exactly the codes of the old ones.

The old implementations (a heap of (probability, age, leaves) and one
codeword at a time) are kept here as the reference, and both are run on
many seeded random urns: uniform, Zipf, dyadic (many ties and long
chains), sparse with zero-probability symbols, D = 2 .. 7.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from coding import Distribution, canonical, huffman, huffman_lengths
from coding._validate import DIGITS
from tests.sim.model.test_limits import reference_huffman_lengths as heap_lengths  # the textbook heap


def one_by_one_canonical(lengths: list[int], D: int) -> list[str]:
    """Canonical codewords handed out one at a time, as the package did before."""
    assert sum(Fraction(1, D**n) for n in lengths) <= 1
    words: dict[int, str] = {}
    value, prev = 0, None
    for i in sorted(range(len(lengths)), key=lambda i: (lengths[i], i)):
        n = lengths[i]
        if prev is not None:
            value = (value + 1) * D ** (n - prev)
        digits, v = [], value
        for _ in range(n):
            v, r = divmod(v, D)
            digits.append(DIGITS[r])
        words[i] = "".join(reversed(digits))
        prev = n
    return [words[i] for i in range(len(lengths))]


def random_counts(rng: np.random.Generator, kind: int, n: int) -> np.ndarray:
    if kind == 0:
        return rng.integers(1, 1000, n)
    if kind == 1:
        return np.round(10**6 / np.arange(1, n + 1))
    if kind == 2:
        return 2.0 ** -rng.integers(0, 30, n)  # dyadic: ties everywhere
    counts = rng.integers(0, 4, n)  # sparse: zero-probability symbols
    counts[0] += 1
    return counts


def dist(counts: np.ndarray) -> Distribution:
    return Distribution.from_counts({f"s{i}": float(c) for i, c in enumerate(counts)})


@pytest.mark.parametrize("kind", range(4), ids=["uniform", "zipf", "dyadic", "sparse"])
def test_huffman_lengths_match_the_heap(kind):
    rng = np.random.default_rng(1952 + kind)
    for _ in range(250):
        n = int(rng.integers(1, 120))
        D = int(rng.integers(2, 8))
        p = dist(random_counts(rng, kind, n))
        assert huffman_lengths(p, D) == heap_lengths(p, D)


def test_huffman_lengths_match_the_heap_at_thousands_of_symbols():
    rng = np.random.default_rng(65536)
    for kind in range(4):
        p = dist(random_counts(rng, kind, 5000))
        for D in (2, 3):
            assert huffman_lengths(p, D) == heap_lengths(p, D)


@pytest.mark.parametrize("D", [2, 3, 10, 36])
def test_canonical_matches_one_at_a_time(D):
    rng = np.random.default_rng(D)
    for _ in range(150):
        p = dist(random_counts(rng, int(rng.integers(0, 4)), int(rng.integers(1, 200))))
        lengths = huffman_lengths(p, D)
        shuffled = [lengths[i] for i in rng.permutation(len(lengths))]  # ties across positions
        for ls in (lengths, shuffled):
            assert list(canonical(p.symbols, ls, D).codewords.values()) == one_by_one_canonical(ls, D)


def test_canonical_beyond_int64_matches_one_at_a_time():
    """Words longer than 63 bits (or D^l ≥ 2^63) take the exact big-integer path."""
    for D, top in ((2, 70), (3, 45)):
        lengths = list(range(1, top)) + [top - 1]
        symbols = [f"s{i}" for i in range(len(lengths))]
        assert list(canonical(symbols, lengths, D).codewords.values()) == one_by_one_canonical(lengths, D)


def test_huffman_code_is_the_canonical_code_of_the_heap_lengths():
    rng = np.random.default_rng(7)
    p = dist(random_counts(rng, 1, 3000))
    assert list(huffman(p).codewords.values()) == one_by_one_canonical(heap_lengths(p), 2)
