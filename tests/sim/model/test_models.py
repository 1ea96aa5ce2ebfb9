"""Inline models as a code's ``for``: probabilities or logits with a temperature (issue 13, item 1)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from coding import Distribution, cross_entropy
from coding.losses import LOSS_MAPPING, nats_to_bits, pytorch
from sim.engine.simulation import run
from sim.model.records import CodeSpec, Model, RecordError
from sim.model.results import RunResult
from sim.model.theory import link_theory
from sim.publish import report
from sim.publish.explain import explain, framework_loss
from sim.scenario.loader import ScenarioError, dump, loads

INDIA = {"blue": 0.25, "red": 0.5, "green": 0.13, "yellow": 0.12}
AUSTRALIA = {"blue": 13, "red": 25, "green": 50, "yellow": 12}
LOGITS = {"blue": 0.2, "red": 1.1, "green": -0.3, "yellow": -0.4}

TEXT = f"""
seed: 13
messages: 20000
urns:
  australia: {json.dumps(AUSTRALIA)}
codes:
  model: {{type: huffman, for: {{probabilities: {json.dumps(INDIA)}}}}}
  shan:  {{type: shannon, for: {{probabilities: {json.dumps(INDIA)}}}}}
  logit: {{type: fano, for: {{logits: {json.dumps(LOGITS)}, temperature: 2}}}}
lines:
  cable: {{baud: 50}}
links:
  - {{name: huffman-model, urn: australia, code: model}}
  - {{name: shannon-model, urn: australia, code: shan}}
  - {{name: logit-model, urn: australia, code: logit}}
"""


@pytest.fixture(scope="module")
def scenario():
    return loads(TEXT, filename="models.yaml")


def test_the_model_is_what_the_code_assumes_and_theory_prices_h_q_p(scenario):
    huff, shan, logit = scenario.links
    india = Distribution(INDIA)
    assert huff.assumed == india and huff.built_for is None and huff.model.probabilities == INDIA
    q = Distribution.from_counts(AUSTRALIA)
    # India's proportions as a model on Australia's box: H(q, p) = 2.3488; Huffman pays 2.37.
    theory = link_theory(huff)
    assert round(theory.cross_entropy, 4) == 2.3488
    assert theory.cross_entropy == pytest.approx(cross_entropy(q, india), abs=1e-15)
    assert theory.expected_length == pytest.approx(2.37)
    assert dict(huff.code.codewords) == {"blue": "10", "red": "0", "green": "110", "yellow": "111"}
    # Shannon's lengths ⌈−log2 p⌉ of the model: 2, 1, 3, 4.
    assert dict(shan.code.lengths) == {"blue": 2, "red": 1, "green": 3, "yellow": 4}
    # The logits' softmax at T = 2, denominator over every colour.
    z = np.array(list(LOGITS.values())) / 2
    want = np.exp(z) / np.exp(z).sum()
    np.testing.assert_allclose(logit.assumed.probabilities, want, rtol=1e-15)
    assert logit.assumed == Distribution.from_logits(LOGITS, 2)


def test_temperature_sharpens_and_flattens_the_model():
    cold, hot = (Model(logits=LOGITS, temperature=t).distribution for t in (0.25, 4.0))
    warm = Model(logits=LOGITS).distribution
    assert cold["red"] > warm["red"] > hot["red"] > 0.25


def test_a_run_on_the_model_measures_and_checks_it(scenario):
    result = run(scenario)
    huff, shan, _ = result.links
    assert all(link.all_passed for link in result.links), [c for link in result.links for c in link.failed]
    assert huff.model == {"probabilities": INDIA}
    assert abs(huff.bits_per_message - 2.37) < 0.03
    assert "shannon_bound" in {c.name for c in shan.checks}
    again = RunResult.from_dict(json.loads(json.dumps(result.to_dict())))
    assert again.links[2].model == {"logits": LOGITS, "temperature": 2.0}


def test_a_model_code_dumps_and_loads_back(scenario):
    text = dump(scenario)
    again = loads(text)
    assert [link.model for link in again.links] == [link.model for link in scenario.links]
    assert [link.code for link in again.links] == [link.code for link in scenario.links]
    assert dump(again) == text


@pytest.mark.parametrize(
    "kwargs, text",
    [
        ({"probabilities": {"a": 0.5, "b": 0.6}}, "'probabilities' must sum to 1 within 1e-06 (got 1.1)"),
        (
            {"probabilities": {"a": 1.5, "b": -0.5}},
            "probabilities['a'] must be a probability, 0 to 1 (got 1.5); probabilities['b']",
        ),
        ({"logits": {"a": math.nan}}, "logits['a'] must be a finite number"),
        ({"logits": {"a": 1.0}, "temperature": 0.0}, "'temperature' must be positive"),
        ({"logits": {"a": 1.0}, "temperature": math.inf}, "'temperature' must be a finite number"),
        ({"probabilities": {"a": 1.0}, "logits": {"a": 1.0}}, "exactly one of probabilities or logits"),
        ({}, "exactly one of probabilities or logits"),
        ({"probabilities": {"a": 1.0}, "temperature": 2.0}, "goes with logits"),
    ],
)
def test_a_bad_model_is_refused_naming_the_field(kwargs, text):
    with pytest.raises(RecordError, match=None) as info:
        Model(**kwargs)
    assert text in str(info.value)


def test_probabilities_within_the_tolerance_are_renormalised():
    p = Model(probabilities={"a": 0.3333333, "b": 0.6666667}).distribution
    assert p.probabilities.sum() == pytest.approx(1.0, abs=1e-15)
    with pytest.raises(RecordError, match="not both"):
        CodeSpec("c", "huffman", None, "india", model=Model(probabilities={"a": 1.0}))


def test_explain_works_the_softmax_and_the_loss_in_nats_and_bits(scenario):
    text = explain(scenario)
    assert "Σ_y e^(z(y)/T − 0.55) = e^(−0.4500) + e^(0.0000) + e^(−0.7000) + e^(−0.7500)" in text
    assert "denominator summing over EVERY colour" in text
    # India's model on Australia's box, as PyTorch would report it and as the telegraph bills it.
    line = " ".join(text.split())
    assert "cross_entropy(ln p, q) = 1.6280 nats; 1.6280 / ln 2 = 2.3488 bits = H(australia, p)" in line
    assert "Huffman code pays 2.3700 bits per ball on average, 0.0212 against that ideal" in line
    for role in LOSS_MAPPING:
        assert role.call in line
    nats, bits = framework_loss(scenario.links[0])
    assert bits == pytest.approx(2.348775, abs=1e-6) and bits == nats_to_bits(nats)
    assert nats == pytest.approx(
        float(pytorch.cross_entropy([np.log(list(INDIA.values()))], [[0.13, 0.25, 0.5, 0.12]]))
    )


def test_explain_prices_an_arithmetic_model_link_at_the_cross_entropy():
    text = " ".join(
        explain(
            loads(TEXT.replace("type: huffman, for: {probabilities", "type: arithmetic, for: {probabilities"))
        ).split()
    )
    assert "Its arithmetic code pays 2.3488 bits per ball on average, 0.0000 against that ideal" in text


def test_explain_leaves_the_loss_section_out_without_a_model():
    text = explain(
        loads(
            TEXT.replace("for: {probabilities", "for: {probabilities").split("codes:")[0]
            + "codes:\n  h: {type: huffman, for: australia}\nlines:\n  cable: {baud: 50}\n"
            "links:\n  - {urn: australia, code: h}\n"
        )
    )
    assert "The bill as a training loss" not in text


def test_the_loss_mapping_names_h_cross_entropy_and_kl_and_the_slips():
    joined = " ".join(role.telegraph for role in LOSS_MAPPING)
    for term in ("H(q, p)", "D(q‖p)", "H(q)", "log-probabilities"):
        assert term in joined
    assert sum(bool(role.slip) for role in LOSS_MAPPING) == 4


def test_the_report_shows_the_loss_table(scenario, tmp_path):
    result = run(scenario, messages=2000)
    path = report.write_report(result, tmp_path)
    page = path.read_text(encoding="utf-8")
    assert "<h2>The bill as a training loss</h2>" in page
    assert "<td>1.6280</td>" in page.replace(' class="num"', "")
    assert all(report._e(role.call) in page for role in LOSS_MAPPING)


def test_a_stream_code_on_a_model_that_rules_out_a_drawn_colour_is_refused():
    text = TEXT.replace(
        "type: huffman, for: {probabilities", "type: arithmetic, for: {probabilities"
    ).replace('"green": 0.13, "yellow": 0.12', '"green": 0.25, "yellow": 0.0')
    with pytest.raises(ScenarioError) as info:
        loads(text, filename="zero.yaml")
    assert "is built on its model, which gives a colour that urn 'australia' draws probability 0" in str(
        info.value
    )
