"""Discrete probability distributions over named symbols."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from itertools import compress

import numpy as np

from coding._validate import SUM_TOLERANCE, check_symbols, check_weights


class Distribution:
    """Ordered symbols with float64 probabilities.

    Parameters
    ----------
    pmf:
        Mapping symbol -> probability. Symbols are non-empty strings, kept in
        the mapping's order; probabilities are finite, non-negative and sum to
        1 within 1e-9. Zero-probability symbols are allowed.

    Raises
    ------
    ValueError, TypeError
        On empty, negative, non-finite or non-summing input, naming the value.

    Examples
    --------
    The India box of the article: 25 blue, 50 red, 13 green, 12 yellow balls.

    >>> india = Distribution.from_counts({"blue": 25, "red": 50, "green": 13, "yellow": 12})
    >>> india["red"]
    0.5
    >>> india.symbols
    ('blue', 'red', 'green', 'yellow')
    """

    __slots__ = ("_symbols", "_probs", "_index")

    def __init__(self, pmf: Mapping[str, float]) -> None:
        symbols, probs = check_weights("pmf", pmf)
        total = float(probs.sum())
        if abs(total - 1.0) > SUM_TOLERANCE:
            raise ValueError(f"'pmf' must sum to 1 (got {total:.12g})")
        self._init(symbols, probs)

    def _init(self, symbols: tuple[str, ...], probs: np.ndarray) -> None:
        probs = probs.copy()
        probs.flags.writeable = False
        self._symbols = symbols
        self._probs = probs
        self._index = {s: i for i, s in enumerate(symbols)}

    @classmethod
    def from_counts(cls, counts: Mapping[str, float]) -> Distribution:
        """The distribution of one draw from an urn holding ``counts`` balls per colour.

        >>> Distribution.from_counts({"a": 1, "b": 3}).probabilities.tolist()
        [0.25, 0.75]
        """
        symbols, weights = check_weights("counts", counts)
        total = float(weights.sum())
        if total <= 0:
            raise ValueError(f"'counts' must have a positive total (got {total:g})")
        self = cls.__new__(cls)
        self._init(symbols, weights / total)
        return self

    @classmethod
    def from_logits(cls, logits: Mapping[str, float], temperature: float = 1.0) -> Distribution:
        """The softmax of ``logits`` at ``temperature`` T: p(x) = exp(z(x)/T) / Σ_y exp(z(y)/T).

        The denominator sums over *every* class y. The source article writes
        e^{x_i} under its sum, with the numerator's index, which would make
        every output 1/N; the summed index must be the summation variable.
        Computed stably: the largest z/T is subtracted before exponentiating,
        which changes nothing mathematically and keeps exp from overflowing.
        A low temperature sharpens the model, a high one flattens it towards
        uniform; a class whose weight underflows gets
        probability 0.

        >>> p = Distribution.from_logits({"a": 0.0, "b": math.log(3)})
        >>> [round(v, 12) for v in p.probabilities.tolist()]
        [0.25, 0.75]
        >>> Distribution.from_logits({"a": 1000.0, "b": 1000.0}).as_dict()
        {'a': 0.5, 'b': 0.5}
        >>> hot = Distribution.from_logits({"a": 0.0, "b": math.log(3)}, temperature=2)
        >>> [round(v, 12) for v in hot.probabilities.tolist()]
        [0.366025403784, 0.633974596216]
        """
        if isinstance(temperature, bool) or not isinstance(temperature, (int, float)):
            raise TypeError(f"'temperature' must be a number (got {temperature!r})")
        if not (math.isfinite(temperature) and temperature > 0):
            raise ValueError(f"'temperature' must be positive and finite (got {temperature!r})")
        if not isinstance(logits, Mapping) or not logits:
            raise ValueError("'logits' must be a non-empty mapping symbol -> logit")
        symbols = check_symbols("logits", list(logits))
        z = []
        for s in symbols:
            v = logits[s]
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                raise ValueError(f"'logits.{s}' must be a finite number (got {v!r})")
            z.append(float(v))
        scaled = np.array(z) / float(temperature)
        weights = np.exp(scaled - scaled.max())
        self = cls.__new__(cls)
        self._init(symbols, weights / weights.sum())
        return self

    @classmethod
    def uniform(cls, symbols: list[str] | tuple[str, ...]) -> Distribution:
        """Equal probability on every symbol.

        >>> Distribution.uniform(["a", "b", "c", "d"])["c"]
        0.25
        """
        return cls.from_counts({s: 1 for s in check_symbols("symbols", symbols)})

    @property
    def symbols(self) -> tuple[str, ...]:
        """The symbols, in order."""
        return self._symbols

    @property
    def probabilities(self) -> np.ndarray:
        """The probabilities, aligned with :attr:`symbols` (a read-only array)."""
        return self._probs

    def index(self, symbol: str) -> int:
        """Position of ``symbol`` in :attr:`symbols`."""
        try:
            return self._index[symbol]
        except KeyError:
            raise KeyError(f"unknown symbol {symbol!r}; known: {list(self._symbols)}") from None

    def __getitem__(self, symbol: str) -> float:
        return float(self._probs[self.index(symbol)])

    def __contains__(self, symbol: object) -> bool:
        return symbol in self._index

    def __len__(self) -> int:
        return len(self._symbols)

    def __iter__(self) -> Iterator[str]:
        return iter(self._symbols)

    def as_dict(self) -> dict[str, float]:
        """Symbol -> probability as plain floats."""
        return dict(zip(self._symbols, self._probs.tolist()))

    def support(self) -> tuple[str, ...]:
        """Symbols with positive probability."""
        return tuple(compress(self._symbols, (self._probs > 0).tolist()))

    def aligned(self, symbols: tuple[str, ...] | list[str]) -> np.ndarray:
        """Probabilities in the order of ``symbols``.

        ``symbols`` must hold the same set of symbols as this distribution.
        """
        if set(symbols) != set(self._symbols) or len(symbols) != len(self._symbols):
            missing = [s for s in self._symbols if s not in symbols]
            extra = [s for s in symbols if s not in self._index]
            raise ValueError(f"distributions have different symbols (missing {missing}, extra {extra})")
        return self._probs[[self._index[s] for s in symbols]]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Distribution):
            return NotImplemented
        return self._symbols == other._symbols and bool(np.array_equal(self._probs, other._probs))

    def __hash__(self) -> int:
        return hash((self._symbols, self._probs.tobytes()))

    def __repr__(self) -> str:
        inner = ", ".join(f"{s!r}: {p:.6g}" for s, p in zip(self._symbols, self._probs))
        return f"Distribution({{{inner}}})"

    def _repr_html_(self) -> str:
        """Jupyter's view: a table of p(x) and −log2 p(x) with bars, and the entropy."""
        from coding.display import distribution_html

        return distribution_html(self)
