"""Writing a results folder: all or nothing.

Files go into a temporary folder beside the target, which is renamed into
place only when every file is written. An interrupted or failed run leaves
no half folder, and the previous result stays until the new one is complete.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from sim.results import RunResult, traces_to_csv


def write_results(
    result: RunResult,
    folder: Path,
    *,
    scenario_yaml: str,
    explain_text: str | None = None,
    extra: Callable[[Path], object] | None = None,
) -> Path:
    """Write ``summary.json``, ``trace.csv``, ``scenario.yaml`` (and ``extra``'s files) to ``folder``."""
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".partial", dir=folder.parent))
    try:
        (tmp / "summary.json").write_text(
            json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        (tmp / "trace.csv").write_text(traces_to_csv(result), encoding="utf-8")
        (tmp / "scenario.yaml").write_text(scenario_yaml, encoding="utf-8")
        if explain_text is not None:
            (tmp / "explain.txt").write_text(explain_text, encoding="utf-8")
        if extra is not None:
            extra(tmp)
        _swap_into_place(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return folder


def _swap_into_place(tmp: Path, folder: Path) -> None:
    if not folder.exists():
        os.replace(tmp, folder)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".old", dir=folder.parent))
    os.rmdir(old)
    os.replace(folder, old)
    try:
        os.replace(tmp, folder)
    except BaseException:
        os.replace(old, folder)
        raise
    shutil.rmtree(old, ignore_errors=True)


def read_results(folder: Path) -> RunResult:
    """Read a results folder back (``summary.json`` and, when present, ``trace.csv``).

    Raises ``ValueError`` with a one-line message naming the file when the
    folder holds no readable summary.
    """
    from sim.results import traces_from_csv

    folder = Path(folder)
    summary = folder / "summary.json"
    if not summary.is_file():
        raise ValueError(f"{folder}: not a results folder (no summary.json)")
    try:
        doc = json.loads(summary.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ValueError(f"{summary}: not valid JSON ({err})") from None
    trace_file = folder / "trace.csv"
    traces = traces_from_csv(trace_file.read_text(encoding="utf-8")) if trace_file.is_file() else {}
    try:
        return RunResult.from_dict(doc, traces)
    except (KeyError, TypeError) as err:
        raise ValueError(f"{summary}: not a telegraph summary ({err!r})") from None
