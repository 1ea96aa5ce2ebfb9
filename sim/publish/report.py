"""``report.html``: one self-contained page per run.

The page holds everything inline: the figures as SVG (text stays text), the
CSS, the numbers and the checks. It references no URL of any kind, so it
opens offline, can be mailed as one file and projected in a lecture hall.
All text from the result is escaped with :func:`html.escape`.

:func:`render_from_folder` redraws the figures and the report of a saved
results folder (``summary.json`` and ``trace.csv``) without simulating.
"""

from __future__ import annotations

import base64
import html
import io
import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sim.model.kinds import MAX_LISTED
from sim.model.results import LinkResult, RunResult, StreamCode
from sim.publish.numbers import OVERHEAD_MARK, OVERHEAD_NOTE, fixed, seconds, signed, stream_code_table
from sim.publish.report_noise import noise_section

if TYPE_CHECKING:  # pragma: no cover
    from sim.publish.output import Folder

__all__ = ["HOW_TO_READ", "notebook_html", "render_from_folder", "write_report"]

REPORT_NAME = "report.html"
MAX_CODE_ROWS = 1000
"""The code table of a link shows at most this many symbols."""

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
       margin: 2rem auto; max-width: 74rem; padding: 0 1rem; color: #222; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { border-bottom: 2px solid #ddd; padding-bottom: .2rem; margin-top: 2.5rem; }
h3 { margin-top: 1.5rem; }
table { border-collapse: collapse; margin: .6rem 0 1rem; font-size: .92rem; }
th, td { border: 1px solid #ccc; padding: .25rem .6rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.pass { color: #11691b; font-weight: bold; }
.fail { color: #b00020; font-weight: bold; }
.inconclusive { color: #8a5a00; font-weight: bold; }
.meta { color: #555; }
figure { margin: 1rem 0 2rem; overflow-x: auto; max-width: 100%; }
figure svg, figure img { width: 100%; min-width: min(var(--natural, 34rem), 60rem);
                         max-width: calc(var(--natural, 60rem) * 4 / 3); height: auto;
                         display: block; }
/* On a phone a table scrolls sideways inside its column instead of running off the page. */
table { display: block; max-width: 100%; overflow-x: auto; }
dl.read dt { font-weight: bold; margin-top: .6rem; }
dl.read dd { margin-left: 1.2rem; }
@media (max-width: 40rem) { body { margin: 1rem auto; padding: 0 .6rem; } table { font-size: .85rem; } }
figcaption { color: #555; font-size: .9rem; }
pre { background: #f7f7f7; border: 1px solid #ddd; padding: .8rem; overflow-x: auto;
      font-size: .85rem; }
nav ul { columns: 2; }
""".strip()


def _e(x: object) -> str:
    return html.escape(str(x), quote=True)


def _int(n: int) -> str:
    return f"{n:,}"


def _rows(rows: Sequence[tuple[str, str, str]]) -> str:
    """Table rows of (quantity, value, note); value is right-aligned."""
    return "\n".join(
        f'<tr><th scope="row">{_e(a)}</th><td class="num">{_e(b)}</td><td>{_e(c)}</td></tr>'
        for a, b, c in rows
    )


def _numbers_table(link: LinkResult) -> str:
    th, line = link.theory, link.line
    lo, hi = link.ci95()
    iid = link.replacement
    rows: list[tuple[str, str, str]] = [
        (
            "measured bits/message",
            fixed(link.bits_per_message),
            f"sample 95 % interval [{fixed(lo)}, {fixed(hi)}] (sample standard error "
            f"{link.std_error:.3g}, for display); theoretical standard error {link.theory_std_error:.3g} "
            "from Var(l), used by the check" + ("" if iid else ", both with the finite-population factor"),
        ),
        ("expected length L(q)", fixed(th.expected_length), "Σ q(x) l(x), bits/message"),
        (
            "entropy H(q)",
            fixed(th.entropy),
            "the least any uniquely decodable code can average on an i.i.d. source"
            if iid
            else "the least a code for single balls can average; this box is not i.i.d. (below)",
        ),
        (
            "cross entropy H(q, p)",
            fixed(th.cross_entropy),
            "draws from q coded for p (the article writes H_p(q))",
        ),
        ("KL divergence D(q‖p)", fixed(th.kl_divergence), "H(q, p) − H(q): extra bits for assuming p"),
        (
            ("overhead L − H(q)", fixed(th.implied_kl), OVERHEAD_NOTE.removeprefix("* "))
            if link.stream
            else (
                "D(q‖r) − log2 K",
                f"{fixed(th.implied_kl)} − {signed(th.log_kraft)}",
                "r = 2^−l / K, the code's implied distribution; L = H(q) + D(q‖r) − log2 K "
                "(an identity of algebra, a theory line, not a check of the run)",
            )
        ),
        ("Kraft sum K", fixed(th.kraft_sum), "Σ 2^−l(x)"),
        ("length variance", fixed(th.length_variance), "bits²"),
        ("messages", _int(link.messages), ""),
        ("bits", _int(link.bits), ""),
        ("lossless", "yes" if link.lossless else "NO", f"{_int(link.mismatches)} mismatched messages"),
    ]
    if not iid and th.whole_draw_per_ball is not None:
        rows.append(
            (
                "whole draw log2(N!/∏c!)/N",
                fixed(th.whole_draw_per_ball),
                "drawn without replacement, the balls are not independent: the colours left are "
                "known to both ends, so a code for the whole draw of the box needs only this many "
                "bits per ball, below H(q). Draws late in the run are more predictable, the "
                "standard error carries the finite-population factor (0 for a whole-box draw), "
                "and queue formulas that assume independent service times are not exact",
            )
        )
    if link.urn_exhausted:
        rows.append(("urn exhausted", "yes", "drawn without replacement, the urn ran empty"))
    rows += [
        ("telegrams", _int(line.telegrams), ""),
        ("simulated time", seconds(line.duration), f"line busy {seconds(line.busy_time)}"),
        (
            "utilisation ρ",
            fixed(line.utilisation, 3),
            "" if th.utilisation is None else f"theory λE[S] = {fixed(th.utilisation, 3)}",
        ),
        (
            "mean wait",
            seconds(line.mean_wait),
            ("" if th.pk_mean_wait is None else f"Pollaczek–Khinchine {seconds(th.pk_mean_wait)}; ")
            + (
                f"after a warm-up of {_int(line.wait_warm_up)} telegrams {seconds(line.steady_mean_wait)}, "
                f"batch-means standard error {line.wait_std_error:.3g} s ({line.wait_batches} batches)"
                if math.isfinite(line.wait_std_error)
                else (line.wait_note or "no standard error")
            ),
        ),
        ("95th-percentile wait", seconds(line.p95_wait), f"max {seconds(line.max_wait)}"),
        ("mean end-to-end delay", seconds(line.mean_delay), ""),
        ("messages per second", f"{line.messages_per_second:.4g}", "of simulated time"),
        ("cost", f"{line.cost:,.2f}", "tariff units"),
    ]
    if line.shared_with:
        rows += _shared_rows(link)
    return (
        '<table class="numbers">\n<thead><tr><th>quantity</th><th>value</th><th>note</th>'
        f"</tr></thead>\n<tbody>\n{_rows(rows)}\n</tbody>\n</table>"
    )


def _shared_rows(link: LinkResult) -> list[tuple[str, str, str]]:
    """The rows of a link on a shared wire: its partners, the wire's load, the wait theory gives its class."""
    th, line = link.theory, link.line
    formula = "Cobham W0/((1 − σ_{k−1})(1 − σ_k))" if (th.line_classes or 1) > 1 else "W0/(1 − ρ)"
    wait_note = f"after warm-up {seconds(line.steady_mean_wait)} (standard error {line.wait_std_error:.3g} s)"
    if th.shared_mean_wait is not None:
        wait_note = f"theory {formula} = {seconds(th.shared_mean_wait)}; " + wait_note
    return [
        (
            "shared with",
            ", ".join(line.shared_with),
            f"one wire, one queue; this link's priority {line.priority}",
        ),
        (
            "wire utilisation",
            fixed(line.line_utilisation, 3),
            "" if th.line_load is None else f"theory Σρ_i = {fixed(th.line_load, 3)}",
        ),
        ("mean wait while all sent", seconds(line.overlap_mean_wait), wait_note),
    ]


#: Rows of a stream link's block table or Tunstall dictionary in the report (summary.json lists more).
MAX_STREAM_ROWS = 64


def _stream_code_table(code: StreamCode) -> str:
    """A stream link's code: its table of source words and codewords, or its intervals (arithmetic)."""
    head, rows, more = stream_code_table(code, MAX_STREAM_ROWS)
    out = [
        f"<p>A stream code: no codeword per colour. Its code: {_e(code.summary)}.</p>",
        '<table class="code">',
        "<thead><tr>" + "".join(f"<th>{_e(h)}</th>" for h in head) + "</tr></thead>",
        "<tbody>",
    ]
    for row in rows:
        cells = [f'<td class="num">{_e(c)}</td>' for c in row[1:]]
        if not code.frequencies:  # a table of words: the codeword is code, not a number
            cells[0] = f"<td><code>{_e(row[1])}</code></td>"
        out.append(f"<tr><td>{_e(row[0])}</td>" + "".join(cells) + "</tr>")
    if more:
        out.append(
            f'<tr><td colspan="{len(head)}">… and {_int(more)} more (summary.json lists up to '
            f"{_int(MAX_LISTED)})</td></tr>"
        )
    out += ["</tbody>", "</table>"]
    return "\n".join(out)


def _code_table(link: LinkResult) -> str:
    if link.stream_code is not None:
        return _stream_code_table(link.stream_code)
    out = [
        '<table class="code">',
        "<thead><tr><th>symbol</th><th>q(x) source</th><th>p(x) assumed</th>"
        "<th>codeword</th><th>length</th><th>−log2 q(x)</th></tr></thead>",
        "<tbody>",
    ]
    symbols = list(dict.fromkeys([*link.source_distribution, *link.codewords]))
    for s in symbols[:MAX_CODE_ROWS]:
        q = link.source_distribution.get(s, 0.0)
        p = link.assumed_distribution.get(s)
        cw = link.codewords.get(s, "")
        info = fixed(-math.log2(q) if q > 0 else math.inf)
        out.append(
            f'<tr><td>{_e(s)}</td><td class="num">{q:.4f}</td>'
            f'<td class="num">{fixed(p)}</td>'
            f'<td><code>{_e(cw)}</code></td><td class="num">{len(cw)}</td>'
            f'<td class="num">{info}</td></tr>'
        )
    if len(symbols) > MAX_CODE_ROWS:
        out.append(
            f'<tr><td colspan="6">… and {_int(len(symbols) - MAX_CODE_ROWS)} more symbols '
            "(all of them are in summary.json)</td></tr>"
        )
    out += ["</tbody>", "</table>"]
    return "\n".join(out)


def _checks_table(link: LinkResult) -> str:
    out = [
        '<table class="checks">',
        "<thead><tr><th>check</th><th>verdict</th><th>detail</th></tr></thead>",
        "<tbody>",
    ]
    for c in link.checks:
        verdict = f'<span class="{c.verdict}">{c.label}</span>'
        out.append(f"<tr><td>{_e(c.name)}</td><td>{verdict}</td><td>{_e(c.detail)}</td></tr>")
    out += ["</tbody>", "</table>"]
    return "\n".join(out)


def _figure(markup: str, caption: str, stem: str) -> str:
    """A figure that never shrinks below a readable size: on a narrow screen it scrolls inside its column.

    The readable minimum is the figure's natural width in points, read as
    CSS pixels (three quarters of its natural size), and never more than the
    desktop column, so a phone shows text at the size a laptop does.
    """
    natural = re.search(r'<svg[^>]*\swidth="([0-9.]+)pt"', markup[:400])
    style = f' style="--natural: {float(natural[1]):.0f}px"' if natural else ""
    return f'<figure id="fig-{_e(stem)}"{style}>\n{markup}\n<figcaption>{_e(caption)}</figcaption>\n</figure>'


def page_head(title: str) -> list[str]:
    """The opening lines of a self-contained page (inline CSS), down to its ``<h1>``."""
    return [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title>",
        f"<style>\n{_CSS}\n</style>",
        "</head>",
        "<body>",
        f"<h1>{_e(title)}</h1>",
    ]


def _png_markup(fig: object, alt: str) -> str:
    buf = io.BytesIO()
    from sim.publish.plots import DPI

    fig.savefig(buf, format="png", dpi=DPI)  # type: ignore[attr-defined]
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img alt="{_e(alt)}" src="data:image/png;base64,{data}">'


def _inline_figures(result: RunResult, given: Mapping[str, str] | None) -> dict[str, str]:
    """Markup per figure stem: the given SVG where it is clean, else drawn here."""
    from sim.publish import plots

    out: dict[str, str] = {}
    for spec in plots.figure_specs(result):
        markup = (given or {}).get(spec.stem)
        if markup is None or "http://" in markup or "https://" in markup:
            fig = spec.build()
            try:
                markup = plots.svg_markup(fig, id_prefix=f"{spec.stem}-")
                if "http://" in markup or "https://" in markup:  # never seen; be safe
                    markup = _png_markup(fig, spec.caption)
            finally:
                fig.clear()
        out[spec.stem] = markup
    return out


def write_report(
    result: RunResult,
    out_dir: Path | str | Folder,
    *,
    explain_text: str | None = None,
    figures: Mapping[str, str] | None = None,
) -> Path:
    """Write ``out_dir/report.html`` for ``result`` and return its path.

    Parameters
    ----------
    result:
        The run to report.
    out_dir:
        The folder to write into (created if missing).
    explain_text:
        The scenario's worked explanation (``sim.publish.explain.explain``), shown
        verbatim in a ``<pre>`` block.
    figures:
        Inline SVG markup per figure stem, as filled in by
        ``sim.publish.plots.render_all(..., inline=figures)``; figures missing from it
        are drawn here. Pass it to avoid drawing every figure twice.
    """
    from sim.publish import plots
    from sim.publish.output import opened

    specs = plots.figure_specs(result)
    markup = _inline_figures(result, figures)
    by_kind: dict[tuple[str, str], list[plots.FigureSpec]] = {}
    for spec in specs:
        by_kind.setdefault((spec.kind, spec.subject), []).append(spec)

    def figs(kind: str, subject: str) -> list[str]:
        return [_figure(markup[s.stem], s.caption, s.stem) for s in by_kind.get((kind, subject), [])]

    parts = page_head(f"telegraph report: {result.scenario}")
    if result.description:
        parts.append(f"<p>{_e(result.description)}</p>")
    parts.append(
        f'<p class="meta">seed {_e(result.seed)} · {_int(result.messages)} messages per link · '
        f"chunk {_int(result.chunk)} · {len(result.links)} link(s)</p>"
    )
    link_stem, urn_stem = plots.link_stems(result), plots.urn_stems(result)
    parts += _overview(result, link_stem)
    parts += _how_to_read({spec.kind for spec in specs})
    parts.append('<section id="sources">\n<h2>Sources and convergence</h2>')
    parts += figs("distributions", "")
    for urn in dict.fromkeys(link.source for link in result.links):
        parts.append(f'<h3 id="urn-{_e(urn_stem[urn])}">Urn {_e(urn)}</h3>')
        parts += figs("convergence", urn)
    parts.append("</section>")
    parts += noise_section(result, figs)
    for link in result.links:
        parts += _link_section(link, figs, link_stem[link.name], urn_stem[link.source])
    parts += _losses(result)
    if explain_text:
        parts += [
            '<section id="explain">',
            "<h2>The arithmetic, worked</h2>",
            f"<pre>{_e(explain_text)}</pre>",
            "</section>",
        ]
    from sim.publish.explain import article_corrections

    parts += [
        '<section id="article">',
        "<h2>Where the source article slips</h2>",
        f"<pre>{_e(article_corrections())}</pre>",
        "</section>",
    ]
    parts += [
        '<p class="meta">Written by telegraph. This file is self-contained: no external resources.</p>',
        "</body>",
        "</html>",
        "",
    ]
    with opened(out_dir) as folder:  # never through a symlink planted in the folder
        return folder.write(REPORT_NAME, "\n".join(parts))


#: What each kind of figure shows and how to read it: two sentences each, in report order.
HOW_TO_READ = {
    "distributions": (
        "The urns' distributions",
        "Each bar is the share p(x) of one colour in an urn, and the numbers above the bars are the ideal "
        "codeword lengths −log2 p(x) in bits. Rare colours have tall ideal lengths: a good code gives "
        "them long codewords and the common colours short ones.",
    ),
    "convergence": (
        "Convergence to theory",
        "Each solid line is one link's running average of bits per message as more messages are sent "
        "(log scale), with a shaded 95 % band; the dash-dot line of the same colour is the code's "
        "expected length L and the black dashed line the entropy H(q). The measured line should settle "
        "on L, and no line of a decodable code can settle below H(q) unless the line itself tells the "
        "receiver something (an arithmetic coder restarting at every telegram leans on the telegram's "
        "known end).",
    ),
    "code": (
        "Code trees",
        "Each codeword is a path from the root, one digit per branch, ending at the leaf of its symbol, "
        "so deep leaves are long codewords. A code is prefix-free exactly when every symbol sits on a "
        "leaf and never on the way to another.",
    ),
    "budget": (
        "Codeword budgets",
        "The upper bar gives each codeword its share 2^−l(x) of a unit budget (the Kraft sum), the lower "
        "bar each colour's probability p(x). Where the two bars line up the code suits the source; "
        "hatched space is budget the code leaves unused.",
    ),
    "training": (
        "Training curves",
        "An adaptive link's bits per ball fall as its model learns: the running mean, each window "
        "between checkpoints, and the ideal Σ −log2 p̂_t(x_t)/n start near the prior's cross entropy and "
        "settle on H(q), while LZ78 on the same balls, with no model, falls far more slowly. Over the "
        "first few balls the bits actually sent swing below and above the ideal: an arithmetic coder "
        "sends a bit only once no later ball can change it, so it runs a few bits behind, and catches "
        "up when the run ends. Beside it, "
        "the regret (what the model paid over the best fixed model in hindsight) grows like "
        "(K − 1)/2 · log2 n and stays under its bound.",
    ),
    "estimates": (
        "What the model learned",
        "For each colour, the adaptive model's estimate p̂ at a few moments of the run (lighter: earlier) "
        "beside the box's true share (outlined). The estimates close in on the box as balls are counted.",
    ),
    "waits": (
        "Waiting times",
        "The histogram shows how long telegrams waited for the line before sending started, with the "
        "mean and the 95th percentile marked. Shorter codes keep the line less busy, and the waits "
        "fall much faster than the bits do as the line approaches full use.",
    ),
}


def _how_to_read(kinds: set[str]) -> list[str]:
    """The "how to read this report" section: two sentences for each kind of figure present."""
    out = ['<section id="how-to-read">', "<h2>How to read this report</h2>", '<dl class="read">']
    for kind, (title, text) in HOW_TO_READ.items():
        if kind in kinds:
            out.append(f"<dt>{_e(title)}</dt><dd>{_e(text)}</dd>")
    out += ["</dl>", "</section>"]
    return out


def notebook_html(result: RunResult) -> str:
    """A run in a Jupyter notebook: the overview table and each urn's convergence figure (inline SVG)."""
    from sim.publish import plots

    parts = [
        "<div class='telegraph-result'><style>.telegraph-result table{border-collapse:collapse}"
        ".telegraph-result th,.telegraph-result td{border:1px solid #ccc;padding:.2rem .5rem}"
        ".telegraph-result td.num{text-align:right}.telegraph-result .pass{color:#11691b}"
        ".telegraph-result .fail{color:#b00020}.telegraph-result .inconclusive{color:#8a5a00}"
        ".telegraph-result svg{max-width:100%;height:auto}</style>",
        f"<p><b>{_e(result.scenario)}</b>: seed {_e(result.seed)}, {_int(result.messages)} messages per "
        f"link, {len(result.links)} link(s)</p>",
    ]
    parts += _overview(result, plots.link_stems(result))[1:]  # the notebook cell needs no heading
    for spec in plots.figure_specs(result):
        if spec.kind == "convergence":
            fig = spec.build()
            try:
                parts.append(plots.svg_markup(fig, id_prefix=f"{spec.stem}-"))
            finally:
                fig.clear()
    parts.append("</div>")
    return "\n".join(parts)


def _overview(result: RunResult, link_stem: Mapping[str, str]) -> list[str]:
    out = [
        "<h2>Overview</h2>",
        '<table class="overview">',
        "<thead><tr><th>link</th><th>source</th><th>code</th><th>bits/message</th>"
        "<th>sample 95 % interval</th><th>L</th><th>H(q)</th><th>D(q‖r)</th><th>−log2 K</th>"
        "<th>H(q, p)</th><th>D(q‖p)</th><th>checks</th></tr></thead>",
        "<tbody>",
    ]
    for link in result.links:
        lo, hi = link.ci95()
        cls = "pass" if link.all_passed else ("fail" if link.failed else "inconclusive")
        out.append(
            f'<tr><td><a href="#link-{_e(link_stem[link.name])}">{_e(link.name)}</a></td>'
            f"<td>{_e(link.source)}</td><td>{_e(link.code)}</td>"
            f'<td class="num">{fixed(link.bits_per_message)}</td>'
            f'<td class="num">[{fixed(lo)}, {fixed(hi)}]</td>'
            f'<td class="num">{fixed(link.theory.expected_length)}</td>'
            f'<td class="num">{fixed(link.theory.entropy)}</td>'
            f'<td class="num">{fixed(link.theory.implied_kl)}{OVERHEAD_MARK if link.stream else ""}</td>'
            f'<td class="num">{fixed(-link.theory.log_kraft)}</td>'
            f'<td class="num">{fixed(link.theory.cross_entropy)}</td>'
            f'<td class="num">{fixed(link.theory.kl_divergence)}</td>'
            f'<td><span class="{cls}">{_e(link.verdicts())}</span></td></tr>'
        )
    out += [
        "</tbody>",
        "</table>",
        '<p class="meta">Each row reads L = H(q) + D(q‖r) − log2 K: r(x) = 2^−l(x)/K is the distribution '
        "the code's lengths are ideal for and K its Kraft sum. D(q‖p) = H(q, p) − H(q) is the divergence "
        "from the distribution p the code assumes; for a code that names no urn p is r, so the bits "
        "between H(q, p) and L are exactly −log2 K (the budget a code with K &lt; 1 leaves unused).</p>",
    ]
    if any(link.stream for link in result.links):
        out.append(f'<p class="meta">{_e(OVERHEAD_NOTE)}</p>')
    return out


def _losses(result: RunResult) -> list[str]:
    """For runs with a link whose code is built for a model: its bill as a framework's loss, and
    each deep-learning loss mapped to the telegraph's entropy, cross entropy and KL."""
    from coding.losses import LOSS_MAPPING

    models = [link for link in result.links if link.model is not None]
    if not models:
        return []
    out = [
        '<section id="losses">',
        "<h2>The bill as a training loss</h2>",
        "<p>A code built for a model p charges a ball of colour x about −log<sub>2</sub> p(x) bits; "
        "averaged over the box q that draws, that is the cross entropy H(q, p), the loss a "
        "classifier with output p reports on q's balls. The frameworks report it in nats (natural "
        "logs): divide by ln 2 = 0.693147 for bits.</p>",
        '<table class="overview">',
        "<thead><tr><th>link</th><th>loss, nats</th><th>÷ ln 2 = H(q, p), bits</th>"
        "<th>L of its code</th><th>measured bits/message</th></tr></thead>",
        "<tbody>",
    ]
    for link in models:
        H = link.theory.cross_entropy
        out.append(
            f'<tr><td>{_e(link.name)}</td><td class="num">{fixed(H * math.log(2))}</td>'
            f'<td class="num">{fixed(H)}</td><td class="num">{fixed(link.theory.expected_length)}</td>'
            f'<td class="num">{fixed(link.bits_per_message)}</td></tr>'
        )
    out += [
        "</tbody>",
        "</table>",
        "<h3>Each loss on the telegraph</h3>",
        '<table class="overview">',
        "<thead><tr><th>framework call</th><th>what it is on the telegraph (q draws, p is the model)"
        "</th><th>where the article slips</th></tr></thead>",
        "<tbody>",
    ]
    for role in LOSS_MAPPING:
        out.append(f"<tr><td>{_e(role.call)}</td><td>{_e(role.telegraph)}</td><td>{_e(role.slip)}</td></tr>")
    out += ["</tbody>", "</table>", "</section>"]
    return out


def _link_section(link: LinkResult, figs, stem: str, urn_stem: str) -> list[str]:
    built = f", built for {link.built_for}" if link.built_for else ""
    if link.model is not None:
        built = ", built for an inline model"
    verdict = (
        '<span class="pass">all checks pass</span>'
        if link.all_passed
        else (
            '<span class="fail">some checks FAIL</span>'
            if link.failed
            else '<span class="inconclusive">some checks inconclusive</span>'
        )
    )
    return [
        f'<section class="link" id="link-{_e(stem)}">',
        f"<h2>Link {_e(link.name)}</h2>",
        f'<p class="meta">source urn <b>{_e(link.source)}</b> · code <b>{_e(link.code)}</b> '
        f"({_e(link.code_type)}{_e(built)}) · arrivals {_e(link.arrivals)} · {verdict} · "
        f'convergence: <a href="#urn-{_e(urn_stem)}">urn {_e(link.source)}</a></p>',
        "<h3>Numbers</h3>",
        _numbers_table(link),
        "<h3>Code</h3>",
        _code_table(link),
        "<h3>Checks</h3>",
        _checks_table(link),
        *_learning_list(link),
        "<h3>Figures</h3>",
        *figs("training", link.name),
        *figs("estimates", link.name),
        *figs("code", link.name),
        *figs("budget", link.name),
        *figs("waits", link.name),
        *figs("resync", link.name),
        "</section>",
    ]


def _learning_list(link: LinkResult) -> list[str]:
    """An adaptive link's running figures in words (ideal, regret, LZ78 on the same balls)."""
    if link.learning is None:
        return []
    from sim.publish.learning import learning_lines

    items = learning_lines(link.learning, link.messages, link.bits)
    return ["<h3>What it learned</h3>", "<ul>", *(f"<li>{_e(x)}</li>" for x in items), "</ul>"]


def render_from_folder(folder: Path | str, *, formats: Sequence[str] = ("png",)) -> list[Path]:
    """Redraw the figures and ``report.html`` of a saved results folder.

    Reads ``summary.json`` and, when present, ``trace.csv`` (without it the
    convergence figures show only the theory lines) and ``explain.txt``.
    Returns the paths written, the report last.

    Raises ``ValueError`` with a one-line message when the folder holds no
    readable ``summary.json``.
    """
    from sim.publish import plots
    from sim.publish.output import EXPLAIN_MAX_BYTES, Folder, OutputError, read_results

    with Folder.open(folder) as f:
        result = read_results(f)
        raw = f.read("explain.txt", EXPLAIN_MAX_BYTES)
        try:
            explain = raw.decode("utf-8") if raw is not None else None
        except UnicodeDecodeError as err:
            raise OutputError(f"{f.path / 'explain.txt'}: not UTF-8 text ({err.reason})") from None
        inline: dict[str, str] = {}
        paths = plots.render_all(result, f, formats=formats, inline=inline)
        paths.append(write_report(result, f, explain_text=explain, figures=inline))
    return paths
