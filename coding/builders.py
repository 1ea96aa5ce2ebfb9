"""Code builders: fixed-length, hand-written, Shannon, and canonical codewords."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from coding._validate import DIGITS, check_alphabet_size, check_symbols
from coding.code import Code, _to_digits, kraft_sum
from coding.distribution import Distribution

__all__ = ["fixed_length", "from_codewords", "shannon", "shannon_from_counts", "canonical", "canonical_code"]


def canonical(symbols: Sequence[str], lengths: Sequence[int], D: int = 2) -> Code:
    """The canonical code with the given lengths.

    Codewords are handed out in order of (length, position in ``symbols``),
    each the next ``D``-ary number after the previous one, padded on the right
    to its length. Needs Kraft sum Σ D^−l ≤ 1 (checked exactly, in integers).

    >>> canonical(["blue", "red", "green", "yellow"], [2, 1, 3, 3]).codewords["blue"]
    '10'
    """
    return canonical_code(tuple(symbols), lengths, D, checked=False)


def canonical_code(symbols: tuple[str, ...], lengths: Sequence[int], D: int = 2, *, checked: bool) -> Code:
    """:func:`canonical`; ``checked`` says the symbols are distinct non-empty strings already
    (a :class:`Distribution`'s), so a million of them are not checked again."""
    D = check_alphabet_size(D)
    if len(symbols) != len(lengths):
        raise ValueError(f"need one length per symbol ({len(symbols)} symbols, {len(lengths)} lengths)")
    n = np.asarray(lengths).astype(np.int64)
    if n.size and int(n.min()) < 1:
        i = int(np.argmin(n))
        raise ValueError(f"length of {symbols[i]!r} must be at least 1 (got {lengths[i]})")
    if n.size == 0:
        return Code({}, D)
    sizes = np.unique(n, return_counts=True)
    per_length = dict(zip(sizes[0].tolist(), sizes[1].tolist()))
    kraft = kraft_sum(n.tolist(), D)  # exact: no float tolerance
    if kraft > 1:
        raise ValueError(f"lengths violate Kraft's inequality: sum D^-l = {float(kraft):.17g} > 1")
    # The first codeword of each length: after the last one of the previous length, one digit longer.
    first: dict[int, int] = {}
    value, prev = 0, None
    for ln in sorted(per_length):
        if prev is not None:
            value = (value + per_length[prev]) * D ** (ln - prev)
        first[ln] = value
        prev = ln
    order = np.lexsort((np.arange(n.size), n))  # by (length, position)
    rank = np.empty(n.size, dtype=np.int64)  # position among the symbols of the same length
    sorted_n = n[order]
    starts = np.searchsorted(sorted_n, sorted_n, side="left")
    rank[order] = np.arange(n.size) - starts
    top = int(n.max())
    if D**top >= 1 << 63:  # too long for int64 arithmetic: one at a time, as strings
        words = [_to_digits(first[int(a)] + int(r), int(a), D) for a, r in zip(n, rank)]
        return Code(dict(zip(symbols, words)), D)
    firsts = np.zeros(top + 1, dtype=np.int64)
    for ln, v in first.items():
        firsts[ln] = v
    if not checked and (len(set(symbols)) != len(symbols) or not all(type(s) is str and s for s in symbols)):
        return Code(dict(zip(symbols, digit_strings(firsts[n] + rank, n, D))), D)  # Code names the problem
    return Code._canonical(symbols, n, firsts[n] + rank, D)


def digit_strings(value: np.ndarray, n: np.ndarray, D: int) -> list[str]:
    """Each ``value[i]`` written with ``n[i]`` base-``D`` digits (int64 arrays), with whole-array steps.

    The digits go into one ASCII buffer, each word followed by a newline,
    column by column (digit j of every word at least j + 1 long); the buffer
    is decoded and split once, so no per-word work is done in Python.
    """
    if n.size == 0:
        return []
    top = int(n.max())
    start = np.zeros(n.size, dtype=np.int64)
    np.cumsum(n[:-1] + 1, out=start[1:])
    buf = np.full(int(start[-1] + n[-1] + 1), ord("\n"), dtype=np.uint8)
    alphabet = np.frombuffer(DIGITS.encode(), dtype=np.uint8)
    for j in range(top):
        inside = np.flatnonzero(n > j) if j else np.arange(n.size)
        expo = n[inside] - 1 - j
        v = value[inside]
        digit = (v >> expo) & 1 if D == 2 else (v // np.power(D, expo)) % D
        buf[start[inside] + j] = alphabet[digit]
    words: list[str] = buf.tobytes().decode("ascii").split("\n")[:-1]
    return words


def _symbols_of(symbols: Distribution | Iterable[str]) -> tuple[str, ...]:
    if isinstance(symbols, Distribution):
        return symbols.symbols
    return check_symbols("symbols", symbols)


def fixed_length(symbols: Distribution | Iterable[str], D: int = 2) -> Code:
    """Every symbol gets a codeword of ⌈log_D n⌉ digits (at least 1): its index in base D.

    >>> fixed_length(["blue", "red", "green", "yellow"]).codewords["green"]
    '10'
    """
    D = check_alphabet_size(D)
    syms = _symbols_of(symbols)
    width = 1
    while D**width < len(syms):
        width += 1
    return Code({s: _to_digits(i, width, D) for i, s in enumerate(syms)}, D)


def from_codewords(mapping: Mapping[str, str], D: int = 2) -> Code:
    """A hand-written codebook, checked (non-empty, distinct codewords in the alphabet).

    >>> scheme1 = from_codewords({"blue": "0", "red": "1", "green": "10", "yellow": "11"})
    >>> scheme1.is_uniquely_decodable
    False
    """
    return Code(mapping, D)


def shannon(p: Distribution, D: int = 2) -> Code:
    """Shannon code: lengths ⌈−log_D p(x)⌉, canonical codewords.

    Its expected length under the distribution ``q`` that actually draws obeys
    H(q, p) ≤ L < H(q, p) + 1. Every symbol must have positive probability
    (a zero-probability symbol would need an infinite codeword: such symbols
    are an error here). A relative tolerance of 1e-12 absorbs rounding, so a
    probability of exactly D^−k gets k digits (unless that would break
    Kraft's inequality, when plain ceilings are used). A single symbol of
    probability 1 still gets one digit, so then L = H(q, p) + 1.

    >>> shannon(Distribution({"a": 0.5, "b": 0.25, "c": 0.125, "d": 0.125})).lengths["d"]
    3
    """
    D = check_alphabet_size(D)
    if not isinstance(p, Distribution):
        raise TypeError(f"'p' must be a Distribution (got {type(p).__name__})")
    zero = [s for s, v in zip(p.symbols, p.probabilities) if v == 0]
    if zero:
        raise ValueError(f"shannon: {zero[0]!r} has probability 0 and would need an infinite codeword")
    ideal = -np.log(p.probabilities) / math.log(D)
    lengths = [max(1, math.ceil(x - 1e-12 * max(1.0, x))) for x in ideal]
    if kraft_sum(lengths, D) > 1:
        # The tolerance rounded down a probability a hair below D^-k while a
        # tiny one needs a long word: the lengths overfill the code tree.
        # Fall back to strict ceilings (canonical() re-checks Kraft exactly).
        lengths = [max(1, math.ceil(x)) for x in ideal]
    return canonical(p.symbols, lengths, D)


def shannon_from_counts(counts: Mapping[str, int], D: int = 2) -> Code:
    """Shannon code for an urn of whole-number ``counts``: lengths ⌈−log_D(c/N)⌉, found exactly.

    The length of a colour with c of N balls is the least l ≥ 1 with
    c·D^l ≥ N, an integer test with no rounding: a count that is exactly
    N/D^k gets k digits, and one a hair above it is never rounded down.
    Every count must be at least 1.

    >>> dict(shannon_from_counts({"blue": 25, "red": 50, "green": 13, "yellow": 12}).lengths)
    {'blue': 2, 'red': 1, 'green': 3, 'yellow': 4}
    >>> shannon_from_counts({"a": 1, "b": 2**60 - 1}).lengths["a"]  # 1 in 2^60: exactly 60 digits
    60
    >>> shannon_from_counts({"a": 2**45 - 1, "b": 3 * 2**45 + 1}).lengths["a"]  # a hair below 1/4
    3
    """
    D = check_alphabet_size(D)
    symbols = check_symbols("counts", counts)
    values = []
    for s in symbols:
        c = counts[s]
        if isinstance(c, bool) or not isinstance(c, (int, np.integer)):
            raise TypeError(f"count of {s!r} must be a whole number (got {c!r})")
        if c < 1:
            raise ValueError(f"shannon: {s!r} has {c} balls and would need an infinite codeword")
        values.append(int(c))
    total = sum(values)
    lengths = []
    for c in values:
        n, reach = 1, c * D
        while reach < total:
            n, reach = n + 1, reach * D
        lengths.append(n)
    return canonical(symbols, lengths, D)
