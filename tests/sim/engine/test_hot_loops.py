"""The engine's hot loops give, bit for bit, the numbers recorded before they were rewritten (issue 16).

The reference numbers (``reference_runs.json``) were recorded from the engine
at commit 5765b31 (see :mod:`tests.sim.engine.reference_runs`). Every case runs
at the default chunk and again at an odd chunk: a rewritten kernel must agree
with the old one and stay chunk-invariant.
"""

from __future__ import annotations

import json

import pytest

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
