"""Compiled adaptive coders (sim.engine.adaptive_kernels) against pure coding, and the issue's must-show:
an adaptive KT link on Australia's box, 10^6 balls, within the coder's overhead of Σ −log2 p̂_t(x_t) and
with regret under the KT bound."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import fitting_model, priors, urn_streams

from coding import (
    AdaptiveHuffman,
    AdaptiveModel,
    Distribution,
    empirical_code_length,
    entropy,
    kt_regret_bound,
    sequential_probabilities,
)
from sim.engine import adaptive_kernels as ak
from sim.engine.bitcodec import from_bits
from tests.sim.engine.test_stream_kernels import cut, text

COLOURS = ("blue", "red", "green", "yellow")
AUSTRALIA = Distribution.from_counts({"blue": 13, "red": 25, "green": 50, "yellow": 12})


cuts = st.lists(st.integers(0, 10**6), max_size=5)


@settings(max_examples=60, deadline=None)
@given(st.data(), urn_streams(max_len=300), st.sampled_from([4, 8, 24, 30]), cuts, cuts)
def test_adaptive_arithmetic_chunked_equals_whole_equals_pure(data, case, precision, sym_cuts, bit_cuts):
    symbols, seq = case
    model = fitting_model(symbols, data.draw(priors(symbols)), precision)
    idx = np.array([symbols.index(s) for s in seq], dtype=np.int64)
    pure = model.encode(seq)
    whole = ak.AdaptiveArithmeticEncoder(model)
    assert text([whole.encode(idx), whole.finish()]) == pure
    enc = ak.AdaptiveArithmeticEncoder(model)
    assert text([enc.encode(piece) for piece in cut(idx, sym_cuts)] + [enc.finish()]) == pure
    assert enc.bits == len(pure) and enc.rescales == whole.rescales
    bits = np.array([int(c) for c in pure], dtype=np.uint8)
    dec = ak.AdaptiveArithmeticDecoder(model, idx.size)
    out = [dec.feed(*from_bits(piece)) for piece in cut(bits, bit_cuts)] + [dec.finish()]
    assert np.concatenate(out).tolist() == idx.tolist()


@settings(max_examples=60, deadline=None)
@given(st.data(), urn_streams(max_len=300), st.sampled_from([1, 3, 64]), cuts, cuts)
def test_adaptive_huffman_chunked_equals_whole_equals_pure(data, case, every, sym_cuts, bit_cuts):
    symbols, seq = case
    prior = data.draw(priors(symbols))
    precision = fitting_model(symbols, prior, data.draw(st.sampled_from([6, 24]))).precision
    code = AdaptiveHuffman(symbols, prior, every, precision)
    idx = np.array([symbols.index(s) for s in seq], dtype=np.int64)
    pure = code.encode(seq)
    enc = ak.AdaptiveHuffmanEncoder(code)
    assert text([enc.encode(piece) for piece in cut(idx, sym_cuts)]) == pure
    assert enc.rebuilds == code.rebuilds(len(seq)) and enc.bits == len(pure)
    bits = np.array([int(c) for c in pure], dtype=np.uint8)
    dec = ak.AdaptiveHuffmanDecoder(code, idx.size)
    out = [dec.feed(*from_bits(piece)) for piece in cut(bits, bit_cuts)]
    assert np.concatenate([np.zeros(0, np.int64), *out]).tolist() == idx.tolist()


def test_bad_symbol_leaves_the_state_unchanged():
    model = AdaptiveModel(COLOURS, "kt")
    enc = ak.AdaptiveArithmeticEncoder(model)
    enc.encode(np.array([2, 2, 1]))
    before = (enc.state.copy(), enc.cum.copy(), enc.model.copy())
    try:
        enc.encode(np.array([0, 7]))
    except ValueError as exc:
        assert "symbol 1 of the chunk (7)" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("no error")
    assert all(np.array_equal(a, b) for a, b in zip(before, (enc.state, enc.cum, enc.model)))


def coder_bounds(p_hat: np.ndarray) -> tuple[float, float]:
    """(Σ −log2 p̂_t(x_t), the coder's documented overhead Σ ε_t + 1) (docs/theory.md).

    A stream costs at most ideal + overhead bits, and at least ideal − 32 − overhead: the last
    range (2^32 values or more) may leave up to 32 bits of the ideal cost unsent."""
    ideal = float(-np.log2(p_hat).sum())
    return ideal, float(-np.log2(1 - 1 / (2**32 * p_hat)).sum()) + 1


def test_australia_learns_one_million_balls():
    """The issue's must-show, at library level (compiled kernel: well under a second)."""
    n = 10**6
    rng = np.random.default_rng(2026)
    idx = rng.choice(4, size=n, p=AUSTRALIA.probabilities)
    model = AdaptiveModel(COLOURS, "kt")
    enc = ak.AdaptiveArithmeticEncoder(model)
    words, nbits = enc.encode(idx)
    flush, tail = enc.finish()
    bits = nbits + tail
    assert enc.rescales == 0  # T = 2n + 4 < 2^24: the counts are exactly KT's
    p_hat = sequential_probabilities(idx, model.pseudo_counts)
    ideal, overhead = coder_bounds(p_hat)
    assert ideal - 32 - overhead <= bits <= ideal + overhead
    assert overhead < 1.01
    # Regret against the best fixed model in hindsight, under the KT bound.
    counts = np.bincount(idx, minlength=4)
    regret = ideal - empirical_code_length(counts)
    assert 0 < regret <= kt_regret_bound(n, 4)
    # The typical regret is (K−1)/2·log2(n/2π) + log2(Γ(½)^K/Γ(K/2)) + o(1) = 29.20 bits here.
    assert abs(regret - (1.5 * math.log2(n / (2 * math.pi)) + math.log2(math.pi**2))) < 0.01
    # The bill per ball is H(q) plus regret/n, up to sampling noise (fixed seed; 4σ/√n).
    q = AUSTRALIA.probabilities
    sd = math.sqrt(float(q @ np.log2(q) ** 2) - entropy(AUSTRALIA) ** 2)
    assert abs(bits / n - entropy(AUSTRALIA)) < 4 * sd / math.sqrt(n) + 40 / n
    # And the receiver decodes every ball.
    dec = ak.AdaptiveArithmeticDecoder(model, n)
    got = np.concatenate([dec.feed(words, nbits), dec.feed(flush, tail), dec.finish()])
    assert np.array_equal(got, idx)


def test_adaptive_kt_through_the_codec_interface_one_million_balls():
    """The same must-show through road's codec interface (what the stations drive): the adaptive
    coder behind LinkEncoder/LinkDecoder, in chunks, with per-message bits that add up to the wire."""
    from sim.engine.codec import SequenceDecoder, StreamLinkEncoder, adaptive_codec

    n, chunk = 10**6, 2**17
    rng = np.random.default_rng(1948)
    idx = rng.choice(4, size=n, p=AUSTRALIA.probabilities)
    model = AdaptiveModel(COLOURS, "kt")
    codec = adaptive_codec(model)
    to_code = np.arange(4, dtype=np.int64)
    enc = StreamLinkEncoder(codec, to_code, np.array([1000, n], dtype=np.int64))
    dec = codec.decoder(n, to_code)
    assert isinstance(dec, SequenceDecoder)
    wire = 0
    for start in range(0, n, chunk):
        part = idx[start : start + chunk]
        last = start + chunk >= n
        out = enc.chunk(part, last)
        assert int(out.unit_bits.sum()) == out.nbits  # every settled bit is carried by some message
        wire += out.nbits
        dec.feed(out.words, out.nbits, part, last)
    assert enc.bits == wire and enc.messages == n
    assert dec.mismatches == 0 and dec.awaiting == 0
    ideal, overhead = coder_bounds(sequential_probabilities(idx, model.pseudo_counts))
    assert ideal - 32 - overhead <= wire <= ideal + overhead
    regret = ideal - empirical_code_length(np.bincount(idx, minlength=4))
    assert 0 < regret <= kt_regret_bound(n, 4)
    # The first 1000 balls cost more per ball than the whole run: the model is still learning.
    assert enc.point_sums[0] / 1000 > wire / n > entropy(AUSTRALIA)
