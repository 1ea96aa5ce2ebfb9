"""What an adaptive link learned, in words: the lines the terminal and the report show under its checks.

>>> from sim.model.results import Learning
>>> l = Learning("kt", "arithmetic", 0, ("a", "b"), (0.5, 0.5), 12.0, 0.001, 11.5, 9.0, 10.0, 2.0, 2.9,
...              0, 0, 14, 8)
>>> for part in learning_lines(l, 8, 13)[0].split("; "):
...     print(part)
ideal Σ −log2 p̂_t(x_t) = 12.000 bits (1.500000 per ball)
best fixed model in hindsight n·H(empirical) = 10.000 (1.250000)
regret 2.000 bits, bound 2.900 (KT prior)
"""

from __future__ import annotations

from sim.model.results import Learning
from sim.publish.numbers import fixed

__all__ = ["learning_lines"]


def learning_lines(learned: Learning, messages: int, bits: int) -> list[str]:
    """The running figures of an adaptive link, one sentence each (no verdicts: the checks judge)."""
    n = max(messages, 1)
    prior = {"kt": "KT prior", "laplace": "Laplace prior"}.get(learned.prior, "given pseudo-counts")
    bound = ", no bound (a pseudo-count below ½)"
    if learned.regret_bound is not None:
        bound = f", bound {learned.regret_bound:,.3f}"
    out = [
        f"ideal Σ −log2 p̂_t(x_t) = {learned.ideal_bits:,.3f} bits "
        f"({fixed(learned.ideal_bits / n, 6)} per ball); "
        f"best fixed model in hindsight n·H(empirical) = {learned.empirical_bits:,.3f} "
        f"({fixed(learned.empirical_bits / n, 6)}); regret {learned.regret:,.3f} bits{bound} ({prior})"
    ]
    if learned.coder == "huffman":
        out.append(
            f"adaptive Huffman, rebuilt every {learned.rebuild:_} balls ({learned.rebuilds:,} rebuilds): "
            f"{bits:,} bits, {fixed((bits - learned.ideal_bits) / n, 6)} bits per ball over the ideal "
            "(whole-bit codewords, and a code that is stale between rebuilds)"
        )
    if learned.rescales:
        out.append(
            f"the counts were halved {learned.rescales} times to stay within the coder's precision "
            "(the model then forgets its oldest balls)"
        )
    covered = learned.lz78_balls
    scope = (
        "the same balls"
        if covered == messages
        else f"the first {covered:,} balls (its dictionary stopped growing)"
    )
    out.append(
        f"LZ78 on {scope}: {learned.lz78_bits:,} bits, "
        f"{fixed(learned.lz78_bits / max(covered, 1), 6)} per ball "
        "(a universal code that needs no model, but learns far more slowly)"
    )
    return out
