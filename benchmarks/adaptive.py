"""Australia learns: adaptive arithmetic vs static arithmetic vs adaptive Huffman vs LZ78 on one stream.

Usage::

    python benchmarks/adaptive.py                 # 10^6 balls, 5 rounds (about a minute)
    python benchmarks/adaptive.py --n 100000 --rounds 3

One stream: Australia's box (blue 13, red 25, green 50, yellow 12) drawn
i.i.d. with numpy (seed 1948). Every coder encodes it and decodes it back;
the decode is checked against the stream (outside the clock); the size is the
encoder's bit count, flush included.

- *adaptive arithmetic (KT)*: ``sim.engine.adaptive_kernels``, both ends learning
  from a Krichevsky–Trofimov prior; no model is sent.
- *static arithmetic, true model*: ``sim.engine.stream_kernels`` with Australia's own
  proportions, an oracle that knows the box (H(q) plus the coder's overhead).
- *static arithmetic, India's model*: the wrong box, H(q, p) = 2.3488.
- *adaptive Huffman, m = 1, 64, 4096*: ``sim.engine.adaptive_kernels``, the code
  rebuilt from KT counts every m balls at both ends; the rebuild count is shown.
- *LZ78*: :class:`coding.LZ78Code`, pure Python (no compiled kernel), so its
  speed is not comparable with the others; its size is the point.

The coders run in rounds, interleaved (one of each per round) in one
process, after a warm-up call compiles or loads the kernels; every figure is
the median over rounds. Building a static model is setup, outside the clock.
``size ratio`` is the adaptive arithmetic coder's size over the method's;
``speed ratio`` is the method's time over the adaptive arithmetic coder's.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from arithmetic import AUSTRALIA, INDIA, SEED, Run, ours, race, table  # noqa: E402
from children import ROOT  # noqa: E402

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from throughput import load, machine, revision  # noqa: E402

COLOURS = ("blue", "red", "green", "yellow")


def adaptive_arithmetic() -> Run:
    from coding import AdaptiveModel
    from sim.engine import adaptive_kernels as ak

    model = AdaptiveModel(COLOURS, "kt")
    return ours(model, ak.AdaptiveArithmeticEncoder, ak.AdaptiveArithmeticDecoder)


def adaptive_huffman(every: int, rebuilds: dict[str, int], name: str) -> Run:
    from coding import AdaptiveHuffman
    from sim.engine import adaptive_kernels as ak

    code = AdaptiveHuffman(COLOURS, "kt", every=every)

    def run(seq: np.ndarray) -> tuple[float, float, int, np.ndarray]:
        t0 = time.perf_counter()
        enc = ak.AdaptiveHuffmanEncoder(code)
        words, nbits = enc.encode(seq)
        t1 = time.perf_counter()
        out = ak.AdaptiveHuffmanDecoder(code, seq.size).feed(words, nbits)
        t2 = time.perf_counter()
        rebuilds[name] = enc.rebuilds
        return t1 - t0, t2 - t1, nbits, out

    return run


def lz78_run() -> Run:
    from coding import lz78

    code = lz78(COLOURS)

    def run(seq: np.ndarray) -> tuple[float, float, int, np.ndarray]:
        symbols = [COLOURS[i] for i in seq.tolist()]  # outside the clock: every other coder takes indices
        t0 = time.perf_counter()
        bits = code.encode(symbols)
        t1 = time.perf_counter()
        out = code.decode(bits, len(symbols))
        t2 = time.perf_counter()
        index = {s: i for i, s in enumerate(COLOURS)}
        return t1 - t0, t2 - t1, len(bits), np.array([index[s] for s in out], dtype=np.int64)

    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=float, default=1e6, help="balls per stream (default 1e6)")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (default 5)")
    args = parser.parse_args(argv)
    n = int(args.n)

    from coding import (
        Distribution,
        arithmetic,
        cross_entropy,
        empirical_code_length,
        entropy,
        kt_regret_bound,
        sequential_probabilities,
    )
    from sim.engine import adaptive_kernels, stream_kernels

    india = Distribution.from_counts(INDIA)
    australia = Distribution.from_counts(AUSTRALIA)
    print(f"# {machine()}; {revision()}; {load()} at start")
    t = time.perf_counter()
    stream_kernels.warm_up()
    adaptive_kernels.warm_up()
    print(f"# kernels warmed up (compile or cache load) in {time.perf_counter() - t:.2f} s")

    rng = np.random.default_rng(SEED)
    seq = rng.choice(4, size=n, p=australia.probabilities).astype(np.int64)
    rebuilds: dict[str, int] = {}
    runs: dict[str, Run] = {"adaptive arithmetic (KT)": adaptive_arithmetic()}
    runs["static arithmetic, true model"] = ours(arithmetic(australia))
    runs["static arithmetic, India's model"] = ours(arithmetic(india))
    for m in (1, 64, 4096):
        name = f"adaptive Huffman m = {m}"
        runs[name] = adaptive_huffman(m, rebuilds, name)
    runs["LZ78 (pure Python)"] = lz78_run()
    result = race(runs, seq, args.rounds)

    p_hat = sequential_probabilities(seq, [0.5] * 4)
    ideal = float(-np.log2(p_hat).sum())
    from coding.arithmetic import FLUSH_BITS, WORD_BITS

    # Σ ε_t + 1 (docs/theory.md): ε_t = −log2(1 − T_t/(2^32·f_t)) = −log2(1 − 2^−32/p̂_t)
    overhead = float(-np.log2(1 - 1 / (2.0**WORD_BITS * p_hat)).sum()) + FLUSH_BITS
    regret = ideal - empirical_code_length(np.bincount(seq, minlength=4))
    print(f"# H(q) = {entropy(australia):.6f}, H(q, india) = {cross_entropy(australia, india):.6f} bits/ball")
    print(
        f"# KT: Σ −log2 p̂_t(x_t) = {ideal:.1f} bits; coder overhead bound {overhead:.4f} bits; "
        f"regret {regret:.2f} bits ≤ KT bound {kt_regret_bound(n, 4):.2f}"
    )
    print("# rebuilds: " + ", ".join(f"{name}: {count}" for name, count in rebuilds.items()))
    title = f"Australia learns, n = {n} (ratios against adaptive arithmetic)"
    table(title, result, n, "adaptive arithmetic (KT)")
    print(f"\n# {load()} at end")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
