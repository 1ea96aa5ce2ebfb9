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
from typing import Any, Literal

Verdict = Literal["pass", "fail", "inconclusive"]
_VERDICT_OF: dict[bool | None, Verdict] = {True: "pass", False: "fail", None: "inconclusive"}


@dataclass(frozen=True)
class Check:
    """One theory check: its name, verdict and the numbers behind it.

    ``passed`` is True (pass), False (FAIL) or None (inconclusive: the data
    cannot decide; ``detail`` says why). ``verdict`` spells the same as
    "pass", "fail" or "inconclusive" and is derived from ``passed`` when not
    given (summaries written before verdicts existed still load).
    ``false_alarm`` is the check's stated false-alarm rate: the chance it
    FAILs a run whose theory is right (0 for exact checks; None if unknown).

    >>> Check("x", None, "too few telegrams").verdict
    'inconclusive'
    """

    name: str
    passed: bool | None
    detail: str
    verdict: Verdict | Literal[""] = ""
    false_alarm: float | None = None

    def __post_init__(self) -> None:
        if self.passed not in _VERDICT_OF:
            raise ValueError(f"'passed' must be true, false or null (got {self.passed!r})")
        expected = _VERDICT_OF[self.passed]
        if not self.verdict:
            object.__setattr__(self, "verdict", expected)
        elif self.verdict != expected:
            raise ValueError(
                f"check {self.name!r}: verdict {self.verdict!r} contradicts passed={self.passed}"
            )

    @property
    def label(self) -> str:
        """The verdict as printed: "pass", "FAIL" or "inconclusive"."""
        return "FAIL" if self.verdict == "fail" else self.verdict


@dataclass(frozen=True)
class Theory:
    """What theory predicts for a link (bits; queueing figures in seconds).

    ``entropy`` is H(q) of the source urn; ``cross_entropy`` and
    ``kl_divergence`` are H(q, p) and D(q‖p) against the distribution ``p``
    the code assumes; ``expected_length`` is L(q) = Σ q(x) l(x);
    ``implied_kl`` is D(q‖r) against the code's implied distribution r and
    ``log_kraft`` is log2 K, so L = H + implied_kl − log_kraft exactly (an
    identity of algebra, shown as a theory line, not checked against a run).
    ``relaxation_time`` is the queue's relaxation time in telegrams (timed
    arrivals, ρ < 1). ``whole_draw_per_ball`` is, for a box drawn without
    replacement, log2(N! / ∏ c!) / N: the bits per ball that a code for the
    whole draw of all N balls needs (the box is not an i.i.d. source).
    On a shared line, ``utilisation`` is the link's own load λ·E[S],
    ``line_load`` the sum over the wire's links, ``line_classes`` the number
    of distinct priorities, and ``shared_mean_wait`` the mean wait theory
    gives this link's class (mixed Pollaczek–Khinchine when all share one
    FIFO queue, Cobham's formula with priorities).
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
    relaxation_time: float | None = None
    whole_draw_per_ball: float | None = None
    line_load: float | None = None
    line_classes: int | None = None
    shared_mean_wait: float | None = None


@dataclass(frozen=True)
class LineStats:
    """What the line did: times in simulated seconds, cost in tariff units.

    ``wait_hist_edges``/``wait_hist_counts`` is a histogram of telegram
    waiting times (log-spaced bins; the first bin holds waits of exactly 0).
    ``steady_mean_wait`` is the mean wait after the warm-up ``wait_warm_up``
    telegrams are deleted, ``wait_std_error`` its batch-means standard error
    over ``wait_batches`` batches of ``wait_batch_size`` telegrams (NaN, with
    ``wait_note`` saying why, when the run is too short to judge).
    ``arrival_span`` is the time over which messages arrived (n/λ expected).
    On a shared line the figures are this link's telegrams'; ``shared_with``
    names the other links on the wire, ``priority`` is this link's,
    ``line_utilisation`` is the whole wire's busy fraction, and the steady
    wait figures (``steady_mean_wait``, ``wait_std_error``, …) cover this
    link's ``overlap_telegrams`` that arrived while every link on the wire
    was sending (their plain mean is ``overlap_mean_wait``).
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
    steady_mean_wait: float = math.nan
    wait_batches: int = 0
    wait_batch_size: int = 0
    wait_warm_up: int = 0
    wait_note: str = ""
    arrival_span: float = 0.0
    shared_with: tuple[str, ...] = ()
    priority: int | None = None
    line_utilisation: float | None = None
    overlap_telegrams: int | None = None
    overlap_mean_wait: float | None = None


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
    theory_std_error: float = math.nan
    replacement: bool = True
    box_balls: int = 0
    pending_bits: int = 0

    @property
    def all_passed(self) -> bool:
        """Every check passed (none FAILed and none was inconclusive)."""
        return all(c.verdict == "pass" for c in self.checks)

    @property
    def failed(self) -> tuple[Check, ...]:
        """The checks that FAILed."""
        return tuple(c for c in self.checks if c.verdict == "fail")

    def verdicts(self) -> str:
        """A count of the verdicts, e.g. "6 pass, 1 inconclusive" or "5 pass, 1 FAIL"."""
        counts = {v: sum(c.verdict == v for c in self.checks) for v in ("pass", "fail", "inconclusive")}
        parts = [f"{counts['pass']} pass"]
        if counts["fail"]:
            parts.append(f"{counts['fail']} FAIL")
        if counts["inconclusive"]:
            parts.append(f"{counts['inconclusive']} inconclusive")
        return ", ".join(parts)

    def ci95(self) -> tuple[float, float]:
        """The sample 95 % interval: mean ± 1.96 sample standard errors (for display; checks use theory)."""
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
        return math.nan if x == "nan" else float(x)  # the one NaN object, so records compare equal
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
