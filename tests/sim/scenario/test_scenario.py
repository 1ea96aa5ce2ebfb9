"""Scenario files: the bundled scenarios, defaults, dump/load, and every kind of bad input."""

from __future__ import annotations

import copy
import dataclasses
import doctest
import math
import random
from pathlib import Path

import pytest
import yaml

import sim.scenario.loader
from coding import Distribution, cross_entropy, entropy, kl_divergence
from sim.model.kinds import CODE_KINDS
from sim.model.records import Arrivals, Line, Scenario, Tariff
from sim.scenario.loader import (
    ScenarioError,
    bundled,
    bundled_path,
    dump,
    load,
    loads,
    with_overrides,
)

BAD_DIR = Path(__file__).parent / "bad_scenarios"
BAD_FILES = sorted(BAD_DIR.glob("*.yaml"))
INDIA = {"blue": 25, "red": 50, "green": 13, "yellow": 12}
AUSTRALIA = {"blue": 13, "red": 25, "green": 50, "yellow": 12}
BUNDLED = [
    "india_to_australia",
    "australia_to_india",
    "not_uniquely_decodable",
    "busy_telegraph_office",
    "shared_office",
    "noisy_cable",
    "road_to_entropy",
    "australia_learns",
]


def load_any(name: str) -> Scenario:
    return load(name, allow_ambiguous=(name == "not_uniquely_decodable"))


def same(a: Scenario, b: Scenario) -> bool:
    """Equal as runs: everything but where the file came from."""
    return dataclasses.replace(a, source=None) == dataclasses.replace(b, source=None)


# -- bundled scenarios ----------------------------------------------------------------


def test_bundled_lists_them_in_teaching_order_with_a_summary():
    listed = bundled()
    assert [name for name, _ in listed] == BUNDLED
    for name, first in listed:
        assert first and "\n" not in first, name
        description = load_any(name).description
        assert description.splitlines()[0] == first
        assert len(description.split(". ")) >= 4, f"{name}: the description should teach"


@pytest.mark.parametrize("name", BUNDLED)
def test_every_bundled_scenario_loads_by_name_with_or_without_suffix(name):
    s = load_any(name)
    assert s.links and s.seed == 1948
    assert s.name == name  # the default: the file's stem
    assert same(s, load(f"{name}.yaml", allow_ambiguous=True))
    assert same(s, load(bundled_path(name), allow_ambiguous=True))
    assert bundled_path(name).name == f"{name}.yaml"


def test_india_to_australia_resolves_the_articles_four_codes():
    s = load("india_to_australia")
    assert (s.seed, s.messages) == (1948, 100_000)
    india = Distribution.from_counts(INDIA)
    links = {link.name: link for link in s.links}
    assert list(links) == ["india-fixed", "india-scheme2", "india-scheme3", "india-huffman"]
    words = {name: dict(link.code.codewords) for name, link in links.items()}
    assert words["india-fixed"] == {"blue": "00", "red": "01", "green": "10", "yellow": "11"}
    assert words["india-scheme2"] == {"blue": "0", "red": "10", "green": "110", "yellow": "111"}
    assert words["india-scheme3"] == {"blue": "10", "red": "0", "green": "110", "yellow": "111"}
    assert words["india-huffman"] == words["india-scheme3"]  # Huffman finds scheme 3
    # The article's expected lengths: 2, 2, 1.75, 1.75 bits.
    assert [link.code.expected_length(india) for link in s.links] == [2.0, 2.0, 1.75, 1.75]
    for link in s.links:
        assert link.urn.distribution == india
        assert link.arrivals == Arrivals("back_to_back")
        assert (link.telegram, link.replacement) == (1, True)
        assert link.line == Line("cable", 50.0, 0.1, Tariff(0.01, 0.5))
    assert links["india-huffman"].assumed == india
    assert links["india-huffman"].built_for == "india"
    assert links["india-huffman"].code_type == "huffman"
    assert links["india-scheme3"].assumed is None  # a table code: its implied distribution
    assert links["india-fixed"].built_for is None and links["india-fixed"].code_type == "fixed"
    assert s.codes["fixed"].code is None  # built per link
    assert s.codes["huffman"].code == links["india-huffman"].code


def test_australia_to_india_numbers_in_its_description():
    s = load("australia_to_india")
    links = {link.name: link for link in s.links}
    q = Distribution.from_counts(AUSTRALIA)
    p = Distribution.from_counts(INDIA)
    borrowed = links["australia-with-india-code"]
    assert borrowed.urn.distribution == q and borrowed.assumed == p
    assert borrowed.code.expected_length(q) == pytest.approx(2.37)
    assert cross_entropy(q, borrowed.assumed) == pytest.approx(2.3488, abs=5e-5)
    assert kl_divergence(q, borrowed.assumed) == pytest.approx(0.5991, abs=5e-5)
    assert entropy(q) == pytest.approx(1.7497, abs=5e-5)
    own = links["australia-with-own-code"]
    assert own.assumed == q and own.code.expected_length(q) == 1.75
    assert links["australia-fixed"].code.expected_length(q) == 2.0
    assert links["india-with-india-code"].code is borrowed.code


def test_busy_telegraph_office_runs_near_capacity_with_poisson_arrivals():
    s = load("busy_telegraph_office")
    india = Distribution.from_counts(INDIA)
    rho = {}
    for link in s.links:
        assert link.arrivals.kind == "poisson" and link.telegram == 1
        rate = link.arrivals.message_rate
        rho[link.name] = rate * link.code.expected_length(india) / link.line.baud
    assert rho == pytest.approx({"fixed": 0.9, "scheme2": 0.9, "huffman": 0.7875})
    # Pollaczek–Khinchine waits quoted in the description: 0.45, 0.51 and 0.20 s.
    for name, wait in {"fixed": 0.45, "scheme2": 0.50625, "huffman": 0.198529}.items():
        link = next(x for x in s.links if x.name == name)
        lengths = link.code.length_array(india.symbols).astype(float)
        es2 = float(india.probabilities @ (lengths / link.line.baud) ** 2)
        lam = link.arrivals.rate
        assert lam * es2 / (2 * (1 - rho[name])) == pytest.approx(wait, rel=1e-5)


def test_not_uniquely_decodable_is_refused_with_the_witness():
    with pytest.raises(ScenarioError) as info:
        load("not_uniquely_decodable")
    (problem,) = info.value.problems
    assert problem.startswith("not_uniquely_decodable.yaml: links[0].code: ")
    assert "10 = green = red·blue" in problem
    s = load("not_uniquely_decodable", allow_ambiguous=True)
    scheme1 = s.links[0].code
    assert not scheme1.is_uniquely_decodable
    assert str(scheme1.ambiguity()) == "10 = green = red·blue"
    assert scheme1.expected_length(Distribution.from_counts(INDIA)) == 1.25
    assert s.links[1].code.is_prefix_free


def test_a_code_must_be_prefix_free_unless_ambiguity_is_allowed():
    # {0, 01, 11} is uniquely decodable, but the receiver cannot decode it bit by bit.
    text = (
        "urns: {box: {a: 1, b: 1, c: 1}}\n"
        'codes: {uniq: {type: table, codewords: {a: "0", b: "01", c: "11"}}}\n'
        "links: [{urn: box, code: uniq}]\n"
    )
    with pytest.raises(ScenarioError) as info:
        loads(text, filename="uniq.yaml")
    (problem,) = info.value.problems
    assert problem.startswith("uniq.yaml: links[0].code: code 'uniq' is uniquely decodable but")
    assert "'b' is 01, which begins with 'a', 0" in problem
    code = loads(text, allow_ambiguous=True).links[0].code
    assert code.is_uniquely_decodable and not code.is_prefix_free


# -- dump and load -----------------------------------------------------------------


@pytest.mark.parametrize("name", BUNDLED)
def test_dump_then_load_gives_the_same_scenario(name, tmp_path):
    s = load_any(name)
    text = dump(s)
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    again = load(path, allow_ambiguous=True)
    assert same(again, s)
    assert dump(again) == text
    doc = yaml.safe_load(text)
    for code in doc["codes"].values():
        stream = CODE_KINDS[code["type"]].stream
        if stream is None:
            assert "codewords" in code  # every symbol code of a bundled scenario has a single table
        elif stream.settings is not None:  # a code built per link (adaptive): its settings rebuild it
            assert (
                {"type", "prior"}
                <= set(code)
                <= {"type", *(f.name for f in dataclasses.fields(stream.settings))}
            )
        else:  # a stream code is rebuilt from its model and parameters
            assert set(code) == {"type", "for", *(p.key for p in stream.params)}
    for link in doc["links"]:
        shared = doc["lines"][link["line"]].get("shared", False)  # a priority only on a shared line
        keys = {"name", "urn", "code", "line", "arrivals", "telegram", "replacement"}
        optional = {"channel"} & set(link)  # a channel code only where the link has one
        assert set(link) == keys | ({"priority"} if shared else set()) | optional


FEATURES = """
description: |
  Every feature at once.
  Second line.
seed: 7
messages: 250
urns:
  india: {blue: 25, red: 50, green: 13, yellow: 12}
  three: {a: 1, b: 2, c: 0}
  pair: {a: 3, b: 1}
codes:
  fixed: {type: fixed}
  fixed-india: {type: fixed, for: india}
  shannon: {type: shannon, for: india}
  huffman: {type: huffman, for: three}
  partial: {type: table, codewords: {a: "0", b: "1"}}
lines:
  slow: {baud: 1.5, tariff: {per_telegram: 2}}
  fast: {baud: 1000, latency: 0.25}
links:
  - {urn: india, code: fixed, line: slow, arrivals: {every: 0.5}, telegram: 3}
  - {urn: three, code: fixed, line: fast, arrivals: {rate: 2.5}, replacement: false}
  - {urn: india, code: shannon, line: fast, arrivals: back-to-back}
  - {urn: india, code: fixed-india, line: fast}
  - {urn: three, code: huffman, line: fast}
  - {urn: three, code: partial, line: fast}
  - {name: pair.fixed, urn: pair, code: fixed, line: slow}
"""


def test_every_feature_resolves_and_round_trips(tmp_path):
    s = loads(FEATURES, filename="features.yaml")
    assert s.name == "features" and s.source is None
    assert s.description == "Every feature at once.\nSecond line."
    links = {link.name: link for link in s.links}
    assert list(links) == [
        "india-fixed",
        "three-fixed",
        "india-shannon",
        "india-fixed-india",
        "three-huffman",
        "three-partial",
        "pair.fixed",
    ]
    assert links["india-fixed"].arrivals == Arrivals("fixed", every=0.5)
    assert links["india-fixed"].arrivals.message_rate == 2.0
    assert links["india-fixed"].telegram == 3
    assert links["india-fixed"].line.tariff == Tariff(0.0, 2.0)
    assert links["three-fixed"].arrivals == Arrivals("poisson", rate=2.5)
    assert links["three-fixed"].replacement is False
    assert links["india-shannon"].arrivals == Arrivals()
    # A fixed code without `for` is built per link over that link's colours.
    assert dict(links["three-fixed"].code.codewords) == {"a": "00", "b": "01", "c": "10"}
    assert dict(links["pair.fixed"].code.codewords) == {"a": "0", "b": "1"}
    assert links["india-fixed-india"].built_for == "india"
    assert links["india-fixed-india"].assumed is None
    assert links["india-shannon"].assumed == Distribution.from_counts(INDIA)
    assert links["india-shannon"].code.lengths["red"] == 1
    # A colour with no balls may be left out of a table code.
    assert "c" not in links["three-partial"].code.codewords

    text = dump(s)
    doc = yaml.safe_load(text)
    assert "codewords" not in doc["codes"]["fixed"]  # differs per link: rebuilt per link
    assert doc["codes"]["fixed-india"]["codewords"]["yellow"] == "11"
    path = tmp_path / "resolved.yaml"
    path.write_text(text, encoding="utf-8")
    assert same(load(path), s)


def test_defaults_and_the_default_line():
    s = loads(
        "urns: {box: {a: 1, b: 1}}\ncodes: {f: {type: fixed}}\nlinks: [{urn: box, code: f}]\n",
        filename="tiny.yaml",
    )
    assert (s.name, s.seed, s.messages, s.description) == ("tiny", 0, 100_000, "")
    (link,) = s.links
    assert link.name == "box-f" and link.line == Line("line", 1.0)
    assert s.lines == {"line": Line("line", 1.0)}
    assert (link.arrivals, link.telegram, link.replacement) == (Arrivals(), 1, True)


def test_a_single_line_is_the_default_for_every_link():
    s = loads(
        "urns: {box: {a: 1, b: 1}}\ncodes: {f: {type: fixed}}\n"
        "lines: {wire: {baud: 3}}\nlinks: [{urn: box, code: f}]\n"
    )
    assert s.links[0].line == Line("wire", 3.0)


def test_without_replacement_more_messages_than_balls_is_allowed():
    s = loads(
        "messages: 1000\nurns: {box: {a: 1, b: 1}}\ncodes: {f: {type: fixed}}\n"
        "links: [{urn: box, code: f, replacement: false}]\n"
    )
    assert s.messages == 1000 and s.links[0].urn.total == 2


def test_scenario_name_default_is_made_file_safe():
    s = loads(
        "urns: {box: {a: 1}}\ncodes: {f: {type: fixed}}\nlinks: [{urn: box, code: f}]\n",
        filename="my scenario (v2).yaml",
    )
    assert s.name == "my-scenario-v2-"


# -- overrides and sources -------------------------------------------------------------


def test_with_overrides():
    s = load("india_to_australia")
    t = with_overrides(s, messages=10, seed=3)
    assert (t.messages, t.seed) == (10, 3) and t.links == s.links
    assert with_overrides(s) == s
    assert with_overrides(s, seed=0).seed == 0
    with pytest.raises(ScenarioError, match=r"^--messages: must be at least 1 \(got 0\)$"):
        with_overrides(s, messages=0)
    with pytest.raises(ScenarioError, match=r"--seed"):
        with_overrides(s, seed=-1)


def test_missing_sources_are_named(tmp_path):
    with pytest.raises(
        ScenarioError,
        match=r"^india_to_austrlia: no such file, and no bundled "
        r"scenario of that name \(did you mean 'india_to_australia'\?",
    ):
        load("india_to_austrlia")
    with pytest.raises(ScenarioError, match=r"^nowhere\.yaml: no such file"):
        load(tmp_path / "nowhere.yaml")
    with pytest.raises(ScenarioError, match="is a folder"):
        load(tmp_path)
    with pytest.raises(ScenarioError, match="no bundled scenario"):
        bundled_path("nope")
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"urns: \xff\xfe\x00")
    with pytest.raises(ScenarioError, match=r"^binary\.yaml: is not UTF-8 text"):
        load(binary)


def test_a_file_in_the_working_folder_wins_over_a_bundled_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("india_to_australia.yaml").write_text(
        "urns: {box: {a: 1}}\ncodes: {f: {type: fixed}}\nlinks: [{urn: box, code: f}]\n"
    )
    assert load("india_to_australia.yaml").links[0].name == "box-f"


# -- bad input --------------------------------------------------------------------------


def expected_paths(path: Path) -> list[str]:
    return [
        line.split(":", 1)[1].strip()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith("# expect:")
    ]


def test_there_are_enough_bad_files():
    assert len(BAD_FILES) >= 24
    assert all(expected_paths(p) for p in BAD_FILES)


@pytest.mark.parametrize("path", BAD_FILES, ids=lambda p: p.stem)
def test_bad_scenario_reports_each_problem_on_one_line(path):
    expect = expected_paths(path)
    with pytest.raises(ScenarioError) as info:
        load(path)
    problems = info.value.problems
    assert len(problems) == len(expect), "\n".join(problems)
    for problem, where in zip(problems, expect):
        assert problem.startswith(f"{path.name}: {where}"), problem
        assert "\n" not in problem and "Traceback" not in problem
    assert str(info.value) == "\n".join(problems)
    assert isinstance(info.value, ValueError)
    # allow_ambiguous only lifts the decodability rule.
    if "uniquely decodable" not in str(info.value):
        with pytest.raises(ScenarioError):
            load(path, allow_ambiguous=True)


def test_problem_messages_show_the_value_and_a_suggestion():
    text = {p.stem: str(pytest.raises(ScenarioError, load, p).value) for p in BAD_FILES}
    assert text["line_baud_negative"] == (
        "line_baud_negative.yaml: lines.cable.baud: must be positive (got -3)"
    )
    assert text["link_unknown_code"] == (
        "link_unknown_code.yaml: links[0].code: unknown code 'huff' (known: huffman)"
    )
    assert "did you mean 'latency'?" in text["line_unknown_key"]
    assert "put the codeword in quotes" in text["codeword_unquoted_number"]
    assert "(got 10)" in text["codeword_unquoted_number"]
    assert "spaces, not tabs" in text["yaml_tab_indent"]
    assert text["yaml_syntax"].startswith("yaml_syntax.yaml: line 5, column ")
    assert "could not parse YAML" in text["yaml_syntax"]
    assert "duplicate key 'seed'" in text["yaml_duplicate_key"]
    assert "(got true)" in text["seed_is_bool"]


# -- fuzz: nothing but ScenarioError, ever ------------------------------------------------

ODD_DOCUMENTS = [
    "",
    "---",
    "~",
    "null",
    "42",
    "-1.5",
    "true",
    "'text'",
    "[]",
    "[1, 2]",
    "{}",
    "- - -",
    "...",
    "--- a\n--- b\n",
    "!!python/object:os.system {}",
    "!!binary aGVsbG8=",
    "urns: !!set {a, b}",
    "seed: 2020-01-01",
    "? [a, b]\n: c",
    "&a [*a]",
    "urns: {x: {a: 1}}\ncodes: {c: {type: table, codewords: {a: [1]}}}\nlinks: [{urn: x, code: c}]",
    "urns: {1: {2: 3}}\ncodes: {4: {5: 6}}\nlines: {7: {8: 9}}\nlinks: [{10: 11}]",
    "urns: {x: {a: .inf}}\ncodes: {c: {type: {}}}\nlinks: [[], {}, null, 3]",
    "urns: {x: null}\ncodes: {c: null}\nlines: {l: null}\nlinks: [{urn: x, code: c, line: l}]",
    "urns: {x: {a: 1}}\ncodes: {c: {type: fixed, for: [x]}}\nlinks: [{urn: x, code: c, "
    "arrivals: {rate: [1]}, telegram: 1.0, name: null}]",
    "name: ''\ndescription: null\nseed: 1e400\nmessages: 99999999999999999999\n"
    "urns: {'': {'': 1}}\ncodes: {'.': {type: table}}\nlinks: [{urn: '', code: '.'}]",
    "\ufeffurns: {x: {a: 1}}\ncodes: {c: {type: fixed}}\nlinks: [{urn: x, code: c}]",
    "\x00",
]


@pytest.mark.parametrize("text", ODD_DOCUMENTS)
def test_odd_documents_raise_only_scenario_error(text):
    try:
        loads(text, filename="odd.yaml")
    except ScenarioError as exc:
        assert exc.problems and all(p.startswith("odd.yaml: ") for p in exc.problems)


_REPLACEMENTS = [
    None,
    -1,
    0,
    1,
    2.5,
    math.nan,
    math.inf,
    True,
    "",
    "x",
    "0",
    "huffman",
    [],
    [1],
    {},
    {"a": 1},
    {"type": "table"},
    {"rate": 1},
]


def _mutate(node, rng: random.Random):
    """Replace one randomly chosen node of a YAML tree with an odd value."""
    if isinstance(node, dict) and node and rng.random() < 0.8:
        key = rng.choice(list(node))
        if rng.random() < 0.15:
            node[f"{key}x"] = node.pop(key)
        else:
            node[key] = _mutate(node[key], rng)
        return node
    if isinstance(node, list) and node and rng.random() < 0.8:
        i = rng.randrange(len(node))
        node[i] = _mutate(node[i], rng)
        return node
    return rng.choice(_REPLACEMENTS)


@pytest.mark.parametrize("name", BUNDLED)
def test_mutated_scenarios_raise_only_scenario_error(name):
    rng = random.Random(f"fuzz-{name}")
    base = yaml.safe_load(bundled_path(name).read_text(encoding="utf-8"))
    for _ in range(150):
        doc = copy.deepcopy(base)
        for _ in range(rng.randint(1, 3)):
            doc = _mutate(doc, rng)
        text = yaml.safe_dump(doc, allow_unicode=True)
        try:
            loads(text, filename="m.yaml", allow_ambiguous=rng.random() < 0.5)
        except ScenarioError as exc:
            assert exc.problems
            assert all(p.startswith("m.yaml: ") and "\n" not in p for p in exc.problems)


def test_module_doctests():
    result = doctest.testmod(sim.scenario.loader, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
