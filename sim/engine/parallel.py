"""Run independent parts of a scenario in worker processes, one part at a time per worker.

Links that share nothing -- each on a wire of its own, each with its own
seed streams -- do not interact, so each *component* (a link alone, or every
link on one shared wire) can be simulated in a SimPy environment of its own,
in another process, with exactly the numbers it gets in one environment.
:func:`components` finds them; :func:`run_in_processes` hands them out.

The pool is small on purpose: one pipe per worker, a task sent only to an
idle worker, replies (progress, the result, or the error) read as they
come. That keeps what the CLI promises:

- a child's error is raised again in the parent (same type and message; the
  child's traceback hangs on it as ``__cause__``), and a child that dies
  (killed, out of memory) is one line naming its exit status;
- Ctrl-C and SIGTERM reach the parent (workers ignore SIGINT), which stops
  every worker before the interruption goes on up, so no results are written
  and no worker outlives the run; a worker whose parent vanished stops at its
  next batch;
- workers start by ``forkserver`` (a clean process forked from one that has
  imported the engine once; ``spawn`` where there is no forkserver), never by
  plain ``fork`` from a process that may hold threads and locks.

Start-up costs a fraction of a second (:data:`MIN_WORK`), so ``auto`` uses
one process for short runs.
"""

from __future__ import annotations

import copyreg
import io
import multiprocessing
import os
import pickle
import signal
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from types import MappingProxyType
from typing import Any, Literal

from sim.model.records import Line, Link

__all__ = [
    "MIN_WORK",
    "Jobs",
    "WorkerDied",
    "Workers",
    "choose_jobs",
    "components",
    "cores",
    "peak_rss",
    "prepare",
    "run_in_processes",
]

#: Below this many messages in all (links x messages), ``auto`` runs in one process. From the
#: command line two workers add about half a second (the fork server's start included); at
#: 10^8 messages the fastest bundled scenario (India, ~110 M messages per core-second) breaks
#: even on 2 cores, slower ones (the shared office, ~15 M) gain seconds (``benchmarks/parallel.py``).
MIN_WORK = 100_000_000
#: Seconds between a worker's progress reports at most.
REPORT_EVERY = 0.1
#: Modules the forkserver imports once, so each worker starts with them loaded.
PRELOAD = ["sim.engine.preload"]

Jobs = int | Literal["auto"]


class WorkerDied(RuntimeError):
    """A worker process ended without reporting (killed by a signal, out of memory)."""


@dataclass(frozen=True)
class Workers:
    """What the processes of a run used: ``peak_rss`` bytes, the parent's first, then each worker's."""

    processes: int
    peak_rss: tuple[int, ...]


def components(links: Sequence[Link]) -> list[list[int]]:
    """Indices of ``links`` grouped into parts that share nothing, in order of their first link.

    Every link on one shared line is in one part (one wire, one queue);
    any other link is a part of its own.
    """
    parts: list[list[int]] = []
    wires: dict[Line, list[int]] = {}
    for i, link in enumerate(links):
        if link.line.shared and link.line in wires:
            wires[link.line].append(i)
            continue
        parts.append([i])
        if link.line.shared:
            wires[link.line] = parts[-1]
    return parts


def cores() -> int:
    """Cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def choose_jobs(jobs: Jobs, parts: int, work: int) -> int:
    """How many processes to use for ``parts`` independent parts and ``work`` messages in all.

    A number is taken as given, but never more than one per part.
    ``"auto"``: one per core and part, but one when there is a single part or
    fewer than :data:`MIN_WORK` messages. Always one in a process that may
    not start processes of its own (a daemonic worker, e.g. of a sweep).
    """
    if isinstance(jobs, bool) or not (jobs == "auto" or (isinstance(jobs, int) and jobs >= 1)):
        raise ValueError(f"'jobs' must be a whole number of at least 1 or 'auto' (got {jobs!r})")
    if multiprocessing.current_process().daemon:
        return 1
    if jobs == "auto":
        return 1 if work < MIN_WORK else max(1, min(cores(), parts))
    return max(1, min(jobs, parts))


def _proxy(mapping: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    return MappingProxyType(mapping)


def dumps(obj: object) -> bytes:
    """Pickle ``obj``; read-only mappings (a code's codewords) travel as copies."""
    buf = io.BytesIO()
    pickler = pickle.Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL)
    table = copyreg.dispatch_table.copy()
    table[MappingProxyType] = lambda m: (_proxy, (dict(m),))
    pickler.dispatch_table = table
    pickler.dump(obj)
    return buf.getvalue()


def peak_rss() -> int:
    """This process's peak resident memory so far, in bytes (0 where the platform cannot say)."""
    try:
        import resource
    except ImportError:  # Windows
        return 0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak) if sys.platform == "darwin" else int(peak) * 1024  # macOS: bytes; Linux: KiB


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if ctx.get_start_method() == "forkserver":
        ctx.set_forkserver_preload(PRELOAD)
    return ctx


def prepare() -> None:
    """Start the server workers fork from now, so it imports the engine while the caller goes on.

    Optional: :func:`run_in_processes` starts it when it is not running.
    """
    if _context().get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


class _Reporter:
    """A worker's progress callback: adds up messages, sends them at most every REPORT_EVERY seconds.

    It also notices a parent that is gone (the pipe is readable only then,
    since the parent sends nothing while a task runs) and ends the worker.
    """

    def __init__(self, conn: Connection, send: bool) -> None:
        self.conn, self.send, self.pending, self.last = conn, send, 0, time.monotonic()

    def __call__(self, n: int) -> None:
        self.pending += n
        now = time.monotonic()
        if now - self.last < REPORT_EVERY:
            return
        self.last = now
        if self.conn.poll():  # EOF: the parent is gone
            os._exit(1)
        self.flush()

    def flush(self) -> None:
        if self.send and self.pending:
            self.conn.send_bytes(dumps(("progress", self.pending)))
        self.pending = 0


def _worker(conn: Connection, fn: Callable[..., Any], send_progress: bool) -> None:
    """A worker's loop: take a task, run it, reply; stop at ``None`` or when the parent is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    while True:
        try:
            blob = conn.recv_bytes()
        except (EOFError, OSError):
            return
        task = pickle.loads(blob)
        if task is None:
            conn.send_bytes(dumps(("exit", peak_rss())))
            return
        index, args = task
        report = _Reporter(conn, send_progress)
        try:
            value = fn(*args, progress=report)
            report.flush()
            reply = dumps(("done", index, value))
        except BaseException as exc:  # every error goes back to the parent, which raises it
            text = "".join(traceback.format_exception(exc))
            try:
                reply = dumps(("error", index, exc, text))
                pickle.loads(reply)
            except Exception:  # an exception that does not travel: its type and message do
                reply = dumps(("error", index, RuntimeError(f"{type(exc).__name__}: {exc}"), text))
        conn.send_bytes(reply)


class _RemoteTraceback(Exception):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text

    def __str__(self) -> str:
        return f'\n"""\n{self.text}"""'


def run_in_processes(
    fn: Callable[..., Any],
    tasks: Sequence[tuple[Any, ...]],
    jobs: int,
    progress: Callable[[int], None] | None = None,
) -> tuple[list[Any], Workers]:
    """``[fn(*args, progress=...) for args in tasks]``, on ``jobs`` worker processes.

    ``fn`` must be importable by name (a module-level function). Each
    worker's ``progress`` calls arrive at ``progress`` here, in the parent.
    Returns the values in the order of ``tasks`` and what the processes
    used. The first error raised by ``fn`` is raised here, after every worker
    has been stopped; so is KeyboardInterrupt (Ctrl-C, SIGTERM via the CLI).
    """
    ctx = _context()
    jobs = max(1, min(jobs, len(tasks)))
    values: list[Any] = [None] * len(tasks)
    waiting = list(range(len(tasks)))[::-1]  # popped from the end: in order
    conns: dict[Connection, Any] = {}
    peaks: list[int] = []
    try:
        for _ in range(jobs):
            here, there = ctx.Pipe()
            proc = ctx.Process(target=_worker, args=(there, fn, progress is not None), daemon=True)
            proc.start()
            there.close()
            conns[here] = proc
            _hand_out(here, waiting, tasks)
        busy = set(conns)
        while busy:
            sentinels = {conns[c].sentinel: c for c in busy}
            for ready in wait([*busy, *sentinels]):
                conn = ready if isinstance(ready, Connection) else sentinels[ready]
                if conn not in busy:
                    continue
                try:
                    message = pickle.loads(conn.recv_bytes())
                except (EOFError, OSError):
                    conns[conn].join()
                    raise WorkerDied(
                        f"a simulation worker process ended without reporting (exit status "
                        f"{conns[conn].exitcode}; killed, or out of memory?)"
                    ) from None
                kind = message[0]
                if kind == "progress":
                    if progress is not None:
                        progress(message[1])
                elif kind == "done":
                    values[message[1]] = message[2]
                    _hand_out(conn, waiting, tasks)
                elif kind == "error":
                    exc = message[2]
                    exc.__cause__ = _RemoteTraceback(message[3])
                    raise exc
                else:  # "exit"
                    peaks.append(message[1])
                    busy.discard(conn)
    finally:
        for conn, proc in conns.items():
            if proc.is_alive() and proc.exitcode is None:
                proc.terminate()
            conn.close()
        for proc in conns.values():
            proc.join()
    return values, Workers(processes=jobs + 1, peak_rss=(peak_rss(), *peaks))


def _hand_out(conn: Connection, waiting: list[int], tasks: Sequence[tuple[Any, ...]]) -> None:
    """Send the next task to the idle worker on ``conn`` (or ``None``: stop)."""
    task = (waiting[-1], tasks[waiting.pop()]) if waiting else None
    conn.send_bytes(dumps(task))
