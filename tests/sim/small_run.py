"""A real small run for the plot and report tests (no stand-in results).

Three links of the article's telegraph, run by the engine: India with
Huffman on a Poisson-fed line (ρ = 0.7, so the line has waits to draw),
India with the fixed code back-to-back, and Australia sent with India's
Huffman code (cross entropy above entropy). Also imported by
``benchmarks/plot_speed.py``.
"""

from __future__ import annotations

from sim.engine.simulation import run
from sim.model.records import Scenario
from sim.model.results import RunResult
from tests.sim.links import AUSTRALIA, fixed_link, huffman_link, poisson

INDIA = {"blue": 25, "red": 50, "green": 13, "yellow": 12}
SCHEME1 = {"blue": "0", "red": "1", "green": "10", "yellow": "11"}  # not uniquely decodable

SCENARIO = Scenario(
    "india-to-australia",
    (
        huffman_link(arrivals=poisson(20.0)),
        fixed_link(),
        huffman_link("australia-with-india-code", urn=AUSTRALIA),
    ),
    seed=1948,
    description="The article's telegraph: <India> & Australia.",
)


def make_result(messages: int = 20_000, *, seed: int = 1948) -> RunResult:
    """The three links run for ``messages`` messages each (seeded)."""
    return run(SCENARIO, messages=messages, seed=seed)
