"""The road to the entropy: Fano, Shannon–Fano–Elias, block, Tunstall and arithmetic codes.

Goldens cite their source; invariants are checked on every new code kind;
Hypothesis round-trips run on random urns (``tests/strategies.py``).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import chunkings, distributions, symbol_sequences

from coding import (
    DecodeError,
    Distribution,
    arithmetic,
    block,
    cross_entropy,
    entropy,
    fano,
    huffman,
    quantise,
    sfe,
    tunstall,
)
from coding.arithmetic import WORD_BITS
from coding.sfe import sfe_length

INDIA = Distribution.from_counts({"blue": 25, "red": 50, "green": 13, "yellow": 12})
AUSTRALIA = Distribution.from_counts({"blue": 13, "red": 25, "green": 50, "yellow": 12})
H_INDIA = 1.7497113839988003


def positive(p: Distribution) -> Distribution:
    """``p`` without its zero-probability symbols (for codes that cannot give them a codeword)."""
    return Distribution.from_counts({s: v for s, v in p.as_dict().items() if v > 0})


# --------------------------------------------------------------------------- goldens


def test_fano_textbook_example():
    # The classic example of Fano's method (counts 15, 7, 6, 6, 5 of 39; Wikipedia
    # "Shannon–Fano coding", also Salomon, *Data Compression*, §2.7): 2, 2, 2, 3, 3 bits,
    # average 89/39 = 2.28 bits, where Huffman gets 87/39 = 2.23.
    p = Distribution.from_counts({"A": 15, "B": 7, "C": 6, "D": 6, "E": 5})
    code = fano(p)
    assert dict(code.codewords) == {"A": "00", "B": "01", "C": "10", "D": "110", "E": "111"}
    assert code.expected_length(p) == pytest.approx(89 / 39)
    assert huffman(p).expected_length(p) == pytest.approx(87 / 39)


def test_fano_on_india_rebuilds_scheme_3():
    # The article's scheme 3 (red 0, blue 10, green 110, yellow 111), L = 1.75.
    code = fano(INDIA)
    assert dict(code.codewords) == {"blue": "10", "red": "0", "green": "110", "yellow": "111"}
    assert code.expected_length(INDIA) == 1.75


def test_fano_tie_takes_the_earlier_cut():
    # Four equal symbols: cuts after 1, 2, 3 differ by 1/2, 0, 1/2; then 1/2 vs 1/2 splits in two.
    code = fano(Distribution.uniform(["a", "b", "c", "d"]))
    assert dict(code.codewords) == {"a": "00", "b": "01", "c": "10", "d": "11"}
    # Three equal symbols: cuts after 1 and 2 tie (|1/3 − 2/3|); the earlier one wins.
    assert dict(fano(Distribution.uniform(["a", "b", "c"])).codewords) == {"a": "0", "b": "10", "c": "11"}


def test_sfe_cover_thomas_examples():
    # Cover & Thomas, Elements of Information Theory (2nd ed.), §5.9, Example 5.9.1 (dyadic).
    ex1 = Distribution({"1": 0.25, "2": 0.5, "3": 0.125, "4": 0.125})
    assert dict(sfe(ex1).codewords) == {"1": "001", "2": "10", "3": "1101", "4": "1111"}
    assert sfe(ex1).expected_length(ex1) == 2.75
    # Example 5.9.2: p = (0.25, 0.25, 0.2, 0.15, 0.15), L = 3.5 bits.
    ex2 = Distribution({"1": 0.25, "2": 0.25, "3": 0.2, "4": 0.15, "5": 0.15})
    assert dict(sfe(ex2).codewords) == {"1": "001", "2": "011", "3": "1001", "4": "1100", "5": "1110"}
    assert sfe(ex2).expected_length(ex2) == pytest.approx(3.5)


def test_sfe_length_is_exact_at_powers_of_two():
    # ⌈log2 1/p⌉ + 1 with p = 2^−k exactly is k + 1 (no float rounding to k + 2).
    assert [sfe_length(Fraction(1, 2**k)) for k in range(6)] == [1, 2, 3, 4, 5, 6]
    assert sfe_length(Fraction(1, 2**40) + Fraction(1, 2**80)) == 41


def test_block_of_a_coin_by_hand():
    # p = (3/4, 1/4), pairs: 9/16, 3/16, 3/16, 1/16 get Huffman lengths 1, 2, 3, 3 (by hand):
    # L_2 = (9 + 6 + 9 + 3)/16 = 27/16, so 27/32 = 0.84375 bits per symbol (H = 0.8113).
    coin = Distribution({"a": 0.75, "b": 0.25})
    bc = block(coin, order=2)
    lengths = dict(bc.code.lengths)
    assert lengths["a·a"] == 1 and lengths["b·b"] == 3
    assert sorted([lengths["a·b"], lengths["b·a"]]) == [2, 3]  # the tie 3/16 = 3/16 goes either way
    assert bc.expected_length() == 27 / 32


def test_block_on_india_meets_its_bound():
    # The "must show": L_4 / 4 in [H, H + 1/4) on India's box.
    lk = block(INDIA, order=4).expected_length()
    assert H_INDIA <= lk < H_INDIA + 0.25
    assert lk == pytest.approx(1.75)


def test_tunstall_sayood_example():
    # Sayood, Introduction to Data Compression, Example 3.7.1: A 0.6, B 0.3, C 0.1, 3-bit codewords.
    # Dictionary {B, C, AB, AC, AAA, AAB, AAC}; E[len] = 1 + 0.6 + 0.36.
    code = tunstall(Distribution({"A": 0.6, "B": 0.3, "C": 0.1}), bits=3)
    assert sorted("".join(w) for w in code.words) == sorted(["B", "C", "AB", "AC", "AAA", "AAB", "AAC"])
    assert code.expected_parse_length() == pytest.approx(1.96)
    assert code.expected_length() == pytest.approx(3 / 1.96)
    assert code.codewords[("A", "A", "A")] == "000" and code.codewords[("C",)] == "110"


def test_tunstall_binary_source_by_hand():
    # p = (0.7, 0.3), 2 bits: expand a, then aa: words aaa, aab, ab, b; E[len] = 1 + 0.7 + 0.49.
    code = tunstall(Distribution({"a": 0.7, "b": 0.3}), bits=2)
    assert ["".join(w) for w in code.words] == ["aaa", "aab", "ab", "b"]
    assert code.expected_parse_length() == pytest.approx(2.19)


def test_arithmetic_cross_entropy_of_the_article():
    # Australia coded with India's model: the cross entropy 2.3488 (the article's 2.348,
    # with the sign fixed), below the 2.37 bits of India's Huffman code.
    code = arithmetic(INDIA)
    assert round(cross_entropy(AUSTRALIA, code.model), 4) == 2.3488
    assert abs(code.quantisation_loss(AUSTRALIA)) < 1e-6
    assert code.expected_bound(AUSTRALIA, 10**6) / 10**6 < 2.3488 + 1e-5


def test_arithmetic_dyadic_stream_by_hand():
    # p = (1/2, 1/4, 1/4) quantises exactly; "a" is the lower half, "b" [1/2, 3/4), "c" [3/4, 1).
    # a, b, c narrows to [0.01011, 0.01100) in binary: 5 ideal bits, each settled at once; the
    # flush adds none, since 0.01011 (then zeros) is the interval's own lower end.
    code = arithmetic(Distribution({"a": 0.5, "b": 0.25, "c": 0.25}))
    assert code.frequencies == (1 << 23, 1 << 22, 1 << 22)
    assert code.encode(["a", "b", "c"]) == "01011"
    assert code.decode("01011", 3) == ["a", "b", "c"]
    # a, b, b narrows to [0.0101, 0.01011): 5 ideal bits, but 0.0101 then zeros lies inside,
    # and the receiver knows the count: 4 bits.
    assert code.encode(["a", "b", "b"]) == "0101"
    assert code.decode("0101", 3) == ["a", "b", "b"]


def test_arithmetic_single_symbol_costs_nothing():
    # A certain symbol never narrows the interval, and 0 (no bits, then zeros) lies in it.
    code = arithmetic(Distribution({"only": 1.0}))
    bits = code.encode(["only"] * 1000)
    assert bits == ""
    assert code.decode(bits, 1000) == ["only"] * 1000


# --------------------------------------------------------------------------- quantisation


@given(distributions(max_size=8), st.sampled_from([4, 8, 12, 24]))
def test_quantise_sums_to_total_and_keeps_support(p, precision):
    if sum(1 for v in p.probabilities if v > 0) > 2**precision:
        return
    f = quantise(p, precision)
    total = 2**precision
    assert sum(f) == total
    assert all((fx >= 1) == (px > 0) for fx, px in zip(f, p.probabilities))
    n = len(p)
    assert all(abs(fx - px * total) < n + 1 for fx, px in zip(f, p.probabilities) if px > 0)


@given(distributions(max_size=6, allow_zero=False), st.sampled_from([4, 6, 8]))
def test_quantise_no_single_move_improves(p, precision):
    # Local optimality of Σ p log f: moving one unit between two symbols never helps.
    f = quantise(p, precision)
    pv = p.probabilities
    score = sum(px * math.log(fx) for px, fx in zip(pv, f))
    for i in range(len(f)):
        for j in range(len(f)):
            if i != j and f[j] > 1:
                g = list(f)
                g[i] += 1
                g[j] -= 1
                assert sum(px * math.log(gx) for px, gx in zip(pv, g)) <= score + 1e-12


# --------------------------------------------------------------------------- invariants


SYMBOL_CODES = {
    "fano": lambda p: fano(p),
    "sfe": lambda p: sfe(positive(p)),
    "block2": lambda p: block(p, order=2).code,
}


@pytest.mark.parametrize("kind", sorted(SYMBOL_CODES))
@given(p=distributions(max_size=5))
def test_new_codes_are_prefix_free_and_kraft(kind, p):
    code = SYMBOL_CODES[kind](p)
    assert code.is_prefix_free
    assert code.kraft_sum <= 1


@given(distributions(max_size=7))
def test_fano_bounds(p):
    # H ≤ L ≤ H + 1 − p_min (Krajči et al. 2015); complete code: Kraft sum exactly 1.
    code = fano(p)
    h, length = entropy(p), code.expected_length(p)
    p_min = float(min(p.probabilities))
    assert h - 1e-9 <= length <= h + 1 - p_min + 1e-9 or len(p) == 1
    assert code.kraft_sum == 1 or len(p) == 1


@given(distributions(max_size=7, allow_zero=False))
def test_sfe_bounds(p):
    code = sfe(p)
    h, length = entropy(p), code.expected_length(p)
    assert h + 1 - 1e-9 <= length < h + 2 + 1e-9
    assert code.kraft_sum <= Fraction(1, 2)


@given(distributions(max_size=4), st.integers(1, 4))
def test_block_bounds(p, k):
    if len(p) ** k > 256:
        k = 1
    lk = block(p, order=k).expected_length()
    h = entropy(p)
    if sum(1 for v in p.probabilities if v > 0) == 1:
        assert lk == pytest.approx(1 / k)  # H = 0, but one block still costs a bit
    else:
        assert h - 1e-9 <= lk < h + 1 / k + 1e-9


@given(distribution_pairs_same := distributions(max_size=4, allow_zero=False), st.integers(1, 3))
def test_block_cannot_beat_the_cross_entropy(p, k):
    # Coding India's draws with Australia's block code, or any pair: L_k/k ≥ H(q), and for
    # the source it was built for, L_k/k ≤ L_1 (blocks never lose to the product code).
    bc = block(p, order=k)
    assert bc.expected_length() <= huffman(p).expected_length(p) + 1e-9


@given(distributions(min_size=2, max_size=5), st.integers(2, 9))
def test_tunstall_bounds(p, m):
    if 2**m < len(p):
        m = 3
    code = tunstall(p, bits=m)
    assert len(code.words) <= 2**m
    assert len(code.words) + len(p) - 1 > 2**m  # no further expansion fits
    h = entropy(p)
    rate = code.expected_length()
    assert h - 1e-9 <= rate <= code.upper_bound() + 1e-9
    # The dictionary is complete and proper: leaf probabilities sum to 1.
    total = sum(float(np.prod([p[s] for s in w])) for w in code.words)
    assert total == pytest.approx(1.0)


@given(distributions(max_size=6, allow_zero=False), st.lists(st.integers(0, 5), max_size=60))
def test_arithmetic_bits_within_the_bound(p, picks):
    code = arithmetic(p)
    seq = [p.symbols[i % len(p)] for i in picks]
    bits = code.encode(seq)
    assert len(bits) <= code.bound(seq) + 1e-9
    # The bits pin the interval down to the last range's 2^32 values or more (the receiver knows
    # the count), so they fall short of the ideal cost by at most 32 bits and the slack.
    assert len(bits) >= code.cost(seq) - WORD_BITS - 1


# --------------------------------------------------------------------------- round trips


@st.composite
def urn_and_stream(draw, max_size=5, max_len=40, allow_zero=True):
    p = draw(distributions(max_size=max_size, allow_zero=allow_zero))
    support = [s for s, v in zip(p.symbols, p.probabilities) if v > 0]
    seq = draw(symbol_sequences(support, max_size=max_len))
    return p, seq


@given(urn_and_stream())
def test_fano_round_trip(case):
    p, seq = case
    code = fano(p)
    assert code.decode(code.encode(seq)) == seq


@given(urn_and_stream(allow_zero=False))
def test_sfe_round_trip(case):
    p, seq = case
    code = sfe(p)
    assert code.decode(code.encode(seq)) == seq


@given(urn_and_stream(max_size=4), st.integers(1, 3))
def test_block_round_trip_any_tail(case, k):
    p, seq = case
    bc = block(p, order=k)
    bits = bc.encode(seq)
    assert bc.decode(bits, len(seq)) == seq
    # The tail costs at most one codeword: the bits are those of the full blocks plus one.
    full = bc.encode(seq[: len(seq) - len(seq) % k])
    assert len(bits) - len(full) <= max(bc.code.lengths.values()) * (len(seq) % k > 0)


@given(urn_and_stream(max_size=4), st.integers(2, 6))
def test_tunstall_round_trip_any_tail(case, m):
    p, seq = case
    if 2**m < len(p):
        m = 3
    code = tunstall(p, bits=m)
    bits = code.encode(seq)
    assert len(bits) % m == 0
    assert code.decode(bits, len(seq)) == seq


@given(urn_and_stream(max_size=6, max_len=60), st.sampled_from([3, 8, 24, 30]), st.data())
def test_arithmetic_round_trip_streaming(case, precision, data):
    p, seq = case
    if sum(1 for v in p.probabilities if v > 0) > 2**precision:
        precision = 8
    code = arithmetic(p, precision)
    # The encoder fed in pieces gives the bits of the whole stream.
    cuts = sorted(data.draw(st.lists(st.integers(0, len(seq)), max_size=4)))
    enc = code.encoder()
    bounds = [0, *cuts, len(seq)]
    bits = "".join(enc.encode(seq[a:b]) for a, b in zip(bounds, bounds[1:])) + enc.finish()
    assert bits == code.encode(seq)
    # The decoder fed the bits in pieces gives the symbols of the whole stream.
    dec = code.decoder(len(seq))
    out = []
    for piece in data.draw(chunkings(bits)):
        out += dec.feed(piece)
    out += dec.finish()
    assert out == seq == code.decode(bits, len(seq))


@given(urn_and_stream(max_size=4, max_len=50, allow_zero=False))
def test_arithmetic_decodes_each_symbol_from_the_bits_that_decide_it(case):
    # After the encoder has sent the bits for symbols 1..i, the decoder fed exactly those bits
    # never returns a wrong symbol (nor one not yet sent, unless the model has a single symbol,
    # which needs no bits at all), and after the flush returns them all.
    p, seq = case
    ahead = 1 if len(p) > 1 else len(seq)
    code = arithmetic(p)
    enc, dec = code.encoder(), code.decoder(len(seq))
    got: list[str] = []
    for i, s in enumerate(seq):
        got += dec.feed(enc.encode([s]))
        assert got == seq[: len(got)] and len(got) <= i + ahead
    got += dec.feed(enc.finish())
    got += dec.finish()
    assert got == seq


# --------------------------------------------------------------------------- bad input


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match="'order' must be at least 1"):
        block(INDIA, order=0)
    with pytest.raises(ValueError, match="more than 65536"):
        block(INDIA, order=9)
    with pytest.raises(ValueError, match="fewer than the 4 symbols"):
        tunstall(INDIA, bits=1)
    with pytest.raises(ValueError, match="probability 0"):
        sfe(Distribution({"a": 1.0, "b": 0.0}))
    with pytest.raises(ValueError, match="'precision' must be between 1 and 30"):
        arithmetic(INDIA, precision=31)
    code = arithmetic(Distribution({"a": 1.0, "b": 0.0}))
    with pytest.raises(ValueError, match="frequency 0"):
        code.encode(["b"])
    with pytest.raises(ValueError, match="not in the model"):
        code.encode(["c"])
    with pytest.raises(DecodeError, match="not a bit"):
        code.decoder(1).feed("012")
    with pytest.raises(ValueError, match="needs the symbol count"):
        code.decoder().finish()
    with pytest.raises(DecodeError, match="whole number"):
        tunstall(INDIA, bits=3).decode("0101", 2)
    pairs = block(INDIA, order=2)
    with pytest.raises(DecodeError, match="left over"):
        pairs.decode(pairs.encode(["red", "red"])[:-1] or "1", 2)
    with pytest.raises(DecodeError, match="2 blocks for 6 symbols"):
        pairs.decode(pairs.encode(["red"] * 4), 6)
    enc = code.encoder()
    enc.finish()
    with pytest.raises(ValueError, match="finished"):
        enc.encode(["a"])


@settings(max_examples=30)
@given(distributions(max_size=4, allow_zero=False), st.text(alphabet="01", max_size=40))
def test_arithmetic_decoder_never_fails_on_noise(p, bits):
    # Every bit string decodes to some symbols (a noisy line corrupts, it does not crash).
    code = arithmetic(p)
    out = code.decode(bits, 10)
    assert len(out) == 10 and set(out) <= set(p.symbols)
