"""Run a scenario: one SimPy environment; per link a transmitter -> line -> receiver chain of processes.

Links on a shared line feed one line process (one wire, one queue). Links that
share nothing may run in environments of their own, in worker processes
(:mod:`sim.engine.parallel`), with the same results.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence

import numpy as np
import simpy

from coding import AdaptiveHuffman, AdaptiveModel
from sim.engine import parallel, stations
from sim.engine.codec import LinkEncoder, StreamLinkEncoder, link_codec, link_coders
from sim.engine.learning import LearningTally
from sim.engine.line import Carriage, LineTally, SharedLine, TelegraphLine
from sim.engine.noisy import NoisyReceiver
from sim.engine.parallel import Jobs, Workers
from sim.engine.stations import ArrivalClock, Channel, Hook, Receiver, Route, Transmitter
from sim.engine.urn import UrnSampler
from sim.model import limits
from sim.model.kinds import CODE_KINDS, over
from sim.model.records import Line, Link, Scenario
from sim.model.results import Learning, LineStats, LinkResult, RunResult, Theory, Trace
from sim.model.stats import min_batch_telegrams
from sim.model.theory import Measured, checks, finite_population_factor, link_theory, shared_theories

#: Messages per batch (the unit the stations hand on). Results do not depend on it.
DEFAULT_CHUNK = 65536
#: Messages the transmitter may hand over ahead of the line (in whole batches, at least one).
AHEAD = 256
#: Checkpoints per decade of the convergence trace.
TRACE_PER_DECADE = 20


def checkpoints(n: int, per_decade: int = TRACE_PER_DECADE) -> np.ndarray:
    """Log-spaced message counts 1 … n (always including n)."""
    if n < 1:
        return np.zeros(0, dtype=np.int64)
    points = np.unique(np.round(np.logspace(0, math.log10(n), max(2, int(per_decade * math.log10(n)) + 1))))
    return np.unique(np.append(points.astype(np.int64), n))


def _trace(enc: LinkEncoder, box: int) -> Trace:
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
    """The stations' work and the statistics of one link."""

    def __init__(
        self,
        link: Link,
        messages: int,
        seed: np.random.SeedSequence,
        chunk: int,
        progress: Callable[[int], None] | None,
        env: simpy.Environment,
    ) -> None:
        draw_seed, arrival_seed, noise_seed = seed.spawn(3)
        self.link = link
        self.urn = UrnSampler(link.urn, np.random.default_rng(draw_seed), link.replacement)
        codec = link_codec(link)
        self.encoder, decoder = link_coders(
            link.code, codec, tuple(link.urn.counts), messages, checkpoints(messages)
        )
        self.learning = _learning_tally(link, self.encoder, messages)
        L = link.per_ball()[0]
        sendable = messages if link.replacement else min(messages, link.urn.total)
        self.carriage = Carriage(
            mean_service=(link.telegram * L + link.frame_bits) / link.wire_baud,
            telegrams=-(-sendable // link.telegram),
            telegram=link.telegram,
            back_to_back=link.arrivals.message_rate is None,
            priority=link.priority,
            extra=link.frame_bits,
        )
        batch = -(-chunk // link.telegram) * link.telegram  # whole telegrams per batch
        clock = ArrivalClock(link.arrivals, np.random.default_rng(arrival_seed))
        self.transmitter = Transmitter(self.urn, clock, self.encoder, messages, batch, progress)
        self.receiver: Receiver | NoisyReceiver
        if link.line.noise is None:
            self.receiver = Receiver(env, decoder, codec.telegram if codec is not None else 0)
        else:
            self.receiver = NoisyReceiver(env, link, codec, messages, np.random.default_rng(noise_seed))
        self.route = Route(link)
        self.tally: LineTally  # set when the line is built
        self.wire: SharedLine | None = None

    def result(self, messages: int, theory: Theory, shared_with: tuple[str, ...]) -> LinkResult:
        link, enc, line, rx = self.link, self.encoder, self.tally, self.receiver
        n = enc.messages
        mean = enc.bits / n if n else math.nan
        var = (enc.square_bits - enc.bits * mean) / (n - 1) if n > 1 else 0.0
        box = 0 if link.replacement else link.urn.total
        fpc = finite_population_factor(n, box)
        duration = rx.last_delivery
        wire = self.wire
        line_utilisation = None
        if wire is not None:
            end = max(t.last_departure for t in wire.tallies)
            line_utilisation = min(1.0, sum(t.busy_time for t in wire.tallies) / end) if end > 0 else 0.0
        # On a shared line theory describes the stretch while every link on the wire sends.
        counted = line.overlap_telegrams if wire is not None else None
        relaxation = theory.relaxation_time
        load = theory.line_load if wire is not None else theory.utilisation
        # A telegram waits with probability equal to the wire's load: batches hold enough waits.
        min_batch = min_batch_telegrams(load) if load is not None else 0.0
        waits = line.wait_batches(relaxation, counted, min_batch) if relaxation is not None else None
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
            wait_hist_counts=tuple(line.hist_counts.tolist()),
            steady_mean_wait=waits.mean if waits else math.nan,
            wait_batches=waits.batches if waits else 0,
            wait_batch_size=waits.batch_size if waits else 0,
            wait_warm_up=waits.warm_up if waits else 0,
            wait_note=waits.reason if waits else "",
            arrival_span=line.last_arrival,
            shared_with=shared_with,
            priority=link.priority if wire is not None else None,
            line_utilisation=line_utilisation,
            overlap_telegrams=counted,
            overlap_mean_wait=line.overlap_mean_wait if wire is not None else None,
        )
        pending = rx.decoder.pending if isinstance(rx, Receiver) else 0
        stream = CODE_KINDS[link.code_type].stream  # a stream code has no codeword per colour
        errors = rx.errors() if isinstance(rx, NoisyReceiver) else None
        # Noiseless: the codewords and the bits the channel code adds to every telegram.
        wire_bits = (
            rx.channel_bits if isinstance(rx, NoisyReceiver) else enc.bits + link.frame_bits * line.telegrams
        )
        result = LinkResult(
            name=link.name,
            source=link.urn.name,
            code=link.code_name,
            code_type=link.code_type,
            codewords={} if stream is not None else dict(link.code.codewords),
            source_distribution=link.urn.distribution.as_dict(),
            assumed_distribution=link.assumed_distribution.as_dict(),
            built_for=link.built_for,
            model=link.model.dump() if link.model is not None else None,
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
            errors=errors,
            wire_bits=wire_bits,
            colour_counts={c: int(k) for c, k in zip(link.urn.counts, enc.colour_counts)},
            stream_code=stream.describe(link.stream) if stream is not None and stream.describe else None,
            learning=self._learned(),
        )
        return dataclasses.replace(result, checks=checks(link, theory, Measured.of(result)))

    def _learned(self) -> Learning | None:
        """An adaptive link's running figures (see :mod:`sim.engine.learning`)."""
        if self.learning is None:
            return None
        stream = CODE_KINDS[self.link.code_type].stream
        assert stream is not None and stream.regret_bound is not None
        obj, bound = self.link.stream, stream.regret_bound
        model = obj.model if isinstance(obj, AdaptiveHuffman) else obj
        assert isinstance(model, AdaptiveModel)
        return self.learning.result(tuple(stream.symbols(obj)), model.pseudo_counts, lambda n: bound(obj, n))


def _learning_tally(link: Link, encoder: LinkEncoder, messages: int) -> LearningTally | None:
    """A tally of an adaptive link's running figures, fed every chunk the encoder codes (else None)."""
    stream = CODE_KINDS[link.code_type].stream
    if stream is None or stream.regret_bound is None or not isinstance(encoder, StreamLinkEncoder):
        return None
    assert isinstance(link.stream, (AdaptiveModel, AdaptiveHuffman))
    q = over(link.urn.counts, stream.symbols(link.stream)).probabilities
    tally = LearningTally(link.stream, q, checkpoints(messages), messages)
    encoder.observers.append(tally.add)
    return tally


def _start(env: simpy.Environment, runs: list[_LinkRun]) -> None:
    """Build each line, join every link's stations with channels, and start the processes."""
    shared: dict[Line, list[_LinkRun]] = {}
    ports: dict[Line, tuple[list[Channel], list[Channel]]] = {}
    for r in runs:
        if r.link.line.shared:
            shared.setdefault(r.link.line, []).append(r)
        else:
            # A channel code that wraps the stream: each source bit takes 1/rate bits on the wire, in
            # time and tariff. Parity per telegram instead adds its bit to every telegram (the
            # carriage's ``extra``): the line sends and charges it as it is, one bit more.
            rate = r.link.wire_baud / r.link.line.baud
            tariff = dataclasses.replace(r.link.line.tariff, per_bit=r.link.line.tariff.per_bit / rate)
            spec = dataclasses.replace(r.link.line, baud=r.link.wire_baud, tariff=tariff)
            r.tally = TelegraphLine(
                spec, r.carriage.mean_service, r.carriage.telegrams,
                r.carriage.telegram, r.carriage.back_to_back, extra=r.carriage.extra,
            )  # fmt: skip
    for spec, members in shared.items():
        wire = SharedLine(spec, [r.carriage for r in members], [None for _ in members])
        for r, tally in zip(members, wire.tallies):
            r.tally, r.wire = tally, wire
        ports[spec] = ([], [])
    for r in runs:
        names = r.route.stations
        stores = [Channel(env, capacity=1) for _ in names[1:]]
        # India may run ahead by a few hundred messages: small batches then cost fewer wake-ups.
        stores[0].capacity = max(1, AHEAD // r.transmitter.batch)
        for i, name in enumerate(names):
            inbox = stores[i - 1] if i > 0 else None
            outbox = stores[i] if i < len(stores) else None
            if name == "transmitter":
                assert outbox is not None  # the route starts with India
                env.process(stations.transmitter(env, r.transmitter, outbox))
                continue
            assert inbox is not None  # every station after India has one
            if name == "receiver":
                env.process(stations.receiver(env, r.receiver, inbox))
                continue
            assert outbox is not None  # and every station before Australia another
            if name == "line" and r.wire is not None:
                ports[r.link.line][0].append(inbox)
                ports[r.link.line][1].append(outbox)
            elif name == "line":
                assert isinstance(r.tally, TelegraphLine)  # a wire of its own
                env.process(stations.line(env, r.tally, inbox, outbox))
            else:
                env.process(r.route.processes[name](env, inbox, outbox))
    for spec, members in shared.items():
        shared_wire = members[0].wire
        assert shared_wire is not None
        env.process(stations.shared_line(env, shared_wire, *ports[spec]))


def run(
    scenario: Scenario,
    *,
    messages: int | None = None,
    seed: int | None = None,
    chunk: int = DEFAULT_CHUNK,
    progress: Callable[[int], None] | None = None,
    theory: Callable[[Link], Theory] = link_theory,
    extend: Hook | None = None,
    jobs: Jobs = 1,
    on_workers: Callable[[Workers], None] | None = None,
) -> RunResult:
    """Simulate every link of ``scenario`` for ``messages`` messages (default: the scenario's).

    One seed drives the run: it is split with ``SeedSequence.spawn`` into one
    child per link (in order), and each link's child into one stream per
    random component, so adding a link never shifts another link's draws.
    ``chunk`` (messages per batch, the unit SimPy moves) never changes the
    results. ``progress`` is called with the number of messages each batch
    adds. ``theory`` gives what each link is held against (and sizes the
    wait's warm-up and batches); ``benchmarks/calibration.py`` passes a
    deliberately wrong one to measure the checks' power. ``extend(env,
    route)``, if given, is called with each link's
    :class:`sim.engine.stations.Route` before the run starts and may insert SimPy
    processes of its own (``docs/extending.md``).

    ``jobs``: how many processes simulate. Links that share nothing (each on
    a wire of its own; every link of a shared wire together) run in separate
    worker processes, with the same numbers as in one (see
    :mod:`sim.engine.parallel`); ``"auto"`` takes one per core for long runs
    of several such parts. A run with ``extend`` is always one process (a
    hook may tie links together). ``on_workers``, if given, is called once
    with the processes the run used and the peak memory of each
    (``benchmarks/parallel.py``).
    """
    n = scenario.messages if messages is None else int(messages)
    s = scenario.seed if seed is None else int(seed)
    if n < 1:
        raise ValueError(f"'messages' must be at least 1 (got {n})")
    if not 1 <= chunk <= limits.CHUNK:
        raise ValueError(f"'chunk' must be between 1 and {limits.CHUNK:_} (got {chunk})")
    links = scenario.links
    children = np.random.SeedSequence(s).spawn(len(links))
    # Every link holds batches in flight: share the memory bound out (results never depend on it).
    each = max(1, min(chunk, limits.IN_FLIGHT // max(1, len(links))))
    theories = {link.name: theory(link) for link in links}
    theories.update(shared_theories(links, base=theory))
    parts = parallel.components(links)
    workers = parallel.choose_jobs(jobs, len(parts), n * len(links))
    if extend is not None or workers == 1:
        held = [theories[link.name] for link in links]
        results = _simulate(links, n, children, each, held, progress=progress, extend=extend)
        used = parallel.Workers(processes=1, peak_rss=(parallel.peak_rss(),))
    else:
        tasks = [
            (
                [links[i] for i in part], n, [children[i] for i in part], each,
                [theories[links[i].name] for i in part],
            )
            for part in parts
        ]  # fmt: skip
        values, used = parallel.run_in_processes(_simulate, tasks, workers, progress)
        by_index = {i: r for part, rs in zip(parts, values) for i, r in zip(part, rs)}
        results = [by_index[i] for i in range(len(links))]
    if on_workers is not None:
        on_workers(used)
    return RunResult(
        scenario=scenario.name,
        seed=s,
        messages=n,
        chunk=chunk,
        links=tuple(results),
        description=scenario.description,
    )


def _simulate(
    links: Sequence[Link],
    messages: int,
    seeds: Sequence[np.random.SeedSequence],
    chunk: int,
    theories: Sequence[Theory],
    *,
    progress: Callable[[int], None] | None,
    extend: Hook | None = None,
) -> list[LinkResult]:
    """Run ``links`` (each with its seed and theory) in one SimPy environment; their results in order.

    Only links that share nothing with the others of the scenario may be run
    apart from them (:func:`sim.engine.parallel.components`).
    """
    env = simpy.Environment()
    runs = [_LinkRun(link, messages, child, chunk, progress, env) for link, child in zip(links, seeds)]
    if extend is not None:
        for r in runs:
            extend(env, r.route)
    _start(env, runs)
    env.run()
    return [r.result(messages, held, _partners(r, runs)) for r, held in zip(runs, theories)]


def _partners(r: _LinkRun, runs: list[_LinkRun]) -> tuple[str, ...]:
    """The other links on ``r``'s wire, if it is shared."""
    if r.wire is None:
        return ()
    return tuple(o.link.name for o in runs if o.wire is r.wire and o is not r)
