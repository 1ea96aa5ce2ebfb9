"""Run a scenario: one SimPy environment, one transmitter -> line -> receiver chain per link."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

import numpy as np
import simpy

from sim import limits
from sim.bitcodec import Decoder, Encoder
from sim.line import TelegraphLine
from sim.model import Link, Scenario
from sim.results import LineStats, LinkResult, RunResult, Theory, Trace
from sim.stations import ArrivalClock, LineSender, Receiver, transmitter
from sim.theory import Measured, checks, finite_population_factor, link_theory
from sim.urn import UrnSampler

#: Messages per SimPy event. Results do not depend on it.
DEFAULT_CHUNK = 65536
#: Checkpoints per decade of the convergence trace.
TRACE_PER_DECADE = 20


def checkpoints(n: int, per_decade: int = TRACE_PER_DECADE) -> np.ndarray:
    """Log-spaced message counts 1 … n (always including n)."""
    if n < 1:
        return np.zeros(0, dtype=np.int64)
    points = np.unique(np.round(np.logspace(0, math.log10(n), max(2, int(per_decade * math.log10(n)) + 1))))
    return np.unique(np.append(points.astype(np.int64), n))


def _trace(enc: Encoder, box: int) -> Trace:
    """The running mean and its sample standard error at every checkpoint reached.

    A box that emptied early ends the trace at the last message actually sent.
    ``box`` is the number of balls of a box drawn without replacement (0 with
    replacement): the standard error then carries the finite-population factor.
    """
    if enc.messages == 0:
        return Trace((), (), ())
    keep = enc.points <= enc.messages
    n, s, sq = enc.points[keep], enc.point_sums[keep], enc.point_squares[keep]
    if n.size == 0 or n[-1] != enc.messages:
        n, s, sq = (np.append(a, b) for a, b in ((n, enc.messages), (s, enc.bits), (sq, enc.square_bits)))
    n, s, sq = n.astype(np.float64), s.astype(np.float64), sq.astype(np.float64)
    mean = s / n
    var = np.where(n > 1, (sq - s * s / n) / np.maximum(n - 1, 1), 0.0)
    se = np.sqrt(np.maximum(var, 0.0) / n)
    if box:
        se = se * np.sqrt(np.clip((box - n) / max(box - 1, 1), 0.0, 1.0))
    return Trace(tuple(int(x) for x in n), tuple(mean.tolist()), tuple(se.tolist()))


class _LinkRun:
    """The processes and objects of one link."""

    def __init__(
        self,
        env: simpy.Environment,
        link: Link,
        messages: int,
        seed: np.random.SeedSequence,
        chunk: int,
        progress: Callable[[int], None] | None,
    ) -> None:
        draw_seed, arrival_seed, _noise_seed = seed.spawn(3)
        self.link = link
        self.urn = UrnSampler(link.urn, np.random.default_rng(draw_seed), link.replacement)
        colours = tuple(link.urn.counts)
        self.encoder = Encoder(link.code, colours, checkpoints(messages))
        code_index = {s: i for i, s in enumerate(link.code.symbols)}
        to_code_index = np.array([code_index.get(c, -1) for c in colours], dtype=np.int64)
        L = link.code.expected_length(link.urn.distribution)
        sendable = messages if link.replacement else min(messages, link.urn.total)
        self.line = TelegraphLine(
            link.line,
            mean_service=link.telegram * L / link.line.baud,
            telegrams=-(-sendable // link.telegram),
            telegram=link.telegram,
            back_to_back=link.arrivals.kind == "back_to_back",
        )
        self.receiver = Receiver(env, Decoder(link.code, to_code_index))
        chunk = -(-chunk // link.telegram) * link.telegram  # whole telegrams per chunk
        sender = LineSender(env, self.line, self.encoder.lengths, self.receiver.deliver)
        clock = ArrivalClock(link.arrivals, np.random.default_rng(arrival_seed))
        env.process(transmitter(env, self.urn, clock, self.encoder, sender, messages, chunk, progress))

    def result(self, messages: int, believe: Callable[[Link], Theory] = link_theory) -> LinkResult:
        link, enc, line, rx = self.link, self.encoder, self.line, self.receiver
        n = enc.messages
        theory = believe(link)
        mean = enc.bits / n if n else math.nan
        var = (enc.square_bits - enc.bits * mean) / (n - 1) if n > 1 else 0.0
        box = 0 if link.replacement else link.urn.total
        fpc = finite_population_factor(n, box)
        duration = rx.last_delivery
        relaxation = theory.relaxation_time
        waits = line.wait_batches(relaxation) if relaxation is not None else None
        stats = LineStats(
            telegrams=line.telegrams,
            duration=duration,
            busy_time=line.busy_time,
            utilisation=line.utilisation(),
            mean_wait=line.mean_wait,
            p95_wait=line.wait_quantile(0.95),
            max_wait=line.max_wait,
            wait_std_error=waits.std_error if waits else math.nan,
            mean_delay=line.delay_sum / max(n, 1),
            messages_per_second=n / duration if duration > 0 else math.inf,
            cost=line.cost(),
            wait_hist_edges=tuple(line.hist_edges.tolist()),
            wait_hist_counts=tuple(int(c) for c in line.hist_counts),
            steady_mean_wait=waits.mean if waits else math.nan,
            wait_batches=waits.batches if waits else 0,
            wait_batch_size=waits.batch_size if waits else 0,
            wait_warm_up=waits.warm_up if waits else 0,
            wait_note=waits.reason if waits else "",
            arrival_span=line.last_arrival,
        )
        pending = rx.decoder.pending
        result = LinkResult(
            name=link.name,
            source=link.urn.name,
            code=link.code_name,
            code_type=link.code_type,
            codewords=dict(link.code.codewords),
            source_distribution=link.urn.distribution.as_dict(),
            assumed_distribution=link.assumed_distribution.as_dict(),
            built_for=link.built_for,
            arrivals=link.arrivals.describe(),
            messages=n,
            bits=enc.bits,
            bits_per_message=mean,
            std_error=math.sqrt(max(var, 0.0) / n) * fpc if n else math.nan,
            lossless=rx.mismatches == 0 and pending == 0 and rx.messages == n,
            mismatches=rx.mismatches,
            urn_exhausted=n < messages,
            theory=theory,
            line=stats,
            checks=(),
            trace=_trace(enc, box),
            theory_std_error=math.sqrt(theory.length_variance / n) * fpc if n else math.nan,
            replacement=link.replacement,
            box_balls=link.urn.total,
            pending_bits=pending,
        )
        return dataclasses.replace(result, checks=checks(link, theory, Measured.of(result)))


def run(
    scenario: Scenario,
    *,
    messages: int | None = None,
    seed: int | None = None,
    chunk: int = DEFAULT_CHUNK,
    progress: Callable[[int], None] | None = None,
    theory: Callable[[Link], Theory] = link_theory,
) -> RunResult:
    """Simulate every link of ``scenario`` for ``messages`` messages (default: the scenario's).

    One seed drives the run: it is split with ``SeedSequence.spawn`` into one
    child per link (in order), and each link's child into one stream per
    random component, so adding a link never shifts another link's draws.
    ``chunk`` (messages per SimPy event) never changes the results.
    ``progress`` is called with the number of messages each chunk adds.
    ``theory`` gives what each link is held against (and sizes the wait's
    warm-up and batches); ``benchmarks/calibration.py`` passes a deliberately
    wrong one to measure the checks' power.
    """
    n = scenario.messages if messages is None else int(messages)
    s = scenario.seed if seed is None else int(seed)
    if n < 1:
        raise ValueError(f"'messages' must be at least 1 (got {n})")
    if not 1 <= chunk <= limits.CHUNK:
        raise ValueError(f"'chunk' must be between 1 and {limits.CHUNK:_} (got {chunk})")
    env = simpy.Environment()
    children = np.random.SeedSequence(s).spawn(len(scenario.links))
    # Every link holds a chunk in flight: share the memory bound out (results never depend on it).
    each = max(1, min(chunk, limits.IN_FLIGHT // max(1, len(scenario.links))))
    runs = [_LinkRun(env, link, n, child, each, progress) for link, child in zip(scenario.links, children)]
    env.run()
    return RunResult(
        scenario=scenario.name,
        seed=s,
        messages=n,
        chunk=chunk,
        links=tuple(r.result(n, theory) for r in runs),
        description=scenario.description,
    )
