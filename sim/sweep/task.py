"""One sweep task: a point's scenario run on one seed, flattened into ``points.csv`` cells.

:func:`run_task` is what a Dask worker executes. It takes plain data (the
point's scenario as YAML data, a seed) and returns plain data (one row of
text cells per link), so a task means the same on any machine and its
result is small: traces and histograms stay on the worker.
"""

from __future__ import annotations

import math
from typing import Any

from sim.model.results import Check, LinkResult

#: The columns every task fills, per link, after ``point, replication, seed``, the varied paths and ``link``.
RESULT_COLUMNS = (
    "messages",
    "bits_per_message",
    "std_error",
    "expected_length",
    "entropy",
    "cross_entropy",
    "kl_divergence",
    "utilisation",
    "mean_wait",
    "checks_failed",
    "offered_load",
    "pk_mean_wait",
    "wait_std_error",
    "p95_wait",
    "mean_delay",
    "cost",
    "lossless",
    "urn_exhausted",
    "checks",
    "checks_inconclusive",
    "failed_checks",
    "expected_false_alarms",
)


def cell(x: Any) -> str:
    """A value as a CSV cell: floats exactly (shortest round-trip form), None as empty.

    >>> cell(0.1), cell(None), cell(float("inf")), cell(True), cell(3)
    ('0.1', '', 'inf', 'true', '3')
    """
    if x is None:
        return ""
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, float):
        return repr(x) if math.isfinite(x) else ("nan" if math.isnan(x) else ("inf" if x > 0 else "-inf"))
    return str(x)


def failed(check: Check) -> bool:
    """A FAIL verdict (``passed is False``; an inconclusive check has ``passed`` None)."""
    return getattr(check, "verdict", None) == "fail" or check.passed is False


def inconclusive(check: Check) -> bool:
    return getattr(check, "verdict", None) == "inconclusive" or check.passed is None


def link_cells(link: LinkResult) -> list[str]:
    """The :data:`RESULT_COLUMNS` of one link's result."""
    t, line = link.theory, link.line
    bad = [c.name for c in link.checks if failed(c)]
    values = (
        link.messages,
        float(link.bits_per_message),
        float(link.std_error),
        float(t.expected_length),
        float(t.entropy),
        float(t.cross_entropy),
        float(t.kl_divergence),
        float(line.utilisation),
        float(line.mean_wait),
        len(bad),
        None if t.utilisation is None else float(t.utilisation),
        None if t.pk_mean_wait is None else float(t.pk_mean_wait),
        float(line.wait_std_error),
        float(line.p95_wait),
        float(line.mean_delay),
        float(line.cost),
        link.lossless,
        link.urn_exhausted,
        len(link.checks),
        sum(inconclusive(c) for c in link.checks),
        ";".join(bad),
        float(sum(getattr(c, "false_alarm", None) or 0.0 for c in link.checks)),
    )
    return [cell(v) for v in values]


def run_task(data: dict[str, Any], filename: str, seed: int) -> list[list[str]]:
    """Run one point's scenario (YAML data, validated again here) on ``seed``; one row per link.

    Each row is ``[link, *RESULT_COLUMNS]`` as text cells.
    """
    from sim.engine import simulation as engine
    from sim.scenario.loader import from_data, with_overrides

    scenario = with_overrides(from_data(data, filename=filename), seed=seed)
    result = engine.run(scenario)
    return [[link.name, *link_cells(link)] for link in result.links]
