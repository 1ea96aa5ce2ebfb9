"""The losses of ``torch.nn.functional``, computed as PyTorch computes them, in numpy.

Names, arguments and defaults follow ``torch.nn.functional`` (PyTorch 2.x),
so a student can hold their framework's number against this one and against
the telegraph's bill. The deprecated ``size_average`` and ``reduce``
arguments are left out; every argument after ``weight`` is keyword-only.

Roles and units
---------------
In every loss the **truth** is the target: the distribution that actually
draws the balls (the first argument of :func:`coding.cross_entropy`, the q of
H(q, p) in docs/theory.md). The **model** is what the network predicts (the
second argument, the p of H(q, p)). The losses use natural logarithms, so
they are in **nats**: divide by ln 2 (``math.log(2)``) for bits, the
telegraph's unit.

Which input is what (the source article slips here):

========================================  ===============================
function                                  ``input`` is
========================================  ===============================
``cross_entropy``                         logits (log-softmax inside)
``nll_loss``                              log-probabilities
``kl_div``                                log-probabilities
``binary_cross_entropy``                  probabilities
``binary_cross_entropy_with_logits``      logits (log-sigmoid inside)
========================================  ===============================

Shapes: ``input`` is (C,) for one sample, (N, C) for a batch, or
(N, C, d1, d2, …) for a batch of maps (class axis 1, as in torch); class-index
targets are then (), (N,) or (N, d1, …), probability targets the shape of
``input``. The binary losses and ``kl_div`` take any shape; ``weight``
(and ``pos_weight``) broadcast against it as in torch.

Inputs are numpy arrays or nested lists. A float32 array is computed in
float32, as torch computes a float32 tensor; anything else in float64
(torch makes nested Python floats float32 by default: pass
``torch.tensor(..., dtype=torch.float64)`` to compare to the last digit).
Reductions return a ``float``; ``reduction="none"`` returns the array of
per-element losses (a ``float`` when that array is 0-d). Like torch, a mean
over nothing (every target ignored, an empty batch) is NaN.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from coding.losses._arrays import (
    FloatArray,
    IntArray,
    LossValue,
    broadcasts_to,
    check_choice,
    check_in_range,
    check_unit,
    divide,
    float_array,
    index_array,
    log_sigmoid,
    log_softmax,
    pick,
    result,
)

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "kl_div",
    "nll_loss",
]

Reduction = Literal["none", "mean", "sum"]
_REDUCTIONS = ("none", "mean", "sum")


def _reduce(loss: FloatArray, reduction: str) -> LossValue:
    check_choice("reduction", reduction, _REDUCTIONS)
    if reduction == "none":
        return result(loss)
    if reduction == "sum":
        return float(np.sum(loss))
    return divide(np.sum(loss), loss.size)


def _classes_last(name: str, x: FloatArray) -> FloatArray:
    """Move torch's class axis (0 for one sample, else 1) to the end."""
    if x.ndim == 0:
        raise ValueError(f"{name!r} must have a class axis (got a scalar)")
    return x if x.ndim == 1 else np.moveaxis(x, 1, -1)


def _class_weight(weight: ArrayLike | None, classes: int, dtype: type) -> FloatArray:
    if weight is None:
        return np.ones(classes, dtype=dtype)
    w = float_array("weight", weight, dtype)
    if w.shape != (classes,):
        raise ValueError(f"'weight' must have one entry per class, shape ({classes},) (got {w.shape})")
    return w


def _class_indices(target: ArrayLike, logp: FloatArray, ignore_index: int) -> IntArray:
    t = index_array("target", target)
    if t.shape != logp.shape[:-1]:
        raise ValueError(
            f"'target' of class indices must have shape {logp.shape[:-1]} for this input (got {t.shape})"
        )
    check_in_range("target", t, logp.shape[-1], ignore_index)
    return t


def _nll_terms(
    logp: FloatArray, t: IntArray, w: FloatArray, ignore_index: int
) -> tuple[FloatArray, FloatArray]:
    """Per-element −w[y]·log p(y) (0 where ignored) and the weight w[y] each one carries."""
    valid = t != ignore_index
    safe = np.where(valid, t, 0)
    wt = np.where(valid, w[safe], 0).astype(logp.dtype)
    loss = np.where(valid, -wt * pick(logp, safe), 0).astype(logp.dtype)
    return loss, wt


def _weighted_mean(loss: FloatArray, wt: FloatArray, reduction: str) -> LossValue:
    """torch's reduction for class-index targets: 'mean' divides by Σ w[y] over the targets kept."""
    check_choice("reduction", reduction, _REDUCTIONS)
    if reduction == "mean":
        return divide(np.sum(loss), np.sum(wt))
    return _reduce(loss, reduction)


def nll_loss(
    input: ArrayLike,
    target: ArrayLike,
    weight: ArrayLike | None = None,
    *,
    ignore_index: int = -100,
    reduction: Reduction = "mean",
) -> LossValue:
    """Negative log-likelihood −w[y]·log p(y), as ``torch.nn.functional.nll_loss``.

    ``input`` must already be **log-probabilities** (the output of
    ``log_softmax``), not probabilities and not logits: the function only
    picks the entry of the true class and flips its sign. Truth: the class
    index ``target`` (a one-hot q); model: p = exp(input). Per sample this is
    the ideal code length of the ball that came, in nats; its mean over balls
    drawn from q is the cross entropy H(q, p) (divide by ln 2 for bits).

    ``weight`` scales each class; ``reduction="mean"`` then divides by the
    sum of the weights of the targets kept, not by their number. Targets equal
    to ``ignore_index`` contribute nothing, to the sum or to the divisor.

    India's model (log-probabilities of 25, 50, 13, 12 per hundred) paying for
    one ball of each colour of Australia's box:

    >>> import math
    >>> india = [math.log(p) for p in (0.25, 0.50, 0.13, 0.12)]
    >>> australia_box = [0] * 13 + [1] * 25 + [2] * 50 + [3] * 12
    >>> nats = nll_loss([india] * 100, australia_box)
    >>> round(nats, 4), round(nats / math.log(2), 4)
    (1.628, 2.3488)
    >>> nll_loss([india, india], [2, -100])  # the second ball is ignored: −ln 0.13
    2.0402208285265546
    """
    logp = _classes_last("input", float_array("input", input))
    t = _class_indices(target, logp, ignore_index)
    w = _class_weight(weight, logp.shape[-1], logp.dtype.type)
    with np.errstate(all="ignore"):
        loss, wt = _nll_terms(logp, t, w, ignore_index)
        return _weighted_mean(loss, wt, reduction)


def cross_entropy(
    input: ArrayLike,
    target: ArrayLike,
    weight: ArrayLike | None = None,
    *,
    ignore_index: int = -100,
    reduction: Reduction = "mean",
    label_smoothing: float = 0.0,
) -> LossValue:
    """Cross-entropy loss from logits, as ``torch.nn.functional.cross_entropy``.

    ``input`` holds **logits**: the function applies log-softmax itself
    (softmax(x)_i = e^{x_i} / Σ_j e^{x_j}, summing over every class j), so
    passing probabilities or log-probabilities gives a wrong number with no
    error. Model: p = softmax(input). Truth: ``target``, either class indices
    (an integer array: a one-hot q per sample) or class probabilities (a float
    array of ``input``'s shape: any q). The per-sample loss −Σ_c q_c log p_c
    is the cross entropy H(q, p) in nats, the telegraph's bill for coding q's
    balls with a code ideal for p; minus H(q) it is the KL divergence D(q‖p),
    the part a better model could still save. Divide by ln 2 for bits.

    ``label_smoothing`` ε replaces q by (1 − ε)·q + ε/C. With class indices,
    torch computes that as (1 − ε)·NLL + ε/C · Σ_c −w_c log p_c, each part
    reduced on its own ('mean' divides both by the sum of the kept targets'
    weights; ignored targets drop out of both). With probability targets,
    'mean' divides by the number of samples (N·d1·…), whatever ``weight``
    is, and ``ignore_index`` does not apply.

    Logits ln 25, ln 50, ln 13, ln 12 are India's box, and Australia's box as
    a probability target costs H(australia, india):

    >>> import math
    >>> logits = [math.log(n) for n in (25, 50, 13, 12)]
    >>> nats = cross_entropy([logits], [[0.13, 0.25, 0.50, 0.12]])
    >>> round(nats, 4), round(nats / math.log(2), 4)
    (1.628, 2.3488)
    >>> round(cross_entropy([logits], [2]), 4)  # one green ball: −ln 0.13
    2.0402
    """
    x = _classes_last("input", float_array("input", input))
    smoothing = check_unit("label_smoothing", label_smoothing)
    classes = x.shape[-1]
    w = _class_weight(weight, classes, x.dtype.type)
    target_arr = np.asarray(target)
    probabilities = target_arr.shape == np.shape(input)
    with np.errstate(all="ignore"):
        logp = log_softmax(x)
        if probabilities:
            if ignore_index >= 0:
                raise ValueError(
                    "'ignore_index' does not apply to probability targets (torch refuses it too)"
                )
            q = _classes_last("target", float_array("target", target_arr, x.dtype))
            if smoothing > 0:
                q = q * (1 - smoothing) + smoothing / classes
            per_sample: FloatArray = -np.sum(logp * q * w, axis=-1)
            return _reduce(per_sample, reduction)
        t = _class_indices(target_arr, logp, ignore_index)
        nll, wt = _nll_terms(logp, t, w, ignore_index)
        if smoothing == 0:
            return _weighted_mean(nll, wt, reduction)
        smooth = np.where(t != ignore_index, -np.sum(logp * w, axis=-1), 0).astype(x.dtype)
        if weight is None:
            wt = (t != ignore_index).astype(x.dtype)
        a, b = _weighted_mean(nll, wt, reduction), _weighted_mean(smooth, wt, reduction)
        combined = (1 - smoothing) * np.asarray(a) + np.asarray(b) * (smoothing / classes)
        return result(combined.astype(x.dtype))


def kl_div(
    input: ArrayLike,
    target: ArrayLike,
    *,
    reduction: Literal["none", "mean", "sum", "batchmean"] = "mean",
    log_target: bool = False,
) -> LossValue:
    """Pointwise KL terms target·(log target − input), as ``torch.nn.functional.kl_div``.

    ``input`` is the model's **log-probabilities** (log p), not probabilities;
    ``target`` is the truth q, as probabilities, or as log-probabilities when
    ``log_target=True``. Summed over classes this is D(q‖p) = H(q, p) − H(q)
    in nats: the extra bill for coding q's balls with p's code (divide by
    ln 2 for bits). The order is the forward divergence, truth first, although
    the model comes first in the call.

    The reductions differ from the mathematics: ``"mean"`` (the default)
    divides the sum by the number of *elements* N·C, and only
    ``"batchmean"`` divides by the batch size N, giving the mean divergence
    per sample. A zero target contributes 0 (0·log 0 = 0), but a zero target
    against an input of −inf gives NaN, as in torch.

    India's model coding Australia's box, one sample:

    >>> import math
    >>> india = [math.log(p) for p in (0.25, 0.50, 0.13, 0.12)]
    >>> nats = kl_div([india], [[0.13, 0.25, 0.50, 0.12]], reduction="batchmean")
    >>> round(nats, 4), round(nats / math.log(2), 4)
    (0.4152, 0.5991)
    >>> round(kl_div([india], [[0.13, 0.25, 0.50, 0.12]]), 4)  # "mean": divided by 4 elements
    0.1038
    """
    check_choice("reduction", reduction, ("none", "mean", "sum", "batchmean"))
    x = float_array("input", input)
    t = float_array("target", target, x.dtype)
    try:
        np.broadcast_shapes(x.shape, t.shape)
    except ValueError:
        raise ValueError(f"'input' {x.shape} and 'target' {t.shape} do not broadcast") from None
    with np.errstate(all="ignore"):
        if log_target:
            pointwise: FloatArray = np.exp(t) * (t - x)
        else:
            xlogx = np.where(t == 0, 0, t * np.log(t))
            pointwise = (xlogx - t * x).astype(x.dtype)
        if reduction != "batchmean":
            return _reduce(pointwise, reduction)
        total = float(np.sum(pointwise))
        return total if x.ndim == 0 else divide(total, x.shape[0])


def _same_shape(x: FloatArray, t: FloatArray) -> None:
    if x.shape != t.shape:
        raise ValueError(f"'target' must have the shape of 'input', {x.shape} (got {t.shape})")


def _scale(loss: FloatArray, name: str, weight: ArrayLike | None) -> FloatArray:
    if weight is None:
        return loss
    w = float_array(name, weight, loss.dtype)
    if not broadcasts_to(w.shape, loss.shape):
        raise ValueError(f"{name!r} {w.shape} does not broadcast to the input's shape {loss.shape}")
    out: FloatArray = loss * w
    return out


def binary_cross_entropy(
    input: ArrayLike,
    target: ArrayLike,
    weight: ArrayLike | None = None,
    *,
    reduction: Reduction = "mean",
) -> LossValue:
    """Binary cross entropy from probabilities, as ``torch.nn.functional.binary_cross_entropy``.

    ``input`` is the model's probability p of class 1 (after a sigmoid), in
    [0, 1]; ``target`` the truth q of class 1 (0/1 labels, or soft labels).
    Each element is the two-class cross entropy
    −[q·log p + (1 − q)·log(1 − p)] in nats (divide by ln 2 for bits): the
    telegraph's bill for one yes/no ball. Like torch, each log is clamped at
    −100, so a confident mistake costs at most 100 nats instead of inf.

    A true 1 predicted at 0.8 costs −ln 0.8; a certain mistake costs 100:

    >>> round(binary_cross_entropy([0.8], [1.0]), 4)
    0.2231
    >>> binary_cross_entropy([0.0, 1.0], [1.0, 0.0], reduction="none").tolist()
    [100.0, 100.0]
    """
    x = float_array("input", input)
    t = float_array("target", target, x.dtype)
    _same_shape(x, t)
    if np.any((x < 0) | (x > 1)) or np.any(np.isnan(x)):
        raise ValueError(
            "'input' must hold probabilities between 0 and 1 (use the _with_logits loss for logits)"
        )
    with np.errstate(all="ignore"):
        loss = (t - 1) * np.maximum(np.log1p(-x), -100) - t * np.maximum(np.log(x), -100)
        return _reduce(_scale(loss, "weight", weight), reduction)


def binary_cross_entropy_with_logits(
    input: ArrayLike,
    target: ArrayLike,
    weight: ArrayLike | None = None,
    *,
    reduction: Reduction = "mean",
    pos_weight: ArrayLike | None = None,
) -> LossValue:
    """Binary cross entropy from logits, as ``torch.nn.functional.binary_cross_entropy_with_logits``.

    ``input`` holds **logits** x; the model's probability of class 1 is
    p = σ(x) = 1 / (1 + e^−x), applied inside through a stable log-sigmoid.
    ``target`` is the truth q of class 1. Each element is
    −[r·q·log σ(x) + (1 − q)·log(1 − σ(x))] in nats, where ``pos_weight`` r
    (broadcast along the last axis: one per class in multi-label problems)
    reweights the positive term; r = 1 is the two-class cross entropy.
    ``weight`` scales whole elements. Divide by ln 2 for bits.

    >>> import math
    >>> round(binary_cross_entropy_with_logits([math.log(4)], [1.0]), 4)  # σ = 0.8
    0.2231
    >>> round(binary_cross_entropy_with_logits([math.log(4)], [1.0], pos_weight=[2.0]), 4)
    0.4463
    """
    x = float_array("input", input)
    t = float_array("target", target, x.dtype)
    _same_shape(x, t)
    with np.errstate(all="ignore"):
        log_p = log_sigmoid(x)
        if pos_weight is not None:
            r = float_array("pos_weight", pos_weight, x.dtype)
            if not broadcasts_to(r.shape, t.shape):
                raise ValueError(f"'pos_weight' {r.shape} does not broadcast to the input's shape {t.shape}")
            log_p = log_p * ((r - 1) * t + 1)
        loss: FloatArray = (1 - t) * x - log_p
        return _reduce(_scale(loss, "weight", weight), reduction)
