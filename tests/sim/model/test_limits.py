"""The limits table (sim/model/limits.py) and what it guards: bounded loading, rendering, fast code tests."""

from __future__ import annotations

import builtins
import heapq
import math
import re
from collections import deque
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import distributions, small_codes

from coding import Code, huffman
from coding.huffman import huffman_lengths
from sim import cli
from sim.engine import simulation as engine
from sim.model import limits
from sim.model.records import Arrivals, Line, Link, Urn
from sim.model.theory import link_theory
from sim.scenario import loader as scenario
from sim.scenario.yamlcheck import SHOWN_PROBLEMS, LongNumber, Problems, show

README = Path(__file__).resolve().parents[3] / "README.md"
GOOD = "urns: {india: {blue: 25, red: 50, green: 13, yellow: 12}}\ncodes: {h: {type: huffman, for: india}}\n"


def test_the_readme_shows_the_limits_table_of_sim_limits():
    text = README.read_text(encoding="utf-8")
    section = text.split("## Input limits", 1)[1].split("\n## ", 1)[0]
    assert limits.markdown_table() in section
    assert len(limits.LIMITS) == section.count("\n| ") - 1  # no stray row either


def test_no_limit_is_defined_outside_sim_limits():
    """The one home: the modules that enforce limits import them, they define none of their own."""
    root = Path(limits.__file__).parents[1]
    # The readers of user input (tuning constants such as a kernel's table size are not input limits).
    readers = ("scenario/loader.py", "scenario/yamlcheck.py", "scenario/builder.py", "engine/bitcodec.py")
    checked = [root / name for name in (*readers, "engine/simulation.py", "sweep/spec.py", "cli.py")]
    for path in checked:
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"^MAX_\w+ = \d", source, re.M), path


# -- loading: every limit is one line naming the file, the path, the value and the limit ---------


def problems_of(text: str, filename: str = "x.yaml") -> list[str]:
    with pytest.raises(scenario.ScenarioError) as info:
        scenario.loads(text, filename=filename)
    return info.value.problems


def test_an_alias_bomb_stops_at_the_node_limit_while_parsing():
    rows = ["  a0: &a0 [x]"] + [f"  a{k}: &a{k} [{', '.join([f'*a{k - 1}'] * 200)}]" for k in range(1, 9)]
    text = "anchors:\n" + "\n".join(rows) + "\nurns: {b: *a8}\n"  # 200^8 nodes if expanded
    (line,) = problems_of(text)
    assert line.startswith("x.yaml: anchors.a3[11] (line 5): the alias *a2 stands for 80_201 nodes")
    assert "1_000_000 YAML nodes (the limit)" in line


def test_aliases_below_the_limit_still_load():
    text = "urns: {india: &box {blue: 25, red: 50}, australia: *box}\n"
    text += "codes: {h: {type: huffman, for: australia}}\nlinks: [{urn: india, code: h}]\n"
    sc = scenario.loads(text)
    assert dict(sc.urns["australia"].counts) == dict(sc.urns["india"].counts) == {"blue": 25, "red": 50}


def test_deep_nesting_stops_at_the_depth_limit_with_its_path():
    text = "".join(f"{'  ' * k}k{k}:\n" for k in range(80)) + "  " * 80 + "end: 1\n"
    (line,) = problems_of(text)
    assert line.startswith("x.yaml: k0.k1.k2.") and "(line 65)" in line
    assert f"nested more than {limits.YAML_DEPTH} deep" in line


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path):
    path = tmp_path / "big.yaml"
    with open(path, "wb") as f:
        f.truncate(limits.FILE_BYTES + 1)
    with pytest.raises(scenario.ScenarioError) as info:
        scenario.load(path)
    assert info.value.problems == [
        "big.yaml: file size: is 16_777_217 bytes; a scenario file may be at most 16_777_216 bytes (16 MiB)"
    ]
    assert "file size" in problems_of("#" * (limits.FILE_BYTES + 1))[0]


def test_counts_are_checked_before_the_entries():
    colours = ", ".join(f"c{i}: 1" for i in range(limits.COLOURS + 1))
    (line,) = problems_of(
        f"urns: {{big: {{{colours}}}}}\ncodes: {{f: {{type: fixed}}}}\nlinks: [{{urn: big, code: f}}]\n"
    )
    assert line == "x.yaml: urns.big: has 100_001 colours; at most 100_000 are allowed"
    links = ", ".join(["{urn: india, code: h}"] * (limits.LINKS + 1))
    (line,) = problems_of(GOOD + f"links: [{links}]\n")
    assert line == "x.yaml: links: has 65 links; at most 64 are allowed"


def test_a_long_default_name_is_refused_at_validate():
    name = "n" * 240 + ".yaml"
    (line,) = problems_of(GOOD + "links: [{urn: india, code: h}]\n", filename=name)
    assert line.startswith(f"{name}: name: the scenario name defaults to the file's name, which is 240")


def test_long_numbers_become_clear_errors_not_conversion_errors():
    text = (
        GOOD
        + f"messages: {'9' * 5000}\nlines: {{c: {{baud: 1{'0' * 320}}}}}\nlinks: [{{urn: india, code: h}}]\n"
    )
    lines = problems_of(text)
    assert (
        lines[0]
        == "x.yaml: messages: must be at most 1_000_000_000_000 (got 999999999999… (5_000 characters))"
    )
    assert lines[1] == "x.yaml: lines.c.baud: must be at most 1e+12 (got 100000000000… (321 characters))"
    p = Problems("y.yaml")  # from Python: an int past every float, with no range given
    assert p.number("n", 10**400) is not None and p.lines == [
        "y.yaml: n: must be a finite number (got a whole number of about 400 digits)"
    ]
    assert repr(LongNumber("7" * 200)) == "777777777777… (200 characters)"


def test_too_many_problems_are_counted_not_listed():
    colours = ", ".join(f"c{i}: -1" for i in range(SHOWN_PROBLEMS + 50))
    lines = problems_of(
        f"urns: {{u: {{{colours}}}}}\ncodes: {{f: {{type: fixed}}}}\nlinks: [{{urn: u, code: f}}]\n"
    )
    assert len(lines) == SHOWN_PROBLEMS + 1
    assert lines[-1] == "x.yaml: … and 50 more problems not shown"


def test_show_never_walks_more_than_it_prints():
    inner = [0] * 200
    for _ in range(3):  # 200^4 elements, if walked
        inner = [inner] * 200

    class Counting(list):
        visited = 0

        def __iter__(self):
            for x in super().__iter__():
                Counting.visited += 1
                yield x

    assert len(show(inner)) <= 60
    wide = Counting(range(10**6))
    assert show(wide).startswith("[0, 1, 2") and Counting.visited < 40


def test_error_lines_about_large_codes_stay_short():
    colours = {f"c{i}": 1 for i in range(5000)}
    table = ", ".join(f"c{i}: '{format(i, '013b')}'" for i in range(5000))
    text = f"urns: {{u: {colours}}}\ncodes: {{f: {{type: fixed, for: u, codewords: {{{table}}}}}}}\n".replace(
        "'", '"'
    )
    text += "links: [{urn: u, code: f}]\n"
    text = text.replace("u: {'", "u: {").replace("': 1", ": 1").replace(", '", ", ")
    lines = problems_of(text.replace('c4999: "1001110000111"', 'c4999: "1111111111111"'))
    assert len(lines) == 1 and len(lines[0]) < 400 and "(4_992 more)" in lines[0]


# -- the command line ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv, says",
    [
        (["run", "--chunk", str(10**12)], "--chunk: must be at most 1_048_576 (got 1000000000000)"),
        (["run", "--chunk", "9" * 5000], "--chunk: must be at most 1_048_576 (got 5_000 characters)"),
        (["run", "--seed", str(2**64)], "--seed: must be at most 18_446_744_073_709_551_615"),
    ],
)
def test_cli_numbers_are_bounded(capsys, argv, says):
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and says in err


def test_ctrl_c_while_the_cli_imports_is_one_line(monkeypatch, capsys):
    real = builtins.__import__

    def interrupted(name, *args, **kwargs):
        if name == "sim.scenario.loader":
            raise KeyboardInterrupt
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", interrupted)
    assert cli.main(["validate", "india_to_australia"]) == 130
    assert capsys.readouterr().err == "telegraph: interrupted; no results were written\n"


def test_the_engine_refuses_a_chunk_past_the_limit():
    sc = scenario.load("india_to_australia")
    with pytest.raises(ValueError, match="between 1 and 1_048_576"):
        engine.run(sc, messages=10, chunk=limits.CHUNK + 1)
    a = engine.run(sc, messages=3000, chunk=limits.CHUNK)  # each link gets its share; same numbers
    b = engine.run(sc, messages=3000, chunk=7)
    assert [x.bits for x in a.links] == [x.bits for x in b.links]


# -- theory without overflow -------------------------------------------------------------------


def test_pollaczek_khinchine_on_a_very_fast_line_does_not_overflow():
    urn = Urn("u", {"a": 1, "b": 3})
    code = huffman(urn.distribution)
    link = Link(
        "l", urn, "h", "huffman", code, Line("fast", baud=1e200), arrivals=Arrivals("poisson", rate=1.0)
    )
    t = link_theory(link)
    assert t.pk_mean_wait == 0.0 or (math.isfinite(t.pk_mean_wait) and t.pk_mean_wait < 1e-300)
    slow = link_theory(
        Link("l", urn, "h", "huffman", code, Line("slow", baud=4.0), arrivals=Arrivals("poisson", rate=1.0))
    )
    # W = λE[S²]/(2(1−ρ)), lengths 1 and 2 bits at 4 baud, L = 1.25: E[S²] = (1/4·1 + 3/4·... )
    lengths = [code.lengths["a"], code.lengths["b"]]
    es2 = (0.25 * lengths[0] ** 2 + 0.75 * lengths[1] ** 2) / 16
    rho = (0.25 * lengths[0] + 0.75 * lengths[1]) / 4
    assert slow.pk_mean_wait == pytest.approx(es2 / (2 * (1 - rho)), rel=1e-12)


# -- fast code tests agree with the plain quadratic ones ------------------------------------------


def reference_ambiguity(code: Code):
    """The Sardinas–Patterson search as first written: every codeword against every suffix."""
    words = code.codewords
    inverse = {w: s for s, w in words.items()}
    queue, seen = deque(), set()
    for a in words.values():
        for b in words.values():
            if a != b and b.startswith(a) and b[len(a) :] not in seen:
                seen.add(b[len(a) :])
                queue.append((b[len(a) :], (inverse[b],), (inverse[a],)))
    while queue:
        suffix, ahead, behind = queue.popleft()
        for w, s in inverse.items():
            if w == suffix:
                return "".join(words[x] for x in ahead), ahead, behind + (s,)
            if suffix.startswith(w):
                nxt, new = suffix[len(w) :], (ahead, behind + (s,))
            elif w.startswith(suffix):
                nxt, new = w[len(suffix) :], (behind + (s,), ahead)
            else:
                continue
            if nxt not in seen:
                seen.add(nxt)
                queue.append((nxt, *new))
    return None


def reference_clash(code: Code):
    items = list(code.codewords.items())
    return next(((a, b) for a, wa in items for b, wb in items if a != b and wb.startswith(wa)), None)


@given(small_codes(max_symbols=6, max_length=4))
def test_fast_sardinas_patterson_finds_the_same_witness(code):
    found = code.ambiguity()
    expected = reference_ambiguity(code)
    assert (None if found is None else (found.string, found.first, found.second)) == expected
    assert code.prefix_clash() == reference_clash(code)
    assert code.kraft_sum == sum((Fraction(1, 2**n) for n in code.lengths.values()), Fraction(0))


def test_a_prefix_free_code_never_runs_sardinas_patterson(monkeypatch):
    monkeypatch.setattr(Code, "_find_ambiguity", lambda self: pytest.fail("Sardinas–Patterson ran"))
    code = Code({f"c{i}": format(i, "017b") for i in range(2**16)})
    assert code.is_uniquely_decodable and code.prefix_clash() is None


def reference_huffman_lengths(p, D: int = 2) -> list[int]:
    n = len(p)
    if n == 1:
        return [1]
    heap = [(0.0, -1 - k, []) for k in range((-(n - 1)) % (D - 1))]
    heap += [(float(v), n - 1 - i, [i]) for i, v in enumerate(p.probabilities)]  # first-listed youngest
    heapq.heapify(heap)
    depth, age = [0] * n, n
    while len(heap) > 1:
        total, leaves = 0.0, []
        for _ in range(D):
            w, _, members = heapq.heappop(heap)
            total += w
            leaves += members
        for i in leaves:
            depth[i] += 1
        heapq.heappush(heap, (total, age, leaves))
        age += 1
    return depth


@given(distributions(max_size=12), st.integers(2, 4))
def test_huffman_depths_from_parent_links_match_the_leaf_lists(p, D):
    assert huffman_lengths(p, D) == reference_huffman_lengths(p, D)
