"""Writing a resolved scenario back as YAML: every default explicit, codes as codeword tables."""

from __future__ import annotations

from typing import Any

import yaml

from sim.model.records import CodeSpec, Line, Link, Scenario, Urn

__all__ = ["dump"]


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
