"""Figures that hold up in a classroom (issue 15): 26 symbols, overlapping lines, legends, ticks, ∞, dpi.

Each test draws the figure with matplotlib's own renderer and measures the
drawn text and boxes, so it fails exactly when a reader would see the fault.
"""

from __future__ import annotations

import itertools
import struct

import pytest

from coding import Distribution, huffman
from sim import cli
from sim.model.results import RunResult
from sim.publish import plots
from tests.sim.small_run import make_result

# Letter counts per 10 000 letters of English text (docs/lessons/english.yaml).
ENGLISH = {
    "a": 820, "b": 150, "c": 280, "d": 430, "e": 1270, "f": 220, "g": 200, "h": 610, "i": 700, "j": 15,
    "k": 77, "l": 400, "m": 240, "n": 670, "o": 750, "p": 190, "q": 10, "r": 600, "s": 630, "t": 910,
    "u": 280, "v": 98, "w": 240, "x": 15, "y": 200, "z": 7,
}  # fmt: skip


def _renderer(fig):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)  # the figures are built without a canvas: give them Agg's to measure
    canvas.draw()
    return canvas.get_renderer()


def _legend(fig):
    return fig.axes[0].get_legend() or fig.legends[0]


def _overlaps(a, b) -> bool:
    return a.x0 < b.x1 - 0.5 and b.x0 < a.x1 - 0.5 and a.y0 < b.y1 - 0.5 and b.y0 < a.y1 - 0.5


@pytest.fixture(scope="module")
def english_code():
    p = Distribution.from_counts(ENGLISH)
    return huffman(p), p


def test_budget_legend_shows_every_letter_inside_the_figure(english_code):
    code, p = english_code
    fig = plots.codeword_budget(code, p.as_dict())
    r = _renderer(fig)
    legend = _legend(fig)
    labels = {t.get_text() for t in legend.get_texts()}
    assert set(ENGLISH) <= labels
    box, page = legend.get_window_extent(r), fig.bbox
    assert box.x0 >= page.x0 - 1 and box.x1 <= page.x1 + 1 and box.y0 >= page.y0 - 1 and box.y1 <= page.y1 + 1


def test_code_tree_labels_of_26_letters_do_not_overlap(english_code):
    code, _ = english_code
    fig = plots.code_tree(code)
    r = _renderer(fig)
    words = set(code.codewords.values())
    labels = [t for t in fig.axes[0].texts if any(w in t.get_text().split() for w in words)]
    assert len(labels) == 26
    boxes = [(t.get_text(), t.get_window_extent(r)) for t in labels]
    clashes = [(a, b) for (a, ba), (b, bb) in itertools.combinations(boxes, 2) if _overlaps(ba, bb)]
    assert clashes == []
    page = fig.bbox
    assert all(b.x0 >= page.x0 - 1 and b.x1 <= page.x1 + 1 and b.y0 >= page.y0 - 1 for _, b in boxes)


@pytest.fixture(scope="module")
def india_run() -> RunResult:
    from sim.engine import simulation as engine
    from sim.scenario import loader as scenario

    return engine.run(scenario.load("india_to_australia"), messages=3000)


def _conv(result: RunResult, urn: str = "india"):
    fig = plots.convergence(result, urn)
    return fig, _renderer(fig)


def test_link_lines_avoid_the_colours_the_balls_are_named_after(india_run):
    from matplotlib.colors import to_rgb

    fig, _ = _conv(india_run)
    from colorsys import rgb_to_hsv

    balls = {c: rgb_to_hsv(*to_rgb(c))[0] * 360 for c in ("blue", "red", "green", "yellow", "goldenrod")}
    lines = [ln for ln in fig.axes[0].get_lines() if ln.get_color() != "black"]
    assert len({ln.get_color() for ln in lines}) == 4  # four links, four colours
    for line in lines:
        h, sat, _ = rgb_to_hsv(*to_rgb(line.get_color()))
        if sat < 0.25:
            continue  # a grey is no ball's colour
        near = [c for c, hue in balls.items() if min(abs(h * 360 - hue), 360 - abs(h * 360 - hue)) < 35]
        assert near == [], (line.get_label(), line.get_color(), near)


def test_links_with_the_same_expected_length_are_told_apart(india_run):
    fig, _ = _conv(india_run)
    labels = [t.get_text() for t in _legend(fig).get_texts()]
    # fixed and scheme 2 both have L = 2: one legend entry names both instead of one line hiding the other
    shared = [s for s in labels if "india-fixed" in s and "india-scheme2" in s]
    assert shared, labels
    measured = [ln for ln in fig.axes[0].get_lines() if "measured" in ln.get_label()]
    styles = {(ln.get_linestyle(), ln.get_marker()) for ln in measured}
    assert len(styles) == len(measured)  # each measured curve its own dash pattern or marker


def test_the_legend_does_not_cover_the_data(india_run):
    fig, r = _conv(india_run)
    ax = fig.axes[0]
    legend = _legend(fig)
    assert not _overlaps(legend.get_window_extent(r), ax.get_window_extent(r))
    assert legend.get_window_extent(r).x1 <= fig.bbox.x1 + 1 and legend.get_window_extent(r).y0 >= -1


def _tick_labels(fig):
    ax = fig.axes[0]
    lo, hi = ax.get_xlim()
    return [t.get_text() for t, v in zip(ax.get_xticklabels(), ax.get_xticks()) if lo <= v <= hi]


def test_ticks_use_one_style(india_run):
    big = make_result(10**5)
    for fig in (_conv(india_run)[0], plots.convergence(big, big.links[0].source)):
        _renderer(fig)
        labels = _tick_labels(fig)
        powers = [
            ("⁰" in s or "¹" in s or "²" in s or "³" in s or any(c in s for c in "⁴⁵⁶⁷⁸⁹")) for s in labels
        ]
        assert len(set(powers)) == 1, labels


def test_a_five_message_run_gets_several_ticks(tmp_path):
    from sim.engine import simulation as engine
    from sim.scenario import loader as scenario

    result = engine.run(scenario.load("india_to_australia"), messages=5)
    fig, _ = _conv(result)
    assert len(_tick_labels(fig)) >= 3


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_pngs_are_sharp_enough_for_a_projector(tmp_path):
    assert cli.main(["run", "--messages", "200", "--out", str(tmp_path), "--quiet"]) == 0
    png = (tmp_path / "india_to_australia" / "convergence-india.png").read_bytes()
    width, _ = _png_size(png)
    fig = plots.convergence(make_result(200), "india")
    assert width >= fig.get_figwidth() * 150 - 1  # at least 150 dpi
