"""Notebook views of Distribution and Code (issue 15): HTML tables and an SVG code tree, no matplotlib."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pytest

from coding import Code, Distribution, huffman
from coding.display import MAX_TREE_LEAVES, code_svg, tree_labels

ROOT = Path(__file__).resolve().parents[2]
INDIA = Distribution.from_counts({"blue": 25, "red": 50, "green": 13, "yellow": 12})
# Letter frequencies of English text, per cent (the usual textbook table).
ENGLISH = {
    "a": 8.2, "b": 1.5, "c": 2.8, "d": 4.3, "e": 12.7, "f": 2.2, "g": 2.0, "h": 6.1, "i": 7.0,
    "j": 0.15, "k": 0.77, "l": 4.0, "m": 2.4, "n": 6.7, "o": 7.5, "p": 1.9, "q": 0.095, "r": 6.0,
    "s": 6.3, "t": 9.1, "u": 2.8, "v": 0.98, "w": 2.4, "x": 0.15, "y": 2.0, "z": 0.074,
}  # fmt: skip


def _svg(text: str) -> ElementTree.Element:
    return ElementTree.fromstring(text)  # well-formed XML, or this raises


def test_distribution_html_lists_every_symbol_with_its_probability_and_the_entropy():
    html = INDIA._repr_html_()
    for s in INDIA.symbols:
        assert f"<td>{s}</td>" in html
    assert "<td>0.13</td>" in html and "1.7497" in html


def test_names_are_escaped_in_html_and_svg():
    d = Distribution({"<b>x</b>": 0.5, "a&b": 0.5})
    assert "<b>x</b>" not in d._repr_html_() and "&lt;b&gt;x&lt;/b&gt;" in d._repr_html_()
    code = Code({"<b>x</b>": "0", "a&b": "1"})
    svg = code_svg(code)
    _svg(svg)
    assert "&lt;b&gt;" in svg and "&amp;b" in svg


def test_code_html_has_the_table_verdicts_and_the_tree():
    html = huffman(INDIA)._repr_html_()
    assert "<td style='font-family:monospace'>110</td>" in html
    assert "Kraft sum K = 1" in html and "prefix-free" in html and "uniquely decodable" in html
    assert "<svg" in html


def test_not_uniquely_decodable_code_shows_its_witness():
    html = Code({"blue": "1", "red": "0", "green": "10", "yellow": "11"})._repr_html_()
    assert "NOT uniquely decodable" in html and "not prefix-free" in html


def test_tree_has_one_symbol_and_one_codeword_label_per_leaf():
    code = huffman(INDIA)
    root = _svg(code_svg(code))
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    for s, w in code.codewords.items():
        assert s in texts and w in texts


def _english() -> Distribution:
    total = sum(ENGLISH.values())
    return Distribution({k: v / total for k, v in ENGLISH.items()})


def test_tree_labels_of_26_english_letters_do_not_overlap():
    code = huffman(_english())
    assert max(code.lengths.values()) == 9  # j, q, x, z: the deepest leaves, side by side
    labels = tree_labels(code)
    assert len(labels) == 2 * 26
    clashes = [(a.text, b.text) for i, a in enumerate(labels) for b in labels[i + 1 :] if a.overlaps(b)]
    assert clashes == []


@pytest.mark.parametrize("seed", range(20))
def test_tree_labels_never_overlap_on_random_huffman_codes(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, MAX_TREE_LEAVES + 1))
    names = ["".join(rng.choice(list("abcdefghij"), size=int(rng.integers(1, 9)))) + str(i) for i in range(n)]
    weights = rng.exponential(size=n) ** 3
    code = huffman(Distribution(dict(zip(names, weights / weights.sum()))))
    labels = tree_labels(code)
    if not labels:  # deeper than the drawing allows: a note instead of a tree
        assert "too many to draw" in code_svg(code)
        return
    clashes = [(a.text, b.text) for i, a in enumerate(labels) for b in labels[i + 1 :] if a.overlaps(b)]
    assert clashes == []


def test_svg_scales_to_its_container():
    svg = code_svg(huffman(_english()))
    assert re.search(r"viewBox='0 0 \d+ \d+'", svg) and "max-width:100%" in svg


def test_display_loads_no_matplotlib():
    code = (
        "import sys, json\nfrom coding import Code, Distribution\n"
        "Code({'a': '0', 'b': '1'})._repr_html_(); Distribution({'a': 1.0})._repr_html_()\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    loaded = set(json.loads(out.stdout))
    assert "coding" in loaded and not loaded & {"matplotlib", "sim", "yaml", "simpy"}
