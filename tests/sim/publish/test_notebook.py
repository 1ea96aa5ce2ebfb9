"""Notebook-native use (issue 15): inline scenarios, a run's HTML view, the report's reading guide."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

import sim
from sim import cli
from sim.publish.report import HOW_TO_READ
from sim.scenario.loader import ScenarioError

REPO = Path(__file__).resolve().parents[3]
INLINE = {
    "urns": {"india": {"blue": 25, "red": 50, "green": 13, "yellow": 12}},
    "codes": {"huffman": {"type": "huffman", "for": "india"}},
    "links": [{"urn": "india", "code": "huffman"}],
}


def test_a_scenario_can_be_a_dict():
    sc = sim.load(INLINE)
    assert sc.name == "inline" and sc.source is None
    assert dict(sc.links[0].code.codewords) == {"blue": "10", "red": "0", "green": "110", "yellow": "111"}


def test_a_scenario_can_be_yaml_text():
    text = "urns: {box: {a: 1, b: 3}}\ncodes: {f: {type: fixed}}\nlinks: [{urn: box, code: f}]\n"
    assert sim.load(text).links[0].name == "box-f"
    assert sim.loads(text).links[0].name == "box-f"


def test_an_inline_scenario_reports_every_problem_naming_dict():
    bad = {**INLINE, "links": [{"urn": "india", "code": "huffman", "telegram": 0}], "colour": 1}
    with pytest.raises(ScenarioError) as err:
        sim.load(bad)
    assert all(line.startswith("<dict>: ") for line in err.value.problems)
    assert any("telegram" in line for line in err.value.problems)
    assert any("colour" in line for line in err.value.problems)


def test_an_inline_scenario_with_a_python_object_is_refused_in_one_line():
    with pytest.raises(ScenarioError) as err:
        sim.load({**INLINE, "seed": object()})
    assert len(err.value.problems) == 1 and err.value.problems[0].startswith("<dict>: ")


def test_a_run_shows_its_overview_and_convergence_in_jupyter():
    result = sim.run(sim.load(INLINE), messages=500)
    view = result._repr_html_()
    assert "<table" in view and "huffman" in view and "bits/message" in view
    assert view.count("<svg") == 1  # one urn, one convergence figure
    assert "http://" not in view and "https://" not in view  # no external resources


def test_the_report_says_how_to_read_each_figure(tmp_path):
    assert cli.main(["run", "--messages", "300", "--out", str(tmp_path), "--quiet"]) == 0
    page = (tmp_path / "india_to_australia" / "report.html").read_text(encoding="utf-8")
    section = page.split('<section id="how-to-read">')[1].split("</section>")[0]
    for kind in ("distributions", "convergence", "code", "budget"):
        title, text = HOW_TO_READ[kind]
        assert html.escape(title) in section
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]
        assert len(sentences) == 2, (kind, sentences)
    assert "Waiting times" not in section  # no waits figure in this run, so no words about one
    assert page.index('id="how-to-read"') < page.index('id="sources"')
