"""Calibration of the theory checks: false-FAIL rates over many seeds, and power on broken truth.

Every check states a false-alarm rate (the chance it FAILs a run whose theory
is right). This script measures it: each case below is run on many seeds
through the engine API (no results folders), and every check's verdicts are
counted. It then breaks the truth on purpose at 10^5 messages and counts how
often the checks notice:

- a code whose expected length is off by 1 %: the run is held against
  L' = 1.01·L (same variance);
- a line whose service time is off by 5 %: the line is simulated at
  baud / 1.05 and held against the theory of the nominal line (whose
  relaxation time also sizes the wait's warm-up and batches). On a shared
  line the wire's theory (load, mixed P-K or Cobham wait, relaxation time)
  is the nominal wire's too;
- parity per telegram held against the mean-rate line it was once modelled
  on (each telegram at b̄/(b̄ + 1) of the baud): same ρ and E[S], E[S²] too
  large by (1 + 1/b̄)²·E[l²]/E[(l + 1)²] (12 % for India's Huffman code).

Shared lines (the telegraph office) are calibrated on two offices on one
wire, India (Huffman) and Ceylon (fixed code) at rates 5 : 3.5, scaled to a
total load ρ from 0.5 to 0.95, served FIFO (``mixed_pollaczek_khinchine``)
or Ceylon first (``cobham_priority``), and on the bundled ``shared_office``.

The wrong theory is handed to ``sim.engine.simulation.run(theory=...)``, so everything
the checks do follows it, as it would if the engine itself were wrong.

    python benchmarks/calibration.py              # 200 seeds per case (several minutes)
    python benchmarks/calibration.py --seeds 50   # quicker
    python benchmarks/calibration.py --markdown   # the table for the README
    python benchmarks/calibration.py --only shared   # the cases whose label contains "shared"
    python benchmarks/calibration.py --road --markdown   # only Fano, SFE, block, Tunstall, arithmetic

The false-FAIL rate is shown with the stated rate and a one-sided binomial
p-value, P(at least that many FAILs | stated rate): a small p-value would
mean the check FAILs more often than it says.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import math
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coding import fixed_length, huffman  # noqa: E402
from sim.engine import simulation as engine  # noqa: E402
from sim.model.noise_kinds import Bsc, Parity  # noqa: E402
from sim.model.records import Arrivals, Line, Link, Scenario, Urn  # noqa: E402
from sim.model.results import Theory  # noqa: E402
from sim.model.stats import relaxation_time  # noqa: E402
from sim.model.theory import link_theory, shared_theories  # noqa: E402
from sim.scenario import loader as scenario

#: The checks each kind of broken truth should make FAIL.
POWER_CHECKS = {
    "length": ("bits_per_message",),
    "box": ("bits_per_message",),
    "service": ("utilisation", "pollaczek_khinchine", "mixed_pollaczek_khinchine", "cobham_priority"),
    "mean_rate": ("pollaczek_khinchine",),
}
INDIA = Urn("india", {"blue": 25, "red": 50, "green": 13, "yellow": 12})
CEYLON = Urn("ceylon", {"blue": 40, "red": 20, "green": 20, "yellow": 20})


@dataclass(frozen=True)
class Case:
    """A scenario run for ``messages`` messages on each seed; ``truth`` breaks the theory if set."""

    label: str
    scenario: Scenario
    messages: int
    # "" (theory right), "length" (L off by 1 %), "service" (service time off by 5 %), "box" (an
    # adaptive link draws from a box one ball in a hundred off the one its tally believes) or
    # "mean_rate" (parity per telegram held against the old mean-rate line's E[S²])
    broken: str = ""
    nominal: tuple[Link, ...] = ()  # the links theory believes in (for "service")


@dataclass
class Tally:
    """Verdict counts of one check in one case."""

    runs: int = 0
    fail: int = 0
    inconclusive: int = 0
    stated: set[float] = field(default_factory=set)

    def add(self, verdict: str, rate: float | None) -> None:
        self.runs += 1
        self.fail += verdict == "fail"
        self.inconclusive += verdict == "inconclusive"
        if rate is not None:
            self.stated.add(rate)


def _link(name: str, urn: Urn, code_type: str, line: Line, **kw) -> Link:
    if code_type == "fixed":
        return Link(name, urn, "fixed", "fixed", fixed_length(urn.distribution), line, **kw)
    return Link(
        name, urn, "huffman", "huffman", huffman(urn.distribution), line,
        built_for=urn.name, assumed=urn.distribution, **kw,
    )  # fmt: skip


def queue_link(rho: float, code_type: str = "huffman", baud: float = 20.0) -> Link:
    """The India box on a ``baud`` line with Poisson arrivals loading it to ``rho``."""
    L = 1.75 if code_type == "huffman" else 2.0
    rate = rho * baud / L
    return _link(
        f"rho{rho:g}-{code_type}",
        INDIA,
        code_type,
        Line("office", baud),
        arrivals=Arrivals("poisson", rate=rate),
    )


def parity_link(rho: float, telegram: int = 1, baud: float = 20.0) -> Link:
    """India's Huffman code with a parity bit per ``telegram``-message telegram on a BSC(10⁻³)
    ``baud`` line, Poisson arrivals loading it to ``rho``: each telegram of B bits takes exactly
    (B + 1)/baud, so ρ = λ·(1.75 + 1/telegram)/baud."""
    rate = rho * baud / (1.75 + 1 / telegram)
    line = Line("cable", baud, noise=Bsc(0.001))
    return _link(
        f"parity{telegram}-rho{rho:g}", INDIA, "huffman", line, telegram=telegram, channel=Parity(),
        arrivals=Arrivals("poisson", rate=rate),
    )  # fmt: skip


def mean_rate_theory(link: Link) -> Theory:
    """The theory parity per telegram had before its exact line: every telegram timed at the mean
    rate b̄/(b̄ + 1), so E[S²] = E[l²]·((b̄ + 1)/b̄)²/baud² and c_s² = Var(l)/(k·L²) (same ρ, E[S])."""
    t = link_theory(link)
    if not link.frame_bits or t.utilisation is None or t.utilisation >= 1:
        return t
    k, baud, rho, rate = link.telegram, link.line.baud, t.utilisation, link.arrivals.message_rate
    L, var = link.per_ball()
    stretch = (k * L + 1) / (k * L)
    relax = relaxation_time(rho, var / (k * L * L))
    if t.pk_mean_wait is None:
        return dataclasses.replace(t, relaxation_time=relax)
    second = (var + L * L) * stretch**2 / baud**2
    return dataclasses.replace(t, relaxation_time=relax, pk_mean_wait=rate * second / (2 * (1 - rho)))


def shared_links(rho: float, priority: bool = False, baud: float = 20.0) -> tuple[Link, Link]:
    """India (Huffman, L = 1.75) and Ceylon (fixed, L = 2) on one shared ``baud`` wire, Poisson
    at rates 5 : 3.5 scaled to a total load ``rho``; with ``priority`` Ceylon is served first."""
    k = rho * baud / (5 * 1.75 + 3.5 * 2.0)
    line = Line("wire", baud, shared=True)
    india = _link(
        "india", INDIA, "huffman", line, arrivals=Arrivals("poisson", rate=5 * k), priority=int(priority)
    )
    ceylon = _link("ceylon", CEYLON, "fixed", line, arrivals=Arrivals("poisson", rate=3.5 * k), priority=0)
    return india, ceylon


def slowed(links: Iterable[Link], factor: float = 1.05) -> tuple[Link, ...]:
    """``links`` with every line's service time ``factor`` times longer (baud / factor).

    Links that shared one line still share one (equal) line."""
    return tuple(
        dataclasses.replace(lk, line=dataclasses.replace(lk.line, baud=lk.line.baud / factor)) for lk in links
    )


def _sc(*links: Link) -> Scenario:
    return Scenario("calibration", tuple(links))


def truth_cases(full: bool = True) -> list[Case]:
    """Cases where theory is right: every FAIL is a false alarm."""
    cases = []
    for name in ("india_to_australia", "australia_to_india", "busy_telegraph_office", "shared_office"):
        sc = scenario.load(name)
        cases.append(Case(f"{name} ({sc.messages:,})", sc, sc.messages))
    office = scenario.load("busy_telegraph_office")
    for n in (1_000, 10_000):
        cases.append(Case(f"busy_telegraph_office ({n:,})", office, n))
    road = scenario.load("road_to_entropy")  # stream codes: block, Tunstall, arithmetic (range coder)
    for n in (1_000, 10_000, 100_000) if full else (1_000, 10_000):
        cases.append(Case(f"road_to_entropy ({n:,})", road, n))
    for rho in (0.5, 0.7, 0.9, 0.95):
        for n in (1_000, 10_000, 100_000) if full else (1_000, 10_000):
            cases.append(Case(f"M/G/1 Huffman ρ = {rho:g} ({n:,})", _sc(queue_link(rho)), n))
    for n in (50, 1_000, 10_000):  # a light load: few telegrams wait, batches must hold enough that do
        cases.append(Case(f"M/G/1 Huffman light ρ = 0.05 ({n:,})", _sc(queue_link(0.05)), n))
    for n in (1_000, 100_000) if full else (1_000,):
        cases.append(Case(f"M/D/1 fixed ρ = 0.95 ({n:,})", _sc(queue_link(0.95, "fixed")), n))
    rare = Urn("rare", {"common": 998, "rare1": 1, "rare2": 1})
    for n in (30, 100, 1_000, 100_000):
        cases.append(
            Case(
                f"urn {{998, 1, 1}} Huffman ({n:,})", _sc(_link("rare", rare, "huffman", Line("l", 50.0))), n
            )
        )
    tiny = Urn("tiny", {"a": 1, "b": 2, "c": 1})
    office = Line("office", 20.0)
    for n in (2, 4):
        link = _link(
            "tiny", tiny, "huffman", office, replacement=False, arrivals=Arrivals("poisson", rate=8.0)
        )
        cases.append(Case(f"urn {{1, 2, 1}} without replacement ({n})", _sc(link), n))
    for n in (50, 100):
        link = _link(
            "india", INDIA, "huffman", office, replacement=False, arrivals=Arrivals("poisson", rate=9.0)
        )
        cases.append(Case(f"India box without replacement ({n})", _sc(link), n))
    shared = scenario.load("shared_office")
    for n in (1_000, 10_000):
        cases.append(Case(f"shared_office ({n:,})", shared, n))
    for kind, priority in (("FIFO", False), ("priority", True)):
        for rho in (0.5, 0.7, 0.9, 0.95):
            for n in (1_000, 10_000, 100_000) if full else (10_000,):
                label = f"shared {kind} ρ = {rho:g} ({n:,})"
                cases.append(Case(label, _sc(*shared_links(rho, priority)), n))
    for rho in (0.5, 0.825, 0.95):  # parity per telegram: each telegram (B + 1)/baud exactly
        for n in (1_000, 10_000, 100_000) if full else (10_000,):
            cases.append(Case(f"parity per telegram ρ = {rho:g} ({n:,})", _sc(parity_link(rho)), n))
    for n in (10_000, 100_000) if full else (10_000,):
        cases.append(Case(f"parity per telegram of 4, ρ = 0.9 ({n:,})", _sc(parity_link(0.9, 4)), n))
    cases += restart_cases(full)
    big = Urn("big", {c: 1000 * k for c, k in INDIA.counts.items()})
    link = _link("big", big, "huffman", office, replacement=False, arrivals=Arrivals("poisson", rate=9.0))
    cases.append(Case("10^5-ball box without replacement (50,000)", _sc(link), 50_000))
    return cases + adaptive_cases(full)


ADAPTIVE_URNS = {
    "australia": "{blue: 13, red: 25, green: 50, yellow: 12}",
    "{998, 1, 1}": "{common: 998, rare1: 1, rare2: 1}",
}


#: Australia's box with one blue ball turned green: the "box" power cases draw from it.
SHIFTED_AUSTRALIA = "{blue: 12, red: 25, green: 51, yellow: 12}"
ADAPTIVE_HUFFMAN_64 = "{type: adaptive, coder: huffman, rebuild: 64}"
ONE_LINK = "links: [{urn: u, code: c}]\n"


def restart_cases(full: bool = True) -> list[Case]:
    """Arithmetic links restarting at every telegram (parity per telegram) on a BSC: the bits check
    against the exact telegram law, the telegram loss and undetected rates, the flush bounds."""
    cases = []
    for T, flip in ((1, 0.02), (4, 0.02), (8, 0.001)):
        text = (
            "urns: {u: {blue: 25, red: 50, green: 13, yellow: 12}}\n"
            "codes: {c: {type: arithmetic, for: u}}\n"
            f"lines: {{w: {{baud: 50, noise: {{type: bsc, flip: {flip}}}}}}}\n"
            f"links: [{{urn: u, code: c, line: w, telegram: {T}, channel: {{type: parity}}}}]\n"
        )
        for n in (1_000, 10_000, 100_000) if full else (10_000,):
            cases.append(Case(f"arithmetic restarting per telegram of {T}, ε = {flip:g} ({n:,})",
                              scenario.loads(text), n))  # fmt: skip
    return cases


def adaptive_cases(full: bool = True) -> list[Case]:
    """Adaptive links (issue 13): the martingale bits check, the coder's bound and the regret bound."""
    cases = []
    codes = {
        "KT": "{type: adaptive, prior: kt}",
        "Laplace": "{type: adaptive, prior: laplace}",
        "Huffman m = 1": "{type: adaptive, coder: huffman, rebuild: 1}",
        "Huffman m = 64": "{type: adaptive, coder: huffman, rebuild: 64}",
    }
    for urn, counts in ADAPTIVE_URNS.items():
        for label, code in codes.items():
            sizes = (100, 1_000, 10_000, 100_000) if full and label == "KT" else (1_000, 10_000)
            for n in sizes:
                text = f"urns: {{u: {counts}}}\ncodes: {{c: {code}}}\nlinks: [{{urn: u, code: c}}]\n"
                cases.append(Case(f"adaptive {label} on {urn} ({n:,})", scenario.loads(text), n))
    return cases


def power_cases(messages: int = 100_000) -> list[Case]:
    """Cases where the truth is broken on purpose: every FAIL is a detection."""
    cases = []
    for name in ("india_to_australia", "australia_to_india"):
        sc = scenario.load(name)
        cases.append(Case(f"{name}: L off by 1 %", sc, messages, "length"))
    rare = Urn("rare", {"common": 998, "rare1": 1, "rare2": 1})
    cases.append(
        Case(
            "urn {998, 1, 1}: L off by 1 %",
            _sc(_link("rare", rare, "huffman", Line("l", 50.0))),
            messages,
            "length",
        )
    )
    for rho, code_type in ((0.5, "huffman"), (0.9, "huffman"), (0.9, "fixed"), (0.95, "huffman")):
        link = queue_link(rho, code_type)
        cases.append(Case(f"ρ = {rho:g} {code_type}: L off by 1 %", _sc(link), messages, "length"))
        slow = dataclasses.replace(link, line=dataclasses.replace(link.line, baud=link.line.baud / 1.05))
        cases.append(
            Case(f"ρ = {rho:g} {code_type}: service time off by 5 %", _sc(slow), messages, "service", (link,))
        )
    for rho in (0.5, 0.825):  # the exact line held against the old mean-rate timing
        link = parity_link(rho)
        cases.append(
            Case(f"parity per telegram ρ = {rho:g}: mean-rate timing", _sc(link), messages, "mean_rate")
        )
    for name in ("busy_telegraph_office", "shared_office"):
        sc = scenario.load(name)
        cases.append(
            Case(
                f"{name}: service time off by 5 %",
                dataclasses.replace(sc, links=slowed(sc.links)),
                messages,
                "service",
                sc.links,
            )
        )
    for label, code in (("KT", "{type: adaptive, prior: kt}"), ("Huffman m = 64", ADAPTIVE_HUFFMAN_64)):
        nominal = scenario.loads(
            f"urns: {{u: {ADAPTIVE_URNS['australia']}}}\ncodes: {{c: {code}}}\n" + ONE_LINK
        )
        drawn = scenario.loads(f"urns: {{u: {SHIFTED_AUSTRALIA}}}\ncodes: {{c: {code}}}\n" + ONE_LINK)
        cases.append(
            Case(f"adaptive {label}: box off by 1 ball in 100", drawn, messages, "box", nominal.links)
        )
    for kind, priority in (("FIFO", False), ("priority", True)):
        for rho in (0.5, 0.9):
            links = shared_links(rho, priority)
            cases.append(
                Case(
                    f"shared {kind} ρ = {rho:g}: service time off by 5 %",
                    _sc(*slowed(links)),
                    messages,
                    "service",
                    links,
                )
            )
    return cases


# -- the road to the entropy (issue 11): Fano, SFE, block, Tunstall and arithmetic links --------
#: The codes of issue 11, each on the urn it is built for; arithmetic also across urns (Australia's
#: box with India's model, where its bits per ball are held against H(q, p̂), not H(q)).
ROAD_URNS = {
    "india": dict(INDIA.counts),
    "australia": {"blue": 13, "red": 25, "green": 50, "yellow": 12},
    "rare": {"common": 998, "rare1": 1, "rare2": 1},
}
ROAD_CODES: dict[str, tuple[str, dict]] = {
    "fano": ("india", {"type": "fano", "for": "india"}),
    "sfe": ("india", {"type": "sfe", "for": "india"}),
    "block k = 2": ("india", {"type": "block", "for": "india", "order": 2}),
    "block k = 3": ("india", {"type": "block", "for": "india", "order": 3}),
    "block k = 4": ("india", {"type": "block", "for": "india", "order": 4}),
    "tunstall m = 5": ("india", {"type": "tunstall", "for": "india", "bits": 5}),
    "arithmetic": ("india", {"type": "arithmetic", "for": "india"}),
    "arithmetic, Australia with India's model": ("australia", {"type": "arithmetic", "for": "india"}),
    "arithmetic, urn {998, 1, 1}": ("rare", {"type": "arithmetic", "for": "rare"}),
    "block k = 2, urn {998, 1, 1}": ("rare", {"type": "block", "for": "rare", "order": 2}),
    "tunstall m = 5, urn {998, 1, 1}": ("rare", {"type": "tunstall", "for": "rare", "bits": 5}),
}
#: Message counts of the road cases; 10^6 only for the full table (and odd counts leave a block
#: code a partial last block: 1,001 and 10,001 are not multiples of 2, 3 or 4).
ROAD_MESSAGES = (100, 1_001, 10_001, 100_000, 1_000_000)


def road_scenario(label: str) -> Scenario:
    """One link: the code ``ROAD_CODES[label]`` on its urn, back-to-back on a 50-baud line."""
    urn, code = ROAD_CODES[label]
    model = code.get("for")
    urns = {name: ROAD_URNS[name] for name in dict.fromkeys((urn, model))}
    return scenario.load(
        {
            "name": "calibration",
            "urns": urns,
            "codes": {"code": code},
            "lines": {"cable": {"baud": 50}},
            "links": [{"name": code["type"], "urn": urn, "code": "code", "line": "cable"}],
        }
    )


def road_cases(full: bool = True, messages: Iterable[int] | None = None) -> list[Case]:
    """Each code of issue 11 with theory right: every FAIL is a false alarm."""
    counts = tuple(messages) if messages is not None else ROAD_MESSAGES[: None if full else -1]
    return [Case(f"{label} ({n:,})", road_scenario(label), n) for label in ROAD_CODES for n in counts]


def road_power_cases(messages: int = 100_000) -> list[Case]:
    """Each code of issue 11 held against an expected length 1 % off: every FAIL is a detection."""
    labels = [label for label in ROAD_CODES if "998" not in label]
    return [Case(f"{label}: L off by 1 %", road_scenario(label), messages, "length") for label in labels]


def sequence_slack(case: Case, seeds: Iterable[int]) -> list[float]:
    """Per seed, how many bits the arithmetic link sent below its own total-bits bound.

    The bound Σ (−log2 p̂(x_i) + ε(x_i)) + 1 is exact (it never FAILs a correct
    coder); the slack shows how close it is: a coder that wasted more than
    this many bits in a run would be caught.
    """
    from sim.model.kinds import CODE_KINDS

    out = []
    for seed in seeds:
        for res, link in zip(engine.run(case.scenario, messages=case.messages, seed=seed).links,
                             case.scenario.links):  # fmt: skip
            stream = CODE_KINDS[link.code_type].stream
            if stream is not None and stream.sequence_bound is not None:
                out.append(stream.sequence_bound(link.stream, res.colour_counts) - res.bits)
    return out


def believed_theory(case: Case) -> Callable[[Link], Theory]:
    """What the checks of ``case`` are held against: the truth, or a deliberately wrong theory."""
    if case.broken == "length":
        return lambda link: dataclasses.replace(
            link_theory(link), expected_length=1.01 * link_theory(link).expected_length
        )
    if case.broken == "service":
        nominal = {lk.name: lk for lk in case.nominal}
        return lambda link: link_theory(nominal[link.name])
    if case.broken == "mean_rate":
        return mean_rate_theory
    return link_theory


@contextlib.contextmanager
def believed_wires(case: Case) -> Iterator[None]:
    """While running a broken ``service`` case, the engine's shared-line theory is the nominal wire's.

    ``sim.engine.simulation.run`` derives a shared wire's load, wait and relaxation time
    from the links it simulates; a case whose lines are deliberately slower
    must be held against the wire theory believes in instead.
    """
    if case.broken != "service" or not any(lk.line.shared for lk in case.nominal):
        yield
        return
    nominal = case.nominal
    original = engine.shared_theories

    def nominal_wires(_links: Iterable[Link], base: Callable[[Link], Theory] = link_theory) -> dict:
        return shared_theories(nominal, base=base)

    engine.shared_theories = nominal_wires  # type: ignore[assignment]
    try:
        yield
    finally:
        engine.shared_theories = original  # type: ignore[assignment]


@contextlib.contextmanager
def believed_box(case: Case) -> Iterator[None]:
    """For a "box" case: each adaptive link's tally expects the nominal link's box, not the drawn one."""
    if case.broken != "box":
        yield
        return
    original = engine._learning_tally
    nominal = {lk.name: lk for lk in case.nominal}

    def tally(link: Link, encoder: object, messages: int) -> object:
        made = original(link, encoder, messages)  # type: ignore[arg-type]
        if made is not None:
            believed = nominal[link.name].urn.distribution
            made.q[:] = [believed[s] if s in believed.symbols else 0.0 for s in link.stream.symbols]
            if made.every == 0:
                from sim.engine.learning import _q_logs

                _q_logs(made.cum, made.q, made.sums)
        return made

    engine._learning_tally = tally  # type: ignore[assignment]
    try:
        yield
    finally:
        engine._learning_tally = original  # type: ignore[assignment]


def run_case(case: Case, seeds: Iterable[int]) -> dict[str, Tally]:
    """Verdict tallies per check name over ``seeds``.

    A broken case runs the engine with the wrong theory, so the checks, and the
    wait's warm-up and batches, follow what is believed, as they would if the
    engine itself were wrong.
    """
    tallies: dict[str, Tally] = {}
    believe = believed_theory(case)
    with believed_wires(case), believed_box(case):
        for seed in seeds:
            result = engine.run(case.scenario, messages=case.messages, seed=seed, theory=believe)
            for res in result.links:
                for c in res.checks:
                    tallies.setdefault(c.name, Tally()).add(c.verdict, c.false_alarm)
    return tallies


def binomial_tail(k: int, n: int, p: float) -> float:
    """P(X ≥ k) for X ~ Binomial(n, p)."""
    if k <= 0:
        return 1.0
    if p <= 0:
        return 0.0
    total = 0.0
    for j in range(k, n + 1):
        total += math.exp(
            math.lgamma(n + 1)
            - math.lgamma(j + 1)
            - math.lgamma(n - j + 1)
            + j * math.log(p)
            + (n - j) * math.log1p(-p)
        )
    return min(1.0, total)


@dataclass(frozen=True)
class Row:
    case: str
    check: str
    runs: int
    fail: int
    inconclusive: int
    stated: float | None

    @property
    def fail_rate(self) -> float:
        return self.fail / self.runs if self.runs else math.nan

    @property
    def p_value(self) -> float:
        """One-sided: P(≥ this many FAILs) if the check FAILed at exactly its stated rate."""
        return binomial_tail(self.fail, self.runs, self.stated or 0.0)


def calibrate(
    cases: list[Case], seeds: Iterable[int], progress: Callable[[str], None] | None = None
) -> list[Row]:
    rows = []
    seeds = list(seeds)
    for case in cases:
        start = time.perf_counter()
        tallies = run_case(case, seeds)
        for name, t in tallies.items():
            if case.broken and name not in POWER_CHECKS[case.broken]:
                continue
            stated = max(t.stated) if t.stated else None
            rows.append(Row(case.label, name, t.runs, t.fail, t.inconclusive, stated))
        if progress:
            progress(f"{case.label}: {time.perf_counter() - start:.1f} s")
    return rows


def _pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def format_rows(rows: list[Row], power: bool, markdown: bool) -> str:
    if power:
        head = ("case", "check", "runs", "FAIL (power)", "inconclusive")
        body = [
            (r.case, r.check, str(r.runs), _pct(r.fail_rate), _pct(r.inconclusive / r.runs)) for r in rows
        ]
    else:
        head = ("case", "check", "runs", "false FAIL", "stated", "p", "inconclusive")
        body = [
            (
                r.case,
                r.check,
                str(r.runs),
                _pct(r.fail_rate),
                "exact" if r.stated == 0 else (f"≤ {100 * r.stated:g} %" if r.stated else "–"),
                f"{r.p_value:.2g}",
                _pct(r.inconclusive / r.runs),
            )
            for r in rows
        ]
    table = [head, *body]
    if markdown:
        lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in body]
        return "\n".join(lines)
    widths = [max(len(r[i]) for r in table) for i in range(len(head))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths)) for row in table)


def print_sequence_slack(cases: list[Case], seeds: Iterable[int]) -> None:
    """The arithmetic links' slack under their exact total-bits bound: smallest, median, largest, in bits."""
    seeds = list(seeds)
    lines = []
    for case in cases:
        if case.scenario.links[0].code_type == "arithmetic":
            slack = sorted(sequence_slack(case, seeds))
            lines.append(
                f"  {case.label}: smallest {slack[0]:.2f}, median {slack[len(slack) // 2]:.2f}, "
                f"largest {slack[-1]:.2f}"
            )
    if lines:
        print("\narithmetic_sequence_bound: bits below the bound per run (exact: never below 0)")
        print("\n".join(lines))


def road_table(truth: list[Row], power: list[Row], markdown: bool, power_messages: int = 100_000) -> str:
    """One row per road code: false FAILs of ``bits_per_message`` at each message count, and the power."""
    counts = sorted({int(r.case.rsplit("(", 1)[1].rstrip(")").replace(",", "")) for r in truth})
    by = {(r.case, r.check): r for r in truth}
    powers = {r.case.split(":")[0]: r for r in power}
    head = (
        "code (bits_per_message, stated ≤ 0.1 %)",
        *(f"{n:,}" for n in counts),
        "power: L off by 1 % at 10^5",
    )
    body = []
    for label in ROAD_CODES:
        cells = []
        for n in counts:
            r = by.get((f"{label} ({n:,})", "bits_per_message"))
            cells.append("–" if r is None else f"{r.fail}/{r.runs} (p {r.p_value:.2g})")
        pw = powers.get(label)
        body.append((label, *cells, "–" if pw is None else _pct(pw.fail_rate)))
    exact = [r for r in truth if not r.stated]
    names = ", ".join(sorted({r.check for r in exact}))
    note = (
        f"exact checks ({names}): {sum(r.runs for r in exact):,} verdicts, {sum(r.fail for r in exact)} FAIL"
    )
    rows = [head, *body]
    if markdown:
        lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in body]
        return "\n".join(lines) + "\n\n" + note
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths)) for row in rows) + "\n\n" + note


def road_main(seeds: range, power_messages: int, markdown: bool, log: Callable[[str], None]) -> int:
    """``--road``: only the codes of issue 11, as one compact table (the README's)."""
    t0 = time.perf_counter()
    truth = calibrate(road_cases(), seeds, log)
    power = calibrate(road_power_cases(power_messages), seeds, log)
    took = time.perf_counter() - t0
    print(f"# Calibration of the road to the entropy: {len(seeds)} seeds per case ({took:.0f} s)\n")
    print(road_table(truth, power, markdown, power_messages))
    print_sequence_slack(road_cases(), seeds)
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=200, help="seeds per case (default 200)")
    ap.add_argument("--power-messages", type=int, default=100_000)
    ap.add_argument("--markdown", action="store_true", help="print Markdown tables")
    ap.add_argument("--only", default="", help="run only the cases whose label contains this text")
    ap.add_argument("--road", action="store_true", help="only the codes of issue 11, as one compact table")
    args = ap.parse_args(argv)
    seeds = range(1, args.seeds + 1)
    log = lambda s: print(s, file=sys.stderr, flush=True)  # noqa: E731
    if args.road:
        return road_main(seeds, args.power_messages, args.markdown, log)
    t0 = time.perf_counter()
    chosen = lambda cases: [c for c in cases if args.only in c.label]  # noqa: E731
    truth = calibrate(chosen(truth_cases()), seeds, log)
    truth += calibrate(chosen(road_cases()), seeds, log)  # the road to the entropy (issue 11)
    power = calibrate(chosen(power_cases(args.power_messages)), seeds, log)
    power += calibrate(chosen(road_power_cases(args.power_messages)), seeds, log)
    print(f"# Calibration: {args.seeds} seeds per case ({time.perf_counter() - t0:.0f} s)\n")
    print("## False-FAIL rates (theory right)\n")
    statistical = [r for r in truth if r.stated]
    exact = [r for r in truth if not r.stated]
    print(format_rows(statistical, power=False, markdown=args.markdown))
    names = ", ".join(sorted({r.check for r in exact}))
    print(
        f"\nexact checks ({names}): {sum(r.runs for r in exact):,} verdicts, "
        f"{sum(r.fail for r in exact)} FAIL"
    )
    print_sequence_slack(chosen(road_cases()), seeds)
    worst = max((r.fail_rate for r in truth if r.runs), default=0.0)
    low_p = min((r.p_value for r in truth if r.runs), default=1.0)
    print(f"\nworst false-FAIL rate {_pct(worst)} (target ≤ 1 %); smallest p-value {low_p:.2g}\n")
    print("## Power (truth broken on purpose)\n")
    target = power
    print(format_rows(target, power=True, markdown=args.markdown))
    weakest = min((r.fail_rate for r in target), default=math.nan)
    print(f"\nweakest power {_pct(weakest)} (target ≥ 90 %)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
