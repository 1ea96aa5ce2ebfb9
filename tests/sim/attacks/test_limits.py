"""Attacks on the input limits (issue 17, items 4 to 6): each one refused fast, in one line per problem.

The fast cases run in CI (about half a second of CPU each, mostly the
interpreter starting). The long ones (tens of megabytes of YAML, 10^5
colours, a Ctrl-C sweep) are marked ``slow`` and deselected by default:
run them with ``python -m pytest -m slow tests/attacks``.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.model import limits
from tests.sim.attacks.harness import assert_refused, telegraph

GOOD = """\
urns: {india: {blue: 25, red: 50, green: 13, yellow: 12}}
codes: {huffman: {type: huffman, for: india}}
"""


@pytest.fixture
def sandbox(tmp_path: Path) -> Path:
    """A folder holding a file the tool must never touch."""
    root = tmp_path / "sandbox"
    root.mkdir()
    (root / "thesis.tex").write_text("years of work\n")
    return root


def write(sandbox: Path, name: str, text: str) -> str:
    (sandbox / name).write_text(text, encoding="utf-8")
    return name


def alias_bomb(width: int = 200, levels: int = 4) -> str:
    """The issue's reproducer: anchors each ``width`` aliases of the one before, under a valid key."""
    rows = ["  a0: &a0 [x]"]
    rows += [f"  a{k}: &a{k} [{', '.join([f'*a{k - 1}'] * width)}]" for k in range(1, levels + 1)]
    return "anchors:\n" + "\n".join(rows) + f"\nurns: {{b4: *a{levels}}}\ncodes: {{f: {{type: fixed}}}}\n"


# -- fast: every case is one subprocess ------------------------------------------------------------


def test_alias_bomb_under_a_valid_key_is_refused_while_parsing(sandbox):
    name = write(sandbox, "bomb.yaml", alias_bomb() + "links: [{urn: b4, code: f}]\n")
    assert 3500 < (sandbox / name).stat().st_size < 4500  # the 3.7 KB of the issue
    outcome = telegraph("validate", name, sandbox=sandbox)
    assert_refused(outcome, name, says=f"past {limits.number_text(limits.YAML_NODES)} YAML nodes")
    assert "stands for 80_201 nodes" in outcome.stderr  # *a2 = 1 + 200·(1 + 200·1) nodes


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(sandbox):
    name = "big.yaml"
    with open(sandbox / name, "wb") as f:  # sparse: the check must not read it
        f.truncate(limits.FILE_BYTES + 1)
    outcome = telegraph("run", name, "--out", "out", sandbox=sandbox)
    assert_refused(outcome, name, says=f"at most {limits.number_text(limits.FILE_BYTES)} bytes")


def test_numbers_beyond_float_and_the_int_string_limit_are_clear_errors(sandbox):
    text = GOOD + (
        f"seed: 1{'0' * 5000}\n"  # past Python's 4300-digit conversion limit
        f"lines: {{cable: {{baud: 1{'0' * 310}, latency: 1.0e+400}}}}\n"  # above 1.8e308; inf
        "links: [{urn: india, code: huffman, arrivals: {rate: 1.3e+155}}]\n"
    )
    name = write(sandbox, "numbers.yaml", text)
    outcome = telegraph("validate", name, sandbox=sandbox)
    assert_refused(outcome, name)
    lines = outcome.stderr.splitlines()
    assert [line.split(": ")[1] for line in lines] == [
        "seed",
        "lines.cable.baud",
        "lines.cable.latency",
        "links[0].arrivals.rate",
    ]
    assert "must be at most 18_446_744_073_709_551_615 (got 100000000000… (5_001 characters))" in lines[0]
    assert "must be at most 1e+12" in lines[1]
    assert "must be a finite number (got .inf)" in lines[2]
    assert "must be at most 1e+12 (got 1.3e+155)" in lines[3]


def test_baud_that_would_overflow_the_queueing_theory_is_refused(sandbox):
    text = (
        GOOD + "lines: {cable: {baud: 1.3e+154}}\nlinks: [{urn: india, code: huffman, arrivals: {rate: 1}}]\n"
    )
    name = write(sandbox, "fast_line.yaml", text)
    assert_refused(
        telegraph("run", name, "--out", "out", sandbox=sandbox), name, says="must be at most 1e+12"
    )


def test_long_names_deep_nesting_and_long_codewords_are_refused(sandbox):
    long = "x" * 240
    text = (
        f"urns: {{india: {{blue: 25, red: 50, {'c' * 300}: 1}}}}\n"
        f"codes: {{t: {{type: table, codewords: {{blue: '0', red: '1{'0' * 40}'}}}}}}\n"
        f"links: [{{name: {long}, urn: india, code: t}}]\n"
    )
    name = write(sandbox, "names.yaml", text)
    outcome = telegraph("validate", name, sandbox=sandbox)
    assert_refused(outcome, name)
    assert "may be at most 100 characters long" in outcome.stderr
    assert "is 41 bits long; the line sends codewords of at most 32 bits" in outcome.stderr
    deep = write(sandbox, "deep.yaml", "urns: " + "[" * 100_000 + "]" * 100_000 + "\n")
    assert_refused(telegraph("validate", deep, sandbox=sandbox), deep, says="nesting depth")  # libyaml's own
    block = "".join(f"{'  ' * k}k{k}:\n" for k in range(100)) + "  " * 100 + "end: 1\n"
    deep = write(sandbox, "deep_block.yaml", block)
    outcome = telegraph("validate", deep, sandbox=sandbox)
    assert_refused(outcome, deep, says="nested more than 64 deep")
    assert outcome.stderr.startswith("deep_block.yaml: k0.k1.k2.") and "(line 65)" in outcome.stderr


@pytest.mark.parametrize("option", ["--chunk", "--messages", "--seed"])
def test_huge_numbers_on_the_command_line_are_refused_before_any_work(sandbox, option):
    outcome = telegraph("run", option, "1" + "0" * (12 if option == "--chunk" else 5000), "--out", "out",
                        sandbox=sandbox)  # fmt: skip
    assert_refused(outcome, "telegraph run", says=f"argument {option}: must be at most")


# -- slow: the large reproducers and large valid inputs ------------------------------------


@pytest.mark.slow
def test_44_megabytes_of_colours_are_refused_by_the_size_limit(sandbox):
    rows = "".join(f"    c{i}: 1\n" for i in range(2_600_000))
    name = write(sandbox, "colours.yaml", "urns:\n  big:\n" + rows)
    assert (sandbox / name).stat().st_size > 40e6
    assert_refused(telegraph("validate", name, sandbox=sandbox), name, says="bytes")


@pytest.mark.slow
def test_a_50_megabyte_description_is_refused_by_the_size_limit(sandbox):
    name = write(sandbox, "story.yaml", GOOD + "description: " + "x" * 50_000_000 + "\n")
    assert_refused(telegraph("validate", name, sandbox=sandbox), name, says="bytes")


@pytest.mark.slow
def test_a_million_nodes_under_the_size_limit_stop_at_the_node_limit(sandbox):
    name = write(sandbox, "dense.yaml", "urns: [" + "1," * 3_000_000 + "1]\n")
    assert (sandbox / name).stat().st_size < limits.FILE_BYTES
    assert_refused(telegraph("validate", name, sandbox=sandbox), name, cpu_seconds=4.0, says="YAML nodes")


def big_urn(colours: int) -> str:
    return "urns:\n  big:\n" + "".join(f"    c{i}: {i % 997 + 1}\n" for i in range(colours))


@pytest.mark.slow
def test_a_hundred_thousand_colour_huffman_urn_validates_within_the_limits(sandbox):
    text = big_urn(limits.COLOURS) + "codes: {h: {type: huffman, for: big}}\nlinks: [{urn: big, code: h}]\n"
    name = write(sandbox, "huge_urn.yaml", text)
    outcome = telegraph("validate", name, sandbox=sandbox)
    assert outcome.code == 0, outcome.describe()
    assert outcome.cpu_seconds < 15, outcome.describe()
    assert outcome.peak_mb < 600, outcome.describe()
    assert not outcome.changed


@pytest.mark.slow
def test_65536_codewords_validate_and_explain(sandbox):
    text = (
        big_urn(2**16)
        + "codes: {h: {type: huffman, for: big}, f: {type: fixed}}\n"
        + "links: [{urn: big, code: h}, {urn: big, code: f}]\n"
    )
    name = write(sandbox, "k65536.yaml", text)
    for command in ("validate", "explain"):
        outcome = telegraph(command, name, sandbox=sandbox)
        assert outcome.code == 0, outcome.describe()
        assert outcome.cpu_seconds < 15, outcome.describe()
        assert not outcome.changed


@pytest.mark.slow
def test_one_more_colour_than_the_limit_is_refused(sandbox):
    text = big_urn(limits.COLOURS + 1) + "codes: {f: {type: fixed}}\nlinks: [{urn: big, code: f}]\n"
    name = write(sandbox, "too_many.yaml", text)
    outcome = telegraph("validate", name, sandbox=sandbox)
    assert_refused(outcome, name, cpu_seconds=6.0, says="has 100_001 colours; at most 100_000")


@pytest.mark.slow
def test_ctrl_c_while_the_command_starts_never_traces_back_through_telegraph(sandbox):
    """SIGINT at 10 ms steps over the first 0.15 s.

    Python's own start-up (``site``, ``runpy``, and the import of the package
    ``sim/__init__.py`` that runpy does before ``sim/__main__.py``) runs before
    any handler of ours and can still print its own traceback; no traceback
    may pass through the command itself."""
    for step in range(16):
        proc = subprocess.Popen(
            [sys.executable, "-m", "sim", "validate", "india_to_australia"],
            cwd=sandbox, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        time.sleep(step * 0.01)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        frames = re.findall(r'File "[^"]*/sim/(\w+)\.py"', err)
        assert set(frames) <= {"__init__"}, err
        if proc.returncode == 130:  # stopped by our handler (silent while sim.cli itself loads)
            assert err in ("", "telegraph: interrupted; no results were written\n"), err
