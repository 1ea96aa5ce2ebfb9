"""The adaptive part of ``telegraph explain``: the prior, the first balls worked, where the bill goes.

An adaptive link has no codeword per colour and no fixed model: both ends
start from the prior's pseudo-counts and count every ball. The worked
example codes the urn's likeliest colours one after another with the
counts as they grow, so a reader can check each cost by hand; then the
theory the run is held against: the bill per ball falling from the prior's
cross entropy towards H(q), the regret's bound, the expected redundancy.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction

from coding import AdaptiveHuffman, AdaptiveModel, cross_entropy, entropy, huffman
from sim.model.kinds import CODE_KINDS
from sim.model.records import Link
from sim.publish.numbers import fixed, frac

__all__ = ["expected_redundancy", "learning_part"]

#: Balls in the worked example.
EXAMPLE_BALLS = 4
#: Pseudo-counts listed (a larger alphabet says how many more).
SHOWN = 8


def expected_redundancy(q: list[float], alpha: list[float], n: int) -> float | None:
    """E[Σ −log2 p̂_t(x_t)] − n·H(q) for large n (Clarke and Barron): the Dirichlet(α) mixture's
    (K − 1)/2 · log2(n/(2πe)) + log2(Π Γ(α(x))/Γ(A)) − Σ (α(x) − ½)·log2 q(x) + o(1).

    None when a colour has probability 0 (the expansion needs every colour drawn).

    >>> round(expected_redundancy([0.13, 0.25, 0.5, 0.12], [0.5] * 4, 10**6), 2)
    27.06
    """
    if n < 1 or any(x <= 0 for x in q):
        return None
    k, big_a = len(q), sum(alpha)
    nats = (k - 1) / 2 * math.log(n / (2 * math.pi * math.e))
    nats += sum(math.lgamma(a) for a in alpha) - math.lgamma(big_a)
    nats -= sum((a - 0.5) * math.log(x) for a, x in zip(alpha, q))
    return nats / math.log(2)


def _bound_name(alpha: list[Fraction]) -> str:
    if set(alpha) == {Fraction(1, 2)}:
        return "KT"
    return "Laplace" if set(alpha) == {Fraction(1)} else "KT's plus the price of Σα (every α ≥ ½)"


def learning_part(add: Callable[[str], None], para: Callable[[str], None], link: Link, messages: int) -> None:
    """Worked figures for an adaptive ``link`` (nothing for any other kind)."""
    obj = link.stream
    if not isinstance(obj, (AdaptiveModel, AdaptiveHuffman)):
        return
    model = obj.model if isinstance(obj, AdaptiveHuffman) else obj
    symbols = list(model.symbols)
    alpha = [Fraction(str(a)) for a in model.pseudo_counts.tolist()]
    big_a = sum(alpha, Fraction(0))
    k = len(symbols)
    q = link.urn.distribution
    qv = [q[s] if s in q else 0.0 for s in symbols]
    prior = [float(a / big_a) for a in alpha]
    shown = min(k, SHOWN)
    more = f", … ({k - shown:_} more)" if k > shown else ""
    para(
        f"Both ends start from the pseudo-counts α = ({', '.join(frac(a) for a in alpha[:shown])}{more}) "
        f"for ({', '.join(symbols[:shown])}{more}), A = Σα = {frac(big_a)}, and code ball t with "
        "p̂_t(x) = (n_t(x) + α(x)) / (t + A), then count it. Worked on the urn's likeliest colours:"
    )
    order = sorted(range(k), key=lambda i: -qv[i])
    example = [order[i % min(2, k)] for i in range(EXAMPLE_BALLS)]
    counts = [Fraction(0)] * k
    total = 0.0
    for t, j in enumerate(example):
        p = (counts[j] + alpha[j]) / (t + big_a)
        cost = -math.log2(p)
        total += cost
        add(
            f"  ball {t + 1} {symbols[j]}: p̂ = ({frac(counts[j])} + {frac(alpha[j])}) / "
            f"({t} + {frac(big_a)}) "
            f"= {frac(p)}, −log2 p̂ = {fixed(cost)} bits"
        )
        counts[j] += 1
    add(f"  {EXAMPLE_BALLS} balls: {fixed(total)} bits (the order does not matter: only the counts do)")
    H, start = entropy(q), cross_entropy(qv, prior)
    para(
        f"The first ball costs H(q, α/A) = {fixed(start)} bits on average"
        + (f" (log2 K = {fixed(math.log2(k))}: the prior is uniform)" if len(set(alpha)) == 1 else "")
        + f"; as the counts grow, p̂ tends to q and the bill per ball to H(q) = {fixed(H)}."
    )
    stream = CODE_KINDS[link.code_type].stream
    assert stream is not None and stream.regret_bound is not None
    bound = stream.regret_bound(obj, messages)
    if bound is not None:
        para(
            f"Over this run's n = {messages:,} balls the regret against the best fixed model in hindsight, "
            f"Σ −log2 p̂_t(x_t) − n·H(empirical), is at most {fixed(bound, 3)} bits whatever the balls "
            f"({_bound_name(alpha)} bound, K = {k})."
        )
    redundancy = expected_redundancy(qv, [float(a) for a in alpha], messages)
    if redundancy is not None:
        para(
            f"Against the truth: the bill is n·H(q) plus about (K − 1)/2 · log2(n/(2πe)) + "
            f"log2(Π Γ(α)/Γ(A)) − Σ (α − ½)·log2 q = {fixed(redundancy, 2)} bits on average, "
            f"so {fixed(H + redundancy / messages, 6)} bits per ball at n = {messages:,} "
            "(the learning costs a few bits in all, not per ball)."
        )
    if isinstance(obj, AdaptiveHuffman):
        limit = huffman(q).expected_length(q)
        para(
            f"Adaptive Huffman: both ends rebuild the Huffman code of their counts every {obj.every:_} balls "
            f"({obj.rebuilds(messages):,} rebuilds in this run); a ball costs its codeword's whole bits, "
            f"so the bill tends to Huffman's L(q) = {fixed(limit)}, not H(q)."
        )
    else:
        para(
            "The arithmetic coder adds at most Σ ε_t + 1 bits to Σ −log2 p̂_t(x_t), ε_t = −log2(1 − "
            "T_t/(2^32·f_t(x_t))) (about K/(2^32 ln 2) bits a ball on average), at most 1 bit at the end. "
            "The run also "
            "tallies LZ78 on the same balls, a universal code that needs no model, for comparison."
        )
