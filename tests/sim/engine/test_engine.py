"""The engine against theory (issue 3). All runs are seeded."""

from __future__ import annotations

import math

import numpy as np
import pytest

from coding import Code
from sim.engine.simulation import checkpoints, run
from sim.model.records import Arrivals, Line, Link, Urn
from tests.sim.links import AUSTRALIA, CABLE, fixed_link, huffman_link, poisson, scenario


def checks_of(link):
    return {c.name: c for c in link.checks}


def test_india_huffman_converges_to_175_and_all_checks_pass():
    link = run(scenario(huffman_link()), messages=100_000).links[0]
    assert abs(link.bits_per_message - 1.75) <= 4 * link.std_error
    assert link.lossless and link.mismatches == 0
    assert link.theory.expected_length == 1.75
    assert round(link.theory.entropy, 4) == 1.7497
    assert set(checks_of(link)) >= {"bits_per_message", "entropy_bound", "huffman_bound", "lossless"}
    # The length identity is algebra: a theory line, not a check of the run.
    assert "length_identity" not in checks_of(link)
    assert link.all_passed, [c for c in link.checks if not c.passed]
    # The check uses the theoretical standard error σ_l/√n; the sample one is for display.
    assert link.theory_std_error == pytest.approx(math.sqrt(0.6875 / 100_000))
    assert link.std_error == pytest.approx(link.theory_std_error, rel=0.05)


def test_fixed_length_code_costs_exactly_two_bits():
    link = run(scenario(fixed_link()), messages=100_000).links[0]
    assert link.bits == 200_000
    assert link.bits_per_message == 2.0
    assert link.std_error == 0.0
    assert link.all_passed


def test_australia_with_india_code_pays_the_cross_entropy_price():
    link = run(scenario(huffman_link("aus", urn=AUSTRALIA)), messages=100_000).links[0]
    t = link.theory
    assert t.expected_length == pytest.approx(2.37, abs=1e-12)
    assert round(t.entropy, 4) == 1.7497
    assert round(t.cross_entropy, 4) == 2.3488
    assert round(t.kl_divergence, 4) == 0.5991
    assert abs(link.bits_per_message - 2.37) <= 4 * link.std_error
    # Huffman's bound is about the distribution it was built for, not Australia's.
    assert "huffman_bound" not in checks_of(link)
    assert link.all_passed


@pytest.mark.parametrize("seed", [1, 2, 1948])
def test_poisson_queue_matches_pollaczek_khinchine(seed):
    # Huffman at 1.75 bits/message on a 20-baud line: ρ = 9.2 · 1.75 / 20 = 0.805.
    line = Line("slow", baud=20.0)
    sc = scenario(huffman_link(line=line, arrivals=poisson(9.2)))
    link = run(sc, messages=200_000, seed=seed).links[0]
    rho = link.theory.utilisation
    assert rho == pytest.approx(0.805)
    pk = link.theory.pk_mean_wait
    # Independent PK: E[S²] from the lengths 1, 2, 3 with probabilities .5, .25, .25.
    es2 = (0.5 * 1 + 0.25 * 4 + 0.25 * 9) / 20**2
    assert pk == pytest.approx(9.2 * es2 / (2 * (1 - rho)))
    # Seed-independent: within 6 batch-means standard errors (the check itself allows about 3.6),
    # and the warm-up deleted is 3 relaxation times of the queue.
    s = link.line
    assert s.wait_batches == 32 and s.wait_warm_up >= 3 * link.theory.relaxation_time
    assert abs(s.steady_mean_wait - pk) <= 6 * s.wait_std_error
    assert abs(s.utilisation - rho) <= 6 * rho * math.sqrt((0.6875 / 1.75**2 + 1) / 200_000) + 0.001
    assert checks_of(link)["pollaczek_khinchine"].verdict != "fail"
    assert checks_of(link)["utilisation"].verdict != "fail"


@pytest.mark.parametrize("telegram", [1, 3])
def test_chunk_size_never_changes_results(telegram):
    links = (
        huffman_link(line=Line("slow", 20.0, 0.05), arrivals=poisson(9.0), telegram=telegram),
        fixed_link(arrivals=Arrivals("fixed", every=0.05), telegram=telegram),
        huffman_link("b2b", telegram=telegram),
    )
    small = run(scenario(*links), messages=6_000, chunk=1)
    big = run(scenario(*links), messages=6_000, chunk=65536)
    odd = run(scenario(*links), messages=6_000, chunk=997)
    for a, b, c in zip(small.links, big.links, odd.links):
        assert a.bits == b.bits == c.bits
        assert a.trace == b.trace == c.trace
        assert a.line.telegrams == b.line.telegrams == c.line.telegrams
        fields = ("mean_wait", "mean_delay", "busy_time", "duration", "max_wait", "p95_wait")
        fields += ("steady_mean_wait", "wait_std_error", "arrival_span")
        for field in fields:
            x, y, z = (getattr(r.line, field) for r in (a, b, c))
            assert x == pytest.approx(y, rel=1e-9, abs=1e-12, nan_ok=True), field
            assert z == pytest.approx(y, rel=1e-9, abs=1e-12, nan_ok=True), field
        assert (
            [ch.verdict for ch in a.checks]
            == [ch.verdict for ch in b.checks]
            == [ch.verdict for ch in c.checks]
        )
    # With one message a telegram the Poisson link is long enough for its wait to be judged.
    if telegram == 1:
        assert math.isfinite(small.links[0].line.wait_std_error) and small.links[0].line.wait_batches >= 10


def test_same_seed_same_numbers_and_links_are_independent():
    one = run(scenario(huffman_link(arrivals=poisson(20.0))), messages=5_000)
    again = run(scenario(huffman_link(arrivals=poisson(20.0))), messages=5_000)
    two = run(scenario(huffman_link(arrivals=poisson(20.0)), fixed_link()), messages=5_000)
    other = run(scenario(huffman_link(arrivals=poisson(20.0))), messages=5_000, seed=7)
    assert one.links[0] == again.links[0]
    assert two.links[0] == one.links[0]
    assert other.links[0].bits != one.links[0].bits


@pytest.mark.parametrize("seed", [3, 1948])
def test_huffman_link_is_less_busy_and_waits_less_than_fixed(seed):
    # The busy telegraph office: Poisson streams of the same rate on the same kind of line.
    line = Line("office", baud=20.0)
    res = run(
        scenario(
            huffman_link(line=line, arrivals=poisson(9.0)), fixed_link(line=line, arrivals=poisson(9.0))
        ),
        messages=50_000,
        seed=seed,
    )
    huff, fixed = res.links
    assert huff.line.utilisation < fixed.line.utilisation
    assert huff.line.mean_wait < fixed.line.mean_wait
    assert huff.line.p95_wait < fixed.line.p95_wait
    assert fixed.theory.utilisation == pytest.approx(0.9)
    # No check FAILs; the queue checks may be judged or, for too short a run, inconclusive.
    assert not huff.failed and not fixed.failed, huff.failed + fixed.failed


def test_without_replacement_the_box_empties_and_says_so():
    link = run(scenario(huffman_link(replacement=False)), messages=150).links[0]
    assert link.messages == 100 and link.urn_exhausted
    # Every ball drawn once: 25·2 + 50·1 + 13·3 + 12·3 = 175 bits exactly.
    assert link.bits == 175 and link.bits_per_message == 1.75
    assert link.trace.messages[-1] == 100 and link.trace.mean[-1] == 1.75  # the trace ends where the box did
    assert link.lossless
    # A whole-box draw is deterministic: standard error 0, and the bits check is exact.
    assert link.std_error == 0.0 and link.theory_std_error == 0.0 and link.trace.std_error[-1] == 0.0
    bits = checks_of(link)["bits_per_message"]
    assert bits.verdict == "pass" and bits.false_alarm == 0.0 and "exact" in bits.detail
    # The theory line for the whole draw: log2(100!/(25! 50! 13! 12!)) / 100 bits per ball, below H.
    whole = (math.lgamma(101) - sum(math.lgamma(c + 1) for c in (25, 50, 13, 12))) / (100 * math.log(2))
    assert link.theory.whole_draw_per_ball == pytest.approx(whole) and whole < link.theory.entropy
    assert "not an i.i.d. source" in checks_of(link)["entropy_bound"].detail
    full = run(scenario(huffman_link(replacement=False)), messages=60).links[0]
    assert full.messages == 60 and not full.urn_exhausted
    # Part of the box: the finite-population factor √((N − n)/(N − 1)) shrinks the standard error.
    assert full.theory_std_error == pytest.approx(math.sqrt(0.6875 / 60 * 40 / 99))


def test_telegrams_and_tariff():
    link = run(scenario(huffman_link(telegram=4)), messages=1_001).links[0]
    assert link.line.telegrams == 251  # 250 full telegrams and one of a single message
    assert link.line.cost == pytest.approx(0.01 * link.bits + 0.5 * 251)


def test_back_to_back_line_never_idles():
    link = run(scenario(huffman_link()), messages=10_000).links[0]
    assert link.line.utilisation == pytest.approx(1.0)
    assert link.line.mean_wait == 0.0
    assert link.line.duration == pytest.approx(link.bits / CABLE.baud + CABLE.latency)
    assert link.theory.utilisation is None


def test_fixed_interval_without_queueing_has_exact_delays():
    # One message every second on a 50-baud line: never a queue.
    link = run(scenario(huffman_link(arrivals=Arrivals("fixed", every=1.0))), messages=2_000).links[0]
    assert link.line.mean_wait == 0.0 and link.line.max_wait == 0.0
    assert link.line.mean_delay == pytest.approx(link.bits_per_message / 50 + 0.1)
    assert link.line.utilisation == pytest.approx(link.bits_per_message / 50, rel=1e-3)


def test_overloaded_line_fails_the_stability_check_but_runs():
    link = run(scenario(fixed_link(line=Line("thin", 10.0), arrivals=poisson(6.0))), messages=2_000).links[0]
    check = checks_of(link)["stable_line"]
    assert not check.passed and "1.2" in check.detail
    assert "pollaczek_khinchine" not in checks_of(link)


def test_code_covering_zero_count_colours_in_its_own_order():
    # The code lists its symbols in another order than the urn, and two colours have no balls.
    code = Code({"violet": "111", "blue": "0", "red": "10", "green": "110"})
    with pytest.raises(ValueError, match="codewords for 'violet', which the urn lacks"):
        Link("x", Urn("two", {"blue": 3, "red": 1, "green": 0}), "table", "table", code, CABLE)
    urn = Urn("two", {"blue": 3, "red": 1, "green": 0, "violet": 0})
    link = Link("x", urn, "table", "table", code, CABLE)
    res = run(scenario(link), messages=20_000).links[0]
    assert res.theory.expected_length == pytest.approx(0.75 * 1 + 0.25 * 2)
    assert res.all_passed
    assert math.isfinite(res.theory.cross_entropy)


def test_trace_checkpoints_are_log_spaced_and_end_at_n():
    pts = checkpoints(100_000)
    assert pts[0] == 1 and pts[-1] == 100_000
    assert np.all(np.diff(pts) > 0)
    assert 90 <= pts.size <= 110  # about 20 a decade
    link = run(scenario(huffman_link()), messages=100_000).links[0]
    assert link.trace.messages[-1] == 100_000
    assert link.trace.mean[-1] == link.bits_per_message
    assert link.trace.std_error[-1] == pytest.approx(link.std_error)


def test_link_results_feed_summary_round_trip():
    from sim.model.results import RunResult, traces_from_csv, traces_to_csv

    res = run(scenario(huffman_link(arrivals=poisson(20.0)), fixed_link()), messages=3_000)
    back = RunResult.from_dict(res.to_dict(), traces_from_csv(traces_to_csv(res)))
    assert back == res


def test_single_colour_urn_passes_the_huffman_bound_at_its_edge():
    from coding import huffman

    urn = Urn("mono", {"red": 7})
    code = huffman(urn.distribution)
    link = Link("mono", urn, "huffman", "huffman", code, CABLE, built_for="mono", assumed=urn.distribution)
    res = run(scenario(link), messages=500).links[0]
    assert res.theory.entropy == 0.0 and res.bits_per_message == 1.0
    assert {c.name: c.passed for c in res.checks}["huffman_bound"]
    assert res.all_passed


def test_table_code_may_leave_out_a_colour_with_no_balls():
    urn = Urn("u", {"a": 5, "b": 5, "c": 0})
    link = Link("t", urn, "t", "table", Code({"a": "0", "b": "1"}), CABLE)
    res = run(scenario(link), messages=2_000).links[0]
    assert res.theory.expected_length == 1.0 and res.bits == 2_000
    assert res.lossless and res.all_passed


def test_deterministic_queue_passes_the_utilisation_check():
    # Fixed code, one message a second on a 4-baud line: ρ = 0.5 with no randomness at all;
    # the measured busy fraction 100·0.5 / (99 + 0.5) differs from ρ only by the run's ends.
    line = Line("four", baud=4.0)
    res = run(scenario(fixed_link(line=line, arrivals=Arrivals("fixed", every=1.0))), messages=100).links[0]
    assert res.line.utilisation == pytest.approx(50 / 99.5)
    assert {c.name: c.passed for c in res.checks}["utilisation"]
    assert res.all_passed


@pytest.mark.parametrize("replacement", [True, False])
def test_a_box_of_quadrillions_of_balls_draws_in_proportion_without_a_ball_table(replacement):
    urn = Urn("huge", {"blue": 10**15, "red": 3 * 10**15})
    code = Code({"blue": "0", "red": "10"})  # 1 bit + 1 more for red: L = 1.75
    link = Link("h", urn, "t", "table", code, CABLE, replacement=replacement)
    res = run(scenario(link), messages=40_000).links[0]
    assert res.theory.expected_length == 1.75
    assert abs(res.bits_per_message - 1.75) <= 4 * math.sqrt(0.75 * 0.25 / 40_000)
    assert res.all_passed and not res.urn_exhausted
    from sim.engine.urn import UrnSampler

    sampler = UrnSampler(urn, np.random.default_rng(3), replacement)
    sampler.draw(40_000)
    assert sampler.remaining == (None if replacement else 4 * 10**15 - 40_000)
