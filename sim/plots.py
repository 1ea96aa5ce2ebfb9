"""Figures of a run: convergence, code trees, codeword budgets, urns and line waits.

Every function reads only the records of :mod:`sim.results` (or plain
mappings) and returns a :class:`matplotlib.figure.Figure`. matplotlib is
imported lazily, inside the functions, so importing this module (or
:mod:`sim.results`, or :mod:`coding`) never loads it. Figures are built with
the Agg backend and never shown; :func:`render_all` writes them to files.

Colours: a symbol that names a CSS colour (``blue``, ``red``, ``green`` …)
is drawn in that colour (``yellow`` as ``goldenrod``, to stay legible on
white); other symbols take colours from a fixed palette, in order.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeVar

import numpy as np

from coding import Code
from sim._text import printable
from sim.results import LinkResult, RunResult

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from sim.output import Folder

__all__ = [
    "FigureSpec",
    "DPI",
    "MAX_POINTS",
    "link_colours",
    "ambiguity_figure",
    "code_tree",
    "code_lengths",
    "codeword_budget",
    "convergence",
    "distributions",
    "figure_specs",
    "line_waits",
    "render_all",
    "slug",
    "file_stems",
    "link_stems",
    "urn_stems",
    "svg_markup",
    "symbol_colours",
    "teaching_specs",
    "write_figures",
]

MAX_POINTS = 2000
"""At most this many points of a convergence trace are drawn per line."""
MAX_SHOWN = 40
"""Bar figures show at most this many symbols; the least likely are merged into one."""
MAX_TREE_CODEWORDS, MAX_TREE_DEPTH = 64, 16
"""Larger codes are drawn as a histogram of codeword lengths instead of a tree."""
MAX_BINS = 200
DPI = 150
"""Resolution of the PNG files: sharp on a projector (a 7.5-inch figure is 1125 pixels wide)."""
"""A waiting-time histogram with more bins is drawn with neighbouring bins merged."""

Z95 = 1.959963984540054

_LEGIBLE = {"yellow": "goldenrod", "white": "gainsboro", "lightyellow": "khaki"}
_PALETTE = (
    "#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3",
    "#937860", "#da8bc3", "#8c8c8c", "#ccb974", "#64b5cd",
)  # fmt: skip
_LINK_COLOURS = (
    "#17becf", "#8e44ad", "#e377c2", "#7f7f7f", "#1f77b4", "#d62728",
    "#2ca02c", "#ff7f0e", "#8c564b", "#bcbd22",
)  # fmt: skip
#: Measured curves of different links differ by marker as well as colour, so equal curves stay visible.
_LINK_MARKERS = (None, "o", "s", "^", "D", "v", "P", "X")


def _hue_clash(colour: str, ball: str) -> bool:
    """True when ``colour`` would be read as the same colour name as ``ball`` (hue within 35°)."""
    from colorsys import rgb_to_hsv

    from matplotlib.colors import to_rgb

    h1, s1, v1 = rgb_to_hsv(*to_rgb(colour))
    h2, s2, v2 = rgb_to_hsv(*to_rgb(ball))
    if min(s1, s2) < 0.25 or min(v1, v2) < 0.2:  # greys and near-blacks carry no hue name
        return False
    d = abs(h1 - h2) * 360
    return min(d, 360 - d) < 35


def link_colours(result: RunResult) -> dict[str, str]:
    """A colour per link, avoiding the hues of balls named after a colour ("red", "blue", ...).

    A red line for a link would be read as "the red balls"; so when the urns
    name colours, link lines take hues none of them has (teal, purple, pink,
    grey first), and only fall back to the others when there are more links.
    """
    from matplotlib.colors import CSS4_COLORS

    balls = [c for c in symbol_colours(_all_symbols(result)).values() if not c.startswith("#")]
    balls = [c for c in balls if c in CSS4_COLORS or c in _LEGIBLE.values()]
    free = [c for c in _LINK_COLOURS if not any(_hue_clash(c, b) for b in balls)]
    order = free + [c for c in _LINK_COLOURS if c not in free]
    return {link.name: order[i % len(order)] for i, link in enumerate(result.links)}


def _mpl() -> None:
    """Import matplotlib with the non-interactive Agg backend (idempotent)."""
    import matplotlib

    if matplotlib.get_backend().lower() != "agg":
        matplotlib.use("Agg")


def _plain_text():
    """Text drawn as given: no mathtext (a colour named ``$x^$`` is a name, not a formula), no TeX."""
    _mpl()
    import warnings

    from matplotlib import rc_context

    stack = contextlib.ExitStack()
    stack.enter_context(rc_context({"text.parse_math": False, "text.usetex": False}))
    stack.enter_context(warnings.catch_warnings())
    warnings.filterwarnings("ignore", "Glyph .* missing from", UserWarning)  # an emoji colour, say
    return stack


_F = TypeVar("_F", bound=Callable[..., "Figure"])


def _plain(build: _F) -> _F:
    """Build the figure with :func:`_plain_text` in force (text objects keep it when drawn)."""

    @functools.wraps(build)
    def wrapper(*args: object, **kwargs: object) -> Figure:
        with _plain_text():
            return build(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _figure(
    width: float, height: float, margins: tuple[float, float, float, float] = (0.1, 0.1, 0.1, 0.4)
) -> Figure:
    """A new figure that is not registered with pyplot: nothing to show or leak.

    ``margins`` (left, bottom, right, top) are in inches, fixed rather than
    computed by a layout engine: that halves the time to save a figure, which
    matters when a run writes a dozen of them.
    """
    _mpl()
    from matplotlib.figure import Figure

    left, bottom, right, top = margins
    fig = Figure(figsize=(width, height))
    fig.subplots_adjust(
        left=left / width, bottom=bottom / height, right=1 - right / width, top=1 - top / height
    )
    return fig


# -- colours ------------------------------------------------------------------
def symbol_colours(symbols: Iterable[str]) -> dict[str, str]:
    """A colour per symbol: its own name when that is a CSS colour, else the palette.

    >>> symbol_colours(["blue", "yellow", "spam"])
    {'blue': 'blue', 'yellow': 'goldenrod', 'spam': '#4c72b0'}
    """
    from matplotlib.colors import CSS4_COLORS

    out: dict[str, str] = {}
    spare = 0
    for s in symbols:
        if s in out:
            continue
        name = s.strip().lower()
        if name in CSS4_COLORS:
            out[s] = _LEGIBLE.get(name, name)
        else:
            out[s] = _PALETTE[spare % len(_PALETTE)]
            spare += 1
    return out


def _colours_for(symbols: Iterable[str], colours: Mapping[str, str] | None) -> dict[str, str]:
    symbols = list(symbols)
    if colours is None:
        return symbol_colours(symbols)
    missing = [s for s in symbols if s not in colours]
    out = dict(colours)
    out.update({s: c for s, c in symbol_colours(missing).items() if s not in out})
    return out


def _ink(colour: str) -> str:
    """Black or white, whichever reads better on ``colour``."""
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(colour)
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.55 else "white"


_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def _power(base: int, exponent: int) -> str:
    """``base`` to the ``exponent`` in Unicode superscripts (no mathtext: it is slow).

    >>> _power(2, -3)
    '2⁻³'
    """
    return f"{base}{str(exponent).translate(_SUPERSCRIPT)}"


def _log_axis(axis, kind: Literal["count", "seconds"]) -> None:
    """A log axis with labels in one style and no minor ticks (they triple the drawing time).

    Counts are written plainly (1, 10, 100, 1,000, 10,000) while the axis
    stays below 10^5, and all as powers of ten (10⁰ … 10⁷) beyond, never a
    mix. An axis spanning less than two decades also gets ticks at 2 and 5
    times each power, so a 5-message run has more than one tick.
    """
    from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

    lo, hi = sorted(axis.get_view_interval())
    powers = kind == "count" and hi >= 1e5

    def label(v: float, _pos: object) -> str:
        if kind == "count":
            e = round(math.log10(v)) if v > 0 else 0
            if powers and math.isclose(v, 10.0**e):
                return _power(10, e)
            return f"{v:,.0f}" if v >= 1 else f"{v:g}"
        return f"{v:g}"

    few = lo > 0 and hi / lo < 100
    axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0) if few else (1.0,), numticks=12))
    axis.set_major_formatter(FuncFormatter(label))
    axis.set_minor_locator(NullLocator())


def _fmt(x: float | None, digits: int = 4) -> str:
    if x is None:
        return "–"
    if math.isinf(x):
        return "∞"
    return f"{x:.{digits}f}"


# -- 1. convergence -----------------------------------------------------------
def _decimate(messages: np.ndarray, max_points: int = MAX_POINTS) -> np.ndarray:
    """Indices of at most ``max_points`` points, evenly spread on a log axis.

    The first and last checkpoints are always kept.
    """
    n = len(messages)
    if n <= max_points:
        return np.arange(n)
    m = np.maximum(np.asarray(messages, dtype=float), 1.0)
    targets = np.geomspace(m[0], m[-1], max_points)
    idx = np.searchsorted(m, targets).clip(0, n - 1)
    idx = np.unique(np.concatenate(([0], idx, [n - 1])))
    if len(idx) > max_points:  # duplicates collapsed unevenly: thin linearly
        idx = idx[np.linspace(0, len(idx) - 1, max_points).round().astype(int)]
    return idx


@_plain
def convergence(result: RunResult, urn: str) -> Figure:
    """Running mean bits/message against messages for every link drawing from ``urn``.

    Each link gets its measured curve with a 95 % band (mean ± 1.96·se), in a
    colour no ball is named after and with its own marker, so equal curves
    stay visible; its expected length L and, when different from H(q), its
    cross entropy H(q, p) are labelled horizontal lines. Links with the same
    L share one line whose label names them all (the fixed code and scheme 2
    both cost 2 bits); an infinite H(q, p) is said in the legend, never
    dropped. The urn's entropy H(q) is a black dashed line. The legend sits
    below the axes, clear of the data. The x axis is logarithmic; traces are
    decimated to :data:`MAX_POINTS` points per line.
    """
    links = [link for link in result.links if link.source == urn]
    if not links:
        raise ValueError(f"'urn' must be the source of a link (got {urn!r})")
    colour_of = link_colours(result)
    # The horizontal theory lines, grouped where several links share a value.
    levels: dict[float, list[str]] = {}
    for link in links:
        key = next((k for k in levels if abs(k - link.theory.expected_length) <= 1e-9), None)
        levels.setdefault(link.theory.expected_length if key is None else key, []).append(link.name)
    entries = sum(1 for ln in links if ln.trace.messages) + len(levels) + 1
    entries += sum(1 for ln in links if _cross_entropy_line(ln) != "none")
    rows = -(-entries // 2)
    legend_in = 0.22 * rows + 0.15
    fig = _figure(7.5, 4.5 + legend_in, (0.75, 0.6 + legend_in, 0.2, 0.35))
    ax = fig.add_subplot()
    lo_x, hi_x = math.inf, 0.0
    for k, link in enumerate(links):
        colour = colour_of[link.name]
        t = link.trace
        if t.messages:
            n = np.asarray(t.messages, dtype=float)
            idx = _decimate(n)
            n = n[idx]
            mean = np.asarray(t.mean, dtype=float)[idx]
            se = np.asarray(t.std_error, dtype=float)[idx] if t.std_error else np.zeros_like(mean)
            ax.fill_between(n, mean - Z95 * se, mean + Z95 * se, color=colour, alpha=0.18, lw=0)
            marker = _LINK_MARKERS[k % len(_LINK_MARKERS)]
            ax.plot(
                n,
                mean,
                color=colour,
                lw=1.6,
                marker=marker,
                markevery=max(1, len(n) // 8),
                markersize=5,
                label=_label(f"{link.name}: measured ({link.code})"),
            )
            lo_x, hi_x = min(lo_x, n[0]), max(hi_x, n[-1])
    for level, names in levels.items():
        first = next(ln for ln in links if ln.name == names[0])
        same_ce = all(_cross_entropy_line(ln) == "same" for ln in links if ln.name in names)
        what = "L = H(q, p)" if same_ce else "L"
        ax.axhline(
            level,
            color=colour_of[first.name],
            ls="-.",
            lw=1.2,
            label=_label(f"{what} = {_fmt(level)} bits ({', '.join(names)})"),
        )
    for link in links:
        kind, ce = _cross_entropy_line(link), link.theory.cross_entropy
        if kind == "line":
            ax.axhline(
                ce,
                color=colour_of[link.name],
                ls=":",
                lw=1.4,
                label=_label(f"H(q, p) = {_fmt(ce)} bits ({link.name})"),
            )
        elif kind == "infinite":  # nothing to draw at ∞, but the reader is told
            ax.plot(
                [],
                [],
                color=colour_of[link.name],
                ls=":",
                lw=1.4,
                label=_label(f"H(q, p) = ∞ ({link.name}): p gives a colour q draws probability 0"),
            )
    h = links[0].theory.entropy
    ax.axhline(
        h, color="black", ls="--", lw=1.4, zorder=4, label=f"H(q) = {_fmt(h)} bits (urn {_label(urn)})"
    )
    if hi_x > 0:
        ax.set_xscale("log")
        ax.set_xlim(lo_x, max(hi_x, lo_x * 1.0001))
        _log_axis(ax.xaxis, "count")
    else:
        ax.text(
            0.5,
            0.5,
            "no convergence trace saved",
            transform=ax.transAxes,
            ha="center",
            va="center",
            color="grey",
        )
    ax.set_xlabel("messages sent")
    ax.set_ylabel("average bits per message")
    ax.set_title(f"Convergence to theory: source urn '{_label(urn)}'")
    ax.grid(True, which="major", alpha=0.3)
    fig.legend(
        *ax.get_legend_handles_labels(),
        loc="lower center",
        bbox_to_anchor=(0.5, 0.01),
        ncol=2,
        fontsize="small",
        frameon=False,
    )
    return fig


def _cross_entropy_line(link: LinkResult) -> Literal["none", "same", "line", "infinite"]:
    """How a link's H(q, p) is shown: not at all (= H(q)), merged with L, its own line, or said to be ∞."""
    th = link.theory
    ce = th.cross_entropy
    if math.isinf(ce):
        return "infinite"
    if not math.isfinite(ce) or abs(ce - th.entropy) <= 1e-9:
        return "none"
    return "same" if abs(ce - th.expected_length) <= 1e-9 else "line"


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


def _rect(xy: tuple[float, float], w: float, h: float, **kw: object):
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


def _merge(shares: Mapping[str, float], shown: Sequence[str], others: str) -> dict[str, float]:
    """``shares`` of the ``shown`` symbols, the rest summed under ``others``."""
    keep = set(shown)
    out = {s: shares.get(s, 0.0) for s in shown}
    out[others] = float(sum(v for s, v in shares.items() if s not in keep))
    return out


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


# -- 4. distributions ---------------------------------------------------------
_HATCHES = ("", "//", "..", "xx", "\\\\", "oo")


@_plain
def distributions(
    urns: Mapping[str, Mapping[str, float]],
    *,
    colours: Mapping[str, str] | None = None,
) -> Figure:
    """The urns' distributions side by side, each bar annotated with −log2 p(x).

    −log2 p(x) is the information of drawing x: the ideal codeword length in
    bits for a code built on that urn (∞ for a colour the urn lacks).
    """
    if not urns:
        raise ValueError("'urns' must name at least one distribution (got none)")
    symbols = list(dict.fromkeys(s for pmf in urns.values() for s in pmf))
    note = ""
    if len(symbols) > MAX_SHOWN:  # summarise: the most likely colours, the rest as one bar
        weight = {s: max(float(pmf.get(s, 0.0)) for pmf in urns.values()) for s in symbols}
        shown = sorted(symbols, key=lambda s: -weight[s])[: MAX_SHOWN - 1]
        others = f"{len(symbols) - len(shown)} others"
        urns = {
            name: _merge({s: float(p) for s, p in pmf.items()}, shown, others) for name, pmf in urns.items()
        }
        colours = {**_colours_for(shown, colours), others: "lightgrey"}
        symbols = [*shown, others]
        note = f" ({others} summed in one bar)"
    colours = _colours_for(symbols, colours)
    k = len(urns)
    width = 0.8 / k
    fig = _figure(max(5.5, 1.0 + 0.55 * k * len(symbols)), 4.2, (0.65, 0.45, 0.15, 0.35))
    ax = fig.add_subplot()
    top = 0.0
    for i, (name, pmf) in enumerate(urns.items()):
        xs = np.arange(len(symbols)) + (i - (k - 1) / 2) * width
        ps = [float(pmf.get(s, 0.0)) for s in symbols]
        hatch = _HATCHES[i % len(_HATCHES)]
        ax.bar(
            xs,
            ps,
            width=width * 0.95,
            color=[colours[s] for s in symbols],
            edgecolor="black",
            hatch=hatch,
            alpha=1.0 if i == 0 else 0.75,
        )
        for x, p in zip(xs, ps):
            info = "∞" if p <= 0 else f"{-math.log2(p):.2f}"
            ax.text(x, p + 0.01, info, ha="center", va="bottom", fontsize=8)
        top = max(top, *ps)
        ax.bar([np.nan], [np.nan], color="white", edgecolor="black", hatch=hatch, label=_label(name))
    ax.set_xticks(np.arange(len(symbols)), [printable(s) for s in symbols])
    ax.set_ylim(0, top * 1.18 + 0.02)
    ax.set_ylabel("p(x)")
    ax.set_title(f"Urn distributions; above each bar −log2 p(x), in bits{note}")
    ax.legend(title="urn", fontsize="small")
    return fig


# -- 5. line waits ------------------------------------------------------------
def _has_waits(link: LinkResult) -> bool:
    """True when some telegram waited: a histogram with a count beyond the zero bin."""
    return sum(link.line.wait_hist_counts[1:]) > 0


def _positive_bins(edges: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The bins above zero, trimmed of empty ends, with finite positive edges.

    Bin 0 holds exact zeros. A bin that starts at 0 or ends at inf (the
    engine's catch-alls below and above its log-spaced range) is drawn one
    neighbouring bin-width (in log terms) wide.
    """
    lo, hi, c = edges[1:-1].copy(), edges[2:].copy(), counts[1:]
    if len(c) == 0:
        return np.array([1.0, 10.0]), np.zeros(1)
    used = np.flatnonzero(c)
    a, b = used[0], used[-1] + 1
    lo, hi, c = lo[a:b], hi[a:b], c[a:b]
    ok = (lo > 0) & np.isfinite(hi)
    ratio = float(np.median(hi[ok] / lo[ok])) if ok.any() else 10.0
    if lo[0] <= 0:
        lo[0] = hi[0] / ratio
    if not np.isfinite(hi[-1]):
        hi[-1] = lo[-1] * ratio
    return np.concatenate((lo[:1], hi)), c


@_plain
def line_waits(link: LinkResult) -> Figure:
    """Histogram of telegram waiting times, with the simulated and P–K means.

    The left panel counts telegrams that did not wait at all (for Poisson
    arrivals a fraction 1 − ρ of them); the right panel, on a log axis, the
    waits above zero. The Pollaczek–Khinchine mean λE[S²] / (2(1 − ρ)) is
    marked when the theory provides it (Poisson arrivals).

    ``wait_hist_edges`` has one more entry than ``wait_hist_counts``; bin 0
    counts the waits of exactly 0.

    Raises ``ValueError`` when the link has no histogram or no telegram waited.
    """
    if not _has_waits(link):
        raise ValueError(f"link {link.name!r} has no waiting-time histogram (no telegram waited)")
    line, th = link.line, link.theory
    edges = np.asarray(line.wait_hist_edges, dtype=float)
    counts = np.asarray(line.wait_hist_counts, dtype=float)
    total = counts.sum()
    fig = _figure(8.0, 4.0, (0.85, 0.55, 0.15, 0.6))
    zero_ax, ax = fig.subplots(1, 2, width_ratios=(1, 6), gridspec_kw={"wspace": 0.25})
    zero_ax.bar([0], [counts[0]], width=0.6, color="lightgrey", edgecolor="black")
    zero_ax.set_xticks([0], ["0"])
    zero_ax.set_xlim(-0.6, 0.6)
    zero_ax.set_ylabel("telegrams")
    zero_ax.set_title(f"no wait: {counts[0] / total:.1%}", fontsize="small")
    pos_edges, pos_counts = _positive_bins(edges, counts)
    merged = ""
    if len(pos_counts) > MAX_BINS:  # a tampered or huge histogram: merge neighbouring bins
        group = -(-len(pos_counts) // MAX_BINS)
        starts = np.arange(0, len(pos_counts), group)
        pos_counts = np.add.reduceat(pos_counts, starts)
        pos_edges = np.append(pos_edges[starts], pos_edges[-1])
        merged = f", every {group} bins merged"
    ax.stairs(pos_counts, pos_edges, fill=True, color="steelblue", alpha=0.6, label="waiting times > 0")
    ax.set_xscale("log")
    _log_axis(ax.xaxis, "seconds")
    ax.set_xlabel("waiting time before transmission (s)")
    if line.mean_wait > 0:
        ax.axvline(
            line.mean_wait, color="black", lw=1.8, label=f"simulated mean wait = {line.mean_wait:.4g} s"
        )
    predicted, formula = th.pk_mean_wait, "Pollaczek–Khinchine"
    if th.shared_mean_wait is not None:  # a shared wire: mixed P-K, or Cobham's with priorities
        formula = "Cobham" if (th.line_classes or 1) > 1 else "mixed Pollaczek–Khinchine"
        predicted = th.shared_mean_wait
    if predicted is not None and predicted > 0 and math.isfinite(predicted):
        ax.axvline(predicted, color="red", ls="--", lw=1.8, label=f"{formula} W = {predicted:.4g} s")
    rho = line.utilisation
    rho_text = f"utilisation ρ = {rho:.3f}"
    if th.utilisation is not None:
        rho_text += f" (theory λE[S] = {th.utilisation:.3f})"
    ax.plot([], [], " ", label=rho_text)
    ax.legend(fontsize="small", loc="upper left")
    fig.suptitle(f"{link.name}: waiting times on the line, {rho_text}{merged}", fontsize="medium")
    return fig


# -- all figures of a run -----------------------------------------------------
FigureKind = Literal["convergence", "code", "budget", "distributions", "waits"]


@dataclass(frozen=True)
class FigureSpec:
    """One figure of a run, built on demand: file ``stem``, ``kind`` and ``subject``.

    ``subject`` is the urn (convergence), the link (code, budget, waits) or ""
    (distributions). ``build()`` returns a new Figure.
    """

    stem: str
    kind: FigureKind
    subject: str
    caption: str
    build: Callable[[], Figure]


MAX_STEM = 80
"""File-name stems are at most this long (longer names are cut and get a hash)."""


def _hash(name: str) -> str:
    return hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def slug(name: str) -> str:
    """A file-name-safe form of a link or urn name (long names cut, with a hash of the whole).

    >>> slug("india → australia / huffman")
    'india-australia-huffman'
    >>> len(slug("x" * 300)) <= MAX_STEM
    True
    """
    s = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "unnamed"
    if len(s) > MAX_STEM:
        s = f"{s[: MAX_STEM - 9].rstrip('-.')}-{_hash(name)}"
    return s


def file_stems(names: Iterable[str]) -> dict[str, str]:
    """A distinct file-name stem per name: names whose slugs collide are told apart, never merged.

    Two names collide when their slugs match ignoring case (as on macOS and
    Windows file systems). A name that is its own slug keeps it when it is
    the only such name in its group; every other member gets a hash of its
    full name appended.

    >>> file_stems(["x", "x-", "x."])
    {'x': 'x', 'x-': 'x-c8b60efc', 'x.': 'x-c92f00b1'}
    """
    names = list(dict.fromkeys(names))
    base = {n: slug(n) for n in names}
    groups: dict[str, list[str]] = {}
    for n in names:
        groups.setdefault(base[n].lower(), []).append(n)
    out: dict[str, str] = {}
    for members in groups.values():
        exact = [n for n in members if base[n] == n]
        for n in members:
            keep = len(members) == 1 or (exact == [n])
            out[n] = base[n] if keep else f"{base[n][: MAX_STEM - 9]}-{_hash(n)}"
    seen: set[str] = set()
    for n in names:  # a hash that meets another name's slug: count on
        stem, k = out[n], 2
        while stem.lower() in seen:
            stem, k = f"{out[n]}-{k}", k + 1
        out[n] = stem
        seen.add(stem.lower())
    return out


def link_stems(result: RunResult) -> dict[str, str]:
    """The file-name stem of each link of ``result`` (``code-<stem>.png`` …)."""
    return file_stems(link.name for link in result.links)


def urn_stems(result: RunResult) -> dict[str, str]:
    """The file-name stem of each source urn of ``result`` (``convergence-<stem>.png``)."""
    return file_stems(link.source for link in result.links)


def _label(text: str) -> str:
    """A legend label shown as given (matplotlib hides labels that start with '_')."""
    return f" {text}" if text.startswith("_") else text


def _urns_of(result: RunResult) -> dict[str, dict[str, float]]:
    urns: dict[str, dict[str, float]] = {}
    for link in result.links:
        urns.setdefault(link.source, dict(link.source_distribution))
    for link in result.links:
        if link.built_for and link.built_for not in urns:
            urns[link.built_for] = dict(link.assumed_distribution)
    return urns


def _all_symbols(result: RunResult) -> list[str]:
    return list(
        dict.fromkeys(
            s
            for link in result.links
            for s in [*link.source_distribution, *link.codewords, *link.assumed_distribution]
        )
    )


def _code_figure(codewords: Mapping[str, str], title: str, colours: Mapping[str, str]) -> Figure:
    if len(codewords) > MAX_TREE_CODEWORDS or max(map(len, codewords.values()), default=0) > MAX_TREE_DEPTH:
        return code_lengths(codewords, _alphabet_size(codewords), title=title)
    code = Code(codewords, _alphabet_size(codewords))
    if code.is_uniquely_decodable:
        return code_tree(code, title=title, colours=colours)
    return ambiguity_figure(code, title=title, colours=colours)


def _code_specs(
    stem: str,
    name: str,
    code_name: str,
    codewords: Mapping[str, str],
    probabilities: Mapping[str, float],
    colours: Mapping[str, str],
) -> list[FigureSpec]:
    """The code tree (or witness) and codeword-budget figures of one link."""
    title = f"{name} ({code_name})"
    return [
        FigureSpec(
            f"code-{stem}",
            "code",
            name,
            f"Code '{code_name}' of link '{name}'.",
            lambda: _code_figure(codewords, title, colours),
        ),
        FigureSpec(
            f"budget-{stem}",
            "budget",
            name,
            f"Codeword budget of '{code_name}' beside the source probabilities q(x).",
            lambda: codeword_budget(
                codewords, probabilities, _alphabet_size(codewords), title=title, colours=colours
            ),
        ),
    ]


def teaching_specs(
    urns: Mapping[str, Mapping[str, float]],
    links: Sequence[tuple[str, str, Mapping[str, str], str]],
) -> list[FigureSpec]:
    """The figures ``telegraph explain --plots`` draws, without any simulation.

    ``urns`` maps urn name to its distribution; ``links`` holds (link name,
    code name, codewords, urn name). A code that is not uniquely decodable is
    drawn as its witness: one bit string, two parses.
    """
    symbols = [s for d in urns.values() for s in d] + [s for _, _, w, _ in links for s in w]
    colours = symbol_colours(list(dict.fromkeys(symbols)))
    specs = [
        FigureSpec(
            "distributions",
            "distributions",
            "",
            "The urns' distributions and −log2 p(x).",
            lambda: distributions(urns, colours=colours),
        )
    ]
    stems = file_stems(name for name, _, _, _ in links)
    for name, code_name, codewords, urn in links:
        specs += _code_specs(stems[name], name, code_name, codewords, urns[urn], colours)
    return specs


def _alphabet_size(codewords: Mapping[str, str]) -> int:
    """The smallest D whose digits ``0-9a-z`` cover every codeword (at least 2)."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    used = {c for w in codewords.values() for c in w}
    return max(2, 1 + max((digits.index(c) for c in used), default=1))


def figure_specs(result: RunResult) -> list[FigureSpec]:
    """Every figure of ``result``, in report order, each built only when asked."""
    colours = symbol_colours(_all_symbols(result))
    link_stem, urn_stem = link_stems(result), urn_stems(result)
    specs: list[FigureSpec] = []
    urns = _urns_of(result)
    if urns:
        specs.append(
            FigureSpec(
                "distributions",
                "distributions",
                "",
                "The urns' distributions and −log2 p(x).",
                lambda: distributions(urns, colours=colours),
            )
        )
    for urn in dict.fromkeys(link.source for link in result.links):
        specs.append(
            FigureSpec(
                f"convergence-{urn_stem[urn]}",
                "convergence",
                urn,
                f"Running mean bits/message of the links drawing from '{urn}'.",
                lambda urn=urn: convergence(result, urn),
            )
        )
    for link in result.links:
        stem = link_stem[link.name]
        specs += _code_specs(stem, link.name, link.code, link.codewords, link.source_distribution, colours)
        if _has_waits(link):
            specs.append(
                FigureSpec(
                    f"waits-{stem}",
                    "waits",
                    link.name,
                    f"Waiting times on the line of '{link.name}'.",
                    lambda link=link: line_waits(link),
                )
            )
    return specs


def render_all(
    result: RunResult,
    out_dir: Path | str | Folder,
    *,
    formats: Sequence[str] = ("png",),
    dpi: int = DPI,
    inline: dict[str, str] | None = None,
) -> list[Path]:
    """Write every figure of ``result`` into ``out_dir``; return the paths written.

    Files are named ``distributions``, ``convergence-<urn>``, ``code-<link>``,
    ``budget-<link>`` and ``waits-<link>`` (only links with a waiting-time
    histogram), one file per format. When ``inline`` is a dict, each figure is
    also stored there as inline SVG markup under its stem, so that
    :func:`sim.report.write_report` can reuse it instead of drawing again.
    """
    return write_figures(figure_specs(result), out_dir, formats=formats, dpi=dpi, inline=inline)


def write_figures(
    specs: Sequence[FigureSpec],
    out_dir: Path | str | Folder,
    *,
    formats: Sequence[str] = ("png",),
    dpi: int = DPI,
    inline: dict[str, str] | None = None,
) -> list[Path]:
    """Build each figure of ``specs`` in turn, write it in every format and close it.

    Files are written through :meth:`sim.output.Folder.write`: never through
    a symbolic link planted in ``out_dir``.
    """
    from sim.output import opened

    drawn = _draw_all(specs, tuple(formats), dpi, inline is not None)
    paths: list[Path] = []
    with opened(out_dir) as folder:  # one writer: only this process writes, in report order
        for spec, (files, svg) in zip(specs, drawn):
            for fmt in formats:
                paths.append(folder.write(f"{spec.stem}.{fmt}", files[fmt]))
            if inline is not None and svg is not None:
                inline[spec.stem] = svg
    return paths


_Drawn = tuple[dict[str, bytes], "str | None"]


def _draw(spec: FigureSpec, formats: tuple[str, ...], dpi: int, want_svg: bool) -> _Drawn:
    """Build one figure and return its files (bytes per format) and, if asked, its inline SVG."""
    import io

    fig = spec.build()
    try:
        files: dict[str, bytes] = {}
        for fmt in formats:
            buf = io.BytesIO()
            with _plain_text():
                fig.savefig(buf, format=fmt, dpi=dpi, metadata=_metadata(fmt))
            files[fmt] = buf.getvalue()
        svg = svg_markup(fig, id_prefix=f"{spec.stem}-") if want_svg else None
    finally:
        fig.clear()
    return files, svg


def figure_workers() -> int:
    """Processes that draw figures: 2 where two CPUs are free to this process, else 1.

    ``TELEGRAPH_FIGURE_WORKERS=1`` draws everything in this process (the
    benchmark's control); no value above 2 is used.
    """
    import os

    asked = os.environ.get("TELEGRAPH_FIGURE_WORKERS", "")
    if asked.strip() in {"1", "2"}:
        return int(asked)
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return 2 if cpus >= 2 and hasattr(os, "fork") else 1


def _draw_all(
    specs: Sequence[FigureSpec], formats: tuple[str, ...], dpi: int, want_svg: bool
) -> list[_Drawn]:
    """Every figure drawn, in order; with two workers a forked child draws every other one.

    The child only draws (matplotlib is already imported, so it starts at
    once) and sends the bytes back through a pipe; it writes no file. If it
    fails or is killed, this process draws its share itself; on Ctrl-C or
    SIGTERM the child is killed and reaped before the exception goes on.
    """
    import os
    import pickle

    if figure_workers() < 2 or len(specs) < 4:
        return [_draw(s, formats, dpi, want_svg) for s in specs]
    _mpl()  # import matplotlib before forking, once for both processes
    theirs = list(range(1, len(specs), 2))
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: draw its share, send it, leave without running any cleanup of the parent's
        status = 1
        try:
            os.close(read_end)
            data = pickle.dumps([_draw(specs[i], formats, dpi, want_svg) for i in theirs])
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(data)
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    done: dict[int, _Drawn] = {}
    reaped = False
    try:
        with os.fdopen(read_end, "rb") as pipe:
            for i in range(0, len(specs), 2):
                done[i] = _draw(specs[i], formats, dpi, want_svg)
            data = pipe.read()
        _, status = os.waitpid(pid, 0)
        reaped = True
        if status == 0 and data:
            done.update(zip(theirs, pickle.loads(data)))
    finally:
        if not reaped:
            import signal

            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(pid, 0)
    for i in theirs:  # the child failed: draw its share here
        if i not in done:
            done[i] = _draw(specs[i], formats, dpi, want_svg)
    return [done[i] for i in range(len(specs))]


def svg_markup(fig: Figure, id_prefix: str = "") -> str:
    """The figure as an ``<svg>`` element to paste into HTML, free of any URL.

    Text stays text (``svg.fonttype: none``), so it is searchable and small.
    The XML declaration, DOCTYPE, metadata block and namespace declarations
    (all of which carry w3.org or purl.org URLs) are removed: an HTML parser
    puts an inline ``<svg>`` in the SVG namespace and understands
    ``xlink:href`` without them. ``id_prefix`` is put before every element
    id (and every reference to one), so that several figures can share one
    HTML page without clashing ids.
    """
    import io

    from matplotlib import rc_context

    buf = io.StringIO()
    with _plain_text(), rc_context({"svg.fonttype": "none"}):
        fig.savefig(buf, format="svg", metadata=_metadata("svg"))
    text = buf.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.S)
    text = re.sub(r'\s+xmlns(?::[\w-]+)?="[^"]*"', "", text)
    if id_prefix:
        text = re.sub(r'(\sid="|url\(#|href="#)([^")]+)', lambda m: f"{m[1]}{id_prefix}{m[2]}", text)
    return text


def _metadata(fmt: str) -> dict[str, str | None]:
    if fmt == "svg":
        return {"Date": None, "Creator": None, "Type": None, "Format": None}
    if fmt == "pdf":
        return {"CreationDate": None, "Creator": None, "Producer": None}
    if fmt == "png":
        return {"Software": None}
    return {}
