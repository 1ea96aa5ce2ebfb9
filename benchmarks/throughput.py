"""Engine throughput against peer Huffman codecs (komm, dahuffman, bitarray).

Usage::

    pip install -e '.[bench]'
    python benchmarks/throughput.py            # full run (a few minutes)
    python benchmarks/throughput.py --quick    # smaller sizes, under a minute

Two sources:

* ``india``  -- the India box (blue 25, red 50, green 13, yellow 12) with its
  Huffman code, the link of ``tests/sim/links.py``;
* ``zipf64`` -- 64 symbols with counts round(10^6 / (i + 1)), i = 0..63, and
  their Huffman code (``coding.huffman``).

**Engine** rows are end to end: ``sim.engine.run`` draws the messages, encodes
them into packed bits, times the line (Lindley's recursion), decodes and
verifies every message.  Each engine run is a fresh subprocess; the kernels are
compiled or loaded from numba's cache (``sim.kernels.warm_up()``) before the
clock starts, and that one-off time is reported separately.

**Peer** rows encode and then decode one stream of symbols drawn once with
numpy (``rng.choice``) -- the same stream for every peer of a source -- and
check the decoded symbols equal the drawn ones.  The peer's rate counts encode
+ decode only: drawing, converting the numpy array to a list (for the
pure-Python APIs) and the final comparison are not timed, which flatters the
peers.  komm builds its own Huffman code from the pmf (same average length);
dahuffman builds its own from the counts (plus its end-of-file symbol);
bitarray uses exactly the engine's codewords.

Every figure is the median of ``--repeats`` (default 3) runs.
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
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from children import ROOT, run_children  # noqa: E402

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SOURCES = ("india", "zipf64")
SEED = 1948


def link_for(source: str):
    """The Link (urn, code) of a named source."""
    from coding import huffman
    from sim.model import Link, Urn
    from tests.sim.links import CABLE, huffman_link

    if source == "india":
        return huffman_link()
    if source == "zipf64":
        urn = Urn("zipf64", {f"s{i:02d}": round(10**6 / (i + 1)) for i in range(64)})
        code = huffman(urn.distribution)
        dist = urn.distribution
        return Link(
            "zipf64-huffman", urn, "huffman", "huffman", code, CABLE, built_for="zipf64", assumed=dist
        )
    raise ValueError(source)


# --------------------------------------------------------------------------- engine (subprocess)


def engine_child(source: str, n: int, chunk: int | None) -> dict:
    """Run inside a fresh interpreter: warm up, then time one engine run."""
    import resource

    t0 = time.perf_counter()
    from sim import kernels
    from sim.engine import DEFAULT_CHUNK, run
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
    """Median of ``repeats`` engine runs, each in a fresh subprocess."""
    args = [sys.executable, __file__, "--child", source, str(n)] + ([str(chunk)] if chunk else [])
    runs = run_children(args, repeats)
    secs = statistics.median(r["seconds"] for r in runs)
    return {
        "n": n,
        "seconds": secs,
        "rate": n / secs,
        "all": [r["seconds"] for r in runs],
        "warm_s": statistics.median(r["warm_s"] for r in runs),
        "import_s": statistics.median(r["import_s"] for r in runs),
        "bpm": runs[0]["bpm"],
        "chunk": runs[0]["chunk"],
        "rss_mb": max(r["rss_mb"] for r in runs),
    }


# --------------------------------------------------------------------------- peers (in process)


def draw(source: str, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` symbol indices drawn with numpy from the source's urn; also the pmf."""
    counts = np.array(list(link_for(source).urn.counts.values()), dtype=np.float64)
    pmf = counts / counts.sum()
    rng = np.random.default_rng(SEED)
    return rng.choice(len(pmf), size=n, p=pmf), pmf


def _timed(fn) -> tuple[float, object]:
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def peer_komm(x: np.ndarray, pmf: np.ndarray, link) -> tuple[float, float, float]:
    import komm

    code = komm.HuffmanCode(pmf)
    te, bits = _timed(lambda: code.encode(x))
    td, y = _timed(lambda: code.decode(bits))
    assert np.array_equal(y, x), "komm round trip failed"
    return te, td, bits.size / x.size


def peer_dahuffman(x: np.ndarray, pmf: np.ndarray, link) -> tuple[float, float, float]:
    import dahuffman

    counts = link.urn.counts
    codec = dahuffman.HuffmanCodec.from_frequencies({i: c for i, c in enumerate(counts.values())})
    data = x.tolist()
    te, blob = _timed(lambda: codec.encode(data))
    td, y = _timed(lambda: codec.decode(blob))
    assert y == data, "dahuffman round trip failed"
    return te, td, 8 * len(blob) / x.size


def peer_bitarray(x: np.ndarray, pmf: np.ndarray, link) -> tuple[float, float, float]:
    from bitarray import bitarray, decodetree

    words = dict(link.code.codewords)
    code = {i: bitarray(words[s]) for i, s in enumerate(link.urn.counts)}
    tree = decodetree(code)
    data = x.tolist()

    def encode():
        a = bitarray()
        a.encode(code, data)
        return a

    te, bits = _timed(encode)
    td, y = _timed(lambda: list(bits.decode(tree)))
    assert y == data, "bitarray round trip failed"
    return te, td, len(bits) / x.size


PEERS = {"komm": peer_komm, "dahuffman": peer_dahuffman, "bitarray": peer_bitarray}


def peer(name: str, x: np.ndarray, pmf: np.ndarray, link, repeats: int = 3) -> dict:
    runs = [PEERS[name](x, pmf, link) for _ in range(repeats)]
    enc = statistics.median(r[0] for r in runs)
    dec = statistics.median(r[1] for r in runs)
    both = statistics.median(r[0] + r[1] for r in runs)
    n = x.size
    out = {"n": n, "seconds": both, "rate": n / both, "bpm": runs[0][2]}
    return out | {"enc_rate": n / enc, "dec_rate": n / dec}


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

    return ", ".join(f"{p} {version(p)}" for p in ("numba", "komm", "dahuffman", "bitarray"))


ROW = "{:<8} {:<22} {:>11} {:>9} {:>13} {:>9} {:>12}"


def row(source: str, method: str, n: int, r: dict, ratio: float | None = None) -> str:
    ratio_s = f"{ratio:.1f}x" if ratio is not None else ""
    cells = (f"{n:,}", f"{r['seconds']:.3f}", f"{r['rate']:,.0f}", f"{r['bpm']:.4f}", ratio_s)
    return ROW.format(source, method, *cells).rstrip()


def main(argv: list[str]) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller sizes (engine 1e5, 1e6; peers 1e5)")
    ap.add_argument("--repeats", type=int, default=3, help="runs per figure; the median is reported")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        source, n, *chunk = a.child
        print(json.dumps(engine_child(source, int(float(n)), int(chunk[0]) if chunk else None)))
        return

    engine_sizes = [10**5, 10**6] if a.quick else [10**6, 10**7]
    chunk1_sizes = [2 * 10**4] if a.quick else [2 * 10**4, 10**5]
    # Every peer, dahuffman included (pure Python, ~0.5-1 s per round trip of 1e6), runs the whole stream.
    peer_n = 10**5 if a.quick else 10**6
    r = a.repeats

    print(f"telegraph throughput benchmark -- {machine()}")
    print(f"{versions()}; {revision()}")
    print(f"median of {r} runs; engine runs each in a fresh subprocess; {load()} at start\n")
    head = ROW.format("source", "method", "N", "median s", "msgs/s", "bits/msg", "engine/peer")
    print(head)
    print("-" * len(head))
    warm, imp = [], []
    for source in SOURCES:
        link = link_for(source)
        eng = {}
        for n in engine_sizes:
            e = eng[n] = engine(source, n, repeats=r)
            warm.append(e["warm_s"])
            imp.append(e["import_s"])
            print(row(source, f"engine (chunk {e['chunk']})", n, e))
        ref = eng[peer_n]  # peers are compared with the engine at the same N
        x, pmf = draw(source, peer_n)
        for name in PEERS:
            p = peer(name, x, pmf, link, repeats=r)
            print(row(source, f"{name} enc+dec", peer_n, p, ref["rate"] / p["rate"]))
            alone = f"{p['enc_rate']:>13,.0f} / {p['dec_rate']:,.0f}"
            print(ROW.format("", "  enc alone / dec alone", "", "", alone, "", "").rstrip())
        if source == "india":
            for n in chunk1_sizes:
                print(row(source, "engine (chunk 1)", n, engine(source, n, chunk=1, repeats=r)))
        print()
    print(
        f"engine/peer = engine msgs/s at N = {peer_n:,} (draw+encode+line+decode+verify) / peer msgs/s\n"
        "  (encode+decode only: no drawing, list conversion or verification)."
    )
    print(
        f"one-off per fresh process, not included above: import sim {statistics.median(imp):.2f} s, "
        f"sim.kernels.warm_up() {statistics.median(warm):.2f} s\n  (numba JIT compile or cache load)."
    )
    print(f"{load()} at end")


if __name__ == "__main__":
    main(sys.argv[1:])
