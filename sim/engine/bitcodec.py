"""Packed-bit encoding and streaming decoding of a binary prefix code, a chunk at a time.

The ``coding`` package encodes strings of digits for teaching; the engine
moves real packed bits: 64-bit words, most significant bit first. The loops
themselves are compiled (:mod:`sim.engine.kernels`).
"""

from __future__ import annotations

import numpy as np

from coding import Code, DecodeError
from sim.engine import kernels
from sim.model.limits import CODEWORD_BITS  # one codeword fits a 32-bit lookup


class Encoder:
    """Encodes arrays of symbol indices (in ``symbols`` order) into packed words.

    ``points`` are the message counts at which the running bit totals are
    recorded (the convergence trace); ``tally`` (one
    :data:`sim.engine.kernels.TALLY` record) holds bits, squared lengths, messages
    and the next checkpoint; ``colour_counts`` the symbols encoded, per
    symbol. A symbol the code lacks (a colour with no balls) gets an empty
    codeword: it is never drawn.
    """

    def __init__(self, code: Code, symbols: tuple[str, ...], points: np.ndarray) -> None:
        if code.D == 2 and tuple(symbols) == code.symbols:  # the code's own order: its arrays
            self.lengths = code.length_array()
            if int(self.lengths.max()) > CODEWORD_BITS:
                raise ValueError(f"codewords longer than {CODEWORD_BITS} bits are not supported")
            self.values = code.value_array().astype(np.uint64)
        else:
            words = [code.codewords.get(s, "") for s in symbols]
            too_long = [w for w in words if len(w) > CODEWORD_BITS]
            if too_long:
                raise ValueError(f"codewords longer than {CODEWORD_BITS} bits are not supported")
            self.lengths = np.array([len(w) for w in words], dtype=np.int64)
            self.values = np.array([int(w or "0", 2) for w in words], dtype=np.uint64)
        self.max_length = max(1, int(self.lengths.max()))
        self.points = np.asarray(points, dtype=np.int64)
        self.point_sums = np.zeros(self.points.size, dtype=np.int64)
        self.point_squares = np.zeros(self.points.size, dtype=np.int64)
        self.tally = np.zeros(1, dtype=kernels.TALLY)
        self.colour_counts = np.zeros(len(symbols), dtype=np.int64)
        # Small codes of short codewords encode a pair of messages at one lookup (same words).
        self._pairs = kernels.pair_table(self.lengths, self.values)
        self._pair_counts = np.zeros(self._pairs.size, dtype=np.int64)

    def encode(self, symbols: np.ndarray) -> tuple[np.ndarray, int]:
        """The packed words of a chunk (with one padding word) and its bit count."""
        words, nbits, _ = self.encode_with_lanes(symbols)
        return words, nbits

    def encode_with_lanes(self, symbols: np.ndarray) -> tuple[np.ndarray, int, np.ndarray | None]:
        """:meth:`encode`, and the bits at which the decoder's lanes start (None if not noted).

        Small codes of short codewords encode a pair of messages a lookup
        (the same words) and note where messages j·⌊n/4⌋ begin on the way
        (:func:`sim.engine.kernels.encode_pairs`), which spares the decoder
        summing their lengths.
        """
        words = np.empty((symbols.size * self.max_length) // 64 + 2, dtype=np.uint64)
        if self._pairs.size and symbols.size >= kernels.PAIR_MIN:
            lanes = np.zeros(kernels.LANES - 1, dtype=np.int64)
            nbits = kernels.encode_pairs(
                symbols, self._pairs, self.values, self.lengths, words, self.tally, self.points,
                self.point_sums, self.point_squares, self.colour_counts, self._pair_counts, lanes,
            )  # fmt: skip
            return words, int(nbits), lanes
        nbits = kernels.encode_chunk(
            symbols, self.values, self.lengths, words, self.tally,
            self.points, self.point_sums, self.point_squares, self.colour_counts,
        )  # fmt: skip
        return words, int(nbits), None

    @property
    def bits(self) -> int:
        return int(self.tally[0]["bits"])

    @property
    def square_bits(self) -> int:
        return int(self.tally[0]["squares"])

    @property
    def messages(self) -> int:
        return int(self.tally[0]["messages"])


class Decoder:
    """Streaming decoder of packed words into symbol indices (``code.symbols`` order).

    It checks every decoded symbol against what was sent. Bits of an
    unfinished codeword at the end of one chunk are held over and completed
    by the next chunk.
    """

    def __init__(self, code: Code, to_code: np.ndarray | None = None) -> None:
        self.tables = kernels.DecodeTables(code)
        # Sent messages are given as indices that to_code maps to code symbols.
        self.to_code = np.arange(len(code), dtype=np.int64) if to_code is None else to_code
        same = np.array_equal(self.to_code, np.arange(len(code)))
        self._map = _NOTHING if same else self.to_code  # empty: the kernel compares directly
        self._carry_words = np.zeros(1, dtype=np.uint64)
        self._carry_bits = 0
        self._awaiting = _NOTHING
        self._result = np.zeros(4, dtype=np.int64)
        self.offset = 0  # bits consumed so far
        self.decoded = 0
        self.mismatches = 0

    @property
    def pending(self) -> int:
        """Bits of an unfinished codeword held over."""
        return self._carry_bits

    @property
    def awaiting(self) -> int:
        """Messages sent but not yet decoded."""
        return int(self._awaiting.size)

    def feed(
        self, words: np.ndarray, nbits: int, sent: np.ndarray, *, lanes: np.ndarray | None = None
    ) -> int:
        """Decode a chunk and compare it with ``sent``; return how many symbols were decoded.

        ``lanes``: where the encoder saw the decoder's lanes start in these words
        (:meth:`Encoder.encode_with_lanes`), used when nothing is held over from
        the chunk before; only a hint, checked by the parse.
        """
        marks = _NOTHING if lanes is None or self._carry_bits or self._awaiting.size else lanes
        if self._carry_bits:
            words, nbits = _prepend(self._carry_words, self._carry_bits, words, nbits)
        if self._awaiting.size:
            sent = np.concatenate((self._awaiting, sent))
        t, r = self.tables, self._result
        kernels.decode_split(
            words, nbits, t.prim_sym, t.prim_len, t.multi, t.tree, t.width, sent, self._map, r, t.lens, marks
        )
        done, consumed, bad, error = r.tolist()
        if error >= 0:
            raise DecodeError("no codeword continues this way", self.offset + error)
        self.offset += consumed
        self.decoded += done
        self.mismatches += bad
        if done < sent.size:
            self._awaiting = sent[done:]
        elif self._awaiting.size:
            self._awaiting = _NOTHING
        if consumed < nbits:
            self._carry_words = _slice_bits(words, consumed, nbits)
        self._carry_bits = nbits - consumed
        return done


_NOTHING = np.zeros(0, dtype=np.int64)


def _slice_bits(words: np.ndarray, start: int, stop: int) -> np.ndarray:
    """Bits [start, stop) of packed words, re-packed from bit 0 (with a padding word)."""
    bits = np.unpackbits(words.byteswap().view(np.uint8))[start:stop]
    return _pack(bits)


def _pack(bits: np.ndarray) -> np.ndarray:
    padded = np.zeros(((bits.size + 63) // 64 + 1) * 64, dtype=np.uint8)
    padded[: bits.size] = bits
    return np.packbits(padded).view(">u8").astype(np.uint64)


def _prepend(head: np.ndarray, head_bits: int, words: np.ndarray, nbits: int) -> tuple[np.ndarray, int]:
    first = np.unpackbits(head.byteswap().view(np.uint8))[:head_bits]
    second = np.unpackbits(words.byteswap().view(np.uint8))[:nbits]
    return _pack(np.concatenate((first, second))), head_bits + nbits


def to_bits(words: np.ndarray, nbits: int) -> np.ndarray:
    """The first ``nbits`` bits of packed words as a uint8 array of 0/1 (for tests and noise)."""
    return np.unpackbits(words.byteswap().view(np.uint8))[:nbits]


def from_bits(bits: np.ndarray) -> tuple[np.ndarray, int]:
    """Packed words (with padding) of a uint8 array of 0/1."""
    return _pack(np.asarray(bits, dtype=np.uint8)), int(bits.size)
