"""Run a sweep on Dask: bounded tasks in flight, a journal line per finished task, resume on rerun.

The results folder ``DIR/<name>/`` is built in ``DIR/.<name>.partial/``. It
holds ``sweep.json`` (the sweep and its hash) and ``journal.jsonl``: one
line per finished task, appended and synced to disk as the task completes.
Rerunning the same command reads the journal and runs only what is missing
(and what failed); a sweep file that changed since (another hash) is
refused instead of being mixed with the old results. When every task has
succeeded, ``points.csv``, the figures and ``report.html`` are written and
the folder is renamed into place.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import logging
import os
import platform
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sim.sweep import files
from sim.sweep.spec import Sweep, SweepError, iter_tasks, task_seed
from sim.sweep.spec import _text as value_cell
from sim.sweep.task import RESULT_COLUMNS, run_task

__all__ = ["SweepOutcome", "points_header", "run_sweep"]

MARKER = "telegraph sweep"
JOURNAL = "journal.jsonl"
SPEC = "sweep.json"
POINTS = "points.csv"


@dataclass
class SweepOutcome:
    """What a call of :func:`run_sweep` did."""

    folder: Path
    total: int
    ran: int = 0
    resumed: int = 0
    failures: list[str] = field(default_factory=list)
    complete: bool = False
    already_complete: bool = False


def points_header(sweep: Sweep) -> list[str]:
    return ["point", "replication", "seed", *sweep.columns, "link", *RESULT_COLUMNS]


def default_workers() -> int:
    """One worker process per core this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def _read_spec(folder: Path) -> dict[str, Any] | None:
    """Our ``sweep.json`` in ``folder``, or None if there is none we wrote."""
    path = folder / SPEC
    try:
        if os.path.islink(path):
            return None
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) and doc.get("written_by") == MARKER else None


def _check_final(folder: Path, digest: str) -> tuple[bool, list[str] | None]:
    """(complete already, files of an old result to replace at the end) for the final folder."""
    if not os.path.lexists(folder):
        return False, None
    if not files.is_real_folder(folder):
        raise SweepError([f"{folder}: is in the way and is not a folder; move it or choose another --out"])
    doc = _read_spec(folder)
    if doc is None:
        raise SweepError(
            [f"{folder}: exists and was not written by telegraph sweep; move it or choose another --out"]
        )
    if doc.get("digest") == digest and doc.get("complete"):
        return True, None
    ours = [str(n) for n in doc.get("files", [])]
    strangers = sorted(set(os.listdir(folder)) - set(ours))
    if strangers:
        raise SweepError(
            [
                f"{folder}: holds files telegraph did not write ({', '.join(strangers[:5])}); "
                "move them or choose another --out"
            ]  # fmt: skip
        )
    return False, ours


@dataclass
class _Journal:
    """Finished tasks read back from the journal: (point, replication) -> byte offset of its line."""

    done: dict[tuple[int, int], int] = field(default_factory=dict)
    failed: dict[tuple[int, int], str] = field(default_factory=dict)


def _read_journal(path: Path) -> _Journal:
    j = _Journal()
    if not path.exists():
        return j
    good_end = 0
    with open(path, "rb") as f:
        offset = 0
        for raw in f:
            if not raw.endswith(b"\n"):
                break  # torn by a crash: dropped below, the task runs again
            try:
                doc = json.loads(raw)
                key = (int(doc["p"]), int(doc["r"]))
            except (ValueError, KeyError, TypeError):
                raise SweepError([f"{path}: line at byte {offset} is not a journal entry"]) from None
            if "rows" in doc:
                j.done[key] = offset
                j.failed.pop(key, None)
            elif key not in j.done:
                j.failed[key] = str(doc.get("error", "?"))
            offset += len(raw)
            good_end = offset
    if path.stat().st_size != good_end:
        files.truncate(path, good_end)
    return j


def _provenance() -> dict[str, Any]:
    from importlib.metadata import PackageNotFoundError, version

    import dask
    import numpy

    try:
        ours = version("telegraph-sim")
    except PackageNotFoundError:
        ours = "unknown"
    return {
        "telegraph": ours,
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "dask": dask.__version__,
        "platform": platform.platform(),
    }


def run_sweep(
    sweep: Sweep,
    out: Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    restart: bool = False,
    progress: bool = False,
    say: Callable[[str], None] = print,
    figures: bool = True,
    task: Callable[[dict[str, Any], str, int], list[list[str]]] = run_task,
) -> SweepOutcome:
    """Run every task of ``sweep`` not yet journalled, then write ``out/<name>/``.

    ``workers`` local worker processes (default: one per core) or the Dask
    scheduler at ``scheduler``. ``task`` is what each worker runs (tests and
    benchmarks put in their own). Returns what was done; failed tasks are in
    ``failures`` (one line each, with the point and the error) and leave the
    sweep unfinished, to be retried by the next run.
    """
    out = Path(out)
    folder = out / sweep.name
    partial = out / f".{sweep.name}.partial"
    digest = sweep.digest()
    outcome = SweepOutcome(folder=folder, total=sweep.tasks)
    complete, old_files = _check_final(folder, digest)
    if complete:
        outcome.complete = outcome.already_complete = True
        return outcome
    out.mkdir(parents=True, exist_ok=True)
    journal_path = partial / JOURNAL
    if os.path.lexists(partial):
        doc = _read_spec(partial) if files.is_real_folder(partial) else None
        if doc is None:
            raise SweepError([f"{partial}: exists and was not written by telegraph sweep; move it away"])
        if doc.get("digest") != digest:
            if not restart:
                raise SweepError(
                    [
                        f"{partial}: holds an unfinished run of a different sweep (the sweep file, its "
                        "scenario or --messages/--seed changed); rerun the original, or pass --restart "
                        "to discard it"
                    ]  # fmt: skip
                )
            files.remove_ours(partial, [JOURNAL, SPEC, f".{SPEC}.tmp"])
            if os.path.lexists(partial):
                raise SweepError([f"{partial}: holds files telegraph did not write; move it away"])
    if not os.path.lexists(partial):
        files.make_folder(partial)
        spec = {"written_by": MARKER, **sweep.to_dict(), "complete": False}
        files.write_new(partial / SPEC, json.dumps(spec, indent=2, default=str) + "\n")
    journal = _read_journal(journal_path)
    outcome.resumed = len(journal.done)
    if outcome.resumed:
        say(f"resuming: {outcome.resumed:,} of {sweep.tasks:,} tasks already done")
    todo = [t for t in iter_tasks(sweep) if t not in journal.done]
    started = time.time()
    where = "nothing to run"
    if todo:
        where = _execute(sweep, todo, journal_path, journal, workers, scheduler, progress, outcome, task)
    for (p, r), error in sorted(journal.failed.items()):
        outcome.failures.append(
            f"{sweep.source}: point {p} ({sweep.label(sweep.points[p])}), replication {r}, "
            f"seed {task_seed(sweep.seed, p, r)}: {error}"
        )
    if outcome.failures:
        return outcome
    _finish(sweep, partial, folder, journal, old_files, where, started, figures)
    outcome.complete = True
    return outcome


def _execute(
    sweep: Sweep,
    todo: list[tuple[int, int]],
    journal_path: Path,
    journal: _Journal,
    workers: int | None,
    scheduler: str | None,
    show_progress: bool,
    outcome: SweepOutcome,
    task: Callable[..., list[list[str]]],
) -> str:
    """Run ``todo`` on Dask with a bounded number of tasks in flight; journal each as it ends."""
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler is not None:
        try:
            _reachable(scheduler)
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise SweepError(
                [f"--scheduler {scheduler}: could not reach the Dask scheduler ({exc})"]
            ) from None
        where = f"Dask scheduler {scheduler}"
    else:
        n = workers or default_workers()
        cluster = LocalCluster(
            n_workers=n,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # a free port: never collides with another cluster
            silence_logs=logging.ERROR,
        )
        client = Client(cluster)
        where = f"{n} local worker process(es)"
    fname = Path(sweep.scenario_source).name
    bar = _Progress(len(todo)) if show_progress else None
    tag = sweep.digest()[:12]
    tasks: Iterator[tuple[int, int]] = iter(todo)

    def submit(p: int, r: int) -> Any:
        seed = task_seed(sweep.seed, p, r)
        data = sweep.scenario_data(sweep.points[p])
        fut = client.submit(task, data, fname, seed, key=f"telegraph-{tag}-{p}-{r}", retries=0)
        keys[str(fut.key)] = (p, r, seed)
        return fut

    keys: dict[str, tuple[int, int, int]] = {}
    try:
        threads = max(1, sum(client.nthreads().values()))
        window = max(4, 4 * threads)
        first = [submit(*t) for _, t in zip(range(window), tasks)]
        pending = as_completed(first, with_results=False)
        with files.open_journal(journal_path) as jf:
            # Every future finished by now is journalled with one write and one fsync (group commit).
            for batch in pending.batches():
                lines: list[str] = []
                entries: list[tuple[tuple[int, int], str | None]] = []
                for fut in batch:
                    p, r, seed = keys.pop(str(fut.key))
                    if fut.status == "finished":
                        lines.append(json.dumps({"p": p, "r": r, "seed": seed, "rows": fut.result()}))
                        entries.append(((p, r), None))
                    else:
                        err = fut.exception()
                        error = f"{type(err).__name__}: {err}".splitlines()[0] if err else fut.status
                        lines.append(json.dumps({"p": p, "r": r, "seed": seed, "error": error}))
                        entries.append(((p, r), error))
                    fut.release()
                for (key, error), offset in zip(entries, files.append_lines(jf, lines)):
                    if error is None:
                        journal.done[key] = offset
                        journal.failed.pop(key, None)
                        outcome.ran += 1
                    else:
                        journal.failed[key] = error
                for nxt in itertools.islice(tasks, len(batch)):
                    pending.add(submit(*nxt))
                if bar is not None:
                    bar.update(outcome.ran, len(keys), len(journal.failed))
    finally:
        if bar is not None:
            bar.close()
        client.close()
        if cluster is not None:
            cluster.close()
    return where


def _reachable(address: str) -> None:
    """Fail fast (connection refused, unknown host) before Dask's own retries."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    if parts.scheme not in ("tcp", "tls") or not parts.hostname or parts.port is None:
        raise ValueError("give it as tcp://HOST:PORT")
    with socket.create_connection((parts.hostname, parts.port), timeout=5):
        pass


class _Progress:
    """Done, running, failed, rate and ETA on one terminal line (stderr)."""

    def __init__(self, total: int) -> None:
        self.total, self.start, self.last = total, time.perf_counter(), 0.0

    def update(self, done: int, running: int, failed: int) -> None:
        now = time.perf_counter()
        if now - self.last < 0.2 and done < self.total:
            return
        self.last = now
        rate = done / max(now - self.start, 1e-9)
        eta = (self.total - done - failed) / rate if rate > 0 else float("inf")
        eta_text = f"{eta:,.0f} s" if eta != float("inf") else "–"
        sys.stderr.write(
            f"\r{done:,}/{self.total:,} done · {running} running · {failed} failed · "
            f"{rate:,.1f} tasks/s · ETA {eta_text}   "
        )
        sys.stderr.flush()

    def close(self) -> None:
        sys.stderr.write("\n")
        sys.stderr.flush()


def journal_rows(sweep: Sweep, journal_path: Path, journal: _Journal) -> Iterator[list[str]]:
    """Every ``points.csv`` row in order (point, replication, link), read back line by line."""
    with open(journal_path, "rb") as f:
        for p, r in iter_tasks(sweep):
            f.seek(journal.done[(p, r)])
            doc = json.loads(f.readline())
            values = [value_cell(v) for v in sweep.points[p].values]
            for row in doc["rows"]:
                yield [str(p), str(r), str(doc["seed"]), *values, *row]


def _finish(
    sweep: Sweep,
    partial: Path,
    folder: Path,
    journal: _Journal,
    old_files: list[str] | None,
    where: str,
    started: float,
    figures: bool,
) -> None:
    from sim.sweep.report import aggregate, write_outputs

    journal_path = partial / JOURNAL
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(points_header(sweep))
    for row in journal_rows(sweep, journal_path, journal):
        writer.writerow(row)
    text = buf.getvalue()
    files.write_new(partial / POINTS, text)
    summary = aggregate(sweep, csv.reader(io.StringIO(text)))
    written = [POINTS]
    if figures:
        written += write_outputs(sweep, summary, partial)
    spec = {
        "written_by": MARKER,
        **sweep.to_dict(),
        "complete": True,
        "ran_on": where,
        "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "seconds": round(time.time() - started, 3),
        "provenance": _provenance(),
        "checks_failed": summary.checks_failed,
        "checks": summary.checks,
        "expected_false_alarms": round(summary.expected_false_alarms, 6),
        "files": sorted([*written, SPEC]),
    }
    files.replace_ours(partial / SPEC, json.dumps(spec, indent=2, default=str) + "\n")
    files.remove_file(journal_path)
    if old_files is not None:
        aside = folder.with_name(f".{folder.name}.old")
        if os.path.lexists(aside):
            raise SweepError([f"{aside}: is in the way; move it away"])
        files.rename(folder, aside)
        files.rename(partial, folder)
        files.remove_ours(aside, old_files)
    else:
        files.rename(partial, folder)
