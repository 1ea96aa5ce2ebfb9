"""Figures of a noisy line: message error rate against the flip probability, resynchronisation lengths.

A part of :mod:`sim.publish.plots`. :func:`error_rates` draws, for every link
of the run on a noisy line, its message error rate against ε with a theory
curve, the quick simulated points the engine made for it
(:func:`sim.engine.noisy.quick_error_rates`) and the run's own measured point.
Theory: exact for a fixed-length code of l bits (1 − (1 − b)^l, b the bit
error after the channel decoder); for a variable-length code the small-ε
approximation ε·L·E[R] (each flip costs E[R] messages, :func:`coding.resync.resync_mean`) with b in place of ε
behind a channel code (then only a guide: a failed block flips several bits).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from coding import Code
from coding import channel as ch
from coding.resync import resync_mean
from sim.model.kinds import CODE_KINDS
from sim.model.results import LinkResult, RunResult
from sim.publish.plots_style import _LINK_COLOURS, _figure, _log_axis, _plain

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

CURVE = np.geomspace(1e-5, 0.1, 60)


def noisy_links(result: RunResult) -> list[LinkResult]:
    return [link for link in result.links if link.errors is not None]


def _channel(name: str) -> ch.Repetition | ch.Hamming74 | ch.Parity | None:
    if name.startswith("repetition-"):
        return ch.Repetition(int(name.split("-")[1]))
    if name.startswith("parity-") and name != "parity-telegram":
        return ch.Parity(int(name.split("-")[1]))
    return ch.Hamming74() if name == "hamming74" else None


def _bit_error(eps: np.ndarray, code: object) -> np.ndarray:
    if isinstance(code, ch.Repetition):
        return np.array([ch.repetition_bit_error(float(e), code.n) for e in eps])
    if isinstance(code, ch.Hamming74):
        return np.array([ch.hamming74_bit_error(float(e)) for e in eps])
    return eps


def theory_curve(link: LinkResult, eps: np.ndarray) -> np.ndarray:
    """Message error rate theory gives (or approximates) at each ε, for a BSC.

    NaN (no curve: the quick runs and the run's own point still show) for a
    stream code and for parity per telegram, whose figures depend on more
    than the record keeps (docs/theory.md has them).
    """
    if CODE_KINDS[link.code_type].stream is not None or (
        link.errors and link.errors.channel == "parity-telegram"
    ):
        return np.full(eps.shape, math.nan)
    code = Code(link.codewords)
    q = link.source_distribution
    b = _bit_error(eps, _channel(link.errors.channel if link.errors else ""))
    lengths = {len(w) for w in link.codewords.values()}
    if len(lengths) == 1:
        return 1.0 - (1.0 - b) ** lengths.pop()
    probs = [q.get(s, 0.0) for s in code.symbols]
    L = sum(p * len(code.codewords[s]) for p, s in zip(probs, code.symbols))
    return np.minimum(1.0, b * L * resync_mean(code, probs))


@_plain
def error_rates(result: RunResult) -> Figure:
    """Message error rate against ε: theory curves, quick simulated points, the run's own points."""
    fig = _figure(6.4, 4.2, (0.8, 0.6, 0.2, 0.4))
    ax = fig.add_subplot(1, 1, 1)
    for k, link in enumerate(noisy_links(result)[: len(_LINK_COLOURS)]):
        colour = _LINK_COLOURS[k % len(_LINK_COLOURS)]
        label = link.name + (f" + {link.errors.channel}" if link.errors and link.errors.channel else "")
        ys = theory_curve(link, CURVE)
        exact = len({len(w) for w in link.codewords.values()}) == 1
        kind = "measured" if np.isnan(ys).all() else "theory" if exact else "≈ ε·L·E[R]"
        ax.plot(CURVE, np.maximum(ys, 1e-12), color=colour, lw=1.2, label=f"{label} ({kind})")
        e = link.errors
        if e is not None and e.quick_flips:
            ax.plot(e.quick_flips, np.maximum(e.quick_error_rates, 1e-7), "o", color=colour, ms=4, mfc="none")
        if e is not None and math.isfinite(e.flip) and e.message_error_rate > 0:
            ax.plot([e.flip], [e.message_error_rate], "*", color=colour, ms=11)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(1e-7, 1.5)
    _log_axis(ax.xaxis, "seconds")  # plain labels: 1e-05 … 0.1
    _log_axis(ax.yaxis, "seconds")
    ax.set_xlabel("flip probability ε")
    ax.set_ylabel("message error rate")
    ax.set_title("Message errors on a noisy line (o: quick runs, *: this run)", fontsize=10)
    ax.legend(fontsize=7, loc="lower right")
    return fig


@_plain
def resync_lengths(link: LinkResult) -> Figure:
    """Histogram of the error events' resynchronisation lengths (messages until back in step)."""
    fig = _figure(5.0, 3.2, (0.8, 0.6, 0.2, 0.4))
    ax = fig.add_subplot(1, 1, 1)
    hist = link.errors.resync_hist if link.errors else ()
    r = np.arange(len(hist))
    ax.bar(r[1:], hist[1:], color=_LINK_COLOURS[0])
    ax.set_xlabel("resynchronisation length (messages)")
    ax.set_ylabel("error events")
    e = link.errors
    if e is not None and e.error_events:
        ax.set_title(f"{link.name}: mean {e.resync_mean:.3g}, p95 {e.resync_p95:g}, max {e.resync_max}")
    return fig
