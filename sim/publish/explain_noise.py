"""The noisy-line part of ``telegraph explain``: capacity, the channel code's rate, expected error rates."""

from __future__ import annotations

from collections.abc import Callable

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
    if "message_error_rate" in th:
        bits = len(next(iter(link.code.codewords.values())))
        value = sig(th["message_error_rate"])
        add(f"  Message error of a fixed {bits}-bit code: 1 − (1 − b)^{bits} = {value}")
    if "resync_mean" in th:
        para(
            "A flip can throw a variable-length decoder off the codeword boundaries: it stays lost "
            f"for {fixed(th['resync_mean'])} messages on average after an isolated flip (exact, from "
            "the code tree: coding.resync), against exactly 1 for a fixed-length code."
        )
