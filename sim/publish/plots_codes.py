"""The figures of a code: its tree (or an ambiguity witness), its codeword budget, its lengths.

A part of :mod:`sim.publish.plots`, which re-exports the public names. The functions
take a :class:`coding.Code` or a codeword mapping and return a new Figure.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from coding import Code
from sim.publish.plots_style import (
    MAX_SHOWN,
    _colours_for,
    _figure,
    _ink,
    _label,
    _merge,
    _plain,
    _power,
)
from sim.publish.text import printable

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure


# -- 2. code tree and ambiguity -----------------------------------------------
def _as_code(codewords: Mapping[str, str] | Code, D: int) -> Code:
    return codewords if isinstance(codewords, Code) else Code(codewords, D)


@_plain
def code_tree(
    codewords: Mapping[str, str] | Code,
    D: int = 2,
    *,
    title: str | None = None,
    colours: Mapping[str, str] | None = None,
) -> Figure:
    """The code tree: one branch per digit, each codeword a coloured node.

    Works for any D (a D-ary tree). Branches no codeword uses are drawn as
    hollow grey stubs: the Kraft budget the code leaves unused. Codewords that
    sit on an inner node (a code that is not prefix-free) are drawn there too.
    Each codeword node is labelled ``symbol`` and ``codeword``.
    """
    code = _as_code(codewords, D)
    D = code.D
    digits = code.digits
    words = dict(code.codewords)
    owner = {w: s for s, w in words.items()}
    prefixes = {w[:k] for w in words.values() for k in range(len(w) + 1)}
    colours = _colours_for(code.symbols, colours)

    pos: dict[str, tuple[float, float]] = {}
    stubs: list[str] = []
    next_x = [0.0]

    def place(node: str) -> float:
        kids = [node + d for d in digits]
        if not any(k in prefixes for k in kids):
            x = next_x[0]
            next_x[0] += 1.0
        else:
            xs = []
            for k in kids:
                if k in prefixes:
                    xs.append(place(k))
                else:
                    stubs.append(k)
                    pos[k] = (next_x[0], -len(k))
                    xs.append(next_x[0])
                    next_x[0] += 1.0
            x = sum(xs) / len(xs)
        pos[node] = (x, -len(node))
        return x

    place("")
    width = max(next_x[0], 1.0)
    depth = max(len(w) for w in words.values())
    fig_w = min(max(5.0, 0.95 * width + 1.0), 16.0)
    # Leaf labels ("symbol" over "codeword") fit side by side when a slot is wider than the longest;
    # otherwise they are turned upright (one line, read bottom to top) so neighbours never overlap.
    slot_in = (fig_w - 0.2) / (width + 0.4)
    longest = max(max(len(printable(s)), len(w)) for s, w in words.items())
    upright = longest * 9 * 0.62 / 72 > 0.92 * slot_in
    label_in = (longest + 2) * 9 * 0.62 / 72 if upright else 0.0
    fig = _figure(
        fig_w,
        max(3.0, 1.05 * depth + 1.8 + label_in),
        (0.1, 0.1, 0.1, 0.6 if title else 0.35),
    )
    ax = fig.add_subplot()
    for node, (x, y) in pos.items():
        if node:
            px, py = pos[node[:-1]]
            stub = node in stubs
            ax.plot(
                [px, x],
                [py, y],
                color="lightgrey" if stub else "dimgrey",
                ls="--" if stub else "-",
                lw=1.2,
                zorder=1,
            )
            ax.text(
                (px + x) / 2,
                (py + y) / 2,
                node[-1],
                ha="center",
                va="center",
                fontsize=9,
                color="grey" if stub else "black",
                bbox=dict(boxstyle="circle,pad=0.15", fc="white", ec="none"),
                zorder=2,
            )
    for node, (x, y) in pos.items():
        if node in owner:
            s = owner[node]
            ax.scatter([x], [y], s=380, color=colours[s], edgecolors="black", zorder=3)
            is_leaf = not any(node + d in prefixes for d in digits)
            if is_leaf and upright:
                ax.text(
                    x,
                    y - 0.3,
                    f"{printable(s)}  {node}",
                    ha="center",
                    va="top",
                    rotation=90,
                    fontsize=9,
                    zorder=4,
                )
            elif is_leaf:
                ax.text(x, y - 0.32, f"{printable(s)}\n{node}", ha="center", va="top", fontsize=9, zorder=4)
            else:
                ax.text(x + 0.25, y, f"{printable(s)}\n{node}", ha="left", va="center", fontsize=9, zorder=4)
        elif node in stubs:
            ax.scatter([x], [y], s=160, facecolors="white", edgecolors="lightgrey", zorder=3)
            ax.text(x, y - 0.25, "unused", ha="center", va="top", fontsize=7, color="grey")
        else:
            ax.scatter([x], [y], s=40, color="dimgrey", zorder=3)
    ax.set_xlim(-0.7, width - 0.3)
    rows_per_in = (depth + 1.5) / (1.05 * depth + 1.8)  # tree rows per inch of axes height, before labels
    ax.set_ylim(-depth - 1.0 - label_in * rows_per_in, 0.5)
    ax.set_axis_off()
    kind = "prefix-free" if code.is_prefix_free else "not prefix-free"
    head = f"{title}\n" if title else ""
    ax.set_title(f"{head}{D}-ary code tree ({kind}), Kraft sum K = {_kraft_text(code)}", fontsize="medium")
    return fig


def _kraft_text(code: Code) -> str:
    k = code.kraft_sum
    if k.denominator == 1:
        return str(k)
    return f"{k} = {float(k):.4g}" if k.denominator < 10**6 else f"{float(k):.6g}"


@_plain
def ambiguity_figure(
    code: Mapping[str, str] | Code,
    D: int = 2,
    *,
    title: str | None = None,
    colours: Mapping[str, str] | None = None,
) -> Figure:
    """The witness that a code is not uniquely decodable: one string, two parses.

    The digits sit in a row; the first parse is bracketed above, the second
    below, each segment coloured and labelled with its symbol.

    Raises ``ValueError`` for a uniquely decodable code (there is no witness).
    """
    code = _as_code(code, D)
    w = code.ambiguity()
    if w is None:
        raise ValueError("'code' is uniquely decodable: it has no ambiguous string to draw")
    colours = _colours_for(code.symbols, colours)
    n = len(w.string)
    fig = _figure(max(4.5, 0.7 * n + 2.5), 3.4, (0.1, 0.1, 0.1, 0.6 if title else 0.35))
    ax = fig.add_subplot()
    for i, digit in enumerate(w.string):
        ax.add_patch(_rect((i - 0.45, -0.4), 0.9, 0.8, fc="white", ec="black"))
        ax.text(i, 0, digit, ha="center", va="center", fontsize=14, family="monospace")
    for parse, y, sign, name in ((w.first, 0.75, 1, "parse 1"), (w.second, -0.75, -1, "parse 2")):
        start = 0
        for s in parse:
            cw = code[s]
            end = start + len(cw)
            x0, x1 = start - 0.45, end - 1 + 0.45
            tip = y - sign * 0.2
            ax.plot([x0, x0, x1, x1], [tip, y, y, tip], color=colours[s], lw=3, solid_capstyle="butt")
            ax.text(
                (x0 + x1) / 2,
                y + sign * 0.12,
                f"{printable(s)} ({cw})",
                ha="center",
                va="bottom" if sign > 0 else "top",
                fontsize=10,
                color="black",
                bbox=dict(boxstyle="round,pad=0.2", fc=colours[s], alpha=0.35, ec="none"),
            )
            start = end
        ax.text(-0.8, y, name, ha="right", va="center", fontsize=10, style="italic")
    ax.set_xlim(-2.2, n)
    ax.set_ylim(-1.6, 1.6)
    ax.set_axis_off()
    head = f"{title}\n" if title else ""
    parses = f"{printable('·'.join(w.first))} = {printable('·'.join(w.second))}"
    ax.set_title(f"{head}not uniquely decodable: '{w.string}' = {parses}")
    return fig


def _rect(xy: tuple[float, float], w: float, h: float, **kw: Any) -> Any:
    from matplotlib.patches import Rectangle

    return Rectangle(xy, w, h, **kw)


# -- 3. codeword budget -------------------------------------------------------
@_plain
def codeword_budget(
    codewords: Mapping[str, str] | Code,
    probabilities: Mapping[str, float],
    D: int = 2,
    *,
    title: str | None = None,
    colours: Mapping[str, str] | None = None,
) -> Figure:
    """Each codeword's share D^−l(x) of the unit interval, above the probabilities p(x).

    The "cost of a codeword" picture: a short codeword spends a large share of
    the budget. Budget left unused (Kraft sum K < 1) is hatched grey; an
    overspent budget (K > 1, no uniquely decodable code) runs past the red
    line at 1.
    """
    code = _as_code(codewords, D)
    D = code.D
    symbols = list(dict.fromkeys([*code.symbols, *probabilities]))
    top = {s: float(D) ** -len(code[s]) for s in code.symbols}
    bottom = {s: float(probabilities.get(s, 0.0)) for s in symbols}
    note = ""
    if len(symbols) > MAX_SHOWN:  # summarise: the most likely symbols, the rest as one grey share
        shown = sorted(symbols, key=lambda s: (-bottom[s], len(code[s]) if s in top else 0))[: MAX_SHOWN - 1]
        others = f"{len(symbols) - len(shown)} others"
        top = _merge(top, shown, others)
        bottom = _merge(bottom, shown, others)
        symbols = [*shown, others]
        colours = {**_colours_for(shown, colours), others: "lightgrey"}
        note = f" ({others} merged)"
    colours = _colours_for(symbols, colours)
    ncol = min(len(symbols) + 1, 8)
    legend_rows = -(-(len([v for v in top.values() if v > 0]) + 1) // ncol)  # every symbol, and "unused"
    legend_in = 0.24 * legend_rows  # the figure grows so that every row of the legend is inside it
    fig = _figure(9.0, 3.2 + legend_in, (1.25, 0.8 + legend_in, 0.2, 0.35))
    ax = fig.add_subplot()
    rows = ((1.0, top, True), (0.0, bottom, False))
    total_top = 0.0
    for y, shares, is_code in rows:
        left = 0.0
        for s, share in shares.items():
            if share <= 0:
                continue
            ax.barh(
                y,
                share,
                left=left,
                height=0.6,
                color=colours[s],
                edgecolor="black",
                label=_label(printable(s)) if is_code else None,
            )
            if share >= 0.045:
                if is_code and s in code.codewords:
                    text = f"{code[s]}\n{_power(D, -len(code[s]))}"
                else:
                    text = f"{printable(s)}\n{share:.3g}" if not is_code else ""
                ax.text(
                    left + share / 2, y, text, ha="center", va="center", fontsize=8, color=_ink(colours[s])
                )
            left += share
        if is_code:
            total_top = left
            if left < 1 - 1e-12:
                ax.barh(
                    y,
                    1 - left,
                    left=left,
                    height=0.6,
                    color="whitesmoke",
                    edgecolor="grey",
                    hatch="//",
                    label="unused",
                )
    ax.axvline(1.0, color="red" if total_top > 1 + 1e-12 else "black", lw=1.0)
    ax.set_xlim(0, max(1.0, total_top) * 1.005)
    ax.set_ylim(-0.5, 1.5)
    ax.set_yticks([1.0, 0.0], [f"code: {D}^−l(x)", "source: p(x)"])
    ax.set_xlabel("share of the unit interval")
    head = f"{title}: " if title else ""
    ax.set_title(f"{head}codeword budget, Kraft sum K = {_kraft_text(code)}{note}")
    fig.legend(
        *ax.get_legend_handles_labels(),
        loc="lower center",
        bbox_to_anchor=(0.5, 0.02),
        ncol=ncol,
        fontsize="small",
        frameon=False,
    )
    return fig


@_plain
def code_lengths(codewords: Mapping[str, str], D: int = 2, *, title: str | None = None) -> Figure:
    """How many codewords have each length: the picture of a code too large to draw as a tree."""
    lengths = np.fromiter((len(w) for w in codewords.values()), dtype=np.int64, count=len(codewords))
    values, counts = np.unique(lengths, return_counts=True)
    fig = _figure(7.5, 3.8, (0.75, 0.55, 0.2, 0.6 if title else 0.35))
    ax = fig.add_subplot()
    ax.bar(values, counts, width=0.8, color="steelblue", edgecolor="black")
    ax.set_xlabel(f"codeword length l (digits, D = {D})")
    ax.set_ylabel("codewords")
    head = f"{title}\n" if title else ""
    ax.set_title(
        f"{head}{len(codewords):,} codewords of length {values.min()}–{values.max()}: "
        "too large for a tree, lengths shown",
        fontsize="medium",
    )
    return fig
