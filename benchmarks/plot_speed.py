"""How long plotting a 10^7-message run takes (target: under 2 s).

A run's size reaches the plots only through its convergence trace, which
holds log-spaced checkpoints (~20 per decade: ~141 points for 10^7
messages), and its waiting-time histogram (fixed size). The result is a
real run of the test scenario of ``tests/sim/small_run.py`` (simulated
before the clock starts): India box with Huffman on a Poisson line, with the
fixed code, and Australia sent with India's code (10 figures).

Run from the repository root::

    .venv/bin/python benchmarks/plot_speed.py [--messages N] [--repeat R]

Prints the matplotlib import time, the first (cold) and best warm
``render_all`` times (PNG), and the time of PNGs plus ``report.html`` with
inline SVG (what ``telegraph run`` does).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--messages", type=int, default=10**7)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)

    from tests.sim.small_run import make_result

    result = make_result(args.messages)
    points = sum(len(link.trace.messages) for link in result.links)

    t = time.perf_counter()
    import matplotlib  # noqa: F401  (the import is part of a cold start)
    from matplotlib.figure import Figure  # noqa: F401

    t_import = time.perf_counter() - t

    from sim.publish import plots, report

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        t = time.perf_counter()
        paths = plots.render_all(result, out)
        cold = time.perf_counter() - t
        warm = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            plots.render_all(result, out)
            warm.append(time.perf_counter() - t)
        both = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            inline: dict[str, str] = {}
            plots.render_all(result, out, inline=inline)
            report.write_report(result, out, figures=inline)
            both.append(time.perf_counter() - t)
        size = (out / "report.html").stat().st_size

    print(
        f"result: {args.messages:,} messages/link, {len(result.links)} links, "
        f"{points} trace points, {len(paths)} figures"
    )
    print(f"matplotlib import:               {t_import:6.3f} s")
    print(f"render_all, first call (PNG):    {cold:6.3f} s")
    print(f"render_all, best of {args.repeat} (PNG):     {min(warm):6.3f} s")
    print(f"cold start (import + first):     {t_import + cold:6.3f} s   target < 2 s")
    print(f"PNGs + report.html, best of {args.repeat}: {min(both):6.3f} s (report {size / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
