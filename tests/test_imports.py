"""The dependency rule: ``coding`` is pure (numpy and the standard library)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

FORBIDDEN = ("simpy", "yaml", "matplotlib", "bitarray", "sim")
# coding.losses computes the frameworks' losses without them.
FRAMEWORKS = ("torch", "keras", "tensorflow", "jax")


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


def test_coding_losses_loads_no_simulation_and_no_framework():
    loaded = _modules_after(
        "import coding.losses; from coding.losses import pytorch, keras, telegraph_bill\n"
        "pytorch.cross_entropy([[0.0, 1.0]], [1]); keras.KLDivergence()([[0.5, 0.5]], [[0.5, 0.5]])"
    )
    assert "coding" in loaded and "numpy" in loaded
    assert not loaded & set(FORBIDDEN + FRAMEWORKS), sorted(loaded & set(FORBIDDEN + FRAMEWORKS))


def test_every_coding_package_is_installed():
    # pyproject's explicit package list must name coding's subpackages, or an
    # installed (non-editable) copy would lack them.
    line = re.search(r"^packages = \[(.*)\]$", (ROOT / "pyproject.toml").read_text(), re.MULTILINE)
    assert line, "pyproject.toml lists no packages"
    listed = set(re.findall(r'"([^"]+)"', line.group(1)))
    inits = [p for top in ("coding", "sim") for p in (ROOT / top).rglob("__init__.py")]
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in inits}
    assert found <= listed, sorted(found - listed)


@pytest.mark.parametrize("name", ["decimal", "csv"])
def test_the_check_would_notice_an_import(name):
    # Guard against a vacuous check: a module absent from a bare interpreter
    # shows up once the statement imports it.
    assert name not in _modules_after("pass")
    assert name in _modules_after(f"import {name}")


def test_only_the_figure_modules_import_matplotlib_and_only_lazily():
    importers = sorted(
        path.relative_to(ROOT / "sim").as_posix()
        for path in (ROOT / "sim").rglob("*.py")
        if re.search(r"^\s*(import|from) matplotlib", path.read_text(encoding="utf-8"), re.M)
    )
    figures = re.compile(r"publish/(plots\w*|report)\.py|sweep/(figures|report)\.py")
    assert importers and all(figures.fullmatch(n) for n in importers), importers
    loaded = _modules_after(
        "import sim.publish.plots, sim.publish.plots_style, sim.publish.plots_run, "
        "sim.publish.plots_codes, sim.publish.report"
    )
    assert "sim" in loaded and "matplotlib" not in loaded


def test_the_model_and_its_kinds_load_no_engine():
    loaded = _modules_after(
        "import sim.model.records, sim.model.kinds, sim.model.limits, "
        "sim.publish.numbers, sim.scenario.loader"
    )
    assert "coding" in loaded
    assert not loaded & {"simpy", "numba", "matplotlib"}, sorted(loaded & {"simpy", "numba", "matplotlib"})


#: Which sub-packages of sim each may import: the folder tree is the data flow.
LAYERS = {
    "model": set(),
    "engine": {"model"},
    "scenario": {"model"},
    "publish": {"model"},
    "sweep": {"model", "engine", "scenario", "publish"},
}


@pytest.mark.parametrize("package", sorted(LAYERS))
def test_sub_packages_import_only_what_comes_before_them(package):
    allowed = LAYERS[package] | {package}
    found = {}
    for path in (ROOT / "sim" / package).glob("*.py"):
        for m in re.finditer(r"^\s*(?:from|import) sim\.(\w+)", path.read_text(encoding="utf-8"), re.M):
            found.setdefault(m.group(1), set()).add(path.name)
    # The documented exceptions, each a lazy import inside one method: an arrival kind's compiled
    # clock, loaded when a run starts; and a run result's Jupyter view (RunResult._repr_html_),
    # drawn by the report module only when a notebook displays the result.
    if package == "model" and found.get("engine") == {"kinds.py"}:
        del found["engine"]
    if package == "model" and found.get("publish") == {"results.py"}:
        del found["publish"]
    assert set(found) <= allowed, {k: v for k, v in found.items() if k not in allowed}
    assert found, "the check read nothing"
