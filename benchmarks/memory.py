"""Peak resident memory of the engine against the number of messages.

Usage::

    python benchmarks/memory.py              # 1e6, 1e7, 1e8 messages
    python benchmarks/memory.py 1e6 1e9      # other sizes
    python benchmarks/memory.py --repeats 1

Each size runs back to back on the India/Huffman link (``tests/sim/links.py``)
in a fresh subprocess, so ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` is
that run's own peak.  The child records the peak twice: after importing the
engine and warming up its kernels (the baseline every run pays), and after the
run.  Memory should be flat in N: the engine holds one chunk of messages at a
time, never the whole stream.  Target: peak < 300 MB at 10^8 messages.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from children import run_children  # noqa: E402

TARGET_MB = 300

CHILD = r"""
import json, resource, sys, time
from sim.engine import kernels
from sim.engine.simulation import DEFAULT_CHUNK, run
from tests.sim.links import huffman_link, scenario

def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux

kernels.warm_up()
base = peak()
n = int(float(sys.argv[1]))
t = time.perf_counter()
res = run(scenario(huffman_link()), messages=n)
dt = time.perf_counter() - t
link = res.links[0]
assert link.lossless and link.messages == n
print(json.dumps({"base_mb": base, "peak_mb": peak(), "seconds": dt, "chunk": DEFAULT_CHUNK}))
"""


def measure(n: int, repeats: int) -> dict:
    runs = run_children([sys.executable, "-c", CHILD, str(n)], repeats)
    secs = statistics.median(r["seconds"] for r in runs)
    return {
        "n": n,
        "seconds": secs,
        "rate": n / secs,
        "base_mb": statistics.median(r["base_mb"] for r in runs),
        "peak_mb": max(r["peak_mb"] for r in runs),
        "chunk": runs[0]["chunk"],
    }


def main(argv: list[str]) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sizes", nargs="*", type=float, default=[1e6, 1e7, 1e8], help="messages per run")
    ap.add_argument("--repeats", type=int, default=3, help="runs per size (seconds: median; RSS: max)")
    a = ap.parse_args(argv)
    from throughput import machine, revision  # benchmarks/ is sys.path[0] when run as a script

    print(f"telegraph memory benchmark -- {machine()}; {revision()}")
    print(f"India/Huffman, back to back, fresh subprocess per run, {a.repeats} runs per size")
    cols = ("messages", "seconds", "msgs/s", "baseline MB", "peak RSS MB", "run adds MB")
    head = "{:>13} {:>8} {:>13} {:>12} {:>12} {:>12}".format(*cols)
    print(head)
    print("-" * len(head))
    at_target = None
    for n in (int(s) for s in a.sizes):
        r = measure(n, a.repeats)
        if n == 10**8:
            at_target = r
        print(
            f"{n:>13,} {r['seconds']:>8.2f} {r['rate']:>13,.0f} {r['base_mb']:>12.1f} "
            f"{r['peak_mb']:>12.1f} {r['peak_mb'] - r['base_mb']:>12.1f}"
        )
    print(f"\nchunk {r['chunk']:,}; baseline = peak after importing sim and sim.engine.kernels.warm_up();")
    print("seconds: median of runs; peak RSS: max over runs.")
    if at_target is not None:
        verdict = "met" if at_target["peak_mb"] < TARGET_MB else "MISSED"
        print(
            f"target peak < {TARGET_MB} MB at 100,000,000 messages: {verdict} ({at_target['peak_mb']:.1f} MB)"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
