"""Drawing balls from an urn, a chunk of draws at a time."""

from __future__ import annotations

import numpy as np

from sim import kernels
from sim.blocks import BlockStream
from sim.model import Urn

#: Urns with at most this many balls draw through a ball -> colour table.
_TABLE_LIMIT = 1 << 20


class UrnSampler:
    """Draws colour indices (positions in ``urn.counts``) from an urn.

    With replacement every draw is independent: one uniform double per draw
    picks a ball among the ``total`` in the box, so the probabilities are the
    exact ratios count/total. Without replacement the box is shuffled once
    and emptied in that order; :attr:`remaining` says how many balls are left.
    Either way the stream of draws does not depend on how it is chunked.
    """

    def __init__(self, urn: Urn, rng: np.random.Generator, replacement: bool = True) -> None:
        counts = np.array(list(urn.counts.values()), dtype=np.int64)
        self._rng = rng
        self._total = int(counts.sum())
        self._replacement = replacement
        self._cum = np.cumsum(counts)
        ball_colours = None
        if not replacement or self._total <= _TABLE_LIMIT:
            ball_colours = np.repeat(np.arange(counts.size, dtype=np.int64), counts)
        if replacement:
            self._table = ball_colours if ball_colours is not None else np.zeros(0, dtype=np.int64)
            self._order = None
        else:
            self._order = rng.permutation(ball_colours)
        self._taken = 0
        self._stream = BlockStream(self._produce)

    @property
    def remaining(self) -> int | None:
        """Balls left in a box drawn without replacement (None with replacement)."""
        return None if self._order is None else self._order.size - self._taken

    def draw(self, n: int) -> np.ndarray:
        """The next ``n`` draws (fewer if a box without replacement runs empty)."""
        if self._order is not None:
            out = self._order[self._taken : self._taken + n]
            self._taken += out.size
            return out
        return self._stream.take(n)

    def _produce(self, n: int) -> np.ndarray:
        out = np.empty(n, np.int64)
        return kernels.draw_chunk(self._rng.random(n), self._total, self._table, self._cum, out)
