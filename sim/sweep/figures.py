"""Sweep figures, chosen from what varies, each measured against its theory curve.

- ``bits-vs-<path>``: measured bits/message (mean over replications, 95 %
  interval) against a varied number, with L and H as lines; drawn when L or H
  changes across the sweep.
- ``waits-vs-load``: measured mean wait against the offered load ρ with the
  Pollaczek–Khinchine curve W(ρ) = ρ·E[S²] / (2·E[S]·(1 − ρ)); drawn when
  links have Poisson arrivals and ρ varies.
- ``bits-vs-entropy``: measured bits/message against H(q) across the boxes
  of the sweep (random urns, say), with the band H ≤ L < H + 1 that a code
  built for its own box must land in; drawn when H takes three values or more.
- ``z-scores``: (measured − L) / standard error over every run, against the
  standard normal that a correct model gives.

Each function takes the per-point :class:`~sim.sweep.report.Summary` rows and
returns a matplotlib Figure not registered with pyplot.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.publish.plots_style import _LINK_COLOURS, Z95, _figure

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

from sim.sweep.report import PointLink, Summary

#: At most this many curves on one figure (the rest are left out and the caption says so).
MAX_SERIES = 10


@dataclass(frozen=True)
class SweepFigure:
    stem: str
    caption: str
    build: Callable[[], Figure]


def _number(text: str) -> float | None:
    try:
        x = float(text)
    except ValueError:
        return None
    return x if math.isfinite(x) else None


def _stem(column: str) -> str:
    """``links[*].arrivals.rate`` -> ``links-arrivals-rate``."""
    return re.sub(r"[^A-Za-z0-9]+", "-", column).strip("-") or "value"


def _varies(values: Sequence[float]) -> bool:
    return len(values) > 1 and max(values) - min(values) > 1e-12


def choose(summary: Summary) -> list[SweepFigure]:
    """The figures that say something about this sweep, in report order."""
    rows = summary.rows
    out: list[SweepFigure] = []
    if not rows:
        return out
    H = [r.entropy for r in rows]
    by_link: dict[str, list[PointLink]] = {}
    for r in rows:
        by_link.setdefault(r.link, []).append(r)
    theory_moves = any(
        _varies([r.expected_length for r in g]) or _varies([r.entropy for r in g]) for g in by_link.values()
    )
    if theory_moves:
        for k, column in enumerate(summary.columns):
            xs = [_number(r.values[k]) for r in rows]
            if all(x is not None for x in xs) and _varies([x for x in xs if x is not None]):
                out.append(
                    SweepFigure(
                        f"bits-vs-{_stem(column)}",
                        f"Measured bits/message against {column}, with L and H(q) from theory.",
                        functools.partial(bits_against, summary, k, column),
                    )
                )
    loads = {
        round(r.offered_load, 12) for r in rows if r.pk_mean_wait is not None and r.offered_load is not None
    }
    if len(loads) >= 2:
        out.append(
            SweepFigure(
                "waits-vs-load",
                "Measured mean wait against the offered load ρ, with the Pollaczek–Khinchine curve.",
                lambda: waits_against_load(summary),
            )
        )
    if len({round(h, 12) for h in H}) >= 3:
        out.append(
            SweepFigure(
                "bits-vs-entropy",
                "Measured bits/message against the entropy H(q) of each box, with the band H ≤ L < H + 1.",
                lambda: bits_against_entropy(summary),
            )
        )
    if summary.z:
        out.append(
            SweepFigure(
                "z-scores",
                "(measured − L) / standard error over every run, against the standard normal.",
                lambda: z_scores(summary),
            )
        )
    return out


def _axes(width: float, height: float) -> tuple[Figure, Any]:
    fig = _figure(width, height, (0.75, 0.55, 0.2, 0.35))
    return fig, fig.add_subplot()


def _series(summary: Summary, k: int) -> dict[tuple[str, tuple[str, ...]], list[PointLink]]:
    """Rows grouped by link and the other varied values (the x value is column ``k``)."""
    groups: dict[tuple[str, tuple[str, ...]], list[PointLink]] = {}
    for r in summary.rows:
        others = tuple(v for i, v in enumerate(r.values) if i != k)
        groups.setdefault((r.link, others), []).append(r)
    return groups


def _label(summary: Summary, link: str, others: tuple[str, ...], k: int) -> str:
    names = [c for i, c in enumerate(summary.columns) if i != k]
    extra = ", ".join(f"{c}={v}" for c, v in zip(names, others))
    return f"{link} ({extra})" if extra else link


def bits_against(summary: Summary, k: int, column: str) -> Figure:
    fig, ax = _axes(7.5, 4.5)
    groups = list(_series(summary, k).items())
    for i, ((link, others), rows) in enumerate(groups[:MAX_SERIES]):
        colour = _LINK_COLOURS[i % len(_LINK_COLOURS)]
        rows = sorted(rows, key=lambda r: float(r.values[k]))
        x = np.array([float(r.values[k]) for r in rows])
        y = np.array([r.bits for r in rows])
        e = np.array([Z95 * r.bits_se for r in rows])
        ax.errorbar(
            x,
            y,
            yerr=e,
            fmt="o",
            color=colour,
            ms=4,
            capsize=2,
            label=f"{_label(summary, link, others, k)}: measured",
        )
        ax.plot(
            x,
            [r.expected_length for r in rows],
            "-",
            color=colour,
            lw=1.2,
            label="L (theory)" if i == 0 else None,
        )
        ax.plot(
            x,
            [r.entropy for r in rows],
            "--",
            color=colour,
            lw=1.0,
            alpha=0.8,
            label="H(q)" if i == 0 else None,
        )
    ax.set_xlabel(column)
    ax.set_ylabel("bits per message")
    title = "Bits per message against " + column
    if len(groups) > MAX_SERIES:
        title += f" (first {MAX_SERIES} of {len(groups)} series)"
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small", loc="best", framealpha=0.9)
    return fig


def waits_against_load(summary: Summary) -> Figure:
    fig, ax = _axes(7.5, 4.5)
    links = list(dict.fromkeys(r.link for r in summary.rows if r.pk_mean_wait is not None))
    top = 0.0
    for i, link in enumerate(links[:MAX_SERIES]):
        colour = _LINK_COLOURS[i % len(_LINK_COLOURS)]
        rows = sorted(
            (r for r in summary.rows if r.link == link and r.pk_mean_wait is not None and r.offered_load),
            key=lambda r: r.offered_load or 0.0,
        )
        rho = np.array([r.offered_load for r in rows], dtype=float)
        w = np.array([r.mean_wait for r in rows])
        e = np.array([Z95 * r.wait_se for r in rows])
        ax.errorbar(rho, w, yerr=e, fmt="o", color=colour, ms=4, capsize=2, label=f"{link}: measured")
        # E[S²]/E[S] from each point's P-K value: W = ρ·m / (2(1 − ρ)) with m = E[S²]/E[S].
        m = np.array([2 * (r.pk_mean_wait or 0.0) * (1 - load) / load for r, load in zip(rows, rho)])
        if len(m) and np.ptp(m) <= 1e-9 * max(1.0, float(np.max(m))):
            grid = np.linspace(0, float(rho.max()), 200)
            ax.plot(
                grid,
                grid * m[0] / (2 * (1 - grid)),
                "-",
                color=colour,
                lw=1.2,
                label=f"{link}: Pollaczek–Khinchine",
            )
        else:
            ax.plot(
                rho,
                [r.pk_mean_wait for r in rows],
                "-",
                color=colour,
                lw=1.2,
                label=f"{link}: Pollaczek–Khinchine",
            )
        top = max(top, float(np.max(w + e)) if len(w) else 0.0)
    ax.set_xlabel("offered load ρ = λ·E[S]")
    ax.set_ylabel("mean wait before sending (s)")
    ax.set_title("Waiting at the telegraph office against the load")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, top * 1.1 if top > 0 else 1)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small", loc="upper left", framealpha=0.9)
    return fig


def bits_against_entropy(summary: Summary) -> Figure:
    fig, ax = _axes(6.5, 5.0)
    H = np.array([r.entropy for r in summary.rows])
    lo, hi = float(H.min()), float(H.max())
    pad = 0.05 * max(hi - lo, 0.1)
    grid = np.array([lo - pad, hi + pad])
    ax.fill_between(grid, grid, grid + 1, color="0.85", lw=0, label="H ≤ L < H + 1 (Huffman's band)")
    ax.plot(grid, grid, "k--", lw=1.0, label="L = H(q)")
    links = list(dict.fromkeys(r.link for r in summary.rows))
    for i, link in enumerate(links[:MAX_SERIES]):
        rows = [r for r in summary.rows if r.link == link]
        ax.scatter(
            [r.entropy for r in rows], [r.bits for r in rows], s=12,
            color=_LINK_COLOURS[i % len(_LINK_COLOURS)], label=f"{link}: measured", zorder=3,
        )  # fmt: skip
    ax.set_xlim(*grid)
    ax.set_xlabel("entropy H(q) of the box (bits)")
    ax.set_ylabel("measured bits per message")
    ax.set_title(f"Bits per message across {len({round(h, 12) for h in H})} boxes")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small", loc="upper left", framealpha=0.9)
    return fig


def z_scores(summary: Summary) -> Figure:
    fig, ax = _axes(6.5, 4.0)
    z = np.asarray(summary.z, dtype=float)
    edge = max(4.5, float(np.max(np.abs(z))) + 0.5) if len(z) else 4.5
    ax.hist(
        z, bins=np.linspace(-edge, edge, 37), density=True, color="#4c72b0", alpha=0.7, label=f"{len(z)} runs"
    )
    x = np.linspace(-edge, edge, 200)
    ax.plot(x, np.exp(-x * x / 2) / math.sqrt(2 * math.pi), "k-", lw=1.2, label="standard normal")
    ax.set_xlabel("(measured bits/message − L) / standard error")
    ax.set_ylabel("density")
    ax.set_title("Every run against theory: measured bits/message in standard errors from L")
    ax.legend(fontsize="small", framealpha=0.9)
    return fig


def png_bytes(fig: Any, dpi: int = 100) -> bytes:
    import io

    from sim.publish.plots import _metadata

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata=_metadata("png"))
    return buf.getvalue()
