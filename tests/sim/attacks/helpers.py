"""Shared checks of the attack tests: what a folder holds, and a refusal in one line."""

from __future__ import annotations

import os
from pathlib import Path

from sim.cli import main


def snapshot(root: Path) -> dict[str, object]:
    """Every path under ``root`` (symlinks not followed) with its content, link target or mode."""
    out: dict[str, object] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            rel = str(p.relative_to(root))
            if p.is_symlink():
                out[rel] = ("link", os.readlink(p))
            elif p.is_dir():
                out[rel] = ("dir", p.stat().st_mode & 0o777)
            elif p.is_file():
                out[rel] = ("file", p.read_bytes())
            else:
                out[rel] = ("other",)
    return out


def refused(capsys, argv: list[str], *, naming: str) -> str:
    """``main(argv)`` exits 2 with one line that names ``naming``; returns that line."""
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 2, (out, err)
    assert "Traceback" not in out + err
    lines = err.splitlines()
    assert len(lines) == 1, lines
    assert naming in lines[0], lines[0]
    return lines[0]


def hidden(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith("."))
