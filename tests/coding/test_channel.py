"""Channel capacities, channel codes and their error rates; resynchronisation theory.

Every closed form is checked against an exhaustive enumeration of error
patterns through the code classes themselves, so formula and code agree
exactly (no statistics needed here; the simulations are in tests/sim/engine/test_noise.py).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import prefix_codes

from coding import Code, fixed_length
from coding.channel import (
    ChannelCode,
    Hamming74,
    Parity,
    Repetition,
    binary_entropy,
    bsc_capacity,
    erasure_capacity,
    fixed_message_error,
    gilbert_elliott_capacity_bounds,
    gilbert_elliott_flip_rate,
    hamming74_bit_error,
    hamming74_block_error,
    parity_detected,
    parity_undetected,
    repetition_bit_error,
)
from coding.resync import ResyncChain, resync_distribution, resync_mean

EPS = (0.0, 0.001, 0.01, 0.1, 0.3, 0.5, 0.9, 1.0)
SCHEME3 = Code({"blue": "10", "red": "0", "green": "110", "yellow": "111"})
INDIA = [0.25, 0.5, 0.13, 0.12]


def enumerate_errors(code: ChannelCode, eps: float) -> tuple[float, float, float, float]:
    """(block error, bit error, P(error seen), P(wrong and unseen)) over all data words and error patterns."""
    block = bit = seen = unseen = 0.0
    datas = list(itertools.product((0, 1), repeat=code.k))
    for pattern in itertools.product((0, 1), repeat=code.n):
        w = sum(pattern)
        p = eps**w * (1 - eps) ** (code.n - w) / len(datas)
        for data in datas:
            sent = code.encode(np.array(data, dtype=np.uint8))
            got, detected = code.decode(sent ^ np.array(pattern, dtype=np.uint8))
            wrong = int((got != np.array(data)).sum())
            block += p * (wrong > 0)
            bit += p * wrong / code.k
            seen += p * (detected > 0)
            unseen += p * (wrong > 0 and detected == 0)
    return block, bit, seen, unseen


# --------------------------------------------------------------------------- capacities


def test_capacities_textbook_values():
    # Cover & Thomas, ch. 7: C_BSC = 1 − h(p), C_BEC = 1 − α; h(0.11) ≈ 1/2.
    assert binary_entropy(0.11) == pytest.approx(0.5, abs=2e-4)
    assert bsc_capacity(0.11) == pytest.approx(0.5, abs=2e-4)
    assert bsc_capacity(0.5) == 0.0 and bsc_capacity(0.0) == 1.0 == bsc_capacity(1.0)
    assert erasure_capacity(0.3) == pytest.approx(0.7)


@pytest.mark.parametrize("bad", [(0.0, 0.1, 0.001, 0.1), (0.01, 0.3, 0.05, 0.2), (0.02, 0.02, 0.1, 0.1)])
def test_gilbert_elliott_bounds_bracket_and_reduce_to_bsc(bad):
    low, high = gilbert_elliott_capacity_bounds(*bad)
    assert 0.0 <= low <= high <= 1.0
    g, b, p, r = bad
    assert gilbert_elliott_flip_rate(g, b, p, r) == pytest.approx((r * g + p * b) / (p + r))
    if g == b:  # one flip probability: the channel is a BSC and both bounds are its capacity
        assert low == pytest.approx(bsc_capacity(g)) and high == pytest.approx(bsc_capacity(g))


@pytest.mark.parametrize("bad", [-0.1, 1.5, float("nan")])
def test_probabilities_are_checked(bad):
    with pytest.raises(ValueError, match="'flip' must be a probability in \\[0, 1\\]"):
        bsc_capacity(bad)


# --------------------------------------------------------------------------- error rates vs enumeration


@pytest.mark.parametrize("eps", EPS)
def test_fixed_code_message_error(eps):
    for bits in (1, 2, 5):
        exact = 1 - sum(eps**w * (1 - eps) ** (bits - w) * math.comb(bits, w) for w in range(1, bits + 1))
        assert fixed_message_error(eps, bits) == pytest.approx(1 - exact, abs=1e-12)
    assert fixed_message_error(0.01, 2) == pytest.approx(0.0199)


@pytest.mark.parametrize("eps", EPS)
@pytest.mark.parametrize("n", [1, 3, 5])
def test_repetition_residual_error_matches_enumeration(eps, n):
    block, bit, _, _ = enumerate_errors(Repetition(n), eps)
    assert repetition_bit_error(eps, n) == pytest.approx(bit, abs=1e-12) == pytest.approx(block, abs=1e-12)
    if n == 3:
        assert repetition_bit_error(eps, 3) == pytest.approx(3 * eps**2 - 2 * eps**3, abs=1e-15)


@pytest.mark.parametrize("eps", EPS)
def test_hamming74_block_and_bit_error_match_enumeration(eps):
    block, bit, _, _ = enumerate_errors(Hamming74(), eps)
    assert hamming74_block_error(eps) == pytest.approx(block, abs=1e-12)
    closed = 1 - (1 - eps) ** 7 - 7 * eps * (1 - eps) ** 6
    assert hamming74_block_error(eps) == pytest.approx(closed, abs=1e-15)
    assert hamming74_bit_error(eps) == pytest.approx(bit, abs=1e-12)


@pytest.mark.parametrize("eps", EPS)
@pytest.mark.parametrize("k", [1, 3, 4])
def test_parity_detection_matches_enumeration(eps, k):
    _, _, seen, unseen = enumerate_errors(Parity(k), eps)
    assert parity_detected(eps, k + 1) == pytest.approx(seen, abs=1e-12)
    assert parity_undetected(eps, k + 1) == pytest.approx(unseen, abs=1e-12)


# --------------------------------------------------------------------------- the codes


@pytest.mark.parametrize(
    "code", [Repetition(1), Repetition(3), Repetition(7), Hamming74(), Parity(1), Parity(8)], ids=repr
)
def test_codes_round_trip_and_share_the_protocol(code):
    assert isinstance(code, ChannelCode)
    assert code.rate == code.k / code.n
    data = np.random.default_rng(3).integers(0, 2, code.k * 50).astype(np.uint8)
    sent = code.encode(data)
    assert sent.size == code.n * 50 and sent.dtype == np.uint8
    got, detected = code.decode(sent)
    assert np.array_equal(got, data) and detected == 0


def test_hamming_corrects_every_single_flip_and_repetition_a_minority():
    ham = Hamming74()
    for value in range(16):
        data = np.array([(value >> (3 - i)) & 1 for i in range(4)], dtype=np.uint8)
        sent = ham.encode(data)
        for i in range(7):
            garbled = sent.copy()
            garbled[i] ^= 1
            got, seen = ham.decode(garbled)
            assert np.array_equal(got, data) and seen == 1
    rep = Repetition(5)
    for pattern in itertools.product((0, 1), repeat=5):
        got, seen = rep.decode(np.array(pattern, dtype=np.uint8))
        assert got[0] == (sum(pattern) >= 3) and seen == (0 < sum(pattern) < 5)


@pytest.mark.parametrize(
    "make, bits, match",
    [
        (lambda: Repetition(2), None, "'n' must be an odd positive integer"),
        (lambda: Repetition(0), None, "'n' must be an odd positive integer"),
        (lambda: Parity(0), None, "'k' .* must be an integer in 1..16"),
        (lambda: Hamming74(), [1, 0, 1], "holds 3 bits, not a multiple of the block size 4"),
        (lambda: Hamming74(), [1, 0, 2, 1], "must hold only 0 and 1"),
        (lambda: Repetition(3), [[1, 0, 1]], "one-dimensional"),
    ],
)
def test_bad_input_says_what_is_wrong(make, bits, match):
    with pytest.raises(ValueError, match=match):
        make().encode(bits)


# --------------------------------------------------------------------------- resynchronisation theory


def test_complete_fixed_length_codes_lose_one_message_per_flip():
    code = fixed_length(["a", "b", "c", "d"])
    assert resync_mean(code, [0.1, 0.2, 0.3, 0.4]) == pytest.approx(1.0)
    assert resync_distribution(code, [0.25] * 4)[0] == pytest.approx(1.0)
    # With 5 symbols the 3-bit code has dead ends ("11" continues nothing): the decoder drops
    # 2 bits, restarts mid-codeword and is out of step until a later dead end lands it right.
    assert resync_mean(fixed_length(["a", "b", "c", "d", "e"]), [0.2] * 5) > 2.0


def test_small_code_by_hand():
    # {0, 10, 11}, q = (1/2, 1/4, 1/4), L = 3/2. A flip leaves the decoder in step (R = 1) with
    # probability 1/2 and otherwise at node "1", from which each message brings it home with
    # probability 3/4 (all but "11"): E[R] = 1 + (1/2)(4/3) = 5/3, P(R = r) = (1/2)(1/4)^(r−2)(3/4).
    code = Code({"a": "0", "b": "10", "c": "11"})
    assert resync_mean(code, [0.5, 0.25, 0.25]) == pytest.approx(5 / 3)
    pmf = resync_distribution(code, [0.5, 0.25, 0.25])
    assert pmf[:4] == pytest.approx([0.5, 0.375, 0.09375, 0.0234375])


@given(prefix_codes(max_size=6, max_depth=5), st.data())
def test_the_law_of_r_agrees_with_the_linear_solve(code, data):
    weights = data.draw(st.lists(st.integers(1, 9), min_size=len(code), max_size=len(code)))
    q = np.array(weights) / sum(weights)
    chain = ResyncChain(code, q)
    assert chain.start.sum() == pytest.approx(1.0)
    assert chain.transition.sum(axis=1) == pytest.approx(np.ones(len(chain.nodes)))
    mean = chain.mean()
    pmf = chain.distribution(tail=1e-13)
    if math.isinf(mean):
        return
    assert pmf.sum() == pytest.approx(1.0, abs=1e-9)
    assert float(np.arange(1, pmf.size + 1) @ pmf) == pytest.approx(mean, rel=1e-6)


def test_resync_needs_a_binary_prefix_code():
    with pytest.raises(ValueError, match="binary prefix code"):
        resync_mean(Code({"a": "0", "b": "01"}), [0.5, 0.5])
