"""Boundary checks for the ``coding`` package.

Every public constructor and function calls these once; past the boundary no
further checks are made. Messages name the parameter, the rule and the value.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

#: Tolerance on a probability vector's sum.
SUM_TOLERANCE = 1e-9

#: The digits of a code alphabet of size D are DIGITS[:D].
DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def check_symbol(name: str, symbol: Any) -> str:
    if not isinstance(symbol, str) or symbol == "":
        raise TypeError(f"{name!r} symbols must be non-empty strings (got {symbol!r})")
    return symbol


def check_symbols(name: str, symbols: Any) -> tuple[str, ...]:
    """A non-empty sequence of distinct symbols (not one string)."""
    if isinstance(symbols, str):
        raise TypeError(f"{name!r} must be a sequence of symbols, not one string")
    out = tuple(check_symbol(name, s) for s in symbols)
    if not out:
        raise ValueError(f"{name!r} must not be empty")
    seen: set[str] = set()
    for s in out:
        if s in seen:
            raise ValueError(f"{name!r} has {s!r} twice")
        seen.add(s)
    return out


def check_alphabet_size(D: Any) -> int:
    if isinstance(D, bool) or not isinstance(D, (int, np.integer)):
        raise TypeError(f"'D' must be an integer (got {D!r})")
    if not 2 <= int(D) <= len(DIGITS):
        raise ValueError(f"'D' must be between 2 and {len(DIGITS)} (got {D})")
    return int(D)


def check_weights(name: str, mapping: Mapping[str, Any]) -> tuple[tuple[str, ...], np.ndarray]:
    """Symbols and float64 weights of a mapping: non-empty, finite, non-negative."""
    if not isinstance(mapping, Mapping):
        raise TypeError(f"{name!r} must be a mapping symbol -> number (got {type(mapping).__name__})")
    if len(mapping) == 0:
        raise ValueError(f"{name!r} must not be empty")
    symbols = tuple(mapping)
    values = list(mapping.values())
    if all(type(s) is str and s for s in symbols) and all(type(v) in (int, float) for v in values):
        try:
            arr = np.array(values, dtype=np.float64)
        except OverflowError:  # an int beyond float64: the loop below names it
            arr = np.zeros(0)
        if arr.size == len(values) and bool(np.all(np.isfinite(arr) & (arr >= 0))):
            return symbols, arr  # the common case, checked with whole-array operations
    symbols = tuple(check_symbol(name, s) for s in mapping)
    values = []
    for s, v in mapping.items():
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
            raise TypeError(f"{name!r}[{s!r}] must be a number (got {v!r})")
        v = float(v)
        if not math.isfinite(v):
            raise ValueError(f"{name!r}[{s!r}] must be finite (got {v})")
        if v < 0:
            raise ValueError(f"{name!r}[{s!r}] must be non-negative (got {v})")
        values.append(v)
    return symbols, np.array(values, dtype=np.float64)


def check_pmf(name: str, probs: Any) -> np.ndarray:
    """A 1-D float64 probability vector: finite, non-negative, summing to 1."""
    try:
        arr = np.asarray(probs, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name!r} must be an array of numbers ({exc})") from None
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name!r} must be a non-empty 1-D array (got shape {arr.shape})")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name!r} must be finite (got {arr.tolist()})")
    if np.any(arr < 0):
        raise ValueError(f"{name!r} must be non-negative (got {arr.tolist()})")
    total = float(arr.sum())
    if abs(total - 1.0) > SUM_TOLERANCE:
        raise ValueError(f"{name!r} must sum to 1 (got {total:.12g})")
    return arr


def check_base(base: Any) -> float | str:
    if base == "e":
        return "e"
    if isinstance(base, bool) or not isinstance(base, (int, float, np.integer, np.floating)):
        raise TypeError(f"'base' must be a number > 1 or 'e' (got {base!r})")
    if not math.isfinite(float(base)) or float(base) <= 1:
        raise ValueError(f"'base' must be > 1 or 'e' (got {base})")
    return float(base)


def check_probability(name: str, value: Any) -> float:
    """``value`` as a float in [0, 1], or a ValueError naming ``name`` (NaN is rejected too)."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"'{name}' must be a number (got {value!r})") from None
    if not 0.0 <= v <= 1.0:
        raise ValueError(f"'{name}' must be a probability in [0, 1] (got {value!r})")
    return v
