"""Engine throughput against its floor and peer codecs, interleaved in rounds in one process.

Usage::

    pip install -e '.[bench]'
    python benchmarks/throughput.py              # ~3 minutes on 2 busy cores
    python benchmarks/throughput.py --quick      # smaller sizes, fewer rounds, ~1 minute
    python benchmarks/throughput.py --rounds 7   # more rounds: steadier medians

Everything runs in this one process, in rounds: each round times every
method once (in an order rotated from round to round), so a change of load
on a shared machine hits the engine and its peers alike. Each figure is the
median over the rounds, and every ratio is a ratio of medians of methods
timed side by side.

Methods, for a source (urn + its Huffman code from ``coding.huffman``):

* ``engine``: ``sim.engine.simulation.run`` end to end -- draw, encode into packed
  bits, time the line (Lindley's recursion), decode and verify every message;
  setup (building the encoder, decoder and urn tables) included.
* ``floor``: the least any simulation of this source must do -- draw with the
  engine's own exact method (``sim.engine.urn.UrnSampler``) and sum the codeword
  lengths, chunk by chunk. ``engine / floor`` is how far the engine is from it.
* peers, given one stream drawn once by ``UrnSampler`` (the same for all),
  timed on encode + decode only (no drawing, no list conversion, no check):
  komm ``HuffmanCode``, dahuffman, bitarray (the engine's own codewords),
  constriction's ANS (``stack.AnsCoder``) and range coder
  (``queue.RangeEncoder``/``RangeDecoder``) with a ``Categorical`` model.

Large-alphabet rows run the engine, the floor and constriction's ANS on Zipf
(counts ⌊10^9/(i+1)⌉) and uniform urns of K = 2 .. 65 536 colours, print the
one-off setup (Huffman code, then the engine's tables) and the memory the
engine's per-K tables take.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from children import ROOT, run_children  # noqa: E402

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SEED = 1948
ALPHABETS = (2, 4, 64, 1024, 65536)


def link_for(source: str):
    """The Link (urn, Huffman code) of a named source: india, zipf64, zipf-K or uniform-K."""
    from coding import huffman
    from sim.model.records import Link, Urn
    from tests.sim.links import CABLE, huffman_link

    if source == "india":
        return huffman_link()
    kind, k = source.rstrip("0123456789"), int(source.lstrip("abcdefghijklmnopqrstuvwxyz-") or 0)
    if kind == "zipf":  # the original Zipf-64 row
        counts = {f"s{i:02d}": round(10**6 / (i + 1)) for i in range(k)}
    elif kind == "zipf-":
        counts = {f"s{i}": round(10**9 / (i + 1)) for i in range(k)}
    elif kind == "uniform-":
        counts = {f"s{i}": 1000 for i in range(k)}
    else:
        raise ValueError(source)
    urn = Urn(source, counts)
    dist = urn.distribution
    return Link(
        f"{source}-huffman", urn, "huffman", "huffman", huffman(dist), CABLE, built_for=source, assumed=dist
    )


# --------------------------------------------------------------------------- the methods

Times = tuple[float, float]  # (wall seconds, this thread's CPU seconds)


def clock() -> Times:
    return time.perf_counter(), time.thread_time()


def since(t0: Times) -> Times:
    w, c = clock()
    return w - t0[0], c - t0[1]


class Case:
    """One source: its link, a stream drawn by the engine's sampler, and the timed methods."""

    def __init__(self, source: str, n: int) -> None:
        from sim.engine.urn import UrnSampler

        self.source, self.n = source, n
        self.link = link_for(source)
        self.colours = tuple(self.link.urn.counts)
        self.lengths = np.array([len(self.link.code.codewords[c]) for c in self.colours], dtype=np.int64)
        counts = np.array(list(self.link.urn.counts.values()), dtype=np.float64)
        self.pmf = counts / counts.sum()
        sampler = UrnSampler(self.link.urn, np.random.default_rng(SEED))
        self.x = sampler.draw(n)

    def engine(self) -> tuple[Times, float]:
        from sim.engine.simulation import run
        from tests.sim.links import scenario

        t = clock()
        res = run(scenario(self.link), messages=self.n)
        dt = since(t)
        lr = res.links[0]
        assert lr.lossless and lr.messages == self.n, "engine run was not lossless"
        return dt, lr.bits_per_message

    def floor(self) -> tuple[Times, float]:
        from sim.engine.simulation import DEFAULT_CHUNK
        from sim.engine.urn import UrnSampler

        t = clock()
        sampler = UrnSampler(self.link.urn, np.random.default_rng(SEED))
        bits, left = 0, self.n
        while left:
            k = min(DEFAULT_CHUNK, left)
            bits += int(self.lengths[sampler.draw(k)].sum())
            left -= k
        return since(t), bits / self.n

    def komm(self) -> tuple[Times, float]:
        import komm

        code = komm.HuffmanCode(self.pmf)
        t = clock()
        bits = code.encode(self.x)
        y = code.decode(bits)
        dt = since(t)
        assert np.array_equal(y, self.x), "komm round trip failed"
        return dt, bits.size / self.n

    def dahuffman(self) -> tuple[Times, float]:
        import dahuffman

        codec = dahuffman.HuffmanCodec.from_frequencies(dict(enumerate(self.link.urn.counts.values())))
        data = self.x.tolist()
        t = clock()
        blob = codec.encode(data)
        y = codec.decode(blob)
        dt = since(t)
        assert y == data, "dahuffman round trip failed"
        return dt, 8 * len(blob) / self.n

    def bitarray(self) -> tuple[Times, float]:
        from bitarray import bitarray, decodetree

        words = self.link.code.codewords
        code = {i: bitarray(words[c]) for i, c in enumerate(self.colours)}
        tree = decodetree(code)
        data = self.x.tolist()
        t = clock()
        a = bitarray()
        a.encode(code, data)
        y = a.decode(tree)
        y = list(y)
        dt = since(t)
        assert y == data, "bitarray round trip failed"
        return dt, len(a) / self.n

    def _constriction(self, ans: bool) -> tuple[Times, float]:
        import constriction

        model = constriction.stream.model.Categorical(self.pmf, perfect=False)
        x = self.x.astype(np.int32)
        t = clock()
        if ans:
            coder = constriction.stream.stack.AnsCoder()
            coder.encode_reverse(x, model)
            blob = coder.get_compressed()
            y = constriction.stream.stack.AnsCoder(blob).decode(model, x.size)
        else:
            enc = constriction.stream.queue.RangeEncoder()
            enc.encode(x, model)
            blob = enc.get_compressed()
            y = constriction.stream.queue.RangeDecoder(blob).decode(model, x.size)
        dt = since(t)
        assert np.array_equal(y, x), "constriction round trip failed"
        return dt, 32 * blob.size / self.n

    def ans(self) -> tuple[Times, float]:
        return self._constriction(ans=True)

    def range(self) -> tuple[Times, float]:
        return self._constriction(ans=False)


LABELS = {
    "engine": "engine (end to end)",
    "floor": "floor (draw + lengths)",
    "komm": "komm enc+dec",
    "dahuffman": "dahuffman enc+dec",
    "bitarray": "bitarray enc+dec",
    "ans": "constriction ANS",
    "range": "constriction range",
}


def interleaved(case: Case, methods: list[str], rounds: int) -> dict[str, dict]:
    """Time every method once per round (order rotated each round); medians per method.

    Each method's wall time and its thread's CPU time (``time.thread_time``)
    are both kept: on a shared machine the wall clock also counts the time
    the process waited for a core, the CPU clock only the work.
    """
    times: dict[str, list[Times]] = {m: [] for m in methods}
    bpm: dict[str, float] = {}
    for r in range(rounds):
        for m in methods[r % len(methods) :] + methods[: r % len(methods)]:
            fn: Callable[[], tuple[Times, float]] = getattr(case, m)
            dt, bpm[m] = fn()
            times[m].append(dt)
    out = {}
    for m, v in times.items():
        wall, cpu = statistics.median(w for w, _ in v), statistics.median(c for _, c in v)
        out[m] = {"seconds": wall, "rate": case.n / wall, "cpu": cpu, "cpu_rate": case.n / cpu, "bpm": bpm[m]}
    return out


def table_memory(link) -> int:
    """Bytes of the engine's per-K tables for a link: urn guide + encoder + decoder."""
    from sim.engine.bitcodec import Decoder, Encoder
    from sim.engine.urn import UrnSampler

    sampler = UrnSampler(link.urn, np.random.default_rng(0))
    enc = Encoder(link.code, tuple(link.urn.counts), np.zeros(1, np.int64))
    t = Decoder(link.code).tables
    arrays = (sampler._guide, sampler._cum, enc.values, enc.lengths, t.prim_sym, t.prim_len, t.tree)
    return sum(a.nbytes for a in arrays)


# ------------------------------------------------------------- engine in fresh processes (engine.py)


def engine_child(source: str, n: int, chunk: int | None) -> dict:
    """Run inside a fresh interpreter: warm up, then time one engine run."""
    import resource

    t0 = time.perf_counter()
    from sim.engine import kernels
    from sim.engine.simulation import DEFAULT_CHUNK, run
    from tests.sim.links import scenario

    t1 = time.perf_counter()
    kernels.warm_up()
    t2 = time.perf_counter()
    link = link_for(source)
    chunk = chunk or DEFAULT_CHUNK
    t3 = time.perf_counter()
    res = run(scenario(link), messages=n, chunk=chunk)
    t4 = time.perf_counter()
    lr = res.links[0]
    assert lr.lossless and lr.messages == n and lr.mismatches == 0, "engine run was not lossless"
    return {
        "import_s": t1 - t0,
        "warm_s": t2 - t1,
        "seconds": t4 - t3,
        "chunk": chunk,
        "bpm": lr.bits_per_message,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def engine(source: str, n: int, chunk: int | None = None, repeats: int = 3) -> dict:
    """Median of ``repeats`` engine runs, each in a fresh subprocess (for chunk-1 and memory figures)."""
    args = [sys.executable, __file__, "--child", source, str(n)] + ([str(chunk)] if chunk else [])
    runs = run_children(args, repeats)
    secs = statistics.median(r["seconds"] for r in runs)
    return {
        "n": n,
        "seconds": secs,
        "rate": n / secs,
        "warm_s": statistics.median(r["warm_s"] for r in runs),
        "import_s": statistics.median(r["import_s"] for r in runs),
        "bpm": runs[0]["bpm"],
        "chunk": runs[0]["chunk"],
        "rss_mb": max(r["rss_mb"] for r in runs),
    }


# --------------------------------------------------------------------------- main


def machine() -> str:
    return (
        f"{datetime.date.today().isoformat()}, {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, numpy {np.__version__}"
    )


def revision() -> str:
    """The commit measured, flagged when sim/ or coding/ differ from it."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "sim", "coding"], cwd=ROOT, capture_output=True, text=True
        )
    except OSError:
        return "commit unknown"
    return f"commit {head.stdout.strip() or '?'}" + (
        " + uncommitted changes in sim/ or coding/" if dirty.stdout.strip() else ""
    )


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def versions() -> str:
    from importlib.metadata import version

    names = ("numba", "komm", "dahuffman", "bitarray", "constriction")
    return ", ".join(f"{p} {version(p)}" for p in names)


ROW = "{:<12} {:<24} {:>9} {:>9} {:>12} {:>9} {:>10} {:>9}"


def print_rows(source: str, res: dict[str, dict]) -> None:
    eng = res["engine"]
    for m, r in res.items():
        wall = "" if m == "engine" else f"{eng['rate'] / r['rate']:.2f}x"
        cpu = "" if m == "engine" else f"{eng['cpu_rate'] / r['cpu_rate']:.2f}x"
        cells = (f"{r['seconds']:.4f}", f"{r['cpu']:.4f}", f"{r['rate']:,.0f}", f"{r['bpm']:.4f}", wall, cpu)
        print(ROW.format(source, LABELS[m], *cells).rstrip())
        source = ""


#: Issue 16's targets for the two main rows: (peer, at least engine/peer) and the floor's bound.
TARGETS = {"india": {"ans": 1.0, "komm": 30.0, "floor": 1 / 3}, "zipf64": {"floor": 1 / 2}}


def print_targets(results: dict[str, dict[str, dict]]) -> None:
    """Each target of issue 16 against the medians, on the wall clock and on the CPU clock."""
    print("Targets (issue 16), on the wall clock | on the CPU clock:")
    for source, targets in TARGETS.items():
        eng = results[source]["engine"]
        for m, least in targets.items():
            r = results[source][m]
            ratios = (eng["rate"] / r["rate"], eng["cpu_rate"] / r["cpu_rate"])
            if m == "floor":  # how many times the floor's time the engine takes
                goal = f"engine within {1 / least:.0f}x of the floor"
                cells = [f"{1 / x:5.2f}x the floor {'met' if x >= least else 'not met':<8}" for x in ratios]
            else:
                goal = f"engine >= {least:.0f}x {LABELS[m]}"
                cells = [f"{x:5.2f}x {'met' if x >= least else 'not met':<8}" for x in ratios]
            print(f"  {source:<7} {goal:<40} {cells[0]}| {cells[1].rstrip()}")


def main(argv: list[str]) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="10^5 messages per row, 3 rounds, K up to 1024")
    ap.add_argument("--rounds", type=int, default=5, help="rounds of interleaved timings; medians reported")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        source, n, *chunk = a.child
        print(json.dumps(engine_child(source, int(float(n)), int(chunk[0]) if chunk else None)))
        return
    from sim.engine import kernels

    rounds = 3 if a.quick else a.rounds
    n = 10**5 if a.quick else 10**6
    print(f"telegraph throughput benchmark -- {machine()}")
    print(f"{versions()}; {revision()}")
    print(f"{n:,} messages per row; median of {rounds} interleaved rounds in one process; {load()} at start")
    kernels.warm_up()
    head = ROW.format("source", "method", "median s", "cpu s", "msgs/s", "bits/msg", "engine/it", "(cpu)")
    print("\n" + head + "\n" + "-" * len(head))
    peers = ["engine", "floor", "komm", "dahuffman", "bitarray", "ans", "range"]
    main_rows = {}
    for source in ("india", "zipf64"):
        main_rows[source] = interleaved(Case(source, n), peers, rounds)
        print_rows(source, main_rows[source])
        print()
    print_targets(main_rows)
    if not a.quick:
        # The engine's setup (tables, theory, checks) is paid once a run; at 10^7 messages the
        # ratio is nearer the per-message one.
        print("At 10^7 messages (engine and floor only):")
        for source in ("india", "zipf64"):
            res = interleaved(Case(source, 10 * n), ["engine", "floor"], rounds)
            e, f = res["engine"], res["floor"]
            print(
                f"  {source:<7} engine {e['rate']:>12,.0f} msgs/s, {f['rate'] / e['rate']:.2f}x the floor"
                f" (CPU clock {f['cpu_rate'] / e['cpu_rate']:.2f}x)"
            )
    print()

    print("Large alphabets (engine, floor and constriction ANS interleaved; setup = one-off, not in msgs/s)")
    head = "{:<14} {:>10} {:>10} {:>10} {:>9} {:>9} {:>9} {:>10} {:>9}".format(
        "source", "engine/s", "floor/s", "ANS/s", "eng/floor", "eng/ANS", "bits/msg", "setup s", "tables MB"
    )
    print(head + "\n" + "-" * len(head))
    sizes = [k for k in ALPHABETS if k <= (1024 if a.quick else 65536)]
    for kind in ("zipf-", "uniform-"):
        for k in sizes:
            source = f"{kind}{k}"
            t = time.perf_counter()
            case = Case(source, n)
            setup = time.perf_counter() - t
            res = interleaved(case, ["engine", "floor", "ans"], rounds)
            e, f, s = res["engine"], res["floor"], res["ans"]
            print(
                f"{source:<14} {e['rate']:>10,.0f} {f['rate']:>10,.0f} {s['rate']:>10,.0f} "
                f"{f['rate'] / e['rate']:>8.2f}x {e['rate'] / s['rate']:>8.2f}x {e['bpm']:>9.3f} "
                f"{setup:>10.2f} {table_memory(case.link) / 2**20:>9.2f}"
            )
    print(
        "\nengine/it = engine msgs/s / its msgs/s (above 1: the engine is faster); (cpu): the same\n"
        "  ratio of CPU seconds (this thread's, time.thread_time), which leaves out waiting for a core.\n"
        "  msgs/s is on the wall clock.\n"
        "  eng/floor = how many times slower than the floor the engine runs.\n"
        "  Peers time encode + decode only; the engine also draws, times the line and verifies.\n"
        "  setup = building the urn, its Huffman code (coding.huffman) and the benchmark's stream;\n"
        "  tables MB = the urn guide table, encoder and decoder tables of the engine."
    )
    print(f"{load()} at end")


if __name__ == "__main__":
    main(sys.argv[1:])
