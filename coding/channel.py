"""Noisy channels and the channel codes that fight them: capacities, codes, error rates.

A binary channel carries bits and damages some:

* the **binary symmetric channel** BSC(ε) flips each bit independently with
  probability ε; its capacity is C = 1 − h(ε) bits per channel use, with
  h(p) = −p log2 p − (1 − p) log2(1 − p);
* the **erasure channel** BEC(e) loses each bit with probability e and the
  receiver knows which were lost; C = 1 − e;
* the **Gilbert–Elliott channel** is a BSC whose flip probability depends on a
  hidden two-state Markov chain (good and bad), which makes errors come in
  bursts.

A channel code spends n channel bits on k data bits (rate k/n). Shannon's
channel coding theorem says rates below C can be made as reliable as one
wishes and rates above C cannot; the small codes here show the price of
reliability at short block lengths. Every code shares one protocol,
:class:`ChannelCode`: ``encode(bits) -> bits`` and
``decode(bits) -> (bits, detected_errors)`` on uint8 arrays of 0/1.

>>> round(bsc_capacity(0.01), 4), Hamming74().rate
(0.9192, 0.5714285714285714)
>>> round(fixed_message_error(0.01, 2), 4)
0.0199
"""

from __future__ import annotations

import math
from itertools import product
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from coding._validate import check_probability

__all__ = [
    "ChannelCode",
    "Hamming74",
    "Parity",
    "Repetition",
    "binary_entropy",
    "bsc_capacity",
    "erasure_capacity",
    "fixed_message_error",
    "gilbert_elliott_capacity_bounds",
    "gilbert_elliott_flip_rate",
    "gilbert_elliott_stationary_bad",
    "hamming74_bit_error",
    "hamming74_block_error",
    "parity_check",
    "parity_detected",
    "parity_frame",
    "parity_undetected",
    "repetition_bit_error",
]

Bits = npt.NDArray[np.uint8]


# --------------------------------------------------------------------------- channels


def binary_entropy(p: float) -> float:
    """h(p) = −p log2 p − (1 − p) log2(1 − p), with 0·log 0 = 0.

    >>> binary_entropy(0.5), binary_entropy(0.0), round(binary_entropy(0.11), 4)
    (1.0, 0.0, 0.4999)
    """
    p = check_probability("p", p)
    return sum(-x * math.log2(x) for x in (p, 1.0 - p) if x > 0.0)


def bsc_capacity(flip: float) -> float:
    """Capacity 1 − h(ε) of a binary symmetric channel, in bits per channel use.

    A channel that flips every bit (ε = 1) is as good as a perfect one: the
    receiver flips them back.

    >>> bsc_capacity(0.0), bsc_capacity(0.5), bsc_capacity(1.0)
    (1.0, 0.0, 1.0)
    """
    return 1.0 - binary_entropy(check_probability("flip", flip))


def erasure_capacity(erase: float) -> float:
    """Capacity 1 − e of a binary erasure channel (the receiver knows which bits were lost).

    >>> erasure_capacity(0.25)
    0.75
    """
    return 1.0 - check_probability("erase", erase)


def gilbert_elliott_stationary_bad(to_bad: float, to_good: float) -> float:
    """Long-run share of bits sent in the bad state: to_bad / (to_bad + to_good).

    With both switching probabilities 0 the chain never moves; it starts (and
    stays) good, so the share is 0.

    >>> gilbert_elliott_stationary_bad(0.001, 0.1)
    0.009900990099009901
    """
    p, r = check_probability("to_bad", to_bad), check_probability("to_good", to_good)
    return 0.0 if p + r == 0.0 else p / (p + r)


def gilbert_elliott_flip_rate(good_flip: float, bad_flip: float, to_bad: float, to_good: float) -> float:
    """Stationary bit flip rate π_good·f_good + π_bad·f_bad of a Gilbert–Elliott channel.

    >>> round(gilbert_elliott_flip_rate(0.0001, 0.1, 0.001, 0.1), 6)
    0.001089
    """
    fg, fb = check_probability("good_flip", good_flip), check_probability("bad_flip", bad_flip)
    bad = gilbert_elliott_stationary_bad(to_bad, to_good)
    return (1.0 - bad) * fg + bad * fb


def gilbert_elliott_capacity_bounds(
    good_flip: float, bad_flip: float, to_bad: float, to_good: float
) -> tuple[float, float]:
    """Bounds (lower, upper) on the capacity of a Gilbert–Elliott channel.

    * lower: 1 − h(ε̄), ε̄ the stationary flip rate. Interleaving deeply enough
      makes the channel look memoryless with flip rate ε̄, and a code for that
      BSC reaches 1 − h(ε̄); memory can only help a decoder that uses it.
    * upper: π_good(1 − h(f_good)) + π_bad(1 − h(f_bad)), the capacity when a
      genie tells the receiver the state of every bit; knowing more cannot
      lower capacity.

    The lower bound is below the upper one because h is concave. The exact
    capacity (Mushkin and Bar-David, 1989) lies between and has no closed form.

    >>> low, high = gilbert_elliott_capacity_bounds(0.0001, 0.1, 0.001, 0.1)
    >>> round(low, 4), round(high, 4)
    (0.9877, 0.9939)
    """
    bad = gilbert_elliott_stationary_bad(to_bad, to_good)
    rate = gilbert_elliott_flip_rate(good_flip, bad_flip, to_bad, to_good)
    upper = (1.0 - bad) * bsc_capacity(good_flip) + bad * bsc_capacity(bad_flip)
    return bsc_capacity(rate), upper


# --------------------------------------------------------------------------- error rates


def fixed_message_error(flip: float, bits: int) -> float:
    """Message error rate 1 − (1 − ε)^l of an l-bit fixed-length code over a BSC(ε).

    Every message is decoded on its own l bits, so it is wrong exactly when
    at least one of them flipped; a fixed-length code never loses step.

    >>> round(fixed_message_error(0.01, 2), 6)
    0.0199
    """
    eps = check_probability("flip", flip)
    if bits < 0:
        raise ValueError(f"'bits' must be non-negative (got {bits})")
    return -math.expm1(bits * math.log1p(-eps)) if eps < 1.0 else float(bits > 0)


def _binomial_tail(n: int, eps: float, first: int) -> float:
    """P(at least ``first`` of n independent events of probability ε)."""
    return sum(math.comb(n, i) * eps**i * (1.0 - eps) ** (n - i) for i in range(first, n + 1))


def repetition_bit_error(flip: float, n: int = 3) -> float:
    """Residual bit error of a repetition-n code (n odd) with majority vote over a BSC(ε).

    A bit is decoded wrongly when more than half its n copies flipped:
    Σ_{i > n/2} C(n, i) ε^i (1 − ε)^(n − i); for n = 3 that is 3ε² − 2ε³.

    >>> eps = 0.01
    >>> round(repetition_bit_error(eps, 3), 12) == round(3 * eps**2 - 2 * eps**3, 12)
    True
    """
    _check_odd(n)
    return _binomial_tail(n, check_probability("flip", flip), n // 2 + 1)


def hamming74_block_error(flip: float) -> float:
    """Block error rate 1 − (1 − ε)^7 − 7ε(1 − ε)^6 of Hamming(7,4) over a BSC(ε).

    The code corrects any single flip in its 7 bits; two or more flips make
    the 4 decoded data bits wrong (at least one of them).

    >>> round(hamming74_block_error(0.01), 6)
    0.002031
    """
    eps = check_probability("flip", flip)
    return _binomial_tail(7, eps, 2)


def hamming74_bit_error(flip: float) -> float:
    """Residual data-bit error rate of Hamming(7,4) with syndrome decoding over a BSC(ε).

    With w ≥ 2 flips the decoder lands on a wrong codeword whose distance
    from the sent one is, on average over the C(7, w) patterns, 3 (w = 2),
    133/35 (w = 3: 7 of the 35 patterns are codewords), 112/35 (w = 4),
    4 (w = 5) and 7 (w = 6, 7). Every position of the code is alike (its
    automorphisms act transitively and commute with syndrome decoding), so a
    data bit is wrong with probability (1/7)·Σ_w C(7, w) ε^w (1 − ε)^(7−w)·d̄_w:

    9ε²(1−ε)⁵ + 19ε³(1−ε)⁴ + 16ε⁴(1−ε)³ + 12ε⁵(1−ε)² + 7ε⁶(1−ε) + ε⁷.

    >>> hamming74_bit_error(0.5)
    0.5
    >>> round(hamming74_bit_error(0.01), 8)
    0.0008743
    """
    e = check_probability("flip", flip)
    g = 1.0 - e
    coef = (9, 19, 16, 12, 7, 1)
    return sum(c * e ** (w + 2) * g ** (5 - w) for w, c in enumerate(coef))


def parity_undetected(flip: float, bits: int) -> float:
    """P(a block of ``bits`` bits with one even-parity bit arrives wrong but passes its check).

    An even number of flips (at least two) keeps the parity:
    (1 + (1 − 2ε)^m)/2 − (1 − ε)^m for m = ``bits`` channel bits.

    >>> round(parity_undetected(0.01, 8), 6)
    0.002637
    """
    eps = check_probability("flip", flip)
    return (1.0 + (1.0 - 2.0 * eps) ** bits) / 2.0 - (1.0 - eps) ** bits


def parity_detected(flip: float, bits: int) -> float:
    """P(an odd number of flips in ``bits`` channel bits): (1 − (1 − 2ε)^m)/2, the block is lost.

    >>> round(parity_detected(0.01, 8), 6)
    0.074618
    """
    eps = check_probability("flip", flip)
    return (1.0 - (1.0 - 2.0 * eps) ** bits) / 2.0


# --------------------------------------------------------------------------- codes


@runtime_checkable
class ChannelCode(Protocol):
    """What every channel code offers: k data bits become n channel bits."""

    @property
    def name(self) -> str: ...
    @property
    def n(self) -> int: ...
    @property
    def k(self) -> int: ...
    @property
    def rate(self) -> float: ...
    def encode(self, bits: npt.ArrayLike) -> Bits: ...
    def decode(self, bits: npt.ArrayLike) -> tuple[Bits, int]: ...


def _bits(name: str, bits: npt.ArrayLike, block: int) -> Bits:
    """``bits`` as a uint8 array of 0/1 whose length is a multiple of ``block``."""
    arr = np.asarray(bits)
    if arr.ndim != 1:
        raise ValueError(f"'{name}' must be a one-dimensional array of bits (got shape {arr.shape})")
    if arr.size and not np.isin(arr, (0, 1)).all():
        raise ValueError(f"'{name}' must hold only 0 and 1")
    if arr.size % block:
        raise ValueError(f"'{name}' holds {arr.size} bits, not a multiple of the block size {block}")
    return arr.astype(np.uint8)


def _check_odd(n: int) -> None:
    if not isinstance(n, int) or isinstance(n, bool) or n < 1 or n % 2 == 0:
        raise ValueError(f"'n' must be an odd positive integer, so a majority always exists (got {n!r})")


class _BlockCode:
    """A block code given by its encoding table (k-bit value -> n-bit value) and decoding table."""

    name = ""
    n = 1
    k = 1
    _enc: npt.NDArray[np.int64]
    _dec: npt.NDArray[np.int64]
    _flag: npt.NDArray[np.int64]

    @property
    def rate(self) -> float:
        """k / n data bits per channel bit."""
        return self.k / self.n

    def tables(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """(encode, decode, flag): k-bit value -> n-bit word; n-bit word -> k-bit value and detection flag.

        Values are read most significant bit first, as the engine packs bits.
        """
        return self._enc, self._dec, self._flag

    def encode(self, bits: npt.ArrayLike) -> Bits:
        """Channel bits of data bits (a multiple of k)."""
        data = _bits("bits", bits, self.k).reshape(-1, self.k)
        words = self._enc[_values(data)]
        return _unvalues(words, self.n)

    def decode(self, bits: npt.ArrayLike) -> tuple[Bits, int]:
        """(data bits, number of blocks in which an error was seen) of channel bits (a multiple of n)."""
        received = _values(_bits("bits", bits, self.n).reshape(-1, self.n))
        return _unvalues(self._dec[received], self.k), int(self._flag[received].sum())

    def __repr__(self) -> str:
        return f"{type(self).__name__}() # {self.name}: n={self.n}, k={self.k}"


def _values(blocks: npt.NDArray[np.uint8]) -> npt.NDArray[np.int64]:
    weights = 1 << np.arange(blocks.shape[1] - 1, -1, -1, dtype=np.int64)
    return np.asarray(blocks.astype(np.int64) @ weights, dtype=np.int64)


def _unvalues(values: npt.NDArray[np.int64], width: int) -> Bits:
    shifts = np.arange(width - 1, -1, -1, dtype=np.int64)
    return ((values[:, None] >> shifts) & 1).astype(np.uint8).reshape(-1)


class Repetition(_BlockCode):
    """Repetition-n: every bit sent n times (n odd), decoded by majority vote.

    ``decode`` counts the blocks whose copies disagree (an error seen, and
    corrected when fewer than half the copies flipped).

    >>> code = Repetition(3)
    >>> code.encode([1, 0])
    array([1, 1, 1, 0, 0, 0], dtype=uint8)
    >>> code.decode([1, 0, 1, 0, 0, 0])
    (array([1, 0], dtype=uint8), 1)
    """

    def __init__(self, n: int = 3) -> None:
        _check_odd(n)
        if n > 15:
            raise ValueError(f"'n' must be at most 15 (got {n})")
        self.n = n
        self.name = f"repetition-{n}"
        words = np.arange(1 << n, dtype=np.int64)
        ones = np.array([bin(int(w)).count("1") for w in words], dtype=np.int64)
        self._enc = np.array([0, (1 << n) - 1], dtype=np.int64)
        self._dec = (ones > n // 2).astype(np.int64)
        self._flag = ((ones > 0) & (ones < n)).astype(np.int64)

    def __repr__(self) -> str:
        return f"Repetition({self.n})"


class Hamming74(_BlockCode):
    """Hamming(7,4): 4 data bits, 3 parity bits; corrects any single flip in a block.

    Bit positions 1..7 carry p1 p2 d1 p3 d2 d3 d4; each parity bit p_j covers
    the positions whose number has bit j set, so the syndrome of a block with
    one flip is the position of the flip. ``decode`` counts the blocks with a
    non-zero syndrome (each corrected, rightly when only one bit flipped).

    >>> code = Hamming74()
    >>> sent = code.encode([1, 0, 1, 1])
    >>> sent
    array([0, 1, 1, 0, 0, 1, 1], dtype=uint8)
    >>> garbled = sent.copy(); garbled[4] ^= 1
    >>> code.decode(garbled)
    (array([1, 0, 1, 1], dtype=uint8), 1)
    """

    name = "hamming74"
    n = 7
    k = 4
    #: Positions (1-based) of the data bits d1..d4 in a block.
    DATA = (3, 5, 6, 7)

    def __init__(self) -> None:
        enc = np.zeros(16, dtype=np.int64)
        for value, data in enumerate(product((0, 1), repeat=4)):
            block = [0] * 8  # 1-based positions
            for pos, bit in zip(self.DATA, data):
                block[pos] = bit
            for j in (1, 2, 4):
                block[j] = sum(block[p] for p in range(1, 8) if p & j) % 2
            enc[value] = int("".join(map(str, block[1:])), 2)
        dec = np.zeros(128, dtype=np.int64)
        flag = np.zeros(128, dtype=np.int64)
        for word in range(128):
            block = [0] + [(word >> (6 - i)) & 1 for i in range(7)]
            syndrome = sum(j for j in (1, 2, 4) if sum(block[p] for p in range(1, 8) if p & j) % 2)
            if syndrome:
                block[syndrome] ^= 1
                flag[word] = 1
            dec[word] = int("".join(str(block[p]) for p in self.DATA), 2)
        self._enc, self._dec, self._flag = enc, dec, flag

    def __repr__(self) -> str:
        return "Hamming74()"


class Parity(_BlockCode):
    """One even-parity bit after every k data bits: detects any odd number of flips.

    It corrects nothing. A block that fails its check is counted in
    ``detected_errors`` and should be treated as lost (the telegram is
    discarded); its data bits are returned as received. An even number of
    flips passes unseen (:func:`parity_undetected`).

    >>> code = Parity(3)
    >>> code.encode([1, 1, 0, 1, 0, 0])
    array([1, 1, 0, 0, 1, 0, 0, 1], dtype=uint8)
    >>> code.decode([1, 1, 0, 0, 1, 1, 0, 1])
    (array([1, 1, 0, 1, 1, 0], dtype=uint8), 1)
    """

    def __init__(self, k: int = 8) -> None:
        if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= 16:
            raise ValueError(f"'k' (data bits per parity bit) must be an integer in 1..16 (got {k!r})")
        self.k, self.n = k, k + 1
        self.name = f"parity-{k}"
        values = np.arange(1 << k, dtype=np.int64)
        self._enc = (values << 1) | _parity(values)
        words = np.arange(1 << (k + 1), dtype=np.int64)
        self._dec = words >> 1
        self._flag = _parity(words)

    def __repr__(self) -> str:
        return f"Parity({self.k})"


def _parity(values: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    out = np.zeros_like(values)
    v = values.copy()
    while v.any():
        out ^= v & 1
        v >>= 1
    return out


# --------------------------------------------------------------------------- parity per frame


def _frame_edges(lengths: npt.ArrayLike, total: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    sizes = np.asarray(lengths, dtype=np.int64)
    if sizes.ndim != 1 or (sizes.size and sizes.min() < 0):
        raise ValueError("'lengths' must be a one-dimensional array of non-negative frame sizes")
    ends = np.cumsum(sizes)
    if (ends[-1] if ends.size else 0) != total:
        raise ValueError(f"the frames hold {int(ends[-1]) if ends.size else 0} bits, the bits are {total}")
    return ends - sizes, ends


def _ones_between(
    bits: Bits, starts: npt.NDArray[np.int64], ends: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    ones = np.concatenate(([0], np.cumsum(bits, dtype=np.int64)))
    return np.asarray(ones[ends] - ones[starts], dtype=np.int64)


def parity_frame(bits: npt.ArrayLike, lengths: npt.ArrayLike) -> Bits:
    """The bits of frames of ``lengths`` bits (in order), each followed by its even-parity bit.

    A frame may be empty (its parity bit is 0). The engine frames telegrams this way.

    >>> parity_frame([1, 1, 0, 1, 0], [3, 0, 2])
    array([1, 1, 0, 0, 0, 1, 0, 1], dtype=uint8)
    """
    arr = _bits("bits", bits, 1)
    starts, ends = _frame_edges(lengths, arr.size)
    parity = (_ones_between(arr, starts, ends) & 1).astype(np.uint8)
    return np.insert(arr, ends, parity)


def parity_check(bits: npt.ArrayLike, lengths: npt.ArrayLike) -> tuple[Bits, npt.NDArray[np.bool_]]:
    """(data bits, failed) of framed bits: frames of ``lengths`` data bits, each with its parity bit.

    ``failed[t]`` is True when frame t (with its parity bit) holds an odd
    number of ones: an odd number of its bits flipped. An even number, two or
    more, passes unseen (:func:`parity_undetected`).

    >>> data, failed = parity_check([1, 1, 0, 0, 0, 1, 1, 1], [3, 0, 2])
    >>> data, failed
    (array([1, 1, 0, 1, 1], dtype=uint8), array([False, False,  True]))
    """
    arr = _bits("bits", bits, 1)
    sizes = np.asarray(lengths, dtype=np.int64)
    _frame_edges(sizes + 1, arr.size)
    checks = np.cumsum(sizes + 1) - 1  # the parity bit of each frame
    keep = np.ones(arr.size, dtype=np.bool_)
    keep[checks] = False
    data = arr[keep]
    starts, ends = _frame_edges(sizes, data.size)
    failed = ((_ones_between(data, starts, ends) + arr[checks]) & 1).astype(np.bool_)
    return data, failed
