"""Array plumbing shared by the framework-convention losses (numpy only).

Inputs are numpy arrays or nested lists. Every check names the argument and
what was wrong; past these checks the losses compute exactly what the
frameworks compute, including their NaNs and infinities (IEEE warnings are
silenced inside the losses, because the frameworks do not raise them).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.floating[Any]]
IntArray = NDArray[np.int64]
#: A reduced loss is a plain float; an unreduced one an array (float when it is 0-d).
LossValue = float | FloatArray


def _numbers(name: str, x: ArrayLike, kinds: str, what: str) -> NDArray[Any]:
    """``x`` as an array whose dtype kind is one of ``kinds`` (numpy's letters)."""
    try:
        arr = np.asarray(x)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name!r} must be an array of {what} ({exc})") from None
    if arr.dtype.kind not in kinds:
        raise TypeError(f"{name!r} must be an array of {what} (got dtype {arr.dtype})")
    return arr


def float_array(name: str, x: ArrayLike, dtype: Any = None) -> FloatArray:
    """``x`` as a float array: ``dtype`` if given, else float32 kept, anything else float64."""
    arr = _numbers(name, x, "iuf", "numbers")
    if dtype is None:
        dtype = np.float32 if arr.dtype == np.float32 else np.float64
    return arr.astype(dtype, copy=False)


def index_array(name: str, x: ArrayLike) -> IntArray:
    """``x`` as an int64 array of class indices (integer dtype required, as torch requires Long)."""
    return _numbers(name, x, "iu", "integer class indices").astype(np.int64, copy=False)


def log_softmax(x: FloatArray, axis: int = -1) -> FloatArray:
    """log softmax(x) = x − max − log Σ_j exp(x_j − max): the denominator sums over every class j."""
    m = np.max(x, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0)
    z = x - m
    out: FloatArray = z - np.log(np.sum(np.exp(z), axis=axis, keepdims=True))
    return out


def log_sigmoid(x: FloatArray) -> FloatArray:
    """log σ(x) = min(x, 0) − log1p(exp(−|x|)), stable for large |x|."""
    out: FloatArray = np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))
    return out


def pick(values: FloatArray, index: IntArray) -> FloatArray:
    """``values[..., index[...]]``: the entry of the last axis that each index names."""
    out: FloatArray = np.take_along_axis(values, index[..., None], axis=-1)[..., 0]
    return out


def check_in_range(name: str, index: IntArray, classes: int, ignore: int | None = None) -> None:
    """Every index is a class number 0 … classes−1 (or the ignored value)."""
    bad = (index < 0) | (index >= classes)
    if ignore is not None:
        bad &= index != ignore
    if np.any(bad):
        raise ValueError(f"{name!r} has class index {int(index[bad].flat[0])} out of range 0..{classes - 1}")


def check_choice(name: str, value: Any, allowed: tuple[Any, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{name!r} must be one of {', '.join(map(repr, allowed))} (got {value!r})")


def check_unit(name: str, value: Any) -> float:
    """A number in [0, 1] (label smoothing)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name!r} must be a number (got {value!r})")
    if not 0.0 <= float(value) <= 1.0:
        raise ValueError(f"{name!r} must be between 0 and 1 (got {value})")
    return float(value)


def divide(total: Any, count: Any) -> float:
    """``total / count`` as IEEE does it (0/0 is NaN), without a warning."""
    with np.errstate(all="ignore"):
        return float(np.divide(np.float64(total), np.float64(count)))


def result(value: FloatArray) -> LossValue:
    """A 0-d result as a float, anything else as the array."""
    if np.ndim(value) == 0:
        return float(value)
    return value


def broadcasts_to(shape: tuple[int, ...], target: tuple[int, ...]) -> bool:
    """Whether an array of ``shape`` broadcasts to exactly ``target``."""
    try:
        return np.broadcast_shapes(shape, target) == target
    except ValueError:
        return False
