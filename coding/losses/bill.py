"""A training loss is a telegraph bill: the bridge between the losses and the codes.

A classifier's cross-entropy loss on a ball of colour x is −ln p(x) nats,
where p is the model. An ideal code built on the same model (codeword
lengths −log2 p(x), which an arithmetic coder reaches to within a couple of
bits per message) charges −log2 p(x) bits for that ball. The two differ only
by the unit: 1 nat = 1/ln 2 bits. So the mean loss over a run of balls,
divided by ln 2, *is* the bits per ball the telegraph bills, and it splits
as the cross entropy H(q̂, p) = H(q̂) + D(q̂‖p) of the run's own colour
frequencies q̂: the entropy no model can save, plus the KL divergence a
better model could.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from coding.distribution import Distribution
from coding.losses import pytorch
from coding.measures import cross_entropy, entropy, kl_divergence

__all__ = ["LOSS_MAPPING", "Bill", "LossRole", "nats_to_bits", "telegraph_bill"]

LN2 = math.log(2)


def nats_to_bits(nats: float) -> float:
    """A loss in nats (natural logs, as the frameworks report it) in bits: divide by ln 2.

    >>> round(nats_to_bits(1.6280), 4)
    2.3487
    >>> nats_to_bits(math.log(2))
    1.0
    """
    return nats / LN2


@dataclass(frozen=True)
class LossRole:
    """What one framework loss is on the telegraph: q draws the balls, p is the model the code assumes.

    ``call`` is how the framework is called; ``telegraph`` the quantity it
    computes per sample (in nats: divide by ln 2 for bits); ``slip`` where
    the source article gets that loss wrong (empty when it does not).
    """

    call: str
    telegraph: str
    slip: str = ""


#: Each deep-learning loss of :mod:`coding.losses` against the telegraph's H, cross entropy and KL.
LOSS_MAPPING: tuple[LossRole, ...] = (
    LossRole(
        "torch cross_entropy(logits, target) / keras CategoricalCrossentropy(from_logits=True)",
        "cross entropy H(q, p) = H(q) + D(q‖p): the bill per ball for coding q's balls with a code "
        "ideal for p = softmax(logits); with class-index targets q is one-hot, H(q) = 0 and the "
        "loss is −log p(label), the ideal codeword length of the ball sent",
        "the article drops the loss's minus sign (so its value could never be positive), and its "
        "softmax divides by Σ e^{x_i} with the numerator's index; the sum must run over every class j",
    ),
    LossRole(
        "torch nll_loss(log_probs, labels) / keras SparseCategoricalCrossentropy",
        "the same cross entropy, −log p(label) averaged over balls: nll_loss takes "
        "log-probabilities, not probabilities (passing p gives a wrong number and no error)",
        "the article calls cross entropy the log likelihood; it is the NEGATIVE log likelihood",
    ),
    LossRole(
        "torch kl_div(log_p, q, reduction='batchmean') / keras KLDivergence(q, p)",
        "KL divergence D(q‖p) = H(q, p) − H(q): the part of the bill a better model could save; "
        "torch's input is log p (the model) and its target q (the truth), and only 'batchmean' "
        "is the mathematical mean ('mean' divides by the number of elements)",
        "the article says maximising the forward KL maximises the cross entropy (both are "
        "minimised), and swaps which of P and Q is the true distribution between two paragraphs",
    ),
    LossRole(
        "torch binary_cross_entropy(p, y) / keras BinaryCrossentropy",
        "cross entropy of a two-colour box: −[y log p + (1 − y) log(1 − p)] per ball; torch clamps "
        "each log at −100, Keras clips p to [1e−7, 1 − 1e−7], so a certain wrong answer costs a "
        "finite bill instead of an infinite one",
        "the article writes it with log2 and leaves a bracket open; the frameworks use natural "
        "logs, so their number is in nats",
    ),
    LossRole(
        "entropy H(q)",
        "no framework loss: the floor of every bill above, the bits per ball that no model can save; "
        "a loss reaches it only when the model equals the truth (D(q‖p) = 0)",
    ),
)


@dataclass(frozen=True)
class Bill:
    """One run of balls coded with a model, priced as a loss and as a telegraph bill.

    ``loss_nats`` is the mean of ``torch.nn.functional.cross_entropy`` on
    logits ln p(x) and the balls as class labels; ``loss_bits`` the same in
    bits. ``code_bits_per_ball`` is Σ −log2 p(x_t) / n, the bill of an ideal
    code built on the model. ``entropy``, ``cross_entropy`` and
    ``kl_divergence`` (bits) are those of the run's colour frequencies q̂
    against the model p: ``cross_entropy = entropy + kl_divergence``, and it
    equals ``loss_bits`` and ``code_bits_per_ball``.
    """

    balls: int
    loss_nats: float
    loss_bits: float
    code_bits_per_ball: float
    entropy: float
    cross_entropy: float
    kl_divergence: float


def telegraph_bill(balls: Iterable[str], model: Distribution | Mapping[str, float]) -> Bill:
    """Price a run of balls coded with ``model``: as a cross-entropy loss and as ideal-code bits.

    ``balls`` are colours (each one of the model's symbols); ``model`` is the
    distribution p the code and the classifier assume (a :class:`Distribution`
    or a mapping colour → probability). A colour the model gives probability
    0 makes the loss and the bill infinite.

    All 100 balls of Australia's box (13 blue, 25 red, 50 green, 12 yellow)
    sent with India's model (25, 50, 13, 12 per hundred): the mean loss of
    1.6280 nats is 2.3488 bits, exactly the ideal code's bill per ball and the
    cross entropy H(australia, india) = 1.7497 + 0.5991.

    >>> india = Distribution.from_counts({"blue": 25, "red": 50, "green": 13, "yellow": 12})
    >>> box = ["blue"] * 13 + ["red"] * 25 + ["green"] * 50 + ["yellow"] * 12
    >>> bill = telegraph_bill(box, india)
    >>> round(bill.loss_nats, 4), round(bill.loss_bits, 4), round(bill.code_bits_per_ball, 4)
    (1.628, 2.3488, 2.3488)
    >>> round(bill.entropy, 4), round(bill.kl_divergence, 4), round(bill.cross_entropy, 4)
    (1.7497, 0.5991, 2.3488)
    >>> abs(bill.loss_bits - bill.code_bits_per_ball) < 1e-12
    True
    """
    p = model if isinstance(model, Distribution) else Distribution(model)
    index = {s: i for i, s in enumerate(p.symbols)}
    labels = []
    for position, ball in enumerate(balls):
        if ball not in index:
            raise ValueError(
                f"'balls'[{position}] is {ball!r}, not one of the model's colours {list(p.symbols)}"
            )
        labels.append(index[ball])
    if not labels:
        raise ValueError("'balls' must not be empty")
    n = len(labels)
    y = np.array(labels, dtype=np.int64)
    with np.errstate(divide="ignore"):
        logits = np.log(p.probabilities)  # softmax(ln p) = p; ln 0 = −inf
        lengths = -np.log2(p.probabilities)  # the ideal code's codeword lengths
    loss = float(pytorch.cross_entropy(np.broadcast_to(logits, (n, logits.size)), y))
    counts = np.bincount(y, minlength=logits.size)
    q_hat = counts / n
    return Bill(
        balls=n,
        loss_nats=loss,
        loss_bits=nats_to_bits(loss),
        code_bits_per_ball=float(np.sum(lengths[y])) / n,
        entropy=entropy(q_hat),
        cross_entropy=cross_entropy(q_hat, p.probabilities),
        kl_divergence=kl_divergence(q_hat, p.probabilities),
    )
