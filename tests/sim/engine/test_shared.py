"""The telegraph office: several links on one shared wire (issue 10, item 5). All runs are seeded."""

from __future__ import annotations

import dataclasses

import pytest

from coding import Code
from sim.engine import simulation as engine
from sim.model.records import Arrivals, Line, Link, Urn
from sim.model.theory import shared_theories
from sim.scenario import loader as scenario
from tests.sim.links import fixed_link, huffman_link, poisson
from tests.sim.links import scenario as make

OFFICE = Line("office", baud=20.0, latency=0.05, shared=True)


def _one_colour_link(name: str, word: str, every: float, line: Line, priority: int = 0) -> Link:
    """A link whose every message is one codeword ``word``: service len(word)/baud, no randomness."""
    urn = Urn(name, {name: 1})
    return Link(name, urn, "t", "table", Code({name: word}), line, arrivals=Arrivals("fixed", every=every),
                priority=priority)  # fmt: skip


def _waits(result) -> dict[str, tuple[float, float, int, float]]:
    return {
        link.name: (link.line.mean_wait, link.line.max_wait, link.line.telegrams, link.line.busy_time)
        for link in result.links
    }


@pytest.mark.parametrize("chunk", [1, 3, 65536])
def test_fifo_order_on_a_hand_computed_case(chunk):
    # One wire at 1 baud, no latency. Link a: 1-bit telegrams at t = 0, 2, 4, 6 (1 s each);
    # link b: 3-bit telegrams at t = 0, 3, 6, 9 (3 s each). FIFO, ties to the lower link index:
    #   a@0 0–1 (wait 0), b@0 1–4 (1), a@2 4–5 (2), b@3 5–8 (2), a@4 8–9 (4), a@6 9–10 (3),
    #   b@6 10–13 (4), b@9 13–16 (4).
    wire = Line("wire", baud=1.0, shared=True)
    links = (_one_colour_link("a", "0", 2.0, wire), _one_colour_link("b", "010", 3.0, wire))
    res = engine.run(make(*links, messages=4), chunk=chunk)
    assert _waits(res) == {"a": (9 / 4, 4.0, 4, 4.0), "b": (11 / 4, 4.0, 4, 12.0)}
    a, b = res.links
    assert a.line.duration == 10.0 and b.line.duration == 16.0  # last deliveries
    assert a.line.line_utilisation == 1.0 and a.line.shared_with == ("b",) and b.line.shared_with == ("a",)
    assert a.lossless and b.lossless


@pytest.mark.parametrize("chunk", [1, 3, 65536])
def test_priority_order_on_a_hand_computed_case(chunk):
    # The same streams, but b (priority 0) goes before a (priority 1) whenever both wait:
    #   b@0 0–3, b@3 3–6, b@6 6–9, b@9 9–12 (no waits), then a@0 12–13 (12), a@2 13–14 (11),
    #   a@4 14–15 (10), a@6 15–16 (9). Non-preemptive: a telegram on the wire is never cut.
    wire = Line("wire", baud=1.0, shared=True)
    links = (_one_colour_link("a", "0", 2.0, wire, priority=1), _one_colour_link("b", "010", 3.0, wire))
    res = engine.run(make(*links, messages=4), chunk=chunk)
    assert _waits(res) == {"a": (42 / 4, 12.0, 4, 4.0), "b": (0.0, 0.0, 4, 12.0)}
    assert [link.line.priority for link in res.links] == [1, 0]


def test_non_preemptive_a_telegram_on_the_wire_finishes_first():
    # b (priority 0): 1-bit telegrams at 0, 3.5, 7; a (priority 1): 3-bit telegrams at 0, 2, 4.
    #   b@0 0–1; a@0 1–4 (wait 1); b@3.5 arrives while a@0 is on the wire and waits for it:
    #   4–5 (wait 0.5); then a@2 5–8 (3); b@7 8–9 (1); a@4 9–12 (5).
    wire = Line("wire", baud=1.0, shared=True)
    links = (_one_colour_link("a", "010", 2.0, wire, priority=1), _one_colour_link("b", "0", 3.5, wire))
    res = engine.run(make(*links, messages=3))
    assert _waits(res) == {"a": (3.0, 5.0, 3, 9.0), "b": (0.5, 1.0, 3, 3.0)}


def _office_links(telegram: int = 1):
    return (
        huffman_link("h", line=OFFICE, arrivals=poisson(4.0), priority=2, telegram=telegram),
        fixed_link("f", line=OFFICE, arrivals=poisson(3.0), priority=0),
        huffman_link("g", line=OFFICE, arrivals=Arrivals("fixed", every=0.5), priority=2),
        huffman_link("alone", line=Line("cable", 50.0, 0.1), arrivals=poisson(10.0)),
    )


@pytest.mark.parametrize("telegram", [1, 3])
def test_chunk_size_never_changes_a_shared_line(telegram):
    runs = [engine.run(make(*_office_links(telegram)), messages=3_000, chunk=c) for c in (1, 7, 65536)]
    for links in zip(*(r.links for r in runs)):
        first = links[0]
        for other in links[1:]:
            # Bit-for-bit, except the delivery time SimPy reaches by adding delays to its clock.
            assert dataclasses.replace(
                other.line, duration=0.0, messages_per_second=0.0
            ) == dataclasses.replace(first.line, duration=0.0, messages_per_second=0.0), first.name
            assert other.line.duration == pytest.approx(first.line.duration, rel=1e-12)
            assert (other.bits, other.trace, other.checks) == (first.bits, first.trace, first.checks)


def test_links_naming_an_unshared_line_each_get_their_own_copy():
    cable = Line("office", baud=20.0)
    pair = huffman_link(line=cable, arrivals=poisson(9.0)), fixed_link(line=cable, arrivals=poisson(9.0))
    together = engine.run(make(*pair))
    alone = engine.run(make(huffman_link(line=cable, arrivals=poisson(9.0))))
    assert together.links[0] == alone.links[0]
    assert together.links[0].line.shared_with == () and together.links[0].line.line_utilisation is None


def test_a_shared_line_with_one_link_is_the_single_line():
    single = engine.run(make(huffman_link(line=Line("o", 20.0, 0.05), arrivals=poisson(9.0))), messages=5_000)
    shared = engine.run(make(huffman_link(line=Line("o", 20.0, 0.05, shared=True), arrivals=poisson(9.0))),
                        messages=5_000)  # fmt: skip
    a, b = single.links[0].line, shared.links[0].line
    for field in ("telegrams", "busy_time", "mean_wait", "max_wait", "mean_delay", "duration", "cost"):
        assert getattr(b, field) == pytest.approx(getattr(a, field), rel=1e-9, abs=1e-12), field
    assert b.overlap_telegrams == b.telegrams and b.overlap_mean_wait == b.mean_wait


def test_the_office_theory_is_the_mixed_pk_and_cobham_arithmetic():
    sc = scenario.load("shared_office")
    th = shared_theories(sc.links)
    # Fixed code: S = 2/20 = 0.1 s, E[S²] = 0.01. India's Huffman: E[l²] = .5·1 + .25·4 + .25·9 = 3.75.
    w0_fixed = (5 * 0.01 + 3.5 * 0.01) / 2
    w0_huff = (5 * 3.75 / 400 + 3.5 * 0.01) / 2
    assert th["fixed.india"].line_load == pytest.approx(0.85)
    assert th["fixed.india"].shared_mean_wait == pytest.approx(w0_fixed / 0.15)  # 0.2833 s
    assert th["fixed.ceylon"].shared_mean_wait == th["fixed.india"].shared_mean_wait
    assert th["huffman.india"].line_load == pytest.approx(0.7875)
    assert th["huffman.ceylon"].shared_mean_wait == pytest.approx(w0_huff / 0.2125)  # 0.1926 s
    # Cobham: Ceylon first (σ1 = 0.35), then India (σ2 = 0.7875).
    assert th["priority.ceylon"].shared_mean_wait == pytest.approx(w0_huff / 0.65)
    assert th["priority.india"].shared_mean_wait == pytest.approx(w0_huff / (0.65 * 0.2125))
    assert th["priority.india"].line_classes == 2 and th["fixed.india"].line_classes == 1
    # Compressing India shortens Ceylon's wait although Ceylon changed nothing.
    assert th["huffman.ceylon"].shared_mean_wait < 0.7 * th["fixed.ceylon"].shared_mean_wait
    assert th["fixed.india"].pk_mean_wait is None  # the single-line formula does not apply


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_measured_waits_match_mixed_pk_and_cobham(seed):
    sc = scenario.load("shared_office")
    res = engine.run(sc, messages=40_000, seed=seed)
    for link in res.links:
        names = {c.name for c in link.checks}
        wanted = "cobham_priority" if link.name.startswith("priority") else "mixed_pollaczek_khinchine"
        assert {"stable_line", "utilisation", wanted} <= names, link.name
        assert link.all_passed, [c.detail for c in link.checks if not c.passed]
        w, se = link.line.steady_mean_wait, link.line.wait_std_error
        assert abs(w - link.theory.shared_mean_wait) <= 5 * se, link.name
        assert link.line.wait_batches >= 10 and link.line.overlap_telegrams <= link.line.telegrams
    by = {link.name: link.line.overlap_mean_wait for link in res.links}
    assert by["huffman.ceylon"] < by["fixed.ceylon"] and by["huffman.india"] < by["fixed.india"]
    assert by["priority.ceylon"] < by["huffman.ceylon"] < by["priority.india"]


def test_shared_office_golden():
    # Seeded golden (seed 1948, 20 000 messages per link); rerecord only for an intended engine change.
    res = engine.run(scenario.load("shared_office"), messages=20_000)
    got = {link.name: (link.bits, round(link.line.overlap_mean_wait, 6)) for link in res.links}
    assert got == GOLDEN
    assert all(link.all_passed and link.lossless for link in res.links)


GOLDEN = {  # bits, mean wait (s) while both offices sent
    "fixed.india": (40_000, 0.267673),
    "fixed.ceylon": (40_000, 0.268699),
    "huffman.india": (35_102, 0.19738),
    "huffman.ceylon": (40_000, 0.199362),
    "priority.india": (35_054, 0.299773),
    "priority.ceylon": (40_000, 0.062585),
}


def test_resolved_scenario_keeps_sharing_and_priorities(tmp_path):
    sc = scenario.load("shared_office")
    text = scenario.dump(sc)
    assert text.count("shared: true") == 3 and "priority: 1" in text
    path = tmp_path / "resolved.yaml"
    path.write_text(text, encoding="utf-8")
    again = scenario.load(path)
    assert again.links == sc.links
    plain = scenario.dump(scenario.load("busy_telegraph_office"))
    assert "shared" not in plain and "priority" not in plain  # existing scenarios read as before


def test_back_to_back_on_a_shared_line_is_refused_in_python_too():
    with pytest.raises(ValueError, match="shared: back-to-back"):
        engine.run(make(huffman_link(line=OFFICE), fixed_link(line=OFFICE, arrivals=poisson(1.0))))


def test_explain_writes_out_the_shared_arithmetic():
    from sim.publish.explain import explain

    text = explain(scenario.load("shared_office"))
    assert "Line both_fixed: 20 baud, shared by fixed.india (priority 0), fixed.ceylon (priority 0)." in text
    assert "ρ = Σ ρ_i = 0.5000 + 0.3500 = 0.8500" in text
    assert "W = W0/(1 − ρ) = 0.0425/(1 − 0.8500) = 0.28333 s" in text
    assert "W = W0/(1 − ρ) = 0.040938/(1 − 0.7875) = 0.19265 s" in text
    assert "priority 0 (priority.ceylon): σ = 0.0000 → 0.3500" in text and "0.062981 s" in text
    assert "0.29638 s" in text
    assert "Line both_fixed is shared: this ρ is this link's share of the wire." in text


def test_cli_run_and_report_of_the_office(tmp_path, capsys):
    import json

    from sim import cli
    from sim.publish import report

    assert cli.main(["run", "shared_office", "--messages", "3000", "--no-plots", "--out", str(tmp_path)]) == 0
    doc = json.loads((tmp_path / "shared_office" / "summary.json").read_text(encoding="utf-8"))
    first = doc["links"][0]
    assert first["line"]["shared_with"] == ["fixed.ceylon"] and first["line"]["priority"] == 0
    assert first["theory"]["line_load"] == pytest.approx(0.85)
    assert {c["name"] for c in first["checks"]} >= {"stable_line", "mixed_pollaczek_khinchine"}
    res = engine.run(scenario.load("shared_office"), messages=3_000)
    table = report._numbers_table(res.link("priority.india"))
    assert "shared with" in table and "priority.ceylon" in table and "Cobham" in table
    assert "mean wait while all sent" in table and "0.2964 s" in table


def test_the_wait_figure_marks_the_shared_theory():
    from sim.publish import plots

    res = engine.run(scenario.load("shared_office"), messages=3_000)
    labels = {
        name: [t.get_text() for t in plots.line_waits(res.link(name)).axes[-1].get_legend().get_texts()]
        for name in ("fixed.india", "priority.india")
    }
    assert any(t.startswith("mixed Pollaczek–Khinchine W = 0.2833") for t in labels["fixed.india"])
    assert any(t.startswith("Cobham W = 0.2964") for t in labels["priority.india"])


def test_a_shared_run_round_trips_through_summary_json():
    from sim.model.results import RunResult, traces_from_csv, traces_to_csv

    res = engine.run(scenario.load("shared_office"), messages=2_000)
    assert RunResult.from_dict(res.to_dict(), traces_from_csv(traces_to_csv(res))) == res
