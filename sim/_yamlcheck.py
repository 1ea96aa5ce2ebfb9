"""Boundary checks for YAML input: parse with line numbers, collect problems by path.

:mod:`sim.scenario` uses these once, when a file is read; past that boundary
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

from sim.limits import integer_rule, number_rule

__all__ = ["BAD", "Bad", "Problems", "parse_yaml", "show"]


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


class Problems:
    """Collects one line per problem: ``file: yaml.path: what is wrong (got value)``."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.lines: list[str] = []

    def __bool__(self) -> bool:
        return bool(self.lines)

    def add(self, path: str, message: str, *got: Any) -> None:
        """Record a problem at ``path``; a value passed as ``got`` is shown after it."""
        text = f"{self.filename}: {path}: {message}"
        if got:
            text += f" (got {show(got[0])})"
        self.lines.append(" ".join(text.split()))

    # -- paths --------------------------------------------------------------
    @staticmethod
    def key(parent: str, key: Any) -> str:
        """``parent.key`` (a key that is not a plain word is quoted: ``parent["a b"]``)."""
        if isinstance(key, str) and _PLAIN_KEY.match(key):
            return f"{parent}.{key}" if parent else key
        text = f"[{show(key) if not isinstance(key, str) else _quote(key)}]"
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
        if not re.fullmatch(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*", value):
            self.add(
                path,
                f"{what} may use only letters, digits, '-', '_' and '.', and may not start with '.'",
                value,
            )
            return BAD
        return value

    def string(self, path: str, value: Any) -> str | Bad:
        if not isinstance(value, str):
            self.add(path, "must be text", value)
            return BAD
        return value

    def boolean(self, path: str, value: Any) -> bool | Bad:
        if not isinstance(value, bool):
            self.add(path, "must be true or false", value)
            return BAD
        return value

    def integer(
        self, path: str, value: Any, *, minimum: int | None = None, maximum: int | None = None
    ) -> int | Bad:
        """An int (not a bool, not a float) within ``[minimum, maximum]``."""
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(path, f"must be a whole number{_range(minimum, maximum)}{_hint(value)}", value)
            return BAD
        if minimum is not None and (rule := integer_rule(value, minimum, maximum)) is not None:
            self.add(path, rule, value)
            return BAD
        return value

    def number(self, path: str, value: Any, *, positive: bool = False) -> float | Bad:
        """A finite int or float (not a bool) that is ≥ 0, or > 0 when ``positive``."""
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.add(path, f"must be a number{_hint(value)}", value)
            return BAD
        if (rule := number_rule(value, positive=positive)) is not None:
            self.add(path, rule, value)
            return BAD
        return float(value)

    def real(self, path: str, value: Any) -> float | Bad:
        """A number (not a bool) of any value, as written: its range is the record's to check."""
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.add(path, f"must be a number{_hint(value)}", value)
            return BAD
        return value


def show(value: Any, limit: int = 60, _depth: int = 0) -> str:
    """A short YAML-flavoured rendering of a value for a message."""
    if _depth > 3:
        return "…"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = _quote(value)
    elif isinstance(value, float):
        if math.isnan(value):
            text = ".nan"
        elif math.isinf(value):
            text = ".inf" if value > 0 else "-.inf"
        else:
            text = repr(value)
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, dict):
        inner = ", ".join(
            f"{k if isinstance(k, str) and _PLAIN_KEY.match(k) else show(k, limit, _depth + 1)}: "
            f"{show(v, limit, _depth + 1)}"
            for k, v in value.items()
        )
        text = f"{{{inner}}}"
    elif isinstance(value, (list, tuple)):
        text = f"[{', '.join(show(v, limit, _depth + 1) for v in value)}]"
    else:
        text = f"{value} ({type(value).__name__})"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def suggest(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'? known: a, b)`` for an unknown word."""
    choices = list(choices)
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    known = f"known: {', '.join(choices)}" if choices else "none are allowed here"
    if close:
        return f" (did you mean {_quote(close[0])}? {known})"
    return f" ({known})"


def _quote(text: str) -> str:
    return repr(text)


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
        if isinstance(node, yaml.MappingNode):  # a merge key may hand other nodes
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


def parse_yaml(text: str, problems: Problems) -> Any:
    """Parse one YAML document; on a syntax error record it (with line and column), return BAD.

    Duplicate keys are recorded as problems too, but parsing goes on (the last
    value is kept) so that the rest of the file is still checked.
    """
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
        problems.lines.append(" ".join(f"{problems.filename}: {where}: could not parse YAML: {what}".split()))
        return BAD
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow
        problems.lines.append(
            f"{problems.filename}: character {exc.position + 1}: could not parse YAML: character "
            f"#x{exc.character:04x} is not allowed in YAML text"
        )
        return BAD
    except yaml.YAMLError as exc:  # any other error without a position
        problems.lines.append(" ".join(f"{problems.filename}: could not parse YAML: {exc}".split()))
        return BAD
    except RecursionError:
        problems.lines.append(f"{problems.filename}: could not parse YAML: nested too deeply")
        return BAD
    finally:
        if loader is not None:
            loader.dispose()
    for key, line, first in loader.duplicates:
        problems.lines.append(
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
