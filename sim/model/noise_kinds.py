"""Noise models (per line) and channel codes (per link) as kinds: one small frozen class each.

A noise kind knows its YAML ``type``, its parameters (each a probability),
the capacity of its channel (the engine builds :class:`sim.engine.noise.Noise`
by the constructor of the same name, ``Noise.<type>(**params, rng=...)``);
a channel-code kind knows its ``type``, its rate and how to build the
:mod:`coding.channel` code. Each record checks itself (``NoiseError``
naming the field), so the YAML builder only maps keys.

>>> Bsc(0.01).capacity() < 1, Repetition(3).rate
(True, 0.3333333333333333)
>>> Bsc(1.5)
Traceback (most recent call last):
...
sim.model.noise_kinds.NoiseError: noise 'bsc': 'flip' must be a probability in [0, 1] (got 1.5)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import ClassVar

from coding import channel as ch


class NoiseError(ValueError):
    """A noise model or channel code with a bad parameter (the message names the field)."""


def _probability(kind: str, name: str, value: object) -> None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and 0.0 <= float(value) <= 1.0
    if not ok:
        raise NoiseError(f"{kind}: {name!r} must be a probability in [0, 1] (got {value!r})")


@dataclass(frozen=True)
class _NoiseKind:
    type: ClassVar[str] = ""

    def __post_init__(self) -> None:
        for f in fields(self):
            _probability(f"noise {self.type!r}", f.name, getattr(self, f.name))
            object.__setattr__(self, f.name, float(getattr(self, f.name)))

    def params(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def dump(self) -> dict[str, object]:
        """The YAML form."""
        return {"type": self.type, **self.params()}

    def bit_flip(self) -> float:
        """The long-run probability that a bit is damaged."""
        raise NotImplementedError

    def capacity(self) -> float:
        """Bits per channel use (for Gilbert–Elliott: the memoryless lower bound)."""
        raise NotImplementedError

    def flips(self) -> bool:
        """Whether damage flips bits (a BSC-like channel) rather than erasing them."""
        return True

    def describe(self) -> str:
        return f"{self.type} (" + ", ".join(f"{k} = {v:g}" for k, v in self.params().items()) + ")"


@dataclass(frozen=True)
class Bsc(_NoiseKind):
    """Binary symmetric: each bit flips with probability ``flip``."""

    type: ClassVar[str] = "bsc"
    flip: float

    def bit_flip(self) -> float:
        return self.flip

    def capacity(self) -> float:
        return ch.bsc_capacity(self.flip)


@dataclass(frozen=True)
class Erasure(_NoiseKind):
    """Erasures: each bit is lost (known lost, read as 0) with probability ``erase``."""

    type: ClassVar[str] = "erasure"
    erase: float

    def bit_flip(self) -> float:
        return self.erase / 2  # an erased bit read as 0 is wrong half the time

    def capacity(self) -> float:
        return ch.erasure_capacity(self.erase)

    def flips(self) -> bool:
        return False


@dataclass(frozen=True)
class GilbertElliott(_NoiseKind):
    """Bursts: a good and a bad state, each with its flip probability, switching per bit."""

    type: ClassVar[str] = "gilbert_elliott"
    good_flip: float
    bad_flip: float
    to_bad: float
    to_good: float

    def bit_flip(self) -> float:
        return ch.gilbert_elliott_flip_rate(self.good_flip, self.bad_flip, self.to_bad, self.to_good)

    def capacity(self) -> float:
        low, _ = ch.gilbert_elliott_capacity_bounds(self.good_flip, self.bad_flip, self.to_bad, self.to_good)
        return low


NoiseKind = Bsc | Erasure | GilbertElliott
#: Every noise kind by its YAML ``type``.
NOISE_KINDS: dict[str, type[Bsc] | type[Erasure] | type[GilbertElliott]] = {
    k.type: k for k in (Bsc, Erasure, GilbertElliott)
}


def _whole(kind: str, name: str, value: object, low: int, high: int, *, odd: bool = False) -> None:
    ok = isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
    if not ok or (odd and isinstance(value, int) and value % 2 == 0):
        what = "an odd whole number" if odd else "a whole number"
        raise NoiseError(f"channel {kind!r}: {name!r} must be {what} from {low} to {high} (got {value!r})")


@dataclass(frozen=True)
class _ChannelKind:
    type: ClassVar[str] = ""

    def build(self) -> ch.Repetition | ch.Hamming74 | ch.Parity:
        raise NotImplementedError

    def dump(self) -> dict[str, object]:
        """The YAML form."""
        return {"type": self.type, **{f.name: getattr(self, f.name) for f in fields(self)}}

    @property
    def rate(self) -> float:
        """Data bits per channel bit, k/n."""
        return self.build().rate

    @property
    def per_telegram(self) -> bool:
        """Whether the code works on whole telegrams rather than on blocks of the bit stream."""
        return False

    def rate_for(self, telegram_bits: float) -> float:
        """Data bits per channel bit on telegrams of ``telegram_bits`` source bits on average."""
        return self.rate


@dataclass(frozen=True)
class Repetition(_ChannelKind):
    """Repetition-n: each bit sent n times (n odd), majority vote."""

    type: ClassVar[str] = "repetition"
    n: int = 3

    def __post_init__(self) -> None:
        _whole(self.type, "n", self.n, 1, 15, odd=True)

    def build(self) -> ch.Repetition:
        return ch.Repetition(self.n)

    def display(self) -> str:
        return f"repetition-{self.n}"


@dataclass(frozen=True)
class Hamming74(_ChannelKind):
    """Hamming(7,4): 4 data bits in 7, corrects any single flip in a block."""

    type: ClassVar[str] = "hamming74"

    def build(self) -> ch.Hamming74:
        return ch.Hamming74()

    def display(self) -> str:
        return "Hamming(7,4)"


@dataclass(frozen=True)
class Parity(_ChannelKind):
    """A parity check: detects an odd number of flips, corrects none.

    By default one even-parity bit closes every telegram (``bits`` omitted):
    a telegram that fails its check is dropped and its messages counted as
    lost. With ``bits: k`` one parity bit follows every k data bits of the
    stream instead, and a failed block is only counted (its bits passed on
    as received).

    >>> Parity().display(), Parity().rate_for(7.0), Parity(8).rate_for(7.0)
    ('parity per telegram', 0.875, 0.8888888888888888)
    """

    type: ClassVar[str] = "parity"
    bits: int | None = None

    def __post_init__(self) -> None:
        if self.bits is not None:
            _whole(self.type, "bits", self.bits, 1, 12)

    @property
    def per_telegram(self) -> bool:
        return self.bits is None

    def build(self) -> ch.Parity:
        """The block code (with ``bits``); per telegram there is none: the receiver frames telegrams."""
        if self.bits is None:
            raise NoiseError("parity per telegram frames whole telegrams: it has no block code (give 'bits')")
        return ch.Parity(self.bits)

    @property
    def rate(self) -> float:
        """k/(k + 1) per block; per telegram it depends on the telegram's length (:meth:`rate_for`): NaN."""
        return self.build().rate if self.bits is not None else math.nan

    def rate_for(self, telegram_bits: float) -> float:
        """b/(b + 1) for telegrams of b bits on average (1 for empty telegrams); k/(k + 1) per block."""
        if self.bits is not None:
            return self.rate
        return telegram_bits / (telegram_bits + 1.0) if telegram_bits > 0 else 1.0

    def dump(self) -> dict[str, object]:
        return {"type": self.type} if self.bits is None else {"type": self.type, "bits": self.bits}

    def display(self) -> str:
        return "parity per telegram" if self.bits is None else f"parity per {self.bits} bits"


ChannelKind = Repetition | Hamming74 | Parity
#: Every channel-code kind by its YAML ``type``.
CHANNEL_KINDS: dict[str, type[Repetition] | type[Hamming74] | type[Parity]] = {
    k.type: k for k in (Repetition, Hamming74, Parity)
}
