"""Input limits: the one table of how large and how far every input may go.

Every limit a scenario file or a command-line option is held to lives here,
and nowhere else: :mod:`sim.scenario.loader`, :mod:`sim.scenario.yamlcheck`,
:mod:`sim.engine.bitcodec`, :mod:`sim.engine.simulation` and :mod:`sim.cli` import them. The
limits are checked *before* the heavy work they protect (the file size
before reading, YAML nodes while the file is parsed, before any alias is
expanded, codeword lengths before a code is built), so an oversized input is
refused early (a 44 MB file or a 3.7 KB alias bomb in about 0.2 s of CPU,
start-up included: ``benchmarks/limits.py``) with one line naming the file,
the YAML path, the value and the limit (exit status 2).

The README's "Input limits" table is :func:`markdown_table` (a test keeps the
two equal).

>>> FILE_BYTES, YAML_NODES, COLOURS, CODEWORD_BITS
(16777216, 1000000, 100000, 32)
>>> BAUD
Range(low=0.001, high=1000000000000.0)
>>> BAUD.check(50.0) is None, BAUD.check(1e13)
(True, 'must be at most 1e+12')
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = [
    "ADAPTIVE_COLOURS",
    "BALLS",
    "BAUD",
    "CHUNK",
    "CODES",
    "CODEWORD_BITS",
    "COLOURS",
    "DESCRIPTION_CHARS",
    "EVERY",
    "FILE_BYTES",
    "IN_FLIGHT",
    "JOBS",
    "LATENCY",
    "LIMITS",
    "LINES",
    "LINKS",
    "MESSAGES",
    "NAME_CHARS",
    "NUMBER_CHARS",
    "PRIORITY",
    "PSEUDO_COUNT",
    "REBUILD",
    "REBUILD_WORK",
    "SWEEP_TASKS",
    "RATE",
    "Range",
    "SEED",
    "TARIFF",
    "TELEGRAM",
    "URNS",
    "URN_BALLS",
    "YAML_DEPTH",
    "YAML_NODES",
    "integer_rule",
    "listing",
    "markdown_table",
    "number_rule",
    "number_text",
]


@dataclass(frozen=True)
class Range:
    """A closed range ``[low, high]`` for a real-valued setting (``low`` may be excluded: ``> 0``)."""

    low: float
    high: float

    def check(self, value: float) -> str | None:
        """The rule ``value`` breaks, or None. ``value`` is finite (ints of any size are fine)."""
        if value < self.low:
            return f"must be at least {number_text(self.low)}"
        if value > self.high:
            return f"must be at most {number_text(self.high)}"
        return None

    def text(self, unit: str = "") -> str:
        """``low to high unit``, as the README's table shows it."""
        return f"{number_text(self.low)} to {number_text(self.high)}{' ' + unit if unit else ''}"


# -- the file ---------------------------------------------------------------------------
#: Bytes in a scenario file (checked before the file is read). A resolved scenario of
#: one 10^5-colour urn and three codes over it (about 12 MB) still fits.
FILE_BYTES = 16 * 2**20
#: YAML nodes (scalars, lists, mappings) after expanding aliases, counted while parsing.
YAML_NODES = 1_000_000
#: Lists and mappings nested inside each other.
YAML_DEPTH = 64
#: Characters in one number as written (a longer one is refused before it is converted).
NUMBER_CHARS = 100

# -- the scenario ------------------------------------------------------------------------
URNS = 256
CODES = 256
LINES = 256
LINKS = 64
#: Colours in one urn (and codewords in one code).
COLOURS = 100_000
#: Characters in any name: scenario, urn, code, line, link and colour. Names become file
#: names (``code-<link>.svg``, the results folder), which most file systems cap at 255 bytes.
NAME_CHARS = 100
DESCRIPTION_CHARS = 10_000
#: The engine looks each codeword up in a 32-bit table (see :mod:`sim.engine.bitcodec`).
CODEWORD_BITS = 32
#: Messages per link (``messages:`` and ``--messages``); counts stay exact in float64.
MESSAGES = 10**12
#: Balls of one colour.
BALLS = 10**15
#: Messages per telegram (a chunk holds whole telegrams, so this bounds memory).
TELEGRAM = 65_536
#: ``seed:`` and ``--seed``.
SEED = 2**64 - 1
#: ``--chunk``: messages per simulation event. The engine holds about 32 bytes per message
#: of a chunk in flight, per link.
CHUNK = 2**20
#: ``priority`` of a link on a shared line (lower is served first).
PRIORITY = 1_000_000
#: An inline model's probabilities (a code's ``for: {probabilities: ...}``) must sum to 1
#: within this; they are then divided by their sum, so the code sees an exact distribution.
MODEL_SUM_TOLERANCE = 1e-6
#: Colours an adaptive code learns (each ball updates cumulative counts over every colour).
ADAPTIVE_COLOURS = 4096
#: An adaptive code's given pseudo-counts (``prior: {counts: ...}``): each positive, at most this.
PSEUDO_COUNT = Range(1e-3, 1e6)
#: ``rebuild`` of an adaptive Huffman code (balls between rebuilds).
REBUILD = 10**9
#: A rebuild of an adaptive Huffman code over K colours takes about K² steps: K²/rebuild may not pass this.
REBUILD_WORK = 2**14
#: Tasks (points × replications) in one sweep.
SWEEP_TASKS = 10**7
#: Messages in flight across all links at once: with many links, each link's chunk is cut
#: to its share (results never depend on the chunk), so memory stays bounded.
IN_FLIGHT = 2**21
#: ``--jobs``: processes simulating one run's links (each holds its own copy of the engine).
JOBS = 256

# -- numeric ranges (every number must also be finite) --------------------------------------
#: Bits per second of a line. Up to 10^12 keeps every queueing formula (E[S²] ~ 1/baud²) finite.
BAUD = Range(1e-3, 1e12)
#: Seconds of propagation delay.
LATENCY = Range(0.0, 1e9)
#: Poisson arrivals, messages per second.
RATE = Range(1e-6, 1e12)
#: Fixed arrivals: seconds between messages.
EVERY = Range(1e-12, 1e6)
#: ``tariff.per_bit`` and ``tariff.per_telegram``.
TARIFF = Range(0.0, 1e9)


def number_text(x: float) -> str:
    """A limit as the messages and the README show it: ``1e+12``, ``0.001``, ``65_536``.

    >>> number_text(1e12), number_text(1e-3), number_text(0.0), number_text(65536), number_text(10**15)
    ('1e+12', '0.001', '0', '65_536', '1_000_000_000_000_000')
    """
    if isinstance(x, int):
        return f"{x:_}"
    if x == int(x) and abs(x) < 1e6:
        return str(int(x))
    return f"{x:g}"


#: The table: (what, limit as text, why). The README's "Input limits" section shows it.
LIMITS: tuple[tuple[str, str, str], ...] = (
    ("file size", f"{number_text(FILE_BYTES)} bytes (16 MiB)", "checked before the file is read"),
    (
        "YAML nodes",
        number_text(YAML_NODES),
        "scalars, lists and mappings after aliases are expanded, counted while parsing "
        "(an alias bomb stops at the limit)",
    ),
    ("YAML nesting", f"{YAML_DEPTH} levels", "lists and mappings inside each other"),
    ("one number", f"{NUMBER_CHARS} characters", "refused before it is converted"),
    ("urns, codes, lines", f"{URNS}, {CODES}, {LINES}", "entries in each section"),
    ("links", str(LINKS), "each link holds a chunk of messages in memory while it runs"),
    ("colours per urn, codewords per code", number_text(COLOURS), ""),
    ("name length", f"{NAME_CHARS} characters", "scenario, urn, code, line, link and colour names"),
    ("description length", f"{number_text(DESCRIPTION_CHARS)} characters", ""),
    ("codeword length", f"{CODEWORD_BITS} bits", "the engine decodes with 32-bit lookups"),
    ("`messages`, `--messages`", f"1 to {number_text(MESSAGES)}", "counts stay exact"),
    ("balls of one colour", f"0 to {number_text(BALLS)}", "counts stay exact in float64"),
    ("`telegram`", f"1 to {number_text(TELEGRAM)} messages", ""),
    ("`seed`, `--seed`", "0 to 2^64 − 1", ""),
    ("`priority` (links on a shared line)", f"0 to {number_text(PRIORITY)}", "lower is served first"),
    (
        "`--chunk`",
        f"1 to {number_text(CHUNK)} messages",
        f"about 32 bytes per message in memory; all links together hold at most "
        f"{number_text(IN_FLIGHT)} messages at once (each link gets its share)",
    ),
    ("`--jobs`", f"1 to {JOBS} processes", "never more than the run has independent parts"),
    (
        "inline model `for: {probabilities}`",
        f"sum within {MODEL_SUM_TOLERANCE:g} of 1",
        "each probability 0 to 1; logits finite; `temperature` positive and finite",
    ),
    (
        "adaptive code `{type: adaptive}`",
        f"at most {number_text(ADAPTIVE_COLOURS)} colours; `rebuild` 1 to {number_text(REBUILD)}",
        f"pseudo-counts {PSEUDO_COUNT.text()} (denominator at most 1024); an adaptive Huffman code over "
        f"K colours needs K²/rebuild ≤ {number_text(REBUILD_WORK)} (each rebuild takes about K² steps)",
    ),
    ("sweep tasks", number_text(SWEEP_TASKS), "points × replications in one sweep file"),
    ("`baud`", BAUD.text("bits/s"), "queueing formulas stay finite"),
    ("`latency`", LATENCY.text("s"), ""),
    ("`arrivals.rate`", RATE.text("messages/s"), ""),
    ("`arrivals.every`", EVERY.text("s"), ""),
    ("`tariff.per_bit`, `tariff.per_telegram`", TARIFF.text(), ""),
)


def markdown_table() -> str:
    """The limits as the README's Markdown table."""
    rows = ["| input | limit | note |", "|---|---|---|"]
    rows += [f"| {what} | {limit} | {why} |" for what, limit, why in LIMITS]
    return "\n".join(rows)


# -- what the text output shows in full ------------------------------------------------------
#: Per-colour tables (``explain``'s urn and code tables, and the sums it writes out term by
#: term) show every row up to this many colours; past it, the first :data:`HEAD_ROWS` and the
#: last :data:`TAIL_ROWS`, a line saying how many were left out, and where to find them all
#: (``summary.json`` of a run keeps every colour).
SHOWN_ROWS = 100
HEAD_ROWS = 20
TAIL_ROWS = 5
#: Terms of a written-out sum shown before and after the "… N more terms …" marker.
HEAD_TERMS = 8
TAIL_TERMS = 2
#: Names listed in running text (colours with no balls, …): all of them up to
#: :data:`SHOWN_ROWS`, past it the first this many and "and N more".
SHOWN_NAMES = 10


def listing(names: list[str]) -> str:
    """``a, b, c``; past :data:`SHOWN_ROWS` names, the first :data:`SHOWN_NAMES` and ``and N more``.

    >>> listing(["a", "b"]), listing([f"c{i}" for i in range(101)])
    ('a, b', 'c0, c1, c2, c3, c4, c5, c6, c7, c8, c9 and 91 more')
    """
    if len(names) <= SHOWN_ROWS:
        return ", ".join(names)
    return f"{', '.join(names[:SHOWN_NAMES])} and {len(names) - SHOWN_NAMES:,} more"


# -- the model records (sim/model/records.py): what a Python caller is held to ---------------------
#: Balls in one urn, however built: draws and counts stay exact in float64.
URN_BALLS = 2**53


def number_rule(value: float, *, positive: bool = False) -> str | None:
    """The rule a real number breaks (finite, ≥ 0, or > 0 when ``positive``), or None.

    >>> number_rule(-5.0, positive=True), number_rule(0.0), number_rule(float("inf"))
    ('must be positive', None, 'must be a finite number')
    """
    if isinstance(value, float) and not math.isfinite(value):
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
