"""Scenario files: YAML in, validated frozen :mod:`sim.model` records out.

A scenario names urns (boxes of coloured balls), codes, telegraph lines and
the links that join them. :func:`load` reads one, checks everything once and
reports every problem together, each as ``file: yaml.path: what is wrong (got
value)``; :func:`dump` writes a resolved scenario back (seed, messages and
every default explicit, codes as codeword tables) so a run can be repeated.

>>> s = load("india_to_australia")
>>> s.seed, s.messages, [link.name for link in s.links]
(1948, 100000, ['india-fixed', 'india-scheme2', 'india-scheme3', 'india-huffman'])
>>> dict(s.links[3].code.codewords)
{'blue': '10', 'red': '0', 'green': '110', 'yellow': '111'}
>>> load("not_uniquely_decodable")
Traceback (most recent call last):
...
sim.scenario.ScenarioError: not_uniquely_decodable.yaml: links[0].code: code 'scheme1' is \
not uniquely decodable: 10 = green = red·blue, so the receiver cannot tell these messages apart
"""

from __future__ import annotations

import dataclasses
import importlib.resources
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from coding import Code, fixed_length, huffman, shannon_from_counts
from sim import limits
from sim._yamlcheck import BAD, Problems, parse_yaml, show, suggest
from sim.model import Arrivals, CodeSpec, Line, Link, Scenario, Tariff, Urn

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

#: Code types a scenario may name.
CODE_TYPES = ("fixed", "table", "huffman", "shannon")
#: Defaults for optional keys (documented in the README).
DEFAULT_SEED = 0
DEFAULT_MESSAGES = 100_000
DEFAULT_LINE = Line("line", baud=1.0)

#: Bundled scenarios in teaching order (any others follow alphabetically).
_TEACHING_ORDER = (
    "india_to_australia",
    "australia_to_india",
    "not_uniquely_decodable",
    "busy_telegraph_office",
    "shared_office",
)
_TOP_REQUIRED = ("urns", "codes", "links")
_TOP_OPTIONAL = ("name", "description", "seed", "messages", "lines")

_LINK_KEYS = ("name", "line", "arrivals", "telegram", "replacement", "priority")


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
        return _build(_inline_yaml(source), "<dict>", "inline", None, allow_ambiguous)
    if isinstance(source, str) and "\n" in source:
        if len(source) > limits.FILE_BYTES:
            raise ScenarioError([_too_big("<text>", len(source))])
        return _build(source, "<text>", "inline", None, allow_ambiguous)
    path = _resolve(source)
    return _build(_read_text(path), path.name, path.stem, str(path), allow_ambiguous)


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
    problems = Problems(filename)
    return _build_data(data, problems, Path(filename).stem, source, allow_ambiguous)


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
    return _build(text, filename, Path(filename).stem, None, allow_ambiguous)


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
    changes: dict[str, int] = {}
    if messages is not None:
        v = problems.integer("--messages", messages, minimum=1, maximum=limits.MESSAGES)
        if v is not BAD:
            changes["messages"] = v
    if seed is not None:
        v = problems.integer("--seed", seed, minimum=0, maximum=limits.SEED)
        if v is not BAD:
            changes["seed"] = v
    if problems:
        raise ScenarioError([line.removeprefix("override: ") for line in problems.report()])
    return dataclasses.replace(scenario, **changes)


def dump(scenario: Scenario) -> str:
    """The resolved scenario as YAML: ``load`` of it runs identically.

    Seed and messages are written, every default is explicit, and each code
    carries its codeword table next to its ``type``/``for`` (for a built
    code the table is a pin: loading checks the builder still gives it).
    A fixed code without ``for`` that different links build over different
    colours keeps no table: it is rebuilt per link.
    """
    urns: dict[str, Urn] = dict(scenario.urns)
    lines: dict[str, Line] = dict(scenario.lines)
    codes: dict[str, CodeSpec] = dict(scenario.codes)
    for link in scenario.links:  # records built in Python may leave the tables out
        urns.setdefault(link.urn.name, link.urn)
        lines.setdefault(link.line.name, link.line)
        codes.setdefault(link.code_name, CodeSpec(link.code_name, "table", link.code, None))
    doc: dict[str, Any] = {
        "name": scenario.name,
        "description": scenario.description,
        "seed": int(scenario.seed),
        "messages": int(scenario.messages),
        "urns": {name: {c: int(n) for c, n in urn.counts.items()} for name, urn in urns.items()},
        "codes": {name: _dump_code(spec, scenario.links) for name, spec in codes.items()},
        "lines": {name: _dump_line(line) for name, line in lines.items()},
        "links": [_dump_link(link) for link in scenario.links],
    }
    header = (
        "# Resolved scenario written by telegraph: every default is explicit.\n"
        "# `telegraph run <this file>` repeats the run exactly.\n"
    )
    return header + yaml.dump(
        doc,
        Dumper=_Dumper,
        sort_keys=False,
        default_flow_style=None,
        width=100,
        allow_unicode=True,
    )


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


# -- building ---------------------------------------------------------------------


@dataclass(frozen=True)
class _CodeEntry:
    spec: CodeSpec
    pinned: dict[str, str] | None = None  # codewords given for a per-link fixed code


def _build(text: str, filename: str, stem: str, source: str | None, allow_ambiguous: bool) -> Scenario:
    problems = Problems(filename)
    data = parse_yaml(text, problems)
    if data is BAD:
        raise ScenarioError(problems.report())
    return _build_data(data, problems, stem, source, allow_ambiguous)


def _build_data(
    data: Any, problems: Problems, stem: str, source: str | None, allow_ambiguous: bool
) -> Scenario:
    if data is None:
        problems.add("(top level)", "the file is empty; a scenario needs urns, codes and links")
        raise ScenarioError(problems.report())
    top = problems.mapping(
        "",
        data,
        required=_TOP_REQUIRED,
        optional=_TOP_OPTIONAL,
        what="a mapping with keys such as urns, codes and links",
    )
    if top is BAD:
        raise ScenarioError(problems.report())
    b = _Builder(problems, allow_ambiguous)

    name = _default_name(stem)
    if "name" in top:
        name = problems.name("name", top["name"], what="the scenario name")
    elif len(name) > limits.NAME_CHARS:
        problems.add(
            "name",
            f"the scenario name defaults to the file's name, which is {len(name)} characters long; "
            f"give a 'name' of at most {limits.NAME_CHARS} characters",
        )
    description = ""
    if "description" in top:
        description = problems.string("description", top["description"], maximum=limits.DESCRIPTION_CHARS)
        description = description.strip() if description is not BAD else ""
    seed = DEFAULT_SEED
    if "seed" in top:
        seed = problems.integer("seed", top["seed"], minimum=0, maximum=limits.SEED)
    messages = DEFAULT_MESSAGES
    if "messages" in top:
        messages = problems.integer("messages", top["messages"], minimum=1, maximum=limits.MESSAGES)

    urns = b.urns(top["urns"]) if "urns" in top else None
    codes = b.codes(top["codes"], urns) if "codes" in top else None
    lines = b.lines(top["lines"]) if "lines" in top else {DEFAULT_LINE.name: DEFAULT_LINE}
    links = b.links(top["links"], urns, codes, lines) if "links" in top else ()

    if problems:
        raise ScenarioError(problems.report())
    assert urns is not None and codes is not None and lines is not None
    return Scenario(
        name=name,
        links=tuple(links),
        seed=seed,
        messages=messages,
        description=description,
        urns=urns,
        codes={k: v.spec for k, v in codes.items()},
        lines=lines,
        source=source,
    )


def _default_name(stem: str) -> str:
    """The file's stem, made safe for a folder name."""
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", stem).lstrip(".") or "scenario"
    return name


class _Builder:
    """Checks the sections of one file, reporting into ``problems``.

    Each section comes back as name -> record, with BAD for an entry that had
    a problem (already reported), or None when the whole section was unusable.
    A reference to a BAD entry is not reported again: one mistake, one line.
    """

    def __init__(self, problems: Problems, allow_ambiguous: bool) -> None:
        self.p = problems
        self.allow_ambiguous = allow_ambiguous

    # -- urns -------------------------------------------------------------------
    def _section(self, section: str, kind: str, value: Any, build: Any, most: int) -> dict[str, Any] | None:
        """Each named entry of a section (at most ``most``), built by ``build(path, name, value)``."""
        if isinstance(value, dict) and not self.p.count(section, value, most, f"{kind}s"):
            return None
        entries = self.p.named_entries(section, value, kind)
        if entries is BAD:
            return None
        return {
            name: v if v is BAD else build(Problems.key(section, name), name, v)
            for name, v in entries.items()
        }

    def urns(self, value: Any) -> dict[str, Any] | None:
        return self._section("urns", "urn", value, self.urn, limits.URNS)

    def urn(self, path: str, name: str, value: Any) -> Urn | Any:
        p = self.p
        if not isinstance(value, dict):
            p.add(path, "must be a mapping of colour to number of balls, like {red: 50, blue: 25}", value)
            return BAD
        if not value:
            p.add(path, "must have at least one colour", value)
            return BAD
        if not p.count(path, value, limits.COLOURS, "colours"):
            return BAD
        counts: dict[str, int] = {}
        ok = True
        for colour, n in value.items():
            if not self.colour(Problems.key(path, colour), colour):
                ok = False
                continue
            v = p.integer(Problems.key(path, colour), n, minimum=0, maximum=limits.BALLS)
            if v is BAD:
                ok = False
            else:
                counts[colour] = v
        if not ok:
            return BAD
        if sum(counts.values()) == 0:
            p.add(path, "must hold at least one ball (every count is 0)", value)
            return BAD
        return Urn(name, counts)

    def colour(self, path: str, colour: Any) -> bool:
        """Whether ``colour`` is a usable colour name (non-empty text, not too long)."""
        if not isinstance(colour, str) or colour == "":
            self.p.add(path, "colour names must be text; put it in quotes", colour)
            return False
        if len(colour) > limits.NAME_CHARS:
            self.p.add(path, f"colour names may be at most {limits.NAME_CHARS} characters long", colour)
            return False
        return True

    # -- codes ------------------------------------------------------------------
    def codes(self, value: Any, urns: dict[str, Any] | None) -> dict[str, Any] | None:
        return self._section(
            "codes", "code", value, lambda path, n, v: self.code(path, n, v, urns), limits.CODES
        )

    def code(self, path: str, name: str, value: Any, urns: dict[str, Any] | None) -> Any:
        p = self.p
        kinds = ", ".join(CODE_TYPES)
        if not isinstance(value, dict):
            p.add(path, f"must be a mapping with a type ({kinds}), like {{type: fixed}}", value)
            return BAD
        ctype = value.get("type")
        if "type" not in value:
            p.mapping(path, value, required=("type",), optional=("for", "codewords"))
            return BAD
        if not isinstance(ctype, str) or ctype not in CODE_TYPES:
            where = Problems.key(path, "type")
            if isinstance(ctype, str):
                p.add(where, f"unknown code type {show(ctype)}{suggest(ctype, CODE_TYPES)}")
            else:
                p.add(where, f"must be one of {kinds}", ctype)
            p.mapping(path, value, optional=("type", "for", "codewords"))
            return BAD
        if ctype == "table":
            if "for" in value:
                p.add(
                    Problems.key(path, "for"),
                    "a table code is written by hand, not built for an urn: remove 'for' (the "
                    "theory measures it against its implied distribution 2^-length)",
                )
                value = {k: v for k, v in value.items() if k != "for"}
            fields = p.mapping(path, value, required=("type", "codewords"))
        elif ctype == "fixed":
            fields = p.mapping(path, value, required=("type",), optional=("for", "codewords"))
        else:
            fields = p.mapping(path, value, required=("type", "for"), optional=("codewords",))

        codewords = None
        if "codewords" in fields:
            codewords = self.codewords(Problems.key(path, "codewords"), fields["codewords"])
        urn = None
        if "for" in fields:
            urn = self.reference(Problems.key(path, "for"), fields["for"], urns, "urn")
        if (
            codewords is BAD
            or urn is BAD
            or ("codewords" not in fields and ctype == "table")
            or ("for" not in fields and ctype in ("huffman", "shannon"))
        ):
            return BAD

        if ctype == "table":
            return _CodeEntry(CodeSpec(name, "table", Code(codewords), None))
        if urn is None:  # fixed, per link
            return _CodeEntry(CodeSpec(name, "fixed", None, None), pinned=codewords)
        if ctype == "shannon":
            empty = [c for c, n in urn.counts.items() if n == 0]
            if empty:
                p.add(
                    Problems.key(path, "for"),
                    f"a shannon code needs balls of every colour of urn {urn.name!r}, but "
                    f"{empty[0]!r} has none (its codeword would be infinitely long); give it a "
                    "ball or remove the colour",
                    urn.name,
                )
                return BAD
            code = shannon_from_counts(urn.counts)
        elif ctype == "huffman":
            code = huffman(urn.distribution)
        else:
            code = fixed_length(list(urn.counts))
        if codewords is not None and dict(codewords) != dict(code.codewords):
            p.add(
                Problems.key(path, "codewords"),
                f"do not match the {ctype} code for urn {urn.name!r}, which is "
                f"{_table(code.codewords)}; remove them or fix them",
                codewords,
            )
            return BAD
        return _CodeEntry(CodeSpec(name, ctype, code, urn.name))

    def codewords(self, path: str, value: Any) -> dict[str, str] | Any:
        p = self.p
        if not isinstance(value, dict) or not value:
            p.add(path, 'must be a mapping of colour to codeword, like {red: "0", blue: "10"}', value)
            return BAD
        if not p.count(path, value, limits.COLOURS, "codewords"):
            return BAD
        out: dict[str, str] = {}
        owner: dict[str, str] = {}
        ok = True
        for colour, word in value.items():
            where = Problems.key(path, colour)
            if not self.colour(where, colour):
                ok = False
            elif not isinstance(word, str):
                hint = (
                    "; YAML reads unquoted digits as a number, so put the codeword in quotes"
                    if isinstance(word, int) and not isinstance(word, bool)
                    else ""
                )
                p.add(where, f'must be a string of 0s and 1s such as "10"{hint}', word)
                ok = False
            elif word == "" or set(word) - {"0", "1"}:
                p.add(where, "must be a non-empty string of 0s and 1s (the line is binary)", word)
                ok = False
            elif len(word) > limits.CODEWORD_BITS:
                p.add(
                    where,
                    f"is {len(word):_} bits long; the line sends codewords of at most "
                    f"{limits.CODEWORD_BITS} bits",
                    word,
                )
                ok = False
            elif word in owner:
                p.add(where, f"has the same codeword as {owner[word]!r}; each colour needs its own", word)
                ok = False
            else:
                owner[word] = colour
                out[colour] = word
        return out if ok else BAD

    # -- lines ------------------------------------------------------------------
    def lines(self, value: Any) -> dict[str, Any] | None:
        return self._section("lines", "line", value, self.line, limits.LINES)

    def line(self, path: str, name: str, value: Any) -> Line | Any:
        p = self.p
        fields = p.mapping(
            path,
            value,
            required=("baud",),
            optional=("latency", "tariff", "shared"),
            what="a mapping like {baud: 50, latency: 0.1}",
        )
        if fields is BAD:
            return BAD
        before = len(p.lines)
        baud = (
            p.number(Problems.key(path, "baud"), fields["baud"], positive=True, within=limits.BAUD)
            if "baud" in fields
            else BAD
        )
        latency = 0.0
        if "latency" in fields:
            latency = p.number(Problems.key(path, "latency"), fields["latency"], within=limits.LATENCY)
        tariff = Tariff()
        if "tariff" in fields:
            tpath = Problems.key(path, "tariff")
            t = p.mapping(
                tpath,
                fields["tariff"],
                optional=("per_bit", "per_telegram"),
                what="a mapping like {per_bit: 0.01, per_telegram: 0.5}",
            )
            if t is not BAD:
                per_bit = p.number(
                    Problems.key(tpath, "per_bit"), t.get("per_bit", 0.0), within=limits.TARIFF
                )
                per_tel = p.number(
                    Problems.key(tpath, "per_telegram"), t.get("per_telegram", 0.0), within=limits.TARIFF
                )
                tariff = Tariff(per_bit, per_tel)
        shared = False
        if "shared" in fields:
            shared = p.boolean(Problems.key(path, "shared"), fields["shared"])
        if len(p.lines) > before:
            return BAD
        return Line(name, baud=baud, latency=latency, tariff=tariff, shared=shared)

    # -- links ------------------------------------------------------------------
    def links(
        self,
        value: Any,
        urns: dict[str, Any] | None,
        codes: dict[str, Any] | None,
        lines: dict[str, Any] | None,
    ) -> list[Link]:
        p = self.p
        if not isinstance(value, list) or not value:
            p.add("links", "must be a list of links, each like {urn: india, code: huffman}", value)
            return []
        if not p.count("links", value, limits.LINKS, "links"):
            return []
        out: list[Link] = []
        named: dict[str, int] = {}
        for i, item in enumerate(value):
            path = Problems.index("links", i)
            link = self.link(path, item, urns, codes, lines)
            if link is BAD:
                continue
            name, build = link
            if name is BAD:
                continue
            if name in named:
                p.add(
                    Problems.key(path, "name"),
                    f"links[{named[name]}] has the same name; give each link its own 'name'",
                    name,
                )
                continue
            named[name] = i
            if build is not None:
                out.append(build(name))
        return out

    def link(
        self,
        path: str,
        value: Any,
        urns: dict[str, Any] | None,
        codes: dict[str, Any] | None,
        lines: dict[str, Any] | None,
    ) -> Any:
        """(name, build) where build(name) -> Link, or None when a part had a problem."""
        p = self.p
        fields = p.mapping(
            path,
            value,
            required=("urn", "code"),
            optional=_LINK_KEYS,
            what="a mapping like {urn: india, code: huffman}",
        )
        if fields is BAD:
            return BAD
        before = len(p.lines)
        urn = self.reference(Problems.key(path, "urn"), fields.get("urn", BAD), urns, "urn")
        entry = self.reference(Problems.key(path, "code"), fields.get("code", BAD), codes, "code")
        if "line" in fields:
            line = self.reference(Problems.key(path, "line"), fields["line"], lines, "line")
        elif lines is None:
            line = BAD
        elif len(lines) == 1:
            line = next(iter(lines.values()))
        else:
            p.add(
                Problems.key(path, "line"),
                f"is required when there are several lines (known: {', '.join(lines)})",
            )
            line = BAD
        if "name" in fields:
            name = p.name(Problems.key(path, "name"), fields["name"], what="a link name")
        elif isinstance(fields.get("urn"), str) and isinstance(fields.get("code"), str):
            name = f"{fields['urn']}-{fields['code']}"
        else:
            name = BAD
        arrivals = Arrivals()
        if "arrivals" in fields:
            arrivals = self.arrivals(Problems.key(path, "arrivals"), fields["arrivals"])
        telegram = 1
        if "telegram" in fields:
            telegram = p.integer(
                Problems.key(path, "telegram"), fields["telegram"], minimum=1, maximum=limits.TELEGRAM
            )
        replacement = True
        if "replacement" in fields:
            replacement = p.boolean(Problems.key(path, "replacement"), fields["replacement"])
        priority = 0
        if "priority" in fields:
            priority = p.integer(
                Problems.key(path, "priority"), fields["priority"], minimum=0, maximum=limits.PRIORITY
            )
        # The code is checked against its urn even when another key of this link has a problem,
        # so `validate` reports every problem of the link at once.
        code = self.fit(Problems.key(path, "code"), urn, entry) if BAD not in (urn, entry) else BAD
        if len(p.lines) > before or BAD in (urn, entry, line):
            return name, None
        if not line.shared and "priority" in fields:
            p.add(
                Problems.key(path, "priority"),
                f"orders the links of a shared line, and line {line.name!r} is not shared "
                "(give it 'shared: true')",
            )
            return name, None
        if line.shared and arrivals.kind == "back_to_back":
            p.add(
                Problems.key(path, "arrivals"),
                f"line {line.name!r} is shared, so its links need timed arrivals ({{every: s}} or "
                "{rate: r}): back-to-back has no arrival times to order one queue by",
            )
            return name, None
        if code is BAD:
            return name, None
        spec = entry.spec

        def build(link_name: str) -> Link:
            return Link(
                name=link_name,
                urn=urn,
                code_name=spec.name,
                code_type=spec.type,
                code=code,
                line=line,
                built_for=spec.built_for,
                assumed=(urns[spec.built_for].distribution if spec.type in ("huffman", "shannon") else None),
                arrivals=arrivals,
                telegram=telegram,
                replacement=replacement,
                priority=priority,
            )

        return name, build

    def fit(self, path: str, urn: Urn, entry: _CodeEntry) -> Code | Any:
        """The link's code, checked against its urn: every colour covered, decodable."""
        p, spec = self.p, entry.spec
        before = len(p.lines)  # every problem of the fit is reported, not only the first
        code = spec.code if spec.code is not None else fixed_length(list(urn.counts))
        if entry.pinned is not None and dict(entry.pinned) != dict(code.codewords):
            p.add(
                path,
                f"the fixed code {spec.name!r} over the colours of urn {urn.name!r} is "
                f"{_table(code.codewords)}, not the codewords given at "
                f"codes.{spec.name}.codewords",
                spec.name,
            )
        missing = [c for c, n in urn.counts.items() if n > 0 and c not in code.codewords]
        extra = [c for c in code.codewords if c not in urn.counts]
        if missing or extra:
            parts = []
            if missing:
                parts.append(f"no codeword for {_names(missing)}")
            if extra:
                parts.append(
                    f"codewords for {_names(extra)}, which the urn lacks (list "
                    f"{'them' if len(extra) > 1 else 'it'} in the urn with 0 balls if that is "
                    "intended)"
                )
            p.add(path, f"code {spec.name!r} does not fit urn {urn.name!r}: it has " + "; and ".join(parts))
        too_long = [c for c, w in code.codewords.items() if len(w) > limits.CODEWORD_BITS]
        if too_long:  # before the decodability search, whose cost grows with the codeword lengths
            c = too_long[0]
            p.add(
                path,
                f"code {spec.name!r} gives {c!r} a codeword of {len(code[c])} bits; the line "
                f"sends codewords of at most {limits.CODEWORD_BITS} bits",
            )
            return BAD
        if not self.allow_ambiguous and not code.is_uniquely_decodable:
            p.add(
                path,
                f"code {spec.name!r} is not uniquely decodable: {code.ambiguity()}, so the "
                "receiver cannot tell these messages apart",
            )
        elif not self.allow_ambiguous and not code.is_prefix_free:
            clash = code.prefix_clash()
            assert clash is not None
            short, long = clash
            p.add(
                path,
                f"code {spec.name!r} is uniquely decodable but not prefix-free ({long!r} is "
                f"{code[long]}, which begins with {short!r}, {code[short]}): the receiver "
                "decodes the bits as they arrive, which needs a prefix-free code",
            )
        return BAD if len(p.lines) > before else code

    def arrivals(self, path: str, value: Any) -> Arrivals | Any:
        p = self.p
        if value == "back-to-back":
            return Arrivals()
        how = "{every: seconds} (one message at that interval), {rate: per second} (Poisson) or back-to-back"
        fields = p.mapping(path, value, optional=("every", "rate"), what=how)
        if fields is BAD:
            return BAD
        if "every" in fields and "rate" in fields:
            p.add(path, "give either 'every' (fixed interval) or 'rate' (Poisson), not both", value)
            return BAD
        if not fields:
            if value == {}:  # an unknown key has been reported already
                p.add(path, f"must be {how}; omit it for back-to-back", value)
            return BAD
        if "every" in fields:
            every = p.number(Problems.key(path, "every"), fields["every"], positive=True, within=limits.EVERY)
            return BAD if every is BAD else Arrivals("fixed", every=every)
        rate = p.number(Problems.key(path, "rate"), fields["rate"], positive=True, within=limits.RATE)
        return BAD if rate is BAD else Arrivals("poisson", rate=rate)

    # -- references -------------------------------------------------------------
    def reference(self, path: str, value: Any, table: dict[str, Any] | None, what: str) -> Any:
        """The entry ``value`` names in ``table`` (BAD, reported or not, when unusable)."""
        if value is BAD:  # a missing required key, reported already
            return BAD
        if not isinstance(value, str):
            self.p.add(path, f"must name {'an' if what == 'urn' else 'a'} {what}", value)
            return BAD
        if table is None:  # the section itself is broken and reported
            return BAD
        if value not in table:
            known = _names(list(table), quote=False) if table else "none defined"
            self.p.add(path, f"unknown {what} {show(value)} (known: {known})")
            return BAD
        return table[value]


def _names(symbols: list[str], *, quote: bool = True, most: int = 8) -> str:
    """The first ``most`` names, then how many more (an error line stays short)."""
    shown = ", ".join(show(s) if quote else s for s in symbols[:most])
    return shown + (f", … ({len(symbols) - most:_} more)" if len(symbols) > most else "")


def _table(codewords: Any, most: int = 8) -> str:
    """``{c: w, …}`` of the first ``most`` codewords, then how many more."""
    items = list(codewords.items())
    inner = ", ".join(f"{c}: {w}" for c, w in items[:most])
    return "{" + inner + (f", … ({len(items) - most:_} more)" if len(items) > most else "") + "}"


# -- dumping ------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


class _Block(dict):
    """A mapping written in block style (one key per line) even when its values are scalars."""


def _represent_block(dumper: yaml.SafeDumper, data: _Block) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=False)


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.Node:
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(_Block, _represent_block)


def _dump_code(spec: CodeSpec, links: tuple[Link, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {"type": spec.type}
    if spec.built_for is not None:
        out["for"] = spec.built_for
    code = spec.code
    if code is None:  # fixed per link: a table only when every link builds the same one
        built = {link.code for link in links if link.code_name == spec.name}
        code = built.pop() if len(built) == 1 else None
    if code is not None:
        out["codewords"] = dict(code.codewords)
    return out


def _dump_line(line: Line) -> dict[str, Any]:
    out: dict[str, Any] = {
        "baud": float(line.baud),
        "latency": float(line.latency),
        "tariff": {"per_bit": float(line.tariff.per_bit), "per_telegram": float(line.tariff.per_telegram)},
    }
    if line.shared:
        out["shared"] = True
    return _Block(out)


def _dump_link(link: Link) -> dict[str, Any]:
    arrivals: Any = "back-to-back"
    if link.arrivals.kind == "fixed":
        arrivals = {"every": float(link.arrivals.every)}
    elif link.arrivals.kind == "poisson":
        arrivals = {"rate": float(link.arrivals.rate)}
    return _Block(
        {
            "name": link.name,
            "urn": link.urn.name,
            "code": link.code_name,
            "line": link.line.name,
            "arrivals": arrivals,
            "telegram": int(link.telegram),
            "replacement": bool(link.replacement),
            **({"priority": int(link.priority)} if link.line.shared else {}),
        }
    )
