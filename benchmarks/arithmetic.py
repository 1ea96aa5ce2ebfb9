"""The compiled arithmetic coder against constriction's range and ANS coders; block and Tunstall codes.

Usage::

    pip install -e '.[bench]'
    python benchmarks/arithmetic.py               # 10^6 symbols, 7 rounds (about a minute)
    python benchmarks/arithmetic.py --n 200000 --rounds 3

**Arithmetic.** One stream, Australia's box (blue 13, red 25, green 50,
yellow 12) drawn i.i.d. with numpy (seeded), coded with India's model (blue
25, red 50, green 13, yellow 12): three coders each encode it and decode it
back, the decode is checked against the stream (outside the clock), and the
compressed size is read off. Ours is ``sim.engine.stream_kernels`` (32-bit interval,
frequencies quantised to 2^24); constriction's ``RangeEncoder``/``RangeDecoder``
and ``AnsCoder`` use its ``Categorical(perfect=False)`` model (also 24-bit).
Model construction is outside the clock for everyone.

**Block and Tunstall.** India's box drawn i.i.d., coded with its Huffman
code (the engine's packed-bit encoder and verifying decoder, ``sim.engine.bitcodec``),
with the order-4 block code (blocks folded by ``sim.engine.stream_kernels``, then the
same packer and decoder) and with 8- and 16-bit Tunstall codes. Building a code's
tables (decoding tables, the Tunstall tree) is setup, outside the clock, like
constriction's model.

The coders run in rounds, interleaved (one of each per round) in one process,
after a warm-up call compiles or loads the kernels; every figure is the median
over rounds. ``size ratio`` is our size over theirs; ``speed ratio`` is their
time over ours (above 1: we are faster).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from children import ROOT  # noqa: E402

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from throughput import load, machine, revision  # noqa: E402

SEED = 1948
INDIA = {"blue": 25, "red": 50, "green": 13, "yellow": 12}
AUSTRALIA = {"blue": 13, "red": 25, "green": 50, "yellow": 12}

OURS = "ours (sim.engine.stream_kernels)"
HUFFMAN = "Huffman (sim.engine.bitcodec)"

Run = Callable[[np.ndarray], tuple[float, float, int, np.ndarray]]


def ours(code, encoder=None, decoder=None) -> Run:
    """Our compiled arithmetic coder on ``code`` (or the given encoder and decoder classes on it)."""
    from sim.engine import stream_kernels as sk
    from sim.engine.bitcodec import from_bits, to_bits

    encoder = encoder or sk.ArithmeticEncoder
    decoder = decoder or sk.ArithmeticDecoder

    def run(seq: np.ndarray) -> tuple[float, float, int, np.ndarray]:
        t0 = time.perf_counter()
        enc = encoder(code)
        body = enc.encode(seq)
        tail = enc.finish()
        t1 = time.perf_counter()
        words, nbits = from_bits(np.concatenate([to_bits(*body), to_bits(*tail)]))  # one stream
        t2 = time.perf_counter()
        dec = decoder(code, seq.size)
        out = np.concatenate([dec.feed(words, nbits), dec.finish()])
        t3 = time.perf_counter()
        return t1 - t0, t3 - t2, enc.bits, out

    return run


def constriction_coder(kind: str, probabilities: np.ndarray) -> Run:
    import constriction

    model = constriction.stream.model.Categorical(probabilities, perfect=False)

    def run(seq: np.ndarray) -> tuple[float, float, int, np.ndarray]:
        msg = seq.astype(np.int32)
        t0 = time.perf_counter()
        if kind == "range":
            enc = constriction.stream.queue.RangeEncoder()
            enc.encode(msg, model)
        else:
            enc = constriction.stream.stack.AnsCoder()
            enc.encode_reverse(msg, model)
        compressed = enc.get_compressed()
        t1 = time.perf_counter()
        if kind == "range":
            out = constriction.stream.queue.RangeDecoder(compressed).decode(model, seq.size)
        else:
            out = constriction.stream.stack.AnsCoder(compressed).decode(model, seq.size)
        t2 = time.perf_counter()
        return t1 - t0, t2 - t1, int(compressed.size) * 32, out

    return run


def huffman_run(code) -> Run:
    from sim.engine.bitcodec import Decoder, Encoder

    def run(seq: np.ndarray) -> tuple[float, float, int, np.ndarray]:
        enc, dec = Encoder(code, code.symbols, np.zeros(0, np.int64)), Decoder(code)  # tables: setup
        t0 = time.perf_counter()
        words, nbits = enc.encode(seq)
        t1 = time.perf_counter()
        done = dec.feed(words, nbits, seq)
        t2 = time.perf_counter()
        assert dec.mismatches == 0
        return t1 - t0, t2 - t1, nbits, seq[:done]

    return run


def block_run(bc) -> Run:
    from sim.engine import stream_kernels as sk
    from sim.engine.bitcodec import Decoder, Encoder

    def run(seq: np.ndarray) -> tuple[float, float, int, np.ndarray]:
        be, dec = sk.BlockEncoder(bc), Decoder(bc.code)  # tables: setup
        packer = Encoder(bc.code, bc.code.symbols, np.zeros(0, np.int64))
        t0 = time.perf_counter()
        blocks = np.concatenate([be.push(seq), be.finish()])
        words, nbits = packer.encode(blocks)
        t1 = time.perf_counter()
        dec.feed(words, nbits, blocks)
        out = sk.split_blocks(bc, blocks)[: seq.size]  # the receiver's blocks, verified equal above
        t2 = time.perf_counter()
        assert dec.mismatches == 0 and dec.decoded == blocks.size
        return t1 - t0, t2 - t1, nbits, out

    return run


def tunstall_run(tc) -> Run:
    from sim.engine import stream_kernels as sk

    def run(seq: np.ndarray) -> tuple[float, float, int, np.ndarray]:
        enc, dec = sk.TunstallEncoder(tc), sk.TunstallDecoder(tc, seq.size)  # tables: setup
        t0 = time.perf_counter()
        body = enc.encode(seq)
        tail = enc.finish()
        t1 = time.perf_counter()
        out = np.concatenate([dec.feed(*body), dec.feed(*tail)])
        t2 = time.perf_counter()
        return t1 - t0, t2 - t1, enc.bits, out

    return run


def race(runs: dict[str, Run], seq: np.ndarray, rounds: int) -> dict[str, dict[str, float]]:
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in runs}
    sizes: dict[str, int] = {}
    for _ in range(rounds):
        for name, run in runs.items():
            enc, dec, bits, out = run(seq)
            if not np.array_equal(np.asarray(out), seq):
                raise SystemExit(f"{name}: decoded stream differs from the one sent")
            times[name].append((enc, dec))
            sizes[name] = bits
    return {
        name: {
            "enc": statistics.median(t[0] for t in ts),
            "dec": statistics.median(t[1] for t in ts),
            "total": statistics.median(t[0] + t[1] for t in ts),
            "bits": sizes[name],
        }
        for name, ts in times.items()
    }


def table(title: str, result: dict[str, dict[str, float]], n: int, reference: str) -> None:
    ref = result[reference]
    print(f"\n{title}")
    print("| method | bits/symbol | size ratio (ours / theirs) | encode ns/sym | decode ns/sym "
          "| M sym/s (enc + dec) | speed ratio (theirs / ours) |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for name, r in result.items():
        size = ref["bits"] / r["bits"]
        speed = r["total"] / ref["total"]
        print(
            f"| {name} | {r['bits'] / n:.6f} | {size:.5f} | {r['enc'] * 1e9 / n:.1f} | "
            f"{r['dec'] * 1e9 / n:.1f} | {n / r['total'] / 1e6:.1f} | {speed:.2f} |"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=float, default=1e6, help="symbols per stream (default 1e6)")
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds (default 7)")
    args = parser.parse_args(argv)
    n = int(args.n)

    from coding import Distribution, arithmetic, block, cross_entropy, entropy, huffman, tunstall
    from sim.engine import kernels, stream_kernels

    india = Distribution.from_counts(INDIA)
    australia = Distribution.from_counts(AUSTRALIA)
    print(f"# {machine()}; {revision()}; {load()} at start")
    t = time.perf_counter()
    kernels.warm_up()
    stream_kernels.warm_up()
    print(f"# kernels warmed up (compile or cache load) in {time.perf_counter() - t:.2f} s")

    rng = np.random.default_rng(SEED)
    seq = rng.choice(4, size=n, p=australia.probabilities).astype(np.int64)
    code = arithmetic(india)
    runs = {
        OURS: ours(code),
        "constriction RangeEncoder": constriction_coder("range", india.probabilities),
        "constriction AnsCoder": constriction_coder("ans", india.probabilities),
    }
    result = race(runs, seq, args.rounds)
    print(f"# H(australia, india) = {cross_entropy(australia, india):.6f} bits/symbol")
    table(f"Arithmetic: Australia's box, India's model, n = {n}", result, n, OURS)

    seq = rng.choice(4, size=n, p=india.probabilities).astype(np.int64)
    runs = {
        HUFFMAN: huffman_run(huffman(india)),
        "block k = 4": block_run(block(india, order=4)),
        "Tunstall m = 8": tunstall_run(tunstall(india, bits=8)),
        "Tunstall m = 16": tunstall_run(tunstall(india, bits=16)),
        "arithmetic": ours(code),
    }
    result = race(runs, seq, args.rounds)
    print(f"\n# H(india) = {entropy(india):.6f} bits/symbol")
    table(
        f"India's box, its own codes, n = {n} (ratios against Huffman)",
        result,
        n,
        HUFFMAN,
    )
    print(f"\n# {load()} at end")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
