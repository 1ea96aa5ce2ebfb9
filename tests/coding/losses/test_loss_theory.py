"""coding.losses against the telegraph's theory, and its error messages.

The goldens (test_loss_goldens.py) pin the frameworks' numbers; these tests
pin what the numbers mean: each loss, in bits, is the cross entropy or the
KL divergence of ``coding.measures``, and the mean loss of a run of balls is
the ideal code's bill for them.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import distribution_pairs, distributions, symbol_sequences

from coding import Distribution, cross_entropy, entropy, kl_divergence
from coding.losses import keras, nats_to_bits, pytorch, telegraph_bill

LN2 = math.log(2)
INDIA = Distribution.from_counts({"blue": 25, "red": 50, "green": 13, "yellow": 12})
AUSTRALIA = Distribution.from_counts({"blue": 13, "red": 25, "green": 50, "yellow": 12})
AUSTRALIA_BOX = ["blue"] * 13 + ["red"] * 25 + ["green"] * 50 + ["yellow"] * 12


def _log(p: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.log(p)


# --- the losses are the telegraph's terms ------------------------------------------


@given(distribution_pairs(allow_zero=False, shuffle=False))
def test_cross_entropy_loss_in_bits_is_the_cross_entropy(pair):
    truth, model = pair
    q, p = truth.probabilities, model.probabilities
    nats = pytorch.cross_entropy([_log(p) + 3.0], [q])  # logits: log p shifted, softmax is unchanged
    assert nats_to_bits(nats) == pytest.approx(cross_entropy(q, p), rel=1e-12, abs=1e-12)
    # Keras clips p to [1e-7, 1 − 1e-7] first: a certain colour still costs −log2(1 − 1e-7) bits.
    keras_nats = keras.CategoricalCrossentropy(dtype="float64", reduction="sum")([q], [p])
    clipped = -np.sum(q * np.log2(np.clip(p, keras.EPSILON, 1 - keras.EPSILON)))
    assert nats_to_bits(keras_nats) == pytest.approx(clipped, rel=1e-12, abs=1e-15)
    assert abs(clipped - cross_entropy(q, p)) < 2e-7


@given(distribution_pairs(shuffle=False))
def test_kl_div_batchmean_in_bits_is_the_kl_divergence(pair):
    truth, model = pair
    q, p = truth.probabilities, model.probabilities
    expected = kl_divergence(q, p)
    got = nats_to_bits(pytorch.kl_div([_log(p)], [q], reduction="batchmean"))
    if np.any((q == 0) & (p == 0)):  # torch computes 0·(−inf) = NaN where the telegraph has 0·log 0 = 0
        assert math.isnan(got)
    elif math.isinf(expected):  # a ball the model calls impossible
        assert got == math.inf
    else:
        assert got == pytest.approx(expected, rel=1e-9, abs=1e-12)
        # The same through log_target, and 'mean' divides by the number of elements instead.
        log_q = np.where(q > 0, _log(q), -1e300)
        got_log = nats_to_bits(pytorch.kl_div([_log(p)], [log_q], reduction="batchmean", log_target=True))
        assert got_log == pytest.approx(expected, rel=1e-9, abs=1e-12)
        mean = nats_to_bits(pytorch.kl_div([_log(p)], [q]))
        assert mean == pytest.approx(expected / q.size, rel=1e-9, abs=1e-12)


@given(distributions(allow_zero=False), st.integers(0, 2**32 - 1))
def test_nll_of_log_softmax_is_cross_entropy_of_logits(model, seed):
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(7, model.probabilities.size))
    target = rng.integers(0, model.probabilities.size, size=7)
    log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    assert pytorch.nll_loss(log_p, target) == pytest.approx(pytorch.cross_entropy(logits, target), rel=1e-12)
    # Keras's sparse loss on the same logits is the same number.
    sparse = keras.SparseCategoricalCrossentropy(from_logits=True, dtype="float64", reduction="sum")
    assert sparse(target, logits) / 7 == pytest.approx(pytorch.cross_entropy(logits, target), rel=1e-12)


@given(st.floats(-8, 8), st.floats(0, 1))
def test_binary_losses_agree_with_each_other(logit, q):
    # Moderate logits only: past |x| ≈ 10, 1 − σ(x) loses digits in float64, which is
    # why the _with_logits loss exists.
    p = 1 / (1 + math.exp(-logit))
    with_logits = pytorch.binary_cross_entropy_with_logits([logit], [q])
    assert pytorch.binary_cross_entropy([p], [q]) == pytest.approx(with_logits, rel=1e-9, abs=1e-12)
    # Both are the two-colour cross entropy of (q, 1 − q) against (p, 1 − p), in nats.
    two = cross_entropy([q, 1 - q], [p, 1 - p], base="e")
    assert with_logits == pytest.approx(two, rel=1e-9, abs=1e-12)


def test_label_smoothing_is_a_mixture_with_the_uniform_distribution():
    logits = np.array([[0.2, 1.1, -0.3, -0.4], [2.0, 0.0, 0.0, -1.0]])
    target = np.array([1, 0])
    eps = 0.25
    smoothed = (1 - eps) * np.eye(4)[target] + eps / 4
    assert pytorch.cross_entropy(logits, target, label_smoothing=eps) == pytest.approx(
        pytorch.cross_entropy(logits, smoothed), rel=1e-12
    )


def test_weighted_mean_divides_by_the_weights_of_the_targets():
    logits = np.array([[0.0, 1.0], [1.0, 0.0], [0.5, 0.5]])
    target = np.array([0, 1, -100])
    weight = np.array([2.0, 3.0])
    per = pytorch.cross_entropy(logits, target, weight, reduction="none")
    assert per[2] == 0.0
    assert pytorch.cross_entropy(logits, target, weight) == pytest.approx(per.sum() / 5.0, rel=1e-15)


def test_float32_in_float32_out_and_lists_in_float64():
    x32 = np.array([[0.1, 0.2, 0.7]], dtype=np.float32)
    assert pytorch.kl_div(np.log(x32), x32, reduction="none").dtype == np.float32
    assert pytorch.kl_div(np.log([[0.1, 0.2, 0.7]]), [[0.1, 0.2, 0.7]], reduction="none").dtype == np.float64
    assert keras.KLDivergence(reduction="none")([[0.1, 0.9]], [[0.2, 0.8]]).dtype == np.float32


# --- the bill ---------------------------------------------------------------------


def test_the_article_bill_is_2_3488_bits():
    bill = telegraph_bill(AUSTRALIA_BOX, INDIA)
    assert bill.balls == 100
    assert round(bill.loss_bits, 4) == round(bill.code_bits_per_ball, 4) == 2.3488
    assert bill.loss_bits == pytest.approx(cross_entropy(AUSTRALIA, INDIA), rel=1e-12)
    assert bill.entropy == pytest.approx(entropy(AUSTRALIA), rel=1e-12)
    assert bill.kl_divergence == pytest.approx(kl_divergence(AUSTRALIA, INDIA), rel=1e-12)
    assert bill.loss_nats == pytest.approx(bill.loss_bits * LN2, rel=1e-15)
    # India's own balls with India's model: the bill falls to the entropy, the KL to 0.
    own = telegraph_bill(["blue"] * 25 + ["red"] * 50 + ["green"] * 13 + ["yellow"] * 12, INDIA)
    assert own.loss_bits == pytest.approx(entropy(INDIA), rel=1e-12) and own.kl_divergence == 0.0


@given(
    distributions(allow_zero=False, min_size=2).flatmap(
        lambda d: st.tuples(st.just(d), symbol_sequences(d.symbols, 1, 40))
    )
)
def test_mean_loss_in_bits_is_the_ideal_codes_bits_per_ball(model_and_balls):
    model, balls = model_and_balls
    bill = telegraph_bill(balls, model)
    assert bill.loss_bits == pytest.approx(bill.code_bits_per_ball, rel=1e-12, abs=1e-12)
    assert bill.cross_entropy == pytest.approx(bill.entropy + bill.kl_divergence, rel=1e-12, abs=1e-12)
    assert bill.loss_bits == pytest.approx(bill.cross_entropy, rel=1e-12, abs=1e-12)


def test_a_ball_the_model_calls_impossible_costs_inf():
    bill = telegraph_bill(["blue", "red"], {"blue": 1.0, "red": 0.0})
    assert bill.loss_bits == bill.code_bits_per_ball == bill.cross_entropy == math.inf


# --- errors name the argument -------------------------------------------------------


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: pytorch.cross_entropy([[0.0, 1.0]], [2]), "'target' has class index 2 out of range 0..1"),
        (
            lambda: pytorch.cross_entropy([[0.0, 1.0]], [0.5]),
            "'target' must be an array of integer class indices",
        ),
        (
            lambda: pytorch.cross_entropy([[0.0, 1.0]], [0, 1]),
            "'target' of class indices must have shape (1,)",
        ),
        (lambda: pytorch.cross_entropy([[0.0, 1.0]], [0], [1.0]), "'weight' must have one entry per class"),
        (
            lambda: pytorch.cross_entropy([[0.0, 1.0]], [0], label_smoothing=1.5),
            "'label_smoothing' must be between 0 and 1",
        ),
        (lambda: pytorch.cross_entropy([[0.0, 1.0]], [0], reduction="avg"), "'reduction' must be one of"),
        (lambda: pytorch.nll_loss(1.0, 0), "'input' must have a class axis"),
        (
            lambda: pytorch.cross_entropy([[0.0, 1.0]], [[0.5, 0.5]], ignore_index=1),
            "'ignore_index' does not apply",
        ),
        (lambda: pytorch.kl_div([0.0, 0.0], [0.5, 0.5, 0.0]), "do not broadcast"),
        (lambda: pytorch.binary_cross_entropy([1.2], [1.0]), "probabilities between 0 and 1"),
        (lambda: pytorch.binary_cross_entropy([0.2], [1.0, 0.0]), "'target' must have the shape of 'input'"),
        (
            lambda: pytorch.binary_cross_entropy_with_logits(
                [[0.2, 0.1]], [[1.0, 0.0]], pos_weight=[1.0, 2.0, 3.0]
            ),
            "'pos_weight'",
        ),
        (
            lambda: pytorch.binary_cross_entropy([0.2], [1.0], weight=[1.0, 2.0]),
            "'weight' (2,) does not broadcast",
        ),
        (lambda: pytorch.cross_entropy([["a", "b"]], [0]), "'input' must be an array of numbers"),
        (lambda: keras.CategoricalCrossentropy(reduction="avg"), "'reduction' must be one of"),
        (lambda: keras.CategoricalCrossentropy(dtype="float16"), "'dtype' must be one of"),
        (
            lambda: keras.CategoricalCrossentropy()([[0.0, 1.0]], [[0.5, 0.3, 0.2]]),
            "must have the same shape",
        ),
        (lambda: keras.SparseCategoricalCrossentropy()([3], [[0.5, 0.5]]), "'y_true' has class index 3"),
        (lambda: keras.SparseCategoricalCrossentropy()([[0, 1]], [[0.5, 0.5]]), "without its class axis"),
        (lambda: keras.BinaryCrossentropy(label_smoothing=-0.1), "'label_smoothing' must be between 0 and 1"),
        (lambda: keras.BinaryCrossentropy(axis=True), "'axis' must be an integer"),
        (
            lambda: keras.KLDivergence()([[0.5, 0.5]] * 2, [[0.5, 0.5]] * 2, sample_weight=[1.0, 2.0, 3.0]),
            "sample_weight",
        ),
        (lambda: telegraph_bill(["blue", "pink"], INDIA), "'balls'[1] is 'pink'"),
        (lambda: telegraph_bill([], INDIA), "'balls' must not be empty"),
    ],
)
def test_bad_input_is_named(call, message):
    with pytest.raises((ValueError, TypeError)) as info:
        call()
    assert message in str(info.value)
