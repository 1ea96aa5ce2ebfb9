"""The kinds: one registry row per code kind, one small class per arrival kind.

Everything the rest of :mod:`sim` knows about a kind lives here, so adding a
kind is one new row (or class) plus its tests and docs: the scenario loader,
the records, the theory checks, ``explain``, the report and the engine look
kinds up instead of testing their names.

>>> [kind.name for kind in CODE_KINDS.values()]
['fixed', 'table', 'huffman', 'shannon', 'fano', 'sfe', 'block', 'tunstall', 'arithmetic', 'adaptive']
>>> [p.key for p in CODE_KINDS["block"].stream.params]
['order']
>>> CODE_KINDS["fano"].display, CODE_KINDS["fano"].takes_for, CODE_KINDS["fano"].bound
('Shannon–Fano', 'required', 'entropy')
>>> dict(CODE_KINDS["fano"].build("india", {"blue": 25, "red": 50, "green": 13, "yellow": 12}).codewords)
{'blue': '10', 'red': '0', 'green': '110', 'yellow': '111'}
>>> Poisson(2.0).describe(), Fixed(0.5).message_rate, BackToBack().dump()
('Poisson, 2 messages/s', 2.0, 'back-to-back')
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np

from coding import (
    AdaptiveHuffman,
    AdaptiveModel,
    ArithmeticCode,
    BlockCode,
    Code,
    Distribution,
    TunstallCode,
    arithmetic,
    block,
    dirichlet_regret_bound,
    entropy,
    fano,
    fixed_length,
    huffman,
    kt_regret_bound,
    laplace_regret_bound,
    sfe,
    shannon,
    shannon_from_counts,
    tunstall,
)
from coding.adaptive import MAX_DENOMINATOR
from coding.arithmetic import FLUSH_BITS, WORD_BITS, interval_loss
from sim.model import limits
from sim.model.results import StreamCode

if TYPE_CHECKING:  # the engine (compiled kernels) loads when a run starts
    from sim.engine.codec import StreamCodec

__all__ = [
    "ADAPTIVE_CODERS",
    "ADAPTIVE_PRIORS",
    "ARRIVAL_KINDS",
    "Adaptive",
    "CODE_KINDS",
    "ArrivalProcess",
    "BackToBack",
    "CodeKind",
    "Fixed",
    "MAX_LISTED",
    "Param",
    "Stream",
    "over",
    "stream_fit",
    "Poisson",
    "SettingsError",
]

#: How a code kind treats ``for``: must name an urn, may name one, or must not.
TakesFor = Literal["required", "optional", "never"]
#: The theory bound a code kind guarantees: H(q) ≤ L < H(q) + 1 when built for the
#: urn it draws from ("entropy"), or H(q, p) ≤ L < H(q, p) + 1 for any urn ("cross_entropy";
#: one bit higher, H(q, p) + 1 ≤ L < H(q, p) + 2, with ``CodeKind.bound_above`` 1 for
#: Shannon–Fano–Elias); a stream kind states its own bound (``Stream.bound``) and leaves this None.
Bound = Literal["entropy", "cross_entropy"]


@dataclass(frozen=True)
class Param:
    """A whole-number parameter of a code kind: its YAML key, range and meaning."""

    key: str
    low: int
    high: int
    meaning: str


@dataclass(frozen=True)
class Stream:
    """What a stream code kind (block, Tunstall, arithmetic) adds to its row.

    ``build(model, params)`` builds the coding object for the model
    distribution (may raise ``ValueError`` for the user); ``codec(obj)`` the
    engine's :class:`sim.engine.codec.StreamCodec` (the codec interface);
    ``per_ball(obj, q)`` the expected bits per ball and the variance per ball
    that a mean over n balls has (σ²/n) when urn q draws; ``bound(obj, q, p)``
    the exact bound (low, high, text) on the expected bits per ball, or None
    when theory gives none for this urn. ``tail(obj)`` is the most bits the
    end of a run can add beyond the balls' own share (padding, flush).
    ``sequence_bound(obj, counts)``, if given, is the most bits the run may
    send given how many balls of each colour it drew (an exact check).
    ``describe(obj)``, if given, is what the code really sends, as the
    :class:`sim.model.results.StreamCode` record that ``summary.json``, the
    report and ``explain`` show (a stream link has no codeword per colour).
    ``word_balls(obj)``, for a variable-to-fixed code (with ``word_bits``), is
    its shortest and longest word in balls: its bits are a count of words,
    which the ``bits_per_message`` check bounds as a renewal count (Bernstein).

    On a noisy line (docs/theory.md): ``resync(obj, q)``, if given, is the law
    P(R = r) (index r − 1) of an error event's length in balls after an
    isolated flip; ``word_bits(obj)``, if given, is m when every codeword has
    m bits (a flip then costs exactly its word: word error 1 − (1 − ε)^m);
    ``desync(obj, q)``, if given, is the share of balls decoded wrongly once
    the decoder has lost step for good (a code without codeword boundaries).

    A kind that *learns* (adaptive) is built per link, over the link's
    colours: ``settings`` is its record class (its fields are the YAML keys,
    it checks itself and raises :class:`SettingsError`), ``for_link(settings,
    counts)`` builds (coding object, reference symbol code, starting model)
    for an urn's colours, and ``regret_bound(obj, n)`` is the most the model
    may pay over the best fixed model in hindsight on any n balls (None when
    theory gives no bound for its prior). The engine tallies such a link's
    running figures (:mod:`sim.engine.learning`) for its checks and figures.
    """

    params: tuple[Param, ...]
    build: Callable[[Distribution, Mapping[str, int]], Any]
    symbols: Callable[[Any], tuple[str, ...]]
    codec: Callable[[Any], StreamCodec]
    per_ball: Callable[[Any, Distribution], tuple[float, float]]
    bound: Callable[[Any, Distribution, Distribution], tuple[float, float, str] | None]
    tail: Callable[[Any], float]
    sequence_bound: Callable[[Any, Mapping[str, int]], float] | None = None
    describe: Callable[[Any], StreamCode] | None = None
    word_balls: Callable[[Any], tuple[int, int]] | None = None
    resync: Callable[[Any, Distribution], np.ndarray] | None = None
    word_bits: Callable[[Any], int] | None = None
    desync: Callable[[Any, Distribution], float] | None = None
    settings: type | None = None
    for_link: Callable[[Any, Mapping[str, int]], tuple[Any, Code, Distribution]] | None = None
    regret_bound: Callable[[Any, int], float | None] | None = None
    #: Parity per telegram: ``restart(obj, T)`` is the codec that restarts at every telegram of T
    #: balls (each decodes on its own, so a dropped one spoils nothing after it) and
    #: ``telegram_law(obj, q, T)`` the law of a full telegram's bits, (bits, probabilities), or None
    #: when it is too costly to enumerate. A kind without ``restart`` says why in ``no_restart``.
    restart: Callable[[Any, int], StreamCodec] | None = None
    telegram_law: Callable[[Any, Distribution, int], tuple[np.ndarray, np.ndarray] | None] | None = None
    no_restart: str = "its decoder cannot skip bits"


# -- code kinds ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CodeKind:
    """One code kind: how a scenario names it, how it is built, and what theory says of it.

    ``build(source, weights)`` builds the code for what ``for`` names: an urn
    (``source`` is its name, ``weights`` its counts) or an inline model
    (``source`` describes it, ``weights`` are its probabilities); None for a
    table, which is written by hand. It may raise ``ValueError`` with a message
    for the user. ``explain(source, weights)`` is the paragraph ``telegraph
    explain`` prints under the code (empty for none); ``source`` reads as
    ``urn india`` or ``the given model``.
    """

    name: str
    display: str
    takes_for: TakesFor
    build: Callable[[str, Mapping[str, float]], Code] | None
    bound: Bound | None = None
    explain: Callable[[str, Mapping[str, float]], str] | None = None
    stream: Stream | None = None
    #: The bound is low + bound_above ≤ L < low + bound_above + 1 (1 for Shannon–Fano–Elias).
    bound_above: int = 0

    @property
    def designed_for_urn(self) -> bool:
        """Whether the code is designed for its urn's distribution (``assumed`` is that urn)."""
        return self.takes_for == "required"


def _shannon(urn: str, counts: Mapping[str, float]) -> Code:
    empty = [c for c, n in counts.items() if n == 0]
    if empty:
        raise ValueError(
            f"a shannon code needs balls of every colour of {urn}, but {empty[0]!r} has none "
            "(its codeword would be infinitely long); give it a ball or remove the colour"
        )
    if all(isinstance(n, int) for n in counts.values()):  # an urn: lengths found exactly
        return shannon_from_counts({c: int(n) for c, n in counts.items()})
    return shannon(Distribution.from_counts(counts))


def _optimal_over(counts: Mapping[str, float]) -> str:
    empty = [c for c, n in counts.items() if n == 0]
    scope = "the colours listed for it"
    if empty:
        scope += (
            f", including {limits.listing(empty)} with no balls, which still gets a codeword and so "
            "lengthens others"
        )
    return scope


def _explain_huffman(urn: str, counts: Mapping[str, float]) -> str:
    return (
        f"Huffman's code is optimal over {_optimal_over(counts)}: no prefix code for those colours "
        f"has a smaller expected length on {urn}."
    )


def _explain_fano(urn: str, counts: Mapping[str, float]) -> str:
    return (
        "Fano's method lists the colours by probability and cuts the list, again and again, where "
        "the two parts' probabilities are nearest equal (top part 0, bottom part 1). The code is "
        f"prefix-free and complete, and H ≤ L < H + 1 on {urn}, but it is not always optimal: "
        "Huffman's code is never longer, and sometimes shorter."
    )


def _explain_shannon(urn: str, counts: Mapping[str, float]) -> str:
    return (
        f"Shannon's code gives each colour of {urn} ⌈−log2 p⌉ bits, so L < H(q, p) + 1 on any "
        "urn q it is used on."
    )


def _explain_sfe(urn: str, counts: Mapping[str, float]) -> str:
    return (
        "Shannon–Fano–Elias gives each colour the first ⌈log2 1/p⌉ + 1 bits of the midpoint of its "
        f"slice of [0, 1): prefix-free, and H ≤ L < H + 2 on {urn} (one bit more than Shannon's "
        "code pays, for not needing the colours sorted)."
    )


def _explain_block(urn: str, counts: Mapping[str, float]) -> str:
    return (
        f"Block coding spells k balls at a time with Huffman's code for the k-th extension of {urn}: "
        "H ≤ L_k/k < H + 1/k, so the overhead of at most one bit is shared by k balls. A run whose "
        "length is not a multiple of k pads its last block with the most likely colour (the padding's "
        "bits are counted, on the last message)."
    )


def _explain_tunstall(urn: str, counts: Mapping[str, float]) -> str:
    return (
        "Tunstall coding parses the stream into words of a dictionary (grown by splitting the likeliest "
        "word) and sends each word as m bits: variable-to-fixed. Bits per ball are m / E[word length]; "
        "a stream that ends inside a word completes it with the first colour (counted on the last message)."
    )


def _explain_arithmetic(urn: str, counts: Mapping[str, float]) -> str:
    return (
        f"Arithmetic coding narrows an interval by each ball's probability as {urn} gives it (rounded "
        "to integer frequencies), sending bits as soon as they are settled: a ball x costs −log2 p̂(x) "
        "bits plus a tiny precision loss, so a whole stream costs at most Σ −log2 p̂(x_i) + ε + 1 bits "
        "(the 1 is what the closing flush may add, counted on the last message). Per ball this is "
        "H(q, p̂): the cross entropy is the price itself, not only a bound. Telegram boundaries cost "
        "nothing: the receiver decodes each ball as soon as the bits so far decide it. With parity per "
        "telegram the coder instead restarts at every telegram (a flush at each end, at most 1 bit beyond "
        "its balls' share), so a dropped telegram spoils nothing after it."
    )


def _engine_codec(factory: str) -> Callable[[Any], StreamCodec]:
    """The engine's codec factory ``sim.engine.codec.<factory>``, loaded when a run first needs it."""

    def make(obj: Any) -> StreamCodec:
        from sim.engine import codec  # compiled kernels: loaded when a run starts

        built: StreamCodec = getattr(codec, factory)(obj)
        return built

    return make


def _block_per_ball(code: BlockCode, q: Distribution) -> tuple[float, float]:
    """L_k/k and Var(l_block)/k (n balls are n/k blocks: Var(mean) = Var(l)/(k·n))."""
    probs = code.block_distribution(q)
    lengths = np.array([len(code.code[s]) for s in code.code.symbols], dtype=np.float64)
    mean = float(probs @ lengths)
    var = float(probs @ (lengths - mean) ** 2)
    return mean / code.order, var / code.order


def _block_bound(code: BlockCode, q: Distribution, p: Distribution) -> tuple[float, float, str] | None:
    if q.as_dict() != p.as_dict():
        return None
    H, k = entropy(q), code.order
    return H, H + 1 / k, f"H ≤ L_{k}/{k} < H + 1/{k}"


@functools.lru_cache(maxsize=16)
def _tunstall_per_ball(code: TunstallCode, q: Distribution) -> tuple[float, float]:
    """m/E[T] and, by the renewal-reward delta method, m²·Var(T)/E[T]³ per ball (kept per code
    and distribution: a 16-bit code has 65 536 words)."""
    p = np.array(code.probabilities(q)[1])
    t = np.fromiter(map(len, code.words), dtype=np.int64, count=len(code.words))
    # Python's sums, left to right (the same floats as summing word by word); p · t² with t² exact.
    mean_t = sum((p * t).tolist())
    var_t = sum((p * (t * t)).tolist()) - mean_t**2
    m = code.bits
    return m / mean_t, m * m * max(var_t, 0.0) / mean_t**3


def _tunstall_bound(code: TunstallCode, q: Distribution, p: Distribution) -> tuple[float, float, str] | None:
    if q.as_dict() != p.as_dict():
        return None
    return entropy(q), code.upper_bound(), "H ≤ m/E[T] ≤ m·H/(log2 M − log2 1/p_min)"


def _arithmetic_per_ball(code: ArithmeticCode, q: Distribution) -> tuple[float, float]:
    """H(q, p̂) and Var(−log2 p̂(x)) under q."""
    qv = q.probabilities
    pv = np.asarray(code.model.aligned(q.symbols), dtype=np.float64)
    nz = qv > 0
    if np.any(pv[nz] == 0):  # the urn draws a colour the model cannot code
        return math.inf, math.inf
    cost = np.zeros_like(qv)
    cost[nz] = -np.log2(pv[nz])
    mean = float(qv[nz] @ cost[nz])
    return mean, float(qv[nz] @ (cost[nz] - mean) ** 2)


def _arithmetic_bound(code: ArithmeticCode, q: Distribution, p: Distribution) -> tuple[float, float, str]:
    low = _arithmetic_per_ball(code, q)[0]
    return low, low + code.precision_loss(q), "H(q, p̂) − 32/n ≤ E[bits]/n ≤ H(q, p̂) + ε + 1/n"


def _arithmetic_sequence_bound(code: ArithmeticCode, counts: Mapping[str, int]) -> float:
    """Σ_i (−log2 p̂(x_i) + ε(x_i)) + 1 from the colour counts (as :meth:`coding.ArithmeticCode.bound`)."""
    T = code.total
    out = float(FLUSH_BITS)
    for s, f in zip(code.symbols, code.frequencies):
        n = counts.get(s, 0)
        if n:
            out += n * (math.log2(T / f) + interval_loss(T, f))
    return out


def _arithmetic_restart(code: ArithmeticCode, telegram: int) -> StreamCodec:
    from sim.engine import codec  # compiled kernels: loaded when a run starts

    return codec.arithmetic_codec(code, telegram)


#: The most telegram contents (k^T: k colours drawn, T balls) whose bits theory enumerates exactly.
LAW_SEQUENCES = 1 << 16


def _arithmetic_telegram_law(
    code: ArithmeticCode, q: Distribution, telegram: int
) -> tuple[np.ndarray, np.ndarray] | None:
    """The exact law of a full telegram's bits (every content encoded by the coder itself), or None
    beyond :data:`LAW_SEQUENCES` contents."""
    if int(np.count_nonzero(q.probabilities)) ** telegram > LAW_SEQUENCES:
        return None
    from sim.engine import stream_kernels  # compiled kernels: loaded when theory first needs them

    return stream_kernels.telegram_law(code, tuple(q.symbols), tuple(q.probabilities.tolist()), telegram)


#: A block table or Tunstall dictionary lists at most this many entries in results (the rest are counted).
MAX_LISTED = 1024


def _describe_block(code: BlockCode) -> StreamCode:
    """The block table: each block of k balls and its codeword, shortest (most likely) first."""
    blocks = list(itertools.product(code.source.symbols, repeat=code.order))  # the code's own order
    words = [code.code[code.join(b)] for b in blocks]
    shown = sorted(range(len(blocks)), key=lambda j: (len(words[j]), j))[:MAX_LISTED]
    lengths = [len(w) for w in words]
    return StreamCode(
        "block",
        f"Huffman's code on blocks of {code.order} balls: {len(blocks):,} blocks, codewords of "
        f"{min(lengths)}–{max(lengths)} bits; a partial last block is padded with {code.pad}",
        entries=len(blocks),
        words=tuple(blocks[j] for j in shown),
        codewords=tuple(words[j] for j in shown),
        order=code.order,
    )


def _describe_tunstall(code: TunstallCode) -> StreamCode:
    """The dictionary: each word of balls and the m-bit codeword it is sent as."""
    words = code.words[:MAX_LISTED]
    longest = code.word_span[1]
    return StreamCode(
        "tunstall",
        f"a dictionary of {len(code.words):,} words of 1–{longest} balls, each sent as a {code.bits}-bit "
        "codeword (variable-to-fixed)",
        entries=len(code.words),
        words=tuple(words),
        codewords=tuple(code.codeword(j) for j in range(len(words))),
        bits=code.bits,
    )


def _describe_arithmetic(code: ArithmeticCode) -> StreamCode:
    """No codewords: the model's integer frequencies and each colour's interval of [0, 1)."""
    T = code.total
    cum = code.cumulative
    return StreamCode(
        "arithmetic",
        f"integer frequencies f(x) out of T = 2^{code.precision} that cut [0, 1) into one interval "
        "per colour; a ball costs −log2(f(x)/T) bits, fractions included (no colour has a codeword)",
        entries=len(code.symbols),
        frequencies=dict(zip(code.symbols, code.frequencies)),
        total=T,
        intervals={s: (cum[i] / T, cum[i + 1] / T) for i, s in enumerate(code.symbols)},
    )


def _block_resync(code: BlockCode, q: Distribution) -> np.ndarray:
    """The blocks' Huffman code's resynchronisation law (coding.resync), r blocks = r·k balls."""
    from coding.resync import resync_distribution

    blocks = resync_distribution(code.code, code.block_distribution(q))
    out = np.zeros(blocks.size * code.order)
    out[code.order - 1 :: code.order] = blocks
    return out


def _tunstall_resync(code: TunstallCode, q: Distribution) -> np.ndarray:
    """An isolated flip lands in one m-bit word, drawn as the parse draws words: P(T = t) balls."""
    out = np.zeros(max(len(w) for w in code.words))
    for w in code.words:
        out[len(w) - 1] += float(np.prod([q[s] if s in q.symbols else 0.0 for s in w]))
    return out


def _arithmetic_desync(code: ArithmeticCode, q: Distribution) -> float:
    """1 − Σ q(x) p̂(x): a decoder that has lost step reads effectively random bits and decodes
    independent draws from its model p̂, right only when one matches the ball sent."""
    pv = np.asarray(code.model.aligned(q.symbols), dtype=np.float64)
    return 1.0 - float(q.probabilities @ pv)


def _block_tail(code: BlockCode) -> float:
    return float(max(len(w) for w in code.code.codewords.values()))


def _source_symbols(code: BlockCode | TunstallCode) -> tuple[str, ...]:
    return tuple(code.source.symbols)


def stream_fit(stream: Stream, obj: Any, urn_name: str, counts: Mapping[str, int]) -> str | None:
    """Why a stream code cannot send urn ``counts`` (a colour it lacks or gives probability 0), or None."""
    symbols = stream.symbols(obj)
    lacking = [c for c, n in counts.items() if n > 0 and c not in symbols]
    if lacking:
        return f"does not fit urn {urn_name!r}: it has no symbol for {', '.join(map(repr, lacking))}"
    if math.isinf(stream.per_ball(obj, over(counts, symbols))[0]):
        return f"gives a colour that urn {urn_name!r} draws probability 0: that ball could never be sent"
    return None


def over(counts: Mapping[str, int], symbols: tuple[str, ...]) -> Distribution:
    """The urn's distribution over a stream code's symbols (colours it lacks have no balls)."""
    return Distribution.from_counts({s: counts.get(s, 0) for s in symbols})


def _reference_huffman(urn: str, counts: Mapping[str, float]) -> Code:
    """The symbol code a stream kind is compared with (its per-ball codewords for the figures)."""
    return huffman(Distribution.from_counts(counts))


# -- adaptive codes: a model that learns, built per link --------------------------------

#: The named priors of an adaptive code (or ``{counts: {colour: pseudo-count}}``).
ADAPTIVE_PRIORS = ("laplace", "kt")
#: How an adaptive code spends its bits: the arithmetic coder, or a Huffman code rebuilt every m balls.
ADAPTIVE_CODERS = ("arithmetic", "huffman")


class SettingsError(ValueError):
    """A code kind's settings that break their rules; ``problems`` lists (key path, rule, value) each.

    >>> Adaptive(prior="uniform")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sim.model.kinds.SettingsError: 'prior' must be laplace, kt or {counts: {colour: pseudo-count, ...}} ...
    """

    def __init__(self, problems: list[tuple[tuple[str, ...], str, object]]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(f"{_key_path(k)} {rule} (got {got!r})" for k, rule, got in problems))


def _key_path(keys: tuple[str, ...]) -> str:
    head, *rest = keys
    return repr(head) + "".join(f"[{k!r}]" for k in rest)


def _pseudo_count_rule(v: object) -> str | None:
    """Why ``v`` cannot be a pseudo-count (a positive number in range with a small denominator), or None."""
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        return "must be a finite number"
    rule = limits.PSEUDO_COUNT.check(v)
    if rule is not None:
        return rule
    if Fraction(str(v)).denominator > MAX_DENOMINATOR:
        return f"must be a fraction with denominator at most {MAX_DENOMINATOR}, like 0.5 or 0.125"
    return None


@dataclass(frozen=True)
class Adaptive:
    """The settings of an adaptive code: ``{type: adaptive, prior: kt, coder: arithmetic}``.

    ``prior`` is ``"laplace"`` (one pseudo-ball per colour), ``"kt"``
    (Krichevsky–Trofimov, half a ball each) or ``{"counts": {colour: n}}``
    (given pseudo-counts, which also name the colours); ``coder`` is
    ``"arithmetic"`` or ``"huffman"`` (an adaptive Huffman code rebuilt every
    ``rebuild`` balls, default 1). Both ends start from the prior and count
    every ball: India after sending it, Australia after decoding it.

    >>> Adaptive(coder="huffman").rebuild, Adaptive().describe()
    (1, 'adaptive arithmetic coding, KT prior (½ a ball per colour)')
    """

    prior: str | Mapping[str, Any] = "kt"
    coder: str = "arithmetic"
    rebuild: int | None = None

    def __post_init__(self) -> None:
        problems: list[tuple[tuple[str, ...], str, object]] = []
        prior = self.prior
        shape = "must be laplace, kt or {counts: {colour: pseudo-count, ...}}"
        if isinstance(prior, str):
            if prior not in ADAPTIVE_PRIORS:
                problems.append((("prior",), shape, prior))
        elif isinstance(prior, Mapping) and set(prior) == {"counts"}:
            counts = prior["counts"]
            if not isinstance(counts, Mapping) or not counts:
                problems.append((("prior", "counts"), "must map each colour to a pseudo-count", counts))
            elif len(counts) > limits.ADAPTIVE_COLOURS:
                problems.append(
                    (
                        ("prior", "counts"),
                        f"may name at most {limits.ADAPTIVE_COLOURS:_} colours",
                        len(counts),
                    )
                )
            else:
                for colour, v in counts.items():
                    if not isinstance(colour, str) or not colour:
                        problems.append(
                            (("prior", "counts", str(colour)), "colour names must be text", colour)
                        )
                    elif (rule := _pseudo_count_rule(v)) is not None:
                        problems.append((("prior", "counts", colour), rule, v))
        else:
            problems.append((("prior",), shape, prior))
        if self.coder not in ADAPTIVE_CODERS:
            problems.append((("coder",), f"must be {' or '.join(ADAPTIVE_CODERS)}", self.coder))
        elif self.coder == "huffman":
            if self.rebuild is None:
                object.__setattr__(self, "rebuild", 1)
            elif isinstance(self.rebuild, bool) or not isinstance(self.rebuild, int):
                problems.append((("rebuild",), "must be a whole number of balls", self.rebuild))
            elif (rule := limits.integer_rule(self.rebuild, 1, limits.REBUILD)) is not None:
                problems.append((("rebuild",), rule, self.rebuild))
        elif self.rebuild is not None:
            problems.append((("rebuild",), "goes with coder: huffman (the arithmetic coder never rebuilds)",
                             self.rebuild))  # fmt: skip
        if problems:
            raise SettingsError(problems)

    @property
    def prior_name(self) -> str:
        """``laplace``, ``kt`` or ``counts``."""
        return self.prior if isinstance(self.prior, str) else "counts"

    def pseudo_counts(self, colours: tuple[str, ...]) -> dict[str, float]:
        """The prior's pseudo-count per colour (given counts name their own colours)."""
        if isinstance(self.prior, str):
            return {c: 1.0 if self.prior == "laplace" else 0.5 for c in colours}
        return dict(self.prior["counts"])

    def describe(self) -> str:
        prior = {
            "laplace": "Laplace prior (one ball per colour)",
            "kt": "KT prior (½ a ball per colour)",
            "counts": "given pseudo-counts",
        }[self.prior_name]
        if self.coder == "huffman":
            every = "every ball" if self.rebuild == 1 else f"every {self.rebuild:_} balls"
            return f"adaptive Huffman code rebuilt {every}, {prior}"
        return f"adaptive arithmetic coding, {prior}"

    def dump(self) -> dict[str, Any]:
        """The YAML form (without ``type``)."""
        out: dict[str, Any] = {
            "prior": self.prior if isinstance(self.prior, str) else {"counts": dict(self.prior["counts"])}
        }
        if self.coder != "arithmetic":
            out.update(coder=self.coder, rebuild=self.rebuild)
        return out


def _adaptive_for_link(
    settings: Adaptive, counts: Mapping[str, int]
) -> tuple[AdaptiveModel | AdaptiveHuffman, Code, Distribution]:
    """The adaptive coder over the urn's colours (or the prior's), the Huffman code of the prior
    (the code adaptive Huffman starts with) and the prior's distribution (where learning starts)."""
    alpha = settings.pseudo_counts(tuple(counts))
    symbols = list(alpha)
    if len(symbols) > limits.ADAPTIVE_COLOURS:
        raise ValueError(
            f"an adaptive code learns at most {limits.ADAPTIVE_COLOURS:_} colours "
            f"(this urn has {len(symbols):_})"
        )
    prior: Any = settings.prior if isinstance(settings.prior, str) else alpha
    coder: AdaptiveModel | AdaptiveHuffman
    if settings.coder == "huffman":
        assert settings.rebuild is not None
        work = len(symbols) ** 2 / settings.rebuild
        if work > limits.REBUILD_WORK:
            least = -(-(len(symbols) ** 2) // limits.REBUILD_WORK)
            raise ValueError(
                f"an adaptive Huffman code over {len(symbols):_} colours takes about K² = "
                f"{len(symbols) ** 2:_} steps to rebuild; give 'rebuild' of at least {least:_} balls"
            )
        coder = AdaptiveHuffman(symbols, prior, every=settings.rebuild)
    else:
        coder = AdaptiveModel(symbols, prior)
    start = Distribution.from_counts(alpha)
    return coder, huffman(start), start


def _adaptive_model(obj: AdaptiveModel | AdaptiveHuffman) -> AdaptiveModel:
    return obj.model if isinstance(obj, AdaptiveHuffman) else obj


def _adaptive_per_ball(obj: AdaptiveModel | AdaptiveHuffman, q: Distribution) -> tuple[float, float]:
    """Where the bill per ball tends as the model learns: H(q) (arithmetic) or Huffman's L(q), with the
    variance per ball of that limit (the checks use the exact running figures instead)."""
    if isinstance(obj, AdaptiveHuffman):
        code = huffman(q)
        return code.expected_length(q), code.length_variance(q)
    qv = q.probabilities[q.probabilities > 0]
    cost = -np.log2(qv)
    mean = float(qv @ cost)
    return mean, float(qv @ (cost - mean) ** 2)


def _adaptive_regret_bound(obj: AdaptiveModel | AdaptiveHuffman, n: int) -> float | None:
    """KT's or Laplace's bound on the regret of any n balls; for other pseudo-counts, all at least ½,
    KT's plus the price of their total (None when one is below ½)."""
    alpha = _adaptive_model(obj).pseudo_counts.tolist()
    k = len(obj.symbols)
    if set(alpha) == {0.5}:
        return kt_regret_bound(n, k) if k >= 2 else 0.0
    if set(alpha) == {1.0}:
        return laplace_regret_bound(n, k)
    return dirichlet_regret_bound(n, alpha)


def _explain_adaptive(urn: str, counts: Mapping[str, float]) -> str:
    return (
        "An adaptive code needs no model: India and Australia start from the same prior pseudo-counts "
        "α(x) and, after every ball (India after sending it, Australia after decoding it), add one to "
        "its colour, so before ball t both code with p̂_t(x) = (n_t(x) + α(x)) / (t + Σα). The arithmetic "
        "coder then spends −log2 p̂_t(x_t) bits on ball t plus a tiny precision loss: the bill is the "
        "model's running log-loss, falling from the prior's cross entropy towards H(q). What it pays over "
        "the best fixed model in hindsight, n·H(empirical), is its regret: for KT at most "
        "(K − 1)/2 · log2(n + K/2) + log2(√(2π)/Γ(K/2)) + 1/(12 (n + K/2) ln 2) bits on any n balls, for "
        "Laplace log2 C(n + K − 1, K − 1)."
    )


#: Every code kind, in the order the docs list them. Adding a kind is adding a row.
CODE_KINDS: Mapping[str, CodeKind] = {
    kind.name: kind
    for kind in (
        CodeKind("fixed", "fixed-length", "optional", lambda urn, counts: fixed_length(list(counts))),
        CodeKind("table", "hand-written table", "never", None),
        CodeKind(
            "huffman",
            "Huffman",
            "required",
            lambda urn, counts: huffman(Distribution.from_counts(counts)),
            "entropy",
            _explain_huffman,
        ),
        CodeKind("shannon", "Shannon", "required", _shannon, "cross_entropy", _explain_shannon),
        CodeKind(
            "fano",
            "Shannon–Fano",
            "required",
            lambda urn, counts: fano(Distribution.from_counts(counts)),
            "entropy",
            _explain_fano,
        ),
        CodeKind(
            "sfe",
            "Shannon–Fano–Elias",
            "required",
            lambda urn, counts: sfe(Distribution.from_counts(counts)),
            "cross_entropy",
            _explain_sfe,
            bound_above=1,
        ),
        CodeKind(
            "block",
            "block Huffman",
            "required",
            _reference_huffman,
            None,
            _explain_block,
            Stream(
                (Param("order", 1, 16, "balls per block, k"),),
                lambda model, params: block(model, order=params["order"]),
                _source_symbols,
                _engine_codec("block_codec"),
                _block_per_ball,
                _block_bound,
                _block_tail,
                describe=_describe_block,
                resync=_block_resync,
                no_restart="a block of k balls may straddle two telegrams, so a dropped telegram "
                "takes part of the next one's first block with it",
            ),
        ),
        CodeKind(
            "tunstall",
            "Tunstall",
            "required",
            _reference_huffman,
            None,
            _explain_tunstall,
            Stream(
                (Param("bits", 1, 20, "bits per dictionary word, m"),),
                lambda model, params: tunstall(model, bits=params["bits"]),
                _source_symbols,
                _engine_codec("tunstall_codec"),
                _tunstall_per_ball,
                _tunstall_bound,
                lambda code: float(code.bits),
                describe=_describe_tunstall,
                word_balls=lambda code: code.word_span,
                resync=_tunstall_resync,
                word_bits=lambda code: int(code.bits),
                no_restart="a dictionary word may straddle two telegrams, so a dropped telegram "
                "leaves the next one starting mid-word",
            ),
        ),
        CodeKind(
            "arithmetic",
            "arithmetic",
            "required",
            _reference_huffman,
            None,
            _explain_arithmetic,
            Stream(
                (),
                lambda model, params: arithmetic(model),
                lambda code: tuple(code.symbols),
                _engine_codec("arithmetic_codec"),
                _arithmetic_per_ball,
                _arithmetic_bound,
                # The flush adds at most FLUSH_BITS; the last range may leave up to WORD_BITS unsent.
                lambda code: float(FLUSH_BITS + WORD_BITS),
                _arithmetic_sequence_bound,
                describe=_describe_arithmetic,
                desync=_arithmetic_desync,
                restart=_arithmetic_restart,
                telegram_law=_arithmetic_telegram_law,
            ),
        ),
        CodeKind(
            "adaptive",
            "adaptive",
            "never",
            None,
            None,
            _explain_adaptive,
            Stream(
                (),
                lambda model, params: None,  # built per link: see for_link
                lambda obj: tuple(obj.symbols),
                lambda obj: _engine_codec(
                    "adaptive_huffman_codec" if isinstance(obj, AdaptiveHuffman) else "adaptive_codec"
                )(obj),
                _adaptive_per_ball,
                lambda obj, q, p: None,
                lambda obj: 0.0 if isinstance(obj, AdaptiveHuffman) else float(FLUSH_BITS + WORD_BITS),
                settings=Adaptive,
                for_link=_adaptive_for_link,
                regret_bound=_adaptive_regret_bound,
                no_restart="its model learns from every earlier ball, so once a telegram is dropped "
                "Australia's model is no longer India's",
            ),
        ),
    )
}


# -- arrival kinds ------------------------------------------------------------------------


_ZEROS = np.zeros(0)


def _zeros(n: int) -> np.ndarray:
    """A read-only view of ``n`` zeros, from one array grown as needed."""
    global _ZEROS
    if _ZEROS.size < n:
        _ZEROS = np.zeros(n)
        _ZEROS.flags.writeable = False
    return _ZEROS[:n]


class ArrivalProcess:
    """How messages reach the transmitter: one subclass per kind.

    ``name`` is the kind as :class:`sim.model.records.Arrivals` spells it; ``parameter``
    the one field of ``Arrivals`` it reads (None for none), which is also its
    YAML key: ``arrivals: {rate: 2}``.
    """

    name: ClassVar[str]
    parameter: ClassVar[str | None] = None
    #: The range the parameter must lie in (see :mod:`sim.model.limits`).
    parameter_range: ClassVar[limits.Range | None] = None
    #: Squared coefficient of variation of the gaps between messages (0: clockwork, 1: Poisson).
    gap_cv2: ClassVar[float] = 0.0
    #: Whether arrivals form a Poisson stream, so Pollaczek–Khinchine's wait applies.
    poisson: ClassVar[bool] = False

    @property
    def message_rate(self) -> float | None:
        """Messages per second offered to the line (None: the line sets the pace)."""
        return None

    def times(self, rng: np.random.Generator, n: int, sent: int, last: float) -> np.ndarray:
        """Arrival times of messages ``sent`` … ``sent + n − 1``; the one before came at ``last``.

        Back to back they are all 0: a read-only view of one shared array of zeros (no fresh
        memory to fill and stream through the cache for every batch).
        """
        return _zeros(n)

    def span_after_last(self) -> float:
        """The gap that would follow the last arrival, counted in the span of ``n`` arrivals."""
        return 0.0

    def describe(self) -> str:
        raise NotImplementedError

    def dump(self) -> str | dict[str, float]:
        """The YAML form: ``back-to-back`` or ``{parameter: value}``."""
        if self.parameter is None:
            return "back-to-back"
        return {self.parameter: float(getattr(self, self.parameter))}


@dataclass(frozen=True)
class BackToBack(ArrivalProcess):
    """A telegram is always ready when the line frees: it never idles."""

    name: ClassVar[str] = "back_to_back"

    def describe(self) -> str:
        return "back-to-back (the line never idles)"


@dataclass(frozen=True)
class Fixed(ArrivalProcess):
    """One message every ``every`` seconds, the first at time 0."""

    every: float
    name: ClassVar[str] = "fixed"
    parameter: ClassVar[str | None] = "every"
    parameter_range: ClassVar[limits.Range | None] = limits.EVERY

    @property
    def message_rate(self) -> float:
        return 1.0 / self.every

    def times(self, rng: np.random.Generator, n: int, sent: int, last: float) -> np.ndarray:
        return np.arange(sent, sent + n, dtype=np.float64) * self.every

    def span_after_last(self) -> float:
        return self.every

    def describe(self) -> str:
        return f"one message every {self.every:g} s"


@dataclass(frozen=True)
class Poisson(ArrivalProcess):
    """A Poisson stream of ``rate`` messages per second (exponential gaps)."""

    rate: float
    name: ClassVar[str] = "poisson"
    parameter: ClassVar[str | None] = "rate"
    parameter_range: ClassVar[limits.Range | None] = limits.RATE
    gap_cv2: ClassVar[float] = 1.0
    poisson: ClassVar[bool] = True

    @property
    def message_rate(self) -> float:
        return self.rate

    def times(self, rng: np.random.Generator, n: int, sent: int, last: float) -> np.ndarray:
        from sim.engine import kernels  # compiled; loaded when a run starts

        return kernels.poisson_times(rng.exponential(1.0 / self.rate, n), np.array([last]))

    def describe(self) -> str:
        return f"Poisson, {self.rate:g} messages/s"


#: Every arrival kind by name. Adding a kind is adding a class here.
ARRIVAL_KINDS: Mapping[str, type[ArrivalProcess]] = {cls.name: cls for cls in (BackToBack, Fixed, Poisson)}
