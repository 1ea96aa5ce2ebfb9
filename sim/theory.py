"""What theory predicts for a link, and the checks that hold a run against it."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from coding import Distribution, cross_entropy, entropy, kl_divergence
from sim.model import Link
from sim.results import Check, Theory

#: Measured averages must sit within this many standard errors of theory.
Z = 4.0


def link_theory(link: Link) -> Theory:
    """Entropy, cross entropy, KL, expected length and queueing figures for ``link``."""
    q = link.urn.distribution
    code = link.code
    p = link.assumed_distribution
    # The code may cover more symbols than the urn holds: compare on the union.
    qv, pv = _on_union(q, p)
    r = code.implied_distribution()
    r_on_q = np.array(
        [r[s] if s in r else 0.0 for s in q.symbols]
    )  # a colour with no balls may lack a codeword
    L = code.expected_length(q)
    var = code.length_variance(q)
    K = code.kraft_sum
    theory = dict(
        entropy=entropy(q),
        cross_entropy=cross_entropy(qv, pv),
        kl_divergence=kl_divergence(qv, pv),
        expected_length=L,
        length_variance=var,
        kraft_sum=float(K),
        log_kraft=math.log2(K.numerator) - math.log2(K.denominator),
        implied_kl=_implied_kl(q, r_on_q, code),
    )
    rate = link.arrivals.message_rate
    baud = link.line.baud
    mean_service = link.telegram * L / baud
    theory["mean_service"] = mean_service
    if rate is not None:
        rho = rate * L / baud
        theory["utilisation"] = rho
        if link.arrivals.kind == "poisson" and link.telegram == 1 and rho < 1 and not link.line.shared:
            second_moment = (var + L * L) / baud**2
            theory["pk_mean_wait"] = rate * second_moment / (2 * (1 - rho))
    return Theory(**theory)


def _on_union(q: Distribution, p: Distribution) -> tuple[np.ndarray, np.ndarray]:
    """Both distributions as arrays over the union of their symbols (zeros where absent)."""
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


def checks(link: Link, theory: Theory, measured: dict) -> tuple[Check, ...]:
    """Hold the measured figures of a run against ``theory``."""
    out: list[Check] = []
    n = measured["messages"]
    L, H = theory.expected_length, theory.entropy
    mean = measured["bits_per_message"]
    se = math.sqrt(theory.length_variance / n) if n else math.inf
    tol = Z * se + 1e-12
    out.append(
        Check(
            "bits_per_message",
            abs(mean - L) <= tol,
            f"measured {mean:.6f} vs L = {L:.6f}: difference {mean - L:+.6f}, "
            f"allowed ±{tol:.6f} ({Z:g} standard errors of {se:.6f})",
        )
    )
    out.append(
        Check(
            "entropy_bound",
            H <= L + 1e-12,
            f"H(q) = {H:.6f} ≤ L = {L:.6f} (no uniquely decodable code beats the entropy)",
        )
    )
    q = link.urn.distribution
    if link.code_type == "huffman" and link.assumed is not None and _same(link.assumed, q):
        out.append(_plus_one_bound("huffman_bound", "H", H, L, link))
    if link.code_type == "shannon":
        out.append(_plus_one_bound("shannon_bound", "H(q, p)", theory.cross_entropy, L, link))
    rhs = H + theory.implied_kl - theory.log_kraft
    out.append(
        Check(
            "length_identity",
            abs(L - rhs) <= 1e-9,
            f"L = {L:.6f} = H + D(q‖r) − log2 K = {H:.6f} + {theory.implied_kl:.6f} "
            f"{'−' if theory.log_kraft >= 0 else '+'} {abs(theory.log_kraft):.6f} = {rhs:.6f}",
        )
    )
    out.append(
        Check(
            "lossless",
            measured["mismatches"] == 0 and measured["pending_bits"] == 0,
            f"{measured['mismatches']} of {n} messages decoded wrongly, "
            f"{measured['pending_bits']} bits left undecoded",
        )
    )
    out.extend(
        shared_line_checks(link, theory, measured)
        if link.line.shared
        else _line_checks(link, theory, measured)
    )
    return tuple(out)


def _plus_one_bound(name: str, label: str, low: float, L: float, link: Link) -> Check:
    """low ≤ L < low + 1; where the code's distribution puts all mass on one symbol,
    that symbol still needs one digit, so L = low + 1 exactly and the bound is ≤."""
    certain = float(link.assumed_distribution.probabilities.max()) == 1.0
    ok = low - 1e-12 <= L and (L <= low + 1 if certain else L < low + 1)
    upper = f"≤ {label} + 1 (one certain symbol still costs a digit)" if certain else f"< {label} + 1"
    return Check(name, ok, f"{label} = {low:.6f} ≤ L = {L:.6f} {upper}")


def _same(a, b) -> bool:
    if set(a.support()) != set(b.support()):
        return False
    return all(abs(a[s] - b[s]) <= 1e-12 for s in b.support())


def _line_checks(link: Link, theory: Theory, measured: dict) -> list[Check]:
    rho = theory.utilisation
    if rho is None:
        return []
    out = [
        Check(
            "stable_line",
            rho < 1,
            f"offered load ρ = λ·L/baud = {rho:.6g}"
            + (" < 1" if rho < 1 else " ≥ 1: the queue grows without bound"),
        )
    ]
    if rho >= 1:
        return out
    tel = measured["telegrams"]
    k = link.telegram
    # Ratio of two sums (busy time over elapsed time): relative SE from both CVs.
    cv_service2 = theory.length_variance / (k * theory.expected_length**2)
    cv_arrival2 = 1.0 / k if link.arrivals.kind == "poisson" else 0.0
    se = rho * math.sqrt((cv_service2 + cv_arrival2) / max(tel, 1))
    # The busy fraction is measured up to the last departure, so the run's two ends shift it by
    # up to one service time and one gap between telegrams over the whole span: allow that too.
    gap = k / link.arrivals.message_rate
    edge = rho * (theory.mean_service + gap) / (max(tel, 1) * gap)
    tol = Z * se + edge + 1e-9
    u = measured["utilisation"]
    out.append(
        Check(
            "utilisation",
            abs(u - rho) <= tol,
            f"busy fraction {u:.4f} vs ρ = {rho:.4f}: difference {u - rho:+.4f}, allowed ±{tol:.4f} "
            f"({Z:g} standard errors of {se:.4f} plus {edge:.4f} for the ends of the run)",
        )
    )
    pk = theory.pk_mean_wait
    if pk is not None:
        w, wse = measured["mean_wait"], measured["wait_std_error"]
        if math.isnan(wse):
            out.append(Check("pollaczek_khinchine", True, "too few telegrams to judge the mean wait"))
        else:
            tol = Z * wse
            out.append(
                Check(
                    "pollaczek_khinchine",
                    abs(w - pk) <= tol,
                    f"mean wait {w:.5g} s vs λE[S²]/(2(1−ρ)) = {pk:.5g} s: "
                    f"difference {100 * (w - pk) / pk:+.2f} %, allowed ±{tol:.3g} s "
                    f"({Z:g} batch-means standard errors)",
                )
            )
    return out


# -- shared lines (the telegraph office) ------------------------------------------------


def _service_moments(link: Link) -> tuple[float, float]:
    """E[S] and E[S²] of one telegram of ``link`` (seconds): k codewords of i.i.d. lengths over baud."""
    k, L = link.telegram, link.code.expected_length(link.urn.distribution)
    var = link.code.length_variance(link.urn.distribution)
    baud = link.line.baud
    return k * L / baud, (k * var + (k * L) ** 2) / baud**2


def shared_theories(links: Sequence[Link]) -> dict[str, Theory]:
    """Theory for every link on a shared line, keyed by link name.

    The wire's load is the sum of its links' loads, ρ = Σ ρ_i. With Poisson
    arrivals and one message per telegram, the waiting work is
    W0 = Σ λ_i E[S_i²] / 2 and class k (the links of one priority) waits, by
    Cobham's non-preemptive priority formula,
    W_k = W0 / ((1 − σ_{k−1})(1 − σ_k)), σ_k the load of classes served
    before or with k. With one class this is the mixed-service
    Pollaczek–Khinchine wait W = Σ λ_i E[S_i²] / (2(1 − ρ)), the same for
    every link.
    """
    groups: dict[object, list[Link]] = {}
    for link in links:
        if link.line.shared:
            groups.setdefault(link.line, []).append(link)
    out: dict[str, Theory] = {}
    for members in groups.values():
        rates = [link.arrivals.message_rate for link in members]
        if any(r is None for r in rates):
            continue  # back-to-back is refused on a shared line before a run
        moments = [_service_moments(link) for link in members]
        loads = [r / link.telegram * es for r, link, (es, _) in zip(rates, members, moments)]
        load = sum(loads)
        poisson = all(link.arrivals.kind == "poisson" and link.telegram == 1 for link in members)
        w0 = sum(r / link.telegram * es2 for r, link, (_, es2) in zip(rates, members, moments)) / 2
        classes = len({link.priority for link in members})
        for link in members:
            wait = None
            if poisson and load < 1:
                before = sum(x for x, o in zip(loads, members) if o.priority < link.priority)
                upto = sum(x for x, o in zip(loads, members) if o.priority <= link.priority)
                wait = w0 / ((1 - before) * (1 - upto))
            out[link.name] = replace(
                link_theory(link),
                line_load=load,
                line_classes=classes,
                shared_mean_wait=wait,
            )
    return out


def shared_line_checks(link: Link, theory: Theory, measured: dict) -> list[Check]:
    """Checks of a link on a shared line: the wire's stability, the link's busy share, its mean wait.

    ``mean_wait`` and ``wait_std_error`` in ``measured`` are over the link's
    telegrams that arrived while every link on the wire was sending (the
    steady state theory describes; links of different rates finish at
    different times). The wait is held against the mixed
    Pollaczek–Khinchine wait (one FIFO class) or Cobham's (priorities)
    within Z batch-means standard errors, like the single-line
    ``pollaczek_khinchine`` check.
    """
    load = theory.line_load
    if load is None:
        return []
    stable = load < 1
    out = [
        Check(
            "stable_line",
            stable,
            f"the shared line's load ρ = Σ λ_i·E[S_i] = {load:.6g}"
            + (" < 1" if stable else " ≥ 1: the queue grows without bound"),
        )
    ]
    if not stable:
        return out
    # The link's own busy share against its own load: the single-line check applies unchanged.
    out.extend(c for c in _line_checks(link, theory, measured) if c.name == "utilisation")
    w_theory = theory.shared_mean_wait
    if w_theory is not None:
        name = "cobham_priority" if (theory.line_classes or 1) > 1 else "mixed_pollaczek_khinchine"
        w, wse = measured["mean_wait"], measured["wait_std_error"]
        if math.isnan(wse):
            out.append(Check(name, True, "too few telegrams to judge the mean wait"))
        else:
            tol = Z * wse
            formula = "W0/((1−σ_{k−1})(1−σ_k))" if name == "cobham_priority" else "Σλ_iE[S_i²]/(2(1−ρ))"
            out.append(
                Check(
                    name,
                    abs(w - w_theory) <= tol,
                    f"mean wait {w:.5g} s (while every link sent) vs {formula} = {w_theory:.5g} s: "
                    f"difference {100 * (w - w_theory) / w_theory:+.2f} %, allowed ±{tol:.3g} s "
                    f"({Z:g} batch-means standard errors)",
                )
            )
    return out
