"""The telegraph line: a FIFO single server followed by a propagation delay.

Like the ``Cable`` of SimPy's latency example, the line is an object outside
the sender and receiver. Timing is computed for a whole chunk of telegrams at
once with Lindley's recursion, W_i = max(0, W_{i-1} + S_{i-1} − (A_i − A_{i-1})),
solved in closed form as a random walk reflected at zero.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import simpy

from sim.model import Line

#: Wait histogram: bins per decade, and decades either side of the mean service time.
_BINS_PER_DECADE = 20
_DECADES = 6


@dataclass(frozen=True)
class Timing:
    """Per-telegram times for one chunk."""

    start: np.ndarray
    departure: np.ndarray
    wait: np.ndarray


class TelegraphLine:
    """One telegram on the wire at a time, ``baud`` bits per second, then ``latency``.

    Keeps running statistics (no per-telegram records): busy time, waits
    (sum, square sum, maximum, log-spaced histogram, fixed-size batch sums for
    batch-means standard errors) and cost.
    """

    def __init__(
        self,
        env: simpy.Environment,
        line: Line,
        mean_service: float,
        batch_size: int,
        back_to_back: bool = False,
    ) -> None:
        self.env = env
        self.spec = line
        self.back_to_back = back_to_back
        # Carry between chunks: last arrival, its wait and its service time.
        self._last_arrival = 0.0
        self._last_wait = 0.0
        self._last_service = 0.0
        self._last_departure = 0.0
        self.telegrams = 0
        self.bits = 0
        self.busy_time = 0.0
        self.wait_sum = 0.0
        self.max_wait = 0.0
        scale = mean_service if mean_service > 0 else 1.0
        n_bins = 2 * _DECADES * _BINS_PER_DECADE
        inner = scale * np.logspace(-_DECADES, _DECADES, n_bins + 1)
        # Bin 0: exactly zero; then (0, inner[0]); log bins; last: beyond inner[-1].
        self.hist_edges = np.concatenate(([0.0, 0.0], inner, [math.inf]))
        self.hist_counts = np.zeros(self.hist_edges.size - 1, dtype=np.int64)
        self.batch_size = max(1, batch_size)
        self.batch_wait = np.zeros(0)
        self.batch_count = np.zeros(0, dtype=np.int64)

    def transmit(self, arrival: np.ndarray, bits: np.ndarray) -> Timing:
        """Times of a chunk of telegrams that arrive at ``arrival`` carrying ``bits``."""
        service = bits / self.spec.baud
        n = service.size
        if self.back_to_back:
            wait = np.zeros(n)
            start = self._last_departure + np.concatenate(([0.0], np.cumsum(service[:-1])))
        else:
            prev_arrival = np.concatenate(([self._last_arrival], arrival[:-1]))
            prev_service = np.concatenate(([self._last_service], service[:-1]))
            walk = self._last_wait + np.cumsum(prev_service - (arrival - prev_arrival))
            wait = walk - np.minimum(np.minimum.accumulate(walk), 0.0)
            start = arrival + wait
        departure = start + service
        self._record(wait, service, bits)
        self._last_arrival = float(arrival[-1]) if not self.back_to_back else 0.0
        self._last_wait = float(wait[-1])
        self._last_service = float(service[-1])
        self._last_departure = float(departure[-1])
        return Timing(start, departure, wait)

    def _record(self, wait: np.ndarray, service: np.ndarray, bits: np.ndarray) -> None:
        first = self.telegrams
        self.telegrams += wait.size
        self.bits += int(bits.sum())
        self.busy_time += float(service.sum())
        self.wait_sum += float(wait.sum())
        self.max_wait = max(self.max_wait, float(wait.max()))
        bins = np.searchsorted(self.hist_edges, wait, side="right") - 1
        bins[wait == 0] = 0
        self.hist_counts += np.bincount(bins, minlength=self.hist_counts.size)
        batch = (np.arange(first, self.telegrams) // self.batch_size).astype(np.intp)
        top = int(batch[-1]) + 1
        if top > self.batch_wait.size:
            self.batch_wait = np.concatenate((self.batch_wait, np.zeros(top - self.batch_wait.size)))
            self.batch_count = np.concatenate(
                (self.batch_count, np.zeros(top - self.batch_count.size, dtype=np.int64))
            )
        lo = int(batch[0])
        self.batch_wait[lo:top] += np.bincount(batch - lo, weights=wait)
        self.batch_count[lo:top] += np.bincount(batch - lo)

    @property
    def last_departure(self) -> float:
        return self._last_departure

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
        below = cum[i - 1]
        frac = (target - below) / max(self.hist_counts[i], 1)
        if lo <= 0:
            return float(hi * frac)
        return float(min(lo * (hi / lo) ** frac, self.max_wait))

    def wait_std_error(self) -> float:
        """Batch-means standard error of the mean wait (complete batches only)."""
        full = self.batch_count == self.batch_size
        means = self.batch_wait[full] / self.batch_size
        if means.size < 2:
            return math.nan
        return float(np.std(means, ddof=1) / math.sqrt(means.size))
