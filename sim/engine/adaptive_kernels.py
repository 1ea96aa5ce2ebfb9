"""Compiled adaptive coders: the arithmetic coder on a learning model, and adaptive Huffman.

The pure versions are :class:`coding.AdaptiveModel` (coded by the one
arithmetic coder of :mod:`coding.arithmetic`) and :class:`coding.AdaptiveHuffman`;
these kernels do the same integer arithmetic, bit for bit, on packed 64-bit
words (most significant bit first), compiled with numba. The interval code is
that of :mod:`sim.engine.stream_kernels` with the static shift by the precision
replaced by a division by the model's current total, which is all that
changes when the model learns. Each coder keeps its whole state (interval,
pending bits, cumulative counts, rescale count, balls seen) in small int64
arrays passed back with the next chunk, so any chunking gives the bits and
the symbols of the whole stream.

- :class:`AdaptiveArithmeticEncoder` / :class:`AdaptiveArithmeticDecoder`
- :class:`AdaptiveHuffmanEncoder` (bits and rebuild count) /
  :class:`AdaptiveHuffmanDecoder`
"""

from __future__ import annotations

import numpy as np
from numba import njit

from coding import AdaptiveHuffman, AdaptiveModel
from sim.engine import stream_kernels as sk
from sim.engine.stream_kernels import (
    _FLIP,
    _N,
    A_ENDED,
    A_HIGH,
    A_KNOWN,
    A_LOW,
    A_PENDING,
    A_VALUE,
    _close_chunk,
    _emit,
    _refill,
    _settle,
    _unsettle,
)

__all__ = [
    "AdaptiveArithmeticDecoder",
    "AdaptiveArithmeticEncoder",
    "AdaptiveHuffmanDecoder",
    "AdaptiveHuffmanEncoder",
    "warm_up",
]

# Model slots: scale d, count limit 2^precision, rescales so far, balls seen.
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


@njit(cache=True, nogil=True)
def adaptive_encode(sym, cum, model, state, out32, flip, marks):  # pragma: no cover
    """Encode symbol indices ``sym``, advancing the model after each; return the bits written.

    As :func:`sim.engine.stream_kernels.arith_encode`, with ⌊span·C/T⌋ for the
    current total T; ``marks`` (as long as ``sym``, or empty) receives the
    chunk's bit count after each symbol. A symbol outside the model stops the
    chunk: the return value is then −1 − its position (the caller restores
    every state array).
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
        if s < 0 or s >= last:
            return -1 - i
        span = high - low + 1
        total = cum[last]
        high = low + (span * cum[s + 1]) // total - 1
        low = low + (span * cum[s]) // total
        low, high, pending, acc, used, g = _settle(low, high, pending, out32, flip, acc, used, g)
        if marks.size:
            marks[i] = 32 * g + used
        _advance(cum, model, s)
    return _close_chunk(out32, flip, acc, used, g, state, low, high, pending)


@njit(cache=True, nogil=True, inline="always")
def _symbol_at(offset, span, cum):  # pragma: no cover
    """The symbol whose share ⌊span·C_lo/T⌋ … ⌊span·C_hi/T⌋ − 1 holds ``offset``."""
    n = cum.size - 1
    total = cum[n]
    lo = 0
    hi = n - 1
    while lo < hi:
        mid = (lo + hi + 1) >> 1
        if (span * cum[mid]) // total <= offset:
            lo = mid
        else:
            hi = mid - 1
    return lo


@njit(cache=True, nogil=True)
def adaptive_decode(words, nbits, cum, model, state, out, limit):  # pragma: no cover
    """Decode from ``nbits`` new bits, advancing the model after each symbol; return the count.

    As :func:`sim.engine.stream_kernels.arith_decode`; ``words`` needs one padding word.
    """
    low = state[A_LOW]
    high = state[A_HIGH]
    value = state[A_VALUE]
    known = state[A_KNOWN]
    ended = state[A_ENDED]
    last = cum.size - 1
    pos = 0
    count = 0
    while count < limit:
        value, pos, known = _refill(words, nbits, pos, value, known)
        if ended:
            known = _N
        span = high - low + 1
        s = _symbol_at(value - low, span, cum)
        if known < _N:
            top = value + (np.int64(1) << (_N - known)) - 1
            if _symbol_at(top - low, span, cum) != s:
                break
        out[count] = s
        count += 1
        total = cum[last]
        high = low + (span * cum[s + 1]) // total - 1
        low = low + (span * cum[s]) // total
        low, high, value, known = _unsettle(low, high, value, known)
        _advance(cum, model, s)
    state[A_LOW] = low
    state[A_HIGH] = high
    state[A_VALUE] = value
    state[A_KNOWN] = known
    return count


def _model_arrays(model: AdaptiveModel) -> tuple[np.ndarray, np.ndarray]:
    """(cumulative counts, model slots) of a fresh model at the prior."""
    fresh = model.fresh()
    cum = np.concatenate(([0], np.cumsum(fresh.frequencies))).astype(np.int64)
    return cum, np.array([fresh.scale, 1 << fresh.precision, 0, 0], dtype=np.int64)


class AdaptiveArithmeticEncoder(sk.ArithmeticEncoder):
    """Compiled encoder for an :class:`coding.AdaptiveModel`: symbol-index chunks in, packed words out.

    ``encode(sym)`` returns ``(words, nbits)`` for the bits the chunk settles,
    ``finish()`` the flush; ``bits`` counts all so far, ``rescales`` the halvings.
    """

    def __init__(self, model: AdaptiveModel) -> None:
        self.cum, self.model = _model_arrays(model)
        self.max_bits = model.precision + 2  # a symbol's share is at least 2^−precision of the interval
        self.state = np.array([0, (1 << _N) - 1, 0], dtype=np.int64)
        self.bits = 0
        self.marks = sk._NO_MARKS  # set by encode_marked: bits settled after each symbol

    @property
    def rescales(self) -> int:
        return int(self.model[M_RESCALES])

    def _arrays(self) -> list[np.ndarray]:
        return [self.state, self.cum, self.model]

    def _kernel(self, sym: np.ndarray, out32: np.ndarray) -> int:
        return int(adaptive_encode(sym, self.cum, self.model, self.state, out32, _FLIP, self.marks))


class AdaptiveArithmeticDecoder(sk.ArithmeticDecoder):
    """Compiled decoder for an :class:`coding.AdaptiveModel`: packed-word chunks in, symbol indices out."""

    def __init__(self, model: AdaptiveModel, count: int) -> None:
        self.cum, self.model = _model_arrays(model)
        self.state = np.array([0, (1 << _N) - 1, 0, 0, 0], dtype=np.int64)
        self.count = int(count)
        self.decoded = 0

    def _kernel(self, words: np.ndarray, nbits: int, out: np.ndarray, left: int) -> int:
        return int(adaptive_decode(words, nbits, self.cum, self.model, self.state, out, left))


@njit(cache=True, nogil=True)
def _huffman_codes(cum, lengths, codes, parent, weight):  # pragma: no cover
    """Rebuild: the counts' Huffman lengths (as ``coding.adaptive.count_huffman_lengths``), canonical codes.

    Nodes 0 … k−1 are the leaves, k … 2k−2 the merged nodes in the order made;
    (weight, id) orders them, which is the (weight, age) tie-break.
    """
    k = cum.size - 1
    if k == 1:
        lengths[0] = 1
        codes[0] = 0
        return
    alive = np.ones(2 * k - 1, dtype=np.bool_)
    for i in range(k):
        weight[i] = cum[i + 1] - cum[i]
    for i in range(k, 2 * k - 1):
        alive[i] = False
    for m in range(k, 2 * k - 1):
        a = -1
        b = -1
        for i in range(m):
            if alive[i]:
                if a < 0 or weight[i] < weight[a]:
                    b = a
                    a = i
                elif b < 0 or weight[i] < weight[b]:
                    b = i
        alive[a] = False
        alive[b] = False
        parent[a] = m
        parent[b] = m
        weight[m] = weight[a] + weight[b]
        alive[m] = True
    depth = np.zeros(2 * k - 1, dtype=np.int64)
    for node in range(2 * k - 3, -1, -1):
        depth[node] = depth[parent[node]] + 1
    for i in range(k):
        lengths[i] = depth[i]
    # canonical: codewords in order of (length, symbol)
    code = 0
    prev = 0
    for length in range(1, 64):
        for i in range(k):
            if lengths[i] == length:
                code <<= length - prev
                prev = length
                codes[i] = code
                code += 1


@njit(cache=True, nogil=True)
def adaptive_huffman_encode(sym, cum, model, every, lengths, codes, out32, flip, scratch):  # pragma: no cover
    """Encode ``sym``, the counts' Huffman code rebuilt before balls 0, m, 2m, …; return (bits, rebuilds)."""
    acc = np.uint64(0)
    used = 0
    g = 0
    rebuilds = 0
    last = cum.size - 1
    parent = scratch[0]
    weight = scratch[1]
    for i in range(sym.size):
        s = sym[i]
        if s < 0 or s >= last:
            return -1 - i, rebuilds
        if model[M_SEEN] % every == 0:
            _huffman_codes(cum, lengths, codes, parent, weight)
            rebuilds += 1
        n = lengths[s]
        c = codes[s]
        if n > 32:
            acc, used, g = _emit(out32, flip, acc, used, g, c >> 32, n - 32)
            acc, used, g = _emit(out32, flip, acc, used, g, c & 0xFFFFFFFF, 32)
        else:
            acc, used, g = _emit(out32, flip, acc, used, g, c, n)
        _advance(cum, model, s)
    nbits = 32 * g + used
    if used > 0:
        out32[g ^ flip] = np.uint32((acc << np.uint64(32 - used)) & np.uint64(0xFFFFFFFF))
    return nbits, rebuilds


class _HuffmanEnd:
    """One end of an adaptive Huffman link: its counts, the current code, and scratch for rebuilding."""

    def __init__(self, code: AdaptiveHuffman) -> None:
        self.cum, self.model = _model_arrays(code.model)
        k = len(code.symbols)
        self.every = code.every
        self.lengths = np.zeros(k, dtype=np.int64)
        self.codes = np.zeros(k, dtype=np.int64)
        self.scratch = np.zeros((2, 2 * k - 1), dtype=np.int64)


class AdaptiveHuffmanEncoder(_HuffmanEnd):
    """Compiled :meth:`coding.AdaptiveHuffman.encode`: chunks in, packed words out; counts its rebuilds."""

    def __init__(self, code: AdaptiveHuffman) -> None:
        super().__init__(code)
        self.bits = 0
        self.rebuilds = 0

    def encode(self, sym: np.ndarray) -> tuple[np.ndarray, int]:
        sym = np.ascontiguousarray(sym, dtype=np.int64)
        words = np.zeros(sym.size + 2, dtype=np.uint64)  # codewords are at most 63 bits
        saved = (self.cum.copy(), self.model.copy(), self.lengths.copy(), self.codes.copy())
        nbits, rebuilds = adaptive_huffman_encode(
            sym,
            self.cum,
            self.model,
            self.every,
            self.lengths,
            self.codes,
            words.view(np.uint32),
            _FLIP,
            self.scratch,
        )
        if nbits < 0:
            self.cum[:], self.model[:], self.lengths[:], self.codes[:] = saved
            i = -1 - int(nbits)
            raise ValueError(f"symbol {i} of the chunk ({int(sym[i])}) is outside the model")
        self.bits += int(nbits)
        self.rebuilds += int(rebuilds)
        return words, int(nbits)


@njit(cache=True, nogil=True)
def adaptive_huffman_decode(
    words, nbits, cum, model, every, lengths, codes, hstate, out, limit, scratch
):  # pragma: no cover
    """Decode up to ``limit`` balls from ``nbits`` new bits; return (count, −1 or the bad bit's position).

    Canonical decoding: the codewords of one length are consecutive numbers,
    so after each bit the code read so far is a codeword when it lies in
    [first(L), first(L) + count(L)). ``hstate`` holds the partial codeword
    (value, length) across chunks; the tables are rebuilt, as by the encoder,
    before balls 0, m, 2m, … (``model[M_SEEN]`` counts the balls).
    """
    k = cum.size - 1
    parent = scratch[0]
    weight = scratch[1]
    first = np.zeros(65, dtype=np.int64)
    count_l = np.zeros(65, dtype=np.int64)
    offset = np.zeros(65, dtype=np.int64)
    order = np.zeros(k, dtype=np.int64)
    code = hstate[0]
    length = hstate[1]
    built = False
    count = 0
    pos = 0
    while count < limit and pos < nbits:
        if not built or (length == 0 and model[M_SEEN] % every == 0 and hstate[2] != model[M_SEEN]):
            if model[M_SEEN] % every == 0 and hstate[2] != model[M_SEEN]:
                _huffman_codes(cum, lengths, codes, parent, weight)
                hstate[2] = model[M_SEEN]
            first[:] = 0
            count_l[:] = 0
            j = 0
            for ln in range(1, 64):
                offset[ln] = j
                for i in range(k):
                    if lengths[i] == ln:
                        if count_l[ln] == 0:
                            first[ln] = codes[i]
                        order[j] = i
                        j += 1
                        count_l[ln] += 1
            built = True
        bit = (words[pos >> 6] >> np.uint64(63 - (pos & 63))) & np.uint64(1)
        pos += 1
        code = (code << 1) | np.int64(bit)
        length += 1
        if length > 63:
            return count, pos - 1
        rel = code - first[length]
        if count_l[length] > 0 and 0 <= rel < count_l[length]:
            s = order[offset[length] + rel]
            out[count] = s
            count += 1
            code = 0
            length = 0
            _advance(cum, model, s)
    hstate[0] = code
    hstate[1] = length
    return count, -1


class AdaptiveHuffmanDecoder(_HuffmanEnd):
    """Compiled :meth:`coding.AdaptiveHuffman.decode`: packed-word chunks in, symbol indices out.

    A codeword cut by a chunk boundary waits in the state for the next chunk.
    """

    def __init__(self, code: AdaptiveHuffman, count: int) -> None:
        _HuffmanEnd.__init__(self, code)
        self.hstate = np.array([0, 0, -1], dtype=np.int64)  # partial code, its length, last rebuild's ball
        self.count = int(count)
        self.decoded = 0

    def feed(self, words: np.ndarray, nbits: int) -> np.ndarray:
        left = self.count - self.decoded
        out = np.empty(left, dtype=np.int64)
        n, bad = adaptive_huffman_decode(
            words, nbits, self.cum, self.model, self.every, self.lengths, self.codes, self.hstate, out, left,
            self.scratch,
        )  # fmt: skip
        if bad >= 0:
            raise ValueError(f"bit {bad} of the chunk starts no codeword")
        self.decoded += int(n)
        return out[: int(n)]


def warm_up() -> None:
    """Compile (or load from cache) every kernel on a tiny input."""
    model = AdaptiveModel(["a", "b"], "kt")
    sym = np.array([0, 1, 0], dtype=np.int64)
    enc = AdaptiveArithmeticEncoder(model)
    words, nbits = enc.encode(sym)
    dec = AdaptiveArithmeticDecoder(model, 3)
    dec.feed(words, nbits)
    dec.finish()
    ah = AdaptiveHuffman(["a", "b"], "kt", every=2)
    words, nbits = AdaptiveHuffmanEncoder(ah).encode(sym)
    AdaptiveHuffmanDecoder(ah, 3).feed(words, nbits)
