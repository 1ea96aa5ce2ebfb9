"""The terminal, explain and the report write numbers the same way (sim.publish.numbers)."""

from __future__ import annotations

from sim.cli import format_result
from sim.engine.simulation import run
from sim.publish.explain import explain
from sim.publish.report import _numbers_table
from sim.scenario.loader import loads

# Huffman built for an urn where yellow has no balls, used on one where it has: H(q, p) = ∞.
# A table code with Kraft sum K < 1 makes log2 K negative: "− (−…)", never "− -…".
TEXT = """
urns: {p: {red: 3, yellow: 0}, q: {red: 1, yellow: 1}}
codes:
  h: {type: huffman, for: p}
  t: {type: table, codewords: {red: "0", yellow: "10"}}
links: [{urn: q, code: h}, {urn: q, code: t}]
"""


def test_infinity_and_negative_terms_look_the_same_everywhere():
    s = loads(TEXT)
    result = run(s, messages=200)
    terminal = format_result(result)
    report = _numbers_table(result.links[0]) + _numbers_table(result.links[1])
    text = explain(s)
    assert "∞" in terminal and "∞" in report and "∞" in text
    assert "inf" not in terminal.replace("info", "") and "inf" not in report.replace("info", "")
    assert "− (−0.415037)" in terminal  # log2 K = log2(3/4)
    assert "− (−0.4150)" in report
    assert "− (−0.4150)" in text or "(−0.4150)" in text
    for out in (terminal, report, text):
        assert "− -" not in out and "+ -" not in out
