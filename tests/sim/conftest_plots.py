"""Hand-built RunResult fixtures for the plot and report tests.

Until the engine exists these stand in for its output: theory numbers are
computed exactly with ``coding``; the trace and the waiting-time histogram are
plausible seeded draws (a running mean at ~20 log-spaced checkpoints per
decade; an M/G/1 queue by Lindley's recursion for the Poisson link).
Also imported by ``benchmarks/plot_speed.py``.
"""

from __future__ import annotations

import math

import numpy as np

from coding import (
    Distribution,
    cross_entropy,
    entropy,
    fixed_length,
    huffman,
    kl_divergence,
)
from sim.results import Check, LineStats, LinkResult, RunResult, Theory, Trace

INDIA = {"blue": 25, "red": 50, "green": 13, "yellow": 12}
AUSTRALIA = {"blue": 13, "red": 25, "green": 50, "yellow": 12}
SCHEME1 = {"blue": "0", "red": "1", "green": "10", "yellow": "11"}  # not uniquely decodable


def checkpoints(messages: int, per_decade: int = 20) -> np.ndarray:
    """Log-spaced checkpoints 1 .. messages, about ``per_decade`` per decade."""
    decades = max(math.log10(messages), 1e-9)
    n = int(round(decades * per_decade)) + 1
    return np.unique(np.round(np.geomspace(1, messages, n)).astype(np.int64))


def _trace(mean: float, var: float, messages: int, rng: np.random.Generator, per_decade: int) -> Trace:
    n = checkpoints(messages, per_decade)
    se = np.sqrt(var / n)
    # A running mean wanders like a random walk divided by n.
    walk = np.cumsum(rng.normal(0.0, 1.0, len(n)) * np.sqrt(np.diff(n, prepend=0)))
    running = mean + math.sqrt(var) * walk / n
    return Trace(tuple(int(x) for x in n), tuple(float(x) for x in running), tuple(float(x) for x in se))


def _waits(service: np.ndarray, rate: float, rng: np.random.Generator) -> np.ndarray:
    """M/G/1 waits by Lindley's recursion W' = max(0, W + S − A)."""
    gaps = rng.exponential(1.0 / rate, len(service))
    w = np.zeros(len(service))
    for i in range(1, len(service)):
        w[i] = max(0.0, w[i - 1] + service[i - 1] - gaps[i])
    return w


def _link(
    name: str,
    urn: str,
    counts: dict,
    code_name: str,
    code_type: str,
    code,
    built_for: str | None,
    assumed: Distribution,
    messages: int,
    rng: np.random.Generator,
    per_decade: int,
    rate: float | None = None,
    baud: float = 50.0,
) -> LinkResult:
    q = Distribution.from_counts(counts)
    lengths = code.length_array(q.symbols).astype(float)
    probs = q.probabilities
    L = float(probs @ lengths)
    var = float(probs @ (lengths - L) ** 2)
    H, CE, KL = entropy(q), cross_entropy(q, assumed), kl_divergence(q, assumed)
    K = float(code.kraft_sum)
    r = code.implied_distribution()
    trace = _trace(L, var, messages, rng, per_decade)
    bits = int(round(trace.mean[-1] * messages))
    se = math.sqrt(var / messages)
    mean_s = L / baud
    theory_kw: dict = {}
    if rate is not None:
        rho = rate * mean_s
        es2 = float(probs @ (lengths / baud) ** 2)
        pk = rate * es2 / (2 * (1 - rho))
        sample = rng.choice(lengths, size=20_000, p=probs) / baud
        w = _waits(sample, rate, rng)
        pos = w[w > 0]
        edges = np.concatenate(([0.0], np.geomspace(1e-4, max(pos.max(), 2e-4) * 1.001, 41)))
        counts_hist = [int((w == 0).sum())]
        counts_hist += np.histogram(np.clip(pos, 1e-4, None), bins=edges[1:])[0].tolist()
        duration = messages / rate
        line = LineStats(
            telegrams=messages,
            duration=duration,
            busy_time=rho * duration,
            utilisation=rho,
            mean_wait=float(w.mean()),
            p95_wait=float(np.quantile(w, 0.95)),
            max_wait=float(w.max()),
            wait_std_error=float(w.std() / math.sqrt(len(w))),
            mean_delay=float(w.mean() + mean_s + 0.1),
            messages_per_second=rate,
            cost=0.01 * bits + 0.5 * messages,
            wait_hist_edges=tuple(float(e) for e in edges),
            wait_hist_counts=tuple(counts_hist),
        )
        theory_kw = {"utilisation": rho, "mean_service": mean_s, "pk_mean_wait": pk}
    else:
        duration = bits / baud
        line = LineStats(
            telegrams=messages,
            duration=duration,
            busy_time=duration,
            utilisation=1.0,
            mean_wait=0.0,
            p95_wait=0.0,
            max_wait=0.0,
            wait_std_error=0.0,
            mean_delay=mean_s + 0.1,
            messages_per_second=messages / duration,
            cost=0.01 * bits + 0.5 * messages,
        )
    theory = Theory(
        entropy=H,
        cross_entropy=CE,
        kl_divergence=KL,
        expected_length=L,
        length_variance=var,
        kraft_sum=K,
        log_kraft=math.log2(K),
        implied_kl=kl_divergence(q, r),
        **theory_kw,
    )
    mean = bits / messages
    checks = [
        Check(
            "mean within 4 standard errors of L",
            abs(mean - L) <= 4 * se + 1e-12,
            f"measured {mean:.4f} vs L = {L:.4f} (se {se:.2g})",
        ),
        Check("H(q) <= L", H <= L + 1e-12, f"H = {H:.4f} <= L = {L:.4f}"),
        Check("L = H + D(q||r) - log2 K", True, f"{L:.4f} = {H:.4f} + {kl_divergence(q, r):.4f}"),
        Check("lossless delivery", True, "every message decoded as sent"),
    ]
    if rate is not None:
        checks.append(
            Check(
                "mean wait vs Pollaczek-Khinchine",
                True,
                f"simulated {line.mean_wait:.4g} s vs P-K {pk:.4g} s <within 5 %>",
            )
        )
    return LinkResult(
        name=name,
        source=urn,
        code=code_name,
        code_type=code_type,
        codewords=dict(code.codewords),
        source_distribution=q.as_dict(),
        assumed_distribution=assumed.as_dict(),
        built_for=built_for,
        arrivals="poisson" if rate is not None else "back_to_back",
        messages=messages,
        bits=bits,
        bits_per_message=mean,
        std_error=se,
        lossless=True,
        mismatches=0,
        urn_exhausted=False,
        theory=theory,
        line=line,
        checks=tuple(checks),
        trace=trace,
    )


def make_result(messages: int = 100_000, *, per_decade: int = 20, seed: int = 1948) -> RunResult:
    """India box with Huffman (Poisson line) and fixed codes; Australia sent with India's code."""
    rng = np.random.default_rng(seed)
    india = Distribution.from_counts(INDIA)
    code = huffman(india)
    fixed = fixed_length(india)
    links = (
        _link(
            "india-huffman",
            "india",
            INDIA,
            "huffman",
            "huffman",
            code,
            "india",
            india,
            messages,
            rng,
            per_decade,
            rate=20.0,
        ),
        _link(
            "india-fixed",
            "india",
            INDIA,
            "fixed",
            "fixed",
            fixed,
            None,
            fixed.implied_distribution(),
            messages,
            rng,
            per_decade,
        ),
        _link(
            "australia-with-india-code",
            "australia",
            AUSTRALIA,
            "huffman",
            "huffman",
            code,
            "india",
            india,
            messages,
            rng,
            per_decade,
        ),
    )
    return RunResult(
        scenario="india-to-australia",
        seed=seed,
        messages=messages,
        chunk=65536,
        links=links,
        description="The article's telegraph: <India> & Australia.",
    )
