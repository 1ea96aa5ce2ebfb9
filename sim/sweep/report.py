"""A finished sweep's summary per point, its figures and its self-contained ``report.html``.

:func:`aggregate` reads ``points.csv`` rows once and keeps one record per
point × link (replications averaged), so memory grows with the points, not
with the runs. :func:`write_outputs` draws the figures that
:func:`sim.sweep.figures.choose` picks and writes the report beside them;
the page reuses the run report's style and its inline-SVG figures.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sim.publish.output import Folder
from sim.publish.report import _e, _figure, page_head
from sim.sweep.spec import Sweep

__all__ = ["PointLink", "Summary", "aggregate", "write_outputs"]

REPORT = "report.html"
#: The report lists at most this many point × link rows (points.csv has them all).
MAX_TABLE_ROWS = 300


@dataclass
class PointLink:
    """One point × link, replications averaged; ``*_se`` are standard errors of those means."""

    point: int
    link: str
    values: tuple[str, ...]
    replications: int
    bits: float
    bits_se: float
    expected_length: float
    entropy: float
    cross_entropy: float
    kl_divergence: float
    utilisation: float
    mean_wait: float
    wait_se: float
    offered_load: float | None
    pk_mean_wait: float | None
    checks: int
    checks_failed: int
    checks_inconclusive: int


@dataclass
class Summary:
    columns: tuple[str, ...]
    rows: list[PointLink] = field(default_factory=list)
    z: list[float] = field(default_factory=list)
    checks_failed: int = 0
    checks: int = 0
    expected_false_alarms: float = 0.0


def _f(text: str) -> float:
    return float(text) if text else math.nan


def _mean_se(xs: list[float], fallback_se: float) -> tuple[float, float]:
    """Mean over replications and its standard error (one replication: the run's own error)."""
    n = len(xs)
    m = sum(xs) / n
    if n == 1:
        return m, fallback_se
    var = sum((x - m) ** 2 for x in xs) / (n - 1)
    return m, math.sqrt(var / n)


def aggregate(sweep: Sweep, rows: Iterable[list[str]]) -> Summary:
    """Per point × link averages from ``points.csv`` rows (the header row first)."""
    it = iter(rows)
    header = next(it)
    col = {name: i for i, name in enumerate(header)}
    nv = len(sweep.columns)
    out = Summary(columns=sweep.columns)
    current: dict[str, list[list[str]]] = {}
    current_point = -1

    def flush() -> None:
        for link, group in current.items():
            bits = [_f(g[col["bits_per_message"]]) for g in group]
            waits = [_f(g[col["mean_wait"]]) for g in group]
            b, bse = _mean_se(bits, _f(group[0][col["std_error"]]))
            w, wse = _mean_se(waits, _f(group[0][col["wait_std_error"]]))
            first = group[0]
            load, pk = first[col["offered_load"]], first[col["pk_mean_wait"]]
            rec = PointLink(
                point=current_point,
                link=link,
                values=tuple(first[3 : 3 + nv]),
                replications=len(group),
                bits=b,
                bits_se=bse,
                expected_length=_f(first[col["expected_length"]]),
                entropy=_f(first[col["entropy"]]),
                cross_entropy=_f(first[col["cross_entropy"]]),
                kl_divergence=_f(first[col["kl_divergence"]]),
                utilisation=sum(_f(g[col["utilisation"]]) for g in group) / len(group),
                mean_wait=w,
                wait_se=wse,
                offered_load=float(load) if load else None,
                pk_mean_wait=float(pk) if pk else None,
                checks=sum(int(g[col["checks"]]) for g in group),
                checks_failed=sum(int(g[col["checks_failed"]]) for g in group),
                checks_inconclusive=sum(int(g[col["checks_inconclusive"]]) for g in group),
            )
            out.rows.append(rec)
            out.checks += rec.checks
            out.checks_failed += rec.checks_failed
        current.clear()

    for row in it:
        p = int(row[0])
        if p != current_point:
            flush()
            current_point = p
        current.setdefault(row[col["link"]], []).append(row)
        out.expected_false_alarms += _f(row[col["expected_false_alarms"]])
        se = _f(row[col["std_error"]])
        if se > 0:
            out.z.append((_f(row[col["bits_per_message"]]) - _f(row[col["expected_length"]])) / se)
    flush()
    return out


def write_outputs(sweep: Sweep, summary: Summary, folder: Folder) -> list[str]:
    """Draw the chosen figures (PNG) and ``report.html`` into ``folder``; return the file names."""
    from sim.publish.plots import svg_markup
    from sim.sweep.figures import choose, png_bytes

    written: list[str] = []
    inline: list[tuple[str, str, str]] = []
    for spec in choose(summary):
        fig = spec.build()
        try:
            folder.write(f"{spec.stem}.png", png_bytes(fig))
            inline.append((spec.stem, spec.caption, svg_markup(fig, id_prefix=f"{spec.stem}-")))
        finally:
            fig.clear()
        written.append(f"{spec.stem}.png")
    folder.write(REPORT, report_html(sweep, summary, inline))
    written.append(REPORT)
    return written


def _num(x: float | None, digits: int = 4) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if math.isinf(x):
        return "∞"
    return f"{x:.{digits}f}"


def report_html(sweep: Sweep, summary: Summary, figures: list[tuple[str, str, str]]) -> str:
    """The sweep's page: what varied, the checks, the figures and a table of points."""
    parts = page_head(f"telegraph sweep: {sweep.name}")
    if sweep.description:
        parts.append(f"<p>{_e(sweep.description)}</p>")
    parts.append(
        f'<p class="meta">scenario {_e(Path(sweep.scenario_source).name)} · {len(sweep.points):,} point(s) × '
        f"{sweep.replications:,} replication(s) = {sweep.tasks:,} runs · seed {sweep.seed} · "
        f"{'messages ' + format(sweep.messages, ',') if sweep.messages else 'messages as in the scenario'}"
        f" per link</p>"
    )
    parts += ["<h2>What varies</h2>", "<table><thead><tr><th>path</th><th>values</th></tr></thead><tbody>"]
    for k, c in enumerate(sweep.columns):
        vals = list(dict.fromkeys(r.values[k] for r in summary.rows))
        shown = ", ".join(vals[:12]) + (f", … ({len(vals)} values)" if len(vals) > 12 else "")
        parts.append(f"<tr><td><code>{_e(c)}</code></td><td>{_e(shown)}</td></tr>")
    if not sweep.columns:
        parts.append("<tr><td>(nothing)</td><td>replications of the base scenario only</td></tr>")
    parts.append("</tbody></table>")
    cls = "pass" if summary.checks_failed == 0 else "fail"
    parts += [
        "<h2>Checks</h2>",
        f'<p><span class="{cls}">{summary.checks_failed} of {summary.checks:,} checks failed</span> '
        f"across every run; their stated false-alarm rates add up to "
        f"{summary.expected_false_alarms:.2f} FAILs expected from a correct model. A few is chance; "
        "many more, or a cluster at some points, is a finding.</p>",
    ]
    for stem, caption, markup in figures:
        parts.append(_figure(markup, caption, stem))
    parts += [
        "<h2>Points</h2>",
        '<table class="points"><thead><tr><th>point</th>'
        + "".join(f"<th>{_e(c)}</th>" for c in sweep.columns)
        + "<th>link</th><th>bits/message</th><th>± 95 %</th><th>L</th><th>H(q)</th><th>ρ</th>"
        "<th>mean wait s</th><th>P–K s</th><th>checks failed</th></tr></thead><tbody>",
    ]
    for r in summary.rows[:MAX_TABLE_ROWS]:
        parts.append(
            f'<tr><td class="num">{r.point}</td>'
            + "".join(f"<td>{_e(v)}</td>" for v in r.values)
            + f'<td>{_e(r.link)}</td><td class="num">{_num(r.bits)}</td>'
            f'<td class="num">{_num(1.959963984540054 * r.bits_se)}</td>'
            f'<td class="num">{_num(r.expected_length)}</td><td class="num">{_num(r.entropy)}</td>'
            f'<td class="num">{_num(r.offered_load, 3)}</td><td class="num">{_num(r.mean_wait)}</td>'
            f'<td class="num">{_num(r.pk_mean_wait)}</td>'
            f'<td class="num">{r.checks_failed}/{r.checks}</td></tr>'
        )
    parts.append("</tbody></table>")
    if len(summary.rows) > MAX_TABLE_ROWS:
        parts.append(
            f'<p class="meta">The first {MAX_TABLE_ROWS} of {len(summary.rows):,} rows; '
            "points.csv has every run.</p>"
        )
    parts += [
        '<p class="meta">Written by telegraph sweep. This file is self-contained: no external resources.</p>',
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(parts)
