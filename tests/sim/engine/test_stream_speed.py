"""The fast paths of the block and Tunstall coders against the paths they replace, field by field.

- Tunstall encoder: four stitched lanes (:func:`tunstall_encode_lanes`) against
  one word after another (:func:`tunstall_encode`): the same words, bit count,
  carried state and per-symbol marks, on random streams, on streams where the
  lanes' guessed starts never meet the true parse (periodic ones), at odd
  chunk sizes and across the lanes' pieces, and on codes with long words
  (lanes forced on, where the encoder would not choose them).
- Tunstall decoder: the spelling table against digit-by-digit spelling: the
  same symbols, state, offsets and errors on clean, noisy and cut streams.
- Block codes: the spelling table against division, also for block indices
  outside the table (noise can decode to anything).
"""

from __future__ import annotations

import copy
import functools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coding import DecodeError, Distribution, block, tunstall
from sim.engine import stream_kernels as sk
from sim.engine.bitcodec import from_bits, to_bits

INDIA = Distribution.from_counts({"blue": 25, "red": 50, "green": 13, "yellow": 12})
SKEWED = Distribution.from_counts({"a": 90, "b": 7, "c": 3})  # long words: runs of a
FIVE = Distribution.from_counts({"a": 30, "b": 25, "c": 20, "d": 15, "e": 10})


@functools.cache
def tunstall_of(p: Distribution, m: int):
    return tunstall(p, bits=m)  # building a 16-bit code takes a while: once per module


def draw(p: Distribution, n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).choice(len(p), size=n, p=p.probabilities).astype(np.int64)


def cut(array: np.ndarray, sizes: list[int]) -> list[np.ndarray]:
    """``array`` in consecutive chunks of the given sizes, cycled, to the end."""
    out, at, j = [], 0, 0
    while at < array.size:
        out.append(array[at : at + sizes[j % len(sizes)]])
        at += sizes[j % len(sizes)]
        j += 1
    return out


def forced(code, lanes: bool = True) -> sk.TunstallEncoder:
    """An encoder that takes the lanes for every chunk long enough for them, whatever its words."""
    enc = sk.TunstallEncoder(code, lanes=lanes)
    if lanes and enc.k:
        enc.lanes_min = max(sk.TUNSTALL_LANES_MIN, 4 * enc.reach + int(enc.lengths.max()) + 4)
    return enc


def run(enc: sk.TunstallEncoder, chunks: list[np.ndarray], marked: bool) -> dict:
    """Every field a chunked run of ``enc`` produces: bits, marks, states after each chunk."""
    bits, marks, states = [], [], []
    for piece in chunks:
        if marked:
            words, nbits, m = enc.encode_marked(piece)
            marks.append(m.copy())
        else:
            words, nbits = enc.encode(piece)
        bits.append(to_bits(words, nbits))
        states.append(int(enc.state[0]))
    tail = enc.finish()
    return {
        "bits": np.concatenate(bits + [to_bits(*tail)]),
        "chunk_bits": [b.size for b in bits],
        "marks": marks,
        "states": states,
        "total": enc.bits,
    }


def same(a: dict, b: dict) -> None:
    assert a["chunk_bits"] == b["chunk_bits"]
    assert np.array_equal(a["bits"], b["bits"])
    assert a["states"] == b["states"] and a["total"] == b["total"]
    assert len(a["marks"]) == len(b["marks"])
    for x, y in zip(a["marks"], b["marks"]):
        assert np.array_equal(x, y)


@pytest.mark.parametrize("marked", [False, True])
@pytest.mark.parametrize(
    ("p", "m", "sizes"),
    [
        (INDIA, 8, [200_000]),  # several of the lanes' pieces in one chunk
        (INDIA, 8, [4096, 4097, 9999, 5, 70_001]),  # odd sizes, some too short for the lanes
        (INDIA, 16, [50_000, 4099]),  # long words: lanes forced
        (SKEWED, 12, [30_011, 8192]),  # very long words (runs of a)
        (FIVE, 10, [12_345]),  # five symbols: 3-bit digits in the root key
    ],
)
def test_tunstall_lanes_give_the_one_lane_words_state_and_marks(p, m, sizes, marked):
    code = tunstall_of(p, m)
    seq = draw(p, 200_000, seed=m)
    chunks = cut(seq, sizes)
    lanes, serial = forced(code), forced(code, lanes=False)
    assert any(c.size >= lanes.lanes_min for c in chunks)  # the lanes run
    same(run(lanes, chunks, marked), run(serial, chunks, marked))


@pytest.mark.parametrize("period", [[1], [1, 0], [0, 0, 1], [1, 1, 0, 2]])
def test_tunstall_lanes_on_periodic_streams_where_the_guessed_starts_may_never_meet(period):
    # On a periodic stream every parse from a guessed start may stay out of step with the true
    # one to the end: the stitching then parses the rest itself. The same bits either way.
    code = tunstall_of(INDIA, 8)
    seq = np.tile(np.array(period, dtype=np.int64), 60_000 // len(period) + 1)[: 60_000 + len(period)]
    for marked in (False, True):
        same(run(forced(code), [seq, seq[:7]], marked), run(forced(code, False), [seq, seq[:7]], marked))


@settings(max_examples=25, deadline=None)
@given(
    st.integers(0, 2**32),
    st.sampled_from([3, 6, 8, 11]),
    st.lists(st.integers(1, 20_000), min_size=1, max_size=4),
)
def test_tunstall_lanes_match_at_random_chunkings(seed, m, sizes):
    code = tunstall_of(INDIA, m)
    seq = draw(INDIA, 30_000, seed)
    chunks = cut(seq, sizes)
    same(run(forced(code), chunks, True), run(forced(code, False), chunks, True))


def test_the_encoder_takes_the_lanes_only_where_they_pay():
    # Short words (the root lookup ends 85 % of them): lanes; long words (India at 16 bits): none.
    assert sk.TunstallEncoder(tunstall(INDIA, bits=8)).lanes_min == sk.TUNSTALL_LANES_MIN
    assert sk.TunstallEncoder(tunstall(INDIA, bits=16)).lanes_min == -1
    assert sk.TunstallEncoder(tunstall(INDIA, bits=8), lanes=False).lanes_min == -1


def fresh(tables: sk.TunstallDecoder, count: int) -> sk.TunstallDecoder:
    """A new decoder of ``count`` symbols sharing ``tables``' tables (building them is slow)."""
    dec = copy.copy(tables)
    dec.count, dec.decoded, dec.offset, dec.state = count, 0, 0, np.zeros(2, dtype=np.int64)
    return dec


def decode_all(dec: sk.TunstallDecoder, bits: np.ndarray, cuts: list[int]) -> dict:
    out, offsets, states, error = [], [], [], None
    try:
        for piece in cut(bits, cuts):
            out.append(np.asarray(dec.feed(*from_bits(piece)), dtype=np.int64))
            offsets.append(dec.offset)
            states.append(tuple(int(x) for x in dec.state))
    except DecodeError as e:
        error = (str(e), e.args)
    symbols = np.concatenate(out) if out else np.zeros(0, np.int64)
    return {"symbols": symbols, "offsets": offsets, "states": states, "error": error, "decoded": dec.decoded}


@pytest.mark.parametrize(
    ("p", "m"),
    [(INDIA, 8), (INDIA, 16), (SKEWED, 12), (FIVE, 10), (Distribution({"a": 0.6, "b": 0.3, "c": 0.1}), 3)],
)
@pytest.mark.parametrize("noise", [0.0, 0.01])
def test_tunstall_spelling_table_decodes_as_digit_by_digit(p, m, noise):
    code = tunstall_of(p, m)
    seq = draw(p, 40_000, seed=m)
    enc = sk.TunstallEncoder(code)
    bits = np.concatenate([to_bits(*enc.encode(seq)), to_bits(*enc.finish())])
    rng = np.random.default_rng(m)
    bits = bits ^ (rng.random(bits.size) < noise).astype(np.uint8)  # noise may hit unused codewords
    tables = {spell: sk.TunstallDecoder(code, 0, spell=spell) for spell in (True, False)}
    assert tables[True].width > 0 and tables[False].width == 0  # the table is used, or not
    for count in (seq.size, seq.size // 3):  # all symbols, or a limit cutting a word
        for cuts in ([bits.size], [1, 7, 4093], [m * 5 + 3]):
            fast = decode_all(fresh(tables[True], count), bits, cuts)
            slow = decode_all(fresh(tables[False], count), bits, cuts)
            assert np.array_equal(fast["symbols"], slow["symbols"])
            assert fast["offsets"] == slow["offsets"] and fast["states"] == slow["states"]
            assert fast["error"] == slow["error"] and fast["decoded"] == slow["decoded"]
            if noise == 0.0:
                assert np.array_equal(fast["symbols"], seq[:count])


def test_tunstall_decoder_reports_the_same_unused_codeword_either_way():
    code = tunstall(Distribution({"a": 0.6, "b": 0.3, "c": 0.1}), bits=3)  # 7 words: 111 unused
    bits = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0], dtype=np.uint8)
    for spell in (True, False):
        with pytest.raises(DecodeError, match="outside the dictionary") as e:
            sk.TunstallDecoder(code, 10, spell=spell).feed(*from_bits(bits))
        assert e.value.args == DecodeError("codeword outside the dictionary", 8).args


def test_decoders_return_a_byte_a_symbol_up_to_256_symbols():
    assert sk.symbol_dtype(256) == np.uint8 and sk.symbol_dtype(257) == np.int64
    code = tunstall_of(INDIA, 8)
    enc = sk.TunstallEncoder(code)
    words, nbits = enc.encode(np.array([0, 1, 2, 3, 1], dtype=np.int64))
    assert sk.TunstallDecoder(code, 5).feed(words, nbits).dtype == np.uint8
    assert sk.split_blocks(block(INDIA, order=2), np.array([3, 7])).dtype == np.uint8


@pytest.mark.parametrize(("p", "k"), [(INDIA, 4), (FIVE, 3), (SKEWED, 1)])
def test_block_spelling_table_splits_as_division(p, k):
    bc = block(p, order=k)
    n = len(bc.source)
    rng = np.random.default_rng(k)
    valid = rng.integers(0, n**k, 5000)
    garbage = np.array([-1, -(n**k), n**k, n**k + 5, 2**40, -(2**40)], dtype=np.int64)
    for blocks in (valid, np.concatenate([valid[:50], garbage, valid[50:60]])):
        fast = sk.split_blocks(bc, blocks)
        slow = sk.unfold_blocks(blocks, n, k, np.empty(blocks.size * k, dtype=np.int64))
        assert np.array_equal(fast.astype(np.int64), slow)
    # A block index spells its k symbols, first symbol first.
    assert sk.split_blocks(bc, np.array([1], dtype=np.int64)).tolist() == [0] * (k - 1) + [1]


def test_block_spelling_table_is_left_out_for_many_blocks():
    assert sk._spelling(4, 4).size == 4**4 * 4
    assert sk._spelling(10, 5).size == 0  # 10^5 blocks: division instead


def tally_by_cumsum(chunks, tails, points):
    """The stream link's tally as it was kept (numpy: differences, cumulative sums, searchsorted)."""
    bits = squares = messages = 0
    sums, sq = np.zeros(points.size, np.int64), np.zeros(points.size, np.int64)
    per = []
    for marks, tail in zip(chunks, tails):
        pm = np.diff(marks, prepend=0)
        if pm.size:
            pm[-1] += tail
            c, c2 = np.cumsum(pm), np.cumsum(pm * pm)
            lo, hi = np.searchsorted(points, [messages + 1, messages + pm.size + 1])
            at = points[lo:hi] - messages - 1
            sums[lo:hi], sq[lo:hi] = bits + c[at], squares + c2[at]
            bits, squares, messages = bits + int(c[-1]), squares + int(c2[-1]), messages + pm.size
        per.append(pm)
    return per, (bits, squares, messages), sums, sq


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 40), max_size=30), min_size=1, max_size=6),
    st.lists(st.integers(0, 70), max_size=12),
    st.integers(0, 9),
)
def test_stream_tally_in_one_pass_equals_the_cumulative_sums(steps, raw_points, tail):
    # Marks as a stream coder gives them (non-decreasing bits after each message), empty chunks,
    # a flush on the last chunk, checkpoints sorted with repeats, at 0 and past the end.
    chunks = [np.cumsum(np.array(s, dtype=np.int64)) for s in steps]
    tails = [0] * (len(chunks) - 1) + [tail]
    points = np.sort(np.array(raw_points, dtype=np.int64))
    per, totals, sums, sq = tally_by_cumsum(chunks, tails, points)
    from sim.engine.codec import _Tally

    t = _Tally(points)
    got = [t.add_marks(m, tl) for m, tl in zip(chunks, tails)]
    for a, b in zip(got, per):
        assert np.array_equal(a, b)
    assert (t.bits, t.square_bits, t.messages) == totals
    assert np.array_equal(t.point_sums, sums) and np.array_equal(t.point_squares, sq)
