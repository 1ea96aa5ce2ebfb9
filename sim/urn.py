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

    One uniform double per draw picks a ball among those in the box, so the
    probabilities are exact ratios of counts. With replacement the box never
    changes (an i.i.d. source); without replacement each drawn ball leaves the
    box, which empties (:attr:`remaining` balls are left). Memory does not grow
    with the number of balls, and the stream of draws does not depend on how
    it is chunked.
    """

    def __init__(self, urn: Urn, rng: np.random.Generator, replacement: bool = True) -> None:
        counts = np.array(list(urn.counts.values()), dtype=np.int64)
        self._rng = rng
        self._total = int(counts.sum())
        self._cum = np.cumsum(counts)
        self._table = (
            np.repeat(np.arange(counts.size, dtype=np.int64), counts)
            if replacement and self._total <= _TABLE_LIMIT
            else np.zeros(0, dtype=np.int64)
        )
        self._left = None if replacement else counts.copy()
        self._stream = BlockStream(self._produce)

    @property
    def remaining(self) -> int | None:
        """Balls left in a box drawn without replacement (None with replacement)."""
        return None if self._left is None else int(self._left.sum())

    def draw(self, n: int) -> np.ndarray:
        """The next ``n`` draws (fewer if a box without replacement runs empty)."""
        if self._left is not None:
            out = np.empty(n, np.int64)
            drawn = kernels.draw_without_replacement(self._rng.random(n), self._left, out)
            return out[:drawn]
        return self._stream.take(n)

    def _produce(self, n: int) -> np.ndarray:
        out = np.empty(n, np.int64)
        return kernels.draw_chunk(self._rng.random(n), self._total, self._table, self._cum, out)
