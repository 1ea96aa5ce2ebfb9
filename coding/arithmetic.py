"""Arithmetic coding with finite-precision integers, on a static model, streaming both ways.

The coder is the classic one of Witten, Neal & Cleary (1987): a 32-bit
interval [low, high] that each symbol narrows in proportion to its quantised
probability, doubled ("renormalised") whenever it fits in one half of the
range (the bit is then known and sent) or straddles the middle half (the bit
is not known yet: it is counted as *pending* and sent, inverted, after the
next known bit). ``docs/theory.md`` derives the bound on its output.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Protocol

from coding.code import DecodeError
from coding.distribution import Distribution
from coding.measures import cross_entropy

__all__ = [
    "ArithmeticCode",
    "ArithmeticDecoder",
    "ArithmeticEncoder",
    "CodingModel",
    "arithmetic",
    "quantise",
    "STATE_BITS",
    "DEFAULT_PRECISION",
]

#: N: bits of the coder's interval registers.
STATE_BITS = 32
#: Default log2 of the frequency total T.
DEFAULT_PRECISION = 24

_FULL = (1 << STATE_BITS) - 1
_HALF = 1 << (STATE_BITS - 1)
_QUARTER = 1 << (STATE_BITS - 2)
_THREE_QUARTERS = _HALF + _QUARTER


class CodingModel(Protocol):
    """What the coder needs from a model: symbols, cumulative frequencies, and a step after each symbol.

    ``_cum`` holds 0, f(0), f(0) + f(1), …, T; the coder reads the total T as
    ``_cum[-1]`` (at most 2^(N−2), so every symbol of positive frequency keeps
    a non-empty share of an interval wider than 2^(N−2)). ``adaptive`` models
    change ``_cum`` *in place* in ``_advance(j)`` after symbol ``j`` is coded:
    the encoder calls it after sending, the decoder after decoding, so both
    ends hold the same model at every step (no side channel). A static model
    has ``adaptive`` False and is never advanced.
    """

    @property
    def symbols(self) -> tuple[str, ...]: ...

    @property
    def adaptive(self) -> bool: ...

    @property
    def _cum(self) -> Sequence[int]: ...

    @property
    def _index(self) -> dict[str, int]: ...

    def _advance(self, j: int) -> None: ...


def quantise(p: Distribution, precision: int = DEFAULT_PRECISION) -> tuple[int, ...]:
    """Integer frequencies f(x) summing to T = 2^precision, with f(x) ≥ 1 exactly when p(x) > 0.

    The frequencies maximise Σ p(x) log f(x), i.e. minimise D(p‖f/T), over all
    integer frequencies with that support. Start from f = max(1, ⌊p·T⌋) (0 for
    p = 0); bring the sum to T one unit at a time, adding where the gain
    p(x)·log((f+1)/f) is largest or taking away (never below 1) where the loss
    p(x)·log(f/(f−1)) is smallest; then move single units from the symbol that
    loses least to the one that gains most while that strictly helps. A
    separable concave objective that no single move improves is at its maximum.
    Ties go to the first symbol. The result is within n + 1 of p·T for every
    symbol (n symbols), so the model is off by at most (n + 1)/T in probability.

    >>> india = Distribution.from_counts({"blue": 25, "red": 50, "green": 13, "yellow": 12})
    >>> quantise(india, precision=8)
    (64, 128, 33, 31)
    """
    if not isinstance(p, Distribution):
        raise TypeError(f"'p' must be a Distribution (got {type(p).__name__})")
    total = 1 << precision
    probs = [float(v) for v in p.probabilities]
    live = [i for i, v in enumerate(probs) if v > 0]
    if len(live) > total:
        raise ValueError(f"{len(live)} symbols do not fit a frequency total of 2^{precision}")
    freqs = [max(1, math.floor(v * total)) if v > 0 else 0 for v in probs]

    def step(f: int) -> float:  # log(f + 1) − log(f), one expression for gains and losses alike
        return math.log(f + 1) - math.log(f)

    def gain(i: int) -> float:
        return probs[i] * step(freqs[i])

    def loss(i: int) -> float:
        return probs[i] * step(freqs[i] - 1) if freqs[i] > 1 else math.inf

    while sum(freqs) < total:
        freqs[max(live, key=lambda i: (gain(i), -i))] += 1
    while sum(freqs) > total:
        freqs[min(live, key=lambda i: (loss(i), i))] -= 1
    while len(live) > 1:
        up = max(live, key=lambda i: (gain(i), -i))
        down = min((i for i in live if i != up), key=lambda i: (loss(i), i))
        if not gain(up) > loss(down) * (1 + 1e-12):  # a real gain, not rounding: no cycles
            break
        freqs[up] += 1
        freqs[down] -= 1
    return tuple(freqs)


class ArithmeticCode:
    """A static model for arithmetic coding: quantised frequencies of ``source``'s symbols.

    Build one with :func:`arithmetic`. ``frequencies`` sum to ``total`` = 2^precision;
    ``cumulative[i]`` is the sum of the frequencies before symbol ``i``.
    """

    __slots__ = ("_source", "_precision", "_freqs", "_cum", "_index")

    def __init__(self, source: Distribution, precision: int, frequencies: tuple[int, ...]) -> None:
        self._source = source
        self._precision = precision
        self._freqs = frequencies
        cum = [0]
        for f in frequencies:
            cum.append(cum[-1] + f)
        self._cum = tuple(cum)
        self._index = {s: i for i, s in enumerate(source.symbols)}

    @property
    def source(self) -> Distribution:
        """The distribution the model was built from (before quantisation)."""
        return self._source

    @property
    def symbols(self) -> tuple[str, ...]:
        return self._source.symbols

    @property
    def adaptive(self) -> bool:
        """False: the frequencies never change."""
        return False

    def _advance(self, j: int) -> None:
        """A static model does not learn."""

    @property
    def precision(self) -> int:
        return self._precision

    @property
    def total(self) -> int:
        """T = 2^precision."""
        return 1 << self._precision

    @property
    def frequencies(self) -> tuple[int, ...]:
        return self._freqs

    @property
    def cumulative(self) -> tuple[int, ...]:
        """0, f(0), f(0) + f(1), …, T (one more entry than symbols)."""
        return self._cum

    def _key(self) -> tuple[object, ...]:
        return (self._source, self._precision, self._freqs)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, type(self)) and type(other) is type(self) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"ArithmeticCode(precision={self._precision}, frequencies={self._freqs})"

    @property
    def model(self) -> Distribution:
        """p̂ = f / T: the distribution the coder actually codes with."""
        return Distribution.from_counts(dict(zip(self.symbols, self._freqs)))

    def quantisation_loss(self, q: Distribution) -> float:
        """H(q, p̂) − H(q, p) in bits per symbol: what rounding the model to integers costs (or saves)."""
        return cross_entropy(q, self.model) - cross_entropy(q, self._source)

    def precision_loss(self, q: Distribution) -> float:
        """Σ q(x)·ε(x), ε(x) = −log2(1 − T / ((2^(N−2) + 1)·f(x))): the finite interval's bound per symbol.

        The coder's interval holds more than 2^(N−2) values when a symbol
        arrives, so a symbol's share is cut short by under one value: each symbol
        costs at most ε(x) bits more than −log2 p̂(x). Infinite if ``q`` draws a
        symbol the model gives frequency 0.
        """
        qv = q.aligned(self.symbols)
        out = 0.0
        for qx, f in zip(qv, self._freqs):
            if qx > 0:
                if f == 0:
                    return math.inf
                out += float(qx) * -math.log2(1 - self.total / ((_QUARTER + 1) * f))
        return out

    def cost(self, symbols: Iterable[str]) -> float:
        """Σ −log2 p̂(x_i): the ideal bits of this exact stream under the quantised model."""
        T = self.total
        return sum(math.log2(T / self._freqs[self._index[s]]) for s in symbols)

    def bound(self, symbols: Iterable[str]) -> float:
        """The most bits :meth:`encode` may spend on this stream: Σ (−log2 p̂(x_i) + ε(x_i)) + 2.

        See ``docs/theory.md``; the 2 is the flush at the end of the stream.
        """
        T = self.total
        out = 2.0
        for s in symbols:
            f = self._freqs[self._index[s]]
            out += math.log2(T / f) - math.log2(1 - T / ((_QUARTER + 1) * f))
        return out

    def expected_bound(self, q: Distribution, n: int) -> float:
        """n·(H(q, p̂) + precision loss) + 2: the bound on the expected bits of n symbols drawn from q."""
        return n * (cross_entropy(q, self.model) + self.precision_loss(q)) + 2

    def encoder(self) -> ArithmeticEncoder:
        return ArithmeticEncoder(self)

    def decoder(self, count: int | None = None) -> ArithmeticDecoder:
        return ArithmeticDecoder(self, count)

    def encode(self, symbols: Iterable[str]) -> str:
        """The bits of a whole stream, flushed.

        >>> code = arithmetic(Distribution({"a": 0.75, "b": 0.25}))
        >>> code.encode(["a", "a", "b", "a"])
        '0111'
        """
        enc = self.encoder()
        return enc.encode(symbols) + enc.finish()

    def decode(self, bits: str, count: int) -> list[str]:
        """The ``count`` symbols of a stream sent with :meth:`encode`.

        >>> arithmetic(Distribution({"a": 0.75, "b": 0.25})).decode("0111", 4)
        ['a', 'a', 'b', 'a']
        """
        dec = self.decoder(count)
        return dec.feed(bits) + dec.finish()


class ArithmeticEncoder:
    """Feed it symbols; it returns the bits that are decided so far.

    The stream never restarts: bits for the next symbols simply follow, so a
    telegram boundary costs nothing. :meth:`finish` ends the stream with the
    pending bits and two more (see ``docs/theory.md``).
    """

    __slots__ = ("_code", "_low", "_high", "_pending", "_bits", "_symbols", "_done")

    def __init__(self, code: CodingModel) -> None:
        self._code = code
        self._low = 0
        self._high = _FULL
        self._pending = 0
        self._bits = 0
        self._symbols = 0
        self._done = False

    @property
    def bits(self) -> int:
        """Bits returned so far."""
        return self._bits

    @property
    def pending(self) -> int:
        """Bits decided only up to their value: they follow the next decided bit, inverted."""
        return self._pending

    @property
    def symbols(self) -> int:
        """Symbols encoded so far."""
        return self._symbols

    def encode(self, symbols: Iterable[str]) -> str:
        """Encode ``symbols``; return the bits they settle (possibly none)."""
        if self._done:
            raise ValueError("the stream is finished")
        code = self._code
        cum, index, advance = code._cum, code._index, code._advance if code.adaptive else None
        low, high, pending = self._low, self._high, self._pending
        out: list[str] = []
        for s in symbols:
            j = index.get(s) if isinstance(s, str) else None
            if j is None:
                raise ValueError(f"symbol {self._symbols} ({s!r}) is not in the model")
            if cum[j] == cum[j + 1]:
                raise ValueError(f"symbol {self._symbols} ({s!r}) has frequency 0 in the model")
            span, total = high - low + 1, cum[-1]
            high = low + (span * cum[j + 1]) // total - 1
            low = low + (span * cum[j]) // total
            while True:
                if high < _HALF:
                    out.append("0" + "1" * pending)
                    pending = 0
                elif low >= _HALF:
                    out.append("1" + "0" * pending)
                    pending = 0
                    low -= _HALF
                    high -= _HALF
                elif low >= _QUARTER and high < _THREE_QUARTERS:
                    pending += 1
                    low -= _QUARTER
                    high -= _QUARTER
                else:
                    break
                low = 2 * low
                high = 2 * high + 1
            self._symbols += 1
            if advance is not None:
                advance(j)
        self._low, self._high, self._pending = low, high, pending
        bits = "".join(out)
        self._bits += len(bits)
        return bits

    def finish(self) -> str:
        """End the stream: the pending bits and two more, enough to pin the value inside [low, high]."""
        if self._done:
            raise ValueError("the stream is finished")
        self._done = True
        pending = self._pending + 1
        bits = "0" + "1" * pending if self._low < _QUARTER else "1" + "0" * pending
        self._pending = 0
        self._bits += len(bits)
        return bits


class ArithmeticDecoder:
    """Feed it bits; it returns each symbol as soon as the bits so far decide it.

    The decoder tracks the encoder's interval and the block of values the
    received bits allow: [value, value + 2^(N − known) − 1], the ``known`` top
    bits of its N-bit register fixed and the rest free. A symbol is decided
    when both ends of the block fall in the same symbol's share. The block
    always lies inside [low, high] (so 0 ≤ known ≤ N). Give ``count`` (the
    number of symbols sent) to stop there; :meth:`finish` (end of the bits)
    needs it and reads the missing bits as zeros, as the flush intends.

    >>> india = Distribution.from_counts({"blue": 25, "red": 50, "green": 13, "yellow": 12})
    >>> dec = arithmetic(india).decoder(count=3)
    >>> dec.feed("110"), dec.feed("0101"), dec.finish()
    (['green'], ['red', 'blue'], [])
    """

    __slots__ = ("_code", "_count", "_low", "_high", "_value", "_known", "_queue", "_decoded", "_offset")

    def __init__(self, code: CodingModel, count: int | None = None) -> None:
        if count is not None and count < 0:
            raise ValueError(f"'count' must be non-negative (got {count})")
        self._code = code
        self._count = count
        self._low = 0
        self._high = _FULL
        self._value = 0
        self._known = 0
        self._queue: list[int] = []  # bits received but not yet in the register (reversed)
        self._decoded = 0
        self._offset = 0

    @property
    def decoded(self) -> int:
        """Symbols returned so far."""
        return self._decoded

    def feed(self, bits: str) -> list[str]:
        """Take more bits; return the symbols they decide."""
        if not isinstance(bits, str):
            raise TypeError(f"bits must be a str (got {type(bits).__name__})")
        for i, c in enumerate(bits):
            if c not in "01":
                raise DecodeError(f"digit {c!r} is not a bit", self._offset + i)
        self._offset += len(bits)
        self._queue[:0] = [int(c) for c in reversed(bits)]
        return self._run(ended=False)

    def finish(self) -> list[str]:
        """The stream has ended: decode the remaining symbols up to ``count``, reading zeros past the end."""
        if self._count is None:
            raise ValueError("finish() needs the symbol count (ArithmeticDecoder(code, count))")
        return self._run(ended=True)

    def _symbol_at(self, v: int, low: int, span: int) -> int:
        cum = self._code._cum
        target = ((v - low + 1) * cum[-1] - 1) // span
        lo, hi = 0, len(cum) - 2
        while lo < hi:  # the last symbol j with cum[j] <= target
            mid = (lo + hi + 1) // 2
            if cum[mid] <= target:
                lo = mid
            else:
                hi = mid - 1
        return lo

    def _run(self, ended: bool) -> list[str]:
        code = self._code
        cum, symbols, advance = code._cum, code.symbols, code._advance if code.adaptive else None
        low, high, value, known, queue = self._low, self._high, self._value, self._known, self._queue
        out: list[str] = []
        count = self._count
        while count is None or self._decoded + len(out) < count:
            while known < STATE_BITS and (queue or ended):
                if queue and queue.pop():
                    value |= 1 << (STATE_BITS - 1 - known)
                known += 1
            span = high - low + 1
            j = self._symbol_at(value, low, span)
            if known < STATE_BITS:
                top = value + (1 << (STATE_BITS - known)) - 1
                if self._symbol_at(top, low, span) != j:
                    break
            out.append(symbols[j])
            total = cum[-1]
            high = low + (span * cum[j + 1]) // total - 1
            low = low + (span * cum[j]) // total
            while True:
                if high < _HALF:
                    pass
                elif low >= _HALF:
                    low -= _HALF
                    high -= _HALF
                    value -= _HALF
                elif low >= _QUARTER and high < _THREE_QUARTERS:
                    low -= _QUARTER
                    high -= _QUARTER
                    value -= _QUARTER
                else:
                    break
                low = 2 * low
                high = 2 * high + 1
                value = 2 * value
                known -= 1
            if advance is not None:
                advance(j)
        self._low, self._high, self._value, self._known = low, high, value, known
        self._decoded += len(out)
        return out


def arithmetic(p: Distribution, precision: int = DEFAULT_PRECISION) -> ArithmeticCode:
    """An arithmetic code for the static model ``p``, frequencies quantised to a total of 2^precision.

    ``precision`` is between 1 and 30 (the frequency total may not exceed a
    quarter of the 2^32 interval, so every symbol keeps a non-empty share).
    Coding n symbols drawn from ``q`` costs at most
    n·(H(q, p̂) + precision loss) + 2 bits on average and, for every stream,
    at most :meth:`ArithmeticCode.bound` bits; measured bits per symbol
    converge on H(q, p̂) ≈ H(q, p).

    Australia's box coded with India's model costs the cross entropy,
    2.3488 bits per ball, not the 2.37 of India's Huffman code:

    >>> india = Distribution.from_counts({"blue": 25, "red": 50, "green": 13, "yellow": 12})
    >>> australia = Distribution.from_counts({"blue": 13, "red": 25, "green": 50, "yellow": 12})
    >>> code = arithmetic(india)
    >>> round(cross_entropy(australia, code.model), 4)
    2.3488
    >>> abs(code.quantisation_loss(australia)) < 1e-6, code.precision_loss(australia) < 1e-8
    (True, True)
    >>> code.encode(["green", "red", "blue"]), code.decode("1100101", 3)
    ('1100101', ['green', 'red', 'blue'])
    """
    if not isinstance(p, Distribution):
        raise TypeError(f"'p' must be a Distribution (got {type(p).__name__})")
    if isinstance(precision, bool) or not isinstance(precision, int):
        raise TypeError(f"'precision' must be an integer (got {precision!r})")
    if not 1 <= precision <= STATE_BITS - 2:
        raise ValueError(f"'precision' must be between 1 and {STATE_BITS - 2} (got {precision})")
    return ArithmeticCode(p, precision, quantise(p, precision))
