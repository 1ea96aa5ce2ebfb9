"""What theory predicts for a link, and the checks that hold a run against it.

Each check returns one of three verdicts: pass, FAIL, or inconclusive (the
data cannot decide, and the detail says why), and states its false-alarm
rate: the chance of a FAIL when theory is right. Exact checks (bounds that
are algebra, lossless delivery) have rate 0; statistical ones use
:data:`sim.model.stats.ALPHA`, with the variance theory gives wherever it gives one.
``benchmarks/calibration.py`` measures both rates over many seeds.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from coding import Distribution, cross_entropy, entropy, kl_divergence
from coding import channel as ch
from coding.arithmetic import FLUSH_BITS, WORD_BITS
from coding.resync import resync_distribution, resync_mean
from sim.model.kinds import CODE_KINDS, over
from sim.model.noise_kinds import Bsc
from sim.model.noise_kinds import Hamming74 as ChHamming74
from sim.model.noise_kinds import Repetition as ChRepetition
from sim.model.records import Link
from sim.model.results import Check, Learning, LinkErrors, LinkResult, Theory
from sim.model.stats import ALPHA, WAIT_ALPHA, bernstein_threshold, relaxation_time, t_quantile

#: The normal quantile for ALPHA (two-sided), used where the statistic is a smooth function of sums.
Z_ALPHA = 3.2905267314919255
#: Below this many messages the normal approximation of a ratio is not trusted.
MIN_NORMAL = 100
#: Without replacement, the M/G/1 formula is judged only while at most this share of the box is drawn.
MAX_DRAWN_SHARE = 0.1


def link_theory(link: Link) -> Theory:
    """Entropy, cross entropy, KL, expected length and queueing figures for ``link``."""
    q = link.urn.distribution
    code = link.code
    p = link.assumed_distribution
    # The code may cover more symbols than the urn holds: compare on the union.
    qv, pv = _on_union(q, p)
    r = code.implied_distribution()
    if r.symbols == q.symbols:  # the usual case
        r_on_q = np.array(r.probabilities)
    else:  # a colour with no balls may lack a codeword
        r_on_q = np.array([r[s] if s in r else 0.0 for s in q.symbols])
    L, var = link.per_ball()
    K = code.kraft_sum
    theory: dict[str, Any] = dict(
        entropy=entropy(q),
        cross_entropy=cross_entropy(qv, pv),
        kl_divergence=kl_divergence(qv, pv),
        expected_length=L,
        length_variance=var,
        kraft_sum=float(K),
        log_kraft=math.log2(K.numerator) - math.log2(K.denominator),
        implied_kl=_implied_kl(q, r_on_q, code),
    )
    stream = CODE_KINDS[link.code_type].stream
    if stream is not None:
        # A stream code has no codeword per ball: its overhead over H(q) stands where D(q‖r) stood.
        theory.update(kraft_sum=1.0, log_kraft=0.0, implied_kl=L - theory["entropy"])
        bound = stream.bound(link.stream, over(link.urn.counts, stream.symbols(link.stream)), p)
        if bound is not None:
            theory.update(stream_bound_low=bound[0], stream_bound_high=bound[1])
        model = getattr(link.stream, "model", None)
        if isinstance(model, Distribution):
            theory["quantised_cross_entropy"] = cross_entropy(*_on_union(q, model))
        parse = getattr(link.stream, "expected_parse_length", None)
        if callable(parse):
            theory["expected_parse_length"] = float(parse(q))
        order = getattr(link.stream, "order", None)
        if isinstance(order, int):
            theory["block_order"] = order
    if not link.replacement:
        theory["whole_draw_per_ball"] = whole_draw_per_ball(link.urn.counts.values())
    rate = link.arrivals.message_rate
    baud = link.wire_baud
    k, f = link.telegram, link.frame_bits
    # A telegram is k codewords of i.i.d. lengths plus f bits of its own (parity per telegram: 1),
    # all sent at ``baud``: S = (B + f)/baud exactly, B the codewords' bits (mean kL, variance kσ²).
    # Lw is the wire's bits per message, L + f/k.
    Lw = L + f / k
    mean_service = (k * L + f) / baud
    theory["mean_service"] = mean_service
    if rate is not None:
        rho = rate * Lw / baud
        theory["utilisation"] = rho
        if rho < 1:
            # c_s² = Var[S]/E[S]² = kσ²/(kL + f)²
            theory["relaxation_time"] = relaxation_time(rho, var / (k * Lw * Lw))
        if link.arrivals.process.poisson and k == 1 and rho < 1 and not link.line.shared:
            # E[S²] = (Var[l] + (L + f)²)/baud², divided through term by term so a fast line
            # underflows to 0 instead of overflowing in baud².
            second_moment = (var / baud) / baud + (Lw / baud) ** 2
            theory["pk_mean_wait"] = rate * second_moment / (2 * (1 - rho))
    if link.line.noise is not None:
        theory.update(noise_theory(link))
    return Theory(**theory)


def noise_theory(link: Link) -> dict[str, float]:
    """Capacity, the channel code's rate and, on a binary symmetric line, the error rates theory gives.

    Residual bit error after the channel decoder: ε without a code (and with
    parity, which passes bits on as received), 3ε² − 2ε³ (in general the
    binomial tail) for repetition, Hamming(7,4)'s per-bit figure for it.
    Data-block error: Hamming(7,4) fails when two or more of its 7 bits flip,
    1 − (1 − ε)^7 − 7ε(1 − ε)^6; a block of repetition or of no code is one
    bit. Message error for a fixed-length code of l bits whose bits fail
    independently (no code, repetition, parity per block): 1 − (1 − b)^l. The
    mean resynchronisation length of a variable-length prefix code without a
    channel code is the exact small-ε value of :func:`coding.resync.resync_mean`.
    A stream code's figures come from its kind's row (``Stream.resync``,
    ``word_bits``, ``desync``); parity per telegram from :func:`parity_theory`.
    """
    noise, code = link.line.noise, link.channel
    assert noise is not None
    out: dict[str, float] = {"capacity": noise.capacity(), "code_rate": link.channel_rate}
    if not isinstance(noise, Bsc):
        return out
    eps = noise.flip
    if isinstance(code, ChRepetition):
        bit = ch.repetition_bit_error(eps, code.n)
        out["block_error_rate"] = bit
    elif isinstance(code, ChHamming74):
        bit = ch.hamming74_bit_error(eps)
        out["block_error_rate"] = ch.hamming74_block_error(eps)
    else:
        bit = eps
        if code is None:
            out["block_error_rate"] = eps
    out["channel_bit_error_rate"] = bit
    if code is not None and code.per_telegram:
        out.update(parity_theory(link, eps))
        return out
    q = link.urn.distribution
    stream = CODE_KINDS[link.code_type].stream
    if stream is not None and link.stream is not None:
        if stream.word_bits is not None and not isinstance(code, ChHamming74):
            # Every word has m bits, each wrong independently with probability b; a ball is
            # wrong when its word is, and which word a flip hits does not depend on its balls.
            out["word_error_rate"] = out["message_error_rate"] = 1.0 - (1.0 - bit) ** stream.word_bits(
                link.stream
            )
        if stream.resync is not None and code is None:
            pmf = stream.resync(link.stream, q)
            out["resync_mean"] = float(np.arange(1, pmf.size + 1) @ pmf)
        if stream.desync is not None:
            out["desync_error_rate"] = stream.desync(link.stream, q)
        return out
    lengths = {len(w) for w in link.code.codewords.values()}
    if len(lengths) == 1 and not isinstance(code, ChHamming74):
        out["message_error_rate"] = 1.0 - (1.0 - bit) ** lengths.pop()
    elif code is None and link.code.D == 2 and link.code.is_prefix_free:
        out["resync_mean"] = resync_mean(
            link.code, [q[s] if s in q.symbols else 0.0 for s in link.code.symbols]
        )
    return out


def parity_theory(link: Link, eps: float) -> dict[str, float]:
    """Parity per telegram over a BSC(ε): telegrams lost and passed wrong (symbol codes, i.i.d. draws).

    A telegram of B bits travels with its parity bit, B + 1 bits. It fails
    the check (and is dropped) when an odd number of them flip, with
    probability (1 − (1 − 2ε)^(B+1))/2; it passes wrong when an even number,
    at least two, flip: (1 + (1 − 2ε)^(B+1))/2 − (1 − ε)^(B+1). The T
    messages of a telegram are drawn independently, so E[z^B] = G(z)^T with
    G(z) = Σ q(x) z^l(x), which makes both exact for any symbol code. Every
    telegram holds T messages, so a message is lost as often as a telegram.
    For a fixed-length code of l bits (B = n = T·l) a message is delivered
    wrong unseen when its own bits are not all right and the total number of
    flips is even: (1 + (1 − 2ε)^(n+1))/2 − (1 − ε)^l·(1 + (1 − 2ε)^(n+1−l))/2.

    >>> from sim.scenario.loader import loads
    >>> s = loads("urns: {u: {a: 1, b: 1}}\\ncodes: {f: {type: fixed}}\\n"
    ...           "lines: {w: {baud: 1, noise: {type: bsc, flip: 0.01}}}\\n"
    ...           "links: [{urn: u, code: f, line: w, channel: {type: parity}}]")
    >>> th = parity_theory(s.links[0], 0.01)
    >>> round(th["telegram_loss_rate"], 6), round(th["undetected_message_rate"], 6)  # 1 data + 1 parity bit
    (0.0198, 0.0001)
    """
    if not link.replacement:
        return {}
    law = link.telegram_law()
    if link.stream is not None and law is None:
        return {}
    q = link.urn.distribution
    lengths = link.code.lengths
    T = link.telegram

    def moment(z: float) -> float:  # E[z^(B+1)], B the bits of a telegram of T messages
        if law is not None:  # a restarting stream code: its exact telegram law
            return float(law[1] @ z ** (law[0] + 1))
        g = sum(q[c] * z ** lengths[c] for c in q.symbols if q[c] > 0)
        return float(z * g**T)

    out = {
        "telegram_loss_rate": (1.0 - moment(1.0 - 2.0 * eps)) / 2.0,
        "undetected_telegram_rate": (1.0 + moment(1.0 - 2.0 * eps)) / 2.0 - moment(1.0 - eps),
    }
    if law is not None:  # which of a wrong telegram's balls decode wrongly: no theory here
        return out
    used = {lengths[c] for c in q.symbols if q[c] > 0}
    if len(used) == 1:
        ell = used.pop()
        n = T * ell
        z = 1.0 - 2.0 * eps
        unseen = (1.0 + z ** (n + 1)) / 2.0 - (1.0 - eps) ** ell * (1.0 + z ** (n + 1 - ell)) / 2.0
        out["undetected_message_rate"] = unseen
        out["message_error_rate"] = out["telegram_loss_rate"] + unseen
    return out


def _law_entropy(law: tuple[np.ndarray, np.ndarray]) -> float:
    """H(B) in bits of a telegram-length law (bits, probabilities)."""
    p = law[1][law[1] > 0]
    return float(-(p @ np.log2(p)))


def whole_draw_per_ball(counts) -> float:
    """log2(N! / ∏ c!) / N: bits per ball to name one ordering of a whole box of N balls.

    Drawing every ball of a box without replacement yields one of the
    N! / ∏ c! distinguishable orders, all equally likely, so a code for the
    whole draw needs log2 of that many bits: less than H(q) per ball.

    >>> round(whole_draw_per_ball([1, 2, 1]), 4)
    0.8962
    """
    cs = [int(c) for c in counts]
    n = sum(cs)
    if n == 0:
        return 0.0
    log_coeff = math.lgamma(n + 1) - sum(math.lgamma(c + 1) for c in cs)
    return max(log_coeff, 0.0) / (n * math.log(2))


def _on_union(q: Distribution, p: Distribution) -> tuple[np.ndarray, np.ndarray]:
    """Both distributions as arrays over the union of their symbols (zeros where absent)."""
    if q.symbols == p.symbols:
        return q.probabilities.copy(), p.probabilities.copy()
    symbols = list(q.symbols) + [s for s in p.symbols if s not in q]
    return (
        np.array([q[s] if s in q else 0.0 for s in symbols]),
        np.array([p[s] if s in p else 0.0 for s in symbols]),
    )


def _implied_kl(q: Distribution, r_on_q: np.ndarray, code) -> float:
    """D(q‖r) with r = 2^−l / K over the whole code (r need not sum to 1 on q's colours)."""
    qv = q.probabilities
    nz = qv > 0
    return float(np.sum(qv[nz] * (np.log2(qv[nz]) - np.log2(r_on_q[nz])))) + 0.0


@dataclass(frozen=True)
class Measured:
    """What a run measured on one link: the inputs of :func:`checks`."""

    messages: int
    bits: int
    mismatches: int
    pending_bits: int
    box_balls: int  # balls in the box when drawn without replacement, else 0
    telegrams: int = 0
    busy_time: float = 0.0
    arrival_span: float = 0.0
    busy_fraction: float = 0.0
    mean_wait: float = math.nan
    steady_mean_wait: float = math.nan
    wait_std_error: float = math.nan
    wait_batches: int = 0
    wait_batch_size: int = 0
    wait_note: str = ""
    errors: LinkErrors | None = None
    colour_counts: Mapping[str, int] = field(default_factory=dict)  # balls drawn, per colour
    learning: Learning | None = None  # an adaptive link's running figures

    @classmethod
    def of(cls, result: LinkResult) -> Measured:
        s = result.line
        return cls(
            messages=result.messages,
            bits=result.bits,
            mismatches=result.mismatches,
            pending_bits=result.pending_bits,
            box_balls=0 if result.replacement else result.box_balls,
            telegrams=s.telegrams,
            busy_time=s.busy_time,
            arrival_span=s.arrival_span,
            busy_fraction=s.utilisation,
            mean_wait=s.mean_wait,
            steady_mean_wait=s.steady_mean_wait,
            wait_std_error=s.wait_std_error,
            wait_batches=s.wait_batches,
            wait_batch_size=s.wait_batch_size,
            wait_note=s.wait_note,
            errors=result.errors,
            colour_counts=dict(result.colour_counts),
            learning=result.learning,
        )


def finite_population_factor(n: int, box: int) -> float:
    """√((N − n)/(N − 1)): the standard error of a mean of n draws without replacement from N,
    relative to draws with replacement (1 for an unlimited box, 0 for a whole-box draw)."""
    if box <= 0:
        return 1.0
    if box <= 1 or n >= box:
        return 0.0
    return math.sqrt((box - n) / (box - 1))


def _rate(alpha: float) -> str:
    return "exact: false-alarm rate 0" if alpha == 0 else f"false-alarm rate ≤ {100 * alpha:g} %"


def _judge(name: str, ok: bool, detail: str, alpha: float) -> Check:
    verdict = "pass" if ok else "FAIL"
    return Check(name, bool(ok), f"{detail} [{verdict}; {_rate(alpha)}]", false_alarm=alpha)


def _undecided(name: str, detail: str, alpha: float) -> Check:
    return Check(name, None, f"{detail} [inconclusive; {_rate(alpha)} when judged]", false_alarm=alpha)


def checks(link: Link, theory: Theory, measured: Measured) -> tuple[Check, ...]:
    """Hold the measured figures of a run against ``theory``."""
    kind = CODE_KINDS[link.code_type]
    out = [_stream_bits_check(link, theory, measured) if kind.stream else _bits_check(link, theory, measured)]
    H, L = theory.entropy, theory.expected_length
    if link.replacement:
        why = "no uniquely decodable code beats the entropy of an i.i.d. source"
    else:
        why = (
            "a code for single balls still cannot beat H(q) on average; but this box is drawn without "
            "replacement, not an i.i.d. source, and a code for the whole draw needs only "
            f"{theory.whole_draw_per_ball:.6f} bits per ball"
        )
    # A learning code's L is the limit it learns towards, H(q) itself (or Huffman's L(q)): H ≤ L holds
    # by definition there, so the check could not fail; regret_bound and adaptive_bound hold such a
    # link to the entropy run by run instead.
    law = link.telegram_law()
    if law is not None:  # restarts: the line's framing tells each telegram's length, worth ≤ H(B) bits
        framing = _law_entropy(law) / link.telegram
        out.append(
            _judge(
                "entropy_bound",
                H <= L + framing + 1e-12,
                f"H(q) = {H:.6f} ≤ L + H(B)/T = {L:.6f} + {framing:.6f} (each telegram decodes on its own "
                "because the line says where it ends: T·H(q) ≤ E[B] + H(B), B a telegram's bits)",
                0.0,
            )
        )
    elif kind.stream is None or kind.stream.regret_bound is None:
        out.append(_judge("entropy_bound", H <= L + 1e-12, f"H(q) = {H:.6f} ≤ L = {L:.6f} ({why})", 0.0))
    q = link.urn.distribution
    out.extend(_stream_checks(link, theory, measured))
    out.extend(_learning_checks(link, measured))
    bound = f"{kind.name}_bound"
    if kind.bound == "entropy" and link.assumed is not None and _same(link.assumed, q):
        out.append(_plus_one_bound(bound, "H", H, L, link))
    elif kind.bound == "cross_entropy":
        out.append(_plus_one_bound(bound, "H(q, p)", theory.cross_entropy, L, link, kind.bound_above))
    if measured.errors is not None:  # a noisy line: error rates held against theory instead
        out.extend(noise_checks(link, theory, measured.errors, measured.messages))
    else:
        out.append(
            _judge(
                "lossless",
                measured.mismatches == 0 and measured.pending_bits == 0,
                f"{measured.mismatches} of {measured.messages} messages decoded wrongly, "
                f"{measured.pending_bits} bits left undecoded",
                0.0,
            )
        )
    out.extend(
        shared_line_checks(link, theory, measured)
        if link.line.shared
        else _line_checks(link, theory, measured)
    )
    return tuple(out)


#: A rate check is judged only when theory expects at least this many errors (fewer cannot decide).
MIN_ERRORS = 10
#: The resynchronisation check needs this many error events (the mean of an unbounded length).
MIN_EVENTS = 30


def _rate_check(name: str, label: str, wrong: int, count: int, p: float) -> Check:
    """``wrong`` of ``count`` independent trials against probability ``p`` (Bernstein, binomial variance)."""
    detail = f"{label}: measured {wrong}/{count} = {wrong / count if count else math.nan:.3g}, theory {p:.4g}"
    if count * p < MIN_ERRORS:
        return _undecided(name, f"{detail}; theory expects {count * p:.3g} < {MIN_ERRORS} errors", ALPHA)
    t = bernstein_threshold(count, p * (1 - p), max(p, 1 - p), ALPHA)
    return _judge(name, abs(wrong - count * p) <= t, f"{detail} (allowed ± {t / count:.2g})", ALPHA)


def noise_checks(link: Link, theory: Theory, e: LinkErrors, messages: int) -> list[Check]:
    """Error rates on a noisy line against theory (each check only where theory gives the figure).

    Messages of a fixed-length code fail independently over a memoryless
    line, and so do a repetition code's bits and Hamming(7,4)'s blocks: each
    is a binomial count, judged with Bernstein's inequality at
    :data:`sim.model.stats.ALPHA` (inconclusive when theory expects fewer
    than :data:`MIN_ERRORS`). The mean resynchronisation length is judged
    against the exact small-ε value with the normal approximation and the
    variance of the exact law (inconclusive below :data:`MIN_EVENTS` events).
    """
    out: list[Check] = []
    # Messages fail independently only when each is judged on its own bits: a symbol code, one
    # message per telegram if parity drops whole telegrams (a Tunstall word's balls fail together:
    # its words are judged instead).
    alone = link.stream is None and (
        link.telegram == 1 or link.channel is None or not link.channel.per_telegram
    )
    if theory.message_error_rate is not None and alone:
        out.append(
            _rate_check(
                "message_error_rate", "messages decoded wrongly", e.wrong_messages, messages,
                theory.message_error_rate,
            )
        )  # fmt: skip
    if theory.word_error_rate is not None:
        out.append(_rate_check("word_error_rate", "Tunstall words decoded wrongly", e.wrong_words, e.words,
                               theory.word_error_rate))  # fmt: skip
    if theory.telegram_loss_rate is not None:
        out.append(_rate_check("telegram_loss_rate", "telegrams failing their parity check", e.lost_telegrams,
                               e.telegrams, theory.telegram_loss_rate))  # fmt: skip
    if theory.undetected_telegram_rate is not None:
        out.append(_rate_check("undetected_telegram_rate", "telegrams passing the check wrong",
                               e.undetected_telegrams, e.telegrams,
                               theory.undetected_telegram_rate))  # fmt: skip
    code = link.channel
    if theory.block_error_rate is not None and isinstance(code, ChHamming74):
        out.append(_rate_check("block_error_rate", "Hamming(7,4) blocks wrong", e.block_errors, e.blocks,
                               theory.block_error_rate))  # fmt: skip
    elif theory.channel_bit_error_rate is not None:
        name = "residual_bit_error" if isinstance(code, ChRepetition) else "channel_bit_error_rate"
        out.append(_rate_check(name, "bits reaching the decoder wrong", e.bit_errors, e.data_bits,
                               theory.channel_bit_error_rate))  # fmt: skip
    if theory.resync_mean is not None:
        eps = theory.channel_bit_error_rate or 0.0
        out.append(_resync_check(link, theory.resync_mean, e, eps * theory.expected_length))
    return out


def resync_law(link: Link) -> np.ndarray:
    """P(R = r) (index r − 1) of the resynchronisation length in messages after an isolated flip:
    the stream kind's own law, else the symbol code's (:func:`coding.resync.resync_distribution`)."""
    q = link.urn.distribution
    stream = CODE_KINDS[link.code_type].stream
    if stream is not None and stream.resync is not None and link.stream is not None:
        return stream.resync(link.stream, q)
    return resync_distribution(link.code, [q[s] if s in q.symbols else 0.0 for s in link.code.symbols])


def _resync_check(link: Link, mu: float, e: LinkErrors, flips_per_message: float) -> Check:
    """Measured mean resynchronisation length against the exact isolated-flip value.

    The exact value assumes isolated flips; a second flip within an event (or
    in the message after it) merges events and lengthens them. That bias is at
    most about f·(μ + 1)·μ, f the flips per message (ε·L): the check allows it
    on top of the statistical slack, and is inconclusive when it exceeds the slack
    (ε too large for the isolated-flip theory to decide).
    """
    pmf = resync_law(link)
    r = np.arange(1, pmf.size + 1)
    sd = math.sqrt(float(np.sum(pmf * (r - mu) ** 2)))
    n = int(sum(e.resync_hist))  # closed events (a run still open at the end has no length yet)
    detail = f"mean resynchronisation length: measured {e.resync_mean:.4g} over {n} events, exact {mu:.4g}"
    if n < MIN_EVENTS:
        return _undecided("resync_mean", f"{detail}; fewer than {MIN_EVENTS} events", ALPHA)
    slack = Z_ALPHA * sd / math.sqrt(n)
    bias = flips_per_message * (mu + 1) * mu
    if bias > slack:
        why = f"merged events may bias it by up to {bias:.2g}, more than the slack {slack:.2g}"
        return _undecided("resync_mean", f"{detail}; {why}", ALPHA)
    ok = abs(e.resync_mean - mu) <= slack + bias
    return _judge(
        "resync_mean", ok, f"{detail} (allowed ± {slack:.2g} + {bias:.2g} for merged events)", ALPHA
    )


def _length_spread(link: Link, L: float) -> float:
    """max |l(x) − L| over the colours that have balls: the range Bernstein's bound needs."""
    code, counts = link.code, link.urn.counts
    if code.symbols == tuple(counts):  # the usual case: whole arrays
        drawn = np.fromiter(counts.values(), dtype=np.float64, count=len(counts)) > 0
        return float(np.max(np.abs(code.length_array()[drawn] - L)))
    lengths = code.lengths
    return max(abs(lengths[c] - L) for c, k in counts.items() if k > 0)


def _bits_check(link: Link, theory: Theory, m: Measured) -> Check:
    """Measured bits/message against L, by Bernstein's bound with the code's exact Var(l)."""
    name = "bits_per_message"
    n, L, var = m.messages, theory.expected_length, theory.length_variance
    if n == 0:
        return _undecided(name, "no messages were sent", ALPHA)
    mean = m.bits / n
    box = m.box_balls
    # Without replacement the drawn and the undrawn balls deviate by the same amount: the bound
    # for the smaller of the two applies (Hoeffding 1963), and a whole-box draw is exact.
    count = min(n, box - n) if box else n
    spread = _length_spread(link, L)
    allowed = bernstein_threshold(count, var, spread) / n
    fpc = finite_population_factor(n, box)
    se = math.sqrt(var / n) * fpc
    slack = 1e-12 * max(1.0, L)  # float rounding of n·L
    diff = mean - L
    source = f"finite-population factor {fpc:.4g} for {n:,} of {box:,} balls" if box else "i.i.d. draws"
    detail = (
        f"measured {mean:.6f} vs L = {L:.6f}: difference {diff:+.6f}; theoretical standard error "
        f"σ_l/√n = {se:.6g} (Var(l) = {var:.6g}, {source})"
    )
    if allowed == 0.0:
        return _judge(name, abs(diff) <= slack, detail + "; every message's length is certain", 0.0)
    if count * spread <= allowed * n + slack and count > 0:
        return _undecided(
            name,
            detail + f"; with {n:,} messages no outcome could lie beyond the allowed ±{allowed:.6g}",
            ALPHA,
        )
    return _judge(
        name,
        abs(diff) <= allowed + slack,
        detail + f"; allowed ±{allowed:.6g} (Bernstein's bound with that variance)",
        ALPHA,
    )


def _largest_step(link: Link, learned: Learning, n: int) -> float:
    """b: no ball's cost differs from its expected cost by more (bits).

    Arithmetic: both lie in [0, log2(T/f)] ≤ log2((n − 1 + A)/α_min) while the counts are the
    Dirichlet estimator's, ≤ the precision (log2 2^precision / 1) after a rescale. Adaptive
    Huffman: a codeword over K colours has 1 … K − 1 bits.
    """
    k = len(learned.symbols)
    if learned.coder == "huffman":
        return float(max(k - 2, 1))
    if learned.rescales:
        model = getattr(link.stream, "precision", 24)
        return float(model)
    alpha = learned.pseudo_counts
    return math.log2(max(n - 1 + sum(alpha), 1.0) / min(alpha)) if k > 1 else 0.0


def _learning_bits_check(link: Link, m: Measured, learned: Learning) -> Check:
    """An adaptive link's bits against what theory expects of each ball *given the balls before it*.

    Ball t costs c_t = −log2 p̂_t(x_t) (arithmetic; the coder adds at most ε_t a ball and 1 bit at
    the end, and may send up to 32 bits less, the last range it need not pin down) or l_t(x_t)
    (adaptive Huffman). Given the past, x_t is drawn from q, so c_t has mean
    μ_t = H(q, p̂_t) (or Σ q·l_t) and variance σ_t², whatever the model has learned: Σ (c_t − μ_t)
    is a martingale with predictable variation V = Σ σ_t² and steps of at most b. Freedman's
    inequality, P(|Σ (c_t − μ_t)| ≥ t, V ≤ v) ≤ 2 exp(−t²/(2(v + b·t/3))), judges it at the run's V
    (Bernstein's form for a martingale: a rare colour's long cost does not fool it, as it fooled
    the normal approximation at 100 balls). The coder's overhead is allowed on top.
    """
    name = "bits_per_message"
    n = m.messages
    if n == 0:
        return _undecided(name, "no messages were sent", ALPHA)
    mean, expected = m.bits / n, learned.expected_bits / n
    se = math.sqrt(learned.expected_variance) / n
    arithmetic = learned.coder == "arithmetic"
    over = (learned.epsilon_bits + FLUSH_BITS) / n if arithmetic else 0.0
    under = WORD_BITS / n if arithmetic else 0.0
    step = _largest_step(link, learned, n)
    allowed = bernstein_threshold(1, learned.expected_variance, step, ALPHA) / n
    low, high = expected - allowed - under, expected + allowed + over
    what = "H(q, p̂_t)" if arithmetic else "Σ_x q(x)·l_t(x)"
    detail = (
        f"measured {mean:.6f} vs Σ_t {what}/n = {expected:.6f} bits per ball, the cost expected of "
        f"each ball given the balls before it: difference {mean - expected:+.6f}; standard error "
        f"√(Σ_t σ_t²)/n = {se:.6g}; allowed {low:.6f} … {high:.6f} (Freedman's inequality, steps of "
        f"at most {step:.3g} bits"
        + (
            f", plus the coder's Σ ε_t + 1 = {learned.epsilon_bits + FLUSH_BITS:.4f} bits above and "
            f"{WORD_BITS} below)"
            if arithmetic
            else ")"
        )
    )
    if n < MIN_NORMAL:
        return _undecided(
            name, detail + f"; fewer than {MIN_NORMAL} balls: the normal law is not trusted", ALPHA
        )
    if not link.replacement:
        return _undecided(
            name, detail + "; drawn without replacement: the next ball is not drawn from q", ALPHA
        )
    return _judge(name, low - 1e-9 <= mean <= high + 1e-9, detail, ALPHA)


def _learning_checks(link: Link, m: Measured) -> list[Check]:
    """An adaptive link's exact checks: the coder against the model's ideal code length, and the
    model's regret against its prior's bound (both hold for every sequence: false-alarm rate 0)."""
    learned = m.learning
    if learned is None:
        return []
    out = []
    n, ideal = m.messages, learned.ideal_bits
    if learned.coder == "arithmetic":
        most = ideal + learned.epsilon_bits + FLUSH_BITS
        out.append(
            _judge(
                "adaptive_bound",
                m.bits <= most + 1e-9 * most,
                f"{m.bits:,} bits sent ≤ Σ −log2 p̂_t(x_t) + Σ ε_t + 1 = {ideal:,.3f} + "
                f"{learned.epsilon_bits:.4f} + 1 = {most:,.3f} over this run's {n:,} balls "
                f"(sent − ideal = {m.bits - ideal:+.3f} bits)",
                0.0,
            )
        )
    bound = learned.regret_bound
    if bound is None:
        return out
    name, regret = "regret_bound", learned.regret
    label = {"kt": "KT", "laplace": "Laplace"}.get(learned.prior, "Dirichlet (every α ≥ ½)")
    formula = {
        "kt": "(K − 1)/2 · log2(n + K/2) + log2(√(2π)/Γ(K/2)) + 1/(12 (n + K/2) ln 2)",
        "laplace": "log2 C(n + K − 1, K − 1)",
    }.get(learned.prior, "KT's + log2[Γ(n + A)Γ(K/2)/(Γ(A)Γ(n + K/2))]")
    detail = (
        f"regret Σ −log2 p̂_t(x_t) − n·H(empirical) = {ideal:,.3f} − {learned.empirical_bits:,.3f} = "
        f"{regret:.3f} bits; {label} bound {formula} = {bound:.3f} (K = {len(learned.symbols)}, "
        f"n = {n:,})"
    )
    if learned.rescales:
        return out + [
            _undecided(
                name,
                detail + f"; the counts were halved {learned.rescales} times to stay within the coder's "
                "precision, so the model is no longer the Dirichlet estimator the bound is for",
                0.0,
            )
        ]
    slack = 1e-9 * max(ideal, 1.0)
    out.append(_judge(name, -slack <= regret <= bound + slack, detail, 0.0))
    return out


def _stream_bits_check(link: Link, theory: Theory, m: Measured) -> Check:
    """Measured bits/ball of a stream code against its expected bits per ball (normal approximation).

    The mean over n balls has variance σ²/n with σ² from theory (Var(l_block)/k for blocks,
    the renewal-reward delta method for Tunstall, Var(−log2 p̂(x)) for arithmetic); the end
    of the run (padding, flush) may add up to ``tail`` bits, allowed on top.
    """
    name = "bits_per_message"
    n, L, var = m.messages, theory.expected_length, theory.length_variance
    stream = CODE_KINDS[link.code_type].stream
    assert stream is not None
    if m.learning is not None:
        return _learning_bits_check(link, m, m.learning)
    if n == 0:
        return _undecided(name, "no messages were sent", ALPHA)
    if stream.word_balls is not None and stream.word_bits is not None and link.replacement:
        return _words_check(link, theory, m, stream.word_bits(link.stream), *stream.word_balls(link.stream))
    mean = m.bits / n
    fpc = finite_population_factor(n, m.box_balls)
    se = math.sqrt(var / n) * fpc
    tail = stream.tail(link.stream) / n
    law = link.telegram_law()
    if law is not None:  # a last, short telegram: 0 … max B bits against its share of fewer than T balls
        tail = (float(law[0].max()) + link.telegram * L) / n
    allowed = Z_ALPHA * se + tail + 1e-12 * max(1.0, L)
    detail = (
        f"measured {mean:.6f} vs {L:.6f} bits per ball: difference {mean - L:+.6f}; theoretical "
        f"standard error {se:.6g} (variance per ball {var:.6g}); allowed ±{allowed:.6g} "
        f"(z = {Z_ALPHA:.3f}, plus at most {tail * n:g} bits at the end of the run)"
    )
    if n < MIN_NORMAL:
        return _undecided(
            name, detail + f"; fewer than {MIN_NORMAL} balls: the normal law is not trusted", ALPHA
        )
    if not link.replacement:
        return _undecided(name, detail + "; drawn without replacement: no stream-code theory here", ALPHA)
    return _judge(name, abs(mean - L) <= allowed, detail, ALPHA)


def _words_check(link: Link, theory: Theory, m: Measured, bits: int, shortest: int, longest: int) -> Check:
    """A variable-to-fixed code (Tunstall): its bits are ``bits`` times N, the words that cover n balls.

    Word lengths T_i are i.i.d. in [``shortest``, ``longest``] with mean μ = bits / L and
    variance σ² = Var·μ³/bits² (theory's L and variance per ball; a stream that ends inside
    a word completes it, so N = min{j : T_1 + … + T_j ≥ n}). N ≥ j + 1 exactly when the
    first j words hold fewer than n balls, and N ≤ j when they hold n or more, so Bernstein's
    inequality on T_1 + … + T_j bounds both tails of N at every n: the check FAILs when
    the measured N lies where that bound is below ALPHA/2 on its side (false-alarm rate
    ≤ ALPHA, with no normal approximation: a few long words on a skewed urn are a renewal
    count far from normal).
    """
    name = "bits_per_message"
    n, L, var = m.messages, theory.expected_length, theory.length_variance
    mu = bits / L
    var_t = var * mu**3 / bits**2
    spread = max(longest - mu, mu - shortest, 0.0)
    words = m.bits / bits

    def too_many(j: int) -> bool:  # P(N ≥ j) ≤ ALPHA/2: the first j − 1 words held too few balls
        return (j - 1) * mu - n > bernstein_threshold(j - 1, var_t, spread) + 1e-9

    def too_few(j: int) -> bool:  # P(N ≤ j) ≤ ALPHA/2: the first j words held n balls already
        return n - j * mu > bernstein_threshold(j, var_t, spread) + 1e-9

    low, high = 1, n + 1  # the least and the most words n balls can take, narrowed by bisection
    while low < high:  # the smallest j that is not too few
        mid = (low + high) // 2
        low, high = (mid + 1, high) if too_few(mid) else (low, mid)
    first = low
    low, high = first, n + 1
    while low < high:  # the largest j that is not too many
        mid = (low + high + 1) // 2
        low, high = (mid, high) if not too_many(mid) else (low, mid - 1)
    last = low
    detail = (
        f"measured {m.bits / n:.6f} vs {L:.6f} bits per ball: {words:,.0f} words of {bits} bits against "
        f"n/E[T] = {n / mu:,.2f} (E[T] = {mu:.4f} balls per word, Var(T) = {var_t:.4g}, words of "
        f"{shortest}–{longest} balls); Bernstein's bound on the words' lengths allows "
        f"{first:,}–{last:,} words"
    )
    return _judge(name, first <= words <= last, detail, ALPHA)


def _stream_checks(link: Link, theory: Theory, m: Measured) -> list[Check]:
    """A stream kind's own bounds: on its expected bits per ball (exact), and on the run's own sequence."""
    stream = CODE_KINDS[link.code_type].stream
    if stream is None:
        return []
    out = []
    name = f"{link.code_type}_bound"
    q = over(link.urn.counts, stream.symbols(link.stream))
    bound = stream.bound(link.stream, q, link.assumed_distribution)
    law = link.telegram_law()
    if law is not None and bound is not None:  # restarts: one flush per telegram, framed by the line
        T = link.telegram
        bound = (
            theory.entropy - _law_entropy(law) / T,
            bound[1] + FLUSH_BITS / T,
            f"H(q) − H(B)/T ≤ E[B]/T ≤ H(q, p̂) + ε + {FLUSH_BITS}/T (T = {T})",
        )
    if bound is not None:
        low, high, text = bound
        L = theory.expected_length
        ok = low - 1e-12 <= L <= high + 1e-12
        out.append(_judge(name, ok, f"{text}: {low:.6f} ≤ {L:.6f} ≤ {high:.6f}", 0.0))
    if stream.sequence_bound is not None and m.colour_counts:
        # One flush per telegram when the coder restarts at each: each adds at most FLUSH_BITS.
        flushes = -(-m.messages // link.telegram) if link.restarts else 1
        most = stream.sequence_bound(link.stream, m.colour_counts) + (flushes - 1) * FLUSH_BITS
        per = f" + {FLUSH_BITS} per telegram ({flushes:,} telegrams)" if link.restarts else " + 1"
        out.append(
            _judge(
                f"{link.code_type}_sequence_bound",
                m.bits <= most + 1e-9 * most,
                f"{m.bits:,} bits sent ≤ Σ (−log2 p̂(x_i) + ε(x_i)){per} = {most:,.3f} over this run's "
                f"{m.messages:,} balls",
                0.0,
            )
        )
    return out


def _plus_one_bound(name: str, label: str, low: float, L: float, link: Link, above: int = 0) -> Check:
    """low + above ≤ L < low + above + 1 (``above`` is 1 for Shannon–Fano–Elias, 0 otherwise);
    where the code's distribution puts all mass on one symbol, that symbol still needs one
    digit, so a code with ``above`` 0 has L = low + 1 exactly and the bound is ≤."""
    certain = above == 0 and float(link.assumed_distribution.probabilities.max()) == 1.0
    lo, hi = low + above, low + above + 1
    ok = lo - 1e-12 <= L and (L <= hi if certain else L < hi)
    upper = (
        f"≤ {label} + 1 (one certain symbol still costs a digit)" if certain else f"< {label} + {above + 1}"
    )
    lower = f"{label} + {above} = {lo:.6f}" if above else f"{label} = {low:.6f}"
    return _judge(name, ok, f"{lower} ≤ L = {L:.6f} {upper}", 0.0)


def _same(a: Distribution, b: Distribution) -> bool:
    if a.symbols == b.symbols:  # aligned: compare whole arrays
        pa, pb = a.probabilities, b.probabilities
        return bool(np.array_equal(pa > 0, pb > 0) and np.all(np.abs(pa - pb)[pb > 0] <= 1e-12))
    if set(a.support()) != set(b.support()):
        return False
    return all(abs(a[s] - b[s]) <= 1e-12 for s in b.support())


def _line_checks(link: Link, theory: Theory, m: Measured) -> list[Check]:
    rho = theory.utilisation
    if rho is None:
        return []
    out = [
        _judge(
            "stable_line",
            rho < 1,
            f"offered load ρ = {_load_formula(link)} = {rho:.6g}"
            + (" < 1" if rho < 1 else " ≥ 1: the queue grows without bound"),
            0.0,
        )
    ]
    if rho >= 1:
        return out
    out.append(_utilisation_check(link, theory, m))
    if theory.pk_mean_wait is not None:
        out.append(_pk_check(link, theory, m))
    return out


def _load_formula(link: Link) -> str:
    """How ρ is made: λ·L/baud, or with the channel code's bits per telegram λ·(L + f/k)/baud."""
    f, k = link.frame_bits, link.telegram
    if not f:
        return "λ·L/baud"
    return f"λ·(L + {f})/baud" if k == 1 else f"λ·(L + {f}/{k})/baud"


def _utilisation_check(link: Link, theory: Theory, m: Measured) -> Check:
    """Busy time per second of arrivals against ρ, with the standard error theory gives."""
    name = "utilisation"
    rho = theory.utilisation
    assert rho is not None
    n = m.messages
    process = link.arrivals.process
    # The span over which n messages arrived: n gaps for a Poisson stream (the first arrives after
    # one gap), n − 1 for a fixed one (the first at time 0) plus the gap that would follow.
    span = m.arrival_span + process.span_after_last()
    if n == 0 or span <= 0:
        return _undecided(name, "no messages arrived", ALPHA)
    est = m.busy_time / span
    # Busy time is Σ (B + f)/baud over telegrams: its only randomness is the codewords' bits, whose
    # variance is relative to the wire's bits per message L + f/k (L without a channel code's own bits).
    L = theory.expected_length + link.frame_bits / link.telegram
    fpc = finite_population_factor(n, m.box_balls)
    rel_var = (theory.length_variance / (L * L)) * fpc * fpc / n + process.gap_cv2 / n
    se = rho * math.sqrt(rel_var)
    detail = (
        f"busy time over the span of arrivals {est:.5f} vs ρ = {rho:.5f}: difference {est - rho:+.5f}; "
        f"standard error {se:.3g} from Var(l) and the arrival process "
        f"(busy fraction up to the last departure: {m.busy_fraction:.5f})"
    )
    if se == 0.0:
        return _judge(name, abs(est - rho) <= 1e-9 * rho, detail + "; nothing random: must match", 0.0)
    if n < MIN_NORMAL:
        return _undecided(name, detail + f"; fewer than {MIN_NORMAL} messages", ALPHA)
    allowed = Z_ALPHA * se
    return _judge(name, abs(est - rho) <= allowed, detail + f"; allowed ±{allowed:.3g} (normal)", ALPHA)


def _pk_check(link: Link, theory: Theory, m: Measured) -> Check:
    """The mean wait after warm-up against Pollaczek–Khinchine (see :func:`_wait_check`)."""
    assert theory.pk_mean_wait is not None
    return _wait_check("pollaczek_khinchine", "λE[S²]/(2(1−ρ))", theory.pk_mean_wait, m)


def _wait_check(name: str, formula: str, pk: float, m: Measured) -> Check:
    """The mean wait after warm-up against theory's ``pk``: batch means, a t quantile, on log scale.

    Waits are right-skewed, so a run with a low mean also has a small spread; comparing
    log(mean) with log(W) (standard error SE/mean, the delta method) keeps the two tails even.
    """
    head = f"{formula} = {pk:.5g} s"
    if m.box_balls and m.messages > MAX_DRAWN_SHARE * m.box_balls:
        return _undecided(
            name,
            f"mean wait {m.mean_wait:.5g} s vs {head}: the run drew {m.messages:,} of the box's "
            f"{m.box_balls:,} balls without replacement, so service times are not independent "
            "and the M/G/1 formula is not exact",
            WAIT_ALPHA,
        )
    if m.wait_note or not math.isfinite(m.wait_std_error) or not m.steady_mean_wait > 0:
        note = m.wait_note or "no batch-means standard error"
        return _undecided(name, f"mean wait {m.mean_wait:.5g} s vs {head}: {note}", WAIT_ALPHA)
    w, se, b = m.steady_mean_wait, m.wait_std_error, m.wait_batches
    t = t_quantile(ALPHA, b - 1)
    ratio_allowed = t * se / w
    lo, hi = pk * math.exp(-ratio_allowed), pk * math.exp(ratio_allowed)
    return _judge(
        name,
        abs(math.log(w / pk)) <= ratio_allowed,
        f"mean wait after warm-up {w:.5g} s vs {head}: difference {100 * (w - pk) / pk:+.2f} %, "
        f"allowed {lo:.4g} … {hi:.4g} s (log scale: t = {t:.3g} with {b - 1} degrees of freedom × "
        f"relative batch-means standard error {se / w:.3g}, {b} batches of {m.wait_batch_size:,} telegrams)",
        WAIT_ALPHA,
    )


# -- shared lines (the telegraph office) ------------------------------------------------


def _service_moments(link: Link) -> tuple[float, float]:
    """E[S] and E[S²] of one telegram of ``link`` (seconds): k codewords of i.i.d. lengths and the
    channel code's bits per telegram (:attr:`~sim.model.records.Link.frame_bits`), over baud."""
    k, f = link.telegram, link.frame_bits
    L, var = link.per_ball()
    baud = link.wire_baud
    return (k * L + f) / baud, (k * var + (k * L + f) ** 2) / baud**2


def shared_theories(links: Sequence[Link], base: Callable[[Link], Theory] = link_theory) -> dict[str, Theory]:
    """Theory for every link on a shared line, keyed by link name (``base`` gives the rest).

    The wire's load is the sum of its links' loads, ρ = Σ ρ_i. With Poisson
    arrivals and one message per telegram, the waiting work is
    W0 = Σ λ_i E[S_i²] / 2 and class k (the links of one priority) waits, by
    Cobham's non-preemptive priority formula,
    W_k = W0 / ((1 − σ_{k−1})(1 − σ_k)), σ_k the load of classes served
    before or with k. With one class this is the mixed-service
    Pollaczek–Khinchine wait W = Σ λ_i E[S_i²] / (2(1 − ρ)), the same for
    every link.

    The relaxation time that sizes the wait's warm-up and batches is the
    wire's (an M/G/1 queue of load ρ and the mixed service's squared
    coefficient of variation), stretched by 1/(1 − σ_{k−1})² for a class
    that higher classes overtake, and counted in this link's telegrams.
    """
    groups: dict[object, list[Link]] = {}
    for link in links:
        if link.line.shared:
            groups.setdefault(link.line, []).append(link)
    out: dict[str, Theory] = {}
    for members in groups.values():
        given = [link.arrivals.message_rate for link in members]
        rates = [r for r in given if r is not None]
        if len(rates) < len(given):
            continue  # back-to-back is refused on a shared line before a run
        moments = [_service_moments(link) for link in members]
        loads = [r / link.telegram * es for r, link, (es, _) in zip(rates, members, moments)]
        load = sum(loads)
        poisson = all(link.arrivals.process.poisson and link.telegram == 1 for link in members)
        w0 = sum(r / link.telegram * es2 for r, link, (_, es2) in zip(rates, members, moments)) / 2
        classes = len({link.priority for link in members})
        telegram_rates = [r / link.telegram for r, link in zip(rates, members)]
        total = sum(telegram_rates)
        mean_s = sum(lam * es for lam, (es, _) in zip(telegram_rates, moments)) / total
        mean_s2 = sum(lam * es2 for lam, (_, es2) in zip(telegram_rates, moments)) / total
        scv = mean_s2 / (mean_s * mean_s) - 1.0 if mean_s > 0 else 0.0
        for link, lam in zip(members, telegram_rates):
            wait = relaxation = None
            before = sum(x for x, o in zip(loads, members) if o.priority < link.priority)
            upto = sum(x for x, o in zip(loads, members) if o.priority <= link.priority)
            if load < 1:
                relaxation = relaxation_time(load, scv) / (1 - before) ** 2 * lam / total
                if poisson:
                    wait = w0 / ((1 - before) * (1 - upto))
            out[link.name] = replace(
                base(link),
                line_load=load,
                line_classes=classes,
                shared_mean_wait=wait,
                relaxation_time=relaxation,
            )
    return out


def shared_line_checks(link: Link, theory: Theory, m: Measured) -> list[Check]:
    """Checks of a link on a shared line: the wire's stability, the link's busy share, its mean wait.

    The steady wait figures in ``m`` cover the link's telegrams that arrived
    while every link on the wire was sending (the steady state theory
    describes; links of different rates finish at different times). The
    wait is held against the mixed Pollaczek–Khinchine wait (one FIFO
    class) or Cobham's (priorities) exactly as the single-line
    ``pollaczek_khinchine`` check holds its own.
    """
    load = theory.line_load
    if load is None:
        return []
    stable = load < 1
    out = [
        _judge(
            "stable_line",
            stable,
            f"the shared line's load ρ = Σ λ_i·E[S_i] = {load:.6g}"
            + (" < 1" if stable else " ≥ 1: the queue grows without bound"),
            0.0,
        )
    ]
    if not stable:
        return out
    if theory.utilisation is not None:  # the link's own busy share against its own load
        out.append(_utilisation_check(link, theory, m))
    w = theory.shared_mean_wait
    if w is not None:
        if (theory.line_classes or 1) > 1:
            out.append(_wait_check("cobham_priority", "W0/((1−σ_{k−1})(1−σ_k))", w, m))
        else:
            out.append(_wait_check("mixed_pollaczek_khinchine", "Σλ_iE[S_i²]/(2(1−ρ))", w, m))
    return out


# -- the road to the entropy ------------------------------------------------------------


@dataclass(frozen=True)
class RoadStep:
    """One stop on the road: a code built on p, its expected bits per ball on q, the overhead named."""

    label: str
    bits: float
    overhead: str
    order: int | None = None  # k for a block code


def road(
    q: Distribution, p: Distribution, tunstall_bits: int | None = None, orders: int = 4
) -> list[RoadStep]:
    """Huffman, block k = 1…``orders``, Tunstall and arithmetic coding, each built on ``p``, drawn by ``q``.

    Every step's bits per ball are exact expectations (no simulation). The road
    ends at H(q, p) (= H(q) when p is q): arithmetic coding reaches it up to
    its quantisation and precision losses.
    """
    from coding import arithmetic, block, huffman, tunstall

    n = sum(1 for x in p.probabilities if x > 0)
    steps = [RoadStep("Huffman", huffman(p).expected_length(q), "whole-bit codewords: < 1 bit")]
    for k in range(1, orders + 1):
        try:
            bc = block(p, order=k)
        except ValueError:
            break
        steps.append(RoadStep(f"block k = {k}", bc.expected_length(q), f"< 1/{k} bit per ball", k))
    m = tunstall_bits if tunstall_bits is not None else min(20, max(1, math.ceil(math.log2(max(n, 2)))) + 3)
    try:
        tc = tunstall(p, bits=m)
        steps.append(RoadStep(f"Tunstall m = {m}", tc.expected_length(q), "m bits per parsed word"))
    except ValueError:
        pass
    ac = arithmetic(p)
    if all(ac.model[s] > 0 for s in q.symbols if q[s] > 0):
        cost = cross_entropy(*_on_union(q, ac.model)) + ac.precision_loss(q)
        steps.append(RoadStep("arithmetic", cost, "rounding p, ε; ≤ 1 bit a run"))
    return steps
