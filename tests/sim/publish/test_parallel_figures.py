"""Figures drawn by two processes (a default run under 2 s): the same files; a failed child is covered."""

from __future__ import annotations

import os

import pytest

from sim.publish import plots
from tests.sim.small_run import make_result


@pytest.fixture(scope="module")
def result():
    return make_result(10_000)


def _files(tmp_path, name, monkeypatch, workers, result):
    monkeypatch.setenv("TELEGRAPH_FIGURE_WORKERS", str(workers))
    out = tmp_path / name
    out.mkdir()
    inline: dict[str, str] = {}
    paths = plots.render_all(result, out, inline=inline)
    return {p.name: p.read_bytes() for p in paths}, inline


@pytest.mark.skipif(not hasattr(os, "fork"), reason="drawing in two processes needs fork")
def test_two_processes_write_the_same_pngs_in_the_same_order(tmp_path, monkeypatch, result):
    one, inline1 = _files(tmp_path, "one", monkeypatch, 1, result)
    two, inline2 = _files(tmp_path, "two", monkeypatch, 2, result)
    assert plots.figure_workers() == 2
    assert list(one) == list(two) and len(one) >= 4
    assert one == two  # byte for byte
    assert list(inline1) == list(inline2)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="drawing in two processes needs fork")
def test_a_child_that_dies_leaves_its_figures_to_the_parent(tmp_path, monkeypatch, result):
    real_draw = plots._draw
    parent = os.getpid()

    def draw(spec, *args):
        if os.getpid() != parent:
            os._exit(3)  # the child dies before sending anything
        return real_draw(spec, *args)

    monkeypatch.setattr(plots, "_draw", draw)
    two, _ = _files(tmp_path, "two", monkeypatch, 2, result)
    monkeypatch.setattr(plots, "_draw", real_draw)
    one, _ = _files(tmp_path, "one", monkeypatch, 1, result)
    assert one == two


def test_one_worker_when_asked(monkeypatch):
    monkeypatch.setenv("TELEGRAPH_FIGURE_WORKERS", "1")
    assert plots.figure_workers() == 1
