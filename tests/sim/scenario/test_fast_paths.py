"""The fast paths for large scenarios give exactly what the careful paths give (issue 16).

- YAML in: :func:`sim.scenario.yamlcheck._fast_parse` builds the same data as
  the line-tracking loader, and gives up on everything that needs a message,
  so every problem is still reported by the careful path, word for word.
- YAML out: :func:`sim.scenario.writer.emit` writes colour tables itself,
  byte for byte as PyYAML's emitter does.
"""

from __future__ import annotations

import math
import random
import string
from pathlib import Path
from typing import Any

import pytest
import yaml

from sim.scenario import loader, writer, yamlcheck
from sim.scenario.loader import ScenarioError

BAD_DIR = Path(__file__).parent / "bad_scenarios"


def _same(a: Any, b: Any) -> bool:
    """Equal with the same types all the way down (1, 1.0 and True differ; NaN equals NaN)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return len(a) == len(b) and all(
            _same(k, k2) and _same(v, v2) for (k, v), (k2, v2) in zip(a.items(), b.items())
        )
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, yamlcheck.LongNumber):
        return a.text == b.text
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


def _careful(text: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, list[str]]:
    with monkeypatch.context() as m:
        m.setattr(yamlcheck, "_fast_parse", lambda text: yamlcheck._SLOW)
        problems = yamlcheck.Problems("f.yaml")
        data = yamlcheck.parse_yaml(text, problems)
    return data, problems.report()


@pytest.mark.parametrize("name", [n for n, _ in loader.bundled()])
def test_every_bundled_scenario_takes_the_fast_path_and_parses_the_same(name, monkeypatch):
    text = loader.bundled_path(name).read_text("utf-8")
    fast = yamlcheck._fast_parse(text)
    assert fast is not yamlcheck._SLOW
    data, problems = _careful(text, monkeypatch)
    assert problems == [] and _same(fast, data)


_ATOMS = [
    "a", "c0", "yes", "No", "null", "~", "", "1", "01", "0", "-1", "+5", "0x1F", "0o7", "0b101", "1_000",
    "1:20", "1.5", "-.5", ".inf", "-.Inf", ".nan", "1e5", "1.0e+5", "2001-12-14", "<<", "=", "'q'", '"d"',
    '"1"', "'01'", "x y", "9" * 150, "1" + "0" * 101, "true", "False", "ON", "é", "!!str 5", "&a 1", "*a",
    "{}", "[]", "1.", "-0", "08", "12e3", "190:20:30",
]  # fmt: skip


def _random_document(rng: random.Random) -> str:
    def value(depth: int) -> str:
        r = rng.random()
        if depth < 3 and r < 0.2:
            return (
                "{"
                + ", ".join(f"{rng.choice(_ATOMS)}: {value(depth + 1)}" for _ in range(rng.randint(0, 4)))
                + "}"
            )
        if depth < 3 and r < 0.3:
            return "[" + ", ".join(value(depth + 1) for _ in range(rng.randint(0, 4))) + "]"
        return rng.choice(_ATOMS)

    def block(depth: int, indent: str) -> list[str]:
        lines = []
        for _ in range(rng.randint(1, 4)):
            key = rng.choice(_ATOMS)
            if depth < 2 and rng.random() < 0.4:
                lines += [f"{indent}{key}:", *block(depth + 1, indent + "  ")]
            else:
                lines.append(f"{indent}{key}: {value(0)}")
        return lines

    text = "\n".join(block(0, "")) + "\n"
    return ("---\n" + text if rng.random() < 0.1 else text) + ("---\nb: 1\n" if rng.random() < 0.05 else "")


def test_random_documents_parse_the_same_on_both_paths(monkeypatch):
    rng = random.Random(16)
    fast_count = 0
    for _ in range(600):
        text = _random_document(rng)
        fast = yamlcheck._fast_parse(text)
        data, problems = _careful(text, monkeypatch)
        if fast is yamlcheck._SLOW:
            continue
        fast_count += 1
        assert problems == [], text
        assert _same(fast, data), text
    assert fast_count > 50  # the comparison is not vacuous


@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\nb: *x\n",  # anchor and alias
        "a: !!str 1\n",  # explicit tag
        "base: {x: 1}\nb: {<<: {y: 2}}\n",  # merge key
        "a: 1\na: 2\n",  # duplicate key
        "a: 1\n'a': 2\n",  # duplicate key, quoted
        "1: a\ntrue: b\n",  # keys equal in Python (True == 1)
        "? [a]\n: 1\n",  # unhashable key
        "a: 2001-12-14\n",  # timestamp
        "a: 1\n---\nb: 2\n",  # two documents
        "a: [1, 2\n",  # syntax error
        "a:\tb\n\tc: 1\n",  # tab
    ],
)
def test_anything_unusual_takes_the_careful_path(text):
    assert yamlcheck._fast_parse(text) is yamlcheck._SLOW


@pytest.mark.parametrize("path", sorted(BAD_DIR.glob("*.yaml")), ids=lambda p: p.name)
def test_every_bad_scenario_reports_the_same_problems_with_or_without_the_fast_path(path, monkeypatch):
    def problems() -> list[str]:
        try:
            loader.load(path)
        except ScenarioError as exc:
            return exc.problems
        return []

    fast = problems()
    with monkeypatch.context() as m:
        m.setattr(yamlcheck, "_fast_parse", lambda text: yamlcheck._SLOW)
        careful = problems()
    assert fast == careful


def test_the_node_limit_is_still_enforced_on_the_fast_path(monkeypatch):
    monkeypatch.setattr(yamlcheck.limits, "YAML_NODES", 50)
    text = "urns:\n  box:\n" + "".join(f"    c{i}: 1\n" for i in range(40))
    assert yamlcheck._fast_parse(text) is yamlcheck._SLOW
    problems = yamlcheck.Problems("big.yaml")
    assert yamlcheck.parse_yaml(text, problems) is yamlcheck.BAD
    assert "more than 50 YAML nodes" in problems.report()[0]


# -- YAML out ----------------------------------------------------------------------------


class _Plain(yaml.SafeDumper):
    """The writer's dumper without its table shortcut: PyYAML's emitter for everything."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


_Plain.add_representer(str, writer._represent_str)
_Plain.add_representer(writer._Block, writer._represent_block)
_Plain.add_representer(writer._Table, yaml.SafeDumper.represent_dict)


def _plain(doc: Any) -> str:
    return yaml.dump(
        doc, Dumper=_Plain, sort_keys=False, default_flow_style=None, width=100, allow_unicode=True
    )


def test_colour_tables_are_written_byte_for_byte_as_pyyaml_writes_them():
    rng = random.Random(1948)
    chars = string.ascii_letters + string.digits + "_.-"
    special = [
        "yes",
        "No",
        "null",
        "ON",
        "y",
        "1",
        "0",
        "01",
        "-",
        "---",
        "-a",
        "_",
        "1.5",
        "1e5",
        "0x1F",
        "True",
    ]

    def name() -> str:
        if rng.random() < 0.1:
            return rng.choice(special)
        first = rng.choice(string.ascii_letters + string.digits + "_-")
        return first + "".join(rng.choice(chars) for _ in range(rng.choice([0, 1, 3, 10, 40, 99])))

    def table() -> writer._Table:
        k = rng.choice([1, 2, 5, 30, 200])
        if rng.random() < 0.5:
            return writer._Table(
                {name(): rng.choice([0, 1, 10**9, rng.randint(0, 10**15)]) for _ in range(k)}
            )
        return writer._Table(
            {name(): "".join(rng.choice("01") for _ in range(rng.randint(1, 32))) for _ in range(k)}
        )

    for _ in range(200):
        doc = {
            "name": name(),
            "description": "x",
            "urns": {name(): table() for _ in range(rng.randint(1, 3))},
            "codes": {name(): {"type": "huffman", "for": name(), "codewords": table()} for _ in range(2)},
            "lines": {"l": writer._Block({"baud": 50.0})},
        }
        assert writer.emit(doc) == _plain(doc)


@pytest.mark.parametrize("name", [n for n, _ in loader.bundled()])
def test_resolved_bundled_scenarios_are_written_as_before(name, monkeypatch):
    s = loader.load(name, allow_ambiguous=True)
    new = loader.dump(s)
    monkeypatch.setattr(writer, "emit", _plain)
    assert new == loader.dump(s)
