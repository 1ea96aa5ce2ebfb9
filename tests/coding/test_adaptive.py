"""Models as codes: softmax with temperature, adaptive models (Laplace, KT, pseudo-counts) on the arithmetic
coder, adaptive Huffman, LZ78, and the regret bounds (docs/theory.md, "Australia learns")."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import chunkings, fitting_model, priors, urn_streams

from coding import (
    AdaptiveHuffman,
    AdaptiveModel,
    DecodeError,
    Distribution,
    arithmetic,
    cross_entropy,
    dirichlet_regret_bound,
    empirical_code_length,
    huffman_lengths,
    kt_regret_bound,
    laplace_regret_bound,
    learning_curve,
    lz78,
    mixture_code_length,
    sequential_probabilities,
)
from coding.adaptive import count_huffman_lengths
from coding.arithmetic import WORD_BITS

COLOURS = ("blue", "red", "green", "yellow")
INDIA = {"blue": 0.25, "red": 0.5, "green": 0.13, "yellow": 0.12}
AUSTRALIA = Distribution.from_counts({"blue": 13, "red": 25, "green": 50, "yellow": 12})


# --- models as codes -------------------------------------------------------------------------------------


def test_india_as_probabilities_codes_australia_at_the_cross_entropy():
    # The article's H(q, p) for Australia's box coded with India's proportions: 2.3488 bits per ball.
    model = Distribution(INDIA)
    assert round(cross_entropy(AUSTRALIA, model), 4) == 2.3488
    # Measured on 10^5 balls with the arithmetic coder. Tolerance: 4 standard errors of the mean of
    # −log2 p(X) under q (false-alarm rate 6e-5 for a normal mean; fixed seed) plus the 2 flush bits.
    rng = np.random.default_rng(13)
    n = 100_000
    draws = rng.choice(4, size=n, p=AUSTRALIA.probabilities)
    bits = len(arithmetic(model).encode([COLOURS[i] for i in draws]))
    info = -np.log2(model.probabilities)
    sd = math.sqrt(float(AUSTRALIA.probabilities @ info**2) - cross_entropy(AUSTRALIA, model) ** 2)
    assert abs(bits / n - 2.3488) < 4 * sd / math.sqrt(n) + 2 / n + 5e-5


def test_softmax_sums_over_every_class_and_is_stable():
    logits = {"blue": 0.2, "red": 1.1, "green": -0.3, "yellow": -0.4}
    z = np.array(list(logits.values()))
    for t in (0.5, 1.0, 3.0):
        expected = np.exp(z / t) / np.exp(z / t).sum()
        got = Distribution.from_logits(logits, temperature=t).probabilities
        assert np.allclose(got, expected, rtol=0, atol=1e-15)
    big = Distribution.from_logits({k: v + 1e4 for k, v in logits.items()})
    assert np.allclose(big.probabilities, Distribution.from_logits(logits).probabilities, atol=1e-12)
    # Cold: the largest logit takes everything; hot: towards uniform.
    assert Distribution.from_logits(logits, temperature=1e-3)["red"] == 1.0
    assert np.allclose(Distribution.from_logits(logits, temperature=1e6).probabilities, 0.25, atol=1e-6)


def test_temperature_scaling_equals_scaled_logits():
    logits = {"a": 1.0, "b": 2.0, "c": -0.5}
    assert Distribution.from_logits(logits, 2.0) == Distribution.from_logits(
        {k: v / 2 for k, v in logits.items()}
    )


@pytest.mark.parametrize(
    ("logits", "temperature", "message"),
    [
        ({"a": 1.0}, 0, "'temperature' must be positive"),
        ({"a": 1.0}, math.inf, "'temperature' must be positive"),
        ({"a": math.nan}, 1, "'logits.a' must be a finite number"),
        ({}, 1, "'logits' must be a non-empty mapping"),
    ],
)
def test_bad_logits(logits, temperature, message):
    with pytest.raises(ValueError, match=message):
        Distribution.from_logits(logits, temperature)


# --- adaptive arithmetic ---------------------------------------------------------------------------------


@settings(max_examples=80, deadline=None)
@given(st.data(), urn_streams(), st.sampled_from([4, 8, 24, 30]))
def test_adaptive_round_trip_within_bound(data, case, precision):
    symbols, seq = case
    prior = data.draw(priors(symbols))
    model = fitting_model(symbols, prior, precision)
    bits = model.encode(seq)
    assert model.decode(bits, len(seq)) == seq
    # The flush never costs more than 1 bit; the last range (2^32 values or more) may leave up
    # to 32 bits of the ideal cost unsent, since the receiver knows the count.
    assert model.cost(seq) - WORD_BITS - 1 <= len(bits) <= model.bound(seq) + 1e-9
    # Streaming: bits fed in any pieces decode the same symbols.
    dec = model.decoder(len(seq))
    out: list[str] = []
    for piece in data.draw(chunkings(bits)):
        out += dec.feed(piece)
    assert out + dec.finish() == seq
    # The encoder may be fed in pieces too.
    enc = model.encoder()
    cut = data.draw(st.integers(0, len(seq)))
    assert enc.encode(seq[:cut]) + enc.encode(seq[cut:]) + enc.finish() == bits


@settings(max_examples=60, deadline=None)
@given(st.data(), urn_streams())
def test_cost_is_the_sequential_log_loss_and_the_mixture(data, case):
    symbols, seq = case
    prior = data.draw(priors(symbols))
    model = AdaptiveModel(symbols, prior)
    idx = np.array([symbols.index(s) for s in seq], dtype=np.int64)
    alpha = model.pseudo_counts
    by_sequence = float(-np.log2(sequential_probabilities(idx, alpha)).sum())
    counts = np.bincount(idx, minlength=len(symbols))
    assert model.cost(seq) == pytest.approx(by_sequence, abs=1e-9)
    assert mixture_code_length(counts, alpha) == pytest.approx(by_sequence, abs=1e-7)


def test_model_follows_the_counts():
    kt = AdaptiveModel(COLOURS, "kt")
    for s in ["green", "green", "red"]:
        kt.update(s)
    # (n + ½)/(3 + 2): blue ½/5, red 1½/5, green 2½/5, yellow ½/5.
    assert kt.probabilities().as_dict() == {"blue": 0.1, "red": 0.3, "green": 0.5, "yellow": 0.1}
    lap = AdaptiveModel(COLOURS, "laplace")
    lap.update("red")
    assert lap.probabilities()["red"] == 0.4
    given_ = AdaptiveModel(COLOURS, {"blue": 0.1, "red": 2, "green": 1.5, "yellow": 0.4})
    assert given_.scale == 10 and given_.frequencies == (1, 20, 15, 4)


def test_rescale_halves_counts_and_keeps_both_ends_together():
    model = AdaptiveModel(["a", "b"], "laplace", precision=4)  # total at most 16
    seq = ["a"] * 30 + ["b"] * 5
    state = model.fresh()
    for s in seq:
        state.update(s)
        assert state.total <= 16 and min(state.frequencies) >= 1
    assert state.rescales > 0
    assert model.decode(model.encode(seq), len(seq)) == seq


@pytest.mark.parametrize(
    ("prior", "error"),
    [
        ("dirichlet", "'prior' must be 'laplace', 'kt' or pseudo-counts"),
        ({"a": 1}, "missing \\['b'\\]"),
        ({"a": 1, "b": 0}, "'prior.b' must be positive"),
        ({"a": 1, "b": 1 / 3}, "'prior.b' must have a denominator of at most 1024"),
    ],
)
def test_bad_priors(prior, error):
    with pytest.raises(ValueError, match=error):
        AdaptiveModel(["a", "b"], prior)


def test_unknown_symbol_is_named():
    with pytest.raises(ValueError, match="symbol 1 \\('purple'\\) is not in the model"):
        AdaptiveModel(COLOURS).encode(["red", "purple"])


# --- regret and its bounds -------------------------------------------------------------------------------


def _all_counts(n: int, k: int):
    for cut in itertools.combinations(range(n + k - 1), k - 1):
        bounds = (-1, *cut, n + k - 1)
        yield [b - a - 1 for a, b in zip(bounds, bounds[1:])]


@pytest.mark.parametrize("k", [2, 3, 4, 6])
def test_kt_regret_bound_holds_for_every_count_vector(k):
    # The regret depends only on the counts, so checking every count vector checks every sequence.
    for n in [0, 1, 2, 3, 5, 8, 13] + ([21] if k <= 4 else []) + ([40, 80] if k <= 3 else []):
        bound = kt_regret_bound(n, k)
        worst = max(mixture_code_length(c, [0.5] * k) - empirical_code_length(c) for c in _all_counts(n, k))
        assert worst <= bound


@pytest.mark.parametrize("k", [2, 3, 5])
def test_laplace_regret_bound_holds_for_every_count_vector(k):
    for n in [0, 1, 4, 9, 20]:
        bound = laplace_regret_bound(n, k)
        for c in _all_counts(n, k):
            assert mixture_code_length(c, [1.0] * k) - empirical_code_length(c) <= bound + 1e-9
        assert bound <= (k - 1) * math.log2(n + 1) + 1e-12


@pytest.mark.parametrize("alpha", [[0.5, 3.0], [1.0, 2.0, 0.5], [4.0, 0.75, 1.5, 0.5], [10.0, 10.0, 0.5]])
def test_dirichlet_regret_bound_holds_for_every_count_vector(alpha):
    k = len(alpha)
    for n in [0, 1, 2, 5, 13, 30] + ([80] if k <= 3 else []):
        bound = dirichlet_regret_bound(n, alpha)
        assert bound is not None
        worst = max(mixture_code_length(c, alpha) - empirical_code_length(c) for c in _all_counts(n, k))
        assert worst <= bound + 1e-9


def test_dirichlet_regret_bound_needs_every_pseudo_count_at_least_a_half():
    assert dirichlet_regret_bound(100, [0.25, 1.0]) is None
    # Below ½ a colour's first appearance costs about log2(n/α): as α → 0, more than any bound allows.
    n, alpha = 10**6, [1e-9, 1.0]
    late = mixture_code_length([1, n - 1], alpha) - empirical_code_length([1, n - 1])
    assert late > dirichlet_regret_bound(n, [0.5, 1.0])


def test_kt_bound_against_the_asymptotic_worst_case():
    # All balls one colour: regret = log2 Γ(n + k/2)Γ(½)/(Γ(k/2)Γ(n + ½)) → (k−1)/2 log2 n + log2(√π/Γ(k/2)).
    for k in (2, 4):
        n = 10**6
        exact = (
            math.lgamma(n + k / 2) + math.lgamma(0.5) - math.lgamma(k / 2) - math.lgamma(n + 0.5)
        ) / math.log(2)
        assert exact == pytest.approx(mixture_code_length([n] + [0] * (k - 1), [0.5] * k), abs=1e-6)
        assert 0.49 < kt_regret_bound(n, k) - exact < 0.51


# --- adaptive Huffman ------------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(st.data(), urn_streams(), st.sampled_from([1, 2, 5, 64]))
def test_adaptive_huffman_round_trip(data, case, every):
    symbols, seq = case
    code = AdaptiveHuffman(symbols, data.draw(priors(symbols)), every=every)
    bits = code.encode(seq)
    assert code.decode(bits, len(seq)) == seq
    assert code.rebuilds(len(seq)) == -(-len(seq) // every)


@settings(max_examples=100)
@given(st.lists(st.integers(1, 50), min_size=1, max_size=9))
def test_count_huffman_is_optimal(weights):
    lengths = count_huffman_lengths(weights)
    assert sum(2.0**-x for x in lengths) <= 1 + 1e-12
    reference = huffman_lengths(Distribution.from_counts({f"s{i}": w for i, w in enumerate(weights)}))
    assert sum(w * x for w, x in zip(weights, lengths)) == sum(w * x for w, x in zip(weights, reference))


def test_adaptive_huffman_rejects_bad_bits():
    code = AdaptiveHuffman(COLOURS, "kt")
    with pytest.raises(DecodeError):
        code.decode("1", 1)
    with pytest.raises(DecodeError, match="bits left"):
        code.decode("0000", 1)
    with pytest.raises(ValueError, match="'every' must be a positive integer"):
        AdaptiveHuffman(COLOURS, every=0)


# --- LZ78 ------------------------------------------------------------------------------------------------


@settings(max_examples=80, deadline=None)
@given(urn_streams(max_len=400))
def test_lz78_round_trip_and_length(case):
    symbols, seq = case
    code = lz78(symbols)
    bits = code.encode(seq)
    assert code.decode(bits, len(seq)) == seq
    phrases = code.phrases(seq)
    width = (len(symbols) - 1).bit_length()
    assert len(bits) == sum((i - 1).bit_length() + width for i in range(1, len(phrases) + 1))
    # Every phrase but possibly the last is new: the phrases of a stream are distinct.
    assert len(set(phrases[:-1])) == len(phrases[:-1])


def test_lz78_is_universal_but_slow():
    # On Australia's box LZ78's bits per ball fall towards H(q) = 1.7497 from above, slowly.
    rng = np.random.default_rng(78)
    seq = [COLOURS[i] for i in rng.choice(4, size=50_000, p=AUSTRALIA.probabilities)]
    code = lz78(COLOURS)
    rates = [len(code.encode(seq[:n])) / n for n in (1_000, 50_000)]
    assert rates[0] > rates[1] > 1.7497
    assert code.decode(code.encode(seq), len(seq)) == seq


def test_lz78_rejects_truncated_bits():
    code = lz78(["a", "b"])
    with pytest.raises(DecodeError, match="the bits end inside phrase"):
        code.decode("01", 3)


@settings(max_examples=40, deadline=None)
@given(urn_streams(max_len=150), st.lists(st.integers(0, 150), max_size=6))
def test_learning_curve_matches_the_model_at_every_checkpoint(case, points):
    symbols, seq = case
    idx = np.array([symbols.index(s) for s in seq], dtype=np.int64)
    at = sorted(min(p, len(seq)) for p in points)
    curve = learning_curve(idx, [0.5] * len(symbols), at)
    for i, t in enumerate(at):
        model = AdaptiveModel(symbols, "kt")
        assert curve.ideal[i] == pytest.approx(model.cost(seq[:t]), abs=1e-9)
        for s in seq[:t]:
            model.update(s)
        assert np.allclose(curve.estimates()[i], model.probabilities().probabilities, atol=1e-15)
        assert (
            0 <= curve.regret[i] + 1e-9 and curve.regret[i] <= kt_regret_bound(t, max(2, len(symbols))) + 1e-9
        )
