"""Tunstall codes: variable-to-fixed length, a dictionary of source strings with m-bit codewords."""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Mapping
from types import MappingProxyType

import numpy as np

from coding.code import DecodeError
from coding.distribution import Distribution
from coding.measures import entropy

__all__ = ["TunstallCode", "tunstall"]


class TunstallCode:
    """A Tunstall dictionary and its fixed-length codewords.

    ``words`` are the dictionary's source strings (tuples of symbols) in
    codeword order: word ``j`` is sent as ``j`` in ``bits`` binary digits.
    They are the leaves of a complete, proper parse tree, listed in
    depth-first order with children in ``source.symbols`` order, so every
    source stream has exactly one parse into words (greedy, left to right).

    **The stream's tail.** When a stream ends inside a word (the symbols since
    the last complete word are a proper prefix of some words), the encoder
    completes them with the first word that extends them (following the first
    source symbol down the tree) and sends its codeword; the receiver, told
    the symbol count N, drops the extra symbols. The tail costs one codeword
    of ``bits`` bits, and nothing when the stream ends on a word boundary.
    """

    __slots__ = ("_source", "_bits", "_words", "_index", "_internal", "_memo", "_span")

    def __init__(
        self, source: Distribution, bits: int, words: tuple[tuple[str, ...], ...],
        internal: tuple[tuple[str, ...], ...],
    ) -> None:  # fmt: skip
        self._source = source
        self._bits = bits
        self._words = words
        self._index = MappingProxyType({w: j for j, w in enumerate(words)})
        self._internal = internal
        self._span = (min(map(len, words)), max(map(len, words))) if words else (0, 0)
        self._memo: dict[Distribution, tuple[tuple[float, ...], tuple[float, ...]]] = {}

    @property
    def source(self) -> Distribution:
        return self._source

    @property
    def bits(self) -> int:
        """m: bits per codeword."""
        return self._bits

    @property
    def words(self) -> tuple[tuple[str, ...], ...]:
        """The dictionary, in codeword order."""
        return self._words

    @property
    def internal(self) -> tuple[tuple[str, ...], ...]:
        """The proper prefixes of dictionary words (internal nodes of the parse tree), root first."""
        return self._internal

    @property
    def codewords(self) -> Mapping[tuple[str, ...], str]:
        """Word -> its m-bit codeword."""
        return MappingProxyType({w: self.codeword(j) for j, w in enumerate(self._words)})

    @property
    def word_span(self) -> tuple[int, int]:
        """(shortest, longest) word, in symbols."""
        return self._span

    def codeword(self, j: int) -> str:
        """Word j's codeword: j in ``bits`` binary digits."""
        return format(j, f"0{self._bits}b")

    def _key(self) -> tuple[object, ...]:
        return (self._source, self._bits)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, type(self)) and type(other) is type(self) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"TunstallCode(bits={self._bits}, words={len(self._words)})"

    def probabilities(self, q: Distribution | None = None) -> tuple[tuple[float, ...], tuple[float, ...]]:
        """(P(v) of every internal node, in :attr:`internal` order; P(w) of every word, in codeword
        order) when ``q`` (default: the source) draws.

        A string's probability is its prefix's times its last symbol's: the
        products of the symbols' probabilities, multiplied left to right,
        one multiplication per node of the tree (a 16-bit code's 65 536
        words in milliseconds). Kept for the last few ``q``.
        """
        q = self._source if q is None else q
        if q in self._memo:
            return self._memo[q]
        p = {s: q[s] for s in self._source.symbols if s in q}
        node: dict[tuple[str, ...], float] = {(): 1.0}
        for v in sorted(self._internal, key=len):  # every prefix before the strings it begins
            if v:
                node[v] = node[v[:-1]] * p[v[-1]]
        out = tuple(node[v] for v in self._internal), tuple(node[w[:-1]] * p[w[-1]] for w in self._words)
        if len(self._memo) >= 4:
            self._memo.clear()
        self._memo[q] = out
        return out

    def expected_parse_length(self, q: Distribution | None = None) -> float:
        """E[len]: average source symbols per word when ``q`` (default: the source) draws.

        The parse visits the internal nodes of the tree; a word's length is the
        number of internal nodes on its path, so E[len] = Σ_{internal v} P(v).
        """
        return sum(self.probabilities(q)[0])

    def expected_length(self, q: Distribution | None = None) -> float:
        """Bits per source symbol, m / E[len], when ``q`` (default: the source) draws."""
        return self._bits / self.expected_parse_length(q)

    def upper_bound(self) -> float:
        """m · H / (log2 M₊ − log2(1/p_min)): Tunstall's guarantee on :meth:`expected_length`.

        M₊ is the number of words of positive probability and p_min the smallest
        positive symbol probability (``inf`` when the denominator is not
        positive: the dictionary is too small for the bound to say anything).
        The lower bound is H(source) (see ``docs/theory.md``).
        """
        probs = self._source.probabilities
        p_min = float(probs[probs > 0].min())
        words = self.probabilities()[1]
        positive = len(words) - words.count(0.0)  # probabilities are never negative
        room = math.log2(positive) + math.log2(p_min)
        if room <= 0:
            return math.inf
        return self._bits * entropy(self._source) / room

    def parse(self, symbols: Iterable[str]) -> list[tuple[str, ...]]:
        """Cut a stream into dictionary words; a partial last word is completed (see the class notes)."""
        out: list[tuple[str, ...]] = []
        current: tuple[str, ...] = ()
        known = set(self._source.symbols)
        for i, s in enumerate(symbols):
            if s not in known:
                raise ValueError(f"symbol {i} ({s!r}) is not a symbol of the source")
            current += (s,)
            if current in self._index:
                out.append(current)
                current = ()
        if current:
            first = self._source.symbols[0]
            while current not in self._index:
                current += (first,)
            out.append(current)
        return out

    def encode(self, symbols: Iterable[str]) -> str:
        """The bits of a whole stream: one m-bit codeword per word of its parse.

        >>> abc = tunstall(Distribution({"A": 0.6, "B": 0.3, "C": 0.1}), bits=3)
        >>> abc.encode(["A", "B", "C", "A"])
        '011110000'
        """
        m = self._bits
        return "".join(format(self._index[w], f"0{m}b") for w in self.parse(symbols))

    def decode(self, bits: str, count: int) -> list[str]:
        """The first ``count`` symbols of a stream sent with :meth:`encode`.

        >>> abc = tunstall(Distribution({"A": 0.6, "B": 0.3, "C": 0.1}), bits=3)
        >>> abc.decode("011110000", 4)
        ['A', 'B', 'C', 'A']
        """
        if count < 0:
            raise ValueError(f"'count' must be non-negative (got {count})")
        m = self._bits
        if len(bits) % m:
            raise DecodeError(f"{len(bits)} bits is not a whole number of {m}-bit codewords", len(bits))
        out: list[str] = []
        for start in range(0, len(bits), m):
            chunk = bits[start : start + m]
            if set(chunk) - {"0", "1"}:
                raise DecodeError(f"codeword {chunk!r} is not binary", start)
            j = int(chunk, 2)
            if j >= len(self._words):
                raise DecodeError(f"codeword {chunk} is not in the dictionary", start)
            if len(out) >= count:
                raise DecodeError(f"bits left over after {count} symbols", start)
            out.extend(self._words[j])
        if len(out) < count:
            raise DecodeError(f"the bits hold only {len(out)} of {count} symbols", len(bits))
        return out[:count]


def tunstall(p: Distribution, bits: int) -> TunstallCode:
    """Tunstall's variable-to-fixed code for ``p`` with ``bits``-bit codewords (Tunstall 1967).

    Start with the tree whose leaves are the n source symbols; while the
    leaves can grow by n − 1 without passing 2^m, expand the most probable
    leaf into its n children. Ties go to the leaf created first (and among
    siblings, the first in ``p.symbols``), so the dictionary is deterministic.
    The dictionary has M ≤ 2^m words; each gets an m-bit codeword. Zero-
    probability symbols stay in the tree (so every stream parses) but are
    never worth expanding. A one-symbol source gets the one-word dictionary.

    With E[len] the expected number of symbols per word, the cost per symbol
    is m / E[len], and H(p) ≤ m / E[len] ≤ :meth:`TunstallCode.upper_bound`,
    which tends to H(p) as m grows.

    Sayood, *Introduction to Data Compression*, Example 3.7.1 (A 0.6, B 0.3,
    C 0.1, three bits): seven words, E[len] = 1 + 0.6 + 0.36 = 1.96 symbols.

    >>> abc = tunstall(Distribution({"A": 0.6, "B": 0.3, "C": 0.1}), bits=3)
    >>> ["".join(w) for w in abc.words]
    ['AAA', 'AAB', 'AAC', 'AB', 'AC', 'B', 'C']
    >>> round(abc.expected_parse_length(), 4), round(abc.expected_length(), 4)
    (1.96, 1.5306)

    The India box (H = 1.7497) pays 1.8073 bits per ball with 8-bit codewords
    and 1.7775 with 16-bit ones: slowly, the dictionary closes in on the entropy.

    >>> india = Distribution.from_counts({"blue": 25, "red": 50, "green": 13, "yellow": 12})
    >>> [round(tunstall(india, bits=m).expected_length(), 4) for m in (8, 16)]
    [1.8073, 1.7775]
    """
    if not isinstance(p, Distribution):
        raise TypeError(f"'p' must be a Distribution (got {type(p).__name__})")
    if isinstance(bits, bool) or not isinstance(bits, (int, np.integer)):
        raise TypeError(f"'bits' must be an integer (got {bits!r})")
    bits = int(bits)
    n = len(p)
    if not 1 <= bits <= 20:
        raise ValueError(f"'bits' must be between 1 and 20 (got {bits})")
    if 2**bits < n:
        raise ValueError(f"'bits' {bits} gives {2**bits} codewords, fewer than the {n} symbols")
    probs = [float(v) for v in p.probabilities]
    internal: list[tuple[str, ...]] = [()]
    # Leaves: heap of (−probability, creation order, string).
    heap: list[tuple[float, int, tuple[str, ...]]] = [(-probs[i], i, (s,)) for i, s in enumerate(p.symbols)]
    heapq.heapify(heap)
    created = n
    leaves = n
    while n > 1 and leaves + n - 1 <= 2**bits:
        neg, _, string = heapq.heappop(heap)
        internal.append(string)
        for i, s in enumerate(p.symbols):
            heapq.heappush(heap, (neg * probs[i], created, string + (s,)))
            created += 1
        leaves += n - 1
    order = {s: i for i, s in enumerate(p.symbols)}
    words = sorted((w for _, _, w in heap), key=lambda w: [order[s] for s in w])
    return TunstallCode(p, bits, tuple(words), tuple(internal))
