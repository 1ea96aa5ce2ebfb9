"""A relay station of your own: Singapore re-times every batch between the cable and Australia.

Run it from the repository root: ``python docs/examples/relay.py``. It runs
the bundled India-to-Australia scenario twice, without and with the relay,
and prints when the last message reached Australia. See docs/extending.md.
"""

from __future__ import annotations

import math

import simpy

from sim.engine import simulation as engine

from sim.scenario import loader as scenario
from sim.engine.stations import Channel, Route


class Relay:
    """Singapore: takes each batch off the cable and keys it onward on the next tick of its clock.

    ``tick`` seconds apart (every whole second by default). It counts what it relays.
    """

    def __init__(self, tick: float = 1.0) -> None:
        self.tick = tick
        self.batches = 0
        self.messages = 0

    def __call__(self, env: simpy.Environment, inbox: Channel, outbox: Channel):
        while True:
            batch = yield inbox.get()  # wait for the cable
            self.batches += 1
            self.messages += batch.symbols.size
            next_tick = math.ceil(env.now / self.tick) * self.tick
            yield env.timeout(next_tick - env.now)  # wait for the clock
            yield outbox.put(batch)  # on to Australia


def with_relays(relays: dict[str, Relay]):
    """A hook for :func:`sim.engine.simulation.run`: one relay station after the line of every link."""

    def extend(env: simpy.Environment, route: Route) -> None:
        relays[route.link.name] = Relay()
        route.insert("singapore", relays[route.link.name], after="line")

    return extend


def main(messages: int = 10_000, chunk: int = engine.DEFAULT_CHUNK) -> dict[str, tuple[float, float, int]]:
    """For each link: (last delivery without the relay, with it, messages relayed)."""
    sc = scenario.load("india_to_australia")
    plain = engine.run(sc, messages=messages, chunk=chunk)
    relays: dict[str, Relay] = {}
    relayed = engine.run(sc, messages=messages, chunk=chunk, extend=with_relays(relays))
    out = {}
    for a, b in zip(plain.links, relayed.links):
        assert b.lossless and b.bits == a.bits  # the relay changes when, never what
        out[a.name] = (a.line.duration, b.line.duration, relays[a.name].messages)
    return out


if __name__ == "__main__":
    for name, (before, after, count) in main().items():
        print(
            f"{name:>15}: last message in Australia at {before:9.3f} s, via Singapore {after:9.3f} s "
            f"({count:,} messages relayed)"
        )
