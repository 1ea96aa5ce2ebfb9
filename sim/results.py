"""Run results as flat frozen records, and their JSON/CSV forms.

Writers and plots read only these records. ``RunResult.to_dict()`` is the
``summary.json`` schema; ``RunResult.from_dict`` reads it back, so a saved
folder can be re-plotted without simulating.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import asdict, dataclass, fields
from typing import Any


@dataclass(frozen=True)
class Check:
    """One theory check: its name, verdict and the numbers behind it."""

    name: str
    passed: bool
    detail: str


@dataclass(frozen=True)
class Theory:
    """What theory predicts for a link (bits; queueing figures in seconds).

    ``entropy`` is H(q) of the source urn; ``cross_entropy`` and
    ``kl_divergence`` are H(q, p) and D(q‖p) against the distribution ``p``
    the code assumes; ``expected_length`` is L(q) = Σ q(x) l(x);
    ``implied_kl`` is D(q‖r) against the code's implied distribution r and
    ``log_kraft`` is log2 K, so L = H + implied_kl − log_kraft exactly.
    On a shared line, ``utilisation`` is the link's own load λ·E[S],
    ``line_load`` the sum over the wire's links, ``line_classes`` the number
    of distinct priorities, and ``shared_mean_wait`` the mean wait theory
    gives this link's class (mixed Pollaczek–Khinchine when
    all share one FIFO queue, Cobham's formula with priorities).
    """

    entropy: float
    cross_entropy: float
    kl_divergence: float
    expected_length: float
    length_variance: float
    kraft_sum: float
    log_kraft: float
    implied_kl: float
    utilisation: float | None = None
    mean_service: float | None = None
    pk_mean_wait: float | None = None
    line_load: float | None = None
    line_classes: int | None = None
    shared_mean_wait: float | None = None


@dataclass(frozen=True)
class LineStats:
    """What the line did: times in simulated seconds, cost in tariff units.

    ``wait_hist_edges``/``wait_hist_counts`` is a histogram of telegram
    waiting times (log-spaced bins; the first bin holds waits of exactly 0).
    On a shared line the figures are this link's telegrams'; ``shared_with``
    names the other links on the wire, ``priority`` is this link's,
    ``line_utilisation`` is the whole wire's busy fraction, and the
    ``overlap_`` figures cover this link's telegrams that arrived while every
    link on the wire was sending (what the theory checks use).
    """

    telegrams: int
    duration: float
    busy_time: float
    utilisation: float
    mean_wait: float
    p95_wait: float
    max_wait: float
    wait_std_error: float
    mean_delay: float
    messages_per_second: float
    cost: float
    wait_hist_edges: tuple[float, ...] = ()
    wait_hist_counts: tuple[int, ...] = ()
    shared_with: tuple[str, ...] = ()
    priority: int | None = None
    line_utilisation: float | None = None
    overlap_telegrams: int | None = None
    overlap_mean_wait: float | None = None
    overlap_wait_std_error: float | None = None


@dataclass(frozen=True)
class Trace:
    """Running mean of bits/message at log-spaced checkpoints."""

    messages: tuple[int, ...]
    mean: tuple[float, ...]
    std_error: tuple[float, ...]


@dataclass(frozen=True)
class LinkResult:
    name: str
    source: str
    code: str
    code_type: str
    codewords: dict[str, str]
    source_distribution: dict[str, float]
    assumed_distribution: dict[str, float]
    built_for: str | None
    arrivals: str
    messages: int
    bits: int
    bits_per_message: float
    std_error: float
    lossless: bool
    mismatches: int
    urn_exhausted: bool
    theory: Theory
    line: LineStats
    checks: tuple[Check, ...]
    trace: Trace

    @property
    def all_passed(self) -> bool:
        return all(c.passed for c in self.checks)

    def ci95(self) -> tuple[float, float]:
        half = 1.959963984540054 * self.std_error
        return self.bits_per_message - half, self.bits_per_message + half


@dataclass(frozen=True)
class RunResult:
    scenario: str
    seed: int
    messages: int
    chunk: int
    links: tuple[LinkResult, ...]
    description: str = ""

    def link(self, name: str) -> LinkResult:
        for link in self.links:
            if link.name == name:
                return link
        raise KeyError(name)

    # -- summary.json -------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The ``summary.json`` document (JSON-safe: inf becomes the string "inf")."""
        doc = asdict(self)
        for link in doc["links"]:
            link.pop("trace")
            link["checks"] = list(link["checks"])
        return _json_safe(doc)

    @classmethod
    def from_dict(cls, doc: dict[str, Any], traces: dict[str, Trace] | None = None) -> RunResult:
        """Rebuild from a ``summary.json`` document and the traces of ``trace.csv``."""
        doc = _from_json_safe(doc)
        traces = traces or {}
        links = []
        for d in doc["links"]:
            d = dict(d)
            d["theory"] = Theory(**_known(Theory, d["theory"]))
            line = _known(LineStats, d["line"])
            line["wait_hist_edges"] = tuple(line.get("wait_hist_edges", ()))
            line["wait_hist_counts"] = tuple(line.get("wait_hist_counts", ()))
            line["shared_with"] = tuple(line.get("shared_with", ()))
            d["line"] = LineStats(**line)
            d["checks"] = tuple(Check(**_known(Check, c)) for c in d["checks"])
            d["trace"] = traces.get(d["name"], Trace((), (), ()))
            links.append(LinkResult(**_known(LinkResult, d)))
        top = _known(cls, doc)
        top["links"] = tuple(links)
        return cls(**top)


def _known(cls: type, d: dict[str, Any]) -> dict[str, Any]:
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in d.items() if k in names}


def _json_safe(x: Any) -> Any:
    if isinstance(x, float) and not math.isfinite(x):
        return "inf" if x > 0 else ("-inf" if x < 0 else "nan")
    if isinstance(x, dict):
        return {k: _json_safe(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_json_safe(v) for v in x]
    return x


def _from_json_safe(x: Any) -> Any:
    if x in ("inf", "-inf", "nan") and isinstance(x, str):
        return float(x)
    if isinstance(x, dict):
        return {k: _from_json_safe(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_from_json_safe(v) for v in x]
    return x


# -- trace.csv ----------------------------------------------------------------
TRACE_HEADER = ("link", "messages", "running_mean", "std_error")


def traces_to_csv(result: RunResult) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(TRACE_HEADER)
    for link in result.links:
        for n, m, se in zip(link.trace.messages, link.trace.mean, link.trace.std_error):
            w.writerow((link.name, n, repr(m), repr(se)))
    return out.getvalue()


def traces_from_csv(text: str) -> dict[str, Trace]:
    rows: dict[str, list[tuple[int, float, float]]] = {}
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None or tuple(header[:3]) != TRACE_HEADER[:3]:
        raise ValueError(f"trace.csv must start with the header {','.join(TRACE_HEADER)}")
    for row in reader:
        se = float(row[3]) if len(row) > 3 else 0.0
        rows.setdefault(row[0], []).append((int(row[1]), float(row[2]), se))
    return {
        name: Trace(tuple(r[0] for r in rs), tuple(r[1] for r in rs), tuple(r[2] for r in rs))
        for name, rs in rows.items()
    }
