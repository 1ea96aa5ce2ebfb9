"""The noisy-line part of ``telegraph explain``: capacity, the channel code's rate, expected error rates."""

from __future__ import annotations

from collections.abc import Callable

from sim.model.kinds import CODE_KINDS
from sim.model.noise_kinds import Bsc, Erasure
from sim.model.records import Link
from sim.model.theory import noise_theory
from sim.publish.numbers import fixed, sig


def noise_part(add: Callable[[str], None], para: Callable[[str], None], link: Link, L: float) -> None:
    """Worked figures for ``link`` on a noisy line (nothing on a noiseless one)."""
    noise = link.line.noise
    if noise is None:
        return
    th = noise_theory(link)
    para(f"Noise on line {link.line.name}: {noise.describe()}.")
    cap = fixed(th["capacity"])
    if isinstance(noise, Bsc):
        add(f"  Capacity C = 1 − h(ε) = 1 − h({noise.flip:g}) = {cap} bits per channel use")
    elif isinstance(noise, Erasure):
        add(f"  Capacity C = 1 − e = 1 − {noise.erase:g} = {cap} bits per channel use")
    else:
        add(f"  Capacity ≥ {cap} bits per channel use (memoryless bound at the mean flip rate)")
    code = link.channel
    rate = th["code_rate"]
    if code is None:
        add(f"  No channel code: rate 1, {fixed(L)} bits on the wire per message")
    elif code.per_telegram:
        b = link.telegram * L
        add(
            f"  Channel code parity per telegram: one bit closes each telegram of {link.telegram} × "
            f"{fixed(L)} = {fixed(b)} bits on average, rate R = b/(b + 1) = {fixed(rate)}; "
            f"Shannon allows any R < C = {cap}"
        )
    else:
        add(
            f"  Channel code {code.display()}: rate R = {fixed(rate)}, so L/R = {fixed(L)}/{fixed(rate)} = "
            f"{fixed(L / rate)} bits on the wire per message; Shannon allows any R < C = {cap}"
        )
    if "channel_bit_error_rate" in th:
        eps = noise.flip if isinstance(noise, Bsc) else float("nan")
        how = {
            None: "ε",
            "repetition": "3ε² − 2ε³ (majority of 3 wrong)"
            if code and getattr(code, "n", 0) == 3
            else "binomial tail",
            "hamming74": "Hamming(7,4)'s per-bit figure",
            "parity": "ε (parity corrects nothing)",
        }[code.type if code else None]
        value = sig(th["channel_bit_error_rate"])
        if code is None:
            add(f"  Bit error at the decoder: ε = {eps:g} (no channel code)")
        else:
            add(f"  Bit error after the channel decoder: {how} = {value} at ε = {eps:g}")
    if "block_error_rate" in th and code is not None and code.type == "hamming74":
        add(f"  Hamming(7,4) block error 1 − (1 − ε)^7 − 7ε(1 − ε)^6 = {sig(th['block_error_rate'])}")
    if "telegram_loss_rate" in th:
        _parity_lines(add, para, link, th)
    elif "word_error_rate" in th:
        stream = CODE_KINDS[link.code_type].stream
        assert stream is not None and stream.word_bits is not None  # only a word-coded stream has the figure
        m = stream.word_bits(link.stream)
        add(
            f"  Tunstall word error 1 − (1 − b)^{m} = {sig(th['word_error_rate'])}: a ball is wrong when its "
            "m-bit word is, so the same share of balls"
        )
    elif "message_error_rate" in th:
        bits = len(next(iter(link.code.codewords.values())))
        value = sig(th["message_error_rate"])
        add(f"  Message error of a fixed {bits}-bit code: 1 − (1 − b)^{bits} = {value}")
    if "resync_mean" in th and link.stream is not None:
        para(
            "A flip damages the codeword it lands in; this stream code's decoder finds the codeword "
            f"boundaries again after {fixed(th['resync_mean'])} balls on average after an isolated flip "
            "(exact: a block code's blocks' Huffman tree, k balls a block; a Tunstall code's one m-bit "
            "word, E[T] balls; docs/theory.md)."
        )
    elif "resync_mean" in th:
        para(
            "A flip can throw a variable-length decoder off the codeword boundaries: it stays lost "
            f"for {fixed(th['resync_mean'])} messages on average after an isolated flip (exact, from "
            "the code tree: coding.resync), against exactly 1 for a fixed-length code."
        )
    if "desync_error_rate" in th:
        para(
            "An arithmetic decoder has no codeword boundaries to find again: after the first damaged bit "
            "it decodes from a wrong interval to the end of the run, and a ball is right only by chance. "
            f"Expect a share 1 − Σ q(x) p̂(x) = {fixed(th['desync_error_rate'])} of the balls after the "
            "first error to be wrong (approximate: it takes the bits it reads as random)."
        )


def _parity_lines(
    add: Callable[[str], None], para: Callable[[str], None], link: Link, th: dict[str, float]
) -> None:
    """Parity per telegram: telegrams lost and passed wrong (exact over the telegram lengths)."""
    add(
        "  Telegram lost (odd flips in its B + 1 bits): E[(1 − (1 − 2ε)^(B+1))/2] = "
        f"{sig(th['telegram_loss_rate'])}"
    )
    add(
        "  Telegram passed wrong (even flips, two or more): E[(1 + (1 − 2ε)^(B+1))/2 − (1 − ε)^(B+1)] = "
        f"{sig(th['undetected_telegram_rate'])}"
    )
    if "undetected_message_rate" in th:
        add(
            f"  Messages lost {sig(th['telegram_loss_rate'])} + delivered wrong unseen "
            f"{sig(th['undetected_message_rate'])} = {sig(th['message_error_rate'])}"
        )
    para(
        f"A telegram that fails its check is dropped and its {link.telegram} message(s) counted lost; a "
        "telegram carries whole codewords, so the decoder restarts at the next telegram's first bit and "
        "an undetected error never outlives its telegram."
    )
