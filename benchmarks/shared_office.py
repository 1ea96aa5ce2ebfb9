"""The telegraph office over many seeds: measured mean waits against mixed P-K and Cobham.

Usage: python benchmarks/shared_office.py [--seeds S] [--messages N]

Runs the bundled ``shared_office`` scenario once per seed (1 … S) and prints,
per link, the theory's mean wait, the average over seeds of the measured
mean wait (telegrams that arrived while both offices sent), its standard
error across seeds, the difference in those standard errors, and how many
seeds FAILed the link's wait check (``mixed_pollaczek_khinchine`` or
``cobham_priority``) and how many left it inconclusive (a run too short for
the wire's relaxation time). An inconclusive verdict is not a FAIL.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys

from sim.engine import simulation as engine
from sim.scenario import loader as scenario


def main(argv: list[str]) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--messages", type=int, default=100_000)
    args = ap.parse_args(argv)
    sc = scenario.load("shared_office")
    waits: dict[str, list[float]] = {}
    fails: dict[str, int] = {}
    undecided: dict[str, int] = {}
    theory: dict[str, float] = {}
    for seed in range(1, args.seeds + 1):
        for link in engine.run(sc, messages=args.messages, seed=seed).links:
            waits.setdefault(link.name, []).append(link.line.overlap_mean_wait)
            theory[link.name] = link.theory.shared_mean_wait
            wait_checks = [
                c for c in link.checks if c.name in ("mixed_pollaczek_khinchine", "cobham_priority")
            ]
            fails[link.name] = fails.get(link.name, 0) + sum(c.verdict == "fail" for c in wait_checks)
            undecided[link.name] = undecided.get(link.name, 0) + sum(
                c.verdict == "inconclusive" for c in wait_checks
            )
    print(f"shared_office: {args.seeds} seeds x {args.messages:,} messages per link")
    print(
        f"{'link':>16} {'theory s':>9} {'measured s':>11} {'SE s':>8} {'z':>6} {'fails':>6} {'undecided':>9}"
    )
    for name, ws in waits.items():
        mean = statistics.fmean(ws)
        se = statistics.stdev(ws) / math.sqrt(len(ws)) if len(ws) > 1 else math.nan
        z = (mean - theory[name]) / se if se else math.nan
        print(
            f"{name:>16} {theory[name]:>9.5f} {mean:>11.5f} {se:>8.5f} {z:>6.2f} {fails[name]:>6}",
            f"{undecided[name]:>9}",
        )


if __name__ == "__main__":
    main(sys.argv[1:])
