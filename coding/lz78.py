"""LZ78: a universal code that needs no model (Ziv & Lempel 1978).

The sender cuts the stream into phrases, each the longest phrase seen before
plus one more symbol, and sends each phrase as a pair: the number of that
earlier phrase and the new symbol. Both ends grow the same dictionary, so
nothing but the pairs travels. Phrase i (i = 1, 2, …) points to one of the i
phrases known by then (number 0 is the empty phrase), in ⌈log2 i⌉ bits, and
names its symbol in ⌈log2 K⌉ bits (K symbols). For an i.i.d. source the
bits per symbol fall towards H, but slowly: the excess shrinks like
1/log n, far slower than an adaptive model's (K − 1)/2 · log2 n / n.

The tail: if the stream ends inside a phrase that is already known, the last
pair repeats it as (its prefix, its last symbol); the receiver, who knows the
count, stops there.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from coding._validate import check_symbols
from coding.code import DecodeError

__all__ = ["LZ78Code", "lz78"]


def _width(n: int) -> int:
    """⌈log2 n⌉ for n ≥ 1: the bits that name one of n things."""
    return (n - 1).bit_length()


class LZ78Code:
    """LZ78 over a fixed alphabet: :meth:`encode` a stream to bits, :meth:`decode` it back.

    >>> lz = lz78(["a", "b"])
    >>> lz.phrases(list("aababb"))
    [(0, 'a'), (1, 'b'), (2, 'b')]
    >>> bits = lz.encode(list("aababb")); bits
    '011101'
    >>> "".join(lz.decode(bits, 6))
    'aababb'

    A stream ending inside a known phrase repeats it: "aab" + "a".

    >>> lz.phrases(list("aaba")), "".join(lz.decode(lz.encode(list("aaba")), 4))
    ([(0, 'a'), (1, 'b'), (0, 'a')], 'aaba')
    """

    __slots__ = ("_symbols", "_index", "_width")

    def __init__(self, symbols: Sequence[str]) -> None:
        self._symbols = check_symbols("symbols", symbols)
        self._index = {s: i for i, s in enumerate(self._symbols)}
        self._width = _width(len(self._symbols))

    @property
    def symbols(self) -> tuple[str, ...]:
        return self._symbols

    def phrases(self, symbols: Iterable[str]) -> list[tuple[int, str]]:
        """The (earlier phrase, new symbol) pairs of a stream, in order."""
        trie: dict[tuple[int, int], int] = {}
        out: list[tuple[int, str]] = []
        node = parent = 0
        last = -1
        for t, s in enumerate(symbols):
            j = self._index.get(s) if isinstance(s, str) else None
            if j is None:
                raise ValueError(f"symbol {t} ({s!r}) is not in the alphabet {list(self._symbols)}")
            nxt = trie.get((node, j))
            if nxt is None:
                out.append((node, self._symbols[j]))
                trie[(node, j)] = len(out)
                node = 0
            else:
                parent, last, node = node, j, nxt
        if node:  # the stream ended inside a known phrase: repeat it
            out.append((parent, self._symbols[last]))
        return out

    def encode(self, symbols: Iterable[str]) -> str:
        """The pairs as bits: phrase i's pointer in ⌈log2 i⌉ bits, then its symbol in ⌈log2 K⌉ bits."""
        out: list[str] = []
        for i, (ptr, s) in enumerate(self.phrases(symbols), start=1):
            w = _width(i)
            if w:
                out.append(format(ptr, f"0{w}b"))
            if self._width:
                out.append(format(self._index[s], f"0{self._width}b"))
        return "".join(out)

    def decode(self, bits: str, count: int) -> list[str]:
        """The first ``count`` symbols of a stream sent with :meth:`encode`."""
        if count < 0:
            raise ValueError(f"'count' must be non-negative (got {count})")
        phrases: list[tuple[int, int]] = [(-1, -1)]  # (prefix, symbol) per phrase number; 0 is empty
        out: list[str] = []
        pos = 0
        while len(out) < count:
            i = len(phrases)
            w = _width(i)
            if pos + w + self._width > len(bits):
                raise DecodeError(f"the bits end inside phrase {i}", pos)
            ptr = int(bits[pos : pos + w], 2) if w else 0
            j = int(bits[pos + w : pos + w + self._width], 2) if self._width else 0
            if j >= len(self._symbols):
                raise DecodeError(f"phrase {i} names symbol {j} of {len(self._symbols)}", pos + w)
            pos += w + self._width
            phrases.append((ptr, j))
            word: list[int] = []
            node = i
            while node > 0:
                node, sym = phrases[node]
                word.append(sym)
            out.extend(self._symbols[k] for k in reversed(word))
        if pos != len(bits):
            raise DecodeError(f"{len(bits) - pos} bits left after {count} symbols", pos)
        return out[:count]


def lz78(symbols: Sequence[str]) -> LZ78Code:
    """LZ78 over the alphabet ``symbols`` (see :class:`LZ78Code`)."""
    return LZ78Code(symbols)
