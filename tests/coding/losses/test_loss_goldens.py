"""coding.losses against numbers computed by the real PyTorch and Keras.

``goldens.json`` was written by ``make_goldens.py`` (beside this file) with
the framework versions it records; no framework is needed here. Cases the
framework computed in float64 must agree to 1e-12, those it computed in
float32 (wholly or in part: Keras takes its means in float32 even for a
float64 loss) to 1e-6.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from coding.losses import keras, pytorch

GOLDENS = json.loads(Path(__file__).with_name("goldens.json").read_text(encoding="utf-8"))
CASES = GOLDENS["cases"]
TOLERANCE = {"float64": 1e-12, "float32": 1e-6}


def _arrays(case: dict[str, Any]) -> dict[str, np.ndarray]:
    return {name: np.asarray(spec["array"], dtype=spec["dtype"]) for name, spec in case["arrays"].items()}


def compute(case: dict[str, Any]) -> Any:
    """Our value for one golden case, called the way the framework was called."""
    arrays = _arrays(case)
    if case["framework"] == "torch":
        return getattr(pytorch, case["call"])(**arrays, **case["kwargs"])
    loss = getattr(keras, case["call"])(**case["kwargs"])
    return loss(arrays["y_true"], arrays["y_pred"], sample_weight=arrays.get("sample_weight"))


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_matches_the_framework(case):
    expected = np.asarray(case["expected"], dtype=np.float64)
    got = compute(case)
    assert np.shape(got) == expected.shape
    tol = TOLERANCE[case["precision"]]
    np.testing.assert_allclose(
        np.asarray(got, dtype=np.float64), expected, rtol=tol, atol=tol, equal_nan=True
    )


def test_goldens_record_the_frameworks_and_are_many():
    versions = GOLDENS["versions"]
    assert versions["torch"].startswith("2.") and versions["keras"].startswith("3.")
    assert versions["keras_backend"] == "torch"
    assert len(CASES) >= 60
    assert len({c["id"] for c in CASES}) == len(CASES)


# Every argument the issue lists, and every edge case, appears in some golden.
REQUIRED_KWARGS = {
    ("torch", "cross_entropy"): {"weight", "ignore_index", "reduction", "label_smoothing"},
    ("torch", "nll_loss"): {"weight", "ignore_index", "reduction"},
    ("torch", "kl_div"): {"reduction", "log_target"},
    ("torch", "binary_cross_entropy"): {"weight", "reduction"},
    ("torch", "binary_cross_entropy_with_logits"): {"weight", "reduction", "pos_weight"},
    ("keras", "CategoricalCrossentropy"): {
        "from_logits",
        "label_smoothing",
        "axis",
        "reduction",
        "sample_weight",
    },
    ("keras", "SparseCategoricalCrossentropy"): {
        "from_logits",
        "ignore_class",
        "axis",
        "reduction",
        "sample_weight",
    },
    ("keras", "BinaryCrossentropy"): {"from_logits", "label_smoothing", "axis", "reduction", "sample_weight"},
    ("keras", "KLDivergence"): {"reduction", "sample_weight"},
}


@pytest.mark.parametrize("key", sorted(REQUIRED_KWARGS), ids=lambda k: f"{k[0]}.{k[1]}")
def test_every_argument_is_covered(key):
    seen: set[str] = set()
    dtypes: set[str] = set()
    for case in CASES:
        if (case["framework"], case["call"]) == key:
            seen |= set(case["kwargs"]) | set(case["arrays"])
            dtypes.add(case["dtype"])
    assert REQUIRED_KWARGS[key] <= seen, REQUIRED_KWARGS[key] - seen
    assert dtypes == {"float32", "float64"}  # both precisions, for every loss


def _uses(case: dict[str, Any], name: str, value: Any) -> bool:
    return case["kwargs"].get(name) == value


@pytest.mark.parametrize(
    "edge",
    [
        ("torch", lambda c: -100 in np.ravel(c["arrays"].get("target", {"array": []})["array"])),
        ("torch", lambda c: _uses(c, "reduction", "batchmean")),
        ("torch", lambda c: _uses(c, "log_target", True)),
        (
            "torch",
            lambda c: c["call"] == "binary_cross_entropy" and 0.0 in np.ravel(c["arrays"]["input"]["array"]),
        ),
        ("torch", lambda c: c["kwargs"].get("label_smoothing", 0) > 0 and "weight" in c["arrays"]),
        ("keras", lambda c: _uses(c, "from_logits", True)),
        ("keras", lambda c: "from_logits" not in c["kwargs"] and c["call"] != "KLDivergence"),
        ("keras", lambda c: "ignore_class" in c["kwargs"]),
        ("keras", lambda c: 0.0 in np.ravel(c["arrays"]["y_pred"]["array"])),
    ],
    ids=[
        "ignore_index",
        "batchmean",
        "log_target",
        "bce-zero-probability",
        "smoothing-with-weight",
        "from_logits",
        "probabilities",
        "ignore_class",
        "keras-zero-probability",
    ],
)
def test_edge_cases_are_covered(edge):
    framework, predicate = edge
    assert any(predicate(c) for c in CASES if c["framework"] == framework)


def test_the_article_numbers_come_out_of_the_frameworks():
    # Australia's box coded with India's model: H(australia, india) = 2.3488 bits,
    # D(australia‖india) = 0.5991 bits, whichever framework reports them.
    by_id = {c["id"]: c for c in CASES}
    for ident in ("ce-article", "ce-article-box", "nll-article-box", "cce-article", "scce-article-box"):
        assert round(by_id[ident]["expected"] / math.log(2), 4) == 2.3488
    for ident in ("kl-article-batchmean", "kkl-article"):
        assert round(by_id[ident]["expected"] / math.log(2), 4) == 0.5991
