"""Links in worker processes: the same numbers as one process, errors and interruptions intact.

The tasks below are module-level functions so that a worker process can import them by name.
"""

from __future__ import annotations

import dataclasses
import math
import multiprocessing
import os
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.cli import main
from sim.engine import parallel
from sim.engine import simulation as engine
from sim.scenario import loader
from tests.sim.links import CABLE, huffman_link

ROOT = Path(__file__).resolve().parents[3]


def identical(a: object, b: object, path: str = "result") -> list[str]:
    """Where ``a`` and ``b`` differ: types, keys, lengths, or any float's bits (NaN equals NaN)."""
    if type(a) is not type(b):
        return [f"{path}: {type(a).__name__} vs {type(b).__name__}"]
    if dataclasses.is_dataclass(a):
        pairs = [(getattr(a, f.name), getattr(b, f.name), f"{path}.{f.name}") for f in dataclasses.fields(a)]
        return [d for x, y, where in pairs for d in identical(x, y, where)]
    if isinstance(a, dict):
        assert isinstance(b, dict)
        if list(a) != list(b):
            return [f"{path}: keys {list(a)} vs {list(b)}"]
        return [d for k in a for d in identical(a[k], b[k], f"{path}[{k!r}]")]
    if isinstance(a, (list, tuple)):
        assert isinstance(b, (list, tuple))
        if len(a) != len(b):
            return [f"{path}: {len(a)} vs {len(b)} items"]
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in identical(x, y, f"{path}[{i}]")]
    if isinstance(a, float):
        assert isinstance(b, float)
        return [] if struct.pack("<d", a) == struct.pack("<d", b) else [f"{path}: {a!r} vs {b!r}"]
    return [] if a == b else [f"{path}: {a!r} vs {b!r}"]


def test_identical_sees_a_difference_in_the_last_bit():
    a = engine.run(loader.load("india_to_australia"), messages=200)
    last = a.links[-1]
    nudged = dataclasses.replace(last, bits_per_message=math.nextafter(last.bits_per_message, 9.0))
    assert identical(a, a) == []
    assert identical(a, dataclasses.replace(a, links=(*a.links[:-1], nudged))) != []
    assert identical(math.nan, math.nan) == [] and identical(0.0, -0.0) != []


# -- which links may run apart -----------------------------------------------------------------------


def test_links_on_one_shared_wire_stay_together_and_the_rest_run_alone():
    assert parallel.components(loader.load("shared_office").links) == [[0, 1], [2, 3], [4, 5]]
    assert parallel.components(loader.load("busy_telegraph_office").links) == [[0], [1], [2]]
    wire = dataclasses.replace(CABLE, name="wire", shared=True)
    links = [huffman_link("a", line=wire), huffman_link("b"), huffman_link("c", line=wire)]
    assert parallel.components(links) == [[0, 2], [1]]


def test_auto_uses_one_process_unless_the_run_is_long_and_has_several_parts(monkeypatch):
    big = parallel.MIN_WORK
    assert parallel.choose_jobs("auto", 4, big - 1) == 1  # start-up would outweigh the gain
    assert parallel.choose_jobs("auto", 1, 100 * big) == 1  # nothing to split
    assert parallel.choose_jobs("auto", 4, big) == min(parallel.cores(), 4)
    assert parallel.choose_jobs(3, 2, 1) == 2 and parallel.choose_jobs(1, 4, big) == 1
    monkeypatch.setattr(multiprocessing.current_process(), "daemon", True)  # e.g. a sweep's worker
    assert parallel.choose_jobs("auto", 4, big) == 1 and parallel.choose_jobs(4, 4, big) == 1


@pytest.mark.parametrize("jobs", [0, -1, True, 2.0, "two"])
def test_a_bad_jobs_value_is_refused_by_name(jobs):
    with pytest.raises(ValueError, match="'jobs' must be a whole number of at least 1 or 'auto'"):
        parallel.choose_jobs(jobs, 4, 10)


# -- the same numbers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "messages"),
    [
        ("shared_office", 4000),  # three shared wires, two links each
        ("busy_telegraph_office", 4000),  # Poisson arrivals, one wire each
        ("noisy_cable", 3000),  # noise, with its own seed stream per link
        ("australia_learns", 3000),  # adaptive links
        ("road_to_entropy", 2000),  # stream codes (arithmetic, block, Tunstall)
    ],
)
def test_worker_processes_give_bit_for_bit_the_one_process_results(name, messages):
    sc = loader.load(name)
    used: list[parallel.Workers] = []
    one = engine.run(sc, messages=messages, seed=7, on_workers=used.append)
    two = engine.run(sc, messages=messages, seed=7, jobs=2, on_workers=used.append)
    used_one, used_two = used
    assert used_one.processes == 1 and used_two.processes == 3  # the parent and two workers
    assert len(used_two.peak_rss) == 3 and min(used_two.peak_rss) > 10 * 2**20
    assert identical(one, two) == []


def test_more_jobs_than_parts_and_a_small_chunk_still_give_the_same_numbers():
    sc = loader.load("india_to_australia")
    one = engine.run(sc, messages=3000, seed=3, chunk=97)
    used: list[parallel.Workers] = []
    many = engine.run(sc, messages=3000, seed=3, chunk=97, jobs=8, on_workers=used.append)
    assert used[0].processes == 5  # four links: four workers and the parent
    assert identical(one, many) == []


def test_progress_from_the_workers_adds_up_to_every_message():
    seen: list[int] = []
    sc = loader.load("busy_telegraph_office")
    engine.run(sc, messages=5000, jobs=2, progress=seen.append)
    assert sum(seen) == 5000 * len(sc.links) and all(n > 0 for n in seen)


def test_a_hook_keeps_the_run_in_one_process():
    routes = []
    used: list[parallel.Workers] = []
    result = engine.run(
        loader.load("india_to_australia"),
        messages=300,
        jobs=4,
        extend=lambda env, route: routes.append(route),
        on_workers=used.append,
    )
    assert used[0].processes == 1 and len(routes) == 4 and len(result.links) == 4


# -- errors and interruptions -----------------------------------------------------------------------


class Unpicklable(Exception):
    def __init__(self, what: str, extra: int) -> None:  # pickling calls it with one argument
        super().__init__(what)
        self.extra = extra


def fails(what: str, *, progress) -> None:
    if what == "value":
        raise ValueError("'baud' must be positive (got -5)")
    if what == "oserror":
        raise FileNotFoundError(2, "No such file or directory", "/nowhere/cache")
    if what == "unpicklable":
        raise Unpicklable("odd", 1)
    if what == "killed":
        os.kill(os.getpid(), signal.SIGKILL)
    if what == "slow":
        time.sleep(60)


def ticks(seconds: float, *, progress) -> int:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        progress(1)
        time.sleep(0.01)
    return os.getpid()


def test_a_workers_error_is_raised_again_with_its_type_and_message_and_no_worker_is_left():
    with pytest.raises(ValueError, match=r"^'baud' must be positive \(got -5\)$") as info:
        parallel.run_in_processes(fails, [("slow",), ("value",)], 2)
    assert "Traceback" in str(info.value.__cause__) and "fails" in str(info.value.__cause__)
    assert multiprocessing.active_children() == []  # the slow one was stopped, not waited for


def test_an_os_error_keeps_what_the_cli_prints_of_it():
    with pytest.raises(FileNotFoundError) as info:
        parallel.run_in_processes(fails, [("oserror",)], 1)
    assert (info.value.filename, info.value.strerror) == ("/nowhere/cache", "No such file or directory")


def test_an_error_that_cannot_travel_arrives_as_its_type_and_message():
    with pytest.raises(RuntimeError, match=r"^Unpicklable: odd$"):
        parallel.run_in_processes(fails, [("unpicklable",)], 1)


def test_a_killed_worker_is_one_line_with_its_exit_status():
    with pytest.raises(parallel.WorkerDied, match=r"exit status -9") as info:
        parallel.run_in_processes(fails, [("killed",), ("slow",)], 2)
    assert "\n" not in str(info.value)
    assert multiprocessing.active_children() == []


def test_interrupting_the_parent_stops_every_worker():
    def interrupt(_n: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        parallel.run_in_processes(ticks, [(30.0,), (30.0,)], 2, progress=interrupt)
    assert multiprocessing.active_children() == []


def test_tasks_are_handed_out_as_workers_come_free_and_results_keep_their_order():
    values, used = parallel.run_in_processes(ticks, [(1.0,), (0.0,), (0.0,), (0.0,)], 2)
    assert used.processes == 3 and len(set(values)) == 2  # four tasks, two worker processes
    assert values[1] == values[2] == values[3] != values[0]  # the quick ones queued behind one worker


def test_cli_jobs_gives_the_same_tables_and_refuses_nonsense(capsys, tmp_path):
    argv = ["run", "shared_office", "--messages", "3000", "--no-plots", "--seed", "5"]
    assert main([*argv, "--jobs", "1", "--out", str(tmp_path / "one")]) == 0
    one = capsys.readouterr().out
    assert main([*argv, "--jobs", "3", "--out", str(tmp_path / "three")]) == 0
    three = capsys.readouterr().out
    assert one.replace(str(tmp_path / "one"), "X") == three.replace(str(tmp_path / "three"), "X")
    assert (tmp_path / "one" / "shared_office" / "summary.json").read_bytes() == (
        tmp_path / "three" / "shared_office" / "summary.json"
    ).read_bytes()
    for bad in ("0", "two", "1.5"):
        assert main([*argv, "--jobs", bad, "--out", str(tmp_path / "bad")]) == 2
        err = capsys.readouterr().err.strip()
        assert "--jobs" in err and "\n" not in err
    assert not (tmp_path / "bad").exists()


# -- real signals -------------------------------------------------------------------------------------


def _descendants(pid: int) -> set[int]:
    """Every living process below ``pid`` (Linux /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {p for p, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the process tree from /proc")
@pytest.mark.parametrize("sig", ["SIGINT", pytest.param("SIGTERM", marks=pytest.mark.slow)])
def test_a_signal_during_a_parallel_run_writes_nothing_and_leaves_no_process(tmp_path, sig):
    out = tmp_path / "out"
    argv = [sys.executable, "-m", "sim", "run", "shared_office", "--jobs", "2", "--messages", "1e9"]
    argv += ["--quiet", "--out", str(out)]
    proc = subprocess.Popen(argv, stderr=subprocess.PIPE, text=True, cwd=ROOT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        # multiprocessing's resource tracker, the fork server and two workers
        while len(_descendants(proc.pid)) < 4 and time.monotonic() < deadline:
            time.sleep(0.1)
        below = _descendants(proc.pid)
        assert len(below) >= 4, "the workers never started"
        time.sleep(0.5)
        if sig == "SIGINT":  # Ctrl-C at a terminal: the whole foreground group gets it
            os.killpg(proc.pid, signal.SIGINT)
        else:  # `kill PID`: only the parent
            proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    what = "interrupted" if sig == "SIGINT" else "terminated"
    assert proc.returncode == (130 if sig == "SIGINT" else 143), err
    assert err.strip() == f"telegraph: {what}; no results were written"  # no worker's traceback either
    assert not out.exists() or list(out.iterdir()) == []
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in below) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [p for p in below if _alive(p)] == []


def test_the_fork_server_loads_only_kernel_modules_in_use():
    import types

    from sim.engine import kernels, preload

    kernels.warm_up()  # every kernel of the module now has a fresh cache entry
    assert preload.in_use(kernels)
    assert not preload.in_use(types.ModuleType("no_kernels"))
    assert "sim.engine.preload" in parallel.PRELOAD
