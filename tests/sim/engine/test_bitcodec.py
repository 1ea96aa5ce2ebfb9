"""Packed-bit encoder and streaming decoder, checked against bitarray and the coding package."""

from __future__ import annotations

import numpy as np
import pytest
from bitarray import bitarray
from hypothesis import given
from hypothesis import strategies as st

from coding import Code, DecodeError, Distribution, huffman
from sim.engine.bitcodec import Decoder, Encoder, from_bits, to_bits
from sim.engine.kernels import PRIMARY_BITS

SCHEME3 = Code({"blue": "10", "red": "0", "green": "110", "yellow": "111"})
# A code with codewords longer than the 12-bit primary table: exercises the bit-by-bit tree.
LONG = huffman(Distribution({f"s{i}": 2.0 ** -(i + 1) for i in range(19)} | {"s19": 2.0**-19}))


def encode(code: Code, symbols: np.ndarray) -> tuple[np.ndarray, int, Encoder]:
    enc = Encoder(code, code.symbols, np.array([1, symbols.size], dtype=np.int64))
    words, nbits = enc.encode(symbols)
    return words, nbits, enc


@pytest.mark.parametrize("code", [SCHEME3, LONG], ids=["scheme3", "long"])
def test_encoder_matches_bitarray_and_the_coding_package(code):
    rng = np.random.default_rng(5)
    symbols = rng.integers(0, len(code), 5_000)
    words, nbits, enc = encode(code, symbols)
    reference = bitarray()
    reference.encode({i: bitarray(w) for i, w in enumerate(code.codewords.values())}, symbols.tolist())
    assert nbits == len(reference)
    assert to_bits(words, nbits).tobytes() == np.frombuffer(reference.unpack(), dtype=np.uint8).tobytes()
    as_text = "".join(map(str, to_bits(words, nbits)))
    assert as_text == code.encode([code.symbols[i] for i in symbols])
    assert enc.bits == nbits and enc.messages == symbols.size
    assert enc.square_bits == int(sum(len(code.codewords[code.symbols[i]]) ** 2 for i in symbols))


@pytest.mark.parametrize("code", [SCHEME3, LONG], ids=["scheme3", "long"])
def test_decoder_recovers_every_symbol(code):
    symbols = np.random.default_rng(6).integers(0, len(code), 3_000)
    words, nbits, _ = encode(code, symbols)
    dec = Decoder(code)
    assert dec.feed(words, nbits, symbols) == symbols.size
    assert dec.mismatches == 0 and dec.pending == 0 and dec.awaiting == 0


# Incomplete codes (Kraft sum < 1) leave dead ends that zero padding can fall into.
INCOMPLETE = Code({"a": "0", "b": "11"})
SPARSE = Code({"a": "00", "b": "011", "c": "1", "d": "0101"})


@given(
    st.sampled_from([SCHEME3, INCOMPLETE, SPARSE, LONG]),
    st.lists(st.integers(0, 19), min_size=1, max_size=200),
    st.lists(st.integers(1, 64), max_size=12),
)
def test_streaming_decode_over_any_split_equals_whole_decode(code, symbols, cuts):
    symbols = np.array(symbols, dtype=np.int64) % len(code)
    words, nbits, _ = encode(code, symbols)
    bits = to_bits(words, nbits)
    edges = sorted({min(c * 3, nbits) for c in cuts} | {0, nbits})
    dec = Decoder(code)
    sent = symbols
    for a, b in zip(edges, edges[1:]):
        part_words, part_bits = from_bits(bits[a:b])
        dec.feed(part_words, part_bits, sent)
        sent = sent[:0]  # everything was announced with the first piece
    assert dec.decoded == symbols.size
    assert dec.mismatches == 0 and dec.pending == 0


def test_a_flipped_bit_is_counted_as_mismatches_never_hidden():
    symbols = np.array([1, 0, 2, 3, 1, 1, 0], dtype=np.int64)
    words, nbits, _ = encode(SCHEME3, symbols)
    bits = to_bits(words, nbits).copy()
    bits[0] ^= 1  # 0|10|110|111|0|0|10 becomes 110|110|111|0|0|10
    noisy, n = from_bits(bits)
    dec = Decoder(SCHEME3)
    assert dec.feed(noisy, n, symbols) == 6
    # green green yellow red red blue against red blue green yellow red red (blue awaited)
    assert dec.mismatches == 5 and dec.awaiting == 1 and dec.pending == 0


def test_a_split_inside_a_codeword_of_an_incomplete_code_waits_for_more_bits():
    dec = Decoder(INCOMPLETE)
    sent = np.array([1, 1], dtype=np.int64)  # "11" "11"
    first, n1 = from_bits(np.array([1], dtype=np.uint8))
    assert dec.feed(first, n1, sent) == 0 and dec.pending == 1
    rest, n2 = from_bits(np.array([1, 1, 1], dtype=np.uint8))
    assert dec.feed(rest, n2, sent[:0]) == 2
    assert dec.mismatches == 0 and dec.pending == 0 and dec.awaiting == 0


def test_incomplete_code_path_raises_with_the_bit_offset():
    code = Code({"a": "0", "b": "10"})  # "11" leads nowhere
    words, nbits = from_bits(np.array([0, 1, 0, 1, 1], dtype=np.uint8))
    with pytest.raises(DecodeError) as err:
        Decoder(code).feed(words, nbits, np.array([0, 1], dtype=np.int64))
    assert err.value.offset == 3


def test_colour_without_codeword_gets_an_empty_slot():
    code = Code({"blue": "0", "red": "1"})
    enc = Encoder(code, ("blue", "red", "green"), np.array([1], dtype=np.int64))
    assert enc.lengths.tolist() == [1, 1, 0]
    words, nbits = enc.encode(np.array([0, 1, 1], dtype=np.int64))
    assert nbits == 3 and to_bits(words, nbits).tolist() == [0, 1, 1]


def _random_prefix_code(rng: np.random.Generator, size: int, deepest: int) -> Code:
    """Random leaves of a binary tree (any depth up to ``deepest``), so codes are often incomplete."""
    words: list[str] = []
    frontier = [""]
    while frontier and len(words) < size:
        node = frontier.pop(int(rng.integers(len(frontier))))
        if len(node) >= 1 and (len(node) == deepest or rng.random() < 0.35):
            words.append(node)
        else:
            frontier += [node + "0", node + "1"] if rng.random() < 0.8 or not node else [node + "1"]
    return Code({f"s{i}": w for i, w in enumerate(words)})


def _dead_end(code: Code, bits: str) -> int:
    """Reference parse: where the decoder reports the first dead end.

    That is the start of the codeword when the dead end lies in its first
    ``PRIMARY_BITS`` bits (one table lookup finds it), else the bit itself.
    """
    width = min(max(map(len, code.codewords.values())), PRIMARY_BITS)
    prefixes = {w[:k] for w in code.codewords.values() for k in range(len(w))}
    words = set(code.codewords.values())
    start, pos = 0, 0
    while pos < len(bits):
        pos += 1
        if bits[start:pos] in words:
            start = pos
        elif bits[start:pos] not in prefixes:
            return start if pos - start <= width else pos - 1
    return -1


@pytest.mark.parametrize("seed", range(40))
def test_decode_tables_parse_random_long_incomplete_codes(seed):
    """Tables built with array operations parse exactly as the codebook says, dead ends included."""
    rng = np.random.default_rng(seed)
    code = _random_prefix_code(rng, int(rng.integers(2, 400)), int(rng.integers(2, 30)))
    symbols = rng.integers(0, len(code), 500)
    words, nbits, _ = encode(code, symbols)
    dec = Decoder(code)
    assert dec.feed(words, nbits, symbols) == symbols.size and dec.mismatches == 0
    # Garbage after a valid stretch, then 64 more bits: a dead end is reported where the reference finds it.
    text = code.encode([code.symbols[i] for i in symbols[:50]])
    text += "".join(rng.choice(["0", "1"], 40)) + code.encode([code.symbols[0]] * 64)
    expected = _dead_end(code, text)
    packed, n = from_bits(np.array([int(b) for b in text], dtype=np.uint8))
    if expected < 0:
        Decoder(code).feed(packed, n, np.zeros(0, dtype=np.int64))
    else:
        with pytest.raises(DecodeError) as err:
            Decoder(code).feed(packed, n, np.zeros(0, dtype=np.int64))
        assert err.value.offset == expected


@pytest.mark.parametrize("seed", range(20))
def test_multi_codeword_lookups_give_what_one_at_a_time_gives(seed):
    """The multi-codeword table is a shortcut: same symbols, bits, mismatches and errors without it."""
    from sim.engine import kernels

    rng = np.random.default_rng(100 + seed)
    code = _random_prefix_code(rng, int(rng.integers(2, 60)), int(rng.integers(2, 14)))
    if seed % 2:  # a complete code: the wide window and the multi table both in play
        p = Distribution.from_counts({f"s{i}": float(c) for i, c in enumerate(rng.integers(1, 50, 40))})
        code = huffman(p)
    symbols = rng.integers(0, len(code), 3000)
    words, nbits, _ = encode(code, symbols)
    bits = to_bits(words, nbits).copy()
    bits[rng.integers(0, nbits, 5)] ^= 1  # noise: mismatches, maybe dead ends
    t = kernels.DecodeTables(code)
    assert t.multi.size == 1 << t.width
    to_code = np.arange(len(code), dtype=np.int64)
    for stop in (nbits, int(rng.integers(1, nbits)), nbits - 1):  # whole stream and cut mid-codeword
        packed, n = from_bits(bits[:stop])
        with_multi, without = np.zeros(4, np.int64), np.zeros(4, np.int64)
        for multi, out in ((t.multi, with_multi), (np.zeros(0, np.int64), without)):
            kernels.decode_chunk(
                packed, n, t.prim_sym, t.prim_len, multi, t.tree, t.width, symbols, to_code, out
            )
        assert with_multi.tolist() == without.tolist()


def _lane_test_code(seed: int, rng: np.random.Generator) -> Code:
    """Seeds 0–15 short codes of at most 256 symbols; 16 on, by seed % 4: a Zipf-1024 Huffman code
    (codewords up to ~20 bits), an incomplete code of 300–3000 symbols and up to ~40 bits, one of at
    most 256 symbols with codewords past the 12-bit window, one of 300–600 symbols all within it."""
    if seed < 16 and seed % 2:
        p = Distribution.from_counts({f"s{i}": float(c) for i, c in enumerate(rng.integers(1, 90, 64))})
        return huffman(p)  # complete: a 12-bit window, up to six codewords a lookup
    if seed < 16:
        return _random_prefix_code(rng, int(rng.integers(2, 200)), int(rng.integers(2, 20)))
    if seed % 4 == 0:
        return huffman(Distribution.from_counts({f"s{i}": 1e6 / (i + 1) for i in range(1024)}))
    if seed % 4 == 1:  # one leaf w becomes w0, w10, …, w1…10 (25 ones; w1…1 a dead end)
        words = list(_random_prefix_code(rng, int(rng.integers(300, 3000)), 14).codewords.values())
        w = words.pop(int(rng.integers(len(words))))
        words += [w + "1" * k + "0" for k in range(26)]
        return Code({f"s{i}": v for i, v in enumerate(words)})
    if seed % 4 == 2:
        size = int(rng.integers(100, 257))
        return huffman(Distribution.from_counts({f"s{i}": 1.2 ** -(i % 90) for i in range(size)}))
    size = int(rng.integers(300, 600))
    counts = rng.integers(5, 9, size)
    return huffman(Distribution.from_counts({f"s{i}": float(c) for i, c in enumerate(counts)}))


@pytest.mark.parametrize("seed", [16, 17, 18, 19, 3])
def test_a_lane_slow_step_reads_every_codeword(seed):
    """The lanes' slow step (primary table, then the tree) reads every codeword, whatever bits
    follow it, as its symbol and length; a window beginning no codeword (a dead end) gives 0."""
    from sim.engine import kernels

    rng = np.random.default_rng(500 + seed)
    code = _lane_test_code(seed, rng)
    t = kernels.DecodeTables(code)
    assert (t.lens.max() > t.width) == (seed in (16, 17, 18))  # long codewords: the tree walk
    vals, lens = code.value_array(), t.lens
    tail = rng.integers(0, 1 << 62, lens.size, dtype=np.int64).astype(np.uint64)
    for sym in range(lens.size):
        n = int(lens[sym])
        reg = np.uint64((int(vals[sym]) << (64 - n)) | (int(tail[sym]) >> n))
        key = reg >> np.uint64(64 - t.width)
        want = 1 | (n << 8) | (sym << 16)
        assert kernels._slow_step(reg, key, t.prim_sym, t.prim_len, t.tree, t.width) == want
    if seed == 17:  # w1…1 (26 ones) begins no codeword
        w = code.codewords[code.symbols[-1]][:-1]
        bits = (w + "1" + "0" * 64)[:64]
        reg = np.uint64(int(bits, 2))
        got = kernels._slow_step(reg, reg >> np.uint64(64 - t.width), t.prim_sym, t.prim_len, t.tree, t.width)
        assert got == 0


@pytest.mark.parametrize("seed", range(28))
def test_split_decode_gives_what_one_parse_gives(seed):
    """decode_split's interleaved lanes start at hints (the encoder's marks, or the sent lengths
    summed); whether the hints hold (clean streams) or not (flipped bits, other symbols sent, cut
    streams, dead ends, marks wrong, out of order or outside the stream), every field of the result
    is the single parse's: for short codes (whole windows of codewords a turn), codes with
    codewords longer than the window (one slow step a turn) and codes of more than 256 symbols."""
    from sim.engine import kernels

    rng = np.random.default_rng(500 + seed)
    code = _lane_test_code(seed, rng)
    t = kernels.DecodeTables(code)
    # At most 256 symbols: the multi-codeword table; more: the primary table alone.
    assert (t.multi.size > 0) == (len(code) <= 256)
    if seed >= 16 and seed % 4 != 3:
        assert t.lens.max() > t.width  # codewords past the window: the lanes' slow steps
    n = int(rng.integers(kernels.SPLIT_MIN, 3 * kernels.SPLIT_MIN))
    symbols = rng.integers(0, len(code), n)
    words, nbits, _ = encode(code, symbols)
    bits = to_bits(words, nbits).copy()
    perm = rng.permutation(len(code)).astype(np.int64)  # sent as colours mapped to the code's symbols
    colours = np.argsort(perm)[symbols]
    noisy = bits.copy()
    noisy[rng.integers(0, nbits, 3)] ^= 1
    other = symbols.copy()
    other[: n // 4] = rng.integers(0, len(code), n // 4)  # a wrong hint: other lengths sent
    garbage = np.concatenate((bits[: nbits // 2], rng.integers(0, 2, 300).astype(np.uint8), bits))
    cases = [
        (bits, nbits, symbols, np.zeros(0, np.int64)),
        (bits, nbits, colours, perm),
        (bits, nbits - 1, symbols, np.zeros(0, np.int64)),  # a codeword cut at the end
        (bits, nbits, symbols[:-7], np.zeros(0, np.int64)),  # more decoded than sent
        (noisy, nbits, symbols, np.zeros(0, np.int64)),
        (bits, nbits, other, np.zeros(0, np.int64)),
        (garbage, garbage.size, symbols, np.zeros(0, np.int64)),  # maybe a dead end in a later lane
    ]
    q = n // kernels.LANES
    ends = np.cumsum(t.lens[symbols])
    true_marks = ends[[q - 1, 2 * q - 1, 3 * q - 1]]
    marks_tried = [
        np.zeros(0, np.int64),  # none: the lanes' starts summed from the lengths sent
        true_marks,  # the encoder's
        true_marks + np.array([0, 1, 0]),  # one lane off by a bit
        true_marks[::-1].copy(),  # out of order
        np.array([-5, 0, nbits + 9]),  # outside the stream
        rng.integers(0, nbits, 3),  # anywhere
    ]
    for stream, stop, sent, to_code in cases:
        packed, m = from_bits(stream[:stop])
        one = np.zeros(4, np.int64)
        args = (packed, m, t.prim_sym, t.prim_len, t.multi, t.tree, t.width, sent, to_code)
        kernels.decode_chunk(*args, one)
        for marks in marks_tried:
            split = np.zeros(4, np.int64)
            kernels.decode_split(*args, split, t.lens, marks.astype(np.int64))
            assert split.tolist() == one.tolist(), marks
    clean = np.zeros(4, np.int64)
    kernels.decode_split(words, nbits, t.prim_sym, t.prim_len, t.multi, t.tree, t.width, symbols,
                         np.zeros(0, np.int64), clean, t.lens, np.zeros(0, np.int64))  # fmt: skip
    assert clean.tolist() == [n, nbits, 0, -1]


@pytest.mark.parametrize("seed", range(12))
def test_pair_encoder_gives_what_the_single_encoder_gives(seed):
    """Codes of at most 64 symbols and 16-bit codewords encode two messages a lookup: the words, the
    tally, the trace's checkpoints (at odd and even counts, two in a row) and the colour counts are
    the single encoder's, over chunks of any parity, and the pair counts are left zeroed."""
    from sim.engine import kernels

    rng = np.random.default_rng(900 + seed)
    size = int(rng.integers(1, 65)) if seed else 1
    code = _random_prefix_code(rng, max(size, 2), int(rng.integers(1, 17)))
    symbols = code.symbols[:size]
    n = int(rng.integers(kernels.PAIR_MIN, 3 * kernels.PAIR_MIN))
    drawn = rng.integers(0, len(symbols), 3 * n)
    cuts = [0, n, n + kernels.PAIR_MIN + 1, 3 * n]  # an odd chunk, an even one, the rest
    marks = rng.integers(1, 3 * n, 60)
    points = np.unique(np.concatenate((marks, marks + 1, [1, 2, n, n + 1, 3 * n])))
    pairs, single = Encoder(code, symbols, points), Encoder(code, symbols, points)
    assert pairs._pairs.size == len(symbols) ** 2
    single._pairs = np.zeros(0, np.uint64)  # the single encoder only
    for a, b in zip(cuts, cuts[1:]):
        wp, bp = pairs.encode(drawn[a:b])
        ws, bs = single.encode(drawn[a:b])
        assert bp == bs
        used = -(-bs // 64) + 1  # the data words and the padding word
        assert wp[:used].tolist() == ws[:used].tolist()
    assert pairs.tally.tolist() == single.tally.tolist()
    assert pairs.point_sums.tolist() == single.point_sums.tolist()
    assert pairs.point_squares.tolist() == single.point_squares.tolist()
    assert pairs.colour_counts.tolist() == np.bincount(drawn, minlength=len(symbols)).tolist()
    assert pairs.colour_counts.tolist() == single.colour_counts.tolist()
    assert not pairs._pair_counts.any()
    # The pair encoder notes where messages j·⌊n/4⌋ of a chunk begin: where the decoder's lanes start.
    chunk = drawn[:n]
    words, nbits, lanes = Encoder(code, symbols, points).encode_with_lanes(chunk)
    lengths = single.lengths[chunk]
    q = n // kernels.LANES
    assert lanes is not None and lanes.tolist() == [int(lengths[: j * q].sum()) for j in (1, 2, 3)]
    assert Encoder(code, symbols, points).encode_with_lanes(chunk[: kernels.PAIR_MIN - 1])[2] is None


def test_pair_encoder_is_kept_for_small_codes_of_short_codewords():
    from sim.engine import kernels

    lens = np.array([1, 2, 16, 16], np.int64)
    assert kernels.pair_table(lens, np.arange(4, dtype=np.uint64)).size == 16
    assert kernels.pair_table(np.array([1, 17], np.int64), np.arange(2, dtype=np.uint64)).size == 0
    assert kernels.pair_table(np.ones(65, np.int64), np.zeros(65, np.uint64)).size == 0
