"""Boundary checks for YAML input: parse with line numbers, collect problems by path.

:mod:`sim.scenario.loader` uses these once, when a file is read; past that boundary
the model records are trusted. Every check reports into a :class:`Problems`
collector instead of raising, so one run over a file reports everything that
is wrong with it. A failed check returns :data:`BAD`.
"""

from __future__ import annotations

import difflib
import enum
import math
import re
from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING, Any, Final, Literal

import yaml
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)

from sim.model import limits

__all__ = ["BAD", "Bad", "LongNumber", "Problems", "parse_yaml", "show"]


class Bad(enum.Enum):
    """The type of :data:`BAD`: a check's result is ``T | Bad``, so mypy sees every unchecked use."""

    BAD = "BAD"

    def __repr__(self) -> str:
        return "BAD"

    def __bool__(self) -> Literal[False]:
        return False


#: Returned by a check that failed (its problem has been recorded). Test with ``is BAD``.
BAD: Final = Bad.BAD

_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


#: Problems listed one by one; past this many the rest are counted in one closing line.
SHOWN_PROBLEMS = 100


class LongNumber:
    """A number written with more than :data:`sim.model.limits.NUMBER_CHARS` characters.

    The loader keeps it unconverted (converting a 5000-digit integer is an
    error in Python, and slow in general), so the check that expected a
    number can say what was wrong and where.
    """

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return f"{self.text[:12]}… ({len(self.text):_} characters)"


class Problems:
    """Collects one line per problem: ``file: yaml.path: what is wrong (got value)``.

    At most :data:`SHOWN_PROBLEMS` lines are kept; :meth:`report` closes with
    a count of the rest.
    """

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.lines: list[str] = []
        self.hidden = 0

    def __bool__(self) -> bool:
        return bool(self.lines)

    def add(self, path: str, message: str, *got: Any) -> None:
        """Record a problem at ``path``; a value passed as ``got`` is shown after it."""
        text = f"{self.filename}: {path}: {message}"
        if got:
            text += f" (got {show(got[0])})"
        self.append(" ".join(text.split()))

    def append(self, line: str) -> None:
        """Record a finished line (one that names the file itself)."""
        if len(self.lines) < SHOWN_PROBLEMS:
            self.lines.append(line)
        else:
            self.hidden += 1

    def report(self) -> list[str]:
        """The problem lines, closed by a count of those not shown."""
        if not self.hidden:
            return list(self.lines)
        return [*self.lines, f"{self.filename}: … and {self.hidden:_} more problems not shown"]

    # -- paths --------------------------------------------------------------
    @staticmethod
    def key(parent: str, key: Any) -> str:
        """``parent.key`` (a key that is not a plain word is quoted: ``parent["a b"]``)."""
        if isinstance(key, str) and len(key) <= 60 and _PLAIN_KEY.match(key):
            return f"{parent}.{key}" if parent else key
        text = f"[{show(key)}]"
        return f"{parent}{text}" if parent else text

    @staticmethod
    def index(parent: str, i: int) -> str:
        return f"{parent}[{i}]"

    # -- checks -------------------------------------------------------------
    def mapping(
        self,
        path: str,
        value: Any,
        *,
        required: Collection[str] = (),
        optional: Collection[str] = (),
        what: str = "a mapping",
        hint: str = "",
    ) -> dict[str, Any] | Bad:
        """A mapping whose keys are among ``required`` and ``optional``.

        Unknown keys and missing required keys are reported (each once); the
        known keys present are returned. Returns BAD when ``value`` is not a
        mapping at all.
        """
        if not isinstance(value, dict):
            self.add(path or "(top level)", f"must be {what}{hint}", value)
            return BAD
        allowed = [*required, *optional]
        out: dict[str, Any] = {}
        for k, v in value.items():
            if not isinstance(k, str):
                self.add(path or "(top level)", "keys must be words", k)
            elif k in allowed:
                out[k] = v
            else:
                self.add(self.key(path, k), f"unknown key {_quote(k)}{suggest(k, allowed)}")
        for k in required:
            if k not in value:
                self.add(self.key(path, k), "is required but missing")
        return out

    def named_entries(self, path: str, value: Any, what: str) -> dict[str, Any] | Bad:
        """A non-empty mapping name -> anything; names must be words (letters, digits, -_.)."""
        if not isinstance(value, dict):
            self.add(path, f"must be a mapping of {what} names to their definitions", value)
            return BAD
        if not value:
            self.add(path, f"must define at least one {what}", value)
            return BAD
        out: dict[str, Any] = {}
        article = "an" if what[:1] in "aeiou" else "a"
        for k, v in value.items():
            if self.name(self.key(path, k), k, what=f"{article} {what} name") is not BAD:
                out[k] = v
            elif isinstance(k, str):
                out[k] = BAD  # reported; references to it stay quiet
        return out

    def name(self, path: str, value: Any, *, what: str = "a name") -> str | Bad:
        """A label that is safe in a file name: letters, digits, '-', '_', '.'; no leading dot."""
        if not isinstance(value, str):
            self.add(path, f"must be {what} (a word){_quote_hint(value)}", value)
            return BAD
        if len(value) > limits.NAME_CHARS:
            self.add(path, f"{what} may be at most {limits.NAME_CHARS} characters long", value)
            return BAD
        if not re.fullmatch(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*", value):
            self.add(
                path,
                f"{what} may use only letters, digits, '-', '_' and '.', and may not start with '.'",
                value,
            )
            return BAD
        return value

    def string(self, path: str, value: Any, *, maximum: int | None = None) -> str | Bad:
        """Text of at most ``maximum`` characters."""
        if not isinstance(value, str):
            self.add(path, "must be text", value)
            return BAD
        if maximum is not None and len(value) > maximum:
            self.add(path, f"may be at most {limits.number_text(maximum)} characters long", value)
            return BAD
        return value

    def count(self, path: str, value: Collection[Any], maximum: int, what: str) -> bool:
        """Whether ``value`` has at most ``maximum`` entries (checked before they are looked at)."""
        if len(value) > maximum:
            self.add(
                path,
                f"has {len(value):_} {what}; at most {limits.number_text(maximum)} are allowed",
            )
            return False
        return True

    def boolean(self, path: str, value: Any) -> bool | Bad:
        if not isinstance(value, bool):
            self.add(path, "must be true or false", value)
            return BAD
        return value

    def integer(
        self, path: str, value: Any, *, minimum: int | None = None, maximum: int | None = None
    ) -> int | Bad:
        """An int (not a bool, not a float) within ``[minimum, maximum]``."""
        if isinstance(value, LongNumber) and maximum is not None:
            self.add(path, f"must be at most {limits.number_text(maximum)}", value)
            return BAD
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(path, f"must be a whole number{_range(minimum, maximum)}{_hint(value)}", value)
            return BAD
        if minimum is not None and value < minimum:
            rule = "must not be negative" if minimum == 0 else f"must be at least {minimum}"
            self.add(path, rule, value)
            return BAD
        if maximum is not None and value > maximum:
            self.add(path, f"must be at most {limits.number_text(maximum)}", value)
            return BAD
        return value

    def number(
        self, path: str, value: Any, *, positive: bool = False, within: limits.Range | None = None
    ) -> float | Bad:
        """A finite int or float (not a bool) that is ≥ 0 (> 0 when ``positive``) and ``within`` range.

        Integers of any size are compared exactly, before any conversion to float.
        """
        if isinstance(value, LongNumber) and within is not None:
            self.add(path, f"must be at most {limits.number_text(within.high)}", value)
            return BAD
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.add(path, f"must be a number{_hint(value)}", value)
            return BAD
        if (rule := limits.number_rule(value, positive=positive)) is not None:  # the records' rule
            self.add(path, rule, value)
            return BAD
        broken = within.check(value) if within is not None else None
        if broken is not None:
            self.add(path, broken, value)
            return BAD
        if value > 1.7e308:  # an int beyond every float; only reachable without a range
            self.add(path, "must be a finite number", value)
            return BAD
        return float(value)

    def real(self, path: str, value: Any) -> float | Bad:
        """A number (not a bool) of any value, as written: its range is the record's to check."""
        if isinstance(value, LongNumber):
            self.add(path, f"is a number of more than {limits.NUMBER_CHARS} characters", value)
            return BAD
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.add(path, f"must be a number{_hint(value)}", value)
            return BAD
        return value


def show(value: Any, limit: int = 60) -> str:
    """A short YAML-flavoured rendering of a value for a message.

    Bounded: it stops walking a list or mapping as soon as ``limit``
    characters are written, so an alias bomb or a huge urn costs no more to
    show than what is printed.

    >>> show({"red": 50, "blue": [1, 2.5, None, True]})
    '{red: 50, blue: [1, 2.5, null, true]}'
    >>> show([7] * 10**6, limit=20)
    '[7, 7, 7, 7, 7, 7, …'
    """
    out: list[str] = []
    budget = [limit + 1]

    def put(text: str) -> bool:
        out.append(text)
        budget[0] -= len(text)
        return budget[0] > 0

    def walk(v: Any, depth: int) -> bool:
        if depth > 3:
            return put("…")
        if isinstance(v, dict):
            if not put("{"):
                return False
            for i, (k, x) in enumerate(v.items()):
                key = k if isinstance(k, str) and _PLAIN_KEY.match(k) else _scalar(k, limit)
                if not (put(", " if i else "") and put(f"{key}: ") and walk(x, depth + 1)):
                    return False
            return put("}")
        if isinstance(v, (list, tuple)):
            if not put("["):
                return False
            for i, x in enumerate(v):
                if not (put(", " if i else "") and walk(x, depth + 1)):
                    return False
            return put("]")
        return put(_scalar(v, limit))

    walk(value, 0)
    text = "".join(out)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _scalar(value: Any, limit: int) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _quote(value[: limit + 1])
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        return repr(value)
    if isinstance(value, int):
        if value.bit_length() > 4 * limit:  # too many digits to print (and to convert)
            return f"a whole number of about {int(value.bit_length() * 0.30103):_} digits"
        return str(value)
    if isinstance(value, (dict, list, tuple)):
        return "…"
    return f"{value!r}" if isinstance(value, LongNumber) else f"{value} ({type(value).__name__})"


def suggest(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'? known: a, b)`` for an unknown word."""
    choices = list(choices)
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    known = f"known: {', '.join(choices)}" if choices else "none are allowed here"
    if close:
        return f" (did you mean {_quote(close[0])}? {known})"
    return f" ({known})"


def _quote(text: str, limit: int = 60) -> str:
    """``repr`` of ``text``, cut to ``limit`` characters."""
    return repr(text) if len(text) <= limit else repr(text[:limit]) + "…"


def _range(minimum: int | None, maximum: int | None) -> str:
    if minimum == 0:
        return " (0 or more)"
    if minimum is not None:
        return f" ({minimum} or more)"
    return ""


def _hint(value: Any) -> str:
    """Explain the YAML spellings that commonly produce the wrong type."""
    if isinstance(value, str):
        try:
            float(value.replace("_", ""))
        except ValueError:
            return ""
        if "e" in value.lower():
            return "; write it without quotes (YAML reads 1e5 as text: write 100000 or 1.0e+5)"
        return "; write it without quotes"
    if isinstance(value, float) and value.is_integer():
        return "; write it without a decimal point"
    return ""


def _quote_hint(value: Any) -> str:
    if isinstance(value, (bool, int, float)) or value is None:
        return "; put it in quotes"
    return ""


# -- parsing --------------------------------------------------------------------


if TYPE_CHECKING:
    _SafeLoader = yaml.SafeLoader
else:
    _SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available


class _Loader(_SafeLoader):
    """A safe loader that also records duplicate keys (plain YAML keeps the last silently)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[tuple[str, int, int]] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            seen: dict[tuple[str, str], int] = {}
            for key_node, _ in node.value:
                if isinstance(key_node, yaml.ScalarNode) and not key_node.tag.endswith(":merge"):
                    k = (key_node.tag, key_node.value)
                    line = key_node.start_mark.line + 1
                    if k in seen:
                        self.duplicates.append((key_node.value, line, seen[k]))
                    else:
                        seen[k] = line
        return super().construct_mapping(node, deep=deep)

    def construct_long_int(self, node: yaml.ScalarNode) -> int | LongNumber:
        """An integer, or a :class:`LongNumber` when it is written with too many characters."""
        if len(node.value) > limits.NUMBER_CHARS:
            return LongNumber(node.value)
        return super().construct_yaml_int(node)


_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_long_int)


def _within_limits(text: str, problems: Problems) -> bool:
    """Walk the parse events once, counting nodes after alias expansion; record the first limit passed.

    Runs before the document is composed, so an alias bomb or a file of a
    million tiny nodes costs at most :data:`sim.model.limits.YAML_NODES` events.
    Syntax errors are left to the real parse (it reports them with their
    position); this pass stops quietly at the first one.
    """
    parser = yaml.CSafeLoader(text) if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader(text)
    # One frame per open list or mapping: [path, anchor, nodes before it, index, key, next is key].
    frames: list[list[Any]] = []
    sizes: dict[str, int] = {}
    total = 0
    try:
        while parser.check_event():
            event: Any = parser.get_event()  # dispatched on its exact type below (fast)
            kind = type(event)
            if kind is ScalarEvent:
                total += 1
                if event.anchor is not None:
                    sizes[event.anchor] = 1
                grown = 1
            elif kind is AliasEvent:
                grown = sizes.get(event.anchor, 1)
                total += grown
            elif kind is SequenceStartEvent or kind is MappingStartEvent:
                total += 1
                if len(frames) >= limits.YAML_DEPTH:
                    _limit_line(
                        problems, event, _event_path(frames),
                        f"lists and mappings are nested more than {limits.YAML_DEPTH} deep (the limit)",
                    )  # fmt: skip
                    return False
                if total <= limits.YAML_NODES:
                    frames.append(
                        [_event_path(frames), event.anchor, total - 1, 0, None,
                         True if kind is MappingStartEvent else None]
                    )  # fmt: skip
                    continue
                grown = 1
            elif kind is SequenceEndEvent or kind is MappingEndEvent:
                frame = frames.pop()
                if frame[1] is not None:
                    sizes[frame[1]] = total - frame[2]
                _advance(frames, None)
                continue
            else:
                continue
            if total > limits.YAML_NODES:
                path = _event_path(frames)
                if kind is AliasEvent:
                    message = (
                        f"the alias *{_cut(event.anchor)} stands for {grown:_} nodes, which takes the "
                        f"file past {limits.number_text(limits.YAML_NODES)} YAML nodes (the limit)"
                    )
                else:
                    message = (
                        f"the file has more than {limits.number_text(limits.YAML_NODES)} YAML nodes "
                        "(the limit); split it or make it smaller"
                    )
                _limit_line(problems, event, path, message)
                return False
            _advance(frames, event.value if kind is ScalarEvent else "…")
    except yaml.YAMLError:
        return True  # the real parse reports it
    finally:
        parser.dispose()
    return True


def _advance(frames: list[list[Any]], value: str | None) -> None:
    """A node has ended inside the innermost frame: move to the next item or key."""
    if not frames:
        return
    frame = frames[-1]
    if frame[5] is None:  # a sequence: the next item
        frame[3] += 1
    elif frame[5]:  # a mapping key ended: its value comes next
        frame[4], frame[5] = value if value is not None else "?", False
    else:  # a mapping value ended: a key comes next
        frame[5] = True


def _event_path(frames: list[list[Any]]) -> str:
    """The YAML path of the node that starts now."""
    if not frames:
        return ""
    frame = frames[-1]
    if frame[5] is None:
        return Problems.index(frame[0], frame[3])
    if frame[5]:  # a key: name the mapping
        return frame[0]
    return Problems.key(frame[0], frame[4])


def _limit_line(problems: Problems, event: Any, path: str, message: str) -> None:
    mark = event.start_mark
    where = f"{path} (line {mark.line + 1})" if path else f"line {mark.line + 1}"
    problems.append(f"{problems.filename}: {where}: {message}")


def _cut(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def parse_yaml(text: str, problems: Problems) -> Any:
    """Parse one YAML document; on a syntax error record it (with line and column), return BAD.

    Duplicate keys are recorded as problems too, but parsing goes on (the last
    value is kept) so that the rest of the file is still checked.

    A plain file (no anchors, aliases, tags, merge keys, duplicate keys or
    limits passed) is read by :func:`_fast_parse` in one pass over libyaml's
    events; anything else, and every file with a problem, takes the careful
    path below, which reports it with its line.
    """
    data = _fast_parse(text)
    if data is not _SLOW:
        return data
    if not _within_limits(text, problems):
        return BAD
    loader = None
    try:
        loader = _Loader(text)
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
        what = ", ".join(x for x in (exc.context, exc.problem) if x) or "invalid YAML"
        if mark and _tab_indented(text, mark.line):
            what += " (YAML indents with spaces, not tabs)"
        problems.append(" ".join(f"{problems.filename}: {where}: could not parse YAML: {what}".split()))
        return BAD
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow
        problems.append(
            f"{problems.filename}: character {exc.position + 1}: could not parse YAML: character "
            f"#x{exc.character:04x} is not allowed in YAML text"
        )
        return BAD
    except yaml.YAMLError as exc:  # any other error without a position
        problems.append(" ".join(f"{problems.filename}: could not parse YAML: {exc}".split()))
        return BAD
    except RecursionError:
        problems.append(f"{problems.filename}: could not parse YAML: nested too deeply")
        return BAD
    finally:
        if loader is not None:
            loader.dispose()
    for key, line, first in loader.duplicates:
        problems.append(
            f"{problems.filename}: line {line}: duplicate key {_quote(key)} (first on line "
            f"{first}); each key may appear once"
        )
    return data


def _tab_indented(text: str, line: int) -> bool:
    """Whether line ``line`` (0-based), or the one before it, is indented with a tab."""
    rows = text.splitlines()
    for i in (line, line - 1):
        if 0 <= i < len(rows):
            row = rows[i]
            if "\t" in row[: len(row) - len(row.lstrip())]:
                return True
    return False


# -- the fast path ----------------------------------------------------------------------


class _Slow(enum.Enum):
    SLOW = "SLOW"


#: :func:`_fast_parse` cannot vouch for this file: take the careful path.
_SLOW: Final = _Slow.SLOW

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = frozenset(_TAG + t for t in ("int", "float", "bool", "null"))
_CONSTRUCTOR = yaml.constructor.SafeConstructor()


class _OpenMapping:
    """A mapping being read: its dict and the key whose value comes next (``_SLOW``: a key comes next)."""

    __slots__ = ("key", "mapping")

    def __init__(self, mapping: dict[Any, Any]) -> None:
        self.mapping, self.key = mapping, _SLOW


def _fast_parse(text: str) -> Any:
    """The document, built straight from libyaml's parse events, or :data:`_SLOW`.

    It builds exactly what :class:`_Loader` builds (the same implicit
    resolvers and scalar constructors: a test compares the two on every
    bundled scenario and on random documents) but without composing nodes
    first, which at K = 65 536 colours is several times faster. It gives up
    (returns ``_SLOW``) on anything it does not handle or that may need a
    message: a syntax error, an anchor, alias or explicit tag, a merge key,
    a duplicate or unhashable key, a timestamp, more than
    :data:`sim.model.limits.YAML_NODES` nodes or :data:`sim.model.limits.YAML_DEPTH`
    levels, more than one document. Without libyaml it always gives up.
    """
    if not hasattr(yaml, "CSafeLoader"):
        return _SLOW
    resolvers = _Loader.yaml_implicit_resolvers
    wild = resolvers.get(None, [])
    digits_are_ints = not wild  # a run of digits not starting with 0 resolves to int (checked below)
    int_tag, str_tag, limit = _TAG + "int", _TAG + "str", limits.NUMBER_CHARS
    constructors = yaml.constructor.SafeConstructor.yaml_constructors
    parser = yaml.CSafeLoader(text)
    stack: list[Any] = []  # open containers: a list, or an _OpenMapping
    top: Any = None  # stack[-1]
    root: Any = _SLOW
    nodes = documents = 0
    max_nodes, max_depth = limits.YAML_NODES, limits.YAML_DEPTH
    try:
        get_event = parser.get_event
        while True:
            event: Any = get_event()
            kind = type(event)
            if kind is ScalarEvent:
                if event.anchor is not None or event.tag is not None:
                    return _SLOW
                nodes += 1
                value: Any = event.value
                if event.implicit[0]:
                    if digits_are_ints and value.isdigit() and value.isascii() and value[0] != "0":
                        value = int(value) if len(value) <= limit else LongNumber(value)
                    else:
                        tag = str_tag
                        for t, regexp in resolvers.get(value[0] if value else "", []) + wild:
                            if regexp.match(value):
                                tag = t
                                break
                        if tag != str_tag:
                            if tag not in _SCALAR_TAGS:
                                return _SLOW
                            if tag == int_tag and len(value) > limit:
                                value = LongNumber(value)
                            else:  # the constructor _Loader uses for this tag (none recurses)
                                value = constructors[tag](_CONSTRUCTOR, yaml.ScalarNode(tag, value))
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                if event.anchor is not None or event.tag is not None or len(stack) >= max_depth:
                    return _SLOW
                nodes += 1
                value = {} if kind is MappingStartEvent else []
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                stack.pop()
                top = stack[-1] if stack else None
                continue
            elif kind is DocumentStartEvent:
                documents += 1
                if documents > 1:
                    return _SLOW
                continue
            elif kind is StreamEndEvent:
                break
            elif kind is StreamStartEvent or kind is DocumentEndEvent:
                continue
            else:  # an alias
                return _SLOW
            if nodes > max_nodes:
                return _SLOW
            if top is not None:
                if type(top) is list:
                    top.append(value)
                elif top.key is _SLOW:  # a key
                    if type(value) in (dict, list) or value in top.mapping:
                        return _SLOW
                    top.key = value
                else:
                    top.mapping[top.key] = value
                    top.key = _SLOW
            else:
                root = value
            if type(value) is dict:
                top = _OpenMapping(value)
                stack.append(top)
            elif type(value) is list:
                top = value
                stack.append(top)
    except yaml.YAMLError:
        return _SLOW
    finally:
        parser.dispose()
    return None if root is _SLOW else root
