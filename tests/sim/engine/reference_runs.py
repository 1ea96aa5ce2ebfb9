"""Seeded engine runs whose every number was recorded before the hot loops were rewritten (issue 16).

``python -m tests.sim.engine.reference_runs`` records them again into
``reference_runs.json`` (next to this file); ``test_hot_loops.py`` checks that
the engine still gives exactly these numbers, bit for bit, at several chunk
sizes. The values were recorded at commit 5765b31, before the fused kernels,
the register-held line state and the log-free histogram binning; re-record
them only for an intended change of the random streams, and say so in the
commit.

Each case is a scenario exercising one path of the hot loops: back-to-back
and Poisson lines (the histogram), telegrams of several messages, a shared
wire, a box drawn without replacement, Zipf and large alphabets (guide table,
decode tree under the primary table), an incomplete code (no multi-codeword
table) and a block code (the prefix decoder behind a stream code).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path

from coding import huffman, shannon
from sim.engine.simulation import run
from sim.model.records import Arrivals, Line, Link, Scenario, Urn
from sim.scenario.loader import load
from tests.sim.links import CABLE, INDIA, fixed_link, huffman_link, poisson

PATH = Path(__file__).with_name("reference_runs.json")


def _zipf(k: int) -> Urn:
    return Urn(f"zipf{k}", {f"s{i}": round(10**6 / (i + 1)) for i in range(k)})


def _huffman_on(urn: Urn, name: str, **kw: object) -> Link:
    dist = urn.distribution
    return Link(name, urn, "huffman", "huffman", huffman(dist), CABLE, built_for=urn.name, assumed=dist, **kw)  # type: ignore[arg-type]


def cases() -> dict[str, tuple[Scenario, int]]:
    """Name -> (scenario, messages)."""
    slow = Line("slow", baud=20.0, latency=0.05)
    shared = Line("office", baud=30.0, latency=0.02, shared=True)
    z64, z1024 = _zipf(64), _zipf(1024)
    shan = Link("india-shannon", INDIA, "shannon", "shannon", shannon(INDIA.distribution), CABLE)
    road = load("road_to_entropy")
    blocks = tuple(link for link in road.links if link.code_type == "block")
    out: dict[str, tuple[Scenario, int]] = {
        "india_b2b": (Scenario("b2b", (huffman_link(),), seed=1948, messages=1), 200_000),
        "india_poisson": (
            Scenario("pois", (huffman_link(line=slow, arrivals=poisson(9.2)),), seed=7, messages=1),
            100_000,
        ),
        "telegrams_of_3": (
            Scenario(
                "t3",
                (
                    huffman_link(line=slow, arrivals=poisson(3.0), telegram=3),
                    fixed_link(arrivals=Arrivals("fixed", every=0.05), telegram=3),
                    huffman_link("b2b3", telegram=3),
                ),
                seed=11,
                messages=1,
            ),
            30_000,
        ),
        "zipf64": (
            Scenario(
                "z64",
                (_huffman_on(z64, "z64-b2b"), _huffman_on(z64, "z64-pois", arrivals=poisson(5.0))),
                seed=3,
                messages=1,
            ),
            100_000,
        ),
        "zipf1024": (Scenario("z1024", (_huffman_on(z1024, "z1024"),), seed=5, messages=1), 50_000),
        "shannon": (Scenario("shan", (shan,), seed=13, messages=1), 50_000),
        "without_replacement": (
            Scenario(
                "box",
                (
                    huffman_link(
                        urn=Urn("box", {"blue": 300, "red": 200, "green": 77, "yellow": 23}),
                        replacement=False,
                    ),
                ),
                seed=17,
                messages=1,
            ),
            2_000,
        ),
        "shared_line": (
            Scenario(
                "office",
                (
                    huffman_link("one", line=shared, arrivals=poisson(6.0)),
                    fixed_link("two", line=shared, arrivals=poisson(5.0), priority=1),
                ),
                seed=19,
                messages=1,
            ),
            30_000,
        ),
    }
    # Small enough to run one message a chunk: every kernel's chunk-boundary path.
    out["small_mixed"] = (
        Scenario(
            "small",
            (
                huffman_link("b2b"),
                huffman_link("queue", line=slow, arrivals=poisson(8.0)),
                _huffman_on(z64, "zipf-pairs", arrivals=poisson(2.0), telegram=2),
            ),
            seed=29,
            messages=1,
        ),
        3_000,
    )
    out["block"] = (Scenario("blocks", blocks, seed=23, messages=1), 30_000)
    return out


def _plain(x: object) -> object:
    """JSON-able form; floats as their exact repr (NaN and inf included)."""
    if isinstance(x, float):
        return repr(x)
    if isinstance(x, dict):
        return {str(k): _plain(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_plain(v) for v in x]
    return x


def summary(name: str, chunk: int) -> list[dict[str, object]]:
    """Every number of every link of case ``name`` run at ``chunk`` (the run's full results)."""
    sc, n = cases()[name]
    res = run(sc, messages=n, chunk=chunk)
    return [_plain(dataclasses.asdict(link)) for link in res.links]  # type: ignore[misc]


def _numbers(x: object) -> object:
    """``x`` without its null fields: a field added later (null where it does not apply) is not a change."""
    if isinstance(x, dict):
        return {k: _numbers(v) for k, v in x.items() if v is not None}
    if isinstance(x, list):
        return [_numbers(v) for v in x]
    return x


def digest(links: list[dict[str, object]]) -> str:
    return hashlib.sha256(json.dumps(_numbers(links), sort_keys=True).encode()).hexdigest()


KEYS = ("bits", "mismatches", "lossless", "wire_bits")
LINE_KEYS = ("telegrams", "mean_wait", "p95_wait", "max_wait", "mean_delay", "busy_time", "wait_hist_counts")


def readable(links: list[dict[str, object]]) -> list[dict[str, object]]:
    """The numbers a reader checks first: bits and the line's waits, delays and histogram."""
    out = []
    for link in links:
        line = link["line"]
        assert isinstance(line, dict)
        row = {k: link[k] for k in KEYS} | {k: line[k] for k in LINE_KEYS}
        out.append(row)
    return out


def record() -> dict[str, object]:
    data: dict[str, object] = {}
    for name in cases():
        links = summary(name, 65536)
        data[name] = {"digest": digest(links), "links": readable(links)}
    return data


if __name__ == "__main__":
    rows = [f"{json.dumps(k)}: {json.dumps(v, sort_keys=True)}" for k, v in sorted(record().items())]
    PATH.write_text("{\n" + ",\n".join(rows) + "\n}\n")
    print(f"wrote {PATH}")
