"""Adaptive links in scenarios, run by the engine: the issue's must-show (10^6 messages), losslessness,
the checks, same seed same numbers, chunk invariance, the figures and ``explain``."""

from __future__ import annotations

import math

import pytest

from coding import (
    dirichlet_regret_bound,
    empirical_code_length,
    kt_regret_bound,
    laplace_regret_bound,
    mixture_code_length,
)
from sim.engine.simulation import run
from sim.model.results import RunResult
from sim.scenario.loader import loads

AUSTRALIA = "{blue: 13, red: 25, green: 50, yellow: 12}"


def text(code: str, messages: int = 30_000, seed: int = 2026) -> str:
    return (
        f"seed: {seed}\nmessages: {messages}\nurns: {{australia: {AUSTRALIA}}}\n"
        f"codes: {{learn: {code}}}\nlinks: [{{urn: australia, code: learn}}]\n"
    )


def must_show(messages: int) -> None:
    """Adaptive KT on Australia's box: bits within the coder's documented overhead of Σ −log2 p̂_t(x_t),
    regret within the KT bound, lossless, every check passing."""
    result = run(loads(text("{type: adaptive, prior: kt}", messages)))
    link = result.links[0]
    learned = link.learning
    assert learned is not None and learned.rescales == 0 and link.lossless
    counts = [link.colour_counts[c] for c in ("blue", "red", "green", "yellow")]
    # Σ −log2 p̂_t(x_t) computed independently of the engine, from the counts (the Dirichlet mixture).
    ideal = mixture_code_length(counts, [0.5] * 4)
    assert learned.ideal_bits == pytest.approx(ideal, rel=1e-10)
    # The documented overhead: Σ ε_t + 1, with ε_t < 1/(2^32·p̂_t ln 2 − 1) tiny (docs/theory.md);
    # the flush may leave up to 32 bits of the ideal unsent (the last range need not be pinned down).
    assert learned.epsilon_bits < 1e-3 * messages / 1e4
    assert ideal - 32 <= link.bits <= ideal + learned.epsilon_bits + 1
    regret = ideal - empirical_code_length(counts)
    assert 0 < regret <= kt_regret_bound(messages, 4)
    assert learned.regret == pytest.approx(regret, abs=1e-6)
    # Typical regret (every colour frequent): (K−1)/2·log2(n/2π) + log2(Γ(½)^4/Γ(2)) + o(1).
    assert abs(regret - (1.5 * math.log2(messages / (2 * math.pi)) + math.log2(math.pi**2))) < 0.05
    verdicts = {c.name: c.verdict for c in link.checks}
    assert verdicts["adaptive_bound"] == verdicts["regret_bound"] == "pass"
    assert all(v == "pass" for v in verdicts.values()), verdicts
    # LZ78 on the same balls: far from H(q) still (about 2 bits a ball at these n).
    assert learned.lz78_balls == messages and learned.lz78_bits / messages > link.bits_per_message + 0.1


@pytest.mark.parametrize("messages", [30_000, 10**6])  # the 10^6 takes under a second
def test_adaptive_kt_on_australias_box(messages):
    must_show(messages)


def test_same_seed_same_numbers_and_chunks_change_nothing():
    s = loads(text("{type: adaptive, prior: laplace}", 20_000))
    a = run(s, chunk=65536)
    b = run(s, chunk=65536)
    c = run(s, chunk=997)
    assert a.to_dict() == b.to_dict()
    for x in (a, c):
        assert x.links[0].trace == a.links[0].trace
    da, dc = a.to_dict(), c.to_dict()
    da.pop("chunk"), dc.pop("chunk")
    assert da == dc
    assert a.links[0].learning is not None and a.links[0].learning.regret_bound == pytest.approx(
        laplace_regret_bound(20_000, 4)
    )


def test_a_summary_with_learning_reads_back_equal():
    result = run(loads(text("{type: adaptive, prior: kt, coder: huffman, rebuild: 8}", 5_000)))
    again = RunResult.from_dict(result.to_dict(), {link.name: link.trace for link in result.links})
    assert again == result


@pytest.mark.parametrize("rebuild", [1, 64])
def test_adaptive_huffman_is_lossless_and_pays_its_whole_bits(rebuild):
    link = run(loads(text(f"{{type: adaptive, coder: huffman, rebuild: {rebuild}}}", 20_000))).links[0]
    learned = link.learning
    assert learned is not None and link.lossless and learned.rebuilds == -(-20_000 // rebuild)
    assert all(c.verdict == "pass" for c in link.checks), link.checks
    assert "adaptive_bound" not in {c.name for c in link.checks}  # no per-sequence bound for whole bits
    # Australia's box is nearly dyadic: Huffman's limit is 1.75, a hair over H(q) = 1.7497.
    assert abs(link.bits_per_message - 1.75) < 0.03


def test_given_pseudo_counts_name_the_colours_and_get_a_bound_when_all_are_at_least_a_half():
    code = "{type: adaptive, prior: {counts: {blue: 1.5, red: 2.5, green: 5, yellow: 1}}}"
    link = run(loads(text(code, 5_000))).links[0]
    learned = link.learning
    assert learned is not None and learned.prior == "counts"
    assert learned.regret_bound == pytest.approx(dirichlet_regret_bound(5_000, [1.5, 2.5, 5, 1]))
    assert learned.pseudo_counts == (1.5, 2.5, 5.0, 1.0)
    assert {c.name for c in link.checks} >= {"adaptive_bound", "regret_bound"}
    assert all(c.verdict == "pass" for c in link.checks)
    small = "{type: adaptive, prior: {counts: {blue: 0.25, red: 2.5, green: 5, yellow: 1}}}"
    link = run(loads(text(small, 5_000))).links[0]
    assert link.learning is not None and link.learning.regret_bound is None
    assert "regret_bound" not in {c.name for c in link.checks}


def test_a_box_drawn_without_replacement_still_meets_the_exact_bounds():
    s = (
        text("{type: adaptive, prior: kt}", 150)
        .replace("code: learn}", "code: learn, replacement: false}")
        .replace(AUSTRALIA, "{blue: 13, red: 25, green: 50, yellow: 12}")
    )
    link = run(loads(s)).links[0]
    verdicts = {c.name: c.verdict for c in link.checks}
    assert verdicts["adaptive_bound"] == verdicts["regret_bound"] == "pass"
    assert verdicts["bits_per_message"] == "inconclusive"  # the next ball is not drawn from q


def test_figures_and_explain_show_the_learning():
    from sim.publish.explain import explain
    from sim.publish.plots import figure_specs

    s = loads(text("{type: adaptive, prior: kt}", 3_000))
    result = run(s)
    specs = {spec.kind: spec for spec in figure_specs(result)}
    assert {"training", "estimates"} <= set(specs) and "code" not in specs
    training = specs["training"].build()
    left, right = training.axes
    assert "LZ78 on the same balls (no model)" in [t.get_text() for t in left.get_legend().get_texts()]
    assert [t.get_text() for t in right.get_legend().get_texts()][1] == "KT bound (every sequence)"
    learned = result.links[0].learning
    assert learned is not None
    snapshots = [n for n in learned.snapshot_points if n >= 10]  # 99, 999, 3000
    assert len(specs["estimates"].build().axes[0].patches) == 4 * (len(snapshots) + 1)
    worked = explain(s)
    assert "ball 1 green: p̂ = (0 + 1/2) / (0 + 2) = 1/4, −log2 p̂ = 2.0000 bits" in worked
    assert "is at most 18.653 bits whatever the balls (KT bound, K = 4)" in " ".join(worked.split())


def test_no_false_fail_over_seeds_on_adaptive_links():
    """A seeded subset of ``benchmarks/calibration.py --only adaptive`` (the full rows are in the README)."""
    from tests.sim.model.test_calibration import cal

    cases = [c for c in cal.adaptive_cases(full=False) if "(1,000)" in c.label]
    rows = cal.calibrate(cases, range(1, 31))
    assert {r.check for r in rows} >= {"bits_per_message", "adaptive_bound", "regret_bound", "lossless"}
    assert [(r.case, r.check) for r in rows if r.fail] == []
    assert all(r.inconclusive == 0 for r in rows)


def test_the_checks_fail_a_run_that_is_wrong():
    """Power, by hand: 1 % more bits than sent, or a regret above its bound, FAIL the checks."""
    import dataclasses

    from sim.model.theory import Measured, checks

    s = loads(text("{type: adaptive, prior: kt}", 100_000))
    result = run(s)
    link, record = s.links[0], result.links[0]
    assert record.learning is not None
    measured = Measured.of(record)
    verdicts = lambda m: {c.name: c.verdict for c in checks(link, record.theory, m)}  # noqa: E731
    assert set(verdicts(measured).values()) == {"pass"}
    inflated = verdicts(dataclasses.replace(measured, bits=int(record.bits * 1.01)))
    assert inflated["bits_per_message"] == inflated["adaptive_bound"] == "fail"
    learned = dataclasses.replace(record.learning, regret=record.learning.regret_bound + 0.5)
    assert verdicts(dataclasses.replace(measured, learning=learned))["regret_bound"] == "fail"
    rescaled = dataclasses.replace(record.learning, rescales=1)
    assert verdicts(dataclasses.replace(measured, learning=rescaled))["regret_bound"] == "inconclusive"


def test_settings_say_exactly_what_is_wrong_to_a_python_user():
    from sim.model.kinds import Adaptive, SettingsError

    with pytest.raises(SettingsError) as info:
        Adaptive(prior={"counts": {"a": 0, "b": 1 / 3}}, coder="huffman", rebuild=-2)
    assert [p[0] for p in info.value.problems] == [
        ("prior", "counts", "a"),
        ("prior", "counts", "b"),
        ("rebuild",),
    ]
    assert "denominator at most 1024" in str(info.value)
    assert Adaptive(prior={"counts": {"a": 0.125, "b": 3}}).dump() == {
        "prior": {"counts": {"a": 0.125, "b": 3}}
    }
