"""The stations: transmitter (India, a SimPy process), line and receiver (Australia).

Each SimPy event moves a chunk of messages; the work inside a chunk is done
by the objects the stations drive (urn sampler, encoder, line, decoder).
The transmitter process only yields timeouts and calls those objects; the
line schedules each chunk's arrival as a timeout event whose callback is the
receiver. Nothing here swallows exceptions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import simpy

from sim.bitcodec import Decoder, Encoder
from sim.blocks import BlockStream
from sim.line import TelegraphLine
from sim.model import Arrivals
from sim.urn import UrnSampler


@dataclass(slots=True)
class Chunk:
    """Messages travelling together through the model."""

    symbols: np.ndarray  # colour indices drawn from the urn
    arrival: np.ndarray  # message arrival times (unused back-to-back)
    words: np.ndarray  # the encoded bits, packed
    nbits: int


class ArrivalClock:
    """Message arrival times, continuing across chunks."""

    def __init__(self, arrivals: Arrivals, rng: np.random.Generator) -> None:
        self._process = arrivals.process
        self._rng = rng
        self._last = 0.0
        self._count = 0
        self.back_to_back = arrivals.message_rate is None
        self._stream = BlockStream(self._produce)

    def next(self, n: int) -> np.ndarray:
        """Arrival times of the next ``n`` messages (zeros back-to-back: the line sets the pace)."""
        return self._stream.take(n)

    def _produce(self, n: int) -> np.ndarray:
        times = self._process.times(self._rng, n, self._count, self._last)
        self._count += n
        if n:
            self._last = float(times[-1])
        return times


def transmitter(
    env: simpy.Environment,
    urn: UrnSampler,
    clock: ArrivalClock,
    encoder: Encoder,
    line: LineSender,
    messages: int,
    chunk: int,
    progress: Callable[[int], None] | None = None,
):
    """India: draws, times and encodes chunks of messages and hands them to the line.

    A chunk is handed over once its last message is in and the line has
    finished the chunk before (so at most one chunk waits: flat memory).
    """
    sent = 0
    back_to_back = clock.back_to_back
    while sent < messages:
        symbols = urn.draw(min(chunk, messages - sent))
        n = symbols.size
        if n == 0:
            break  # the box is empty
        arrival = clock.next(n)
        ready = line.free_at if back_to_back else max(float(arrival[-1]), line.free_at)
        if ready > env.now:
            yield env.timeout(ready - env.now)
        words, nbits = encoder.encode(symbols)
        line.send(Chunk(symbols, arrival, words, nbits))
        sent += n
        if progress is not None:
            progress(n)


class LineSender:
    """The line as SimPy sees it: times each chunk, then delivers it after the latency.

    Like the ``Cable`` of SimPy's latency example, it is an object between
    the two stations, not a process: :meth:`send` runs Lindley's recursion
    for the chunk's telegrams and schedules the chunk's arrival in Australia
    when its last telegram has crossed the line.
    """

    def __init__(
        self,
        env: simpy.Environment,
        line: TelegraphLine,
        lengths: np.ndarray,
        deliver: Callable[[Chunk], None],
    ) -> None:
        self.env = env
        self.line = line
        self.lengths = lengths
        self.deliver = deliver
        self.free_at = 0.0

    def send(self, chunk: Chunk) -> None:
        self.free_at = self.line.transmit(chunk.arrival, chunk.symbols, self.lengths)
        arrive = self.env.timeout(self.free_at + self.line.spec.latency - self.env.now, chunk)
        arrive.callbacks.append(self._arrived)

    def _arrived(self, event: simpy.Event) -> None:
        chunk = event.value
        assert isinstance(chunk, Chunk)
        self.deliver(chunk)


class Receiver:
    """Australia: decodes the arriving bits (state carried across chunks) and checks each message."""

    def __init__(self, env: simpy.Environment, decoder: Decoder) -> None:
        self.env = env
        self.decoder = decoder
        self.messages = 0
        self.last_delivery = 0.0

    def deliver(self, chunk: Chunk) -> None:
        self.decoder.feed(chunk.words, chunk.nbits, chunk.symbols)
        self.messages += chunk.symbols.size
        self.last_delivery = self.env.now

    @property
    def mismatches(self) -> int:
        return self.decoder.mismatches + self.decoder.awaiting
