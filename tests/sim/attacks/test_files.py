"""Hostile folders: ``telegraph run`` and ``plot`` never lose, overwrite or write through what is not theirs.

Every case runs in-process through ``sim.cli.main`` and asserts: exit 2, one
line on stderr naming the path, no traceback, nothing touched. Signal cases
live in ``test_signals.py``.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from sim.cli import main
from sim.publish import output
from tests.sim.attacks.helpers import hidden, refused, snapshot

SCENARIO = Path(__file__).resolve().parents[3] / "scenarios" / "india_to_australia.yaml"
FAST = ["--messages", "300", "--no-plots", "--quiet"]


# -- 1. run replaces only its own results ----------------------------------------------------------


def test_the_data_loss_reproducer_keeps_thesis_tex(capsys, tmp_path, monkeypatch):
    # mkdir -p p/docs && echo x > p/docs/thesis.tex && cp SCENARIO p/docs.yaml
    # telegraph run p/docs.yaml --out p
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p" / "docs").mkdir(parents=True)
    (tmp_path / "p" / "docs" / "thesis.tex").write_text("x\n")
    shutil.copy(SCENARIO, tmp_path / "p" / "docs.yaml")
    before = snapshot(tmp_path)

    def no_simulation(*_a, **_k):
        raise AssertionError("refused only after simulating")

    import sim.engine.simulation

    monkeypatch.setattr(sim.engine.simulation, "run", no_simulation)
    line = refused(capsys, ["run", "p/docs.yaml", "--out", "p", *FAST], naming="p/docs")
    assert "not write" in line
    assert (tmp_path / "p" / "docs" / "thesis.tex").read_text() == "x\n"
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(
    "kind", ["file", "symlink", "dangling-symlink", "fifo", "empty-folder", "user-folder"]
)
def test_anything_but_our_results_at_the_target_is_refused_untouched(capsys, tmp_path, kind):
    root = tmp_path / "out"
    root.mkdir()
    target = root / "india_to_australia"
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep.txt").write_text("mine")
    if kind == "file":
        target.write_text("a file of mine")
    elif kind == "symlink":
        target.symlink_to(victim)
    elif kind == "dangling-symlink":
        target.symlink_to(tmp_path / "nowhere")
    elif kind == "fifo":
        os.mkfifo(target)
    elif kind == "empty-folder":
        target.mkdir()
    else:
        target.mkdir()
        (target / "summary.json").write_text("{}")  # looks a bit like ours, but is not
        (target / "notes.txt").write_text("mine")
    before = snapshot(tmp_path)
    refused(capsys, ["run", "--out", str(root), *FAST], naming=str(target))
    assert snapshot(tmp_path) == before
    assert hidden(root) == []


def test_a_results_folder_with_a_file_of_the_users_is_refused(capsys, tmp_path):
    root = tmp_path / "out"
    assert main(["run", "--out", str(root), *FAST]) == 0
    folder = root / "india_to_australia"
    (folder / "my-notes.txt").write_text("mine")
    before = snapshot(tmp_path)
    capsys.readouterr()
    line = refused(capsys, ["run", "--out", str(root), *FAST, "--seed", "3"], naming=str(folder))
    assert "my-notes.txt" in line
    assert snapshot(tmp_path) == before


def test_every_results_folder_has_a_marker_listing_its_files(drawn):
    folder = drawn
    marker = json.loads((folder / output.MARKER).read_text())
    assert marker["telegraph_results"] == output.FORMAT
    on_disk = {p.name for p in folder.iterdir()} - {output.MARKER}
    assert set(marker["files"]) == on_disk
    assert {"summary.json", "trace.csv", "report.html", "code-india-huffman.png"} <= on_disk


def test_our_own_results_are_replaced(capsys, tmp_path):
    root = tmp_path / "out"
    assert main(["run", "--out", str(root), *FAST, "--seed", "1"]) == 0
    assert main(["run", "--out", str(root), *FAST, "--seed", "2"]) == 0
    doc = json.loads((root / "india_to_australia" / "summary.json").read_text())
    assert doc["seed"] == 2
    assert hidden(root) == []


@pytest.fixture
def legacy(tmp_path, drawn) -> Path:
    """A results folder (with figures) as telegraph wrote it before the marker existed."""
    folder = tmp_path / "out" / "india_to_australia"
    shutil.copytree(drawn, folder)
    (folder / output.MARKER).unlink()
    return folder


def test_a_results_folder_from_before_the_marker_is_replaced(capsys, legacy):
    folder = legacy
    assert main(["run", "--out", str(folder.parent), *FAST, "--seed", "9"]) == 0
    assert json.loads((folder / "summary.json").read_text())["seed"] == 9
    assert (folder / output.MARKER).is_file()


@pytest.mark.parametrize(
    "tamper",
    [
        lambda f: (f / "thesis.tex").write_text("mine"),
        lambda f: (f / "summary.json").write_text('{"scenario": "other", "seed": 1, "links": []}'),
        lambda f: (f / "summary.json").write_text("not json"),
        lambda f: (f / "summary.json").unlink(),
        lambda f: (f / "sub").mkdir(),
        lambda f: (f / "link.png").symlink_to(f / "summary.json"),
    ],
    ids=["extra-file", "other-scenario", "bad-json", "no-summary", "subfolder", "symlink"],
)
def test_a_folder_from_before_the_marker_must_hold_only_our_files(capsys, tmp_path, legacy, tamper):
    folder = legacy
    tamper(folder)
    before = snapshot(tmp_path)
    refused(capsys, ["run", "--out", str(folder.parent), *FAST], naming=str(folder))
    assert snapshot(tmp_path) == before


def test_a_read_only_results_folder_is_refused(capsys, tmp_path, monkeypatch):
    root = tmp_path / "out"
    assert main(["run", "--out", str(root), *FAST]) == 0
    folder = root / "india_to_australia"
    folder.chmod(0o555)
    try:
        if os.access(folder, os.W_OK):  # root: permissions are not enforced, so pretend they are
            real = os.access
            monkeypatch.setattr(output.os, "access", lambda p, m: Path(p) != folder and real(p, m))
        before = snapshot(tmp_path)
        capsys.readouterr()
        line = refused(capsys, ["run", "--out", str(root), *FAST], naming=str(folder))
        assert "read-only" in line
        assert snapshot(tmp_path) == before
    finally:
        folder.chmod(0o755)


@pytest.mark.parametrize("kind", ["file", "fifo", "devnull", "parent-file"])
def test_out_that_is_not_a_folder_is_refused_before_simulating(capsys, tmp_path, monkeypatch, kind):
    import sim.engine.simulation

    simulation = sim.engine.simulation
    monkeypatch.setattr(simulation, "run", lambda *a, **k: pytest.fail("simulated before refusing"))
    blocker = tmp_path / "blocker"
    if kind == "fifo":
        os.mkfifo(blocker)
    elif kind != "devnull":
        blocker.write_text("not a folder")
    out = {"devnull": "/dev/null", "parent-file": str(blocker / "sub")}.get(kind, str(blocker))
    before = snapshot(tmp_path)
    naming = "/dev/null" if kind == "devnull" else str(blocker)
    line = refused(capsys, ["run", "--out", out, *FAST], naming=naming)
    assert "folder" in line and "Traceback" not in line
    assert snapshot(tmp_path) == before


# -- 2. no write ever goes through a symlink ---------------------------------------------------------


@pytest.fixture(scope="module")
def drawn(tmp_path_factory) -> Path:
    """A small run with figures and report (copied by the tests that tamper with it)."""
    root = tmp_path_factory.mktemp("drawn")
    assert main(["run", "--out", str(root), "--messages", "300", "--quiet"]) == 0
    return root / "india_to_australia"


def test_plot_never_writes_through_a_planted_symlink(capsys, tmp_path, drawn):
    # ln -s ~/victim DIR/.report.html.tmp; telegraph plot DIR
    folder = tmp_path / "dir"
    shutil.copytree(drawn, folder)
    victims = {
        name: tmp_path / f"victim-{i}"
        for i, name in enumerate([".report.html.tmp", "report.html", "code-india-huffman.png", output.MARKER])
    }
    for name, victim in victims.items():
        victim.write_text("precious")
        (folder / name).unlink(missing_ok=True)
        (folder / name).symlink_to(victim)
    assert main(["plot", str(folder)]) == 0
    capsys.readouterr()
    for victim in victims.values():
        assert victim.read_text() == "precious"
    assert not (folder / "report.html").is_symlink()
    assert "<!DOCTYPE html>" in (folder / "report.html").read_text()
    assert not (folder / "code-india-huffman.png").is_symlink()


@pytest.mark.parametrize("name", ["summary.json", "trace.csv", "explain.txt"])
def test_plot_reads_no_symlink(capsys, tmp_path, drawn, name):
    folder = tmp_path / "dir"
    shutil.copytree(drawn, folder)
    secret = tmp_path / "secret"
    secret.write_text((folder / name).read_text())
    (folder / name).unlink()
    (folder / name).symlink_to(secret)
    before = snapshot(tmp_path)
    line = refused(capsys, ["plot", str(folder)], naming=str(folder / name))
    assert "symbolic link" in line
    assert snapshot(tmp_path) == before


def test_a_results_folder_is_written_through_one_function(capsys, tmp_path, monkeypatch):
    written: list[str] = []
    real = output.Folder._put

    def spy(self, name, data):
        written.append(name)
        return real(self, name, data)

    monkeypatch.setattr(output.Folder, "_put", spy)
    assert main(["run", "--out", str(tmp_path), "--messages", "300", "--quiet", "--no-plots"]) == 0
    folder = tmp_path / "india_to_australia"
    assert {p.name for p in folder.iterdir()} == set(written)
    written.clear()
    assert main(["plot", str(folder)]) == 0
    assert {p.name for p in folder.iterdir()} - {
        "summary.json",
        "trace.csv",
        "scenario.yaml",
        "explain.txt",
    } == set(written)
    assert "report.html" in written and "distributions.png" in written
    assert output.is_ours(folder)  # plot added its figures to the manifest: run may replace the folder


# -- 7. errors that name the file and say what is wrong -----------------------------------------------


@pytest.mark.parametrize("command", ["validate", "run", "explain"])
@pytest.mark.parametrize("kind", ["devnull", "fifo"])
def test_a_scenario_that_is_a_device_or_pipe_is_named_not_missing(capsys, tmp_path, command, kind):
    path = "/dev/null" if kind == "devnull" else str(tmp_path / "pipe.yaml")
    if kind == "fifo":
        os.mkfifo(path)
    line = refused(capsys, [command, path], naming=path)
    assert "not a regular file" in line and "no such file" not in line


def test_explain_plots_into_a_file_says_so(capsys, tmp_path):
    blocker = tmp_path / "figs"
    blocker.write_text("mine")
    line = refused(capsys, ["explain", "india_to_australia", "--plots", str(blocker)], naming=str(blocker))
    assert "is a file, not a folder" in line and "File exists" not in line
    assert blocker.read_text() == "mine"


def test_plot_of_a_missing_folder_says_so(capsys, tmp_path):
    line = refused(capsys, ["plot", str(tmp_path / "nowhere")], naming=str(tmp_path / "nowhere"))
    assert "no such folder" in line
