"""Scenario files: YAML in, validated frozen :mod:`sim.model.records` records out.

A scenario names urns (boxes of coloured balls), codes, telegraph lines and
the links that join them. :func:`load` reads one, checks everything once and
reports every problem together, each as ``file: yaml.path: what is wrong (got
value)``; :func:`dump` writes a resolved scenario back (seed, messages and
every default explicit, codes as codeword tables) so a run can be repeated.
This module finds the file and is the public face; the work sits in two
siblings by concern: :mod:`sim.scenario.builder` (YAML in, records out) and
:mod:`sim.scenario.writer` (records out as YAML).

>>> s = load("india_to_australia")
>>> s.seed, s.messages, [link.name for link in s.links]
(1948, 100000, ['india-fixed', 'india-scheme2', 'india-scheme3', 'india-huffman'])
>>> dict(s.links[3].code.codewords)
{'blue': '10', 'red': '0', 'green': '110', 'yellow': '111'}
>>> load("not_uniquely_decodable")
Traceback (most recent call last):
...
sim.scenario.loader.ScenarioError: not_uniquely_decodable.yaml: links[0].code: code 'scheme1' is \
not uniquely decodable: 10 = green = red·blue, so the receiver cannot tell these messages apart
"""

from __future__ import annotations

import dataclasses
import importlib.resources
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from sim.model import limits
from sim.model.records import Scenario
from sim.scenario.builder import build, build_data
from sim.scenario.writer import dump
from sim.scenario.yamlcheck import BAD, Problems, parse_yaml, suggest

__all__ = [
    "ScenarioError",
    "bundled",
    "bundled_path",
    "dump",
    "from_data",
    "load",
    "loads",
    "read_data",
    "with_overrides",
]

#: Bundled scenarios in teaching order (any others follow alphabetically).
_TEACHING_ORDER = (
    "india_to_australia",
    "australia_to_india",
    "not_uniquely_decodable",
    "busy_telegraph_office",
    "shared_office",
    "noisy_cable",
    "road_to_entropy",
    "australia_learns",
)


class ScenarioError(ValueError):
    """A scenario that cannot be used. ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


# -- public API -------------------------------------------------------------------


def load(source: str | os.PathLike[str] | Mapping[str, Any], *, allow_ambiguous: bool = False) -> Scenario:
    """Read and validate a scenario file, a bundled scenario by name, or a scenario written inline.

    Parameters
    ----------
    source:
        A path to a YAML file, or the name of a bundled scenario (with or
        without ``.yaml``; see :func:`bundled`). An existing file wins over a
        bundled scenario of the same name. In a notebook, a scenario can also
        be written inline, without a file: a ``dict`` with the keys of a
        scenario file, or YAML text of more than one line. Problems then name
        ``<dict>`` or ``<text>`` instead of a file; the default name is
        ``inline``.

        >>> s = load({"urns": {"box": {"blue": 3, "red": 1}}, "codes": {"f": {"type": "fixed"}},
        ...           "links": [{"urn": "box", "code": "f"}]})
        >>> s.name, s.links[0].name, dict(s.links[0].code.codewords)
        ('inline', 'box-f', {'blue': '0', 'red': '1'})
        >>> load("urns: {box: {a: 1, b: 1}}\\ncodes: {f: {type: fixed}}\\nlinks: [{urn: box, code: f}]").name
        'inline'

    allow_ambiguous:
        Build links whose code the receiver cannot decode (not uniquely
        decodable, or uniquely decodable but not prefix-free) instead of
        reporting them; ``explain`` uses this to show why such a code cannot
        be used.

    Raises
    ------
    ScenarioError
        Listing every problem found, one line each.
    """
    if isinstance(source, Mapping):
        return _built(build(_inline_yaml(source), "<dict>", "inline", None, allow_ambiguous))
    if isinstance(source, str) and "\n" in source:
        if len(source) > limits.FILE_BYTES:
            raise ScenarioError([_too_big("<text>", len(source))])
        return _built(build(source, "<text>", "inline", None, allow_ambiguous))
    path = _resolve(source)
    return _built(build(_read_text(path), path.name, path.stem, str(path), allow_ambiguous))


def read_data(source: str | os.PathLike[str]) -> tuple[Any, Path]:
    """The parsed YAML of a scenario file (or bundled name), not yet validated, and its path.

    :mod:`sim.sweep` edits this data and validates each edit with :func:`from_data`.

    Raises
    ------
    ScenarioError
        When the file cannot be found, read or parsed.
    """
    path = _resolve(source)
    problems = Problems(path.name)
    data = parse_yaml(_read_text(path), problems)
    if problems:
        raise ScenarioError(problems.report())
    return data, path


def from_data(
    data: Any, *, filename: str = "scenario.yaml", source: str | None = None, allow_ambiguous: bool = False
) -> Scenario:
    """Like :func:`loads`, from YAML data already parsed (plain dicts, lists and scalars)."""
    return _built(build_data(data, Problems(filename), Path(filename).stem, source, allow_ambiguous))


def _read_text(path: Path) -> str:
    try:
        with path.open("rb") as f:  # never more than the limit, whatever the size says
            size = os.fstat(f.fileno()).st_size
            raw = f.read(limits.FILE_BYTES + 1) if size <= limits.FILE_BYTES else b""
    except OSError as exc:
        raise ScenarioError([f"{path.name}: could not read the file ({exc.strerror})"]) from None
    if size > limits.FILE_BYTES or len(raw) > limits.FILE_BYTES:
        raise ScenarioError([_too_big(path.name, max(size, len(raw)))])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            [f"{path.name}: is not UTF-8 text (undecodable byte at offset {exc.start})"]
        ) from None


def loads(text: str, *, filename: str = "scenario.yaml", allow_ambiguous: bool = False) -> Scenario:
    """Like :func:`load`, from YAML text; ``filename`` names it in messages and gives the default name."""
    if len(text) > limits.FILE_BYTES:
        raise ScenarioError([_too_big(filename, len(text))])
    return _built(build(text, filename, Path(filename).stem, None, allow_ambiguous))


def _inline_yaml(data: Mapping[str, Any]) -> str:
    """A scenario given as a dict, as YAML text for the one validating reader."""
    try:
        text = yaml.safe_dump(dict(data), sort_keys=False, allow_unicode=True)
    except (yaml.YAMLError, RecursionError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ScenarioError(
            [
                f"<dict>: holds a value a scenario cannot (plain str, int, float, "
                f"bool, list and dict only): {first}"
            ]
        ) from None
    if len(text) > limits.FILE_BYTES:
        raise ScenarioError([_too_big("<dict>", len(text))])
    return text


def _too_big(filename: str, size: int) -> str:
    return (
        f"{filename}: file size: is {size:_} bytes; a scenario file may be at most "
        f"{limits.number_text(limits.FILE_BYTES)} bytes (16 MiB)"
    )


def bundled() -> list[tuple[str, str]]:
    """(name, first line of description) of each bundled scenario, in teaching order."""
    out = []
    for name in _bundled_names():
        try:
            data = yaml.safe_load(_bundled_dir().joinpath(f"{name}.yaml").read_text("utf-8"))
            text = data.get("description", "") if isinstance(data, dict) else ""
        except (OSError, yaml.YAMLError):
            text = ""
        first = text.strip().splitlines()[0].strip() if isinstance(text, str) and text else ""
        out.append((name, first))
    return out


def bundled_path(name: str) -> Path:
    """The file of the bundled scenario ``name`` (``.yaml`` optional)."""
    stem = name[:-5] if name.endswith(".yaml") else name
    if stem not in _bundled_names():
        raise ScenarioError(
            [f"{stem}.yaml: no bundled scenario of that name{suggest(stem, _bundled_names())}"]
        )
    return Path(str(_bundled_dir().joinpath(f"{stem}.yaml")))


def with_overrides(scenario: Scenario, *, messages: int | None = None, seed: int | None = None) -> Scenario:
    """The scenario with ``messages`` and/or ``seed`` replaced (None keeps the file's value)."""
    problems = Problems("override")
    new_messages, new_seed = scenario.messages, scenario.seed
    if messages is not None:
        v = problems.integer("--messages", messages, minimum=1, maximum=limits.MESSAGES)
        new_messages = v if v is not BAD else new_messages
    if seed is not None:
        v = problems.integer("--seed", seed, minimum=0, maximum=limits.SEED)
        new_seed = v if v is not BAD else new_seed
    if problems:
        raise ScenarioError([line.removeprefix("override: ") for line in problems.report()])
    return dataclasses.replace(scenario, messages=new_messages, seed=new_seed)


# -- resolving a source ---------------------------------------------------------


def _bundled_dir() -> Any:
    return importlib.resources.files("sim.scenarios")


def _bundled_names() -> list[str]:
    names = sorted(p.name[:-5] for p in _bundled_dir().iterdir() if p.name.endswith(".yaml"))
    first = [n for n in _TEACHING_ORDER if n in names]
    return first + [n for n in names if n not in first]


def _resolve(source: str | os.PathLike[str]) -> Path:
    if not isinstance(source, (str, os.PathLike)):
        raise TypeError(f"'source' must be a path or a scenario name (got {source!r})")
    text = os.fspath(source)
    if text == "":
        raise ScenarioError(["(no scenario given): name a YAML file or a bundled scenario"])
    path = Path(text)
    if path.is_file():
        return path
    if path.is_dir():
        raise ScenarioError([f"{path.name or text}: is a folder, not a scenario file"])
    if path.exists():  # a named pipe, a device (/dev/null), a socket: never read, never "no such file"
        raise ScenarioError([f"{text}: is not a regular file, not a scenario file"])
    is_bare_name = isinstance(source, str) and "/" not in text and os.sep not in text
    stem = text[:-5] if text.endswith(".yaml") else text
    names = _bundled_names()
    if is_bare_name and stem in names:
        return bundled_path(stem)
    shown = path.name or text
    if is_bare_name:
        raise ScenarioError(
            [f"{shown}: no such file, and no bundled scenario of that name{suggest(stem, names)}"]
        )
    raise ScenarioError([f"{shown}: no such file ({text})"])


def _built(outcome: Scenario | list[str]) -> Scenario:
    if isinstance(outcome, list):
        raise ScenarioError(outcome)
    return outcome
