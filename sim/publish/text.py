"""Names and descriptions made safe to show: control characters become visible escapes."""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str, *, keep_newlines: bool = True) -> str:
    r"""``text`` with control characters (ANSI escapes, bidi overrides) shown as escapes.

    A colour named ``"\x1b[2J"`` would clear the terminal it is printed on;
    shown, it reads ``\x1b[2J``. Newlines and tabs stay when ``keep_newlines``.

    >>> printable("\x1b[31mred\x1b[0m")
    '\\x1b[31mred\\x1b[0m'
    >>> printable("a\nb", keep_newlines=False)
    'a\\nb'
    """
    pattern = _CONTROL if keep_newlines else _CONTROL_AND_NEWLINES
    return pattern.sub(lambda m: m[0].encode("unicode_escape").decode("ascii"), text)


_CONTROL_AND_NEWLINES = re.compile(f"{_CONTROL.pattern[:-1]}\n\t]")
