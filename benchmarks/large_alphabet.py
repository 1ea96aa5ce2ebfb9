"""Large alphabets: a 10^6-symbol Huffman code, a K = 65 536 scenario, a 10k-colour run with figures.

Usage::

    python benchmarks/large_alphabet.py            # ~3 minutes on a quiet machine
    python benchmarks/large_alphabet.py --rounds 5 --timeout 120

1. Huffman code of 10^6 symbols (random counts 1 .. 10^6, seeded), interleaved
   in rounds with constriction's ``EncoderHuffmanTree`` on the same
   probabilities: ``huffman_lengths`` (the tree, comparable to constriction's),
   ``huffman`` (lengths + canonical codewords + the checked ``Code``; the
   codeword strings are written on first use), the same plus every codeword
   string (``code.codewords.values()``), and the engine's tables for it
   (``DecodeTables``).
2. A scenario of K = 65 536 Zipf colours (counts ⌊10^9/(i+1)⌉) with its
   Huffman code, written to a temporary folder, then ``telegraph validate``,
   ``telegraph explain`` and ``telegraph run --no-plots`` (10^6 messages),
   each in a fresh process with a timeout: wall-clock seconds and CPU seconds
   (user + system of the child: on a busy machine the wall clock waits for a
   core, the CPU time does not), medians; then their sum, the issue's target.
3. The same for K = 10 000 with figures and ``report.html`` (``telegraph run``
   without ``--no-plots``).
4. In this process, for K = 65 536: where the time goes (load, explain, the
   resolved scenario's YAML, ``summary.json``, the engine).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from children import ROOT  # noqa: E402
from throughput import load, machine, revision  # noqa: E402

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

T = TypeVar("T")


def _timed(times: dict[str, list[float]], name: str, work: Callable[..., T], *args: Any) -> T:
    """``work(*args)``, its seconds appended to ``times[name]``."""
    t = time.perf_counter()
    out = work(*args)
    times.setdefault(name, []).append(time.perf_counter() - t)
    return out


def huffman_rounds(rounds: int, k: int = 10**6) -> None:
    import constriction

    from coding import Distribution, huffman, huffman_lengths
    from sim.engine.kernels import DecodeTables

    counts = np.random.default_rng(1952).integers(1, 10**6, k)
    t = time.perf_counter()
    p = Distribution.from_counts({f"s{i}": int(c) for i, c in enumerate(counts)})
    print(f"Distribution of {k:,} symbols built in {time.perf_counter() - t:.2f} s (not in the rows below)")
    probs = np.asarray(p.probabilities)
    times: dict[str, list[float]] = {}
    for _ in range(rounds):
        _timed(times, "lengths", huffman_lengths, p)
        code = _timed(times, "code", huffman, p)
        _timed(times, "tables", DecodeTables, code)
        _timed(times, "strings", lambda q: list(huffman(q).codewords.values()), p)
        _timed(times, "constriction", constriction.symbol.huffman.EncoderHuffmanTree, probs)
    med = {m: statistics.median(v) for m, v in times.items()}
    c = med["constriction"]
    print(f"{'method':<52} {'median s':>9} {'/ constriction':>15}")
    rows = (
        ("coding.huffman_lengths (the tree)", "lengths"),
        ("coding.huffman (tree + canonical Code, lazy strings)", "code"),
        ("  ... + every codeword string (codewords.values())", "strings"),
        ("sim.engine.kernels.DecodeTables (engine tables)", "tables"),
        ("constriction EncoderHuffmanTree", "constriction"),
    )
    for label, m in rows:
        print(f"{label:<52} {med[m]:>9.2f} {med[m] / c:>14.2f}x")


def scenario_yaml(k: int, messages: int = 10**6) -> str:
    lines = [
        f"description: K = {k} Zipf colours with their Huffman code.",
        "seed: 1948",
        f"messages: {messages}",
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


def _child(args: list[str], timeout: float) -> tuple[float, float] | None:
    """(wall, CPU) seconds of ``python -m sim ARGS`` in a fresh process, or None past ``timeout``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    try:
        subprocess.run(
            [sys.executable, "-m", "sim", *args], cwd=ROOT, check=True, capture_output=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return None
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def cli_rounds(rounds: int, timeout: float, tmp: Path, k: int, steps: dict[str, list[str]]) -> None:
    """Each step in its own fresh process, ``rounds`` times interleaved; medians and their sum."""
    path = tmp / f"zipf{k}.yaml"
    path.write_text(scenario_yaml(k))
    print(f"\nK = {k:,} scenario, each step a fresh 'python -m sim' process (timeout {timeout:.0f} s)")
    print(f"  {'step':<40} {'wall s':>8} {'CPU s':>8}")
    results: dict[str, list[tuple[float, float]]] = {label: [] for label in steps}
    gave_up: set[str] = set()
    for _ in range(rounds):
        for label, args in steps.items():
            if label in gave_up:
                continue
            got = _child([a.format(path=path, tmp=tmp) for a in args], timeout)
            if got is None:
                gave_up.add(label)
            else:
                results[label].append(got)
    total_wall = total_cpu = 0.0
    for label, got in results.items():
        if label in gave_up or not got:
            print(f"  {label:<40} did not finish in {timeout:.0f} s")
            continue
        wall, cpu = statistics.median(g[0] for g in got), statistics.median(g[1] for g in got)
        total_wall, total_cpu = total_wall + wall, total_cpu + cpu
        print(f"  {label:<40} {wall:>8.2f} {cpu:>8.2f}")
    if len(steps) > 1 and not gave_up:
        print(f"  {'sum of the medians':<40} {total_wall:>8.2f} {total_cpu:>8.2f}")


def in_process(path: Path, rounds: int) -> None:
    """Where the time of ``run --no-plots`` goes, in this process (kernels warm), medians."""
    from sim.engine import kernels
    from sim.engine.simulation import run
    from sim.publish.explain import explain
    from sim.scenario.loader import dump, load

    kernels.warm_up()
    parts: dict[str, list[float]] = {}
    for _ in range(rounds):
        scenario = _timed(parts, "load", load, path)
        result = _timed(parts, "run", run, scenario)
        _timed(parts, "explain", explain, scenario)
        _timed(parts, "dump", dump, scenario)
        _timed(parts, "summary", result.to_json)
    med = {m: statistics.median(v) for m, v in parts.items()}
    print(
        f"  in process (medians): load {med['load']:.2f} s, engine run {med['run']:.2f} s, "
        f"explain {med['explain']:.2f} s, resolved YAML {med['dump']:.2f} s, "
        f"summary.json {med['summary']:.2f} s"
    )


def main(argv: list[str]) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3, help="rounds per figure; medians reported")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds before a CLI step is given up")
    a = ap.parse_args(argv)
    print(f"telegraph large-alphabet benchmark -- {machine()}; {revision()}; {load()} at start")
    huffman_rounds(a.rounds)
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        cli_rounds(
            a.rounds, a.timeout, tmp, 65536,
            {
                "validate": ["validate", "{path}"],
                "explain": ["explain", "{path}"],
                "run --no-plots (10^6 messages)":
                    ["run", "{path}", "--no-plots", "--quiet", "--out", "{tmp}"],
            },
        )  # fmt: skip
        in_process(tmp / "zipf65536.yaml", a.rounds)
        cli_rounds(
            a.rounds, a.timeout, tmp, 10_000,
            {"run with figures and report (10^6 messages)": ["run", "{path}", "--quiet", "--out", "{tmp}"]},
        )  # fmt: skip
    print(f"{load()} at end")


if __name__ == "__main__":
    main(sys.argv[1:])
