"""Hand-built links for engine tests (independent of the YAML loader)."""

from __future__ import annotations

from coding import fixed_length, huffman
from sim.model.records import Arrivals, Line, Link, Scenario, Tariff, Urn

INDIA = Urn("india", {"blue": 25, "red": 50, "green": 13, "yellow": 12})
AUSTRALIA = Urn("australia", {"blue": 13, "red": 25, "green": 50, "yellow": 12})
CABLE = Line("cable", baud=50.0, latency=0.1, tariff=Tariff(per_bit=0.01, per_telegram=0.5))
INDIA_HUFFMAN = huffman(INDIA.distribution)


def huffman_link(name="india-huffman", urn=INDIA, line=CABLE, **kw) -> Link:
    return Link(
        name, urn, "huffman", "huffman", INDIA_HUFFMAN, line,
        built_for="india", assumed=INDIA.distribution, **kw,
    )  # fmt: skip


def fixed_link(name="india-fixed", urn=INDIA, line=CABLE, **kw) -> Link:
    return Link(name, urn, "fixed", "fixed", fixed_length(urn.distribution), line, **kw)


def poisson(rate: float) -> Arrivals:
    return Arrivals("poisson", rate=rate)


def scenario(*links: Link, seed: int = 1948, messages: int = 10_000) -> Scenario:
    return Scenario("test", tuple(links), seed=seed, messages=messages)
