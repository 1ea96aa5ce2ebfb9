"""report.html: self-contained, complete, re-renderable from a saved folder, opens in a browser."""

from __future__ import annotations

import dataclasses
import json
import subprocess

import numpy as np
import pytest

from sim.model.results import Check, RunResult, traces_from_csv, traces_to_csv
from sim.publish import plots, report
from tests.sim.publish.browser import chromium
from tests.sim.small_run import make_result

EXPLAIN = "L = 0.25·2 + 0.5·1 + 0.13·3 + 0.12·3 = 1.75 <b>bits</b> & more"


@pytest.fixture(scope="module")
def result():
    return make_result(20_000)


@pytest.fixture(scope="module")
def saved(result, tmp_path_factory):
    """A results folder as `telegraph run` leaves it, rendered once."""
    folder = tmp_path_factory.mktemp("results") / result.scenario
    folder.mkdir()
    (folder / "summary.json").write_text(json.dumps(result.to_dict(), indent=2))
    (folder / "trace.csv").write_text(traces_to_csv(result))
    (folder / "explain.txt").write_text(EXPLAIN)
    paths = report.render_from_folder(folder)
    return folder, paths


@pytest.fixture(scope="module")
def page(saved):
    return (saved[0] / "report.html").read_text(encoding="utf-8")


def test_report_references_no_url(page):
    assert "http://" not in page and "https://" not in page
    assert "//cdn" not in page and 'src="//' not in page and "@import" not in page


def test_report_has_an_inline_figure_and_a_numbers_table_per_link(result, page):
    assert page.count("<svg") == len(plots.figure_specs(result)) == 10
    assert page.count('<table class="numbers">') == len(result.links)
    assert page.count('<table class="checks">') == len(result.links)
    for link in result.links:
        assert f'id="link-{link.name}"' in page
        assert f"{link.bits_per_message:.4f}" in page
        lo, hi = link.ci95()
        assert f"[{lo:.4f}, {hi:.4f}]" in page
    for text in (
        "expected length L(q)",
        "entropy H(q)",
        "cross entropy H(q, p)",
        "KL divergence D(q‖p)",
        "utilisation ρ",
        "mean wait",
        "2.3488",
        "1.7497",
    ):
        assert text in page
    assert "<style>" in page and "<link" not in page and "<script" not in page


def test_report_escapes_text_and_shows_explain_in_pre(page):
    assert (
        "<pre>" + EXPLAIN.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") + "</pre>" in page
    )
    assert "&lt;India&gt; &amp; Australia" in page  # the description
    assert "&lt; H + 1" in page  # a check detail (huffman_bound: H ≤ L < H + 1)
    assert "<b>bits</b>" not in page


def test_report_svg_ids_are_unique(page):
    import re

    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids))


def test_report_marks_failed_checks(result, tmp_path):
    link = result.links[0]
    bad = dataclasses.replace(link, checks=(Check("H(q) <= L", False, "H = 2 > L = 1"),))
    fake = {s.stem: "<svg></svg>" for s in plots.figure_specs(result)}  # skip drawing
    path = report.write_report(dataclasses.replace(result, links=(bad,)), tmp_path, figures=fake)
    text = path.read_text()
    assert '<span class="fail">FAIL</span>' in text and "0 pass, 1 FAIL" in text


def test_report_shows_inconclusive_checks_and_the_whole_draw_line(result, tmp_path):
    link = result.links[0]
    undecided = Check("pollaczek_khinchine", None, "the run holds 2 relaxation times")
    theory = dataclasses.replace(link.theory, whole_draw_per_ball=0.8962)
    odd = dataclasses.replace(link, checks=(undecided,), replacement=False, theory=theory)
    fake = {s.stem: "<svg></svg>" for s in plots.figure_specs(result)}
    text = report.write_report(dataclasses.replace(result, links=(odd,)), tmp_path, figures=fake).read_text()
    assert '<span class="inconclusive">inconclusive</span>' in text and "1 inconclusive" in text
    assert "not i.i.d." in text and "0.8962" in text and "FAIL</span>" not in text
    assert 'id="explain"' not in text  # no explain text given


def test_write_report_draws_figures_it_is_not_given_and_refuses_urls(result, tmp_path):
    specs = plots.figure_specs(result)
    given = {s.stem: "<svg><text>given</text></svg>" for s in specs}
    given["distributions"] = '<svg><a href="https://example.org">x</a></svg>'
    del given["code-india-fixed"]
    text = report.write_report(result, tmp_path, figures=given).read_text()
    assert "https://" not in text
    assert text.count("<text>given</text>") == len(specs) - 2
    assert text.count("<svg") == len(specs)


def test_render_from_folder_reproduces_the_figures_of_render_all(result, saved, tmp_path):
    folder, paths = saved
    direct = plots.render_all(result, tmp_path)
    assert [p.name for p in paths] == [p.name for p in direct] + ["report.html"]
    assert all(p.parent == folder and p.stat().st_size > 0 for p in paths)
    # The convergence figure drawn from the saved folder has the same curves.
    reread = RunResult.from_dict(
        json.loads((folder / "summary.json").read_text()), traces_from_csv((folder / "trace.csv").read_text())
    )
    a = plots.convergence(result, "india").axes[0].get_lines()
    b = plots.convergence(reread, "india").axes[0].get_lines()
    assert [ln.get_label() for ln in a] == [ln.get_label() for ln in b]
    assert all(np.array_equal(x.get_ydata(), y.get_ydata()) for x, y in zip(a, b))


def test_render_from_folder_rejects_a_folder_without_summary(tmp_path):
    with pytest.raises(ValueError, match="no summary.json"):
        report.render_from_folder(tmp_path)
    (tmp_path / "summary.json").write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        report.render_from_folder(tmp_path)


def test_report_opens_in_headless_chromium(saved, tmp_path):
    browser = chromium()
    if browser is None:
        pytest.skip("no chromium, chromium-browser or google-chrome on PATH: browser test skipped")
    folder, _ = saved
    cmd = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--dump-dom",
        (folder / "report.html").as_uri(),
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=90)
    dom = out.stdout
    assert out.returncode == 0, out.stderr[-2000:]
    assert dom.count("<svg") == 10  # parsed as SVG elements, not text
    assert dom.count('<table class="numbers">') == 3
    assert "H(q) = 1.7497 bits (urn india)" in dom  # figure text is in the DOM
    assert "measured bits/message" in dom


def test_report_closes_with_the_corrections_to_the_source_article(page):
    section = page[page.index('<section id="article">') :]
    assert "Where the source article slips" in section
    assert "Σ_j e^{x_j}" in section and "LOG-probabilities" in section
