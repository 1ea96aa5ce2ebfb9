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

import contextlib
import errno
import hashlib
import json
import os
import re
import secrets
import signal
import stat
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO

from sim.model.results import RunResult, traces_to_csv

MARKER = ".telegraph-results"
"""The marker file in every results folder: a JSON manifest of what telegraph wrote there."""

FORMAT = 1
"""The marker's format version."""

MARKER_MAX_BYTES = 1 << 20
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | _CLOEXEC

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


def _legacy_name(n: str) -> bool:
    return n in _LEGACY_FILES or bool(_LEGACY_FIGURE.fullmatch(n))


def _is_legacy(folder: Path, scenario: str | None) -> bool:
    """A folder from before the marker: only our file names, and a summary.json of ours.

    ``scenario``, when given, must be the scenario the summary names.
    """
    strangers = _strangers(folder, _legacy_name)
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
        and isinstance(doc.get("scenario"), str)
        and (scenario is None or doc["scenario"] == scenario)
        and isinstance(doc.get("links"), list)
        and "seed" in doc
    )


def _ours_rule(folder: Path, scenario: str | None) -> Callable[[str], bool] | None:
    """The names in ``folder`` telegraph wrote, when the whole folder is provably ours; else None."""
    marker = read_marker(folder)
    if marker is not None:
        allowed = _listed(marker)
        return allowed if _strangers(folder, allowed) == [] else None
    return _legacy_name if _is_legacy(folder, scenario) else None


def _listed(marker: dict) -> Callable[[str], bool]:
    """Is a name one a folder with this marker may hold: listed, the marker, or our temporary file?"""
    files = set(marker["files"]) | {MARKER}
    return lambda n: n in files or bool(_TMP_FILE.fullmatch(n))


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
        strangers = _strangers(path, _listed(marker))
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
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a folder"


def is_real_folder(path: Path) -> bool:
    """``path`` is a folder and not a symbolic link to one."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except FileNotFoundError:
        return False


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
    if len(os.fsencode(name)) > 255:
        raise OutputError(f"{folder}: the scenario name is too long for a folder name")
    why = _describe(folder) if probe == out else None
    if why is not None:
        raise OutputError(f"{folder}: {why}; telegraph replaces only its own results (choose another --out)")
    return folder


# -- the one way to write a file in a results folder ----------------------------------------------
_PLAIN_NAME = re.compile(r"[^/\x00]+")


class Folder:
    """An open folder; every file goes in through :meth:`write`, which never follows a symlink.

    The folder is opened once (``O_DIRECTORY``) and every file is created
    relative to that handle with ``O_CREAT | O_EXCL | O_NOFOLLOW`` under a
    fresh hidden name, then renamed over its final name. A symbolic link
    planted at the final or a temporary name is replaced or avoided, never
    written through. When the folder has a marker, each new file name is
    added to the marker's manifest before the file is created, so the
    manifest always covers what is there.
    """

    def __init__(self, path: Path, fd: int, manifest: set[str] | None, scenario: str = "") -> None:
        self.path, self.fd, self.manifest, self.scenario = Path(path), fd, manifest, scenario
        self.complete = False
        self.swapped = False  # set once a hidden folder has been put in place

    @classmethod
    def open(cls, path: Path | str, *, create: bool = False, nofollow: bool = False) -> Folder:
        """Open an existing folder (``create``: make it, and its parents, when missing).

        With ``nofollow`` a symbolic link at ``path`` itself is refused (an :class:`OutputError`).
        """
        path = Path(path)
        if create:
            try:
                path.mkdir(parents=True, exist_ok=True)
            except FileExistsError:  # not "File exists": say what is in the way
                raise OutputError(f"{path}: is {_kind(path.stat().st_mode)}, not a folder") from None
        try:
            fd = os.open(path, _DIR_FLAGS if nofollow else os.O_RDONLY | os.O_DIRECTORY | _CLOEXEC)
        except FileNotFoundError:
            raise OutputError(f"{path}: no such folder") from None
        except (NotADirectoryError, OSError) as exc:
            if not isinstance(exc, NotADirectoryError) and exc.errno != errno.ELOOP:
                raise
            raise OutputError(f"{path}: is {_kind(path.lstat().st_mode)}, not a folder") from None
        marker = read_marker(path)
        manifest = set(marker["files"]) if marker is not None else None
        return cls(path, fd, manifest, marker.get("scenario", "") if marker is not None else "")

    def make(self, name: str) -> Folder:
        """Create the new folder ``name`` in this one (it must not exist) and open it, unmarked.

        Whoever writes in it keeps its own record of what it wrote (a sweep: its ``sweep.json``).
        """
        os.mkdir(name, 0o777, dir_fd=self.fd)  # FileExistsError if anything is there, a symlink too
        fd = os.open(name, _DIR_FLAGS, dir_fd=self.fd)
        return Folder(self.path / name, fd, None)

    @classmethod
    def create_hidden(cls, parent: Path, name: str, scenario: str) -> Folder:
        """A fresh folder ``.NAME.<random>.partial`` in ``parent``, locked and marked as ours."""
        for _ in range(100):
            path = parent / f".{_hidden_stem(name)}.{secrets.token_hex(4)}.partial"
            try:
                os.mkdir(path, 0o777)  # the umask decides who may read the results
            except FileExistsError:
                continue
            break
        else:  # pragma: no cover
            raise OutputError(f"{parent}: cannot create a temporary folder")
        fd = os.open(path, _DIR_FLAGS)
        folder = cls(path, fd, set(), scenario)
        try:
            _lock(fd)  # held until we close: the next run's clean-up skips a folder in use
            folder.write(MARKER, folder.marker_text())
        except BaseException:
            folder.close()
            with contextlib.suppress(OSError):
                os.rmdir(path)
            raise
        return folder

    def marker_text(self) -> str:
        doc = {
            "telegraph_results": FORMAT,
            "scenario": self.scenario,
            "complete": self.complete,
            "files": sorted((self.manifest or set()) - {MARKER}),
        }
        return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"

    def write(self, name: str, data: str | bytes) -> Path:
        """Write ``data`` to the file ``name`` in this folder, atomically, never through a symlink."""
        if not _PLAIN_NAME.fullmatch(name) or name in (".", ".."):
            raise ValueError(f"'name' must be a plain file name (got {name!r})")
        if self.manifest is not None and name != MARKER and name not in self.manifest:
            self.manifest.add(name)
            self._put(MARKER, self.marker_text().encode("utf-8"))
        self._put(name, data.encode("utf-8") if isinstance(data, str) else data)
        return self.path / name

    def finish(self) -> None:
        """Mark the folder complete (the marker is rewritten last) and put it on the disk.

        Every file it lists, then the folder itself, is flushed to the disk (fsync) before the
        folder trades places with the old result, so a power cut after that cannot leave a
        result whose files are empty or missing (:func:`swap` flushes the parent after).
        """
        self.complete = True
        if self.manifest is not None:
            self._put(MARKER, self.marker_text().encode("utf-8"))
        self.sync(self.manifest | {MARKER} if self.manifest is not None else ())

    def sync(self, names: Iterable[str]) -> None:
        """Flush the files ``names`` of this folder, then the folder itself, to the disk (fsync)."""
        for name in sorted(names):
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | _CLOEXEC, dir_fd=self.fd)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        os.fsync(self.fd)

    def _put(self, name: str, data: bytes) -> None:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | _CLOEXEC
        while True:
            tmp = f".{name[:200].lstrip('.')}.{secrets.token_hex(4)}.tmp"
            try:
                fd = os.open(tmp, flags, 0o666, dir_fd=self.fd)
                break
            except FileExistsError:
                continue
            except OSError as exc:
                raise OSError(exc.errno, exc.strerror, str(self.path / name)) from None
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, name, src_dir_fd=self.fd, dst_dir_fd=self.fd)
        except BaseException as exc:
            with contextlib.suppress(OSError):
                os.unlink(tmp, dir_fd=self.fd)
            if isinstance(exc, OSError):
                raise OSError(exc.errno, exc.strerror, str(self.path / name)) from None
            raise

    def read(self, name: str, limit: int) -> bytes | None:
        """The bytes of the regular file ``name`` (None when absent).

        Refuses a symbolic link, a pipe or device, and a file over ``limit`` bytes.
        """
        f = self.open_read(name)
        if f is None:
            return None
        with f:
            size = os.fstat(f.fileno()).st_size
            if size > limit:
                raise OutputError(
                    f"{self.path / name}: is {_size(size)}, more than telegraph reads (limit {_size(limit)})"
                )
            data = f.read(limit + 1)
        if len(data) > limit:  # grew while we read
            raise OutputError(f"{self.path / name}: is more than telegraph reads (limit {_size(limit)})")
        return data

    def open_read(self, name: str) -> IO[bytes] | None:
        """The regular file ``name`` open for reading (None when absent); never a symlink, pipe or device."""
        try:
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | _CLOEXEC, dir_fd=self.fd)
        except FileNotFoundError:
            return None
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise OutputError(f"{self.path / name}: is a symbolic link (telegraph reads none)") from None
            raise OSError(exc.errno, exc.strerror, str(self.path / name)) from None
        f = os.fdopen(fd, "rb")
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            f.close()
            raise OutputError(f"{self.path / name}: is {_kind(info.st_mode)}, not a file")
        return f

    def append(self, name: str) -> IO[bytes]:
        """The file ``name`` open for appending (created when missing; a symlink there is refused)."""
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW | _CLOEXEC
        try:
            fd = os.open(name, flags, 0o666, dir_fd=self.fd)
        except OSError as exc:
            raise OSError(exc.errno, exc.strerror, str(self.path / name)) from None
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise OutputError(f"{self.path / name}: is not a file")
        return os.fdopen(fd, "ab")

    def truncate(self, name: str, size: int) -> None:
        """Cut the file ``name`` back to ``size`` bytes (never through a symlink)."""
        fd = os.open(name, os.O_WRONLY | os.O_NOFOLLOW | _CLOEXEC, dir_fd=self.fd)
        try:
            os.ftruncate(fd, size)
        finally:
            os.close(fd)

    def remove(self, name: str) -> None:
        """Remove the file ``name`` we wrote in this folder (a symlink there is removed, not followed)."""
        os.unlink(name, dir_fd=self.fd)

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def __enter__(self) -> Folder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextlib.contextmanager
def opened(target: Path | str | Folder, *, create: bool = True) -> Iterator[Folder]:
    """``target`` as an open :class:`Folder` (a Folder passes through and stays open)."""
    if isinstance(target, Folder):
        yield target
        return
    folder = Folder.open(target, create=create)
    try:
        yield folder
    finally:
        folder.close()


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n:,} bytes"


def _hidden_stem(name: str) -> str:
    """``name``, shortened with a hash when long, for the hidden folders beside it."""
    if len(name) <= 100:
        return name
    return f"{name[:64]}-{hashlib.sha256(name.encode('utf-8')).hexdigest()[:12]}"


def _lock(fd: int, *, wait: bool = True) -> bool:
    """An exclusive advisory lock on an open folder (released when the process ends, even by SIGKILL)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no locks, no clean-up of others' folders
        return wait
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except OSError:
        return False
    return True


# -- the swap ---------------------------------------------------------------------------------------
RENAME_NOREPLACE, RENAME_EXCHANGE = 1, 2


def _renameat2_function() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return None
    fn.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint)
    fn.restype = ctypes.c_int
    return fn


_RENAMEAT2 = _renameat2_function()


def _renameat2(dir_fd: int, old: str, new: str, flags: int) -> bool:
    """renameat2(2) within one folder; False when the system or file system lacks it."""
    if _RENAMEAT2 is None:
        return False
    import ctypes

    if _RENAMEAT2(dir_fd, os.fsencode(old), dir_fd, os.fsencode(new), flags) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), new)


def _step(name: str) -> None:
    """A point in the swap; tests replace this to inject failures and signals."""


class InterruptedAfterWrite(KeyboardInterrupt):
    """A signal arrived once the new results were in place: they are complete."""

    def __init__(self, folder: Path) -> None:
        super().__init__(str(folder))
        self.folder = folder


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM for the few system calls of the swap, then deliver them."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []
    held = (signal.SIGINT, signal.SIGTERM)
    previous = {s: signal.signal(s, lambda signum, _frame: pending.append(signum)) for s in held}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler if handler is not None else signal.SIG_DFL)
        if pending:
            signal.raise_signal(pending[0])


def swap(
    parent: Folder,
    partial: Folder,
    name: str,
    *,
    refuse: Callable[[Path], str | None] | None = None,
    allowed: Callable[[str], bool] | None = None,
) -> None:
    """Put ``partial`` at ``name``: one rename-exchange where the system has it.

    With renameat2(RENAME_EXCHANGE) (Linux 3.15+, most local file systems)
    the old and new folders trade names in one atomic step: ``name`` always
    holds a complete result. Elsewhere the old folder is renamed aside and
    the new one into place, with SIGINT and SIGTERM held between the two
    renames; only a SIGKILL or power loss in that instant leaves the old
    result under its hidden ``.old`` name (the next run cleans it up).

    ``refuse(target)`` says why the folder at ``name`` may not be replaced (None: it may; by
    default :func:`_describe`, a run's results folder); ``allowed`` names the files of the old
    folder that are ours to remove (by default its marker's, see :func:`remove_ours`).
    """
    target = parent.path / name
    why = (refuse or _describe)(target)
    if why is not None:  # it changed while we simulated
        raise OutputError(f"{target}: {why}; telegraph replaces only its own results (choose another --out)")
    tmp = partial.path.name
    _step("before-swap")
    old: str | None = None
    try:
        with _signals_deferred():
            if not os.path.lexists(target):
                if not _renameat2(parent.fd, tmp, name, RENAME_NOREPLACE):
                    os.rename(tmp, name, src_dir_fd=parent.fd, dst_dir_fd=parent.fd)
            elif _renameat2(parent.fd, tmp, name, RENAME_EXCHANGE):
                old = tmp  # the previous result now sits at the temporary name
            else:
                old = f".{_hidden_stem(name)}.{secrets.token_hex(4)}.old"
                os.rename(name, old, src_dir_fd=parent.fd, dst_dir_fd=parent.fd)
                try:
                    _step("moved-aside")
                    os.rename(tmp, name, src_dir_fd=parent.fd, dst_dir_fd=parent.fd)
                except BaseException:
                    os.rename(old, name, src_dir_fd=parent.fd, dst_dir_fd=parent.fd)
                    raise
            partial.swapped = True
            partial.path = target
            os.fsync(parent.fd)  # the new name itself on the disk
            _step("swapped")
    except KeyboardInterrupt:
        if partial.swapped:
            raise InterruptedAfterWrite(target) from None
        raise
    finally:
        if partial.swapped and old is not None:
            remove_ours(parent, old, allowed=allowed)


def remove_ours(
    parent: Folder, name: str, *, made_here: bool = False, allowed: Callable[[str], bool] | None = None
) -> bool:
    """Remove the folder ``name`` of ``parent`` when it is provably ours; True when it is gone.

    Only the files its marker lists (or, for a folder from before the
    marker, the names telegraph writes) and our temporary files are
    unlinked, then the empty folder is removed: a file of anyone else's is
    never deleted, and the folder then stays. ``allowed``, when given, names
    the files that are ours instead (a sweep's folder lists them in its
    ``sweep.json``).
    """
    path = parent.path / name
    if allowed is None:
        allowed = _ours_rule(path, scenario=None)
    else:  # the files named ours, and the temporary files of an interrupted Folder.write
        named = allowed
        allowed = lambda n: named(n) or bool(_TMP_FILE.fullmatch(n))  # noqa: E731
    if allowed is None:
        if made_here:  # this process made it: an empty one (its marker never written) goes too
            with contextlib.suppress(OSError):
                os.rmdir(name, dir_fd=parent.fd)
                return True
        return False  # never an empty folder of another run's: it may be about to lock and mark it
    try:
        fd = os.open(name, _DIR_FLAGS, dir_fd=parent.fd)
    except OSError:
        return False
    try:
        with os.scandir(fd) as it:
            names = [e.name for e in it if not e.is_dir(follow_symlinks=False) and allowed(e.name)]
        for n in names:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(n, dir_fd=fd)
    finally:
        os.close(fd)
    try:
        os.rmdir(name, dir_fd=parent.fd)
    except OSError:
        return False
    return True


def clean_leftovers(parent: Folder, name: str) -> list[str]:
    """Remove the hidden ``.NAME.*.partial`` and ``.NAME.*.old`` folders an interrupted run left.

    Only folders proven ours (marker or old-style rule) and not in use by a
    running ``telegraph run`` (whose lock is held) are removed. Returns
    their names.
    """
    pattern = re.compile(rf"\.{re.escape(_hidden_stem(name))}\.[A-Za-z0-9_]+\.(partial|old)")
    removed = []
    for entry in os.scandir(parent.fd):
        if not pattern.fullmatch(entry.name) or not entry.is_dir(follow_symlinks=False):
            continue
        try:
            fd = os.open(entry.name, _DIR_FLAGS, dir_fd=parent.fd)
        except OSError:
            continue
        try:
            if not _lock(fd, wait=False):
                continue  # another run is writing it
            if remove_ours(parent, entry.name):
                removed.append(entry.name)
        finally:
            os.close(fd)
    return removed


# -- writing ----------------------------------------------------------------------------------------
def write_results(
    result: RunResult,
    folder: Path,
    *,
    scenario_yaml: str,
    explain_text: str | None = None,
    extra: Callable[[Folder], object] | None = None,
) -> Path:
    """Write ``summary.json``, ``trace.csv``, ``scenario.yaml`` (and ``extra``'s files) to ``folder``.

    The files go into a fresh hidden folder beside ``folder``, which then
    trades places with the previous result (see :func:`swap`). Raises
    :class:`OutputError` when ``folder`` exists and is not a telegraph
    results folder (see :func:`check_target`); nothing is touched then. A
    signal once the new result is in place raises
    :class:`InterruptedAfterWrite`.
    """
    folder = check_target(Path(folder).parent, Path(folder).name)
    with opened(folder.parent, create=True) as parent:
        clean_leftovers(parent, folder.name)
        partial = Folder.create_hidden(parent.path, folder.name, result.scenario)
        try:
            try:
                summary = result.to_json()
                partial.write("summary.json", summary)
                partial.write("trace.csv", traces_to_csv(result))
                partial.write("scenario.yaml", scenario_yaml)
                if explain_text is not None:
                    partial.write("explain.txt", explain_text)
                if extra is not None:
                    extra(partial)
                partial.finish()
            except BaseException:
                remove_ours(parent, partial.path.name, made_here=True)
                raise
            hidden = partial.path.name
            try:
                swap(parent, partial, folder.name)
            except BaseException:
                if not partial.swapped:
                    remove_ours(parent, hidden, made_here=True)
                raise
        finally:
            partial.close()
    return folder


SUMMARY_MAX_BYTES = 64 << 20
"""``telegraph plot`` reads a ``summary.json`` of at most this many bytes."""
TRACE_MAX_BYTES = 16 << 20
"""... and a ``trace.csv`` of at most this many (a run writes about 20 rows a decade per link)."""
EXPLAIN_MAX_BYTES = 16 << 20


def read_results(folder: Path | Folder) -> RunResult:
    """Read a results folder back (``summary.json`` and, when present, ``trace.csv``).

    Neither file may be a symbolic link, a pipe or larger than
    :data:`SUMMARY_MAX_BYTES` / :data:`TRACE_MAX_BYTES`. Raises
    ``ValueError`` with a one-line message naming the file when the folder
    holds no readable summary or either file breaks its schema.
    """
    from sim.model.results import SchemaError, traces_from_csv

    with opened(folder, create=False) as f:
        summary = f.path / "summary.json"
        raw = f.read("summary.json", SUMMARY_MAX_BYTES)
        if raw is None:
            raise OutputError(f"{f.path}: not a results folder (no summary.json)")
        try:
            doc = json.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as err:
            raise OutputError(f"{summary}: not valid JSON ({err})") from None
        except RecursionError:
            raise OutputError(f"{summary}: not a telegraph summary (nested too deeply)") from None
        trace_raw = f.read("trace.csv", TRACE_MAX_BYTES)
        try:
            traces = traces_from_csv(trace_raw.decode("utf-8")) if trace_raw is not None else {}
        except UnicodeDecodeError as err:
            raise OutputError(f"{f.path / 'trace.csv'}: not UTF-8 text ({err.reason})") from None
        except ValueError as err:
            raise OutputError(f"{f.path / 'trace.csv'}: {err}") from None
    try:
        return RunResult.from_dict(doc, traces)
    except SchemaError as err:
        raise OutputError(f"{summary}: {err}") from None
    except RecursionError:
        raise OutputError(f"{summary}: not a telegraph summary (nested too deeply)") from None
