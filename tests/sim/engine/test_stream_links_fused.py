"""The stream links' fused passes give, field by field, what the passes they replaced gave.

Each new path (the block link's one-pass chunk, colours counted and mapped in
one pass, the Tunstall lanes marking each message's own bits, the tally summed
between checkpoints, the compiled sequence check, the Tunstall theory down the
tree) is held against the old computation, written out here as it was: odd
chunk sizes, chunk 1, the identity map and a permuted one with a colour the
code lacks.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from coding import Distribution, arithmetic, block, tunstall
from sim.engine import stream_kernels as sk
from sim.engine.bitcodec import to_bits
from sim.engine.codec import (
    SequenceDecoder,
    StreamLinkEncoder,
    arithmetic_codec,
    block_codec,
    join_bits,
    tunstall_codec,
)
from sim.model import kinds

SOURCE = Distribution.from_counts({"blue": 25, "red": 50, "green": 13, "yellow": 12})
#: Colours numbered as the code's symbols, and a permuted palette with a colour the code lacks.
PALETTES = {
    "identity": ("blue", "red", "green", "yellow"),
    "permuted": ("yellow", "white", "green", "blue", "red"),
}


def codec_of(kind: str):
    if kind.startswith("block"):
        return block_codec(block(SOURCE, order=int(kind[-1])))
    if kind.startswith("tunstall"):
        return tunstall_codec(tunstall(SOURCE, bits=int(kind.split("=")[1])))
    return arithmetic_codec(arithmetic(SOURCE))


def draws(palette: tuple[str, ...], n: int, seed: int) -> np.ndarray:
    """Colour indices of the palette, drawn by the source's probabilities (absent colours never)."""
    p = np.array([SOURCE[c] if c in SOURCE else 0.0 for c in palette])
    return np.random.default_rng(seed).choice(len(palette), size=n, p=p / p.sum()).astype(np.int64)


def cut(seq: np.ndarray, size: int) -> Iterator[np.ndarray]:
    for i in range(0, seq.size, size):
        yield seq[i : i + size]


def to_code_of(codec, palette) -> np.ndarray:
    index = {s: i for i, s in enumerate(codec.symbols)}
    return np.array([index.get(c, -1) for c in palette], dtype=np.int64)


def old_link(codec, to_code, points, chunks):
    """The stream link's chunk as it was: bincount, the map, the coder's marks, cumulative sums."""
    coder = codec.encoder()
    counts = np.zeros(to_code.size, dtype=np.int64)
    bits, per = [], []
    for i, sym in enumerate(chunks):
        counts += np.bincount(sym, minlength=to_code.size)
        words, nbits, marks = coder.encode_marked(to_code[sym])
        tail_bits = 0
        if i == len(chunks) - 1:
            tail = coder.finish()
            words, nbits = join_bits((words, nbits), tail)
            tail_bits = tail[1]
        p = np.diff(np.asarray(marks, dtype=np.int64), prepend=0)
        if p.size:
            p[-1] += tail_bits
        bits.append(to_bits(words, nbits))
        per.append(p)
    per_message = np.concatenate(per)
    running, squares = np.cumsum(per_message), np.cumsum(per_message**2)
    return dict(
        bits=np.concatenate(bits), per_message=per_message, total=int(running[-1]),
        square_bits=int(squares[-1]), messages=per_message.size, point_sums=running[points - 1],
        point_squares=squares[points - 1], colour_counts=counts, largest=int(per_message.max()),
    )  # fmt: skip


def new_link(codec, to_code, points, chunks, observe=None):
    enc = StreamLinkEncoder(codec, to_code, points)
    if observe is not None:
        enc.observers.append(observe)
    bits, per = [], []
    for i, sym in enumerate(chunks):
        out = enc.chunk(sym, i == len(chunks) - 1)
        bits.append(to_bits(out.words, out.nbits))
        per.append(out.unit_bits[out.units])
    return dict(
        bits=np.concatenate(bits), per_message=np.concatenate(per), total=enc.bits,
        square_bits=enc.square_bits, messages=enc.messages, point_sums=enc.point_sums,
        point_squares=enc.point_squares, colour_counts=enc.colour_counts, largest=enc.max_message_bits,
    )  # fmt: skip


def assert_same(new: dict, old: dict) -> None:
    assert new.keys() == old.keys()
    for field, value in old.items():
        assert np.array_equal(np.asarray(new[field]), np.asarray(value)), field


KINDS = ["block k=2", "block k=3", "block k=4", "tunstall m=5", "tunstall m=8", "arithmetic"]


@pytest.mark.parametrize("palette", sorted(PALETTES))
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("size", [1, 7, 997, 6000, 20_001])
def test_a_stream_link_chunk_matches_the_passes_it_replaced(kind, palette, size):
    n = 300 if size == 1 else 20_001  # 20 001: the last block partial, chunks long enough for lanes
    codec = codec_of(kind)
    colours = PALETTES[palette]
    to_code = to_code_of(codec, colours)
    seq = draws(colours, n, seed=size)
    points = np.unique(np.array([1, 2, 3, 5, 64, 65, 299, 300, 4096, 9999, n], dtype=np.int64))
    points = points[points <= n]
    chunks = list(cut(seq, size))
    assert_same(new_link(codec, to_code, points, chunks), old_link(codec, to_code, points, chunks))


@pytest.mark.parametrize("kind", ["block k=3", "tunstall m=5"])
def test_an_observer_sees_the_code_symbols_and_changes_nothing(kind):
    codec = codec_of(kind)
    colours = PALETTES["permuted"]
    to_code = to_code_of(codec, colours)
    seq = draws(colours, 9_001, seed=5)
    points = np.array([10, 9_001], dtype=np.int64)
    chunks = list(cut(seq, 4_099))
    seen: list[np.ndarray] = []
    watched = new_link(codec, to_code, points, chunks, observe=seen.append)
    assert np.array_equal(np.concatenate(seen), to_code[seq])
    assert_same(watched, new_link(codec, to_code, points, chunks))
    assert_same(watched, old_link(codec, to_code, points, chunks))


def test_an_empty_last_chunk_sends_the_padded_block_unbilled_as_before():
    codec = codec_of("block k=3")
    to_code = to_code_of(codec, PALETTES["identity"])
    seq = draws(PALETTES["identity"], 100, seed=1)  # 100 = 33 blocks and one ball
    chunks = [seq, seq[:0]]
    points = np.array([100], dtype=np.int64)
    new, old = new_link(codec, to_code, points, chunks), old_link(codec, to_code, points, chunks)
    assert_same(new, old)
    assert new["bits"].size > new["total"]  # the flush travels, no message carries it


@pytest.mark.parametrize("order", [2, 3, 4])
def test_block_folding_with_the_map_is_folding_the_mapped_balls(order):
    code = block(SOURCE, order=order)
    to_code = np.array([3, 0, 2, 1], dtype=np.int64)
    seq = draws(PALETTES["identity"], 1_001, seed=order)
    fused, plain = sk.BlockEncoder(code), sk.BlockEncoder(code)
    for piece in cut(seq, 13):
        assert np.array_equal(fused.push(piece, to_code), plain.push(to_code[piece], np.zeros(0, np.int64)))
    assert np.array_equal(fused.finish(), plain.finish())


def test_count_colours_is_bincount_and_the_lookup():
    seq = draws(PALETTES["permuted"], 10_003, seed=3)
    to_code = np.array([3, -1, 2, 0, 1], dtype=np.int64)
    counts, out = np.zeros(5, dtype=np.int64), np.empty(seq.size, dtype=np.int64)
    sk.count_colours(seq, to_code, counts, out)
    assert np.array_equal(counts, np.bincount(seq, minlength=5)) and np.array_equal(out, to_code[seq])
    only = np.zeros(5, dtype=np.int64)
    sk.count_colours(seq[:10_001], to_code, only, np.zeros(0, dtype=np.int64))  # not a multiple of 4
    assert np.array_equal(only, np.bincount(seq[:10_001], minlength=5))


@pytest.mark.parametrize("m", [5, 8, 12])
@pytest.mark.parametrize("size", [5, 4_099, 40_000])
def test_tunstall_own_bits_are_the_differences_of_the_marks(m, size):
    code = tunstall(SOURCE, bits=m)
    seq = draws(PALETTES["identity"], 80_000, seed=m)
    marked, own = sk.TunstallEncoder(code), sk.TunstallEncoder(code)
    for piece in cut(seq, size):
        w1, n1, marks = marked.encode_marked(piece)
        w2, n2, bits, is_own = own.encode_own(piece)
        assert is_own and n1 == n2 and np.array_equal(to_bits(w1, n1), to_bits(w2, n2))
        assert np.array_equal(bits, np.diff(marks, prepend=0))
        assert np.array_equal(marked.state, own.state)


class _Scripted:
    """A stream decoder that gives back scripted outputs (some wrong, some past the sent ones)."""

    def __init__(self, outs: list[np.ndarray]) -> None:
        self._outs = iter(outs)

    def feed(self, words: np.ndarray, nbits: int) -> np.ndarray:
        return next(self._outs)

    def finish(self) -> np.ndarray:
        return next(self._outs)


def old_sequence(outs, sents, to_code):
    """The sequence check as it was: concatenate what waits, compare with count_nonzero."""
    pending: list[np.ndarray] = []
    mismatches = decoded = waiting = 0
    outs = list(outs)
    for i, sent in enumerate(sents):
        pending.append(to_code[sent])
        waiting += sent.size
        out = outs.pop(0)
        if i == len(sents) - 1:
            out = np.concatenate((out, outs.pop(0)))
        if out.size:
            expected = np.concatenate(pending)
            take = min(out.size, expected.size)
            mismatches += int(np.count_nonzero(out[:take] != expected[:take])) + (out.size - take)
            rest = expected[take:]
            pending = [rest] if rest.size else []
            waiting = int(rest.size)
            decoded += take
    return mismatches, decoded, waiting


@pytest.mark.parametrize("palette", sorted(PALETTES))
@pytest.mark.parametrize("extra", [0, -4, 3])
def test_the_compiled_sequence_check_counts_as_before(palette, extra):
    colours = PALETTES[palette]
    to_code = to_code_of(codec_of("arithmetic"), colours)
    rng = np.random.default_rng(11)
    sents = [draws(colours, n, seed=n) for n in (5, 0, 1, 300, 17, 64)]
    truth = np.concatenate([to_code[s] for s in sents])
    wrong = truth.copy()
    wrong[rng.choice(truth.size, 40, replace=False)] = rng.integers(0, 4, 40)  # some stay right
    if extra < 0:
        wrong = wrong[:extra]  # some never decoded
    elif extra > 0:
        wrong = np.concatenate((wrong, wrong[:extra]))  # decoded past what was sent
    wrong = wrong.astype(np.uint8)
    # Outputs lag the sent chunks: none, then pieces that straddle them, the rest at the finish.
    edges = [0, 0, 3, 3, 200, 371]
    outs = [wrong[a:b] for a, b in zip(edges, edges[1:] + [wrong.size])][:-1] + [wrong[371:], wrong[:0]]
    dec = SequenceDecoder(_Scripted(list(outs)), to_code)
    for i, sent in enumerate(sents):
        dec.feed(np.zeros(1, np.uint64), 0, sent, last=i == len(sents) - 1)
    assert (dec.mismatches, dec.decoded, dec.awaiting) == old_sequence(outs, sents, to_code)
    assert dec.mismatches > 0


def test_the_tally_between_checkpoints_is_the_cumulative_sums():
    rng = np.random.default_rng(2)
    marks = np.cumsum(rng.integers(0, 9, 5_000)).astype(np.int64)
    points = np.array([1, 1, 2, 77, 78, 4_999, 5_000, 6_000], dtype=np.int64)
    tally = np.array([10, 30, 0], dtype=np.int64)  # messages 0 so far: every checkpoint ahead
    sums, squares = np.zeros(points.size, np.int64), np.zeros(points.size, np.int64)
    per = np.empty(marks.size, dtype=np.int64)
    sk.tally_marks(marks, 5, tally, points, sums, squares, per)
    want = np.diff(marks, prepend=0)
    want[-1] += 5
    assert np.array_equal(per, want)
    assert tally.tolist() == [10 + int(want.sum()), 30 + int((want**2).sum()), 5_000]
    reached = points <= 5_000
    assert np.array_equal(sums[reached], 10 + np.cumsum(want)[points[reached] - 1])
    assert np.array_equal(squares[reached], 30 + np.cumsum(want**2)[points[reached] - 1])
    assert not sums[~reached].any()


TUNSTALL_SOURCES = [
    SOURCE,
    Distribution({"a": 0.97, "b": 0.01, "c": 0.01, "d": 0.01}),
    Distribution({"x": 0.5, "y": 0.3, "z": 0.2}),
]


@pytest.mark.parametrize("source", TUNSTALL_SOURCES, ids=["india", "skewed", "three"])
@pytest.mark.parametrize("m", [3, 8, 12])
def test_tunstall_theory_down_the_tree_is_the_products_it_replaced(source, m):
    code = tunstall(source, bits=m)
    q = Distribution.from_counts({s: i + 1 for i, s in enumerate(source.symbols)})
    for dist in (source, q):
        nodes, words = code.probabilities(dist)
        old_nodes = [float(np.prod([dist[s] for s in v])) if v else 1.0 for v in code.internal]
        old_words = [float(np.prod([dist[s] for s in w])) for w in code.words]
        assert list(nodes) == old_nodes and list(words) == old_words  # the same floats, not close ones
        assert code.expected_parse_length(dist) == sum(old_nodes)
        mean = sum(p * len(w) for w, p in zip(code.words, old_words))
        var = sum(p * len(w) ** 2 for w, p in zip(code.words, old_words)) - mean**2
        assert kinds._tunstall_per_ball(code, dist) == (m / mean, m * m * max(var, 0.0) / mean**3)


@pytest.mark.parametrize("source", TUNSTALL_SOURCES, ids=["india", "skewed", "three"])
def test_tunstall_packed_words_match_the_word_by_word_packing(source):
    code = tunstall(source, bits=12)
    _, starts, flat = sk._tunstall_tables(code)
    n = len(source)
    packed, b = sk._tunstall_packed(starts, flat, n)
    fits = min(58 // b, 63)
    for j in range(starts.size - 1):
        a, z = int(starts[j]), int(starts[j + 1])
        x = 0
        for t, s in enumerate(flat[a:z].tolist()):
            x |= s << (b * t)
        assert int(packed[j]) == (((x << 6) | (z - a)) if z - a <= fits else 0)
