"""Writing a results folder: all or nothing, and only over our own results.

Files go into a fresh hidden folder beside the target, which replaces the
target only when every file is written. An interrupted or failed run leaves
the previous result in place.

``telegraph run`` replaces ``OUT/<name>`` only when it can prove the folder
is a telegraph result (:func:`is_ours`): it holds the marker file
``.telegraph-results`` (a small JSON manifest of the files telegraph wrote
there) and nothing else but those files. Anything else at that path (a
folder of the user's, a file, a symbolic link, a folder we cannot write) is
refused with a one-line :class:`OutputError` naming the path, before any
simulation and before anything is touched.

Folders written before the marker existed are recognised by a stricter rule
(:func:`_is_legacy`): a real folder holding only regular files with the
names telegraph writes, among them a ``summary.json`` that parses as ours
and names the folder as its scenario.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from sim.results import RunResult, traces_to_csv

MARKER = ".telegraph-results"
"""The marker file in every results folder: a JSON manifest of what telegraph wrote there."""

FORMAT = 1
"""The marker's format version."""

MARKER_MAX_BYTES = 1 << 20
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)

_LEGACY_FILES = {
    *("summary.json", "trace.csv", "scenario.yaml", "explain.txt", "report.html", ".report.html.tmp")
}
_LEGACY_FIGURE = re.compile(r"(distributions|(convergence|code|budget|waits)-[A-Za-z0-9._-]+)\.(png|svg|pdf)")


class OutputError(ValueError):
    """A results folder that cannot be written or replaced: one line naming the path."""


# -- is it ours? ------------------------------------------------------------------------------------
def read_marker(folder: Path) -> dict | None:
    """The marker of ``folder`` as a dict, or None when it has no valid marker of ours."""
    try:
        fd = os.open(folder / MARKER, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | _CLOEXEC)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MARKER_MAX_BYTES:
            return None
        raw = os.read(fd, MARKER_MAX_BYTES + 1)
    finally:
        os.close(fd)
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):
        return None
    if not isinstance(doc, dict) or doc.get("telegraph_results") != FORMAT:
        return None
    files = doc.get("files")
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        return None
    return doc


def _entries(folder: Path) -> dict[str, os.stat_result] | None:
    """Every entry of ``folder`` with its lstat, or None when it cannot be listed."""
    try:
        with os.scandir(folder) as it:
            return {e.name: e.stat(follow_symlinks=False) for e in it}
    except OSError:
        return None


def _strangers(folder: Path, allowed: Callable[[str], bool]) -> list[str] | None:
    """Entries of ``folder`` that are not regular files with allowed names (None: unreadable)."""
    entries = _entries(folder)
    if entries is None:
        return None
    return sorted(n for n, st in entries.items() if not (stat.S_ISREG(st.st_mode) and allowed(n)))


def _is_legacy(folder: Path, name: str) -> bool:
    """A folder from before the marker: only our file names, and a summary.json of ours for ``name``."""
    strangers = _strangers(folder, lambda n: n in _LEGACY_FILES or bool(_LEGACY_FIGURE.fullmatch(n)))
    if strangers is None or strangers:
        return False
    summary = folder / "summary.json"
    try:
        if summary.lstat().st_size > 256 << 20:
            return False
        doc = json.loads(summary.read_bytes().decode("utf-8"))
    except (OSError, ValueError, RecursionError):
        return False
    return (
        isinstance(doc, dict)
        and doc.get("scenario") == name
        and isinstance(doc.get("links"), list)
        and "seed" in doc
    )


def _describe(path: Path) -> str | None:
    """Why ``path`` is not a telegraph results folder we may replace, or None when it is."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(info.st_mode):
        return "is a symbolic link, not a telegraph results folder"
    if not stat.S_ISDIR(info.st_mode):
        return f"is {_kind(info.st_mode)}, not a telegraph results folder"
    marker = read_marker(path)
    if marker is not None:
        files = set(marker["files"]) | {MARKER}
        strangers = _strangers(path, lambda n: n in files or bool(_TMP_FILE.fullmatch(n)))
        if strangers is None:
            return "cannot be read"
        if strangers:
            more = f" and {len(strangers) - 3} more" if len(strangers) > 3 else ""
            return (
                f"holds files telegraph did not write ({', '.join(strangers[:3])}{more}); move them out first"
            )
    elif not _is_legacy(path, path.name):
        return f"is a folder telegraph did not write (it has no {MARKER} marker)"
    if not os.access(path, os.W_OK | os.X_OK):
        return "is a telegraph results folder, but read-only"
    return None


_TMP_FILE = re.compile(r"\..+\.[0-9a-f]{8}\.tmp")


def _kind(mode: int) -> str:
    if stat.S_ISREG(mode):
        return "a file"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a folder"


def is_ours(path: Path) -> bool:
    """True when ``path`` is absent or a telegraph results folder that ``run`` may replace."""
    return _describe(Path(path)) is None


def check_target(out: Path, name: str) -> Path:
    """The results folder ``out/name``, after checking ``run`` may write it; else :class:`OutputError`.

    Checks, without touching anything: ``out`` (or its nearest existing
    ancestor) is a folder we can write, and ``out/name`` is absent or a
    telegraph results folder (:func:`is_ours`).
    """
    out = Path(out)
    folder = out / name
    probe = out
    while True:
        try:
            info = probe.stat()
            break
        except FileNotFoundError:
            if probe.parent == probe:
                raise OutputError(f"{out}: cannot be created (no such folder)") from None
            probe = probe.parent
        except NotADirectoryError:
            probe = probe.parent
        except OSError as exc:
            raise OutputError(f"{probe}: {exc.strerror or exc}") from None
    if not stat.S_ISDIR(info.st_mode):
        what = "the --out folder" if probe == out else f"a parent of the --out folder {out}"
        raise OutputError(f"{probe}: is {_kind(info.st_mode)}, but {what} must be a folder")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise OutputError(f"{probe}: permission denied (telegraph cannot write results here)")
    if len(os.fsencode(name)) > 255 - 32:
        raise OutputError(f"{folder}: the scenario name is too long for a folder name")
    why = _describe(folder) if probe == out else None
    if why is not None:
        raise OutputError(f"{folder}: {why}; telegraph replaces only its own results (choose another --out)")
    return folder


# -- writing ----------------------------------------------------------------------------------------
def write_results(
    result: RunResult,
    folder: Path,
    *,
    scenario_yaml: str,
    explain_text: str | None = None,
    extra: Callable[[Path], object] | None = None,
) -> Path:
    """Write ``summary.json``, ``trace.csv``, ``scenario.yaml`` (and ``extra``'s files) to ``folder``.

    Raises :class:`OutputError` when ``folder`` exists and is not a telegraph
    results folder (see :func:`check_target`); nothing is touched then.
    """
    folder = check_target(Path(folder).parent, Path(folder).name)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".partial", dir=folder.parent))
    try:
        written = ["summary.json", "trace.csv", "scenario.yaml"]
        (tmp / "summary.json").write_text(
            json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        (tmp / "trace.csv").write_text(traces_to_csv(result), encoding="utf-8")
        (tmp / "scenario.yaml").write_text(scenario_yaml, encoding="utf-8")
        if explain_text is not None:
            (tmp / "explain.txt").write_text(explain_text, encoding="utf-8")
            written.append("explain.txt")
        if extra is not None:
            extra(tmp)
        written = sorted(set(written) | {p.name for p in tmp.iterdir()})
        _write_marker(tmp, written, result.scenario)
        _swap_into_place(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return folder


def _marker_text(files: Iterable[str], scenario: str) -> str:
    doc = {"telegraph_results": FORMAT, "scenario": scenario, "files": sorted(set(files) - {MARKER})}
    return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"


def _write_marker(folder: Path, files: Iterable[str], scenario: str) -> None:
    (folder / MARKER).write_text(_marker_text(files, scenario), encoding="utf-8")


def _swap_into_place(tmp: Path, folder: Path) -> None:
    why = _describe(folder)
    if why is not None:  # changed while we simulated
        raise OutputError(f"{folder}: {why}; telegraph replaces only its own results (choose another --out)")
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
