"""Writing a resolved scenario back as YAML: every default explicit, codes as codeword tables."""

from __future__ import annotations

import io
import re
from typing import Any

import yaml

from sim.model.records import CodeSpec, Line, Link, Scenario, Urn

__all__ = ["dump", "emit"]


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
        "urns": {name: _Table({c: int(n) for c, n in urn.counts.items()}) for name, urn in urns.items()},
        "codes": {name: _dump_code(spec, scenario.links) for name, spec in codes.items()},
        "lines": {name: _dump_line(line) for name, line in lines.items()},
        "links": [_dump_link(link) for link in scenario.links],
    }
    header = (
        "# Resolved scenario written by telegraph: every default is explicit.\n"
        "# `telegraph run <this file>` repeats the run exactly.\n"
    )
    return header + emit(doc)


def emit(doc: Any) -> str:
    """``doc`` as block YAML, as ``yaml.dump`` writes it (flow style for mappings of scalars)."""
    stream = io.StringIO()
    dumper = _Dumper(stream, default_flow_style=None, width=_WIDTH, allow_unicode=True, sort_keys=False)
    try:
        dumper.open()
        dumper.represent(doc)
        dumper.close()
    finally:
        dumper.dispose()
    return _fill_tables(stream.getvalue(), dumper.tables)


# -- dumping ------------------------------------------------------------------------


_WIDTH = 100


class _Dumper(yaml.SafeDumper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tables: list[list[str]] = []  # the entries of each table written by _flow_table

    def ignore_aliases(self, data: Any) -> bool:
        return True


class _Table(dict):  # type: ignore[type-arg]
    """A colour table (colour -> count or codeword), written by :func:`_flow_table` when it can be.

    PyYAML's pure-Python emitter spends ~40 µs per entry; a K = 65 536 urn and
    its code would take seconds. When every entry is a plain word or a binary
    codeword, the table goes through the emitter as a one-entry stand-in and
    is written here afterwards, byte for byte as the emitter writes it (a test
    compares the two on random tables).
    """


#: A colour name or count the emitter writes plain: starts with a letter or '_' (so YAML's
#: implicit resolvers for numbers, null, .inf and timestamps cannot claim it) ...
_PLAIN_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
#: ... except the words YAML 1.1 reads as booleans or null.
_RESERVED = re.compile(
    r"yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL"
)
#: A codeword of binary digits: YAML would read it as an int, so the emitter single-quotes it.
_DIGITS01 = re.compile(r"[01]+")


def _cell(value: Any) -> str | None:
    """A table key or value as the emitter writes it in a flow mapping, or None if not simple."""
    if type(value) is int:
        return str(value)
    if type(value) is not str or len(value) > 100:
        return None
    if _PLAIN_WORD.fullmatch(value) and not _RESERVED.fullmatch(value):
        return value
    if _DIGITS01.fullmatch(value):
        return f"'{value}'"
    return None


def _column(items: list[Any]) -> list[str] | None:
    """:func:`_cell` of every item, or None when one is not simple; a column of plain words,
    whole numbers or binary codewords is checked with one pass of a regular expression."""
    kinds = set(map(type, items))
    if kinds == {int}:
        return list(map(int.__repr__, items))
    if kinds == {str} and max(map(len, items)) <= 100:
        text = "\n".join(items)
        if _WORDS.fullmatch(text) and not _RESERVED_WORDS.intersection(items):
            return items
        if _BINARY_WORDS.fullmatch(text):
            return [f"'{w}'" for w in items]
    cells = [_cell(x) for x in items]
    return None if None in cells else cells  # type: ignore[return-value]


_WORDS = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*(?:\n[A-Za-z_][A-Za-z0-9_.-]*)*")
_BINARY_WORDS = re.compile(r"[01]+(?:\n[01]+)*")
_RESERVED_WORDS = frozenset(_RESERVED.pattern.split("|"))


def _represent_table(dumper: _Dumper, data: _Table) -> yaml.Node:
    if data:
        keys, values = _column(list(data)), _column(list(data.values()))
        if keys is not None and values is not None:
            dumper.tables.append(list(map("{}: {}".format, keys, values)))
            stand_in = {f"telegraph-table-{len(dumper.tables) - 1}": 0}
            return dumper.represent_mapping("tag:yaml.org,2002:map", stand_in, flow_style=True)
    return dumper.represent_dict(data)


_STAND_IN = re.compile(r"^( *)(.*?)\{(?:\n *)?telegraph-table-(\d+): 0\}$", re.M)


def _fill_tables(text: str, tables: list[list[str]]) -> str:
    """Put each table back in place of its stand-in, wrapped as the emitter wraps a flow mapping."""
    if not tables:
        return text

    def fill(match: re.Match[str]) -> str:
        lead, before, i = match.group(1), match.group(2), int(match.group(3))
        return lead + before + _flow_table(tables[i], len(lead) + len(before), len(lead) + 2)

    return _STAND_IN.sub(fill, text)


def _flow_table(entries: list[str], column: int, indent: int) -> str:
    """``{k: v, ...}`` starting at ``column``: a new line (indented ``indent``) once past the width.

    The emitter's rule: after each ',' (and before the first key), when the
    column is past the width, break the line; keys start right after '{' or
    the indent, otherwise after one space. Only the column is followed here,
    entry by entry; the text is joined once at the end.
    """
    lengths = list(map(len, entries))
    col = column + 1
    head = ""
    if col > _WIDTH:
        head, col = "\n" + " " * indent, indent
    col += lengths[0]
    cuts = [0]  # where a line starts
    for i in range(1, len(lengths)):
        col += 1
        if col > _WIDTH:
            cuts.append(i)
            col = indent + lengths[i]
        else:
            col += 1 + lengths[i]
    cuts.append(len(entries))
    lines = [", ".join(entries[a:b]) for a, b in zip(cuts, cuts[1:])]
    return "{" + head + (",\n" + " " * indent).join(lines) + "}"


class _Block(dict):
    """A mapping written in block style (one key per line) even when its values are scalars."""


def _represent_block(dumper: yaml.SafeDumper, data: _Block) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=False)


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.Node:
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(_Block, _represent_block)
_Dumper.add_representer(_Table, _represent_table)


def _dump_code(spec: CodeSpec, links: tuple[Link, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {"type": spec.type}
    if spec.built_for is not None:
        out["for"] = spec.built_for
    elif spec.model is not None:
        out["for"] = spec.model.dump()
    dump = getattr(spec.settings, "dump", None)
    if callable(dump):  # a kind built per link from settings (adaptive): they rebuild it
        out.update(dump())
        return out
    if spec.stream is not None:  # a stream code: its parameters rebuild it
        out.update({k: int(v) for k, v in spec.params.items()})
        return out
    code = spec.code
    if code is None:  # fixed per link: a table only when every link builds the same one
        built = {link.code for link in links if link.code_name == spec.name}
        code = built.pop() if len(built) == 1 else None
    if code is not None:
        out["codewords"] = _Table(code.codewords)
    return out


def _dump_line(line: Line) -> dict[str, Any]:
    out: dict[str, Any] = {
        "baud": float(line.baud),
        "latency": float(line.latency),
        "tariff": {"per_bit": float(line.tariff.per_bit), "per_telegram": float(line.tariff.per_telegram)},
    }
    if line.shared:
        out["shared"] = True
    if line.noise is not None:
        out["noise"] = line.noise.dump()
    return _Block(out)


def _dump_link(link: Link) -> dict[str, Any]:
    arrivals = link.arrivals.process.dump()
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
            **({"channel": link.channel.dump()} if link.channel is not None else {}),
        }
    )
