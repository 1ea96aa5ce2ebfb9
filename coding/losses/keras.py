"""The losses of ``keras.losses``, computed as Keras 3 computes them, in numpy.

Classes with the names, constructor arguments and defaults of
``keras.losses`` (Keras 3), called as ``loss(y_true, y_pred,
sample_weight=None)``. They follow Keras's steps one by one, so the numbers
agree with the framework's, quirks included:

- **dtype.** Both inputs are first cast to the loss's ``dtype``, by default
  ``"float32"`` (Keras's ``floatx``), and computed in it; pass
  ``dtype="float64"`` to compare with a float64 Keras loss to the last
  digits.
- **epsilon.** Probabilities are clipped to [1e-7, 1 − 1e-7] (Keras's
  ``backend.epsilon()``) before the log, so a predicted zero costs
  −ln 1e-7 ≈ 16.1 nats, not inf. ``KLDivergence`` clips both arguments to
  [1e-7, 1], so a zero in ``y_true`` adds a tiny 1e-7·ln(1e-7/y_pred)
  instead of exactly 0.
- **re-normalisation.** Without ``from_logits``, ``CategoricalCrossentropy``
  and ``SparseCategoricalCrossentropy`` first divide ``y_pred`` by its sum
  over the class axis, so unnormalised scores are silently made into
  probabilities.
- **reduction.** ``"sum_over_batch_size"`` (the default) and ``"mean"`` divide
  the weighted sum by the number of loss elements, not by the sum of the
  sample weights (``"mean_with_sample_weight"`` does that); ``"sum"`` sums;
  ``"none"`` or ``None`` return the per-sample losses. With ``ignore_class``
  the mean is over the samples kept.

Where backends differ (Keras's TensorFlow backend adds epsilon inside the log
of the binary cross entropy instead of clipping only), these follow the
PyTorch and JAX backends; the difference is below 1e-6.

Roles and units: ``y_true`` is the **truth** (the distribution that draws
the balls: q in the telegraph's H(q, p), the first argument of
:func:`coding.cross_entropy`), ``y_pred`` the **model** (p). Natural logs:
the losses are in **nats**; divide by ln 2 for bits. Results are a ``float``
when reduced, else an array of the loss's dtype.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from coding.losses import pytorch
from coding.losses._arrays import (
    FloatArray,
    LossValue,
    check_choice,
    check_in_range,
    check_unit,
    float_array,
    log_softmax,
    pick,
    result,
)

__all__ = [
    "EPSILON",
    "BinaryCrossentropy",
    "CategoricalCrossentropy",
    "KLDivergence",
    "Loss",
    "SparseCategoricalCrossentropy",
]

#: Keras's fuzz factor ``keras.backend.epsilon()``.
EPSILON = 1e-7

Reduction = Literal["sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none"] | None
_REDUCTIONS: tuple[Reduction, ...] = (
    "sum_over_batch_size",
    "sum",
    "mean",
    "mean_with_sample_weight",
    "none",
    None,
)
_DTYPES: dict[str, type] = {"float32": np.float32, "float64": np.float64}
BoolArray = NDArray[np.bool_]


def _same_rank(x1: FloatArray, x2: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Keras's ``squeeze_or_expand_to_same_rank``: drop or add one trailing axis of size 1."""
    if x1.ndim == x2.ndim + 1 and x1.shape[-1] == 1:
        if x2.ndim == 1:
            x2 = x2[..., None]
        else:
            x1 = x1[..., 0]
    if x2.ndim == x1.ndim + 1 and x2.shape[-1] == 1:
        if x1.ndim == 1:
            x1 = x1[..., None]
        else:
            x2 = x2[..., 0]
    return x1, x2


def _times(values: FloatArray, weight: FloatArray, what: str) -> FloatArray:
    values, weight = _same_rank(values, weight)
    try:
        out: FloatArray = values * weight
    except ValueError:
        raise ValueError(
            f"{what} of shape {weight.shape} does not match the losses' shape {values.shape}"
        ) from None
    return out


def _divide_no_nan(total: Any, count: Any) -> np.float32:
    """Keras's ``ops.divide_no_nan`` as its type promotion makes it: in float32, 0 for a 0 divisor.

    Keras 3's type promotion (``keras.backend.result_type``) turns every
    64-bit result type into 32 bits, as JAX does by default. The ops that ask
    it, ``ops.divide_no_nan`` and ``ops.mean``, so compute in float32 even in
    a ``dtype="float64"`` loss: the default mean reductions, the weight of
    the samples kept under ``ignore_class`` and the binary cross entropy's
    mean over ``axis``. We do the same, to agree with Keras; for a float64
    number use ``reduction="sum"`` (or ``"none"``) with the categorical losses
    and divide yourself.
    """
    count32 = np.float32(count)
    return np.float32(total) / count32 if count32 != 0 else np.float32(0)


def _reduce(
    values: FloatArray, sample_weight: FloatArray | None, mask: BoolArray | None, reduction: Reduction
) -> LossValue:
    """Keras's ``reduce_weighted_values``: fold the mask into the weights, weight, reduce."""
    dtype = values.dtype.type
    if mask is not None:
        if reduction in ("mean", "sum_over_batch_size"):
            valid = dtype(np.sum(mask))
            share = _divide_no_nan(mask.size, valid)
            float_mask = np.where(mask, share, 0).astype(dtype)
        else:
            float_mask = mask.astype(dtype)
        sample_weight = (
            float_mask if sample_weight is None else _times(float_mask, sample_weight, "sample_weight")
        )
    if sample_weight is not None:
        values, sample_weight = _same_rank(values, sample_weight)
        values = _times(values, sample_weight, "sample_weight")
    if reduction in (None, "none") or values.shape in ((), (0,)):
        return result(values)
    total = np.sum(values)
    if reduction == "sum":
        return float(total)
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        divisor = np.sum(sample_weight, dtype=dtype)
    else:
        divisor = dtype(values.size)
    return float(_divide_no_nan(total, divisor))


class Loss:
    """Base class: ``reduction``, ``name`` and ``dtype`` as in ``keras.losses.Loss``."""

    def __init__(
        self, reduction: Reduction = "sum_over_batch_size", name: str | None = None, dtype: str | None = None
    ) -> None:
        check_choice("reduction", reduction, _REDUCTIONS)
        dtype = "float32" if dtype is None else dtype
        check_choice("dtype", dtype, tuple(_DTYPES))
        self.reduction = reduction
        self.name = name if name is not None else type(self).__name__
        self.dtype: str = dtype

    def __call__(
        self, y_true: ArrayLike, y_pred: ArrayLike, sample_weight: ArrayLike | None = None
    ) -> LossValue:
        dtype = _DTYPES[self.dtype]
        yp = float_array("y_pred", y_pred, dtype)
        yt = float_array("y_true", y_true, dtype)
        weight = None if sample_weight is None else float_array("sample_weight", sample_weight, dtype)
        with np.errstate(all="ignore"):
            values, mask = self.call(*_same_rank(yt, yp))
            return _reduce(values.astype(dtype, copy=False), weight, mask, self.reduction)

    def call(self, y_true: FloatArray, y_pred: FloatArray) -> tuple[FloatArray, BoolArray | None]:
        """Per-sample losses and, where some samples are ignored, the mask of those kept."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r} reduction={self.reduction!r} dtype={self.dtype!r}>"


def _axis(axis: Any) -> int:
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"'axis' must be an integer (got {axis!r})")
    return int(axis)


def _check_same_shape(y_true: FloatArray, y_pred: FloatArray) -> None:
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"'y_true' and 'y_pred' must have the same shape (got {y_true.shape} and {y_pred.shape})"
        )
    if y_pred.ndim < 1:
        raise ValueError("'y_true' and 'y_pred' must have at least one axis (got scalars)")


def _log_probabilities(y_pred: FloatArray, from_logits: bool, axis: int) -> FloatArray:
    """log-softmax of logits, or the log of re-normalised, epsilon-clipped probabilities."""
    if from_logits:
        return log_softmax(y_pred, axis=axis)
    p = y_pred / np.sum(y_pred, axis=axis, keepdims=True)
    out: FloatArray = np.log(np.clip(p, EPSILON, 1 - EPSILON))
    return out


class _SmoothedLoss(Loss):
    """The constructor the two smoothed cross entropies share in Keras."""

    default_name = "loss"

    def __init__(
        self,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction: Reduction = "sum_over_batch_size",
        name: str | None = None,
        dtype: str | None = None,
    ) -> None:
        super().__init__(reduction=reduction, name=name or self.default_name, dtype=dtype)
        self.from_logits = bool(from_logits)
        self.label_smoothing = check_unit("label_smoothing", label_smoothing)
        self.axis = _axis(axis)


class CategoricalCrossentropy(_SmoothedLoss):
    """Cross entropy −Σ_c y_true_c · log y_pred_c, as ``keras.losses.CategoricalCrossentropy``.

    ``y_true``: the truth q per sample, one-hot or any distribution over the
    classes on ``axis``. ``y_pred``: the model p, as probabilities (re-
    normalised to sum to 1 and clipped to [1e-7, 1 − 1e-7]) or, with
    ``from_logits=True``, as logits (softmax inside, e^{x_i} / Σ_j e^{x_j}).
    The per-sample loss is the cross entropy H(q, p) in nats, the telegraph's
    bill for q's balls on a code ideal for p; it splits into H(q), which no
    model can save, plus D(q‖p). Divide by ln 2 for bits.
    ``label_smoothing`` ε replaces q by (1 − ε)·q + ε/C, with C the size of
    the *last* axis (as Keras does, whatever ``axis`` is).

    Australia's box as the truth, India's proportions as the model:

    >>> import math
    >>> cce = CategoricalCrossentropy(dtype="float64")
    >>> nats = cce([[0.13, 0.25, 0.50, 0.12]], [[25, 50, 13, 12]])  # re-normalised to 0.25, 0.5, ...
    >>> round(nats, 4), round(nats / math.log(2), 4)
    (1.628, 2.3488)
    >>> f"{CategoricalCrossentropy()([[0, 1]], [[0.0, 1.0]]):.3g}"  # clipped to 1 − 1e-7, in float32
    '1.19e-07'
    """

    default_name = "categorical_crossentropy"

    def call(self, y_true: FloatArray, y_pred: FloatArray) -> tuple[FloatArray, BoolArray | None]:
        _check_same_shape(y_true, y_pred)
        if self.label_smoothing:
            classes = y_pred.dtype.type(y_true.shape[-1])
            y_true = y_true * (1.0 - self.label_smoothing) + (self.label_smoothing / classes)
        log_p = _log_probabilities(y_pred, self.from_logits, self.axis)
        return -np.sum(y_true * log_p, axis=self.axis), None


class SparseCategoricalCrossentropy(Loss):
    """Cross entropy −log y_pred[y_true] for class numbers, as ``keras.losses.SparseCategoricalCrossentropy``.

    ``y_true``: the truth as class numbers (one ball per sample: a one-hot q),
    of ``y_pred``'s shape without the class ``axis`` (a trailing axis of size 1
    is dropped). ``y_pred``: the model p, probabilities (re-normalised and
    clipped as in :class:`CategoricalCrossentropy`) or logits with
    ``from_logits=True``. The loss of a sample is −ln p(y), the ideal code
    length of the ball that came, in nats; its mean over balls drawn from q
    is the cross entropy H(q, p). Divide by ln 2 for bits.

    ``ignore_class``: samples with this label cost 0 and, in the default
    reduction, are left out of the mean as well (Keras masks them).

    Every ball of Australia's box, coded with India's model:

    >>> import math
    >>> scce = SparseCategoricalCrossentropy(dtype="float64")
    >>> australia_box = [0] * 13 + [1] * 25 + [2] * 50 + [3] * 12
    >>> round(scce(australia_box, [[0.25, 0.50, 0.13, 0.12]] * 100) / math.log(2), 4)
    2.3488
    >>> round(SparseCategoricalCrossentropy(ignore_class=-1)([2, -1], [[0.25, 0.50, 0.13, 0.12]] * 2), 4)
    2.0402
    """

    def __init__(
        self,
        from_logits: bool = False,
        ignore_class: int | None = None,
        reduction: Reduction = "sum_over_batch_size",
        axis: int = -1,
        name: str = "sparse_categorical_crossentropy",
        dtype: str | None = None,
    ) -> None:
        super().__init__(reduction=reduction, name=name, dtype=dtype)
        if ignore_class is not None and (isinstance(ignore_class, bool) or not isinstance(ignore_class, int)):
            raise TypeError(f"'ignore_class' must be an integer or None (got {ignore_class!r})")
        self.from_logits = bool(from_logits)
        self.ignore_class = ignore_class
        self.axis = _axis(axis)

    def call(self, y_true: FloatArray, y_pred: FloatArray) -> tuple[FloatArray, BoolArray | None]:
        axis = self.axis
        if y_pred.ndim < 1:
            raise ValueError("'y_pred' must have a class axis (got a scalar)")
        if y_true.ndim == y_pred.ndim and y_true.shape[axis] == 1:
            y_true = np.squeeze(y_true, axis=axis)
        mask: BoolArray | None = None
        if self.ignore_class is not None:
            mask = y_true != y_pred.dtype.type(self.ignore_class)
            y_true = np.where(mask, y_true, 0).astype(y_pred.dtype)
            y_pred = np.where(np.expand_dims(mask, axis), y_pred, 0).astype(y_pred.dtype)
        labels = y_true.astype(np.int64)  # torch's .long(): truncation toward zero
        classes_last = np.moveaxis(y_pred, axis, -1)
        if labels.shape != classes_last.shape[:-1]:
            raise ValueError(
                f"'y_true' must have the shape of 'y_pred' without its class axis, "
                f"{classes_last.shape[:-1]} (got {labels.shape})"
            )
        check_in_range("y_true", labels, classes_last.shape[-1])
        losses = -pick(_log_probabilities(classes_last, self.from_logits, -1), labels)
        if mask is not None:
            losses = np.where(mask, losses, 0).astype(y_pred.dtype)
        return losses, mask


class BinaryCrossentropy(_SmoothedLoss):
    """Binary cross entropy, averaged over ``axis``, as ``keras.losses.BinaryCrossentropy``.

    ``y_true``: the truth q of class 1 (0/1 labels or soft labels).
    ``y_pred``: the model's p of class 1, a probability (clipped to
    [1e-7, 1 − 1e-7]) or, with ``from_logits=True``, a logit (sigmoid
    inside). Each element costs −[q·ln p + (1 − q)·ln(1 − p)] nats, the
    two-colour cross entropy; Keras then averages over ``axis`` (the last by
    default), so a sample's loss is the mean over its outputs. Divide by
    ln 2 for bits. ``label_smoothing`` ε replaces q by (1 − ε)·q + ε/2.

    >>> round(BinaryCrossentropy()([1.0], [0.8]), 4)
    0.2231
    >>> round(BinaryCrossentropy()([1.0], [0.0]), 2)  # clipped at 1e-7: −ln 1e-7
    16.12
    """

    default_name = "binary_crossentropy"

    def call(self, y_true: FloatArray, y_pred: FloatArray) -> tuple[FloatArray, BoolArray | None]:
        if self.label_smoothing:
            y_true = y_true * (1.0 - self.label_smoothing) + 0.5 * self.label_smoothing
        _check_same_shape(y_true, y_pred)
        if self.from_logits:
            each = pytorch.binary_cross_entropy_with_logits(y_pred, y_true, reduction="none")
        else:
            clipped = np.clip(y_pred, EPSILON, 1 - EPSILON)
            each = pytorch.binary_cross_entropy(clipped, y_true, reduction="none")
        # Keras's ops.mean computes in float32 even for a float64 loss (see _divide_no_nan).
        mean = np.mean(np.asarray(each, dtype=np.float32), axis=self.axis)
        return mean.astype(y_pred.dtype), None


class KLDivergence(Loss):
    """Σ y_true · ln(y_true / y_pred) over the last axis, as ``keras.losses.KLDivergence``.

    ``y_true``: the truth q; ``y_pred``: the model p; both probabilities (there
    is no logits option) and both clipped to [1e-7, 1] first. The result is
    D(q‖p) = H(q, p) − H(q) in nats, the forward divergence, truth first: the
    part of the telegraph's bill that a better model could still save.
    Divide by ln 2 for bits.

    >>> import math
    >>> kl = KLDivergence(dtype="float64")
    >>> round(kl([[0.13, 0.25, 0.50, 0.12]], [[0.25, 0.50, 0.13, 0.12]]) / math.log(2), 4)
    0.5991
    """

    def __init__(
        self,
        reduction: Reduction = "sum_over_batch_size",
        name: str = "kl_divergence",
        dtype: str | None = None,
    ) -> None:
        super().__init__(reduction=reduction, name=name, dtype=dtype)

    def call(self, y_true: FloatArray, y_pred: FloatArray) -> tuple[FloatArray, BoolArray | None]:
        q = np.clip(y_true, EPSILON, 1)
        p = np.clip(y_pred, EPSILON, 1)
        return np.sum(q * np.log(q / p), axis=-1), None
