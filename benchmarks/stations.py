"""The station processes against the engine they replaced (commit 3a4c1a7), side by side.

Usage: python benchmarks/stations.py [--rounds R] [--base COMMIT]

The old engine is taken from git (``git archive``) into a temporary folder.
Each round runs every case once with the old and once with the new engine,
each in a fresh interpreter (kernels warmed up before the clock starts),
alternating which goes first; the table shows medians over the rounds and
new/old ratios of the rates. Rates are messages per CPU second of the child
(``time.process_time``), which a busy machine moves less than wall time. A
separate untimed run per engine counts the SimPy events of each case (the
environment's event counter after the run).

Cases:
- ``b2b 1e7``: India/Huffman back-to-back, 10^7 messages, default chunk;
- ``poisson 4x1e6``: four Poisson links (two Huffman, two fixed) of 10^6 messages each, default chunk;
- ``chunk1 1e5``: India/Huffman back-to-back, 10^5 messages, chunk 1;
- ``chunk1 poisson 5e4``: a Poisson link, 5·10^4 messages, chunk 1.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = {
    "b2b 1e7": ("b2b", 10**7, None),
    "poisson 4x1e6": ("poisson4", 10**6, None),
    "chunk1 1e5": ("b2b", 10**5, 1),
    "chunk1 poisson 5e4": ("poisson1", 5 * 10**4, 1),
}
EVENT_CASES = {"4 links x 1e5": ("poisson4", 10**5, None), "chunk1 1 link x 1e4": ("b2b", 10**4, 1)}


def child(kind: str, n: int, chunk: int | None, count: bool) -> dict:
    """Inside a fresh interpreter whose path starts at one engine's tree: time (or count) one run."""
    import simpy

    envs: list[simpy.Environment] = []

    class Counted(simpy.Environment):
        def __init__(self) -> None:
            super().__init__()
            envs.append(self)

    simpy.Environment = Counted  # the engine builds its environment through the module attribute
    try:  # this tree's layout: sub-packages
        from sim.engine import kernels
        from sim.engine.simulation import DEFAULT_CHUNK, run
        from sim.model.records import Line
    except ImportError:  # the old engine's flat layout
        from sim import kernels  # type: ignore[no-redef]
        from sim.engine import DEFAULT_CHUNK, run  # type: ignore[no-redef]
        from sim.model import Line  # type: ignore[no-redef]
    from tests.sim.links import fixed_link, huffman_link, poisson, scenario

    kernels.warm_up()
    office = Line("office", baud=20.0)
    if kind == "b2b":
        sc = scenario(huffman_link())
    elif kind == "poisson1":
        sc = scenario(huffman_link(line=office, arrivals=poisson(9.0)))
    else:
        sc = scenario(
            huffman_link("h1", line=office, arrivals=poisson(9.0)),
            fixed_link("f1", line=office, arrivals=poisson(9.0)),
            huffman_link("h2", arrivals=poisson(20.0)),
            fixed_link("f2", arrivals=poisson(20.0)),
        )
    t = time.process_time()  # CPU time of this process: less moved by other work on a busy machine
    res = run(sc, messages=n, chunk=chunk or DEFAULT_CHUNK)
    seconds = time.process_time() - t
    assert all(link.lossless for link in res.links)
    total = n * len(sc.links)
    out = {"seconds": seconds, "rate": total / seconds, "messages": total}
    if count:
        out["events"] = next(envs[-1]._eid)
    return out


def _run(tree: Path, kind: str, n: int, chunk: int | None, count: bool = False) -> dict:
    env = dict(os.environ, PYTHONPATH=str(tree), NUMBA_CACHE_DIR=str(tree / ".numba"))
    args = [sys.executable, __file__, "--child", kind, str(n), str(chunk or 0), str(int(count))]
    out = subprocess.run(args, check=True, capture_output=True, text=True, cwd=tree, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _old_tree(commit: str, into: Path) -> Path:
    parts = ["sim", "coding", "tests/__init__.py", "tests/sim/__init__.py", "tests/sim/links.py"]
    data = subprocess.run(
        ["git", "archive", commit, *parts], check=True, capture_output=True, cwd=ROOT
    ).stdout
    path = into / "old"
    path.mkdir()
    with tarfile.open(fileobj=__import__("io").BytesIO(data)) as tar:
        tar.extractall(path, filter="data")
    return path


def main(argv: list[str]) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--base", default="3a4c1a7")
    ap.add_argument("--cases", nargs="*", choices=list(CASES), default=list(CASES), help="cases to time")
    args = ap.parse_args(argv)
    cases = {name: CASES[name] for name in args.cases}
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT)
    print(f"new: working tree at {head.stdout.strip()}, old: {args.base}; load {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        trees = {"old": _old_tree(args.base, Path(tmp)), "new": ROOT}
        for kind, n, chunk in cases.values():  # compile both trees' kernels once
            for tree in trees.values():
                _run(tree, kind, min(n, 1000), chunk)
        rates: dict[tuple[str, str], list[float]] = {}
        for r in range(args.rounds):
            order = ("old", "new") if r % 2 == 0 else ("new", "old")
            for name, (kind, n, chunk) in cases.items():
                for which in order:
                    rates.setdefault((name, which), []).append(_run(trees[which], kind, n, chunk)["rate"])
        header = f"{'case':>20} {'old msg/s':>14} {'new msg/s':>14} {'new/old':>8}"
        print(f"{header}   (medians of {args.rounds} rounds)")
        for name in cases:
            old, new = (statistics.median(rates[(name, w)]) for w in ("old", "new"))
            print(f"{name:>20} {old:>14,.0f} {new:>14,.0f} {new / old:>8.3f}")
        print(f"{'SimPy events':>20} {'old':>14} {'new':>14}")
        for name, (kind, n, chunk) in EVENT_CASES.items():
            old, new = (_run(trees[w], kind, n, chunk, count=True)["events"] for w in ("old", "new"))
            print(f"{name:>20} {old:>14,} {new:>14,}")
    print(f"load at end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        kind, n, chunk, count = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5] == "1"
        sys.path.insert(0, os.getcwd())
        print(json.dumps(child(kind, n, chunk or None, count)))
    else:
        main(sys.argv[1:])
