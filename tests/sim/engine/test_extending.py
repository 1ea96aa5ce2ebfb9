"""Adding a process of one's own to a run (docs/extending.md and its example)."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import pytest

from sim.engine import simulation as engine
from sim.engine.stations import Route
from tests.sim.links import huffman_link, poisson, scenario

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "relay.py"


def _example():
    spec = importlib.util.spec_from_file_location("relay_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("chunk", [1, 7, 65536])
def test_the_relay_example_re_times_deliveries_to_the_next_tick(chunk):
    out = _example().main(messages=2_000, chunk=chunk)
    assert list(out) == ["india-fixed", "india-scheme2", "india-scheme3", "india-huffman"]
    for name, (before, after, relayed) in out.items():
        assert relayed == 2_000, name
        assert after == math.ceil(before), name  # the last batch waits for the next whole second
    assert out["india-fixed"][0] == pytest.approx(2_000 * 2 / 50 + 0.1)  # 2 bits at 50 baud, 0.1 s latency


def test_the_relay_example_runs_as_a_script(capsys):
    import runpy

    runpy.run_path(str(EXAMPLE), run_name="__main__")
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4 and all("via Singapore" in line for line in lines)


def test_a_station_before_the_line_that_only_looks_changes_nothing():
    seen = []

    def tap(env, inbox, outbox):
        while True:
            batch = yield inbox.get()
            seen.append(batch.symbols.size)
            yield outbox.put(batch)

    def extend(env, route: Route):
        route.insert("tap", tap, after="transmitter")
        assert route.stations == ["transmitter", "tap", "line", "receiver"]

    sc = scenario(huffman_link(arrivals=poisson(20.0)))
    plain = engine.run(sc, messages=3_000, chunk=500)
    tapped = engine.run(sc, messages=3_000, chunk=500, extend=extend)
    assert tapped.links == plain.links
    assert seen == [500] * 6


def test_route_insert_names_what_is_wrong():
    route = Route(huffman_link())
    with pytest.raises(ValueError, match="already has a station named 'line'"):
        route.insert("line", lambda env, i, o: iter(()))
    with pytest.raises(ValueError, match="'after' must name a station before the receiver"):
        route.insert("late", lambda env, i, o: iter(()), after="receiver")
