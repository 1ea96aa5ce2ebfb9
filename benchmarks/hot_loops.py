"""The engine's compiled stages one by one, in ns a message, against the kernels of an older commit.

Usage::

    python benchmarks/hot_loops.py                 # against 5765b31 (before issue 16's hot loops)
    python benchmarks/hot_loops.py --base HEAD~3   # any commit whose kernels take the same arguments
    python benchmarks/hot_loops.py --base 264a1a0 --only line   # the line stages only
    python benchmarks/hot_loops.py --base 3e5eb62 --only decode --sources zipf-1024,uniform-65536

One 65 536-message chunk of India's and of Zipf-64's urn (or of ``--sources``,
named as in ``throughput.py``: ``zipf-1024``, ``uniform-65536`` …) is drawn once; each
stage then runs on it in interleaved rounds (this thread's CPU time, medians,
so waiting for a core on a busy machine does not count). The old kernels are
``sim/engine/kernels.py`` of the base commit (``git show``), compiled
beside the new ones. ``floor`` stages (uniforms, draw, sum of lengths) are
what ``throughput.py``'s floor does; the rest is what the engine adds. The
draw kernel did not change: its old/new ratio shows the noise. The ``+1 bit``
line stages time parity per telegram's extra bit (``LINE_PARAMS.extra`` = 1)
against the old kernel sending codewords one bit longer, the same arithmetic
(one message a telegram). The Poisson stages load the line to ρ = l̄/50
over 0.04 s (India 0.875; printed), the ``+1 bit`` one at the same ρ.
"""

from __future__ import annotations

import argparse
import importlib.util
import inspect
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from children import ROOT  # noqa: E402

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

N = 65536


def old_kernels(base: str, folder: Path):  # type: ignore[no-untyped-def]
    """``sim/engine/kernels.py`` as it was at commit ``base``, imported as its own module."""
    text = subprocess.run(
        ["git", "show", f"{base}:sim/engine/kernels.py"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    path = folder / "old_kernels.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location("old_kernels", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.warm_up()
    return module


def stages(source: str, old) -> dict[str, tuple[Callable[[], object], Callable[[], object] | None]]:  # type: ignore[no-untyped-def]
    """Stage name -> (new, old or None) callables on one chunk of ``source``."""
    from throughput import link_for

    from sim.engine import kernels as new
    from sim.engine.bitcodec import Decoder, Encoder
    from sim.engine.line import Carriage, LineTally
    from sim.engine.urn import UrnSampler

    link = link_for(source)
    colours = tuple(link.urn.counts)
    sampler = UrnSampler(link.urn, np.random.default_rng(1))
    u, x = np.empty(N), np.empty(N, np.int64)
    sampler._rng.random(out=u)
    new.draw_chunk(u, sampler._total, sampler._guide, sampler._shift, sampler._cum, x)
    enc = Encoder(link.code, colours, np.zeros(1, np.int64))
    lens, vals = enc.lengths, enc.values
    words, nbits, lanes = enc.encode_with_lanes(x)  # and where the decoder's lanes start
    marks = lanes if lanes is not None else np.zeros(0, np.int64)
    sent = x.copy()  # what ``words`` carry (the draw stage redraws ``x`` every round)
    dec = Decoder(link.code)
    t = dec.tables
    tally, z, counts = np.zeros(1, new.TALLY), np.zeros(1, np.int64), np.zeros(len(colours), np.int64)
    out_words = np.empty(N * int(lens.max()) // 64 + 2, np.uint64)
    far = np.array([10**12])
    pairs, pair_counts = enc._pairs, np.zeros(enc._pairs.size, np.int64)
    marks_out = np.zeros(new.LANES - 1, np.int64)
    res = np.zeros(4, np.int64)
    poisson = np.cumsum(np.random.default_rng(2).exponential(0.04, N))
    lines = {}
    for b2b in (True, False):
        for bit in (0, 1):  # parity per telegram: one extra bit a telegram (LINE_PARAMS.extra)
            cars = [Carriage(0.035, 10**7, 1, b2b, extra=bit)]
            lines[b2b, bit] = [LineTally.arrays(link.line, cars) for _ in range(2)]

    def line(kernels, b2b: bool, arrival: np.ndarray, new: bool, bit: int = 0):  # type: ignore[no-untyped-def]
        # The old kernels have no extra bits: they time parity exactly only with codewords one bit
        # longer (one message a telegram), the same arithmetic.
        params, state, hist, batch, bins = lines[b2b, bit if new else 0][0 if new else 1]
        with_bins = "bins" in inspect.signature(kernels.line_chunk.py_func).parameters
        extra = (bins[0],) if with_bins else ()
        widths = lens if new else lens + bit

        def run():  # type: ignore[no-untyped-def]
            state[:] = 0  # each call a fresh line on the same stamped arrivals
            return kernels.line_chunk(arrival, x, widths, params, state, hist[0], batch[0], *extra)

        return run

    def decode(kernels, to_code: np.ndarray):  # type: ignore[no-untyped-def]
        if hasattr(kernels, "decode_split"):  # the interleaved lanes (what the engine runs)
            return lambda: kernels.decode_split(
                words, nbits, t.prim_sym, t.prim_len, t.multi, t.tree, t.width, sent, to_code, res, t.lens,
                marks,
            )  # fmt: skip
        return lambda: kernels.decode_chunk(
            words, nbits, t.prim_sym, t.prim_len, t.multi, t.tree, t.width, sent, to_code, res
        )

    zeros = np.zeros(N)
    # With the extra bit the same load needs arrivals (l̄ + 1)/l̄ times further apart.
    mean_bits = float(lens[x].mean())
    slower = poisson * (mean_bits + 1) / mean_bits
    print(f"{source}: Poisson load ρ = {mean_bits / link.line.baud / 0.04:.3f} on both line stages")
    return {
        "floor: uniforms": (lambda: sampler._rng.random(out=u), None),
        "floor: draw": (
            lambda: new.draw_chunk(u, sampler._total, sampler._guide, sampler._shift, sampler._cum, x),
            lambda: old.draw_chunk(u, sampler._total, sampler._guide, sampler._shift, sampler._cum, x),
        ),
        "floor: sum of lengths": (lambda: lens[x].sum(), None),
        "encode (+ colour counts)": (
            # What the engine's Encoder runs on a chunk: two messages a lookup where the code allows.
            (
                lambda: new.encode_pairs(
                    x, pairs, vals, lens, out_words, tally, far, z, z, counts, pair_counts, marks_out
                )
            )
            if pairs.size
            else (lambda: new.encode_chunk(x, vals, lens, out_words, tally, far, z, z, counts)),
            lambda: (
                old.encode_chunk(x, vals, lens, out_words, tally, far, z, z),
                np.bincount(x, minlength=len(colours)),
            ),
        ),
        "line, back to back": (line(new, True, zeros, True), line(old, True, zeros, False)),
        "line, Poisson": (line(new, False, poisson, True), line(old, False, poisson, False)),
        "line, b2b, +1 bit": (line(new, True, zeros, True, 1), line(old, True, zeros, False, 1)),
        "line, Poisson, +1 bit": (line(new, False, slower, True, 1), line(old, False, slower, False, 1)),
        "decode + verify": (
            decode(new, dec._map),
            # Kernels since decode_split compare without the map when colours are the code's symbols.
            decode(old, dec._map if hasattr(old, "decode_split") else dec.to_code),
        ),
    }


def main(argv: list[str]) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", default="5765b31", help="commit whose kernels are the old ones")
    ap.add_argument("--rounds", type=int, default=21)
    ap.add_argument("--only", default="", help="only the stages whose name holds this text (e.g. line)")
    ap.add_argument("--sources", default="india,zipf64", help="comma-separated, as in throughput.py")
    a = ap.parse_args(argv)
    from throughput import load, machine, revision

    from sim.engine import kernels

    kernels.warm_up()
    print(f"telegraph hot loops -- {machine()}; {revision()}; old kernels: {a.base}; {load()} at start")
    print(f"one chunk of {N:,} messages; ns a message, CPU clock, median of {a.rounds} interleaved rounds")
    with tempfile.TemporaryDirectory() as folder:
        old = old_kernels(a.base, Path(folder))
        for source in a.sources.split(","):
            timed = {k: v for k, v in stages(source, old).items() if a.only in k}
            runs: dict[str, list[float]] = {}
            for r in range(a.rounds):
                for name, pair in timed.items():
                    order = list(zip(("new", "old"), pair))
                    for tag, fn in order[:: 1 if r % 2 else -1]:  # which goes first alternates
                        if fn is None:
                            continue
                        t = time.thread_time()
                        fn()
                        runs.setdefault(f"{name}|{tag}", []).append(time.thread_time() - t)
            print(f"\n{source:<8} {'stage':<26} {'new':>7} {'old':>7} {'old/new':>8}")
            for name in timed:
                new_ns = statistics.median(runs[f"{name}|new"]) / N * 1e9
                old_runs = runs.get(f"{name}|old")
                if old_runs is None:
                    print(f"{'':<8} {name:<26} {new_ns:7.2f}")
                    continue
                old_ns = statistics.median(old_runs) / N * 1e9
                print(f"{'':<8} {name:<26} {new_ns:7.2f} {old_ns:7.2f} {old_ns / new_ns:7.2f}x")
    print(f"\n{load()} at end")


if __name__ == "__main__":
    main(sys.argv[1:])
