"""The report in a real browser (headless Chromium) at phone width (420 px) and desktop width (1400 px).

Nothing may run off its column: every table and figure box lies inside the
page's column, and the page never scrolls sideways (a wide table or figure
scrolls inside its own box). Figures keep a readable size: none is drawn
smaller than three quarters of its natural size, however narrow the screen. Skipped, with the reason,
where no Chromium is installed (`apt-get install chromium`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim import cli
from tests.sim.publish import browser

REPO = Path(__file__).resolve().parents[3]
ENGLISH = REPO / "docs" / "lessons" / "english.yaml"

pytestmark = pytest.mark.skipif(
    browser.chromium() is None,
    reason="Chromium is not installed (apt-get install chromium): the report layout at 420 and 1400 px "
    "is not checked here",
)


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("reports")
    for scenario in ("india_to_australia", str(ENGLISH)):
        assert cli.main(["run", scenario, "--messages", "3000", "--out", str(out), "--quiet"]) == 0
    return {"india": out / "india_to_australia" / "report.html", "english": out / "english" / "report.html"}


@pytest.mark.parametrize("width", [420, 1400])
@pytest.mark.parametrize("which", ["india", "english"])
def test_no_table_or_figure_runs_off_its_column(reports, which, width):
    m = browser.measure(reports[which], width)
    assert m["viewport"] == width
    assert m["page"] <= width, f"the page scrolls sideways: {m['page']} px wide in a {width} px window"
    outer = [b for b in m["boxes"] if not b["inFigure"]]
    assert {b["tag"] for b in outer} >= {"table", "figure", "pre"}
    off = [
        (b["tag"], b["id"], round(b["left"]), round(b["right"]))
        for b in outer
        if b["left"] < m["left"] - 1 or b["right"] > m["right"] + 1
    ]
    assert off == [], f"column [{m['left']:.0f}, {m['right']:.0f}] px; off it: {off}"


@pytest.mark.parametrize("width", [420, 1400])
@pytest.mark.parametrize("which", ["india", "english"])
def test_figures_keep_a_readable_size_on_a_phone(reports, which, width):
    """No figure is drawn below three quarters of its natural size (nor above it), whatever the screen."""
    m = browser.measure(reports[which], width)
    pictures = [b for b in m["boxes"] if b["tag"] == "svg" and b["inFigure"]]
    assert len(pictures) >= 6
    for b in pictures:
        natural_px = b["natural"] * 4 / 3  # matplotlib writes its size in points
        assert b["width"] >= min(0.75 * natural_px, 60 * 16) - 1, (b["id"], b["width"], natural_px)
        assert b["width"] <= natural_px + 1, (b["id"], b["width"], natural_px)
