"""What an adaptive link learned, tallied as it runs: the bill's running figures at checkpoints.

An adaptive link's transmitter hands every chunk of balls (as the code's
symbol indices) to a :class:`LearningTally` as well as to its coder. The
tally keeps its own copy of the model (the same integer counts as both ends,
rescales included, via :func:`sim.engine.adaptive_kernels._advance`) and, in
one compiled pass per chunk, adds up for every ball t

- the ideal cost −log2 p̂_t(x_t) and the coder's precision loss ε_t (so the
  run's bits can be held against Σ −log2 p̂_t(x_t) + Σ ε_t + 1 exactly);
- the cost theory expects of ball t *given the balls before it*: the cross
  entropy H(q, p̂_t) = Σ_x q(x)·log2(T_t/f_t(x)) for the arithmetic coder, or
  Σ_x q(x)·l_t(x) for the adaptive Huffman code in force, and its variance
  under q (a martingale: the run's bits minus the sum of these has mean 0
  and variance their sum, whatever the model learned);
- the counts of each colour and the LZ78 parse of the same stream (the
  universal code that needs no model, for comparison), up to
  :data:`LZ78_PHRASES` phrases.

At the checkpoints (the same log-spaced message counts as the run's trace)
it records the cumulative sums; at a few snapshots (one per decade) the
counts, from which the figures draw the model's estimate against the box.
Everything lives in small arrays carried from chunk to chunk, so the
figures do not depend on the chunk size. :class:`AdaptiveHuffmanStream` adds
the per-ball codeword lengths the adaptive Huffman encoder does not report,
so its bits reach the line message by message.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from numba import njit

from coding import AdaptiveHuffman, AdaptiveModel
from coding.arithmetic import WORD_BITS
from sim.engine import adaptive_kernels as ak
from sim.engine.adaptive_kernels import M_RESCALES, M_SEEN, _advance, _huffman_codes
from sim.model.results import Learning

__all__ = [
    "LZ78_PHRASES",
    "AdaptiveHuffmanStream",
    "LearningTally",
    "lz78_bits",
    "snapshot_points",
]

#: LZ78 phrases the tally follows; past this the comparison covers the first balls only
#: (about 10^7 balls of a four-colour box). The table grows with the phrases, 16 bytes a slot,
#: at least two slots a phrase: at most 32 MiB.
LZ78_PHRASES = 1 << 20
#: The coder's range holds at least 2^32 values when a ball arrives (see ``docs/theory.md``).
_R_MIN = float(1 << WORD_BITS)

# Checkpoint rows: ideal, ε, expected, variance (the first four running sums), then n·H(empirical).
# Running sums: ideal cost, ε, expected cost, its variance, Σ q·log2 f, Σ q·(log2 f)², rescales seen.
S_IDEAL, S_EPS, S_MEAN, S_VAR, S_QLF, S_QLF2, S_RESCALES = range(7)
# LZ78 state: current trie node, phrases so far, balls covered, done (dictionary full), most phrases.
L_NODE, L_PHRASES, L_BALLS, L_DONE, L_CAP = range(5)
#: Fibonacci hashing: 2^64/φ as a signed 64-bit number (the product's top bits pick the slot).
_GOLDEN = -7046029254386353131


@njit(cache=True, nogil=True, inline="always")
def _q_logs(cum, q, sums):  # pragma: no cover
    """Recompute Σ q(x)·log2 f(x) and Σ q(x)·(log2 f(x))² from the counts (after a rescale)."""
    a = 0.0
    b = 0.0
    for i in range(q.size):
        if q[i] > 0.0:
            lf = math.log2(cum[i + 1] - cum[i])
            a += q[i] * lf
            b += q[i] * lf * lf
    sums[S_QLF] = a
    sums[S_QLF2] = b


@njit(cache=True, nogil=True, inline="always")
def _shift(size):  # pragma: no cover
    """64 − b for a table of 2^b slots: how far the hash product shifts down."""
    b = 0
    while size > 1:
        size >>= 1
        b += 1
    return 64 - b


@njit(cache=True, nogil=True, inline="always")
def _slot(key, mask, shift):  # pragma: no cover
    """The home slot of ``key``: the top bits of key·2^64/φ (Fibonacci hashing)."""
    return ((key * _GOLDEN) >> shift) & mask


@njit(cache=True, nogil=True)
def _rehash(keys, vals, new_keys, new_vals):  # pragma: no cover
    """Move every entry of the LZ78 table into a larger one."""
    mask = new_keys.size - 1
    shift = _shift(new_keys.size)
    for i in range(keys.size):
        key = keys[i]
        if key != -1:
            h = _slot(key, mask, shift)
            while new_keys[h] != -1:
                h = (h + 1) & mask
            new_keys[h] = key
            new_vals[h] = vals[i]


@njit(cache=True, nogil=True, inline="always")
def _lz78_step(j, k, keys, vals, lz, mask, shift):  # pragma: no cover
    """Walk one symbol down the LZ78 trie (open addressing on node·k + j); a new pair ends a phrase."""
    if lz[L_DONE]:
        return
    key = lz[L_NODE] * k + j
    h = _slot(key, mask, shift)
    while keys[h] != -1 and keys[h] != key:
        h = (h + 1) & mask
    if keys[h] == key:
        lz[L_NODE] = vals[h]
    else:
        if lz[L_PHRASES] + 1 > lz[L_CAP]:
            lz[L_DONE] = 1
            return
        lz[L_PHRASES] += 1
        keys[h] = key
        vals[h] = lz[L_PHRASES]
        lz[L_NODE] = 0
    lz[L_BALLS] += 1


@njit(cache=True, nogil=True)
def learn_chunk(
    sym, cum, model, every, lengths, codes, scratch, q, sums, counts, at, rows, lf
):  # pragma: no cover
    """Tally one chunk (see the module docstring); row i of ``rows`` is written after ball ``at[i]`` of
    the chunk. ``every`` is 0 for the arithmetic coder, else m of the adaptive Huffman code. ``lf``
    holds log2 f(x) of the current counts (one changes per ball, all of them after a rescale)."""
    last = cum.size - 1
    r = 0
    for i in range(sym.size):
        s = sym[i]
        total = float(cum[last])
        f = float(cum[s + 1] - cum[s])
        lt = math.log2(total)
        sums[S_IDEAL] += lt - lf[s]
        sums[S_EPS] -= math.log2(1.0 - total / (_R_MIN * f))
        if every == 0:
            mean = lt - sums[S_QLF]
            second = lt * lt - 2.0 * lt * sums[S_QLF] + sums[S_QLF2]
            sums[S_MEAN] += mean
            sums[S_VAR] += max(second - mean * mean, 0.0)
        else:
            if model[M_SEEN] % every == 0:
                _huffman_codes(cum, lengths, codes, scratch[0], scratch[1])
                a = 0.0
                b = 0.0
                for x in range(q.size):
                    a += q[x] * lengths[x]
                    b += q[x] * lengths[x] * lengths[x]
                sums[S_QLF] = a
                sums[S_QLF2] = max(b - a * a, 0.0)
            sums[S_MEAN] += sums[S_QLF]
            sums[S_VAR] += sums[S_QLF2]
        before = model[M_RESCALES]
        lo = lf[s]
        _advance(cum, model, s)
        if model[M_RESCALES] != before:
            for x in range(last):
                lf[x] = math.log2(cum[x + 1] - cum[x])
            if every == 0:
                _q_logs(cum, q, sums)
        else:
            ln = math.log2(cum[s + 1] - cum[s])
            lf[s] = ln
            if every == 0 and q[s] > 0.0:
                sums[S_QLF] += q[s] * (ln - lo)
                sums[S_QLF2] += q[s] * (ln * ln - lo * lo)
        counts[s] += 1
        while r < at.size and at[r] == i:
            for c in range(4):
                rows[r, c] = sums[c]
            emp = 0.0
            seen = 0
            for x in range(counts.size):
                seen += counts[x]
            for x in range(counts.size):
                if counts[x] > 0:
                    emp += counts[x] * math.log2(seen / counts[x])
            rows[r, 4] = emp
            r += 1


@njit(cache=True, nogil=True)
def lz78_chunk(sym, start, k, keys, vals, lz, at, lz_rows, r):  # pragma: no cover
    """Parse ``sym[start:]`` with LZ78, writing row r, r + 1, … of ``lz_rows`` after ball ``at[r]``, …;
    stop early when the table is half full. Return (the ball to resume at, the next row)."""
    mask = keys.size - 1
    shift = _shift(keys.size)
    for i in range(start, sym.size):
        if not lz[L_DONE] and 2 * (lz[L_PHRASES] + 1) > keys.size and lz[L_PHRASES] < lz[L_CAP]:
            return i, r
        _lz78_step(sym[i], k, keys, vals, lz, mask, shift)
        while r < at.size and at[r] == i:
            lz_rows[r, 0] = lz[L_PHRASES] + (1 if lz[L_NODE] != 0 else 0)
            lz_rows[r, 1] = lz[L_BALLS]
            r += 1
    return sym.size, r


@njit(cache=True, nogil=True)
def _huffman_costs(sym, cum, model, every, lengths, codes, scratch, costs):  # pragma: no cover
    """Each ball's codeword length under the adaptive Huffman code (the same rebuilds as the encoder)."""
    for i in range(sym.size):
        s = sym[i]
        if model[M_SEEN] % every == 0:
            _huffman_codes(cum, lengths, codes, scratch[0], scratch[1])
        costs[i] = lengths[s]
        _advance(cum, model, s)


def lz78_bits(pairs: int, k: int) -> int:
    """Bits of ``pairs`` LZ78 pairs over k symbols: pair i costs ⌈log2 i⌉ + ⌈log2 k⌉ (:mod:`coding.lz78`).

    >>> lz78_bits(3, 2), lz78_bits(0, 4)
    (6, 0)
    """
    out = pairs * (k - 1).bit_length()
    width = 1  # pairs 2^(w−1) + 1 … 2^w point with w bits
    while (1 << (width - 1)) + 1 <= pairs:
        out += width * (min(pairs, 1 << width) - (1 << (width - 1)))
        width += 1
    return out


def snapshot_points(points: np.ndarray) -> np.ndarray:
    """The checkpoints at which the counts are kept: the last in each decade, and the final one."""
    pts = np.asarray(points, dtype=np.int64)
    if pts.size == 0:
        return pts
    decade = np.floor(np.log10(pts)).astype(np.int64)
    keep = np.append(decade[1:] != decade[:-1], True)
    return pts[keep]


class LearningTally:
    """The running figures of an adaptive link (see the module docstring), fed chunk by chunk.

    ``coder`` is the link's :class:`coding.AdaptiveModel` or :class:`coding.AdaptiveHuffman`;
    ``q`` the urn's distribution over the coder's symbols; ``points`` the checkpoints (ball counts).
    """

    def __init__(self, coder: AdaptiveModel | AdaptiveHuffman, q: np.ndarray, points: np.ndarray, balls: int):
        model = coder.model if isinstance(coder, AdaptiveHuffman) else coder
        self.every = coder.every if isinstance(coder, AdaptiveHuffman) else 0
        self.cum, self.model = ak._model_arrays(model)
        k = self.cum.size - 1
        self.q = np.array(q, dtype=np.float64)  # its own copy
        self.lengths = np.zeros(k, dtype=np.int64)
        self.codes = np.zeros(k, dtype=np.int64)
        self.scratch = np.zeros((2, max(2 * k - 1, 1)), dtype=np.int64)
        self.sums = np.zeros(7, dtype=np.float64)
        if self.every == 0:
            _q_logs(self.cum, self.q, self.sums)
        self.counts = np.zeros(k, dtype=np.int64)
        self.lf = np.log2(np.diff(self.cum).astype(np.float64))
        self.points = np.asarray(points, dtype=np.int64)
        self.rows = np.full((self.points.size, 5), np.nan)
        self.lz_rows = np.zeros((self.points.size, 2), dtype=np.int64)
        self.snapshots = snapshot_points(self.points)
        self.snapshot_counts = np.zeros((self.snapshots.size, k), dtype=np.int64)
        self.keys = np.full(16, -1, dtype=np.int64)
        self.vals = np.zeros(16, dtype=np.int64)
        self.lz = np.array([0, 0, 0, 0, LZ78_PHRASES], dtype=np.int64)
        self.balls = 0
        self.rebuilds = 0

    def add(self, sym: np.ndarray) -> None:
        """Tally one chunk of symbol indices."""
        sym = np.ascontiguousarray(sym, dtype=np.int64)
        n0, n = self.balls, sym.size
        if n == 0:
            return
        lo, hi = np.searchsorted(self.points, [n0 + 1, n0 + n + 1])
        at = self.points[lo:hi] - n0 - 1
        rows = np.empty((at.size, 5))
        lz_rows = np.empty((at.size, 2), dtype=np.int64)
        seen = int(self.model[M_SEEN])
        learn_chunk(
            sym, self.cum, self.model, self.every, self.lengths, self.codes, self.scratch, self.q, self.sums,
            self.counts, at, rows, self.lf,
        )  # fmt: skip
        i = r = 0
        while i < n:  # LZ78 on the same balls, growing its table whenever it is half full
            i, r = lz78_chunk(sym, i, self.counts.size, self.keys, self.vals, self.lz, at, lz_rows, r)
            if i < n:
                self._grow()
        self.rows[lo:hi] = rows
        self.lz_rows[lo:hi] = lz_rows
        if self.every:
            self.rebuilds += -(-(seen + n) // self.every) - (-(-seen // self.every))
        for j in np.flatnonzero((self.snapshots > n0) & (self.snapshots <= n0 + n)):
            self.snapshot_counts[j] = self.counts - np.bincount(
                sym[int(self.snapshots[j] - n0) :], minlength=self.counts.size
            )
        self.balls += n

    def _grow(self) -> None:
        """Double the LZ78 table (it stays at most half full)."""
        slots = 2 * self.keys.size
        keys, vals = np.full(slots, -1, dtype=np.int64), np.zeros(slots, dtype=np.int64)
        _rehash(self.keys, self.vals, keys, vals)
        self.keys, self.vals = keys, vals

    @property
    def rescales(self) -> int:
        return int(self.model[M_RESCALES])

    @property
    def ideal(self) -> float:
        """Σ −log2 p̂_t(x_t) so far."""
        return float(self.sums[S_IDEAL])

    @property
    def epsilon(self) -> float:
        """Σ ε_t so far (the coder's precision loss)."""
        return float(self.sums[S_EPS])

    @property
    def expected(self) -> float:
        """Σ_t of the cost expected of ball t given the balls before it."""
        return float(self.sums[S_MEAN])

    @property
    def variance(self) -> float:
        """Σ_t of the variance of ball t's cost given the balls before it."""
        return float(self.sums[S_VAR])

    @property
    def lz78_pairs(self) -> int:
        """LZ78 pairs for the balls it covers (a stream ending inside a phrase sends one more)."""
        return int(self.lz[L_PHRASES]) + int(self.lz[L_NODE] != 0)

    @property
    def lz78_balls(self) -> int:
        """Balls the LZ78 parse covers (all of them unless it outgrew :data:`LZ78_PHRASES`)."""
        return int(self.lz[L_BALLS])

    def result(
        self, symbols: tuple[str, ...], alpha: np.ndarray, bound: Callable[[int], float | None]
    ) -> Learning:
        """The run's :class:`sim.model.results.Learning` record (``bound(n)``: the regret bound, n balls)."""
        n = self.balls
        keep = self.points <= n
        points = self.points[keep]
        rows, lz = self.rows[keep], self.lz_rows[keep]
        k = len(symbols)
        empirical = float(np.sum([c * math.log2(n / c) for c in self.counts.tolist() if c > 0]))
        kind = "kt" if np.all(alpha == 0.5) else "laplace" if np.all(alpha == 1.0) else "counts"
        most = bound(n)
        snaps = self.snapshots <= n
        return Learning(
            prior=kind,
            coder="huffman" if self.every else "arithmetic",
            rebuild=self.every,
            symbols=symbols,
            pseudo_counts=tuple(float(a) for a in alpha),
            ideal_bits=self.ideal,
            epsilon_bits=self.epsilon,
            expected_bits=self.expected,
            expected_variance=self.variance,
            empirical_bits=empirical,
            regret=self.ideal - empirical,
            regret_bound=most,
            rescales=self.rescales,
            rebuilds=self.rebuilds,
            lz78_bits=lz78_bits(self.lz78_pairs, k),
            lz78_balls=self.lz78_balls,
            points=tuple(int(p) for p in points),
            ideal=tuple(rows[:, 0].tolist()),
            expected=tuple(rows[:, 2].tolist()),
            empirical=tuple(rows[:, 4].tolist()),
            regret_bounds=tuple(math.nan if (b := bound(int(p))) is None else b for p in points),
            lz78=tuple(lz78_bits(int(pairs), k) for pairs in lz[:, 0]),
            lz78_covered=tuple(int(b) for b in lz[:, 1]),
            snapshot_points=tuple(int(p) for p in self.snapshots[snaps]),
            snapshot_counts=tuple(tuple(int(c) for c in row) for row in self.snapshot_counts[snaps]),
        )


class AdaptiveHuffmanStream:
    """The adaptive Huffman encoder behind :class:`sim.engine.codec.StreamEncoder`: bits and, per ball,
    the bits it carries (its codeword), from a replay of the same counts and rebuilds."""

    def __init__(self, code: AdaptiveHuffman) -> None:
        self._encoder = ak.AdaptiveHuffmanEncoder(code)
        self._replay = ak._HuffmanEnd(code)

    def encode_marked(self, sym: np.ndarray) -> tuple[np.ndarray, int, np.ndarray]:
        sym = np.ascontiguousarray(sym, dtype=np.int64)
        words, nbits = self._encoder.encode(sym)  # refuses a symbol outside the model first
        r = self._replay
        costs = np.empty(sym.size, dtype=np.int64)
        _huffman_costs(sym, r.cum, r.model, r.every, r.lengths, r.codes, r.scratch, costs)
        return words, nbits, np.cumsum(costs)

    def finish(self) -> tuple[np.ndarray, int]:
        return np.zeros(1, dtype=np.uint64), 0

    @property
    def rebuilds(self) -> int:
        return self._encoder.rebuilds


def warm_up() -> None:
    """Compile (or load from cache) the kernels on a tiny input."""
    for coder in (AdaptiveModel(["a", "b"], "kt"), AdaptiveHuffman(["a", "b"], "kt", every=2)):
        tally = LearningTally(coder, np.array([0.5, 0.5]), np.array([1, 3]), 3)
        tally.add(np.array([0, 1, 0]))
    AdaptiveHuffmanStream(AdaptiveHuffman(["a", "b"], "kt")).encode_marked(np.array([0, 1]))
