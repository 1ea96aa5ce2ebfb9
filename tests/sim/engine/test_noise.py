"""Noise, channel codes on packed words, and the tolerant decoder (sim.engine.noise and noise_kernels).

Statistical checks compare a count with its theory by a two-sided z-test at
3.29 standard deviations: a false-alarm rate of 0.1 % each (normal
approximation to a binomial with thousands of expected events). Every run
is seeded, so a pass stays a pass; the rate says how unlucky a seed would
have to be to fail a correct implementation.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import prefix_codes

from coding import Code, DecodeError, Distribution, fixed_length, huffman
from coding.channel import (
    Hamming74,
    Parity,
    Repetition,
    fixed_message_error,
    gilbert_elliott_stationary_bad,
    hamming74_bit_error,
    hamming74_block_error,
    repetition_bit_error,
)
from coding.resync import resync_distribution
from sim.engine.bitcodec import Decoder, Encoder, from_bits, to_bits
from sim.engine.noise import ChannelCoder, Noise, TolerantDecoder, warm_up

Z = 3.29  # two-sided 0.1 %
INDIA = Distribution.from_counts({"blue": 25, "red": 50, "green": 13, "yellow": 12})
HUFFMAN = huffman(INDIA)
FIXED2 = fixed_length(INDIA)
NOISES = {
    "bsc": lambda rng, e: Noise.bsc(e, rng),
    "erasure": lambda rng, e: Noise.erasure(e, rng),
    "gilbert_elliott": lambda rng, e: Noise.gilbert_elliott(e / 10, min(1.0, 10 * e), 0.01, 0.1, rng),
}
CHANNELS = {"none": None, "repetition3": Repetition(3), "hamming74": Hamming74(), "parity8": Parity(8)}


def draws(n: int, seed: int = 7) -> np.ndarray:
    return np.random.default_rng(seed).choice(4, size=n, p=INDIA.probabilities).astype(np.int64)


def pipeline(code, sym, noise, channel=None, chunk=None, out=None):
    """encode → (channel encode) → noise → (channel decode) → tolerant decode, ``chunk`` messages a step."""
    enc = Encoder(code, code.symbols, np.array([sym.size], dtype=np.int64))
    coder = ChannelCoder(channel) if channel is not None else None
    rx = TolerantDecoder(code)
    received = []
    step = chunk or max(sym.size, 1)
    pieces = [sym[i : i + step] for i in range(0, sym.size, step)] + [None]
    for piece in pieces:
        if piece is None:  # end of the stream: flush the channel coder's last block
            if coder is None:
                break
            words, nbits = coder.flush()
            piece = sym[:0]
        else:
            words, nbits = enc.encode(piece)
            if coder is not None:
                words, nbits = coder.encode(words, nbits)
        noise.apply(words, nbits)
        received.append(to_bits(words, nbits).copy())
        if coder is not None:
            words, nbits = coder.decode(words, nbits)
        rx.feed(words, nbits, piece, out)
    return rx, np.concatenate(received), noise


# --------------------------------------------------------------------------- degenerate settings


@pytest.mark.parametrize("kind", NOISES)
def test_no_noise_is_the_noiseless_stream(kind):
    sym = draws(20_000)
    enc = Encoder(HUFFMAN, HUFFMAN.symbols, np.array([sym.size]))
    words, nbits = enc.encode(sym)
    clean = words.copy()
    rng = np.random.default_rng(1)
    noise = NOISES[kind](rng, 0.0)
    noise.apply(words, nbits)
    assert np.array_equal(words, clean) and noise.hits == 0 and noise.bits == nbits
    reference = Decoder(HUFFMAN)
    reference.feed(clean, nbits, sym)
    out = np.full(sym.size + 1, -1, dtype=np.int64)
    rx = TolerantDecoder(HUFFMAN)
    assert rx.feed(words, nbits, sym, out) == sym.size
    assert np.array_equal(out[:-1], sym) and out[-1] == -1
    assert rx.bad == 0 == reference.mismatches and rx.good == sym.size == rx.decoded
    assert rx.events == 0 and rx.dead_ends == 0 and rx.awaiting == 0 and rx.unresolved == 0


def test_warm_up_compiles_every_kernel():
    warm_up()  # what benchmarks call before the clock starts; must run on its tiny inputs


def test_flip_probability_one_flips_every_bit_and_erasure_one_erases_all():
    sym = draws(5_000)
    words, nbits = Encoder(HUFFMAN, HUFFMAN.symbols, np.array([1])).encode(sym)
    bits = to_bits(words, nbits).copy()
    noise = Noise.bsc(1.0, np.random.default_rng(2))
    flipped = words.copy()
    noise.apply(flipped, nbits)
    assert np.array_equal(to_bits(flipped, nbits), 1 - bits) and noise.hits == nbits
    erased = words.copy()
    mask = Noise.erasure(1.0, np.random.default_rng(2)).apply(erased, nbits)
    assert not to_bits(erased, nbits).any() and to_bits(mask, nbits).all()
    assert not to_bits(mask[:-1], mask[:-1].size * 64)[nbits:].any()  # nothing past the end


@pytest.mark.parametrize("kind", NOISES)
@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("eps", [0.02, 0.3])
def test_chunked_is_whole_bit_for_bit(kind, channel, eps, monkeypatch):
    monkeypatch.setattr("sim.engine.noise.UNIFORM_BLOCK", 64)  # the uniforms run out mid-chunk, many times
    sym = draws(3_000, seed=3)
    runs = []
    for chunk in (None, 1, 7, 1_000):
        noise = NOISES[kind](np.random.default_rng(11), eps)
        rx, received, noise = pipeline(HUFFMAN, sym, noise, CHANNELS[channel], chunk)
        runs.append((rx, received, noise))
    rx0, received0, noise0 = runs[0]
    assert noise0.hits > 0 and rx0.bad > 0
    for rx, received, noise in runs[1:]:
        assert np.array_equal(received, received0)
        assert np.array_equal(noise.state, noise0.state)
        assert np.array_equal(rx.state, rx0.state)
        assert np.array_equal(rx.hist, rx0.hist) and np.array_equal(rx.trace, rx0.trace)


# --------------------------------------------------------------------------- noise against its theory


def within(measured: float, expected: float, variance: float) -> bool:
    return abs(measured - expected) <= Z * math.sqrt(variance)


@pytest.mark.parametrize("eps", [1e-3, 0.05, 0.5])
def test_bsc_flips_are_binomial(eps):
    n = 2_000_000
    words, _ = from_bits(np.zeros(n, dtype=np.uint8))
    noise = Noise.bsc(eps, np.random.default_rng(4))
    noise.apply(words, n)
    flipped = int(to_bits(words, n).sum())
    assert flipped == noise.hits
    assert within(flipped, n * eps, n * eps * (1 - eps))


def test_gilbert_elliott_flips_given_the_states_and_the_share_of_bad_bits():
    g, b, p, r = 0.001, 0.2, 0.002, 0.05
    n = 4_000_000
    words, _ = from_bits(np.zeros(n, dtype=np.uint8))
    noise = Noise.gilbert_elliott(g, b, p, r, np.random.default_rng(5))
    for i in range(0, n // 64, 5_000):  # in chunks, as the engine would
        noise.apply(words[i : i + 5_000], 64 * words[i : i + 5_000].size)
    bad = noise.bad_bits
    good = n - bad
    # Given the state path the hits are independent: a sum of two binomials.
    assert within(noise.hits, good * g + bad * b, good * g * (1 - g) + bad * b * (1 - b))
    # The share of bad bits of a two-state chain: variance ≈ π(1 − π)(1 + λ)/(1 − λ)/n, λ = 1 − p − r.
    share = gilbert_elliott_stationary_bad(p, r)
    lam = 1 - p - r
    assert within(bad / n, share, share * (1 - share) * (1 + lam) / (1 - lam) / n)
    assert noise.hits == int(to_bits(words, n).sum())


def test_fixed_two_bit_code_message_error_rate():
    # Issue 12: fixed 2-bit code, BSC ε = 0.01, 10^6 messages: 1 − 0.99² = 0.0199.
    n, eps = 1_000_000, 0.01
    rx, _, _ = pipeline(FIXED2, draws(n, seed=8), Noise.bsc(eps, np.random.default_rng(8)), chunk=65_536)
    p = fixed_message_error(eps, 2)
    assert p == pytest.approx(0.0199)
    assert rx.judged == n and rx.dead_ends == 0
    assert within(rx.bad, n * p, n * p * (1 - p))
    # A fixed code never loses step: an event is a run of independently hit messages, geometric in length.
    assert within(rx.resync_mean, 1 / (1 - p), p / (1 - p) ** 2 / rx.events)


def coded_data(code, n_blocks: int, eps: float, seed: int):
    data = np.random.default_rng(seed).integers(0, 2, n_blocks * code.k).astype(np.uint8)
    words, nbits = from_bits(data)
    coder = ChannelCoder(code)
    cw, cn = coder.encode(words, nbits)
    assert cn == n_blocks * code.n
    Noise.bsc(eps, np.random.default_rng(seed + 1)).apply(cw, cn)
    dw, dn = coder.decode(cw, cn)
    assert dn == data.size and coder.blocks == n_blocks
    return data.reshape(n_blocks, code.k), to_bits(dw, dn).reshape(n_blocks, code.k), coder


def test_repetition3_residual_bit_error():
    n, eps = 1_000_000, 0.05
    sent, got, _ = coded_data(Repetition(3), n, eps, seed=9)
    p = repetition_bit_error(eps, 3)
    assert p == pytest.approx(3 * eps**2 - 2 * eps**3)
    assert within(int((sent != got).sum()), n * p, n * p * (1 - p))


def test_hamming74_block_and_bit_error():
    n, eps = 500_000, 0.03
    sent, got, coder = coded_data(Hamming74(), n, eps, seed=10)
    p = hamming74_block_error(eps)
    assert within(int((sent != got).any(axis=1).sum()), n * p, n * p * (1 - p))
    # Data-bit errors within a block are correlated: bound the variance by 4² per wrong block.
    pb = hamming74_bit_error(eps)
    assert within(int((sent != got).sum()), 4 * n * pb, 16 * n * p)
    # The syndrome is zero exactly when the error pattern is a codeword (1, 7, 7, 1 of weight 0, 3, 4, 7).
    g = 1 - eps
    seen = 1 - (g**7 + 7 * eps**3 * g**4 + 7 * eps**4 * g**3 + eps**7)
    assert within(coder.detected, n * seen, n * seen * (1 - seen))


# --------------------------------------------------------------------------- resynchronisation


def isolated_flips(code, sym, seed, spacing=200):
    """The stream of ``sym`` with one flip, uniform in the first half of every ``spacing`` bits."""
    words, nbits = Encoder(code, code.symbols, np.array([1])).encode(sym)
    bits = to_bits(words, nbits).copy()
    starts = np.arange(0, nbits - spacing, spacing)
    where = starts + np.random.default_rng(seed).integers(0, spacing // 2, starts.size)
    bits[where] ^= 1
    words, nbits = from_bits(bits)
    return words, nbits, where.size


@pytest.mark.parametrize(
    "code, q",
    [
        (HUFFMAN, INDIA.probabilities),
        (fixed_length(["a", "b", "c", "d", "e"]), np.full(5, 0.2)),  # dead ends: restarts mid-codeword
        (Code({"a": "0", "b": "10", "c": "110", "d": "1110"}), np.array([0.4, 0.3, 0.2, 0.1])),
    ],
    ids=["huffman", "fixed5", "comma"],
)
def test_resync_lengths_match_the_exact_theory(code, q):
    sym = np.random.default_rng(12).choice(len(code), size=400_000, p=q).astype(np.int64)
    words, nbits, flips = isolated_flips(code, sym, seed=13, spacing=600)
    rx = TolerantDecoder(code)
    rx.feed(words, nbits, sym)
    pmf = np.pad(resync_distribution(code, q), (0, 3))
    r = np.arange(1, pmf.size + 1)
    mean, var = float(r @ pmf), float(r**2 @ pmf) - float(r @ pmf) ** 2
    # Flips 300+ bits apart: a second flip inside an event is rare (it would merge two events).
    assert 0 <= flips - rx.events - (rx.unresolved > 0) <= flips // 1000
    assert within(rx.resync_mean, mean, var / rx.events)
    for length in (1, 2, 3):  # each bin of the histogram against P(R = r)
        p = float(pmf[length - 1])
        assert within(int(rx.hist[length]), rx.events * p, rx.events * p * (1 - p))
    cdf = np.cumsum(pmf)
    p95 = int(np.searchsorted(cdf, 0.95)) + 1  # smallest r with P(R ≤ r) ≥ 0.95
    if abs(cdf[p95 - 1] - 0.95) > 0.01 and (p95 < 2 or abs(cdf[p95 - 2] - 0.95) > 0.01):
        assert rx.resync_p95 == p95  # far from a tie the measured percentile must be the true one


def test_trace_records_the_first_events():
    code = Code({"a": "0", "b": "10", "c": "11"})
    sym = np.array([0, 1, 2, 0, 0, 1], dtype=np.int64)  # 0 10 11 0 0 10
    bits = to_bits(*Encoder(code, code.symbols, np.array([1])).encode(sym)).copy()
    bits[[1, 7]] ^= 1  # 0 00 11 0 0 00: "b" lost; then the last "b" becomes "a a"
    rx = TolerantDecoder(code)
    rx.feed(*from_bits(bits), sym)
    assert rx.bad == 2 and rx.events == 1 and rx.unresolved == 1
    assert rx.trace[0].tolist() == [1, 1]


# --------------------------------------------------------------------------- fuzz


def reference_parse(code: Code, bits: str) -> tuple[list[int], int, int]:
    """Emitted symbols, dead ends and bits left over, walking the tree bit by bit (the documented rule)."""
    inverse = {w: i for i, w in enumerate(code.codewords[s] for s in code.symbols)}
    prefixes = {w[:i] for w in inverse for i in range(1, len(w))}
    out, dead, node = [], 0, ""
    for b in bits:
        node += b
        if node in inverse:
            out.append(inverse[node])
            node = ""
        elif node not in prefixes:
            dead += 1
            node = ""
    return out, dead, len(node)


@settings(max_examples=150)
@given(
    prefix_codes(max_size=6, max_depth=14),
    st.lists(st.integers(0, 1), max_size=400),
    st.lists(st.integers(0, 5), max_size=40),
    st.integers(1, 50),
)
def test_fuzz_every_decoder_survives_garbage(code, garbage, sent, chunk):
    bits = np.array(garbage, dtype=np.uint8)
    sent = np.array([s % len(code) for s in sent], dtype=np.int64)
    expected, dead, left = reference_parse(code, "".join(map(str, garbage)))
    # ours, fed in chunks of ``chunk`` bits: never raises, agrees with the bit-by-bit reference
    rx = TolerantDecoder(code)
    out = np.full(len(garbage) + 1, -1, dtype=np.int64)
    judged = 0
    for i in range(0, max(len(garbage), 1), chunk):
        piece = bits[i : i + chunk]
        judged += rx.feed(*from_bits(piece), sent if i == 0 else sent[:0], out)
    assert out[: rx.decoded].tolist() == expected and rx.dead_ends == dead
    assert int(rx.state[0] != 0) == int(left > 0)  # mid-codeword at the end exactly when bits are left
    assert judged == rx.good + rx.bad <= sent.size
    # the engine's noiseless decoder: on garbage it may only raise DecodeError
    try:
        Decoder(code).feed(*from_bits(bits), sent)
    except DecodeError as err:
        assert 0 <= err.offset <= len(garbage)
    # the channel decoders: any bits decode, whole blocks only, the rest waits
    for channel in (Repetition(3), Hamming74(), Parity(4)):
        coder = ChannelCoder(channel)
        dw, dn = coder.decode(*from_bits(bits))
        assert dn == (len(garbage) // channel.n) * channel.k
        assert coder.detected <= coder.blocks == len(garbage) // channel.n
    # and the noise itself on any words
    for make in NOISES.values():
        words, nbits = from_bits(bits)
        make(np.random.default_rng(chunk), 0.3).apply(words, nbits)
        assert not to_bits(words, 64 * words.size)[nbits:].any()  # nothing past the end is touched
