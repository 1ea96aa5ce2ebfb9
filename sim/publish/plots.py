"""Figures of a run: convergence, code trees, codeword budgets, urns and line waits.

Every function reads only the records of :mod:`sim.model.results` (or plain
mappings) and returns a :class:`matplotlib.figure.Figure`. matplotlib is
imported lazily, inside the functions, so importing this module (or
:mod:`sim.model.results`, or :mod:`coding`) never loads it. Figures are built with
the Agg backend and never shown; :func:`render_all` writes them to files.

The figures live in sibling modules by concern: :mod:`sim.publish.plots_style`
(limits, matplotlib set-up, colours, axes), :mod:`sim.publish.plots_run`
(convergence, distributions, line waits) and :mod:`sim.publish.plots_codes` (code
tree, ambiguity, codeword budget, code lengths). This module gathers them:
every figure of a run as a :class:`FigureSpec`, file names, and the writers.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from coding import Code
from sim.model.kinds import CODE_KINDS
from sim.model.results import RunResult
from sim.publish.plots_codes import (
    ambiguity_figure,
    code_lengths,
    code_tree,
    codeword_budget,
)
from sim.publish.plots_learning import estimates, training_curve
from sim.publish.plots_noise import error_rates, noisy_links, resync_lengths
from sim.publish.plots_run import (
    _has_waits,
    block_links,
    convergence,
    distributions,
    line_waits,
    link_colours,
    road_blocks,
)
from sim.publish.plots_style import (
    DPI,
    MAX_BINS,
    MAX_POINTS,
    MAX_SHOWN,
    MAX_TREE_CODEWORDS,
    MAX_TREE_DEPTH,
    _mpl,
    _plain_text,
    symbol_colours,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from sim.publish.output import Folder

__all__ = [
    "DPI",
    "FigureSpec",
    "MAX_BINS",
    "MAX_POINTS",
    "MAX_SHOWN",
    "MAX_TREE_CODEWORDS",
    "MAX_TREE_DEPTH",
    "ambiguity_figure",
    "code_tree",
    "code_lengths",
    "codeword_budget",
    "convergence",
    "distributions",
    "figure_specs",
    "figure_workers",
    "link_colours",
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


# -- all figures of a run -----------------------------------------------------
FigureKind = Literal[
    "convergence",
    "code",
    "budget",
    "distributions",
    "waits",
    "resync",
    "error_rates",
    "road",
    "training",
    "estimates",
]


@dataclass(frozen=True)
class FigureSpec:
    """One figure of a run, built on demand: file ``stem``, ``kind`` and ``subject``.

    ``subject`` is the urn (convergence, road), the link (code, budget, waits) or ""
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
                partial(convergence, result, urn),
            )
        )
    for urn in dict.fromkeys(link.source for link in result.links):
        if block_links(result, urn):
            specs.append(
                FigureSpec(
                    f"road-{urn_stem[urn]}",
                    "road",
                    urn,
                    f"Bits per ball against block length k for urn '{urn}', between H and H + 1/k.",
                    partial(road_blocks, result, urn),
                )
            )
    for link in result.links:
        stem = link_stem[link.name]
        if CODE_KINDS[link.code_type].stream is None:  # a stream code has no codeword tree to draw
            specs += _code_specs(
                stem, link.name, link.code, link.codewords, link.source_distribution, colours
            )
        if link.learning is not None:
            specs += [
                FigureSpec(
                    f"training-{stem}",
                    "training",
                    link.name,
                    f"The bill of '{link.name}' as a training curve, beside its regret and the bound.",
                    partial(training_curve, link),
                ),
                FigureSpec(
                    f"estimates-{stem}",
                    "estimates",
                    link.name,
                    f"The model's estimate of urn '{link.source}' as '{link.name}' learns, against the box.",
                    partial(estimates, link),
                ),
            ]
        if _has_waits(link):
            specs.append(
                FigureSpec(
                    f"waits-{stem}",
                    "waits",
                    link.name,
                    f"Waiting times on the line of '{link.name}'.",
                    partial(line_waits, link),
                )
            )
        if link.errors is not None and link.errors.error_events:
            specs.append(
                FigureSpec(
                    f"resync-{stem}",
                    "resync",
                    link.name,
                    f"Resynchronisation lengths of the error events of '{link.name}'.",
                    partial(resync_lengths, link),
                )
            )
    if noisy_links(result):
        specs.append(
            FigureSpec(
                "error-rates",
                "error_rates",
                "",
                "Message error rate against the flip probability: theory curves (lines), quick "
                "simulated points (o) and this run (*).",
                partial(error_rates, result),
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
    :func:`sim.publish.report.write_report` can reuse it instead of drawing again.
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

    Files are written through :meth:`sim.publish.output.Folder.write`: never through
    a symbolic link planted in ``out_dir``.
    """
    from sim.publish.output import opened

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
