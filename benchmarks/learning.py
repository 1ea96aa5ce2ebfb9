"""What an adaptive link's learning tally costs: the tally beside the coder it follows, on one stream.

Usage::

    python benchmarks/learning.py                  # 10^6 balls, 7 rounds (about 20 s)
    python benchmarks/learning.py --n 100000 --rounds 5

One stream: Australia's box drawn i.i.d. with numpy (seed 1948). Each round
times, in one process and in an order rotated from round to round:

- *coder*: the compiled adaptive arithmetic encoder (KT), the work every
  adaptive link does anyway (``sim.engine.adaptive_kernels``);
- *tally*: :class:`sim.engine.learning.LearningTally` on the same balls (the
  ideal cost, ε, the conditional mean and variance, the counts, LZ78 and the
  checkpoints of a 10^6-message run);
- *tally, adaptive Huffman m = 1*: the same tally for a Huffman code rebuilt
  every ball (it rebuilds the code to know what each ball is expected to cost);
- *engine run*: ``sim.engine.simulation.run`` of a one-link scenario with the
  KT code, end to end (draws, coder, tally, line, decoder and checks).

Each figure is the median over rounds after a warm-up call; the ratio is the
method's median time over the coder's.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from throughput import load, machine, revision  # noqa: E402

from coding import AdaptiveHuffman, AdaptiveModel  # noqa: E402
from sim.engine import adaptive_kernels as ak  # noqa: E402
from sim.engine.learning import LearningTally  # noqa: E402
from sim.engine.simulation import checkpoints, run  # noqa: E402
from sim.scenario.loader import loads  # noqa: E402

COLOURS = ("blue", "red", "green", "yellow")
Q = np.array([0.13, 0.25, 0.5, 0.12])


def methods(seq: np.ndarray) -> dict[str, Callable[[], object]]:
    n = seq.size
    kt = AdaptiveModel(COLOURS, "kt")
    points = checkpoints(n)
    scenario = loads(
        f"seed: 1948\nmessages: {n}\nurns: {{australia: {{blue: 13, red: 25, green: 50, yellow: 12}}}}\n"
        "codes: {learn: {type: adaptive, prior: kt}}\nlinks: [{urn: australia, code: learn}]\n"
    )

    def coder() -> object:
        return ak.AdaptiveArithmeticEncoder(kt).encode(seq)

    def tally() -> object:
        return LearningTally(kt, Q, points, n).add(seq)

    def tally_huffman() -> object:
        return LearningTally(AdaptiveHuffman(COLOURS, "kt", 1), Q, points, n).add(seq)

    def engine() -> object:
        return run(scenario)

    return {
        "coder": coder,
        "tally": tally,
        "tally, adaptive Huffman m = 1": tally_huffman,
        "engine run": engine,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10**6, help="balls (default 10^6)")
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds (default 7)")
    args = parser.parse_args(argv)
    seq = np.random.default_rng(1948).choice(4, size=args.n, p=Q)
    found = methods(seq)
    for f in found.values():  # warm-up: compile or load the kernels
        f()
    times: dict[str, list[float]] = {name: [] for name in found}
    names = list(found)
    for r in range(args.rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            t0 = time.perf_counter()
            found[name]()
            times[name].append(time.perf_counter() - t0)
    print(f"# {machine()}; {revision()}; {load()}")
    print(f"\nLearning tally, n = {args.n:,}, {args.rounds} rounds (medians; ratio against the coder)\n")
    print("| method | median ms | ns per ball | ratio |")
    print("|---|---|---|---|")
    base = statistics.median(times["coder"])
    for name in names:
        m = statistics.median(times[name])
        print(f"| {name} | {1e3 * m:.1f} | {1e9 * m / args.n:.1f} | {m / base:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
