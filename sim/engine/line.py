"""The telegraph line: a single server followed by a propagation delay.

One telegram is on the wire at a time; its transmission takes bits / baud
seconds (its codewords' bits plus the bits a channel code adds to every
telegram: one with parity per telegram), then it travels ``latency`` seconds. A line carries one link
(:class:`TelegraphLine`: FIFO, Lindley's recursion) or, when the scenario
says ``shared: true``, every link that names it (:class:`SharedLine`: one
queue, FIFO or by priority). The loops are compiled (:mod:`sim.engine.kernels`).
Only running statistics are kept, never one record per telegram.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.engine import kernels
from sim.model.records import Line
from sim.model.stats import MICRO_BATCHES, BatchMeans, batch_means

if TYPE_CHECKING:
    from sim.engine.stations import Batch

#: Wait histogram: bins per decade, and decades either side of the mean service time.
BINS_PER_DECADE = 20
DECADES = 6
#: Histogram bins: waits of exactly 0, waits below the log bins, the log bins, the open last bin.
_BINS = 2 * DECADES * BINS_PER_DECADE + 3


@dataclass(frozen=True)
class Carriage:
    """What a line needs to know about one link it carries."""

    mean_service: float  # seconds per telegram, on average (the histogram's centre)
    telegrams: int  # telegrams the link will send at most (sizes the batch means)
    telegram: int = 1  # messages per telegram
    back_to_back: bool = False
    priority: int = 0
    extra: int = 0  # bits added to every telegram (parity per telegram: 1)


class LineTally:
    """One link's statistics on a line: busy time, waits, delays, a wait histogram, cost.

    ``params``, ``state`` are one-record views (:data:`sim.engine.kernels.LINE_PARAMS`,
    :data:`sim.engine.kernels.LINE_STATE`); ``hist_counts`` and ``batch_wait`` are rows
    the kernels add to.
    """

    def __init__(
        self,
        spec: Line,
        params: np.ndarray,
        state: np.ndarray,
        hist: np.ndarray,
        batch: np.ndarray,
        bins: np.ndarray,
    ) -> None:
        self.spec = spec
        self.bins = bins  # the histogram's binning table (kernels.wait_bins)
        self.params = params
        self.state = state
        self.hist_counts = hist
        self.batch_wait = batch
        self.batch_size = int(params[0]["batch_size"])
        inner = float(params[0]["scale"]) * np.logspace(-DECADES, DECADES, _BINS - 2)
        # Bin 0 holds waits of exactly 0; bin 1 (0, inner[0]); then log bins; the last is open.
        self.hist_edges = np.concatenate(([0.0, 0.0], inner, [math.inf]))

    @staticmethod
    def arrays(spec: Line, carriages: Sequence[Carriage]) -> tuple[np.ndarray, ...]:
        """Fresh (params, state, hist, batch, bins) arrays with one row per carriage."""
        params = np.zeros(len(carriages), dtype=kernels.LINE_PARAMS)
        for row, c in zip(params, carriages):
            row["telegram"] = c.telegram
            row["baud"] = spec.baud
            row["back_to_back"] = c.back_to_back
            row["latency"] = spec.latency
            row["scale"] = c.mean_service if c.mean_service > 0 else 1.0
            row["per_decade"] = BINS_PER_DECADE
            row["decades"] = DECADES
            # running wait sums over MICRO_BATCHES equal micro-batches of the expected telegrams
            row["batch_size"] = max(1, -(-c.telegrams // MICRO_BATCHES))
            row["priority"] = c.priority
            row["extra"] = c.extra
        state = np.zeros(len(carriages), dtype=kernels.LINE_STATE)
        hist = np.zeros((len(carriages), _BINS), dtype=np.int64)
        batch = np.zeros((len(carriages), MICRO_BATCHES))
        rows = [
            kernels.wait_bins(*(float(p[f]) for f in ("scale", "per_decade", "decades")), _BINS)
            for p in params
        ]
        bins = np.zeros((len(rows), max(r.size for r in rows)))  # guides differ by a slot or so
        for b, r in zip(bins, rows):
            b[: r.size] = r
        return params, state, hist, batch, bins

    def _get(self, name: str) -> float:
        return self.state[0][name]

    @property
    def bits(self) -> int:
        return int(self._get("bits"))

    @property
    def telegrams(self) -> int:
        return int(self._get("telegrams"))

    @property
    def busy_time(self) -> float:
        return float(self._get("busy"))

    @property
    def last_departure(self) -> float:
        return float(self._get("departure"))

    @property
    def mean_wait(self) -> float:
        return float(self._get("wait_sum")) / max(self.telegrams, 1)

    @property
    def last_arrival(self) -> float:
        """Arrival time of the last telegram served (0 back-to-back)."""
        return float(self._get("last_arrival"))

    @property
    def max_wait(self) -> float:
        return float(self._get("max_wait"))

    @property
    def delay_sum(self) -> float:
        return float(self._get("delay_sum"))

    def utilisation(self) -> float:
        """Fraction of the time from 0 to this link's last departure that the wire carried its telegrams."""
        end = self.last_departure
        return min(1.0, self.busy_time / end) if end > 0 else 0.0

    def cost(self) -> float:
        t = self.spec.tariff
        return t.per_bit * self.bits + t.per_telegram * self.telegrams

    def wait_quantile(self, q: float) -> float:
        """A quantile of the waits from the histogram (geometric interpolation in a bin)."""
        total = int(self.hist_counts.sum())
        if total == 0:
            return 0.0
        target = q * total
        cum = np.cumsum(self.hist_counts)
        i = int(np.searchsorted(cum, target, side="left"))
        if i == 0:
            return 0.0
        lo, hi = self.hist_edges[i], self.hist_edges[i + 1]
        if not math.isfinite(hi):
            return self.max_wait
        frac = (target - cum[i - 1]) / max(self.hist_counts[i], 1)
        value = hi * frac if lo <= 0 else lo * (hi / lo) ** frac
        return float(min(value, self.max_wait))

    @property
    def overlap_telegrams(self) -> int:
        """On a shared line: this link's telegrams that arrived while every link was sending."""
        return int(self._get("overlap_telegrams"))

    @property
    def overlap_mean_wait(self) -> float:
        """On a shared line: the mean wait of :attr:`overlap_telegrams`."""
        return float(self._get("overlap_wait_sum")) / max(self.overlap_telegrams, 1)

    def wait_batches(
        self, relaxation: float, telegrams: int | None = None, min_batch: float = 0.0
    ) -> BatchMeans:
        """The mean wait after warm-up, with its batch-means standard error.

        ``relaxation`` is the queue's relaxation time in telegrams: it sets
        the warm-up deleted and the least batch length (see :mod:`sim.model.stats`).
        ``telegrams`` limits it to the first so many (default: all);
        ``min_batch`` is the least batch length in telegrams.
        """
        count = self.telegrams if telegrams is None else telegrams
        return batch_means(self.batch_wait, self.batch_size, count, relaxation, min_batch)


class TelegraphLine(LineTally):
    """A line that carries one link: FIFO, waits by Lindley's recursion."""

    def __init__(
        self,
        line: Line,
        mean_service: float,
        telegrams: int,
        telegram: int = 1,
        back_to_back: bool = False,
        lengths: np.ndarray | None = None,
        extra: int = 0,
    ) -> None:
        params, state, hist, batch, bins = self.arrays(
            line, [Carriage(mean_service, telegrams, telegram, back_to_back, extra=extra)]
        )
        super().__init__(line, params, state, hist[0], batch[0], bins[0])
        self.lengths = lengths  # bits per colour, for :meth:`send`

    def send(self, batch: Batch) -> float:
        """Send a :class:`sim.engine.stations.Batch` of the link's messages. Returns the last departure."""
        units, unit_bits = batch.carried(self.lengths)
        return self.transmit(batch.arrival, units, unit_bits)

    def transmit(self, arrival: np.ndarray, symbols: np.ndarray, lengths: np.ndarray) -> float:
        """Send a batch of messages, ``telegram`` to a telegram. Returns the last departure.

        ``arrival`` holds the messages' arrival times (ignored back-to-back);
        message i carries ``lengths[symbols[i]]`` bits.
        """
        return kernels.line_chunk(
            arrival, symbols, lengths, self.params, self.state, self.hist_counts, self.batch_wait, self.bins
        )


class SharedLine:
    """One wire, one queue for several links (the telegraph office).

    Each link hands over batches of messages stamped with their arrival
    times. The wire serves telegrams in arrival order across all links (FIFO)
    or, when priorities differ, the lowest priority number first among those
    waiting (non-preemptive). It serves only telegrams arriving before the
    *horizon*, the earliest point every link's stamped stream has reached, so
    the order never depends on how the streams were cut into batches.
    :attr:`tallies` holds each link's statistics.
    """

    def __init__(
        self, line: Line, carriages: Sequence[Carriage], lengths: Sequence[np.ndarray | None]
    ) -> None:
        if any(c.back_to_back for c in carriages):
            raise ValueError(f"line {line.name!r} is shared: back-to-back arrivals are not defined on it")
        self.spec = line
        self.params, self.state, self.hist, self.batch, self.bins = LineTally.arrays(line, carriages)
        self.tallies = [
            LineTally(
                line, self.params[j : j + 1], self.state[j : j + 1], self.hist[j], self.batch[j], self.bins[j]
            )
            for j in range(len(carriages))
        ]
        self._telegram = [c.telegram for c in carriages]
        self._lengths = list(lengths)
        n = len(carriages)
        self.horizon = np.zeros(n)  # the last arrival each link has handed over (inf when done)
        self.overlap_end = math.inf  # the last arrival of the first link to finish
        self._free_at = np.zeros(1)
        empty_f, empty_i = np.zeros(0), np.zeros(0, dtype=np.int64)
        # Pending telegrams per link: arrival, bits, messages, sum of message arrivals.
        # Per link, the telegrams waiting: (arrival, bits, messages, arrival sum) arrays.
        self._pending: list[tuple[np.ndarray, ...]] = [(empty_f, empty_i, empty_i, empty_f) for _ in range(n)]
        self._batches: list[deque[list[Any]]] = [deque() for _ in range(n)]  # [batch, telegrams left]

    @property
    def free_at(self) -> float:
        """When the wire finishes the last telegram served so far."""
        return float(self._free_at[0])

    @property
    def open(self) -> bool:
        """Whether some link has not yet handed over its last batch."""
        return bool(np.isfinite(self.horizon).any())

    def lagging(self) -> int:
        """The link whose stamped stream ends earliest: the line waits for it."""
        return int(np.argmin(self.horizon))

    def add(self, j: int, batch: Batch) -> None:
        """Link ``j`` hands over a :class:`~sim.engine.stations.Batch` (arrival, symbols, last)."""
        n = batch.symbols.size
        size = -(-n // self._telegram[j])
        arr, bits = np.empty(size), np.empty(size, dtype=np.int64)
        msgs, asum = np.empty(size, dtype=np.int64), np.empty(size)
        units, unit_bits = batch.carried(self._lengths[j])
        kernels.telegrams_of(batch.arrival, units, unit_bits, self._telegram[j], arr, bits, msgs, asum)
        self._pending[j] = tuple(
            np.concatenate((old, new)) for old, new in zip(self._pending[j], (arr, bits, msgs, asum))
        )
        self._batches[j].append([batch, size])
        if n:
            self.horizon[j] = float(batch.arrival[-1])
        if batch.last:
            self.overlap_end = min(self.overlap_end, float(self.horizon[j]))
            self.horizon[j] = math.inf

    def serve(self) -> list[tuple[int, Batch, float]]:
        """Serve every telegram that can be decided.

        Returns (link, batch, its last departure) for each batch whose telegrams have all been served.
        """
        sizes = np.array([p[0].size for p in self._pending], dtype=np.int64)
        if not sizes.sum():
            return []
        end = np.cumsum(sizes)
        start = end - sizes
        first = start.copy()
        flat = [np.concatenate([p[f] for p in self._pending]) for f in range(4)]
        departures = np.empty(flat[0].size)
        kernels.shared_serve(  # type: ignore[call-arg]  # a numba dispatcher: mypy sees no signature
            *flat, start, end, float(self.horizon.min()), self.overlap_end, self._free_at,
            self.params, self.state, self.hist, self.batch, self.bins, departures,
        )  # fmt: skip
        done = []
        for j in range(len(self._pending)):
            served = int(start[j] - first[j])
            if not served:
                continue
            self._pending[j] = tuple(a[served:] for a in self._pending[j])
            at = int(first[j])
            queue = self._batches[j]
            while served and queue:
                entry = queue[0]
                take = min(served, entry[1])
                entry[1] -= take
                served -= take
                at += take
                if entry[1] == 0:
                    queue.popleft()
                    done.append((j, entry[0], float(departures[at - 1])))
        return done
