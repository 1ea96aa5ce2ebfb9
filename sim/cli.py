"""The ``telegraph`` command: run, explain, validate, list, plot and sweep scenarios.

``main(argv) -> int`` is the whole program (``python -m sim`` and the
``telegraph`` console script call it). User errors print one line per
problem on stderr and return 2; no traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn, TextIO

from sim.model import limits
from sim.publish.numbers import OVERHEAD_MARK, OVERHEAD_NOTE, fixed, sig, signed

DEFAULT_SCENARIO = "india_to_australia"


def _print(*parts: object, file: TextIO | None = None) -> None:
    """print(), with control characters in names and descriptions shown as escapes (no raw ANSI)."""
    from sim.publish.text import printable

    if file is sys.stderr:  # one problem, one line
        print(*(printable(str(p), keep_newlines=False) for p in parts), file=file)
    else:
        print(*(printable(str(p)) for p in parts), file=file if file is not None else sys.stdout)


class UserError(Exception):
    """A problem with what the user asked for: reported in one line, exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, exit 2
        raise UserError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="telegraph",
        description="Simulate source codes on a telegraph line and hold the results against theory.",
    )
    parser.add_argument("--version", action="version", version=f"telegraph {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    run = sub.add_parser(
        "run",
        help="simulate a scenario and write summary.json, trace.csv, figures and report.html",
        description="Simulate every link of a scenario; print a table per link and write the results folder "
        "RESULTS/<name>/ (summary.json, trace.csv, scenario.yaml, explain.txt, figures, report.html).",
    )
    run.add_argument(
        "scenario",
        nargs="?",
        default=DEFAULT_SCENARIO,
        help=f"YAML file or bundled name (default: {DEFAULT_SCENARIO})",
    )
    run.add_argument(
        "--messages",
        type=_message_count,
        help="messages per link, e.g. 100000, 100_000 or 1e5 (overrides the scenario)",
    )
    run.add_argument("--seed", type=_seed, help="random seed (overrides the scenario)")
    run.add_argument(
        "--out", type=Path, default=Path("results"), help="results root folder (default: results)"
    )
    run.add_argument(
        "--chunk", type=_chunk, help="messages per batch the stations hand on (never changes results)"
    )
    run.add_argument(
        "--jobs",
        type=_jobs,
        default="auto",
        help="processes simulating the links (default: auto, one per core for long runs whose links "
        "share no wire; never changes results)",
    )
    run.add_argument("--quiet", action="store_true", help="print only the results folder")
    run.add_argument("--no-plots", action="store_true", help="skip the figures and report.html")

    explain = sub.add_parser(
        "explain",
        help="show the worked arithmetic: entropy, code lengths, cross entropy, KL, queueing",
        description="Print the arithmetic behind a scenario's urns, codes and links, term by term.",
    )
    explain.add_argument("scenario", help="YAML file or bundled name")
    explain.add_argument(
        "--plots",
        type=Path,
        metavar="DIR",
        help="also draw the urns, each link's code tree (or its ambiguity witness) and codeword "
        "budget into DIR, without simulating",
    )

    validate = sub.add_parser(
        "validate",
        help="check a scenario file and report every problem",
        description="Check a scenario; print every problem as 'file: yaml.path: what is wrong' and exit 2, "
        "or confirm it is valid and exit 0.",
    )
    validate.add_argument("scenario", help="YAML file or bundled name")

    sub.add_parser(
        "list",
        help="list the bundled scenarios with their descriptions",
        description="List the bundled scenarios.",
    )

    plot = sub.add_parser(
        "plot",
        help="redraw the figures and report.html of a saved results folder",
        description="Re-render the figures and report.html from summary.json and trace.csv "
        "without simulating.",
    )
    plot.add_argument("folder", type=Path, help="a results folder written by 'telegraph run'")

    sweep = sub.add_parser(
        "sweep",
        help="run a scenario over a grid of values and seeds, in parallel (Dask), into points.csv",
        description="Run every point x replication of a sweep file as one task, on local worker "
        "processes or an existing Dask cluster, and write RESULTS/<name>/ (points.csv, sweep.json, "
        "figures, report.html). Each finished task is journalled: rerunning the same command resumes.",
    )
    sweep.add_argument("sweep", help="sweep YAML file or bundled sweep name (e.g. load_curve)")
    sweep.add_argument(
        "--out", type=Path, default=Path("results"), help="results root folder (default: results)"
    )
    where = sweep.add_mutually_exclusive_group()
    where.add_argument("--workers", type=_positive_int, help="local worker processes (default: one per core)")
    where.add_argument(
        "--scheduler", metavar="ADDRESS", help="an existing Dask scheduler, as tcp://HOST:PORT"
    )
    sweep.add_argument("--messages", type=_positive_int, help="messages per link (overrides the sweep)")
    sweep.add_argument("--seed", type=_seed, help="the sweep's root seed (overrides the sweep)")
    sweep.add_argument(
        "--restart", action="store_true", help="discard an unfinished run of a different sweep of this name"
    )
    sweep.add_argument("--quiet", action="store_true", help="print only the results folder")
    return parser


def _whole(minimum: int, rule: str, maximum: int):
    """An argparse type: a whole number in ``[minimum, maximum]`` (see :mod:`sim.model.limits`)."""

    def parse(text: str) -> int:
        if len(text) > limits.NUMBER_CHARS:  # refused before conversion, and not echoed whole
            raise argparse.ArgumentTypeError(
                f"must be at most {limits.number_text(maximum)} (got {len(text):_} characters)"
            )
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a {rule}whole number (got {text!r})") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum} (got {value})")
        if value > maximum:
            raise argparse.ArgumentTypeError(f"must be at most {limits.number_text(maximum)} (got {value})")
        return value

    return parse


_positive_int = _whole(1, "", limits.MESSAGES)
_seed = _whole(0, "non-negative ", limits.SEED)
_chunk = _whole(1, "", limits.CHUNK)
_job_count = _whole(1, "", limits.JOBS)


def _jobs(text: str) -> int | str:
    """``--jobs``: ``auto`` or a whole number of processes."""
    return "auto" if text.strip().lower() == "auto" else _job_count(text)


def _message_count(text: str) -> int:
    """``--messages``: a whole number, also written ``100_000`` or ``1e6`` (exact integers only)."""
    from decimal import Decimal, InvalidOperation

    if len(text) <= limits.NUMBER_CHARS and any(c in text for c in ".eE"):
        try:
            value = Decimal(text.strip().replace("_", ""))
        except InvalidOperation:
            value = Decimal("nan")
        if not value.is_finite() or value != value.to_integral_value():
            raise argparse.ArgumentTypeError(f"must be a whole number such as 1000000 or 1e6 (got {text!r})")
        if value > limits.MESSAGES:  # compared as a Decimal: 1e999999999 is never expanded
            raise argparse.ArgumentTypeError(
                f"must be at most {limits.number_text(limits.MESSAGES)} (got {text})"
            )
        text = str(int(value))
    return _positive_int(text)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("telegraph-sim")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled like Ctrl-C (SIGINT): no half-written results, exit 143."""


def _terminate(_signum: int, _frame: object) -> None:
    raise Terminated


def main(argv: Sequence[str] | None = None) -> int:
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminate) if in_main_thread else None
    try:
        return _main(argv)
    finally:
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)


def _main(argv: Sequence[str] | None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):  # a terminal that cannot show ‖ or ρ gets '?' instead
            stream.reconfigure(errors="replace")
    try:  # the imports too: Ctrl-C while they load is an interruption like any other
        from sim.engine.parallel import WorkerDied
        from sim.publish.output import OutputError
        from sim.scenario.loader import ScenarioError

        parser = build_parser()
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return 0
        return _COMMANDS[args.command](args)
    except KeyboardInterrupt as exc:  # first: the names below may not be imported yet
        terminated = isinstance(exc, Terminated) or isinstance(exc.__context__, Terminated)
        what = "terminated" if terminated else "interrupted"
        folder = getattr(exc, "folder", None)  # sim.publish.output.InterruptedAfterWrite
        if folder is not None:
            _print(f"telegraph: {what}; the results in {folder}/ are complete", file=sys.stderr)
        else:
            _print(f"telegraph: {what}; no results were written", file=sys.stderr)
        return 143 if terminated else 130
    except ScenarioError as exc:
        for line in exc.problems:
            _print(line, file=sys.stderr)
        return 2
    except (UserError, OutputError) as exc:
        _print(str(exc), file=sys.stderr)
        return 2
    except WorkerDied as exc:  # not the user's doing: killed, or out of memory
        _print(f"telegraph: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `telegraph explain X | head`: the reader left; nothing to say
        with contextlib.suppress(OSError, ValueError, AttributeError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        _print(f"telegraph: {where}{exc.strerror or exc}", file=sys.stderr)
        return 2


# -- run -------------------------------------------------------------------------------------------
def cmd_run(args: argparse.Namespace) -> int:
    from sim.engine import parallel
    from sim.publish.explain import explain
    from sim.publish.output import check_target, write_results
    from sim.scenario import loader as scenario

    sc = scenario.load(args.scenario)
    sc = scenario.with_overrides(sc, messages=args.messages, seed=args.seed)
    folder = check_target(Path(args.out), sc.name)  # refuse before simulating, touch nothing
    parts = len(parallel.components(sc.links))
    jobs = parallel.choose_jobs(args.jobs, parts, sc.messages * len(sc.links))
    if jobs > 1:
        parallel.prepare()  # the workers' server loads the engine while this process does
    from sim.engine import simulation as engine

    chunk = args.chunk or engine.DEFAULT_CHUNK
    if not args.quiet:
        summary = _first_line(sc.description)
        _print(f"{sc.name}: {summary}" if summary else sc.name)
        _print(f"seed {sc.seed}, {sc.messages:,} messages per link, {len(sc.links)} link(s)\n")
    if not args.quiet:
        from sim.engine.kernels import needs_compiling

        if needs_compiling():
            _print("compiling the simulation kernels (first run only, a few seconds)…", file=sys.stderr)
    progress = _Progress(sc.messages * len(sc.links)) if sys.stderr.isatty() and not args.quiet else None
    result = engine.run(sc, chunk=chunk, progress=progress, jobs=jobs)
    text = explain(sc)
    if progress is not None and not args.no_plots:
        progress.phase("drawing figures")
    extra = None if args.no_plots else _render_figures(result, text)
    write_results(result, folder, scenario_yaml=scenario.dump(sc), explain_text=text, extra=extra)
    if progress is not None:
        progress.close()
    if args.quiet:
        _print(folder)
    else:
        _print(format_result(result))
        _print(f"\nresults: {folder}/")
    return 0


def _render_figures(result, explain_text: str):
    def render(folder) -> None:  # an open sim.publish.output.Folder
        from sim.publish.plots import render_all
        from sim.publish.report import write_report

        inline: dict = {}
        render_all(result, folder, inline=inline)
        write_report(result, folder, explain_text=explain_text, figures=inline)

    return render


class _Progress:
    """A progress bar on stderr, shown once a run has taken more than a second.

    It redraws at most ``1 / INTERVAL`` times a second, with the rate and the
    time left; after the simulation, :meth:`phase` names what happens next
    (drawing figures) so the seconds after 100 % are not silent.
    """

    INTERVAL = 0.1  # seconds between redraws at most

    def __init__(self, total: int) -> None:
        self.total, self.done = total, 0
        self.start = time.perf_counter()
        self.shown = False
        self.drawn_at = -math.inf
        self.width = 0

    def __call__(self, n: int) -> None:
        self.done += n
        now = time.perf_counter()
        elapsed = now - self.start
        if elapsed < 1.0 or (now - self.drawn_at < self.INTERVAL and self.done < self.total):
            return
        self.drawn_at = now
        frac = self.done / self.total if self.total else 1.0
        rate = self.done / elapsed
        left = (self.total - self.done) / rate if rate > 0 else math.inf
        eta = "done" if self.done >= self.total else f"ETA {_duration(left)}"
        bar = "#" * int(30 * frac)
        self._draw(f"[{bar:<30}] {100 * frac:5.1f} %  {rate:,.0f} messages/s  {eta}")

    def phase(self, what: str) -> None:
        """Say what happens after the simulation (only if the bar is showing)."""
        if self.shown:
            self._draw(f"[{'#' * 30}] 100.0 %  {what}…")

    def _draw(self, text: str) -> None:
        self.shown = True
        pad = " " * max(0, self.width - len(text))  # wipe the end of a longer previous line
        self.width = len(text)
        sys.stderr.write(f"\r{text}{pad}")
        sys.stderr.flush()

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\n")


def _duration(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "?"
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}" if seconds >= 60 else f"{seconds} s"


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def format_result(result) -> str:
    """The per-link tables printed by ``telegraph run``."""
    rows: list[tuple[str, ...]] = [
        (
            "link",
            "bits/msg",
            "sample 95 % interval",
            "L",
            "H(q)",
            "D(q‖r)",
            "−log2 K",
            "H(q,p)",
            "D(q‖p)",
            "checks",
        )
    ]  # L = H(q) + D(q‖r) − log2 K reads across the row: r = 2^−l/K is the code's implied distribution
    for link in result.links:
        lo, hi = link.ci95()
        t = link.theory
        rows.append(
            (
                link.name,
                fixed(link.bits_per_message),
                f"[{fixed(lo)}, {fixed(hi)}]",
                fixed(t.expected_length),
                fixed(t.entropy),
                fixed(t.implied_kl) + (OVERHEAD_MARK if link.stream else ""),
                fixed(-t.log_kraft),
                fixed(t.cross_entropy),
                fixed(t.kl_divergence),
                link.verdicts(),
            )
        )
    lines = _table(rows)
    lines.append("")
    rows = [
        (
            "link",
            "messages",
            "arrivals",
            "ρ theory",
            "busy",
            "mean wait s",
            "p95 wait s",
            "delay s",
            "msg/s",
            "cost",
        )
    ]
    for link in result.links:
        s = link.line
        rows.append(
            (
                link.name,
                f"{link.messages:,}" + (" (urn empty)" if link.urn_exhausted else ""),
                link.arrivals,
                fixed(link.theory.utilisation, 3),
                fixed(s.utilisation, 3),
                sig(s.mean_wait, 4),
                sig(s.p95_wait, 4),
                sig(s.mean_delay, 4),
                sig(s.messages_per_second, 4),
                f"{s.cost:,.2f}",
            )
        )
    lines += _table(rows)
    lines.append("")
    if any(link.stream for link in result.links):
        lines.append(OVERHEAD_NOTE)
    lines.append(
        "The interval is the sample one (mean ± 1.96 sample standard errors), for display; the checks "
        "use the variance theory gives. Each check states its false-alarm rate."
    )
    lines.append("")
    for link in result.links:
        t = link.theory
        lines.append(f"{link.name}:")
        if link.stream:
            lines.append(
                f"  theory  L = H(q) + overhead = {fixed(t.entropy, 6)} + {signed(t.implied_kl, 6)} "
                "(a stream code: no codeword per ball, so no implied r; the overhead is what it pays "
                "over the entropy per ball)"
            )
        else:
            lines.append(
                f"  theory  L = H(q) + D(q‖r) − log2 K = {fixed(t.entropy, 6)} + {fixed(t.implied_kl, 6)} "
                f"− {signed(t.log_kraft, 6)} (algebra, r = 2^−l/K: not a measurement)"
            )
        if t.whole_draw_per_ball is not None:
            lines.append(
                f"  theory  drawn without replacement (not i.i.d.): a code for the whole box needs "
                f"log2(N!/∏c!)/N = {fixed(t.whole_draw_per_ball, 6)} bits per ball, "
                f"against H(q) = {fixed(t.entropy, 6)}"
            )
        if link.learning is not None:
            from sim.publish.learning import learning_lines

            lines += [f"  theory  {text}" for text in learning_lines(link.learning, link.messages, link.bits)]
        for c in link.checks:
            lines.append(f"  {c.label}  {c.name}: {c.detail}")
    return "\n".join(lines)


def _table(rows: Sequence[tuple[str, ...]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for k, row in enumerate(rows):
        out.append(
            "  ".join(
                cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths))
            )
        )
        if k == 0:
            out.append("  ".join("-" * w for w in widths))
    return out


# -- explain, validate, list, plot ---------------------------------------------------------------
def cmd_explain(args: argparse.Namespace) -> int:
    from sim.publish.explain import explain
    from sim.scenario import loader as scenario

    sc = scenario.load(args.scenario, allow_ambiguous=True)
    _print(explain(sc))
    if args.plots is not None:
        from sim.publish.plots import teaching_specs, write_figures

        urns = {name: urn.distribution.as_dict() for name, urn in sc.urns.items()}
        links = [(ln.name, ln.code_name, dict(ln.code.codewords), ln.urn.name) for ln in sc.links]
        for path in write_figures(teaching_specs(urns, links), args.plots):
            _print(path)
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from sim.scenario import loader as scenario

    sc = scenario.load(args.scenario)
    _print(
        f"{sc.source or args.scenario}: valid "
        f"({len(sc.links)} link(s), {sc.messages:,} messages, seed {sc.seed})"
    )
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from sim.scenario import loader as scenario

    entries = scenario.bundled()
    width = max(len(name) for name, _ in entries)
    for name, description in entries:
        _print(f"{name.ljust(width)}  {description}")
    return 0


def cmd_plot(args: argparse.Namespace) -> int:
    folder = Path(args.folder)
    from sim.publish.report import render_from_folder

    try:
        paths = render_from_folder(folder)
    except ValueError as exc:  # render_from_folder's message already names the file
        raise UserError(str(exc)) from None
    except (KeyError, TypeError) as exc:
        raise UserError(f"{folder / 'summary.json'}: cannot read it back ({exc!r})") from None
    for p in paths:
        _print(p)
    return 0


# -- sweep ---------------------------------------------------------------------------------------
def cmd_sweep(args: argparse.Namespace) -> int:
    from sim.sweep import load_sweep
    from sim.sweep.runner import run_sweep

    sw = load_sweep(args.sweep, messages=args.messages, seed=args.seed)
    say = (lambda text: None) if args.quiet else print
    summary = _first_line(sw.description)
    say(f"{sw.name}: {summary}" if summary else sw.name)
    where = args.scheduler or f"{args.workers or 'one per core'} local worker process(es)"
    say(
        f"{len(sw.points):,} point(s) x {sw.replications:,} replication(s) = {sw.tasks:,} tasks, "
        f"seed {sw.seed}, on {where}"
    )
    try:
        outcome = run_sweep(
            sw,
            args.out,
            workers=args.workers,
            scheduler=args.scheduler,
            restart=args.restart,
            progress=sys.stderr.isatty() and not args.quiet,
            say=say,
        )
    except KeyboardInterrupt as exc:
        folder = getattr(exc, "folder", None)  # sim.publish.output.InterruptedAfterWrite: it is in place
        if folder is not None:
            print(f"telegraph sweep: interrupted; the results in {folder}/ are complete", file=sys.stderr)
        else:
            print(
                f"telegraph sweep: interrupted; finished tasks are saved in {args.out}/.{sw.name}.partial/ "
                "and the same command resumes",
                file=sys.stderr,
            )
        return 130
    if outcome.failures:
        for line in outcome.failures:
            print(line, file=sys.stderr)
        print(
            f"telegraph sweep: {len(outcome.failures)} of {sw.tasks:,} tasks failed (above); the rest are "
            f"saved in {args.out}/.{sw.name}.partial/ and the same command retries the failed ones",
            file=sys.stderr,
        )
        return 1
    if outcome.already_complete:
        say(f"already complete: {outcome.folder}/ (delete it, or change the sweep, to run again)")
    elif not args.quiet:
        say(
            f"ran {outcome.ran:,} task(s)" + (f", {outcome.resumed:,} from before" if outcome.resumed else "")
        )
    if args.quiet:
        print(outcome.folder)
    else:
        print(f"results: {outcome.folder}/")
    return 0


_COMMANDS = {
    "run": cmd_run,
    "explain": cmd_explain,
    "validate": cmd_validate,
    "list": cmd_list,
    "plot": cmd_plot,
    "sweep": cmd_sweep,
}
