"""The engine's hot loops give, bit for bit, the numbers recorded before they were rewritten (issue 16).

The reference numbers (``reference_runs.json``) were recorded from the engine
at commit 5765b31 (see :mod:`tests.sim.engine.reference_runs`). Every case runs
at the default chunk and again at an odd chunk: a rewritten kernel must agree
with the old one and stay chunk-invariant.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from sim.engine import kernels
from sim.engine.line import _BINS, BINS_PER_DECADE, DECADES
from tests.sim.engine.reference_runs import PATH, cases, digest, readable, summary

RECORDED = json.loads(PATH.read_text())


def test_every_case_is_recorded():
    assert set(RECORDED) == set(cases())


@pytest.mark.parametrize("chunk", [65536, 997])
@pytest.mark.parametrize("name", sorted(RECORDED))
def test_runs_match_the_numbers_recorded_before_the_rewrite(name, chunk):
    links = summary(name, chunk)
    # The readable numbers first (a failure shows which), then every field of the results.
    assert readable(links) == RECORDED[name]["links"]
    assert digest(links) == RECORDED[name]["digest"]


@pytest.mark.parametrize("chunk", [1, 7])
def test_one_message_a_chunk_gives_the_recorded_numbers(chunk):
    links = summary("small_mixed", chunk)
    assert readable(links) == RECORDED["small_mixed"]["links"]
    assert digest(links) == RECORDED["small_mixed"]["digest"]


@pytest.mark.parametrize("scale", [3.1e-7, 0.035, 1.0, 7.3e4])
def test_binning_without_a_log_gives_the_log_formulas_bins(scale):
    # The kernels bin a wait from its top bits and a table of exact edges; the histogram is
    # defined by ⌊(log10(w / scale) + decades) · per_decade⌋. Every edge, with the floats a few
    # ulps either side, and random waits from far below the bins to far past them.
    row = kernels.wait_bins(scale, float(BINS_PER_DECADE), float(DECADES), _BINS)
    edges = row[3 : 3 + int(row[2])]
    assert edges.size == _BINS - 2 and np.all(np.diff(edges) > 0)
    near = (edges.view(np.int64)[:, None] + np.arange(-3, 4)).ravel().view(np.float64)
    far = scale * 10.0 ** np.random.default_rng(16).uniform(-9, 9, 4000)
    waits = np.concatenate((near, far, [0.0, 5e-324, 1e300]))
    for w in waits:
        old = kernels._log_bin(w, scale, float(BINS_PER_DECADE), float(DECADES), _BINS)
        assert kernels._wait_bin(w, row, _BINS) == old, w
    # Each edge is the first float of its bin: the float below it lies in the bin before.
    below = np.nextafter(edges, 0.0)
    assert [kernels._wait_bin(w, row, _BINS) for w in edges] == list(range(2, _BINS))
    assert [kernels._wait_bin(w, row, _BINS) for w in below] == list(range(1, _BINS - 1))
