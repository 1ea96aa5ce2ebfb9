"""The progress bar of `telegraph run`: stderr only, only on a terminal, only after a second."""

from __future__ import annotations

import io

from sim import cli


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_progress_bar_waits_a_second_then_draws_on_stderr(monkeypatch):
    clock = _Clock()
    monkeypatch.setattr(cli.time, "perf_counter", clock)
    err = io.StringIO()
    monkeypatch.setattr(cli.sys, "stderr", err)
    bar = cli._Progress(total=1000)
    bar(100)
    assert err.getvalue() == ""  # a quick run shows nothing
    clock.now = 2.0
    bar(400)
    assert "50.0 %" in err.getvalue() and "250 messages/s" in err.getvalue()
    bar.close()
    assert err.getvalue().endswith("\n")


def test_no_progress_bar_when_stderr_is_not_a_terminal(monkeypatch, tmp_path, capsys):
    made = []
    monkeypatch.setattr(cli, "_Progress", lambda total: made.append(total))
    assert cli.main(["run", "--messages", "500", "--out", str(tmp_path), "--no-plots"]) == 0
    assert made == []  # capsys's stderr is not a terminal
    assert capsys.readouterr().err == ""


def test_progress_bar_is_used_on_a_terminal(monkeypatch, tmp_path, capsys):
    made = []

    class Bar:
        def __init__(self, total):
            made.append(total)
            self.seen = 0

        def __call__(self, n):
            self.seen += n

        def close(self):
            made.append(self.seen)

    monkeypatch.setattr(cli, "_Progress", Bar)
    monkeypatch.setattr(cli.sys.stderr, "isatty", lambda: True, raising=False)
    assert cli.main(["run", "--messages", "500", "--out", str(tmp_path), "--no-plots"]) == 0
    assert made == [4 * 500, 4 * 500]  # four links, every message counted once
