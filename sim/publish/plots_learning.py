"""The figures of an adaptive link: its training curve beside its regret, and what the model learned.

A part of :mod:`sim.publish.plots`. Each function reads only a
:class:`sim.model.results.LinkResult` with its :class:`sim.model.results.Learning`
record and returns a new Figure.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.model.results import Learning, LinkResult
from sim.publish.numbers import fixed
from sim.publish.plots_style import (
    _LINK_COLOURS,
    MAX_SHOWN,
    _figure,
    _label,
    _log_axis,
    _plain,
    symbol_colours,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["estimates", "training_curve"]

#: Snapshots of the model's estimate drawn at most (spread over the run's decades).
MAX_SNAPSHOTS = 5
#: The windows of the training curve: at least this many balls …
WINDOW_BALLS = 16
#: … and this many times the balls before them.
WINDOW_GROWTH = 10 ** (1 / 3)


def _learning(link: LinkResult) -> Learning:
    if link.learning is None:
        raise ValueError(f"'link' must be an adaptive link (got {link.code_type!r} link {link.name!r})")
    return link.learning


def _balls_axes(ax: Any, ylabel: str, title: str, legend: str) -> None:
    """A log axis of balls sent, the labels, a grid and the legend."""
    ax.set_xscale("log")
    _log_axis(ax.xaxis, "count")
    ax.set_xlabel("balls sent")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize="small", loc=legend, framealpha=0.9)


def _windows(n: np.ndarray) -> np.ndarray:
    """Indices of the checkpoints that end the windows: each window at least :data:`WINDOW_BALLS`
    balls and :data:`WINDOW_GROWTH` times longer than the balls before it (a third of a decade)."""
    ends: list[int] = []
    start = 0.0
    for i, x in enumerate(n.tolist()):
        if x - start >= WINDOW_BALLS and x >= start * WINDOW_GROWTH:
            ends.append(i)
            start = x
    if not ends or ends[-1] != n.size - 1:
        ends.append(n.size - 1)
    return np.asarray(ends, dtype=np.int64)


@_plain
def training_curve(link: LinkResult) -> Figure:
    """Bits per ball as the model learns (running and per window), beside the cumulative regret and its bound.

    Left: the running mean of the bits sent, the running ideal Σ −log2 p̂_t(x_t)/n, the bits per ball
    of each window between checkpoints, LZ78 on the same stream, the entropy H(q) it falls towards
    and the prior's cross entropy it starts from. Right: the regret against the best fixed model in
    hindsight and the prior's bound (KT or Laplace), both in bits, against the balls sent.
    """
    learned = _learning(link)
    fig = _figure(11.0, 4.8, (0.7, 0.6, 0.25, 0.65))
    ax, bx = fig.subplots(1, 2, gridspec_kw={"wspace": 0.25})
    pts = np.asarray(learned.points, dtype=float)
    t = link.trace
    if t.messages:
        n = np.asarray(t.messages, dtype=float)
        bits = np.asarray(t.mean, dtype=float) * n
        ax.plot(n, bits / n, color=_LINK_COLOURS[0], lw=1.8, label="bits sent per ball (running)")
        ends = _windows(n)
        edges, sums = np.concatenate(([0.0], n[ends])), np.concatenate(([0.0], bits[ends]))
        window = np.diff(sums) / np.diff(edges)
        ax.stairs(window, edges, color=_LINK_COLOURS[0], lw=0.9, alpha=0.6, baseline=None,
                  label="bits per ball in each window")  # fmt: skip
    if pts.size:
        ax.plot(pts, np.asarray(learned.ideal) / pts, color=_LINK_COLOURS[1], ls="--", lw=1.3,
                label="ideal Σ −log2 p̂_t(x_t) / n")  # fmt: skip
        covered = np.asarray(learned.lz78_covered, dtype=float)
        ok = covered > 0
        ax.plot(covered[ok], np.asarray(learned.lz78, dtype=float)[ok] / covered[ok], color=_LINK_COLOURS[2],
                ls="-.", lw=1.3, label="LZ78 on the same balls (no model)")  # fmt: skip
    h = link.theory.entropy
    ax.axhline(h, color="black", ls="--", lw=1.3, label=f"H(q) = {fixed(h)} bits")
    start = link.theory.cross_entropy
    if math.isfinite(start) and abs(start - h) > 1e-9:
        ax.axhline(start, color="grey", ls=":", lw=1.2, label=f"prior's H(q, α/A) = {fixed(start)}")
    top = max(start if math.isfinite(start) else h, h) + 0.6
    ax.set_ylim(max(0.0, h - 0.6), top)
    _balls_axes(ax, "bits per ball", "The bill as a training curve", "upper right")
    if pts.size:
        regret = np.asarray(learned.ideal) - np.asarray(learned.empirical)
        bx.plot(pts, regret, color=_LINK_COLOURS[0], lw=1.8, label="regret: ideal − n·H(empirical)")
        bounds = np.asarray(learned.regret_bounds, dtype=float)
        if np.isfinite(bounds).any():
            name = {"kt": "KT", "laplace": "Laplace"}.get(learned.prior, "Dirichlet (α ≥ ½)")
            bx.plot(pts, bounds, color="black", ls="--", lw=1.3, label=f"{name} bound (every sequence)")
    _balls_axes(bx, "bits", "Cumulative regret and its bound", "upper left")
    fig.suptitle(_label(f"Link '{link.name}': {learned.coder} coding learns urn '{link.source}'"))
    return fig


@_plain
def estimates(link: LinkResult) -> Figure:
    """The model's estimate p̂ = (n(x) + α(x)) / (n + A) at a few snapshots, against the box's q.

    One group of bars per colour (the :data:`sim.publish.plots_style.MAX_SHOWN` likeliest), one bar
    per snapshot, lighter for earlier ones; the box's own share is a black bar outline.
    """
    learned = _learning(link)
    alpha = np.asarray(learned.pseudo_counts, dtype=float)
    symbols = list(learned.symbols)
    q = np.array([link.source_distribution.get(s, 0.0) for s in symbols])
    shown = sorted(range(len(symbols)), key=lambda i: -q[i])[:MAX_SHOWN]
    snaps = [(n, c) for n, c in zip(learned.snapshot_points, learned.snapshot_counts) if n >= 10]
    if len(snaps) > MAX_SNAPSHOTS:
        snaps = [snaps[i] for i in np.linspace(0, len(snaps) - 1, MAX_SNAPSHOTS).round().astype(int)]
    fig = _figure(7.5, 4.4, (0.75, 0.6, 0.2, 0.4))
    ax = fig.add_subplot()
    x = np.arange(len(shown), dtype=float)
    width = 0.8 / (len(snaps) + 1)
    hue = symbol_colours(["learned"])["learned"]
    for j, (n, counts) in enumerate(snaps):
        est = (np.asarray(counts, dtype=float) + alpha) / (n + alpha.sum())
        ax.bar(x + j * width, est[shown], width, color=hue, alpha=0.3 + 0.7 * (j + 1) / len(snaps),
               label=f"p̂ after {n:,} balls")  # fmt: skip
    ax.bar(x + len(snaps) * width, q[shown], width, facecolor="none", edgecolor="black", lw=1.3,
           label="the box's q")  # fmt: skip
    ax.set_xticks(x + 0.4 - width / 2)
    ax.set_xticklabels([_label(symbols[i]) for i in shown], rotation=30 if len(shown) > 6 else 0)
    ax.set_ylabel("probability")
    ax.set_title(_label(f"What '{link.name}' learned about urn '{link.source}'"))
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend(fontsize="small", framealpha=0.9)
    return fig
