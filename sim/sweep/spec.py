"""Sweep files: a base scenario and what varies, expanded into points and validated.

A sweep names a base scenario and the values to try. Paths are dotted keys
into the scenario's YAML, with ``[i]`` for a list item and ``[name]`` for a
link by name (``links[huffman].arrivals.rate``). ``grid:`` takes every
combination of its lists, ``zip:`` moves its lists together, ``random:``
draws ``n`` urns from a seeded Dirichlet; the blocks combine as a product.

:func:`load_sweep` reads a sweep, expands it and validates every point
through the scenario loader (:func:`sim.scenario.loader.from_data`) before anything
runs; every problem is reported at once, one line each, naming the sweep
file and the path.

>>> sw = load_sweep("load_curve")
>>> sw.name, len(sw.points), sw.columns
('load_curve', 9, ('links[*].arrivals.rate',))
>>> sw.points[2].values, sw.scenario_data(sw.points[2])["links"][1]["arrivals"]
((3,), {'rate': 3})
"""

from __future__ import annotations

import copy
import hashlib
import importlib.resources
import itertools
import json
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.model import limits
from sim.scenario.loader import ScenarioError, _read_text, from_data, read_data
from sim.scenario.yamlcheck import BAD, Bad, Problems, parse_yaml, show, suggest

__all__ = ["Point", "Sweep", "SweepError", "bundled_sweeps", "load_sweep", "task_seed"]

#: Keys of a sweep file.
_REQUIRED = ("scenario",)
_OPTIONAL = ("name", "description", "messages", "replications", "seed", "grid", "zip", "random")
#: Problems from points past this many are summarised in one line.
SHOWN_POINT_PROBLEMS = 20
#: Spawn keys below the sweep's root seed: tasks and random urns never share a stream.
TASK_STREAM, URN_STREAM = 0, 1
#: Colour names for random urns with more colours than the base urn.
_EXTRA_COLOURS = (
    "purple", "orange", "brown", "pink", "grey", "olive", "cyan", "navy", "teal", "maroon",
    "lime", "indigo", "gold", "violet", "tan", "coral",
)  # fmt: skip


class SweepError(ScenarioError):
    """A sweep file that cannot be used: one line per problem in ``problems``."""


@dataclass(frozen=True)
class Point:
    """One combination of values: ``values`` follow :attr:`Sweep.columns`; ``changes`` are (path, value)."""

    index: int
    values: tuple[Any, ...]
    changes: tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class Sweep:
    """A validated sweep: every point is a valid scenario."""

    name: str
    description: str
    source: str
    scenario_source: str
    base: dict[str, Any]
    messages: int | None
    replications: int
    seed: int
    columns: tuple[str, ...]
    points: tuple[Point, ...]
    blocks: dict[str, Any] = field(default_factory=dict)

    @property
    def tasks(self) -> int:
        return len(self.points) * self.replications

    def scenario_data(self, point: Point) -> dict[str, Any]:
        """The base scenario's YAML data with the point's values put in."""
        return _apply(self.base, point.changes)

    def digest(self) -> str:
        """A hash of everything that decides the results: a changed sweep never mixes with an old one."""
        doc = {
            "format": 1,
            "scenario": self.base,
            "messages": self.messages,
            "replications": self.replications,
            "seed": self.seed,
            "columns": self.columns,
            "points": [[p.values, p.changes] for p in self.points],
        }
        text = json.dumps(doc, default=str, ensure_ascii=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("ascii")).hexdigest()

    def label(self, point: Point) -> str:
        """``path=value, ...`` for messages."""
        return ", ".join(f"{c}={_text(v)}" for c, v in zip(self.columns, point.values)) or "(base scenario)"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "source": self.source,
            "scenario": self.scenario_source,
            "messages": self.messages,
            "replications": self.replications,
            "seed": self.seed,
            "columns": list(self.columns),
            "points": len(self.points),
            "tasks": self.tasks,
            "blocks": self.blocks,
            "digest": self.digest(),
        }


def task_seed(root: int, point: int, replication: int) -> int:
    """The scenario seed of one task: ``SeedSequence(root).spawn(...)`` children, as a 64-bit number.

    It is child ``replication`` of child ``point`` of child 0 of the root, so
    it depends on nothing but the sweep's seed and the task's place in the
    sweep (not on the number of workers, their order or where they ran).

    >>> task_seed(0, 0, 0) == task_seed(0, 0, 0) != task_seed(0, 0, 1)
    True
    """
    ss = np.random.SeedSequence(root, spawn_key=(TASK_STREAM, point, replication))
    return int.from_bytes(ss.generate_state(2, np.uint32).tobytes(), "little")


def bundled_sweeps() -> list[str]:
    """Names of the bundled sweeps."""
    folder = importlib.resources.files("sim.scenarios").joinpath("sweeps")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def load_sweep(
    source: str | os.PathLike[str], *, messages: int | None = None, seed: int | None = None
) -> Sweep:
    """Read, expand and validate a sweep file (a path, or the name of a bundled sweep).

    ``messages`` and ``seed`` override the file's. Raises :class:`SweepError`
    listing every problem, one line each, before anything has run.
    """
    path = _resolve(source)
    fname = path.name
    problems = Problems(fname)
    data = parse_yaml(_read_text(path), problems)  # the scenario reader: same size limit, same messages
    if data is BAD:
        raise SweepError(problems.lines)
    if data is None:
        raise SweepError([f"{fname}: (top level): the file is empty; a sweep needs a scenario and a grid"])
    top = problems.mapping(
        "", data, required=_REQUIRED, optional=_OPTIONAL, what="a mapping with keys such as scenario and grid"
    )
    if top is BAD:
        raise SweepError(problems.lines)

    name: str | Bad = path.stem
    if "name" in top:
        name = problems.name("name", top["name"], what="the sweep name")
    description = ""
    if "description" in top:
        given = problems.string("description", top["description"])
        description = given.strip() if given is not BAD else ""
    replications: int | Bad = 1
    if "replications" in top:
        replications = problems.integer(
            "replications", top["replications"], minimum=1, maximum=limits.SWEEP_TASKS
        )
    if messages is None and "messages" in top:
        read = problems.integer("messages", top["messages"], minimum=1, maximum=10**12)
        messages = read if read is not BAD else None  # a BAD one is reported
    base, scenario_source = _base(problems, top.get("scenario"), path)
    if seed is None:
        if "seed" in top:
            read = problems.integer("seed", top["seed"], minimum=0)
            seed = read if read is not BAD else 0  # a BAD one is reported
        else:
            seed = base.get("seed", 0) if isinstance(base, dict) else 0
            seed = seed if isinstance(seed, int) and not isinstance(seed, bool) and seed >= 0 else 0
    if base is BAD:
        raise SweepError(problems.lines)
    if isinstance(messages, int) and messages is not BAD:
        base["messages"] = messages

    axes: list[tuple[str, list[tuple[tuple[str, Any], ...]], list[Any], list[str]]] = []
    columns: list[str] = []
    if "grid" in top:
        for path_text, listed in _block(problems, "grid", top["grid"], base):
            grid: list[tuple[tuple[str, Any], ...]] = [((path_text, v),) for v in listed]
            axes.append(("grid", grid, [(v,) for v in listed], [path_text]))
    if "zip" in top:
        zipped = _block(problems, "zip", top["zip"], base)
        lengths = {p: len(v) for p, v in zipped}
        if len(set(lengths.values())) > 1:
            shown = ", ".join(f"{p} has {n}" for p, n in lengths.items())
            problems.add("zip", f"every list must have the same length ({shown})")
        elif zipped:
            rows = list(zip(*(v for _, v in zipped)))
            paths = [p for p, _ in zipped]
            axes.append(("zip", [tuple(zip(paths, r)) for r in rows], [tuple(r) for r in rows], paths))
    if "random" in top:
        drawn = _random(problems, top["random"], base, seed if isinstance(seed, int) else 0)
        if drawn is not BAD:
            urn_path, urns = drawn
            axes.append(("random", [((urn_path, u),) for u in urns], [(u,) for u in urns], [urn_path]))
    for _, _, _, paths in axes:
        columns += paths
    dupes = sorted({c for c in columns if columns.count(c) > 1})
    for c in dupes:
        problems.add(c, "is varied in more than one place; vary each path once")
    if dupes:
        raise SweepError(problems.lines)

    n_points = 1
    for _, axis_changes, _, _ in axes:
        n_points *= len(axis_changes)
    if n_points * (replications or 1) > limits.SWEEP_TASKS:  # a BAD count (reported) is falsy
        problems.add(
            "(top level)",
            f"{n_points:,} points × {replications or 1:,} replications is more than "
            f"{limits.SWEEP_TASKS:,} tasks; split the sweep",
        )
        raise SweepError(problems.lines)
    points = []
    for i, combo in enumerate(itertools.product(*[range(len(a[1])) for a in axes])):
        changes: tuple[tuple[str, Any], ...] = ()
        values: tuple[Any, ...] = ()
        for (_, ch, vals, _), k in zip(axes, combo):
            changes += ch[k]
            values += vals[k]
        points.append(Point(i, values, changes))
    # The points of well-formed blocks are checked even when others are not: every problem at once.
    problems.lines += _validate_points(fname, base, scenario_source, points, axes, columns)
    if problems:
        raise SweepError(problems.lines)
    assert name is not BAD and replications is not BAD and seed is not None  # else reported above
    blocks = {k: top[k] for k in ("grid", "zip", "random") if k in top}
    return Sweep(
        name=name,
        description=description,
        source=str(path),
        scenario_source=scenario_source,
        base=base,
        messages=messages if isinstance(messages, int) else None,
        replications=replications,
        seed=int(seed),
        columns=tuple(columns),
        points=tuple(points),
        blocks=_plain(blocks),
    )


# -- the base scenario ---------------------------------------------------------------------------


def _resolve(source: str | os.PathLike[str]) -> Path:
    text = os.fspath(source)
    path = Path(text)
    if path.is_file():
        return path
    if path.is_dir():
        raise SweepError([f"{path.name or text}: is a folder, not a sweep file"])
    names = bundled_sweeps()
    stem = text[:-5] if text.endswith(".yaml") else text
    if "/" not in text and os.sep not in text and stem in names:
        return Path(str(importlib.resources.files("sim.scenarios").joinpath("sweeps", f"{stem}.yaml")))
    if "/" not in text and os.sep not in text:
        raise SweepError(
            [f"{path.name}: no such file, and no bundled sweep of that name{suggest(stem, names)}"]
        )
    raise SweepError([f"{path.name}: no such file ({text})"])


def _base(problems: Problems, value: Any, sweep_path: Path) -> tuple[Any, str]:
    """The base scenario's YAML data (a path is taken relative to the sweep file), or BAD."""
    if value is BAD or value is None:
        return BAD, ""
    if not isinstance(value, str) or not value:
        problems.add("scenario", "must name a bundled scenario or a YAML file", value)
        return BAD, ""
    beside = sweep_path.parent / value
    target = str(beside) if ("/" in value or value.endswith(".yaml") or beside.is_file()) else value
    try:
        data, path = read_data(target)
        from_data(data, filename=path.name, source=str(path))
    except ScenarioError as exc:
        for line in exc.problems:
            problems.lines.append(f"{problems.filename}: scenario: {line}")
        return BAD, ""
    return _plain(data), str(path)


def _plain(data: Any) -> Any:
    """A deep copy made of dicts, lists and scalars only."""
    return copy.deepcopy(data)


# -- paths -----------------------------------------------------------------------------------------


_PART = re.compile(r"([A-Za-z0-9_-]+)((?:\[[^\]]+\])*)")
_SELECTOR = re.compile(r"\[([^\]]+)\]")


def parse_path(text: str) -> list[str | int] | None:
    """``links[0].arrivals.rate`` -> ['links', 0, 'arrivals', 'rate']; None when it is not a path.

    A ``[name]`` selector stays a string marked by a leading ``=``, ``[*]`` (every item) is ``*``.

    >>> parse_path("links[huffman].arrivals.rate"), parse_path("links[*].telegram")
    (['links', '=huffman', 'arrivals', 'rate'], ['links', '*', 'telegram'])
    """
    steps: list[str | int] = []
    for part in _split_dots(text):
        m = _PART.fullmatch(part)
        if m is None:
            return None
        steps.append(m.group(1))
        for sel in _SELECTOR.findall(m.group(2)):
            steps.append(int(sel) if sel.isdigit() else "*" if sel == "*" else "=" + sel)
    return steps


def _split_dots(text: str) -> list[str]:
    """Split on dots outside brackets (a link name may hold a dot)."""
    out, depth, cur = [], 0, ""
    for ch in text:
        depth += ch == "["
        depth -= ch == "]"
        if ch == "." and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    out.append(cur)
    return out


def _locate(data: Any, steps: list[str | int]) -> tuple[list[list[str | int]], str | None]:
    """Every concrete path ``steps`` names in ``data`` (names resolved to indices), or why it names none.

    A missing mapping key is created on ``data`` (pass a copy): the scenario
    loader then judges the key, and says what is wrong with it.
    """
    paths: list[list[str | int]] = [[]]
    nodes: list[Any] = [data]
    where = ""
    for k, step in enumerate(steps):
        last = k == len(steps) - 1
        new_paths, new_nodes = [], []
        for path, node in zip(paths, nodes):
            if isinstance(step, str) and step[:1] not in ("=", "*"):
                if not isinstance(node, dict):
                    return [], f"{where or '(top level)'} is {show(node)}, not a mapping"
                if step not in node:
                    if k == 0:
                        return (
                            [],
                            f"the scenario has no {step!r} section{suggest(step, [str(x) for x in node])}",
                        )
                    if not last:
                        node[step] = {}
                new_paths.append([*path, step])
                new_nodes.append(None if last else node[step])
                continue
            if not isinstance(node, list):
                return [], f"{where or '(top level)'} is {show(node)}, not a list"
            if step == "*":
                indices = list(range(len(node)))
            elif isinstance(step, int):
                if step >= len(node):
                    return [], f"{where}[{step}] does not exist: {where} has {len(node)} item(s)"
                indices = [step]
            else:
                label = step[1:]
                names = [_item_name(item) for item in node]
                if label not in names:
                    return (
                        [],
                        f"no item of {where} is named {label!r}{suggest(label, [n for n in names if n])}",
                    )
                indices = [names.index(label)]
            for i in indices:
                new_paths.append([*path, i])
                new_nodes.append(None if last else node[i])
        where = _loader_path(new_paths[0]) if len(new_paths) == 1 else f"{where}[*]"
        paths, nodes = new_paths, new_nodes
    return paths, None


def _item_name(item: Any) -> str:
    if not isinstance(item, dict):
        return ""
    if isinstance(item.get("name"), str):
        return item["name"]
    if isinstance(item.get("urn"), str) and isinstance(item.get("code"), str):
        return f"{item['urn']}-{item['code']}"
    return ""


def _loader_path(steps: Sequence[str | int]) -> str:
    """The path as the scenario loader writes it in a problem."""
    out = ""
    for s in steps:
        out = Problems.index(out, s) if isinstance(s, int) else Problems.key(out, s)
    return out


def _set(data: Any, steps: Sequence[str | int], value: Any) -> None:
    node = data
    for s in steps[:-1]:
        if isinstance(s, str) and s not in node:
            node[s] = {}
        node = node[s]
    node[steps[-1]] = copy.deepcopy(value)


def _apply(base: dict[str, Any], changes: Sequence[tuple[str, Any]]) -> dict[str, Any]:
    data = copy.deepcopy(base)
    for path_text, value in changes:
        resolved, problem = _locate(data, parse_path(path_text) or [])
        assert problem is None, problem
        for steps in resolved:
            _set(data, steps, value)
    return data


def _block(problems: Problems, block: str, value: Any, base: dict[str, Any]) -> list[tuple[str, list[Any]]]:
    """(path, values) of a grid or zip block whose paths exist in the base scenario."""
    if not isinstance(value, dict) or not value:
        problems.add(
            block, "must map scenario paths to lists of values, like {links[0].arrivals.rate: [4, 8]}", value
        )
        return []
    out = []
    for path_text, values in value.items():
        where = Problems.key(block, path_text)
        steps = parse_path(path_text) if isinstance(path_text, str) else None
        if steps is None:
            problems.add(where, "is not a path like urns.india.green or links[0].arrivals.rate")
            continue
        if steps[0] == "seed":
            problems.add(
                where, "replications spawn their seeds from the sweep's seed; vary 'replications' instead"
            )
            continue
        _, problem = _locate(copy.deepcopy(base), steps)
        if problem is not None:
            problems.add(where, problem)
            continue
        if not isinstance(values, list) or not values:
            problems.add(where, "must be a non-empty list of values", values)
            continue
        out.append((path_text, values))
    return out


def _random(problems: Problems, value: Any, base: dict[str, Any], seed: int) -> tuple[str, list[Any]] | Any:
    """``random: {urn, n, colours, balls, alpha}``: n urns drawn from a Dirichlet, seeded by the sweep."""
    fields = problems.mapping(
        "random", value, required=("urn", "n"), optional=("colours", "balls", "alpha"),
        what="a mapping like {urn: india, n: 100, colours: 4}",
    )  # fmt: skip
    if fields is BAD:
        return BAD
    before = len(problems.lines)
    given_urns = base.get("urns")
    urns: dict[str, Any] = given_urns if isinstance(given_urns, dict) else {}
    urn = fields.get("urn")
    if "urn" in fields and (not isinstance(urn, str) or urn not in urns):
        problems.add("random.urn", f"must name an urn of the scenario{suggest(str(urn), list(urns))}", urn)
    n = (
        problems.integer("random.n", fields["n"], minimum=1, maximum=limits.SWEEP_TASKS)
        if "n" in fields
        else BAD
    )
    alpha = problems.number("random.alpha", fields.get("alpha", 1.0), positive=True)
    balls = problems.integer("random.balls", fields.get("balls", 1000), minimum=1, maximum=10**15)
    colours: Any = BAD
    if len(problems.lines) == before:
        own = list(urns[urn]) if isinstance(urn, str) and isinstance(urns.get(urn), dict) else []
        given = fields.get("colours", len(own) or 2)
        if isinstance(given, list) and given and all(isinstance(c, str) and c for c in given):
            if len(set(given)) != len(given):
                problems.add("random.colours", "must not repeat a colour", given)
            else:
                colours = list(given)
        else:
            k = problems.integer("random.colours", given, minimum=2, maximum=1000)
            if k is not BAD:
                extra = [c for c in _EXTRA_COLOURS if c not in own]
                extra += [f"c{i}" for i in range(k)]
                colours = (own + extra)[:k]
    if len(problems.lines) > before or colours is BAD or n is BAD or balls is BAD or alpha is BAD:
        return BAD
    if balls < len(colours):
        problems.add(
            "random.balls",
            f"must be at least the number of colours ({len(colours)}): every colour gets a ball",
            balls,
        )
        return BAD
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(URN_STREAM,)))
    drawn = []
    for _ in range(n):
        p = rng.dirichlet(np.full(len(colours), alpha))
        counts = _whole_counts(p, balls)
        drawn.append({c: int(k) for c, k in zip(colours, counts)})
    return Problems.key("urns", urn), drawn


def _whole_counts(p: np.ndarray, balls: int) -> np.ndarray:
    """``balls`` split in proportion to ``p`` (largest remainders), every colour at least one ball."""
    k = len(p)
    spare = balls - k
    raw = p * spare
    counts = np.floor(raw).astype(np.int64)
    left = spare - int(counts.sum())
    order = np.argsort(-(raw - counts), kind="stable")
    counts[order[:left]] += 1
    return counts + 1


# -- validating every point ------------------------------------------------------------------------


def _validate_points(
    fname: str,
    base: dict[str, Any],
    scenario_source: str,
    points: list[Point],
    axes: list[Any],
    columns: list[str],
) -> list[str]:
    """Build every point through the scenario loader; report each problem once, at its sweep path."""
    sc_name = Path(scenario_source).name
    # Where each varied path's values sit in the sweep file: loader path -> (block, path text).
    where: dict[str, tuple[str, str]] = {}
    for block, _, _, paths in axes:
        for p in paths:
            resolved, _ = _locate(copy.deepcopy(base), parse_path(p) or [])
            for steps in resolved:
                where[_loader_path(steps)] = (block, p)
    lines: list[str] = []
    at_point: dict[str, int] = {}  # a problem that several points share: said once, with a count
    seen: set[str] = set()
    extra = 0
    for point in points:
        try:
            from_data(_apply(base, point.changes), filename=sc_name)
        except ScenarioError as exc:
            for line in exc.problems:
                text = _attribute(fname, sc_name, line, point, columns, where, axes)
                key = line if text.startswith(f"{fname}: point ") else text
                if key in seen:
                    if key in at_point:
                        at_point[key] += 1
                    continue
                seen.add(key)
                if len(lines) < SHOWN_POINT_PROBLEMS:
                    if key == line:
                        at_point[key] = 0
                    lines.append(text)
                else:
                    extra += 1
    for i, text in enumerate(lines):
        for key, more in at_point.items():
            if more and text.endswith(key):
                lines[i] = f"{text} (and {more} more point{'s' if more > 1 else ''})"
    if extra:
        lines.append(f"{fname}: (points): {extra} more problem(s) like these")
    return lines


def _attribute(
    fname: str,
    sc_name: str,
    line: str,
    point: Point,
    columns: list[str],
    where: dict[str, Any],
    axes: list[Any],
) -> str:
    """A scenario problem of one point, said at the place in the sweep file that caused it."""
    rest = line.removeprefix(f"{sc_name}: ")
    path, _, message = rest.partition(": ")
    for loader_path, (block, path_text) in where.items():
        if path == loader_path or path.startswith(loader_path + ".") or path.startswith(loader_path + "["):
            value = point.values[columns.index(path_text)]
            k = _value_index(axes, block, path_text, value)
            inner = path[len(loader_path) :]
            suffix = f" (at {inner.lstrip('.')})" if inner else ""
            return f"{fname}: {Problems.key(block, path_text)}[{k}]: {message}{suffix}"
    shown = ", ".join(f"{c}={_text(v)}" for c, v in zip(columns, point.values))
    return f"{fname}: point {point.index} ({shown}): {line}"


def _value_index(axes: list[Any], block: str, path_text: str, value: Any) -> int:
    for b, changes, _, _ in axes:
        if b != block:
            continue
        for k, ch in enumerate(changes):
            if any(p == path_text and v == value for p, v in ch):
                return k
    return 0


def _text(value: Any) -> str:
    """A value as one CSV cell: numbers exactly, urns as ``colour:count`` words."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (int, str)):
        return str(value)
    if isinstance(value, dict) and all(isinstance(v, int) for v in value.values()):
        return " ".join(f"{k}:{v}" for k, v in value.items())
    return show(value, limit=200)


def iter_tasks(sweep: Sweep) -> Iterator[tuple[int, int]]:
    """(point, replication) in order."""
    for p in range(len(sweep.points)):
        for r in range(sweep.replications):
            yield p, r
