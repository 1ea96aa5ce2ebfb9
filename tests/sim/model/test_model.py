"""The model records check themselves: a Python user meets the same rules as a YAML user."""

from __future__ import annotations

import math

import pytest

from coding import Code, fixed_length
from sim.model.records import Arrivals, CodeSpec, Line, Link, RecordError, Scenario, Tariff, Urn
from sim.scenario.loader import ScenarioError, loads
from tests.sim.links import CABLE, INDIA, huffman_link

TWO = Urn("two", {"a": 1, "b": 1})
AB = Code({"a": "0", "b": "1"})


def link(**kw) -> Link:
    fields = dict(name="l", urn=TWO, code_name="ab", code_type="table", code=AB, line=CABLE)
    fields.update(kw)
    return Link(**fields)


# Each case: how it is built, then the text its message must hold (field and value).
BAD_RECORDS = [
    (lambda: Line("cable", baud=-5), "Line 'cable': 'baud' must be positive (got -5)"),
    (lambda: Line("cable", baud=0), "'baud' must be positive (got 0)"),
    (lambda: Line("cable", baud=math.nan), "'baud' must be a finite number (got nan)"),
    (lambda: Line("cable", baud="fast"), "'baud' must be a number (got 'fast')"),
    (lambda: Line("cable", 50, latency=-0.1), "'latency' must be zero or more (got -0.1)"),
    (lambda: Line("", 50), "Line: 'name' must be a non-empty name (got '')"),
    (lambda: Tariff(per_bit=-1), "Tariff: 'per_bit' must be zero or more (got -1)"),
    (lambda: Tariff(per_telegram=math.inf), "'per_telegram' must be a finite number (got inf)"),
    (lambda: Arrivals("poisson"), "Arrivals: 'rate' is required for poisson arrivals (got None)"),
    (lambda: Arrivals("poisson", rate=-2), "'rate' must be positive (got -2)"),
    (lambda: Arrivals("fixed"), "'every' is required for fixed arrivals (got None)"),
    (
        lambda: Arrivals("fixed", every=1, rate=2),
        "'rate' is not used by fixed arrivals; leave it out (got 2)",
    ),
    (lambda: Arrivals("bursty"), "'kind' must be one of back_to_back, fixed, poisson (got 'bursty')"),
    (lambda: Urn("box", {}), "Urn 'box': 'counts' must have at least one colour (got {})"),
    (lambda: Urn("box", {"a": 0}), "'counts' must hold at least one ball (every count is 0)"),
    (lambda: Urn("box", {"a": -1, "b": 2}), "counts['a'] must not be negative (got -1)"),
    (lambda: Urn("box", {"a": 1.5}), "counts['a'] must be a whole number (got 1.5)"),
    (lambda: Urn("box", {"a": True}), "counts['a'] must be a whole number (got True)"),
    (lambda: link(telegram=0), "Link 'l': 'telegram' must be at least 1 (got 0)"),
    (lambda: link(telegram=70_000), "'telegram' must be at most 65_536 (got 70000)"),
    (lambda: link(replacement="no"), "'replacement' must be True or False (got 'no')"),
    (lambda: link(code_type="morse"), "'code_type' must be a code kind (fixed, table"),
    (
        lambda: link(code=Code({"a": "0", "b": "10", "violet": "11"})),
        "'code' does not fit urn 'two': it has codewords for 'violet', which the urn lacks",
    ),
    (lambda: link(code=Code({"a": "0"})), "'code' does not fit urn 'two': it has no codeword for 'b'"),
    (
        lambda: link(code=Code({"a": "0", "b": "1" * 33})),
        "'code' gives 'b' a codeword of 33 bits; the line sends codewords of at most 32 bits",
    ),
    (lambda: CodeSpec("h", "huffman", AB), "CodeSpec 'h': 'built_for' must name the urn a huffman code"),
    (
        lambda: CodeSpec("t", "table", AB, "two"),
        "'built_for' a table code is not built for an urn (got 'two')",
    ),
    (lambda: CodeSpec("t", "table"), "'code' is required"),
    (lambda: CodeSpec("m", "morse", AB), "'type' must be a code kind"),
    (lambda: Scenario("s", ()), "Scenario 's': 'links' must be a non-empty tuple of Link (got ())"),
    (lambda: Scenario("s", (link(),), messages=0), "'messages' must be at least 1 (got 0)"),
    (lambda: Scenario("s", (link(),), seed=-1), "'seed' must not be negative (got -1)"),
    (lambda: Scenario("s", (link(), link())), "links['1'] repeats a link name; give each link its own"),
]


@pytest.mark.parametrize("build, text", BAD_RECORDS, ids=[t[1][:40] for t in BAD_RECORDS])
def test_a_bad_record_raises_value_error_naming_field_and_value(build, text):
    with pytest.raises(ValueError) as info:
        build()
    assert isinstance(info.value, RecordError)
    assert text in str(info.value)
    assert "\n" not in str(info.value)


def test_every_problem_of_one_record_is_reported_together():
    with pytest.raises(RecordError) as info:
        Line("cable", baud=-5, latency=-1)
    assert [(p.where, p.rule, p.got) for p in info.value.problems] == [
        (("baud",), "must be positive", -5),
        (("latency",), "must be zero or more", -1),
    ]


def test_good_records_are_normalised_and_keep_their_meaning():
    line = Line("cable", baud=50, latency=0)
    assert line.baud == 50.0 and isinstance(line.baud, float)
    assert Arrivals("fixed", every=2).message_rate == 0.5
    assert Arrivals("poisson", rate=3).describe() == "Poisson, 3 messages/s"
    assert Arrivals().message_rate is None
    assert huffman_link().telegram == 1
    # A zero-ball colour may be listed and coded; a code may not name a colour the urn lacks.
    urn = Urn("box", {"a": 3, "b": 0})
    assert link(urn=urn, code=fixed_length(["a", "b"])).urn.total == 3
    assert CodeSpec("fixed", "fixed").code is None  # built per link


def test_the_yaml_layer_adds_file_and_path_to_the_records_message():
    text = (
        "urns: {india: {blue: 1}, empty: {blue: 0}}\n"
        "codes: {f: {type: fixed}}\n"
        "lines: {cable: {baud: -5, latency: -1, tariff: {per_bit: -2}}}\n"
        "links: [{urn: india, code: f, arrivals: {rate: 0}}]\n"
    )
    with pytest.raises(ScenarioError) as info:
        loads(text, filename="bad.yaml")
    assert info.value.problems == [
        "bad.yaml: urns.empty: must hold at least one ball (every count is 0) (got {blue: 0})",
        "bad.yaml: lines.cable.baud: must be positive (got -5)",
        "bad.yaml: lines.cable.latency: must be zero or more (got -1)",
        "bad.yaml: lines.cable.tariff.per_bit: must be zero or more (got -2)",
        "bad.yaml: links[0].arrivals.rate: must be positive (got 0)",
    ]
    # The same rules, the same words, from Python (one rule home: sim.model.limits.number_rule).
    python = [
        str(pytest.raises(RecordError, Urn, "empty", {"blue": 0}).value),
        str(pytest.raises(RecordError, Line, "cable", baud=-5, latency=-1).value),
        str(pytest.raises(RecordError, Tariff, per_bit=-2).value),
        str(pytest.raises(RecordError, Arrivals, "poisson", rate=0).value),
    ]
    for line in info.value.problems:
        field, rule = line.split(": ", 2)[1].split(".")[-1], line.split(": ", 2)[2].split(" (got")[0]
        assert any(rule in text for text in python), (field, rule)


def test_an_urn_built_in_python_may_be_larger_than_a_file_allows_but_stays_exact():
    assert Urn("huge", {"a": 10**15, "b": 3 * 10**15}).total == 4 * 10**15
    with pytest.raises(RecordError, match=r"at most 2\^53 balls"):
        Urn("huge", {"a": 2**53, "b": 1})
    assert INDIA.total == 100


def test_a_stream_code_with_parity_per_telegram_is_refused_in_one_line():
    from sim import loads
    from sim.scenario.loader import ScenarioError

    text = """
urns: {india: {blue: 25, red: 50, green: 13, yellow: 12}}
codes: {arith: {type: tunstall, for: india, bits: 5}}
lines: {cable: {baud: 50, noise: {type: bsc, flip: 0.01}}}
links: [{name: a, urn: india, code: arith, line: cable, channel: {type: parity}}]
"""
    with pytest.raises(ScenarioError) as info:
        loads(text)
    assert len(info.value.problems) == 1
    problem = info.value.problems[0]
    assert "parity per telegram" in problem and "tunstall code cannot restart at each telegram" in problem
    # without the channel code, a stream code runs on a noisy line
    assert loads(text.replace(", channel: {type: parity}", "")).links[0].line.noise is not None
