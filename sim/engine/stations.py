"""The stations: transmitter (India), line and receiver (Australia), each a SimPy process.

Stations hand *batches* of messages to each other through channels
(:class:`Channel`: a lean ``simpy.Store``), as in SimPy's ``latency.py`` example::

    transmitter --Channel--> line --Channel--> receiver

- :func:`transmitter` draws, stamps and encodes a batch (its
  :class:`Transmitter` does the work) and ``yield``\\ s ``store.put(batch)``;
  the store holds one batch, so India is never more than a batch or two ahead.
- :func:`line` ``yield``\\ s ``store.get()``, runs Lindley's recursion over the
  batch's telegrams (compiled), hands the batch on so that it reaches the next
  store when its last telegram has crossed (its departure plus the latency),
  and ``yield``\\ s a timeout while the wire is busy with it.
  :func:`shared_line` does the same for several links on one wire.
- :func:`receiver` ``yield``\\ s ``store.get()`` and decodes and checks the
  batch (its :class:`Receiver` does the work).

Each batch carries every message's arrival time, stamped by the transmitter,
and the line serves each telegram at its stamped time, never earlier; so a
run cut into batches of any size gives the same numbers. A
:class:`Route` lists a link's stations; a hook given to
:func:`sim.engine.simulation.run` may insert a process of its own into it (see
``docs/extending.md``). Nothing here swallows exceptions.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import simpy

from sim.engine.blocks import BlockStream
from sim.engine.codec import LinkDecoder, LinkEncoder, telegram_sizes
from sim.engine.line import SharedLine, TelegraphLine
from sim.engine.urn import UrnSampler
from sim.model.records import Arrivals, Link

#: The generator of a station: it yields SimPy events and gets their values back.
Process = Generator[simpy.Event, Any, None]
#: A station process: ``process(env, inbox, outbox)``, a generator SimPy runs.
StationProcess = Callable[[simpy.Environment, "Channel", "Channel"], Process]


@dataclass(slots=True)
class Batch:
    """Messages travelling together through the model."""

    symbols: np.ndarray  # colour indices drawn from the urn
    arrival: np.ndarray  # message arrival times at the transmitter (zeros back-to-back)
    words: np.ndarray  # the encoded bits, packed
    nbits: int
    last: bool = False  # the link's last batch
    # What each message carries on the line: message i, unit_bits[units[i]] bits (see
    # sim.engine.codec.Encoded); None: the link's codeword lengths, indexed by colour.
    units: np.ndarray | None = None
    unit_bits: np.ndarray | None = None
    # Where the decoder's lanes start in ``words``, if the encoder noted it (a hint, see
    # sim.engine.kernels.decode_split).
    lanes: np.ndarray | None = None

    def carried(self, lengths: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """(units, unit_bits): the bits of every message, ``lengths`` by colour unless the batch says."""
        if self.units is not None and self.unit_bits is not None:
            return self.units, self.unit_bits
        assert lengths is not None, "a batch without units needs the link's codeword lengths"
        return self.symbols, lengths


class ArrivalClock:
    """Message arrival times, continuing across batches."""

    def __init__(self, arrivals: Arrivals, rng: np.random.Generator) -> None:
        self._process = arrivals.process
        self._rng = rng
        self._last = 0.0
        self._count = 0
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


class Transmitter:
    """India's work: draw a batch from the urn, stamp arrival times, encode it."""

    def __init__(
        self,
        urn: UrnSampler,
        clock: ArrivalClock,
        encoder: LinkEncoder,
        messages: int,
        batch: int,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        self.urn = urn
        self.clock = clock
        self.encoder = encoder
        self.messages = messages
        self.batch = batch
        self.progress = progress
        self.sent = 0

    def next_batch(self) -> Batch:
        """The next batch; its ``last`` is set when the run is complete or the box is empty."""
        symbols = self.urn.draw(min(self.batch, self.messages - self.sent))
        n = symbols.size
        self.sent += n
        last = self.sent >= self.messages or self.urn.remaining == 0
        out = self.encoder.chunk(symbols, last)
        if self.progress is not None:
            self.progress(n)
        return Batch(
            symbols, self.clock.next(n), out.words, out.nbits, last, out.units, out.unit_bits, lanes=out.lanes
        )


class Receiver:
    """Australia's work: decode the arriving bits (state carried across batches) and check each message."""

    def __init__(self, env: simpy.Environment, decoder: LinkDecoder, telegram: int = 0) -> None:
        self.env = env
        self.decoder = decoder
        self.telegram = telegram  # > 0: a code that restarts at every telegram of that many messages
        self.messages = 0
        self.last_delivery = 0.0

    def take(self, batch: Batch) -> None:
        if self.telegram:  # the line frames the telegrams: each is decoded on its own
            units, unit_bits = batch.carried(None)
            tel_bits, tel_msgs = telegram_sizes(unit_bits[units], self.telegram)
            self.decoder.feed_telegrams(batch.words, tel_bits, tel_msgs, batch.symbols)  # type: ignore[attr-defined]
        else:
            self.decoder.feed(batch.words, batch.nbits, batch.symbols, batch.last, batch.lanes)
        self.messages += batch.symbols.size
        self.last_delivery = self.env.now

    @property
    def mismatches(self) -> int:
        return self.decoder.mismatches + self.decoder.awaiting


# -- the queue between stations ----------------------------------------------------------


class Channel:
    """A FIFO between two stations, used like a ``simpy.Store``.

    ``yield channel.put(batch)`` waits while the channel holds ``capacity``
    batches; ``batch = yield channel.get()`` waits for the next batch. It does
    what ``simpy.Store(env, capacity)`` does, with less bookkeeping: in chunk-1
    mode every message is a batch, and this is the engine's innermost loop.
    A put that found the channel full is let in once the channel has emptied,
    so a sender runs ahead ``capacity`` batches at a time rather than one.
    :meth:`deliver` puts without waiting (the line does not wait for the next
    station), so the channel may then hold more than ``capacity``.
    """

    __slots__ = ("env", "capacity", "items", "_getters", "_putters", "_room")

    def __init__(self, env: simpy.Environment, capacity: float = 1) -> None:
        self.env = env
        self.capacity = capacity
        self.items: deque[Any] = deque()
        self._getters: deque[simpy.Event] = deque()
        self._putters: deque[tuple[simpy.Event, Any]] = deque()
        # "There was room": one event, succeeded once, that every put with room returns. Once
        # SimPy has processed it, a process that yields it goes on at once (no event per put).
        self._room = simpy.Event(env).succeed()

    def put(self, item: Any) -> simpy.Event:
        """An event that succeeds once ``item`` is in the channel (or handed to a waiting ``get``)."""
        if self._getters:
            self._getters.popleft().succeed(item)
            return self._room
        if len(self.items) < self.capacity:
            self.items.append(item)
            return self._room
        event = simpy.Event(self.env)
        self._putters.append((event, item))
        return event

    def deliver(self, item: Any) -> None:
        """Put ``item`` now, whatever the capacity, without an event to wait on."""
        if self._getters:
            self._getters.popleft().succeed(item)
        else:
            self.items.append(item)

    def delivered(self, event: simpy.Event) -> None:
        """An event callback: :meth:`deliver` the event's value (see :func:`hand_on`)."""
        self.deliver(event.value)

    def get(self) -> simpy.Event:
        """An event whose value is the next item."""
        event = simpy.Event(self.env)
        if self.items:
            event.succeed(self.items.popleft())
            while self._putters and not self.items:  # drained: let the waiting sender in
                waiting, item = self._putters.popleft()
                self.items.append(item)
                waiting.succeed()
        else:
            self._getters.append(event)
        return event


# -- the processes ----------------------------------------------------------------------


def transmitter(env: simpy.Environment, india: Transmitter, outbox: Channel) -> Process:
    """India: puts batch after batch into ``outbox`` until the last."""
    while True:
        batch = india.next_batch()
        yield outbox.put(batch)
        if batch.last:
            return


def line(env: simpy.Environment, wire: TelegraphLine, inbox: Channel, outbox: Channel) -> Process:
    """The line: takes a batch, sends its telegrams (Lindley's recursion), hands it on after the latency."""
    latency = wire.spec.latency
    while True:
        batch = yield inbox.get()
        free_at = wire.send(batch)
        if latency > 0:
            hand_on(env, batch, free_at + latency, outbox)
        if free_at > env.now:
            yield env.timeout(free_at - env.now)  # the wire is busy with this batch
        if latency <= 0:
            outbox.deliver(batch)


def shared_line(
    env: simpy.Environment, wire: SharedLine, inboxes: Sequence[Channel], outboxes: Sequence[Channel]
) -> Process:
    """One wire for several links: takes batches from the link that lags, serves what it can decide.

    The line waits for the link whose stamped stream ends earliest (the
    others are ahead), serves in order every telegram arriving before the
    common horizon (compiled), and hands on each batch whose telegrams have
    all crossed.
    """
    latency = wire.spec.latency
    while wire.open:
        j = wire.lagging()
        batch = yield inboxes[j].get()
        wire.add(j, batch)
        for k, done, departure in wire.serve():
            hand_on(env, done, departure + latency, outboxes[k])
        if wire.free_at > env.now:
            yield env.timeout(wire.free_at - env.now)


def hand_on(env: simpy.Environment, batch: Batch, at: float, outbox: Channel) -> None:
    """Deliver ``batch`` into ``outbox`` at time ``at`` (now, if that has passed), without waiting."""
    if at <= env.now:
        outbox.deliver(batch)
    else:
        env.timeout(at - env.now, batch).callbacks.append(outbox.delivered)


class Australia(Protocol):
    """What the receiver process needs: a :class:`Receiver`, or one on a noisy line."""

    def take(self, batch: Batch) -> None: ...


def receiver(env: simpy.Environment, australia: Australia, inbox: Channel) -> Process:
    """Australia: waits on the line for each batch and decodes it."""
    while True:
        batch = yield inbox.get()
        australia.take(batch)


# -- a link's route, and the hook that extends it ---------------------------------------


@dataclass
class Route:
    """The stations one link's batches pass through, in order.

    Starts as ``["transmitter", "line", "receiver"]``. A hook passed to
    :func:`sim.engine.simulation.run` receives each link's route before the run starts and
    may :meth:`insert` processes of its own; the engine then joins consecutive
    stations with a ``Channel`` and starts every process.
    """

    link: Link
    stations: list[str] = field(default_factory=lambda: ["transmitter", "line", "receiver"])
    processes: dict[str, StationProcess] = field(default_factory=dict)

    def insert(self, name: str, process: StationProcess, *, after: str = "line") -> None:
        """Put station ``name`` right after station ``after``.

        ``process(env, inbox, outbox)`` is a generator: it ``yield``\\ s
        ``inbox.get()`` for each batch and ``outbox.put(batch)`` to pass it on.
        Insert after the line (the default): the line serves telegrams at the
        times the transmitter stamped on them, so a station before it may look
        at batches but must not hold them back.
        """
        if name in self.stations:
            raise ValueError(f"link {self.link.name!r} already has a station named {name!r}")
        if after not in self.stations or after == "receiver":
            raise ValueError(
                f"'after' must name a station before the receiver ({', '.join(self.stations[:-1])}), "
                f"got {after!r}"
            )
        self.stations.insert(self.stations.index(after) + 1, name)
        self.processes[name] = process


#: A hook: called with the environment and each link's route before the run starts.
Hook = Callable[[simpy.Environment, Route], None]
