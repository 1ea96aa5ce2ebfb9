"""Arithmetic coding with finite-precision integers, on a static model, streaming both ways.

The coder is a range coder in the manner of Martin (1979) and Subbotin: a
64-bit register ``low`` and a range of at least 2^32 values that each symbol
narrows in proportion to its quantised probability (exactly: ⌊range·C/T⌋,
no share is rounded away); when the range falls below 2^32 the window moves
on by a 32-bit word. A bit is sent as soon as it is *settled* (every number
left in the interval has it), so the receiver decodes each symbol as soon as
its bits arrive; the bits a carry may still flip (a 0 and the ones after it)
wait. ``docs/theory.md`` derives the bound on its output.
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
    "WORD_BITS",
    "FLUSH_BITS",
    "DEFAULT_PRECISION",
    "MAX_PRECISION",
    "interval_loss",
]

#: Bits of the coder's ``low`` register (the window on the stream).
STATE_BITS = 64
#: Bits the window moves on when the range falls below 2^WORD_BITS (which it never stays below).
WORD_BITS = 32
#: The constant of the bound: a whole stream costs less than Σ (−log2 p̂(x_i) + ε(x_i)) + FLUSH_BITS.
FLUSH_BITS = 1
#: Default log2 of the frequency total T.
DEFAULT_PRECISION = 24
#: The largest log2 T (the range, at least 2^32, then gives every symbol at least 4 values).
MAX_PRECISION = 30

_MASK = (1 << STATE_BITS) - 1
_START_RANGE = _MASK  # 2^64 − 1: the whole window (less one value, so that it fits 64 bits)
_RANGE_FLOOR = 1 << WORD_BITS


def interval_loss(total: int, f: int) -> float:
    """ε = −log2(1 − T/(2^32·f)): the most a symbol of frequency f among T costs beyond −log2(f/T).

    The range holds R ≥ 2^32 values when a symbol arrives and the symbol keeps
    ⌊R·C_hi/T⌋ − ⌊R·C_lo/T⌋ > R·f/T − 1 of them, so it costs less than
    −log2(f/T) − log2(1 − T/(R·f)) bits of interval (``docs/theory.md``).

    >>> interval_loss(1 << 24, 1 << 23) < 1e-8
    True
    """
    return -math.log2(1 - total / (_RANGE_FLOOR * f))


class CodingModel(Protocol):
    """What the coder needs from a model: symbols, cumulative frequencies, and a step after each symbol.

    ``_cum`` holds 0, f(0), f(0) + f(1), …, T; the coder reads the total T as
    ``_cum[-1]`` (at most 2^30, so every symbol of positive frequency keeps at
    least 4 of the 2^32 or more values of the range). ``adaptive`` models
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
        """Σ q(x)·ε(x), ε(x) = −log2(1 − T / (2^32·f(x))): the finite interval's bound per symbol.

        The coder's range holds at least 2^32 values when a symbol arrives, so a
        symbol's share is cut short by under one value: each symbol costs at most
        ε(x) bits more than −log2 p̂(x) (:func:`interval_loss`). Infinite if ``q``
        draws a symbol the model gives frequency 0.
        """
        qv = q.aligned(self.symbols)
        out = 0.0
        for qx, f in zip(qv, self._freqs):
            if qx > 0:
                if f == 0:
                    return math.inf
                out += float(qx) * interval_loss(self.total, f)
        return out

    def cost(self, symbols: Iterable[str]) -> float:
        """Σ −log2 p̂(x_i): the ideal bits of this exact stream under the quantised model."""
        T = self.total
        return sum(math.log2(T / self._freqs[self._index[s]]) for s in symbols)

    def bound(self, symbols: Iterable[str]) -> float:
        """The most bits :meth:`encode` may spend on this stream: Σ (−log2 p̂(x_i) + ε(x_i)) + 1.

        See ``docs/theory.md``; the 1 is what the flush at the end of the stream may add.
        """
        T = self.total
        out = float(FLUSH_BITS)
        for s in symbols:
            f = self._freqs[self._index[s]]
            out += math.log2(T / f) + interval_loss(T, f)
        return out

    def expected_bound(self, q: Distribution, n: int) -> float:
        """n·(H(q, p̂) + precision loss) + 1: the bound on the expected bits of n symbols drawn from q."""
        return n * (cross_entropy(q, self.model) + self.precision_loss(q)) + FLUSH_BITS

    def encoder(self) -> ArithmeticEncoder:
        return ArithmeticEncoder(self)

    def decoder(self, count: int | None = None) -> ArithmeticDecoder:
        return ArithmeticDecoder(self, count)

    def encode(self, symbols: Iterable[str]) -> str:
        """The bits of a whole stream, flushed.

        >>> code = arithmetic(Distribution({"a": 0.75, "b": 0.25}))
        >>> code.encode(["a", "a", "b", "a"])  # [0.421875, 0.52734375) holds 0.1 in binary
        '1'
        """
        enc = self.encoder()
        return enc.encode(symbols) + enc.finish()

    def decode(self, bits: str, count: int) -> list[str]:
        """The ``count`` symbols of a stream sent with :meth:`encode`.

        >>> arithmetic(Distribution({"a": 0.75, "b": 0.25})).decode("1", 4)
        ['a', 'a', 'b', 'a']
        """
        dec = self.decoder(count)
        return dec.feed(bits) + dec.finish()


class ArithmeticEncoder:
    """Feed it symbols; it returns the bits that are settled so far.

    The stream never restarts: bits for the next symbols simply follow, so a
    telegram boundary costs nothing. A bit is *settled* when every number of
    the current interval has it (``docs/theory.md``); the bits that a later
    carry may still change wait. :meth:`finish` ends the stream with the
    fewest bits that pin a number inside the interval (at most 33, usually a
    handful).
    """

    __slots__ = ("_code", "_low", "_range", "_width", "_bits", "_symbols", "_done")

    def __init__(self, code: CodingModel) -> None:
        self._code = code
        self._low = 0  # the interval's unsent bits: [low, low + range) among 2^width values
        self._range = _START_RANGE
        self._width = STATE_BITS
        self._bits = 0
        self._symbols = 0
        self._done = False

    @property
    def bits(self) -> int:
        """Bits returned so far."""
        return self._bits

    @property
    def pending(self) -> int:
        """Bits held back for a possible carry: a 0 and the ones after it, above the 64-bit window."""
        return max(0, self._width - STATE_BITS)

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
        low, rng, width = self._low, self._range, self._width
        out: list[str] = []
        for s in symbols:
            j = index.get(s) if isinstance(s, str) else None
            if j is None:
                raise ValueError(f"symbol {self._symbols} ({s!r}) is not in the model")
            if cum[j] == cum[j + 1]:
                raise ValueError(f"symbol {self._symbols} ({s!r}) has frequency 0 in the model")
            total = cum[-1]
            lo = rng * cum[j] // total
            low += lo
            rng = rng * cum[j + 1] // total - lo
            if rng < _RANGE_FLOOR:
                low <<= WORD_BITS
                rng <<= WORD_BITS
                width += WORD_BITS
            # Send the settled bits: the top bits low and low + range − 1 share.
            settled = width - (low ^ (low + rng - 1)).bit_length()
            if settled > 0:
                width -= settled
                out.append(format(low >> width, f"0{settled}b"))
                low &= (1 << width) - 1
            self._symbols += 1
            if advance is not None:
                advance(j)
        self._low, self._range, self._width = low, rng, width
        bits = "".join(out)
        self._bits += len(bits)
        return bits

    def finish(self) -> str:
        """End the stream: the shortest k bits after which zeros give a number inside the interval."""
        if self._done:
            raise ValueError("the stream is finished")
        self._done = True
        low, rng, width = self._low, self._range, self._width
        k = 0
        while True:
            step = 1 << (width - k)
            m = -(-low // step)
            if m * step <= low + rng - 1:
                break
            k += 1
        bits = format(m, f"0{k}b") if k else ""
        self._bits += len(bits)
        return bits


class ArithmeticDecoder:
    """Feed it bits; it returns each symbol as soon as the bits so far decide it.

    The decoder tracks the encoder's interval in a 64-bit window and the block
    of values the received bits allow: [value, value + 2^(64 − known) − 1],
    the ``known`` top bits of its window fixed and the rest free. A symbol is
    decided when both ends of the block fall in the same symbol's share. Give
    ``count`` (the number of symbols sent) to stop there; :meth:`finish` (end
    of the bits) needs it and reads the missing bits as zeros, as the flush
    intends. On bits that no encoder sent it returns symbols all the same,
    without error: it cannot tell.

    >>> india = Distribution.from_counts({"blue": 25, "red": 50, "green": 13, "yellow": 12})
    >>> dec = arithmetic(india).decoder(count=3)
    >>> dec.feed("110"), dec.feed("011"), dec.finish()
    (['green'], ['red'], ['blue'])
    """

    __slots__ = ("_code", "_count", "_low", "_range", "_value", "_known", "_queue", "_decoded", "_offset")

    def __init__(self, code: CodingModel, count: int | None = None) -> None:
        if count is not None and count < 0:
            raise ValueError(f"'count' must be non-negative (got {count})")
        self._code = code
        self._count = count
        self._low = 0
        self._range = _START_RANGE
        self._value = 0
        self._known = 0
        self._queue: list[int] = []  # bits received but not yet in the window (reversed)
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

    def _symbol_at(self, offset: int, rng: int) -> int:
        """The last symbol j with ⌊range·C_j/T⌋ ≤ offset: the share that holds ``offset``."""
        cum = self._code._cum
        total = cum[-1]
        lo, hi = 0, len(cum) - 2
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if rng * cum[mid] // total <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo

    def _run(self, ended: bool) -> list[str]:
        code = self._code
        cum, symbols, advance = code._cum, code.symbols, code._advance if code.adaptive else None
        low, rng, value, known, queue = self._low, self._range, self._value, self._known, self._queue
        out: list[str] = []
        count = self._count
        while count is None or self._decoded + len(out) < count:
            while known < STATE_BITS and queue:
                if queue.pop():
                    value |= 1 << (STATE_BITS - 1 - known)
                known += 1
            if ended:
                known = STATE_BITS
            offset = (value - low) & _MASK
            j = self._symbol_at(offset, rng)
            if known < STATE_BITS:
                top = (offset + (1 << (STATE_BITS - known)) - 1) & _MASK
                if self._symbol_at(top, rng) != j:
                    break
            out.append(symbols[j])
            total = cum[-1]
            lo = rng * cum[j] // total
            low = (low + lo) & _MASK
            rng = rng * cum[j + 1] // total - lo
            if rng < _RANGE_FLOOR:
                low = (low << WORD_BITS) & _MASK
                rng <<= WORD_BITS
                value = (value << WORD_BITS) & _MASK
                known = max(0, known - WORD_BITS)
            if advance is not None:
                advance(j)
        self._low, self._range, self._value, self._known = low, rng, value, known
        self._decoded += len(out)
        return out


def arithmetic(p: Distribution, precision: int = DEFAULT_PRECISION) -> ArithmeticCode:
    """An arithmetic code for the static model ``p``, frequencies quantised to a total of 2^precision.

    ``precision`` is between 1 and 30 (the frequency total may not exceed a
    quarter of the range's 2^32 values, so every symbol keeps a share).
    Coding n symbols drawn from ``q`` costs at most
    n·(H(q, p̂) + precision loss) + 1 bits on average and, for every stream,
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
    >>> code.encode(["green", "red", "blue"]), code.decode("110011", 3)
    ('110011', ['green', 'red', 'blue'])
    """
    if not isinstance(p, Distribution):
        raise TypeError(f"'p' must be a Distribution (got {type(p).__name__})")
    if isinstance(precision, bool) or not isinstance(precision, int):
        raise TypeError(f"'precision' must be an integer (got {precision!r})")
    if not 1 <= precision <= MAX_PRECISION:
        raise ValueError(f"'precision' must be between 1 and {MAX_PRECISION} (got {precision})")
    return ArithmeticCode(p, precision, quantise(p, precision))
