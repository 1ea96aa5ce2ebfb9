"""Slips in `telegraph explain` text found by a newcomer (issue 15), each pinned by a test."""

from __future__ import annotations

import re

from sim.publish.explain import explain
from sim.scenario.loader import load, loads

NO_LINES = """
urns:
  box: {blue: 2, red: 1, white: 0}
codes:
  fixed: {type: fixed}
links:
  - {urn: box, code: fixed}
"""

UD_NOT_PREFIX = """
urns:
  india: {blue: 25, red: 50, green: 25}
codes:
  ud: {type: table, codewords: {red: "0", blue: "01", green: "11"}}
links:
  - {urn: india, code: ud}
"""

EVERY = """
urns:
  india: {blue: 25, red: 50}
codes:
  fixed: {type: fixed}
lines:
  cable: {baud: 50}
links:
  - {urn: india, code: fixed, line: cable, arrivals: {every: 1}}
"""


def test_a_single_empty_colour_contributes_in_the_singular():
    text = explain(loads(NO_LINES))
    assert "white has no balls and contributes nothing" in text
    assert " contribute nothing" not in text.replace("contributes", "")


def test_an_unnamed_line_is_not_called_line_line():
    text = explain(loads(NO_LINES))
    assert not re.search(r"\b[Ll]ine line\b", text), text
    assert "The line: 1 baud" in text and "-> the line" in text


def test_pk_note_for_non_poisson_arrivals_does_not_point_below():
    text = explain(loads(EVERY))
    assert "Pollaczek–Khinchine mean wait applies to Poisson arrivals only" in text
    assert "mean wait below" not in text


def test_reverse_divergence_never_repeats_the_same_label():
    for name in ("india_to_australia", "australia_to_india", "busy_telegraph_office"):
        text = explain(load(name))
        for link_block in text.split("\nLink ")[1:]:
            labels = re.findall(r"^\s*(D\([^)]*\)) = Σ", link_block, flags=re.M)
            assert len(labels) == len(set(labels)), (name, labels)


def test_the_huffman_link_names_the_reverse_as_the_same_sum():
    text = explain(load("india_to_australia"))
    huff = text.split("Link india-huffman")[1].split("\nLink ")[0]
    assert huff.count("D(india‖india) = Σ") == 1
    assert "The reverse divergence" in huff


def test_uniquely_decodable_but_not_prefix_free_is_told_run_refuses_it():
    sc = loads(UD_NOT_PREFIX, filename="ud.yaml", allow_ambiguous=True)
    text = explain(sc)
    assert "Uniquely decodable: yes (checked with the Sardinas–Patterson test)" in text
    assert "`telegraph run` refuses this code" in text


def test_validate_reports_every_problem_within_one_link():
    import pytest

    from sim.scenario.loader import ScenarioError

    text = """
urns:
  india: {blue: 25, red: 50, green: 13, yellow: 12}
codes:
  scheme1: {type: table, codewords: {blue: "0", red: "1", green: "10", purple: "11"}}
links:
  - {urn: india, code: scheme1, telegram: 0, arrivals: {rate: -1}}
"""
    with pytest.raises(ScenarioError) as err:
        loads(text, filename="many.yaml")
    problems = err.value.problems
    joined = "\n".join(problems)
    assert "links[0].telegram" in joined
    assert "links[0].arrivals" in joined
    assert "does not fit urn 'india'" in joined and "yellow" in joined and "purple" in joined
    assert "not uniquely decodable" in joined
    assert len(problems) == 4, problems
