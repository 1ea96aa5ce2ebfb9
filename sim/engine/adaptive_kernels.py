"""Compiled adaptive coders: the arithmetic coder on a learning model, and adaptive Huffman.

The pure versions are :class:`coding.AdaptiveModel` (coded by the one
arithmetic coder of :mod:`coding.arithmetic`) and :class:`coding.AdaptiveHuffman`;
these kernels do the same integer arithmetic, bit for bit, on packed 64-bit
words (most significant bit first), compiled with numba. The arithmetic coder
is the one range-coder kernel of :mod:`sim.engine.stream_kernels`, given the
model's slots: it cuts the range with ⌊R·C/T⌋ for the current total T (a
division instead of the static shift) and advances the counts after each
symbol. Each coder keeps its whole state (interval, held bits, cumulative
counts, rescale count, balls seen) in small int64 arrays passed back with the
next chunk, so any chunking gives the bits and the symbols of the whole stream.

- :class:`AdaptiveArithmeticEncoder` / :class:`AdaptiveArithmeticDecoder`
- :class:`AdaptiveHuffmanEncoder` (bits and rebuild count) /
  :class:`AdaptiveHuffmanDecoder`
"""

from __future__ import annotations

import numpy as np
from numba import njit

from coding import AdaptiveHuffman, AdaptiveModel
from sim.engine import stream_kernels as sk
from sim.engine.stream_kernels import M_RESCALES, M_SEEN, _advance, _close, _put

__all__ = [
    "AdaptiveArithmeticDecoder",
    "AdaptiveArithmeticEncoder",
    "AdaptiveHuffmanDecoder",
    "AdaptiveHuffmanEncoder",
    "warm_up",
]


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
        self.shift = -1  # cut with a division by the current total
        self._start()

    @property
    def rescales(self) -> int:
        return int(self.model[M_RESCALES])


class AdaptiveArithmeticDecoder(sk.ArithmeticDecoder):
    """Compiled decoder for an :class:`coding.AdaptiveModel`: packed-word chunks in, symbol indices out."""

    def __init__(self, model: AdaptiveModel, count: int) -> None:
        self.cum, self.model = _model_arrays(model)
        self.shift = -1
        self._start(count)


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
def adaptive_huffman_encode(sym, cum, model, every, lengths, codes, words, scratch):  # pragma: no cover
    """Encode ``sym``, the counts' Huffman code rebuilt before balls 0, m, 2m, …; return (bits, rebuilds)."""
    acc = np.uint64(0)
    used = 0
    w = 0
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
        w, acc, used = _put(words, w, acc, used, np.uint64(codes[s]), lengths[s])
        _advance(cum, model, s)
    nbits = 64 * w + used
    _close(words, w, acc, used)
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
            words,
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
