"""A noisy line at library level: noise, channel codes and a receiver that keeps going.

Three stateful objects around the compiled loops of :mod:`sim.engine.noise_kernels`,
each fed packed words chunk by chunk (as :class:`sim.engine.bitcodec.Encoder` makes
them) and giving the same result for any chunking:

* :class:`Noise` damages packed bits: ``Noise.bsc(flip, rng)``,
  ``Noise.erasure(erase, rng)``, ``Noise.gilbert_elliott(..., rng)``;
* :class:`ChannelCoder` wraps a channel code of :mod:`coding.channel`
  (repetition, Hamming(7,4), parity) around packed bits;
* :class:`TolerantDecoder` decodes a prefix code through errors and reports
  the message error rate, the error events and their resynchronisation
  lengths.

>>> import numpy as np
>>> from coding import Code
>>> from sim.engine.bitcodec import from_bits
>>> code = Code({"a": "0", "b": "10", "c": "11"})
>>> sent = np.array([0, 1, 2, 0, 0, 1], dtype=np.int64)     # a b c a a b = 0 10 11 0 0 10
>>> words, nbits = from_bits(np.array([0, 1, 0, 1, 1, 0, 0, 1, 0], dtype=np.uint8))
>>> words[0] ^= np.uint64(1 << 62)                          # flip the second bit: 0 00 11 0 0 10
>>> rx = TolerantDecoder(code)
>>> rx.feed(words, nbits, sent)
6
>>> rx.bad, rx.events, rx.resync_max                        # "b" lost: one event of one message
(1, 1, 1)
"""

from __future__ import annotations

import numpy as np

from coding import Code
from coding._validate import check_probability
from coding.channel import Hamming74, Parity, Repetition
from sim.engine import noise_kernels as nk

#: Uniforms are drawn in blocks of this size, whatever the chunking.
UNIFORM_BLOCK = 4096
#: Bits the decoder's primary table looks up at once.
PRIMARY_BITS = 12


def p95(hist: np.ndarray, events: int) -> float:
    """95th percentile of event lengths from their histogram (``inf`` when in the last, open bin)."""
    if not events:
        return float("nan")
    r = int(np.searchsorted(np.cumsum(hist), 0.95 * events))
    return float("inf") if r >= hist.size - 1 else float(r)


class Noise:
    """Gilbert–Elliott noise on packed bits (BSC and erasures are its one-state cases).

    ``apply(words, nbits)`` damages the bits in place and returns the erasure
    mask (packed like the words) or None for a flipping channel. Uniforms
    come from ``rng`` in blocks of :data:`UNIFORM_BLOCK`, consumed in the
    order the bits pass, so any chunking gives the same damage.

    >>> import numpy as np
    >>> noise = Noise.bsc(1.0, np.random.default_rng(1))
    >>> words = np.array([0, 0], dtype=np.uint64)
    >>> _ = noise.apply(words, 4)
    >>> hex(int(words[0])), noise.hits
    ('0xf000000000000000', 4)
    """

    def __init__(
        self,
        rng: np.random.Generator,
        *,
        good_flip: float,
        bad_flip: float = 0.0,
        to_bad: float = 0.0,
        to_good: float = 0.0,
        erase: bool = False,
    ) -> None:
        self.params = np.array(
            [
                1.0 if erase else 0.0,
                check_probability("good_flip", good_flip),
                check_probability("bad_flip", bad_flip),
                check_probability("to_bad", to_bad),
                check_probability("to_good", to_good),
            ]
        )
        self.erase = erase
        self.state = np.zeros(nk.NOISE_STATE, dtype=np.int64)
        self._rng = rng
        self._u = np.zeros(0)
        self._upos = 0

    @classmethod
    def bsc(cls, flip: float, rng: np.random.Generator) -> Noise:
        """A binary symmetric channel: each bit flips with probability ``flip``."""
        return cls(rng, good_flip=check_probability("flip", flip))

    @classmethod
    def erasure(cls, erase: float, rng: np.random.Generator) -> Noise:
        """An erasure channel: each bit is lost with probability ``erase`` (and reads as 0)."""
        return cls(rng, good_flip=check_probability("erase", erase), erase=True)

    @classmethod
    def gilbert_elliott(
        cls, good_flip: float, bad_flip: float, to_bad: float, to_good: float, rng: np.random.Generator
    ) -> Noise:
        """Bursts: flip probabilities per state and switching probabilities per bit."""
        return cls(rng, good_flip=good_flip, bad_flip=bad_flip, to_bad=to_bad, to_good=to_good)

    def _more(self) -> None:
        fresh = 1.0 - self._rng.random(UNIFORM_BLOCK)  # in (0, 1]: ln U is finite
        self._u = np.concatenate((self._u[self._upos :], fresh))
        self._upos = 0

    def apply(self, words: np.ndarray, nbits: int) -> np.ndarray | None:
        """Damage ``nbits`` bits of ``words`` in place; the erasure mask, or None when bits flip."""
        mask = np.zeros(words.size, dtype=np.uint64) if self.erase else np.zeros(1, dtype=np.uint64)
        while True:
            upos = int(nk.noise_chunk(words, mask, nbits, self.params, self.state, self._u, self._upos))
            self._upos = upos if upos >= 0 else -1 - upos
            if upos >= 0:
                return mask if self.erase else None
            self._more()

    @property
    def bits(self) -> int:
        """Bits that have passed."""
        return int(self.state[nk.S_POS])

    @property
    def hits(self) -> int:
        """Bits flipped (or erased) so far."""
        return int(self.state[nk.S_HITS])

    @property
    def bad_bits(self) -> int:
        """Bits sent while the channel was in its bad state."""
        return int(self.state[nk.S_BAD_BITS])


class ChannelCoder:
    """A block channel code on packed bits, chunk by chunk, both ways.

    ``encode`` and ``decode`` each carry an unfinished block to the next
    chunk; ``flush`` ends the encoded stream by padding the last block with
    zeros. ``detected`` counts the received blocks in which the decoder saw an
    error (corrected by repetition and Hamming, a lost block for parity).
    """

    def __init__(self, code: Repetition | Hamming74 | Parity) -> None:
        self.code = code
        self.enc, self.dec, self.flag = code.tables()
        # Several blocks per lookup (tables of at most 2^GROUP_BITS entries): the same output, faster.
        self._g_enc = _grouped(self.enc, np.zeros_like(self.enc), code.k, code.n)
        self._g_dec = _grouped(self.dec, self.flag, code.n, code.k)
        self._enc_carry = np.zeros(2, dtype=np.int64)
        self._dec_carry = np.zeros(2, dtype=np.int64)
        self._tally = np.zeros(2, dtype=np.int64)  # received blocks: errors seen, blocks
        self._sent = np.zeros(2, dtype=np.int64)  # sent blocks (only the count is used)
        self._none = np.zeros(0, dtype=np.int64)

    def _run(
        self, words: np.ndarray, nbits: int, k: int, n: int, tables: tuple[np.ndarray, ...], grouped: _Group
    ) -> tuple[np.ndarray, int]:
        table, flag, carry, tally = tables
        g, gtable, gflag = grouped
        out = np.empty(((carry[1] + nbits) // k * n) // 64 + 2, dtype=np.uint64)
        total = nk.recode_chunk(words, nbits, k, n, table, flag, carry, out, tally, g, gtable, gflag)
        return out, int(total)

    def encode(self, words: np.ndarray, nbits: int) -> tuple[np.ndarray, int]:
        """Channel words (with a padding word) and their bit count; a partial block waits."""
        c = self.code
        tables = (self.enc, self._none, self._enc_carry, self._sent)
        return self._run(words, nbits, c.k, c.n, tables, self._g_enc)

    def flush(self) -> tuple[np.ndarray, int]:
        """The last, zero-padded block (no bits when none is pending)."""
        pending = int(self._enc_carry[1])
        if pending == 0:
            return np.zeros(1, dtype=np.uint64), 0
        pad = np.zeros(1, dtype=np.uint64)
        return self.encode(pad, self.code.k - pending)

    def decode(self, words: np.ndarray, nbits: int) -> tuple[np.ndarray, int]:
        """Decoded data words (with a padding word) and their bit count."""
        c = self.code
        tables = (self.dec, self.flag, self._dec_carry, self._tally)
        return self._run(words, nbits, c.n, c.k, tables, self._g_dec)

    @property
    def detected(self) -> int:
        """Received blocks in which an error was seen."""
        return int(self._tally[0])

    @property
    def blocks(self) -> int:
        """Received blocks decoded."""
        return int(self._tally[1])


_Group = tuple[int, np.ndarray, np.ndarray]
#: Grouped lookup tables have at most 2^GROUP_BITS entries.
GROUP_BITS = 14


def _grouped(table: np.ndarray, flag: np.ndarray, k_in: int, n_out: int) -> _Group:
    """(g, table, flag) mapping g blocks of ``k_in`` bits at once: the most with g·k_in ≤ GROUP_BITS."""
    g = max(1, min(GROUP_BITS // k_in, 56 // n_out, 56 // k_in))
    if g == 1:
        return 1, table, flag
    values = np.arange(1 << (g * k_in), dtype=np.int64)
    gtable = np.zeros_like(values)
    gflag = np.zeros_like(values)
    mask = (1 << k_in) - 1
    for i in range(g):  # block i of the group sits i blocks from the left
        part = (values >> ((g - 1 - i) * k_in)) & mask
        gtable |= table[part] << ((g - 1 - i) * n_out)
        gflag += flag[part]
    return g, gtable, gflag


class TolerantTables:
    """The code tree from the root and a primary lookup table, for the tolerant decoder kernel."""

    def __init__(self, code: Code, width: int = PRIMARY_BITS) -> None:
        if code.D != 2 or not code.is_prefix_free:
            raise ValueError("the tolerant decoder needs a binary prefix code")
        words = [code.codewords[s] for s in code.symbols]
        tree = [nk.NOWHERE, nk.NOWHERE]  # node 0: the root
        for s, w in enumerate(words):
            node = 0
            for depth, ch in enumerate(w):
                slot = 2 * node + int(ch)
                if depth == len(w) - 1:
                    tree[slot] = -1 - s
                else:
                    if tree[slot] == nk.NOWHERE:
                        tree[slot] = len(tree) // 2
                        tree.extend([nk.NOWHERE, nk.NOWHERE])
                    node = tree[slot]
        self.tree = np.array(tree, dtype=np.int64)
        self.lengths = np.array([len(w) for w in words], dtype=np.int64)
        self.width = width = max(1, min(width, max(len(w) for w in words)))
        self.prim_val = np.zeros(1 << width, dtype=np.int64)
        self.prim_len = np.zeros(1 << width, dtype=np.int64)
        for key in range(1 << width):
            node = 0
            for depth in range(width):
                t = tree[2 * node + ((key >> (width - 1 - depth)) & 1)]
                if t == nk.NOWHERE:
                    self.prim_len[key] = -(depth + 1)
                    break
                if t < 0:
                    self.prim_val[key], self.prim_len[key] = -1 - t, depth + 1
                    break
                node = t
            else:
                self.prim_val[key] = node


class TolerantDecoder:
    """A streaming prefix decoder that never stops on bad bits, and its error statistics.

    ``feed(words, nbits, sent)`` decodes received bits and judges the sent
    messages (indices mapped to code symbols by ``to_code``) whose bits have
    all arrived; the rest wait for the next chunk. A sent message is right when
    the decoder emits its symbol over exactly its bits. Consecutive wrong
    messages form an error event; its length in messages is the event's
    resynchronisation length. ``hist[r]`` counts events of length r (the last
    bin: that length or more); ``trace`` keeps the first events as (index of
    the first wrong message, length).
    """

    def __init__(
        self, code: Code, to_code: np.ndarray | None = None, bins: int = 256, trace: int = 1024
    ) -> None:
        self.tables = TolerantTables(code)
        self.to_code = np.arange(len(code), dtype=np.int64) if to_code is None else to_code
        self.state = np.zeros(nk.DECODER_STATE, dtype=np.int64)
        self.hist = np.zeros(bins, dtype=np.int64)
        self.trace = np.zeros((trace, 2), dtype=np.int64)
        self._awaiting = np.zeros(0, dtype=np.int64)
        self._no_out = np.zeros(0, dtype=np.int64)

    def feed(self, words: np.ndarray, nbits: int, sent: np.ndarray, out: np.ndarray | None = None) -> int:
        """Decode a chunk and judge what it completes; return how many sent messages were judged.

        Decoded symbols (``code.symbols`` indices) are written to ``out`` while it has room.
        """
        if self._awaiting.size:
            sent = np.concatenate((self._awaiting, sent))
        t = self.tables
        judged = nk.tolerant_decode(
            words, nbits, t.prim_val, t.prim_len, t.tree, t.width, sent, self.to_code, t.lengths,
            self.state, self.hist, self.trace, self._no_out if out is None else out,
        )  # fmt: skip
        self._awaiting = sent[judged:]
        return int(judged)

    def feed_telegrams(
        self, words: np.ndarray, tel_bits: np.ndarray, tel_msgs: np.ndarray, lost: np.ndarray,
        damaged: np.ndarray, sent: np.ndarray,
    ) -> None:  # fmt: skip
        """Decode whole telegrams (parity per telegram): the ``lost`` ones are skipped, bits and
        messages; each kept one is decoded from the root (see :func:`noise_kernels.telegram_decode`;
        ``damaged`` marks the telegrams with a wrong bit, after which a restart can change anything)."""
        assert self._awaiting.size == 0, "telegrams are decoded whole: no message waits between them"
        t = self.tables
        nk.telegram_decode(
            words, tel_bits, tel_msgs, lost, damaged, t.prim_val, t.prim_len, t.tree, t.width, sent,
            self.to_code, t.lengths, self.state, self.hist, self.trace, self._no_out,
        )  # fmt: skip

    def _get(self, slot: int) -> int:
        return int(self.state[slot])

    @property
    def good(self) -> int:
        """Messages decoded right."""
        return self._get(nk.D_GOOD)

    @property
    def bad(self) -> int:
        """Messages decoded wrongly (or lost)."""
        return self._get(nk.D_BAD)

    @property
    def judged(self) -> int:
        return self.good + self.bad

    @property
    def message_error_rate(self) -> float:
        return self.bad / self.judged if self.judged else 0.0

    @property
    def decoded(self) -> int:
        """Symbols the decoder emitted (not all of them right)."""
        return self._get(nk.D_DECODED)

    @property
    def dead_ends(self) -> int:
        """Times a bit continued no codeword and the decoder restarted."""
        return self._get(nk.D_DEAD)

    @property
    def events(self) -> int:
        """Closed error events (runs of wrong messages followed by a right one)."""
        return self._get(nk.D_EVENTS)

    @property
    def unresolved(self) -> int:
        """Wrong messages of a run still open (not counted as an event)."""
        return self._get(nk.D_RUN)

    @property
    def awaiting(self) -> int:
        """Sent messages not yet judged."""
        return int(self._awaiting.size)

    @property
    def resync_mean(self) -> float:
        return self._get(nk.D_RSUM) / self.events if self.events else float("nan")

    @property
    def resync_variance(self) -> float:
        """Sample variance of the event lengths (n − 1 in the denominator)."""
        n = self.events
        if n < 2:
            return float("nan")
        s, q = self._get(nk.D_RSUM), self._get(nk.D_RSQUARES)
        return (q - s * s / n) / (n - 1)

    @property
    def resync_max(self) -> int:
        return self._get(nk.D_RMAX)

    @property
    def resync_p95(self) -> float:
        """95th percentile of event lengths, from the histogram (``inf`` if it lies in the last, open bin)."""
        return p95(self.hist, self.events)

    def judge(self, words: np.ndarray, nbits: int, sent: np.ndarray, last: bool = False) -> None:
        """:meth:`feed` behind the judge interface of :mod:`sim.engine.noisy_stream` (``last``: no effect)."""
        self.feed(words, nbits, sent)

    @property
    def wrong(self) -> int:
        """Sent messages not decoded right: wrong, lost, or not yet judged."""
        return self.bad + self.awaiting

    def summary(self) -> dict[str, float | int]:
        """The numbers a report needs, as plain values."""
        return {
            "messages": self.judged,
            "message_error_rate": self.message_error_rate,
            "error_events": self.events,
            "resync_mean": self.resync_mean,
            "resync_p95": self.resync_p95,
            "resync_max": self.resync_max,
            "dead_ends": self.dead_ends,
            "unresolved": self.unresolved,
        }


def warm_up() -> None:
    """Compile (or load from cache) the noise kernels on a tiny input."""
    rng = np.random.default_rng(0)
    words = np.zeros(2, dtype=np.uint64)
    Noise.bsc(0.5, rng).apply(words, 64)
    Noise.erasure(0.5, rng).apply(words, 64)
    coder = ChannelCoder(Hamming74())
    cw, cn = coder.encode(words, 8)
    coder.decode(cw, cn)
    rx = TolerantDecoder(Code({"a": "0", "b": "10"}))
    rx.feed(words, 64, np.zeros(3, dtype=np.int64))
    one, no = np.ones(1, dtype=np.int64), np.zeros(1, dtype=np.bool_)
    rx.feed_telegrams(words, one, one, no, no, np.zeros(1, dtype=np.int64))
