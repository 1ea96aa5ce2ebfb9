"""End-to-end engine throughput and peak memory on the India/Huffman link.

Usage: python benchmarks/engine.py [N ...]   (default: 1e6 1e7)

Each size runs in a fresh subprocess so that its peak resident memory
(ru_maxrss) is its own; the median of three runs is reported.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys

CHILD = r"""
import json, resource, sys, time
from tests.sim.links import huffman_link, scenario
from sim.engine import run, DEFAULT_CHUNK
n = int(float(sys.argv[1])); chunk = int(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT_CHUNK
t = time.perf_counter()
res = run(scenario(huffman_link()), messages=n, chunk=chunk)
dt = time.perf_counter() - t
link = res.links[0]
assert link.lossless and link.messages == n
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": dt, "rss_mb": rss, "bpm": link.bits_per_message}))
"""


def measure(n: float, chunk: int | None = None, repeats: int = 3) -> dict:
    runs = []
    for _ in range(repeats):
        args = [sys.executable, "-c", CHILD, str(n)] + ([str(chunk)] if chunk else [])
        out = subprocess.run(args, check=True, capture_output=True, text=True)
        runs.append(json.loads(out.stdout))
    secs = statistics.median(r["seconds"] for r in runs)
    return {"n": int(n), "seconds": secs, "rate": n / secs, "rss_mb": max(r["rss_mb"] for r in runs)}


def main(argv: list[str]) -> None:
    sizes = [float(a) for a in argv] or [1e6, 1e7]
    print(f"{'messages':>12} {'seconds':>9} {'messages/s':>12} {'peak RSS MB':>12}")
    for n in sizes:
        r = measure(n)
        print(f"{r['n']:>12,} {r['seconds']:>9.3f} {r['rate']:>12,.0f} {r['rss_mb']:>12.1f}")
    r = measure(2e4, chunk=1)
    print(f"{'chunk 1:':>12} {r['n']:,} messages, {r['rate']:,.0f} messages/s")


if __name__ == "__main__":
    main(sys.argv[1:])
