"""Hypothesis properties of the measures, the codes and the builders.

Runs are derandomized (profile "telegraph" in ``tests/conftest.py``).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import (
    alphabets,
    chunkings,
    code_strings,
    distribution_pairs,
    distributions,
    kraft_lengths,
    prefix_codes,
    small_codes,
    suffix_codes,
    symbol_sequences,
    uniquely_decodable_codes,
)

from coding import (
    Code,
    DecodeError,
    Distribution,
    canonical,
    cross_entropy,
    entropy,
    fixed_length,
    huffman,
    kl_divergence,
    shannon,
)
from coding.huffman import huffman_lengths

TOL = 1e-12


def _is_positive_zero_or_more(x: float) -> bool:
    return not math.isnan(x) and math.copysign(1.0, x) == 1.0


# --- measures -----------------------------------------------------------------


@given(distribution_pairs())
def test_cross_entropy_at_least_entropy(pair):
    p, q = pair
    h, hpq = entropy(p), cross_entropy(p, q)
    assert _is_positive_zero_or_more(h) and _is_positive_zero_or_more(hpq)
    assert hpq >= h - TOL
    assert cross_entropy(p, p) == pytest.approx(h, abs=TOL)


@given(distribution_pairs())
def test_kl_nonnegative_and_zero_only_for_equal_distributions(pair):
    p, q = pair
    d = kl_divergence(p, q)
    assert _is_positive_zero_or_more(d)
    assert kl_divergence(p, p) == 0.0
    same = p.as_dict() == q.as_dict()
    if same:
        assert d == 0.0
    else:
        assert d > 0.0
    # Infinite exactly when q misses part of p's support.
    misses = any(p[s] > 0 and q[s] == 0 for s in p.symbols)
    assert math.isinf(d) == misses
    assert math.isinf(cross_entropy(p, q)) == misses
    if not misses:
        assert d == pytest.approx(cross_entropy(p, q) - entropy(p), abs=1e-9)


@given(distribution_pairs(shuffle=True))
def test_measures_align_by_symbol_not_by_position(pair):
    p, q = pair
    q_in_p_order = q.aligned(p.symbols)
    assert cross_entropy(p, q) == cross_entropy(p.probabilities, q_in_p_order)
    assert kl_divergence(p, q) == kl_divergence(p.probabilities, q_in_p_order)


@given(distributions(), st.sampled_from(["e", 3, 10, 2.5]))
def test_entropy_bounded_by_log_alphabet_and_scales_with_base(p, base):
    h = entropy(p)
    assert 0.0 <= h <= math.log2(len(p)) + TOL
    assert entropy(p, base=base) == pytest.approx(
        h * math.log(2) / (1.0 if base == "e" else math.log(base)), rel=1e-12, abs=TOL
    )


# --- Huffman optimality ---------------------------------------------------------


def _best_length_by_brute_force(p: Distribution, D: int) -> float:
    """min Σ p·l over every length vector with Σ D^−l ≤ 1 (McMillan: all UD codes).

    Some optimal code has no word longer than n − 1 digits, so that range suffices.
    """
    n = len(p)
    top = max(1, n - 1)
    grid = np.array(list(itertools.product(range(1, top + 1), repeat=n)), dtype=np.int64)
    # Kraft in integers: Σ D^(top − l) ≤ D^top.
    feasible = (D ** (top - grid)).sum(axis=1) <= D**top
    return float((grid[feasible] @ p.probabilities).min())


@given(distributions(max_size=5))
def test_huffman_binary_bounds_and_optimality(p):
    code = huffman(p)
    L, H = code.expected_length(p), entropy(p)
    assert H - TOL <= L
    if max(p.probabilities) < 1:
        assert L < H + 1
    else:  # one certain symbol still costs a digit
        assert L == 1.0
    assert L == pytest.approx(_best_length_by_brute_force(p, 2), abs=1e-9)


@given(distributions(max_size=4))
def test_huffman_ternary_optimality(p):
    code = huffman(p, D=3)
    L, H = code.expected_length(p), entropy(p, base=3)
    assert H - TOL <= L
    assert L < H + 1 or max(p.probabilities) == 1
    assert L == pytest.approx(_best_length_by_brute_force(p, 3), abs=1e-9)


@given(distributions(max_size=8), st.integers(2, 5))
def test_huffman_dary_bounds(p, D):
    code = huffman(p, D=D)
    L, H = code.expected_length(p), entropy(p, base=D)
    assert code.is_prefix_free
    assert H - TOL <= L
    assert L < H + 1 or max(p.probabilities) == 1
    assert code.lengths == dict(zip(p.symbols, huffman_lengths(p, D)))


@given(distributions(max_size=6))
def test_huffman_is_deterministic(p):
    assert huffman(p) == huffman(Distribution(p.as_dict()))


# --- builders: Kraft, round trip --------------------------------------------------


@given(distributions(max_size=8), st.integers(2, 4))
def test_kraft_at_most_one_for_every_built_code(p, D):
    codes = [fixed_length(p, D), huffman(p, D), canonical(p.symbols, huffman_lengths(p, D), D)]
    if all(p.probabilities > 0):
        codes.append(shannon(p, D))
    for code in codes:
        assert code.kraft_sum <= 1
        assert code.is_prefix_free


@given(distribution_pairs(allow_zero=False, max_size=7))
def test_shannon_within_one_bit_of_cross_entropy(pair):
    q, p = pair  # built on p, drawn from q
    code = shannon(p)
    L, Hqp = code.expected_length(q), cross_entropy(q, p)
    assert Hqp - 1e-9 <= L
    assert L < Hqp + 1 or len(p) == 1


@given(st.data())
def test_decode_inverts_encode_for_uniquely_decodable_codes(data):
    code = data.draw(uniquely_decodable_codes(max_size=5))
    message = data.draw(symbol_sequences(code.symbols, max_size=15))
    assert code.decode(code.encode(message)) == message


@given(st.data())
def test_canonical_codes_from_any_kraft_lengths(data):
    symbols = data.draw(alphabets(max_size=6))
    D = data.draw(st.integers(2, 3))
    lengths = data.draw(kraft_lengths(len(symbols), D))
    code = canonical(symbols, lengths, D)
    assert [code.lengths[s] for s in symbols] == lengths
    assert code.is_prefix_free
    assert code.kraft_sum <= 1
    # Codewords in (length, symbol order) are increasing D-ary numbers.
    order = sorted(range(len(symbols)), key=lambda i: (lengths[i], i))
    words = [code[symbols[i]] for i in order]
    assert words == sorted(words)


# --- streaming decode -------------------------------------------------------------


@given(st.data())
def test_streaming_decode_over_any_chunking_equals_whole_decode(data):
    code = data.draw(prefix_codes(D=data.draw(st.integers(2, 3))))
    message, string = data.draw(code_strings(code))
    pieces = data.draw(chunkings(string))
    assert "".join(pieces) == string
    dec = code.decoder()
    out: list[str] = []
    for piece in pieces:
        out += dec.feed(piece)
    dec.finish()
    assert out == code.decode(string) == message
    assert dec.offset == len(string) and dec.pending == 0


def _outcome(run):
    try:
        return ("ok", run())
    except DecodeError as exc:
        return ("error", exc.offset)


@given(st.data())
def test_streaming_errors_match_whole_decode_errors(data):
    # Any digit string (often not a valid code string, and the code may be
    # incomplete): chunked and whole decoding agree, error offsets included.
    code = data.draw(prefix_codes())
    string = data.draw(st.text(alphabet="01", max_size=20))
    pieces = data.draw(chunkings(string))

    def chunked():
        dec = code.decoder()
        out = []
        for piece in pieces:
            out += dec.feed(piece)
        dec.finish()
        return out

    whole = _outcome(lambda: code.decode(string))
    assert _outcome(chunked) == whole
    if whole[0] == "error":
        assert 0 <= whole[1] < len(string)


# --- the identity L = H + D − log K -----------------------------------------------------


@given(st.data())
def test_length_identity_for_uniquely_decodable_codes(data):
    D = data.draw(st.integers(2, 3))
    code = data.draw(st.one_of(prefix_codes(D=D), suffix_codes(D=D), small_codes().filter(_ud)))
    D = code.D
    q = data.draw(distributions(code.symbols))
    r = code.implied_distribution()
    K = code.kraft_sum
    assert 0 < K <= 1
    assert r.symbols == code.symbols
    for s in code.symbols:
        assert r[s] == pytest.approx(D ** -code.lengths[s] / float(K), rel=1e-12)
    rhs = entropy(q, base=D) + kl_divergence(q, r, base=D) - math.log(float(K), D)
    assert code.expected_length(q) == pytest.approx(rhs, abs=1e-9)


def _ud(code: Code) -> bool:
    return code.is_uniquely_decodable


def test_identity_strategy_reaches_non_prefix_codes():
    # The property above must see UD codes that are not prefix-free.
    for words in (("0", "01", "11"), ("0", "01", "110"), ("10", "00", "11", "110")):
        code = Code({f"x{i}": w for i, w in enumerate(words)})
        q = Distribution.uniform(code.symbols)
        r, K = code.implied_distribution(), float(code.kraft_sum)
        rhs = entropy(q) + kl_divergence(q, r) - math.log2(K)
        assert code.expected_length(q) == pytest.approx(rhs, abs=1e-12)


# --- Sardinas–Patterson ---------------------------------------------------------------


def _parse_counts(words: list[str], digits: str, max_len: int) -> dict[str, int]:
    """Number of parses (capped at 2) of every string up to ``max_len`` digits."""
    counts = {"": 1}
    for n in range(1, max_len + 1):
        for t in itertools.product(digits, repeat=n):
            s = "".join(t)
            counts[s] = min(2, sum(counts[s[: -len(w)]] for w in words if s.endswith(w)))
    return counts


# Exhaustively over binary codes of at most 4 words of length ≤ 3, the
# shortest ambiguous string has at most 7 digits, so searching to 10 digits
# decides unique decodability for the codes drawn here.
BRUTE_LEN = {2: 10, 3: 5}


@settings(max_examples=120)
@given(st.sampled_from([2, 3]).flatmap(lambda D: small_codes(D=D, max_length=3 if D == 2 else 2)))
def test_sardinas_patterson_agrees_with_brute_force(code):
    words = list(code.codewords.values())
    counts = _parse_counts(words, code.digits, BRUTE_LEN[code.D])
    ambiguous = [s for s, c in counts.items() if c > 1]
    witness = code.ambiguity()
    if code.is_uniquely_decodable:
        assert witness is None
        assert ambiguous == []
        assert code.kraft_sum <= 1  # McMillan
    else:
        assert witness is not None
        assert witness.first != witness.second
        assert code.encode(witness.first) == witness.string == code.encode(witness.second)
        assert ambiguous, "brute force found no ambiguous string"
        # The witness is no longer than needed by much: within the brute-force horizon.
        assert len(witness.string) <= BRUTE_LEN[code.D]
    if code.is_prefix_free:
        assert code.is_uniquely_decodable


@given(small_codes(max_symbols=5, max_length=4))
def test_witnesses_are_always_valid(code):
    witness = code.ambiguity()
    if witness is None:
        assert code.is_uniquely_decodable
        return
    assert not code.is_uniquely_decodable
    assert witness.first != witness.second
    assert code.encode(witness.first) == witness.string == code.encode(witness.second)
    assert {witness.first, witness.second} <= set(code.parses(witness.string, limit=64))
