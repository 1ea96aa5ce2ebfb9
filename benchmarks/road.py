"""Stream-code links end to end against the Huffman link, interleaved in rounds in one process.

Usage::

    python benchmarks/road.py                 # 10^7 messages per link, 5 rounds (~25 s)
    python benchmarks/road.py --messages 200000 --rounds 3

Each round runs every link once (one single-link scenario per code, India's box,
back-to-back on a 50-baud line), in an order rotated from round to round, with
``sim.engine.simulation.run`` end to end: draw, encode (stream state carried
across chunks), time the line, decode and verify every message. Each figure is
the median over the rounds; each ratio is a ratio of medians against the
Huffman link timed beside it. The bits per message are printed too (every run
is seeded, so they do not vary between rounds).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sim.engine.simulation import run  # noqa: E402
from sim.engine.stream_kernels import warm_up  # noqa: E402
from sim.scenario.loader import loads  # noqa: E402

CODES = {
    "huffman": "{type: huffman, for: india}",
    "block k=2": "{type: block, for: india, order: 2}",
    "block k=3": "{type: block, for: india, order: 3}",
    "block k=4": "{type: block, for: india, order: 4}",
    "tunstall m=5": "{type: tunstall, for: india, bits: 5}",
    "tunstall m=8": "{type: tunstall, for: india, bits: 8}",
    "tunstall m=16": "{type: tunstall, for: india, bits: 16}",
    "arithmetic": "{type: arithmetic, for: india}",
}


def scenario(code: str):
    return loads(
        "urns: {india: {blue: 25, red: 50, green: 13, yellow: 12}}\n"
        f"codes: {{c: {code}}}\nlines: {{cable: {{baud: 50}}}}\nlinks: [{{urn: india, code: c}}]\n",
        filename="road.yaml",
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--messages", type=int, default=10_000_000)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    warm_up()
    scenarios = {name: scenario(code) for name, code in CODES.items()}
    for s in scenarios.values():
        run(s, messages=1_000)  # compile / load every kernel first
    times: dict[str, list[float]] = {name: [] for name in CODES}
    bits: dict[str, float] = {}
    names = list(CODES)
    for r in range(args.rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            t0 = time.perf_counter()
            link = run(scenarios[name], messages=args.messages).links[0]
            times[name].append(time.perf_counter() - t0)
            assert link.lossless, name
            bits[name] = link.bits_per_message
    base = statistics.median(times["huffman"])
    print(f"{args.messages:,} messages per link, {args.rounds} rounds, medians")
    print(f"{'link':<14} {'seconds':>8} {'Mmsg/s':>7} {'× huffman':>9} {'bits/msg':>9}")
    for name in names:
        t = statistics.median(times[name])
        print(f"{name:<14} {t:8.3f} {args.messages / t / 1e6:7.2f} {t / base:9.2f} {bits[name]:9.5f}")


if __name__ == "__main__":
    main()
