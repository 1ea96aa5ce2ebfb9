"""Drawing balls from an urn, a chunk of draws at a time."""

from __future__ import annotations

import numpy as np

from sim.engine import kernels
from sim.engine.blocks import BlockStream
from sim.model.records import Urn

#: Urns with at most this many balls give every ball its own guide slot.
_DIRECT_BITS = 16


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
        self._guide: np.ndarray
        self._guide, self._shift = guide_table(self._cum) if replacement else (np.zeros(0, np.int32), 0)
        self._left = None if replacement else counts.copy()
        self._uniforms = np.empty(0)
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
        # The uniforms are used once, at once: one buffer serves every chunk (no fresh pages).
        if self._uniforms.size < n:
            self._uniforms = np.empty(n)
        u = self._uniforms[:n]
        self._rng.random(out=u)
        out = np.empty(n, np.int64)
        return kernels.draw_chunk(u, self._total, self._guide, self._shift, self._cum, out)


def guide_table(cum: np.ndarray) -> tuple[np.ndarray, int]:
    """A guide table over the ball -> colour map of cumulative counts ``cum``, and its shift.

    Ball b has colour ``searchsorted(cum, b, side="right")``. Balls are
    grouped in buckets of 2^shift consecutive balls; the table holds the
    colour of each bucket's first ball. An urn of at most 2^16 balls (or with
    fewer balls than slots) gets shift 0: one slot per ball, a plain table.
    Larger urns get more than K slots (at most 4K, or 2^16), so a draw steps
    past fewer than one colour boundary on average, whatever the counts: the
    K − 1 boundaries fall in more than K equally likely buckets.
    """
    total = int(cum[-1])
    bits = max(_DIRECT_BITS, (2 * cum.size).bit_length())
    shift = max(0, (total - 1).bit_length() - bits)
    slots = -(-total // (1 << shift))
    # Slot k starts at ball k·2^shift, whose colour is the number of cum[c] ≤ k·2^shift, i.e. of
    # ⌈cum[c] / 2^shift⌉ ≤ k: a count and a running sum, no search.
    first_slot = np.minimum(-(-cum // (1 << shift)), slots)
    return np.cumsum(np.bincount(first_slot, minlength=slots + 1)[:slots]).astype(np.int32), shift
