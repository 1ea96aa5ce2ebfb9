"""Throughput of a noisy line (library level): encode → noise → decode against encode → decode.

Usage::

    python benchmarks/noise.py              # 10^7 messages, 7 rounds (~1 min)
    python benchmarks/noise.py --quick      # 10^6 messages, 5 rounds
    python benchmarks/noise.py --calibrate 300   # the tests' statistical checks over 300 seeds
    python benchmarks/noise.py --engine     # end to end: engine.run noiseless vs noisy links

One stream of India draws (blue 25, red 50, green 13, yellow 12) with its
Huffman code, cut into the engine's chunks (65 536 messages). Every method
runs on that same stream, in one process, interleaved: round r runs every
method once, in turn, so a slow spell of the machine hits them all alike.
Figures are medians over rounds; ``ratio`` is the noiseless median time
divided by the method's (1.0: as fast as noiseless; the target is ≥ 0.5).

* ``noiseless``: :class:`sim.engine.bitcodec.Encoder` then :class:`sim.engine.bitcodec.Decoder`
  (the engine's path: pack, table-driven decode, compare with what was sent);
* ``bsc …``, ``erasure …``, ``gilbert_elliott``: pack, damage the words with
  :class:`sim.engine.noise.Noise`, decode with :class:`sim.engine.noise.TolerantDecoder`
  (which also judges every message and measures the error events);
* ``… + hamming74`` / ``+ repetition3``: the same with a channel code wrapped
  around the bits (:class:`sim.engine.noise.ChannelCoder`, encode and decode).

The kernels are compiled (or loaded from numba's cache) before the clock starts.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from coding import Distribution, huffman  # noqa: E402
from coding.channel import Hamming74, Repetition  # noqa: E402
from sim.engine import kernels, noise  # noqa: E402
from sim.engine.bitcodec import Decoder, Encoder  # noqa: E402
from sim.engine.noise import ChannelCoder, Noise, TolerantDecoder  # noqa: E402

CHUNK = 65_536
SEED = 1948
INDIA = Distribution.from_counts({"blue": 25, "red": 50, "green": 13, "yellow": 12})
CODE = huffman(INDIA)


def noiseless(chunks: list[np.ndarray]) -> dict:
    enc = Encoder(CODE, CODE.symbols, np.array([1], dtype=np.int64))
    dec = Decoder(CODE)
    for sym in chunks:
        words, nbits = enc.encode(sym)
        dec.feed(words, nbits, sym)
    assert dec.mismatches == 0 and dec.pending == 0
    return {"errors": 0.0}


def noisy(make_noise, channel=None):
    def method(chunks: list[np.ndarray]) -> dict:
        enc = Encoder(CODE, CODE.symbols, np.array([1], dtype=np.int64))
        line = make_noise(np.random.default_rng(SEED))
        coder = ChannelCoder(channel) if channel is not None else None
        rx = TolerantDecoder(CODE)
        for sym in chunks:
            words, nbits = enc.encode(sym)
            if coder is not None:
                words, nbits = coder.encode(words, nbits)
            line.apply(words, nbits)
            if coder is not None:
                words, nbits = coder.decode(words, nbits)
            rx.feed(words, nbits, sym)
        return {"errors": rx.message_error_rate, "events": rx.events, "resync": rx.resync_mean}

    return method


METHODS = {
    "noiseless": noiseless,
    "bsc 1e-3": noisy(lambda rng: Noise.bsc(1e-3, rng)),
    "bsc 1e-2": noisy(lambda rng: Noise.bsc(1e-2, rng)),
    "erasure 1e-3": noisy(lambda rng: Noise.erasure(1e-3, rng)),
    "gilbert_elliott": noisy(lambda rng: Noise.gilbert_elliott(1e-4, 0.1, 1e-3, 0.1, rng)),
    "bsc 1e-3 + hamming74": noisy(lambda rng: Noise.bsc(1e-3, rng), Hamming74()),
    "bsc 1e-3 + repetition3": noisy(lambda rng: Noise.bsc(1e-3, rng), Repetition(3)),
}


# --------------------------------------------------------------------------- calibration


def _z_scores(seed: int) -> dict[str, float]:
    """One seed of the simulation checks of tests/sim/engine/test_noise.py as z-scores (FAIL: |z| > 3.29)."""
    from coding import fixed_length
    from coding.channel import fixed_message_error, hamming74_block_error, repetition_bit_error
    from coding.resync import resync_distribution
    from sim.engine.bitcodec import from_bits, to_bits

    rng = np.random.default_rng(seed)
    out = {}
    # fixed 2-bit code, BSC 0.01: message errors vs n·(1 − 0.99²)
    n, eps = 100_000, 0.01
    fixed = fixed_length(INDIA)
    sym = rng.choice(4, size=n, p=INDIA.probabilities).astype(np.int64)
    words, nbits = Encoder(fixed, fixed.symbols, np.array([1])).encode(sym)
    Noise.bsc(eps, rng).apply(words, nbits)
    rx = TolerantDecoder(fixed)
    rx.feed(words, nbits, sym)
    p = fixed_message_error(eps, 2)
    out["fixed2 message error"] = (rx.bad - n * p) / np.sqrt(n * p * (1 - p))
    # repetition-3 and Hamming(7,4) over a BSC
    for name, code, eps, theory in (
        ("repetition3 bit error", Repetition(3), 0.05, repetition_bit_error(0.05, 3)),
        ("hamming74 block error", Hamming74(), 0.03, hamming74_block_error(0.03)),
    ):
        blocks = 100_000
        data = rng.integers(0, 2, blocks * code.k).astype(np.uint8)
        coder = ChannelCoder(code)
        cw, cn = coder.encode(*from_bits(data))
        Noise.bsc(eps, rng).apply(cw, cn)
        got = to_bits(*coder.decode(cw, cn)).reshape(blocks, code.k)
        wrong = (got != data.reshape(blocks, code.k)).any(axis=1).sum()
        out[name] = (wrong - blocks * theory) / np.sqrt(blocks * theory * (1 - theory))
    # Huffman resynchronisation after isolated flips vs the exact law
    sym = rng.choice(4, size=200_000, p=INDIA.probabilities).astype(np.int64)
    words, nbits = Encoder(CODE, CODE.symbols, np.array([1])).encode(sym)
    bits = to_bits(words, nbits).copy()
    starts = np.arange(0, nbits - 600, 600)
    bits[starts + rng.integers(0, 300, starts.size)] ^= 1
    rx = TolerantDecoder(CODE)
    rx.feed(*from_bits(bits), sym)
    pmf = resync_distribution(CODE, INDIA)
    r = np.arange(1, pmf.size + 1)
    mean, var = r @ pmf, r**2 @ pmf - (r @ pmf) ** 2
    out["huffman resync mean"] = (rx.resync_mean - mean) / np.sqrt(var / rx.events)
    return out


def calibrate(seeds: int) -> None:
    """Run each check over many seeds: the share beyond 3.29 should be about 0.1 %, z about N(0, 1)."""
    noise.warm_up()
    zs: dict[str, list[float]] = {}
    for seed in range(seeds):
        for name, z in _z_scores(10_000 + seed).items():
            zs.setdefault(name, []).append(float(z))
    print(f"# {seeds} seeds; a check FAILs when |z| > 3.29 (stated false-alarm rate 0.1 %)")
    print(f"{'check':<26}{'mean z':>8}{'sd z':>7}{'FAILs':>7}")
    for name, z in zs.items():
        arr = np.array(z)
        fails = int((np.abs(arr) > 3.29).sum())
        print(f"{name:<26}{arr.mean():>8.3f}{arr.std(ddof=1):>7.3f}{fails:>5}/{seeds}")


# --------------------------------------------------------------------------- end to end

#: name -> "code|noise keys|channel type"; each noisy link's ratio is against its own code's noiseless run.
ENGINE_LINKS = {
    "noiseless": "huffman||",
    "bsc 1e-3": "huffman|, noise: {type: bsc, flip: 0.001}|",
    "bsc 1e-2": "huffman|, noise: {type: bsc, flip: 0.01}|",
    "gilbert_elliott": "huffman|, noise: {type: gilbert_elliott, good_flip: 0.0001, bad_flip: 0.1, "
    "to_bad: 0.001, to_good: 0.1}|",
    "bsc 1e-3 + hamming74": "huffman|, noise: {type: bsc, flip: 0.001}|hamming74",
    "bsc 1e-3 + repetition3": "huffman|, noise: {type: bsc, flip: 0.001}|repetition",
    "bsc 1e-3 + parity/telegram": "huffman|, noise: {type: bsc, flip: 0.001}|parity",
    "block3 noiseless": "block3||",
    "block3 bsc 1e-3": "block3|, noise: {type: bsc, flip: 0.001}|",
    "tunstall noiseless": "tunstall||",
    "tunstall bsc 1e-3": "tunstall|, noise: {type: bsc, flip: 0.001}|",
    "arithmetic noiseless": "arithmetic||",
    "arithmetic bsc 1e-3": "arithmetic|, noise: {type: bsc, flip: 0.001}|",
}


def _engine_scenario(spec: str, n: int):
    from sim.scenario.loader import loads

    code, noise_keys, channel = spec.split("|")
    link = f"{{urn: india, code: {code}" + (f", channel: {{type: {channel}}}" if channel else "") + "}"
    return loads(
        f"seed: {SEED}\nmessages: {n}\nurns:\n  india: {{blue: 25, red: 50, green: 13, yellow: 12}}\n"
        "codes:\n  huffman: {type: huffman, for: india}\n  block3: {type: block, for: india, order: 3}\n"
        "  tunstall: {type: tunstall, for: india, bits: 5}\n  arithmetic: {type: arithmetic, for: india}\n"
        f"lines:\n  cable: {{baud: 50{noise_keys}}}\nlinks:\n  - {link}\n"
    )


def engine(n: int, rounds: int) -> None:
    """Whole runs of sim.engine.simulation.run (urn, SimPy stations, line, receiver, checks), interleaved."""
    from sim.engine import simulation

    scenarios = {name: _engine_scenario(spec, n) for name, spec in ENGINE_LINKS.items()}
    for sc in scenarios.values():  # compile and warm every path before the clock starts
        simulation.run(sc, messages=1000)
    times: dict[str, list[float]] = {m: [] for m in scenarios}
    errs: dict[str, float] = {}
    for _ in range(rounds):
        for name, sc in scenarios.items():
            t = time.perf_counter()
            link = simulation.run(sc).links[0]
            times[name].append(time.perf_counter() - t)
            errs[name] = link.errors.message_error_rate if link.errors else 0.0
    print(f"# commit {commit()}; engine end to end, {n:,} India messages, {rounds} rounds; "
          f"load average {os.getloadavg()[0]:.2f}; ratio: against the same code's noiseless run")  # fmt: skip
    print(f"{'link':<28}{'median s':>10}{'msgs/s':>14}{'ratio':>8}{'msg err':>10}")
    for name, spec in ENGINE_LINKS.items():
        code = spec.split("|")[0]
        base_name = "noiseless" if code == "huffman" else f"{code} noiseless"
        base = statistics.median(times[base_name])
        med = statistics.median(times[name])
        print(f"{name:<28}{med:>10.3f}{n / med:>14,.0f}{base / med:>8.2f}{errs[name]:>10.2e}")


def commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        )
        return out.stdout.strip() or "?"
    except OSError:
        return "?"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="10^6 messages, 5 rounds")
    ap.add_argument("--messages", type=float, default=None)
    ap.add_argument("--rounds", type=int, default=None)
    ap.add_argument("--calibrate", type=int, metavar="SEEDS", help="run the tests' checks over SEEDS seeds")
    ap.add_argument("--engine", action="store_true", help="end to end through the engine")
    args = ap.parse_args(argv)
    if args.engine:
        engine(int(args.messages or (1e6 if args.quick else 1e7)), args.rounds or (5 if args.quick else 7))
        return 0
    if args.calibrate:
        calibrate(args.calibrate)
        return 0
    n = int(args.messages or (1e6 if args.quick else 1e7))
    rounds = args.rounds or (5 if args.quick else 7)
    sym = np.random.default_rng(SEED).choice(4, size=n, p=INDIA.probabilities).astype(np.int64)
    chunks = [sym[i : i + CHUNK] for i in range(0, n, CHUNK)]
    t0 = time.perf_counter()
    kernels.warm_up()
    noise.warm_up()
    warm = time.perf_counter() - t0
    print(f"# commit {commit()}, {platform.machine()}, Python {platform.python_version()}, "
          f"numpy {np.__version__}; load average at start {os.getloadavg()[0]:.2f}")  # fmt: skip
    print(f"# {n:,} India/Huffman messages, chunks of {CHUNK:,}, {rounds} interleaved rounds; "
          f"warm-up {warm:.2f} s")  # fmt: skip
    times: dict[str, list[float]] = {m: [] for m in METHODS}
    info: dict[str, dict] = {}
    for _ in range(rounds):
        for name, method in METHODS.items():
            t = time.perf_counter()
            info[name] = method(chunks)
            times[name].append(time.perf_counter() - t)
    base = statistics.median(times["noiseless"])
    print(f"{'method':<24}{'median s':>10}{'msgs/s':>14}{'ratio':>8}{'msg err':>10}{'mean resync':>13}")
    print("-" * 79)
    for name in METHODS:
        med = statistics.median(times[name])
        err = info[name]["errors"]
        resync = info[name].get("resync", float("nan"))
        print(f"{name:<24}{med:>10.3f}{n / med:>14,.0f}{base / med:>8.2f}{err:>10.2e}{resync:>13.3f}")
    print(f"# load average at end {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
