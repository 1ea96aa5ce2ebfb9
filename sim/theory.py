"""What theory predicts for a link, and the checks that hold a run against it."""

from __future__ import annotations

import math

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
        if link.arrivals.kind == "poisson" and link.telegram == 1 and rho < 1:
            second_moment = (var + L * L) / baud**2
            theory["pk_mean_wait"] = rate * second_moment / (2 * (1 - rho))
    return Theory(**theory)


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
    out.extend(_line_checks(link, theory, measured))
    return tuple(out)


def _plus_one_bound(name: str, label: str, low: float, L: float, link: Link) -> Check:
    """low ≤ L < low + 1; where the code's distribution puts all mass on one symbol,
    that symbol still needs one digit, so L = low + 1 exactly and the bound is ≤."""
    certain = float(link.assumed_distribution.probabilities.max()) == 1.0
    ok = low - 1e-12 <= L and (L <= low + 1 if certain else L < low + 1)
    upper = f"≤ {label} + 1 (one certain symbol still costs a digit)" if certain else f"< {label} + 1"
    return Check(name, ok, f"{label} = {low:.6f} ≤ L = {L:.6f} {upper}")


def _same(a, b) -> bool:
    if a.symbols == b.symbols:  # aligned: compare whole arrays
        pa, pb = a.probabilities, b.probabilities
        return bool(np.array_equal(pa > 0, pb > 0) and np.all(np.abs(pa - pb)[pb > 0] <= 1e-12))
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
