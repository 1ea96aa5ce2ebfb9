"""Hostile names: drawn as plain text, escaped on the terminal, given distinct and short file names."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from sim.cli import main
from sim.engine import simulation as engine
from sim.publish import plots
from sim.scenario import loader as scenario

WEIRD = r"""
description: "names \x1b[31mred\x1b[0m and \u202eevil, $x^$"
urns:
  box: {"$\\foo$": 3, "$x^$": 2, "$\\frac{1}$": 1, "_under": 1, "\e[2Jclear": 1, "a\nb": 1}
codes:
  huff: {type: huffman, for: box}
  amb: {type: table, codewords: {"$\\foo$": "0", "$x^$": "1", "$\\frac{1}$": "01", "_under": "10",
        "\e[2Jclear": "11", "a\nb": "000"}}
lines:
  cable: {baud: 50}
links:
  - {name: x, urn: box, code: huff}
  - {name: x-, urn: box, code: huff}
  - {name: x., urn: box, code: huff}
  - {name: X, urn: box, code: huff}
"""


@pytest.fixture(scope="module")
def weird_run(tmp_path_factory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("weird")
    path = root / "weird.yaml"
    path.write_text(WEIRD, encoding="utf-8")
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["run", str(path), "--messages", "500", "--out", str(root / "out")])
    assert code == 0, err.getvalue()
    return root / "out" / "weird", out.getvalue() + err.getvalue()


def test_mathtext_names_are_drawn_as_plain_text(weird_run):
    folder, _ = weird_run
    html = (folder / "report.html").read_text(encoding="utf-8")
    # the colour names reach the figures' SVG text as typed (escaped for XML), not as formulas
    assert r"$\frac{1}$" in html and "$x^$" in html


def test_control_characters_never_reach_the_terminal(weird_run):
    _, printed = weird_run
    assert "\x1b" not in printed and "\u202e" not in printed
    assert r"\x1b[31mred" in printed


def test_links_whose_names_slug_alike_get_distinct_figure_files(weird_run):
    folder, _ = weird_run
    codes = sorted(p.name for p in folder.glob("code-*.png"))
    assert len({c.lower() for c in codes}) == 4  # x and X too: case-insensitive file systems
    html = (folder / "report.html").read_text(encoding="utf-8")
    anchors = [a for a in html.split('id="link-')[1:]]
    assert len({a.split('"')[0] for a in anchors}) == 4


def test_the_explain_plots_of_an_ambiguous_code_with_hostile_names_draw(tmp_path, capsys):
    path = tmp_path / "amb.yaml"
    text = WEIRD.replace("code: huff}", "code: amb}").split("  - {name: x., ")[0]  # links x and x-
    path.write_text(text, encoding="utf-8")
    assert main(["explain", str(path), "--plots", str(tmp_path / "figs")]) == 0
    out, _ = capsys.readouterr()
    assert "\x1b" not in out
    assert len(list((tmp_path / "figs").glob("code-*.png"))) == 2


@pytest.mark.parametrize(
    ("names", "distinct"),
    [
        (["x", "x-", "x."], 3),
        (["a b", "a/b", "a-b"], 3),
        (["Case", "case", "CASE"], 3),
        (["n" * 300, "n" * 300 + "m"], 2),
    ],
)
def test_file_stems_are_distinct_short_and_safe(names, distinct):
    stems = plots.file_stems(names)
    assert len({s.lower() for s in stems.values()}) == distinct
    for s in stems.values():
        assert len(s) <= plots.MAX_STEM and "/" not in s and not s.startswith(".")


def test_a_link_name_of_300_characters_gets_a_short_figure_file(tmp_path):
    sc = scenario.load("india_to_australia")
    result = engine.run(sc, messages=300, seed=1)
    long = "l" * 300
    links = (dataclasses.replace(result.links[0], name=long),)
    specs = plots.figure_specs(dataclasses.replace(result, links=links))
    paths = plots.write_figures([s for s in specs if s.kind in ("code", "convergence")], tmp_path)
    assert any(p.name.startswith("code-lll") for p in paths)
    assert all(len(p.name) < 100 for p in paths)


def test_a_scenario_name_of_250_characters_gets_its_folder(tmp_path):
    from sim.publish import output

    result = engine.run(scenario.load("india_to_australia"), messages=300, seed=1)
    folder = output.write_results(result, tmp_path / ("n" * 250), scenario_yaml="")
    assert (folder / "summary.json").is_file()
    output.write_results(result, folder, scenario_yaml="")  # and replaces it: hidden names are short
    assert sorted(p.name for p in tmp_path.iterdir()) == ["n" * 250]
    with pytest.raises(output.OutputError, match="too long"):
        output.check_target(tmp_path, "n" * 256)
