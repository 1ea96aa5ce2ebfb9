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
from typing import IO, Any

from sim.publish.output import Folder, is_real_folder, opened, remove_ours, swap
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


#: The most of ``sweep.json`` a sweep reads back (its own is a few kilobytes).
SPEC_MAX_BYTES = 16 << 20


def _read_spec(folder: Path) -> dict[str, Any] | None:
    """Our ``sweep.json`` in ``folder``, or None if there is none we wrote (or ``folder`` is a symlink)."""
    if not is_real_folder(folder):
        return None
    try:
        with Folder.open(folder, nofollow=True) as f:
            raw = f.read(SPEC, SPEC_MAX_BYTES)
        doc = json.loads(raw.decode("utf-8")) if raw is not None else None
    except (OSError, ValueError, RecursionError):  # OutputError is a ValueError
        return None
    return doc if isinstance(doc, dict) and doc.get("written_by") == MARKER else None


def _check_final(folder: Path, digest: str) -> tuple[bool, list[str] | None]:
    """(complete already, files of an old result to replace at the end) for the final folder."""
    if not os.path.lexists(folder):
        return False, None
    if not is_real_folder(folder):
        raise SweepError([f"{folder}: is in the way and is not a folder; move it or choose another --out"])
    doc = _read_spec(folder)
    if doc is None:
        raise SweepError(
            [f"{folder}: exists and was not written by telegraph sweep; move it or choose another --out"]
        )
    if doc.get("digest") == digest and doc.get("complete"):
        return True, None
    ours = [str(n) for n in doc.get("files", [])]
    strangers = _strangers(folder, ours)
    if strangers:
        raise SweepError(
            [
                f"{folder}: holds files telegraph did not write ({', '.join(strangers[:5])}); "
                "move them or choose another --out"
            ]  # fmt: skip
        )
    return False, ours


def _strangers(folder: Path, ours: list[str]) -> list[str]:
    """What ``folder`` holds besides the files ``ours`` (none of it may be replaced or removed)."""
    return sorted(set(os.listdir(folder)) - set(ours))


def _replaceable(ours: list[str]) -> Callable[[Path], str | None]:
    """Why the old final folder may not be replaced now (None: it is still only our ``ours`` files)."""

    def why(target: Path) -> str | None:
        if not os.path.lexists(target):
            return None
        if not is_real_folder(target) or _read_spec(target) is None:
            return "was replaced by something telegraph sweep did not write"
        strangers = _strangers(target, ours)
        return f"holds files telegraph did not write ({', '.join(strangers[:5])})" if strangers else None

    return why


@dataclass
class _Journal:
    """Finished tasks read back from the journal: (point, replication) -> byte offset of its line."""

    done: dict[tuple[int, int], int] = field(default_factory=dict)
    failed: dict[tuple[int, int], str] = field(default_factory=dict)


def _read_journal(partial: Folder) -> _Journal:
    j = _Journal()
    f = partial.open_read(JOURNAL)
    if f is None:
        return j
    good_end = 0
    with f:
        offset = 0
        for raw in f:
            if not raw.endswith(b"\n"):
                break  # torn by a crash: dropped below, the task runs again
            try:
                doc = json.loads(raw)
                key = (int(doc["p"]), int(doc["r"]))
            except (ValueError, KeyError, TypeError):
                raise SweepError(
                    [f"{partial.path / JOURNAL}: line at byte {offset} is not a journal entry"]
                ) from None
            if "rows" in doc:
                j.done[key] = offset
                j.failed.pop(key, None)
            elif key not in j.done:
                j.failed[key] = str(doc.get("error", "?"))
            offset += len(raw)
            good_end = offset
        size = os.fstat(f.fileno()).st_size
    if size != good_end:
        partial.truncate(JOURNAL, good_end)
    return j


def _append_lines(journal: IO[bytes], lines: list[str]) -> list[int]:
    """Append lines with one write and make them durable before returning; their byte offsets."""
    start = os.fstat(journal.fileno()).st_size
    raw = [line.encode("utf-8") + b"\n" for line in lines]
    offsets = []
    for chunk in raw:
        offsets.append(start)
        start += len(chunk)
    journal.write(b"".join(raw))
    journal.flush()
    os.fsync(journal.fileno())
    return offsets


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
    with opened(out, create=True) as parent:
        part = _open_partial(parent, partial, sweep, digest, restart)
        try:
            journal = _read_journal(part)
            outcome.resumed = len(journal.done)
            if outcome.resumed:
                say(f"resuming: {outcome.resumed:,} of {sweep.tasks:,} tasks already done")
            todo = [t for t in iter_tasks(sweep) if t not in journal.done]
            started = time.time()
            where = "nothing to run"
            if todo:
                where = _execute(sweep, todo, part, journal, workers, scheduler, progress, outcome, task)
            for (p, r), error in sorted(journal.failed.items()):
                outcome.failures.append(
                    f"{sweep.source}: point {p} ({sweep.label(sweep.points[p])}), replication {r}, "
                    f"seed {task_seed(sweep.seed, p, r)}: {error}"
                )
            if outcome.failures:
                return outcome
            _finish(sweep, parent, part, folder, journal, old_files, where, started, figures)
        finally:
            part.close()
    outcome.complete = True
    return outcome


def _open_partial(parent: Folder, partial: Path, sweep: Sweep, digest: str, restart: bool) -> Folder:
    """The unfinished run's folder ``.NAME.partial``, checked to be ours and of this sweep, or a new one."""
    if os.path.lexists(partial):
        doc = _read_spec(partial)
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
            remove_ours(parent, partial.name, allowed={JOURNAL, SPEC}.__contains__)
            if os.path.lexists(partial):
                raise SweepError([f"{partial}: holds files telegraph did not write; move it away"])
    if os.path.lexists(partial):
        return Folder.open(partial, nofollow=True)
    part = parent.make(partial.name)
    spec = {"written_by": MARKER, **sweep.to_dict(), "complete": False}
    part.write(SPEC, json.dumps(spec, indent=2, default=str) + "\n")
    return part


def _execute(
    sweep: Sweep,
    todo: list[tuple[int, int]],
    partial: Folder,
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
        with partial.append(JOURNAL) as jf:
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
                for (key, error), offset in zip(entries, _append_lines(jf, lines)):
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


def journal_rows(sweep: Sweep, partial: Folder, journal: _Journal) -> Iterator[list[str]]:
    """Every ``points.csv`` row in order (point, replication, link), read back line by line."""
    f = partial.open_read(JOURNAL)
    if f is None:
        raise SweepError([f"{partial.path / JOURNAL}: is missing"])
    with f:
        for p, r in iter_tasks(sweep):
            f.seek(journal.done[(p, r)])
            doc = json.loads(f.readline())
            values = [value_cell(v) for v in sweep.points[p].values]
            for row in doc["rows"]:
                yield [str(p), str(r), str(doc["seed"]), *values, *row]


def _finish(
    sweep: Sweep,
    parent: Folder,
    partial: Folder,
    folder: Path,
    journal: _Journal,
    old_files: list[str] | None,
    where: str,
    started: float,
    figures: bool,
) -> None:
    """Write ``points.csv``, the figures and the final ``sweep.json``, then put the folder in place.

    Every file goes through :class:`sim.publish.output.Folder` (never through a symlink), and the
    folder replaces an old result of this sweep by :func:`sim.publish.output.swap` (one
    rename-exchange), which removes only the files the old ``sweep.json`` lists.
    """
    from sim.sweep.report import aggregate, write_outputs

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(points_header(sweep))
    for row in journal_rows(sweep, partial, journal):
        writer.writerow(row)
    text = buf.getvalue()
    partial.write(POINTS, text)
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
    partial.write(SPEC, json.dumps(spec, indent=2, default=str) + "\n")
    partial.remove(JOURNAL)
    partial.sync(spec["files"])  # on the disk before it takes the result's name
    ours = old_files if old_files is not None else []
    swap(parent, partial, folder.name, refuse=_replaceable(ours), allowed=set(ours).__contains__)
