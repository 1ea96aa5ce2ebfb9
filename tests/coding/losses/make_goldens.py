"""Regenerate ``goldens.json``: the losses as the REAL frameworks compute them.

The tests in this folder compare ``coding.losses`` with the numbers in
``goldens.json`` and need no framework. To regenerate that file, install the
frameworks into your own virtual environment (they are not project
dependencies; torch must be the CPU build, which is what a version pin with a
local wheel gives):

    .venv/bin/pip install torch==2.13.0 keras
    KERAS_BACKEND=torch .venv/bin/python tests/coding/losses/make_goldens.py

The file records the versions it was made with. Each case names the
framework, the function or class, its arguments (arrays with their dtype),
the framework's result, the dtype asked for, and the precision the
framework really computed in (float64 cases are compared to 1e-12, float32
ones to 1e-6; see ``keras_precision`` for why a float64 Keras loss is
often float32 inside). Inputs are drawn from a
seeded generator and rounded to four decimals, so the file reads easily and
regenerates identically.

This module imports the frameworks only inside ``main()``: pytest's doctest
collection may import it without them.
"""

from __future__ import annotations

import json
import math
import os
import platform
import sys
from pathlib import Path
from typing import Any

import numpy as np

OUT = Path(__file__).with_name("goldens.json")
RNG = np.random.default_rng(20261128)
LN_INDIA = [
    math.log(n) for n in (25, 50, 13, 12)
]  # logits of India's box: softmax gives 0.25, 0.50, 0.13, 0.12
INDIA = [0.25, 0.50, 0.13, 0.12]
AUSTRALIA = [0.13, 0.25, 0.50, 0.12]
AUSTRALIA_BOX = [0] * 13 + [1] * 25 + [2] * 50 + [3] * 12


def normal(*shape: int, scale: float = 2.0) -> list[Any]:
    return np.round(RNG.normal(0.0, scale, size=shape), 4).tolist()


def simplex(*shape: int, zeros: int = 0) -> list[Any]:
    """Probability vectors along the last axis; ``zeros`` entries per vector set to 0."""
    x = RNG.gamma(1.0, size=shape)
    if zeros:
        flat = x.reshape(-1, shape[-1])
        for row in flat:
            row[RNG.choice(shape[-1], size=zeros, replace=False)] = 0.0
    x = x / x.sum(axis=-1, keepdims=True)
    return np.round(x, 4).tolist()


def log_simplex(*shape: int) -> list[Any]:
    x = np.asarray(simplex(*shape))
    x = np.where(x > 0, x, 1e-4)
    return np.round(np.log(x / x.sum(axis=-1, keepdims=True)), 6).tolist()


def unit(*shape: int) -> list[Any]:
    return np.round(RNG.uniform(0.0, 1.0, size=shape), 4).tolist()


def labels(classes: int, *shape: int) -> list[Any]:
    return RNG.integers(0, classes, size=shape).tolist()


def array(values: Any, dtype: str) -> dict[str, Any]:
    """An array argument, its values exactly as the framework saw them."""
    return {"array": np.asarray(values, dtype=dtype).tolist(), "dtype": dtype}


def keras_precision(cls: str, ctor: dict[str, Any]) -> str:
    """The precision Keras really computes a case in.

    ``dtype="float64"`` is not float64 all the way: Keras's type promotion
    maps 64-bit result types to 32 bits, so ``ops.divide_no_nan`` (the mean
    reductions, and the mask weights of ``ignore_class``) and ``ops.mean``
    (BinaryCrossentropy's mean over ``axis``) run in float32. Only the other
    cases are float64 end to end.
    """
    if (ctor.get("dtype") or "float32") == "float32":
        return "float32"
    reduction = ctor.get("reduction", "sum_over_batch_size")
    if cls == "BinaryCrossentropy" or reduction not in ("sum", "none", None):
        return "float32"
    return "float64"


def main() -> int:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(1)
    cases: list[dict[str, Any]] = []

    def to_list(value: Any) -> Any:
        out = value.detach().cpu().numpy() if hasattr(value, "detach") else np.asarray(value)
        return out.tolist()

    def torch_case(id: str, function: str, dtype: str, arrays: dict[str, Any], **kwargs: Any) -> None:
        """``arrays``: name -> values; class-index targets are the int lists (dtype int64)."""
        args = {}
        tensors = {}
        for name, values in arrays.items():
            is_index = (
                function in ("cross_entropy", "nll_loss")
                and name == "target"
                and np.asarray(values).dtype.kind in "iu"
            )
            spec = array(values, "int64" if is_index else dtype)
            args[name] = spec
            tensors[name] = torch.tensor(np.asarray(spec["array"], dtype=spec["dtype"]))
        result = getattr(F, function)(**tensors, **kwargs)
        cases.append(
            {
                "id": id,
                "framework": "torch",
                "call": function,
                "arrays": args,
                "kwargs": kwargs,
                "dtype": dtype,
                "precision": dtype,
                "expected": to_list(result),
            }
        )

    def keras_case(
        id: str, cls: str, y_true: Any, y_pred: Any, sample_weight: Any = None, **ctor: Any
    ) -> None:
        loss = getattr(keras.losses, cls)(**ctor)
        true_kind = "int64" if np.asarray(y_true).dtype.kind in "iu" else "float64"
        arrays = {"y_true": array(y_true, true_kind), "y_pred": array(y_pred, "float64")}
        if sample_weight is not None:
            arrays["sample_weight"] = array(sample_weight, "float64")
        inputs = {k: np.asarray(v["array"], dtype=v["dtype"]) for k, v in arrays.items()}
        result = loss(inputs["y_true"], inputs["y_pred"], sample_weight=inputs.get("sample_weight"))
        cases.append(
            {
                "id": id,
                "framework": "keras",
                "call": cls,
                "arrays": arrays,
                "kwargs": ctor,
                "dtype": ctor.get("dtype") or "float32",
                "precision": keras_precision(cls, ctor),
                "expected": to_list(result),
            }
        )

    f64, f32 = "float64", "float32"
    w4 = [0.5, 2.0, 1.0, 3.0]

    # --- torch.nn.functional.cross_entropy -------------------------------------
    ce = "cross_entropy"
    torch_case("ce-article", ce, f64, {"input": [LN_INDIA], "target": [AUSTRALIA]})
    torch_case("ce-article-box", ce, f64, {"input": [LN_INDIA] * 100, "target": AUSTRALIA_BOX})
    torch_case("ce-index-mean", ce, f64, {"input": normal(6, 4), "target": labels(4, 6)})
    torch_case("ce-index-sum", ce, f64, {"input": normal(6, 4), "target": labels(4, 6)}, reduction="sum")
    torch_case("ce-index-none", ce, f64, {"input": normal(6, 4), "target": labels(4, 6)}, reduction="none")
    torch_case("ce-weight-mean", ce, f64, {"input": normal(6, 4), "target": labels(4, 6), "weight": w4})
    torch_case(
        "ce-weight-ignore-mean",
        ce,
        f64,
        {"input": normal(6, 4), "target": [0, -100, 3, 1, -100, 2], "weight": w4},
    )
    torch_case(
        "ce-ignore-custom", ce, f64, {"input": normal(6, 4), "target": [0, 1, 3, 1, 1, 2]}, ignore_index=1
    )
    torch_case(
        "ce-ignore-sum", ce, f64, {"input": normal(5, 3), "target": [0, -100, 2, 1, 2]}, reduction="sum"
    )
    torch_case("ce-all-ignored", ce, f64, {"input": normal(2, 3), "target": [-100, -100]})
    torch_case(
        "ce-smoothing-mean", ce, f64, {"input": normal(6, 4), "target": labels(4, 6)}, label_smoothing=0.1
    )
    torch_case(
        "ce-smoothing-weight-ignore-mean",
        ce,
        f64,
        {"input": normal(6, 4), "target": [0, -100, 3, 1, 2, 2], "weight": w4},
        label_smoothing=0.2,
    )
    torch_case(
        "ce-smoothing-weight-ignore-none",
        ce,
        f64,
        {"input": normal(6, 4), "target": [0, -100, 3, 1, 2, 2], "weight": w4},
        label_smoothing=0.2,
        reduction="none",
    )
    torch_case(
        "ce-smoothing-sum",
        ce,
        f64,
        {"input": normal(6, 4), "target": labels(4, 6), "weight": w4},
        label_smoothing=0.3,
        reduction="sum",
    )
    torch_case(
        "ce-smoothing-one", ce, f64, {"input": normal(3, 4), "target": labels(4, 3)}, label_smoothing=1.0
    )
    torch_case("ce-prob-mean", ce, f64, {"input": normal(5, 4), "target": simplex(5, 4)})
    torch_case("ce-prob-weight-mean", ce, f64, {"input": normal(5, 4), "target": simplex(5, 4), "weight": w4})
    torch_case(
        "ce-prob-smoothing-none",
        ce,
        f64,
        {"input": normal(5, 4), "target": simplex(5, 4)},
        label_smoothing=0.1,
        reduction="none",
    )
    torch_case("ce-prob-zeros", ce, f64, {"input": normal(5, 4), "target": simplex(5, 4, zeros=2)})
    torch_case(
        "ce-spatial-index-weight-ignore",
        ce,
        f64,
        {
            "input": normal(2, 3, 2, 2),
            "target": [[[0, 2], [-100, 1]], [[2, 2], [1, -100]]],
            "weight": [1.0, 0.5, 2.0],
        },
    )
    torch_case(
        "ce-spatial-index-none",
        ce,
        f64,
        {"input": normal(2, 3, 4), "target": labels(3, 2, 4)},
        reduction="none",
    )
    torch_case(
        "ce-spatial-prob-smoothing",
        ce,
        f64,
        {"input": normal(2, 3, 4), "target": np.moveaxis(np.asarray(simplex(2, 4, 3)), -1, 1).tolist()},
        label_smoothing=0.05,
    )
    torch_case("ce-unbatched-index", ce, f64, {"input": normal(5), "target": 3})
    torch_case("ce-unbatched-prob", ce, f64, {"input": normal(5), "target": simplex(5)[0:5]})
    torch_case(
        "ce-extreme-logits",
        ce,
        f64,
        {"input": [[1000.0, -1000.0, 0.0], [-500.0, 500.0, 499.0]], "target": [1, 2]},
    )
    torch_case(
        "ce-float32-smoothing",
        ce,
        f32,
        {"input": normal(8, 5), "target": labels(5, 8), "weight": [1.0, 2.0, 0.5, 1.5, 1.0]},
        label_smoothing=0.1,
    )
    torch_case("ce-float32-prob", ce, f32, {"input": normal(8, 5), "target": simplex(8, 5)})

    # --- nll_loss -----------------------------------------------------------------
    nll = "nll_loss"
    torch_case(
        "nll-article-box", nll, f64, {"input": [[math.log(p) for p in INDIA]] * 100, "target": AUSTRALIA_BOX}
    )
    torch_case("nll-mean", nll, f64, {"input": log_simplex(6, 4), "target": labels(4, 6)})
    torch_case(
        "nll-weight-mean", nll, f64, {"input": log_simplex(6, 4), "target": labels(4, 6), "weight": w4}
    )
    torch_case(
        "nll-weight-ignore-mean",
        nll,
        f64,
        {"input": log_simplex(6, 4), "target": [3, -100, 0, 0, 2, -100], "weight": w4},
    )
    torch_case(
        "nll-ignore-custom-none",
        nll,
        f64,
        {"input": log_simplex(5, 3), "target": [0, 2, 2, 1, 0]},
        ignore_index=2,
        reduction="none",
    )
    torch_case("nll-sum", nll, f64, {"input": log_simplex(5, 3), "target": labels(3, 5)}, reduction="sum")
    torch_case(
        "nll-spatial-weight",
        nll,
        f64,
        {
            "input": np.moveaxis(np.asarray(log_simplex(2, 3, 3)), -1, 1).tolist(),
            "target": labels(3, 2, 3),
            "weight": [2.0, 1.0, 0.5],
        },
    )
    torch_case("nll-unbatched", nll, f64, {"input": log_simplex(4)[0:4], "target": 1})
    torch_case("nll-not-log-probabilities", nll, f64, {"input": simplex(4, 3), "target": labels(3, 4)})
    torch_case("nll-float32", nll, f32, {"input": log_simplex(7, 4), "target": labels(4, 7), "weight": w4})

    # --- kl_div ---------------------------------------------------------------------
    kl = "kl_div"
    torch_case(
        "kl-article-batchmean",
        kl,
        f64,
        {"input": [[math.log(p) for p in INDIA]], "target": [AUSTRALIA]},
        reduction="batchmean",
    )
    torch_case("kl-mean", kl, f64, {"input": log_simplex(4, 5), "target": simplex(4, 5)})
    torch_case(
        "kl-batchmean", kl, f64, {"input": log_simplex(4, 5), "target": simplex(4, 5)}, reduction="batchmean"
    )
    torch_case("kl-sum", kl, f64, {"input": log_simplex(4, 5), "target": simplex(4, 5)}, reduction="sum")
    torch_case("kl-none", kl, f64, {"input": log_simplex(3, 4), "target": simplex(3, 4)}, reduction="none")
    torch_case(
        "kl-log-target-batchmean",
        kl,
        f64,
        {"input": log_simplex(4, 5), "target": log_simplex(4, 5)},
        reduction="batchmean",
        log_target=True,
    )
    torch_case(
        "kl-log-target-none",
        kl,
        f64,
        {"input": log_simplex(2, 3), "target": log_simplex(2, 3)},
        reduction="none",
        log_target=True,
    )
    torch_case(
        "kl-zero-target",
        kl,
        f64,
        {"input": log_simplex(4, 5), "target": simplex(4, 5, zeros=2)},
        reduction="batchmean",
    )
    torch_case(
        "kl-zero-target-minus-inf-input",
        kl,
        f64,
        {"input": [[-math.inf, math.log(0.5), math.log(0.5)]], "target": [[0.0, 0.5, 0.5]]},
        reduction="none",
    )
    torch_case(
        "kl-spatial-batchmean",
        kl,
        f64,
        {"input": log_simplex(2, 3, 4), "target": simplex(2, 3, 4)},
        reduction="batchmean",
    )
    torch_case(
        "kl-float32-batchmean",
        kl,
        f32,
        {"input": log_simplex(6, 5), "target": simplex(6, 5)},
        reduction="batchmean",
    )

    # --- binary_cross_entropy -----------------------------------------------------------
    bce = "binary_cross_entropy"
    torch_case("bce-mean", bce, f64, {"input": unit(8), "target": labels(2, 8)})
    torch_case("bce-soft-none", bce, f64, {"input": unit(6), "target": unit(6)}, reduction="none")
    torch_case(
        "bce-weight", bce, f64, {"input": unit(3, 4), "target": unit(3, 4), "weight": [1.0, 0.5, 2.0, 0.0]}
    )
    torch_case(
        "bce-clamp-100",
        bce,
        f64,
        {"input": [0.0, 1.0, 0.0, 1.0, 1e-50], "target": [1.0, 0.0, 0.0, 1.0, 1.0]},
        reduction="none",
    )
    torch_case("bce-sum", bce, f64, {"input": unit(5), "target": labels(2, 5)}, reduction="sum")
    torch_case("bce-float32", bce, f32, {"input": unit(4, 3), "target": unit(4, 3), "weight": unit(4, 3)})

    # --- binary_cross_entropy_with_logits --------------------------------------------------
    bcel = "binary_cross_entropy_with_logits"
    torch_case("bcel-mean", bcel, f64, {"input": normal(8), "target": labels(2, 8)})
    torch_case(
        "bcel-pos-weight",
        bcel,
        f64,
        {"input": normal(4, 3), "target": unit(4, 3), "pos_weight": [1.0, 3.0, 0.5]},
    )
    torch_case(
        "bcel-pos-weight-weight-none",
        bcel,
        f64,
        {
            "input": normal(4, 3),
            "target": labels(2, 4, 3),
            "weight": [2.0, 1.0, 0.5],
            "pos_weight": [2.0, 0.5, 4.0],
        },
        reduction="none",
    )
    torch_case(
        "bcel-extreme",
        bcel,
        f64,
        {"input": [100.0, -100.0, 800.0, -800.0, 0.0], "target": [0.0, 1.0, 1.0, 0.0, 0.5]},
        reduction="none",
    )
    torch_case("bcel-sum", bcel, f64, {"input": normal(6), "target": unit(6)}, reduction="sum")
    torch_case(
        "bcel-float32-pos-weight",
        bcel,
        f32,
        {"input": normal(5, 2), "target": labels(2, 5, 2), "pos_weight": [3.0, 0.25]},
    )

    # --- keras.losses.CategoricalCrossentropy ------------------------------------------
    cc = "CategoricalCrossentropy"
    keras_case("cce-article", cc, [AUSTRALIA], [[25.0, 50.0, 13.0, 12.0]], dtype=f64)
    keras_case("cce-probs-float32", cc, simplex(5, 4), simplex(5, 4))
    keras_case("cce-probs-float64", cc, simplex(5, 4), simplex(5, 4), dtype=f64)
    keras_case("cce-logits-float64", cc, simplex(5, 4), normal(5, 4), from_logits=True, dtype=f64)
    keras_case("cce-logits-float32", cc, simplex(5, 4), normal(5, 4), from_logits=True)
    keras_case(
        "cce-smoothing", cc, np.eye(4)[labels(4, 5)].tolist(), simplex(5, 4), label_smoothing=0.1, dtype=f64
    )
    keras_case(
        "cce-smoothing-logits-float32",
        cc,
        np.eye(3)[labels(3, 4)].tolist(),
        normal(4, 3),
        label_smoothing=0.2,
        from_logits=True,
    )
    keras_case("cce-unnormalised", cc, simplex(4, 3), (np.asarray(unit(4, 3)) * 5 + 0.1).tolist(), dtype=f64)
    keras_case("cce-zero-probabilities", cc, simplex(4, 4), simplex(4, 4, zeros=2), dtype=f64)
    keras_case("cce-zero-probabilities-float32", cc, simplex(4, 4), simplex(4, 4, zeros=1))
    keras_case(
        "cce-sample-weight", cc, simplex(4, 3), simplex(4, 3), sample_weight=[1.0, 0.0, 2.0, 0.5], dtype=f64
    )
    keras_case("cce-sum", cc, simplex(4, 3), simplex(4, 3), reduction="sum", dtype=f64)
    keras_case("cce-none", cc, simplex(4, 3), simplex(4, 3), reduction="none", dtype=f64)
    keras_case(
        "cce-mean-with-sample-weight",
        cc,
        simplex(4, 3),
        simplex(4, 3),
        sample_weight=[1.0, 0.0, 2.0, 0.5],
        reduction="mean_with_sample_weight",
        dtype=f64,
    )
    keras_case(
        "cce-axis1-smoothing",
        cc,
        simplex(2, 3, 4),
        normal(2, 3, 4),
        axis=1,
        from_logits=True,
        label_smoothing=0.1,
        dtype=f64,
    )

    # --- keras.losses.SparseCategoricalCrossentropy ------------------------------------
    sc = "SparseCategoricalCrossentropy"
    keras_case("scce-article-box", sc, AUSTRALIA_BOX, [INDIA] * 100, dtype=f64)
    keras_case("scce-probs-float32", sc, labels(4, 6), simplex(6, 4))
    keras_case("scce-logits-float64", sc, labels(4, 6), normal(6, 4), from_logits=True, dtype=f64)
    keras_case("scce-ignore-class", sc, [0, 2, -1, 1, -1, 3], simplex(6, 4), ignore_class=-1, dtype=f64)
    keras_case(
        "scce-ignore-class-logits-float32",
        sc,
        [0, 2, 5, 1, 5, 3],
        normal(6, 6),
        ignore_class=5,
        from_logits=True,
    )
    keras_case(
        "scce-ignore-class-sample-weight",
        sc,
        [0, 2, -1, 1, -1, 3],
        normal(6, 4),
        sample_weight=[1.0, 2.0, 3.0, 0.5, 1.0, 1.0],
        ignore_class=-1,
        from_logits=True,
        dtype=f64,
    )
    keras_case(
        "scce-ignore-class-sum", sc, [0, 2, -1, 1], simplex(4, 4), ignore_class=-1, reduction="sum", dtype=f64
    )
    keras_case(
        "scce-ignore-class-none",
        sc,
        [0, 2, -1, 1],
        simplex(4, 4),
        ignore_class=-1,
        reduction="none",
        dtype=f64,
    )
    keras_case("scce-column-labels", sc, [[1], [0], [2]], simplex(3, 3), dtype=f64)
    keras_case("scce-sequence", sc, labels(5, 2, 3), normal(2, 3, 5), from_logits=True, dtype=f64)
    keras_case(
        "scce-zero-probability", sc, [0, 1, 2], [[0.0, 0.5, 0.5], [0.3, 0.7, 0.0], [0.2, 0.8, 0.0]], dtype=f64
    )
    keras_case("scce-axis1", sc, labels(4, 2, 3), normal(2, 4, 3), from_logits=True, axis=1, dtype=f64)

    # --- keras.losses.BinaryCrossentropy -------------------------------------------------
    bc = "BinaryCrossentropy"
    keras_case("kbce-probs-float32", bc, labels(2, 8), unit(8))
    keras_case("kbce-probs-2d-float64", bc, labels(2, 4, 3), unit(4, 3), dtype=f64)
    keras_case("kbce-logits-float64", bc, labels(2, 4, 3), normal(4, 3), from_logits=True, dtype=f64)
    keras_case("kbce-logits-float32", bc, unit(4, 3), normal(4, 3), from_logits=True)
    keras_case("kbce-smoothing", bc, labels(2, 4, 3), unit(4, 3), label_smoothing=0.2, dtype=f64)
    keras_case("kbce-zeros-ones", bc, [[1.0, 0.0, 1.0, 0.0]], [[0.0, 1.0, 1.0, 0.0]], dtype=f64)
    keras_case("kbce-zeros-ones-float32", bc, [[1.0, 0.0, 1.0, 0.0]], [[0.0, 1.0, 1.0, 0.0]])
    keras_case(
        "kbce-sample-weight", bc, labels(2, 4, 3), unit(4, 3), sample_weight=[1.0, 0.5, 0.0, 2.0], dtype=f64
    )
    keras_case(
        "kbce-1d-sample-weight", bc, labels(2, 5), unit(5), sample_weight=[1.0, 0.5, 0.0, 2.0, 1.0], dtype=f64
    )
    keras_case("kbce-axis0-none", bc, labels(2, 4, 3), unit(4, 3), axis=0, reduction="none", dtype=f64)
    keras_case("kbce-column", bc, [[1.0], [0.0], [1.0]], [0.9, 0.2, 0.4], dtype=f64)

    # --- keras.losses.KLDivergence -------------------------------------------------------
    kd = "KLDivergence"
    keras_case("kkl-article", kd, [AUSTRALIA], [INDIA], dtype=f64)
    keras_case("kkl-float32", kd, simplex(5, 4), simplex(5, 4))
    keras_case("kkl-float64", kd, simplex(5, 4), simplex(5, 4), dtype=f64)
    keras_case("kkl-zero-true", kd, simplex(4, 4, zeros=2), simplex(4, 4), dtype=f64)
    keras_case("kkl-zero-pred", kd, simplex(4, 4), simplex(4, 4, zeros=1), dtype=f64)
    keras_case(
        "kkl-sample-weight-sum",
        kd,
        simplex(4, 3),
        simplex(4, 3),
        sample_weight=[1.0, 2.0, 0.0, 0.5],
        reduction="sum",
        dtype=f64,
    )
    keras_case("kkl-none", kd, simplex(3, 3), simplex(3, 3), reduction="none", dtype=f64)

    golden = {
        "about": "coding.losses goldens from the real frameworks, by tests/coding/losses/make_goldens.py",
        "versions": {
            "torch": torch.__version__,
            "keras": keras.__version__,
            "keras_backend": keras.backend.backend(),
            "numpy": np.__version__,
            "python": platform.python_version(),
        },
        "cases": cases,
    }
    OUT.write_text(json.dumps(golden, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(cases)} cases to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
