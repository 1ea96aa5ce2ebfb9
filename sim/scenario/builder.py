"""Building a scenario from YAML: each section checked, each record built, problems by YAML path.

The YAML side of :mod:`sim.scenario.loader`: this module checks what only YAML can
get wrong (shapes, types, unknown keys, references between sections) and
builds the :mod:`sim.model.records` records, which check their own rules; a record's
complaint comes back with the file and the YAML path added. Every problem of
a file is collected, one line each.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from coding import Code
from sim.model import limits
from sim.model.kinds import ARRIVAL_KINDS, CODE_KINDS, CodeKind, SettingsError, stream_fit
from sim.model.noise_kinds import CHANNEL_KINDS, NOISE_KINDS, NoiseError
from sim.model.records import (
    Arrivals,
    CodeSpec,
    Line,
    Link,
    Model,
    RecordError,
    Scenario,
    Tariff,
    Urn,
    code_fits_urn,
)
from sim.scenario.yamlcheck import BAD, Bad, Problems, parse_yaml, show, suggest

__all__ = ["CODE_TYPES", "DEFAULT_LINE", "DEFAULT_MESSAGES", "DEFAULT_SEED", "build", "build_data"]

#: Code types a scenario may name: the rows of :data:`sim.model.kinds.CODE_KINDS`.
CODE_TYPES = tuple(CODE_KINDS)
#: Defaults for optional keys (documented in the README).
DEFAULT_SEED = 0
DEFAULT_MESSAGES = 100_000
DEFAULT_LINE = Line("line", baud=1.0)
_TOP_REQUIRED = ("urns", "codes", "links")
_TOP_OPTIONAL = ("name", "description", "seed", "messages", "lines")
R = TypeVar("R")

_LINK_KEYS = ("name", "line", "arrivals", "telegram", "replacement", "priority", "channel")


# -- building ---------------------------------------------------------------------


@dataclass(frozen=True)
class _CodeEntry:
    spec: CodeSpec
    pinned: dict[str, str] | None = None  # codewords given for a per-link fixed code


def build(
    text: str, filename: str, stem: str, source: str | None, allow_ambiguous: bool
) -> Scenario | list[str]:
    """The scenario ``text`` describes, or its problems (one line each: file, YAML path, what is wrong)."""
    problems = Problems(filename)
    data = parse_yaml(text, problems)
    if data is BAD:
        return problems.report()
    return build_data(data, problems, stem, source, allow_ambiguous)


def build_data(
    data: Any, problems: Problems, stem: str, source: str | None, allow_ambiguous: bool
) -> Scenario | list[str]:
    """Like :func:`build`, from YAML data already parsed (``problems`` may hold the parser's)."""
    if data is None:
        problems.add("(top level)", "the file is empty; a scenario needs urns, codes and links")
        return problems.report()
    top = problems.mapping(
        "",
        data,
        required=_TOP_REQUIRED,
        optional=_TOP_OPTIONAL,
        what="a mapping with keys such as urns, codes and links",
    )
    if top is BAD:
        return problems.report()
    b = _Builder(problems, allow_ambiguous)

    name: str | Bad = _default_name(stem)
    if "name" in top:
        name = problems.name("name", top["name"], what="the scenario name")
    elif len(_default_name(stem)) > limits.NAME_CHARS:
        problems.add(
            "name",
            f"the scenario name defaults to the file's name, which is {len(_default_name(stem))} characters "
            f"long; give a 'name' of at most {limits.NAME_CHARS} characters",
        )
    description = ""
    if "description" in top:
        given = problems.string("description", top["description"], maximum=limits.DESCRIPTION_CHARS)
        description = given.strip() if given is not BAD else ""
    seed: int | Bad = DEFAULT_SEED
    if "seed" in top:
        seed = problems.integer("seed", top["seed"], minimum=0, maximum=limits.SEED)
    messages: int | Bad = DEFAULT_MESSAGES
    if "messages" in top:
        messages = problems.integer("messages", top["messages"], minimum=1, maximum=limits.MESSAGES)

    urns = b.urns(top["urns"]) if "urns" in top else None
    codes = b.codes(top["codes"], urns) if "codes" in top else None
    lines = b.lines(top["lines"]) if "lines" in top else {DEFAULT_LINE.name: DEFAULT_LINE}
    links = b.links(top["links"], urns, codes, lines) if "links" in top else ()

    if problems:
        return problems.report()
    assert urns is not None and codes is not None and lines is not None
    assert name is not BAD and seed is not BAD and messages is not BAD
    scenario = b.record(
        "",
        lambda: Scenario(
            name=name,
            links=tuple(links),
            seed=seed,
            messages=messages,
            description=description,
            urns=urns,
            codes={k: v.spec for k, v in codes.items()},
            lines=lines,
            source=source,
        ),
    )
    if scenario is BAD:
        return problems.report()
    return scenario


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
        counts = self.colour_table(
            path,
            value,
            "must be a mapping of colour to number of balls, like {red: 50, blue: 25}",
            lambda where, n: p.integer(where, n, minimum=0, maximum=limits.BALLS),
            fine=lambda n: type(n) is int and 0 <= n <= limits.BALLS,
        )
        if counts is BAD:
            return BAD
        return self.record(path, lambda: Urn(name, counts), strip="counts")

    def colour_table(
        self,
        path: str,
        value: Any,
        shape: str,
        read: Callable[[str, Any], Any],
        fine: Callable[[Any], bool] | None = None,
    ) -> dict[str, Any] | Any:
        """A non-empty mapping colour → ``read(where, value)`` (an urn's counts, a model's numbers),
        or BAD with every problem reported (``shape`` says what the mapping should look like).

        ``fine(v)``, when given, says that ``read`` would return ``v`` itself with no problem:
        a table whose names and values are all fine is taken as it is, without building a
        YAML path per colour (a large alphabet's urn); otherwise every entry is read.
        """
        if not isinstance(value, dict) or not value:
            self.p.add(path, shape, value)
            return BAD
        if not self.p.count(path, value, limits.COLOURS, "colours"):
            return BAD
        if fine is not None and all(
            type(c) is str and 0 < len(c) <= limits.NAME_CHARS and fine(v) for c, v in value.items()
        ):
            return dict(value)
        out: dict[str, Any] = {}
        ok = True
        for colour, v in value.items():
            where = Problems.key(path, colour)
            got = read(where, v) if self.colour(where, colour) else BAD
            if got is BAD:
                ok = False
            else:
                out[colour] = got
        return out if ok else BAD

    def colour(self, path: str, colour: Any) -> bool:
        """Whether ``colour`` is a usable colour name (non-empty text, not too long)."""
        if not isinstance(colour, str) or colour == "":
            self.p.add(path, "colour names must be text; put it in quotes", colour)
            return False
        if len(colour) > limits.NAME_CHARS:
            self.p.add(path, f"colour names may be at most {limits.NAME_CHARS} characters long", colour)
            return False
        return True

    def record(self, path: str, make: Callable[[], R], *, strip: str | None = None) -> R | Bad:
        """The record ``make()`` builds, or BAD with each of its problems reported under ``path``.

        The record names the field (``baud``) or its place in a field (``counts['red']``); the
        YAML path is ``path`` plus that place, less a leading ``strip`` that the YAML does not spell.
        """
        try:
            return make()
        except RecordError as exc:
            for problem in exc.problems:
                where = path
                keys = problem.where[1:] if problem.where[:1] == (strip,) else problem.where
                for k in keys:
                    where = Problems.key(where, k)
                self.p.add(where, problem.rule, *((problem.got,) if problem.has_value else ()))
            return BAD

    # -- codes ------------------------------------------------------------------
    def codes(self, value: Any, urns: dict[str, Any] | None) -> dict[str, Any] | None:
        return self._section(
            "codes", "code", value, lambda path, n, v: self.code(path, n, v, urns), limits.CODES
        )

    def code(self, path: str, name: str, value: Any, urns: dict[str, Any] | None) -> _CodeEntry | Bad:
        p = self.p
        kinds = ", ".join(CODE_TYPES)
        if not isinstance(value, dict):
            p.add(path, f"must be a mapping with a type ({kinds}), like {{type: fixed}}", value)
            return BAD
        ctype = value.get("type")
        if "type" not in value:
            p.mapping(path, value, required=("type",), optional=("for", "codewords"))
            return BAD
        kind = CODE_KINDS.get(ctype) if isinstance(ctype, str) else None
        if kind is None:
            where = Problems.key(path, "type")
            if isinstance(ctype, str):
                p.add(where, f"unknown code type {show(ctype)}{suggest(ctype, CODE_TYPES)}")
            else:
                p.add(where, f"must be one of {kinds}", ctype)
            p.mapping(path, value, optional=("type", "for", "codewords"))
            return BAD
        if kind.stream is not None and kind.stream.settings is not None:
            return self.settings_code(path, name, kind, value)
        if kind.takes_for == "never":
            if "for" in value:
                p.add(
                    Problems.key(path, "for"),
                    f"a {kind.name} code is written by hand, not built for an urn: remove 'for' (the "
                    "theory measures it against its implied distribution 2^-length)",
                )
                value = {k: v for k, v in value.items() if k != "for"}
            fields = p.mapping(path, value, required=("type", "codewords"))
        elif kind.takes_for == "optional":
            fields = p.mapping(path, value, required=("type",), optional=("for", "codewords"))
        elif kind.stream is not None:
            keys = tuple(param.key for param in kind.stream.params)
            fields = p.mapping(path, value, required=("type", "for", *keys))
        else:
            fields = p.mapping(path, value, required=("type", "for"), optional=("codewords",))
        if fields is BAD:
            return BAD
        if kind.stream is not None:
            return self.stream_code(path, name, kind, fields, urns)

        codewords: dict[str, str] | Bad | None = None
        if "codewords" in fields:
            codewords = self.codewords(Problems.key(path, "codewords"), fields["codewords"])
        urn = None
        model: Model | None | Bad = None
        if "for" in fields and isinstance(fields["for"], dict):
            model = self.model(Problems.key(path, "for"), fields["for"])
        elif "for" in fields:
            urn = self.reference(Problems.key(path, "for"), fields["for"], urns, "urn")
        if (
            codewords is BAD
            or urn is BAD
            or model is BAD
            or ("codewords" not in fields and kind.build is None)
            or ("for" not in fields and kind.takes_for == "required")
        ):
            return BAD

        if kind.build is None:  # written by hand
            assert codewords is not None
            return _CodeEntry(CodeSpec(name, kind.name, Code(codewords), None))
        if urn is None and model is None:  # built per link, over the link's colours
            return _CodeEntry(CodeSpec(name, kind.name, None, None), pinned=codewords)
        if model is not None:
            source, weights, shown = "the given model", model.distribution.as_dict(), "its model"
        else:
            assert urn is not None
            source, weights, shown = f"urn {urn.name!r}", dict(urn.counts), urn.name
        try:
            code = kind.build(source, weights)
        except ValueError as exc:
            p.add(Problems.key(path, "for"), str(exc), shown)
            return BAD
        if codewords is not None and dict(codewords) != dict(code.codewords):
            p.add(
                Problems.key(path, "codewords"),
                f"do not match the {kind.name} code for {source}, which is "
                f"{_table(code.codewords)}; remove them or fix them",
                codewords,
            )
            return BAD
        return _CodeEntry(CodeSpec(name, kind.name, code, None if urn is None else urn.name, model=model))

    def model(self, path: str, value: dict[str, Any]) -> Model | Any:
        """An inline model: ``{probabilities: {colour: p}}`` or ``{logits: {colour: z}, temperature: T}``."""
        p = self.p
        fields = p.mapping(path, value, optional=("probabilities", "logits", "temperature"))
        if fields is BAD:
            return BAD
        given = [k for k in ("probabilities", "logits") if k in fields]
        if not given and len(fields) < len(value):  # an unknown key, already named with a suggestion
            return BAD
        if len(given) != 1:
            p.add(
                path,
                "an inline model needs exactly one of 'probabilities' (like {probabilities: {red: 0.5, "
                "blue: 0.5}}) or 'logits' (like {logits: {red: 1.2, blue: -0.3}, temperature: 1})",
                value,
            )
            return BAD
        key = given[0]
        numbers = self.colour_table(
            Problems.key(path, key),
            fields[key],
            "must be a mapping of colour to number, like {red: 0.5, blue: 0.5}",
            p.real,
        )
        ok = numbers is not BAD
        temperature: Any = 1.0
        if "temperature" in fields:
            temperature = p.real(Problems.key(path, "temperature"), fields["temperature"])
            ok = ok and temperature is not BAD
        if not ok:
            return BAD
        return self.record(path, lambda: Model(**{key: numbers}, temperature=temperature))

    def stream_code(
        self, path: str, name: str, kind: CodeKind, fields: dict[str, Any], urns: dict[str, Any] | None
    ) -> _CodeEntry | Bad:
        """A stream code (block, Tunstall, arithmetic): its parameters checked by the record, then built."""
        assert kind.stream is not None
        if "for" not in fields or any(param.key not in fields for param in kind.stream.params):
            return BAD  # reported as missing by the mapping check
        model: Model | None = None
        if isinstance(fields["for"], dict):  # an inline model
            model = self.model(Problems.key(path, "for"), fields["for"])
            if model is BAD:
                return BAD
            source, weights, built_for, dist = (
                "the given model",
                model.distribution.as_dict(),
                None,
                model.distribution,
            )
        else:
            urn = self.reference(Problems.key(path, "for"), fields["for"], urns, "urn")
            if urn is BAD:
                return BAD
            source, weights, built_for, dist = (
                f"urn {urn.name!r}",
                dict(urn.counts),
                urn.name,
                urn.distribution,
            )
        params = {param.key: fields[param.key] for param in kind.stream.params}
        assert kind.build is not None  # a stream kind builds its reference symbol code
        code = kind.build(source, weights)
        if (
            self.record(
                path, lambda: CodeSpec(name, kind.name, code, built_for, params, model=model), strip="params"
            )
            is BAD
        ):
            return BAD
        try:
            stream = kind.stream.build(dist, params)
        except ValueError as exc:
            where = (
                Problems.key(path, kind.stream.params[0].key)
                if kind.stream.params
                else Problems.key(path, "for")
            )
            p_value = params[kind.stream.params[0].key] if kind.stream.params else (built_for or "its model")
            self.p.add(where, str(exc), p_value)
            return BAD
        return _CodeEntry(CodeSpec(name, kind.name, code, built_for, params, stream, model=model))

    def settings_code(self, path: str, name: str, kind: CodeKind, value: dict[str, Any]) -> _CodeEntry | Bad:
        """A kind built per link from settings (adaptive): its keys are the settings record's fields."""
        assert kind.stream is not None and kind.stream.settings is not None
        keys = tuple(f.name for f in dataclasses.fields(kind.stream.settings))
        if "for" in value:
            self.p.add(
                Problems.key(path, "for"),
                f"an {kind.name} code is built for no urn: it learns each link's colours from its prior "
                "(give the colours with prior: {counts: {...}} if they should differ)",
            )
            value = {k: v for k, v in value.items() if k != "for"}
        before = len(self.p.lines)
        fields = self.p.mapping(path, value, required=("type",), optional=keys)
        if fields is BAD or len(self.p.lines) > before:
            return BAD
        fields.pop("type")
        try:
            settings = kind.stream.settings(**fields)
        except SettingsError as exc:
            for keys_, rule, got in exc.problems:
                where = path
                for k in keys_:
                    where = Problems.key(where, k)
                self.p.add(where, rule, got)
            return BAD
        return _CodeEntry(CodeSpec(name, kind.name, None, None, settings=settings))

    def per_link(self, path: str, urn: Urn, spec: CodeSpec) -> tuple[Any, Code, Any] | Bad:
        """A kind built per link (adaptive): its coding object, reference code and starting model
        over the link's urn, or BAD with the problem reported under the link's ``code``."""
        stream = CODE_KINDS[spec.type].stream
        assert stream is not None and stream.for_link is not None
        try:
            obj, code, start = stream.for_link(spec.settings, urn.counts)
        except ValueError as exc:
            self.p.add(path, f"code {spec.name!r}: {exc}")
            return BAD
        colours = stream.symbols(obj)
        missing = [c for c, n in urn.counts.items() if n > 0 and c not in colours]
        extra = [c for c in colours if c not in urn.counts]
        if missing:
            self.p.add(
                path, f"code {spec.name!r} has no pseudo-count for {_names(missing)} of urn {urn.name!r}"
            )
        if extra:
            self.p.add(
                path,
                f"code {spec.name!r} gives pseudo-counts for {_names(extra)}, which urn {urn.name!r} lacks "
                "(list them in the urn with 0 balls if that is intended)",
            )
        return BAD if missing or extra else (obj, code, start)

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
            optional=("latency", "tariff", "shared", "noise"),
            what="a mapping like {baud: 50, latency: 0.1}",
        )
        if fields is BAD:
            return BAD
        before = len(p.lines)
        # Types here; the ranges are the records' to check (Line and Tariff name the field).
        # Numbers as written (a 300-digit one is refused before conversion), then the Line
        # record checks them again with the same limits (sim.model.limits), as it does for Python.
        baud = (
            p.number(Problems.key(path, "baud"), fields["baud"], positive=True, within=limits.BAUD)
            if "baud" in fields
            else BAD
        )
        latency = p.number(Problems.key(path, "latency"), fields.get("latency", 0.0), within=limits.LATENCY)
        tariff: Tariff | Bad = Tariff()
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
                if per_bit is not BAD and per_tel is not BAD:
                    tariff = self.record(tpath, lambda: Tariff(per_bit, per_tel))
        shared: bool | Bad = False
        if "shared" in fields:
            shared = p.boolean(Problems.key(path, "shared"), fields["shared"])
        noise: Any = None
        if "noise" in fields:
            noise = self.kind(
                Problems.key(path, "noise"), fields["noise"], NOISE_KINDS, "{type: bsc, flip: 0.01}"
            )
        if baud is BAD or latency is BAD or shared is BAD or noise is BAD:
            return BAD
        # A broken tariff is reported already; the line is still built to report its own fields.
        line = self.record(
            path,
            lambda: Line(
                name,
                baud=baud,
                latency=latency,
                tariff=Tariff() if tariff is BAD else tariff,
                shared=shared,
                noise=noise,
            ),
        )
        return BAD if len(p.lines) > before else line

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
            if build is not None:  # the record checks what spans the link's parts (e.g. a code and its line)
                made = self.record(path, functools.partial(build, name))
                if made is not BAD:
                    out.append(made)
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
        arrivals: Arrivals | Bad = Arrivals()
        if "arrivals" in fields:
            arrivals = self.arrivals(Problems.key(path, "arrivals"), fields["arrivals"])
        telegram: int | Bad = 1
        if "telegram" in fields:
            telegram = p.integer(
                Problems.key(path, "telegram"), fields["telegram"], minimum=1, maximum=limits.TELEGRAM
            )
        replacement: bool | Bad = True
        if "replacement" in fields:
            replacement = p.boolean(Problems.key(path, "replacement"), fields["replacement"])
        priority: int | Bad = 0
        if "priority" in fields:
            priority = p.integer(
                Problems.key(path, "priority"), fields["priority"], minimum=0, maximum=limits.PRIORITY
            )
        channel: Any = None
        if "channel" in fields:
            channel = self.kind(
                Problems.key(path, "channel"), fields["channel"], CHANNEL_KINDS, "{type: hamming74}"
            )
        # The code is checked against its urn even when another key of this link has a problem,
        # so `validate` reports every problem of the link at once.
        built: Any = None  # a kind built per link: (coding object, reference code, starting model)
        code: Any
        if BAD in (urn, entry):
            code = BAD
        elif entry.spec.settings is not None:
            built = self.per_link(Problems.key(path, "code"), urn, entry.spec)
            code = BAD if built is BAD else built[1]
        else:
            code = self.fit(Problems.key(path, "code"), urn, entry)
        if len(p.lines) > before or BAD in (urn, entry, line, channel):
            return name, None
        assert arrivals is not BAD and telegram is not BAD and replacement is not BAD and priority is not BAD
        if not line.shared and "priority" in fields:
            p.add(
                Problems.key(path, "priority"),
                f"orders the links of a shared line, and line {line.name!r} is not shared "
                "(give it 'shared: true')",
            )
            return name, None
        if line.shared and channel is not None:
            p.add(
                Problems.key(path, "channel"),
                f"line {line.name!r} is shared, and a channel code on a shared line is not supported yet "
                "(give the link a line of its own)",
            )
            return name, None
        if line.shared and arrivals.message_rate is None:
            p.add(
                Problems.key(path, "arrivals"),
                f"line {line.name!r} is shared, so its links need timed arrivals ({{every: s}} or "
                "{rate: r}): back-to-back has no arrival times to order one queue by",
            )
            return name, None

        if code is BAD:
            return name, None
        spec = entry.spec
        kind = CODE_KINDS[spec.type]
        assumed = None
        if kind.designed_for_urn and urns is not None and spec.built_for is not None:
            assumed = urns[spec.built_for].distribution
        elif spec.model is not None:
            assumed = spec.model.distribution
        stream = spec.stream
        if built is not None:
            stream, assumed = built[0], built[2]

        def build(link_name: str) -> Link:
            return Link(
                name=link_name,
                urn=urn,
                code_name=spec.name,
                code_type=spec.type,
                code=code,
                line=line,
                built_for=spec.built_for,
                assumed=assumed,
                model=spec.model,
                arrivals=arrivals,
                telegram=telegram,
                replacement=replacement,
                priority=priority,
                channel=channel,
                stream=stream,
            )

        return name, build

    def kind(self, path: str, value: Any, table: Mapping[str, Any], example: str) -> Any:
        """A noise model or channel code: ``{type: ..., parameters}``, built and checked by its kind."""
        p = self.p
        if not isinstance(value, dict) or not isinstance(value.get("type"), str):
            p.add(path, f"must be a mapping with a 'type' ({', '.join(table)}), like {example}", value)
            return BAD
        kind = table.get(value["type"])
        if kind is None:
            p.add(Problems.key(path, "type"), f"must be one of {', '.join(table)}", value["type"])
            return BAD
        names = [f.name for f in dataclasses.fields(kind)]
        before = len(p.lines)
        params = p.mapping(path, value, required=("type",), optional=names)
        if params is BAD or len(p.lines) > before:
            return BAD
        params.pop("type")
        try:
            return kind(**params)
        except TypeError:
            p.add(path, f"needs {', '.join(names)}")
        except NoiseError as e:
            p.add(path, str(e))
        return BAD

    def fit(self, path: str, urn: Urn, entry: _CodeEntry) -> Code | Any:
        """The link's code, checked against its urn: every colour covered, decodable."""
        p, spec = self.p, entry.spec
        before = len(p.lines)  # every problem of the fit is reported, not only the first
        code = spec.code
        if code is None:  # a kind built per link, over the link's colours
            build = CODE_KINDS[spec.type].build
            assert build is not None
            code = build(f"urn {urn.name!r}", urn.counts)
        if entry.pinned is not None and dict(entry.pinned) != dict(code.codewords):
            p.add(
                path,
                f"the fixed code {spec.name!r} over the colours of urn {urn.name!r} is "
                f"{_table(code.codewords)}, not the codewords given at "
                f"codes.{spec.name}.codewords",
                spec.name,
            )
            return BAD
        stream = CODE_KINDS[spec.type].stream
        on = f"urn {spec.built_for!r}" if spec.built_for is not None else "its model"
        problem = stream_fit(stream, spec.stream, urn.name, urn.counts) if stream is not None else None
        if problem is not None:
            p.add(path, f"code {spec.name!r} is built on {on}, which {problem}")
            return BAD
        for misfit in code_fits_urn(code, urn):
            p.add(path, f"code {spec.name!r} {misfit}")
        if any(len(w) > limits.CODEWORD_BITS for w in code.codewords.values()):
            return BAD  # no decodability search on codewords the line cannot send (its cost grows with them)
        if not self.allow_ambiguous and not code.is_uniquely_decodable:
            p.add(
                path,
                f"code {spec.name!r} is not uniquely decodable: {code.ambiguity()}, so the "
                "receiver cannot tell these messages apart",
            )
        elif not self.allow_ambiguous and not code.is_prefix_free:
            pair = code.prefix_clash()
            assert pair is not None
            short, long = pair
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
        # Each arrival kind with a parameter is written {parameter: value}: {every: 2}, {rate: 0.5}.
        by_key = {cls.parameter: cls.name for cls in ARRIVAL_KINDS.values() if cls.parameter}
        how = "{every: seconds} (one message at that interval), {rate: per second} (Poisson) or back-to-back"
        fields = p.mapping(path, value, optional=tuple(by_key), what=how)
        if fields is BAD:
            return BAD
        if len(fields) > 1:
            p.add(path, f"give one of {', '.join(map(repr, fields))}, not several", value)
            return BAD
        if not fields:
            if value == {}:  # an unknown key has been reported already
                p.add(path, f"must be {how}; omit it for back-to-back", value)
            return BAD
        ((key, given),) = fields.items()
        cls = ARRIVAL_KINDS[by_key[key]]
        number = p.number(Problems.key(path, key), given, positive=True, within=cls.parameter_range)
        if number is BAD:
            return BAD
        return self.record(path, lambda: Arrivals(by_key[key], **{key: number}))

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
