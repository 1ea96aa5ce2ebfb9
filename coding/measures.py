"""Entropy, cross entropy and Kullback–Leibler divergence.

Argument order
--------------
The first argument is always the distribution that actually draws the symbols
(the truth, called ``p`` here); the second is the one a code or model assumes
(``q``). So ``cross_entropy(p, q) = −Σ p(x) log q(x)`` is the average cost of
symbols drawn from ``p`` when they are coded as if they came from ``q``.

The source article writes the same quantity as ``H_p(q) = −Σ q(x) log p(x)``
with the names swapped: its ``p`` is the distribution the code was designed
for and its ``q`` the one that draws. Its ``H_p(q)`` is our
``cross_entropy(q, p)``; its ``KL(Q‖P)`` is our ``kl_divergence(q, p)``.

Conventions: 0·log 0 = 0; a symbol with q(x) = 0 < p(x) makes the cross
entropy and the divergence ``inf`` (never NaN); results are plain floats and
never −0.0. Units are bits by default (``base=2``); ``base="e"`` gives nats.
"""

from __future__ import annotations

import math
from typing import Literal, Union

import numpy as np
import numpy.typing as npt

from coding._validate import check_base, check_pmf
from coding.distribution import Distribution

DistributionLike = Union[Distribution, "np.ndarray", list[float], tuple[float, ...]]
Base = float | int | Literal["e"]

__all__ = ["entropy", "cross_entropy", "kl_divergence", "information", "log"]


def log(x: np.ndarray | float, base: Base = 2) -> npt.NDArray[np.float64]:
    """Logarithm in ``base`` (2 exactly via ``log2``; ``"e"`` natural)."""
    b = check_base(base)
    v: npt.NDArray[np.float64] = np.asarray(x, dtype=np.float64)
    with np.errstate(divide="ignore"):
        if b == "e":
            return np.log(v)
        if b == 2.0:
            return np.log2(v)
        if b == 10.0:
            return np.log10(v)
        return np.log(v) / math.log(float(b))


def _vector(name: str, p: DistributionLike) -> np.ndarray:
    if isinstance(p, Distribution):
        return p.probabilities
    return check_pmf(name, p)


def _pair(p: DistributionLike, q: DistributionLike) -> tuple[np.ndarray, np.ndarray]:
    """Two aligned probability vectors; Distributions are aligned by symbol."""
    if isinstance(p, Distribution) and isinstance(q, Distribution):
        return p.probabilities, q.aligned(p.symbols)
    pv, qv = _vector("p", p), _vector("q", q)
    if pv.shape != qv.shape:
        raise ValueError(f"'p' and 'q' must have the same length (got {pv.size} and {qv.size})")
    return pv, qv


def _clean(x: float | np.ndarray) -> float:
    return float(x) + 0.0  # turns -0.0 into 0.0


def information(probability: float, base: Base = 2) -> float:
    """Self-information −log p of one outcome: the ideal codeword length.

    >>> information(0.125)
    3.0
    """
    return _clean(-log(probability, base))


def entropy(p: DistributionLike, base: Base = 2) -> float:
    """Entropy H(p) = −Σ p(x) log p(x).

    >>> entropy([0.5, 0.25, 0.125, 0.125])
    1.75
    >>> india = Distribution.from_counts({"blue": 25, "red": 50, "green": 13, "yellow": 12})
    >>> round(entropy(india), 4)
    1.7497
    """
    pv = _vector("p", p)
    nz = pv > 0
    return _clean(-np.sum(pv[nz] * log(pv[nz], base)))


def cross_entropy(p: DistributionLike, q: DistributionLike, base: Base = 2) -> float:
    """Cross entropy H(p, q) = −Σ p(x) log q(x): symbols drawn from ``p``, coded for ``q``.

    In the article's notation this is H_q(p) (its subscript names the code's
    distribution). Australia (the truth) using a code designed for India:

    >>> india = Distribution.from_counts({"blue": 25, "red": 50, "green": 13, "yellow": 12})
    >>> australia = Distribution.from_counts({"blue": 13, "red": 25, "green": 50, "yellow": 12})
    >>> round(cross_entropy(australia, india), 4)
    2.3488
    >>> cross_entropy([0.5, 0.5], [1.0, 0.0])
    inf
    """
    pv, qv = _pair(p, q)
    nz = pv > 0
    if np.any(qv[nz] == 0):
        return math.inf
    return _clean(-np.sum(pv[nz] * log(qv[nz], base)))


def kl_divergence(p: DistributionLike, q: DistributionLike, base: Base = 2) -> float:
    """Kullback–Leibler divergence D(p‖q) = Σ p(x) log(p(x)/q(x)) = H(p, q) − H(p).

    The extra cost per symbol of coding ``p``'s draws with a code built for
    ``q``. Not symmetric:

    >>> india = Distribution.from_counts({"blue": 25, "red": 50, "green": 13, "yellow": 12})
    >>> australia = Distribution.from_counts({"blue": 13, "red": 25, "green": 50, "yellow": 12})
    >>> round(kl_divergence(australia, india), 4), round(kl_divergence(india, australia), 4)
    (0.5991, 0.4832)
    """
    pv, qv = _pair(p, q)
    nz = pv > 0
    if np.any(qv[nz] == 0):
        return math.inf
    value = float(np.sum(pv[nz] * (log(pv[nz], base) - log(qv[nz], base))))
    # D(p‖q) >= 0 (Gibbs); clip the last-bit rounding of nearly equal terms.
    return _clean(max(value, 0.0))
