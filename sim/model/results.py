"""Run results as flat frozen records, and their JSON/CSV forms.

Writers and plots read only these records. ``RunResult.to_dict()`` is the
``summary.json`` schema; ``RunResult.from_dict`` reads it back, so a saved
folder can be re-plotted without simulating.
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import MISSING, dataclass, field, fields, is_dataclass
from types import UnionType
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

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
    capacity: float | None = None
    code_rate: float | None = None
    message_error_rate: float | None = None
    channel_bit_error_rate: float | None = None
    block_error_rate: float | None = None
    resync_mean: float | None = None
    # A Tunstall code on a binary symmetric line: P(an m-bit word arrives wrong) = 1 − (1 − b)^m.
    word_error_rate: float | None = None
    # A stream code without codeword boundaries (arithmetic): balls wrong once it has lost step.
    desync_error_rate: float | None = None
    # Parity per telegram on a binary symmetric line (symbol codes, draws with replacement):
    # P(a telegram fails its check and is lost), P(it passes with a wrong bit).
    telegram_loss_rate: float | None = None
    undetected_telegram_rate: float | None = None
    # … and for a fixed-length code, P(a message is delivered wrong without the check seeing it).
    undetected_message_rate: float | None = None
    # Stream codes (block, Tunstall, arithmetic): the kind's exact bound on the expected bits per
    # ball, H(q, p̂) of the arithmetic coder's quantised model, E[T] of a Tunstall parse, block k.
    stream_bound_low: float | None = None
    stream_bound_high: float | None = None
    quantised_cross_entropy: float | None = None
    expected_parse_length: float | None = None
    block_order: int | None = None


@dataclass(frozen=True)
class LinkErrors:
    """What noise did to a link (only on a noisy line).

    ``message_error_rate`` counts every sent message not decoded right
    (``wrong_messages``); ``error_events`` the runs of consecutive wrong
    messages, and ``resync_*`` their lengths in messages (``resync_hist[r]``
    events of length r, the last bin that length or more).
    ``channel_bit_error_rate`` is the share of source bits that reached the
    source decoder wrong (after the channel decoder, if any);
    ``block_errors`` the channel code's data blocks (of its k bits, 1 without
    a code) with a wrong bit; ``detected_blocks`` the received blocks in which
    the channel decoder saw an error (corrected, or for parity: lost).
    For a stream code, messages are balls and a ball is wrong when the unit
    that carried it is (a block, a Tunstall word: ``wrong_words`` of
    ``words``); an arithmetic decoder never regains step, so its one event
    opens at ``first_error`` and stays open. With parity per telegram,
    ``lost_telegrams`` of ``telegrams`` failed the check and were dropped,
    their ``lost_messages`` counted in ``wrong_messages``; the rest of
    ``wrong_messages`` are undetected errors.
    """

    message_error_rate: float
    wrong_messages: int
    error_events: int
    resync_mean: float
    resync_p95: float
    resync_max: int
    channel_bit_error_rate: float
    bit_errors: int
    data_bits: int
    block_errors: int
    blocks: int
    channel_bits: int
    noise_hits: int
    detected_blocks: int
    dead_ends: int
    resync_hist: tuple[int, ...] = ()
    flip: float = math.nan  # the line's long-run probability that a bit is damaged
    channel: str = ""  # the channel code: "", "repetition-3", "hamming74", "parity-8"
    quick_flips: tuple[float, ...] = ()  # short seeded runs of the same link over a BSC at these ε …
    quick_error_rates: tuple[float, ...] = ()  # … and their message error rates (for the ε figure)
    words: int = 0  # a Tunstall code: dictionary words judged …
    wrong_words: int = 0  # … and those decoded wrongly
    first_error: int = -1  # a stream code without codeword boundaries: the first wrong ball (-1: none)
    telegrams: int = 0  # parity per telegram: telegrams received …
    lost_telegrams: int = 0  # … those that failed their check and were dropped …
    undetected_telegrams: int = 0  # … and those that passed it with a wrong bit
    lost_messages: int = 0  # messages in dropped telegrams (counted in wrong_messages too)
    undetected_messages: int = 0  # parity per telegram: messages delivered wrong, the check none the wiser


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
class StreamCode:
    """What a stream link (block, Tunstall, arithmetic) really sends.

    A stream code has no codeword per colour (such a link's ``codewords`` is
    empty); this record holds its code instead. ``kind`` is the code kind and
    ``summary`` one line saying what the code is. Block and Tunstall codes are
    tables from source words to codewords: ``words[i]`` (a block of ``order``
    balls, or a Tunstall dictionary word) is sent as ``codewords[i]``;
    ``entries`` is the size of the whole table, of which the lists hold at most
    :data:`sim.model.kinds.MAX_LISTED` (the most likely blocks first). An
    arithmetic code has no codewords at all: ``frequencies`` are the integer
    frequencies f(x) of its model (they sum to ``total`` = T), and
    ``intervals`` each colour's slice [low, high) of [0, 1): [F(x)/T, (F(x) + f(x))/T),
    F(x) the frequencies of the colours before x.
    """

    kind: str
    summary: str
    entries: int = 0
    words: tuple[tuple[str, ...], ...] = ()
    codewords: tuple[str, ...] = ()
    order: int | None = None
    bits: int | None = None
    frequencies: dict[str, int] = field(default_factory=dict)
    total: int | None = None
    intervals: dict[str, tuple[float, float]] = field(default_factory=dict)


@dataclass(frozen=True)
class Learning:
    """What an adaptive link learned (tallied by :mod:`sim.engine.learning`), in bits.

    ``ideal_bits`` is the run's Σ −log2 p̂_t(x_t) under the counts both ends
    used, ``epsilon_bits`` the coder's precision loss Σ ε_t (so an arithmetic
    coder sends between ``ideal_bits − 32`` and ``ideal_bits + epsilon_bits + 1``),
    ``expected_bits`` the sum over balls of the cost theory expects of each
    ball given the balls before it (H(q, p̂_t), or Σ q·l_t for adaptive
    Huffman) and ``expected_variance`` the sum of its variances;
    ``empirical_bits`` is n·H(empirical), the best fixed model's bill, and
    ``regret`` = ideal − empirical, held against ``regret_bound`` (None when
    the prior has none). LZ78 on the same stream costs ``lz78_bits`` for its
    first ``lz78_balls`` balls. The tuples are the same figures at the
    checkpoints ``points`` (``regret_bounds`` NaN where none), and
    ``snapshot_counts`` the counts per symbol at ``snapshot_points``.
    """

    prior: str
    coder: str
    rebuild: int
    symbols: tuple[str, ...]
    pseudo_counts: tuple[float, ...]
    ideal_bits: float
    epsilon_bits: float
    expected_bits: float
    expected_variance: float
    empirical_bits: float
    regret: float
    regret_bound: float | None
    rescales: int
    rebuilds: int
    lz78_bits: int
    lz78_balls: int
    points: tuple[int, ...] = ()
    ideal: tuple[float, ...] = ()
    expected: tuple[float, ...] = ()
    empirical: tuple[float, ...] = ()
    regret_bounds: tuple[float, ...] = ()
    lz78: tuple[int, ...] = ()
    lz78_covered: tuple[int, ...] = ()
    snapshot_points: tuple[int, ...] = ()
    snapshot_counts: tuple[tuple[int, ...], ...] = ()


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
    errors: LinkErrors | None = None
    wire_bits: int = 0
    colour_counts: dict[str, int] = field(default_factory=dict)  # balls drawn per colour
    #: The inline model the code was built for (its YAML form), or None for an urn or none.
    model: dict[str, dict[str, float] | float] | None = None
    #: A stream link's code (block table, Tunstall dictionary, arithmetic frequencies); None for a
    #: symbol code, whose code is ``codewords`` (empty for a stream link).
    stream_code: StreamCode | None = None
    #: An adaptive link's running figures (None for every other kind).
    learning: Learning | None = None

    @property
    def all_passed(self) -> bool:
        """Every check passed (none FAILed and none was inconclusive)."""
        return all(c.verdict == "pass" for c in self.checks)

    @property
    def failed(self) -> tuple[Check, ...]:
        """The checks that FAILed."""
        return tuple(c for c in self.checks if c.verdict == "fail")

    @property
    def stream(self) -> bool:
        """A stream code's link (block, Tunstall, arithmetic, learning): no codeword per colour, so no
        implied distribution r; its ``theory.implied_kl`` holds the overhead L − H(q) instead."""
        return not self.codewords

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

    def _repr_html_(self) -> str:
        """Jupyter's view: the overview table and the convergence figures (sim.report.notebook_html)."""
        from sim.publish.report import notebook_html

        return notebook_html(self)

    def link(self, name: str) -> LinkResult:
        for link in self.links:
            if link.name == name:
                return link
        raise KeyError(name)

    # -- summary.json -------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The ``summary.json`` document (JSON-safe: inf becomes the string "inf")."""
        doc = _json_safe(self)
        for link in doc["links"]:
            link.pop("trace")
        return doc

    def to_json(self) -> str:
        """``summary.json``'s text: :meth:`to_dict` as ``json.dumps(doc, indent=2, ensure_ascii=False)``."""
        return dumps_indented(self.to_dict()) + "\n"

    @classmethod
    def from_dict(cls, doc: Any, traces: dict[str, Trace] | None = None) -> RunResult:
        """Rebuild from a ``summary.json`` document and the traces of ``trace.csv``.

        The document is checked against the records' field types (unknown
        keys are ignored; ``"inf"`` stands for infinity in number fields).
        Raises :class:`SchemaError` naming the first field that is wrong, as
        ``links[0].theory.entropy: must be a number (got 'abc')``.
        """
        top = _parse(doc, _Summary, "")
        traces = traces or {}
        links = []
        for i, d in enumerate(top.pop("links")):
            line = d["line"]
            edges, counts = line.wait_hist_edges, line.wait_hist_counts
            if (edges or counts) and len(edges) != len(counts) + 1:
                raise SchemaError(
                    f"links[{i}].line: wait_hist_edges must have one more entry than wait_hist_counts "
                    f"(got {len(edges)} and {len(counts)})"
                )
            if any(c < 0 for c in counts):
                raise SchemaError(f"links[{i}].line.wait_hist_counts: must not be negative")
            links.append(LinkResult(**d, trace=traces.get(d["name"], Trace((), (), ()))))
        return cls(**top, links=tuple(links))


class SchemaError(ValueError):
    """A ``summary.json`` or ``trace.csv`` that is not what telegraph writes."""


@dataclass(frozen=True)
class _LinkDoc:
    """A link as ``summary.json`` holds it: LinkResult without its trace (that is in ``trace.csv``)."""


@dataclass(frozen=True)
class _Summary:
    """The top level of ``summary.json``."""


def _record_hints(cls: type, skip: tuple[str, ...] = ()) -> dict[str, tuple[Any, bool]]:
    """Field name -> (type, required) of a record."""
    hints = get_type_hints(cls)
    return {
        f.name: (hints[f.name], f.default is MISSING and f.default_factory is MISSING)
        for f in fields(cls)
        if f.name not in skip
    }


def _schemas() -> dict[type, dict[str, tuple[Any, bool]]]:
    link = _record_hints(LinkResult, skip=("trace",))
    top = _record_hints(RunResult)
    top["links"] = (list[_LinkDoc], True)
    return {
        _Summary: top,
        _LinkDoc: link,
        Theory: _record_hints(Theory),
        LineStats: _record_hints(LineStats),
        Check: _record_hints(Check),
        LinkErrors: _record_hints(LinkErrors),
        StreamCode: _record_hints(StreamCode),
        Learning: _record_hints(Learning),
    }


_WHAT = {float: "a number", int: "a whole number", bool: "true or false", str: "text"}


def _got(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."


def _scalar(value: Any, hint: type, path: str) -> Any:
    if hint is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        if value in ("inf", "-inf", "nan"):
            return math.nan if value == "nan" else float(value)  # the one NaN object: records compare equal
    elif hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif isinstance(value, hint):
        return value
    raise SchemaError(f"{path}: must be {_WHAT[hint]} (got {_got(value)})")


def _parse(value: Any, hint: Any, path: str) -> Any:
    """``value`` checked against ``hint`` and converted (records stay dicts of parsed fields)."""
    origin, args = get_origin(hint), get_args(hint)
    if hint in _WHAT:
        return _scalar(value, hint, path or "summary")
    if origin is Literal:
        if value in args and all(type(value) is type(a) for a in args if a == value):
            return value
        raise SchemaError(f"{path}: must be one of {', '.join(map(repr, args))} (got {_got(value)})")
    if origin in (Union, UnionType):
        if value is None and type(None) in args:
            return None
        first: SchemaError | None = None
        for inner in (a for a in args if a is not type(None)):
            try:
                return _parse(value, inner, path)
            except SchemaError as err:
                first = first or err
        assert first is not None
        raise first
    if origin in (tuple, list):
        if not isinstance(value, list):
            raise SchemaError(f"{path}: must be a list (got {_got(value)})")
        item = args[0]
        if item in (int, float) and all(type(v) is item for v in value):  # fast path for long arrays
            return tuple(value)
        items = [_parse(v, item, f"{path}[{i}]") for i, v in enumerate(value)]
        return tuple(items) if origin is tuple else items
    if origin is dict:
        if not isinstance(value, dict):
            raise SchemaError(f"{path}: must be a mapping (got {_got(value)})")
        return {k: _parse(v, args[1], f"{path}[{k!r}]") for k, v in value.items()}
    schema = _SCHEMAS[hint]
    if not isinstance(value, dict):
        raise SchemaError(f"{path or 'summary'}: must be a mapping (got {_got(value)})")
    out: dict[str, Any] = {}
    for name, (field_hint, required) in schema.items():
        where = f"{path}.{name}" if path else name
        if name not in value:
            if required:
                raise SchemaError(f"{where}: missing")
            continue
        out[name] = _parse(value[name], field_hint, where)
    if hint in (_Summary, _LinkDoc):
        return out
    try:
        return hint(**out)
    except ValueError as err:  # a record's own invariant (a verdict that contradicts passed, say)
        raise SchemaError(f"{path}: {err}") from None


_PLAIN = (str, int, bool, type(None))


def _json_safe(x: Any) -> Any:
    """Records as plain dicts and lists (what ``dataclasses.asdict`` gives, without its deep
    copies: ~10× faster on a link of 65 536 colours); inf and NaN as strings."""
    kind = type(x)
    if kind is float:
        return x if math.isfinite(x) else ("inf" if x > 0 else ("-inf" if x < 0 else "nan"))
    if kind in _PLAIN:
        return x
    if kind is dict:
        if _flat_and_finite(x.values()):  # a per-colour table: copied as it is
            return dict(x)
        return {k: v if type(v) in _PLAIN else _json_safe(v) for k, v in x.items()}
    if kind is list or kind is tuple:
        return [v if type(v) in _PLAIN else _json_safe(v) for v in x]
    if is_dataclass(x) and not isinstance(x, type):
        return {f.name: _json_safe(getattr(x, f.name)) for f in fields(x)}
    if isinstance(x, float):  # a float subclass (numpy.float64)
        return _json_safe(float(x))
    if isinstance(x, dict):
        return _json_safe(dict(x))
    if isinstance(x, (list, tuple)):
        return _json_safe(list(x))
    return x


def _flat_and_finite(values: Any) -> bool:
    """Whether every value is a str, int, bool, None or finite float (checked at C speed)."""
    kinds = set(map(type, values))
    if not kinds <= {str, int, bool, float, type(None)}:
        return False
    return float not in kinds or all(map(math.isfinite, (v for v in values if type(v) is float)))


#: How ``json.dumps(..., ensure_ascii=False)`` writes a string (its C function when available).
_ENCODE_STR = json.encoder.encode_basestring


def _scalar_json(v: Any) -> str:
    kind = type(v)
    if kind is str:
        return _ENCODE_STR(v)
    if kind is float and math.isfinite(v):
        return float.__repr__(v)
    if kind is int:
        return int.__repr__(v)
    return json.dumps(v, ensure_ascii=False)  # bool, None, inf, and anything unusual


def dumps_indented(doc: Any, pad: str = "") -> str:
    """``json.dumps(doc, indent=2, ensure_ascii=False)``, byte for byte, several times faster.

    Python's ``json`` uses its C encoder only without ``indent``; with it, a
    summary of 65 536 colours took seconds. Mappings and lists are written
    here, scalars by ``json``'s own functions (a test compares the two).
    """
    kind = type(doc)
    if kind is dict:
        if not doc:
            return "{}"
        inner = pad + "  "
        column = _one_kind_column(doc.values())
        if column is not None and all(type(k) is str for k in doc):  # a per-colour table: at C speed
            body = ",\n".join(map((inner + "{}: {}").format, map(_ENCODE_STR, doc), column))
            return "{\n" + body + "\n" + pad + "}"
        items = [
            f"{inner}{_ENCODE_STR(k if type(k) is str else _key(k))}: "
            f"{_scalar_json(v) if type(v) not in (dict, list) else dumps_indented(v, inner)}"
            for k, v in doc.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if kind is list:
        if not doc:
            return "[]"
        inner = pad + "  "
        items = [
            f"{inner}{_scalar_json(v) if type(v) not in (dict, list) else dumps_indented(v, inner)}"
            for v in doc
        ]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return _scalar_json(doc)


def _one_kind_column(values: Any) -> Any:
    """The JSON of ``values`` (an iterator) when all are finite floats, all ints or all strings; else None."""
    kinds = set(map(type, values))
    if kinds == {float} and all(map(math.isfinite, values)):
        return map(float.__repr__, values)
    if kinds == {int}:
        return map(int.__repr__, values)
    if kinds == {str}:
        return map(_ENCODE_STR, values)
    return None


def _key(k: Any) -> str:
    """A non-string key as ``json`` writes it (keys are always strings in JSON)."""
    return next(iter(json.loads(json.dumps({k: 0}))))


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
    """The traces of a ``trace.csv``; :class:`SchemaError` names the first bad line."""
    rows: dict[str, list[tuple[int, float, float]]] = {}
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader, None)
        if header is None or tuple(header[:3]) != TRACE_HEADER[:3]:
            raise SchemaError(f"line 1: must be the header {','.join(TRACE_HEADER)}")
        for row in reader:
            where = f"line {reader.line_num}"
            if len(row) not in (3, 4):
                raise SchemaError(f"{where}: must have {len(TRACE_HEADER)} fields (got {len(row)})")
            try:
                n, mean = int(row[1]), float(row[2])
                se = float(row[3]) if len(row) > 3 else 0.0
            except ValueError:
                raise SchemaError(f"{where}: messages must be a whole number, the rest numbers") from None
            trace = rows.setdefault(row[0], [])
            if n < 1 or (trace and n <= trace[-1][0]):
                raise SchemaError(f"{where}: messages must be positive and increase along a link (got {n})")
            trace.append((n, mean, se))
    except csv.Error as err:
        raise SchemaError(f"line {reader.line_num}: {err}") from None
    return {
        name: Trace(tuple(r[0] for r in rs), tuple(r[1] for r in rs), tuple(r[2] for r in rs))
        for name, rs in rows.items()
    }


_SCHEMAS = _schemas()
