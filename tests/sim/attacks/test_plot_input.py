"""``telegraph plot`` on tampered folders: schema errors in one line, bounded reads, bounded figures."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from pathlib import Path

import pytest

from sim.cli import main
from sim.publish import output, plots
from tests.sim.attacks.helpers import refused, snapshot


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("base")
    assert main(["run", "--out", str(root), "--messages", "300", "--quiet", "--no-plots"]) == 0
    return root / "india_to_australia"


def _copy(base: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "dir"
    shutil.copytree(base, folder)
    return folder


def _edit(folder: Path, change) -> None:
    doc = json.loads((folder / "summary.json").read_text())
    change(doc)
    (folder / "summary.json").write_text(json.dumps(doc))


SUMMARY_CASES = {
    "entropy-text": (lambda d: d["links"][0]["theory"].update(entropy="abc"), "links[0].theory.entropy"),
    "bits-float": (lambda d: d["links"][1].update(bits=1.5), "links[1].bits: must be a whole number"),
    "lossless-int": (lambda d: d["links"][0].update(lossless=1), "links[0].lossless: must be true or false"),
    "links-dict": (lambda d: d.update(links={}), "links: must be a list"),
    "no-name": (lambda d: d["links"][0].pop("name"), "links[0].name: missing"),
    "codeword-int": (
        lambda d: d["links"][0]["codewords"].update(blue=10),
        "links[0].codewords['blue']: must be text",
    ),
    "checks-str": (lambda d: d["links"][0].update(checks="ok"), "links[0].checks: must be a list"),
    "histogram-mismatch": (
        lambda d: d["links"][0]["line"].update(wait_hist_edges=[0.0, 1.0, 2.0], wait_hist_counts=[1]),
        "one more entry",
    ),
    "histogram-text": (
        lambda d: d["links"][0]["line"].update(wait_hist_counts=[1, "x"]),
        "wait_hist_counts[1]: must be a whole number",
    ),
    "top-list": (lambda d: d.clear(), "scenario: missing"),
}


@pytest.mark.parametrize("case", list(SUMMARY_CASES))
def test_a_summary_that_breaks_the_schema_is_one_line_naming_the_field(capsys, tmp_path, base, case):
    change, needle = SUMMARY_CASES[case]
    folder = _copy(base, tmp_path)
    _edit(folder, change)
    before = snapshot(tmp_path)
    line = refused(capsys, ["plot", str(folder)], naming=str(folder / "summary.json"))
    assert needle in line
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("link,messages,running_mean,std_error\nindia-huffman,1\n", "line 2: must have 4 fields (got 2)"),
        ("link,messages,running_mean,std_error\nindia-huffman,x,1,0\n", "line 2"),
        ("link,messages,running_mean,std_error\na,5,1,0\na,3,1,0\n", "line 3: messages must be positive"),
        ("messages,link\n", "line 1: must be the header"),
        (b"\xff\xfe", "not UTF-8"),
    ],
)
def test_a_broken_trace_is_one_line_naming_the_line(capsys, tmp_path, base, content, needle):
    folder = _copy(base, tmp_path)
    path = folder / "trace.csv"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    before = snapshot(tmp_path)
    line = refused(capsys, ["plot", str(folder)], naming=str(path))
    assert needle in line
    assert snapshot(tmp_path) == before


def test_json_nested_100000_deep_is_one_line(capsys, tmp_path, base):
    folder = _copy(base, tmp_path)
    (folder / "summary.json").write_text("[" * 100_000 + "]" * 100_000)
    line = refused(capsys, ["plot", str(folder)], naming=str(folder / "summary.json"))
    assert "nested too deeply" in line


@pytest.mark.parametrize(
    ("name", "limit"), [("summary.json", output.SUMMARY_MAX_BYTES), ("trace.csv", output.TRACE_MAX_BYTES)]
)
def test_huge_files_are_refused_by_size_without_reading_them(capsys, tmp_path, base, name, limit):
    folder = _copy(base, tmp_path)
    with open(folder / name, "r+b") as f:
        f.truncate(limit + 1)  # sparse: no disk used, and never read
    line = refused(capsys, ["plot", str(folder)], naming=str(folder / name))
    assert "more than telegraph reads" in line


def test_a_named_pipe_for_a_summary_does_not_hang(capsys, tmp_path, base):
    folder = _copy(base, tmp_path)
    (folder / "summary.json").unlink()
    os.mkfifo(folder / "summary.json")
    line = refused(capsys, ["plot", str(folder)], naming=str(folder / "summary.json"))
    assert "named pipe" in line


@pytest.mark.parametrize("target", ["/dev/null", "file"])
def test_plot_of_something_that_is_not_a_folder(capsys, tmp_path, target):
    if target == "file":
        target = str(tmp_path / "f")
        Path(target).write_text("x")
    line = refused(capsys, ["plot", target], naming=target)
    assert "not a folder" in line


# -- figure cost is bounded in alphabet size, codeword length and histogram bins ----------------------


@pytest.fixture(scope="module")
def result(base):
    return output.read_results(base)


def _titles(fig) -> str:
    return " ".join(t.get_text() for ax in fig.axes for t in (ax.title,)) + (
        fig._suptitle.get_text() if fig._suptitle else ""
    )


def test_a_code_too_large_for_a_tree_is_drawn_as_its_length_histogram():
    words = {f"c{i}": format(i, "012b") for i in range(3000)}
    words["deep"] = "1" * 2000  # not prefix-free, not drawable as a tree either
    fig = plots._code_figure(words, "big", {})
    assert "too large for a tree" in _titles(fig)
    assert sum(p.get_height() for p in fig.axes[0].patches) == len(words)


def test_budget_and_distributions_merge_the_least_likely_symbols():
    words = {f"c{i}": format(i, "011b") for i in range(2000)}
    probs = {s: 1 / 2000 for s in words}
    fig = plots.codeword_budget(words, probs)
    assert f"{2000 - plots.MAX_SHOWN + 1} others merged" in _titles(fig)
    assert len(fig.axes[0].patches) <= 2 * plots.MAX_SHOWN + 2
    fig = plots.distributions({"a": probs, "b": probs})
    assert "others summed in one bar" in _titles(fig)
    assert len(fig.axes[0].get_xticklabels()) == plots.MAX_SHOWN


def test_a_histogram_of_many_bins_is_drawn_merged(result):
    link = result.links[0]
    n = 50_000
    edges = (0.0, 0.0, *(1e-3 * 1.0001**i for i in range(n - 1)))
    line = dataclasses.replace(link.line, wait_hist_edges=edges, wait_hist_counts=(3,) * n, mean_wait=0.01)
    fig = plots.line_waits(dataclasses.replace(link, line=line))
    assert "bins merged" in _titles(fig)
    stairs = [p for p in fig.axes[1].patches]
    assert all(len(p.get_path().vertices) < 4 * plots.MAX_BINS + 10 for p in stairs)


def _bench():
    import importlib.util

    path = Path(__file__).resolve().parents[3] / "benchmarks" / "plot_attacks.py"
    spec = importlib.util.spec_from_file_location("plot_attacks", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
@pytest.mark.parametrize(
    "case", ["10^7-row trace.csv", "10^6-bin histogram", "10 000-bit codeword", "10^4 colours"]
)
def test_hostile_sizes_finish_under_300_mb_or_are_refused_in_one_line(tmp_path, base, case):
    bench = _bench()
    folder = _copy(base, tmp_path)
    bench.CASES[case](folder)
    code, _wall, _cpu, peak_mb, message = bench.measure(folder)  # the child has a 60 s CPU limit
    assert code in (0, 2), message
    assert peak_mb < 300
    if code == 2:
        assert message.startswith(str(folder)) and "\n" not in message
