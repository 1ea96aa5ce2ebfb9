"""The learning tally (sim.engine.learning) against the pure library, ball by ball and chunk by chunk."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import fitting_model, priors, urn_streams

from coding import (
    AdaptiveHuffman,
    AdaptiveModel,
    Distribution,
    empirical_code_length,
    lz78,
    sequential_probabilities,
)
from coding.adaptive import count_huffman_lengths
from coding.arithmetic import interval_loss
from sim.engine import learning
from sim.engine.learning import AdaptiveHuffmanStream, LearningTally, lz78_bits, snapshot_points
from sim.engine.simulation import checkpoints
from tests.sim.engine.test_stream_kernels import cut

cuts = st.lists(st.integers(0, 400), max_size=5)


def _feed(tally: LearningTally, idx: np.ndarray, where: list[int]) -> None:
    for piece in cut(idx, where):
        tally.add(piece)


def _pure_figures(model: AdaptiveModel, q: np.ndarray, seq: list[str]) -> tuple[float, float, float, float]:
    """(ideal, ε, Σ H(q, p̂_t), Σ Var_q(−log2 p̂_t)) by the pure model, one ball at a time."""
    m = model.fresh()
    ideal = eps = mean = var = 0.0
    for s in seq:
        f = np.array(m.frequencies, dtype=float)
        total = f.sum()
        cost = np.log2(total / f)
        j = m.symbols.index(s)
        ideal += cost[j]
        eps += interval_loss(int(total), int(f[j]))
        mu = float(q @ cost)
        mean += mu
        var += float(q @ (cost - mu) ** 2)
        m.update(s)
    return ideal, eps, mean, var


@settings(max_examples=40, deadline=None)
@given(st.data(), urn_streams(max_len=400), st.sampled_from([6, 24]), cuts)
def test_tally_matches_the_pure_model_ball_by_ball_and_chunk_by_chunk(data, case, precision, where):
    symbols, seq = case
    model = fitting_model(symbols, data.draw(priors(symbols)), precision)
    q = np.asarray(data.draw(st.lists(st.floats(0.01, 1), min_size=len(symbols), max_size=len(symbols))))
    q = q / q.sum()
    idx = np.array([symbols.index(s) for s in seq], dtype=np.int64)
    points = checkpoints(max(len(seq), 1))
    whole = LearningTally(model, q, points, len(seq))
    whole.add(idx)
    cut_up = LearningTally(model, q, points, len(seq))
    _feed(cut_up, idx, where)
    # The chunks never change a figure.
    for a, b in [(whole.rows, cut_up.rows), (whole.lz_rows, cut_up.lz_rows)]:
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(whole.snapshot_counts, cut_up.snapshot_counts)
    ideal, eps, mean, var = _pure_figures(model, q, seq)
    assert whole.ideal == pytest.approx(ideal, rel=1e-9, abs=1e-9)
    assert whole.epsilon == pytest.approx(eps, rel=1e-6, abs=1e-12)
    assert whole.expected == pytest.approx(mean, rel=1e-9, abs=1e-9)
    assert whole.variance == pytest.approx(var, rel=1e-6, abs=1e-9)
    assert whole.rescales == model.fresh().rescales + _rescales(model, seq)
    # Without a rescale the running ideal is the Dirichlet mixture's, ball by ball.
    if whole.rescales == 0 and seq:
        running = np.cumsum(-np.log2(sequential_probabilities(idx, model.pseudo_counts)))
        reached = points[points <= len(seq)]
        np.testing.assert_allclose(whole.rows[: reached.size, 0], running[reached - 1], rtol=1e-9)
    # The best fixed model's bill and LZ78's pairs at every checkpoint reached.
    for row, n in zip(whole.rows, points):
        if n <= len(seq):
            counts = np.bincount(idx[:n], minlength=len(symbols))
            assert row[4] == pytest.approx(empirical_code_length(counts), abs=1e-9)
    for (pairs, covered), n in zip(whole.lz_rows, points):
        if n <= len(seq):
            assert covered == n
            assert lz78_bits(int(pairs), len(symbols)) == len(lz78(symbols).encode(seq[:n]))


def _rescales(model: AdaptiveModel, seq: list[str]) -> int:
    m = model.fresh()
    for s in seq:
        m.update(s)
    return m.rescales


@settings(max_examples=30, deadline=None)
@given(urn_streams(max_len=300), st.sampled_from([1, 3, 64]), cuts)
def test_adaptive_huffman_marks_and_expected_cost_match_the_pure_code(case, every, where):
    symbols, seq = case
    code = AdaptiveHuffman(symbols, "kt", every)
    idx = np.array([symbols.index(s) for s in seq], dtype=np.int64)
    stream = AdaptiveHuffmanStream(code)
    marks = [stream.encode_marked(piece)[2] for piece in cut(idx, where)]
    per_ball = np.concatenate([np.diff(m, prepend=0) for m in marks]) if marks else np.zeros(0)
    # Each ball carries its own codeword: the pure code's, rebuilt every m balls.
    model, lengths, expected = code.model.fresh(), [], []
    q = np.full(len(symbols), 1 / len(symbols))
    for t, s in enumerate(seq):
        if t % every == 0:
            current = count_huffman_lengths(model.frequencies)
        lengths.append(current[symbols.index(s)])
        expected.append(float(q @ np.array(current)))
        model.update(s)
    assert per_ball.tolist() == lengths and sum(lengths) == len(code.encode(seq))
    tally = LearningTally(code, q, checkpoints(max(len(seq), 1)), len(seq))
    _feed(tally, idx, where)
    assert tally.expected == pytest.approx(sum(expected), abs=1e-9)
    assert tally.rebuilds == code.rebuilds(len(seq)) == stream.rebuilds


def test_lz78_stops_growing_its_dictionary_at_the_cap_and_says_how_far_it_got(monkeypatch):
    monkeypatch.setattr(learning, "LZ78_PHRASES", 8)
    rng = np.random.default_rng(7)
    idx = rng.integers(0, 4, 500)
    seq = [str(i) for i in idx]
    tally = LearningTally(AdaptiveModel(["0", "1", "2", "3"], "kt"), np.full(4, 0.25), np.array([500]), 500)
    tally.add(idx)
    covered = tally.lz78_balls
    assert 8 <= covered < 500
    assert lz78_bits(tally.lz78_pairs, 4) == len(lz78(["0", "1", "2", "3"]).encode(seq[:covered]))


def test_lz78_bits_count_each_pointer_in_ceil_log2_i_bits():
    for pairs in range(0, 40):
        assert lz78_bits(pairs, 5) == sum((i - 1).bit_length() + 3 for i in range(1, pairs + 1))


def test_snapshots_are_the_last_checkpoint_of_each_decade():
    assert snapshot_points(np.array([1, 2, 9, 10, 50, 99, 100, 250])).tolist() == [9, 99, 250]


def test_a_rescaled_model_is_tallied_with_the_counts_actually_used():
    """Precision 6: the counts are halved again and again; the tally follows the coder's counts."""
    model = AdaptiveModel(["a", "b", "c"], "laplace", precision=6)
    rng = np.random.default_rng(3)
    idx = rng.choice(3, size=2000, p=[0.6, 0.3, 0.1])
    tally = LearningTally(model, np.array([0.6, 0.3, 0.1]), np.array([2000]), 2000)
    tally.add(idx)
    seq = ["abc"[i] for i in idx]
    assert tally.rescales == _rescales(model, seq) > 10
    assert tally.ideal == pytest.approx(model.cost(seq), rel=1e-12)
    assert len(model.encode(seq)) <= model.bound(seq)
    assert tally.ideal + tally.epsilon + 1 == pytest.approx(model.bound(seq), rel=1e-9)
    assert Distribution.from_counts(dict(zip("abc", tally.counts.tolist()))).symbols == ("a", "b", "c")
