"""Every code kind over a noisy line, and parity per telegram (issue 12): engine runs, theory, fuzz."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coding import AdaptiveModel, DecodeError, Distribution, arithmetic, block, tunstall
from coding.channel import parity_check, parity_frame, parity_undetected
from sim.engine import adaptive_kernels as ak
from sim.engine import simulation as engine
from sim.engine import stream_kernels as sk
from sim.engine.bitcodec import from_bits, to_bits
from sim.engine.codec import link_coders
from sim.engine.noise import Noise
from sim.engine.noisy import NoisyReceiver
from sim.engine.noisy_stream import BlockJudge, Runs, SequenceJudge, WordJudge
from sim.engine.stations import Batch
from sim.model.noise_kinds import NOISE_KINDS, Parity
from sim.scenario.loader import ScenarioError, loads
from tests.sim.engine.test_noisy import CODES, URN, check, one, scenario

INDIA = Distribution.from_counts({"blue": 25, "red": 50, "green": 13, "yellow": 12})


def same(a, b) -> bool:
    """Records equal field by field, NaN equal to NaN."""
    x, y = dataclasses.astuple(a), dataclasses.astuple(b)
    return all(u == v or (isinstance(u, float) and isinstance(v, float) and math.isnan(u) and math.isnan(v))
               for u, v in zip(x, y))  # fmt: skip


# -- stream codes ---------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["block3", "tun", "arith"])
@pytest.mark.parametrize(
    "channel", ["", ", channel: {type: hamming74}", ", channel: {type: parity, bits: 4}"]
)
def test_every_stream_code_runs_on_a_noisy_line_whatever_the_chunking(code, channel):
    runs = [one("{type: bsc, flip: 0.01}", f"{{urn: india, code: {code}{channel}}}", 3_000, chunk=c)
            for c in (1, 13, 65536)]  # fmt: skip
    first = runs[0]
    assert first.errors.wrong_messages > 0 and first.messages == 3_000
    for other in runs[1:]:
        assert same(other.errors, first.errors) and other.bits == first.bits
    assert first.bits_per_message == pytest.approx(engine.run(loads(
        f"seed: 7\nmessages: 3000\n{URN}{CODES}lines:\n  cable: {{baud: 50}}\n"
        f"links:\n  - {{urn: india, code: {code}}}\n")).links[0].bits_per_message)  # fmt: skip


def test_a_stream_code_on_a_clean_noisy_line_loses_nothing():
    for code in ("block3", "tun", "arith"):
        e = one("{type: bsc, flip: 0.0}", f"{{urn: india, code: {code}}}", 5_000).errors
        assert e.wrong_messages == 0 and e.error_events == 0 and e.first_error == -1


def test_tunstall_words_fail_as_a_fixed_length_code_and_resync_in_one_word():
    link = one("{type: bsc, flip: 0.004}", "{urn: india, code: tun}", 100_000)
    t, e = link.theory, link.errors
    assert t.word_error_rate == pytest.approx(1 - 0.996**5)
    assert check(link, "word_error_rate").verdict == "pass"
    # An isolated flip costs the balls of one word: E[T] balls, the parse's mean word length.
    q = INDIA
    code = tunstall(q, bits=5)
    mean_t = sum(len(w) * np.prod([q[s] for s in w]) for w in code.words)
    assert t.resync_mean == pytest.approx(mean_t)
    assert check(link, "resync_mean").verdict == "pass"
    assert e.resync_max <= 3 * max(len(w) for w in code.words)  # never lost for long


def test_block_code_resync_is_its_block_huffman_codes_in_balls():
    link = one("{type: bsc, flip: 0.001}", "{urn: india, code: block3}", 200_000)
    e = link.errors
    assert e.error_events > 100 and e.resync_mean % 1 == 0 or e.resync_mean > 3
    assert all(count == 0 for r, count in enumerate(e.resync_hist) if r % 3)  # whole blocks of 3 balls
    assert check(link, "resync_mean").verdict == "pass"


def test_arithmetic_coding_never_regains_step():
    link = one("{type: bsc, flip: 0.001}", "{urn: india, code: arith}", 20_000)
    e, t = link.errors, link.theory
    assert e.error_events == 1 and math.isnan(e.resync_mean) and 0 <= e.first_error < 2_000
    # Once lost, the decoder reads effectively random bits: it decodes draws from its own model,
    # right only by chance, Σ q p̂ (about 0.34 here). Measured after the first error:
    after = e.wrong_messages / (link.messages - e.first_error)
    assert t.desync_error_rate == pytest.approx(1 - (0.25**2 + 0.5**2 + 0.13**2 + 0.12**2), abs=1e-3)
    assert after == pytest.approx(t.desync_error_rate, abs=0.02)
    # A channel code that leaves no residual error keeps it in step.
    safe = one("{type: bsc, flip: 0.0005}", "{urn: india, code: arith, channel: {type: repetition, n: 5}}")
    assert safe.errors.wrong_messages == 0


# -- parity per telegram --------------------------------------------------------------------


def test_parity_per_telegram_is_the_default_and_dumps_without_bits():
    s = scenario("{type: bsc, flip: 0.01}", "{urn: india, code: fixed, channel: {type: parity}}")
    assert s.links[0].channel == Parity() and s.links[0].channel.per_telegram
    assert Parity().dump() == {"type": "parity"} and Parity(8).dump() == {"type": "parity", "bits": 8}


def test_fixed_code_parity_per_telegram_matches_the_exact_theory():
    eps = 0.01
    link = one(f"{{type: bsc, flip: {eps}}}", "{urn: india, code: fixed, channel: {type: parity}}", 200_000)
    e, t = link.errors, link.theory
    # 2 data bits + 1 parity bit: lost on an odd number of flips, wrong unseen on two.
    assert t.telegram_loss_rate == pytest.approx((1 - (1 - 2 * eps) ** 3) / 2)
    assert t.undetected_message_rate == pytest.approx(parity_undetected(eps, 3))
    for name in ("telegram_loss_rate", "undetected_telegram_rate", "message_error_rate"):
        assert check(link, name).verdict == "pass", check(link, name).detail
    assert e.telegrams == link.messages and e.lost_messages == e.lost_telegrams == e.detected_blocks
    assert e.wrong_messages == e.lost_messages + e.undetected_messages  # every wrong message is one or other
    assert e.undetected_messages == e.undetected_telegrams  # one message per telegram
    assert link.wire_bits == link.bits + e.telegrams
    assert t.code_rate == pytest.approx(2 / 3)


def test_huffman_telegrams_of_three_lose_whole_telegrams_and_restart_at_the_next():
    link = one("{type: bsc, flip: 0.01}", "{urn: india, code: huffman, telegram: 3, channel: {type: parity}}",
               60_000)  # fmt: skip
    e, t = link.errors, link.theory
    assert e.lost_messages == 3 * e.lost_telegrams > 0
    assert check(link, "telegram_loss_rate").verdict == "pass"
    assert check(link, "undetected_telegram_rate").verdict == "pass"
    assert not any(
        c.name == "message_error_rate" for c in link.checks
    )  # messages of a telegram fail together
    # Undetected errors never outlive their telegram: an event is at most 3 messages, plus the
    # rare run that continues into the next telegram.
    assert e.wrong_messages - e.lost_messages <= 3 * e.undetected_telegrams
    # The wire carries one parity bit per telegram; the line's time follows the mean rate.
    assert link.wire_bits == link.bits + e.telegrams
    L = link.theory.expected_length
    assert t.code_rate == pytest.approx(3 * L / (3 * L + 1))


def test_parity_per_telegram_at_degenerate_flips():
    clean = one("{type: bsc, flip: 0.0}", "{urn: india, code: huffman, channel: {type: parity}}", 2_000)
    assert clean.errors.wrong_messages == clean.errors.lost_telegrams == 0
    # Every bit flipped: a 2-bit telegram and its parity bit are 3 flips, odd: every telegram lost.
    gone = one("{type: bsc, flip: 1.0}", "{urn: india, code: fixed, channel: {type: parity}}", 2_000)
    assert gone.errors.lost_telegrams == gone.errors.telegrams == 2_000 == gone.errors.wrong_messages


@pytest.mark.parametrize("code", ["huffman", "arith"])
@pytest.mark.parametrize("noise", ["{type: erasure, erase: 0.02}", "{type: bsc, flip: 0.03}"])
def test_chunking_never_changes_parity_per_telegram(code, noise):
    link = f"{{urn: india, code: {code}, telegram: 4, channel: {{type: parity}}}}"
    runs = [one(noise, link, 3_001, chunk=c) for c in (1, 9, 65536)]
    assert runs[0].errors.lost_telegrams > 0
    for other in runs[1:]:
        assert same(other.errors, runs[0].errors) and other.line.duration == runs[0].line.duration
        assert other.bits == runs[0].bits and other.wire_bits == runs[0].wire_bits


@pytest.mark.parametrize(
    "code, why",
    [
        ("{type: adaptive, prior: kt}", "its model learns from every earlier ball"),
        ("{type: block, for: india, order: 3}", "a block of k balls may straddle two telegrams"),
        ("{type: tunstall, for: india, bits: 5}", "a dictionary word may straddle two telegrams"),
    ],
)
def test_parity_per_telegram_refuses_a_code_that_cannot_restart_clearly(code, why):
    text = (
        f"{URN}codes: {{c: {code}}}\nlines: {{cable: {{baud: 50, noise: {{type: bsc, flip: 0.01}}}}}}\n"
        "links: [{urn: india, code: c, line: cable, channel: {type: parity}}]\n"
    )
    with pytest.raises(ScenarioError) as info:
        loads(text)
    message = str(info.value)
    assert "links[0].channel" in message and "cannot restart at each telegram" in message and why in message
    assert "\n" not in message.strip()


def test_a_restarting_arithmetic_link_refuses_a_telegram_too_long_for_its_theory():
    with pytest.raises(ScenarioError) as info:  # 4 colours, 9 balls: 4^9 = 262 144 contents > 65 536
        scenario("{type: bsc, flip: 0.01}", "{urn: india, code: arith, telegram: 9, channel: {type: parity}}")
    assert "links[0].telegram" in str(info.value) and "65,536" in str(info.value)
    scenario("{type: bsc, flip: 0.01}", "{urn: india, code: arith, telegram: 8, channel: {type: parity}}")


@given(st.lists(st.integers(0, 1), max_size=60), st.data())
def test_parity_frame_and_check_round_trip_and_see_every_single_flip(bits, data):
    cuts = sorted(data.draw(st.lists(st.integers(0, len(bits)), max_size=6)))
    sizes = np.diff([0, *cuts, len(bits)])
    framed = parity_frame(bits, sizes)
    assert framed.size == len(bits) + sizes.size and framed.sum() % 2 == 0
    back, failed = parity_check(framed, sizes)
    assert back.tolist() == bits and not failed.any()
    if framed.size:
        i = data.draw(st.integers(0, framed.size - 1))
        framed[i] ^= 1
        _, failed = parity_check(framed, sizes)
        assert failed.sum() == 1


# -- judges and fuzz ------------------------------------------------------------------------


def test_runs_are_the_same_whatever_the_cut():
    rng = np.random.default_rng(3)
    wrong = rng.random(500) < 0.3
    weight = rng.integers(1, 4, 500)
    whole = Runs()
    whole.add(wrong, weight)
    for cut in (1, 7, 64):
        parts = Runs()
        for i in range(0, 500, cut):
            parts.add(wrong[i : i + cut], weight[i : i + cut])
        assert (parts.hist == whole.hist).all() and (parts.events, parts.open) == (whole.events, whole.open)
    assert whole.total + whole.open == int(weight[wrong].sum())


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 1), max_size=300), st.lists(st.integers(0, 3), max_size=60),
       st.integers(1, 40))  # fmt: skip
def test_fuzz_every_stream_decoder_survives_garbage(garbage, sent, chunk):
    """Random bits into every stream decoder and judge: no crash, no hang, counts in range."""
    bits = np.array(garbage, dtype=np.uint8)
    sent = np.array(sent, dtype=np.int64)
    colours = np.arange(4, dtype=np.int64)
    arith = arithmetic(INDIA)
    judges = [
        BlockJudge(block(INDIA, order=2), colours),
        WordJudge(tunstall(INDIA, bits=3), colours),  # 3 bits, fewer than 8 words: dead ends exist
        WordJudge(tunstall(INDIA, bits=5), colours),
        SequenceJudge(sk.ArithmeticDecoder(arith, sent.size), colours),
        SequenceJudge(ak.AdaptiveArithmeticDecoder(AdaptiveModel(tuple(INDIA.symbols)), sent.size), colours),
    ]
    for judge in judges:
        pieces = list(range(0, max(bits.size, 1), chunk))
        for n, i in enumerate(pieces):
            last = n == len(pieces) - 1
            judge.judge(*from_bits(bits[i : i + chunk]), sent if i == 0 else sent[:0], last)
        assert 0 <= judge.wrong <= sent.size and judge.dead_ends >= 0
        assert judge.events >= 0 and judge.unresolved >= 0
    # The noiseless decoders: any bits decode, or raise only DecodeError
    decoder = sk.ArithmeticDecoder(arith, 50)
    out = np.concatenate((decoder.feed(*from_bits(bits)), decoder.finish()))
    assert out.size == 50 and (out >= 0).all() and (out < 4).all()  # any bits decode to 50 balls
    try:
        out = sk.TunstallDecoder(tunstall(INDIA, bits=3), 50).feed(*from_bits(bits))
        assert out.size <= 50 and (out >= 0).all() and (out < 4).all()
    except DecodeError as err:  # a word outside the dictionary
        assert 0 <= err.offset <= len(garbage)


@pytest.mark.parametrize("seed", range(3))
def test_fuzz_every_code_kind_on_a_terrible_line(seed):
    rng = np.random.default_rng(seed)
    for code in ("block3", "tun", "arith", "huffman"):
        for channel in ("", ", channel: {type: hamming74}", ", channel: {type: parity, bits: 3}",
                        ", telegram: 3, channel: {type: parity}"):  # fmt: skip
            if code != "huffman" and "telegram" in channel:
                continue
            flip = float(rng.choice([0.1, 0.5, 0.9, 1.0]))
            noise = (f"{{type: bsc, flip: {flip}}}", f"{{type: erasure, erase: {flip}}}")[
                int(rng.integers(2))
            ]
            link = one(noise, f"{{urn: india, code: {code}{channel}}}", 1_000, seed=seed,
                       chunk=int(rng.integers(1, 900)))  # fmt: skip
            e = link.errors
            assert 0 <= e.wrong_messages <= link.messages == 1_000
            assert 0 <= e.message_error_rate <= 1 and math.isfinite(e.channel_bit_error_rate)


@pytest.mark.parametrize("kind", ["bsc", "erasure", "gilbert_elliott"])
@pytest.mark.parametrize("telegram", [1, 3])
def test_parity_per_telegram_is_the_framed_wire_checked(kind, telegram):
    """The receiver draws the damage on a blank wire; the same as framing, damaging and checking the
    real wire with coding.channel's reference functions (lost telegrams and bits reaching the decoder)."""
    s = scenario("{type: bsc, flip: 0.01}", f"{{urn: india, code: huffman, telegram: {telegram}, "
                 "channel: {type: parity}}")  # fmt: skip
    params = {
        "bsc": {"flip": 0.05},
        "erasure": {"erase": 0.1},
        "gilbert_elliott": {"good_flip": 0.01, "bad_flip": 0.3, "to_bad": 0.05, "to_good": 0.2},
    }[kind]
    link = dataclasses.replace(
        s.links[0], line=dataclasses.replace(s.links[0].line, noise=NOISE_KINDS[kind](**params))
    )
    sym = np.random.default_rng(2).choice(4, size=3_001, p=[0.25, 0.5, 0.13, 0.12]).astype(np.int64)
    encoder, _ = link_coders(link.code, None, tuple(link.urn.counts), sym.size, np.array([1]))
    sent = encoder.chunk(sym, True)
    rx = NoisyReceiver(None, link, None, sym.size, np.random.default_rng(9))
    rx.take(Batch(sym, np.zeros(sym.size), sent.words, sent.nbits, True, sent.units, sent.unit_bits))
    # the reference: frame, damage the real wire, check
    lengths = np.array([len(link.code.codewords[c]) for c in link.urn.counts])[sym]
    sizes = np.add.reduceat(lengths, np.arange(0, sym.size, telegram))
    bits = to_bits(sent.words, sent.nbits)
    wire, n = from_bits(parity_frame(bits, sizes))
    getattr(Noise, kind)(**params, rng=np.random.default_rng(9)).apply(wire, n)
    data, failed = parity_check(to_bits(wire, n), sizes)
    assert rx.lost_telegrams == failed.sum() > 0 and rx.telegrams == sizes.size
    assert rx.bit_errors == (data != bits).sum() and rx.channel_bits == n
    ends = np.cumsum(sizes)
    wrong = np.add.reduceat((data != bits).astype(int), ends - sizes) * (sizes > 0)
    assert rx.undetected_telegrams == ((wrong > 0) & ~failed).sum()


def test_explain_and_report_show_parity_per_telegram_and_stream_codes():
    from sim.publish.explain import explain
    from sim.publish.report_noise import noise_section
    from sim.scenario.loader import load

    text = " ".join(explain(load("noisy_cable")).split())
    assert "parity per telegram: one bit closes each telegram of 4 × 1.7500 = 7.0000 bits" in text
    assert "rate R = b/(b + 1) = 0.8750" in text
    assert "Telegram lost (odd flips in its B + 1 bits): E[(1 − (1 − 2ε)^(B+1))/2] =" in text
    assert "An arithmetic decoder has no codeword boundaries to find again" in text
    assert "1 − Σ q(x) p̂(x) = 0.6562" in text
    s = scenario("{type: bsc, flip: 0.001}", "{urn: india, code: tun}")
    assert "Tunstall word error 1 − (1 − b)^5 = 0.00499" in " ".join(explain(s).split())
    result = engine.run(load("noisy_cable"), messages=5_000)
    html = "\n".join(noise_section(result, lambda kind, subject: []))
    assert "never (lost from ball" in html and "parity-telegram" in html


def test_a_stream_links_overhead_is_never_shown_as_a_divergence(tmp_path):
    """A stream code has no codeword per ball, so no implied r: the terminal and the report show its
    overhead L − H(q), marked, never as D(q‖r) (a divergence cannot be below 0; the restarting
    arithmetic link's overhead is, since the framing tells where each telegram ends)."""
    from sim.cli import format_result
    from sim.publish.numbers import OVERHEAD_MARK, OVERHEAD_NOTE
    from sim.publish.report import _overview
    from sim.scenario.loader import load

    result = engine.run(load("noisy_cable"), messages=4_000)
    restarting = next(link for link in result.links if link.name == "arithmetic-parity")
    symbol = next(link for link in result.links if link.name == "huffman")
    assert restarting.stream and not symbol.stream
    overhead = restarting.theory.implied_kl
    assert overhead < 0  # below H(q): the telegram's end is known
    text = format_result(result)
    assert OVERHEAD_NOTE in text
    assert "L = H(q) + overhead = " in text
    identity = "theory  L = H(q) + D(q‖r)"
    theory_lines = [line for line in text.splitlines() if line.strip().startswith(identity)]
    assert len(theory_lines) == sum(not link.stream for link in result.links)
    assert not any("+ −" in line for line in theory_lines)  # a divergence is never shown below 0
    html = "\n".join(_overview(result, {link.name: link.name for link in result.links}))
    assert html.count(OVERHEAD_MARK + "</td>") == sum(link.stream for link in result.links)
    assert "H(B)/T" in html
