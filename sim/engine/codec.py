"""The codec interface: how a link's transmitter encodes and its receiver decodes, whatever the code.

Two kinds of code travel the line:

- a *symbol code* (:class:`coding.Code`: fixed, table, Huffman, Shannon, Fano,
  SFE) spells each ball with its own codeword (:mod:`sim.engine.bitcodec`);
- a *stream code* (block, Tunstall, arithmetic) spells the stream as a whole,
  with state carried across chunks and a flush at the end
  (:mod:`sim.engine.stream_kernels`).

The stations see only this interface, chosen by the code kind's row
(``CodeKind.stream`` in :mod:`sim.model.kinds`), never a kind's name:

- :class:`LinkEncoder`: ``chunk(symbols, last)`` → :class:`Encoded` (the
  packed bits and what each message carries on the line), plus the running
  tally (bits, squared bits, checkpoints) the results read;
- :class:`LinkDecoder`: ``feed(words, nbits, sent, last)`` decodes the bits
  and checks every decoded message against what was sent; ``mismatches``,
  ``awaiting`` (sent, not yet decoded) and ``pending`` (bits held over).

**Bits per message** count everything sent. A symbol code's message carries
its codeword. A stream code's message carries the bits the stream settles
while that message is coded (0 for most messages of a block, the whole
codeword for the one completing it; for arithmetic coding, the bits the
interval settles); the final flush (the arithmetic coder's closing bits, the
padded last block, the completed last Tunstall word) is carried by the
run's last message. So the sum over messages is exactly the bits on the
wire, and, since the stream's state carries across chunks, the split does
not depend on the chunk size.

A new kind of stream coder implements :class:`StreamEncoder` and
:class:`StreamDecoder` (or reuses :class:`SequenceDecoder`) and is returned
by its kind row's ``stream`` factory. On a noisy line it works as it is
(its decoder's output is compared with the sent balls in order); a code with
codeword boundaries to find again gives its :class:`StreamCodec` a ``judge``
(:mod:`sim.engine.noisy_stream`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

from coding import AdaptiveHuffman, AdaptiveModel, ArithmeticCode, BlockCode, Code, TunstallCode
from sim.engine import stream_kernels as sk
from sim.engine.bitcodec import Decoder, Encoder, from_bits, to_bits
from sim.model.kinds import CODE_KINDS

if TYPE_CHECKING:
    from sim.engine.noisy_stream import Judge
    from sim.model.records import Link

__all__ = [
    "Encoded",
    "LinkDecoder",
    "LinkEncoder",
    "SequenceDecoder",
    "StreamCodec",
    "StreamEncoder",
    "StreamDecoder",
    "StreamLinkEncoder",
    "TelegramLinkDecoder",
    "SymbolLinkDecoder",
    "SymbolLinkEncoder",
    "adaptive_codec",
    "adaptive_huffman_codec",
    "arithmetic_codec",
    "block_codec",
    "join_bits",
    "link_codec",
    "link_coders",
    "telegram_sizes",
    "tunstall_codec",
]


@dataclass(slots=True)
class Encoded:
    """One chunk on its way: packed ``words`` holding ``nbits`` bits; message i carries
    ``unit_bits[units[i]]`` bits on the line (a symbol code: units are the colours and
    unit_bits the codeword lengths; a stream code: one unit per message)."""

    words: np.ndarray
    nbits: int
    units: np.ndarray
    unit_bits: np.ndarray
    #: Where the decoder's lanes start in ``words`` (:meth:`Encoder.encode_with_lanes`), if noted.
    lanes: np.ndarray | None = None


class LinkEncoder(Protocol):
    """What the transmitter and the results need of a link's encoder."""

    points: np.ndarray
    point_sums: np.ndarray
    point_squares: np.ndarray
    colour_counts: np.ndarray  # balls drawn so far, per colour of the link's urn

    def chunk(self, symbols: np.ndarray, last: bool) -> Encoded: ...

    @property
    def bits(self) -> int: ...

    @property
    def square_bits(self) -> int: ...

    @property
    def messages(self) -> int: ...

    @property
    def max_message_bits(self) -> int: ...


class LinkDecoder(Protocol):
    """What the receiver needs of a link's decoder."""

    @property
    def mismatches(self) -> int: ...

    def feed(
        self,
        words: np.ndarray,
        nbits: int,
        sent: np.ndarray,
        last: bool = False,
        lanes: np.ndarray | None = None,
    ) -> int:
        """Decode ``words``, check them against ``sent``; ``lanes``: the encoder's hint (may be ignored)."""
        ...

    @property
    def pending(self) -> int: ...

    @property
    def awaiting(self) -> int: ...


class StreamEncoder(Protocol):
    """A compiled stream coder's sending half (symbol indices in the code's source order)."""

    def encode_marked(self, sym: np.ndarray) -> tuple[np.ndarray, int, np.ndarray]:
        """(words, nbits, the chunk's bit count after each symbol)."""
        ...

    def finish(self) -> tuple[np.ndarray, int]: ...


class StreamDecoder(Protocol):
    """A compiled stream coder's receiving half: bits in, the symbols they decide out."""

    def feed(self, words: np.ndarray, nbits: int) -> np.ndarray: ...

    def finish(self) -> np.ndarray: ...


@dataclass(frozen=True)
class StreamCodec:
    """A stream code as the engine runs it (what a kind row's ``codec`` factory returns).

    ``encoder()`` makes a fresh sending half; ``decoder(count, to_code)`` a
    fresh receiving half behind :class:`LinkDecoder` (``count``: messages in
    the run; ``to_code``: colour index → the code's source index).
    ``judge(count, to_code)``, if given, decodes on a noisy line (a judge of
    :mod:`sim.engine.noisy_stream`); without one, the noisy receiver compares
    the decoder's output with the sent balls in order (its ``SequenceJudge``).
    """

    encoder: Callable[[], StreamEncoder]
    decoder: Callable[[int, np.ndarray], LinkDecoder]
    symbols: tuple[str, ...]  # the code's source symbols, in the order its indices follow
    judge: Callable[[int, np.ndarray], Judge] | None = None
    #: > 0: the coder restarts every so many balls (parity per telegram); its decoder and judge then
    #: read whole telegrams (``feed_telegrams``), framed by the line.
    telegram: int = 0


def arithmetic_codec(code: ArithmeticCode, telegram: int = 0) -> StreamCodec:
    """The compiled arithmetic coder: the receiver decodes as the bits arrive.

    With ``telegram`` > 0 (parity per telegram) the coder restarts at every
    telegram of that many balls: it flushes at the telegram's end and starts a
    fresh interval, so each telegram decodes on its own and a dropped one
    spoils nothing after it (:class:`TelegramLinkDecoder`,
    :class:`sim.engine.noisy_stream.TelegramJudge`).
    """
    if telegram > 0:
        from sim.engine.noisy_stream import TelegramJudge

        return StreamCodec(
            lambda: sk.ArithmeticEncoder(code, telegram),
            lambda count, to_code: TelegramLinkDecoder(code, to_code),
            code.symbols,
            lambda count, to_code: TelegramJudge(code, to_code),
            telegram,
        )
    return StreamCodec(
        lambda: sk.ArithmeticEncoder(code),
        lambda count, to_code: SequenceDecoder(sk.ArithmeticDecoder(code, count), to_code),
        code.symbols,
    )


def telegram_sizes(per_message: np.ndarray, telegram: int) -> tuple[np.ndarray, np.ndarray]:
    """(bits, messages) of each telegram of a batch: ``telegram`` messages each, the last maybe fewer."""
    n = per_message.size
    if telegram == 1:
        return per_message, np.ones(n, dtype=np.int64)
    bits = np.add.reduceat(per_message, np.arange(0, n, telegram)) if n else per_message[:0]
    msgs = np.full(bits.size, telegram, dtype=np.int64)
    if n % telegram:
        msgs[-1] = n % telegram
    return bits, msgs


class TelegramLinkDecoder:
    """A restarting arithmetic code on a clean line: each telegram decoded on its own, checked ball by ball.

    The line frames the telegrams (the receiver knows where each begins and
    how many balls it holds), so :meth:`feed_telegrams` takes whole telegrams.
    """

    def __init__(self, code: ArithmeticCode, to_code: np.ndarray) -> None:
        self._decoder = sk.TelegramArithmeticDecoder(code)
        self._to_code = to_code
        self.mismatches = 0
        self.decoded = 0

    def feed_telegrams(
        self, words: np.ndarray, tel_bits: np.ndarray, tel_msgs: np.ndarray, sent: np.ndarray
    ) -> None:
        out = self._decoder.decode(words, tel_bits, tel_msgs)
        self.mismatches += int(np.count_nonzero(out != self._to_code[sent]))
        self.decoded += out.size

    def feed(
        self,
        words: np.ndarray,
        nbits: int,
        sent: np.ndarray,
        last: bool = False,
        lanes: np.ndarray | None = None,
    ) -> int:
        raise TypeError("a restarting code is decoded telegram by telegram (feed_telegrams)")

    @property
    def pending(self) -> int:
        return 0

    @property
    def awaiting(self) -> int:
        return 0


def adaptive_codec(model: AdaptiveModel) -> StreamCodec:
    """The compiled adaptive arithmetic coder: both ends start from the model's prior and count every
    ball (India after sending, Australia after decoding), so no model travels."""
    from sim.engine import adaptive_kernels as ak

    return StreamCodec(
        lambda: ak.AdaptiveArithmeticEncoder(model),
        lambda count, to_code: SequenceDecoder(ak.AdaptiveArithmeticDecoder(model, count), to_code),
        model.symbols,
    )


def adaptive_huffman_codec(code: AdaptiveHuffman) -> StreamCodec:
    """The compiled adaptive Huffman code: both ends rebuild the Huffman code of their counts every m
    balls; each message carries its ball's codeword, so nothing waits at the end."""
    from sim.engine import adaptive_kernels as ak
    from sim.engine import learning

    return StreamCodec(
        lambda: learning.AdaptiveHuffmanStream(code),
        lambda count, to_code: SequenceDecoder(_TunstallEnd(ak.AdaptiveHuffmanDecoder(code, count)), to_code),
        code.symbols,
    )


def tunstall_codec(code: TunstallCode) -> StreamCodec:
    """The compiled Tunstall parser: m bits per dictionary word (judged word by word on a noisy line)."""
    from sim.engine.noisy_stream import WordJudge

    return StreamCodec(
        lambda: sk.TunstallEncoder(code),
        lambda count, to_code: SequenceDecoder(_TunstallEnd(sk.TunstallDecoder(code, count)), to_code),
        code.source.symbols,
        lambda count, to_code: WordJudge(code, to_code),
    )


def block_codec(code: BlockCode) -> StreamCodec:
    """Huffman on blocks of k balls: the blocks travel with the prefix-code kernels (and the tolerant
    decoder's on a noisy line)."""
    from sim.engine.noisy_stream import BlockJudge

    return StreamCodec(
        lambda: _BlockEncoder(code),
        lambda count, to_code: _BlockDecoder(code, to_code),
        code.source.symbols,
        lambda count, to_code: BlockJudge(code, to_code),
    )


class _Feeds(Protocol):
    def feed(self, words: np.ndarray, nbits: int) -> np.ndarray: ...


class _TunstallEnd:
    """A Tunstall (or adaptive Huffman) decoder has nothing held back at the end: every word decodes
    when complete."""

    def __init__(self, decoder: _Feeds) -> None:
        self._decoder = decoder

    def feed(self, words: np.ndarray, nbits: int) -> np.ndarray:
        return self._decoder.feed(words, nbits)

    def finish(self) -> np.ndarray:
        return np.zeros(0, dtype=np.int64)


class _BlockEncoder:
    """Balls → block indices (the partial block carried across chunks) → packed Huffman codewords."""

    def __init__(self, code: BlockCode) -> None:
        self._blocks = sk.BlockEncoder(code)
        self._packer = Encoder(code.code, code.code.symbols, np.zeros(0, dtype=np.int64))
        self._k = code.order

    def encode_marked(self, sym: np.ndarray) -> tuple[np.ndarray, int, np.ndarray]:
        filled = int(self._blocks.state[1])
        blocks = self._blocks.push(sym)
        words, nbits = self._packer.encode(blocks)
        per_message = np.zeros(sym.size, dtype=np.int64)
        # The message that completes a block carries its codeword.
        ends = np.arange(self._k - filled - 1, sym.size, self._k)
        per_message[ends] = self._packer.lengths[blocks]
        return words, nbits, np.cumsum(per_message)

    def finish(self) -> tuple[np.ndarray, int]:
        return self._packer.encode(self._blocks.finish())

    def encode_link(
        self, colours: np.ndarray, to_code: np.ndarray, counts: np.ndarray, last: bool, tally: _Tally
    ) -> tuple[np.ndarray, int, np.ndarray, int]:
        """:class:`StreamLinkEncoder`'s chunk in one compiled pass (:func:`sk.block_link_encode`):
        colours counted and mapped (``to_code`` empty: the identity), blocks folded and packed, the
        flush on ``last``, the tally kept. (words, nbits, bits per message, the largest)."""
        colours = np.ascontiguousarray(colours, dtype=np.int64)
        size = colours.size // self._k + 2  # the blocks completed, and the padded last one
        words = np.empty(size * self._packer.max_length // 64 + 2, dtype=np.uint64)
        per_message = np.empty(colours.size, dtype=np.int64)
        b = self._blocks
        nbits, largest = sk.block_link_encode(
            colours, to_code, counts, b.n, b.k, b.pad, self._packer.values, self._packer.lengths,
            b.state, words, last, tally._tally, tally.points, tally.point_sums, tally.point_squares,
            per_message,
        )  # fmt: skip
        return words, int(nbits), per_message, int(largest)


class _BlockDecoder:
    """Decodes blocks as the bits arrive and checks each against the block of balls sent.

    The receiver folds the sent balls into blocks the same way (its own
    :class:`sim.engine.stream_kernels.BlockEncoder`); a block matches exactly when its
    k balls do, so ``mismatches`` counts wrong blocks.
    """

    def __init__(self, code: BlockCode, to_code: np.ndarray) -> None:
        self._reference = sk.BlockEncoder(code)
        self._decoder = Decoder(code.code)
        self._map = code_map(to_code)

    def feed(
        self,
        words: np.ndarray,
        nbits: int,
        sent: np.ndarray,
        last: bool = False,
        lanes: np.ndarray | None = None,
    ) -> int:
        blocks = self._reference.push(sent, self._map)  # mapped to the code's symbols as they fold
        if last and self._reference.state[1]:
            blocks = np.concatenate((blocks, self._reference.finish()))
        return self._decoder.feed(words, nbits, blocks)

    @property
    def mismatches(self) -> int:  # type: ignore[override]
        return self._decoder.mismatches

    @property
    def pending(self) -> int:
        return self._decoder.pending

    @property
    def awaiting(self) -> int:
        return self._decoder.awaiting


def join_bits(a: tuple[np.ndarray, int], b: tuple[np.ndarray, int]) -> tuple[np.ndarray, int]:
    """The bits of ``a`` then ``b`` as one packed run (used once per run, for the flush)."""
    if b[1] == 0:
        return a
    if a[1] == 0:
        return b
    return from_bits(np.concatenate((to_bits(*a), to_bits(*b))))


class _Tally:
    """Running bits, squared bits and checkpoint sums of per-message bit counts."""

    def __init__(self, points: np.ndarray) -> None:
        self.points = np.asarray(points, dtype=np.int64)
        self.point_sums = np.zeros(self.points.size, dtype=np.int64)
        self.point_squares = np.zeros(self.points.size, dtype=np.int64)
        self._tally = np.zeros(3, dtype=np.int64)  # bits, squared bits, messages

    def add_marks(self, marks: np.ndarray, tail: int = 0, own: bool = False) -> np.ndarray:
        """Tally a chunk given its bit count after each message (``tail`` more bits on the last;
        ``own``: ``marks`` holds each message's own bits, and gets the tail); return the bits each
        message carries (compiled, :func:`sk.tally_marks`)."""
        per_message = marks if own else np.empty(marks.size, dtype=np.int64)
        sk.tally_marks(
            marks, tail, self._tally, self.points, self.point_sums, self.point_squares, per_message, own
        )
        return per_message

    @property
    def bits(self) -> int:
        return int(self._tally[0])

    @property
    def square_bits(self) -> int:
        return int(self._tally[1])

    @property
    def messages(self) -> int:
        return int(self._tally[2])


def code_map(to_code: np.ndarray) -> np.ndarray:
    """``to_code`` for the compiled passes: empty when the colours are numbered as the code's
    symbols (the identity map, skipped)."""
    to_code = np.ascontiguousarray(to_code, dtype=np.int64)
    return _IDENTITY if np.array_equal(to_code, np.arange(to_code.size)) else to_code


_IDENTITY = np.zeros(0, dtype=np.int64)


class StreamLinkEncoder(_Tally):
    """A stream coder behind the :class:`LinkEncoder` interface.

    ``to_code`` maps the link's colour indices to the code's source indices.
    A coder with an ``encode_link`` method (the block code's) does a whole
    chunk in one compiled pass (colours counted and mapped, coded, tallied)
    unless an observer wants the code symbols; the others get the code
    symbols counted and mapped in one pass (:func:`sk.count_colours`). The
    same bits and tally either way.
    """

    def __init__(self, codec: StreamCodec, to_code: np.ndarray, points: np.ndarray) -> None:
        super().__init__(points)
        self._coder = codec.encoder()
        self._map = code_map(to_code)
        self._largest = 0
        self._units = np.zeros(0, dtype=np.int64)  # 0, 1, 2, …: one unit per message, reused
        self.colour_counts = np.zeros(to_code.size, dtype=np.int64)
        #: Called with each chunk's symbols (code indices) once it is encoded (e.g. a learning tally).
        self.observers: list[Callable[[np.ndarray], None]] = []

    def chunk(self, symbols: np.ndarray, last: bool) -> Encoded:
        fused = getattr(self._coder, "encode_link", None)
        if fused is not None and not self.observers:
            words, nbits, per_message, largest = fused(symbols, self._map, self.colour_counts, last, self)
            self._largest = max(self._largest, largest)
        else:
            words, nbits, per_message = self._chunk(symbols, last)
            if per_message.size:
                self._largest = max(self._largest, int(per_message.max()))
        if self._units.size < per_message.size:
            self._units = np.arange(max(per_message.size, 2 * self._units.size), dtype=np.int64)
        return Encoded(words, nbits, self._units[: per_message.size], per_message)

    def _chunk(self, symbols: np.ndarray, last: bool) -> tuple[np.ndarray, int, np.ndarray]:
        symbols = np.ascontiguousarray(symbols, dtype=np.int64)
        if self._map.size:
            code_symbols = np.empty(symbols.size, dtype=np.int64)
            sk.count_colours(symbols, self._map, self.colour_counts, code_symbols)
        else:  # colours numbered as the code's symbols: counted only
            sk.count_colours(symbols, self._map, self.colour_counts, _IDENTITY)
            code_symbols = symbols
        if hasattr(self._coder, "encode_own"):  # each message marked with its own bits, if ``own``
            words, nbits, marks, own = self._coder.encode_own(code_symbols)
        else:
            words, nbits, marks = self._coder.encode_marked(code_symbols)
            own = False
        for observe in self.observers:
            observe(code_symbols)
        tail_bits = 0
        if last:
            tail = self._coder.finish()
            words, nbits = join_bits((words, nbits), tail)
            tail_bits = tail[1]  # carried by the last message (none if the chunk is empty)
        return words, nbits, self.add_marks(np.asarray(marks, dtype=np.int64), tail_bits, own)

    @property
    def max_message_bits(self) -> int:
        return self._largest


def link_codec(link: Link) -> StreamCodec | None:
    """A link's stream codec (None for a symbol code): restarting at every telegram when the link
    has parity per telegram (:attr:`sim.model.records.Link.restarts`)."""
    stream = CODE_KINDS[link.code_type].stream
    if stream is None:
        return None
    if link.restarts and stream.restart is not None:
        return stream.restart(link.stream, link.telegram)
    return stream.codec(link.stream)


def link_coders(
    code: Code, stream: StreamCodec | None, colours: tuple[str, ...], messages: int, points: np.ndarray
) -> tuple[LinkEncoder, LinkDecoder]:
    """A link's encoder and decoder: the stream code's when it has one, else the symbol code's."""
    if stream is None:
        index = {s: i for i, s in enumerate(code.symbols)}
        to_code = np.array([index.get(c, -1) for c in colours], dtype=np.int64)
        return SymbolLinkEncoder(code, colours, points), SymbolLinkDecoder(code, to_code)
    source = stream.symbols
    index = {s: i for i, s in enumerate(source)}
    to_code = np.array([index.get(c, -1) for c in colours], dtype=np.int64)
    return StreamLinkEncoder(stream, to_code, points), stream.decoder(messages, to_code)


class SequenceDecoder:
    """A stream decoder behind the :class:`LinkDecoder` interface: decoded symbols are
    compared, message by message, with those sent (``to_code`` maps colours to code indices)."""

    def __init__(self, decoder: StreamDecoder, to_code: np.ndarray) -> None:
        self._decoder = decoder
        self.stream = decoder  # the compiled decoder itself (a noisy line's judge drives it directly)
        self._map = code_map(to_code)
        self._sent: deque[np.ndarray] = deque()  # colours sent, not yet decoded (the first from _start)
        self._start = 0
        self._waiting = 0
        self.mismatches = 0
        self.decoded = 0

    def feed(
        self,
        words: np.ndarray,
        nbits: int,
        sent: np.ndarray,
        last: bool = False,
        lanes: np.ndarray | None = None,
    ) -> int:
        if sent.size:
            self._sent.append(np.ascontiguousarray(sent, dtype=np.int64))
        self._waiting += sent.size
        out = self._decoder.feed(words, nbits)
        if last:
            tail = self._decoder.finish()
            if tail.size:
                out = np.concatenate((out, tail))
        done = 0  # decoded messages compared, each with its colour's code symbol (compiled)
        while done < out.size and self._sent:
            head = self._sent[0]
            n = min(out.size - done, head.size - self._start)
            self.mismatches += int(sk.count_mismatches(out, done, head, self._start, n, self._map))
            done += n
            self._start += n
            if self._start == head.size:
                self._sent.popleft()
                self._start = 0
        self.mismatches += out.size - done  # decoded past what was sent
        self._waiting -= done
        self.decoded += done
        return int(out.size)

    @property
    def pending(self) -> int:
        return 0

    @property
    def awaiting(self) -> int:
        return self._waiting


class SymbolLinkEncoder(Encoder):
    """A symbol code's :class:`bitcodec.Encoder` behind the :class:`LinkEncoder` interface."""

    def chunk(self, symbols: np.ndarray, last: bool) -> Encoded:
        words, nbits, lanes = self.encode_with_lanes(symbols)  # counts the colours too
        return Encoded(words, nbits, symbols, self.lengths, lanes=lanes)

    @property
    def max_message_bits(self) -> int:
        return self.max_length


class SymbolLinkDecoder(Decoder):
    """A symbol code's :class:`bitcodec.Decoder` behind the :class:`LinkDecoder` interface."""

    def feed(
        self,
        words: np.ndarray,
        nbits: int,
        sent: np.ndarray,
        last: bool = False,
        lanes: np.ndarray | None = None,
    ) -> int:
        return super().feed(words, nbits, sent, lanes=lanes)
