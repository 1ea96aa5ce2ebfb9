"""The SimPy processes: transmitter (India), line and receiver (Australia).

Each process handles a chunk of messages per event; the numbers inside a
chunk are computed with arrays. Processes only yield events and call the
objects that do the work; they never swallow exceptions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import simpy
from bitarray import bitarray

from sim.bitcodec import ChunkDecoder, ChunkEncoder
from sim.line import TelegraphLine
from sim.model import Arrivals
from sim.urn import UrnSampler


@dataclass
class Chunk:
    """Messages travelling together through the model."""

    first: int  # index of the first message
    symbols: np.ndarray  # urn colour indices drawn
    lengths: np.ndarray  # codeword lengths per message
    arrival: np.ndarray  # message arrival times (back-to-back: unused)
    bits: bitarray  # the encoded stream
    telegram_ends: np.ndarray  # index after the last message of each telegram
    delivered: np.ndarray | None = None  # per-message delivery time at the receiver


class ArrivalClock:
    """Message arrival times, continuing across chunks."""

    def __init__(self, arrivals: Arrivals, rng: np.random.Generator) -> None:
        self._spec = arrivals
        self._rng = rng
        self._last = 0.0

    def next(self, first: int, n: int) -> np.ndarray:
        spec = self._spec
        if spec.kind == "fixed":
            return np.arange(first, first + n, dtype=np.float64) * spec.every
        if spec.kind == "poisson":
            times = self._last + np.cumsum(self._rng.exponential(1.0 / spec.rate, n))
            self._last = float(times[-1])
            return times
        return np.zeros(n)


def transmitter(
    env: simpy.Environment,
    urn: UrnSampler,
    clock: ArrivalClock,
    encoder: ChunkEncoder,
    messages: int,
    chunk: int,
    telegram: int,
    out: simpy.Store,
    progress: Callable[[int], None] | None = None,
):
    """Draws, times and encodes chunks of messages and hands them to the line."""
    sent = 0
    while sent < messages:
        symbols = urn.draw(min(chunk, messages - sent))
        n = symbols.size
        if n == 0:
            break  # the box is empty
        arrival = clock.next(sent, n)
        if arrival[-1] > env.now:
            yield env.timeout(arrival[-1] - env.now)  # the chunk's last message is in
        ends = np.minimum(np.arange(telegram, n + telegram, telegram), n)
        yield out.put(Chunk(sent, symbols, encoder.lengths[symbols], arrival, encoder.encode(symbols), ends))
        sent += n
        if progress is not None:
            progress(n)


def line_process(env: simpy.Environment, line: TelegraphLine, inbox: simpy.Store, outbox: simpy.Store):
    """Sends each chunk's telegrams one at a time; the cable then delays them by the latency."""
    while True:
        chunk: Chunk = yield inbox.get()
        starts = np.concatenate(([0], chunk.telegram_ends[:-1]))
        bits = np.add.reduceat(chunk.lengths, starts)
        tel_arrival = chunk.arrival[chunk.telegram_ends - 1]
        timing = line.transmit(tel_arrival, bits)
        sizes = chunk.telegram_ends - starts
        chunk.delivered = np.repeat(timing.departure, sizes) + line.spec.latency
        if line.back_to_back:
            chunk.arrival = np.repeat(timing.start, sizes)  # each message is ready as its telegram starts
        done = float(timing.departure[-1])
        if done > env.now:
            yield env.timeout(done - env.now)
        env.process(_propagate(env, line.spec.latency, chunk, outbox))


def _propagate(env: simpy.Environment, latency: float, chunk: Chunk, outbox: simpy.Store):
    yield env.timeout(latency)
    yield outbox.put(chunk)


class ReceiverLog:
    """What the receiver counted."""

    def __init__(self) -> None:
        self.messages = 0
        self.mismatches = 0
        self.delay_sum = 0.0
        self.last_delivery = 0.0
        self.awaiting = np.zeros(0, dtype=np.intp)  # sent, not yet decoded


def receiver(
    env: simpy.Environment,
    decoder: ChunkDecoder,
    to_code_index: np.ndarray,
    inbox: simpy.Store,
    log: ReceiverLog,
    on_chunk: Callable[[Chunk], None],
):
    """Decodes arriving bits (state carried across chunks) and checks each message against what was sent."""
    while True:
        chunk: Chunk = yield inbox.get()
        decoded = decoder.feed(chunk.bits)
        sent = to_code_index[chunk.symbols]
        awaiting = np.concatenate((log.awaiting, sent)) if log.awaiting.size else sent
        k = min(decoded.size, awaiting.size)
        log.mismatches += int(np.count_nonzero(decoded[:k] != awaiting[:k])) + (decoded.size - k)
        log.awaiting = awaiting[k:]
        log.messages += sent.size
        log.delay_sum += float(np.sum(chunk.delivered - chunk.arrival))
        log.last_delivery = float(chunk.delivered[-1])
        on_chunk(chunk)
