"""The telegraph simulation: scenarios, the SimPy engine, results, figures and the CLI.

>>> from sim import load, run
>>> result = run(load("india_to_australia"), messages=1000)
>>> [link.name for link in result.links]
['india-fixed', 'india-scheme2', 'india-scheme3', 'india-huffman']

Names are imported on first use, so ``import sim`` stays light (the engine
loads numba and SimPy only when a run is asked for).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # nothing more at start-up: Ctrl-C then has less to interrupt
    from typing import Any

_EXPORTS = {
    "load": "sim.scenario.loader",
    "loads": "sim.scenario.loader",
    "dump": "sim.scenario.loader",
    "ScenarioError": "sim.scenario.loader",
    "run": "sim.engine.simulation",
    "explain": "sim.publish.explain",
    "Scenario": "sim.model.records",
    "Link": "sim.model.records",
    "Urn": "sim.model.records",
    "Line": "sim.model.records",
    "Arrivals": "sim.model.records",
    "Tariff": "sim.model.records",
    "CodeSpec": "sim.model.records",
    "RecordError": "sim.model.records",
    "RunResult": "sim.model.results",
    "LinkResult": "sim.model.results",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
