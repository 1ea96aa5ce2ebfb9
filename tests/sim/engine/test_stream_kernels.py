"""Compiled stream coders (sim.engine.stream_kernels) against the pure coding package and constriction.

Chunked runs must equal whole runs bit for bit, and both must equal the pure
version; the arithmetic coder's compressed size is held against constriction's
range and ANS coders (a test oracle only: constriction is not a runtime dependency).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import distributions

from coding import Distribution, arithmetic, block, cross_entropy, tunstall
from sim.engine import stream_kernels as sk
from sim.engine.bitcodec import Decoder, Encoder, from_bits, to_bits

INDIA = Distribution.from_counts({"blue": 25, "red": 50, "green": 13, "yellow": 12})
AUSTRALIA = Distribution.from_counts({"blue": 13, "red": 25, "green": 50, "yellow": 12})


def text(pieces: list[tuple[np.ndarray, int]]) -> str:
    """The bits of consecutive (words, nbits) chunks as one string of 0/1."""
    return "".join("".join(map(str, to_bits(w, n))) for w, n in pieces)


def cut(array: np.ndarray, cuts: list[int]) -> list[np.ndarray]:
    bounds = [0, *sorted(c % (array.size + 1) for c in cuts), array.size]
    return [array[a:b] for a, b in zip(bounds, bounds[1:])]


@st.composite
def urn_stream(draw, max_size=6, max_len=300):
    p = draw(distributions(max_size=max_size))
    support = [i for i, v in enumerate(p.probabilities) if v > 0]
    seq = draw(st.lists(st.sampled_from(support), max_size=max_len))
    return p, np.array(seq, dtype=np.int64)


@settings(max_examples=60)
@given(urn_stream(), st.sampled_from([3, 12, 24, 30]), st.lists(st.integers(0, 10**6), max_size=5),
       st.lists(st.integers(0, 10**6), max_size=5))  # fmt: skip
def test_arithmetic_chunked_equals_whole_equals_pure(case, precision, cuts, bit_cuts):
    p, seq = case
    if sum(1 for v in p.probabilities if v > 0) > 2**precision:
        precision = 12
    code = arithmetic(p, precision)
    pure = code.encode([p.symbols[i] for i in seq])
    whole = sk.ArithmeticEncoder(code)
    assert text([whole.encode(seq), whole.finish()]) == pure
    enc = sk.ArithmeticEncoder(code)
    chunks = [enc.encode(piece) for piece in cut(seq, cuts)] + [enc.finish()]
    assert text(chunks) == pure and enc.bits == len(pure)
    # Decode the bits cut anywhere: the same symbols, none before its bits decide it.
    bits = np.array([int(c) for c in pure], dtype=np.uint8)
    dec = sk.ArithmeticDecoder(code, seq.size)
    out = [dec.feed(*from_bits(piece)) for piece in cut(bits, bit_cuts)] + [dec.finish()]
    assert np.array_equal(np.concatenate(out), seq)


@settings(max_examples=40)
@given(urn_stream(max_size=4), st.integers(1, 3), st.lists(st.integers(0, 10**6), max_size=5))
def test_block_chunked_equals_whole_equals_pure(case, k, cuts):
    p, seq = case
    bc = block(p, order=k)
    pure = bc.encode([p.symbols[i] for i in seq])
    be = sk.BlockEncoder(bc)
    blocks = np.concatenate([be.push(piece) for piece in cut(seq, cuts)] + [be.finish()])
    whole = sk.BlockEncoder(bc)
    assert np.array_equal(blocks, np.concatenate([whole.push(seq), whole.finish()]))
    # The blocks travel with the engine's prefix-code packer and decoder.
    packer = Encoder(bc.code, bc.code.symbols, np.zeros(0, dtype=np.int64))
    words, nbits = packer.encode(blocks)
    assert text([(words, nbits)]) == pure
    receiver = Decoder(bc.code)
    assert receiver.feed(words, nbits, blocks) == blocks.size and receiver.mismatches == 0
    assert np.array_equal(sk.split_blocks(bc, blocks)[: seq.size], seq)


@settings(max_examples=60)
@given(urn_stream(max_size=5), st.integers(3, 8), st.lists(st.integers(0, 10**6), max_size=5),
       st.lists(st.integers(0, 10**6), max_size=5))  # fmt: skip
def test_tunstall_chunked_equals_whole_equals_pure(case, m, cuts, bit_cuts):
    p, seq = case
    code = tunstall(p, bits=m)
    pure = code.encode([p.symbols[i] for i in seq])
    enc = sk.TunstallEncoder(code)
    chunks = [enc.encode(piece) for piece in cut(seq, cuts)] + [enc.finish()]
    assert text(chunks) == pure
    whole = sk.TunstallEncoder(code)
    assert text([whole.encode(seq), whole.finish()]) == pure
    bits = np.array([int(c) for c in pure], dtype=np.uint8)
    dec = sk.TunstallDecoder(code, seq.size)
    out = np.concatenate([dec.feed(*from_bits(piece)) for piece in cut(bits, bit_cuts)] + [seq[:0]])
    assert np.array_equal(out, seq)


def test_tunstall_decoder_rejects_an_unused_codeword():
    from coding import DecodeError

    code = tunstall(Distribution({"a": 0.6, "b": 0.3, "c": 0.1}), bits=3)  # 7 words: 111 unused
    with pytest.raises(DecodeError, match="outside the dictionary"):
        sk.TunstallDecoder(code, 5).feed(*from_bits(np.array([0, 0, 0, 1, 1, 1], dtype=np.uint8)))


def draw(q: Distribution, n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).choice(len(q), size=n, p=q.probabilities)


def test_australia_with_india_model_lands_on_the_cross_entropy():
    # The "must show": 10^6 balls of Australia's box, arithmetic-coded with India's model:
    # bits per ball within 0.005 of H(australia, india) = 2.3488, and lossless.
    # Statistical check: the mean of −log2 p̂(X) over n draws has standard deviation σ/√n;
    # |measured − H(q, p̂)| ≤ 5σ/√n + (bound overhead)/n fails by chance with probability < 1e-6.
    n = 10**6
    code = arithmetic(INDIA)
    seq = draw(AUSTRALIA, n, seed=1948)
    enc = sk.ArithmeticEncoder(code)
    body, tail = enc.encode(seq), enc.finish()
    rate = enc.bits / n
    target = cross_entropy(AUSTRALIA, INDIA)
    assert abs(rate - target) < 0.005
    q = AUSTRALIA.probabilities
    cost = -np.log2(np.array(code.frequencies) / code.total)
    h_model = float(q @ cost)
    sigma = math.sqrt(float(q @ (cost - h_model) ** 2))
    slack = 5 * sigma / math.sqrt(n) + code.precision_loss(AUSTRALIA) + 2 / n
    assert abs(rate - h_model) <= slack
    # The stream's own bound holds exactly.
    exact = float(np.sum(cost[seq]))
    assert enc.bits <= exact + n * code.precision_loss(AUSTRALIA) + 2
    bits = np.concatenate([to_bits(*body), to_bits(*tail)])
    dec = sk.ArithmeticDecoder(code, n)
    out = np.concatenate([dec.feed(*from_bits(bits)), dec.finish()])
    assert np.array_equal(out, seq)


@pytest.mark.parametrize("coder", ["range", "ans"])
def test_compressed_size_matches_constriction(coder):
    # Oracle: constriction (Bamler 2022) codes the same stream with the same model (its own
    # quantisation to 24 bits) within 0.1 % of our size.
    constriction = pytest.importorskip("constriction")
    n = 200_000
    seq = draw(AUSTRALIA, n, seed=7)
    code = arithmetic(INDIA)
    enc = sk.ArithmeticEncoder(code)
    enc.encode(seq)
    enc.finish()
    model = constriction.stream.model.Categorical(INDIA.probabilities, perfect=False)
    if coder == "range":
        other = constriction.stream.queue.RangeEncoder()
        other.encode(seq.astype(np.int32), model)
    else:
        other = constriction.stream.stack.AnsCoder()
        other.encode_reverse(seq.astype(np.int32), model)
    theirs = other.get_compressed().size * 32
    assert abs(enc.bits / theirs - 1) < 1e-3


def test_arithmetic_encoder_rejects_a_symbol_the_model_cannot_code():
    code = arithmetic(Distribution({"a": 0.5, "b": 0.5, "c": 0.0}))
    enc = sk.ArithmeticEncoder(code)
    for bad in (2, 3, -1):
        with pytest.raises(ValueError, match=f"symbol 1 of the chunk \\({bad}\\)"):
            enc.encode(np.array([0, bad], dtype=np.int64))
    # The failed chunk left no trace: the stream goes on as if it had never been offered.
    fresh = sk.ArithmeticEncoder(code)
    again = text([enc.encode(np.array([1, 0])), enc.finish()])
    assert again == text([fresh.encode(np.array([1, 0])), fresh.finish()])
