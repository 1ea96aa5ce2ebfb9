"""The swap: whatever fails or arrives at any point, a complete result stays visible.

Failures and signals are injected in-process at each step of
``sim.publish.output.swap`` (``sim.publish.output._step``), with the rename-exchange and
with the two-rename fallback; SIGKILL needs a real process and is in
``test_signals.py``.
"""

from __future__ import annotations

import json
import os
import signal
import stat
from pathlib import Path

import pytest

from sim.cli import main
from sim.publish import output
from tests.sim.attacks.helpers import hidden

FAST = ["--messages", "300", "--no-plots", "--quiet"]
NAME = "india_to_australia"


def seed_of(folder: Path) -> int:
    """The seed of the complete result in ``folder`` (its marker says complete, its summary parses)."""
    marker = json.loads((folder / output.MARKER).read_text())
    assert marker["complete"] is True
    assert set(marker["files"]) == {p.name for p in folder.iterdir()} - {output.MARKER}
    return json.loads((folder / "summary.json").read_text())["seed"]


@pytest.fixture(params=["exchange", "fallback"])
def mode(request, monkeypatch):
    if request.param == "fallback":
        monkeypatch.setattr(output, "_RENAMEAT2", None)
    elif output._RENAMEAT2 is None:
        pytest.skip("no renameat2 on this system")
    return request.param


def test_this_system_swaps_by_rename_exchange():
    # the CI machine (Linux, ext4/tmpfs) has renameat2: the atomic path is the one tested first
    assert output._RENAMEAT2 is not None


@pytest.mark.parametrize("step", ["before-swap", "moved-aside", "swapped"])
@pytest.mark.parametrize("what", ["error", "SIGINT", "SIGTERM"])
def test_a_failure_or_signal_at_any_step_leaves_a_complete_result(
    capsys, tmp_path, monkeypatch, mode, step, what
):
    root = tmp_path / "out"
    assert main(["run", "--out", str(root), *FAST, "--seed", "1"]) == 0
    folder = root / NAME
    hit = []

    def inject(name: str) -> None:
        if name != step:
            return
        hit.append(name)
        if what == "error":
            raise OSError(28, "No space left on device")
        os.kill(os.getpid(), getattr(signal, what))

    monkeypatch.setattr(output, "_step", inject)
    code = main(["run", "--out", str(root), *FAST, "--seed", "2"])
    _, err = capsys.readouterr()
    if step == "moved-aside" and mode == "exchange":
        assert not hit and code == 0  # the exchange has no such step
        assert seed_of(folder) == 2
        return
    assert hit
    assert "Traceback" not in err and len(err.splitlines()) == 1
    held = step == "moved-aside" and what != "error"  # signals are held between the two renames
    if step == "swapped" or held:  # the new result is in place: a signal now says so
        assert seed_of(folder) == 2
        if what == "error":
            assert code == 2
        else:
            assert code == (130 if what == "SIGINT" else 143)
            assert "are complete" in err
    else:
        assert seed_of(folder) == 1
        assert code == {"error": 2, "SIGINT": 130, "SIGTERM": 143}[what]
        if what != "error":
            assert "no results were written" in err
    monkeypatch.undo()
    assert main(["run", "--out", str(root), *FAST, "--seed", "3"]) == 0
    assert seed_of(folder) == 3
    assert hidden(root) == []


def test_leftovers_of_a_killed_run_are_cleaned_by_the_next_run(capsys, tmp_path):
    root = tmp_path / "out"
    assert main(["run", "--out", str(root), *FAST, "--seed", "1"]) == 0
    # what SIGKILL leaves: a partial folder of ours (marker, incomplete) and an old one
    for suffix in ("0a1b2c3d.partial", "deadbeef.old"):
        left = root / f".{NAME}.{suffix}"
        left.mkdir()
        (left / output.MARKER).write_text(json.dumps({"telegraph_results": 1, "files": ["summary.json"]}))
        (left / "summary.json").write_text("{half")
        (left / ".summary.json.0123abcd.tmp").write_text("half")
    # not ours: a user's folder with a look-alike name, and a symlink to a victim
    (root / f".{NAME}.mine.old").mkdir()
    (root / f".{NAME}.mine.old" / "keep.txt").write_text("mine")
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "summary.json").write_text("{}")
    (root / f".{NAME}.link.partial").symlink_to(victim)
    assert main(["run", "--out", str(root), *FAST, "--seed", "2"]) == 0
    assert hidden(root) == [f".{NAME}.link.partial", f".{NAME}.mine.old"]
    assert (root / f".{NAME}.mine.old" / "keep.txt").read_text() == "mine"
    assert (victim / "summary.json").read_text() == "{}"


def test_a_partial_folder_in_use_by_another_run_is_not_cleaned(tmp_path):
    root = tmp_path / "out"
    root.mkdir()
    with output.Folder.open(root) as parent:
        busy = output.Folder.create_hidden(root, NAME, NAME)  # holds its lock, as a running run does
        try:
            assert output.clean_leftovers(parent, NAME) == []
            assert busy.path.is_dir()
        finally:
            busy.close()
        assert output.clean_leftovers(parent, NAME) == [busy.path.name]
    assert not busy.path.exists()


def test_results_folders_follow_the_umask(capsys, tmp_path):
    old = os.umask(0o022)
    try:
        assert main(["run", "--out", str(tmp_path), *FAST]) == 0
    finally:
        os.umask(old)
    folder = tmp_path / NAME
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755
    for p in folder.iterdir():
        assert stat.S_IMODE(p.stat().st_mode) == 0o644, p.name


def test_a_failed_rename_restores_the_old_result_in_the_fallback(capsys, tmp_path, monkeypatch):
    root = tmp_path / "out"
    assert main(["run", "--out", str(root), *FAST, "--seed", "1"]) == 0
    monkeypatch.setattr(output, "_RENAMEAT2", None)
    real = os.rename
    calls = []

    def second_rename_fails(src, dst, **kw):
        calls.append((src, dst))
        if len(calls) == 2:
            raise OSError(5, "Input/output error", dst)
        return real(src, dst, **kw)

    monkeypatch.setattr(output.os, "rename", second_rename_fails)
    assert main(["run", "--out", str(root), *FAST, "--seed", "2"]) == 2
    assert seed_of(root / NAME) == 1
    assert hidden(root) == []


def test_an_unmarked_hidden_folder_is_left_alone(tmp_path):
    # another run may have just made it and not yet locked and marked it
    root = tmp_path / "out"
    fresh = root / f".{NAME}.0a1b2c3d.partial"
    fresh.mkdir(parents=True)
    with output.Folder.open(root) as parent:
        assert output.clean_leftovers(parent, NAME) == []
    assert fresh.is_dir()


def test_every_file_is_on_the_disk_before_the_result_takes_its_name(tmp_path, monkeypatch, mode):
    """A power cut after `run` reports success must not leave empty files: each file, then the
    hidden folder, is flushed (fsync) before the swap, and the parent folder after it."""
    synced: list[str] = []
    real = os.fsync

    def fsync(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real(fd)

    def mark(name: str) -> None:
        synced.append(f"<{name}>")

    monkeypatch.setattr(output.os, "fsync", fsync)
    monkeypatch.setattr(output, "_step", mark)
    root = tmp_path / "out"
    assert main(["run", "--out", str(root), *FAST, "--seed", "3"]) == 0
    folder = root / NAME
    files = sorted(p.name for p in folder.iterdir())
    swap_at = synced.index("<before-swap>")
    before = [Path(p) for p in synced[:swap_at]]
    assert sorted(p.name for p in before[:-1]) == files  # every file, the marker included
    assert before[-1].name.startswith(".") and before[-1].name.endswith(".partial")  # then the folder
    assert all(p.parent == before[-1] for p in before[:-1])
    assert synced[swap_at + 1 :].count(str(root)) == 1  # the parent, once the new name is in place
    assert synced.index(str(root)) < synced.index("<swapped>")
