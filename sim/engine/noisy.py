"""Australia's receiver on a noisy line: channel code, noise, channel decoder, tolerant source decoder.

One class, :class:`NoisyReceiver`, takes the place of
:class:`sim.engine.stations.Receiver` for a link whose line has ``noise``.
Each batch's clean bits (as India encoded them) pass, in order,

    channel encoder (if the link has ``channel``) -> noise -> channel decoder -> judge

all streaming with their state carried across batches, so any chunking gives
the same numbers. The noise draws from the link's reserved noise stream.
The clean bits are kept just long enough to count the bits (and channel
blocks) that reach the source decoder wrong: ``channel_bit_error_rate``.
The judge decodes and counts what went wrong (:func:`judge_for`: the
tolerant prefix decoder for a symbol code, the codec's own judge for a
stream code, :mod:`sim.engine.noisy_stream`).

Parity per telegram (``channel: {type: parity}``) works on whole telegrams
instead: each batch's telegrams (``link.telegram`` messages each) are framed
with their parity bit, damaged, and checked; a telegram that fails is
dropped and its messages counted lost (``lost_telegrams``,
``lost_messages``), and the decoder restarts at the root on every
telegram's first bit (:meth:`sim.engine.noise.TolerantDecoder.feed_telegrams`; an
arithmetic code restarts at every telegram and its judge decodes each on its
own, :class:`sim.engine.noisy_stream.TelegramJudge`).
Parity per block (``{type: parity, bits: k}``) detects but cannot correct:
a failed block's bits pass on as received and the block is counted in
``detected_blocks``; the messages those bits carry are judged like any
other, so a detected error still shows in the message error rate.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import simpy

from sim.engine.bitcodec import to_bits
from sim.engine.codec import SequenceDecoder, StreamCodec, link_coders, telegram_sizes
from sim.engine.noise import ChannelCoder, Noise, TolerantDecoder
from sim.engine.noisy_stream import Judge, SequenceJudge, TelegramJudge
from sim.engine.stations import Batch
from sim.model.noise_kinds import Bsc
from sim.model.records import Link
from sim.model.results import LinkErrors


class NoisyReceiver:
    """Decode through noise; count message errors, error events, resynchronisation lengths, bit errors."""

    def __init__(
        self,
        env: simpy.Environment | None,
        link: Link,
        codec: StreamCodec | None,
        count: int,
        rng: np.random.Generator,
    ) -> None:
        assert link.line.noise is not None
        self.env = env
        self.link, self.codec = link, codec
        kind = link.line.noise
        self.noise: Noise = getattr(Noise, kind.type)(**kind.params(), rng=rng)  # Noise.bsc(flip=…, rng=…)
        # Parity per telegram frames whole telegrams (framed below); every other code wraps the stream.
        self.framed = link.channel is not None and link.channel.per_telegram
        block_code = link.channel is not None and not self.framed
        self.coder = ChannelCoder(link.channel.build()) if block_code and link.channel is not None else None
        self.block = self.coder.code.k if self.coder is not None else 1
        self.decoder = judge_for(link, codec, count)
        self.flip = link.line.noise.bit_flip()
        self.channel = (
            self.coder.code.name if self.coder is not None else ("parity-telegram" if self.framed else "")
        )
        # Codeword lengths by colour: what each message carries when the batch does not say.
        self.lengths = np.array(
            [len(link.code.codewords.get(c, "")) for c in link.urn.counts], dtype=np.int64
        )
        self.telegrams = self.lost_telegrams = self.undetected_telegrams = self.lost_messages = 0
        self.messages = 0
        self.last_delivery = 0.0
        self.channel_bits = 0  # bits on the wire (channel code and padding included)
        self.bit_errors = 0  # source bits the decoder received wrong
        self.block_errors = 0  # channel-code data blocks with a wrong bit
        self._last_bad_block = -1
        self._clean = np.zeros(0, dtype=np.uint8)
        self._compared = 0
        self._source_bits = 0

    def _pass(self, words: np.ndarray, nbits: int) -> tuple[np.ndarray, int]:
        """Through the channel: encode, damage, decode."""
        if self.coder is not None:
            words, nbits = self.coder.encode(words, nbits)
        self.channel_bits += nbits
        self.noise.apply(words, nbits)
        if self.coder is not None:
            words, nbits = self.coder.decode(words, nbits)
        return words, nbits

    def take(self, batch: Any) -> None:
        if self.framed:
            self._take_telegrams(batch)
        elif self.coder is None:  # no channel code: the damaged words line up with the clean ones
            words = batch.words.copy()
            self.channel_bits += batch.nbits
            self.noise.apply(words, batch.nbits)
            self._count_flips(words, batch.words, batch.nbits)
            self.decoder.judge(words, batch.nbits, batch.symbols, batch.last)
        else:
            self._clean = np.concatenate((self._clean, to_bits(batch.words, batch.nbits)))
            self._source_bits += batch.nbits
            words, nbits = self._pass(batch.words, batch.nbits)
            tail = self.coder.flush() if batch.last else (words[:0], 0)
            self._receive(words, nbits, batch.symbols, batch.last and tail[1] == 0)
            if tail[1]:
                words, nbits = self._pass(*tail)
                self._receive(words, nbits, batch.symbols[:0], True)
        self.messages += batch.symbols.size
        if self.env is not None:  # None: a run outside SimPy (the quick runs)
            self.last_delivery = self.env.now

    def _take_telegrams(self, batch: Any) -> None:
        """Parity per telegram: each telegram and its parity bit cross the noise; a failed one is dropped.

        A batch holds whole telegrams of ``link.telegram`` messages (the last
        may be short). On the wire a telegram's bits are followed by its
        even-parity bit. Noise damages bits without looking at them (an
        erasure reads as 0 whatever was sent), so the damage is drawn on a
        blank wire of the same length, as the same uniforms in the same order
        would damage the real one; it is sparse, and only the damaged bits are
        looked at: a telegram fails its check when an odd number of its bits
        (its parity bit included) changed.
        """
        units, unit_bits = batch.carried(self.lengths)
        tel_bits, tel_msgs = telegram_sizes(unit_bits[units], self.link.telegram)
        ntel = tel_bits.size
        nbits = batch.nbits + ntel
        self.channel_bits += nbits
        blank = np.zeros(nbits // 64 + 2, dtype=np.uint64)
        erased = self.noise.apply(blank, nbits)
        hit = _ones(blank if erased is None else erased)  # wire positions flipped (or erased)
        wire_end = np.cumsum(tel_bits + 1)  # a telegram's parity bit is at wire_end − 1
        tel = np.searchsorted(wire_end, hit, side="right")
        parity = hit == wire_end[tel] - 1
        data = hit - tel  # data position: the wire position less the parity bits before it
        if erased is not None:  # an erased bit changed only if it was sent as 1
            clean = _bits_at(batch.words, np.where(parity, 0, data))
            start = wire_end[tel] - tel_bits[tel] - 1 - tel  # the telegram's first data bit
            sent_parity = _ones_between(batch.words, batch.nbits, start, start + tel_bits[tel]) & 1
            changed = np.where(parity, sent_parity, clean) == 1
            tel, parity, data = tel[changed], parity[changed], data[changed]
        wrong = data[~parity]
        received = batch.words.copy()
        np.bitwise_xor.at(
            received, wrong >> 6, np.left_shift(np.uint64(1), (63 - (wrong & 63)).astype(np.uint64))
        )
        lost = (np.bincount(tel, minlength=ntel) & 1).astype(np.bool_)
        damaged = np.zeros(ntel, dtype=np.bool_)
        damaged[tel[~parity]] = True
        self.bit_errors += wrong.size
        self._compared += batch.nbits
        self.block_errors += int(
            np.count_nonzero(damaged | lost)
        )  # a flipped parity bit alone is an error too
        self.telegrams += ntel
        self.lost_telegrams += int(np.count_nonzero(lost))
        self.undetected_telegrams += int(np.count_nonzero(damaged & ~lost))
        self.lost_messages += int(tel_msgs[lost].sum())
        # Parity per telegram: a symbol code's tolerant decoder, or a restarting code's judge (records).
        assert isinstance(self.decoder, (TolerantDecoder, TelegramJudge))
        self.decoder.feed_telegrams(received, tel_bits, tel_msgs, lost, damaged, batch.symbols)

    def _count_flips(self, damaged: np.ndarray, clean: np.ndarray, nbits: int) -> None:
        """Bit errors of a chunk without a channel code (a block is one bit): popcount of the XOR."""
        used = -(-nbits // 64)
        diff = np.bitwise_xor(damaged[:used], clean[:used])
        hit = np.flatnonzero(diff)
        if hit.size:
            wrong = int(np.unpackbits(diff[hit].view(np.uint8)).sum())
            self.bit_errors += wrong
            self.block_errors += wrong
        self._compared += nbits

    def _receive(self, words: np.ndarray, nbits: int, sent: np.ndarray, last: bool) -> None:
        nbits = min(nbits, self._source_bits - self._compared)  # padding of the last block is not data
        got = to_bits(words, nbits)
        wrong = np.flatnonzero(got != self._clean[:nbits])
        self.bit_errors += wrong.size
        if wrong.size:
            blocks = np.unique((wrong + self._compared) // self.block)
            self.block_errors += int(np.count_nonzero(blocks != self._last_bad_block))
            self._last_bad_block = int(blocks[-1])
        self._clean = self._clean[nbits:]
        self._compared += nbits
        self.decoder.judge(words, nbits, sent, last)

    @property
    def wrong_messages(self) -> int:
        """Messages decoded wrongly, lost, or never decoded (their bits ended mid-codeword)."""
        return self.decoder.wrong + self.lost_messages

    @property
    def mismatches(self) -> int:
        return self.wrong_messages

    def errors(self) -> LinkErrors:
        """The ``errors`` block of a link in summary.json."""
        d, n = self.decoder, self.messages
        k = self.block
        return LinkErrors(
            message_error_rate=self.wrong_messages / n if n else math.nan,
            wrong_messages=self.wrong_messages,
            error_events=d.events + (1 if d.unresolved else 0),
            resync_mean=d.resync_mean,
            resync_p95=d.resync_p95,
            resync_max=d.resync_max,
            channel_bit_error_rate=self.bit_errors / self._compared if self._compared else math.nan,
            bit_errors=self.bit_errors,
            data_bits=self._compared,
            block_errors=self.block_errors,
            blocks=self.telegrams if self.framed else -(-self._compared // k),
            channel_bits=self.channel_bits,
            noise_hits=self.noise.hits,
            detected_blocks=self.coder.detected if self.coder is not None else self.lost_telegrams,
            dead_ends=d.dead_ends,
            flip=self.flip,
            channel=self.channel,
            resync_hist=tuple(self.resync_histogram()),
            quick_flips=QUICK_FLIPS,
            quick_error_rates=quick_error_rates(self.link, self.codec),
            words=getattr(d, "words", 0),  # a Tunstall code's judge counts its words
            wrong_words=getattr(d, "wrong_words", 0),
            first_error=getattr(d, "first_error", -1),  # a judge that never regains step
            telegrams=self.telegrams,
            lost_telegrams=self.lost_telegrams,
            undetected_telegrams=self.undetected_telegrams,
            lost_messages=self.lost_messages,
            undetected_messages=self.wrong_messages - self.lost_messages if self.framed else 0,
        )

    def resync_histogram(self) -> list[int]:
        """Events by resynchronisation length (index = length; the last bin: that length or more)."""
        h = self.decoder.hist
        last = int(np.flatnonzero(h)[-1]) + 1 if h.any() else 1
        return [int(x) for x in h[:last]]


def _ones(words: np.ndarray) -> np.ndarray:
    """Positions of the one bits of packed words (most significant bit first), in order."""
    hit = np.flatnonzero(words)
    if hit.size == 0:
        return hit
    rows, cols = np.nonzero(np.unpackbits(words[hit].byteswap().view(np.uint8)).reshape(hit.size, 64))
    return np.asarray(hit[rows] * 64 + cols, dtype=np.int64)


def _bits_at(words: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """The bits of packed words at positions ``pos``."""
    return np.asarray((words[pos >> 6] >> (63 - (pos & 63)).astype(np.uint64)) & np.uint64(1), dtype=np.int64)


def _ones_between(words: np.ndarray, nbits: int, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Number of one bits in each range [start, end) of the first ``nbits`` bits of packed words."""
    if start.size == 0:
        return start
    ones = np.concatenate(([0], np.cumsum(to_bits(words, nbits), dtype=np.int64)))
    return np.asarray(ones[end] - ones[start], dtype=np.int64)


#: The flip probabilities of the quick runs behind the report's ε figure, and messages per run.
QUICK_FLIPS = (1e-4, 1e-3, 1e-2, 5e-2)
QUICK_MESSAGES = 20_000


def quick_error_rates(link: Link, codec: StreamCodec | None, seed: int = 1948) -> tuple[float, ...]:
    """Message error rates of ``link``'s code and channel code over a BSC at each of :data:`QUICK_FLIPS`.

    Short runs (:data:`QUICK_MESSAGES` draws with replacement from the link's
    urn, one batch through a :class:`NoisyReceiver`), seeded by ``seed`` and
    the point's index alone: the same figure for every run of the scenario.
    Unsent (unjudged) messages count as wrong.
    """
    q = link.urn.distribution
    colours = tuple(link.urn.counts)
    p = np.array([q[c] for c in colours])
    out = []
    for i, eps in enumerate(QUICK_FLIPS):
        rng = np.random.default_rng([seed, i])
        sym = rng.choice(p.size, size=QUICK_MESSAGES, p=p / p.sum()).astype(np.int64)
        encoder, _ = link_coders(link.code, codec, colours, QUICK_MESSAGES, np.array([1], dtype=np.int64))
        sent = encoder.chunk(sym, True)
        quick = dataclasses.replace(link, line=dataclasses.replace(link.line, noise=Bsc(eps)))
        rx = NoisyReceiver(None, quick, codec, QUICK_MESSAGES, rng)
        rx.take(Batch(sym, np.zeros(sym.size), sent.words, sent.nbits, True, sent.units, sent.unit_bits))
        out.append(rx.wrong_messages / QUICK_MESSAGES)
    return tuple(out)


def judge_for(link: Link, codec: StreamCodec | None, count: int) -> Judge:
    """The decoder that judges ``link``'s messages on a noisy line (see :mod:`sim.engine.noisy_stream`).

    A symbol code gets the tolerant prefix decoder; a stream code its codec's
    judge, or, without one, its own decoder compared ball by ball in order.
    """
    colours = tuple(link.urn.counts)
    symbols = link.code.symbols if codec is None else codec.symbols
    index = {s: i for i, s in enumerate(symbols)}
    to_code = np.array([index.get(c, -1) for c in colours], dtype=np.int64)
    if codec is None:
        return TolerantDecoder(link.code, to_code)
    if codec.judge is not None:
        return codec.judge(count, to_code)
    decoder = codec.decoder(count, to_code)
    if not isinstance(decoder, SequenceDecoder):
        raise TypeError("a stream codec without a judge must decode through a SequenceDecoder")
    return SequenceJudge(decoder.stream, to_code)
