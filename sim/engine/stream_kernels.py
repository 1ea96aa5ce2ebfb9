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

- :class:`ArithmeticEncoder` / :class:`ArithmeticDecoder`: the coder of
  :class:`coding.ArithmeticCode` (32-bit interval, frequencies to 2^precision).
  The decoder returns each symbol as soon as the bits so far decide it.
- :class:`BlockEncoder` / :func:`split_blocks`: symbol indices to block indices of a
  :class:`coding.BlockCode` (the tail padded); the blocks then travel with
  the engine's prefix-code kernels (:mod:`sim.engine.bitcodec`).
- :class:`TunstallEncoder` / :class:`TunstallDecoder`: the parse tree of a
  :class:`coding.TunstallCode` walked symbol by symbol, m bits per word.
"""

from __future__ import annotations

import sys

import numpy as np
from numba import njit
from numba.cpython.unsafe.numbers import leading_zeros

from coding import ArithmeticCode, BlockCode, DecodeError, TunstallCode
from coding.arithmetic import STATE_BITS

__all__ = [
    "ArithmeticDecoder",
    "ArithmeticEncoder",
    "BlockEncoder",
    "TunstallDecoder",
    "TunstallEncoder",
    "split_blocks",
    "warm_up",
]

_N = STATE_BITS
_FULL = (1 << _N) - 1
_HALF = 1 << (_N - 1)
_QUARTER = 1 << (_N - 2)
_THREE_QUARTERS = _HALF + _QUARTER

#: Index of a word's first (most significant) 32 bits among its two uint32 halves, xor-ed in.
_FLIP = 1 if sys.byteorder == "little" else 0

_NO_MARKS = np.zeros(0, dtype=np.int64)

# Arithmetic state slots: encoder (low, high, pending), decoder (low, high, value, known, ended).
A_LOW, A_HIGH, A_PENDING = 0, 1, 2
A_VALUE, A_KNOWN, A_ENDED = 2, 3, 4


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


@njit(cache=True, nogil=True, inline="always")
def _agree(low, high):  # pragma: no cover
    """How many top bits of the N-bit ``low`` and ``high`` agree."""
    return leading_zeros(np.uint64(low ^ high)) - (64 - _N)


@njit(cache=True, nogil=True, inline="always")
def _straddle(low, high):  # pragma: no cover
    """How many middle-half doublings follow: the bits after the top where low has 1 and high 0."""
    t = ((low & ~high) << 1) & _FULL
    return leading_zeros(np.uint64(~t & _FULL)) - (64 - _N)


@njit(cache=True, nogil=True, inline="always")
def _emit(out32, flip, acc, used, g, v, k):  # pragma: no cover
    """Append the ``k`` (≤ 32) low bits of ``v``; every full 32 bits go to ``out32[g ^ flip]``."""
    acc = (acc << np.uint64(k)) | np.uint64(v)
    used += k
    if used >= 32:
        used -= 32
        out32[g ^ flip] = np.uint32((acc >> np.uint64(used)) & np.uint64(0xFFFFFFFF))
        g += 1
    return acc, used, g


@njit(cache=True, nogil=True, inline="always")
def _settle(low, high, pending, out32, flip, acc, used, g):  # pragma: no cover
    """The encoder's renormalisation after a symbol, in two strides (see :func:`arith_encode`)."""
    d = _agree(low, high)
    if pending > 0 and d > 0:
        bit = low >> (_N - 1)
        acc, used, g = _emit(out32, flip, acc, used, g, bit, 1)
        fill = 0 if bit else 0xFFFFFFFF
        while pending > 0:
            k = min(pending, 32)
            acc, used, g = _emit(out32, flip, acc, used, g, fill >> (32 - k), k)
            pending -= k
        acc, used, g = _emit(out32, flip, acc, used, g, (low >> (_N - d)) & ((1 << (d - 1)) - 1), d - 1)
    else:
        acc, used, g = _emit(out32, flip, acc, used, g, low >> (_N - d), d)
    low = (low << d) & _FULL
    high = ((high << d) & _FULL) | ((1 << d) - 1)
    u = _straddle(low, high)
    pending += u
    low = (low << u) & (_HALF - 1)
    high = ((high << u) & (_HALF - 1)) | _HALF | ((1 << u) - 1)
    return low, high, pending, acc, used, g


@njit(cache=True, nogil=True, inline="always")
def _close_chunk(out32, flip, acc, used, g, state, low, high, pending):  # pragma: no cover
    """Write the last partial word and the interval back; return the chunk's bit count."""
    if used > 0:
        out32[g ^ flip] = np.uint32((acc << np.uint64(32 - used)) & np.uint64(0xFFFFFFFF))
    state[A_LOW] = low
    state[A_HIGH] = high
    state[A_PENDING] = pending
    return 32 * g + used


@njit(cache=True, nogil=True, inline="always")
def _refill(words, nbits, pos, value, known):  # pragma: no cover
    """Move new bits into the decoder's N-bit register while there is room; return (value, pos, known)."""
    need = min(_N - known, nbits - pos)
    if need > 0:
        wi = pos >> 6
        off = np.uint64(pos & 63)
        x = words[wi] << off
        if wi + 1 < words.size:
            x |= (words[wi + 1] >> np.uint64(1)) >> (np.uint64(63) - off)
        value |= np.int64(x >> np.uint64(64 - need)) << (_N - known - need)
        pos += need
        known += need
    return value, pos, known


@njit(cache=True, nogil=True, inline="always")
def _unsettle(low, high, value, known):  # pragma: no cover
    """The decoder's renormalisation after a symbol, mirroring :func:`_settle`."""
    d = _agree(low, high)
    low = (low << d) & _FULL
    high = ((high << d) & _FULL) | ((1 << d) - 1)
    value = (value << d) & _FULL
    u = _straddle(low, high)
    low = (low << u) & (_HALF - 1)
    high = ((high << u) & (_HALF - 1)) | _HALF | ((1 << u) - 1)
    value = ((value << u) & (_HALF - 1)) | (value & _HALF)
    return low, high, value, known - d - u


@njit(cache=True, nogil=True)
def arith_encode(sym, cum, shift, state, out32, flip, marks):  # pragma: no cover
    """Encode symbol indices ``sym``; return the number of bits written.

    ``marks`` (as long as ``sym``, or empty for none) receives the chunk's bit
    count after each symbol: the bits settled by then (the engine's per-message bits).

    ``out32`` is the chunk's zeroed uint64 words viewed as 32-bit halves;
    ``flip`` is 1 on a little-endian machine (the first half of a word's bits
    is then its second uint32). The renormalisation of
    :class:`coding.ArithmeticEncoder`, one symbol at a time, done in two
    strides: the d top bits that ``low`` and ``high`` share are sent at once
    (the first one releasing the pending bits), then the u middle-half
    doublings are counted as pending at once. Both strides are no-ops when d
    or u is 0, so the common path has no unpredictable branch.

    A symbol outside the model, or of frequency 0, stops the chunk: the
    return value is then −1 − its position (the caller restores the state).
    """
    low = state[A_LOW]
    high = state[A_HIGH]
    pending = state[A_PENDING]
    acc = np.uint64(0)
    used = 0
    g = 0
    last = cum.size - 1
    for i in range(sym.size):
        s = sym[i]
        if s < 0 or s >= last or cum[s + 1] == cum[s]:
            return -1 - i
        span = high - low + 1
        high = low + ((span * cum[s + 1]) >> shift) - 1
        low = low + ((span * cum[s]) >> shift)
        low, high, pending, acc, used, g = _settle(low, high, pending, out32, flip, acc, used, g)
        if marks.size:
            marks[i] = 32 * g + used
    return _close_chunk(out32, flip, acc, used, g, state, low, high, pending)


@njit(cache=True, nogil=True)
def arith_finish(state, words):  # pragma: no cover
    """The flush: the pending bits and two more. Returns the bit count."""
    pending = state[A_PENDING] + 1
    bit = 0 if state[A_LOW] < _QUARTER else 1
    w, acc, used = _put_run(words, 0, np.uint64(0), 0, bit, pending)
    _close(words, w, acc, used)
    state[A_PENDING] = 0
    return pending + 1


@njit(cache=True, nogil=True, inline="always")
def _symbol_at(offset, span, shift, cum):  # pragma: no cover
    """The symbol whose share of the interval holds ``offset`` = value − low.

    Symbol s owns offsets ⌊span·cum[s] / T⌋ … ⌊span·cum[s+1] / T⌋ − 1, exactly as the
    encoder cut them, so the search compares those products and needs no division:
    a branch-free count for up to 8 symbols, a binary search beyond.
    """
    n = cum.size - 1
    if n <= 8:
        s = 0
        for j in range(1, n):
            s += ((span * cum[j]) >> shift) <= offset
        return s
    lo = 0
    hi = n - 1
    while lo < hi:
        mid = (lo + hi + 1) >> 1
        if (span * cum[mid]) >> shift <= offset:
            lo = mid
        else:
            hi = mid - 1
    return lo


@njit(cache=True, nogil=True)
def arith_decode(words, nbits, cum, shift, state, out, limit):  # pragma: no cover
    """Decode from ``nbits`` new bits; write symbols to ``out`` (at most ``limit``); return the count.

    New bits enter the N-bit register as soon as there is room, so all bits
    are taken unless ``limit`` symbols are decoded first (the rest then belong
    to no symbol: the flush, or padding). ``words`` needs one padding word.
    """
    low = state[A_LOW]
    high = state[A_HIGH]
    value = state[A_VALUE]
    known = state[A_KNOWN]
    ended = state[A_ENDED]
    pos = 0
    count = 0
    while count < limit:
        value, pos, known = _refill(words, nbits, pos, value, known)
        if ended:
            known = _N
        span = high - low + 1
        s = _symbol_at(value - low, span, shift, cum)
        if known < _N:
            top = value + (np.int64(1) << (_N - known)) - 1
            if _symbol_at(top - low, span, shift, cum) != s:
                break
        out[count] = s
        count += 1
        high = low + ((span * cum[s + 1]) >> shift) - 1
        low = low + ((span * cum[s]) >> shift)
        low, high, value, known = _unsettle(low, high, value, known)
    state[A_LOW] = low
    state[A_HIGH] = high
    state[A_VALUE] = value
    state[A_KNOWN] = known
    return count


class ArithmeticEncoder:
    """Compiled :class:`coding.ArithmeticEncoder`: symbol-index chunks in, packed words out.

    ``encode(sym)`` returns ``(words, nbits)`` for the bits the chunk settles;
    ``finish()`` the flush. ``bits`` counts everything returned so far.
    """

    def __init__(self, code: ArithmeticCode) -> None:
        self.cum = np.array(code.cumulative, dtype=np.int64)
        self.shift = code.precision
        self.max_bits = code.precision + 2  # bits one symbol can settle, beyond the pending ones
        self.state = np.array([0, (1 << _N) - 1, 0], dtype=np.int64)
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
        capacity = sym.size * self.max_bits + int(self.state[A_PENDING]) + 64
        words = np.zeros(capacity // 64 + 2, dtype=np.uint64)
        saved = [a.copy() for a in self._arrays()]
        nbits = self._kernel(sym, words.view(np.uint32))
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
        return [self.state]

    def _kernel(self, sym: np.ndarray, out32: np.ndarray) -> int:
        return int(arith_encode(sym, self.cum, self.shift, self.state, out32, _FLIP, self.marks))

    def finish(self) -> tuple[np.ndarray, int]:
        words = np.empty((int(self.state[A_PENDING]) + 2) // 64 + 3, dtype=np.uint64)
        nbits = int(arith_finish(self.state, words))
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
        self.state = np.array([0, (1 << _N) - 1, 0, 0, 0], dtype=np.int64)
        self.count = int(count)
        self.decoded = 0

    def _run(self, words: np.ndarray, nbits: int) -> np.ndarray:
        left = self.count - self.decoded
        # Each bit decides at most ... symbols only when the model is skewed; bound by what is left.
        out = np.empty(left, dtype=np.int64)
        n = self._kernel(words, nbits, out, left)
        self.decoded += n
        return out[:n]

    def _kernel(self, words: np.ndarray, nbits: int, out: np.ndarray, left: int) -> int:
        return int(arith_decode(words, nbits, self.cum, self.shift, self.state, out, left))

    def feed(self, words: np.ndarray, nbits: int) -> np.ndarray:
        return self._run(words, nbits)

    def finish(self) -> np.ndarray:
        self.state[A_ENDED] = 1
        return self._run(np.zeros(1, dtype=np.uint64), 0)


# --------------------------------------------------------------------------- block codes


@njit(cache=True, nogil=True)
def block_indices(sym, n, k, state, out):  # pragma: no cover
    """Fold symbol indices into block indices j = Σ x_i n^(k−1−i); return how many blocks completed.

    ``state`` = (partial block index, symbols in it) carries a block across chunks.
    """
    partial = state[0]
    filled = state[1]
    c = 0
    for i in range(sym.size):
        partial = partial * n + sym[i]
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
def unfold_blocks(blocks, n, k, out):  # pragma: no cover
    """The k symbol indices of every block index, first symbol first."""
    for b in range(blocks.size):
        j = blocks[b]
        for i in range(k - 1, -1, -1):
            out[b * k + i] = j % n
            j //= n
    return out


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

    def push(self, sym: np.ndarray) -> np.ndarray:
        sym = np.ascontiguousarray(sym, dtype=np.int64)
        out = np.empty(sym.size // self.k + 1, dtype=np.int64)
        return out[: int(block_indices(sym, self.n, self.k, self.state, out))]

    def finish(self) -> np.ndarray:
        filled = int(self.state[1])
        if filled == 0:
            return np.zeros(0, dtype=np.int64)
        return self.push(np.full(self.k - filled, self.pad, dtype=np.int64))


def split_blocks(code: BlockCode, blocks: np.ndarray) -> np.ndarray:
    """Symbol indices of block indices (drop the padding by slicing to the message count)."""
    blocks = np.ascontiguousarray(blocks, dtype=np.int64)
    out = np.empty(blocks.size * code.order, dtype=np.int64)
    return unfold_blocks(blocks, len(code.source), code.order, out)


# --------------------------------------------------------------------------- Tunstall codes


@njit(cache=True, nogil=True)
def tunstall_encode(sym, child, leaf, n, m, state, words, marks):  # pragma: no cover
    """Walk the parse tree; at each leaf append its m-bit codeword. ``state`` = (node,). Returns bits.

    ``marks`` (as long as ``sym``, or empty) receives the bit count after each symbol."""
    node = state[0]
    acc = np.uint64(0)
    used = 0
    w = 0
    nbits = 0
    for i in range(sym.size):
        node = child[node * n + sym[i]]
        j = leaf[node]
        if j >= 0:
            w, acc, used = _put(words, w, acc, used, np.uint64(j), m)
            nbits += m
            node = 0
        if marks.size:
            marks[i] = nbits
    _close(words, w, acc, used)
    state[0] = node
    return nbits


@njit(cache=True, nogil=True)
def tunstall_decode(words, nbits, m, starts, flat, out, limit, state):  # pragma: no cover
    """Read m-bit codewords (a partial one is carried in ``state`` = (bits, count)); spell their words.

    Takes every bit; writes at most ``limit`` symbols to ``out`` (the rest are the padding
    of the stream's last word) and returns how many; ``-1 − pos`` on a codeword outside
    the dictionary.
    """
    acc = state[0]
    have = state[1]
    count = 0
    nwords = starts.size - 1
    for pos in range(nbits):
        bit = np.int64((words[pos >> 6] >> np.uint64(63 - (pos & 63))) & np.uint64(1))
        acc = (acc << 1) | bit
        have += 1
        if have == m:
            if acc >= nwords:
                return -1 - pos
            for t in range(starts[acc], starts[acc + 1]):
                if count < limit:
                    out[count] = flat[t]
                    count += 1
            acc = 0
            have = 0
    state[0] = acc
    state[1] = have
    return count


def _tunstall_tables(code: TunstallCode) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(child, leaf, starts, flat): the parse tree (node 0 the root) and the words' symbols."""
    index = {s: i for i, s in enumerate(code.source.symbols)}
    n = len(index)
    nodes: dict[tuple[str, ...], int] = {(): 0}
    for v in code.internal[1:]:
        nodes[v] = len(nodes)
    for w in code.words:
        nodes[w] = len(nodes)
    child = np.full(len(nodes) * n, -1, dtype=np.int64)
    for string, node in nodes.items():
        if string:
            child[nodes[string[:-1]] * n + index[string[-1]]] = node
    leaf = np.full(len(nodes), -1, dtype=np.int64)
    for j, w in enumerate(code.words):
        leaf[nodes[w]] = j
    starts = np.cumsum([0] + [len(w) for w in code.words]).astype(np.int64)
    flat = np.array([index[s] for w in code.words for s in w], dtype=np.int64)
    return child, leaf, starts, flat


class TunstallEncoder:
    """Symbol-index chunks in, packed m-bit codewords out; ``finish()`` completes a partial word."""

    def __init__(self, code: TunstallCode) -> None:
        self.child, self.leaf, _, _ = _tunstall_tables(code)
        self.n = len(code.source)
        self.m = code.bits
        self.state = np.zeros(1, dtype=np.int64)
        self.bits = 0

    def encode(self, sym: np.ndarray) -> tuple[np.ndarray, int]:
        words, nbits, _ = self._encode(sym, _NO_MARKS)
        return words, nbits

    def encode_marked(self, sym: np.ndarray) -> tuple[np.ndarray, int, np.ndarray]:
        """As :meth:`encode`, with the chunk's bit count after each symbol."""
        return self._encode(sym, np.zeros(sym.size, dtype=np.int64))

    def _encode(self, sym: np.ndarray, marks: np.ndarray) -> tuple[np.ndarray, int, np.ndarray]:
        sym = np.ascontiguousarray(sym, dtype=np.int64)
        words = np.empty(sym.size * self.m // 64 + 2, dtype=np.uint64)
        nbits = int(tunstall_encode(sym, self.child, self.leaf, self.n, self.m, self.state, words, marks))
        self.bits += nbits
        return words, nbits, marks

    def finish(self) -> tuple[np.ndarray, int]:
        node = int(self.state[0])
        if node == 0:
            return np.zeros(1, dtype=np.uint64), 0
        tail = []
        while self.leaf[node] < 0:
            node = int(self.child[node * self.n])
            tail.append(0)
        return self.encode(np.array(tail, dtype=np.int64))


class TunstallDecoder:
    """Packed m-bit codewords in, symbol indices out (the first ``count`` symbols)."""

    def __init__(self, code: TunstallCode, count: int) -> None:
        _, _, self.starts, self.flat = _tunstall_tables(code)
        self.m = code.bits
        self.count = int(count)
        self.decoded = 0
        self.offset = 0
        self.state = np.zeros(2, dtype=np.int64)

    def feed(self, words: np.ndarray, nbits: int) -> np.ndarray:
        left = self.count - self.decoded
        longest = int(np.diff(self.starts).max())
        words_done = (nbits + int(self.state[1])) // self.m  # with the carried partial codeword
        out = np.empty(min(left, words_done * longest), dtype=np.int64)
        n = int(tunstall_decode(words, nbits, self.m, self.starts, self.flat, out, out.size, self.state))
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
