"""Tests for sim.publish.explain: the article's worked arithmetic, for a scenario.

Goldens come from the source article's India/Australia boxes (India: blue 25,
red 50, green 13, yellow 12; Australia: blue 13, red 25, green 50, yellow 12),
recomputed exactly through the coding package.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

from coding import (
    cross_entropy,
    entropy,
    fixed_length,
    from_codewords,
    huffman,
    kl_divergence,
)
from sim.model.records import Arrivals, CodeSpec, Line, Link, Scenario, Tariff, Urn
from sim.publish.explain import article_corrections, explain

INDIA = Urn("india", {"blue": 25, "red": 50, "green": 13, "yellow": 12})
AUSTRALIA = Urn("australia", {"blue": 13, "red": 25, "green": 50, "yellow": 12})
SCHEME1 = from_codewords({"blue": "0", "red": "1", "green": "10", "yellow": "11"})
SCHEME2 = from_codewords({"blue": "0", "red": "10", "green": "110", "yellow": "111"})
SCHEME3 = from_codewords({"blue": "10", "red": "0", "green": "110", "yellow": "111"})
HUFFMAN = huffman(INDIA.distribution)
CABLE = Line("cable", baud=50, latency=0.1, tariff=Tariff(per_bit=0.01, per_telegram=0.5))
NUM = r"([−-]?\d+(?:\.\d+)?)"


def _link(name, urn, code_name, code, *, code_type="table", built_for=None, **kw):
    assumed = None
    if built_for is not None:
        assumed = {"india": INDIA, "australia": AUSTRALIA}[built_for].distribution
    return Link(name, urn, code_name, code_type, code, CABLE, built_for=built_for, assumed=assumed, **kw)


def _num(s: str) -> float:
    return float(s.replace("−", "-"))


@pytest.fixture(scope="module")
def blog() -> Scenario:
    links = (
        _link("india-fixed", INDIA, "fixed", fixed_length(INDIA.distribution), code_type="fixed"),
        _link("india-scheme1", INDIA, "scheme1", SCHEME1),
        _link("india-scheme2", INDIA, "scheme2", SCHEME2),
        _link("india-scheme3", INDIA, "scheme3", SCHEME3),
        _link(
            "india-huffman",
            INDIA,
            "huffman",
            HUFFMAN,
            code_type="huffman",
            built_for="india",
            arrivals=Arrivals("poisson", rate=20),
        ),
        _link(
            "australia-with-india-code",
            AUSTRALIA,
            "huffman",
            HUFFMAN,
            code_type="huffman",
            built_for="india",
            arrivals=Arrivals("fixed", every=0.01),
        ),
    )
    codes = {
        "fixed": CodeSpec("fixed", "fixed"),
        "scheme1": CodeSpec("scheme1", "table", SCHEME1),
        "scheme2": CodeSpec("scheme2", "table", SCHEME2),
        "scheme3": CodeSpec("scheme3", "table", SCHEME3),
        "huffman": CodeSpec("huffman", "huffman", HUFFMAN, "india"),
    }
    return Scenario(
        "india-to-australia",
        links,
        description="Balls drawn in India, telegraphed to Australia.",
        urns={"india": INDIA, "australia": AUSTRALIA},
        codes=codes,
        lines={"cable": CABLE},
    )


@pytest.fixture(scope="module")
def text(blog: Scenario) -> str:
    return explain(blog)


def _section(text: str, start: str) -> str:
    """The block of lines from the one starting with ``start`` to the next blank line."""
    lines = text.splitlines()
    i = next(k for k, line in enumerate(lines) if line.startswith(start))
    j = next((k for k in range(i, len(lines)) if lines[k] == ""), len(lines))
    return "\n".join(lines[i:j])


# -- structure ------------------------------------------------------------------------
def test_sections_in_order_and_lines_short(text: str) -> None:
    heads = ["Scenario india-to-australia", "Balls drawn in India", "Urns", "Codes", "Links", "Notation"]
    positions = [text.index(h) for h in heads]
    assert positions == sorted(positions)
    assert all(len(line) <= 100 for line in text.splitlines())


# -- urns -----------------------------------------------------------------------------
def test_entropy_written_out(text: str) -> None:
    # Article: H = 1.749 ~ 1.75 for the India box.
    assert "H(india) = 0.25·2.000 + 0.50·1.000 + 0.13·2.943 + 0.12·3.059 = 1.7497 bits" in text
    assert "H(australia) = 0.13·2.943 + 0.25·2.000 + 0.50·1.000 + 0.12·3.059 = 1.7497 bits" in text


def test_urn_table_has_counts_probabilities_and_ideal_lengths(text: str) -> None:
    urn = _section(text, "Urn india")
    assert re.search(r"green\s+13\s+0\.13\s+2\.943", urn)
    assert re.search(r"red\s+50\s+0\.50\s+1\.000", urn)


# -- codes ----------------------------------------------------------------------------
def test_kraft_sums_written_out(text: str) -> None:
    assert "1/4 + 1/2 + 1/8 + 1/8 = 1" in _section(text, "Code scheme3")
    assert "1/2 + 1/4 + 1/8 + 1/8 = 1" in _section(text, "Code scheme2")
    assert "1/2 + 1/2 + 1/4 + 1/4 = 3/2 > 1" in _section(text, "Code scheme1")


def test_fixed_code_is_shown_as_built_for_its_link(text: str) -> None:
    block = _section(text, "Code fixed")
    assert "india-fixed" in block
    assert "1/4 + 1/4 + 1/4 + 1/4 = 1" in block


def test_verdicts(text: str) -> None:
    s3 = _section(text, "Code scheme3")
    assert "Prefix-free: yes" in s3 and "Uniquely decodable: yes" in s3
    s1 = _section(text, "Code scheme1")
    assert "Prefix-free: no" in s1 and "Uniquely decodable: NO" in s1


def test_scheme1_witness_and_article_example(text: str) -> None:
    block = _section(text, "Code scheme1")
    witness = SCHEME1.ambiguity()
    assert witness is not None
    assert f"witness {witness.string} reads as" in block
    for reading in (witness.first, witness.second):
        cut = " | ".join(SCHEME1[s] for s in reading)
        assert re.search(re.escape("·".join(reading)) + r"\s+= " + re.escape(cut), block)
    assert "cannot know which message was sent" in block
    # The article's own example: 010 = blue·green = blue·red·blue.
    assert sorted(SCHEME1.parses("010")) == [("blue", "green"), ("blue", "red", "blue")]
    flat = " ".join(block.split())
    assert "send blue then green and the line carries 010 (0 | 10)" in flat
    assert "blue·red·blue (0 | 1 | 0)" in flat
    assert "Kraft–McMillan" in block and "K = 3/2 > 1" in block


def test_non_ud_code_with_kraft_at_most_one_says_kraft_does_not_show_it() -> None:
    code = from_codewords({"a": "0", "b": "01", "c": "10"})  # K = 1, not UD
    urn = Urn("u", {"a": 2, "b": 1, "c": 1})
    out = explain(Scenario("s", (Link("l", urn, "c", "table", code, CABLE),)))
    assert "Uniquely decodable: NO" in out
    assert "not sufficient" in out


# -- links ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("link", "sum_text", "total"),
    [
        # Article: schemes 1, 2, 3 give 1.25, 2 and 1.75 bits on the India box.
        ("india-scheme1", "0.25·1 + 0.50·1 + 0.13·2 + 0.12·2", "1.2500"),
        ("india-scheme2", "0.25·1 + 0.50·2 + 0.13·3 + 0.12·3", "2.0000"),
        ("india-scheme3", "0.25·2 + 0.50·1 + 0.13·3 + 0.12·3", "1.7500"),
        ("india-fixed", "0.25·2 + 0.50·2 + 0.13·2 + 0.12·2", "2.0000"),
        ("australia-with-india-code", "0.13·2 + 0.25·1 + 0.50·3 + 0.12·3", "2.3700"),
    ],
)
def test_expected_length_written_out(text: str, link: str, sum_text: str, total: str) -> None:
    block = _section(text, f"Link {link}:")
    assert f"= {sum_text} = {total} bits per message" in block


def test_scheme1_link_is_below_entropy_and_cannot_run(text: str) -> None:
    block = _section(text, "Link india-scheme1:")
    assert "BELOW the entropy" in block and "cannot be run" in block
    assert "ρ =" not in block


def test_australia_cross_entropy_and_kl_both_ways(text: str) -> None:
    q, p = AUSTRALIA.distribution, INDIA.distribution
    # Article: cross entropy 2.348; issue 2: KL(q‖p) = 0.5991, KL(p‖q) = 0.4832.
    assert round(cross_entropy(q, p), 4) == 2.3488
    assert round(kl_divergence(q, p), 4) == 0.5991
    assert round(kl_divergence(p, q), 4) == 0.4832
    block = _section(text, "Link australia-with-india-code:")
    assert (
        "H(australia, india) = Σ q(x)·(−log2 p(x)) = 0.13·2.000 + 0.25·1.000 + 0.50·2.943 + "
        "0.12·3.059" in block
    )
    assert "= 2.3488 bits" in block
    assert "0.5991 bits" in block and "= H(australia, india) − H(australia) = 2.3488 − 1.7497" in block
    assert "0.4832 bits" in block and "= H(india, australia) − H(india) = 2.2329 − 1.7497" in block
    assert "differ because" in block and "green" in block


def test_matched_code_has_zero_divergence(text: str) -> None:
    block = _section(text, "Link india-huffman:")
    assert "Both divergences are 0" in block


def test_identity_lines_add_up(text: str) -> None:
    pattern = re.compile(rf"L = H\(q\) \+ D\(q‖r\) − log2 K:\s+{NUM} = {NUM} \+ {NUM} − \(?{NUM}\)?")
    found = pattern.findall(text)
    assert len(found) == 6  # one per link
    for L, H, D, logK in found:
        # Each figure is rounded to 4 decimals, so allow three half-units of rounding.
        assert math.isclose(_num(L), _num(H) + _num(D) - _num(logK), abs_tol=1.5e-4)
    block = _section(text, "Link india-scheme1:")
    L, H, D, logK = pattern.search(block).groups()
    assert (_num(L), _num(H), _num(logK)) == (1.25, 1.7497, round(math.log2(1.5), 4))


def test_identity_numbers_match_the_coding_package(text: str) -> None:
    pattern = re.compile(rf"L = H\(q\) \+ D\(q‖r\) − log2 K:\s+{NUM} = {NUM} \+ {NUM}")
    block = _section(text, "Link australia-with-india-code:")
    L, H, D = (_num(x) for x in pattern.search(block).groups())
    q = AUSTRALIA.distribution
    assert L == round(HUFFMAN.expected_length(q), 4)
    assert H == round(entropy(q), 4)
    assert D == round(kl_divergence(q, HUFFMAN.implied_distribution()), 4)


def test_identity_adds_up_for_random_codes() -> None:
    rng = np.random.default_rng(1948)
    for k in range(20):
        n = int(rng.integers(2, 7))
        counts = {f"c{i}": int(c) for i, c in enumerate(rng.integers(0, 40, n))}
        counts["c0"] += 1
        urn = Urn(f"u{k}", counts)
        lengths = rng.integers(1, 5, n)
        code = from_codewords({f"c{i}": format(i, "b").zfill(int(lengths[i]) + 3) for i in range(n)})
        out = explain(Scenario("s", (Link("l", urn, "c", "table", code, CABLE),)))
        m = re.search(rf"log2 K:\s+{NUM} = {NUM} \+ {NUM} − \(?{NUM}\)?", out)
        L, H, D, logK = (_num(x) for x in m.groups())
        assert math.isclose(L, H + D - logK, abs_tol=1.5e-4)
        assert L == round(code.expected_length(urn.distribution), 4)


# -- the line -------------------------------------------------------------------------
def test_pollaczek_khinchine_wait_matches_formula(text: str) -> None:
    block = _section(text, "Link india-huffman:")
    lam, baud = 20.0, 50.0
    q = INDIA.distribution.probabilities
    lengths = HUFFMAN.length_array(INDIA.distribution.symbols).astype(float)
    ES = float(q @ lengths) / baud
    ES2 = float(q @ lengths**2) / baud**2
    rho = lam * ES
    W = lam * ES2 / (2 * (1 - rho))
    m = re.search(rf"ρ = λ·L/baud = .* = {NUM}", block)
    assert math.isclose(_num(m.group(1)), rho, abs_tol=5e-5)
    m = re.search(rf"W = λ·E\[S²\]/\(2\(1 − ρ\)\) = .* = {NUM} s", block)
    assert math.isclose(_num(m.group(1)), W, rel_tol=1e-4)
    assert "E[l²] = Σ q(x)·l(x)² = 0.25·4 + 0.50·1 + 0.13·9 + 0.12·9 = 3.7500" in block


def test_pk_for_a_busier_poisson_line() -> None:
    code = SCHEME3
    lam, baud = 25.0, 50.0
    link = Link(
        "busy",
        INDIA,
        "scheme3",
        "table",
        code,
        Line("wire", baud=baud),
        arrivals=Arrivals("poisson", rate=lam),
    )
    out = explain(Scenario("busy", (link,)))
    p, l_ = INDIA.distribution.probabilities, code.length_array().astype(float)
    rho = lam * float(p @ l_) / baud
    W = lam * (float(p @ l_**2) / baud**2) / (2 * (1 - rho))
    m = re.search(rf"W = .* = {NUM} s", out)
    assert math.isclose(_num(m.group(1)), W, rel_tol=1e-4)


def test_overloaded_line_is_flagged_unstable(text: str) -> None:
    block = _section(text, "Link australia-with-india-code:")
    # 100 messages/s · 2.37 bits / 50 baud = 4.74.
    assert "ρ = λ·L/baud = 100·2.3700/50 = 4.7400" in block
    assert "UNSTABLE" in block and "W = " not in block


def test_back_to_back_line_reports_throughput(text: str) -> None:
    block = _section(text, "Link india-fixed:")
    assert "ρ = 1" in block and "25 messages per second" in block


# -- robustness -----------------------------------------------------------------------
def test_zero_count_colours_and_infinite_divergence_do_not_raise() -> None:
    sparse = Urn("sparse", {"blue": 0, "red": 3, "green": 1, "yellow": 0})
    built = huffman(sparse.distribution)
    links = (
        Link(
            "sparse-own",
            sparse,
            "h",
            "huffman",
            built,
            CABLE,
            built_for="sparse",
            assumed=sparse.distribution,
            arrivals=Arrivals("poisson", rate=5),
        ),
        # India draws blue and yellow, which the sparse urn says never occur: D = ∞.
        Link(
            "india-on-sparse-code",
            INDIA,
            "h",
            "huffman",
            built,
            CABLE,
            built_for="sparse",
            assumed=sparse.distribution,
        ),
        Link("sparse-scheme1", sparse, "scheme1", "table", SCHEME1, CABLE),
    )
    out = explain(Scenario("sparse", links, urns={"sparse": sparse, "india": INDIA}))
    assert "0·log 0 = 0" in out
    assert "∞" in out
    assert all(len(line) <= 100 for line in out.splitlines())
    m = re.findall(rf"log2 K:\s+{NUM} = {NUM} \+ {NUM} − \(?{NUM}\)?", out)
    assert len(m) == 3
    for L, H, D, logK in m:
        assert math.isclose(_num(L), _num(H) + _num(D) - _num(logK), abs_tol=1.5e-4)


def test_minimal_scenario_and_empty_description() -> None:
    out = explain(Scenario("bare", (Link("l", INDIA, "s2", "table", SCHEME2, CABLE),)))
    assert out.startswith("Scenario bare\n")
    assert "Code s2" in out and "Urn india" in out


def test_bundled_scenarios_explain_without_error() -> None:
    scenario_mod = pytest.importorskip("sim.scenario.loader")
    files = sorted((Path(__file__).parents[3] / "scenarios").glob("*.yaml"))
    if not files:
        pytest.skip("no bundled scenarios yet")
    for path in files:
        out = explain(scenario_mod.load(path, allow_ambiguous=True))
        assert "Notation" in out
        assert all(len(line) <= 100 for line in out.splitlines())


# -- notation and corrections -----------------------------------------------------------
def test_notation_note(text: str) -> None:
    note = text[text.index("Notation") :]
    assert "cross_entropy(q, p)" in note and "H_p(q)" in note


def test_article_corrections() -> None:
    note = article_corrections()
    assert "Σ_j e^{x_j}" in note
    assert "CE = −Σ" in note
    assert "minimis" in note
    assert "nll_loss" in note and "LOG-probabilities" in note and "log_target=False" in note
    assert "KLDivergence takes probabilities" in note
    assert "divide by ln 2" in note and "nats" in note
    assert "H_p(q)" in note
    assert all(len(line) <= 100 for line in note.splitlines())


def test_article_corrections_of_issue_9() -> None:
    # Each checked against the article text: μ = 32 for a mean of 30, P(x = 32) for a continuous
    # variable, a posterior called a likelihood, the sign of "cross entropy = log likelihood",
    # Σ → ∫, "reducing uncertainty by 2", p and q swapped in the KL section, "scheme 2 is the reverse".
    note = article_corrections()
    assert "mean 30" in note and "μ = 32" in note and "posterior" in note
    assert "NEGATIVE log-likelihood" in note
    assert "differential entropy" in note and "negative" in note
    assert "FACTOR of 2" in note
    assert "P the predicted one and Q the true one" in note
    assert "scheme 3 that reverses" in note


def test_without_replacement_link_says_the_source_is_not_iid() -> None:
    tiny = Urn("tiny", {"a": 1, "b": 2, "c": 1})
    code = huffman(tiny.distribution)
    link = Link(
        "t", tiny, "h", "huffman", code, CABLE, built_for="tiny", assumed=tiny.distribution, replacement=False
    )
    out = explain(
        Scenario("s", (link,), urns={"tiny": tiny}, codes={"h": CodeSpec("h", "huffman", code, "tiny")})
    )
    flat = " ".join(out.split())
    assert "not an i.i.d. source" in flat and "0.8962 bits per ball" in flat and "H = 1.5000" in flat
    assert "finite-population factor" in flat
    assert "Huffman's code is optimal over the colours listed for it" in flat
    assert all(len(line) <= 100 for line in out.splitlines())


def test_huffman_note_names_a_colour_with_no_balls() -> None:
    urn = Urn("u", {"a": 3, "b": 1, "c": 0})
    code = huffman(urn.distribution)
    link = Link("u", urn, "h", "huffman", code, CABLE, built_for="u", assumed=urn.distribution)
    out = explain(Scenario("s", (link,), urns={"u": urn}, codes={"h": CodeSpec("h", "huffman", code, "u")}))
    assert "including c with no balls, which still gets a codeword" in " ".join(out.split())
    assert "c" in code.codewords
