"""Large alphabets: a 10^6-symbol Huffman code, and a K = 65 536 scenario from the command line.

Usage::

    python benchmarks/large_alphabet.py            # ~2 minutes
    python benchmarks/large_alphabet.py --rounds 5 --timeout 120

1. Huffman code of 10^6 symbols (random counts 1 .. 10^6, seeded), interleaved
   in rounds with constriction's ``EncoderHuffmanTree`` on the same
   probabilities: ``huffman_lengths`` (the tree, comparable to constriction's),
   ``huffman`` (lengths + canonical codewords + the checked ``Code``), and
   the engine's tables for it (``DecodeTables``; 10^6 symbols exceed the
   engine's 32-bit codeword limit only if the code is that deep, it is not).
2. A scenario of K = 65 536 Zipf colours (counts ⌊10^9/(i+1)⌉) with its
   Huffman code, written to a temporary folder, then ``telegraph validate``,
   ``telegraph explain`` and ``telegraph run --no-plots`` (10^6 messages),
   each in a fresh process with a timeout; wall-clock seconds, medians.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from children import ROOT  # noqa: E402
from throughput import load, machine, revision  # noqa: E402

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def huffman_rounds(rounds: int, k: int = 10**6) -> None:
    import constriction

    from coding import Distribution, huffman, huffman_lengths
    from sim.engine.kernels import DecodeTables

    counts = np.random.default_rng(1952).integers(1, 10**6, k)
    t = time.perf_counter()
    p = Distribution.from_counts({f"s{i}": int(c) for i, c in enumerate(counts)})
    print(f"Distribution of {k:,} symbols built in {time.perf_counter() - t:.2f} s (not in the rows below)")
    probs = np.asarray(p.probabilities)
    times: dict[str, list[float]] = {"lengths": [], "code": [], "tables": [], "constriction": []}
    for _ in range(rounds):
        t = time.perf_counter()
        huffman_lengths(p)
        times["lengths"].append(time.perf_counter() - t)
        t = time.perf_counter()
        code = huffman(p)
        times["code"].append(time.perf_counter() - t)
        t = time.perf_counter()
        DecodeTables(code)
        times["tables"].append(time.perf_counter() - t)
        t = time.perf_counter()
        constriction.symbol.huffman.EncoderHuffmanTree(probs)
        times["constriction"].append(time.perf_counter() - t)
    med = {m: statistics.median(v) for m, v in times.items()}
    c = med["constriction"]
    print(f"{'method':<44} {'median s':>9} {'/ constriction':>15}")
    rows = (
        ("coding.huffman_lengths (the tree)", "lengths"),
        ("coding.huffman (tree + canonical Code)", "code"),
        ("sim.engine.kernels.DecodeTables (engine tables)", "tables"),
        ("constriction EncoderHuffmanTree", "constriction"),
    )
    for label, m in rows:
        print(f"{label:<44} {med[m]:>9.2f} {med[m] / c:>14.2f}x")


def scenario_yaml(k: int) -> str:
    lines = [
        f"description: K = {k} Zipf colours with their Huffman code.",
        "seed: 1948",
        "messages: 1000000",
        "urns:",
        "  big:",
    ]
    lines += [f"    c{i}: {round(10**9 / (i + 1))}" for i in range(k)]
    lines += [
        "codes:",
        "  huffman: {type: huffman, for: big}",
        "lines:",
        "  cable: {baud: 50, latency: 0.1}",
        "links:",
        "  - {urn: big, code: huffman}",
    ]
    return "\n".join(lines) + "\n"


#: Until the prefix test runs before Sardinas–Patterson (issue 16, another branch), this stand-in
#: gives a prefix-free code's unique decodability at once (it is implied), so the rest can be timed.
PREFIX_FIRST = """
from coding.code import Code
_ud = Code.is_uniquely_decodable.fget
Code.is_uniquely_decodable = property(lambda self: True if self.is_prefix_free else _ud(self))
"""


def cli_rounds(rounds: int, timeout: float, stand_in: bool, k: int = 65536) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"zipf{k}.yaml"
        path.write_text(scenario_yaml(k))
        steps = {
            "validate": ["validate", str(path)],
            "explain": ["explain", str(path)],
            "run --no-plots (10^6 messages)": ["run", str(path), "--no-plots", "--quiet", "--out", tmp],
        }
        print(f"\nK = {k:,} scenario, each step a fresh 'python -m sim' process (timeout {timeout:.0f} s)")
        if stand_in:
            print("  with the prefix-test-first stand-in (--prefix-first)")
        head = "import sys\n" + (PREFIX_FIRST if stand_in else "") + "from sim.cli import main\n"
        for label, args in steps.items():
            secs = []
            for _ in range(rounds):
                t = time.perf_counter()
                try:
                    subprocess.run(
                        [sys.executable, "-c", head + f"sys.exit(main({args!r}))"], cwd=ROOT, check=True,
                        capture_output=True,
                        timeout=timeout,
                    )  # fmt: skip
                except subprocess.TimeoutExpired:
                    secs = []
                    break
                secs.append(time.perf_counter() - t)
            shown = f"{statistics.median(secs):.2f} s" if secs else f"did not finish in {timeout:.0f} s"
            print(f"  {label:<34} {shown}")
        engine_rounds(path, rounds, stand_in)


def engine_rounds(path: Path, rounds: int, stand_in: bool) -> None:
    """In this process: load the scenario, then the engine's ``run`` (no explain, no files), medians."""
    from coding.code import Code
    from sim.engine import kernels
    from sim.engine.simulation import run
    from sim.scenario.loader import load

    kernels.warm_up()
    saved = Code.is_uniquely_decodable
    if stand_in:
        exec(PREFIX_FIRST, {})
    try:
        loads, runs = [], []
        for _ in range(rounds):
            t = time.perf_counter()
            scenario = load(path)
            loads.append(time.perf_counter() - t)
            t = time.perf_counter()
            run(scenario)
            runs.append(time.perf_counter() - t)
    finally:
        Code.is_uniquely_decodable = saved  # type: ignore[method-assign]
    print(f"  in process: load {statistics.median(loads):.2f} s, engine run {statistics.median(runs):.2f} s")


def main(argv: list[str]) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3, help="rounds per figure; medians reported")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds before a CLI step is given up")
    ap.add_argument("--prefix-first", action="store_true", help="time the CLI with the prefix-first stand-in")
    a = ap.parse_args(argv)
    print(f"telegraph large-alphabet benchmark -- {machine()}; {revision()}; {load()} at start")
    huffman_rounds(a.rounds)
    cli_rounds(a.rounds, a.timeout, a.prefix_first)
    print(f"{load()} at end")


if __name__ == "__main__":
    main(sys.argv[1:])
