"""Figures of a run: each is produced from a small result and carries its lines and labels."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import numpy as np
import pytest

from coding import Distribution, from_codewords, huffman
from sim.model.results import Trace
from sim.publish import plots, plots_run
from tests.sim.small_run import INDIA, SCHEME1, make_result


@pytest.fixture(scope="module")
def result():
    return make_result(20_000)


def _legend(ax) -> list[str]:
    legend = ax.get_legend() or next(iter(ax.figure.legends), None)  # an axes' own, or its figure's
    return [t.get_text() for t in legend.get_texts()] if legend else []


def _texts(fig) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts]


# -- convergence ----------------------------------------------------------------
def test_convergence_has_measured_curve_band_and_reference_lines(result):
    fig = plots.convergence(result, "india")
    (ax,) = fig.axes
    labels = [line.get_label() for line in ax.get_lines()]
    assert "india-huffman: measured (huffman)" in labels
    assert "india-fixed: measured (fixed)" in labels
    assert "H(q) = 1.7497 bits (urn india)" in labels
    assert "L = 1.7500 bits (india-huffman)" in labels
    # The fixed code's cross entropy against its implied distribution equals L: one line.
    assert "L = H(q, p) = 2.0000 bits (india-fixed)" in labels
    assert ax.get_xscale() == "log"
    assert len(ax.collections) == 2  # one 95 % band per link
    assert set(labels) >= set(_legend(ax))
    assert "india" in ax.get_title()


def test_convergence_shows_cross_entropy_when_it_differs_from_h_and_l(result):
    ax = plots.convergence(result, "australia").axes[0]
    labels = _legend(ax)
    assert "H(q) = 1.7497 bits (urn australia)" in labels
    assert "L = 2.3700 bits (australia-with-india-code)" in labels
    assert "H(q, p) = 2.3488 bits (australia-with-india-code)" in labels
    h_line = next(ln for ln in ax.get_lines() if ln.get_label().startswith("H(q) ="))
    assert h_line.get_ydata()[0] == pytest.approx(1.7497, abs=1e-4)


def test_convergence_band_is_mean_plus_minus_1_96_standard_errors(result):
    ax = plots.convergence(result, "australia").axes[0]
    link = result.link("australia-with-india-code")
    verts = ax.collections[0].get_paths()[0].vertices
    top = verts[:, 1].max()
    expected = max(m + 1.959963984540054 * s for m, s in zip(link.trace.mean, link.trace.std_error))
    assert top == pytest.approx(expected)


def test_convergence_says_an_infinite_cross_entropy_instead_of_dropping_it(result):
    # Issue 15: the line used to vanish without a word; nothing can be drawn at ∞, but the legend says it.
    link = result.link("australia-with-india-code")
    theory = dataclasses.replace(link.theory, cross_entropy=float("inf"), kl_divergence=float("inf"))
    broken = dataclasses.replace(result, links=(dataclasses.replace(link, theory=theory),))
    ax = plots.convergence(broken, "australia").axes[0]
    assert [lbl for lbl in _legend(ax) if lbl.startswith("H(q, p)")] == [
        "H(q, p) = ∞ (australia-with-india-code): p gives a colour q draws probability 0"
    ]
    assert all(np.isfinite(ln.get_ydata()).all() for ln in ax.get_lines())


def test_convergence_decimates_long_traces(result):
    n = np.arange(1, 100_001)
    link = result.link("india-huffman")
    trace = Trace(tuple(int(x) for x in n), tuple(1.75 + 1 / n), tuple(1 / np.sqrt(n)))
    big = dataclasses.replace(result, links=(dataclasses.replace(link, trace=trace),))
    ax = plots.convergence(big, "india").axes[0]
    curve = next(ln for ln in ax.get_lines() if "measured" in ln.get_label())
    x = curve.get_xdata()
    assert len(x) <= plots.MAX_POINTS
    assert x[0] == 1 and x[-1] == 100_000


def test_decimate_keeps_short_traces_and_ends():
    assert list(plots_run._decimate(np.arange(1, 11))) == list(range(10))
    idx = plots_run._decimate(np.arange(1, 50_001), max_points=100)
    assert len(idx) <= 100 and idx[0] == 0 and idx[-1] == 49_999
    assert np.all(np.diff(idx) > 0)


def test_convergence_without_a_trace_still_draws_theory(result):
    link = dataclasses.replace(result.link("india-huffman"), trace=Trace((), (), ()))
    fig = plots.convergence(dataclasses.replace(result, links=(link,)), "india")
    assert any(lbl.startswith("H(q)") for lbl in _legend(fig.axes[0]))
    assert "no convergence trace saved" in _texts(fig)


def test_convergence_rejects_an_unknown_urn(result):
    with pytest.raises(ValueError, match="'urn'"):
        plots.convergence(result, "atlantis")


# -- code tree and ambiguity ---------------------------------------------------------
def test_code_tree_labels_every_leaf_with_colour_and_codeword():
    code = huffman(Distribution.from_counts(INDIA))
    fig = plots.code_tree(dict(code.codewords))
    texts = _texts(fig)
    for symbol, word in code.codewords.items():
        assert f"{symbol}\n{word}" in texts
    assert {"0", "1"} <= set(texts)  # branch digits
    assert "prefix-free" in fig.axes[0].get_title() and "K = 1" in fig.axes[0].get_title()
    assert "unused" not in texts  # a complete code


def test_code_tree_is_d_ary_and_marks_unused_branches():
    code = huffman(Distribution.from_counts(INDIA), D=3)
    fig = plots.code_tree(code)
    texts = _texts(fig)
    assert "2" in texts  # a third branch digit
    assert all(f"{s}\n{w}" in texts for s, w in code.codewords.items())
    assert "3-ary" in fig.axes[0].get_title()
    incomplete = plots.code_tree({"a": "0", "b": "10"})
    assert "unused" in _texts(incomplete)
    assert "K = 3/4" in incomplete.axes[0].get_title()


def test_code_tree_uses_colour_names_as_node_colours():
    from matplotlib.colors import to_rgba

    fig = plots.code_tree({"red": "0", "blue": "10", "yellow": "11"})
    faces = [tuple(c.get_facecolors()[0]) for c in fig.axes[0].collections]
    assert to_rgba("red") in faces and to_rgba("blue") in faces
    assert to_rgba("goldenrod") in faces  # yellow, drawn legibly


def test_ambiguity_figure_shows_one_string_and_two_parses():
    fig = plots.ambiguity_figure(from_codewords(SCHEME1))
    texts = _texts(fig)
    witness = from_codewords(SCHEME1).ambiguity()
    assert witness.string == "10"
    assert ["1", "0"] == [t for t in texts if t in ("0", "1")]
    assert "green (10)" in texts and "red (1)" in texts and "blue (0)" in texts
    assert "parse 1" in texts and "parse 2" in texts
    assert "not uniquely decodable" in fig.axes[0].get_title()


def test_ambiguity_figure_rejects_a_uniquely_decodable_code():
    with pytest.raises(ValueError, match="uniquely decodable"):
        plots.ambiguity_figure({"a": "0", "b": "1"})


# -- codeword budget ------------------------------------------------------------------
def test_codeword_budget_stacks_shares_above_probabilities():
    q = Distribution.from_counts(INDIA).as_dict()
    code = huffman(Distribution.from_counts(INDIA))
    fig = plots.codeword_budget(dict(code.codewords), q)
    ax = fig.axes[0]
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks == ["code: 2^−l(x)", "source: p(x)"]
    texts = _texts(fig)
    assert "0\n2⁻¹" in texts and "111\n2⁻³" in texts and "red\n0.5" in texts
    widths = sorted(round(p.get_width(), 6) for p in ax.patches)
    assert widths == sorted([0.5, 0.25, 0.125, 0.125, 0.5, 0.25, 0.13, 0.12])
    assert set(_legend(ax)) == set(INDIA)


def test_codeword_budget_shows_unused_and_overspent_budgets():
    q = {"blue": 0.25, "red": 0.5, "green": 0.13, "yellow": 0.12}
    under = plots.codeword_budget({"blue": "00", "red": "01", "green": "10", "yellow": "110"}, q)
    assert "unused" in _legend(under.axes[0])
    over = plots.codeword_budget(SCHEME1, q)
    assert over.axes[0].get_xlim()[1] > 1.4  # K = 3/2 runs past the unit interval
    assert "K = 3/2" in over.axes[0].get_title()


# -- distributions ---------------------------------------------------------------------
def test_distributions_groups_urns_and_annotates_information(result):
    urns = plots._urns_of(result)
    assert list(urns) == ["india", "australia"]
    fig = plots.distributions(urns)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["blue", "red", "green", "yellow"]
    assert _legend(ax) == ["india", "australia"]
    texts = _texts(fig)
    # −log2 p(x): India's red 1 bit, blue 2 bits; Australia's green 1 bit.
    assert texts.count("1.00") == 2 and texts.count("2.00") == 2 and "3.06" in texts
    assert "log2 p(x)" in ax.get_title()


def test_distributions_marks_an_absent_colour_as_infinite_information():
    fig = plots.distributions({"a": {"blue": 0.5, "red": 0.5}, "b": {"blue": 1.0}})
    assert "∞" in _texts(fig)


# -- line waits ------------------------------------------------------------------------
def test_line_waits_marks_pollaczek_khinchine_and_utilisation(result):
    link = result.link("india-huffman")
    fig = plots.line_waits(link)
    zero_ax, ax = fig.axes
    labels = _legend(ax)
    assert any(lbl.startswith("Pollaczek–Khinchine W = 0.05") for lbl in labels)
    assert any(lbl.startswith("simulated mean wait") for lbl in labels)
    measured = f"utilisation ρ = {link.line.utilisation:.3f} (theory λE[S] = 0.700)"
    assert measured in labels
    assert measured in fig.get_suptitle()
    assert ax.get_xscale() == "log"
    assert zero_ax.patches[0].get_height() == link.line.wait_hist_counts[0]
    assert "no wait" in zero_ax.get_title()


def test_line_waits_needs_a_histogram(result):
    with pytest.raises(ValueError, match="no waiting-time histogram"):
        plots.line_waits(result.link("india-fixed"))


# -- colours, files, imports ----------------------------------------------------------
def test_symbol_colours_use_real_names_and_a_palette_otherwise():
    c = plots.symbol_colours(["blue", "red", "green", "yellow", "spam", "eggs"])
    assert c["blue"] == "blue" and c["red"] == "red" and c["green"] == "green"
    assert c["yellow"] == "goldenrod"
    assert c["spam"] != c["eggs"] and c["spam"].startswith("#")


def test_render_all_writes_every_figure_and_leaves_no_pyplot_figure(result, tmp_path):
    import matplotlib.pyplot as plt

    paths = plots.render_all(result, tmp_path, formats=("png", "svg"))
    names = {p.name for p in paths}
    stems = {
        "distributions", "convergence-india", "convergence-australia",
        "code-india-huffman", "budget-india-huffman", "waits-india-huffman",
        "code-india-fixed", "budget-india-fixed",
        "code-australia-with-india-code", "budget-australia-with-india-code",
    }  # fmt: skip
    assert names == {f"{s}.{ext}" for s in stems for ext in ("png", "svg")}
    for p in paths:
        head = p.read_bytes()[:8]
        assert head.startswith(b"\x89PNG") if p.suffix == ".png" else b"<" in head
    assert plt.get_fignums() == []


def test_svg_markup_holds_no_url_and_prefixes_ids(result):
    fig = plots.convergence(result, "india")
    svg = plots.svg_markup(fig, id_prefix="c-")
    assert svg.startswith("<svg") and "http" not in svg
    assert "H(q) = 1.7497 bits (urn india)" in svg  # text stays text
    assert 'id="c-figure_1"' in svg


def test_slug_makes_file_names_safe():
    assert plots.slug("a/b c") == "a-b-c"
    assert plots.slug("///") == "unnamed"


def test_figures_for_a_link_with_a_non_uniquely_decodable_code(result):
    link = dataclasses.replace(result.link("india-fixed"), codewords=SCHEME1)
    specs = plots.figure_specs(dataclasses.replace(result, links=(link,)))
    code_fig = next(s for s in specs if s.kind == "code").build()
    assert "not uniquely decodable" in code_fig.axes[0].get_title()


def test_results_coding_and_plot_modules_do_not_import_matplotlib():
    code = (
        "import sys, coding, sim.model.results, sim.publish.plots, sim.publish.report\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_teaching_specs_draw_a_witness_for_a_code_that_is_not_uniquely_decodable():
    from sim.publish.plots import teaching_specs

    urns = {"india": {"blue": 0.25, "red": 0.5, "green": 0.13, "yellow": 0.12}}
    scheme1 = {"blue": "0", "red": "1", "green": "10", "yellow": "11"}
    specs = teaching_specs(urns, [("india-scheme1", "scheme1", scheme1, "india")])
    assert [s.stem for s in specs] == ["distributions", "code-india-scheme1", "budget-india-scheme1"]
    fig = specs[1].build()
    title = fig.axes[0].get_title()
    assert "not uniquely decodable" in title and "'10' = green = red·blue" in title
    labels = " ".join(t.get_text() for ax in fig.axes for t in ax.texts)
    assert "green (10)" in labels and "red (1)" in labels and "blue (0)" in labels


def test_figures_of_a_real_small_run_carry_its_theory_lines(tmp_path):
    from sim.engine.simulation import run
    from sim.scenario.loader import load

    res = run(load("busy_telegraph_office"), messages=5_000)
    paths = plots.render_all(res, tmp_path)
    stems = {p.stem for p in paths}
    assert {"distributions", "convergence-india", "waits-huffman", "code-huffman"} <= stems
    labels = [ln.get_label() for ln in plots.convergence(res, "india").axes[0].get_lines()]
    huff = res.link("huffman")
    assert f"H(q) = {huff.theory.entropy:.4f} bits (urn india)" in labels
    assert any(lab.startswith(f"L = {huff.theory.expected_length:.4f}") for lab in labels)
    waits = plots.line_waits(huff)
    legend = " ".join(_legend(waits.axes[-1]))
    assert f"W = {huff.theory.pk_mean_wait:.4g} s" in legend
    assert f"simulated mean wait = {huff.line.mean_wait:.4g} s" in legend
