"""The resolved model a scenario describes: frozen records the engine runs.

:mod:`sim.scenario` builds these from YAML (validating once); tests and
Python users may build them directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from coding import Code, Distribution

CodeType = Literal["fixed", "table", "huffman", "shannon"]
ArrivalKind = Literal["back_to_back", "fixed", "poisson"]


@dataclass(frozen=True)
class Urn:
    """A box of coloured balls: colour -> number of balls (in order)."""

    name: str
    counts: Mapping[str, int]

    @cached_property
    def distribution(self) -> Distribution:
        """The distribution of one draw with replacement (built once per urn)."""
        return Distribution.from_counts(self.counts)

    @property
    def total(self) -> int:
        return int(sum(self.counts.values()))


@dataclass(frozen=True)
class Tariff:
    """Cost of sending: so much per bit plus so much per telegram."""

    per_bit: float = 0.0
    per_telegram: float = 0.0


@dataclass(frozen=True)
class Line:
    """A telegraph line: ``baud`` bits per second, then ``latency`` seconds of propagation.

    ``shared``: every link that names this line sends over one wire with one
    queue (the telegraph office). Otherwise each link gets its own copy.
    """

    name: str
    baud: float
    latency: float = 0.0
    tariff: Tariff = field(default_factory=Tariff)
    shared: bool = False


@dataclass(frozen=True)
class Arrivals:
    """How messages reach the transmitter.

    ``back_to_back``: a telegram is always ready when the line frees (it never
    idles); ``fixed``: one message every ``every`` seconds; ``poisson``: a
    Poisson stream of ``rate`` messages per second.
    """

    kind: ArrivalKind = "back_to_back"
    every: float | None = None
    rate: float | None = None

    @property
    def message_rate(self) -> float | None:
        """Messages per second offered to the line (None for back-to-back)."""
        if self.kind == "poisson":
            return self.rate
        if self.kind == "fixed":
            return 1.0 / self.every
        return None

    def describe(self) -> str:
        if self.kind == "poisson":
            return f"Poisson, {self.rate:g} messages/s"
        if self.kind == "fixed":
            return f"one message every {self.every:g} s"
        return "back-to-back (the line never idles)"


@dataclass(frozen=True)
class CodeSpec:
    """A code as the scenario names it.

    ``code`` is the built code, or None for a fixed-length code without
    ``built_for``: that one is built per link, over the link's urn colours.
    """

    name: str
    type: CodeType
    code: Code | None = None
    built_for: str | None = None


@dataclass(frozen=True)
class Link:
    """One transmitter -> line -> receiver chain.

    ``code`` covers every colour of ``urn``. ``assumed`` is the distribution
    the code was designed for: the urn named by ``built_for`` for Huffman and
    Shannon codes, otherwise the code's implied distribution 2^−l / K.
    ``priority`` orders the links of a shared line: lower numbers are served
    first (non-preemptive); equal numbers share one FIFO queue.
    """

    name: str
    urn: Urn
    code_name: str
    code_type: CodeType
    code: Code
    line: Line
    built_for: str | None = None
    assumed: Distribution | None = None
    arrivals: Arrivals = field(default_factory=Arrivals)
    telegram: int = 1
    replacement: bool = True
    priority: int = 0

    @property
    def assumed_distribution(self) -> Distribution:
        return self.assumed if self.assumed is not None else self.code.implied_distribution()


@dataclass(frozen=True)
class Scenario:
    """A whole scenario: links run side by side on one seed."""

    name: str
    links: tuple[Link, ...]
    seed: int = 0
    messages: int = 100_000
    description: str = ""
    urns: Mapping[str, Urn] = field(default_factory=dict)
    codes: Mapping[str, CodeSpec] = field(default_factory=dict)
    lines: Mapping[str, Line] = field(default_factory=dict)
    source: str | None = None
