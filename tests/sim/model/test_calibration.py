"""Calibrated checks (issue 9): a fast seeded subset of benchmarks/calibration.py, the statistics
behind the checks, three verdicts, and the reproducers that once FAILed on correct runs."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import numpy as np
import pytest

from coding import huffman
from sim.engine import simulation as engine
from sim.model.records import Arrivals, Line, Link, Urn
from sim.model.results import Check, RunResult
from sim.model.stats import (
    ALPHA,
    batch_means,
    bernstein_threshold,
    min_batch_telegrams,
    relaxation_time,
    t_quantile,
    t_tail,
)
from sim.model.theory import whole_draw_per_ball
from sim.scenario import loader as scenario
from tests.sim.links import scenario as make_scenario

ROOT = Path(__file__).resolve().parents[3]


def _calibration():
    spec = importlib.util.spec_from_file_location("calibration", ROOT / "benchmarks" / "calibration.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["calibration"] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


cal = _calibration()


# -- the fast calibration subset --------------------------------------------------------------


def test_no_false_fail_on_the_edge_cases_over_seeds():
    # 40 seeds of the hardest correct cases: heavy traffic short and long, a rare colour, tiny
    # boxes without replacement. Stated rates are ≤ 1 %, so over these few hundred verdicts a
    # FAIL would be a regression (each row is also held to its stated rate by a binomial tail).
    rare = Urn("rare", {"common": 998, "rare1": 1, "rare2": 1})
    tiny = Urn("tiny", {"a": 1, "b": 2, "c": 1})
    office = Line("office", 20.0)
    cases = [
        cal.Case("busy office 1 000", scenario.load("busy_telegraph_office"), 1_000),
        cal.Case("ρ 0.95, 10^3", cal._sc(cal.queue_link(0.95)), 1_000),
        cal.Case("ρ 0.95, 10^5", cal._sc(cal.queue_link(0.95)), 100_000),
        cal.Case("rare 30", cal._sc(cal._link("rare", rare, "huffman", office)), 30),
        cal.Case(
            "tiny whole box",
            cal._sc(
                cal._link(
                    "t", tiny, "huffman", office, replacement=False, arrivals=Arrivals("poisson", rate=8.0)
                )
            ),
            4,
        ),
    ]
    rows = cal.calibrate(cases, range(1, 41))
    assert {r.check for r in rows} >= {"bits_per_message", "utilisation", "pollaczek_khinchine"}
    fails = [(r.case, r.check, r.fail) for r in rows if r.fail]
    assert fails == []
    for r in rows:
        assert r.stated is not None and r.stated <= 0.01, (r.case, r.check)
    pk = {r.case: r for r in rows if r.check == "pollaczek_khinchine"}
    assert pk["ρ 0.95, 10^3"].inconclusive == 40  # too short to judge: inconclusive, not FAIL
    assert pk["ρ 0.95, 10^5"].inconclusive == 0  # long enough: judged
    whole = next(r for r in rows if r.case == "tiny whole box" and r.check == "bits_per_message")
    assert whole.stated == 0.0 and whole.inconclusive == 0  # a whole-box draw is exact


def test_checks_notice_broken_truth():
    link = cal.queue_link(0.9)
    cases = [c for c in cal.power_cases(100_000) if c.label.startswith("ρ = 0.9 huffman")]
    assert {c.broken for c in cases} == {"length", "service"}
    rows = cal.calibrate(cases, range(1, 11))
    assert {r.check for r in rows} == {"bits_per_message", "utilisation", "pollaczek_khinchine"}
    for r in rows:
        assert r.fail >= 9, (r.case, r.check, r.fail)  # power ≥ 90 % at 10^5 messages
    assert link.arrivals.rate == pytest.approx(0.9 * 20 / 1.75)


SHARED_WAITS = {"mixed_pollaczek_khinchine", "cobham_priority"}


def test_shared_wait_checks_hold_their_stated_rate_over_seeds():
    # The telegraph office's wait checks (issue 10) over 40 seeds: shared_office at 10^4 messages
    # (every link judged: 240 verdicts), heavy traffic too short to judge, and the two offices
    # FIFO and with priorities at a moderate load. FAILs at the stated 1 % are expected now and
    # then, so each row is held to it by the binomial tail, not to zero FAILs.
    cases = [
        cal.Case("office 10^4", scenario.load("shared_office"), 10_000),
        cal.Case("FIFO ρ 0.95, 10^3", cal._sc(*cal.shared_links(0.95)), 1_000),
        cal.Case("FIFO ρ 0.7, 10^4", cal._sc(*cal.shared_links(0.7)), 10_000),
        cal.Case("priority ρ 0.7, 10^4", cal._sc(*cal.shared_links(0.7, priority=True)), 10_000),
    ]
    rows = {(r.case, r.check): r for r in cal.calibrate(cases, range(1, 41))}
    assert {check for _, check in rows} >= SHARED_WAITS | {"utilisation", "stable_line"}
    for (case, check), r in rows.items():
        assert r.stated is not None and r.stated <= 0.01, (case, check)
        assert r.p_value > 1e-3, (case, check, r.fail, r.runs)  # consistent with the stated rate
        if not r.stated:
            assert r.fail == 0, (case, check)  # exact checks never FAIL a correct run
    for check in SHARED_WAITS:
        office = rows[("office 10^4", check)]
        assert office.inconclusive == 0 and office.runs == 40 * (4 if "mixed" in check else 2)
    short = rows[("FIFO ρ 0.95, 10^3", "mixed_pollaczek_khinchine")]
    assert short.inconclusive == short.runs == 80  # far too few relaxation times: not judged
    assert rows[("priority ρ 0.7, 10^4", "cobham_priority")].runs == 80


def test_shared_checks_notice_a_slow_wire():
    # The wire simulated 5 % slower than theory believes, at 10^5 messages: power ≥ 90 %.
    cases = [c for c in cal.power_cases(100_000) if c.label.startswith("shared") and "0.9" in c.label]
    assert len(cases) == 2 and all(c.broken == "service" for c in cases)
    original = engine.shared_theories
    rows = cal.calibrate(cases, range(1, 11))
    assert engine.shared_theories is original  # the believed wire is undone after each case
    assert {r.check for r in rows} == {"utilisation"} | SHARED_WAITS
    for r in rows:
        assert r.fail >= 0.9 * r.runs, (r.case, r.check, r.fail, r.runs)


ROAD_CHECKS = {"bits_per_message", "entropy_bound", "lossless", "fano_bound", "sfe_bound", "block_bound",
               "tunstall_bound", "arithmetic_bound", "arithmetic_sequence_bound"}  # fmt: skip


def test_road_checks_hold_their_stated_rate_over_seeds():
    # Issue 11's kinds (Fano, SFE, block k = 2–4, Tunstall, arithmetic on its own urn, across urns
    # and on {998, 1, 1}) over 40 seeds at 1,001 and 10,001 messages: odd counts, so a block code's
    # last block is partial. Codes on one urn share its draws, so a rare sample shows in several rows.
    rows = cal.calibrate(cal.road_cases(messages=(1_001, 10_001)), range(1, 41))
    assert len({r.case for r in rows}) == 2 * len(cal.ROAD_CODES) == 22
    assert {r.check for r in rows} == ROAD_CHECKS
    for r in rows:
        assert r.runs == 40 and r.inconclusive == 0, (r.case, r.check)
        if r.check == "bits_per_message":
            assert r.stated == ALPHA and r.p_value > 1e-3, (r.case, r.fail)
        else:
            assert r.stated == 0.0 and r.fail == 0, (r.case, r.check)  # exact checks never FAIL
    assert sum(r.fail for r in rows) <= 2  # 880 verdicts at 0.1 %: more than 2 has probability < 0.1 %
    table = cal.road_table(rows, [], markdown=True).splitlines()  # the README's compact table
    assert table[0].startswith("| code (bits_per_message") and "| 1,001 | 10,001 |" in table[0]
    assert len(table) == 2 + len(cal.ROAD_CODES) + 2 and "0 FAIL" in table[-1]


def test_road_checks_notice_a_length_off_by_one_percent():
    cases = cal.road_power_cases(100_000)
    assert [c.label.split(":")[0] for c in cases] == [k for k in cal.ROAD_CODES if "998" not in k]
    rows = cal.calibrate(cases, range(1, 11))
    assert {r.check for r in rows} == {"bits_per_message"}
    for r in rows:
        assert r.fail >= 9, (r.case, r.fail)  # power ≥ 90 % at 10^5 messages


def test_arithmetic_total_bits_bound_is_exact_and_tight():
    # Σ (−log2 p̂(x_i) + ε(x_i)) + 1 is never exceeded; and it is close: the range coder's flush
    # sends the shortest number in its final interval, so a run sits about a bit and a half below
    # the bound (median), now and then several bits more when a short number happens to fit.
    for label in ("arithmetic", "arithmetic, Australia with India's model", "arithmetic, urn {998, 1, 1}"):
        for n in (100, 10_001):
            slack = sorted(cal.sequence_slack(cal.Case(label, cal.road_scenario(label), n), range(1, 21)))
            assert len(slack) == 20 and 0 <= slack[0] and slack[10] < 2.5, (label, n, slack)


def test_slowed_links_still_share_one_line():
    india, ceylon = cal.slowed(cal.shared_links(0.9, priority=True))
    assert india.line == ceylon.line and india.line.shared
    assert india.line.baud == pytest.approx(20.0 / 1.05)
    assert (india.priority, ceylon.priority) == (1, 0)
    load = (india.arrivals.rate * 1.75 + ceylon.arrivals.rate * 2.0) / 20.0
    assert load == pytest.approx(0.9)


def test_binomial_tail_flags_a_check_that_fails_too_often():
    assert cal.binomial_tail(0, 200, 0.001) == 1.0
    assert cal.binomial_tail(1, 200, 0.001) == pytest.approx(1 - 0.999**200)
    assert cal.binomial_tail(5, 200, 0.001) < 1e-5  # 5 FAILs in 200 at a stated 0.1 %: miscalibrated
    assert cal.Row("c", "x", 200, 5, 0, 0.001).p_value < 1e-5


# -- the reproducers of issue 9 ---------------------------------------------------------------


def test_busy_office_1000_messages_seed_3_no_longer_fails():
    res = engine.run(scenario.load("busy_telegraph_office"), messages=1_000, seed=3)
    fixed = res.link("fixed")
    assert fixed.line.mean_wait < 0.3 < 0.45  # the short run's mean wait is far from W = 0.45 s …
    pk = {c.name: c for c in fixed.checks}["pollaczek_khinchine"]
    assert pk.verdict == "inconclusive" and pk.passed is None  # … and it cannot say so with 1 000
    assert "relaxation times" in pk.detail
    assert all(not link.failed for link in res.links)


@pytest.mark.parametrize("messages", [1_000, 100_000])
def test_rho_095_no_longer_fails(messages):
    for seed in (1, 2, 3):
        res = engine.run(cal._sc(cal.queue_link(0.95)), messages=messages, seed=seed).links[0]
        assert not res.failed, res.failed


def test_rare_colour_bits_check_is_valid_at_any_length():
    # {998, 1, 1}: the sample standard deviation is 0 until a rare colour shows; the check uses
    # the theoretical variance (Bernstein's bound), whose false-alarm rate holds at every n.
    urn = Urn("rare", {"common": 998, "rare1": 1, "rare2": 1})
    link = cal._link("rare", urn, "huffman", Line("l", 50.0))
    res = engine.run(make_scenario(link), messages=30, seed=1).links[0]
    bits = {c.name: c for c in res.checks}["bits_per_message"]
    assert bits.verdict == "pass" and bits.false_alarm == ALPHA
    # Two rare balls in 30 draws (probability ~1.7e-3) must still pass; seven must FAIL
    # (probability ~3e-13 under the truth; Bernstein is conservative, so five or six still pass).
    from sim.model.theory import Measured, checks, link_theory

    m = Measured.of(res)
    theory = link_theory(link)
    two = {c.name: c for c in checks(link, theory, m.__class__(**{**m.__dict__, "bits": 32}))}
    seven = {c.name: c for c in checks(link, theory, m.__class__(**{**m.__dict__, "bits": 37}))}
    assert two["bits_per_message"].verdict == "pass"
    assert seven["bits_per_message"].verdict == "fail"


def test_tunstall_on_a_skewed_urn_is_judged_as_a_renewal_count():
    # Tunstall m = 5 on {998, 1, 1}: words of up to 15 balls, so 100 balls are about 7 words. Seed
    # 666 needs 9 (45 bits), which the normal approximation FAILed; that happens in 0.4 % of
    # correct runs (10^4 seeds), against a stated 0.1 %. As a renewal count bounded by Bernstein
    # it passes, and counts that theory rules out still FAIL.
    from sim.model.theory import Measured, checks, link_theory

    sc = cal.road_scenario("tunstall m = 5, urn {998, 1, 1}")
    res = engine.run(sc, messages=100, seed=666).links[0]
    bits = {c.name: c for c in res.checks}["bits_per_message"]
    assert res.bits == 45 and bits.verdict == "pass" and bits.false_alarm == ALPHA
    assert "9 words of 5 bits" in bits.detail and "allows 2–12 words" in bits.detail
    link, m = sc.links[0], Measured.of(res)
    theory = link_theory(link)
    verdict = {
        words: {c.name: c for c in checks(link, theory, m.__class__(**{**m.__dict__, "bits": 5 * words}))}[
            "bits_per_message"
        ].verdict
        for words in (1, 2, 12, 13)
    }
    assert verdict == {1: "fail", 2: "pass", 12: "pass", 13: "fail"}


# -- the statistics ---------------------------------------------------------------------------


def test_t_quantiles_match_tables():
    # Student's t two-sided critical values (any statistics table).
    assert t_quantile(0.05, 1) == pytest.approx(12.7062, abs=1e-4)
    assert t_quantile(0.05, 10) == pytest.approx(2.2281, abs=1e-4)
    assert t_quantile(0.01, 30) == pytest.approx(2.7500, abs=1e-4)
    assert t_quantile(0.001, 31) == pytest.approx(3.6335, abs=1e-3)
    assert t_quantile(0.001, 10_000) == pytest.approx(3.2905, abs=1e-3)  # → the normal quantile
    assert t_tail(t_quantile(ALPHA, 9), 9) == pytest.approx(ALPHA, rel=1e-9)


def test_bernstein_threshold_bounds_the_tail():
    # The bound at the threshold equals alpha; more draws, more variance, wider range: wider.
    t = bernstein_threshold(1000, 0.5, 1.5)
    assert 2 * math.exp(-(t**2) / (2 * (1000 * 0.5 + 1.5 * t / 3))) == pytest.approx(ALPHA)
    assert bernstein_threshold(2000, 0.5, 1.5) > t > bernstein_threshold(1000, 0.4, 1.5)
    assert bernstein_threshold(0, 0.5, 1.5) == 0.0


def test_relaxation_time_is_exact_for_mm1_and_grows_like_one_over_one_minus_rho_squared():
    assert relaxation_time(0.5, 1.0) == pytest.approx(0.5 / (1 - math.sqrt(0.5)) ** 2)
    ratio = relaxation_time(0.99, 0.0) / relaxation_time(0.98, 0.0)
    assert ratio == pytest.approx(4.0, rel=0.03)


def test_batch_means_warm_up_batches_and_inconclusive_cases():
    sums = np.arange(2048, dtype=float)  # micro-batches of one telegram
    bm = batch_means(sums, 1, 2048, relaxation=10.0)
    assert bm.warm_up >= 30 and bm.batches == 20 and bm.batch_size >= 100 and not bm.reason
    short = batch_means(sums, 1, 500, relaxation=10.0)
    assert math.isnan(short.std_error) and "relaxation times" in short.reason
    flat = batch_means(np.zeros(2048), 1, 2048, relaxation=1.0)
    assert flat.std_error == 0.0 and "all equal" in flat.reason  # never "±0 s": inconclusive
    # At a light load batches are also long enough to hold MIN_WAITING_PER_BATCH waiting telegrams.
    light = batch_means(sums, 1, 2048, relaxation=0.2, min_batch=min_batch_telegrams(0.1))
    assert light.batch_size >= 200 and light.batches == 10 and not light.reason
    too_light = batch_means(sums, 1, 2048, relaxation=0.2, min_batch=min_batch_telegrams(0.05))
    assert too_light.batches == 5 and "light load" in too_light.reason and "4,001" in too_light.reason
    idle = batch_means(sums, 1, 2048, relaxation=0.0, min_batch=min_batch_telegrams(0.0))
    assert idle.batches == 0 and "zero load" in idle.reason


def test_light_load_short_run_is_inconclusive_not_fail():
    # ρ = 0.05 with 50 messages: batches of one or two telegrams, nearly all zero waits, made the
    # t test FAIL 2.4 % of correct runs (seed 32 among them: mean wait 6.6e-6 s against 2.8e-3 s).
    sc = cal._sc(cal.queue_link(0.05))
    short = engine.run(sc, messages=50, seed=32).links[0]
    pk = {c.name: c for c in short.checks}["pollaczek_khinchine"]
    assert short.line.mean_wait < 0.01 * short.theory.pk_mean_wait  # far off, on too little data
    assert pk.verdict == "inconclusive" and "light load" in pk.detail
    long = engine.run(sc, messages=10_000, seed=32).links[0]
    judged = {c.name: c for c in long.checks}["pollaczek_khinchine"]
    assert judged.verdict == "pass" and long.line.wait_batch_size >= min_batch_telegrams(0.05)


def test_zero_wait_spread_is_inconclusive_not_a_zero_tolerance():
    # Poisson arrivals so sparse that no telegram ever waits: every batch mean is 0.
    link = cal._link(
        "sparse", cal.INDIA, "huffman", Line("fast", 1e9), arrivals=Arrivals("poisson", rate=1.0)
    )
    res = engine.run(make_scenario(link), messages=5_000, seed=1).links[0]
    pk = {c.name: c for c in res.checks}["pollaczek_khinchine"]
    assert pk.verdict == "inconclusive" and "±0" not in pk.detail


# -- verdicts in records and summaries --------------------------------------------------------


def test_check_verdicts_follow_passed_and_refuse_contradictions():
    assert [Check("a", p, "").verdict for p in (True, False, None)] == ["pass", "fail", "inconclusive"]
    assert Check("a", False, "").label == "FAIL"
    with pytest.raises(ValueError, match="contradicts"):
        Check("a", True, "", verdict="fail")


def test_old_summaries_without_verdicts_still_load():
    res = engine.run(scenario.load("busy_telegraph_office"), messages=1_000, seed=3)
    doc = res.to_dict()
    check = doc["links"][0]["checks"][0]
    assert set(check) >= {"name", "passed", "detail", "verdict", "false_alarm"}
    for link in doc["links"]:
        for c in link["checks"]:
            del c["verdict"], c["false_alarm"]
        for key in ("theory_std_error", "replacement", "box_balls", "pending_bits"):
            del link[key]
    back = RunResult.from_dict(doc)
    assert [c.verdict for c in back.links[0].checks] == [c.verdict for c in res.links[0].checks]


def test_whole_draw_line_is_the_multinomial_coefficient_per_ball():
    # The urn {1, 2, 1}: 4!/(1! 2! 1!) = 12 orders, log2 12 / 4 = 0.896 bits per ball, against H = 1.5.
    assert whole_draw_per_ball([1, 2, 1]) == pytest.approx(math.log2(12) / 4)
    assert whole_draw_per_ball([5]) == 0.0
    urn = Urn("t", {"a": 1, "b": 2, "c": 1})
    link = Link("t", urn, "h", "huffman", huffman(urn.distribution), Line("l", 1.0), replacement=False)
    res = engine.run(make_scenario(link), messages=4, seed=5).links[0]
    assert res.theory.whole_draw_per_ball == pytest.approx(0.8962, abs=1e-4) and res.theory.entropy == 1.5
    assert res.std_error == 0.0 and res.bits_per_message == 1.5
