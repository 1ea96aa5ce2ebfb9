"""Worked arithmetic for a scenario: the sums the article does by hand, for its urns and codes.

:func:`explain` turns a :class:`sim.model.records.Scenario` into plain text (at most
100 characters a line): each urn's probabilities and entropy written out
term by term; each code's table, Kraft sum and decodability verdicts (with a
witness when a code is ambiguous); and for each link the expected length,
cross entropy, both KL divergences, the exact length identity and, when
messages arrive at a rate, the line's utilisation and mean wait.
:func:`article_corrections` is a short note on where the source article slips.

Notation: ``q`` is always the urn that draws (the truth) and ``p`` the
distribution the code assumes, so ``H(q, p) = cross_entropy(q, p)``.

>>> from sim.model.records import Line, Link, Scenario, Urn
>>> from coding import huffman
>>> india = Urn("india", {"blue": 25, "red": 50, "green": 13, "yellow": 12})
>>> link = Link("india-huffman", india, "huffman", "huffman", huffman(india.distribution),
...             Line("cable", baud=50), built_for="india", assumed=india.distribution)
>>> text = explain(Scenario("demo", (link,), urns={"india": india}))
>>> print(next(line for line in text.splitlines() if line.startswith("  H(india)")))
  H(india) = 0.25·2.000 + 0.50·1.000 + 0.13·2.943 + 0.12·3.059 = 1.7497 bits
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

import numpy as np

from coding import Code, cross_entropy, entropy, kl_divergence
from coding.losses import LOSS_MAPPING, nats_to_bits, pytorch
from sim.model import limits
from sim.model.kinds import CODE_KINDS, MAX_LISTED
from sim.model.records import CodeSpec, Line, Link, Model, Scenario, Urn
from sim.model.results import StreamCode
from sim.model.theory import link_theory, road, whole_draw_per_ball
from sim.publish.explain_learning import learning_part
from sim.publish.explain_noise import noise_part
from sim.publish.numbers import MINUS, fixed, frac, prob, sig, signed, stream_code_table

__all__ = ["explain", "article_corrections"]

WIDTH = 100


def _log(x: float, base: int) -> float:
    if x <= 0:
        return -math.inf
    return math.log2(x) if base == 2 else math.log(x) / math.log(base)


def _logname(base: int) -> str:
    return "log2" if base == 2 else f"log{base}"


def _unit(base: int) -> str:
    return "bits" if base == 2 else f"base-{base} digits"


# -- text helpers ---------------------------------------------------------------
class _Text:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, line: str = "") -> None:
        self.lines.append(line)

    def para(self, text: str, indent: str = "  ") -> None:
        self.lines.extend(textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent))

    def heading(self, title: str) -> None:
        if self.lines and self.lines[-1] != "":
            self.add()
        self.add(title)
        self.add("=" * len(title))

    def sum_line(self, lhs: str, terms: Sequence[str], rhs: str, indent: str = "  ") -> None:
        """``lhs = t1 + t2 + … = rhs``, wrapped after a ``+`` when it would exceed the width."""
        head = f"{indent}{lhs} = "
        pad = " " * len(head)
        body = terms if terms else ["0"]
        current = head + body[0]
        for term in body[1:]:
            if len(current) + 3 + len(term) > WIDTH:
                self.add(current + " +")
                current = pad + term
            else:
                current += " + " + term
        tail = f" = {rhs}"
        if len(current) + len(tail) > WIDTH:
            self.add(current)
            self.add(pad[:-2] + tail.lstrip())
        else:
            self.add(current + tail)

    def text(self) -> str:
        while self.lines and self.lines[-1] == "":
            self.lines.pop()
        out: list[str] = []
        for line in self.lines:
            if len(line) <= WIDTH:
                out.append(line)
                continue
            indent = " " * (len(line) - len(line.lstrip()))
            out.extend(textwrap.wrap(line, WIDTH, subsequent_indent=indent + "  ", break_on_hyphens=False))
        return "\n".join(out) + "\n"


def _table(
    rows: Sequence[Sequence[str]], indent: str = "    ", gap: tuple[int, str] | None = None
) -> list[str]:
    """Aligned columns (the first row the header); ``gap`` = (row, text): a line before that row."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for k, row in enumerate(rows):
        if gap is not None and k == gap[0]:
            out.append(indent + gap[1])
        cells = [c.ljust(w) if i == 0 or k == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))]
        out.append((indent + "  ".join(cells)).rstrip())
    return out


# -- large alphabets: head, tail and a count ----------------------------------------------
_T = TypeVar("_T")


def _head_tail(items: Sequence[_T], head: int, tail: int) -> tuple[Sequence[_T], int, Sequence[_T]]:
    """All ``items`` (up to :data:`sim.model.limits.SHOWN_ROWS`); past that the first ``head``,
    the number left out, the last ``tail``."""
    if len(items) <= limits.SHOWN_ROWS:
        return items, 0, ()
    return items[:head], len(items) - head - tail, items[len(items) - tail :]


def _terms(items: Sequence[_T], show: Callable[[_T], str]) -> list[str]:
    """The terms of a written-out sum, one per item; a long sum as head, ``… N more terms …``, tail."""
    head, left_out, tail = _head_tail(items, limits.HEAD_TERMS, limits.TAIL_TERMS)
    out = [show(x) for x in head]
    if left_out:
        out.append(f"… {left_out:,} more terms …")
        out += [show(x) for x in tail]
    return out


def _rows_table(
    header: list[str], items: Sequence[_T], row: Callable[[_T], list[str]], what: str
) -> list[str]:
    """A per-colour table; past :data:`sim.model.limits.SHOWN_ROWS` rows, its head and tail
    around a line saying how many ``what`` were left out and where they all are."""
    head, left_out, tail = _head_tail(items, limits.HEAD_ROWS, limits.TAIL_ROWS)
    rows = [header] + [row(x) for x in head] + [row(x) for x in tail]
    gap = None
    if left_out:
        gap = (
            1 + len(head),
            f"… {left_out:,} more {what} not shown (every one is in a run's summary.json) …",
        )
    return _table(rows, gap=gap)


# -- the scenario's parts ---------------------------------------------------------
def _all_urns(scenario: Scenario) -> list[Urn]:
    urns = list(scenario.urns.values())
    names = {u.name for u in urns}
    for link in scenario.links:
        if link.urn.name not in names:
            urns.append(link.urn)
            names.add(link.urn.name)
    return urns


def _all_codes(scenario: Scenario) -> list[tuple[str, CodeSpec | None, list[tuple[str, Code]]]]:
    """(name, spec, [(who, code)]): the code as built, or per link for a fixed code."""
    out: list[tuple[str, CodeSpec | None, list[tuple[str, Code]]]] = []
    for name, spec in scenario.codes.items():
        if spec.code is not None:
            out.append((name, spec, [("", spec.code)]))
            continue
        built: list[tuple[str, Code]] = []
        for link in scenario.links:
            if link.code_name == name and all(link.code != c for _, c in built):
                built.append((f"as built for link {link.name} (urn {link.urn.name})", link.code))
        out.append((name, spec, built))
    known = set(scenario.codes)
    for link in scenario.links:
        if link.code_name not in known:
            known.add(link.code_name)
            out.append((link.code_name, None, [("", link.code)]))
    return out


def _as_dict(d: object) -> dict[str, float]:
    return d.as_dict()  # type: ignore[attr-defined]


# -- sections ---------------------------------------------------------------------
def _urn_section(t: _Text, urn: Urn) -> dict[str, float] | None:
    total = urn.total
    t.add(f"Urn {urn.name}: {total} balls")
    if total <= 0:
        t.para("This urn is empty, so it defines no distribution and no link can draw from it.")
        t.add()
        return None
    q = {c: n / total for c, n in urn.counts.items()}
    t.lines.extend(
        _rows_table(
            ["colour", "count", "p(x)", f"{MINUS}log2 p(x)"],
            list(urn.counts.items()),
            lambda cn: [cn[0], str(cn[1]), prob(q[cn[0]]), fixed(-_log(q[cn[0]], 2), 3)],
            "colours",
        )
    )
    t.para(
        f"p(x) is the count over {total}. {MINUS}log2 p(x) is the ideal codeword length: the "
        "number of bits a colour would get if lengths could be any real number. Rare colours "
        "deserve long codewords, common ones short."
    )
    terms = _terms([p for p in q.values() if p > 0], lambda p: f"{prob(p)}·{fixed(-math.log2(p), 3)}")
    h = sum(-p * math.log2(p) for p in q.values() if p > 0)
    t.sum_line(f"H({urn.name})", terms, f"{fixed(h)} bits")
    zero = [c for c, p in q.items() if p == 0]
    if zero:
        t.para(
            f"{limits.listing(zero)} {'has' if len(zero) == 1 else 'have'} no balls and "
            f"{'contributes' if len(zero) == 1 else 'contribute'} nothing (the convention "
            "0·log 0 = 0: a colour that never occurs "
            "costs nothing on average)."
        )
    t.para(
        f"The entropy is the average of the ideal lengths, weighted by how often each colour "
        f"is drawn: drawing with replacement (an i.i.d. source), no uniquely decodable code "
        f"for single draws from {urn.name} can average fewer than {fixed(h)} bits per ball, and "
        "a good one (Huffman) stays within 1 bit of it."
    )
    t.add()
    return q


def _code_body(t: _Text, code: Code) -> None:
    D = code.D
    t.lines.extend(
        _rows_table(
            ["colour", "codeword", "length"],
            code.symbols,  # only the rows shown are looked up: a large code's strings stay unwritten
            lambda s: [s, code[s], str(len(code[s]))],
            "codewords",
        )
    )
    K = code.kraft_sum
    terms = _terms(code.length_array().tolist(), lambda n: f"1/{D**n}")
    verdict = "" if K == 1 else (" > 1" if K > 1 else " < 1")
    t.sum_line(f"Kraft sum K = Σ {D}^{MINUS}l", terms, frac(K) + verdict)
    if K < 1 and len(code) == 1:
        t.para(
            "K < 1 because a lone colour still needs one digit per message: with nothing to "
            "tell apart it carries no information, yet the line must still send something."
        )
    elif K < 1:
        t.para(
            "K < 1: some code strings are never used, so a codeword could be shortened "
            "without losing decodability (the code is incomplete)."
        )
    clash = code.prefix_clash()
    if clash is None:
        t.para(
            "Prefix-free: yes. No codeword is the beginning of another, so the receiver can "
            "cut the stream the moment a codeword is complete."
        )
    else:
        a, b = clash
        t.para(
            f"Prefix-free: no. The codeword of {a} ({code[a]}) is the beginning of the codeword "
            f"of {b} ({code[b]}), so a receiver that has seen {code[a]} cannot yet tell "
            f"whether {a} has ended."
        )
    witness = code.ambiguity()
    if witness is None:
        how = "it is prefix-free" if clash is None else "checked with the Sardinas–Patterson test"
        t.para(f"Uniquely decodable: yes ({how}): every bit string has at most one reading.")
        if clash is not None:
            t.para(
                "`telegraph run` refuses this code all the same: its receiver decodes the bits "
                "as they arrive, codeword by codeword, and that needs a prefix-free code (a "
                "decoder for this one would have to look ahead, in the worst case to the end "
                "of the message). Any uniquely decodable code has a prefix-free code with the "
                "same lengths (Kraft–McMillan), so nothing is lost by using one."
            )
        return
    t.para(
        "Uniquely decodable: NO. The Sardinas–Patterson search finds a witness: one bit "
        "string with two different readings."
    )
    t.add(f"    witness {witness.string} reads as")
    for reading in (witness.first, witness.second):
        cut = " | ".join(code[s] for s in reading)
        t.add(f"      {'·'.join(reading):<28} = {cut}")
    t.para(
        "Both readings are sequences of valid codewords that spell the same bits, and the "
        "line carries only the bits: nothing marks where one codeword stops and the next "
        "starts. The receiver therefore cannot know which message was sent, and no amount of "
        "cleverness at the receiving end fixes that."
    )
    if D == 2:
        parses = code.parses("010", limit=4)
        if len(parses) >= 2:
            parses.sort(key=len)
            sent, others = parses[0], parses[1:]
            also = " or ".join(f"{'·'.join(p)} ({' | '.join(code[s] for s in p)})" for p in others)
            t.para(
                f"The article's own example: send {' then '.join(sent)} and the line carries "
                f"010 ({' | '.join(code[s] for s in sent)}), which reads just as well as {also}."
            )
    if K > 1:
        t.para(
            f"Kraft–McMillan: every uniquely decodable code has K ≤ 1. This code has "
            f"K = {frac(K)} > 1, which on its own proves it cannot be uniquely decodable, "
            "before any witness is found."
        )
    else:
        t.para(
            f"Here K = {frac(K)} ≤ 1, so the Kraft sum alone does not expose the problem: "
            "K ≤ 1 is necessary for unique decodability, not sufficient."
        )


#: Rows of a block table or Tunstall dictionary that ``explain`` prints (summary.json lists more).
EXPLAIN_STREAM_ROWS = 12


def _stream_code_body(t: _Text, code: StreamCode) -> None:
    """What a stream code sends: its table of source words, or an arithmetic coder's intervals."""
    t.para(f"A stream code: it has no codeword per colour. Its code: {code.summary}.")
    head, rows, more = stream_code_table(code, EXPLAIN_STREAM_ROWS)
    t.lines.extend(_table([head, *rows]))
    if more:
        unit, order = ("blocks", ", the likeliest first") if code.kind == "block" else ("words", "")
        t.add(f"    … and {more:,} more {unit} (summary.json lists up to {MAX_LISTED:,}{order})")


def _code_section(
    t: _Text, name: str, spec: CodeSpec | None, built: list[tuple[str, Code]], urns: Mapping[str, Urn]
) -> None:
    kind = ""
    if spec is not None:
        kind = spec.display
        if spec.built_for:
            kind += f", built for urn {spec.built_for}"
        elif spec.model is not None:
            kind += f", built for a model: {spec.model.describe()}"
        elif (describe := getattr(spec.settings, "describe", None)) is not None:
            kind = describe()
        kind = f" ({kind})"
    t.add(f"Code {name}{kind}")
    if spec is not None and spec.model is not None:
        _model_part(t, spec.model)
    if not built:
        t.para("A fixed-length code is built per link over the link's colours; no link uses it.")
        t.add()
        return
    stream = CODE_KINDS[spec.type].stream if spec is not None else None
    if spec is not None and stream is not None and stream.describe is not None and spec.stream is not None:
        _stream_code_body(t, stream.describe(spec.stream))
    else:
        for who, code in built:
            if who:
                t.add(f"  {who}:")
            _code_body(t, code)
        if spec is not None and spec.settings is not None:
            t.para(
                "It learns: no codeword per colour and no fixed model. The table above is Huffman's code "
                "for its prior, the code an adaptive Huffman code starts with."
            )
        elif stream is not None:  # a stream kind that cannot describe its own code
            t.para(
                "A stream code: it has no codeword per colour. The table above is Huffman's code on the "
                "same model, the symbol code it is measured against."
            )
    explain = CODE_KINDS[spec.type].explain if spec is not None else None
    if spec is not None and explain is not None and spec.built_for is not None and spec.built_for in urns:
        urn = urns[spec.built_for]
        t.para(explain(f"urn {urn.name}", urn.counts))
    elif spec is not None and explain is not None and spec.model is not None:
        t.para(explain("the given model", spec.model.distribution.as_dict()))
    elif spec is not None and explain is not None and spec.settings is not None:
        t.para(explain("its prior", {}))
    t.add()


def _model_part(t: _Text, model: Model) -> None:
    """The model p a code is built for: its probabilities, or its softmax worked out."""
    p = model.distribution.as_dict()
    if model.logits is None:
        assert model.probabilities is not None
        total = sum(model.probabilities.values())
        t.para(
            "p, as given: "
            + ", ".join(f"p({c}) = {prob(v)}" for c, v in model.probabilities.items())
            + f" (sum {sig(total)}"
            + ("" if total == 1.0 else "; each is divided by the sum")
            + ")."
        )
        return
    T = model.temperature
    z = model.logits
    top = max(v / T for v in z.values())
    weights = {c: math.exp(v / T - top) for c, v in z.items()}
    denominator = sum(weights.values())
    shift = "" if top == 0 else f" (every z/T lowered by the largest, {sig(top)}: the ratios do not change)"
    t.para(
        f"p is the softmax of the logits z at temperature T = {sig(T)}: p(x) = e^(z(x)/T) / "
        f"Σ_y e^(z(y)/T), the denominator summing over EVERY colour y{shift}."
    )
    terms = [f"e^({fixed(v / T - top, 4)})" for v in z.values()]
    lhs = "Σ_y e^(z(y)/T)" if top == 0 else f"Σ_y e^(z(y)/T {MINUS} {sig(top)})"
    t.sum_line(lhs, terms, fixed(denominator))
    for c, w in weights.items():
        t.add(f"  p({c}) = {fixed(w)} / {fixed(denominator)} = {fixed(p[c])}")


def _align(d: Mapping[str, float], symbols: Sequence[str]) -> list[float]:
    return [d.get(s, 0.0) for s in symbols]


def _cross_terms(
    q: Mapping[str, float], p: Mapping[str, float], base: int
) -> tuple[list[str], float, list[str]]:
    """Terms q(x)·(−log p(x)) over q's support (shown), the total (from coding), the colours skipped."""
    skipped = [s for s, qx in q.items() if qx == 0]
    terms = _terms(
        [(s, qx) for s, qx in q.items() if qx != 0],
        lambda sq: f"{prob(sq[1])}·{fixed(-_log(p.get(sq[0], 0.0), base), 3)}",
    )
    qv, pv = _on_union(q, p)
    return terms, cross_entropy(qv, pv, base=base), skipped


def _kl_terms(
    q: Mapping[str, float], p: Mapping[str, float], base: int
) -> tuple[list[str], float, tuple[float, str] | None]:
    """Terms q(x)·log(q(x)/p(x)) over q's support (shown), the total (from coding), and the
    largest (share, colour), ties to the last colour name (None when q draws nothing)."""
    drawn = [(s, qx) for s, qx in q.items() if qx != 0]

    def term(sq: tuple[str, float]) -> str:
        s, qx = sq
        px = p.get(s, 0.0)
        return f"{prob(qx)}·∞" if px == 0 else f"{prob(qx)}·{signed(_log(qx / px, base), 3)}"

    qv, pv = _on_union(q, p)
    return _terms(drawn, term), kl_divergence(qv, pv, base=base), _largest_share(drawn, p, base)


def _largest_share(
    drawn: list[tuple[str, float]], p: Mapping[str, float], base: int
) -> tuple[float, str] | None:
    """max over the drawn colours of (q(x)·log(q(x)/p(x)), x): infinite where p(x) = 0.

    Past :data:`sim.model.limits.SHOWN_ROWS` colours the shares are found with
    whole-array operations (numpy's log; the colour it names may differ from
    the loop's only in a tie to the last bit).
    """
    if len(drawn) <= limits.SHOWN_ROWS:
        parts = []
        for s, qx in drawn:
            px = p.get(s, 0.0)
            parts.append((math.inf, s) if px == 0 else (qx * _log(qx / px, base), s))
        return max(parts, default=None)
    qa = np.fromiter((qx for _, qx in drawn), dtype=np.float64, count=len(drawn))
    pa = np.fromiter((p.get(s, 0.0) for s, _ in drawn), dtype=np.float64, count=len(drawn))
    with np.errstate(divide="ignore"):
        share = np.where(pa == 0, np.inf, qa * (np.log(qa / pa) / math.log(base)))
    top = share.max()
    return float(top), max(drawn[int(i)][0] for i in np.flatnonzero(share == top))


def _on_union(q: Mapping[str, float], p: Mapping[str, float]) -> tuple[list[float], list[float]]:
    """Both distributions as lists over the union of their colours (0 where one lacks a colour)."""
    if list(q) == list(p):  # the same colours in the same order (the usual case)
        return list(q.values()), list(p.values())
    symbols = list(q) + [s for s in p if s not in q]
    return [q.get(s, 0.0) for s in symbols], [p.get(s, 0.0) for s in symbols]


def _road_section(t: _Text, link: Link) -> None:
    """The road to the entropy for the link's urn q and the code's model p."""
    q, p = link.urn.distribution, link.assumed_distribution
    bits = getattr(link.stream, "bits", None) if link.code_type == "tunstall" else None
    H, HC = entropy(q), cross_entropy(*_on_union(q.as_dict(), p.as_dict()))
    qn, pn = link.urn.name, link.built_for or "p"
    t.para(f"The road to the entropy for urn {qn}, every code built on {pn} (expected bits per ball):")
    rows = [
        [step.label, fixed(step.bits), signed(step.bits - HC), step.overhead] for step in road(q, p, bits)
    ]
    rows.append(
        [f"H({qn}, {pn})" if HC - H > 5e-5 else f"H({qn})", fixed(HC), fixed(0.0), "the ideal cost on p"]
    )
    if HC - H > 5e-5:
        rows.append([f"H({qn})", fixed(H), signed(H - HC), f"needs a model of {qn}"])
    for line in _table([["code", "bits/ball", f"− H({qn}, {pn})", "overhead"], *rows]):
        t.add(line)
    L, var = link.per_ball()
    t.para(
        f"This link sends {CODE_KINDS[link.code_type].display} coding: {fixed(L)} bits per ball expected "
        f"(variance per ball {sig(var)}), {signed(L - HC)} above H({qn}, {pn})."
    )
    t.add()


def _link_section(t: _Text, link: Link, messages: int) -> None:
    stream = CODE_KINDS[link.code_type].stream
    if stream is not None:
        t.add(f"Link {link.name}: urn {link.urn.name} -> code {link.code_name} -> line {link.line.name}")
        if stream.regret_bound is not None:  # a code that learns: no fixed model to walk the road with
            learning_part(t.add, t.para, link, messages)
            t.add()
        else:
            _road_section(t, link)
        if link.line.noise is not None:
            noise_part(t.add, t.para, link, link.per_ball()[0])
            t.add()
        return
    code, urn = link.code, link.urn
    D = code.D
    lg, unit = _logname(D), _unit(D)
    t.add(f"Link {link.name}: urn {urn.name} -> code {link.code_name} -> {_line_label(link.line.name)}")
    total = urn.total  # once: it is a sum over the colours
    if total <= 0:
        t.para("The urn is empty: there is nothing to send.")
        t.add()
        return
    q = {c: n / total for c, n in urn.counts.items()}
    known = set(code.symbols)
    missing = [c for c, x in q.items() if x > 0 and c not in known]
    if missing:
        t.para(
            f"The code has no codeword for {limits.listing(missing)}, which the urn can draw: "
            "this link cannot be run, and its lengths, divergences and queue are not computed."
        )
        t.add()
        return
    own = dict(zip(code.symbols, code.length_array().tolist()))
    lengths = {c: own.get(c, 0) for c in q}
    qn = urn.name
    # Expected length.
    terms = _terms([(c, x) for c, x in q.items() if x > 0], lambda cx: f"{prob(cx[1])}·{lengths[cx[0]]}")
    L = sum(x * lengths[c] for c, x in q.items() if x > 0)
    t.sum_line(f"L({qn}) = Σ q(x)·l(x)", terms, f"{fixed(L)} {unit} per message")
    H = entropy(list(q.values()), base=D)
    where = "as above" if D == 2 else f"in base {D}, the code's units"
    t.add(f"  H({qn}) = {fixed(H)} {unit} (the entropy of the urn that draws, {where})")
    ud = code.is_uniquely_decodable
    if not ud:
        if L < H:
            t.para(
                f"L = {fixed(L)} is BELOW the entropy H = {fixed(H)}. No usable code can do that: "
                "a uniquely decodable code always needs at least H bits per message on "
                "average. The saving is an illusion bought by ambiguity: this code is not "
                "uniquely decodable, so the receiver cannot recover the messages and the "
                "link cannot be run."
            )
        else:
            t.para(
                "This code is not uniquely decodable, so the receiver cannot recover the "
                "messages and the link cannot be run, whatever its average length."
            )
    # Cross entropy against the assumed distribution.
    if link.built_for:
        pname = link.built_for
        pwhat = f"p = {pname}, the urn the code was built for"
    elif link.model is not None:
        pname = "p"
        pwhat = f"p = the model of code {link.code_name} ({link.model.describe()})"
    elif link.assumed is not None:
        pname = "p"
        pwhat = "the distribution p given with the link"
    else:
        pname = "r"
        pwhat = f"p = r, the code's implied distribution {D}^{MINUS}l/K (it names no urn)"
    p = _as_dict(link.assumed_distribution)
    t.para(f"The code assumes {pwhat}.")
    cterms, HC, skipped = _cross_terms(q, p, D)
    t.sum_line(f"H({qn}, {pname}) = Σ q(x)·({MINUS}{lg} p(x))", cterms, f"{fixed(HC)} {unit}")
    if skipped:
        t.para(f"({limits.listing(skipped)}: q(x) = 0, no contribution.)")
    t.para(
        f"Cross entropy is the average cost when {qn} draws but every colour is charged its "
        f"ideal length under {pname}. It is never below H({qn}); the excess is the KL divergence."
    )
    # KL both ways.
    kq_terms, KLqp, parts_q = _kl_terms(q, p, D)
    t.sum_line(f"D({qn}‖{pname}) = Σ q(x)·{lg}(q(x)/p(x))", kq_terms, f"{fixed(KLqp)} {unit}")
    if not math.isinf(HC):
        t.add(f"    = H({qn}, {pname}) {MINUS} H({qn}) = {fixed(HC)} {MINUS} {fixed(H)}")
    kp_terms, KLpq, parts_p = _kl_terms(p, q, D)
    HP = entropy(list(p.values()), base=D)
    _, HCp, _ = _cross_terms(p, q, D)
    if pname == qn:  # the code was built for the urn that draws: the reverse is the same sum
        t.para(
            f"The reverse divergence, Σ p(x)·{lg}(p(x)/q(x)), is the same sum here "
            f"({fixed(KLpq)} {unit}): p and q are both {qn}."
        )
    else:
        t.sum_line(f"D({pname}‖{qn}) = Σ p(x)·{lg}(p(x)/q(x))", kp_terms, f"{fixed(KLpq)} {unit}")
        if not math.isinf(HCp):
            t.add(f"    = H({pname}, {qn}) {MINUS} H({pname}) = {fixed(HCp)} {MINUS} {fixed(HP)}")
    if KLqp < 5e-5 and KLpq < 5e-5:
        t.para(
            "Both divergences are 0: the code was designed for exactly the distribution that "
            "draws, so cross entropy equals entropy."
        )
    else:
        why = (
            f"The two differ because each averages the log-ratio under a different "
            f"distribution: D({qn}‖{pname}) weighs colours by how often {qn} really draws them, "
            f"D({pname}‖{qn}) by how often {pname} expects them. KL divergence is not a distance."
        )
        big_q, big_p = parts_q, parts_p
        if big_q is not None and math.isinf(big_q[0]):
            why += f" D({qn}‖{pname}) is infinite: {qn} draws {big_q[1]}, which {pname} says never happens."
        elif big_q is not None and big_q[0] > 0:
            c = big_q[1]
            why += (
                f" The largest share of D({qn}‖{pname}) comes from {c}: {qn} draws it with "
                f"{prob(q[c])} but {pname} expects {prob(p.get(c, 0.0))}."
            )
        if big_p is not None and math.isinf(big_p[0]):
            why += f" D({pname}‖{qn}) is infinite: {pname} expects {big_p[1]}, which {qn} never draws."
        elif big_p is not None and big_p[0] > 0:
            c = big_p[1]
            why += (
                f" The largest share of D({pname}‖{qn}) comes from {c}: {pname} expects "
                f"{prob(p.get(c, 0.0))} but {qn} draws it with {prob(q.get(c, 0.0))}."
            )
        t.para(why)
    # The exact identity.
    K = code.kraft_sum
    r = _as_dict(code.implied_distribution())
    rdesc = ", ".join(_terms(list(r.items()), lambda sx: f"{sx[0]} {prob(sx[1])}"))
    t.para(f"Implied distribution r(x) = {D}^{MINUS}l(x)/K with K = {frac(K)}: {rdesc}.")
    _, KLqr, _ = _kl_terms(q, r, D)
    logK = _log(float(K), D)
    logK_s = signed(logK)
    t.add(f"  L = H(q) + D(q‖r) {MINUS} {lg} K:  {fixed(L)} = {fixed(H)} + {fixed(KLqr)} {MINUS} {logK_s}")
    t.para(
        "This identity is algebra, exact for any code (a theory line, not a measurement, so "
        "runs do not check it): the length above the entropy is the "
        "divergence from the distribution the code's lengths are ideal for, less "
        f"{lg} K. For a uniquely decodable code K ≤ 1, so {MINUS}{lg} K ≥ 0 and L ≥ H."
        + (
            f" Here K > 1 makes {MINUS}{lg} K negative, which is exactly how this ambiguous "
            "code appears to beat the entropy."
            if K > 1
            else ""
        )
    )
    if not link.replacement:
        _finite_box(t, urn, H, L)
    if ud:
        _line_part(t, link, q, lengths, L)
        noise_part(t.add, t.para, link, L)
    t.add()


def _finite_box(t: _Text, urn: Urn, H: float, L: float) -> None:
    """What drawing without replacement changes: the source is not i.i.d."""
    n = urn.total
    whole = whole_draw_per_ball(urn.counts.values())
    t.para(
        f"Drawn WITHOUT replacement, this box is not an i.i.d. source: each ball drawn changes "
        f"the odds of the next, and the last ball is certain. Both ends can track the colours "
        f"left, so a code for the whole draw of all {n} balls needs only log2({n}!/∏ c!) bits, "
        f"{fixed(whole)} bits per ball against H = {fixed(H)}: the entropy bound for codes of "
        f"single balls (L = {fixed(L)} here) does not bound every code for this source. Averages "
        "still centre on L, but their standard error carries the finite-population factor "
        "√((N − n)/(N − 1)) and is 0 when the whole box is drawn (the total number of bits is "
        "then fixed); the queue formulas, which assume independent service times, are judged "
        "only while a small part of the box is drawn."
    )


def _channel_note(link: Link) -> str:
    """How the channel code slows the line, for the line's heading (empty without one)."""
    if link.channel is None:
        return ""
    if link.frame_bits:
        return (
            f" (+ {link.frame_bits} bit of {link.channel.display()}: a telegram of b bits takes "
            f"(b + {link.frame_bits})/baud s; source bits are {fixed(link.channel_rate)} of the wire's "
            "over a long run)"
        )
    return (
        f" (× rate {fixed(link.channel_rate)} of {link.channel.display()}: {link.wire_baud:g} source bits/s)"
    )


def _line_label(name: str) -> str:
    """'line cable', or 'the line' for a line named 'line' (never "Line line:")."""
    return "the line" if name.lower() == "line" else f"line {name}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _line_part(t: _Text, link: Link, q: Mapping[str, float], lengths: Mapping[str, int], L: float) -> None:
    line, arr = link.line, link.arrivals
    baud = float(link.wire_baud)  # source bits per second: a channel code's overhead slows the line
    per = "1 message" if link.telegram == 1 else f"{link.telegram} messages"
    t.para(
        f"{_capital(_line_label(line.name))}: {line.baud:g} baud{_channel_note(link)}, "
        f"latency {line.latency:g} s; arrivals: "
        f"{arr.describe()}; {per} per telegram."
    )
    # A channel code's bits per telegram (parity per telegram: f = 1) go on the wire with the
    # codewords: each message carries L + f/k bits of time and tariff (k messages a telegram).
    f, k = link.frame_bits, link.telegram
    Lw = L + f / k
    Ls = "L" if not f else f"(L + {f})" if k == 1 else f"(L + {f}/{k})"
    Lv = fixed(L) if not f else f"({fixed(L)} + {f})" if k == 1 else f"({fixed(L)} + {f}/{k})"
    tariff = line.tariff
    if tariff.per_bit or tariff.per_telegram:
        cost = tariff.per_bit * Lw + tariff.per_telegram / max(link.telegram, 1)
        t.add(
            f"  Cost per message = per_bit·{Ls} + per_telegram/telegram = {tariff.per_bit:g}·"
            f"{Lv} + {tariff.per_telegram:g}/{link.telegram} = {fixed(cost)}"
        )
    lam = arr.message_rate
    if baud <= 0:
        t.para("The line's baud is not positive, so no timing can be computed.")
        return
    ES = Lw / baud
    if lam is None:
        t.para(
            f"Back-to-back: a message is always waiting, so the line is busy all the time "
            f"(ρ = 1) and carries baud/{Ls} = {baud:g}/{Lv} = {sig(baud / Lw)} "
            "messages per second. A shorter code means more messages per second."
            if Lw > 0
            else "Back-to-back: the line is always busy."
        )
        return
    rho = lam * Lw / baud
    t.add(f"  ρ = λ·{Ls}/baud = {lam:g}·{Lv}/{baud:g} = {fixed(rho)}")
    if rho >= 1:
        t.para(
            f"UNSTABLE: ρ = {fixed(rho)} ≥ 1. Bits arrive at least as fast as the line can send "
            "them, so the queue of telegrams grows without bound and there is no steady-state "
            "mean wait. A shorter code (smaller L) or a faster line is needed."
        )
        return
    t.para(
        f"ρ is the fraction of time the line is busy: messages arrive at λ = {lam:g} per "
        f"second and each takes on average {Ls}/baud = {sig(ES)} s to send."
    )
    if line.shared:
        t.para(
            f"{_capital(_line_label(line.name))} is shared: this ρ is this link's share of the "
            "wire. The queue and its waits belong to every link on the wire together; see "
            "'Shared lines' below."
        )
        return
    if not arr.process.poisson:
        t.para(
            "The Pollaczek–Khinchine mean wait applies to Poisson arrivals only, so it is not "
            "computed for this link."
        )
        return
    if link.telegram != 1:
        t.para(
            f"Messages travel {link.telegram} to a telegram, so telegrams do not arrive as a "
            "Poisson stream; the Pollaczek–Khinchine formula (one message per telegram) is "
            "not applied."
        )
        return
    sq_terms = _terms(
        [(c, x) for c, x in q.items() if x > 0], lambda cx: f"{prob(cx[1])}·{(lengths[cx[0]] + f) ** 2}"
    )
    El2 = sum(x * (lengths[c] + f) ** 2 for c, x in q.items() if x > 0)
    ES2 = El2 / baud**2
    W = lam * ES2 / (2 * (1 - rho))
    used = {lengths[c] for c, x in q.items() if x > 0}
    service = (
        "is the same for every colour (an M/D/1 queue, a special case)"
        if len(used) == 1
        else "varies with the colour drawn"
    )
    lx = "l(X)" if not f else f"(l(X) + {f})"
    t.para(
        "Poisson arrivals with one message per telegram: an M/G/1 queue. The service time "
        f"S = {lx}/baud {service}"
        + (f" (the telegram's codeword and its {f} parity bit, exactly)" if f else "")
        + ", and the Pollaczek–Khinchine formula gives the mean wait in the queue:"
    )
    t.add(f"  E[S] = {Ls}/baud = {Lv}/{baud:g} = {sig(ES)} s")
    if f:
        t.sum_line(f"E[(l + {f})²] = Σ q(x)·(l(x) + {f})²", sq_terms, fixed(El2))
        t.add(f"  E[S²] = E[(l + {f})²]/baud² = {fixed(El2)}/{baud**2:g} = {sig(ES2)} s²")
    else:
        t.sum_line("E[l²] = Σ q(x)·l(x)²", sq_terms, fixed(El2))
        t.add(f"  E[S²] = E[l²]/baud² = {fixed(El2)}/{baud**2:g} = {sig(ES2)} s²")
    t.add(f"  W = λ·E[S²]/(2(1 {MINUS} ρ)) = {lam:g}·{sig(ES2)}/(2·(1 {MINUS} {fixed(rho)})) = {sig(W)} s")
    total = W + ES + float(line.latency)
    t.para(
        f"Mean time from a message's arrival to its delivery = W + E[S] + latency = "
        f"{sig(W)} + {sig(ES)} + {line.latency:g} = {sig(total)} s. The wait grows "
        "with E[S²], not just E[S]: long, rare codewords hold up everyone behind them."
    )


def _notation(t: _Text) -> None:
    t.heading("Notation")
    t.para(
        "Here q is the urn that actually draws (the truth) and p the distribution the code "
        "assumes. H(q, p) = −Σ q(x)·log2 p(x) is coding.cross_entropy(q, p): the first "
        "argument draws, the second is assumed. D(q‖p) = Σ q(x)·log2(q(x)/p(x)) is "
        "coding.kl_divergence(q, p)."
    )
    t.para(
        "The article writes the same cross entropy as H_p(q) = −Σ q(x)·log2 p(x): its "
        "subscript is the code's (assumed) distribution and its argument the one that draws. "
        "So the article's H_p(q) is our H(q, p), and its KL(Q‖P) is our D(q‖p). Mind the "
        "order when reading one next to the other: the roles sit in opposite places."
    )


def explain(scenario: Scenario) -> str:
    """The worked arithmetic for ``scenario``'s urns, codes and links, as plain text.

    Sections, in order: the scenario's name and description; each urn
    (counts, probabilities, ideal lengths, entropy written out); each code
    (table, Kraft sum written out, prefix-free and uniquely-decodable
    verdicts, a witness when ambiguous); each link (expected length, entropy,
    cross entropy and KL both ways as sums of terms, the identity
    L = H(q) + D(q‖r) − log2 K, and, with a message rate, utilisation and the
    Pollaczek–Khinchine mean wait); and a note on notation. Lines are at most
    100 characters. Never raises for zero-count colours or ambiguous codes.
    """
    t = _Text()
    t.heading(f"Scenario {scenario.name}")
    if scenario.description:
        for i, para in enumerate(scenario.description.strip().split("\n\n")):
            if i:
                t.add()
            t.para(" ".join(para.split()), indent="")
    t.heading("Urns")
    for urn in _all_urns(scenario):
        _urn_section(t, urn)
    t.heading("Codes")
    for name, spec, built in _all_codes(scenario):
        _code_section(t, name, spec, built, scenario.urns)
    t.heading("Links")
    t.para(
        "For each link: q is the urn that draws, p the distribution the code assumes, l(x) the "
        "codeword lengths, r the code's implied distribution and K its Kraft sum.",
        indent="",
    )
    t.add()
    for link in scenario.links:
        _link_section(t, link, scenario.messages)
    _shared_lines(t, scenario)
    _losses(t, scenario)
    _notation(t)
    return t.text()


def framework_loss(link: Link) -> tuple[float, float] | None:
    """(nats, bits) of ``torch.nn.functional.cross_entropy(ln p, q)``: the link's H(q, p) as a loss.

    None when the model gives a colour that has balls probability 0 (the loss is infinite).
    """
    q = link.urn.distribution
    p = link.assumed_distribution
    if any(q[s] > 0 and (s not in p or p[s] == 0) for s in q.symbols):
        return None
    symbols = [s for s in q.symbols if s in p] + [s for s in p.symbols if s not in q]
    logits = [math.log(p[s]) if s in p and p[s] > 0 else -1e300 for s in symbols]
    target = [q[s] if s in q else 0.0 for s in symbols]
    nats = float(pytorch.cross_entropy([logits], [target]))  # type: ignore[arg-type]
    return nats, nats_to_bits(nats)


def _losses(t: _Text, scenario: Scenario) -> None:
    """For links whose code is built for a model: the bill as a framework's loss, and the losses' map."""
    models = [link for link in scenario.links if link.model is not None]
    if not models:
        return
    t.heading("The bill as a training loss")
    t.para(
        "A code built for a model p charges a ball of colour x about −log2 p(x) bits (exactly that "
        "with an ideal code; a symbol code such as Huffman's rounds to whole bits). Averaged over "
        "the box q that draws, that is the cross entropy H(q, p): the loss a classifier with "
        "output p would report on q's balls. The frameworks use natural logs, so their loss is in "
        "nats: divide by ln 2 = 0.693147 for bits.",
        indent="",
    )
    t.add()
    for link in models:
        loss = framework_loss(link)
        if loss is None:
            t.add(
                f"  {link.name}: the model gives a colour of urn {link.urn.name} probability 0: infinite loss"
            )
            continue
        nats, bits = loss
        kind = CODE_KINDS[link.code_type]
        L = link_theory(link).expected_length
        why = (
            "it spends fractions of a bit per ball; the difference is its integer frequencies' rounding"
            if kind.stream is not None
            else "its codewords are whole bits long"
        )
        t.para(
            f"{link.name}: torch.nn.functional.cross_entropy(ln p, q) = {fixed(nats)} nats; "
            f"{fixed(nats)} / ln 2 = {fixed(bits)} bits = H({link.urn.name}, p). Its {kind.display} "
            f"code pays {fixed(L)} bits per ball on average, {signed(L - bits)} against that ideal: {why}."
        )
    t.add()
    t.para("Each loss of coding.losses on the telegraph (q draws the balls, p is the model):", indent="")
    for role in LOSS_MAPPING:
        t.lines.extend(
            textwrap.wrap(
                f"{role.call}: {role.telegraph}.", WIDTH, initial_indent="- ", subsequent_indent="  "
            )
        )
        if role.slip:
            t.lines.extend(
                textwrap.wrap(
                    f"Where the article slips: {role.slip}.",
                    WIDTH,
                    initial_indent="  ",
                    subsequent_indent="  ",
                )
            )


def _shared_lines(t: _Text, scenario: Scenario) -> None:
    """The arithmetic of every shared wire: the load as a sum, W0, and each class's mean wait."""
    wires: dict[Line, list[Link]] = {}
    for link in scenario.links:
        if link.line.shared:
            wires.setdefault(link.line, []).append(link)
    if not wires:
        return
    t.heading("Shared lines")
    t.para(
        "A shared line is one wire with one queue for all its links. Its load is the sum of "
        "theirs; with Poisson arrivals (one message per telegram) the waiting work in the queue "
        "is W0 = Σ λ_i·E[S_i²]/2. When every link has the same priority they share one FIFO "
        "queue and every telegram waits, on average, the mixed-service Pollaczek–Khinchine "
        "W = W0/(1 − ρ). With priorities (lower served first, a telegram on the wire never "
        "cut), class k waits W_k = W0/((1 − σ_{k−1})(1 − σ_k)) (Cobham), σ_k the load of the "
        "classes served before or with k.",
        indent="",
    )
    for line, links in wires.items():
        t.add()
        names = ", ".join(f"{x.name} (priority {x.priority})" for x in links)
        t.para(f"Line {line.name}: {line.baud:g} baud, shared by {names}.")
        rows = [("link", "λ /s", "E[S] s", "E[S²] s²", "ρ_i = λ·E[S]")]
        loads, works = [], []
        for x in links:
            dist = x.urn.distribution
            L, var = x.code.expected_length(dist), x.code.length_variance(dist)
            lam = x.arrivals.message_rate
            k = x.telegram
            es, es2 = k * L / line.baud, (k * var + (k * L) ** 2) / line.baud**2
            rate = None if lam is None else lam / k  # telegrams per second
            loads.append(None if rate is None else rate * es)
            works.append(None if rate is None else rate * es2)
            rows.append(
                (x.name, "-" if rate is None else f"{rate:g}", sig(es), sig(es2),
                 "-" if rate is None else fixed(rate * es))
            )  # fmt: skip
        t.lines.extend(_table(rows))
        if None in loads:
            t.para("A link without an arrival rate (back-to-back) cannot share a queue: not computed.")
            continue
        shares = [x for x in loads if x is not None]  # all of them: none is None
        rates = [x for x in works if x is not None]
        rho = sum(shares)
        t.sum_line("ρ = Σ ρ_i", [fixed(x) for x in shares], fixed(rho))
        if rho >= 1:
            t.para(f"UNSTABLE: ρ = {fixed(rho)} ≥ 1; the shared queue grows without bound.")
            continue
        if not all(x.arrivals.process.poisson and x.telegram == 1 for x in links):
            t.para(
                "The mean waits below need Poisson arrivals with one message per telegram on every "
                "link of the wire; not computed here."
            )
            continue
        w0 = sum(rates) / 2
        t.sum_line("W0 = Σ λ_i·E[S_i²]/2", [sig(w / 2) for w in rates], f"{sig(w0)} s")
        classes = sorted({x.priority for x in links})
        if len(classes) == 1:
            t.add(f"  W = W0/(1 {MINUS} ρ) = {sig(w0)}/(1 {MINUS} {fixed(rho)}) = {sig(w0 / (1 - rho))} s")
            t.para(
                "The same for every link on the wire: a shorter code on one link shortens everyone's wait."
            )
            continue
        for c in classes:
            before = sum(r for r, x in zip(shares, links) if x.priority < c)
            upto = sum(r for r, x in zip(shares, links) if x.priority <= c)
            who = ", ".join(x.name for x in links if x.priority == c)
            t.add(
                f"  priority {c} ({who}): σ = {fixed(before)} → {fixed(upto)}, W = {sig(w0)}/((1 {MINUS} "
                f"{fixed(before)})·(1 {MINUS} {fixed(upto)})) = {sig(w0 / ((1 - before) * (1 - upto)))} s"
            )


_CORRECTIONS: tuple[tuple[str, str], ...] = (
    (
        "Softmax",
        "The normaliser must sum over every class: softmax(x)_i = e^{x_i} / Σ_j e^{x_j}. "
        "The article's denominator repeats e^{x_i} inside the sum, which would make every "
        "output 1/N whatever the logits.",
    ),
    (
        "Cross-entropy loss",
        "It carries a minus sign: CE = −Σ_n Σ_c y_n,c · log ŷ_n,c. Without it the value is "
        "never positive and minimising it would push the predicted probability of the true "
        "class down instead of up. The article's hand calculation of 2.348 drops the same "
        "sign.",
    ),
    (
        "Forward KL",
        "Training minimises the forward divergence D(q‖p) (q the data, p the model), and "
        "because D(q‖p) = H(q, p) − H(q) with H(q) fixed by the data, minimising it is the "
        "same as minimising the cross entropy. The article says that maximising the forward "
        "KL is equivalent to maximising the cross entropy; both words should be "
        "'minimising', as its own derivation further down shows.",
    ),
    (
        "PyTorch inputs",
        "nll_loss expects LOG-probabilities (the output of log_softmax), not softmax "
        "outputs; cross_entropy takes raw logits and applies log_softmax itself. kl_div "
        "also takes log-probabilities as its input, while its target is plain probabilities "
        "by default (log_target=False); use reduction='batchmean' for the mathematical KL. "
        "binary_cross_entropy takes probabilities, binary_cross_entropy_with_logits logits.",
    ),
    (
        "Units",
        "The article's binary cross entropy is written with log2 (bits) and leaves a bracket "
        "open; as meant it is −Σ [y log2 ŷ + (1 − y) log2(1 − ŷ)]. The frameworks use natural "
        "logs and average over samples: their losses are in nats per sample, so divide by "
        "ln 2 for the telegraph's bits per ball (1.6280 nats = 2.3488 bits).",
    ),
    (
        "TensorFlow inputs",
        "The Keras cross-entropy losses take probabilities unless from_logits=True. "
        "KLDivergence takes probabilities for both y_true and y_pred and has no logits "
        "option.",
    ),
    (
        "Notation",
        "The article's H_p(q) = −Σ q log p puts the code's (assumed) distribution in the "
        "subscript and the drawing one in the argument. Our H(q, p) = cross_entropy(q, p) "
        "lists the drawing distribution first. Same number, roles in opposite places.",
    ),
    (
        "Likelihood example",
        "The example's normal distribution has mean 30, yet the formula conditions on "
        "μ = 32. For a continuous variable P(x = 32) is 0; what is meant is the density "
        "f(32 | μ = 30, σ = 2.5). And P(μ, σ | x) is a posterior, which needs a prior: the "
        "likelihood is the density of the data read as a function of the parameters, "
        "L(μ, σ; x) = f(x | μ, σ).",
    ),
    (
        "Cross entropy and likelihood",
        "The heading 'cross entropy = log likelihood' misses a sign: with one-hot labels the "
        "cross entropy is the NEGATIVE log-likelihood (averaged over samples), which is why "
        "minimising one maximises the other.",
    ),
    (
        "Continuous variables",
        "Replacing Σ with ∫ does not carry everything over. KL divergence does (it stays ≥ 0 "
        "and invariant under a change of variable), but the integral −∫ f log f is the "
        "differential entropy: it can be negative, changes with the units, and is not a "
        "number of bits any code spends.",
    ),
    (
        "Bits and uncertainty",
        "One bit halves the number of equally likely possibilities: it reduces the "
        "uncertainty by a FACTOR of 2 (and two bits by a factor of 4), not by 2.",
    ),
    (
        "Which distribution is true",
        "The KL section first calls p the true distribution and q the prediction, then, a "
        "few lines on, P the predicted one and Q the true one. Here the truth is always q "
        "(the box that draws) and p the distribution the code assumes: D(q‖p).",
    ),
    (
        "Schemes 2 and 3",
        "Scheme 2 gives blue 1 bit and red 2 bits; it is scheme 3 that reverses this, giving "
        "the commoner red the 1-bit word (the article says 'scheme 2 is the reverse').",
    ),
    (
        "Smaller points",
        "Prefix-freeness is sufficient for unique decodability, not a property every "
        "uniquely decodable code has ({0, 01, 11} is decodable but not prefix-free); "
        "Kraft–McMillan shows restricting to prefix codes costs nothing. Entropy is a lower "
        "bound that the best symbol code approaches within one bit (India: H = 1.7497, "
        "Huffman L = 1.75); it is met exactly only when every probability is a power of 1/2. "
        "Australia's 2.3488 uses ideal, fractional lengths; India's real Huffman code costs "
        "Australia 2.37 bits per ball.",
    ),
)


def article_corrections() -> str:
    """A short note, in our own words, on where the source article slips.

    >>> print(article_corrections().splitlines()[0])
    Corrections to the source article
    """
    t = _Text()
    t.add("Corrections to the source article")
    t.add()
    for title, body in _CORRECTIONS:
        wrapped = textwrap.wrap(f"{title}. {body}", WIDTH - 2, initial_indent="- ", subsequent_indent="  ")
        t.lines.extend(wrapped)
    return t.text()
