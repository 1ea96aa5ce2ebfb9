"""The rough edges a newcomer hits on the command line (issue 15): each one, with the test that catches it."""

from __future__ import annotations

import io
import json
import os
import re
from pathlib import Path

import pytest

from sim import cli
from sim.engine import kernels
from tests.sim.test_progress import _Clock

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("text", "value"), [("1e3", 1000), ("1_000", 1000), ("1.5e3", 1500), ("1E3", 1000)])
def test_messages_accepts_scientific_and_underscored_whole_numbers(tmp_path, capsys, text, value):
    assert cli.main(["run", "--messages", text, "--out", str(tmp_path), "--no-plots", "--quiet"]) == 0
    summary = json.loads((tmp_path / "india_to_australia" / "summary.json").read_text())
    assert summary["messages"] == value


@pytest.mark.parametrize("text", ["1.5", "1e-3", "0", "-1e3", "inf", "nan", "ten"])
def test_messages_refuses_what_is_not_a_positive_whole_number(tmp_path, capsys, text):
    assert cli.main(["run", "--messages", text, "--out", str(tmp_path), "--no-plots"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--messages" in err
    assert not (tmp_path / "india_to_australia").exists()


def test_version_prints_the_installed_version(capsys):
    from importlib.metadata import version

    with pytest.raises(SystemExit) as stop:
        cli.main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"telegraph {version('telegraph-sim')}"


def test_first_run_says_it_compiles_in_one_line(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(kernels, "needs_compiling", lambda: True)
    assert cli.main(["run", "--messages", "50", "--out", str(tmp_path), "--no-plots"]) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "compiling" in err
    monkeypatch.setattr(kernels, "needs_compiling", lambda: False)
    assert cli.main(["run", "--messages", "50", "--out", str(tmp_path / "b"), "--no-plots"]) == 0
    assert capsys.readouterr().err == ""


def test_needs_compiling_reads_numbas_cache_index(monkeypatch):
    monkeypatch.setattr(os.path, "exists", lambda p: False)
    assert kernels.needs_compiling() is True
    monkeypatch.setattr(os.path, "exists", lambda p: True)
    assert kernels.needs_compiling() is False


def _bar(monkeypatch, total: int) -> tuple[cli._Progress, _Clock, io.StringIO]:
    """A progress bar on a fake clock, drawing into a string."""
    clock = _Clock()
    monkeypatch.setattr(cli.time, "perf_counter", clock)
    err = io.StringIO()
    monkeypatch.setattr(cli.sys, "stderr", err)
    return cli._Progress(total=total), clock, err


def test_progress_bar_redraws_at_most_ten_times_a_second_with_eta(monkeypatch):
    bar, clock, err = _bar(monkeypatch, 100_000)
    clock.now = 2.0
    for _ in range(300):  # 300 chunks arriving within one 0.1 s window: one redraw
        bar(10)
        clock.now += 0.0003
    assert err.getvalue().count("\r") == 1
    clock.now = 2.5
    bar(10)
    assert err.getvalue().count("\r") == 2
    last = err.getvalue().rsplit("\r", 1)[1]
    assert re.search(r"messages/s\s+ETA \d", last), last


def test_progress_bar_names_the_figure_phase_after_100_percent(monkeypatch):
    bar, clock, err = _bar(monkeypatch, 1000)
    clock.now = 2.0
    bar(1000)
    assert "100.0 %" in err.getvalue()
    bar.phase("drawing figures")
    assert err.getvalue().rsplit("\r", 1)[1].rstrip().endswith("drawing figures…")
    bar.close()
    assert err.getvalue().endswith("\n")


def test_run_shows_the_figure_phase_before_closing_the_bar(monkeypatch, tmp_path, capsys):
    events = []

    class Bar:
        def __init__(self, total):
            pass

        def __call__(self, n):
            pass

        def phase(self, what):
            events.append(what)

        def close(self):
            events.append("close")

    monkeypatch.setattr(cli, "_Progress", Bar)
    monkeypatch.setattr(cli.sys.stderr, "isatty", lambda: True, raising=False)
    assert cli.main(["run", "--messages", "200", "--out", str(tmp_path)]) == 0
    assert events == ["drawing figures", "close"]


def _bash_blocks(text: str) -> list[str]:
    return re.findall(r"```bash\n(.*?)```", text, flags=re.S)


def test_readme_activates_the_venv_before_it_types_telegraph():
    """The quick start must make `telegraph` a command before the tour uses it bare."""
    blocks = _bash_blocks((REPO / "README.md").read_text(encoding="utf-8"))
    activated = False
    for block in blocks:
        for line in block.splitlines():
            command = line.split("#", 1)[0]
            if re.search(r"(source|\.) \.venv/bin/activate", command):
                activated = True
            for part in re.split(r"&&|;|\|", command):
                if part.strip().startswith("telegraph"):
                    assert activated, f"README runs bare `telegraph` before activating the venv: {line!r}"
    assert activated


def _cells(line: str) -> list[str]:
    return re.split(r"\s{2,}", line.strip())


def test_the_run_table_adds_up_to_l_across_the_row(tmp_path, capsys):
    """L = H(q) + D(q‖r) − log2 K, column by column, so the −log2 K bits no longer come from nowhere."""
    english = str(REPO / "docs" / "lessons" / "english.yaml")
    assert cli.main(["run", english, "--messages", "500", "--out", str(tmp_path), "--no-plots"]) == 0
    lines = capsys.readouterr().out.splitlines()
    header = _cells(next(ln for ln in lines if ln.startswith("link") and "D(q‖r)" in ln))
    row = dict(zip(header, _cells(next(ln for ln in lines if ln.startswith("english-fixed ")))))
    value = {k: float(v.replace("−", "-")) for k, v in row.items() if k in ("L", "H(q)", "D(q‖r)", "−log2 K")}
    assert value["−log2 K"] > 0.29  # 26 letters in 5 bits: K = 26/32
    assert abs(value["H(q)"] + value["D(q‖r)"] + value["−log2 K"] - value["L"]) < 2e-4


def test_the_identity_is_written_with_the_same_signs_everywhere(tmp_path, capsys):
    english = str(REPO / "docs" / "lessons" / "english.yaml")
    assert cli.main(["run", english, "--messages", "500", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    folder = tmp_path / "english"
    texts = {
        "run": out,
        "explain": (folder / "explain.txt").read_text(encoding="utf-8"),
        "report": (folder / "report.html").read_text(encoding="utf-8"),
    }
    for where, text in texts.items():
        assert re.search(r"− \(−0\.299[56]\d*\)", text), where  # a negative log2 K after a minus, bracketed
        assert not re.search(r"[−+-] -\d", text), where  # never "− -0.4150"
        assert "+ 0.2996" not in text, where  # and never flipped in one place only
