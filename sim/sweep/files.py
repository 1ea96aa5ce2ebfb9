"""Every file a sweep writes goes through here: never through a symlink, never over a file we did not make.

The sweep writes only inside folders it made itself (``.<name>.partial``,
then renamed to ``<name>``). These few functions are the one place that
touches the file system for writing, so they can be switched to the
project's shared safe writer in one go.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import IO

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def make_folder(path: Path) -> None:
    """Create ``path`` (not its parents); it must not exist yet."""
    os.mkdir(path)


def is_real_folder(path: Path) -> bool:
    """``path`` is a folder and not a symlink to one."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except FileNotFoundError:
        return False


def write_new(path: Path, data: bytes | str) -> None:
    """Write a new file; fails if anything (a file, a symlink) is already at ``path``."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o644)
    with os.fdopen(fd, "wb") as f:
        f.write(raw)
        f.flush()
        os.fsync(f.fileno())


def replace_ours(path: Path, data: bytes | str) -> None:
    """Write ``path`` anew by renaming a new file over it (the old one must be a file we wrote)."""
    tmp = path.with_name(f".{path.name}.tmp")
    if os.path.lexists(tmp):
        os.unlink(tmp)
    write_new(tmp, data)
    os.replace(tmp, path)


def open_journal(path: Path) -> IO[bytes]:
    """Open the journal for appending (created if missing; a symlink is refused)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | _NOFOLLOW, 0o644)
    return os.fdopen(fd, "ab")


def append_lines(journal: IO[bytes], lines: list[str]) -> list[int]:
    """Append lines with one write and make them durable before returning; their byte offsets."""
    start = os.fstat(journal.fileno()).st_size
    raw = [line.encode("utf-8") + b"\n" for line in lines]
    offsets = []
    for chunk in raw:
        offsets.append(start)
        start += len(chunk)
    journal.write(b"".join(raw))
    journal.flush()
    os.fsync(journal.fileno())
    return offsets


def truncate(path: Path, size: int) -> None:
    """Cut the journal back to ``size`` bytes (drops a line torn by a crash)."""
    fd = os.open(path, os.O_WRONLY | _NOFOLLOW)
    try:
        os.ftruncate(fd, size)
    finally:
        os.close(fd)


def remove_ours(folder: Path, names: list[str]) -> None:
    """Remove the files ``names`` we wrote in ``folder``, then the folder if it is left empty."""
    for name in names:
        p = folder / name
        if os.path.lexists(p) and not stat.S_ISDIR(os.lstat(p).st_mode):
            os.unlink(p)
    try:
        os.rmdir(folder)
    except OSError:
        pass


def remove_file(path: Path) -> None:
    """Remove one file we wrote."""
    os.unlink(path)


def rename(src: Path, dst: Path) -> None:
    """Move a folder we made into place (``dst`` must not exist)."""
    if os.path.lexists(dst):
        raise FileExistsError(f"{dst} exists")
    os.rename(src, dst)
