"""Links in worker processes: a 4-link run on 1 process against 2, start-up cost, memory per process.

Usage: python benchmarks/parallel.py [--rounds R] [--messages N] [--sizes N1,N2,...] [--cli]

- speed-up: ``india_to_australia`` (four links, each on a wire of its own:
  four independent parts) for N messages per link (default 10^8), with
  ``jobs=1`` and ``jobs=2`` in interleaved rounds (1, 2, 1, 2, ...) in this one
  process; medians and their ratio. Each ``jobs=2`` run includes starting its
  two workers (forked from the already running fork server), loading the
  compiled kernels from numba's cache in each, and sending the results back.
  Before the clock starts both paths run once (the fork server starts).
- break-even (--sizes): the same at smaller N, to place ``MIN_WORK`` (below it
  ``--jobs auto`` stays in one process).
- memory: peak resident memory of every process of each run (the parent,
  then each worker); a worker's includes the engine it imports.
- control: the same fixed CPU work (a pure-Python loop) in 1 process against
  2 plain processes, in the same rounds: the ratio the machine itself allows
  two processes at the moment.
- --cli: also ``telegraph run --no-plots --jobs 1`` against ``--jobs 2`` as
  fresh commands (interpreter, imports and the fork server's start included).

The machine's load average is printed at the start and end and with each
round. On a shared 2-core machine with the kernel's autogroup scheduling
(``/proc/sys/kernel/sched_autogroup_enabled``), a session's processes share
one session's share of the CPU: while other sessions keep cores busy, two
processes get no more CPU than one, and the ratio falls towards 1.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sim.engine import parallel
from sim.engine import simulation as engine
from sim.scenario import loader

SCENARIO = "india_to_australia"
SPIN = 30_000_000  # loop steps of the control, per round


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def autogroup() -> str:
    try:
        on = Path("/proc/sys/kernel/sched_autogroup_enabled").read_text().strip() == "1"
    except OSError:
        return "unknown"
    return "on" if on else "off"


def spin(steps: int) -> None:
    """The control's work: CPU only, no memory traffic to speak of."""
    subprocess.run([sys.executable, "-c", f"sum(range({steps}))"], check=True)


def control() -> tuple[float, float]:
    """(seconds for the work in 1 process, in 2 processes each doing half)."""
    t0 = time.perf_counter()
    spin(SPIN)
    one = time.perf_counter() - t0
    t0 = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, "-c", f"sum(range({SPIN // 2}))"]) for _ in range(2)]
    if any(p.wait() != 0 for p in procs):
        raise RuntimeError("a control process failed")
    return one, time.perf_counter() - t0


def timed(sc, messages: int, jobs: int) -> tuple[float, parallel.Workers]:
    t0 = time.perf_counter()
    used: list[parallel.Workers] = []
    result = engine.run(sc, messages=messages, jobs=jobs, on_workers=used.append)
    seconds = time.perf_counter() - t0
    assert all(link.lossless and link.messages == messages for link in result.links)
    return seconds, used[0]


def cli(messages: int, jobs: int, out: str) -> float:
    argv = [sys.executable, "-m", "sim", "run", SCENARIO, "--messages", str(messages)]
    t0 = time.perf_counter()
    subprocess.run([*argv, "--jobs", str(jobs), "--no-plots", "--quiet", "--out", out], check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    return time.perf_counter() - t0


def mib(n: int) -> str:
    return f"{n / 2**20:.0f}"


def compare(sc, messages: int, rounds: int, with_cli: bool, with_control: bool) -> None:
    total = messages * len(sc.links)
    print(f"\n{SCENARIO}: {len(sc.links)} links x {messages:,} messages = {total:,} messages")
    times: dict[str, list[float]] = {k: [] for k in ("1", "2", "cli1", "cli2", "c1", "c2")}
    memory: dict[int, list[tuple[int, ...]]] = {1: [], 2: []}
    with tempfile.TemporaryDirectory() as out:
        for r in range(rounds):
            for jobs in (1, 2):
                seconds, used = timed(sc, messages, jobs)
                times[str(jobs)].append(seconds)
                memory[jobs].append(used.peak_rss)
                peaks = "/".join(mib(p) for p in used.peak_rss)
                print(f"  round {r + 1}: jobs={jobs} {seconds:7.2f} s  {total / seconds / 1e6:6.1f} M msg/s  "
                      f"peak RSS MiB {peaks}  (load {load()})", flush=True)  # fmt: skip
            if with_cli:
                for jobs in (1, 2):
                    seconds = cli(messages, jobs, out)
                    times[f"cli{jobs}"].append(seconds)
                    print(f"  round {r + 1}: telegraph run --jobs {jobs} {seconds:7.2f} s  (load {load()})")
            if with_control:
                one, two = control()
                times["c1"].append(one)
                times["c2"].append(two)
                print(f"  round {r + 1}: control 1 process {one:.2f} s, 2 processes {two:.2f} s")
    rows = [("engine.run", "1", "2")]
    if with_cli:
        rows.append(("telegraph run", "cli1", "cli2"))
    if with_control:
        rows.append(("control (plain CPU work)", "c1", "c2"))
    for label, a, b in rows:
        m1, m2 = statistics.median(times[a]), statistics.median(times[b])
        per = ", ".join(f"{x / y:.2f}" for x, y in zip(times[a], times[b]))
        print(f"  {label}: median 1 process {m1:.2f} s, 2 processes {m2:.2f} s, "
              f"ratio {m1 / m2:.2f}x (per round {per})")  # fmt: skip
    parent1 = max(p[0] for p in memory[1])
    workers = [w for p in memory[2] for w in p[1:]]
    print(f"  peak RSS: one process {mib(parent1)} MiB; with jobs=2, each worker "
          f"{mib(min(workers))}-{mib(max(workers))} MiB (the parent's own is the row above)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--messages", type=int, default=100_000_000, help="messages per link")
    parser.add_argument("--sizes", default="", help="smaller messages per link for the break-even rows")
    parser.add_argument("--cli", action="store_true", help="also time telegraph run as a fresh command")
    args = parser.parse_args()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    print(f"commit {commit or '?'}, {parallel.cores()} cores, autogroup {autogroup()}, load average {load()}")
    sc = loader.load(SCENARIO)
    for jobs in (1, 2):  # the fork server starts; both paths load the kernels
        engine.run(sc, messages=1000, jobs=jobs)
    for size in [int(float(s)) for s in args.sizes.split(",") if s]:
        compare(sc, size, args.rounds, with_cli=False, with_control=False)
    compare(sc, args.messages, args.rounds, with_cli=args.cli, with_control=True)
    print(f"\nload average at the end {load()}")


if __name__ == "__main__":
    main()
