"""Codes: immutable codebooks symbol -> codeword over a D-ary alphabet."""

from __future__ import annotations

import bisect
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction
from types import MappingProxyType
from typing import Any, Literal

import numpy as np

from coding._validate import DIGITS, check_alphabet_size, check_symbol
from coding.distribution import Distribution
from coding.measures import DistributionLike, _vector

__all__ = ["Code", "Ambiguity", "DecodeError", "StreamDecoder", "kraft_sum"]


def kraft_sum(lengths: Iterable[int], D: int = 2) -> Fraction:
    """Σ D^−l over ``lengths``, exactly, in integers.

    Every term is shifted to the common denominator D^max(l) and equal
    lengths are counted once, so K lengths cost K integer additions at most,
    not K fraction sums.

    >>> kraft_sum([1, 2, 3, 3]), kraft_sum([1, 1, 2, 2])
    (Fraction(1, 1), Fraction(3, 2))
    """
    counts = Counter(lengths)
    top = max(counts)
    return Fraction(sum(k * D ** (top - n) for n, k in counts.items()), D**top)


class DecodeError(ValueError):
    """A code string that cannot be decoded; ``offset`` is the digit position at fault."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(f"{message} (at digit offset {offset})")
        self.offset = offset


@dataclass(frozen=True)
class Ambiguity:
    """A witness that a code is not uniquely decodable.

    ``string`` is one code string; ``first`` and ``second`` are two different
    symbol sequences that both encode to it.
    """

    string: str
    first: tuple[str, ...]
    second: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.string} = {'·'.join(self.first)} = {'·'.join(self.second)}"


class Code:
    """An immutable codebook: each symbol gets a codeword over digits ``0 .. D−1``.

    Parameters
    ----------
    codewords:
        Mapping symbol -> codeword string. Codewords must be non-empty, use
        only the first ``D`` digits of ``0-9a-z`` and be distinct (a code that
        maps two symbols to one codeword is singular and rejected).
    D:
        Size of the code alphabet (2 for bits).

    Examples
    --------
    Scheme 3 of the article, on the India box:

    >>> code = Code({"blue": "10", "red": "0", "green": "110", "yellow": "111"})
    >>> code.expected_length([0.25, 0.5, 0.13, 0.12])
    1.75
    >>> code.is_prefix_free, code.kraft_sum
    (True, Fraction(1, 1))
    >>> code.encode(["red", "blue", "yellow"])
    '010111'
    >>> code.decode("010111")
    ['red', 'blue', 'yellow']
    """

    __slots__ = (
        "_codewords", "_symbols", "_D", "_lengths", "_tree", "_ud", "_witness", "_sorted", "_clash",
        "_prefix_free", "_length_array", "_values", "_implied",
    )  # fmt: skip

    def __init__(self, codewords: Mapping[str, str], D: int = 2) -> None:
        D = check_alphabet_size(D)
        if not isinstance(codewords, Mapping):
            raise TypeError(
                f"'codewords' must be a mapping symbol -> codeword (got {type(codewords).__name__})"
            )
        if len(codewords) == 0:
            raise ValueError("'codewords' must not be empty")
        digits = DIGITS[:D]
        if not _plainly_valid(codewords, digits):
            _find_invalid(codewords, digits)  # raises, naming the first bad entry
        self._codewords: Mapping[str, str] = MappingProxyType(dict(codewords))
        self._symbols = tuple(codewords)
        self._D = D
        self._lengths: Mapping[str, int] = MappingProxyType(
            dict(zip(self._symbols, map(len, codewords.values())))
        )
        self._tree: _Node | None = None
        self._ud: bool | None = None
        self._witness: Ambiguity | None = None
        self._sorted: list[str] | None = None
        self._clash: tuple[str, str] | None | Literal[False] = False  # False: not computed yet
        self._prefix_free: bool | None = None
        self._length_array: np.ndarray | None = None
        self._values: np.ndarray | None = None
        self._implied: Distribution | None = None

    @classmethod
    def _canonical(cls, symbols: tuple[str, ...], lengths: np.ndarray, values: np.ndarray, D: int) -> Code:
        """A prefix-free code given as arrays: codeword i is ``values[i]`` in ``lengths[i]`` base-D digits.

        For :func:`coding.builders.canonical`, which has checked the symbols and
        Kraft's inequality (so the code is prefix-free). The codeword strings are
        written only when first asked for (:class:`_LazyWords`): a Huffman code of
        a million symbols is built, checked and turned into decoding tables from
        the arrays alone.
        """
        code = cls.__new__(cls)
        code._symbols = symbols
        code._D = D
        code._codewords = _LazyWords(symbols, lengths, values, D)
        code._lengths = _LazyLengths(symbols, lengths)
        code._tree = None
        code._ud, code._witness, code._sorted, code._clash = True, None, None, None
        code._prefix_free = True
        code._length_array, code._values = lengths, values
        code._implied = None
        return code

    # -- the codebook -----------------------------------------------------
    @property
    def codewords(self) -> Mapping[str, str]:
        """Symbol -> codeword (read-only)."""
        words = self._codewords
        if type(words) is _LazyWords and words._dict is not None:  # written out: a plain view now
            self._codewords = words = MappingProxyType(words._dict)
        return words

    @property
    def symbols(self) -> tuple[str, ...]:
        return self._symbols

    @property
    def D(self) -> int:
        """Size of the code alphabet."""
        return self._D

    @property
    def digits(self) -> str:
        return DIGITS[: self._D]

    @property
    def lengths(self) -> Mapping[str, int]:
        """Symbol -> codeword length."""
        lengths = self._lengths
        if type(lengths) is _LazyLengths and lengths._dict is not None:
            self._lengths = lengths = MappingProxyType(lengths._dict)
        return lengths

    def __getitem__(self, symbol: str) -> str:
        return self._codewords[symbol]

    def __len__(self) -> int:
        return len(self._symbols)

    def __iter__(self) -> Iterator[str]:
        return iter(self._symbols)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Code):
            return NotImplemented
        return self._D == other._D and list(self._codewords.items()) == list(other._codewords.items())

    def __hash__(self) -> int:
        return hash((self._D, tuple(self._codewords.items())))

    def __repr__(self) -> str:
        inner = ", ".join(f"{s!r}: {w!r}" for s, w in self._codewords.items())
        extra = "" if self._D == 2 else f", D={self._D}"
        return f"Code({{{inner}}}{extra})"

    def _repr_html_(self) -> str:
        """Jupyter's view: the codeword table, Kraft sum, decodability, and the code tree (SVG)."""
        from coding.display import code_html

        return code_html(self)

    # -- structure ----------------------------------------------------------
    @property
    def kraft_sum(self) -> Fraction:
        """Σ D^−l(x), exactly. At most 1 for every uniquely decodable code (Kraft–McMillan).

        Computed in integers (see :func:`kraft_sum`).

        >>> Code({"blue": "0", "red": "1", "green": "10", "yellow": "11"}).kraft_sum
        Fraction(3, 2)
        """
        return kraft_sum(self.length_array().tolist(), self._D)

    def _sorted_words(self) -> list[str]:
        if self._sorted is None:
            self._sorted = sorted(self._codewords.values())
        return self._sorted

    @property
    def is_prefix_free(self) -> bool:
        """No codeword is a prefix of another (so decoding needs no look-ahead). O(K log K).

        >>> Code({"a": "0", "b": "01", "c": "11"}).is_prefix_free
        False
        """
        if self._prefix_free is None:
            words = self._sorted_words()
            # In sorted order a word that prefixes another also prefixes its successor.
            self._prefix_free = not any(b.startswith(a) for a, b in zip(words, words[1:]))
        return self._prefix_free

    def prefix_clash(self) -> tuple[str, str] | None:
        """None for a prefix-free code, else two symbols (a, b) where a's codeword begins b's.

        ``a`` is the first symbol (in code order) whose codeword begins
        another, and ``b`` the first symbol it begins. O(K log K) to find
        ``a``, then one pass over the codewords that extend it.

        >>> Code({"a": "0", "b": "01", "c": "11", "d": "00"}).prefix_clash()
        ('a', 'b')
        """
        clash = self._clash
        if clash is False:
            clash = self._clash = self._find_clash()
        return clash

    def _find_clash(self) -> tuple[str, str] | None:
        if self.is_prefix_free:
            return None
        words = self._sorted_words()
        for a in self._symbols:
            wa = self._codewords[a]
            i = bisect.bisect_right(words, wa)
            # wa begins another codeword exactly when it begins its successor in sorted order.
            if i < len(words) and words[i].startswith(wa):
                inverse = {w: s for s, w in self._codewords.items()}
                order = {s: k for k, s in enumerate(self._symbols)}
                extensions = []
                while i < len(words) and words[i].startswith(wa):
                    extensions.append(inverse[words[i]])
                    i += 1
                return a, min(extensions, key=order.__getitem__)
        raise AssertionError("a code that is not prefix-free has a clash")

    @property
    def is_uniquely_decodable(self) -> bool:
        """Whether every code string has at most one parse.

        A prefix-free code is (the O(K log K) test runs first); any other code
        goes through the Sardinas–Patterson test.

        >>> Code({"a": "0", "b": "01", "c": "11"}).is_uniquely_decodable
        True
        >>> Code({"a": "0", "b": "01", "c": "10"}).is_uniquely_decodable
        False
        """
        if self._ud is None:
            self._witness = None if self.is_prefix_free else self._find_ambiguity()
            self._ud = self._witness is None
        return self._ud

    def ambiguity(self) -> Ambiguity | None:
        """None for a uniquely decodable code, else one string with two parses.

        The search is breadth-first over dangling suffixes, so the witness uses
        few codewords.

        >>> print(Code({"blue": "0", "red": "1", "green": "10", "yellow": "11"}).ambiguity())
        10 = green = red·blue
        """
        self.is_uniquely_decodable  # noqa: B018 (fills the cache)
        return self._witness

    def _find_ambiguity(self) -> Ambiguity | None:
        """Sardinas–Patterson, breadth first over dangling suffixes.

        The codewords related to a suffix (its prefixes, and the words it
        begins) are found by lookups in a set and a range of the sorted
        words, not by a pass over every codeword; they are tried in code
        order, so the witness does not depend on how they were found.
        """
        words = self._codewords
        inverse = {w: s for s, w in words.items()}
        order = {w: k for k, w in enumerate(words.values())}
        ordered = self._sorted_words()

        def related(text: str) -> list[str]:
            """Codewords that begin ``text`` or that ``text`` begins, in code order."""
            out = [text[:k] for k in range(1, len(text) + 1) if text[:k] in inverse]
            i = bisect.bisect_left(ordered, text)
            while i < len(ordered) and ordered[i].startswith(text):
                if ordered[i] != text:
                    out.append(ordered[i])
                i += 1
            return sorted(out, key=order.__getitem__)

        # State: the "ahead" parse spells the "behind" parse plus a dangling suffix.
        queue: deque[tuple[str, tuple[str, ...], tuple[str, ...]]] = deque()
        seen: set[str] = set()
        pairs = []
        for a in words.values():
            i = bisect.bisect_right(ordered, a)
            while i < len(ordered) and ordered[i].startswith(a):
                pairs.append((order[a], order[ordered[i]], a, ordered[i]))
                i += 1
        for _, _, a, b in sorted(pairs):
            suffix = b[len(a) :]
            if suffix not in seen:
                seen.add(suffix)
                queue.append((suffix, (inverse[b],), (inverse[a],)))
        while queue:
            suffix, ahead, behind = queue.popleft()
            for w in related(suffix):
                s = inverse[w]
                if w == suffix:
                    string = "".join(words[x] for x in ahead)
                    return Ambiguity(string, ahead, behind + (s,))
                if suffix.startswith(w):
                    nxt, new = suffix[len(w) :], (ahead, behind + (s,))
                else:
                    nxt, new = w[len(suffix) :], (behind + (s,), ahead)
                if nxt not in seen:
                    seen.add(nxt)
                    queue.append((nxt, *new))
        return None

    def implied_distribution(self) -> Distribution:
        """r(x) = D^−l(x) / K: the distribution for which this code's lengths are ideal.

        >>> Code({"a": "0", "b": "10", "c": "11"}).implied_distribution().as_dict()
        {'a': 0.5, 'b': 0.25, 'c': 0.25}
        """
        if self._implied is None:  # the code never changes: worked out once
            lengths = self.length_array()
            top = int(lengths.max())
            share = np.array([float(Fraction(1, self._D**n)) if n else 0.0 for n in range(top + 1)])
            self._implied = Distribution.from_counts(dict(zip(self._symbols, share[lengths].tolist())))
        return self._implied

    def length_array(self, symbols: Iterable[str] | None = None) -> np.ndarray:
        """Codeword lengths as an int64 array, in code order or in the order of ``symbols``."""
        if symbols is None:
            if self._length_array is None:
                self._length_array = np.fromiter(
                    map(len, self._codewords.values()), dtype=np.int64, count=len(self._symbols)
                )
            return self._length_array.copy()
        order = tuple(symbols)
        try:
            return np.array([self._lengths[s] for s in order], dtype=np.int64)
        except KeyError as exc:
            raise ValueError(f"the code has no codeword for {exc.args[0]!r}") from None

    def value_array(self) -> np.ndarray:
        """Each codeword read as a base-D number, in code order (int64; codewords of at most 62 bits).

        With :meth:`length_array` it gives the codewords without their strings:
        codeword i is ``value_array()[i]`` written with ``length_array()[i]`` digits.

        >>> Code({"blue": "10", "red": "0", "green": "110", "yellow": "111"}).value_array().tolist()
        [2, 0, 6, 7]
        """
        if self._values is None:
            if int(self.length_array().max()) * (self._D - 1).bit_length() > 62:
                raise ValueError("codewords too long for 64-bit values")
            D = self._D
            self._values = np.fromiter(
                (int(w, D) for w in self._codewords.values()), dtype=np.int64, count=len(self._symbols)
            )
        return self._values.copy()

    def _aligned_lengths(self, p: DistributionLike) -> tuple[np.ndarray, np.ndarray]:
        if isinstance(p, Distribution) and p.symbols == self._symbols:  # the code's own order
            return p.probabilities, self.length_array().astype(np.float64)
        if isinstance(p, Distribution):
            missing = [s for s in p.support() if s not in self._lengths]
            if missing:
                raise ValueError(f"the code has no codeword for {missing[0]!r}")
            lengths = np.array([self._lengths.get(s, 0) for s in p.symbols], dtype=np.float64)
            return p.probabilities, lengths
        pv = _vector("p", p)
        if pv.size != len(self._symbols):
            raise ValueError(
                f"'p' must have one probability per codeword ({len(self._symbols)}, got {pv.size})"
            )
        return pv, self.length_array().astype(np.float64)

    def expected_length(self, p: DistributionLike) -> float:
        """L(p) = Σ p(x) l(x): average digits per symbol when symbols are drawn from ``p``.

        ``p`` is a :class:`Distribution` (aligned by symbol) or an array in code order.
        """
        pv, lengths = self._aligned_lengths(p)
        return float(np.dot(pv, lengths)) + 0.0

    def length_variance(self, p: DistributionLike) -> float:
        """Var[l(X)] for X drawn from ``p``: sets the spread of a measured average."""
        pv, lengths = self._aligned_lengths(p)
        mean = float(np.dot(pv, lengths))
        return max(float(np.dot(pv, (lengths - mean) ** 2)), 0.0) + 0.0

    # -- encoding and decoding ----------------------------------------------
    def encode(self, symbols: Iterable[str]) -> str:
        """Concatenate the codewords of ``symbols``."""
        out = []
        words = self._codewords
        for i, s in enumerate(symbols):
            try:
                out.append(words[s])
            except (KeyError, TypeError):
                raise ValueError(f"symbol {i} ({s!r}) has no codeword in this code") from None
        return "".join(out)

    def decode(self, string: str) -> list[str]:
        """The unique symbol sequence whose encoding is ``string``.

        Prefix codes decode left to right; other uniquely decodable codes are
        parsed with look-ahead. Raises :class:`DecodeError` (with the digit
        offset) when no parse exists or, for a code that is not uniquely
        decodable, when two do.
        """
        if self.is_prefix_free:
            dec = self.decoder()
            out = dec.feed(string)
            dec.finish()
            return out
        parses = self.parses(string, limit=2)
        if not parses:
            raise DecodeError("no parse of the code string", self._furthest_parse(string))
        if len(parses) > 1:
            raise DecodeError(f"ambiguous: {'·'.join(parses[0])} or {'·'.join(parses[1])}", 0)
        return list(parses[0])

    def parses(self, string: str, limit: int = 16) -> list[tuple[str, ...]]:
        """Up to ``limit`` symbol sequences that encode to ``string``.

        >>> scheme1 = Code({"blue": "0", "red": "1", "green": "10", "yellow": "11"})
        >>> scheme1.parses("010")
        [('blue', 'red', 'blue'), ('blue', 'green')]
        """
        self._check_digits(string)
        n = len(string)
        inverse = {w: s for s, w in self._codewords.items()}
        maxlen = max(self._lengths.values())
        # ok[i]: string[i:] can be parsed completely.
        ok = [False] * (n + 1)
        ok[n] = True
        for i in range(n - 1, -1, -1):
            ok[i] = any(string[i : i + k] in inverse and ok[i + k] for k in range(1, min(maxlen, n - i) + 1))
        out: list[tuple[str, ...]] = []
        stack: list[tuple[int, tuple[str, ...]]] = [(0, ())] if ok[0] else []
        while stack and len(out) < limit:
            i, acc = stack.pop()
            if i == n:
                out.append(acc)
                continue
            for k in range(min(maxlen, n - i), 0, -1):
                s = inverse.get(string[i : i + k])
                if s is not None and ok[i + k]:
                    stack.append((i + k, acc + (s,)))
        return out

    def _furthest_parse(self, string: str) -> int:
        inverse = set(self._codewords.values())
        reach, frontier = {0}, [0]
        while frontier:
            i = frontier.pop()
            for w in inverse:
                if string.startswith(w, i) and i + len(w) not in reach:
                    reach.add(i + len(w))
                    frontier.append(i + len(w))
        return max(reach)

    def _check_digits(self, string: str) -> None:
        if not isinstance(string, str):
            raise TypeError(f"code string must be a str (got {type(string).__name__})")
        digits = self.digits
        for i, c in enumerate(string):
            if c not in digits:
                raise DecodeError(f"digit {c!r} is outside the alphabet {digits!r}", i)

    def decoder(self) -> StreamDecoder:
        """A streaming decoder for this prefix code (see :class:`StreamDecoder`)."""
        if not self.is_prefix_free:
            raise ValueError("a streaming decoder needs a prefix-free code")
        if self._tree is None:
            self._tree = _build_tree(self._codewords)
        return StreamDecoder(self._tree, self.digits)


def _plainly_valid(codewords: Mapping[str, str], digits: str) -> bool:
    """A fast whole-book check: non-empty string symbols and distinct non-empty codewords in ``digits``."""
    words = list(codewords.values())
    if not all(type(s) is str and s for s in codewords) or not all(type(w) is str and w for w in words):
        return False
    return set("".join(words)) <= set(digits) and len(set(words)) == len(words)


def _find_invalid(codewords: Mapping[str, str], digits: str) -> None:
    """Raise the error of the first entry that fails a codebook rule."""
    seen: dict[str, str] = {}
    for symbol, word in codewords.items():
        check_symbol("codewords", symbol)
        if not isinstance(word, str):
            raise TypeError(f"codeword of {symbol!r} must be a string (got {word!r})")
        if word == "":
            raise ValueError(f"codeword of {symbol!r} is empty")
        bad = sorted(set(word) - set(digits))
        if bad:
            raise ValueError(f"codeword of {symbol!r} uses {''.join(bad)!r}, outside the alphabet {digits!r}")
        if word in seen:
            raise ValueError(f"code is singular: {seen[word]!r} and {symbol!r} share the codeword {word!r}")
        seen[word] = symbol


#: A node of the decoding tree: digit -> child node, or the symbol at a leaf.
_Node = dict[str, Any]


def _build_tree(codewords: Mapping[str, str]) -> _Node:
    """Nested dicts digit -> node; a leaf is the symbol string."""
    root: _Node = {}
    for symbol, word in codewords.items():
        node = root
        for c in word[:-1]:
            node = node.setdefault(c, {})
        node[word[-1]] = symbol
    return root


class StreamDecoder:
    """Decodes a prefix code from digits that arrive in chunks.

    A partial codeword is kept across :meth:`feed` calls; :meth:`finish`
    raises :class:`DecodeError` when digits are left over.

    >>> dec = Code({"blue": "10", "red": "0", "green": "110", "yellow": "111"}).decoder()
    >>> dec.feed("01"), dec.feed("01"), dec.feed("11")
    (['red'], ['blue'], ['yellow'])
    >>> dec.finish()
    """

    __slots__ = ("_root", "_node", "_digits", "_offset", "_start")

    def __init__(self, root: _Node, digits: str) -> None:
        self._root = root
        self._node = root
        self._digits = digits
        self._offset = 0  # digits consumed so far
        self._start = 0  # offset where the pending codeword began

    @property
    def offset(self) -> int:
        """Digits fed so far."""
        return self._offset

    @property
    def pending(self) -> int:
        """Digits of an unfinished codeword held over."""
        return self._offset - self._start

    def feed(self, digits: str) -> list[str]:
        """Consume ``digits``; return the symbols completed by them."""
        out: list[str] = []
        node, root = self._node, self._root
        for i, c in enumerate(digits):
            nxt = node.get(c)
            if nxt is None:
                pos = self._offset + i
                self._node = root
                if c not in self._digits:
                    raise DecodeError(f"digit {c!r} is outside the alphabet {self._digits!r}", pos)
                raise DecodeError("no codeword continues this way (incomplete code)", pos)
            if isinstance(nxt, str):
                out.append(nxt)
                node = root
                self._start = self._offset + i + 1
            else:
                node = nxt
        self._node = node
        self._offset += len(digits)
        return out

    def finish(self) -> None:
        """Raise :class:`DecodeError` if an unfinished codeword is pending."""
        if self._node is not self._root:
            raise DecodeError(f"{self.pending} digit(s) left over", self._start)


def _to_digits(value: int, width: int, D: int) -> str:
    """``value`` written with exactly ``width`` base-``D`` digits."""
    if D == 2:
        return format(value, f"0{width}b")
    out = []
    for _ in range(width):
        value, r = divmod(value, D)
        out.append(DIGITS[r])
    return "".join(reversed(out))


class _LazyMapping(Mapping[str, Any]):
    """Symbol -> value of a canonical code, kept as arrays; :meth:`_all` makes the dict once."""

    __slots__ = ("_symbols", "_dict")

    def __init__(self, symbols: tuple[str, ...]) -> None:
        self._symbols = symbols
        self._dict: dict[str, Any] | None = None

    def _all(self) -> dict[str, Any]:
        raise NotImplementedError

    def __getitem__(self, symbol: str) -> Any:
        return self._all()[symbol]

    def __contains__(self, symbol: object) -> bool:
        return symbol in self._all()

    def __iter__(self) -> Iterator[str]:
        return iter(self._symbols)

    def __len__(self) -> int:
        return len(self._symbols)

    def values(self) -> Any:
        return self._all().values()

    def items(self) -> Any:
        return self._all().items()

    def get(self, symbol: str, default: Any = None) -> Any:
        return self._all().get(symbol, default)

    def __eq__(self, other: object) -> bool:
        return self._all() == other if isinstance(other, Mapping) else NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self._all())


class _LazyLengths(_LazyMapping):
    """Symbol -> codeword length of a canonical code: the dict is made on first lookup."""

    __slots__ = ("_array",)

    def __init__(self, symbols: tuple[str, ...], array: np.ndarray) -> None:
        super().__init__(symbols)
        self._array = array

    def _all(self) -> dict[str, int]:
        if self._dict is None:
            self._dict = dict(zip(self._symbols, self._array.tolist()))
        return self._dict


class _LazyWords(_LazyMapping):
    """Symbol -> codeword of a canonical code, kept as arrays; the strings are written on first use.

    Looking up one symbol writes one string (up to :attr:`SINGLE` lookups);
    iterating over the codewords (``values()``, ``items()``) writes them all
    at once with whole-array operations and keeps them.
    """

    __slots__ = ("_lengths", "_values", "_D", "_index", "_lookups")

    #: Single lookups answered one string at a time before all the strings are written at once
    #: (``dict(code.codewords)`` looks every symbol up).
    SINGLE = 256

    def __init__(self, symbols: tuple[str, ...], lengths: np.ndarray, values: np.ndarray, D: int) -> None:
        super().__init__(symbols)
        self._lengths, self._values, self._D = lengths, values, D
        self._index: dict[str, int] | None = None
        self._lookups = 0

    def _all(self) -> dict[str, str]:
        if self._dict is None:
            from coding.builders import digit_strings

            self._dict = dict(zip(self._symbols, digit_strings(self._values, self._lengths, self._D)))
        return self._dict

    def __getitem__(self, symbol: str) -> str:
        if self._dict is not None:
            return self._dict[symbol]  # type: ignore[no-any-return]
        if self._index is None:
            self._index = {s: i for i, s in enumerate(self._symbols)}
        i = self._index[symbol]
        self._lookups += 1
        if self._lookups > self.SINGLE:
            return self._all()[symbol]
        return _to_digits(int(self._values[i]), int(self._lengths[i]), self._D)

    def __contains__(self, symbol: object) -> bool:
        if self._dict is not None:
            return symbol in self._dict
        if self._index is None:
            self._index = {s: i for i, s in enumerate(self._symbols)}
        return symbol in self._index
