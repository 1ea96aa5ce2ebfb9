"""The lesson notebooks run end to end (headless, with nbclient), so they cannot rot."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="the 'test' extra installs nbformat")
nbclient = pytest.importorskip("nbclient", reason="the 'test' extra installs nbclient")

LESSONS = Path(__file__).resolve().parents[1] / "docs" / "lessons"


def _generator():
    spec = importlib.util.spec_from_file_location("make_telegraph", LESSONS / "make_telegraph.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_notebook_is_what_its_generator_writes():
    on_disk = nbformat.read(LESSONS / "telegraph.ipynb", as_version=4)
    built = _generator().build()
    assert [c.source for c in on_disk.cells] == [c.source for c in built.cells]
    assert all(not c.get("outputs") for c in on_disk.cells if c.cell_type == "code")  # stored unexecuted


def test_the_telegraph_lesson_runs_headless_and_shows_its_tables_and_figures():
    nb = nbformat.read(LESSONS / "telegraph.ipynb", as_version=4)
    client = nbclient.NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(LESSONS)}},
    )
    client.execute()  # raises CellExecutionError, naming the cell, if any cell (or its asserts) fails
    html = [
        out["data"]["text/html"]
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if "text/html" in out.get("data", {})
    ]
    assert any("−log2 p(x)" in h for h in html)  # India's box as a table
    assert sum("<svg" in h and "codeword" in h for h in html) >= 2  # scheme 3 and Huffman, with trees
    assert any("bits/message" in h and "Convergence to theory" in h for h in html)  # the run
