"""Input limits: how large and how far every input may go, in one place.

The model records (:mod:`sim.model`) enforce these when they are built, so
a scenario file and a Python caller meet the same limits; :mod:`sim.scenario`
and :mod:`sim.bitcodec` import them from here.

>>> MESSAGES, BALLS, TELEGRAM, CODEWORD_BITS
(1000000000000, 1000000000000000, 65536, 32)
"""

from __future__ import annotations

import math

__all__ = ["BALLS", "CODEWORD_BITS", "MESSAGES", "TELEGRAM", "URN_BALLS", "integer_rule", "number_rule"]

#: Messages per link (``messages:`` and ``--messages``); counts stay exact in float64.
MESSAGES = 10**12
#: Balls of one colour in a scenario file.
BALLS = 10**15
#: Balls in one urn, however built: draws and counts stay exact in float64.
URN_BALLS = 2**53
#: Messages per telegram (a chunk holds whole telegrams, so this bounds memory).
TELEGRAM = 65_536
#: The engine looks each codeword up in a 32-bit table (see :mod:`sim.bitcodec`).
CODEWORD_BITS = 32


def number_rule(value: float, *, positive: bool = False) -> str | None:
    """The rule a real number breaks (finite, ≥ 0, or > 0 when ``positive``), or None.

    >>> number_rule(-5.0, positive=True), number_rule(0.0), number_rule(float("inf"))
    ('must be positive', None, 'must be a finite number')
    """
    if not math.isfinite(value):
        return "must be a finite number"
    if value < 0 or (positive and value == 0):
        return "must be positive" if positive else "must be zero or more"
    return None


def integer_rule(value: int, low: int, high: int | None = None) -> str | None:
    """The rule a whole number breaks (``low`` ≤ value ≤ ``high``), or None.

    >>> integer_rule(0, 1), integer_rule(-1, 0), integer_rule(70_000, 1, TELEGRAM)
    ('must be at least 1', 'must not be negative', 'must be at most 65_536')
    """
    if value < low:
        return "must not be negative" if low == 0 else f"must be at least {low}"
    if high is not None and value > high:
        return f"must be at most {high:_}"
    return None
