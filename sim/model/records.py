"""The resolved model a scenario describes: frozen records the engine runs.

:mod:`sim.scenario.loader` builds these from YAML; tests and Python users may build
them directly. Each record checks itself when built (``__post_init__``), so
both meet the same rules and the same message, naming the field, the rule and
the value; the YAML layer only adds the file and the YAML path. The records
hold the model's own rules (a positive baud, a rate for Poisson arrivals, a
code that fits its urn); the sizes a scenario *file* may reach (baud up to
10^12, names up to 100 characters …) are :mod:`sim.model.limits`' table, enforced
where files are read, so Python may probe further (a baud of 10^200, say):

>>> Line("cable", baud=-5)
Traceback (most recent call last):
...
sim.model.records.RecordError: Line 'cable': 'baud' must be positive (got -5)
>>> Arrivals("poisson")
Traceback (most recent call last):
...
sim.model.records.RecordError: Arrivals: 'rate' is required for poisson arrivals (got None)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from coding import Code, Distribution
from sim.model import limits
from sim.model.kinds import (
    ARRIVAL_KINDS,
    CODE_KINDS,
    LAW_SEQUENCES,
    ArrivalProcess,
    CodeKind,
    over,
    stream_fit,
)
from sim.model.noise_kinds import CHANNEL_KINDS, NOISE_KINDS, ChannelKind, NoiseKind

__all__ = [
    "Arrivals",
    "CodeSpec",
    "Line",
    "Link",
    "Model",
    "Problem",
    "RecordError",
    "Scenario",
    "Tariff",
    "Urn",
]

#: A code kind's name (see :data:`sim.model.kinds.CODE_KINDS`); a ``str`` so a new row needs no edit here.
CodeType = str
#: An arrival kind's name (see :data:`sim.model.kinds.ARRIVAL_KINDS`): back_to_back, fixed, poisson.
ArrivalKind = str

_NONE = object()


@dataclass(frozen=True)
class Problem:
    """One broken rule of a record: where (field path), what rule, and the value given."""

    where: tuple[str, ...]
    rule: str
    got: object = _NONE

    @property
    def has_value(self) -> bool:
        return self.got is not _NONE

    def __str__(self) -> str:
        text = f"{_field(self.where)} {self.rule}"
        return text if self.got is _NONE else f"{text} (got {self.got!r})"


class RecordError(ValueError):
    """A record built with values that break its rules; ``problems`` lists each one."""

    def __init__(self, record: str, problems: list[Problem]) -> None:
        self.record = record
        self.problems = tuple(problems)
        super().__init__(f"{record}: " + "; ".join(str(p) for p in self.problems))


def _field(where: tuple[str, ...]) -> str:
    head, *rest = where
    return repr(head) if not rest else head + "".join(f"[{k!r}]" for k in rest)


class _Rules:
    """Collects the broken rules of one record, then raises them together."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, where: str | tuple[str, ...], rule: str, *got: object) -> None:
        path = (where,) if isinstance(where, str) else where
        self.problems.append(Problem(path, rule, got[0] if got else _NONE))

    def number(self, where: str, value: object, *, positive: bool = False) -> None:
        """A finite real number ≥ 0 (> 0 when ``positive``)."""
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.add(where, "must be a number", value)
        elif (rule := limits.number_rule(value, positive=positive)) is not None:
            self.add(where, rule, value)

    def integer(self, where: str | tuple[str, ...], value: object, low: int, high: int | None = None) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            self.add(where, "must be a whole number", value)
        elif (rule := limits.integer_rule(int(value), low, high)) is not None:
            self.add(where, rule, value)

    def name(self, where: str, value: object) -> None:
        if not isinstance(value, str) or not value:
            self.add(where, "must be a non-empty name", value)

    def raise_for(self, record: str) -> None:
        if self.problems:
            raise RecordError(record, self.problems)


def _as_floats(record: object, *names: str) -> None:
    """Store checked numbers as floats (a frozen record is normalised once, when built)."""
    for name in names:
        object.__setattr__(record, name, float(getattr(record, name)))


def _label(kind: str, name: object) -> str:
    return f"{kind} {name!r}" if isinstance(name, str) and name else kind


@dataclass(frozen=True)
class Urn:
    """A box of coloured balls: colour -> number of balls (in order)."""

    name: str
    counts: Mapping[str, int]

    def __post_init__(self) -> None:
        r = _Rules()
        r.name("name", self.name)
        if not isinstance(self.counts, Mapping) or not self.counts:
            r.add("counts", "must have at least one colour", self.counts)
        elif not all(
            type(c) is str and c != "" and type(n) is int and n >= 0 for c, n in self.counts.items()
        ):
            for colour, n in self.counts.items():  # only when something may be wrong: report it
                if not isinstance(colour, str) or colour == "":
                    r.add(("counts", colour), "colour names must be text; put it in quotes", colour)
                else:
                    r.integer(("counts", colour), n, 0)
        if isinstance(self.counts, Mapping) and self.counts:
            total = sum(self.counts.values()) if not r.problems else None
            if total == 0:
                r.add("counts", "must hold at least one ball (every count is 0)", dict(self.counts))
            elif total is not None and total > limits.URN_BALLS:
                r.add("counts", "must hold at most 2^53 balls in all, to count them exactly", total)
        r.raise_for(_label("Urn", self.name))

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

    def __post_init__(self) -> None:
        r = _Rules()
        r.number("per_bit", self.per_bit)
        r.number("per_telegram", self.per_telegram)
        r.raise_for("Tariff")
        _as_floats(self, "per_bit", "per_telegram")


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
    noise: NoiseKind | None = None

    def __post_init__(self) -> None:
        r = _Rules()
        r.name("name", self.name)
        r.number("baud", self.baud, positive=True)
        if self.noise is not None and not isinstance(self.noise, tuple(NOISE_KINDS.values())):
            r.add("noise", f"must be a noise kind ({', '.join(NOISE_KINDS)})", self.noise)
        r.number("latency", self.latency)
        if not isinstance(self.tariff, Tariff):
            r.add("tariff", "must be a Tariff", self.tariff)
        if not isinstance(self.shared, bool):
            r.add("shared", "must be True or False", self.shared)
        r.raise_for(_label("Line", self.name))
        _as_floats(self, "baud", "latency")


@dataclass(frozen=True)
class Arrivals:
    """How messages reach the transmitter: a kind of :data:`sim.model.kinds.ARRIVAL_KINDS`.

    ``back_to_back``: a telegram is always ready when the line frees (it never
    idles); ``fixed``: one message every ``every`` seconds; ``poisson``: a
    Poisson stream of ``rate`` messages per second. ``process`` is the kind's
    object, which does the work (times, rate, describe, dump).
    """

    kind: ArrivalKind = "back_to_back"
    every: float | None = None
    rate: float | None = None

    def __post_init__(self) -> None:
        r = _Rules()
        cls = ARRIVAL_KINDS.get(self.kind) if isinstance(self.kind, str) else None
        if cls is None:
            r.add("kind", f"must be one of {', '.join(ARRIVAL_KINDS)}", self.kind)
            r.raise_for("Arrivals")
            return
        for name in ("every", "rate"):
            value = getattr(self, name)
            if name == cls.parameter:
                if value is None:
                    r.add(name, f"is required for {self.kind} arrivals", None)
                else:
                    r.number(name, value, positive=True)
            elif value is not None:
                r.add(name, f"is not used by {self.kind} arrivals; leave it out", value)
        r.raise_for("Arrivals")
        param = cls.parameter
        if param:
            _as_floats(self, param)
        process = cls(float(getattr(self, param))) if param else cls()  # type: ignore[call-arg]
        object.__setattr__(self, "_process", process)

    @property
    def process(self) -> ArrivalProcess:
        """The arrival kind's object: :class:`sim.model.kinds.Poisson` and the like."""
        process: ArrivalProcess = self.__dict__["_process"]
        return process

    @property
    def message_rate(self) -> float | None:
        """Messages per second offered to the line (None for back-to-back)."""
        return self.process.message_rate

    def describe(self) -> str:
        return self.process.describe()


@dataclass(frozen=True)
class Model:
    """An inline model: the distribution p a code is built for, given without an urn.

    Either ``probabilities`` (colour -> probability, each in [0, 1], summing to
    1 within :data:`sim.model.limits.MODEL_SUM_TOLERANCE`) or ``logits``
    (colour -> finite real number) with a softmax ``temperature`` T > 0:
    p(x) = exp(z(x)/T) / Σ_y exp(z(y)/T), the sum over every colour y.

    >>> Model(logits={"a": 0.0, "b": 1.0986122886681098}).distribution.as_dict()["b"] > 0.7499
    True
    >>> Model(probabilities={"a": 0.5, "b": 0.6})
    Traceback (most recent call last):
    ...
    sim.model.records.RecordError: Model: 'probabilities' must sum to 1 within 1e-06 (got 1.1)
    """

    probabilities: Mapping[str, float] | None = None
    logits: Mapping[str, float] | None = None
    temperature: float = 1.0

    def __post_init__(self) -> None:
        r = _Rules()
        given = [k for k in ("probabilities", "logits") if getattr(self, k) is not None]
        if len(given) != 1:
            r.add("probabilities", "give exactly one of probabilities or logits", given or None)
            r.raise_for("Model")
        key = given[0]
        values = getattr(self, key)
        if not isinstance(values, Mapping) or not values:
            r.add(key, "must map at least one colour to a number", values)
            r.raise_for("Model")
        for colour, v in values.items():
            if not isinstance(colour, str) or colour == "":
                r.add((key, colour), "colour names must be text; put it in quotes", colour)
            elif isinstance(v, bool) or not isinstance(v, (int, float)):
                r.add((key, colour), "must be a number", v)
            elif not np.isfinite(v):
                r.add((key, colour), "must be a finite number", v)
            elif key == "probabilities" and not 0 <= v <= 1:
                r.add((key, colour), "must be a probability, 0 to 1", v)
        if key == "probabilities" and not r.problems:
            total = float(sum(float(v) for v in values.values()))
            if abs(total - 1.0) > limits.MODEL_SUM_TOLERANCE:
                r.add(key, f"must sum to 1 within {limits.MODEL_SUM_TOLERANCE:g}", round(total, 12))
        if key == "probabilities" and self.temperature != 1.0:
            r.add("temperature", "goes with logits (a softmax), not with probabilities", self.temperature)
        else:
            r.number("temperature", self.temperature, positive=True)
        r.raise_for("Model")
        object.__setattr__(self, key, {c: float(v) for c, v in values.items()})
        _as_floats(self, "temperature")

    @cached_property
    def distribution(self) -> Distribution:
        """p: the probabilities divided by their sum, or the softmax of the logits at the temperature."""
        if self.probabilities is not None:
            return Distribution.from_counts(self.probabilities)
        assert self.logits is not None
        return Distribution.from_logits(self.logits, self.temperature)

    def describe(self) -> str:
        """``probabilities`` or ``softmax of logits, T = 1``: how ``explain`` names it."""
        if self.probabilities is not None:
            return "given probabilities"
        return f"softmax of given logits, T = {self.temperature:g}"

    def dump(self) -> dict[str, dict[str, float] | float]:
        """The YAML form of ``for``."""
        if self.probabilities is not None:
            return {"probabilities": dict(self.probabilities)}
        assert self.logits is not None
        return {"logits": dict(self.logits), "temperature": self.temperature}


@dataclass(frozen=True)
class CodeSpec:
    """A code as the scenario names it.

    ``code`` is the built code, or None for a fixed-length code without
    ``built_for``: that one is built per link, over the link's urn colours.
    ``model`` is an inline model given as ``for`` instead of an urn's name.
    """

    name: str
    type: CodeType
    code: Code | None = None
    built_for: str | None = None
    #: A stream kind's parameters (``order``, ``bits``) and its built coding object.
    params: Mapping[str, int] = field(default_factory=dict)
    stream: object | None = None
    model: Model | None = None
    #: A kind built per link from settings (adaptive: :class:`sim.model.kinds.Adaptive`).
    settings: object | None = None

    def __post_init__(self) -> None:
        r = _Rules()
        r.name("name", self.name)
        kind = CODE_KINDS.get(self.type) if isinstance(self.type, str) else None
        if kind is None:
            r.add("type", f"must be a code kind ({', '.join(CODE_KINDS)})", self.type)
        else:
            _stream_rules(r, kind, self.params, self.stream)
            source = self.built_for if self.model is None else self.model
            if self.built_for is not None and self.model is not None:
                r.add("model", "give built_for (an urn) or model, not both", self.model)
            if kind.takes_for == "required" and source is None:
                r.add(
                    "built_for",
                    f"must name the urn a {self.type} code is built for (or give its model)",
                    None,
                )
            if kind.takes_for == "never" and source is not None:
                r.add("built_for", f"a {self.type} code is not built for an urn", source)
            per_link = kind.takes_for == "optional" and kind.build is not None and source is None
            settings = kind.stream.settings if kind.stream is not None else None
            if settings is not None and not isinstance(self.settings, settings):
                r.add(
                    "settings", f"a {self.type} code needs its settings ({settings.__name__})", self.settings
                )
            elif settings is None and self.settings is not None:
                r.add("settings", f"a {self.type} code takes no settings", self.settings)
            per_link = per_link or settings is not None
            if self.code is None and not per_link:
                r.add("code", "is required (only a kind built per link, like fixed, may leave it out)", None)
        if self.code is not None and not isinstance(self.code, Code):
            r.add("code", "must be a coding.Code", self.code)
        if self.model is not None and not isinstance(self.model, Model):
            r.add("model", "must be a Model", self.model)
        r.raise_for(_label("CodeSpec", self.name))

    @property
    def display(self) -> str:
        """The kind's name as the docs write it: ``Huffman``, ``Shannon–Fano``."""
        return CODE_KINDS[self.type].display


@dataclass(frozen=True)
class Link:
    """One transmitter -> line -> receiver chain.

    ``code`` covers every colour of ``urn``. ``assumed`` is the distribution
    the code was designed for: the urn named by ``built_for`` for the kinds
    built for an urn (Huffman, Shannon, Shannon–Fano), otherwise the code's
    implied distribution 2^−l / K; for a code built for an inline ``model``,
    that model's distribution. ``priority`` orders the links of a shared
    line: lower numbers are served first (non-preemptive); equal numbers share
    one FIFO queue.
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
    channel: ChannelKind | None = None
    #: A stream kind's coding object (BlockCode, TunstallCode, ArithmeticCode); ``code`` is then
    #: the Huffman code of the same model, the symbol code it is compared with.
    stream: object | None = None
    model: Model | None = None

    def __post_init__(self) -> None:
        if isinstance(self.model, Model) and self.assumed is None:
            object.__setattr__(self, "assumed", self.model.distribution)
        r = _Rules()
        r.name("name", self.name)
        for attr, cls in (("urn", Urn), ("line", Line), ("arrivals", Arrivals), ("code", Code)):
            if not isinstance(getattr(self, attr), cls):
                r.add(attr, f"must be a {cls.__name__}", getattr(self, attr))
        if not isinstance(self.code_type, str) or self.code_type not in CODE_KINDS:
            r.add("code_type", f"must be a code kind ({', '.join(CODE_KINDS)})", self.code_type)
        r.integer("telegram", self.telegram, 1, limits.TELEGRAM)
        if not isinstance(self.replacement, bool):
            r.add("replacement", "must be True or False", self.replacement)
        r.integer("priority", self.priority, 0, limits.PRIORITY)
        if self.channel is not None and not isinstance(self.channel, tuple(CHANNEL_KINDS.values())):
            r.add("channel", f"must be a channel code kind ({', '.join(CHANNEL_KINDS)})", self.channel)
        kind = CODE_KINDS.get(self.code_type) if isinstance(self.code_type, str) else None
        stream_kind = kind.stream if kind is not None else None
        if (
            stream_kind is not None
            and stream_kind.restart is None
            and getattr(self.channel, "per_telegram", False)
        ):
            r.add(
                "channel",
                f"parity per telegram drops a failed telegram, and a {self.code_type} code cannot restart "
                f"at each telegram ({stream_kind.no_restart}): use a block parity "
                "({type: parity, bits: 8}) or another channel code",
                self.channel,
            )
        if (
            stream_kind is not None
            and stream_kind.restart is not None
            and getattr(self.channel, "per_telegram", False)
        ):
            drawn = (
                sum(1 for c in stream_kind.symbols(self.stream) if self.urn.counts.get(c, 0) > 0)
                if (self.stream is not None and isinstance(self.urn, Urn) and isinstance(self.telegram, int))
                else 0
            )
            if drawn ** (self.telegram if isinstance(self.telegram, int) else 1) > LAW_SEQUENCES:
                r.add(
                    "telegram",
                    f"an arithmetic link restarting at every telegram has its theory from all {drawn}^T "
                    f"telegram contents, at most {LAW_SEQUENCES:,}: use fewer balls per telegram",
                    self.telegram,
                )
        if kind is not None and (kind.stream is None) != (self.stream is None):
            r.add(
                "stream",
                f"a {self.code_type} link {'needs' if kind.stream else 'takes no'} stream code",
                self.stream,
            )
        elif kind is not None and kind.stream is not None and isinstance(self.urn, Urn):
            problem = stream_fit(kind.stream, self.stream, self.urn.name, self.urn.counts)
            if problem is not None:
                r.add("stream", problem)
        if isinstance(self.urn, Urn) and isinstance(self.code, Code):
            for problem in code_fits_urn(self.code, self.urn):
                r.add("code", problem)
        r.raise_for(_label("Link", self.name))

    @property
    def channel_rate(self) -> float:
        """The channel code's rate: source bits per wire bit over a long run (1 without one).

        Parity per telegram adds one bit to every telegram, so over a long run
        the rate is b/(b + 1), b = telegram·L the mean telegram length. That is
        a share of totals, not a speed: the line sends each telegram of B bits
        in exactly (B + 1)/baud seconds (:attr:`frame_bits`, :attr:`wire_baud`).
        """
        if self.channel is None:
            return 1.0
        if not self.channel.per_telegram:
            return self.channel.rate
        return self.channel.rate_for(self.telegram * self.per_ball()[0])

    @property
    def restarts(self) -> bool:
        """Whether a stream code restarts at every telegram (parity per telegram on an arithmetic link)."""
        stream = CODE_KINDS[self.code_type].stream
        return stream is not None and stream.restart is not None and self.frame_bits == 1

    def telegram_law(self) -> tuple[np.ndarray, np.ndarray] | None:
        """A restarting stream code's law of a full telegram's bits (bits, probabilities), or None."""
        stream = CODE_KINDS[self.code_type].stream
        if not self.restarts or stream is None or stream.telegram_law is None or self.stream is None:
            return None
        return stream.telegram_law(
            self.stream, over(self.urn.counts, stream.symbols(self.stream)), self.telegram
        )

    @property
    def frame_bits(self) -> int:
        """Bits the channel code adds to every telegram: 1 with parity per telegram, else 0."""
        return 1 if self.channel is not None and self.channel.per_telegram else 0

    @property
    def wire_baud(self) -> float:
        """Source bits per second the line carries while it sends a telegram's codewords.

        Its baud times the rate of a channel code that wraps the stream
        (repetition, Hamming(7,4), parity per k bits). Parity per telegram
        leaves it at the baud: its bit is :attr:`frame_bits`, sent after the
        codewords, so a telegram of B bits takes (B + 1)/baud seconds.
        """
        if self.channel is None or self.channel.per_telegram:
            return self.line.baud
        return self.line.baud * self.channel.rate

    @property
    def assumed_distribution(self) -> Distribution:
        return self.assumed if self.assumed is not None else self.code.implied_distribution()

    def per_ball(self) -> tuple[float, float]:
        """Expected bits per ball on this link's urn and the variance per ball (σ² of σ²/n).

        A symbol code: L and Var(l). A stream code: its kind's figures (L_k/k, m/E[T], H(q, p̂)).
        """
        q = self.urn.distribution
        stream = CODE_KINDS[self.code_type].stream
        if stream is not None and self.stream is not None:
            law = self.telegram_law()
            if law is not None:  # restarts: E[B]/T and Var(B)/T, B the bits of a full telegram
                bits, probs = law
                mean = float(probs @ bits)
                return mean / self.telegram, float(probs @ (bits - mean) ** 2) / self.telegram
            return stream.per_ball(self.stream, over(self.urn.counts, stream.symbols(self.stream)))
        return self.code.expected_length(q), self.code.length_variance(q)


def _stream_rules(r: _Rules, kind: CodeKind, params: object, stream: object) -> None:
    """A stream kind needs each of its parameters in range; other kinds take none."""
    if not isinstance(params, Mapping):
        r.add("params", "must be a mapping of parameter to whole number", params)
        return
    keys = {p.key: p for p in kind.stream.params} if kind.stream else {}
    for key, value in params.items():
        if key not in keys:
            r.add(("params", str(key)), f"is not a parameter of a {kind.name} code", value)
    for key, p in keys.items():
        if key not in params:
            r.add(("params", key), f"is required for a {kind.name} code ({p.meaning})", None)
        else:
            r.integer(("params", key), params[key], p.low, p.high)


def code_fits_urn(code: Code, urn: Urn) -> Iterator[str]:
    """What keeps ``code`` from serving ``urn``: colours it lacks or adds, codewords too long."""
    same = code.symbols == tuple(urn.counts)  # the usual case, decided in one comparison
    symbols = set(code.symbols)
    missing = [] if same else [c for c, n in urn.counts.items() if n > 0 and c not in symbols]
    extra = [] if same else [c for c in code.symbols if c not in urn.counts]
    parts = []
    if missing:
        parts.append(f"no codeword for {_names(missing)}")
    if extra:
        parts.append(
            f"codewords for {_names(extra)}, which the urn lacks (list "
            f"{'them' if len(extra) > 1 else 'it'} in the urn with 0 balls if that is intended)"
        )
    if parts:
        yield f"does not fit urn {urn.name!r}: it has " + "; and ".join(parts)
    lengths = code.length_array()
    too_long = [code.symbols[int(i)] for i in np.flatnonzero(lengths > limits.CODEWORD_BITS)]
    if too_long:
        c = too_long[0]
        yield (
            f"gives {c!r} a codeword of {len(code[c])} bits; the line sends codewords of at most "
            f"{limits.CODEWORD_BITS} bits"
        )


def _names(symbols: list[str], most: int = 8) -> str:
    """The first ``most`` names, then how many more (an error line stays short)."""
    shown = ", ".join(repr(s) for s in symbols[:most])
    return shown + (f", … ({len(symbols) - most:_} more)" if len(symbols) > most else "")


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

    def __post_init__(self) -> None:
        r = _Rules()
        r.name("name", self.name)
        if not isinstance(self.links, tuple) or not self.links:
            r.add("links", "must be a non-empty tuple of Link", self.links)
        else:
            seen: set[str] = set()
            for i, link in enumerate(self.links):
                if not isinstance(link, Link):
                    r.add(("links", str(i)), "must be a Link", link)
                elif link.name in seen:
                    r.add(("links", str(i)), "repeats a link name; give each link its own", link.name)
                else:
                    seen.add(link.name)
        r.integer("seed", self.seed, 0)
        r.integer("messages", self.messages, 1, limits.MESSAGES)
        r.raise_for(_label("Scenario", self.name))
