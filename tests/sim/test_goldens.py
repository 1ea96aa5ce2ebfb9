"""Seeded golden runs of every runnable bundled scenario.

The ``bits`` below are seeded goldens, recorded by running each scenario once
with its own seed (1948) and 20 000 messages per link. They change only if the
random streams (seed splitting, urn draws, arrival times) or the engine change;
if such a change is intended, rerun and record them again, and say so in the
commit. The theory numbers are not recorded but the article's arithmetic
(H = 1.7497, H(q, p) = 2.3488, L = 2.37 …) and must never change.

(``not_uniquely_decodable`` cannot run: its code is refused, see test_cli.py.)
"""

from __future__ import annotations

import pytest

from sim.engine import simulation as engine
from sim.scenario import loader as scenario

MESSAGES = 20_000
H_INDIA = 1.7497  # H(0.25, 0.5, 0.13, 0.12); the Australia box has the same counts permuted

# Per link: (golden bits, expected length L, cross entropy H(q, p), KL D(q‖p), check names).
BASIC = ["bits_per_message", "entropy_bound", "lossless"]
HUFFMAN = ["bits_per_message", "entropy_bound", "huffman_bound", "lossless"]
ARITHMETIC = [
    "bits_per_message",
    "entropy_bound",
    "arithmetic_bound",
    "arithmetic_sequence_bound",
    "lossless",
]
# A learning link has no entropy_bound: its L is H(q) (or L(q)) by definition, so it could not fail.
ADAPTIVE = ["bits_per_message", "adaptive_bound", "regret_bound", "lossless"]
ADAPTIVE_HUFFMAN = ["bits_per_message", "regret_bound", "lossless"]
QUEUE = ["stable_line", "utilisation", "pollaczek_khinchine"]
BLOCK = ["bits_per_message", "entropy_bound", "block_bound", "lossless"]
TUNSTALL = ["bits_per_message", "entropy_bound", "tunstall_bound", "lossless"]

GOLDENS: dict[str, dict[str, tuple[int, float, float, float, list[str]]]] = {
    "india_to_australia": {
        "india-fixed": (40_000, 2.0, 2.0, 0.2503, BASIC),
        "india-scheme2": (40_104, 2.0, 2.0, 0.2503, BASIC),
        "india-scheme3": (35_102, 1.75, 1.75, 0.0003, BASIC),
        "india-huffman": (34_822, 1.75, H_INDIA, 0.0, HUFFMAN),
    },
    "australia_to_india": {
        # The article's second experiment: India's code on Australia's box costs
        # L = 2.37 bits, above the cross entropy 2.3488 = H + KL = 1.7497 + 0.5991.
        "australia-with-india-code": (47_181, 2.37, 2.3488, 0.5991, BASIC),
        "australia-with-own-code": (35_018, 1.75, H_INDIA, 0.0, HUFFMAN),
        "australia-fixed": (40_000, 2.0, 2.0, 0.2503, BASIC),
        "india-with-india-code": (34_822, 1.75, H_INDIA, 0.0, HUFFMAN),
    },
    "road_to_entropy": {
        # Blocks cannot beat 1.75 on this nearly dyadic box; arithmetic coding lands on H, and on
        # H(q, p) = 2.3488 (not Huffman's 2.37) for Australia's box with India's model.
        "india-fixed": (40_000, 2.0, 2.0, 0.2503, BASIC),
        "india-huffman": (35_040, 1.75, H_INDIA, 0.0, HUFFMAN),
        "india-block2": (35_102, 1.75, H_INDIA, 0.0, BLOCK),
        "india-block3": (34_823, 1.75, H_INDIA, 0.0, BLOCK),
        "india-block4": (35_054, 1.75, H_INDIA, 0.0, BLOCK),
        "india-tunstall": (37_155, 1.8587, H_INDIA, 0.0, TUNSTALL),
        "india-arithmetic": (34_986, H_INDIA, H_INDIA, 0.0, ARITHMETIC),
        "australia-arithmetic-india-model": (46_922, 2.3488, 2.3488, 0.5991, ARITHMETIC),
        "australia-with-india-huffman": (47_518, 2.37, 2.3488, 0.5991, BASIC),
    },
    "australia_learns": {
        # Codes built for a model: India's proportions as probabilities (or as logits ln p)
        # on Australia's box. Arithmetic coding pays the cross entropy itself, 2.3488 (the
        # loss 1.6280 nats / ln 2); Huffman for the same model 2.37. At temperature 2 the
        # softmax flattens India's model and the bill falls to 2.1110; Australia's own
        # proportions reach the entropy.
        "india-model-arithmetic": (46_767, 2.3488, 2.3488, 0.5991, ARITHMETIC),
        "india-model-huffman": (47_525, 2.37, 2.3488, 0.5991, BASIC),
        "india-logits": (47_016, 2.3488, 2.3488, 0.5991, ARITHMETIC),
        "india-logits-hot": (42_231, 2.111, 2.111, 0.3613, ARITHMETIC),
        "own-model": (34_969, H_INDIA, H_INDIA, 0.0, ARITHMETIC),
        # No model at all: adaptive codes start from a uniform prior (H(q, prior) = log2 4 = 2)
        # and learn; their bill per ball tends to H(q) (Huffman's whole bits: 1.75).
        "learns-kt": (34_800, H_INDIA, 2.0, 0.2503, ADAPTIVE),
        "learns-laplace": (34_997, H_INDIA, 2.0, 0.2503, ADAPTIVE),
        "learns-huffman": (35_038, 1.75, 2.0, 0.2503, ADAPTIVE_HUFFMAN),
    },
    "busy_telegraph_office": {
        "fixed": (40_000, 2.0, 2.0, 0.2503, BASIC + QUEUE),
        "scheme2": (40_104, 2.0, 2.0, 0.2503, BASIC + QUEUE),
        "huffman": (35_102, 1.75, H_INDIA, 0.0, HUFFMAN + QUEUE),
    },
}

# Queueing theory for the busy office: λ = 9/s on a 20-baud line (ρ = λ·L/baud,
# Pollaczek–Khinchine W = λ·E[S²] / (2(1 − ρ))), and the seeded mean waits.
QUEUEING = {
    "fixed": (0.9, 0.45, 0.432752),
    "scheme2": (0.9, 0.50625, 0.430685),
    "huffman": (0.7875, 0.198529, 0.189464),
}


@pytest.fixture(scope="module", params=list(GOLDENS))
def outcome(request):
    sc = scenario.load(request.param)
    return sc, engine.run(sc, messages=MESSAGES)


def test_run_header(outcome):
    sc, result = outcome
    assert result.scenario == sc.name and result.seed == sc.seed == 1948
    assert result.messages == MESSAGES
    assert [link.name for link in result.links] == list(GOLDENS[sc.name])


def test_bits_means_and_checks_are_the_goldens(outcome):
    sc, result = outcome
    for link in result.links:
        bits, _, _, _, check_names = GOLDENS[sc.name][link.name]
        assert link.messages == MESSAGES, link.name
        assert link.bits == bits, link.name
        assert link.bits_per_message == link.bits / link.messages
        assert link.lossless and link.mismatches == 0 and not link.urn_exhausted, link.name
        assert [c.name for c in link.checks] == check_names, link.name
        failed = [f"{c.name}: {c.detail}" for c in link.checks if c.verdict == "fail"]
        assert failed == [], link.name


def test_theory_is_the_articles_arithmetic(outcome):
    sc, result = outcome
    for link in result.links:
        _, length, cross, kl, _ = GOLDENS[sc.name][link.name]
        t = link.theory
        assert round(t.entropy, 4) == H_INDIA, link.name
        assert round(t.expected_length, 4) == length, link.name
        assert round(t.cross_entropy, 4) == cross, link.name
        assert round(t.kl_divergence, 4) == kl, link.name
        assert t.kl_divergence == pytest.approx(t.cross_entropy - t.entropy, abs=1e-12)
        # The exact identity L = H + D(q‖r) − log2 K.
        assert t.expected_length == pytest.approx(t.entropy + t.implied_kl - t.log_kraft, abs=1e-12)
        assert t.entropy <= t.expected_length


def test_busy_office_queueing_goldens():
    sc = scenario.load("busy_telegraph_office")
    result = engine.run(sc, messages=MESSAGES)
    for link in result.links:
        rho, pk_wait, mean_wait = QUEUEING[link.name]
        assert link.theory.utilisation == pytest.approx(rho, abs=1e-12), link.name
        assert round(link.theory.pk_mean_wait, 6) == pytest.approx(pk_wait), link.name
        assert round(link.line.mean_wait, 6) == pytest.approx(mean_wait), link.name
        assert link.line.telegrams == MESSAGES
    # Shorter codes, shorter queues: Huffman waits less than half as long as fixed.
    waits = {link.name: link.line.mean_wait for link in result.links}
    assert waits["huffman"] < 0.5 * waits["fixed"]


# -- the chunk size never changes results --------------------------------------------------

SMALL = 3_000
# Seeded goldens for 3 000 messages of the busy office (same caveat as above).
SMALL_BITS = {"fixed": 6_000, "scheme2": 6_056, "huffman": 5_221}


def _numbers(result):
    return [
        (
            link.bits,
            link.bits_per_message,
            link.std_error,
            link.line.telegrams,
            link.line.mean_wait,
            link.line.p95_wait,
            link.line.max_wait,
            link.line.duration,
            link.line.cost,
            link.trace,
            tuple(c.passed for c in link.checks),
        )
        for link in result.links
    ]


@pytest.mark.parametrize("chunk", [1, 7, 1000])
def test_chunk_size_does_not_change_the_goldens(chunk):
    sc = scenario.load("busy_telegraph_office")
    default = engine.run(sc, messages=SMALL)
    other = engine.run(sc, messages=SMALL, chunk=chunk)
    assert {link.name: link.bits for link in other.links} == SMALL_BITS
    assert {link.name: link.bits for link in default.links} == SMALL_BITS
    for a, b in zip(_numbers(default), _numbers(other)):
        assert a[0] == b[0] and a[3] == b[3] and a[-1] == b[-1]
        assert a[9].messages == b[9].messages
        assert list(a[9].mean) == pytest.approx(list(b[9].mean), rel=1e-12)
        assert [*a[1:3], *a[4:9]] == pytest.approx([*b[1:3], *b[4:9]], rel=1e-12, abs=1e-12)


# -- the noisy cable: seeded goldens of what the noise did -------------------------------------

# Per link: (source bits, bits on the wire, wrong messages, error events, bit errors), check names.
NOISY = {
    "fixed": ((40_000, 40_000, 42, 42, 42), ["message_error_rate", "channel_bit_error_rate"]),
    "huffman": ((35_040, 35_040, 58, 37, 37), ["huffman_bound", "channel_bit_error_rate", "resync_mean"]),
    "huffman-hamming": ((35_102, 61_432, 0, 0, 0), ["huffman_bound", "block_error_rate"]),
    "huffman-parity": (
        (34_822, 39_822, 164, 0, 35),
        ["huffman_bound", "telegram_loss_rate", "undetected_telegram_rate", "channel_bit_error_rate"],
    ),
    "arithmetic": (
        (35_038, 35_038, 13_176, 1, 33),
        ["arithmetic_bound", "arithmetic_sequence_bound", "channel_bit_error_rate"],
    ),
    "arithmetic-parity": (
        (30_361, 35_361, 188, 0, 39),
        [
            "arithmetic_bound",
            "arithmetic_sequence_bound",
            "telegram_loss_rate",
            "undetected_telegram_rate",
            "channel_bit_error_rate",
        ],
    ),
}


def test_noisy_cable_goldens():
    sc = scenario.load("noisy_cable")
    result = engine.run(sc, messages=MESSAGES)
    assert [link.name for link in result.links] == list(NOISY)
    for link in result.links:
        numbers, extra = NOISY[link.name]
        e = link.errors
        assert e is not None
        assert (link.bits, link.wire_bits, e.wrong_messages, e.error_events, e.bit_errors) == numbers
        names = [c.name for c in link.checks]
        assert names == ["bits_per_message", "entropy_bound", *extra], link.name
        assert not any(c.verdict == "fail" for c in link.checks), link.name
        assert link.theory.capacity == pytest.approx(0.988592242, abs=1e-9)
    # Hamming(7,4) pays 7/4 bits (whole blocks) and buys a clean line; Huffman loses more messages
    # than fixed though it sends fewer bits: a flip can cost several messages.
    fixed, huffman, hamming, parity, arith, restart = result.links
    assert hamming.wire_bits == -(-hamming.bits // 4) * 7
    assert huffman.errors.wrong_messages > fixed.errors.wrong_messages
    assert huffman.errors.resync_max > 1 == fixed.errors.resync_max
    # Parity per telegram of 4: one bit per telegram; every wrong message here is in a dropped telegram.
    assert (
        parity.wire_bits == parity.bits + 5_000
        and parity.errors.wrong_messages == 4 * parity.errors.lost_telegrams
    )
    # Arithmetic coding never regains step: one open event from its first wrong ball on.
    assert arith.errors.first_error == 105 and arith.errors.wrong_messages > 0.6 * (20_000 - 105)
    # Restarting at every telegram of 4, with its parity bit: a lost telegram takes its 4 balls and no
    # more (0.9 % of balls wrong instead of 66 %); the restarts' flushes, framed by the line, cost
    # fewer bits than the one long stream (30 361 against 35 038), the parity bits 5 000 more.
    assert restart.errors.wrong_messages == 4 * restart.errors.lost_telegrams == 188
    assert restart.wire_bits == restart.bits + 5_000 and restart.errors.first_error == -1
