"""Compiled stream coders: arithmetic coding, block (extension) codes and Tunstall codes.

The pure versions live in :mod:`coding` (``arithmetic``, ``block``,
``tunstall``) and work on strings of ``0``/``1``; these kernels do the same
arithmetic, bit for bit, on packed 64-bit words (most significant bit first,
as :mod:`sim.engine.bitcodec`), compiled with numba. Every coder keeps its whole
state in a small int64 array that the caller passes back with the next chunk,
so a stream cut into chunks of any size gives exactly the bits (and the
symbols) of the whole stream: chunk invariance by construction.

Each chunk's bits start a fresh run of words; ``nbits`` says how many are
real. Symbols are indices into the code's source symbols.

- :class:`ArithmeticEncoder` / :class:`ArithmeticDecoder`: the range coder of
  :class:`coding.ArithmeticCode` (64-bit window, range kept at 2^32 or more,
  frequencies to 2^precision), one kernel for static and learning models.
  The encoder sends every bit once it is settled; the decoder returns each
  symbol as soon as the bits so far decide it.
- :class:`BlockEncoder` / :func:`split_blocks`: symbol indices to block indices of a
  :class:`coding.BlockCode` (the tail padded); the blocks then travel with
  the engine's prefix-code kernels (:mod:`sim.engine.bitcodec`).
- :class:`TunstallEncoder` / :class:`TunstallDecoder`: the parse tree of a
  :class:`coding.TunstallCode` walked symbol by symbol, m bits per word.
"""

from __future__ import annotations

import functools
import itertools

import numpy as np
from numba import njit
from numba.cpython.unsafe.numbers import leading_zeros, trailing_zeros

from coding import ArithmeticCode, BlockCode, DecodeError, TunstallCode
from coding.arithmetic import STATE_BITS, WORD_BITS

__all__ = [
    "ArithmeticDecoder",
    "ArithmeticEncoder",
    "TelegramArithmeticDecoder",
    "BlockEncoder",
    "TunstallDecoder",
    "TunstallEncoder",
    "split_blocks",
    "warm_up",
]

_NO_MARKS = np.zeros(0, dtype=np.int64)


@njit(cache=True, nogil=True, inline="always")
def _put(words, w, acc, used, v, n):  # pragma: no cover
    """Append the ``n`` (≤ 63) low bits of ``v`` to the packed words; return (w, acc, used)."""
    if used + n < 64:
        return w, (acc << np.uint64(n)) | v, used + n
    r = 64 - used
    rest = n - r
    words[w] = (acc << np.uint64(r)) | (v >> np.uint64(rest))
    if rest > 0:
        acc = v & ((np.uint64(1) << np.uint64(rest)) - np.uint64(1))
    else:
        acc = np.uint64(0)
    return w + 1, acc, rest


@njit(cache=True, nogil=True, inline="always")
def _put_run(words, w, acc, used, bit, count):  # pragma: no cover
    """Append ``bit`` then ``count`` copies of the other bit (a resolved pending run)."""
    w, acc, used = _put(words, w, acc, used, np.uint64(bit), 1)
    fill = np.uint64(0) if bit else ~np.uint64(0)
    while count > 0:
        k = min(count, 63)
        w, acc, used = _put(words, w, acc, used, fill >> np.uint64(64 - k), k)
        count -= k
    return w, acc, used


@njit(cache=True, nogil=True, inline="always")
def _close(words, w, acc, used):  # pragma: no cover
    if used > 0:
        words[w] = acc << np.uint64(64 - used)
        w += 1
    words[w] = np.uint64(0)
    return w


# --------------------------------------------------------------------------- the range coder

#: The range below which the window moves on by a word.
_FLOOR = np.uint64(1 << WORD_BITS)
_ALL = np.uint64((1 << STATE_BITS) - 1)
_U0 = np.uint64(0)
_U1 = np.uint64(1)
_UW = np.uint64(WORD_BITS)
_TOP = np.uint64(STATE_BITS - WORD_BITS)  # shift that leaves a window's top word

# State slots (int64 bit patterns). Encoder: low, range, sent (bits of the window already
# sent, or minus the bits held above it for a carry: a 0 and the ones after it).
# Decoder: low, range, value, known (top bits of the value received), ended.
R_LOW, R_RANGE, R_SENT = 0, 1, 2
R_FILLED = 3  # an encoder that restarts every telegram: symbols of the open telegram
R_VALUE, R_KNOWN, R_ENDED = 2, 3, 4

_NO_MODEL = np.zeros(0, dtype=np.int64)


@njit(cache=True, nogil=True, inline="always")
def _split(rng, shift, total, inv):  # pragma: no cover
    """(q, r) with range = q·T + r: a shift for a static model (T = 2^shift).

    For a learning model, q from the float product range·(1/T) (``inv``),
    corrected by the exact remainder: off by a unit or two only, and never a
    64-bit division (slow) once T ≥ 4096.
    """
    if shift >= 0:
        q = rng >> np.uint64(shift)
        return q, rng - (q << np.uint64(shift))
    if total < np.uint64(4096):
        q = rng // total
        return q, rng - q * total
    e = np.int64(float(rng) * inv)  # ≤ 2^52: within two units of q
    t = np.int64(total)
    rem = np.int64(rng - np.uint64(e) * total)
    for _ in range(2):  # branch-free corrections: the estimate's error is random, a branch mispredicts
        down = np.int64(rem < 0)
        e -= down
        rem += down * t
        up = np.int64(rem >= t)
        e += up
        rem -= up * t
    return np.uint64(e), np.uint64(rem)


@njit(cache=True, nogil=True, inline="always")
def _cut(q, r, c, shift, total, inv):  # pragma: no cover
    """⌊range·c/T⌋ exactly, as q·c + ⌊r·c/T⌋ (r·c < T² ≤ 2^60: no overflow).

    For a learning model ⌊r·c/T⌋ < T ≤ 2^30 comes from the float product
    r·c·(1/T) (``inv``), off by at most one from rounding and corrected with
    one integer multiply: no division.
    """
    c = np.uint64(c)
    if shift >= 0:
        return q * c + ((r * c) >> np.uint64(shift))
    x = np.int64(r * c)
    t = np.int64(total)
    e = np.int64(float(x) * inv)
    rem = x - e * t
    e += np.int64(rem >= t) - np.int64(rem < 0)
    return q * c + np.uint64(e)


@njit(cache=True, nogil=True, inline="always")
def _symbol_at(offset, q, r, cum, shift, total, inv):  # pragma: no cover
    """The last symbol s with ⌊range·C_s/T⌋ ≤ ``offset``: the share that holds it.

    No division when the model is static: a branch-free count for up to 8
    symbols, a binary search on the same products beyond.
    """
    n = cum.size - 1
    if shift >= 0 and n <= 8:
        s = 0
        for j in range(1, n):
            s += _cut(q, r, cum[j], shift, total, inv) <= offset
        return s
    lo = 0
    hi = n - 1
    while lo < hi:
        mid = (lo + hi + 1) >> 1
        if _cut(q, r, cum[mid], shift, total, inv) <= offset:
            lo = mid
        else:
            hi = mid - 1
    return lo


@njit(cache=True, nogil=True, inline="always")
def _share_of(offset, q, r, rng, cum, total, inv):  # pragma: no cover
    """(s, lo, hi) for a learning model: the symbol whose share [lo, hi) holds ``offset``.

    A binary search with exact cuts would divide at every probe; instead a float
    estimate of the cumulative count offset·T/R picks the symbol by integer
    search on ``cum``, and exact cuts confirm it (stepping to a neighbour when
    the estimate fell on the other side of a boundary).
    """
    n = cum.size - 1
    est = np.int64(float(offset) * float(total) / float(rng)) if rng > _U0 else np.int64(0)
    est = min(max(est, 0), np.int64(total) - 1)
    lo_i = 0
    hi_i = n - 1
    while lo_i < hi_i:
        mid = (lo_i + hi_i + 1) >> 1
        if cum[mid] <= est:
            lo_i = mid
        else:
            hi_i = mid - 1
    s = lo_i
    lo = _cut(q, r, cum[s], -1, total, inv)
    while s > 0 and offset < lo:
        s -= 1
        lo = _cut(q, r, cum[s], -1, total, inv)
    hi = _cut(q, r, cum[s + 1], -1, total, inv)
    while s < n - 1 and offset >= hi:
        s += 1
        lo = hi
        hi = _cut(q, r, cum[s + 1], -1, total, inv)
    return s, lo, hi


@njit(cache=True, nogil=True, inline="always")
def _put_span(words, w, acc, used, x, a, b):  # pragma: no cover
    """Append bits a … b − 1 (from the top, b − a ≤ 63) of the 64-bit ``x``."""
    if b > a:
        w, acc, used = _put(words, w, acc, used, (x << np.uint64(a)) >> np.uint64(64 - (b - a)), b - a)
    return w, acc, used


@njit(cache=True, nogil=True, inline="always")
def _carries(low, rng):  # pragma: no cover
    """Whether low + range − 1 passes 2^64: the interval's top is a carry above the window."""
    return low > ~(rng - _U1)


@njit(cache=True, nogil=True, inline="always")
def _unsent(low, rng, sent):  # pragma: no cover
    """Settled bits not sent yet: those above the window held for a carry and the window's top bits
    that low and low + range − 1 share (none while the interval straddles a carry)."""
    if _carries(low, rng):
        return 0
    return np.int64(leading_zeros(low ^ (low + (rng - _U1)))) - sent


@njit(cache=True, nogil=True, inline="always")
def _send_settled(low, rng, sent, words, w, acc, used):  # pragma: no cover
    """Send every settled bit: the held ones, then the top bits the window shares; (sent, w, acc, used)."""
    if _carries(low, rng):
        return sent, w, acc, used
    if sent < 0:  # the held 0 1…1 did not carry: it is settled as it is
        w, acc, used = _put_run(words, w, acc, used, 0, -sent - 1)
        sent = 0
    z = np.int64(leading_zeros(low ^ (low + (rng - _U1))))
    if z > sent:
        w, acc, used = _put_span(words, w, acc, used, low, sent, z)
        sent = z
    return sent, w, acc, used


@njit(cache=True, nogil=True, inline="always")
def _move_window(low, rng, sent, words, w, acc, used):  # pragma: no cover
    """The range fell below 2^32: move the window on by a word and send what that settles."""
    top = low >> _TOP
    low <<= _UW
    rng <<= _UW
    if sent >= WORD_BITS:  # the word was sent already
        return low, rng, sent - WORD_BITS, w, acc, used
    if not _carries(low, rng):  # everything above the window is settled
        if sent < 0:
            w, acc, used = _put_run(words, w, acc, used, 0, -sent - 1)
            sent = 0
        w, acc, used = _put_span(words, w, acc, used, top << _TOP, sent, WORD_BITS)
        return low, rng, 0, w, acc, used
    if top == np.uint64(0xFFFFFFFF):  # a carry would run through the whole word: hold it too
        return low, rng, sent - WORD_BITS, w, acc, used
    # A carry stops at the word's last 0: send what comes before it, hold that 0 and the ones after.
    ones = np.int64(trailing_zeros(~top))
    if sent < 0:
        w, acc, used = _put_run(words, w, acc, used, 0, -sent - 1)
        sent = 0
    w, acc, used = _put_span(words, w, acc, used, top << _TOP, sent, WORD_BITS - 1 - ones)
    return low, rng, -1 - ones, w, acc, used


@njit(cache=True, nogil=True)
def range_encode(sym, cum, shift, model, state, words, marks, telegram=0):  # pragma: no cover
    """Encode symbol indices ``sym``; return the number of bits written to ``words``.

    Per symbol: two exact cuts ⌊R·C/T⌋ (a shift, or a division for a
    learning model), an add, and, about once per 32 bits of output, a window
    move. A carry out of the window (rare) turns the held 0 1…1 into 1 0…0,
    now settled. The chunk ends by sending every settled bit, so a chunk's
    bits never depend on where the chunk was cut. ``marks`` (as long as
    ``sym``, or empty) receives the chunk's settled bit count after each
    symbol; ``model`` (empty for a static model) holds a learning model's
    slots, advanced after each symbol.

    A symbol outside the model, or of frequency 0, stops the chunk: the
    return value is then −1 − its position (the caller restores the state).

    ``telegram`` > 0 restarts the coder every ``telegram`` symbols (parity per
    telegram): after a telegram's last symbol the interval is flushed (as
    :func:`range_finish`) and a fresh one starts, so each telegram decodes on
    its own; ``state[R_FILLED]`` carries the symbols of the open telegram.
    """
    low = np.uint64(state[R_LOW])
    rng = np.uint64(state[R_RANGE])
    sent = state[R_SENT]
    w = 0
    acc = _U0
    used = 0
    last = cum.size - 1
    learning = model.size > 0
    filled = state[R_FILLED] if telegram > 0 else 0
    for i in range(sym.size):
        s = sym[i]
        if s < 0 or s >= last or cum[s + 1] == cum[s]:
            return -1 - i
        total = np.uint64(cum[last])
        inv = 1.0 / float(total) if learning else 0.0
        q, r = _split(rng, shift, total, inv)
        lo = _cut(q, r, cum[s], shift, total, inv)
        hi = _cut(q, r, cum[s + 1], shift, total, inv)
        new = low + lo
        if new < low:  # a carry: the held 0 1…1 becomes 1 0…0
            w, acc, used = _put_run(words, w, acc, used, 1, -sent - 1)
            sent = 0
        low = new
        rng = hi - lo
        if rng < _FLOOR:
            low, rng, sent, w, acc, used = _move_window(low, rng, sent, words, w, acc, used)
        if telegram > 0:
            filled += 1
            if filled == telegram:  # the telegram's end: flush, and start a fresh interval
                w, acc, used = _flush(low, rng, sent, words, w, acc, used)
                low, rng, sent, filled = _U0, _ALL, 0, 0
        if marks.size:
            marks[i] = 64 * w + used + _unsent(low, rng, sent)
        if learning:
            _advance(cum, model, s)
    if telegram > 0:
        state[R_FILLED] = filled
    sent, w, acc, used = _send_settled(low, rng, sent, words, w, acc, used)
    state[R_LOW] = np.int64(low)
    state[R_RANGE] = np.int64(rng)
    state[R_SENT] = sent
    nbits = 64 * w + used
    _close(words, w, acc, used)
    return nbits


@njit(cache=True, nogil=True, inline="always")
def _flush(low, rng, sent, words, w, acc, used):  # pragma: no cover
    """Append the flush: the settled bits, then the fewest bits after which zeros lie in the interval."""
    sent, w, acc, used = _send_settled(low, rng, sent, words, w, acc, used)
    if _carries(low, rng):  # 1 0…0 (the carried held bits, then zeros) lies in the interval
        w, acc, used = _put(words, w, acc, used, _U1, 1)
    else:
        j = sent
        while j < 64 and ((~low + _U1) & (_ALL >> np.uint64(j))) > rng - _U1:
            j += 1
        if j > sent:
            v = low + ((~low + _U1) & (_ALL >> np.uint64(j)))
            w, acc, used = _put_span(words, w, acc, used, v, sent, j)
    return w, acc, used


@njit(cache=True, nogil=True)
def range_finish(state, words):  # pragma: no cover
    """The flush: the settled bits, then the fewest bits after which zeros lie in the interval."""
    w, acc, used = _flush(np.uint64(state[R_LOW]), np.uint64(state[R_RANGE]), state[R_SENT], words, 0, _U0, 0)
    state[R_SENT] = 0
    nbits = 64 * w + used
    _close(words, w, acc, used)
    return nbits


@njit(cache=True, nogil=True, inline="always")
def _refill(words, nbits, pos, value, known):  # pragma: no cover
    """Move new bits into the decoder's 64-bit window while there is room; return (value, pos, known)."""
    need = min(STATE_BITS - known, nbits - pos)
    if need > 0:
        wi = pos >> 6
        off = np.uint64(pos & 63)
        x = words[wi] << off
        if wi + 1 < words.size:
            x |= (words[wi + 1] >> _U1) >> (np.uint64(63) - off)
        value |= (x >> np.uint64(64 - need)) << np.uint64(STATE_BITS - known - need)
        pos += need
        known += need
    return value, pos, known


@njit(cache=True, nogil=True)
def range_decode(words, nbits, cum, shift, model, state, out, limit):  # pragma: no cover
    """Decode from ``nbits`` new bits; write symbols to ``out`` (at most ``limit``); return the count.

    New bits enter the window as soon as there is room, so all bits are taken
    unless ``limit`` symbols are decoded first (the rest then belong to no
    symbol: the flush, or padding). A symbol is returned once both ends of the
    block of values the bits allow fall in its share. ``words`` needs one
    padding word. Bits no encoder sent decode to some symbols, never to an
    error or a hang: every pass either decodes a symbol or stops.
    """
    return _decode_span(words, 0, nbits, cum, shift, model, state, out, 0, limit)


@njit(cache=True, nogil=True, inline="always")
def _decode_span(words, pos, nbits, cum, shift, model, state, out, first, limit):  # pragma: no cover
    """:func:`range_decode` on bits ``pos`` … ``nbits`` − 1 of ``words``; symbols go to ``out[first:limit]``;
    returns the count written (without ``first``)."""
    low = np.uint64(state[R_LOW])
    rng = np.uint64(state[R_RANGE])
    value = np.uint64(state[R_VALUE])
    known = state[R_KNOWN]
    ended = state[R_ENDED]
    last = cum.size - 1
    learning = model.size > 0
    small = shift >= 0 and last <= 8
    cuts = np.zeros(cum.size, dtype=np.uint64)  # cuts[j] = ⌊R·C_j/T⌋ of the current range (small models)
    count = first
    while count < limit:
        value, pos, known = _refill(words, nbits, pos, value, known)
        if ended:
            known = STATE_BITS
        total = np.uint64(cum[last])
        inv = 1.0 / float(total) if learning else 0.0
        q, r = _split(rng, shift, total, inv)
        offset = value - low
        if learning:
            s, lo, hi = _share_of(offset, q, r, rng, cum, total, inv)
        elif small:  # every cut at once (independent products), the symbol by counting, its share by index
            s = 0
            for j in range(1, last):
                c = _cut(q, r, cum[j], shift, total, inv)
                cuts[j] = c
                s += c <= offset
            cuts[last] = rng
            lo = cuts[s]
            hi = cuts[s + 1]
        else:
            s = _symbol_at(offset, q, r, cum, shift, total, inv)
            lo = _cut(q, r, cum[s], shift, total, inv)
            hi = _cut(q, r, cum[s + 1], shift, total, inv)
        if known < STATE_BITS:
            top = offset + (_ALL >> np.uint64(known))
            if learning:
                if top >= hi or top < offset:  # the block reaches past the share (or wraps: no data)
                    break
            elif _symbol_at(top, q, r, cum, shift, total, inv) != s:
                break
        out[count] = s
        count += 1
        low += lo
        rng = hi - lo
        if rng < _FLOOR:
            low <<= _UW
            rng <<= _UW
            value <<= _UW
            known = max(known - WORD_BITS, 0)
        if learning:
            _advance(cum, model, s)
    state[R_LOW] = np.int64(low)
    state[R_RANGE] = np.int64(rng)
    state[R_VALUE] = np.int64(value)
    state[R_KNOWN] = known
    return count - first


# Model slots of a learning model: scale d, count limit 2^precision, rescales so far, balls seen.
M_SCALE, M_LIMIT, M_RESCALES, M_SEEN = 0, 1, 2, 3


@njit(cache=True, nogil=True, inline="always")
def _advance(cum, model, s):  # pragma: no cover
    """Count symbol ``s`` (as :meth:`coding.AdaptiveModel._advance`): add d, halve while over the limit."""
    d = model[M_SCALE]
    k = cum.size - 1
    model[M_SEEN] += 1
    if cum[k] + d > model[M_LIMIT]:
        freqs = np.empty(k, dtype=np.int64)
        for i in range(k):
            freqs[i] = cum[i + 1] - cum[i]
        freqs[s] += d
        total = cum[k] + d
        while total > model[M_LIMIT]:
            total = 0
            for i in range(k):
                freqs[i] -= freqs[i] // 2
                total += freqs[i]
        for i in range(k):
            cum[i + 1] = cum[i] + freqs[i]
        model[M_RESCALES] += 1
    else:
        for i in range(s + 1, k + 1):
            cum[i] += d


class ArithmeticEncoder:
    """Compiled :class:`coding.ArithmeticEncoder`: symbol-index chunks in, packed words out.

    ``encode(sym)`` returns ``(words, nbits)`` for the bits the chunk settles;
    ``finish()`` the flush. ``bits`` counts everything returned so far. A
    learning model (:class:`sim.engine.adaptive_kernels.AdaptiveArithmeticEncoder`)
    sets ``shift`` to −1 and fills ``model``; the kernel is the same.
    """

    #: > 0: restart every so many symbols (parity per telegram); a learning model never restarts.
    telegram = 0

    def __init__(self, code: ArithmeticCode, telegram: int = 0) -> None:
        self.cum = np.array(code.cumulative, dtype=np.int64)
        self.shift = code.precision
        self.model = _NO_MODEL
        self.telegram = int(telegram)
        self._start()

    def _start(self) -> None:
        # low 0, range 2^64 − 1, nothing sent (and, restarting, no symbol in the open telegram)
        self.state = np.array([0, -1, 0, 0], dtype=np.int64)
        self.bits = 0
        self.marks = _NO_MARKS  # set by encode_marked: bits settled after each symbol

    def encode_marked(self, sym: np.ndarray) -> tuple[np.ndarray, int, np.ndarray]:
        """As :meth:`encode`, with the chunk's bit count after each symbol."""
        self.marks = np.zeros(sym.size, dtype=np.int64)
        try:
            words, nbits = self.encode(sym)
        finally:
            marks, self.marks = self.marks, _NO_MARKS
        return words, nbits, marks

    def encode(self, sym: np.ndarray) -> tuple[np.ndarray, int]:
        sym = np.ascontiguousarray(sym, dtype=np.int64)
        held = max(0, -int(self.state[R_SENT]))
        per_symbol = WORD_BITS + (1 if self.telegram else 0)  # a restart's flush: at most 1 bit a ball more
        words = np.zeros((sym.size * per_symbol + held + 128) // 64 + 2, dtype=np.uint64)
        saved = [a.copy() for a in self._arrays()]
        nbits = int(
            range_encode(sym, self.cum, self.shift, self.model, self.state, words, self.marks, self.telegram)
        )
        if nbits < 0:
            for a, b in zip(self._arrays(), saved):
                a[:] = b
            i = -1 - nbits
            bad = int(sym[i])
            raise ValueError(f"symbol {i} of the chunk ({bad}) is outside the model or has frequency 0")
        self.bits += nbits
        return words, nbits

    def _arrays(self) -> list[np.ndarray]:
        """The state a failed chunk restores."""
        return [self.state, self.cum, self.model]

    def finish(self) -> tuple[np.ndarray, int]:
        held = max(0, -int(self.state[R_SENT]))
        words = np.zeros((held + 128) // 64 + 3, dtype=np.uint64)
        nbits = int(range_finish(self.state, words))
        if self.telegram:  # the open telegram is closed: the next starts afresh
            self.state[:] = (0, -1, 0, 0)
        self.bits += nbits
        return words, nbits


class ArithmeticDecoder:
    """Compiled :class:`coding.ArithmeticDecoder`: packed-word chunks in, symbol indices out.

    ``count`` is the number of symbols in the stream; ``feed(words, nbits)``
    returns the symbols the bits so far decide, ``finish()`` the rest (reading
    zeros past the end of the bits).
    """

    def __init__(self, code: ArithmeticCode, count: int) -> None:
        self.cum = np.array(code.cumulative, dtype=np.int64)
        self.shift = code.precision
        self.model = _NO_MODEL
        self._start(count)

    def _start(self, count: int) -> None:
        self.state = np.array([0, -1, 0, 0, 0], dtype=np.int64)
        self.count = int(count)
        self.decoded = 0

    def _run(self, words: np.ndarray, nbits: int) -> np.ndarray:
        left = self.count - self.decoded
        out = np.empty(left, dtype=np.int64)
        n = int(range_decode(words, nbits, self.cum, self.shift, self.model, self.state, out, left))
        self.decoded += n
        return out[:n]

    def feed(self, words: np.ndarray, nbits: int) -> np.ndarray:
        return self._run(words, nbits)

    def finish(self) -> np.ndarray:
        self.state[R_ENDED] = 1
        return self._run(np.zeros(1, dtype=np.uint64), 0)


@njit(cache=True, nogil=True)
def tally_marks(
    marks, tail, tally, points, point_sums, point_squares, per_message, own=False
):  # pragma: no cover
    """A stream link's per-message bits and running tally from a chunk's marks.

    ``marks[i]``: the chunk's bits after message i; message i carries
    ``marks[i] − marks[i − 1]`` (the first, ``marks[0]``), the last ``tail``
    more (the flush), written to ``per_message``. With ``own``, ``marks``
    already holds each message's own bits (:meth:`TunstallEncoder.encode_own`)
    and ``per_message`` is ``marks`` itself: only the tail is added. ``tally`` = (bits, squared
    bits, messages) goes on; at every checkpoint (message counts ``points``,
    sorted) passed, the running sums are recorded. The same integers as
    ``cumsum`` of the differences and their squares (integer sums: any
    grouping gives them), summed a stretch between checkpoints at a time in
    loops the compiler vectorises.
    """
    n = marks.size
    if n == 0:
        return
    if not own:
        per_message[0] = marks[0]
        for i in range(1, n):
            per_message[i] = marks[i] - marks[i - 1]
    per_message[n - 1] += tail
    _tally_run(per_message, tally, points, point_sums, point_squares)


@njit(cache=True, nogil=True, inline="always")
def _tally_run(per_message, tally, points, point_sums, point_squares):  # pragma: no cover
    """Add a chunk's per-message bits to ``tally`` (bits, squared bits, messages), recording the
    running sums at every checkpoint ``points`` (sorted message counts) reached."""
    bits = tally[0]
    squares = tally[1]
    count = tally[2]
    nxt = np.searchsorted(points, count + 1)  # the first checkpoint not yet passed
    n = per_message.size
    i = 0
    while i < n:
        stop = n
        if nxt < points.size and points[nxt] - count <= n - i:
            stop = i + points[nxt] - count  # up to the message that reaches the checkpoint
        b = 0
        q = 0
        for j in range(i, stop):
            v = per_message[j]
            b += v
            q += v * v
        bits += b
        squares += q
        count += stop - i
        i = stop
        while nxt < points.size and points[nxt] == count:
            point_sums[nxt] = bits
            point_squares[nxt] = squares
            nxt += 1
    tally[0] = bits
    tally[1] = squares
    tally[2] = count


@njit(cache=True, nogil=True)
def count_colours(sym, to_code, counts, out):  # pragma: no cover
    """Count each colour of ``sym`` in ``counts`` and write its code symbol ``to_code[c]`` to
    ``out``, in one pass (``bincount`` and the lookup); with ``out`` empty, only count (in four
    interleaved tallies, so one increment need not wait for the one before)."""
    if out.size:
        for i in range(sym.size):
            c = sym[i]
            counts[c] += 1
            out[i] = to_code[c]
        return
    k = counts.size
    local = np.zeros(4 * k, dtype=np.int64)
    whole = sym.size // 4 * 4
    for i in range(0, whole, 4):
        local[sym[i]] += 1
        local[k + sym[i + 1]] += 1
        local[2 * k + sym[i + 2]] += 1
        local[3 * k + sym[i + 3]] += 1
    for i in range(whole, sym.size):
        local[sym[i]] += 1
    for c in range(k):
        counts[c] += local[c] + local[k + c] + local[2 * k + c] + local[3 * k + c]


@njit(cache=True, nogil=True)
def count_mismatches(out, first, sent, start, n, to_code):  # pragma: no cover
    """Messages among ``out[first:first + n]`` that differ from the code symbols of the colours
    ``sent[start:start + n]`` (``to_code`` empty: colours numbered as the code's symbols)."""
    got = out[first : first + n]
    want = sent[start : start + n]
    bad = 0
    if to_code.size:
        for i in range(n):
            bad += np.int64(got[i]) != to_code[want[i]]
    else:
        for i in range(n):
            bad += got[i] != want[i]
    return bad


@njit(cache=True, nogil=True)
def range_decode_telegrams(words, tel_bits, tel_msgs, skip, cum, shift, model, out):  # pragma: no cover
    r"""Decode whole telegrams sent with a restart at each (``range_encode(…, telegram)``).

    Telegram t holds ``tel_bits[t]`` bits (one after another in ``words``,
    which needs one padding word) and ``tel_msgs[t]`` symbols; each is decoded
    from a fresh interval, reading zeros past its last bit (as the flush
    assumes), so a damaged telegram cannot spoil the next. A ``skip``\ ped
    telegram's symbols are −1. Returns the symbols written, Σ ``tel_msgs``.
    """
    state = np.zeros(5, dtype=np.int64)
    start = 0
    c = 0
    for t in range(tel_bits.size):
        end = start + tel_bits[t]
        n = tel_msgs[t]
        if skip[t]:
            out[c : c + n] = -1
        else:
            state[R_LOW] = 0
            state[R_RANGE] = -1
            state[R_VALUE] = 0
            state[R_KNOWN] = 0
            state[R_ENDED] = 1
            _decode_span(words, start, end, cum, shift, model, state, out, c, c + n)
        c += n
        start = end
    return c


class TelegramArithmeticDecoder:
    """Whole telegrams in (their bits and symbol counts, from the line's framing), symbol indices out."""

    def __init__(self, code: ArithmeticCode) -> None:
        self.cum = np.array(code.cumulative, dtype=np.int64)
        self.shift = code.precision
        self.model = np.zeros(0, dtype=np.int64)  # a static model (the kernel's learning slots unused)

    def decode(
        self, words: np.ndarray, tel_bits: np.ndarray, tel_msgs: np.ndarray, skip: np.ndarray | None = None
    ) -> np.ndarray:
        """The symbols of every telegram (−1 for those of a skipped one)."""
        tel_bits = np.ascontiguousarray(tel_bits, dtype=np.int64)
        tel_msgs = np.ascontiguousarray(tel_msgs, dtype=np.int64)
        skip = (
            np.zeros(tel_bits.size, dtype=np.bool_) if skip is None else np.ascontiguousarray(skip, np.bool_)
        )
        need = (int(tel_bits.sum()) + 63) // 64 + 1
        if words.size < need:  # one padding word past the bits
            words = np.concatenate((words, np.zeros(need - words.size, dtype=np.uint64)))
        out = np.empty(int(tel_msgs.sum()), dtype=np.int64)
        range_decode_telegrams(words, tel_bits, tel_msgs, skip, self.cum, self.shift, self.model, out)
        return out


@functools.lru_cache(maxsize=64)
def telegram_law(
    code: ArithmeticCode, symbols: tuple[str, ...], probs: tuple[float, ...], telegram: int
) -> tuple[np.ndarray, np.ndarray]:
    """The exact law of a full telegram's bits when the coder restarts every ``telegram`` balls.

    Every telegram's content x_1 … x_T (colours of ``symbols`` drawn i.i.d.
    with ``probs``; those of probability 0 left out) is encoded, restart and
    flush included, by the coder itself: one run through the compiled
    kernel (k^T contents for k colours: the caller keeps that small,
    :data:`sim.model.kinds.LAW_SEQUENCES`). Returns (distinct bit counts,
    their probabilities).
    """
    index = {s: i for i, s in enumerate(code.symbols)}
    drawn = [(index[s], p) for s, p in zip(symbols, probs) if p > 0 and s in index]
    k = len(drawn)
    codes = np.array([c for c, _ in drawn], dtype=np.int64)
    p = np.array([x for _, x in drawn], dtype=np.float64)
    digits = np.array(list(itertools.product(range(k), repeat=telegram)), dtype=np.int64).reshape(
        -1, telegram
    )
    enc = ArithmeticEncoder(code, telegram)
    _, _, marks = enc.encode_marked(codes[digits].ravel())
    ends = marks[telegram - 1 :: telegram]
    bits = np.diff(ends, prepend=0)
    weight = np.prod(p[digits], axis=1)
    values, where = np.unique(bits, return_inverse=True)
    return values.astype(np.float64), np.bincount(where, weights=weight, minlength=values.size)


# --------------------------------------------------------------------------- block codes


@njit(cache=True, nogil=True)
def block_indices(sym, n, k, state, out, to_code):  # pragma: no cover
    """Fold symbol indices into block indices j = Σ x_i n^(k−1−i); return how many blocks completed.

    ``state`` = (partial block index, symbols in it) carries a block across chunks;
    ``to_code`` (when not empty) maps ``sym`` (colours) to the code's symbol indices on the way.
    """
    partial = state[0]
    filled = state[1]
    c = 0
    mapped = to_code.size > 0
    for i in range(sym.size):
        partial = partial * n + (to_code[sym[i]] if mapped else sym[i])
        filled += 1
        if filled == k:
            out[c] = partial
            c += 1
            partial = 0
            filled = 0
    state[0] = partial
    state[1] = filled
    return c


@njit(cache=True, nogil=True)
def block_link_encode(
    sym,
    to_code,
    counts,
    n,
    k,
    pad,
    vals,
    lens,
    state,
    words,
    last,
    tally,
    points,
    point_sums,
    point_squares,
    per_message,
):  # pragma: no cover
    """A block link's chunk in one pass: colours counted and mapped (``to_code``, empty: the
    identity), folded into blocks, each block's codeword packed into ``words`` and carried by the
    message completing it (``per_message``), then the running tally kept (:func:`tally_marks`).

    With ``last``, the partial block is padded with ``pad`` and its codeword carried by the last
    message (sent unbilled if the chunk is empty). Returns (bits, largest message). The same
    words as :func:`block_indices` then :func:`sim.engine.kernels.encode_chunk`, the same tally.
    """
    partial = state[0]
    filled = state[1]
    mapped = to_code.size > 0
    acc = np.uint64(0)
    used = 0
    w = 0
    nbits = 0
    largest = 0
    size = sym.size
    for i in range(size):
        c = sym[i]
        counts[c] += 1
        partial = partial * n + (to_code[c] if mapped else c)
        filled += 1
        v = 0
        if filled == k:
            v = lens[partial]
            w, acc, used = _put(words, w, acc, used, vals[partial], v)
            partial = 0
            filled = 0
        if last and i == size - 1 and filled:
            while filled < k:
                partial = partial * n + pad
                filled += 1
            tail = lens[partial]
            w, acc, used = _put(words, w, acc, used, vals[partial], tail)
            v += tail
            partial = 0
            filled = 0
        per_message[i] = v
        nbits += v
        largest = max(largest, v)
    if last and filled:  # an empty last chunk: the partial block goes out, no message carries it
        while filled < k:
            partial = partial * n + pad
            filled += 1
        w, acc, used = _put(words, w, acc, used, vals[partial], lens[partial])
        nbits += lens[partial]
        partial = 0
        filled = 0
    _close(words, w, acc, used)
    state[0] = partial
    state[1] = filled
    _tally_run(per_message, tally, points, point_sums, point_squares)
    return nbits, largest


@njit(cache=True, nogil=True)
def unfold_blocks(blocks, n, k, out):  # pragma: no cover
    """The k symbol indices of every block index, first symbol first."""
    for b in range(blocks.size):
        _unfold_one(blocks[b], n, k, out, b * k)
    return out


@njit(cache=True, nogil=True, inline="always")
def _unfold_one(j, n, k, out, at):  # pragma: no cover
    for i in range(k - 1, -1, -1):
        out[at + i] = j % n
        j //= n


@njit(cache=True, nogil=True)
def unfold_spelled(blocks, n, k, spelling, out):  # pragma: no cover
    """:func:`unfold_blocks` read from ``spelling`` (:func:`_spelling`: each block's k symbols):
    a copy instead of k divisions; a block index outside the table is divided out as before."""
    ku = np.uint64(k)
    count = np.uint64(spelling.size) // ku
    for b in range(blocks.size):
        j = np.uint64(blocks[b])  # a negative index wraps to a huge one: outside the table
        at = np.uint64(b) * ku
        if j < count:
            row = j * ku
            for i in range(ku):
                out[at + np.uint64(i)] = spelling[row + np.uint64(i)]
        else:
            _unfold_one(blocks[b], n, k, out, b * k)
    return out


#: Most block indices :func:`split_blocks` keeps a spelling table for (k int64 each).
SPELLING_BLOCKS = 1 << 16


@functools.lru_cache(maxsize=16)
def _spelling(n: int, k: int) -> np.ndarray:
    """Every block index's k symbol indices, row by row (read-only; empty when there are too many)."""
    if n**k > SPELLING_BLOCKS:
        return np.zeros(0, dtype=np.int64)
    j = np.arange(n**k, dtype=np.int64)[:, None]
    table = (j // n ** np.arange(k - 1, -1, -1, dtype=np.int64)) % n
    table = np.ascontiguousarray(table.ravel(), dtype=symbol_dtype(n))
    table.flags.writeable = False
    return table


class BlockEncoder:
    """Symbol indices (in ``code.source`` order) to block indices (in ``code.code`` order).

    ``push(sym)`` returns the blocks the chunk completes; ``finish()`` the
    final partial block padded with the code's pad symbol (none if the stream
    ended on a block boundary).
    """

    def __init__(self, code: BlockCode) -> None:
        self.n = len(code.source)
        self.k = code.order
        self.pad = code.source.index(code.pad)
        self.state = np.zeros(2, dtype=np.int64)

    def push(self, sym: np.ndarray, to_code: np.ndarray = _NO_MARKS) -> np.ndarray:
        """The blocks ``sym`` completes (``to_code``, if not empty: colours → symbol indices on the way)."""
        sym = np.ascontiguousarray(sym, dtype=np.int64)
        out = np.empty(sym.size // self.k + 1, dtype=np.int64)
        return out[: int(block_indices(sym, self.n, self.k, self.state, out, to_code))]

    def finish(self) -> np.ndarray:
        filled = int(self.state[1])
        if filled == 0:
            return np.zeros(0, dtype=np.int64)
        return self.push(np.full(self.k - filled, self.pad, dtype=np.int64))


def split_blocks(code: BlockCode, blocks: np.ndarray) -> np.ndarray:
    """Symbol indices (in :func:`symbol_dtype`) of block indices (drop the padding by slicing to the
    message count)."""
    blocks = np.ascontiguousarray(blocks, dtype=np.int64)
    n, k = len(code.source), code.order
    out = np.empty(blocks.size * k, dtype=symbol_dtype(n))
    spelling = _spelling(n, k)
    if spelling.size:
        return unfold_spelled(blocks, n, k, spelling, out)
    return unfold_blocks(blocks, n, k, out)


def symbol_dtype(n: int) -> type[np.unsignedinteger] | type[np.signedinteger]:
    """The dtype decoders return the symbol indices of an n-symbol source in: a byte each up to
    256 symbols (an eighth of the memory to write, and to fault in, of int64), else int64."""
    return np.uint8 if n <= 256 else np.int64


# --------------------------------------------------------------------------- Tunstall codes


@njit(cache=True, nogil=True, inline="always")
def _root_entry(sym, i, root, k, b):  # pragma: no cover
    """The root table's entry for the k symbols from ``i`` (their b-bit digits, first on top)."""
    key = 0
    for t in range(k):
        key = (key << b) | sym[i + t]
    return np.int64(root[key])


@njit(cache=True, nogil=True)
def tunstall_encode(sym, child, root, k, b, n, m, state, words, marks, own=False):  # pragma: no cover
    """Walk the parse tree; at each leaf append its m-bit codeword. ``state`` = (node,). Returns bits.

    ``child[node·n + s]`` is the next internal node, or −1 − j when the step
    completes dictionary word j (leaves are not stored: one table lookup per
    symbol). From the root, ``root`` (when not empty) takes k symbols at once,
    keyed by their b-bit digits: −1 − (j·32 + L) when word j ends after L ≤ k
    of them, else the internal node they reach; so a word costs one or two
    lookups instead of one per symbol. ``marks`` (as long as ``sym``, or
    empty) receives the bit count after each symbol (``own``: each symbol's own
    bits, m where a word ends, else 0)."""
    node = state[0]
    acc = np.uint64(0)
    used = 0
    w = 0
    nbits = 0
    size = sym.size
    fast = root.size > 0
    i = 0
    while i < size:
        if fast and node == 0 and i + k <= size:
            e = _root_entry(sym, i, root, k, b)
            if e < 0:
                e = -1 - e
                step = e & 31
                w, acc, used = _put(words, w, acc, used, np.uint64(e >> 5), m)
                if marks.size:
                    for t in range(i, i + step - 1):
                        marks[t] = 0 if own else nbits
                    marks[i + step - 1] = m if own else nbits + m
                nbits += m
                i += step
                continue
            node = e
            if marks.size:
                for t in range(i, i + k):
                    marks[t] = 0 if own else nbits
            i += k
            continue
        nxt = np.int64(child[node * n + sym[i]])
        if nxt < 0:
            w, acc, used = _put(words, w, acc, used, np.uint64(-1 - nxt), m)
            nbits += m
            node = 0
        else:
            node = nxt
        if marks.size:
            marks[i] = (m if nxt < 0 else 0) if own else nbits
        i += 1
    _close(words, w, acc, used)
    state[0] = node
    return nbits


#: Symbols :func:`tunstall_encode_lanes` parses at a time (its notes: 5 bytes a symbol).
LANES_PIECE = 1 << 15
#: Fewest symbols a chunk needs for :func:`tunstall_encode_lanes` (shorter ones: :func:`tunstall_encode`).
TUNSTALL_LANES_MIN = 4096


@njit(cache=True, nogil=True, inline="always")
def _child_step(sym, i, child, node, n, m, nbits, w, acc, used, words, marks, own):  # pragma: no cover
    """Symbol ``i`` down the parse tree from ``node``, its word sent if it ends one:
    (node, nbits, w, acc, used). Marked with the bits so far (``own``: its own bits, m or 0)."""
    nxt = np.int64(child[node * n + sym[i]])
    ended = nxt < 0
    if ended:
        w, acc, used = _put(words, w, acc, used, np.uint64(-1 - nxt), m)
        nbits += m
        nxt = 0
    if marks.size:
        marks[i] = (m if ended else 0) if own else nbits
    return nxt, nbits, w, acc, used


@njit(cache=True, nogil=True, inline="always")
def _tunstall_word(sym, i, child, root, k, b, n):  # pragma: no cover
    """The word that starts at ``i`` (at the root): (where the next begins, its index).

    The root lookup takes the first k symbols, the tree the rest one at a
    time. Reads at most max(k, longest word) symbols from ``i``: the caller
    keeps that many in the chunk.
    """
    key = 0  # as :func:`_root_entry`, written out: inlined here, that cost the lanes 5–10 %
    for t in range(k):
        key = (key << b) | sym[i + t]
    e = np.int64(root[key])
    if e < 0:
        e = -1 - e
        return i + (e & 31), e >> 5
    i += k
    node = e
    while True:
        nxt = np.int64(child[node * n + sym[i]])
        i += 1
        if nxt < 0:
            return i, -1 - nxt
        node = nxt


@njit(cache=True, nogil=True, inline="always")
def _lane_word(sym, i, c, ids, flags, child, root, k, b, n):  # pragma: no cover
    """A lane's next word: its start flagged, its index noted in ``ids[c]``; (next start, c + 1)."""
    flags[i] = 1
    i, ids[c] = _tunstall_word(sym, i, child, root, k, b, n)
    return i, c + 1


@njit(cache=True, nogil=True, inline="always")
def _send_lane(
    ids, first, count, lengths, m, words, w, acc, used, nbits, marks, cur, own
):  # pragma: no cover
    """Send words ``ids[first:count]``, the first starting at symbol ``cur``, marking each one's last
    symbol: (w, acc, used, nbits, the symbol after them)."""
    for t in range(first, count):
        w, acc, used = _put(words, w, acc, used, np.uint64(ids[t]), m)
        nbits += m
        cur += lengths[ids[t]]
        if marks.size:
            marks[cur - 1] = m if own else nbits
    return w, acc, used, nbits, cur


@njit(cache=True, nogil=True)
def tunstall_encode_lanes(
    sym, child, root, k, b, n, m, lengths, reach, piece, state, words, marks, own=False
):  # pragma: no cover
    """:func:`tunstall_encode` as four interleaved parses: the same bits, state and marks
    (with ``own``, each symbol is marked with its own bits instead: m where a word ends, else 0).

    A Tunstall parse is a chain (a word starts where the one before ended),
    each word a few dependent table lookups. Here lane j (j = 0 … 3) parses
    from symbol j·q on (q a quarter of the chunk, after the word carried from
    the chunk before), as if a word began there, noting where its words
    begin (``flags``) and their indices; the lanes take turns, so one looks
    up while the others wait (:func:`_tunstall_word`). Lane 0's start is a
    true word start. The true parse is then stitched: from the end of a true
    lane's words it goes on a symbol at a time until a word of it ends where
    a later lane's word begins (two parses with the same dictionary from the
    same word start are the same), and takes that lane's words from there; a
    lane it passes without meeting is dropped. Nothing rests on the guessed
    starts but the speed. Each word's last symbol is marked as it is sent,
    the other symbols in one pass at the end.

    ``lengths[j]``: word j's symbols; ``reach``: max(k, longest word), the
    symbols a lane keeps ahead of the chunk's end (the caller gives a chunk
    of at least 4·reach + longest + 4 symbols). The chunk is parsed in
    pieces of ``piece`` to 2·``piece`` symbols (at least that many), so the
    lanes' notes stay small and in the cache whatever the chunk's size.
    """
    size = sym.size
    node = state[0]
    w = 0
    acc = np.uint64(0)
    used = 0
    nbits = 0
    marked = marks.size > 0
    ids = np.empty(2 * piece + 1, dtype=np.int32)  # lane j's word indices from slot a_j on
    flags = np.empty(2 * piece + 1, dtype=np.uint8)  # 1 where a lane's word begins
    lo = 0
    while lo < size:
        hi = size if size - lo < 2 * piece else lo + piece
        flags[: hi - lo + 1] = 0
        node, w, acc, used, nbits = _lanes_piece(
            sym[lo:hi], child, root, k, b, n, m, lengths, reach, node, words, w, acc, used, nbits,
            marks[lo:hi] if marked else marks, ids, flags, own,
        )  # fmt: skip
        lo = hi
    _close(words, w, acc, used)
    state[0] = node
    return nbits


@njit(cache=True, nogil=True)
def _lanes_piece(
    sym, child, root, k, b, n, m, lengths, reach, node, words, w, acc, used, nbits, marks, ids, flags, own
):  # pragma: no cover
    """:func:`tunstall_encode_lanes` on one piece (``flags`` zeroed): (node, w, acc, used, nbits)."""
    size = sym.size
    start_bits = nbits
    marked = marks.size > 0
    if marked:  # a word's last symbol is marked as it is sent, the others at the end (or 0: own bits)
        marks[:] = 0 if own else -1
    i = 0
    while node != 0 and i < size:  # the word carried from the chunk before
        node, nbits, w, acc, used = _child_step(
            sym, i, child, node, n, m, nbits, w, acc, used, words, marks, own
        )
        i += 1
    q = (size - i) // 4
    a1, a2, a3 = i + q, i + 2 * q, i + 3 * q
    i0, i1, i2, i3 = i, a1, a2, a3
    c0, c1, c2, c3 = i, a1, a2, a3
    last = size - reach
    while i0 < a1 and i1 < a2 and i2 < a3 and i3 <= last:
        i0, c0 = _lane_word(sym, i0, c0, ids, flags, child, root, k, b, n)
        i1, c1 = _lane_word(sym, i1, c1, ids, flags, child, root, k, b, n)
        i2, c2 = _lane_word(sym, i2, c2, ids, flags, child, root, k, b, n)
        i3, c3 = _lane_word(sym, i3, c3, ids, flags, child, root, k, b, n)
    while i0 < a1:
        i0, c0 = _lane_word(sym, i0, c0, ids, flags, child, root, k, b, n)
    while i1 < a2:
        i1, c1 = _lane_word(sym, i1, c1, ids, flags, child, root, k, b, n)
    while i2 < a3:
        i2, c2 = _lane_word(sym, i2, c2, ids, flags, child, root, k, b, n)
    while i3 <= last:
        i3, c3 = _lane_word(sym, i3, c3, ids, flags, child, root, k, b, n)
    # Lane 3 ends one symbol at a time: its last words, and the node the chunk ends in.
    end3 = 0
    while i3 < size:
        if end3 == 0:
            flags[i3] = 1
        nxt = np.int64(child[end3 * n + sym[i3]])
        i3 += 1
        if nxt < 0:
            ids[c3] = -1 - nxt
            c3 += 1
            nxt = 0
        end3 = nxt
    # The true parse: lane 0's words, then from each true lane's end on, to a later lane's word.
    w, acc, used, nbits, cur = _send_lane(ids, i, c0, lengths, m, words, w, acc, used, nbits, marks, i, own)
    node = 0
    while cur < size:
        if node == 0 and flags[cur]:
            lane = 3 if cur >= a3 else 2 if cur >= a2 else 1
            begin, stop, count = (a1, i1, c1) if lane == 1 else (a2, i2, c2) if lane == 2 else (a3, i3, c3)
            first = begin
            for p in range(begin, cur):  # the lane's words before the meeting point are not sent
                first += flags[p]
            w, acc, used, nbits, cur = _send_lane(
                ids, first, count, lengths, m, words, w, acc, used, nbits, marks, cur, own
            )
            if lane == 3:
                node = end3
                break
            cur = stop
            continue
        node, nbits, w, acc, used = _child_step(
            sym, cur, child, node, n, m, nbits, w, acc, used, words, marks, own
        )
        cur += 1
    if marked and not own:  # every other symbol: the bits of the words ended before it (marks never fall)
        run = start_bits
        for p in range(size):
            run = max(run, marks[p])
            marks[p] = run
    return node, w, acc, used, nbits


#: Table bits of the Tunstall encoder's root lookup (16 384 int32 entries: 64 kB, beside the tree).
_ROOT_BITS = 14


def _tunstall_root(child: np.ndarray, n: int) -> tuple[np.ndarray, int, int]:
    """(root table, k, b): the walk from the root over every k-symbol string (b bits per symbol)."""
    b = max(1, (n - 1).bit_length())
    k = _ROOT_BITS // b
    if k < 2:
        return np.zeros(0, dtype=np.int32), 0, b
    digits = np.arange(1 << (b * k), dtype=np.int64)
    node = np.zeros(digits.size, dtype=np.int64)
    out = np.zeros(digits.size, dtype=np.int64)
    open_ = np.ones(digits.size, dtype=bool)
    for t in range(k):
        s = (digits >> (b * (k - 1 - t))) & ((1 << b) - 1)
        open_ &= s < n  # keys with a digit outside the alphabet are never looked up
        nxt = np.where(open_, child[node * n + np.minimum(s, n - 1)], 0)
        ends = open_ & (nxt < 0)
        out[ends] = -1 - ((-1 - nxt[ends]) * 32 + t + 1)
        open_ &= ~ends
        node = np.where(open_, nxt, node)
    out[open_] = node[open_]
    return out.astype(np.int32), k, b


@njit(cache=True, nogil=True, inline="always")
def _spell_words(
    words, nbits, pos, m, mask, nwords, starts, spelling, uw, out, count, limit
):  # pragma: no cover
    """:func:`tunstall_decode`'s copies from the spelling table, up to the first codeword that
    is partial, outside the dictionary, longer than the table's width or past ``limit``: (pos, count)."""
    width = np.int64(uw)
    while pos + m <= nbits:
        wi = pos >> 6
        off = pos & 63
        x = words[wi] << np.uint64(off)
        if off + m > 64:
            x |= words[wi + 1] >> np.uint64(64 - off)
        j = (x >> np.uint64(64 - m)) & mask
        if j >= np.uint64(nwords):
            break
        length = np.int64(starts[j + np.uint64(1)]) - np.int64(starts[j])
        if length > width or count + length > limit:
            break
        row = j * uw
        at = np.uint64(count)
        for t in range(uw):  # unsigned indices: no negative-index check in the copy
            out[at + np.uint64(t)] = spelling[row + np.uint64(t)]
        count += length
        pos += m
    return pos, count


@njit(cache=True, nogil=True)
def tunstall_decode(
    words, nbits, m, packed, b, starts, flat, out, limit, state, spelling, width
):  # pragma: no cover
    """Read m-bit codewords (a partial one is carried in ``state`` = (bits, count)); spell their words.

    Takes every bit; writes at most ``limit`` symbols to ``out`` (the rest are the padding
    of the stream's last word) and returns how many; ``-1 − pos`` on a codeword outside
    the dictionary. ``packed[j]`` holds word j's length (6 bits) and its symbols as b-bit
    digits, first symbol lowest, so one lookup spells it; a word too long for 58 bits has
    length 0 there and is read from ``flat[starts[j]:starts[j + 1]]``.

    With ``width`` > 0, ``spelling`` holds each word's first ``width`` symbols, a byte
    each (zeros after its end; :func:`_tunstall_spelling`), and a word of at most
    ``width`` symbols is copied whole from there, ``width`` slots whatever its length
    (the slots past its end are overwritten by the next word), so the copy does not
    branch on the length; ``out`` then needs ``width`` slots past ``limit``. The symbols,
    the count and the state are the same either way.
    """
    acc = state[0]
    have = state[1]
    count = 0
    nwords = starts.size - 1
    mask = np.uint64((1 << m) - 1)
    ub = np.uint64(b)
    digit = np.uint64((1 << b) - 1)
    uw = np.uint64(width)
    pos = 0
    while pos < nbits:
        if width > 0 and have == 0:  # whole codewords spelled from the table while they can be
            pos, count = _spell_words(
                words, nbits, pos, m, mask, nwords, starts, spelling, uw, out, count, limit
            )
            if pos >= nbits:
                break
        if have == 0 and pos + m <= nbits:  # a whole codeword at once
            wi = pos >> 6
            off = pos & 63
            x = words[wi] << np.uint64(off)
            if off + m > 64:
                x |= words[wi + 1] >> np.uint64(64 - off)
            acc = np.int64((x >> np.uint64(64 - m)) & mask)
            pos += m
        else:
            bit = np.int64((words[pos >> 6] >> np.uint64(63 - (pos & 63))) & np.uint64(1))
            acc = (acc << 1) | bit
            have += 1
            pos += 1
            if have < m:
                continue
        if acc >= nwords:
            return -pos
        e = packed[acc]
        length = np.int64(e & np.uint64(63))
        if length > 0 and count + length <= limit:
            x = e >> np.uint64(6)
            for t in range(length):
                out[count + t] = np.int64(x & digit)
                x >>= ub
            count += length
        else:
            a = np.int64(starts[acc])
            end = min(np.int64(starts[acc + 1]), a + limit - count)
            for t in range(a, end):
                out[count] = flat[t]
                count += 1
        acc = 0
        have = 0
    state[0] = acc
    state[1] = have
    return count


#: Most bytes of a Tunstall decoder's spelling table (:func:`_tunstall_spelling`).
SPELLING_BYTES = 1 << 22


def _tunstall_spelling(starts: np.ndarray, flat: np.ndarray, n: int) -> tuple[np.ndarray, int]:
    """(table, width): each word's first ``width`` symbols, a byte each, zero-filled; width is the
    longest word rounded up to 8 symbols (at most 32). (empty, 0) when the symbols do not fit a
    byte or the table would pass :data:`SPELLING_BYTES`."""
    lengths = np.diff(starts).astype(np.int64)
    width = min(32, -(-int(lengths.max()) // 8) * 8) if lengths.size else 0
    if n > 256 or width == 0 or lengths.size * width > SPELLING_BYTES:
        return np.zeros(0, dtype=np.uint8), 0
    table = np.zeros((lengths.size, width), dtype=np.uint8)
    rows = np.repeat(np.arange(lengths.size), lengths)
    cols = np.arange(flat.size) - np.repeat(starts[:-1].astype(np.int64), lengths)
    keep = cols < width
    table[rows[keep], cols[keep]] = flat[keep]
    return table.ravel(), width


@functools.lru_cache(maxsize=8)
def _tunstall_tables(code: TunstallCode) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(child, starts, flat): the parse tree's steps and the words' symbols, in the smallest dtypes.

    Internal nodes are numbered from 0 (the root); ``child[node·n + s]`` is an
    internal node or −1 − j for dictionary word j. The tables of a 16-bit code
    (about 22 000 internal nodes and 600 000 symbols for four colours) then
    fit in the cache.
    """
    index = {s: i for i, s in enumerate(code.source.symbols)}
    n = len(index)
    inner: dict[tuple[str, ...], int] = {(): 0}
    for v in code.internal[1:]:
        inner[v] = len(inner)
    child = np.zeros(len(inner) * n, dtype=np.int32)
    for string, node in inner.items():
        if string:
            child[inner[string[:-1]] * n + index[string[-1]]] = node
    for j, w in enumerate(code.words):
        child[inner[w[:-1]] * n + index[w[-1]]] = -1 - j
    starts = np.cumsum([0] + [len(w) for w in code.words]).astype(np.int32)
    flat = np.array([index[s] for w in code.words for s in w], dtype=np.uint8 if n <= 256 else np.int32)
    for table in (child, starts, flat):  # shared by every coder of the code (cached): read-only
        table.flags.writeable = False
    return child, starts, flat


def _root_share(code: TunstallCode, lengths: np.ndarray, flat: np.ndarray, k: int) -> float:
    """The probability that a word has at most k symbols: that the encoder's root lookup ends it
    (``flat``: the words' symbols one after another, as :func:`_tunstall_tables` gives them)."""
    if lengths.size == 0 or int(lengths.max()) <= k:
        return 1.0
    p = np.asarray(code.source.probabilities, dtype=np.float64)
    starts = np.concatenate(([0], np.cumsum(lengths)))
    with np.errstate(divide="ignore"):
        words = np.exp(np.add.reduceat(np.log(p)[flat.astype(np.int64)], starts[:-1]))
    return float(words[lengths <= k].sum())


#: Least :func:`_root_share` for the four-lane Tunstall encoder: with longer words the walk
#: down the tree (a branch per symbol, mispredicted once a word) costs what the lanes save.
LANES_ROOT_SHARE = 0.85


def _tunstall_packed(starts: np.ndarray, flat: np.ndarray, n: int) -> tuple[np.ndarray, int]:
    """(packed, b): each word's length and b-bit symbol digits in one uint64 (length 0: too long)."""
    b = max(1, (n - 1).bit_length())
    fits = min((58 // b) if b <= 58 else 0, 63)
    lengths = np.diff(starts).astype(np.int64)
    at = np.arange(flat.size, dtype=np.int64) - np.repeat(starts[:-1].astype(np.int64), lengths)
    keep = np.repeat(lengths <= fits, lengths)  # the symbols of words that fit
    digits = np.zeros(flat.size, dtype=np.uint64)
    digits[keep] = flat[keep].astype(np.uint64) << (np.uint64(b) * at[keep].astype(np.uint64))
    packed = np.zeros(lengths.size, dtype=np.uint64)
    filled = lengths > 0
    # The digits of a word do not overlap: their sum is the word's digits side by side.
    packed[filled] = np.add.reduceat(digits, starts[:-1][filled].astype(np.int64))
    fit = lengths <= fits
    packed[fit] = (packed[fit] << np.uint64(6)) | lengths[fit].astype(np.uint64)
    packed[~fit] = 0
    return packed, b


@functools.lru_cache(maxsize=8)
def _tunstall_parsing(code: TunstallCode) -> tuple[np.ndarray, np.ndarray, int, int, np.ndarray, float]:
    """The encoder's tables of a code, built once per code and shared read-only: (child, root, k,
    b, word lengths, :func:`_root_share`)."""
    child, starts, flat = _tunstall_tables(code)
    root, k, b = _tunstall_root(child, len(code.source))
    lengths = np.diff(starts).astype(np.int64)
    share = _root_share(code, lengths, flat, k) if k > 0 else 0.0
    root.flags.writeable = False
    lengths.flags.writeable = False
    return child, root, k, b, lengths, share


class TunstallEncoder:
    """Symbol-index chunks in, packed m-bit codewords out; ``finish()`` completes a partial word.

    A chunk of at least :data:`TUNSTALL_LANES_MIN` symbols is parsed in four
    lanes (:func:`tunstall_encode_lanes`), a shorter one (or any, with
    ``lanes=False``) one word after another (:func:`tunstall_encode`): the same bits.
    """

    def __init__(self, code: TunstallCode, *, lanes: bool = True) -> None:
        self.child, self.root, self.k, self.b, self.lengths, share = _tunstall_parsing(code)
        self.n = len(code.source)
        longest = int(self.lengths.max())
        self.reach = max(self.k, longest)
        short = self.k > 0 and share >= LANES_ROOT_SHARE
        self.lanes_min = max(TUNSTALL_LANES_MIN, 4 * self.reach + longest + 4) if lanes and short else -1
        self.m = code.bits
        self.state = np.zeros(1, dtype=np.int64)
        self.bits = 0

    def encode(self, sym: np.ndarray) -> tuple[np.ndarray, int]:
        words, nbits, _ = self._encode(sym, _NO_MARKS)
        return words, nbits

    def encode_marked(self, sym: np.ndarray) -> tuple[np.ndarray, int, np.ndarray]:
        """As :meth:`encode`, with the chunk's bit count after each symbol."""
        return self._encode(sym, np.zeros(sym.size, dtype=np.int64))

    def encode_own(self, sym: np.ndarray) -> tuple[np.ndarray, int, np.ndarray, bool]:
        """:meth:`encode_marked`, but each symbol is marked with its own bits (m where a word
        ends, else 0: the lanes skip their last pass, :func:`tally_marks` its differences);
        the last item (True) says so."""
        return (*self._encode(sym, np.empty(sym.size, dtype=np.int64), own=True), True)

    def _encode(
        self, sym: np.ndarray, marks: np.ndarray, own: bool = False
    ) -> tuple[np.ndarray, int, np.ndarray]:
        sym = np.ascontiguousarray(sym, dtype=np.int64)
        words = np.empty(sym.size * self.m // 64 + 2, dtype=np.uint64)
        if 0 < self.lanes_min <= sym.size:
            nbits = tunstall_encode_lanes(
                sym, self.child, self.root, self.k, self.b, self.n, self.m, self.lengths, self.reach,
                max(LANES_PIECE, self.lanes_min), self.state, words, marks, own,
            )  # fmt: skip
        else:
            nbits = tunstall_encode(
                sym, self.child, self.root, self.k, self.b, self.n, self.m, self.state, words, marks, own
            )
        self.bits += int(nbits)
        return words, int(nbits), marks

    def finish(self) -> tuple[np.ndarray, int]:
        node = int(self.state[0])
        if node == 0:
            return np.zeros(1, dtype=np.uint64), 0
        tail = [0]
        while self.child[node * self.n] >= 0:
            node = int(self.child[node * self.n])
            tail.append(0)
        return self.encode(np.array(tail, dtype=np.int64))


@functools.lru_cache(maxsize=8)
def _tunstall_reading(code: TunstallCode) -> tuple[np.ndarray, int, np.ndarray, int]:
    """The decoder's tables of a code (:func:`_tunstall_packed`, :func:`_tunstall_spelling`),
    built once per code and shared read-only."""
    _, starts, flat = _tunstall_tables(code)
    packed, b = _tunstall_packed(starts, flat, len(code.source))
    spelling, width = _tunstall_spelling(starts, flat, len(code.source))
    packed.flags.writeable = False
    spelling.flags.writeable = False
    return packed, b, spelling, width


class TunstallDecoder:
    """Packed m-bit codewords in, symbol indices out (the first ``count`` symbols), in
    :func:`symbol_dtype`.

    ``spell=False`` spells every word digit by digit (:func:`tunstall_decode`
    without its spelling table): the same symbols, slower.
    """

    def __init__(self, code: TunstallCode, count: int, *, spell: bool = True) -> None:
        _, self.starts, self.flat = _tunstall_tables(code)
        self.packed, self.b, self.spelling, self.width = _tunstall_reading(code)
        if not spell:
            self.spelling, self.width = self.spelling[:0], 0
        self.m = code.bits
        self.longest = int(np.diff(self.starts).max())
        self.dtype = symbol_dtype(len(code.source))
        self.count = int(count)
        self.decoded = 0
        self.offset = 0
        self.state = np.zeros(2, dtype=np.int64)

    def feed(self, words: np.ndarray, nbits: int) -> np.ndarray:
        left = self.count - self.decoded
        words_done = (nbits + int(self.state[1])) // self.m  # with the carried partial codeword
        size = min(left, words_done * self.longest)
        out = np.empty(size + self.width, dtype=self.dtype)  # room for a whole spelling past the end
        n = int(
            tunstall_decode(
                words, nbits, self.m, self.packed, self.b, self.starts, self.flat, out, size, self.state,
                self.spelling, self.width,
            )
        )  # fmt: skip
        if n < 0:
            raise DecodeError("codeword outside the dictionary", self.offset - 1 - n)
        self.offset += nbits
        self.decoded += n
        return out[:n]


def warm_up() -> None:
    """Compile (or load from cache) every kernel on a tiny input."""
    from coding import Distribution, arithmetic, block, tunstall

    p = Distribution({"a": 0.75, "b": 0.25})
    sym = np.array([0, 1, 0], dtype=np.int64)
    code = arithmetic(p)
    enc = ArithmeticEncoder(code)
    words, nbits = enc.encode(sym)
    dec = ArithmeticDecoder(code, 3)
    dec.feed(words, nbits)
    dec.finish()
    bc = block(p, order=2)
    split_blocks(bc, BlockEncoder(bc).push(sym))
    tc = tunstall(p, bits=2)
    te = TunstallEncoder(tc)
    words, nbits = te.encode(sym)
    TunstallDecoder(tc, 3).feed(words, nbits)
    z = np.zeros(1, dtype=np.int64)
    tally_marks(
        np.arange(3, dtype=np.int64),
        1,
        np.zeros(3, np.int64),
        z + 1,
        z.copy(),
        z.copy(),
        np.empty(3, np.int64),
    )
