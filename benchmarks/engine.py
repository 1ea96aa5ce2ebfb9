"""End-to-end engine throughput and peak memory on the India/Huffman link (issue 3's figures).

Usage: python benchmarks/engine.py [N ...]   (default: 1e6 1e7)

A short summary built from the two fuller scripts: ``memory.py`` (each size in
a fresh subprocess: median seconds, peak RSS) and ``throughput.py`` (chunk-1
mode, and the comparison with peer libraries).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import memory  # noqa: E402
import throughput  # noqa: E402


def main(argv: list[str]) -> None:
    sizes = [int(float(a)) for a in argv] or [10**6, 10**7]
    print(f"{'messages':>12} {'seconds':>9} {'messages/s':>12} {'peak RSS MB':>12}")
    for n in sizes:
        r = memory.measure(n, repeats=3)
        print(f"{n:>12,} {r['seconds']:>9.3f} {r['rate']:>12,.0f} {r['peak_mb']:>12.1f}")
    r = throughput.engine("india", 20_000, chunk=1)
    print(f"{'chunk 1:':>12} 20,000 messages, {r['rate']:,.0f} messages/s")


if __name__ == "__main__":
    main(sys.argv[1:])
