"""Numbers as people read them: the one place the terminal, ``explain``, figures and the report format.

Every shown number uses a real minus sign (−, not -), ∞ for infinity, never
−0, and an en dash for a number that does not exist (None or NaN), so the
terminal and the report agree.

>>> fixed(1.75), fixed(-0.41504, 4), fixed(-0.00001, 3), fixed(float("inf")), fixed(None)
('1.7500', '−0.4150', '0.000', '∞', '–')
>>> f"{fixed(0.0)} − {signed(-0.41504)}"
'0.0000 − (−0.4150)'
>>> sig(0.000123456), seconds(2.5), prob(0.125), prob(0.5), frac(Fraction(3, 4))
('0.00012346', '2.5 s', '0.125', '0.50', '3/4')
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from sim.model.results import StreamCode

__all__ = [
    "INFINITY",
    "MINUS",
    "MISSING",
    "OVERHEAD_MARK",
    "OVERHEAD_NOTE",
    "fixed",
    "frac",
    "prob",
    "seconds",
    "sig",
    "signed",
    "stream_code_table",
]

MINUS = "−"
INFINITY = "∞"
#: A number that does not exist here (None, NaN).
MISSING = "–"
#: Marks a stream link's D(q‖r) cell: it holds the link's overhead L − H(q), since a stream code has
#: no codeword per ball and so no implied distribution r (a divergence is never below 0; an overhead
#: can be, when the line's framing carries information).
OVERHEAD_MARK = "*"
OVERHEAD_NOTE = (
    "* A stream code has no codeword per ball, so no implied r: its cell holds the overhead L − H(q). "
    "It is below 0 only when the line's framing tells the receiver where each telegram ends, which is "
    "worth H(B)/T bits a ball (an arithmetic coder restarting at every telegram)."
)


def _special(x: float | None) -> str | None:
    if x is None or math.isnan(x):
        return MISSING
    if math.isinf(x):
        return INFINITY if x > 0 else MINUS + INFINITY
    return None


def _minus(s: str) -> str:
    return s.replace("-", MINUS)


def fixed(x: float | None, places: int = 4) -> str:
    """Fixed decimals: bits, totals, probabilities in tables (−0 shows as 0)."""
    if (special := _special(x)) is not None:
        return special
    assert x is not None
    s = f"{x:.{places}f}"
    if float(s) == 0:
        s = s.lstrip("-")
    return _minus(s)


def signed(x: float | None, places: int = 4) -> str:
    """A term after an operator: parenthesised when negative, so ``a − (−b)``, never ``a − -b``."""
    s = fixed(x, places)
    return f"({s})" if s.startswith(MINUS) else s


def sig(x: float | None, digits: int = 5) -> str:
    """Significant digits: times, rates, waits."""
    if (special := _special(x)) is not None:
        return special
    return _minus(f"{x:.{digits}g}")


def seconds(x: float | None, digits: int = 4) -> str:
    """A time in seconds: ``2.5 s``."""
    s = sig(x, digits)
    return s if s == MISSING else f"{s} s"


def prob(x: float) -> str:
    """A probability as short as exact, at least two decimals: 0.50, 0.13, 0.125, 0.3333."""
    s = f"{x:.4f}".rstrip("0")
    whole, _, decimals = s.partition(".")
    return f"{whole}.{decimals.ljust(2, '0')}"


def frac(f: Fraction) -> str:
    """An exact fraction: ``3/4``, or ``1`` when whole."""
    return str(f.numerator) if f.denominator == 1 else f"{f.numerator}/{f.denominator}"


def stream_code_table(code: StreamCode, limit: int) -> tuple[list[str], list[list[str]], int]:
    """A stream link's code as a table: (header, at most ``limit`` rows, how many more entries exist).

    Block and Tunstall codes list each source word (its balls joined by ·) and its codeword; an
    arithmetic code lists each colour's frequency, its interval of [0, 1) and what a ball costs.

    >>> from sim.model.results import StreamCode
    >>> tunstall = StreamCode("tunstall", "", 3, (("a", "a"), ("a", "b"), ("b",)), ("00", "01", "10"))
    >>> stream_code_table(tunstall, 2)
    (['balls', 'codeword', 'length'], [['a·a', '00', '2'], ['a·b', '01', '2']], 1)
    >>> coin = StreamCode("arithmetic", "", 2, frequencies={"h": 3, "t": 1}, total=4,
    ...                   intervals={"h": (0.0, 0.75), "t": (0.75, 1.0)})
    >>> stream_code_table(coin, 9)[1]
    [['h', '3', '0.7500', '[0.0000, 0.7500)', '0.4150'], ['t', '1', '0.2500', '[0.7500, 1.0000)', '2.0000']]
    """
    if code.frequencies:
        total = code.total or sum(code.frequencies.values())
        head = ["colour", "f(x)", "p̂(x) = f/T", "interval of [0, 1)", f"{MINUS}log2 p̂(x)"]
        rows = []
        for colour, f in list(code.frequencies.items())[:limit]:
            low, high = code.intervals.get(colour, (math.nan, math.nan))
            cost = -math.log2(f / total) if f > 0 else math.inf
            rows.append([colour, f"{f:,}", fixed(f / total), f"[{fixed(low)}, {fixed(high)})", fixed(cost)])
        return head, rows, max(0, len(code.frequencies) - limit)
    rows = [["·".join(w), c, str(len(c))] for w, c in zip(code.words[:limit], code.codewords[:limit])]
    return ["balls", "codeword", "length"], rows, max(0, code.entries - len(rows))
