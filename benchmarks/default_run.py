"""Wall time of the default ``telegraph run`` (India to Australia, 10^5 messages a link, figures, report).

Target (issue 15): under 2 s of wall time on an idle 2-core machine. Each
round runs the installed ``telegraph run --quiet`` in a fresh process, once
with figures drawn in one process (``TELEGRAPH_FIGURE_WORKERS=1``, the
control) and once with the default (two processes where two CPUs are free),
in alternating order, so load drifts hit both alike. Reported: median wall
time, median CPU time (user + system, the child processes included), the
ratio of the medians, the 1-minute load average before each round, and the
phases of one run measured in-process (start-up imports, load, simulate,
explain, figures and report, and within the last the time spent flushing the
result to the disk with fsync, in a folder beside the repository's files).
Kernels are compiled once before timing (numba's on-disk cache), as on every
run after the first.

Run from the repository root::

    .venv/bin/python benchmarks/default_run.py [--rounds 7]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TELEGRAPH = Path(sys.executable).with_name("telegraph")

PHASES = """
import time, sys, tempfile
t0 = time.perf_counter()
from sim.engine import simulation as engine
from sim.scenario import loader as scenario
from sim.publish.explain import explain
from sim.publish.output import check_target, write_results
from sim.cli import _render_figures
t1 = time.perf_counter()
sc = scenario.load("india_to_australia")
t2 = time.perf_counter()
result = engine.run(sc)
t3 = time.perf_counter()
text = explain(sc)
t4 = time.perf_counter()
import os
flushes, real_fsync = [], os.fsync
def timed_fsync(fd):  # how much of writing the result is flushing it to the disk
    t = time.perf_counter()
    real_fsync(fd)
    flushes.append(time.perf_counter() - t)
os.fsync = timed_fsync
with tempfile.TemporaryDirectory(dir=".") as tmp:
    from pathlib import Path
    folder = check_target(Path(tmp), sc.name)
    write_results(result, folder, scenario_yaml=scenario.dump(sc), explain_text=text,
                  extra=_render_figures(result, text))
t5 = time.perf_counter()
print(f"{t1 - t0:.3f} {t2 - t1:.3f} {t3 - t2:.3f} {t4 - t3:.3f} {t5 - t4:.3f}",
      len(flushes), f"{sum(flushes):.4f}")
"""


def one(workers: int, out: str) -> tuple[float, float]:
    env = {**os.environ, "TELEGRAPH_FIGURE_WORKERS": str(workers)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([str(TELEGRAPH), "run", "--quiet", "--out", out], check=True, env=env, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args(argv)
    walls: dict[int, list[float]] = {1: [], 2: []}
    cpus: dict[int, list[float]] = {1: [], 2: []}
    loads = []
    with tempfile.TemporaryDirectory() as tmp:
        one(2, tmp)  # compile or load the kernels, warm the file cache
        for r in range(args.rounds):
            loads.append(os.getloadavg()[0])
            for w in (1, 2) if r % 2 == 0 else (2, 1):
                wall, cpu = one(w, tmp)
                walls[w].append(wall)
                cpus[w].append(cpu)
    phases = []
    for _ in range(3):
        done = subprocess.run(
            [sys.executable, "-c", PHASES], check=True, capture_output=True, text=True, cwd=ROOT
        )
        phases.append([float(x) for x in done.stdout.split()])
    med = [statistics.median(col) for col in zip(*phases)]
    print(
        f"CPUs available: {len(os.sched_getaffinity(0))}; 1-minute load average before the rounds: "
        f"median {statistics.median(loads):.2f} (min {min(loads):.2f}, max {max(loads):.2f})"
    )
    print(f"{'figures drawn by':<28}{'wall median s':>15}{'CPU median s':>14}")
    for w, label in ((1, "1 process (control)"), (2, "2 processes (default)")):
        print(f"{label:<28}{statistics.median(walls[w]):>15.2f}{statistics.median(cpus[w]):>14.2f}")
    print(f"wall ratio default/control: {statistics.median(walls[2]) / statistics.median(walls[1]):.2f}")
    print(
        "phases of one run, in-process (median of 3, s): imports {:.2f}, load {:.2f}, simulate {:.2f}, "
        "explain {:.2f}, figures + report + files {:.2f}".format(*med[:5])
    )
    print(
        f"of which flushing the result to the disk: {med[5]:.0f} fsyncs, {med[6] * 1e3:.1f} ms (median of 3)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
