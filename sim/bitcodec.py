"""Packed-bit encoding and decoding of a binary prefix code, a chunk at a time.

The ``coding`` package encodes strings of digits for teaching; the simulation
moves real packed bits. ``bitarray`` decodes prefix codes in C
(``decodetree``), which is why it is a dependency.
"""

from __future__ import annotations

import numpy as np
from bitarray import bitarray, decodetree

from coding import Code, DecodeError


class ChunkEncoder:
    """Encodes arrays of symbol indices (in ``symbols`` order) into a packed bitarray."""

    def __init__(self, code: Code, symbols: tuple[str, ...]) -> None:
        words = [code.codewords[s] for s in symbols]
        self.lengths = np.array([len(w) for w in words], dtype=np.int64)
        width = int(self.lengths.max())
        self._bits = np.zeros((len(words), width), dtype=np.uint8)
        self._valid = np.zeros((len(words), width), dtype=bool)
        for i, w in enumerate(words):
            self._bits[i, : len(w)] = [int(c) for c in w]
            self._valid[i, : len(w)] = True

    def encode(self, idx: np.ndarray) -> bitarray:
        stream = self._bits[idx][self._valid[idx]]  # row-major: codewords concatenated
        out = bitarray(endian="big")
        out.frombytes(np.packbits(stream).tobytes())
        del out[stream.size :]
        return out


class ChunkDecoder:
    """Streaming decoder of packed bits into symbol indices (in ``code.symbols`` order).

    A partial codeword at the end of one chunk is kept and completed by the next.
    """

    def __init__(self, code: Code) -> None:
        self._code = code
        self._tree = decodetree({i: bitarray(w) for i, w in enumerate(code.codewords.values())})
        self._carry = bitarray(endian="big")
        self._offset = 0  # bits consumed before the carry

    @property
    def pending(self) -> int:
        """Bits of an unfinished codeword held over."""
        return len(self._carry)

    def feed(self, bits: bitarray) -> np.ndarray:
        data = self._carry + bits if self._carry else bits
        try:
            out = np.fromiter(data.decode(self._tree), dtype=np.intp)
            self._offset += len(data)
            self._carry = bitarray(endian="big")
            return out
        except ValueError:
            return self._feed_slowly(data)

    def _feed_slowly(self, data: bitarray) -> np.ndarray:
        """Decode what completes and keep the tail (a partial codeword, or raise)."""
        dec = self._code.decoder()
        index = {s: i for i, s in enumerate(self._code.symbols)}
        try:
            symbols = dec.feed(data.to01())
        except DecodeError as exc:
            raise DecodeError("no codeword continues this way", self._offset + exc.offset) from None
        consumed = len(data) - dec.pending
        self._offset += consumed
        self._carry = data[consumed:]
        return np.array([index[s] for s in symbols], dtype=np.intp)
