"""The kinds: one registry row per code kind, one small class per arrival kind.

Everything the rest of :mod:`sim` knows about a kind lives here, so adding a
kind is one new row (or class) plus its tests and docs: the scenario loader,
the records, the theory checks, ``explain``, the report and the engine look
kinds up instead of testing their names.

>>> [kind.name for kind in CODE_KINDS.values()]
['fixed', 'table', 'huffman', 'shannon', 'fano']
>>> CODE_KINDS["fano"].display, CODE_KINDS["fano"].takes_for, CODE_KINDS["fano"].bound
('Shannon–Fano', 'required', 'entropy')
>>> dict(CODE_KINDS["fano"].build("india", {"blue": 25, "red": 50, "green": 13, "yellow": 12}).codewords)
{'blue': '10', 'red': '0', 'green': '110', 'yellow': '111'}
>>> Poisson(2.0).describe(), Fixed(0.5).message_rate, BackToBack().dump()
('Poisson, 2 messages/s', 2.0, 'back-to-back')
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import ClassVar, Literal

import numpy as np

from coding import Code, Distribution, fano, fixed_length, huffman, shannon, shannon_from_counts
from sim.model import limits

__all__ = [
    "ARRIVAL_KINDS",
    "CODE_KINDS",
    "ArrivalProcess",
    "BackToBack",
    "CodeKind",
    "Fixed",
    "Poisson",
]

#: How a code kind treats ``for``: must name an urn, may name one, or must not.
TakesFor = Literal["required", "optional", "never"]
#: The theory bound a code kind guarantees: H(q) ≤ L < H(q) + 1 when built for the
#: urn it draws from ("entropy"), or H(q, p) ≤ L < H(q, p) + 1 for any urn ("cross_entropy").
Bound = Literal["entropy", "cross_entropy"]


# -- code kinds ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CodeKind:
    """One code kind: how a scenario names it, how it is built, and what theory says of it.

    ``build(source, weights)`` builds the code for what ``for`` names: an urn
    (``source`` is its name, ``weights`` its counts) or an inline model
    (``source`` describes it, ``weights`` are its probabilities); None for a
    table, which is written by hand. It may raise ``ValueError`` with a message
    for the user. ``explain(source, weights)`` is the paragraph ``telegraph
    explain`` prints under the code (empty for none); ``source`` reads as
    ``urn india`` or ``the given model``.
    """

    name: str
    display: str
    takes_for: TakesFor
    build: Callable[[str, Mapping[str, float]], Code] | None
    bound: Bound | None = None
    explain: Callable[[str, Mapping[str, float]], str] | None = None

    @property
    def designed_for_urn(self) -> bool:
        """Whether the code is designed for its urn's distribution (``assumed`` is that urn)."""
        return self.takes_for == "required"


def _shannon(urn: str, counts: Mapping[str, float]) -> Code:
    empty = [c for c, n in counts.items() if n == 0]
    if empty:
        raise ValueError(
            f"a shannon code needs balls of every colour of {urn}, but {empty[0]!r} has none "
            "(its codeword would be infinitely long); give it a ball or remove the colour"
        )
    if all(isinstance(n, int) for n in counts.values()):  # an urn: lengths found exactly
        return shannon_from_counts({c: int(n) for c, n in counts.items()})
    return shannon(Distribution.from_counts(counts))


def _optimal_over(counts: Mapping[str, float]) -> str:
    empty = [c for c, n in counts.items() if n == 0]
    scope = "the colours listed for it"
    if empty:
        scope += (
            f", including {', '.join(empty)} with no balls, which still gets a codeword and so "
            "lengthens others"
        )
    return scope


def _explain_huffman(urn: str, counts: Mapping[str, float]) -> str:
    return (
        f"Huffman's code is optimal over {_optimal_over(counts)}: no prefix code for those colours "
        f"has a smaller expected length on {urn}."
    )


def _explain_fano(urn: str, counts: Mapping[str, float]) -> str:
    return (
        "Fano's method lists the colours by probability and cuts the list, again and again, where "
        "the two parts' probabilities are nearest equal (top part 0, bottom part 1). The code is "
        f"prefix-free and complete, and H ≤ L < H + 1 on {urn}, but it is not always optimal: "
        "Huffman's code is never longer, and sometimes shorter."
    )


def _explain_shannon(urn: str, counts: Mapping[str, float]) -> str:
    return (
        f"Shannon's code gives each colour of {urn} ⌈−log2 p⌉ bits, so L < H(q, p) + 1 on any "
        "urn q it is used on."
    )


#: Every code kind, in the order the docs list them. Adding a kind is adding a row.
CODE_KINDS: Mapping[str, CodeKind] = {
    kind.name: kind
    for kind in (
        CodeKind("fixed", "fixed-length", "optional", lambda urn, counts: fixed_length(list(counts))),
        CodeKind("table", "hand-written table", "never", None),
        CodeKind(
            "huffman",
            "Huffman",
            "required",
            lambda urn, counts: huffman(Distribution.from_counts(counts)),
            "entropy",
            _explain_huffman,
        ),
        CodeKind("shannon", "Shannon", "required", _shannon, "cross_entropy", _explain_shannon),
        CodeKind(
            "fano",
            "Shannon–Fano",
            "required",
            lambda urn, counts: fano(Distribution.from_counts(counts)),
            "entropy",
            _explain_fano,
        ),
    )
}


# -- arrival kinds ------------------------------------------------------------------------


class ArrivalProcess:
    """How messages reach the transmitter: one subclass per kind.

    ``name`` is the kind as :class:`sim.model.records.Arrivals` spells it; ``parameter``
    the one field of ``Arrivals`` it reads (None for none), which is also its
    YAML key: ``arrivals: {rate: 2}``.
    """

    name: ClassVar[str]
    parameter: ClassVar[str | None] = None
    #: The range the parameter must lie in (see :mod:`sim.model.limits`).
    parameter_range: ClassVar[limits.Range | None] = None
    #: Squared coefficient of variation of the gaps between messages (0: clockwork, 1: Poisson).
    gap_cv2: ClassVar[float] = 0.0
    #: Whether arrivals form a Poisson stream, so Pollaczek–Khinchine's wait applies.
    poisson: ClassVar[bool] = False

    @property
    def message_rate(self) -> float | None:
        """Messages per second offered to the line (None: the line sets the pace)."""
        return None

    def times(self, rng: np.random.Generator, n: int, sent: int, last: float) -> np.ndarray:
        """Arrival times of messages ``sent`` … ``sent + n − 1``; the one before came at ``last``."""
        return np.zeros(n)

    def span_after_last(self) -> float:
        """The gap that would follow the last arrival, counted in the span of ``n`` arrivals."""
        return 0.0

    def describe(self) -> str:
        raise NotImplementedError

    def dump(self) -> str | dict[str, float]:
        """The YAML form: ``back-to-back`` or ``{parameter: value}``."""
        if self.parameter is None:
            return "back-to-back"
        return {self.parameter: float(getattr(self, self.parameter))}


@dataclass(frozen=True)
class BackToBack(ArrivalProcess):
    """A telegram is always ready when the line frees: it never idles."""

    name: ClassVar[str] = "back_to_back"

    def describe(self) -> str:
        return "back-to-back (the line never idles)"


@dataclass(frozen=True)
class Fixed(ArrivalProcess):
    """One message every ``every`` seconds, the first at time 0."""

    every: float
    name: ClassVar[str] = "fixed"
    parameter: ClassVar[str | None] = "every"
    parameter_range: ClassVar[limits.Range | None] = limits.EVERY

    @property
    def message_rate(self) -> float:
        return 1.0 / self.every

    def times(self, rng: np.random.Generator, n: int, sent: int, last: float) -> np.ndarray:
        return np.arange(sent, sent + n, dtype=np.float64) * self.every

    def span_after_last(self) -> float:
        return self.every

    def describe(self) -> str:
        return f"one message every {self.every:g} s"


@dataclass(frozen=True)
class Poisson(ArrivalProcess):
    """A Poisson stream of ``rate`` messages per second (exponential gaps)."""

    rate: float
    name: ClassVar[str] = "poisson"
    parameter: ClassVar[str | None] = "rate"
    parameter_range: ClassVar[limits.Range | None] = limits.RATE
    gap_cv2: ClassVar[float] = 1.0
    poisson: ClassVar[bool] = True

    @property
    def message_rate(self) -> float:
        return self.rate

    def times(self, rng: np.random.Generator, n: int, sent: int, last: float) -> np.ndarray:
        from sim.engine import kernels  # compiled; loaded when a run starts

        return kernels.poisson_times(rng.exponential(1.0 / self.rate, n), np.array([last]))

    def describe(self) -> str:
        return f"Poisson, {self.rate:g} messages/s"


#: Every arrival kind by name. Adding a kind is adding a class here.
ARRIVAL_KINDS: Mapping[str, type[ArrivalProcess]] = {cls.name: cls for cls in (BackToBack, Fixed, Poisson)}
