"""The dependency rule: ``coding`` is pure (numpy and the standard library)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

FORBIDDEN = ("simpy", "yaml", "matplotlib", "bitarray", "sim")


def _modules_after(statement: str) -> set[str]:
    """Top-level module names loaded by a fresh interpreter running ``statement``."""
    code = (
        f"import sys, json\n{statement}\nprint(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        cwd=ROOT,
    )
    return set(json.loads(out.stdout))


def test_import_coding_loads_no_simulation_plotting_or_yaml():
    loaded = _modules_after("import coding; import coding.huffman, coding.builders")
    assert "coding" in loaded and "numpy" in loaded  # the check sees real imports
    assert not loaded & set(FORBIDDEN), sorted(loaded & set(FORBIDDEN))


@pytest.mark.parametrize("name", ["decimal", "csv"])
def test_the_check_would_notice_an_import(name):
    # Guard against a vacuous check: a module absent from a bare interpreter
    # shows up once the statement imports it.
    assert name not in _modules_after("pass")
    assert name in _modules_after(f"import {name}")
