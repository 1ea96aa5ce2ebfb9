"""The ``telegraph`` command, tested in-process through ``sim.cli.main``.

Runs use small ``--messages`` and ``--no-plots`` to stay fast; one module-wide
run draws the figures and report, and ``plot`` re-renders a copy of it.
"""

from __future__ import annotations

import errno
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import sim.publish.output
from sim.cli import main
from tests.sim.scenario.test_scenario import BUNDLED

REPO = Path(__file__).resolve().parents[2]
BAD_DIR = Path(__file__).parent / "scenario" / "bad_scenarios"
BAD_FILES = sorted(BAD_DIR.glob("*.yaml"))
SUBCOMMANDS = ["run", "explain", "validate", "list", "plot", "sweep"]
FAST = ["--messages", "2000", "--no-plots"]

LINK_KEYS = {"name", "source", "code", "messages", "bits", "bits_per_message", "lossless", "theory", "checks"}
THEORY_KEYS = {"entropy", "cross_entropy", "kl_divergence", "expected_length"}


def run_ok(capsys, *argv: str) -> str:
    """``main(argv)`` must succeed; return its stdout."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Traceback" not in out + err
    return out


def fails(capsys, *argv: str) -> list[str]:
    """``main(argv)`` must fail as a user error: exit 2, no traceback. Return the stderr lines."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert code == 2, (out, err)
    assert "Traceback" not in out + err
    return err.splitlines()


def summary(folder: Path) -> dict:
    return json.loads((folder / "summary.json").read_text(encoding="utf-8"))


def bits(folder: Path) -> dict[str, int]:
    return {link["name"]: link["bits"] for link in summary(folder)["links"]}


def leftovers(root: Path) -> list[str]:
    """Temporary folders (``.partial``/``.old``) left in a results root."""
    return sorted(p.name for p in root.iterdir() if p.name.startswith("."))


# -- run ------------------------------------------------------------------------------------------


def test_run_without_a_scenario_runs_india_to_australia_into_results(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = run_ok(capsys, "run", *FAST)
    folder = tmp_path / "results" / "india_to_australia"
    for name in ("summary.json", "trace.csv", "scenario.yaml", "explain.txt"):
        assert (folder / name).is_file(), name
    assert "india-huffman" in out and "4 pass" in out and "algebra" in out
    doc = summary(folder)
    assert doc["scenario"] == "india_to_australia"
    assert doc["seed"] == 1948
    names = [link["name"] for link in doc["links"]]
    assert names == ["india-fixed", "india-scheme2", "india-scheme3", "india-huffman"]
    for link in doc["links"]:
        assert LINK_KEYS <= set(link), link["name"]
        assert THEORY_KEYS <= set(link["theory"])
        assert link["source"] == "india"
        assert link["messages"] == 2000
        assert link["bits_per_message"] == pytest.approx(link["bits"] / link["messages"])
        assert link["lossless"] is True
        assert link["theory"]["entropy"] == pytest.approx(1.7497, abs=5e-5)
        assert link["checks"]
        for check in link["checks"]:
            assert set(check) >= {"name", "passed", "detail", "verdict", "false_alarm"}
            assert check["passed"] is True and check["verdict"] == "pass", check
            assert "false-alarm rate" in check["detail"]
    assert leftovers(tmp_path / "results") == []
    trace = (folder / "trace.csv").read_text(encoding="utf-8").splitlines()
    assert len(trace) > 4 and "india-huffman" in "\n".join(trace)


def test_quiet_prints_only_the_results_folder(capsys, tmp_path):
    out = run_ok(capsys, "run", "australia_to_india", *FAST, "--quiet", "--out", str(tmp_path))
    assert out.strip() == str(tmp_path / "australia_to_india")


def test_seed_and_messages_override_and_the_same_seed_repeats_exactly(capsys, tmp_path):
    run_ok(capsys, "run", *FAST, "--seed", "7", "--out", str(tmp_path / "a"))
    run_ok(capsys, "run", *FAST, "--seed", "7", "--out", str(tmp_path / "b"))
    run_ok(capsys, "run", *FAST, "--seed", "8", "--out", str(tmp_path / "c"))
    a, b, c = (tmp_path / x / "india_to_australia" for x in "abc")
    doc = summary(a)
    assert doc["seed"] == 7
    assert {link["messages"] for link in doc["links"]} == {2000}
    assert (a / "summary.json").read_bytes() == (b / "summary.json").read_bytes()
    assert (a / "trace.csv").read_bytes() == (b / "trace.csv").read_bytes()
    assert bits(a) != bits(c)  # the seed is used
    assert "seed: 7" in (a / "scenario.yaml").read_text(encoding="utf-8")


def test_rerunning_the_saved_scenario_yaml_reproduces_the_run(capsys, tmp_path):
    argv = "run australia_to_india --messages 1500 --seed 3 --no-plots".split()
    run_ok(capsys, *argv, "--out", str(tmp_path / "first"))
    first = tmp_path / "first" / "australia_to_india"
    saved = first / "scenario.yaml"
    # No overrides: seed and messages come from the saved file.
    run_ok(capsys, "run", str(saved), "--no-plots", "--out", str(tmp_path / "again"))
    again = tmp_path / "again" / "australia_to_india"
    assert summary(again)["seed"] == 3
    assert bits(again) == bits(first)
    assert summary(again)["links"] == summary(first)["links"]
    run_ok(capsys, "validate", str(saved))


def test_chunk_size_does_not_change_the_summary(capsys, tmp_path):
    argv = "run busy_telegraph_office --messages 500 --no-plots".split()
    run_ok(capsys, *argv, "--chunk", "1", "--out", str(tmp_path / "one"))
    run_ok(capsys, *argv, "--out", str(tmp_path / "big"))
    one = summary(tmp_path / "one" / "busy_telegraph_office")
    big = summary(tmp_path / "big" / "busy_telegraph_office")
    one.pop("chunk", None), big.pop("chunk", None)
    assert one == big


# -- bad scenario files -----------------------------------------------------------------------------


def expected_paths(path: Path) -> list[str]:
    return [
        line.split(":", 1)[1].strip()
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines()
        if line.startswith("# expect:")
    ]


def test_there_are_bad_files_and_each_says_what_to_expect():
    assert len(BAD_FILES) >= 20
    assert all(expected_paths(p) for p in BAD_FILES)


@pytest.mark.parametrize("command", ["validate", "run"])
@pytest.mark.parametrize("path", BAD_FILES, ids=lambda p: p.stem)
def test_bad_scenario_is_one_line_per_problem_exit_2(capsys, tmp_path, path, command):
    out_root = tmp_path / "out"
    argv = [command, str(path)]
    if command == "run":
        argv += ["--messages", "100", "--no-plots", "--out", str(out_root)]
    lines = fails(capsys, *argv)
    expect = expected_paths(path)
    assert len(lines) == len(expect), "\n".join(lines)
    for line, where in zip(lines, expect):
        assert line.startswith(f"{path.name}: "), line
        assert where in line, (where, line)
    assert not out_root.exists() or not any(out_root.iterdir())


# -- bad command-line values --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["run", "--messages", "0"], "--messages"),
        (["run", "--messages", "abc"], "--messages"),
        (["run", "--messages", "-3"], "--messages"),
        (["run", "--seed", "-1"], "--seed"),
        (["run", "--seed", "x"], "--seed"),
        (["run", "--chunk", "0"], "--chunk"),
        (["run", "--bogus"], "--bogus"),
        (["teleport"], "teleport"),
        (["run", "no/such/file.yaml"], "file.yaml"),
        (["validate", "no_such_scenario"], "no_such_scenario"),
        (["explain", "india_to_austrlia"], "india_to_austrlia"),
        (["run", "india_to_austrlia"], "india_to_austrlia"),
        (["explain"], "scenario"),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else None,
)
def test_bad_command_line_is_one_line_exit_2(capsys, tmp_path, monkeypatch, argv, needle):
    monkeypatch.chdir(tmp_path)
    lines = fails(capsys, *argv)
    assert len(lines) == 1, lines
    assert needle in lines[0]
    assert not (tmp_path / "results").exists()


def test_an_unknown_bundled_name_lists_the_known_ones(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (line,) = fails(capsys, "run", "nowhere")
    assert line.startswith("nowhere")
    assert all(name in line for name in BUNDLED)


def test_a_folder_is_not_a_scenario(capsys, tmp_path):
    (line,) = fails(capsys, "validate", str(tmp_path))
    assert line.startswith(tmp_path.name)


def test_out_that_is_a_file_is_a_one_line_error(capsys, tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    (line,) = fails(capsys, "run", "--messages", "50", "--no-plots", "--out", str(blocker / "sub"))
    assert line.startswith(str(blocker)) and "must be a folder" in line
    assert blocker.read_text() == "not a folder"


def test_no_command_prints_help(capsys):
    out = run_ok(capsys)
    assert "usage: telegraph" in out
    assert all(cmd in out for cmd in SUBCOMMANDS)


# -- results are all or nothing ---------------------------------------------------------------------


def _boom(*_args, **_kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_failed_write_keeps_the_previous_results_and_leaves_no_partial(capsys, tmp_path, monkeypatch):
    root = tmp_path / "out"
    run_ok(capsys, "run", *FAST, "--seed", "1", "--out", str(root))
    folder = root / "india_to_australia"
    before = {p.name: p.read_bytes() for p in folder.iterdir()}

    monkeypatch.setattr(sim.publish.output, "traces_to_csv", _boom)
    (line,) = fails(capsys, "run", *FAST, "--seed", "2", "--out", str(root))
    assert line == "telegraph: No space left on device"
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert leftovers(root) == []
    assert sorted(p.name for p in root.iterdir()) == ["india_to_australia"]

    monkeypatch.undo()
    run_ok(capsys, "run", *FAST, "--seed", "2", "--out", str(root))
    assert summary(folder)["seed"] == 2
    assert (folder / "summary.json").read_bytes() != before["summary.json"]
    assert leftovers(root) == []


def test_a_failing_figure_renderer_keeps_the_previous_results(capsys, tmp_path, monkeypatch):
    root = tmp_path / "out"
    run_ok(capsys, "run", "australia_to_india", *FAST, "--out", str(root))
    folder = root / "australia_to_india"
    before = {p.name: p.read_bytes() for p in folder.iterdir()}

    def broken_render_all(result, out_dir, **kwargs):
        out_dir.write("half-drawn.png", b"\x89PNG")
        raise RuntimeError("matplotlib fell over")

    import sim.publish.plots

    monkeypatch.setattr(sim.publish.plots, "render_all", broken_render_all)
    with pytest.raises(RuntimeError, match="fell over"):  # a bug, not a user error: it propagates
        main(["run", "australia_to_india", "--messages", "2000", "--seed", "5", "--out", str(root)])
    capsys.readouterr()
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert leftovers(root) == []


def test_an_interrupted_run_writes_nothing(capsys, tmp_path, monkeypatch):
    root = tmp_path / "out"

    def interrupt(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(sim.publish.output, "traces_to_csv", interrupt)
    assert main(["run", *FAST, "--out", str(root)]) == 130
    _, err = capsys.readouterr()
    assert err.strip() == "telegraph: interrupted; no results were written"
    assert list(root.iterdir()) == []


# -- explain, validate, list ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "numbers"),
    [
        ("india_to_australia", ["1.7497", "0.25·2", "Kraft sum"]),
        ("australia_to_india", ["2.3488", "1.7497", "0.5991"]),
        ("not_uniquely_decodable", ["witness 10", "red·blue", "3/2 > 1", "1.2500"]),
        ("busy_telegraph_office", ["0.9000", "0.45 s", "Pollaczek"]),
    ],
)
def test_explain_prints_the_arithmetic(capsys, name, numbers):
    out = run_ok(capsys, "explain", name)
    assert out.startswith(f"Scenario {name}")
    for text in numbers:
        assert text in out, text


def test_explain_accepts_a_path(capsys):
    out = run_ok(capsys, "explain", str(REPO / "scenarios" / "australia_to_india.yaml"))
    assert "2.3488" in out


@pytest.mark.parametrize("name", ["india_to_australia", "australia_to_india", "busy_telegraph_office"])
def test_validate_a_good_scenario(capsys, name):
    out = run_ok(capsys, "validate", name)
    assert out.startswith(name) or f"{name}.yaml" in out
    assert "valid" in out


def test_validate_not_uniquely_decodable_shows_the_witness(capsys):
    (line,) = fails(capsys, "validate", "not_uniquely_decodable")
    assert line.startswith("not_uniquely_decodable.yaml: links[0].code: ")
    assert "not uniquely decodable" in line
    assert "10 = green = red·blue" in line


def test_run_not_uniquely_decodable_is_refused(capsys, tmp_path):
    (line,) = fails(capsys, "run", "not_uniquely_decodable", *FAST, "--out", str(tmp_path / "out"))
    assert "red·blue" in line
    assert not (tmp_path / "out").exists()


def test_list_shows_every_bundled_scenario_with_its_description(capsys):
    out = run_ok(capsys, "list")
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == BUNDLED
    for line in lines:
        name, description = line.split(maxsplit=1)
        assert len(description) > 20, name
    assert "Huffman code" in out and "uniquely decod" not in lines[0]


# -- figures, report and plot ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def plotted(tmp_path_factory) -> Path:
    """One run with figures and report.html (the only one that draws)."""
    root = tmp_path_factory.mktemp("plotted")
    assert main(["run", "--messages", "2000", "--quiet", "--out", str(root)]) == 0
    return root / "india_to_australia"


def _figures(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.suffix in {".png", ".svg", ".html"})


def test_run_draws_figures_and_a_report(plotted):
    names = _figures(plotted)
    assert "report.html" in names
    assert "distributions.png" in names and "convergence-india.png" in names
    for link in ("india-fixed", "india-scheme2", "india-scheme3", "india-huffman"):
        assert f"code-{link}.png" in names and f"budget-{link}.png" in names
    for name in names:
        assert (plotted / name).stat().st_size > 500, name
    html = (plotted / "report.html").read_text(encoding="utf-8")
    assert "india-huffman" in html and "1.7497" in html


def test_plot_re_renders_a_saved_folder(capsys, tmp_path, plotted):
    folder = tmp_path / "copy"
    shutil.copytree(plotted, folder)
    drawn = _figures(folder)
    for name in drawn:
        (folder / name).unlink()
    out = run_ok(capsys, "plot", str(folder))
    assert _figures(folder) == drawn
    assert out.splitlines()[-1].endswith("report.html")
    assert (folder / "summary.json").read_bytes() == (plotted / "summary.json").read_bytes()


def test_plot_a_folder_without_summary_is_one_line(capsys, tmp_path):
    (line,) = fails(capsys, "plot", str(tmp_path))
    assert line.startswith(str(tmp_path)) and "summary.json" in line
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("content", ["{not json", "[]", '{"scenario": "x", "links": [{"name": "a"}]}'])
def test_plot_an_unreadable_summary_is_one_line(capsys, tmp_path, content):
    (tmp_path / "summary.json").write_text(content)
    (line,) = fails(capsys, "plot", str(tmp_path))
    assert line.startswith(str(tmp_path / "summary.json"))
    assert line.count("summary.json") == 1


# -- help and README ---------------------------------------------------------------------------------


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_subcommand_has_help(capsys, command):
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    out, err = capsys.readouterr()
    assert out.startswith(f"usage: telegraph {command}")
    assert len(out.splitlines()) >= 3 and err == ""


def test_top_level_help_lists_every_subcommand(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert all(f"    {cmd}" in out for cmd in SUBCOMMANDS)


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_subcommand_is_in_the_readme(command):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"telegraph {command}" in readme, f"README.md does not mention 'telegraph {command}'"


def test_python_dash_m_sim_help():
    done = subprocess.run(
        [sys.executable, "-m", "sim", "--help"], capture_output=True, text=True, cwd=REPO, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: telegraph")
    assert done.stderr == ""


def test_explain_plots_draws_the_witness_of_a_code_that_cannot_run(tmp_path, capsys):
    out = tmp_path / "figs"
    assert main(["explain", "not_uniquely_decodable", "--plots", str(out)]) == 0
    printed = capsys.readouterr().out
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "budget-india-scheme1.png",
        "budget-india-scheme3.png",
        "code-india-scheme1.png",
        "code-india-scheme3.png",
        "distributions.png",
    ]
    assert all(str(out / n) in printed for n in names)
    assert all((out / n).stat().st_size > 1000 for n in names)
