"""The statistics behind the checks: Student's t quantiles, Bernstein's bound, batch means.

Pure functions on plain numbers (no SciPy): each returns what a check needs
to say pass, FAIL or inconclusive at a stated false-alarm rate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: False-alarm rate of every statistical check (two-sided).
ALPHA = 1e-3
#: The rate the queue-wait check states: its t test runs at ALPHA, but batch means of waits are
#: skewed (long busy periods), so its measured rate is higher; calibration keeps it below this.
WAIT_ALPHA = 1e-2


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the regularised incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 400):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c if abs(1.0 + aa / c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c if abs(1.0 + aa / c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return h


def _betainc(a: float, b: float, x: float) -> float:
    """The regularised incomplete beta function I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def t_tail(t: float, dof: float) -> float:
    """P(|T| > t) for Student's t with ``dof`` degrees of freedom.

    >>> round(t_tail(2.228138851986274, 10), 6)
    0.05
    """
    if t <= 0:
        return 1.0
    return _betainc(dof / 2.0, 0.5, dof / (dof + t * t))


def t_quantile(alpha: float, dof: float) -> float:
    """The t with P(|T| > t) = ``alpha`` (two-sided) for ``dof`` degrees of freedom.

    >>> round(t_quantile(0.05, 10), 4), round(t_quantile(1e-3, 9), 3)
    (2.2281, 4.781)
    """
    lo, hi = 0.0, 1.0
    while t_tail(hi, dof) > alpha:
        hi *= 2.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if t_tail(mid, dof) > alpha:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-12 * hi:
            break
    return 0.5 * (lo + hi)


def bernstein_threshold(count: float, variance: float, spread: float, alpha: float = ALPHA) -> float:
    """The deviation t of a sum of ``count`` bounded draws that Bernstein's inequality allows.

    For independent X_i with variance ``variance`` and |X_i − E X| ≤ ``spread``,
    P(|Σ (X_i − E X)| ≥ t) ≤ 2 exp(−t² / (2 (count·variance + spread·t / 3))).
    The t returned makes that bound equal to ``alpha``. By Hoeffding (1963,
    Theorem 4) the same bound holds for draws without replacement from a
    finite box. Zero draws allow no deviation at all.

    >>> bernstein_threshold(0, 1.0, 1.0)
    0.0
    """
    if count <= 0:
        return 0.0
    c = math.log(2.0 / alpha)
    a = c * spread / 3.0
    return a + math.sqrt(a * a + 2.0 * c * count * variance)


# -- queues: relaxation time and batch means ------------------------------------------------------

#: Warm-up deleted, and the least batch length, in relaxation times.
WARM_UP_RELAXATIONS = 3.0
BATCH_RELAXATIONS = 10.0
#: Telegrams that wait (wait > 0), on average, in every batch: below it a batch mean is a few
#: spikes among zeros and far from normal, however many relaxation times the batch spans.
MIN_WAITING_PER_BATCH = 20.0
#: Batches: at least this many to say anything, at most this many.
MIN_BATCHES = 10
MAX_BATCHES = 32
#: Slots of running sums the line keeps (flat memory): the waits are grouped into this many
#: equal micro-batches in telegram order, and batches are built from whole micro-batches.
MICRO_BATCHES = 2048


def relaxation_time(rho: float, scv: float) -> float:
    """The relaxation time of an M/G/1 queue, counted in customers (telegrams).

    ρ / (1 − √ρ)² is exact for M/M/1 (Abate & Whitt 1987; Whitt 1989,
    "Planning queueing simulations"); scaling it by (1 + c_s²)/2, with c_s²
    the squared coefficient of variation of the service time, gives the
    heavy-traffic (reflected Brownian motion) value 2ρ(1 + c_s²)/(1 − ρ)²
    for any service distribution.

    >>> round(relaxation_time(0.9, 1.0), 1)
    341.8
    """
    return rho * (1.0 + scv) / (2.0 * (1.0 - math.sqrt(rho)) ** 2)


def min_batch_telegrams(load: float) -> float:
    """The least batch length (telegrams) that holds MIN_WAITING_PER_BATCH waiting telegrams.

    With Poisson arrivals a telegram finds the wire busy, and so waits, with
    probability equal to the wire's load (PASTA: Wolff 1982), whatever its
    priority. At a light load the relaxation time is a fraction of a
    telegram, yet a batch of a few telegrams is mostly zero waits: its mean
    is not near normal and the t test over such batches FAILs correct runs
    (2.4 % of runs at ρ = 0.05 with 50 messages, against a stated 1 %).

    >>> min_batch_telegrams(0.05), min_batch_telegrams(0.9)
    (400.0, 22.22222222222222)
    """
    return MIN_WAITING_PER_BATCH / load if load > 0 else math.inf


@dataclass(frozen=True)
class BatchMeans:
    """The mean of a queue statistic after warm-up, with its batch-means standard error.

    ``reason`` is empty when the estimate can be judged, else why not.
    """

    mean: float
    std_error: float
    batches: int
    batch_size: int
    warm_up: int
    reason: str = ""


def batch_means(
    sums: np.ndarray, micro: int, count: int, relaxation: float, min_batch: float = 0.0
) -> BatchMeans:
    """Batch means from running sums ``sums`` over micro-batches of ``micro`` telegrams.

    ``count`` telegrams were seen (only full micro-batches are used). The
    first ⌈WARM_UP_RELAXATIONS · relaxation⌉ telegrams are deleted (rounded up
    to whole micro-batches); what remains is cut into between MIN_BATCHES and
    MAX_BATCHES batches, each at least BATCH_RELAXATIONS relaxation times
    and at least ``min_batch`` telegrams long (see :func:`min_batch_telegrams`).
    Too little data, or a standard error of zero, gives a ``reason``.
    """
    full = min(count // micro, sums.size)
    skip = min(full, math.ceil(WARM_UP_RELAXATIONS * relaxation / micro))
    usable = full - skip
    # (capped at the whole run, so an unbounded least length simply leaves too few batches)
    batch_length = min(max(BATCH_RELAXATIONS * relaxation, min_batch), float(max(count, 0) + micro))
    per_batch = max(1, math.ceil(batch_length / micro))
    batches = min(MAX_BATCHES, usable // per_batch)
    if batches < MIN_BATCHES:
        if not math.isfinite(min_batch):
            why = "at zero load no telegram waits: there is no mean wait to judge"
        elif min_batch > BATCH_RELAXATIONS * relaxation:
            need_telegrams = WARM_UP_RELAXATIONS * relaxation + MIN_BATCHES * min_batch
            why = (
                f"the run holds {count:,} telegrams; at this light load judging the mean wait needs "
                f"{MIN_BATCHES} batches of {min_batch:.3g} telegrams (each about "
                f"{MIN_WAITING_PER_BATCH:g} that wait), {math.ceil(need_telegrams):,} in all"
            )
        else:
            need = WARM_UP_RELAXATIONS + MIN_BATCHES * BATCH_RELAXATIONS
            why = (
                f"the run holds {count / relaxation:.3g} relaxation times of the queue "
                f"({relaxation:.3g} telegrams each); judging the mean wait needs {need:g}"
            )
        return BatchMeans(math.nan, math.nan, max(batches, 0), per_batch * micro, skip * micro, why)
    per_batch = usable // batches
    start = full - batches * per_batch  # the warm-up, plus any remainder, is cut from the front
    means = sums[start:full].reshape(batches, per_batch).sum(axis=1) / (per_batch * micro)
    with np.errstate(over="ignore", invalid="ignore"):
        se = float(np.std(means, ddof=1) / math.sqrt(batches))
        mean = float(means.mean())
    reason = ""
    if not se > 0 or not math.isfinite(se):
        reason = f"the {batches} batch means are all equal (standard error {se:g}): no spread to judge by"
    return BatchMeans(mean, se, batches, per_batch * micro, start * micro, reason)
