"""The telegraph line: a FIFO single server followed by a propagation delay.

Like the ``Cable`` of SimPy's latency example, the line is an object outside
the sender and receiver. One telegram is on the wire at a time; its
transmission takes bits / baud seconds, then it travels ``latency`` seconds.
Waiting times follow Lindley's recursion (compiled in :mod:`sim.kernels`).
Only running statistics are kept, never one record per telegram.
"""

from __future__ import annotations

import math

import numpy as np

from sim import kernels
from sim.model import Line
from sim.stats import MICRO_BATCHES, BatchMeans, batch_means

#: Wait histogram: bins per decade, and decades either side of the mean service time.
BINS_PER_DECADE = 20
DECADES = 6


class TelegraphLine:
    """A line with its running statistics: busy time, waits, delays, a wait histogram, cost."""

    def __init__(
        self,
        line: Line,
        mean_service: float,
        telegrams: int,
        telegram: int = 1,
        back_to_back: bool = False,
    ) -> None:
        self.spec = line
        self.state = np.zeros(kernels.LINE_STATE)
        self.scale = mean_service if mean_service > 0 else 1.0
        n_bins = 2 * DECADES * BINS_PER_DECADE
        inner = self.scale * np.logspace(-DECADES, DECADES, n_bins + 1)
        # Bin 0 holds waits of exactly 0; bin 1 (0, inner[0]); then log bins; the last is open.
        self.hist_edges = np.concatenate(([0.0, 0.0], inner, [math.inf]))
        self.hist_counts = np.zeros(self.hist_edges.size - 1, dtype=np.int64)
        # Running wait sums over MICRO_BATCHES equal micro-batches of the expected telegrams.
        self.batch_size = max(1, -(-telegrams // MICRO_BATCHES))
        self.batch_wait = np.zeros(MICRO_BATCHES)
        self.params = np.zeros(8)
        p = self.params
        p[kernels.P_TELEGRAM] = telegram
        p[kernels.P_BAUD] = line.baud
        p[kernels.P_BACK_TO_BACK] = back_to_back
        p[kernels.P_LATENCY] = line.latency
        p[kernels.P_SCALE] = self.scale
        p[kernels.P_PER_DECADE] = BINS_PER_DECADE
        p[kernels.P_DECADES] = DECADES
        p[kernels.P_BATCH_SIZE] = self.batch_size

    def transmit(self, arrival: np.ndarray, symbols: np.ndarray, lengths: np.ndarray) -> float:
        """Send a chunk of messages, ``telegram`` to a telegram. Returns the last departure.

        ``arrival`` holds the messages' arrival times (ignored back-to-back);
        message i carries ``lengths[symbols[i]]`` bits.
        """
        return kernels.line_chunk(
            arrival, symbols, lengths, self.params, self.state, self.hist_counts, self.batch_wait
        )

    @property
    def bits(self) -> int:
        return int(self.state[kernels.L_BITS])

    @property
    def telegrams(self) -> int:
        return int(self.state[kernels.L_TELEGRAMS])

    @property
    def busy_time(self) -> float:
        return float(self.state[kernels.L_BUSY])

    @property
    def last_departure(self) -> float:
        return float(self.state[kernels.L_DEPARTURE])

    @property
    def mean_wait(self) -> float:
        return float(self.state[kernels.L_WAIT_SUM]) / max(self.telegrams, 1)

    @property
    def last_arrival(self) -> float:
        """Arrival time of the last message sent (0 back-to-back)."""
        return float(self.state[kernels.L_ARRIVAL])

    @property
    def max_wait(self) -> float:
        return float(self.state[kernels.L_MAX_WAIT])

    @property
    def delay_sum(self) -> float:
        return float(self.state[kernels.L_DELAY_SUM])

    def utilisation(self) -> float:
        """Fraction of the time from 0 to the last departure that the line was busy."""
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

    def wait_batches(self, relaxation: float) -> BatchMeans:
        """The mean wait after warm-up, with its batch-means standard error.

        ``relaxation`` is the queue's relaxation time in telegrams: it sets
        the warm-up deleted and the least batch length (see :mod:`sim.stats`).
        """
        return batch_means(self.batch_wait, self.batch_size, self.telegrams, relaxation)
