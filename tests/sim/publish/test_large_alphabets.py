"""Large alphabets in the text output (issue 16): summarised past 100 colours, unchanged up to it."""

from __future__ import annotations

import json
import math
import random

from sim.model import limits
from sim.model.results import dumps_indented
from sim.publish.explain import explain
from sim.scenario.loader import loads


def _scenario(k: int, empty: int = 0) -> str:
    counts = "\n".join(f"    c{i}: {0 if i < empty else 1000 // (i + 1) + 1}" for i in range(k))
    return (
        f"urns:\n  big:\n{counts}\n"
        "codes:\n  h: {type: huffman, for: big}\n"
        "lines:\n  cable: {baud: 50}\n"
        "links:\n  - {urn: big, code: h, arrivals: {rate: 1}}\n"
    )


def test_up_to_the_limit_every_colour_is_written_out():
    text = explain(loads(_scenario(limits.SHOWN_ROWS)))
    assert "more colours not shown" not in text and "more terms" not in text
    assert all(f"    c{i} " in text for i in range(limits.SHOWN_ROWS))


def test_past_the_limit_tables_and_sums_show_head_and_tail_and_say_what_was_left_out():
    k = 150
    text = explain(loads(_scenario(k, empty=120)))
    lines = text.splitlines()
    left = k - limits.HEAD_ROWS - limits.TAIL_ROWS
    assert f"    … {left:,} more colours not shown (every one is in a run's summary.json) …" in lines
    assert f"    … {left:,} more codewords not shown (every one is in a run's summary.json) …" in lines
    urn_rows = [line for line in lines if line.startswith("    c") and len(line.split()) == 4]
    assert [r.split()[0] for r in urn_rows] == [f"c{i}" for i in range(limits.HEAD_ROWS)] + [
        f"c{i}" for i in range(k - limits.TAIL_ROWS, k)
    ]
    assert "more terms …" in text  # the written-out sums
    # 120 colours with no balls: named up to SHOWN_NAMES, then counted
    assert "c0, c1, c2, c3, c4, c5, c6, c7, c8, c9 and 110 more have no balls" in " ".join(text.split())
    assert len(lines) < 200 and max(map(len, lines)) <= 100


def test_the_totals_do_not_depend_on_what_is_shown():
    text = explain(loads(_scenario(150)))
    # H(big) printed with the total over all 150 colours
    h_line = next(i for i, line in enumerate(text.splitlines()) if line.startswith("  H(big) ="))
    total = " ".join(text.splitlines()[h_line : h_line + 4])
    counts = [1000 // (i + 1) + 1 for i in range(150)]
    n = sum(counts)
    h = -sum(c / n * math.log2(c / n) for c in counts)
    assert f"= {h:.4f} bits" in total


def test_summary_json_is_written_exactly_as_json_dumps_with_indent_writes_it():
    rng = random.Random(7)
    strings = ["", "a", "é", "\u2028", "\x00", '"q"', "\\", "😀", "line\nbreak", "c65535"]

    def value(depth: int) -> object:
        r = rng.random()
        if depth < 4 and r < 0.2:
            return {
                rng.choice(strings) + str(rng.randint(0, 9)): value(depth + 1)
                for _ in range(rng.randint(0, 5))
            }
        if depth < 4 and r < 0.35:
            return [value(depth + 1) for _ in range(rng.randint(0, 5))]
        choices = [
            rng.random(),
            1e-300,
            5e-324,
            1e300,
            -0.0,
            float("inf"),
            float("nan"),
            10**30,
            True,
            None,
            3,
        ]
        return rng.choice([*choices, rng.choice(strings)])

    for _ in range(500):
        doc = value(0)
        assert dumps_indented(doc) == json.dumps(doc, indent=2, ensure_ascii=False)
