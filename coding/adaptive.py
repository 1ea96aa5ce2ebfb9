"""Adaptive models: a receiver that learns the box from the balls it has decoded.

Both ends start from the same prior pseudo-counts α(x) and, after every ball,
add one to that ball's count: the sender after sending it, the receiver after
decoding it. Before ball t (t = 0, 1, …) both therefore hold the same estimate

    p̂_t(x) = (n_t(x) + α(x)) / (t + A),    A = Σ α(x),

where n_t(x) counts x among the first t balls; no model ever travels on the
line. Priors: ``"laplace"`` (α = 1, add-one), ``"kt"`` (Krichevsky–Trofimov,
α = ½) or given pseudo-counts. Coding ball t with −log2 p̂_t(x_t) bits makes
the bill of a sequence its *sequential log-loss*, Σ −log2 p̂_t(x_t); the regret
is that bill minus n·H(empirical), the bill of the best fixed model in
hindsight. ``docs/theory.md`` proves the bounds used here.

The arithmetic coder of :mod:`coding.arithmetic` codes with such a model
unchanged: :class:`AdaptiveModel` keeps integer counts (the pseudo-counts
times the smallest integer scale d that makes them whole, plus d per ball), so
p̂_t = f_t(x)/T_t holds exactly, with no quantisation, while T_t ≤ 2^precision.
When a ball takes T past that limit, both ends halve every count (rounding
up, so none reaches 0) until the total fits again: a *rescale*. The coder's bound always holds
for the counts actually used; after a rescale the model is no longer the
Dirichlet estimator, so the regret bounds apply only to runs without one
(``rescales == 0``).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

import numpy as np

from coding._validate import check_symbols
from coding.arithmetic import (
    DEFAULT_PRECISION,
    FLUSH_BITS,
    MAX_PRECISION,
    ArithmeticDecoder,
    ArithmeticEncoder,
    interval_loss,
)
from coding.builders import canonical
from coding.code import Code, DecodeError
from coding.distribution import Distribution

__all__ = [
    "AdaptiveHuffman",
    "AdaptiveModel",
    "LearningCurve",
    "PriorName",
    "dirichlet_regret_bound",
    "empirical_code_length",
    "kt_regret_bound",
    "laplace_regret_bound",
    "learning_curve",
    "mixture_code_length",
    "sequential_probabilities",
]

PriorName = Literal["laplace", "kt"]

#: The largest denominator a given pseudo-count may have (as written in decimal or as a fraction).
MAX_DENOMINATOR = 1 << 10


def _pseudo_counts(symbols: Sequence[str], prior: PriorName | Mapping[str, float]) -> tuple[Fraction, ...]:
    if isinstance(prior, str):
        if prior == "laplace":
            return tuple(Fraction(1) for _ in symbols)
        if prior == "kt":
            return tuple(Fraction(1, 2) for _ in symbols)
        raise ValueError(f"'prior' must be 'laplace', 'kt' or pseudo-counts per symbol (got {prior!r})")
    if not isinstance(prior, Mapping):
        raise TypeError(f"'prior' must be 'laplace', 'kt' or a mapping (got {type(prior).__name__})")
    if set(prior) != set(symbols):
        missing = [s for s in symbols if s not in prior]
        extra = [s for s in prior if s not in symbols]
        raise ValueError(f"'prior' must give a pseudo-count per symbol (missing {missing}, extra {extra})")
    out = []
    for s in symbols:
        v = prior[s]
        if isinstance(v, bool) or not isinstance(v, (int, float, Fraction)):
            raise TypeError(f"'prior.{s}' must be a number (got {v!r})")
        f = Fraction(str(v)) if isinstance(v, float) else Fraction(v)
        if not f > 0 or not math.isfinite(float(v)):
            raise ValueError(f"'prior.{s}' must be positive (got {v!r})")
        if f.denominator > MAX_DENOMINATOR:
            raise ValueError(f"'prior.{s}' must have a denominator of at most {MAX_DENOMINATOR} (got {v!r})")
        out.append(f)
    return tuple(out)


class AdaptiveModel:
    """An adaptive model for the arithmetic coder: Dirichlet pseudo-counts, updated after every symbol.

    Parameters
    ----------
    symbols:
        The alphabet, in order (non-empty, distinct).
    prior:
        ``"kt"`` (α = ½ per symbol), ``"laplace"`` (α = 1) or a mapping
        symbol → positive pseudo-count (a decimal or fraction with denominator
        at most 1024: the counts must be exact integers after scaling).
    precision:
        The count total never exceeds 2^precision (1 … 30); see the module
        docstring for the rescale that keeps it there.

    The object is one end's model: :meth:`encode`, :meth:`decode`,
    :meth:`encoder` and :meth:`decoder` each start from a fresh copy at the
    prior, so the two ends never share state.

    Examples
    --------
    A KT model on four colours starts uniform; after one green ball green
    has (1 + ½)/(1 + 2) = ½:

    >>> kt = AdaptiveModel(["blue", "red", "green", "yellow"], "kt")
    >>> kt.probabilities().as_dict()
    {'blue': 0.25, 'red': 0.25, 'green': 0.25, 'yellow': 0.25}
    >>> kt.update("green"); kt.probabilities()["green"]
    0.5
    >>> msg = ["green", "red", "green", "green", "blue"]
    >>> bits = kt.encode(msg); kt.decode(bits, 5) == msg
    True
    >>> bits, round(kt.cost(msg), 4), len(bits) <= kt.bound(msg)
    ('1001000111', 10.585, True)
    """

    __slots__ = (
        "_symbols",
        "_index",
        "_alpha",
        "_scale",
        "_start",
        "_precision",
        "_freqs",
        "_cum",
        "_rescales",
    )

    def __init__(
        self,
        symbols: Sequence[str],
        prior: PriorName | Mapping[str, float] = "kt",
        precision: int = DEFAULT_PRECISION,
    ) -> None:
        symbols = check_symbols("symbols", symbols)
        if isinstance(precision, bool) or not isinstance(precision, int):
            raise TypeError(f"'precision' must be an integer (got {precision!r})")
        if not 1 <= precision <= MAX_PRECISION:
            raise ValueError(f"'precision' must be between 1 and {MAX_PRECISION} (got {precision})")
        alpha = _pseudo_counts(symbols, prior)
        scale = math.lcm(*(a.denominator for a in alpha))
        start = tuple(int(a * scale) for a in alpha)
        if sum(start) > 1 << precision:
            raise ValueError(
                f"the prior's scaled counts ({sum(start)}) exceed 2^{precision}; "
                "raise 'precision' or use simpler pseudo-counts"
            )
        self._symbols = symbols
        self._index = {s: i for i, s in enumerate(symbols)}
        self._alpha = alpha
        self._scale = scale
        self._start = start
        self._precision = precision
        self._freqs: list[int] = []
        self._cum: list[int] = []
        self._rescales = 0
        self.reset()

    def reset(self) -> None:
        """Back to the prior."""
        self._freqs = list(self._start)
        self._cum = [0]
        for f in self._freqs:
            self._cum.append(self._cum[-1] + f)
        self._rescales = 0

    def fresh(self) -> AdaptiveModel:
        """A new model at the prior, with the same symbols, prior and precision."""
        other = AdaptiveModel.__new__(AdaptiveModel)
        for name in ("_symbols", "_index", "_alpha", "_scale", "_start", "_precision"):
            setattr(other, name, getattr(self, name))
        other.reset()
        return other

    @property
    def symbols(self) -> tuple[str, ...]:
        return self._symbols

    @property
    def adaptive(self) -> bool:
        """True: the coder advances the model after every symbol."""
        return True

    @property
    def pseudo_counts(self) -> np.ndarray:
        """The prior α per symbol, as floats."""
        return np.array([float(a) for a in self._alpha])

    @property
    def scale(self) -> int:
        """d: the integer counts are d·(n(x) + α(x)); each ball adds d."""
        return self._scale

    @property
    def precision(self) -> int:
        return self._precision

    @property
    def frequencies(self) -> tuple[int, ...]:
        """The integer counts f(x) the coder uses now; p̂(x) = f(x)/T."""
        return tuple(self._freqs)

    @property
    def total(self) -> int:
        """T = Σ f(x)."""
        return self._cum[-1]

    @property
    def rescales(self) -> int:
        """How many times the counts were halved so far."""
        return self._rescales

    def probabilities(self) -> Distribution:
        """p̂_t: the distribution the next symbol is coded with."""
        return Distribution.from_counts(dict(zip(self._symbols, self._freqs)))

    def update(self, symbol: str) -> None:
        """Count one ``symbol`` (what both ends do after each ball)."""
        try:
            j = self._index[symbol]
        except (KeyError, TypeError):
            raise ValueError(f"symbol {symbol!r} is not in the model {list(self._symbols)}") from None
        self._advance(j)

    def _advance(self, j: int) -> None:
        freqs, cum, d = self._freqs, self._cum, self._scale
        freqs[j] += d
        if cum[-1] + d > 1 << self._precision:  # the new total would pass the limit: halve
            while sum(freqs) > 1 << self._precision:
                for i, f in enumerate(freqs):
                    freqs[i] = f - f // 2
            self._rescales += 1
            for i, f in enumerate(freqs):
                cum[i + 1] = cum[i] + f
        else:
            for i in range(j + 1, len(cum)):
                cum[i] += d

    def _run(self, symbols: Iterable[str]) -> tuple[float, float]:
        """(Σ −log2 p̂_t(x_t), Σ ε_t) over a fresh model."""
        model = self.fresh()
        cost = eps = 0.0
        for i, s in enumerate(symbols):
            j = model._index.get(s) if isinstance(s, str) else None
            if j is None:
                raise ValueError(f"symbol {i} ({s!r}) is not in the model")
            f, total = model._freqs[j], model._cum[-1]
            cost += math.log2(total / f)
            eps += interval_loss(total, f)
            model._advance(j)
        return cost, eps

    def cost(self, symbols: Iterable[str]) -> float:
        """Σ −log2 p̂_t(x_t): the sequence's ideal code length under the counts the coder uses."""
        return self._run(symbols)[0]

    def bound(self, symbols: Iterable[str]) -> float:
        """Σ (−log2 p̂_t(x_t) + ε_t) + 1: the most bits :meth:`encode` may spend (``docs/theory.md``).

        ε_t = −log2(1 − T_t/(2^32·f_t(x_t))) is the finite interval's cost of ball t.
        """
        cost, eps = self._run(symbols)
        return cost + eps + FLUSH_BITS

    def encoder(self) -> ArithmeticEncoder:
        """A streaming encoder with its own model at the prior."""
        return ArithmeticEncoder(self.fresh())

    def decoder(self, count: int | None = None) -> ArithmeticDecoder:
        """A streaming decoder with its own model at the prior."""
        return ArithmeticDecoder(self.fresh(), count)

    def encode(self, symbols: Iterable[str]) -> str:
        """The bits of a whole stream, flushed."""
        enc = self.encoder()
        return enc.encode(symbols) + enc.finish()

    def decode(self, bits: str, count: int) -> list[str]:
        """The ``count`` symbols of a stream sent with :meth:`encode`."""
        dec = self.decoder(count)
        return dec.feed(bits) + dec.finish()

    def _key(self) -> tuple[tuple[str, ...], tuple[Fraction, ...], int]:
        return self._symbols, self._alpha, self._precision

    def __eq__(self, other: object) -> bool:
        """Equal models start alike: same symbols, pseudo-counts and precision (whatever they have seen)."""
        return isinstance(other, AdaptiveModel) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        alpha = ", ".join(str(a) for a in self._alpha)
        return f"AdaptiveModel({list(self._symbols)}, pseudo-counts ({alpha}), precision={self._precision})"


def _as_indices(indices: np.ndarray | Sequence[int], k: int) -> np.ndarray:
    x = np.asarray(indices)
    if x.ndim != 1 or (x.size and not np.issubdtype(x.dtype, np.integer)):
        raise ValueError("'indices' must be a one-dimensional array of symbol indices")
    x = x.astype(np.int64, copy=False)
    if x.size and (x.min() < 0 or x.max() >= k):
        raise ValueError(f"'indices' must lie in 0 … {k - 1} (got {int(x.min())} … {int(x.max())})")
    return x


def _as_alpha(alpha: np.ndarray | Sequence[float]) -> np.ndarray:
    a = np.asarray(alpha, dtype=np.float64)
    if a.ndim != 1 or a.size == 0 or not np.all(np.isfinite(a)) or np.any(a <= 0):
        raise ValueError("'alpha' must be a non-empty list of positive pseudo-counts")
    return a


def sequential_probabilities(
    indices: np.ndarray | Sequence[int], alpha: np.ndarray | Sequence[float]
) -> np.ndarray:
    """p̂_t(x_t) = (n_t(x_t) + α(x_t)) / (t + A) for every ball t, vectorised.

    ``indices`` are the balls as symbol indices, ``alpha`` the prior's pseudo-counts.

    >>> sequential_probabilities([2, 2, 0], [0.5, 0.5, 0.5, 0.5]).tolist()
    [0.25, 0.5, 0.125]
    """
    a = _as_alpha(alpha)
    x = _as_indices(indices, a.size)
    before = np.empty(x.size, dtype=np.float64)
    for k in range(a.size):
        where = np.flatnonzero(x == k)
        before[where] = np.arange(where.size)
    out: np.ndarray = (before + a[x]) / (np.arange(x.size) + a.sum())
    return out


@dataclass(frozen=True)
class LearningCurve:
    """An adaptive model's bill at checkpoints: the data of the "training curve" and its regret.

    ``balls[i]`` balls have been coded at checkpoint i; ``counts[i]`` are their
    counts per symbol; ``ideal[i]`` = Σ_{t < balls[i]} −log2 p̂_t(x_t);
    ``empirical[i]`` = the best fixed model's bill for the same balls.
    """

    balls: np.ndarray
    counts: np.ndarray
    ideal: np.ndarray
    empirical: np.ndarray
    alpha: np.ndarray

    @property
    def regret(self) -> np.ndarray:
        """ideal − empirical at every checkpoint (bits)."""
        out: np.ndarray = self.ideal - self.empirical
        return out

    @property
    def bits_per_ball(self) -> np.ndarray:
        """The running bill per ball, ideal / balls (NaN before the first ball)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            out: np.ndarray = np.where(self.balls > 0, self.ideal / np.maximum(self.balls, 1), np.nan)
        return out

    def estimates(self) -> np.ndarray:
        """p̂ after each checkpoint's balls: (counts + α) / (balls + A), one row per checkpoint."""
        out: np.ndarray = (self.counts + self.alpha) / (self.balls[:, None] + self.alpha.sum())
        return out


def learning_curve(
    indices: np.ndarray | Sequence[int], alpha: np.ndarray | Sequence[float], at: np.ndarray | Sequence[int]
) -> LearningCurve:
    """The adaptive model's running bill, the best fixed model's and the counts, after ``at`` balls each.

    >>> c = learning_curve([2, 1, 2, 2, 0, 2], [0.5] * 4, [0, 5, 6])
    >>> [round(float(v), 3) for v in c.ideal], [round(float(v), 3) for v in c.regret]
    ([0.0, 10.585, 11.585], [0.0, 3.73, 4.075])
    >>> c.estimates()[-1].tolist()
    [0.1875, 0.1875, 0.5625, 0.0625]
    """
    a = _as_alpha(alpha)
    x = _as_indices(indices, a.size)
    points = np.asarray(at, dtype=np.int64)
    if points.ndim != 1 or np.any(points < 0) or np.any(points > x.size) or np.any(np.diff(points) < 0):
        raise ValueError(f"'at' must be non-decreasing ball counts between 0 and {x.size}")
    cost = np.concatenate(([0.0], np.cumsum(-np.log2(sequential_probabilities(x, a)))))
    counts = np.zeros((points.size, a.size), dtype=np.int64)
    for k in range(a.size):
        counts[:, k] = np.concatenate(([0], np.cumsum(x == k)))[points]
    empirical = np.array([empirical_code_length(c) for c in counts])
    return LearningCurve(points, counts, cost[points], empirical, a)


def mixture_code_length(counts: np.ndarray | Sequence[int], alpha: np.ndarray | Sequence[float]) -> float:
    """Σ −log2 p̂_t(x_t) in closed form: −log2 [Γ(A)/Γ(n + A) · Π Γ(n(x) + α(x))/Γ(α(x))].

    The sequential estimator's probability of a sequence depends only on its
    counts (it is the Dirichlet(α) mixture of i.i.d. models), so the order of the
    balls does not change the bill.

    >>> round(mixture_code_length([1, 1, 3, 0], [0.5] * 4), 4)
    10.585
    """
    a = _as_alpha(alpha)
    n = np.asarray(counts, dtype=np.float64)
    if n.shape != a.shape or np.any(n < 0):
        raise ValueError("'counts' must be non-negative, one per pseudo-count")
    lg = math.lgamma
    nats = lg(float(a.sum()) + float(n.sum())) - lg(float(a.sum()))
    nats -= sum(lg(float(c) + float(al)) - lg(float(al)) for c, al in zip(n, a))
    return nats / math.log(2)


def empirical_code_length(counts: np.ndarray | Sequence[int]) -> float:
    """n·H(empirical) = Σ n(x)·log2(n / n(x)): the bill of the best fixed model in hindsight.

    >>> empirical_code_length([1, 1, 2, 0])
    6.0
    """
    n = np.asarray(counts, dtype=np.float64)
    if n.ndim != 1 or np.any(n < 0):
        raise ValueError("'counts' must be non-negative")
    total = float(n.sum())
    live = n[n > 0]
    return float(np.sum(live * np.log2(total / live)))


def kt_regret_bound(n: int, k: int) -> float:
    """A bound on the KT estimator's regret that holds for every sequence of n ≥ 0 balls over k ≥ 2 symbols.

    regret ≤ (k − 1)/2 · log2(n + k/2) + log2(√(2π)/Γ(k/2)) + 1/(12 (n + k/2) ln 2)

    (``docs/theory.md`` proves it from Binet's Stirling bound and ψ(m + ½) > ln m).
    It exceeds the asymptotic worst case, the all-one-colour sequence with
    (k − 1)/2 · log2 n + log2(√π/Γ(k/2)) + o(1), by ½ bit + o(1).

    >>> round(kt_regret_bound(10**6, 4), 3)
    31.223
    """
    if n < 0 or k < 2:
        raise ValueError(f"need n ≥ 0 and k ≥ 2 (got n={n}, k={k})")
    x = n + k / 2
    nats = math.log(math.sqrt(2 * math.pi)) - math.lgamma(k / 2) + 1 / (12 * x)
    return (k - 1) / 2 * math.log2(x) + nats / math.log(2)


def dirichlet_regret_bound(n: int, alpha: Sequence[float]) -> float | None:
    """A bound on the regret of pseudo-counts α, every α(x) ≥ ½, on any n balls (None if some α(x) < ½).

    For whole counts, Γ(m + α)/Γ(α) = α(α + 1)…(α + m − 1) grows with α, so each colour's factor is at
    least KT's and the regret is at most KT's plus log2[Γ(n + A)·Γ(K/2) / (Γ(A)·Γ(n + K/2))], A = Σ α:
    :func:`kt_regret_bound` plus the price of the larger total (``docs/theory.md``). Below ½ a colour
    that first appears late can cost about log2(n/α(x)) bits, so no bound of this form holds.

    >>> dirichlet_regret_bound(10**6, [0.5] * 4) == kt_regret_bound(10**6, 4)
    True
    >>> round(dirichlet_regret_bound(1000, [1, 2, 4, 1]), 3), dirichlet_regret_bound(10, [0.25, 1])
    (63.813, None)
    """
    a = [float(x) for x in alpha]
    if not a or min(a) < 0.5:
        return None
    k = len(a)
    if k == 1:
        return 0.0
    big_a, lg = sum(a), math.lgamma
    extra = (lg(n + big_a) - lg(big_a) - lg(n + k / 2) + lg(k / 2)) / math.log(2)
    return kt_regret_bound(n, k) + extra


def laplace_regret_bound(n: int, k: int) -> float:
    """log2 C(n + k − 1, k − 1) ≤ (k − 1)·log2(n + 1): the Laplace estimator's regret, any sequence.

    >>> laplace_regret_bound(2, 2)
    1.584962500721156
    """
    if n < 0 or k < 1:
        raise ValueError(f"need n ≥ 0 and k ≥ 1 (got n={n}, k={k})")
    return math.log2(math.comb(n + k - 1, k - 1))


def count_huffman_lengths(counts: Sequence[int]) -> list[int]:
    """Binary Huffman lengths for integer weights, exact (no floating point), in symbol order.

    Tie-break as :func:`coding.huffman_lengths`: nodes ordered by (weight, age),
    leaves aged by position, each merged node younger than all before it; the
    two smallest merge. One symbol gets length 1. Integer weights make ties
    exact, so the compiled kernel (:mod:`sim.engine.adaptive_kernels`) rebuilds the
    very same code.

    >>> count_huffman_lengths([25, 50, 13, 12])
    [2, 1, 3, 3]
    """
    k = len(counts)
    if k == 1:
        return [1]
    heap = [(int(c), i) for i, c in enumerate(counts)]
    heapq.heapify(heap)
    parent = [-1] * (2 * k - 1)
    age = k
    while len(heap) > 1:
        w1, a1 = heapq.heappop(heap)
        w2, a2 = heapq.heappop(heap)
        parent[a1] = parent[a2] = age
        heapq.heappush(heap, (w1 + w2, age))
        age += 1
    depth = [0] * (2 * k - 1)
    for node in range(2 * k - 3, -1, -1):  # parents are younger than their children
        depth[node] = depth[parent[node]] + 1
    return depth[:k]


class AdaptiveHuffman:
    """A Huffman code on adaptive counts, rebuilt every ``every`` balls at both ends.

    Both ends count exactly as :class:`AdaptiveModel` does (same prior, same
    rescale) and, before balls 0, m, 2m, …, rebuild the Huffman code of the
    current counts (:func:`count_huffman_lengths`, canonical codewords). Between
    rebuilds the code is stale: what that costs is the gap to m = 1, and a
    rebuild is work (``rebuilds(n)`` of them for n balls). Each ball costs a
    whole number of bits, so even m = 1 pays Huffman's redundancy over
    Σ −log2 p̂_t(x_t) (less than 1 bit per ball, often much less).

    >>> ah = AdaptiveHuffman(["blue", "red", "green", "yellow"], "kt", every=2)
    >>> ah.encode(["green", "green", "green", "red"])
    '10100111'
    >>> ah.decode("10100111", 4), ah.rebuilds(4)
    (['green', 'green', 'green', 'red'], 2)
    """

    __slots__ = ("_model", "_every")

    def __init__(
        self,
        symbols: Sequence[str],
        prior: PriorName | Mapping[str, float] = "kt",
        every: int = 1,
        precision: int = DEFAULT_PRECISION,
    ) -> None:
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ValueError(f"'every' must be a positive integer (got {every!r})")
        self._model = AdaptiveModel(symbols, prior, precision)
        self._every = every

    @property
    def symbols(self) -> tuple[str, ...]:
        return self._model.symbols

    @property
    def every(self) -> int:
        """m: balls between rebuilds."""
        return self._every

    @property
    def model(self) -> AdaptiveModel:
        """The counting model (a template: coding starts from a fresh copy)."""
        return self._model

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AdaptiveHuffman) and (self._model, self._every) == (
            other._model,
            other._every,
        )

    def __hash__(self) -> int:
        return hash((self._model, self._every))

    def rebuilds(self, n: int) -> int:
        """How many codes n balls build: ⌈n/m⌉."""
        return -(-n // self._every)

    def _code(self, model: AdaptiveModel) -> Code:
        return canonical(model.symbols, count_huffman_lengths(model.frequencies))

    def encode(self, symbols: Iterable[str]) -> str:
        model = self._model.fresh()
        out: list[str] = []
        words: dict[str, str] = {}
        for t, s in enumerate(symbols):
            if t % self._every == 0:
                words = dict(self._code(model).codewords)
            j = model._index.get(s) if isinstance(s, str) else None
            if j is None:
                raise ValueError(f"symbol {t} ({s!r}) is not in the model")
            out.append(words[s])
            model._advance(j)
        return "".join(out)

    def decode(self, bits: str, count: int) -> list[str]:
        model = self._model.fresh()
        out: list[str] = []
        pos = 0
        table: dict[str, str] = {}
        longest = 0
        for t in range(count):
            if t % self._every == 0:
                table = {w: s for s, w in self._code(model).codewords.items()}
                longest = max(map(len, table))
            end = pos + 1
            while bits[pos:end] not in table:
                if end - pos >= longest or end > len(bits):
                    raise DecodeError(f"no codeword at ball {t}", pos)
                end += 1
            s = table[bits[pos:end]]
            out.append(s)
            model._advance(model._index[s])
            pos = end
        if pos != len(bits):
            raise DecodeError(f"{len(bits) - pos} bits left after {count} balls", pos)
        return out
