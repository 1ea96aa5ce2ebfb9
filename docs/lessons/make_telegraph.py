"""Writes docs/lessons/telegraph.ipynb (outputs empty; CI executes it headless with nbclient).

Edit the cells here, then run ``.venv/bin/python docs/lessons/make_telegraph.py``.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

CELLS = [
    (
        "md",
        """# The telegraph from India to Australia

A box in India holds 100 balls: 25 blue, 50 red, 13 green and 12 yellow. A clerk draws a ball,
notes its colour, puts it back and telegraphs the colour to Australia, one ball after another.
Every bit on the wire costs money. How few bits per ball can the clerk get away with?

This lesson walks the story with the `coding` package (the theory) and `sim` (the telegraph
itself). Every cell checks its own numbers with `assert`, and CI runs the whole notebook, so the
numbers in the text are the numbers the code computes.""",
    ),
    (
        "code",
        """from coding import Code, Distribution, cross_entropy, entropy, fixed_length, huffman, kl_divergence

india = Distribution.from_counts({"blue": 25, "red": 50, "green": 13, "yellow": 12})
india  # a table: p(x), the ideal length -log2 p(x), and a bar per colour""",
    ),
    (
        "md",
        """## India's box: the entropy

The ideal length of a colour is −log2 p(x) bits: red (half the balls) deserves 1 bit, yellow
(12 in 100) about 3.06. The **entropy** H(q) is the average ideal length, weighted by how often
each colour comes up. No code that Australia can decode averages fewer bits per ball.""",
    ),
    (
        "code",
        """H = entropy(india)
assert round(H, 4) == 1.7497
round(H, 4)""",
    ),
    (
        "md",
        """## Three schemes

The clerk tries three codebooks. Scheme 1 gives every colour 2 bits. Scheme 2 gives blue the
1-bit word and red 2 bits; scheme 3 does the reverse, giving the commoner red the 1-bit word.
Each is shown as a table and as its **code tree**: a codeword is the path from the root to its
colour's leaf, one digit per branch.""",
    ),
    (
        "code",
        """fixed = fixed_length(india.symbols)
scheme2 = Code({"blue": "0", "red": "10", "green": "110", "yellow": "111"})
scheme3 = Code({"blue": "10", "red": "0", "green": "110", "yellow": "111"})
lengths = {name: code.expected_length(india) for name, code in
           [("fixed", fixed), ("scheme 2", scheme2), ("scheme 3", scheme3)]}
assert lengths == {"fixed": 2.0, "scheme 2": 2.0, "scheme 3": 1.75}
lengths""",
    ),
    ("code", "scheme3  # the table, the Kraft sum, the verdicts and the tree"),
    (
        "md",
        """Scheme 2 is no better than the fixed code: it spends its short word on blue, which comes up
only a quarter of the time. Scheme 3 averages 1.75 bits, a hair above the entropy (1.7497).

## Huffman

Huffman's construction finds the best prefix code for a known distribution: merge the two least
likely colours, repeat. For India's box it finds scheme 3.""",
    ),
    (
        "code",
        """code = huffman(india)
assert code == scheme3
assert entropy(india) <= code.expected_length(india) < entropy(india) + 1
code""",
    ),
    (
        "md",
        """## Australia with India's code

Now the telegraph runs the other way: Australia's box (13 blue, 25 red, 50 green, 12 yellow)
sends with the code built for India. Green is now the common colour, but India's code gives it
3 bits. The average cost is the **cross entropy** H(q, p): q = Australia draws, p = India is what
the code assumes. The excess over Australia's own entropy is the **KL divergence** D(q‖p).

(The source article writes this cross entropy as H_p(q); we write H(q, p), first argument the
distribution that draws. Same number, roles named the other way round.)""",
    ),
    (
        "code",
        """australia = Distribution.from_counts({"blue": 13, "red": 25, "green": 50, "yellow": 12})
L = code.expected_length(australia)
HQ, HQP, D = entropy(australia), cross_entropy(australia, india), kl_divergence(australia, india)
assert round(L, 2) == 2.37 and round(HQP, 3) == 2.349 and abs(HQP - (HQ + D)) < 1e-12
print(f"L = {L:.4f}   H(q) = {HQ:.4f}   H(q, p) = {HQP:.4f}   D(q||p) = {D:.4f}")""",
    ),
    (
        "md",
        """India's code costs Australia 2.37 bits per ball, although Australia's own entropy is the same
1.7497 bits as India's (the same counts, on different colours). The cross entropy H(q, p) = 2.349
is the bill for ideal lengths built for the wrong box, 0.599 bits (the KL divergence) above the
entropy; the real code's 2.37 sits just above it, and Australia's own Huffman code would bring
it back to 1.75.

## Run the telegraph

A scenario can be written right here, without a file. `sim.run` simulates every link
(draw, encode, send, decode, check) and holds the measured bits per ball against theory.""",
    ),
    (
        "code",
        """import sim

scenario = sim.load({
    "seed": 1948,
    "urns": {"india": {"blue": 25, "red": 50, "green": 13, "yellow": 12},
             "australia": {"blue": 13, "red": 25, "green": 50, "yellow": 12}},
    "codes": {"fixed": {"type": "fixed"}, "huffman": {"type": "huffman", "for": "india"}},
    "links": [{"name": "india-fixed", "urn": "india", "code": "fixed"},
              {"name": "india-huffman", "urn": "india", "code": "huffman"},
              {"name": "australia-with-india-code", "urn": "australia", "code": "huffman"}],
})
result = sim.run(scenario, messages=20_000)
assert all(link.lossless for link in result.links)
assert abs(result.link("australia-with-india-code").bits_per_message - 2.37) < 0.05
result  # the overview table and the convergence figures""",
    ),
    (
        "md",
        """Each measured line settles on its code's expected length L; none can settle below the
entropy (the black dashed line). To go further: `telegraph explain india_to_australia` prints
every sum term by term, and `telegraph run` writes a full report with a guide to its figures.""",
    ),
]


def build() -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.cells = [new_markdown_cell(text) if kind == "md" else new_code_cell(text) for kind, text in CELLS]
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i:02d}"
    return nb


if __name__ == "__main__":
    out = Path(__file__).with_name("telegraph.ipynb")
    nbformat.write(build(), out)
    print(out)
