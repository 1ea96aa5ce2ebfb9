"""The figures of a run's measurements: convergence of bits/message, the urns, the line's waits.

A part of :mod:`sim.publish.plots`, which re-exports the public names. Each function
reads only :mod:`sim.model.results` records (or plain mappings) and returns a new
Figure.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal

import numpy as np

from sim.model.results import LinkResult, RunResult
from sim.publish.numbers import fixed
from sim.publish.plots_style import (
    _LEGIBLE,
    _LINK_COLOURS,
    _LINK_MARKERS,
    MAX_BINS,
    MAX_POINTS,
    MAX_SHOWN,
    Z95,
    _colours_for,
    _figure,
    _hue_clash,
    _label,
    _log_axis,
    _merge,
    _plain,
    symbol_colours,
)
from sim.publish.text import printable

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure


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


def link_colours(result: RunResult) -> dict[str, str]:
    """A colour per link, avoiding the hues of balls named after a colour ("red", "blue", ...).

    A red line for a link would be read as "the red balls"; so when the urns
    name colours, link lines take hues none of them has (teal, purple, pink,
    grey first), and only fall back to the others when there are more links.
    """
    from matplotlib.colors import CSS4_COLORS

    balls = [c for c in symbol_colours(_symbols_of(result)).values() if not c.startswith("#")]
    balls = [c for c in balls if c in CSS4_COLORS or c in _LEGIBLE.values()]
    free = [c for c in _LINK_COLOURS if not any(_hue_clash(c, b) for b in balls)]
    order = free + [c for c in _LINK_COLOURS if c not in free]
    return {link.name: order[i % len(order)] for i, link in enumerate(result.links)}


def _symbols_of(result: RunResult) -> list[str]:
    """Every symbol a run names: its urns' colours, its codes' and the assumed distributions'."""
    return list(
        dict.fromkeys(
            s
            for link in result.links
            for s in [*link.source_distribution, *link.codewords, *link.assumed_distribution]
        )
    )


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
            label=_label(f"{what} = {fixed(level)} bits ({', '.join(names)})"),
        )
    for link in links:
        kind, ce = _cross_entropy_line(link), link.theory.cross_entropy
        if kind == "line":
            ax.axhline(
                ce,
                color=colour_of[link.name],
                ls=":",
                lw=1.4,
                label=_label(f"H(q, p) = {fixed(ce)} bits ({link.name})"),
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
        h, color="black", ls="--", lw=1.4, zorder=4, label=f"H(q) = {fixed(h)} bits (urn {_label(urn)})"
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


# -- road to the entropy: block codes ----------------------------------------
def block_links(result: RunResult, urn: str) -> list[LinkResult]:
    """The block-code links drawing from ``urn``, by order k."""
    found = [link for link in result.links if link.source == urn and link.theory.block_order]
    return sorted(found, key=lambda link: link.theory.block_order or 0)


@_plain
def road_blocks(result: RunResult, urn: str) -> Figure:
    """Bits per ball against the block length k, between the bounds H and H + 1/k.

    Each block link of ``urn`` shows its measured bits per ball with a 95 %
    band (1.96 theoretical standard errors) and its expected L_k/k; the
    entropy H(q) and the bound H + 1/k frame them.
    """
    links = block_links(result, urn)
    if not links:
        raise ValueError(f"'urn' must be the source of a block-code link (got {urn!r})")
    fig = _figure(6.5, 4.2, (0.75, 0.55, 0.2, 0.35))
    ax = fig.add_subplot()
    ks = np.array([link.theory.block_order for link in links], dtype=float)
    h = links[0].theory.entropy
    grid = np.arange(1, int(ks.max()) + 1, dtype=float)
    ax.plot(grid, h + 1 / grid, color="grey", ls=":", marker=".", label="H + 1/k (Huffman's bound per ball)")
    ax.axhline(h, color="black", ls="--", lw=1.4, label=f"H(q) = {fixed(h)} bits (urn {urn})")
    expected = [link.theory.expected_length for link in links]
    ax.plot(ks, expected, color=_LINK_COLOURS[0], ls="-.", marker="s", label="L_k / k (theory)")
    means = np.array([link.bits_per_message for link in links])
    errors = np.array([Z95 * link.theory_std_error for link in links])
    ax.errorbar(ks, means, yerr=errors, color=_LINK_COLOURS[1], fmt="o", capsize=4,
                label="measured bits per ball (95 %)")  # fmt: skip
    ax.set_xticks(grid)
    ax.set_xlabel("block length k (balls per codeword)")
    ax.set_ylabel("bits per ball")
    ax.set_title(f"Block codes close in on the entropy: urn '{urn}'")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small", loc="upper right", framealpha=0.9)
    return fig


def _cross_entropy_line(link: LinkResult) -> Literal["none", "same", "line", "infinite"]:
    """How a link's H(q, p) is shown: not at all (= H(q)), merged with L, its own line, or said to be ∞."""
    th = link.theory
    ce = th.cross_entropy
    if link.learning is not None:  # an adaptive link's p is only its prior: its training figure shows it
        return "none"
    if math.isinf(ce):
        return "infinite"
    if not math.isfinite(ce) or abs(ce - th.entropy) <= 1e-9:
        return "none"
    return "same" if abs(ce - th.expected_length) <= 1e-9 else "line"


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
