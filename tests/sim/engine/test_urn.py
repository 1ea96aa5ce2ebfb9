"""The urn's guide-table draws give bit-for-bit the draws of the old path.

The old path (before the guide table) mapped a uniform u to ball
⌊u·total⌋ (clamped to total − 1) and the ball to its colour by a binary
search of the cumulative counts; urns of at most 2^20 balls used a
ball -> colour table, which is the same map. It is restated here in numpy
and fed the same seeded random stream.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.engine.urn import UrnSampler, guide_table
from sim.model.records import Urn


def old_draws(counts: np.ndarray, u: np.ndarray) -> np.ndarray:
    cum = np.cumsum(counts)
    total = int(cum[-1])
    ball = np.minimum((u * total).astype(np.int64), total - 1)
    return np.searchsorted(cum, ball, side="right")


def urn_of(counts) -> Urn:
    return Urn("u", {f"c{i}": int(c) for i, c in enumerate(counts)})


_rng = np.random.default_rng(16)
URNS = {
    "india": np.array([25, 50, 13, 12]),
    "one colour": np.array([7]),
    "with empty colours": np.array([0, 3, 0, 0, 5, 0]),
    "2^16 + 1 balls": np.array([1 << 15, (1 << 15) + 1]),
    "zipf64 (over 2^20 balls)": np.round(10**6 / np.arange(1, 65)).astype(np.int64),
    "zipf 65536": np.round(10**9 / np.arange(1, 65537)).astype(np.int64),
    "uniform 65536 (large counts)": np.full(65536, 1000),
    "one giant, many tiny": np.concatenate(([10**12], np.ones(5000, dtype=np.int64))),
    "random 3000": _rng.integers(0, 10**7, 3000),
    "2^40 balls": np.array([1 << 39, 1, (1 << 39) - 1]),
}


@pytest.mark.parametrize("counts", URNS.values(), ids=URNS.keys())
def test_draws_are_those_of_the_old_path(counts):
    sampler = UrnSampler(urn_of(counts), np.random.default_rng(1948))
    chunks = [1, 7, 1000, 30_000, 5]  # chunk sizes never matter
    drawn = np.concatenate([sampler.draw(n) for n in chunks])
    u = np.random.default_rng(1948).random(sum(chunks))
    assert np.array_equal(drawn, old_draws(counts, u))


@pytest.mark.parametrize("counts", URNS.values(), ids=URNS.keys())
def test_draws_of_the_edge_balls(counts):
    """u just below 1, exactly 0 and on colour boundaries land where the old path put them."""
    counts = np.asarray(counts)
    total = int(counts.sum())
    cum = np.cumsum(counts)
    boundaries = np.concatenate((cum[:-1], cum[:-1] - 1)).clip(0, total - 1)
    u = np.concatenate(([0.0, np.nextafter(1.0, 0.0)], boundaries / total)).astype(np.float64)
    sampler = UrnSampler(urn_of(counts), np.random.default_rng(0))
    from sim.engine import kernels

    out = np.empty(u.size, np.int64)
    got = kernels.draw_chunk(u, total, sampler._guide, sampler._shift, sampler._cum, out)
    assert np.array_equal(got, old_draws(counts, u))


@pytest.mark.parametrize("counts", URNS.values(), ids=URNS.keys())
def test_guide_slots_hold_the_colour_of_their_first_ball(counts):
    cum = np.cumsum(counts)
    guide, shift = guide_table(cum)
    total = int(cum[-1])
    assert guide.size == -(-total // (1 << shift))
    assert guide.size <= max(1 << 16, 4 * counts.size)  # memory stays O(K)
    firsts = np.arange(guide.size, dtype=np.int64) << shift
    assert np.array_equal(guide, np.searchsorted(cum, firsts, side="right"))
    if total <= 1 << 16:
        assert shift == 0  # small urns: one slot per ball, no search at all
    else:
        assert guide.size > counts.size  # more slots than colours: < 1 boundary per slot on average
