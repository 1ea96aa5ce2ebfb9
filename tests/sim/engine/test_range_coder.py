"""The range coder (sim.engine.stream_kernels, coding.arithmetic) at its edges.

Extreme models (one symbol almost certain, 4096 symbols, precision 30), any
cut of the stream into telegrams, bits no encoder sent, and constriction as an
oracle for the compressed size on random models. Every random part is seeded.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coding import AdaptiveModel, ArithmeticCode, Distribution, arithmetic
from coding.arithmetic import WORD_BITS
from sim.engine import adaptive_kernels as ak
from sim.engine import stream_kernels as sk
from sim.engine.bitcodec import from_bits, to_bits
from sim.engine.codec import StreamLinkEncoder, arithmetic_codec


def model(freqs: list[int], precision: int) -> ArithmeticCode:
    """An arithmetic code with exactly these frequencies (summing to 2^precision)."""
    assert sum(freqs) == 1 << precision
    names = [f"s{i}" for i in range(len(freqs))]
    return ArithmeticCode(Distribution.from_counts(dict(zip(names, freqs))), precision, tuple(freqs))


def extreme(kind: str, rng: np.random.Generator) -> ArithmeticCode:
    if kind == "near-certain":  # one symbol at 1 − 2^−30·(K − 1), the others at frequency 1
        k, precision = 8, 30
        freqs = [1] * k
        freqs[3] = (1 << precision) - (k - 1)
    elif kind == "4096 symbols":
        k, precision = 4096, 24
        weights = rng.pareto(1.0, size=k) + 1e-3
        freqs = np.maximum(1, np.floor(weights / weights.sum() * (1 << precision))).astype(np.int64)
        freqs[int(np.argmax(freqs))] += (1 << precision) - int(freqs.sum())
        freqs = [int(f) for f in freqs]
    else:  # "zeros": some symbols the model cannot code, one at frequency 1 among 2^24
        precision = 24
        freqs = [0, 1, (1 << 23) - 1, 0, 1 << 23, 0]
    return model(freqs, precision)


def draw_from(code: ArithmeticCode, n: int, rng: np.random.Generator) -> np.ndarray:
    """n symbol indices drawn from the code's own model, with the rarest coded symbols forced in."""
    f = np.array(code.frequencies, dtype=np.float64)
    seq = rng.choice(f.size, size=n, p=f / f.sum())
    live = np.flatnonzero(f)
    rare = live[np.argsort(f[live])[:5]]
    seq[rng.choice(n, size=rare.size, replace=False)] = rare
    return seq.astype(np.int64)


def pieces(array: np.ndarray, rng: np.random.Generator, most: int) -> list[np.ndarray]:
    cuts = np.sort(rng.integers(0, array.size + 1, size=rng.integers(0, most)))
    return np.split(array, cuts)


@pytest.mark.parametrize("kind", ["near-certain", "4096 symbols", "zeros"])
@pytest.mark.parametrize("seed", [1, 2])
def test_extreme_models_round_trip_in_any_telegrams(kind, seed):
    rng = np.random.default_rng(seed)
    code = extreme(kind, rng)
    seq = draw_from(code, 3000, rng)
    # Encoder in random chunks == whole stream == pure coder, bit for bit.
    enc = sk.ArithmeticEncoder(code)
    chunks = [enc.encode(p) for p in pieces(seq, rng, 30)] + [enc.finish()]
    bits = np.concatenate([to_bits(w, n) for w, n in chunks])
    whole = sk.ArithmeticEncoder(code)
    body, tail = whole.encode(seq), whole.finish()
    assert np.array_equal(bits, np.concatenate([to_bits(*body), to_bits(*tail)]))
    pure = code.encode([code.symbols[i] for i in seq])
    assert "".join(map(str, bits)) == pure
    # The stream's own bound, both ways (docs/theory.md).
    names = [code.symbols[i] for i in seq]
    assert code.cost(names) - WORD_BITS - 1 <= bits.size <= code.bound(names) + 1e-9
    # The bits cut into random telegrams decode to the stream; no symbol before it was sent.
    dec = sk.ArithmeticDecoder(code, seq.size)
    got = [dec.feed(*from_bits(p)) for p in pieces(bits, rng, 60)] + [dec.finish()]
    assert np.array_equal(np.concatenate(got), seq)


def test_a_certain_symbol_costs_nothing_and_decodes_from_no_bits():
    code = model([1 << 24], 24)
    enc = sk.ArithmeticEncoder(code)
    words, nbits = enc.encode(np.zeros(10_000, dtype=np.int64))
    assert nbits == 0 and enc.finish()[1] == 0
    dec = sk.ArithmeticDecoder(code, 10_000)
    assert dec.feed(words, 0).size == 10_000


def test_the_decoder_waits_for_the_bits_that_decide_a_symbol():
    # Fed exactly the bits settled after each symbol, the decoder returns the stream's prefix,
    # never a symbol not yet sent; the flush then decides the rest.
    rng = np.random.default_rng(5)
    code = arithmetic(Distribution({"a": 0.6, "b": 0.3, "c": 0.1}))
    seq = rng.choice(3, size=400, p=[0.6, 0.3, 0.1]).astype(np.int64)
    enc, dec = sk.ArithmeticEncoder(code), sk.ArithmeticDecoder(code, seq.size)
    got: list[np.ndarray] = []
    for i in range(seq.size):
        got.append(dec.feed(*enc.encode(seq[i : i + 1])))
        so_far = np.concatenate(got)
        assert so_far.size <= i + 1 and np.array_equal(so_far, seq[: so_far.size])
    assert so_far.size > seq.size - 40  # the bits so far decide all but the last few
    got += [dec.feed(*enc.finish()), dec.finish()]
    assert np.array_equal(np.concatenate(got), seq)


@pytest.mark.parametrize("chunk", [1, 7, 4096])
def test_per_message_bits_do_not_depend_on_the_chunk(chunk):
    # The engine's view: message i carries the bits settled while it is coded; the split
    # (and so every telegram's bits and service time) is the same whatever the chunk size.
    rng = np.random.default_rng(11)
    code = arithmetic(Distribution({"a": 0.5, "b": 0.3, "c": 0.15, "d": 0.05}))
    seq = rng.choice(4, size=5000, p=[0.5, 0.3, 0.15, 0.05]).astype(np.int64)

    def per_message(size: int) -> np.ndarray:
        enc = StreamLinkEncoder(arithmetic_codec(code), np.arange(4), np.array([seq.size]))
        parts = [enc.chunk(seq[a : a + size], a + size >= seq.size) for a in range(0, seq.size, size)]
        assert all(int(p.unit_bits.sum()) == p.nbits for p in parts)
        return np.concatenate([p.unit_bits for p in parts])

    reference = per_message(seq.size)
    assert np.array_equal(per_message(chunk), reference)
    # Bits are sent as soon as settled, not a 32-bit word at a time: H = 1.648 bits per message.
    assert np.mean(reference) == pytest.approx(1.648, abs=0.05) and reference.max() < 32


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 3000), st.sampled_from(["static", "zeros", "adaptive"]))
def test_decoders_never_fail_on_bits_no_encoder_sent(seed, nbits, kind):
    # A noisy line corrupts, it does not crash or hang: every decoder returns `count` symbols.
    rng = np.random.default_rng(seed)
    words = rng.integers(0, 2**63, size=nbits // 64 + 2, dtype=np.uint64) * np.uint64(2)
    count = 500
    if kind == "adaptive":
        dec = ak.AdaptiveArithmeticDecoder(AdaptiveModel(["a", "b", "c"], "kt"), count)
    else:
        dec = sk.ArithmeticDecoder(
            extreme("zeros", rng) if kind == "zeros" else extreme("4096 symbols", rng), count
        )
    out = np.concatenate([dec.feed(words, nbits), dec.finish()])
    assert out.size == count and out.min() >= 0 and out.max() < dec.cum.size - 1


@pytest.mark.parametrize("k", [3, 16, 200])
def test_compressed_size_agrees_with_constriction_on_random_models(k):
    # Oracle: constriction's range coder on the same probabilities (its own 24-bit quantisation):
    # our size within 0.1 % of its, on skewed random models (plus the 64 bits by which its
    # whole 32-bit words may round up a stream that costs only a few thousand bits).
    constriction = pytest.importorskip("constriction")
    rng = np.random.default_rng(k)
    p = rng.dirichlet(np.full(k, 0.3))
    p = np.maximum(p, 1e-4)
    p /= p.sum()
    code = arithmetic(Distribution({f"s{i}": float(v) for i, v in enumerate(p)}))
    seq = rng.choice(k, size=100_000, p=p).astype(np.int64)
    enc = sk.ArithmeticEncoder(code)
    enc.encode(seq)
    enc.finish()
    other = constriction.stream.queue.RangeEncoder()
    other.encode(seq.astype(np.int32), constriction.stream.model.Categorical(p, perfect=False))
    theirs = other.get_compressed().size * 32
    assert abs(enc.bits - theirs) <= 1e-3 * theirs + 64


@pytest.mark.parametrize(
    ("prior", "precision"), [("kt", 30), ({"a": 0.001, "b": 0.5, "c": 7.25}, 30), ("kt", 13)]
)
def test_learning_model_cuts_are_exact_at_large_totals(prior, precision):
    # The learning kernel cuts ⌊R·C/T⌋ without dividing (float estimates, corrected exactly) once
    # T ≥ 4096; it must still give the pure coder's bits, here with totals up to ~10^7 and, at
    # precision 13, with rescales.
    rng = np.random.default_rng(3)
    names = ["a", "b", "c"]
    seq = rng.choice(3, size=6000, p=[0.02, 0.3, 0.68]).astype(np.int64)
    m = AdaptiveModel(names, prior, precision=precision)
    enc = ak.AdaptiveArithmeticEncoder(m)
    chunks = [enc.encode(p) for p in pieces(seq, rng, 20)] + [enc.finish()]
    bits = np.concatenate([to_bits(w, n) for w, n in chunks])
    assert "".join(map(str, bits)) == m.encode([names[i] for i in seq])
    assert (enc.rescales > 0) == (precision == 13)
    dec = ak.AdaptiveArithmeticDecoder(m, seq.size)
    got = [dec.feed(*from_bits(p)) for p in pieces(bits, rng, 40)] + [dec.finish()]
    assert np.array_equal(np.concatenate(got), seq)
