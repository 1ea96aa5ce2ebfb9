"""Judges on a noisy line: decode damaged bits with any code kind and count what went wrong.

A *judge* decodes the bits that reach Australia (after noise and any channel
decoder), compares what it decodes with what India sent, and keeps the
error statistics the results need. Every judge has the same face:
``judge(words, nbits, sent, last)`` takes a chunk of received bits and the
messages (colour indices) whose bits it carries, state carried across chunks
(any chunking gives the same numbers), and ``wrong``, ``events``,
``unresolved``, ``hist``, ``resync_mean``, ``resync_p95``, ``resync_max`` and
``dead_ends`` report. Which judge a link gets is its codec's business
(:attr:`sim.engine.codec.StreamCodec.judge`); none is chosen by a kind's name:

* a symbol code: :class:`sim.engine.noise.TolerantDecoder` (message by message,
  by bit position);
* a block code: :class:`BlockJudge`, the same tolerant decoder on the blocks'
  Huffman code; a ball is wrong when its block is;
* a Tunstall code: :class:`WordJudge`, m bits at a time (the receiver knows
  every codeword has m bits, so it never loses step); a ball is wrong when its
  dictionary word is, and a word outside the dictionary is a dead end;
* any other stream code (arithmetic, adaptive): :class:`SequenceJudge`, the
  codec's own decoder, compared ball by ball in order. An arithmetic decoder
  has no codeword boundaries to find again: after the first damaged bit it
  works from a wrong interval to the end of the run (docs/theory.md), so its
  error event never closes.

>>> import numpy as np
>>> from coding import Distribution, tunstall
>>> code = tunstall(Distribution.from_counts({"a": 3, "b": 1}), bits=2)
>>> code.words
(('a', 'a', 'a'), ('a', 'a', 'b'), ('a', 'b'), ('b',))
>>> from sim.engine.bitcodec import from_bits
>>> judge = WordJudge(code, np.array([0, 1]))
>>> sent = np.array([0, 0, 1, 1, 0, 1])                # aab b ab = 01 11 10
>>> received = np.array([0, 1, 0, 1, 1, 0], np.uint8)   # the third bit flipped: 01 01 10
>>> judge.judge(*from_bits(received), sent, last=True)
>>> judge.wrong, judge.events, judge.resync_max         # word "b" read as "aab": one ball wrong
(1, 1, 1)
"""

from __future__ import annotations

import math
from typing import Protocol

import numpy as np

from coding import ArithmeticCode, BlockCode, TunstallCode
from sim.engine import stream_kernels as sk
from sim.engine.bitcodec import to_bits
from sim.engine.noise import TolerantDecoder, p95

#: Bins of a resynchronisation histogram (the last: that length or more).
RESYNC_BINS = 256


class Judge(Protocol):
    """What the noisy receiver needs of a decoder that judges its own output."""

    def judge(self, words: np.ndarray, nbits: int, sent: np.ndarray, last: bool = False) -> None: ...

    @property
    def wrong(self) -> int: ...
    @property
    def events(self) -> int: ...
    @property
    def unresolved(self) -> int: ...
    @property
    def hist(self) -> np.ndarray: ...
    @property
    def resync_mean(self) -> float: ...
    @property
    def resync_p95(self) -> float: ...
    @property
    def resync_max(self) -> int: ...
    @property
    def dead_ends(self) -> int: ...


class Runs:
    """Runs of wrong units (blocks, words) as error events, their lengths counted in messages.

    ``add(wrong, weight)`` takes the next units in order: which are wrong and
    how many messages each carries. A run closes when a right unit follows.
    """

    def __init__(self, bins: int = RESYNC_BINS) -> None:
        self.hist = np.zeros(bins, dtype=np.int64)
        self.events = 0
        self.total = 0
        self.longest = 0
        self.open = 0  # messages in the run still open

    def _close(self) -> None:
        self.hist[min(self.open, self.hist.size - 1)] += 1
        self.events += 1
        self.total += self.open
        self.longest = max(self.longest, self.open)
        self.open = 0

    def add(self, wrong: np.ndarray, weight: np.ndarray) -> None:
        n = wrong.size
        if n == 0:
            return
        hit = np.flatnonzero(wrong)
        if hit.size == 0:
            if self.open:
                self._close()
            return
        # segments of consecutive wrong units: [starts[i], ends[i]]
        breaks = np.flatnonzero(np.diff(hit) > 1)
        starts = np.concatenate(([hit[0]], hit[breaks + 1]))
        ends = np.concatenate((hit[breaks], [hit[-1]]))
        sums = np.add.reduceat(weight[hit], np.concatenate(([0], breaks + 1)))
        if self.open and starts[0] > 0:
            self._close()
        for a, b, s in zip(starts.tolist(), ends.tolist(), sums.tolist()):
            if self.open and a > 0:
                self._close()
            self.open += int(s)
            if b < n - 1:
                self._close()

    @property
    def mean(self) -> float:
        return self.total / self.events if self.events else math.nan


class RunJudge:
    """The error-event figures of a judge that keeps its events in ``self._runs`` (:class:`Runs`)."""

    _runs: Runs

    @property
    def events(self) -> int:
        return self._runs.events

    @property
    def unresolved(self) -> int:
        return self._runs.open

    @property
    def hist(self) -> np.ndarray:
        return self._runs.hist

    @property
    def resync_mean(self) -> float:
        return self._runs.mean

    @property
    def resync_p95(self) -> float:
        return p95(self._runs.hist, self._runs.events)

    @property
    def resync_max(self) -> int:
        return self._runs.longest


class BlockJudge:
    """A block code through noise: the tolerant decoder on its blocks' Huffman code.

    The sent balls are folded into blocks as India folded them (a reference
    :class:`sim.engine.stream_kernels.BlockEncoder`, the last block padded);
    the decoder judges blocks by bit position like any prefix code. Counts
    are in balls: a ball is wrong when its block is (so an event of r blocks
    is r·k balls long).
    """

    def __init__(self, code: BlockCode, to_code: np.ndarray) -> None:
        self.k = code.order
        self._reference = sk.BlockEncoder(code)
        self._decoder = TolerantDecoder(code.code)
        self._to_code = to_code
        self._fed = 0

    def judge(self, words: np.ndarray, nbits: int, sent: np.ndarray, last: bool = False) -> None:
        self._fed += sent.size
        blocks = self._reference.push(self._to_code[sent])
        if last:
            blocks = np.concatenate((blocks, self._reference.finish()))
        self._decoder.feed(words, nbits, blocks)

    @property
    def wrong(self) -> int:
        """Balls not delivered right: in wrong blocks, or not yet decoded."""
        return self._fed - min(self._decoder.good * self.k, self._fed)

    @property
    def events(self) -> int:
        return self._decoder.events

    @property
    def unresolved(self) -> int:
        return self._decoder.unresolved * self.k

    @property
    def hist(self) -> np.ndarray:
        out = np.zeros(RESYNC_BINS, dtype=np.int64)
        h = self._decoder.hist
        r = np.arange(h.size)
        np.add.at(out, np.minimum(r * self.k, RESYNC_BINS - 1), h)
        return out

    @property
    def resync_mean(self) -> float:
        return self._decoder.resync_mean * self.k

    @property
    def resync_p95(self) -> float:
        return p95(self.hist, self.events)

    @property
    def resync_max(self) -> int:
        return self._decoder.resync_max * self.k

    @property
    def dead_ends(self) -> int:
        return self._decoder.dead_ends


class WordJudge(RunJudge):
    """A Tunstall code through noise: m bits per word, judged word by word; counts in balls.

    The receiver reads m bits at a time, so a flip damages exactly one word
    and the next word is read in step: every error event is one word long
    (more when flips hit neighbouring words). A received word outside the
    dictionary (when it has fewer than 2^m words) decodes to nothing and is
    counted as a dead end. The sent words come from a reference
    :class:`sim.engine.stream_kernels.TunstallEncoder` fed the sent balls.
    """

    def __init__(self, code: TunstallCode, to_code: np.ndarray) -> None:
        self.m = code.bits
        self._size = np.array([len(w) for w in code.words], dtype=np.int64)
        self._reference = sk.TunstallEncoder(code)
        self._to_code = to_code
        self._weights = 1 << np.arange(self.m - 1, -1, -1, dtype=np.int64)
        self._got_bits = np.zeros(0, dtype=np.uint8)
        self._got = np.zeros(0, dtype=np.int64)
        self._want = np.zeros(0, dtype=np.int64)
        self._runs = Runs()
        self._fed = 0
        self._judged = 0  # balls in judged words (the last word's padding not counted)
        self._bad = 0
        self._dead = 0
        self.words = 0  # words judged …
        self.wrong_words = 0  # … and decoded wrongly

    def _values(self, bits: np.ndarray) -> np.ndarray:
        whole = bits.size // self.m * self.m
        return np.asarray(bits[:whole].reshape(-1, self.m).astype(np.int64) @ self._weights, dtype=np.int64)

    def judge(self, words: np.ndarray, nbits: int, sent: np.ndarray, last: bool = False) -> None:
        self._fed += sent.size
        ref, ref_n = self._reference.encode(self._to_code[sent])
        want = [self._want, self._values(to_bits(ref, ref_n))]
        if last:
            want.append(self._values(to_bits(*self._reference.finish())))
        self._want = np.concatenate(want)
        bits = np.concatenate((self._got_bits, to_bits(words, nbits)))
        got = self._values(bits)
        self._got_bits = bits[got.size * self.m :]
        self._got = np.concatenate((self._got, got))
        n = min(self._got.size, self._want.size)
        got, want_now = self._got[:n], self._want[:n]
        self._got, self._want = self._got[n:], self._want[n:]
        balls = self._size[want_now]
        if last and n and self._want.size == 0:  # the last word's padding balls were never sent
            balls[-1] -= max(0, self._judged + int(balls.sum()) - self._fed)
        wrong = got != want_now
        self._dead += int(np.count_nonzero(got >= self._size.size))
        self._bad += int(balls[wrong].sum())
        self._judged += int(balls.sum())
        self.words += n
        self.wrong_words += int(np.count_nonzero(wrong))
        self._runs.add(wrong, balls)

    @property
    def wrong(self) -> int:
        """Balls not delivered right: in wrong words, or not yet judged."""
        return self._bad + self._fed - self._judged

    @property
    def dead_ends(self) -> int:
        return self._dead


class TelegramJudge(RunJudge):
    """A restarting arithmetic code through noise (parity per telegram): telegram by telegram.

    The coder restarts at every telegram, so each kept telegram is decoded on
    its own from a fresh interval (:class:`sim.engine.stream_kernels.TelegramArithmeticDecoder`)
    and compared ball by ball with what was sent; a lost telegram (failed
    parity) is skipped, its balls counted lost by the receiver, not here. An
    undetected error (an even number of flips) spoils at most its own
    telegram: an error event is a run of telegrams with wrong balls, its
    length the wrong balls in it.
    """

    def __init__(self, code: ArithmeticCode, to_code: np.ndarray) -> None:
        self._decoder = sk.TelegramArithmeticDecoder(code)
        self._to_code = to_code
        self._runs = Runs()
        self._bad = 0

    def judge(self, words: np.ndarray, nbits: int, sent: np.ndarray, last: bool = False) -> None:
        raise TypeError("a restarting code is judged telegram by telegram (feed_telegrams)")

    def feed_telegrams(
        self, words: np.ndarray, tel_bits: np.ndarray, tel_msgs: np.ndarray, lost: np.ndarray,
        damaged: np.ndarray, sent: np.ndarray,
    ) -> None:  # fmt: skip
        out = self._decoder.decode(words, tel_bits, tel_msgs, lost)
        wrong = (out != self._to_code[sent]) & (out >= 0)  # a lost telegram's balls (−1) are not judged here
        if tel_msgs.size == 0:
            return
        per = np.add.reduceat(wrong.astype(np.int64), np.concatenate(([0], np.cumsum(tel_msgs)[:-1])))
        per[tel_msgs == 0] = 0
        self._bad += int(per.sum())
        kept = ~lost
        self._runs.add(per[kept] > 0, per[kept])

    @property
    def wrong(self) -> int:
        return self._bad

    @property
    def dead_ends(self) -> int:
        return 0


class Decoding(Protocol):
    """A stream decoder's receiving half (:class:`sim.engine.codec.StreamDecoder`)."""

    def feed(self, words: np.ndarray, nbits: int) -> np.ndarray: ...

    def finish(self) -> np.ndarray: ...


class SequenceJudge:
    """Any stream decoder through noise: its output compared with the sent balls, in order.

    The decoder is the codec's own (told the run's ball count, it never emits
    more, and it takes any bits). Without codeword boundaries there is
    nothing to find again: once a ball is wrong the decoder's state has left
    the sender's, and the balls after it are right only by chance. So one
    error event opens at the first wrong ball and stays open (``unresolved``
    counts the balls since); ``first_error`` is its index, -1 if none.
    """

    def __init__(self, decoder: Decoding, to_code: np.ndarray) -> None:
        self._decoder = decoder
        self._to_code = to_code
        self._sent = np.zeros(0, dtype=np.int64)
        self._out = np.zeros(0, dtype=np.int64)
        self._decided = 0
        self._bad = 0
        self._fed = 0
        self.first_error = -1
        self.hist = np.zeros(RESYNC_BINS, dtype=np.int64)

    def judge(self, words: np.ndarray, nbits: int, sent: np.ndarray, last: bool = False) -> None:
        self._fed += sent.size
        self._sent = np.concatenate((self._sent, self._to_code[sent]))
        # Garbage may decide balls before their own bits arrive: those wait for their sent balls.
        out = np.concatenate((self._out, self._decoder.feed(words, nbits)))
        if last:
            out = np.concatenate((out, self._decoder.finish()))
        take = min(out.size, self._sent.size)
        wrong = np.flatnonzero(out[:take] != self._sent[:take])
        if wrong.size and self.first_error < 0:
            self.first_error = self._decided + int(wrong[0])
        self._bad += int(wrong.size)
        self._decided += take
        self._sent = self._sent[take:]
        self._out = out[take:]

    @property
    def wrong(self) -> int:
        return self._bad + self._fed - self._decided

    @property
    def events(self) -> int:
        return 0

    @property
    def unresolved(self) -> int:
        return self._fed - self.first_error if self.first_error >= 0 else 0

    @property
    def resync_mean(self) -> float:
        return math.nan

    @property
    def resync_p95(self) -> float:
        return math.nan

    @property
    def resync_max(self) -> int:
        return 0

    @property
    def dead_ends(self) -> int:
        return 0
