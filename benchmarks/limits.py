"""Large valid inputs within the limits, and hostile ones past them: how long they take.

Each case runs ``python -m sim`` in a fresh subprocess (start-up and imports
included, as a user sees it), in interleaved rounds; the figures are medians
of wall seconds, CPU seconds and peak RSS. Beside them, the code tests this
branch made fast are timed in-process against the plain quadratic versions
on a code small enough for those to finish (ratios).

    .venv/bin/python benchmarks/limits.py             # ~2 min; --rounds R (default 3)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # as tests/conftest.py does

from coding import Code  # noqa: E402
from tests.sim.attacks.harness import telegraph  # noqa: E402
from tests.sim.attacks.test_limits import alias_bomb, big_urn  # noqa: E402
from tests.sim.model.test_limits import reference_ambiguity, reference_clash  # noqa: E402


def cases(root: Path) -> list[tuple[str, list[str]]]:
    def put(name: str, text: str) -> str:
        (root / name).write_text(text, encoding="utf-8")
        return name

    huge = put(
        "huge.yaml",
        big_urn(100_000) + "codes: {h: {type: huffman, for: big}}\nlinks: [{urn: big, code: h}]\n",
    )
    k16 = put(
        "k65536.yaml",
        big_urn(2**16)
        + "codes: {h: {type: huffman, for: big}, f: {type: fixed}}\n"
        + "links: [{urn: big, code: h}, {urn: big, code: f}]\n",
    )
    bomb = put("bomb.yaml", alias_bomb() + "links: [{urn: b4, code: f}]\n")
    colours = put("colours.yaml", "urns:\n  big:\n" + "".join(f"    c{i}: 1\n" for i in range(2_600_000)))
    dense = put("dense.yaml", "urns: [" + "1," * 3_000_000 + "1]\n")
    return [
        ("validate, 10^5-colour Huffman urn", ["validate", huge]),
        ("validate, 2^16 colours, Huffman + fixed", ["validate", k16]),
        ("explain, 2^16 colours, Huffman + fixed", ["explain", k16]),
        ("refuse: 3.7 KB alias bomb", ["validate", bomb]),
        ("refuse: 44 MB, 2.6 M colours (size)", ["validate", colours]),
        ("refuse: 6 MB of 3 M nodes (node limit)", ["validate", dense]),
        ("refuse: --chunk 10^12", ["run", "--chunk", str(10**12)]),
    ]


def code_tests() -> None:
    """The fast prefix, Sardinas–Patterson and Kraft paths against the quadratic ones."""
    K = 4096
    prefix_free = {f"c{i}": format(i, "012b") for i in range(K)}
    clash = {**prefix_free, "x": "0000000000001"}  # one clash (and an ambiguity) at the end
    rows = []
    for label, words in (("prefix-free", prefix_free), ("one clash", clash)):
        new, old = [], []
        for _ in range(3):
            t = time.perf_counter()
            c = Code(words)
            c.is_uniquely_decodable, c.prefix_clash(), c.kraft_sum
            new.append(time.perf_counter() - t)
            t = time.perf_counter()
            c = Code(words)
            reference_ambiguity(c), reference_clash(c)
            sum((Fraction(1, 2**n) for n in c.lengths.values()), Fraction(0))
            old.append(time.perf_counter() - t)
        rows.append((label, statistics.median(new), statistics.median(old)))
    print(f"\ncode tests on {K} codewords (median of 3, in-process):")
    for label, new, old in rows:
        print(
            f"  {label:<12} new {new * 1e3:8.1f} ms   quadratic {old * 1e3:9.1f} ms   ratio {old / new:6.0f}×"
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        todo = cases(root)
        times: dict[str, list[tuple[float, float, float, int]]] = {label: [] for label, _ in todo}
        for _ in range(args.rounds):
            for label, argv in todo:  # interleaved: one of each per round
                t = time.perf_counter()
                out = telegraph(*argv, sandbox=root)
                times[label].append((time.perf_counter() - t, out.cpu_seconds, out.peak_mb, out.code))
        print(f"\n{'case':<42} {'exit':>4} {'wall s':>7} {'CPU s':>7} {'peak MB':>8}")
        for label, rows in times.items():
            wall, cpu, mb = (statistics.median(r[i] for r in rows) for i in range(3))
            print(f"{label:<42} {rows[0][3]:>4} {wall:7.2f} {cpu:7.2f} {mb:8.0f}")
    code_tests()
    print(f"\nload average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
