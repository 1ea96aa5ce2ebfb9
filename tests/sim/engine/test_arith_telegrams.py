"""An arithmetic link that restarts at every telegram (parity per telegram): kernels, bounds, theory."""

from __future__ import annotations

import math

import numpy as np
import pytest

from coding import Distribution, arithmetic
from coding.arithmetic import FLUSH_BITS, interval_loss
from sim.engine import stream_kernels as sk
from sim.engine.bitcodec import from_bits, to_bits
from sim.engine.codec import telegram_sizes
from sim.engine.noisy_stream import TelegramJudge
from sim.model.theory import parity_theory
from tests.sim.engine.test_noisy import check, one, scenario

INDIA = Distribution.from_counts({"blue": 25, "red": 50, "green": 13, "yellow": 12})
SKEWED = Distribution({"a": 0.9, "b": 0.07, "c": 0.029, "d": 0.001})


def encode(code, sym, telegram, chunk):
    """The restarting kernel over chunks: (bit string, bits per telegram from the per-message marks)."""
    enc = sk.ArithmeticEncoder(code, telegram)
    bits, per = [], []
    for a in range(0, sym.size, chunk):
        words, nbits, marks = enc.encode_marked(sym[a : a + chunk])
        bits.append("".join(map(str, to_bits(words, nbits))))
        per.append(np.diff(marks, prepend=0))
    words, nbits = enc.finish()
    bits.append("".join(map(str, to_bits(words, nbits))))
    per_message = np.concatenate(per)
    per_message[-1] += nbits
    return "".join(bits), telegram_sizes(per_message, telegram)


def telegram_cost(code, telegram) -> float:
    """Σ (−log2 p̂(x) + ε(x)) + FLUSH_BITS: the most a telegram may cost (docs/theory.md)."""
    T = code.total
    return FLUSH_BITS + sum(
        math.log2(T / code.frequencies[code.symbols.index(s)])
        + interval_loss(T, code.frequencies[code.symbols.index(s)])
        for s in telegram
    )


@pytest.mark.parametrize("model", [INDIA, SKEWED], ids=["india", "skewed"])
@pytest.mark.parametrize("T", [1, 3, 4, 50])
def test_restarting_kernel_is_the_reference_coder_telegram_by_telegram_in_any_chunking(model, T):
    code = arithmetic(model)
    rng = np.random.default_rng(T)
    sym = rng.choice(len(code.symbols), size=601, p=model.probabilities)
    names = [code.symbols[i] for i in sym]
    parts = [code.encode(names[a : a + T]) for a in range(0, sym.size, T)]  # a fresh coder per telegram
    for chunk in (1, 7, 601):
        bits, (tel_bits, tel_msgs) = encode(code, sym, T, chunk)
        assert bits == "".join(parts)
        assert tel_bits.tolist() == [len(p) for p in parts]  # the flush is carried by the last message
    out = sk.TelegramArithmeticDecoder(code).decode(
        from_bits(np.array([int(c) for c in bits], dtype=np.uint8))[0], tel_bits, tel_msgs
    )[: sym.size]
    assert np.array_equal(out, sym)
    # The flush bound, telegram by telegram: B < Σ (−log2 p̂(x) + ε(x)) + 1.
    for a, p in zip(range(0, sym.size, T), parts):
        assert len(p) <= telegram_cost(code, names[a : a + T])


def test_the_flush_bound_holds_for_every_content_and_a_telegram_may_cost_nothing_but_its_settled_bits():
    code = arithmetic(SKEWED)
    law = sk.telegram_law(code, SKEWED.symbols, tuple(SKEWED.probabilities.tolist()), 3)
    assert law[1].sum() == pytest.approx(1.0)
    for x in np.ndindex(4, 4, 4):
        names = [code.symbols[i] for i in x]
        assert len(code.encode(names)) <= telegram_cost(code, names)
    # "a a a" pins [0, 0.729): no bit settled, and zeros after nothing lie inside.
    assert code.encode(["a", "a", "a"]) == ""
    assert law[0].min() == 0.0


def test_an_undetected_error_spoils_its_own_telegram_only():
    code = arithmetic(INDIA)
    rng = np.random.default_rng(3)
    sym = rng.choice(4, size=400, p=INDIA.probabilities)
    bits, (tel_bits, tel_msgs) = encode(code, sym, 4, 400)
    starts = np.concatenate(([0], np.cumsum(tel_bits)))
    received = np.array([int(c) for c in bits], dtype=np.uint8)
    hit = int(np.flatnonzero(tel_bits >= 4)[10])  # two flips in telegram `hit`: parity passes it
    received[starts[hit]] ^= 1
    received[starts[hit] + 2] ^= 1
    judge = TelegramJudge(code, np.arange(4))
    none = np.zeros(tel_bits.size, dtype=bool)
    judge.feed_telegrams(from_bits(received)[0], tel_bits, tel_msgs, none, none, sym)
    out = sk.TelegramArithmeticDecoder(code).decode(from_bits(received)[0], tel_bits, tel_msgs)
    wrong = np.flatnonzero(out != sym)
    assert wrong.size and set(wrong // 4) == {hit}  # nothing after the damaged telegram
    assert judge.wrong == wrong.size and judge.events == 1
    # Dropping that telegram instead: its balls are not judged, the rest are right.
    lost = none.copy()
    lost[hit] = True
    judge = TelegramJudge(code, np.arange(4))
    judge.feed_telegrams(from_bits(received)[0], tel_bits, tel_msgs, lost, none, sym)
    assert judge.wrong == 0


def test_a_clean_line_delivers_every_ball_and_the_checks_pass():
    link = one(
        "{type: bsc, flip: 0.0}", "{urn: india, code: arith, telegram: 3, channel: {type: parity}}", 5_000
    )
    assert link.errors.wrong_messages == 0 and link.errors.lost_telegrams == 0
    assert not any(c.verdict == "fail" for c in link.checks)
    assert link.wire_bits == link.bits + -(-5_000 // 3)


def test_lost_and_undetected_telegrams_match_the_parity_theory_over_seeds():
    link = "{urn: india, code: arith, telegram: 4, channel: {type: parity}}"
    eps = 0.02
    runs = [one(f"{{type: bsc, flip: {eps}}}", link, 8_000, seed=s) for s in range(6)]
    theory = parity_theory(scenario(f"{{type: bsc, flip: {eps}}}", link).links[0], eps)
    tel = sum(r.errors.telegrams for r in runs)
    for key, measured in (
        ("telegram_loss_rate", sum(r.errors.lost_telegrams for r in runs)),
        ("undetected_telegram_rate", sum(r.errors.undetected_telegrams for r in runs)),
    ):
        p = theory[key]
        assert abs(measured - tel * p) <= 4 * math.sqrt(tel * p * (1 - p)), key  # z = 4: 6e-5 two-sided
    for r in runs:
        assert r.errors.lost_messages == 4 * r.errors.lost_telegrams
        assert check(r, "telegram_loss_rate").verdict == "pass"
        assert check(r, "arithmetic_sequence_bound").verdict == "pass"
        # wrong balls: the lost telegrams' and, at most, every ball of an undetected one
        assert r.errors.wrong_messages <= 4 * (r.errors.lost_telegrams + r.errors.undetected_telegrams)


def test_the_telegram_law_gives_the_measured_bits_per_ball():
    link = one(
        "{type: bsc, flip: 0.001}", "{urn: india, code: arith, telegram: 2, channel: {type: parity}}", 20_000
    )
    c = check(link, "bits_per_message")
    assert c.verdict == "pass"
    code = arithmetic(INDIA)
    bits, probs = sk.telegram_law(code, INDIA.symbols, tuple(INDIA.probabilities.tolist()), 2)
    assert link.theory.expected_length == pytest.approx(float(probs @ bits) / 2)
    assert (
        check(link, "entropy_bound").verdict == "pass" and check(link, "arithmetic_bound").verdict == "pass"
    )


CLEAN = """seed: 3
messages: 5001
urns: {india: {blue: 25, red: 50, green: 13, yellow: 12}}
codes: {a: {type: arithmetic, for: india}}
lines: {w: {baud: 50}}
links: [{urn: india, code: a, line: w, telegram: 5, channel: {type: parity}}]
"""


def test_a_noiseless_line_decodes_telegram_by_telegram_in_any_chunking_and_a_wrong_ball_shows():
    from sim.engine import simulation as engine
    from sim.engine.codec import TelegramLinkDecoder
    from sim.scenario.loader import loads

    runs = [engine.run(loads(CLEAN), chunk=c).links[0] for c in (1, 13, 65536)]
    for r in runs:  # 5001 balls: the last telegram holds one
        assert r.lossless and r.bits == runs[0].bits and r.wire_bits == r.bits + 1001
        assert not any(c.verdict == "fail" for c in r.checks)
    code = arithmetic(INDIA)
    sym = np.array([1, 0, 2, 3, 1, 1, 0], dtype=np.int64)
    bits, (tel_bits, tel_msgs) = encode(code, sym, 3, 7)
    words = from_bits(np.array([int(c) for c in bits], dtype=np.uint8))[0]
    decoder = TelegramLinkDecoder(code, np.arange(4))
    decoder.feed_telegrams(words, tel_bits, tel_msgs, sym)
    assert decoder.mismatches == 0 and decoder.decoded == 7
    decoder.feed_telegrams(words, tel_bits, tel_msgs, np.array([1, 0, 2, 3, 1, 1, 1]))  # the last differs
    assert decoder.mismatches == 1
