"""How :class:`Distribution` and :class:`Code` show themselves in Jupyter: HTML tables, an SVG tree.

Plain text only (``html`` from the standard library): no matplotlib, no
browser code. ``Distribution._repr_html_`` and ``Code._repr_html_`` call
:func:`distribution_html` and :func:`code_html`; :func:`code_svg` draws the
code tree, each codeword a path from the root (one digit per edge) to the
leaf that holds its symbol.

>>> from coding import Code
>>> svg = code_svg(Code({"blue": "10", "red": "0", "green": "110", "yellow": "111"}))
>>> svg.startswith("<svg") and svg.count("<text class='sym'") == 4
True
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coding.code import Code
    from coding.distribution import Distribution

__all__ = ["Label", "code_html", "code_svg", "distribution_html", "tree_labels"]

#: Codes with more codewords than this, or deeper than MAX_TREE_DEPTH, get no tree (a note says why).
MAX_TREE_LEAVES = 64
MAX_TREE_DEPTH = 16
#: Geometry of the tree, in SVG pixels (the picture scales to its container).
ROW = 44.0
CHAR = 7.2  # width of one character of the 12 px labels (a generous estimate for a sans-serif face)
LINE = 15.0  # height of one line of label text
VERTICAL_FROM = 13  # leaves at or above this count get vertical labels, so 26 letters fit side by side

_STYLE = (
    "<style>.tg-t{border-collapse:collapse;font:13px/1.35 system-ui,sans-serif;margin:.3em 0}"
    ".tg-t th,.tg-t td{padding:.15em .6em;border-bottom:1px solid #ddd;text-align:right}"
    ".tg-t th:first-child,.tg-t td:first-child{text-align:left}"
    ".tg-t caption{caption-side:bottom;text-align:left;color:#555;padding-top:.3em}"
    ".tg-bar{display:inline-block;height:.8em;background:#4c72b0;vertical-align:middle}"
    ".tg-wrap{overflow-x:auto;max-width:100%}</style>"
)


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _num(x: float, digits: int = 4) -> str:
    return "∞" if math.isinf(x) else f"{x:.{digits}f}"


def distribution_html(d: Distribution) -> str:
    """A table of p(x), the ideal length −log2 p(x) and a bar per symbol, with the entropy below it."""
    from coding.measures import entropy

    probs = [float(v) for v in d.probabilities]
    top = max(probs) if probs else 1.0
    rows = []
    for s, p in zip(d.symbols, probs):
        ideal = _num(-math.log2(p), 3) if p > 0 else "∞"
        width = 100.0 * p / top if top > 0 else 0.0
        rows.append(
            f"<tr><td>{_e(s)}</td><td>{p:.4g}</td><td>{ideal}</td>"
            f"<td style='text-align:left;min-width:8em'><span class='tg-bar' style='width:{width:.1f}%'>"
            f"</span></td></tr>"
        )
    caption = (
        f"H = {_num(entropy(d))} bits: the average ideal length −log2 p(x), weighted by p(x). "
        f"{len(probs)} symbols."
    )
    return (
        f"{_STYLE}<div class='tg-wrap'><table class='tg-t'><caption>{_e(caption)}</caption>"
        "<thead><tr><th>symbol</th><th>p(x)</th><th>−log2 p(x)</th><th></th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def code_html(code: Code) -> str:
    """The codeword table, Kraft sum and decodability verdicts, then the code tree as SVG."""
    rows = "".join(
        f"<tr><td>{_e(s)}</td><td style='font-family:monospace'>{_e(w)}</td><td>{len(w)}</td></tr>"
        for s, w in code.codewords.items()
    )
    K = code.kraft_sum
    verdicts = [f"Kraft sum K = {K} ({float(K):.4g})"]
    verdicts.append("prefix-free" if code.is_prefix_free else "not prefix-free")
    witness = code.ambiguity()
    verdicts.append("uniquely decodable" if witness is None else f"NOT uniquely decodable: {witness}")
    table = (
        f"<table class='tg-t'><caption>{_e('; '.join(verdicts))}.</caption>"
        "<thead><tr><th>symbol</th><th>codeword</th><th>length</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )
    return f"{_STYLE}<div class='tg-wrap'>{table}</div><div class='tg-wrap'>{code_svg(code)}</div>"


@dataclass(frozen=True)
class Label:
    """A text box of the tree drawing: its centre, size (estimated from its characters) and text."""

    x: float
    y: float
    width: float
    height: float
    text: str
    vertical: bool
    kind: str  # "symbol" or "codeword"

    def overlaps(self, other: Label) -> bool:
        return (
            abs(self.x - other.x) * 2 < self.width + other.width
            and abs(self.y - other.y) * 2 < self.height + other.height
        )


@dataclass(frozen=True)
class _Tree:
    x: dict[str, float]  # node (a prefix) -> horizontal position
    leaves: list[str]  # the codewords in drawing order
    slot: float
    vertical: bool
    depth: int


def _layout(code: Code) -> _Tree | None:
    words = list(code.codewords.values())
    depth = max(len(w) for w in words)
    if len(words) > MAX_TREE_LEAVES or depth > MAX_TREE_DEPTH:
        return None
    nodes = {w[:k] for w in words for k in range(len(w) + 1)}
    vertical = len(words) >= VERTICAL_FROM
    by_word = {w: s for s, w in code.codewords.items()}
    if vertical:
        slot = 2 * LINE + 4  # two vertical lines of text side by side: symbol, codeword
    else:
        widest = max(max(len(by_word[w]), len(w)) for w in words)
        slot = max(44.0, CHAR * widest + 12)
    x: dict[str, float] = {}
    leaves: list[str] = []

    def place(node: str) -> float:
        children = [node + d for d in code.digits if node + d in nodes]
        if not children:
            leaves.append(node)
            x[node] = (len(leaves) - 0.5) * slot
        else:
            xs = [place(c) for c in children]
            x[node] = (min(xs) + max(xs)) / 2
        return x[node]

    place("")
    return _Tree(x, leaves, slot, vertical, depth)


def tree_labels(code: Code) -> list[Label]:
    """The text boxes :func:`code_svg` draws under the leaves (empty when the code gets no tree)."""
    tree = _layout(code)
    if tree is None:
        return []
    by_word = {w: s for s, w in code.codewords.items()}
    out = []
    for w, s in by_word.items():
        top = len(w) * ROW + 10
        if tree.vertical:
            h = CHAR * max(len(s), len(w))
            out.append(Label(tree.x[w] - LINE / 2, top + h / 2, LINE, h, s, True, "symbol"))
            out.append(Label(tree.x[w] + LINE / 2, top + h / 2, LINE, h, w, True, "codeword"))
        else:
            out.append(Label(tree.x[w], top + LINE / 2, CHAR * len(s), LINE, s, False, "symbol"))
            out.append(Label(tree.x[w], top + 1.5 * LINE, CHAR * len(w), LINE, w, False, "codeword"))
    return out


def code_svg(code: Code) -> str:
    """The code tree as an SVG string: root at the top, one row per digit, symbols and codewords under leaves.

    A codeword that is the beginning of another (a code that is not
    prefix-free) sits on an inner node, drawn in red. Codes of more than
    :data:`MAX_TREE_LEAVES` codewords or deeper than :data:`MAX_TREE_DEPTH`
    digits get a one-line note instead of a tree.
    """
    tree = _layout(code)
    if tree is None:
        return (
            f"<p>{len(code)} codewords, up to {max(code.lengths.values())} digits: too many to draw as a "
            "tree; the table above lists them.</p>"
        )
    by_word = {w: s for s, w in code.codewords.items()}
    labels = tree_labels(code)
    bottom = max(lab.y + lab.height / 2 for lab in labels) + 6
    width = len(tree.leaves) * tree.slot
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width:.0f} {bottom:.0f}' "
        f"width='{width:.0f}' style='max-width:100%;height:auto' role='img' "
        f"aria-label='code tree of {len(code)} codewords'>",
        "<style>text{font:12px system-ui,sans-serif}.sym{fill:#111}.cw{fill:#555;font-family:monospace}"
        ".dg{fill:#888;font-size:10px}line{stroke:#999;stroke-width:1.2}</style>",
    ]
    for node, nx in tree.x.items():
        if not node:
            continue
        parent = node[:-1]
        x0, y0, y1 = tree.x[parent], len(parent) * ROW + 6, len(node) * ROW + 6
        parts.append(f"<line x1='{x0:.1f}' y1='{y0:.1f}' x2='{nx:.1f}' y2='{y1:.1f}'/>")
        parts.append(
            f"<text class='dg' x='{(x0 + nx) / 2 + 3:.1f}' y='{(y0 + y1) / 2:.1f}'>{_e(node[-1])}</text>"
        )
    for node, nx in tree.x.items():
        colour = "#c44e52" if node in by_word and node not in tree.leaves else "#333"
        r = 4 if node in by_word else 2.5
        parts.append(f"<circle cx='{nx:.1f}' cy='{len(node) * ROW + 6:.1f}' r='{r}' fill='{colour}'/>")
    for lab in labels:
        cls = "sym" if lab.kind == "symbol" else "cw"
        if lab.vertical:
            top = lab.y - lab.height / 2
            parts.append(
                f"<text class='{cls}' x='{lab.x - 4:.1f}' y='{top:.1f}' "
                f"transform='rotate(90 {lab.x - 4:.1f} {top:.1f})'>{_e(lab.text)}</text>"
            )
        else:
            parts.append(
                f"<text class='{cls}' x='{lab.x:.1f}' y='{lab.y + 4:.1f}' text-anchor='middle'>"
                f"{_e(lab.text)}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)
