"""Sweeps: expanding and validating sweep files, seeds, results, resume, and a real Dask cluster.

Runs use a few thousand messages per link so that a sweep of a dozen tasks
takes a second or two; the Dask tests start real worker processes and take
a few seconds each.
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from sim.cli import main
from sim.sweep import SweepError, load_sweep, task_seed
from sim.sweep.runner import run_sweep
from sim.sweep.spec import parse_path

HERE = Path(__file__).parent
BAD_SWEEPS = sorted((HERE / "bad_sweeps").glob("*.yaml"))
VENV_BIN = Path(sys.executable).parent

SMALL = """\
name: small
scenario: busy_telegraph_office
messages: 3000
replications: 2
seed: 7
grid:
  links[*].arrivals.rate: [2, 6, 8]
  links[huffman].telegram: [1, 2]
"""


def write(folder: Path, text: str, name: str = "small.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def rows(folder: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((folder / "points.csv").read_text(encoding="utf-8"))))


# -- the sweep file ---------------------------------------------------------------------------------


def test_a_grid_is_every_combination_and_names_its_columns_by_path(tmp_path):
    sw = load_sweep(write(tmp_path, SMALL))
    assert sw.columns == ("links[*].arrivals.rate", "links[huffman].telegram")
    assert [p.values for p in sw.points] == [(2, 1), (2, 2), (6, 1), (6, 2), (8, 1), (8, 2)]
    assert sw.tasks == 12
    data = sw.scenario_data(sw.points[3])
    assert [link["arrivals"] for link in data["links"]] == [{"rate": 6}] * 3
    assert [link["telegram"] for link in data["links"]] == [1, 1, 2]  # by name: only huffman's
    assert data["messages"] == 3000
    # The base is never edited in place.
    assert sw.scenario_data(sw.points[0])["links"][2]["telegram"] == 1


def test_paths_take_indices_names_and_every_item():
    assert parse_path("urns.india.green") == ["urns", "india", "green"]
    assert parse_path("links[0].arrivals.rate") == ["links", 0, "arrivals", "rate"]
    assert parse_path("links[india.huffman].telegram") == ["links", "=india.huffman", "telegram"]
    assert parse_path("links[*].replacement") == ["links", "*", "replacement"]
    assert parse_path("links[0]..rate") is None and parse_path("[0]") is None


def test_zip_moves_together_and_a_link_is_found_by_its_default_name(tmp_path):
    text = """\
scenario: india_to_australia
zip:
  links[india-huffman].arrivals: [{rate: 5}, {every: 0.5}, back-to-back]
  urns.india.green: [13, 20, 30]
"""
    sw = load_sweep(write(tmp_path, text, "z.yaml"))
    assert [p.values for p in sw.points] == [({"rate": 5}, 13), ({"every": 0.5}, 20), ("back-to-back", 30)]
    assert sw.name == "z" and sw.seed == 1948  # the file's stem; the scenario's seed


def test_random_boxes_are_seeded_dirichlet_draws_with_every_colour_present(tmp_path):
    text = (
        "scenario: india_to_australia\nseed: {seed}\nrandom: {{urn: india, n: 40, balls: 500, alpha: 0.5}}\n"
    )
    a = load_sweep(write(tmp_path, text.format(seed=1), "a.yaml"))
    again = load_sweep(write(tmp_path, text.format(seed=1), "b.yaml"))
    other = load_sweep(write(tmp_path, text.format(seed=2), "c.yaml"))
    urns = [p.values[0] for p in a.points]
    assert a.columns == ("urns.india",) and len(urns) == 40
    assert urns == [p.values[0] for p in again.points]
    assert urns != [p.values[0] for p in other.points]
    for u in urns:
        assert list(u) == ["blue", "red", "green", "yellow"]  # the urn's own colours: its codes still fit
        assert sum(u.values()) == 500 and min(u.values()) >= 1
    # Dirichlet(0.5) boxes are uneven: the largest share averages 0.6 or so, far above a quarter.
    top = np.mean([max(u.values()) / 500 for u in urns])
    assert 0.45 < top < 0.8


def test_more_random_colours_than_the_urn_has_get_new_names(tmp_path):
    base = """\
urns: {box: {blue: 1, red: 1}}
codes: {huffman: {type: huffman, for: box}, fixed: {type: fixed}}
links: [{urn: box, code: huffman}, {urn: box, code: fixed}]
"""
    write(tmp_path, base, "base.yaml")
    text = "scenario: base.yaml\nrandom: {urn: box, n: 3, colours: 6}\n"
    sw = load_sweep(write(tmp_path, text, "r.yaml"))
    assert list(sw.points[0].values[0]) == ["blue", "red", "purple", "orange", "brown", "pink"]
    # A code pinned to the urn's old colours no longer fits: said before anything runs.
    write(
        tmp_path,
        base.replace("fixed: {type: fixed}", 'fixed: {type: table, codewords: {blue: "0", red: "1"}}'),
        "base.yaml",
    )
    with pytest.raises(SweepError) as info:
        load_sweep(write(tmp_path, text, "r.yaml"))
    (line,) = info.value.problems
    assert line.startswith("r.yaml: point 0 (urns.box=blue:") and line.endswith("(and 2 more points)")
    assert "base.yaml: links[1].code: code 'fixed' does not fit urn 'box'" in line


def test_task_seeds_are_spawned_children_of_the_sweep_seed():
    root = np.random.SeedSequence(1948)
    child = root.spawn(2)[0].spawn(5)[3].spawn(4)[2]  # stream 0 (tasks), point 3, replication 2
    expected = int.from_bytes(child.generate_state(2, np.uint32).tobytes(), "little")
    assert task_seed(1948, 3, 2) == expected
    seeds = {task_seed(1948, p, r) for p in range(50) for r in range(20)}
    assert len(seeds) == 1000


def test_the_digest_changes_with_anything_that_changes_results(tmp_path):
    base = load_sweep(write(tmp_path, SMALL))
    assert base.digest() == load_sweep(write(tmp_path, SMALL, "copy.yaml")).digest()
    assert base.digest() != load_sweep(write(tmp_path, SMALL), messages=3001).digest()
    assert base.digest() != load_sweep(write(tmp_path, SMALL), seed=8).digest()
    assert base.digest() != load_sweep(write(tmp_path, SMALL.replace("[2, 6, 8]", "[2, 6, 9]"))).digest()


def expected_lines(path: Path) -> list[str]:
    return [
        line.removeprefix("# expect: ").rstrip("\n")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith("# expect: ")
    ]


@pytest.mark.parametrize("path", BAD_SWEEPS, ids=[p.stem for p in BAD_SWEEPS])
def test_a_bad_sweep_fails_before_anything_runs_one_line_per_problem(path, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["sweep", str(path), "--out", str(out)])
    stdout, stderr = capsys.readouterr()
    assert code == 2, stderr
    assert "Traceback" not in stdout + stderr
    lines = stderr.splitlines()
    expected = expected_lines(path)
    assert len(lines) == len(expected), stderr
    for want in expected:
        hits = [line for line in lines if want in line]
        assert len(hits) == 1, (want, lines)
        assert hits[0].startswith(f"{path.name}: ")
    assert not out.exists()  # nothing ran, nothing was written


def test_a_sweep_path_names_the_sweep_file_and_a_missing_one_suggests_bundled(tmp_path, capsys):
    assert main(["sweep", "load_curv", "--out", str(tmp_path)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("load_curv: no such file") and "'load_curve'" in line
    with pytest.raises(SweepError):
        load_sweep(tmp_path)


# -- running ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_local(tmp_path_factory) -> Path:
    """The SMALL sweep run once on one local worker."""
    root = tmp_path_factory.mktemp("one")
    sweep = load_sweep(write(root, SMALL))
    outcome = run_sweep(sweep, root / "out", workers=1, say=lambda s: None)
    assert outcome.complete and outcome.ran == 12 and not outcome.failures
    return root / "out" / "small"


def test_points_csv_has_a_row_per_point_replication_and_link(small_local):
    header = (small_local / "points.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[:5] == ["point", "replication", "seed", "links[*].arrivals.rate", "links[huffman].telegram"]
    for name in ("link", "messages", "bits_per_message", "std_error", "expected_length", "entropy",
                 "cross_entropy", "kl_divergence", "utilisation", "mean_wait", "checks_failed",
                 "pk_mean_wait", "checks_inconclusive"):  # fmt: skip
        assert name in header, name
    table = rows(small_local)
    assert len(table) == 6 * 2 * 3
    assert [(r["point"], r["replication"], r["link"]) for r in table[:4]] == [
        ("0", "0", "fixed"), ("0", "0", "scheme2"), ("0", "0", "huffman"), ("0", "1", "fixed"),
    ]  # fmt: skip
    for r in table:
        p, k = int(r["point"]), int(r["replication"])
        assert int(r["seed"]) == task_seed(7, p, k)
        assert r["messages"] == "3000"
        rate = float(r["links[*].arrivals.rate"])
        assert float(r["offered_load"]) == pytest.approx(rate * float(r["expected_length"]) / 20)
        assert r["checks_failed"] == "0", r
    # A run of the point's scenario with the row's seed repeats the row exactly.
    from sim.engine import simulation as engine
    from sim.scenario.loader import from_data, with_overrides
    from sim.sweep.task import link_cells

    sweep = load_sweep(small_local.parent.parent / "small.yaml")
    r = table[3 * 2 * 3 + 2]  # point 3, replication 0, huffman
    sc = from_data(sweep.scenario_data(sweep.points[3]))
    result = engine.run(with_overrides(sc, seed=int(r["seed"])))
    assert link_cells(result.link("huffman"))[1] == r["bits_per_message"]


def test_sweep_json_records_the_sweep_and_where_it_ran(small_local):
    doc = json.loads((small_local / "sweep.json").read_text(encoding="utf-8"))
    assert doc["written_by"] == "telegraph sweep" and doc["complete"] is True
    assert doc["points"] == 6 and doc["replications"] == 2 and doc["tasks"] == 12 and doc["seed"] == 7
    assert doc["ran_on"] == "1 local worker process(es)"
    assert {"telegraph", "python", "numpy", "dask"} <= set(doc["provenance"])
    assert sorted(os.listdir(small_local)) == doc["files"]
    assert "report.html" in doc["files"] and "waits-vs-load.png" in doc["files"]
    assert not any(name.startswith(".") for name in os.listdir(small_local.parent))


def test_the_report_is_self_contained(small_local):
    page = (small_local / "report.html").read_text(encoding="utf-8")
    assert page.count("<svg") >= 2 and "Pollaczek" in page
    assert "http://" not in page and "https://" not in page and "<script" not in page


def test_rerunning_a_finished_sweep_runs_nothing(small_local, capsys):
    before = (small_local / "points.csv").stat().st_mtime_ns
    assert (
        main(["sweep", str(small_local.parent.parent / "small.yaml"), "--out", str(small_local.parent)]) == 0
    )
    assert "already complete" in capsys.readouterr().out
    assert (small_local / "points.csv").stat().st_mtime_ns == before


def test_a_failed_task_is_reported_with_its_point_and_retried_next_time(tmp_path):
    sweep = load_sweep(write(tmp_path, SMALL))

    def flaky(data, filename, seed):  # pickled by value into the worker
        from sim.sweep.task import run_task

        if data["links"][0]["arrivals"]["rate"] == 6 and data["links"][2]["telegram"] == 2:
            raise RuntimeError("the telegraph boy fell ill")
        return run_task(data, filename, seed)

    out = tmp_path / "out"
    first = run_sweep(sweep, out, workers=1, say=lambda s: None, task=flaky)
    assert not first.complete and first.ran == 10
    assert len(first.failures) == 2
    for k, line in enumerate(first.failures):
        assert f"point 3 (links[*].arrivals.rate=6, links[huffman].telegram=2), replication {k}" in line
        assert line.endswith("RuntimeError: the telegraph boy fell ill")
    assert not (out / "small").exists() and (out / ".small.partial" / "journal.jsonl").is_file()
    second = run_sweep(sweep, out, workers=1, say=lambda s: None)
    assert second.complete and second.ran == 2 and second.resumed == 10
    assert len(rows(out / "small")) == 36


def test_a_changed_sweep_is_not_mixed_with_an_unfinished_one(tmp_path, capsys):
    partial = tmp_path / "out" / ".small.partial"
    partial.mkdir(parents=True)
    (partial / "sweep.json").write_text(json.dumps({"written_by": "telegraph sweep", "digest": "old"}))
    (partial / "journal.jsonl").write_text('{"p": 0, "r": 0, "seed": 1, "rows": []}\n')
    argv = ["sweep", str(write(tmp_path, SMALL)), "--out", str(tmp_path / "out"), "--workers", "1"]
    assert main(argv) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "different sweep" in line and "--restart" in line
    assert main([*argv, "--restart", "--quiet"]) == 0
    assert len(rows(tmp_path / "out" / "small")) == 36


def test_a_folder_we_did_not_write_is_never_touched(tmp_path, capsys):
    mine = tmp_path / "out" / "small"
    mine.mkdir(parents=True)
    (mine / "notes.txt").write_text("mine")
    argv = ["sweep", str(write(tmp_path, SMALL)), "--out", str(tmp_path / "out")]
    assert main(argv) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "was not written by telegraph sweep" in line
    assert os.listdir(mine) == ["notes.txt"]
    # Nor is a symlink in place of the partial folder followed.
    os.rename(mine, tmp_path / "elsewhere")
    os.symlink(tmp_path / "elsewhere", tmp_path / "out" / ".small.partial")
    assert main(argv) == 2
    assert "not written by telegraph sweep" in capsys.readouterr().err
    assert os.listdir(tmp_path / "elsewhere") == ["notes.txt"]


def test_an_interrupted_sweep_resumes_where_it_stopped(tmp_path, capsys):
    text = SMALL.replace("messages: 3000", "messages: 150000").replace("replications: 2", "replications: 4")
    path = write(tmp_path, text)
    out = tmp_path / "out"
    journal = out / ".small.partial" / "journal.jsonl"
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", "sweep", str(path), "--out", str(out), "--workers", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if journal.exists() and journal.read_bytes().count(b"\n") >= 3:
                break
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, err
    assert "resumes" in err and "Traceback" not in err
    done = journal.read_bytes().count(b"\n")
    assert 3 <= done < 24
    assert not (out / "small").exists()
    with open(journal, "ab") as f:  # a crash can tear the last line: it is dropped, not trusted
        f.write(b'{"p": 5, "r": 3, "seed": 1, "ro')
    assert main(["sweep", str(path), "--out", str(out), "--workers", "2"]) == 0
    said = capsys.readouterr().out
    assert f"resuming: {done} of 24 tasks already done" in said
    assert f"ran {24 - done} task(s), {done} from before" in said
    table = rows(out / "small")
    assert len(table) == 72 and len({(r["point"], r["replication"], r["link"]) for r in table}) == 72
    # The same as a sweep that was never interrupted.
    assert main(["sweep", str(path), "--out", str(tmp_path / "whole"), "--workers", "2", "--quiet"]) == 0
    whole = (tmp_path / "whole" / "small" / "points.csv").read_bytes()
    assert (out / "small" / "points.csv").read_bytes() == whole


# -- a real Dask cluster ------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_dask_cluster_gives_the_same_points_csv_as_one_and_two_local_workers(tmp_path, small_local):
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    dask = str(VENV_BIN / "dask")
    env = {**os.environ, "PYTHONPATH": str(HERE.parents[2])}
    log = open(tmp_path / "cluster.log", "w")
    procs = [
        subprocess.Popen(
            [dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            stdout=log,
            stderr=log,
            env=env,
        )  # fmt: skip
    ]
    try:
        for _ in range(2):
            procs.append(
                subprocess.Popen(
                    [dask, "worker", address, "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1"],
                    stdout=log,
                    stderr=log,
                    env=env,
                )  # fmt: skip
            )
        from distributed import Client

        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
        path = small_local.parent.parent / "small.yaml"
        assert (
            main(["sweep", str(path), "--out", str(tmp_path / "dask"), "--scheduler", address, "--quiet"])
            == 0
        )
        assert main(["sweep", str(path), "--out", str(tmp_path / "two"), "--workers", "2", "--quiet"]) == 0
    finally:
        for p in reversed(procs):
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        log.close()
    one = (small_local / "points.csv").read_bytes()
    assert (tmp_path / "dask" / "small" / "points.csv").read_bytes() == one
    assert (tmp_path / "two" / "small" / "points.csv").read_bytes() == one
    doc = json.loads((tmp_path / "dask" / "small" / "sweep.json").read_text(encoding="utf-8"))
    assert doc["ran_on"] == f"Dask scheduler {address}"


def test_an_unreachable_scheduler_is_one_line(tmp_path, capsys):
    address = f"tcp://127.0.0.1:{_free_port()}"
    argv = ["sweep", str(write(tmp_path, SMALL)), "--out", str(tmp_path / "out"), "--scheduler", address]
    assert main(argv) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"--scheduler {address}: could not reach the Dask scheduler")


# -- the bundled load curve -----------------------------------------------------------------------------


def test_load_curve_waits_follow_pollaczek_khinchine_across_the_load(tmp_path):
    sweep = load_sweep("load_curve")
    out = run_sweep(sweep, tmp_path, workers=2, say=lambda s: None, figures=False)
    assert out.complete
    table = rows(tmp_path / "load_curve")
    assert len(table) == 9 * 4 * 3
    assert sum(int(r["checks_failed"]) for r in table) == 0
    loads: dict[str, list[tuple[float, float]]] = {}
    for r in table:
        w, pk, se = float(r["mean_wait"]), float(r["pk_mean_wait"]), float(r["wait_std_error"])
        assert abs(w - pk) <= 4 * se, r  # the calibrated pollaczek_khinchine check, per run
        loads.setdefault(r["link"], []).append((float(r["offered_load"]), w))
    for link, pts in loads.items():
        rho = sorted({x for x, _ in pts})
        assert rho[0] <= 0.1 and rho[-1] > 0.78, link
        means = [np.mean([w for x, w in pts if x == q]) for q in rho]
        assert all(a < b for a, b in zip(means, means[1:])), link  # waits grow with the load
    # Across replications too: the mean of 4 runs at ρ = 0.9 within 4 standard errors of P-K.
    fixed = [r for r in table if r["link"] == "fixed" and r["links[*].arrivals.rate"] == "9"]
    w = np.mean([float(r["mean_wait"]) for r in fixed])
    se = np.std([float(r["mean_wait"]) for r in fixed], ddof=1) / 2
    assert abs(w - 0.45) <= 4 * se + 1e-12


def test_progress_shows_done_running_failed_rate_and_eta(capsys):
    from sim.sweep.runner import _Progress

    bar = _Progress(10)
    bar.start -= 2.0  # two seconds in
    bar.update(4, 3, 2)
    bar.close()
    err = capsys.readouterr().err
    assert err.startswith("\r4/10 done · 3 running · 2 failed · 2.0 tasks/s · ETA 2 s") and err.endswith("\n")


def test_figures_are_chosen_from_what_varies(tmp_path):
    text = """\
scenario: india_to_australia
messages: 2000
grid:
  urns.india.green: [5, 13, 40]
"""
    sweep = load_sweep(write(tmp_path, text, "boxes.yaml"))
    assert run_sweep(sweep, tmp_path / "out", workers=1, say=lambda s: None).complete
    names = sorted(os.listdir(tmp_path / "out" / "boxes"))
    # L and H move with the box: against the varied count and against H; no queue, so no waits figure.
    assert names == [
        "bits-vs-entropy.png", "bits-vs-urns-india-green.png", "points.csv", "report.html", "sweep.json",
        "z-scores.png",
    ]  # fmt: skip
    table = rows(tmp_path / "out" / "boxes")
    huffman = [r for r in table if r["link"] == "india-huffman"]
    for r in huffman:  # Huffman's code for each box lands in its band
        assert float(r["entropy"]) <= float(r["expected_length"]) < float(r["entropy"]) + 1
    assert len({r["entropy"] for r in huffman}) == 3


# -- writing through the one safe writer (sim.publish.output.Folder) --------------------------------

TINY = """\
name: tiny
scenario: busy_telegraph_office
messages: 300
replications: 1
seed: {seed}
grid:
  links[*].arrivals.rate: [2]
"""


def _tiny(tmp_path: Path, seed: int, **kw):
    sweep = load_sweep(write(tmp_path, TINY.format(seed=seed), "tiny.yaml"))
    return run_sweep(sweep, tmp_path / "out", workers=1, say=lambda s: None, figures=False, **kw)


def test_a_sweep_writes_every_file_through_the_safe_writer_and_replaces_only_its_own(tmp_path, monkeypatch):
    from sim.publish import output

    written: list[str] = []
    real = output.Folder._put
    monkeypatch.setattr(
        output.Folder, "_put", lambda self, name, data: (written.append(name), real(self, name, data))[1]
    )
    assert _tiny(tmp_path, 1).complete
    folder = tmp_path / "out" / "tiny"
    assert sorted(os.listdir(folder)) == ["points.csv", "sweep.json"]
    assert set(written) == {"points.csv", "sweep.json"}  # every file went through Folder._put
    # A changed sweep replaces the old result (one rename-exchange), leaving nothing hidden behind.
    assert _tiny(tmp_path, 2).complete
    assert json.loads((folder / "sweep.json").read_text())["seed"] == 2
    assert sorted(os.listdir(tmp_path / "out")) == ["tiny"]
    # A file of the user's in the result: the next change is refused, and nothing is touched.
    (folder / "notes.txt").write_text("mine")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    with pytest.raises(SweepError, match="holds files telegraph did not write"):
        _tiny(tmp_path, 3)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_a_sweep_never_writes_or_reads_through_a_planted_symlink(tmp_path):
    from sim.publish.output import OutputError

    def broken(data, filename, seed):  # leaves the sweep unfinished: its partial folder stays
        raise RuntimeError("no")

    assert not _tiny(tmp_path, 1, task=broken).complete
    partial = tmp_path / "out" / ".tiny.partial"
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    os.symlink(victim, partial / "points.csv")  # written over: the link is replaced, not followed
    assert _tiny(tmp_path, 1).complete
    assert victim.read_text() == "keep me" and not os.path.islink(tmp_path / "out" / "tiny" / "points.csv")
    # A journal that is a symlink is refused (one line), and what it points to is untouched.
    assert not _tiny(tmp_path, 5, task=broken).complete
    journal = tmp_path / "out" / ".tiny.partial" / "journal.jsonl"
    journal.unlink()
    os.symlink(victim, journal)
    with pytest.raises(OutputError, match="is a symbolic link"):
        _tiny(tmp_path, 5)
    assert victim.read_text() == "keep me"


def test_a_sweep_is_on_the_disk_before_it_takes_its_name(tmp_path, monkeypatch):
    """points.csv, sweep.json and the folder are flushed (fsync) before the swap, the parent after."""
    from sim.publish import output
    from sim.sweep.runner import SPEC

    synced: list[str] = []
    real = os.fsync

    def fsync(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real(fd)

    monkeypatch.setattr(output.os, "fsync", fsync)
    tiny = SMALL.replace("messages: 3000", "messages: 200").replace("replications: 2", "replications: 1")
    outcome = run_sweep(load_sweep(write(tmp_path, tiny)), tmp_path / "out", workers=1, say=lambda s: None)
    assert outcome.complete
    done = tmp_path / "out" / "small"
    files = {p.name for p in done.iterdir()}
    assert {SPEC, "points.csv"} <= files
    flushed = [Path(p) for p in synced]
    assert {p.name for p in flushed if p.parent.name.startswith(".")} >= {SPEC, "points.csv"}
    assert flushed[-1] == tmp_path / "out"  # the parent last, once the sweep has its name
