"""The kinds registry: every code kind row and arrival class works through the whole model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from coding import Distribution, entropy, fano, huffman
from sim.engine.simulation import run
from sim.model.kinds import ARRIVAL_KINDS, CODE_KINDS, BackToBack, Fixed, Poisson
from sim.model.records import Arrivals
from sim.publish.explain import explain
from sim.scenario.loader import dump, loads

README = Path(__file__).resolve().parents[3] / "README.md"
INDIA = {"blue": 25, "red": 50, "green": 13, "yellow": 12}
AUSTRALIA = {"blue": 13, "red": 25, "green": 50, "yellow": 12}
BUILT = [k for k in CODE_KINDS.values() if k.build is not None]


#: A value for each stream kind's parameter in these tests.
PARAMS = {"order": 2, "bits": 5}


def scenario_text(kind: str, urn: str = "india", arrivals: str = "back-to-back") -> str:
    needs_for = CODE_KINDS[kind].takes_for == "required"
    stream = CODE_KINDS[kind].stream
    extra = "".join(f", {p.key}: {PARAMS[p.key]}" for p in stream.params) if stream else ""
    code = f"{{type: {kind}, for: india{extra}}}" if needs_for else f"{{type: {kind}}}"
    if CODE_KINDS[kind].build is None and stream is None:  # written by hand
        code = '{type: table, codewords: {blue: "10", red: "0", green: "110", yellow: "111"}}'
    return (
        f"urns: {{india: {INDIA}, australia: {AUSTRALIA}}}\n".replace("'", "")
        + f"codes: {{c: {code}}}\n"
        + "lines: {cable: {baud: 50}}\n"
        + f"links: [{{urn: {urn}, code: c, arrivals: {arrivals}}}]\n"
    )


@pytest.mark.parametrize("kind", BUILT, ids=lambda k: k.name)
def test_every_built_kind_gives_a_complete_prefix_code_over_the_urn(kind):
    code = kind.build("india", INDIA)
    assert code.is_prefix_free and list(code.symbols) == list(INDIA)
    assert code.kraft_sum <= 1


@pytest.mark.parametrize("kind", CODE_KINDS.values(), ids=lambda k: k.name)
@pytest.mark.parametrize("urn", ["india", "australia"])
def test_every_kind_loads_runs_and_passes_its_own_bound(kind, urn):
    s = loads(scenario_text(kind.name, urn), filename=f"{kind.name}.yaml")
    link = s.links[0]
    assert link.code_type == kind.name
    learns = kind.stream is not None and kind.stream.settings is not None  # starts from its prior
    assert (link.assumed is not None) == (kind.designed_for_urn or learns)
    result = run(s, messages=2_000).links[0]
    names = [c.name for c in result.checks]
    drawn_from_design = urn == "india" or not kind.designed_for_urn
    expect_bound = kind.bound == "cross_entropy" or (kind.bound == "entropy" and drawn_from_design)
    if kind.stream is not None:  # block and Tunstall bound on their own urn, arithmetic on any
        expect_bound = drawn_from_design or kind.name == "arithmetic"
    assert (f"{kind.name}_bound" in names) == expect_bound, names
    assert all(c.verdict != "fail" for c in result.checks), result.checks
    assert loads(dump(s)) == s


def test_fano_is_one_row_built_by_fanos_method():
    row = CODE_KINDS["fano"]
    assert (row.display, row.takes_for, row.bound) == ("Shannon–Fano", "required", "entropy")
    # The textbook case where Fano loses to Huffman: counts 15, 7, 6, 6, 5 (2.28 vs 2.23 bits).
    counts = {"a": 15, "b": 7, "c": 6, "d": 6, "e": 5}
    p = Distribution.from_counts(counts)
    assert row.build("abcde", counts) == fano(p)
    assert round(fano(p).expected_length(p), 2) == 2.28 > round(huffman(p).expected_length(p), 2) == 2.23
    assert entropy(p) <= fano(p).expected_length(p) < entropy(p) + 1


def test_fano_in_a_scenario_is_explained_and_checked():
    s = loads(scenario_text("fano"), filename="fano.yaml")
    assert dict(s.links[0].code.codewords) == {"blue": "10", "red": "0", "green": "110", "yellow": "111"}
    text = explain(s)
    assert "Code c (Shannon–Fano, built for urn india)" in text
    assert "Fano's method" in text
    check = {c.name: c for c in run(s, messages=1_000).links[0].checks}["fano_bound"]
    assert check.verdict == "pass" and "H = 1.749" in check.detail


def test_an_unknown_type_lists_every_kind():
    with pytest.raises(
        ValueError, match=r"did you mean 'fano'\? known: fixed, table, huffman, shannon, fano"
    ):
        loads(scenario_text("fano").replace("type: fano", "type: fanno"))


def test_every_code_kind_is_in_the_readme():
    text = README.read_text(encoding="utf-8")
    for name in CODE_KINDS:
        assert f"`{name}`" in text, name


# -- arrival kinds ------------------------------------------------------------------------


@pytest.mark.parametrize("process", [BackToBack(), Fixed(0.25), Poisson(3.0)], ids=lambda p: p.name)
def test_arrival_times_do_not_depend_on_how_they_are_asked_for(process):
    whole = process.times(np.random.default_rng(5), 10, 0, 0.0)
    rng = np.random.default_rng(5)
    first = process.times(rng, 4, 0, 0.0)
    last = float(first[-1])
    rest = process.times(rng, 6, 4, last)
    np.testing.assert_array_equal(np.concatenate((first, rest)), whole)
    assert np.all(np.diff(whole) >= 0)


@pytest.mark.parametrize("cls", ARRIVAL_KINDS.values(), ids=lambda c: c.name)
def test_every_arrival_kind_round_trips_through_its_yaml_form(cls):
    arrivals = Arrivals(cls.name, **({cls.parameter: 0.5} if cls.parameter else {}))
    form = arrivals.process.dump()
    yaml_form = (
        "back-to-back"
        if form == "back-to-back"
        else "{" + ", ".join(f"{k}: {v}" for k, v in form.items()) + "}"
    )
    s = loads(scenario_text("huffman", arrivals=yaml_form))
    assert s.links[0].arrivals == arrivals
    assert arrivals.process.poisson == (cls is Poisson)
    assert (arrivals.message_rate is None) == (cls is BackToBack)
