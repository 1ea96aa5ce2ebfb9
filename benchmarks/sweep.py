"""Sweep speed-up on local Dask workers, the per-task overhead, and the client's memory at 10^4 points.

Usage: python benchmarks/sweep.py [--rounds R] [--messages N] [--points P] [--memory]

- speed-up: a P-point sweep (default 200 points of busy_telegraph_office, one
  replication, N messages per link) on 1 local worker against 2, in
  interleaved rounds (1, 2, 1, 2, ...) in this one process; medians and their
  ratio. Each round includes starting the local cluster and writing
  points.csv (no figures), as a user would see it. As a control, the same
  tasks in 1 and in 2 plain Python processes (no Dask) in the same rounds:
  their ratio is what the machine itself allows two processes at the moment.
- overhead: sweeps of 50 and 450 tasks whose task returns a stored result at
  once, on 1 worker; (T450 − T50) / 400 is what the sweep machinery (Dask
  round trip, journal line with fsync, bookkeeping) adds to every task.
- memory (--memory): a 10^4-point sweep of tiny runs on 2 workers; the
  client's resident memory sampled as tasks complete.

The machine's load average is printed at start and end: on a shared 2-core
machine the speed-up is bounded by the cores other processes leave free.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from sim.sweep import load_sweep
from sim.sweep.runner import run_sweep
from sim.sweep.task import run_task

_STORED: list[list[str]] = []


def stored(data: dict, filename: str, seed: int) -> list[list[str]]:
    """A task that does no work: the machinery's cost alone."""
    return _STORED


def sweep_file(folder: Path, points: int, messages: int) -> Path:
    rates = [round(0.5 + 8.0 * i / max(points - 1, 1), 6) for i in range(points)]
    path = folder / f"bench{points}.yaml"
    path.write_text(
        f"name: bench{points}\nscenario: busy_telegraph_office\nmessages: {messages}\nseed: 1\n"
        f"grid:\n  links[*].arrivals.rate: {rates}\n",
        encoding="utf-8",
    )
    return path


def timed(sweep, workers: int, task=run_task) -> float:
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        outcome = run_sweep(sweep, Path(out), workers=workers, say=lambda s: None, figures=False, task=task)
        seconds = time.perf_counter() - start
    assert outcome.complete and not outcome.failures
    return seconds


_CHILD = """
import sys
from sim.sweep import load_sweep
from sim.sweep.task import run_task
sw = load_sweep(sys.argv[1])
k, n = int(sys.argv[2]), int(sys.argv[3])
for p in sw.points[k::n]:
    run_task(sw.scenario_data(p), "x.yaml", p.index)
"""


def plain(path: Path, processes: int) -> float:
    """The same tasks in ``processes`` plain Python processes, no Dask: what the machine allows."""
    start = time.perf_counter()
    procs = [
        subprocess.Popen([sys.executable, "-c", _CHILD, str(path), str(k), str(processes)])
        for k in range(processes)
    ]
    for p in procs:
        if p.wait() != 0:
            raise RuntimeError("a plain worker failed")
    return time.perf_counter() - start


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def speedup(folder: Path, points: int, messages: int, rounds: int) -> None:
    path = sweep_file(folder, points, messages)
    sweep = load_sweep(path)
    t0 = time.perf_counter()
    run_task(sweep.scenario_data(sweep.points[points // 2]), "x.yaml", 1)
    one = time.perf_counter() - t0
    print(f"{points} points x 3 links x {messages:,} messages; one task in this process: {one:.3f} s")
    times: dict[tuple[str, int], list[float]] = {(k, w): [] for k in ("dask", "plain") for w in (1, 2)}
    for r in range(rounds):
        for kind in ("dask", "plain"):
            for w in (1, 2):
                t = timed(sweep, w) if kind == "dask" else plain(path, w)
                times[kind, w].append(t)
                print(f"  round {r + 1}: {kind:5} {w} worker(s) {t:7.2f} s   (load {load()})", flush=True)
    for kind in ("dask", "plain"):
        m1, m2 = statistics.median(times[kind, 1]), statistics.median(times[kind, 2])
        ratios = [a / b for a, b in zip(times[kind, 1], times[kind, 2])]
        print(f"{kind}: median 1 worker {m1:.2f} s, 2 workers {m2:.2f} s, speed-up {m1 / m2:.2f}x "
              f"(per round: {', '.join(f'{x:.2f}' for x in ratios)})")  # fmt: skip


def overhead(folder: Path, rounds: int) -> None:
    global _STORED
    small = load_sweep(sweep_file(folder, 50, 100))
    big = load_sweep(sweep_file(folder, 450, 100))
    _STORED = run_task(small.scenario_data(small.points[0]), "x.yaml", 1)
    t0 = time.perf_counter()
    for p in small.points[:20]:
        run_task(small.scenario_data(p), "x.yaml", 1)
    own = (time.perf_counter() - t0) / 20
    per: list[float] = []
    for _ in range(rounds):
        a, b = timed(small, 1, stored), timed(big, 1, stored)
        per.append((b - a) / 400)
    print(f"per-task overhead of the sweep machinery: {1000 * statistics.median(per):.2f} ms "
          f"(rounds: {', '.join(f'{1000 * x:.2f}' for x in per)} ms); a 100-message task itself "
          f"takes {1000 * own:.2f} ms in-process")  # fmt: skip


def memory(folder: Path) -> None:
    import psutil

    points = 10_000
    path = folder / "mem.yaml"
    path.write_text(
        "name: mem\nscenario: india_to_australia\nmessages: 100\nseed: 1\n"
        f"grid:\n  urns.india.green: {list(range(1, points + 1))}\n",
        encoding="utf-8",
    )
    me = psutil.Process()
    t0 = time.perf_counter()
    sweep = load_sweep(path)
    print(f"10^4 points loaded and validated in {time.perf_counter() - t0:.1f} s; "
          f"client RSS {me.memory_info().rss / 2**20:.0f} MiB")  # fmt: skip
    samples: list[tuple[int, float]] = []
    stop = threading.Event()
    with tempfile.TemporaryDirectory() as out:
        journal = Path(out) / ".mem.partial" / "journal.jsonl"

        def sample() -> None:
            while not stop.wait(0.5):
                done = int(subprocess.run(["wc", "-l"], stdin=open(journal, "rb"), capture_output=True,
                                          text=True).stdout or 0) if journal.exists() else 0  # fmt: skip
                samples.append((done, me.memory_info().rss / 2**20))

        thread = threading.Thread(target=sample, daemon=True)
        thread.start()
        t0 = time.perf_counter()
        run_sweep(sweep, Path(out), workers=2, say=lambda s: None, figures=False)
        stop.set()
        thread.join()
        seconds = time.perf_counter() - t0
    print(f"ran {points:,} tasks in {seconds:.0f} s on 2 workers; client RSS (MiB) by tasks done:")
    for frac in (0.1, 0.25, 0.5, 0.75, 0.95):
        near = min(samples, key=lambda s: abs(s[0] - frac * points))
        print(f"  {near[0]:>6,} done: {near[1]:6.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--points", type=int, default=200)
    parser.add_argument("--memory", action="store_true", help="also run the 10^4-point memory test")
    args = parser.parse_args()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    print(f"commit {commit or '?'}, {os.cpu_count()} cores, load average {load()}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        speedup(folder, args.points, args.messages, args.rounds)
        overhead(folder, args.rounds)
        if args.memory:
            memory(folder)
    print(f"load average at the end {load()}")


if __name__ == "__main__":
    main()
