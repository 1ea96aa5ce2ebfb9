"""Compiled inner loops of the engine (numba).

The work per message is sequential by nature: a bit stream is packed one
codeword after another, a prefix code is parsed left to right, and a queue's
wait depends on the wait before it. numpy cannot vectorise these loops;
numba compiles them to machine code (cached on disk after the first call).
Every loop carries its state across chunks in small arrays, so a run cut
into chunks of any size does exactly the same arithmetic in the same order:
results are bit-for-bit independent of the chunk size.
"""

from __future__ import annotations

import functools
import math
import sys

import numpy as np
from llvmlite import ir  # type: ignore[import-untyped]
from numba import njit, types
from numba.extending import intrinsic, overload

from coding import Code

#: Bits looked up at once by the primary decoding table.
PRIMARY_BITS = 12

#: The encoder's running tally (one record): bits, squared lengths, messages, next checkpoint.
TALLY = np.dtype([("bits", np.int64), ("squares", np.int64), ("messages", np.int64), ("next", np.int64)])


@njit(cache=True, nogil=True)
def draw_chunk(u, total, guide, shift, cum, out):  # pragma: no cover
    """Colour indices from uniforms ``u``: ball ⌊u·total⌋, then its colour.

    The colour of a ball is the first c with ``cum[c] > ball`` (cumulative
    counts). ``guide[ball >> shift]`` is the colour of the first ball of the
    ball's bucket, so the search starts there and steps forward over the few
    colours that begin inside the bucket (none when ``shift`` is 0 and every
    ball has its own slot).
    """
    for i in range(u.size):
        ball = int(u[i] * total)
        if ball >= total:
            ball = total - 1
        c = guide[ball >> shift]
        while cum[c] <= ball:
            c += 1
        out[i] = c
    return out


@njit(cache=True, nogil=True)
def draw_without_replacement(u, left, out):  # pragma: no cover
    """Draw balls one by one from a box holding ``left`` balls per colour, removing each.

    Ball ⌊u·total⌋ among those left, found by a scan of the colours. Returns
    how many were drawn (fewer than ``u.size`` when the box empties).
    """
    total = 0
    for c in range(left.size):
        total += left[c]
    for i in range(u.size):
        if total == 0:
            return i
        ball = int(u[i] * total)
        if ball >= total:
            ball = total - 1
        c = 0
        while ball >= left[c]:
            ball -= left[c]
            c += 1
        left[c] -= 1
        total -= 1
        out[i] = c
    return u.size


@njit(cache=True, nogil=True)
def encode_chunk(
    sym, vals, lens, words, tally, points, point_sums, point_squares, counts
):  # pragma: no cover
    """Pack the codewords of ``sym`` into ``words`` (big-endian bits); return the bit count.

    Also adds each message's length to ``tally`` (a :data:`TALLY` record),
    records the running sums at the trace checkpoints ``points`` and counts
    each symbol in ``counts`` (the balls drawn per colour, in the same pass).
    """
    acc = np.uint64(0)
    used = 0
    w = 0
    t = tally[0]
    bits = t.bits
    start = bits
    squares = t.squares
    count = t.messages
    nxt = t.next
    npoints = points.size
    target = points[nxt] if nxt < npoints else -1  # the next checkpoint (−1: none left)
    for i in range(sym.size):
        s = sym[i]
        n = lens[s]
        v = vals[s]
        counts[s] += 1
        bits += n
        squares += n * n
        count += 1
        if count == target:
            point_sums[nxt] = bits
            point_squares[nxt] = squares
            nxt += 1
            target = points[nxt] if nxt < npoints else -1
        if used + n < 64:
            acc = (acc << np.uint64(n)) | v
            used += n
        else:
            r = 64 - used  # 1 .. n bits still fit in this word
            rest = n - r
            words[w] = (acc << np.uint64(r)) | (v >> np.uint64(rest))
            w += 1
            if rest > 0:
                acc = v & ((np.uint64(1) << np.uint64(rest)) - np.uint64(1))
            else:
                acc = np.uint64(0)
            used = rest
    if used > 0:
        words[w] = acc << np.uint64(64 - used)
        w += 1
    words[w] = np.uint64(0)  # padding for the decoder's look-ahead
    t.bits = bits
    t.squares = squares
    t.messages = count
    t.next = nxt
    return bits - start


#: The pair encoder's half words and the decoder's 8-byte stores assume little-endian memory
#: (x86-64, ARM64); elsewhere the one-at-a-time encoder and the single parse serve.
LITTLE_ENDIAN = sys.byteorder == "little"
#: Codes the pair encoder takes: at most this many symbols ...
PAIR_SYMBOLS = 64
#: ... with codewords of at most this many bits (a pair fits a 32-bit half word).
PAIR_BITS = 16
#: Fewest messages in a chunk for the pair encoder (its colour counts cost K² at the end).
PAIR_MIN = 4096


def pair_table(lens: np.ndarray, vals: np.ndarray) -> np.ndarray:
    """The codewords of every pair of symbols (a, b), at ``a·K + b``, for :func:`encode_pairs`.

    Each entry packs the pair's bits (``vals[a]`` then ``vals[b]``, bits 0–31),
    its length (bits 32–37) and the sum of the two squared lengths (bits 40 on).
    Empty when the code has more than :data:`PAIR_SYMBOLS` symbols or a
    codeword longer than :data:`PAIR_BITS` bits (the single encoder serves).
    """
    k = lens.size
    if k == 0 or k > PAIR_SYMBOLS or int(lens.max()) > PAIR_BITS or not LITTLE_ENDIAN:
        return np.zeros(0, np.uint64)
    la, lb = lens.astype(np.uint64)[:, None], lens.astype(np.uint64)[None, :]  # first, second of a pair
    value = (vals[:, None] << lb) | vals[None, :]
    return (value | ((la + lb) << np.uint64(32)) | ((la * la + lb * lb) << np.uint64(40))).ravel()


@njit(cache=True, nogil=True)
def encode_pairs(
    sym, table, vals, lens, words, tally, points, point_sums, point_squares, counts, pair_counts, marks
):  # pragma: no cover
    """:func:`encode_chunk` two messages at a time: the same words, tally, trace and counts.

    ``table`` is :func:`pair_table` of the code (K symbols): one lookup gives a
    pair's bits, length and squared lengths. The bits go out 32 at a time
    without a branch: every step writes the 32-bit half word being filled
    (halves swapped within each 64-bit word, so the words read as
    :func:`encode_chunk` packs them) and moves on once it is full. Pairs are
    counted in ``pair_counts`` (K² zeros, left zeroed) and turned into colour
    counts at the end. A checkpoint of the trace never falls inside a pair.

    ``marks`` (empty, or :data:`LANES` − 1 slots) receives the bit at which the
    codeword of message j·⌊n/LANES⌋ of the chunk begins, j = 1, 2, …: where
    :func:`decode_split`'s lanes start.
    """
    k = counts.size
    ku = np.uint64(k)
    one = np.uint64(1)
    half = words.view(np.uint32)
    low = np.uint64(0xFFFFFFFF)
    t = tally[0]
    bits = t.bits
    start = bits
    squares = t.squares
    count = t.messages
    first = count
    nxt = t.next
    npoints = points.size
    n = sym.size
    acc = np.uint64(0)  # the bits not yet in a full half word are its lowest ``used``
    used = 0
    h = 0  # the half word being filled
    i = 0
    lane = n // LANES
    mark = 0  # the next lane mark to fill
    while i < n:
        stop = n  # up to the next checkpoint or lane mark in this chunk, or the end
        if nxt < npoints and points[nxt] - count <= n - i:
            stop = i + (points[nxt] - count)
        if mark < marks.size and lane * (mark + 1) < stop:
            stop = lane * (mark + 1)
        while i + 1 < stop:
            # Unsigned indices: no negative-index wraparound in the loop (it costs a third).
            p = np.uint64(sym[i]) * ku + np.uint64(sym[i + 1])
            e = table[p]
            pair_counts[p] += 1
            m = np.int64((e >> np.uint64(32)) & np.uint64(63))
            bits += m
            squares += np.int64(e >> np.uint64(40))
            acc = (acc << np.uint64(m)) | (e & low)
            used += m
            half[np.uint64(h) ^ one] = np.uint32((acc << np.uint64(64 - used)) >> np.uint64(32))
            full = used >> 5
            h += full
            used -= full << 5
            i += 2
        if i < stop:  # an odd message before the checkpoint: on its own
            s = sym[i]
            m = lens[s]
            counts[s] += 1
            bits += m
            squares += m * m
            acc = (acc << np.uint64(m)) | vals[s]
            used += m
            half[h ^ 1] = np.uint32((acc << np.uint64(64 - used)) >> np.uint64(32))
            full = used >> 5
            h += full
            used -= full << 5
            i += 1
        count = first + i
        if mark < marks.size and i == lane * (mark + 1):
            marks[mark] = bits - start
            mark += 1
        if nxt < npoints and count == points[nxt]:
            point_sums[nxt] = bits
            point_squares[nxt] = squares
            nxt += 1
    if used > 0:  # the last bits, in a half word of their own
        half[h ^ 1] = np.uint32((acc << np.uint64(64 - used)) >> np.uint64(32))
        h += 1
    end = ((h + 1) >> 1) * 2 + 2  # the rest of this word, and one padding word for the decoder
    while h < end:
        half[h ^ 1] = np.uint32(0)
        h += 1
    for a in range(k):  # pair (a, b) is a message of colour a and one of colour b
        row = 0
        for b in range(k):
            row += pair_counts[a * k + b]
            counts[b] += pair_counts[a * k + b]
        counts[a] += row
    pair_counts[:] = 0
    t.bits = bits
    t.squares = squares
    t.messages = count
    t.next = nxt
    return bits - start


@njit(cache=True, nogil=True)
def decode_chunk(
    words, nbits, prim_sym, prim_len, multi, tree, width, sent, to_code, result
):  # pragma: no cover
    """Parse ``nbits`` bits of ``words`` with a prefix code and compare with ``sent``.

    ``prim_sym``/``prim_len`` map the next ``width`` bits to (symbol, length)
    for codewords of at most ``width`` bits, or (tree node, 0) to continue
    bit by bit in ``tree`` (``tree[2·node + bit]``: ≥ 0 a node, < 0 the leaf
    −1 − symbol, ``-(1 << 62)`` no codeword). A length of −1 means no
    codeword starts with these bits.

    ``multi`` (empty, or one entry per window) lists the whole codewords the
    window starts with, to take several at one lookup: bits 0–7 their count
    (0: use the single-codeword path), 8–15 their bits, then 8 bits per
    symbol (see :func:`multi_table`).

    ``sent`` holds the colours sent, ``to_code`` maps a colour to its code symbol
    (empty: colours are numbered as the code's symbols, and no map is read).
    With the ``multi`` table the decoded symbols are compared with ``sent`` in
    one pass after the parse; either way every decoded symbol is compared, and
    one decoded past the end of ``sent`` counts as a mismatch.
    ``result`` receives (decoded, bits consumed, mismatches, error offset or −1).
    A partial codeword at the end is left unconsumed (near the end the window
    is padded with zeros, so a dead end there is judged only once real bits fill it).
    """
    nsent = sent.size
    # With the multi-codeword table (codes of at most 256 symbols) the symbols decoded are
    # written out, a byte each, and compared with those sent in one pass at the end: the
    # parse waits on nothing but its own table. Without it, each is compared as decoded.
    defer = multi.size > 0
    out = np.empty(nsent + MULTI_MAX if defer else 0, np.uint8)
    i, pos, mismatches, error = _parse(
        words, nbits, 0, 0, nsent, sent, to_code, out, prim_sym, prim_len, multi, tree, width
    )
    if defer:
        mismatches += _compare(out, i, sent, to_code)
    result[0] = i
    result[1] = pos
    result[2] = mismatches
    result[3] = error


@njit(cache=True, nogil=True, inline="always")
def _compare(out, i, sent, to_code):  # pragma: no cover
    """How many of the first min(i, sent.size) decoded symbols ``out`` differ from those sent."""
    bad = 0
    if to_code.size == 0:
        for k in range(min(i, sent.size)):
            bad += out[k] != sent[k]
    else:
        for k in range(min(i, sent.size)):
            bad += out[k] != to_code[sent[k]]
    return bad


@njit(cache=True, nogil=True, inline="always")
def _window(words, pos, held, buf, reach):  # pragma: no cover
    """The 64-bit register holding bit ``pos`` (refilled from ``words`` when fewer than
    ``64 − reach`` of its bits are left): (held, buf, pos − held)."""
    d = pos - held
    if d > reach:
        wi = pos >> 6
        off = pos & 63
        buf = words[wi] << np.uint64(off)
        if off > 0:
            buf |= words[wi + 1] >> np.uint64(64 - off)
        held = pos
        d = 0
    return held, buf, d


@njit(cache=True, nogil=True, inline="always")
def _bits64(words, pos):  # pragma: no cover
    """The 64 bits from ``pos`` on, the first in the top bit (two loads, no branch)."""
    wi = pos >> 6
    off = np.uint64(pos & 63)
    hi = words[wi] << off
    lo = (words[wi + 1] >> np.uint64(1)) >> (np.uint64(63) - off)
    return hi | lo


@njit(cache=True, nogil=True)
def _slow_step(reg, key, prim_sym, prim_len, tree, width):  # pragma: no cover
    """One codeword read from the 64 bits ``reg`` (window ``key``) by the primary table and,
    past ``width`` bits, the tree, as a one-codeword :func:`multi_table` entry
    (1 | bits << 8 | symbol << 16), or 0 at a dead end (left for :func:`_parse` to judge).

    Every codeword (at most :data:`MAX_TABLE_BITS` bits) lies within the 64 bits;
    bits past the stream's end are read as they come and the caller checks the length.
    """
    n = prim_len[key]
    if n > 0:
        return 1 | (n << 8) | (prim_sym[key] << 16)
    if n < 0:
        return 0
    node = prim_sym[key]
    for d in range(width, 64):
        t = tree[2 * node + np.int64((reg >> np.uint64(63 - d)) & np.uint64(1))]
        if t < 0:
            if t == _NOWHERE:
                return 0
            return 1 | ((d + 1) << 8) | ((-1 - t) << 16)
        node = t
    return 0


@njit(cache=True, nogil=True)
def _parse(
    words, nbits, pos, i, nsent, sent, to_code, out, prim_sym, prim_len, multi, tree, width
):  # pragma: no cover
    """The parse of :func:`decode_chunk` from bit ``pos``, symbol ``i``, up to ``nbits`` bits:
    (symbols decoded, bits consumed, mismatches found so far, error offset or −1).

    With ``out`` (not empty) the symbols are written to it (slots ``nsent`` on are never
    written; symbols past ``nsent`` count as mismatches); else each is compared with
    ``sent`` as decoded. ``multi`` (empty, or as in :func:`decode_chunk`, then ``out``
    too) takes whole windows of codewords.
    """
    mismatches = 0
    error = -1
    shift_w = np.uint64(64 - width)
    same = to_code.size == 0  # colours numbered as the code's symbols: compare without the map
    defer = out.size > 0
    windows = multi.size > 0
    # A register holds 64 bits from ``held`` on; a window is cut from it until fewer than
    # ``width`` of them are left, so most lookups wait on no load but the table's.
    reach = 64 - width
    held = -(1 << 40)
    buf = np.uint64(0)
    while pos < nbits:
        held, buf, d = _window(words, pos, held, buf, reach)
        key = (buf << np.uint64(d)) >> shift_w
        if windows:
            e = multi[key]
            c = e & 255
            if c > 0:
                b = (e >> 8) & 255
                if pos + b <= nbits and i + MULTI_MAX <= nsent:
                    # Every slot is written (a fixed trip count the compiler unrolls, no branch
                    # on how many codewords the window held); the next lookup overwrites the rest.
                    for j in range(MULTI_MAX):
                        out[i + j] = (e >> (16 + 8 * j)) & 255
                    i += c
                    pos += b
                    continue
                if pos + b <= nbits:
                    for j in range(c):
                        if i < nsent:
                            out[i] = (e >> (16 + 8 * j)) & 255
                        else:
                            mismatches += 1  # more decoded than sent
                        i += 1
                    pos += b
                    continue
        n = prim_len[key]
        if n > 0:
            if pos + n > nbits:
                break  # a partial codeword: wait for more bits
            s = prim_sym[key]
            pos += n
        elif n == 0:
            node = prim_sym[key]
            p = pos + width
            s = -1
            while True:
                if p >= nbits:
                    break
                bit = np.int64((words[p >> 6] >> np.uint64(63 - (p & 63))) & np.uint64(1))
                t = tree[2 * node + bit]
                p += 1
                if t == -(1 << 62):
                    error = p - 1
                    break
                if t < 0:
                    s = -1 - t
                    break
                node = t
            if error >= 0 or s < 0:
                break
            pos = p
        else:
            if pos + width > nbits:
                break  # the window ran past the end: the dead end may be padding, wait for bits
            error = pos
            break
        if i < nsent:
            if defer:
                out[i] = s
            elif s != (sent[i] if same else to_code[sent[i]]):
                mismatches += 1
        else:
            mismatches += 1
        i += 1
    return i, pos, mismatches, error


#: Fewest symbols a chunk needs for :func:`decode_split` to parse it in lanes.
SPLIT_MIN = 4096
#: Parses :func:`decode_split` interleaves.
LANES = 4


@intrinsic
def _store_word(typingctx, array, index, value):  # type: ignore[no-untyped-def]  # pragma: no cover
    """Store the 8 bytes of ``value`` (little-endian) from slot ``index`` of an array on
    (eight uint8 slots, or two int32), unaligned."""

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        data = context.make_array(signature.args[0])(context, builder, args[0]).data
        at = builder.bitcast(builder.gep(data, [args[1]]), ir.IntType(64).as_pointer())
        builder.store(builder.bitcast(args[2], ir.IntType(64)), at, align=1)
        return context.get_dummy_value()

    return types.void(array, index, value), codegen


@njit(cache=True, nogil=True)
def decode_split(
    words, nbits, prim_sym, prim_len, multi, tree, width, sent, to_code, result, code_lens, marks
):  # pragma: no cover
    """:func:`decode_chunk` as four interleaved parses: the same result.

    A prefix code is parsed left to right, each lookup waiting on the one
    before. Here lane j (j = 0 … 3) starts at message j·q (q = ⌊n/4⌋ of the n
    sent) and at the bit where that message's codeword would begin, and the
    lanes take turns, so three look up while one waits. The starting bits are
    ``marks`` (the encoder's, :func:`encode_pairs`) or, when ``marks`` is
    empty, the sums of the sent messages' lengths ``code_lens``. They are only
    a guess, and the result does not rest on them: lane 0 parses from bit 0 as
    :func:`decode_chunk` does, and each lane's parse is taken as the next one's
    continuation only if it ends exactly at the next lane's start, with
    exactly q symbols and no error (a prefix code's parse from a codeword
    boundary is the same whichever way the boundary was reached); otherwise
    the chunk is parsed again by :func:`decode_chunk`.

    Each turn a lane takes a whole window of codewords from ``multi`` (codes
    of at most 256 symbols) or, where the window holds none (a codeword longer
    than ``width`` bits) or there is no ``multi`` (larger codes), one codeword
    by the primary table and the tree (:func:`_slow_step`), and stays in the
    shared loop. The symbols are written out (a byte each, or four bytes for
    larger codes) and compared with those sent in one pass at the end.
    """
    nsent = sent.size
    if nsent < SPLIT_MIN or not LITTLE_ENDIAN:
        decode_chunk(words, nbits, prim_sym, prim_len, multi, tree, width, sent, to_code, result)
        return
    args = (words, nbits, prim_sym, prim_len, multi, tree, width, sent, to_code, result, code_lens, marks)
    if multi.size == 0:
        _lanes(*args, tree, np.empty(nsent + 8, np.int32))  # a slow step every turn
    elif tree[0] != _NOWHERE or tree[1] != _NOWHERE or tree.size > 2:  # codewords past the window
        _lanes(*args, tree, np.empty(nsent + 8, np.uint8))
    else:
        _lanes(*args, _NO_STEPS, np.empty(nsent + 8, np.uint8))  # whole windows only


def _turn(words, pos, shift_w, multi, prim_sym, prim_len, steps, width, out):  # type: ignore[no-untyped-def]  # pragma: no cover
    """A lane's turn at bit ``pos`` as a :func:`multi_table` entry (0: the lane must leave the shared loop).

    Chosen when compiling, by the types, so the loop holds only what the code needs:
    a ``multi`` lookup alone (``out`` of bytes, ``steps`` an empty byte array: no codeword
    is longer than the window), a lookup and a :func:`_slow_step` where it finds no whole
    codeword (``steps`` the tree), or a slow step every turn (``out`` of int32: no ``multi``).
    """


@overload(_turn)
def _turn_of(words, pos, shift_w, multi, prim_sym, prim_len, steps, width, out):  # type: ignore[no-untyped-def]  # pragma: no cover
    if out.dtype != types.uint8:

        def every(words, pos, shift_w, multi, prim_sym, prim_len, steps, width, out):  # type: ignore[no-untyped-def]
            reg = _bits64(words, pos)
            return _slow_step(reg, reg >> shift_w, prim_sym, prim_len, steps, width)

        return every
    if steps.dtype == types.uint8:
        return lambda words, pos, shift_w, multi, prim_sym, prim_len, steps, width, out: multi[
            _bits64(words, pos) >> shift_w
        ]

    def where_needed(words, pos, shift_w, multi, prim_sym, prim_len, steps, width, out):  # type: ignore[no-untyped-def]
        reg = _bits64(words, pos)
        e = multi[reg >> shift_w]
        if (e & 255) == 0:
            e = _slow_step(reg, reg >> shift_w, prim_sym, prim_len, steps, width)
        return e

    return where_needed


@njit(cache=True, nogil=True)
def _lanes(
    words, nbits, prim_sym, prim_len, multi, tree, width, sent, to_code, result, code_lens, marks, steps, out
):  # pragma: no cover
    """The lanes of :func:`decode_split`, writing the symbols to ``out`` (uint8 with ``multi``, else int32).

    A turn's symbols are written with one 8-byte store (up to :data:`MULTI_MAX`
    bytes, or one int32 and a zero); what lies past its last symbol is
    overwritten by the lane's next turn, and a lane leaves the shared loop 8
    slots before the next lane's first symbol.
    """
    nsent = sent.size
    q = nsent // LANES
    if marks.size == LANES - 1:
        h1, h2, h3 = marks[0], marks[1], marks[2]
    else:
        h1, h2, h3 = _lane_starts(sent, to_code, code_lens, q)
    if not 0 <= h1 <= h2 <= h3 <= nbits:
        decode_chunk(words, nbits, prim_sym, prim_len, multi, tree, width, sent, to_code, result)
        return
    shift_w = np.uint64(64 - width)
    symbols = np.uint64(16)
    p0, i0 = 0, 0
    p1, i1 = h1, q
    p2, i2 = h2, 2 * q
    p3, i3 = h3, 3 * q
    while True:  # every lane a turn, while every lane can
        e0 = _turn(words, p0, shift_w, multi, prim_sym, prim_len, steps, width, out)
        e1 = _turn(words, p1, shift_w, multi, prim_sym, prim_len, steps, width, out)
        e2 = _turn(words, p2, shift_w, multi, prim_sym, prim_len, steps, width, out)
        e3 = _turn(words, p3, shift_w, multi, prim_sym, prim_len, steps, width, out)
        b0 = (e0 >> 8) & 255
        b1 = (e1 >> 8) & 255
        b2 = (e2 >> 8) & 255
        b3 = (e3 >> 8) & 255
        if (e0 & 255) == 0 or p0 + b0 > h1 or i0 + 8 > q:
            break
        if (e1 & 255) == 0 or p1 + b1 > h2 or i1 + 8 > 2 * q:
            break
        if (e2 & 255) == 0 or p2 + b2 > h3 or i2 + 8 > 3 * q:
            break
        if (e3 & 255) == 0 or p3 + b3 > nbits or i3 + 8 > nsent:
            break
        _store_word(out, i0, np.uint64(e0) >> symbols)
        _store_word(out, i1, np.uint64(e1) >> symbols)
        _store_word(out, i2, np.uint64(e2) >> symbols)
        _store_word(out, i3, np.uint64(e3) >> symbols)
        i0 += e0 & 255
        p0 += b0
        i1 += e1 & 255
        p1 += b1
        i2 += e2 & 255
        p2 += b2
        i3 += e3 & 255
        p3 += b3
    # Each lane finishes alone; each must stop exactly where the next began.
    for j in range(LANES - 1):
        pos, i, stop = (p0, i0, h1) if j == 0 else (p1, i1, h2) if j == 1 else (p2, i2, h3)
        i, pos, bad, error = _parse(
            words, stop, pos, i, (j + 1) * q, sent, to_code, out, prim_sym, prim_len, multi, tree, width
        )
        if i != (j + 1) * q or pos != stop or bad or error >= 0:
            decode_chunk(words, nbits, prim_sym, prim_len, multi, tree, width, sent, to_code, result)
            return
    i, pos, mismatches, error = _parse(
        words, nbits, p3, i3, nsent, sent, to_code, out, prim_sym, prim_len, multi, tree, width
    )
    result[0] = i
    result[1] = pos
    result[2] = mismatches + _compare(out, i, sent, to_code)
    result[3] = error


@njit(cache=True, nogil=True)
def _lane_starts(sent, to_code, code_lens, q):  # pragma: no cover
    """The bits before messages q, 2q and 3q of ``sent``: the sums of their codewords' lengths."""
    starts = [0, 0, 0]
    bits = 0
    for j in range(LANES - 1):
        if to_code.size == 0:
            for k in range(j * q, (j + 1) * q):
                bits += code_lens[np.uint64(sent[k])]
        else:
            for k in range(j * q, (j + 1) * q):
                bits += code_lens[to_code[sent[k]]]
        starts[j] = bits
    return starts[0], starts[1], starts[2]


#: A line's running state, one record per link it carries (see :func:`line_chunk`).
LINE_STATE = np.dtype(
    [
        ("last_arrival", np.float64),  # arrival of the telegram last served
        ("wait", np.float64),  # its wait
        ("service", np.float64),  # its transmission time
        ("departure", np.float64),  # when it left the transmitter (end of its transmission)
        ("wait_sum", np.float64),
        ("max_wait", np.float64),
        ("busy", np.float64),  # seconds on the wire
        ("delay_sum", np.float64),  # Σ over messages of delivery − arrival
        ("telegrams", np.int64),
        ("bits", np.int64),
        # shared lines: telegrams arriving while every link on the wire was still sending
        ("overlap_wait_sum", np.float64),
        ("overlap_telegrams", np.int64),
    ]
)
#: A line's constants for one link (one record).
LINE_PARAMS = np.dtype(
    [
        ("telegram", np.int64),  # messages per telegram
        ("baud", np.float64),
        ("back_to_back", np.bool_),
        ("latency", np.float64),
        ("scale", np.float64),  # wait histogram: the mean service time, its centre
        ("per_decade", np.float64),  # histogram bins per decade
        ("decades", np.float64),  # decades either side of the scale
        ("batch_size", np.int64),  # telegrams per batch of the batch-means standard error
        ("priority", np.int64),  # on a shared line: lower is served first
        ("extra", np.int64),  # bits a channel code adds to every telegram (parity per telegram: 1; else 0)
    ]
)


@njit(cache=True, nogil=True)
def _log_bin(wait, scale, per_decade, decades, nbins):  # pragma: no cover
    """The wait histogram's bin by its definition: 0 for no wait, 1 below the log bins, then
    ⌊(log10(wait / scale) + decades) · per_decade⌋ + 2, the last bin open.

    The kernels bin with :func:`wait_bins`' table instead (no logarithm per
    telegram); this is what the table is built from, and what it is tested against.
    """
    if wait == 0.0:
        return 0
    j = int(math.floor((math.log10(wait / scale) + decades) * per_decade))
    if j < 0:
        return 1
    if j >= nbins - 3:
        return nbins - 1
    return 2 + j


def _bitcast(source: types.Type, target: types.Type) -> object:
    """A compiled-only function reinterpreting a ``source`` value's bits as a ``target`` (no memory)."""

    @intrinsic
    def cast(typingctx, x):  # type: ignore[no-untyped-def]  # pragma: no cover
        def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
            return builder.bitcast(args[0], context.get_value_type(target))

        return target(source), codegen

    return cast


#: The IEEE 754 bit pattern of a float64 as an int64, and back.
_float_bits = _bitcast(types.float64, types.int64)
_bits_float = _bitcast(types.int64, types.float64)


#: Bits of a float64 that key :func:`wait_bins`' guide: sign, exponent and the top mantissa bits.
#: Four mantissa bits cut an octave into slices narrower (≤ 0.088 octave) than a histogram bin
#: (0.166 octave at 20 bins a decade), so at most one bin boundary falls in a slice.
_KEY_SHIFT = 48


@njit(cache=True, nogil=True)
def _bin_edges(scale, per_decade, decades, nbins, out):  # pragma: no cover
    """``out[c]``: the least positive float64 :func:`_log_bin` puts in bin c + 2 or above.

    Bisection on the bit patterns, which order positive floats as integers;
    the bin never decreases as the wait grows, so each edge is exact.
    """
    for c in range(out.size):
        lo = np.int64(0)  # +0.0: bin 0, below
        hi = np.int64(0x7FF0000000000000)  # +inf: the open bin
        while hi - lo > 1:
            mid = lo + (hi - lo) // 2
            if _log_bin(_bits_float(mid), scale, per_decade, decades, nbins) >= c + 2:
                hi = mid
            else:
                lo = mid
        out[c] = _bits_float(hi)


@functools.lru_cache(maxsize=64)
def wait_bins(scale: float, per_decade: float, decades: float, nbins: int) -> np.ndarray:
    """The table the kernels bin waits with: exactly :func:`_log_bin`'s bins, without a log.

    ``edges[c]`` is the least wait of bin c + 2 (c = 0 … nbins − 3; the last
    opens the open bin), so a positive wait's bin is 1 + the number of edges
    at or below it. The guide, indexed by the wait's top bits
    (:data:`_KEY_SHIFT`) from the first edge's key to the last's, holds that
    number at the first float of the key's slice; a step or two finishes it.
    One float64 row (keys and counts are exact in a float64):
    [lowest key, highest key, number of edges, edges…, guide…]. Read-only (cached).
    """
    edges = np.empty(nbins - 2)
    _bin_edges(scale, per_decade, decades, nbins, edges)
    keys = edges.view(np.int64) >> _KEY_SHIFT
    lo, hi = int(keys[0]), int(keys[-1])
    firsts = (np.arange(lo, hi + 1, dtype=np.int64) << _KEY_SHIFT).view(np.float64)
    guide = np.searchsorted(edges, firsts, side="right").astype(np.float64)
    row = np.concatenate(([lo, hi, edges.size], edges, guide))
    row.flags.writeable = False
    return row


@njit(cache=True, nogil=True, inline="always")
def _wait_bin(wait, bins, nbins):  # pragma: no cover
    """The wait histogram's bin from a :func:`wait_bins` row: :func:`_log_bin`'s, without the log."""
    if wait == 0.0:
        return 0
    key = _float_bits(wait) >> _KEY_SHIFT
    lo = np.int64(bins[0])
    if key < lo:
        return 1
    if key > np.int64(bins[1]):
        return nbins - 1
    m = np.int64(bins[2])
    c = np.int64(bins[3 + m + key - lo])
    while c < m and wait >= bins[3 + c]:
        c += 1
    return 1 + c


@njit(cache=True, nogil=True)
def line_chunk(arrival, sym, lens, params, state, hist, batch, bins):  # pragma: no cover
    """Lindley's recursion over a chunk of telegrams, with running statistics.

    Messages ``sym`` (codeword lengths ``lens[sym]``) travel ``telegram`` to a
    telegram; a telegram leaves when its last message is in (``arrival``)
    and takes (bits + ``extra``) / ``baud`` seconds on the wire, ``extra``
    the bits a channel code adds to every telegram (its parity bit), which
    the bit total counts too: it is what the wire carries. W_i = max(0, W_{i−1} +
    S_{i−1} − (A_i − A_{i−1})); back-to-back telegrams start the moment the
    line frees. Adds Σ (delivery − message arrival) to the delay sum.
    ``params`` is a :data:`LINE_PARAMS` record array, ``state`` a
    :data:`LINE_STATE` one (one record each). ``batch[j]`` sums the waits of
    telegrams j·b … (j + 1)·b − 1 (b the micro-batch size): a fixed number of
    running sums, whatever the run's length, from which the batch-means
    standard error is computed after the run. ``bins`` is the histogram's
    :func:`wait_bins` row. Returns the last departure time.

    Every running total (the current micro-batch's sum and the count of
    zero waits included) lives in a local for the whole chunk and is written
    back once: the loop carries no sum through memory. The sums are the same
    additions in the same order as one telegram at a time, so the numbers do
    not depend on the chunk size.
    """
    p = params[0]
    st = state[0]
    telegram = p.telegram
    baud = p.baud
    extra = p.extra
    back_to_back = p.back_to_back
    latency = p.latency
    batch_size = p.batch_size
    last_arrival = st.last_arrival
    wait = st.wait
    last_service = st.service
    departure = st.departure
    wait_sum = st.wait_sum
    max_wait = st.max_wait
    busy = st.busy
    delay_sum = st.delay_sum
    count = st.telegrams
    bits_total = st.bits
    nbins = hist.size
    n = sym.size
    zeros = 0  # waits of exactly 0 (bin 0), added to the histogram at the end
    slot = count // batch_size  # the micro-batch being summed, its sum so far, telegrams left in it
    room = batch_size - count % batch_size
    nslots = batch.size
    slot_sum = batch[slot] if slot < nslots else 0.0
    if back_to_back and telegram == 1:
        # The line never idles and a telegram is one message: every wait is +0.0, which leaves
        # the wait sums, the micro-batch sums and the longest wait as they are (x + 0.0 == x for
        # any sum of non-negative waits), so only the clock, the bits and the delays move.
        # Each colour's transmission time, its telegram's extra bits included, divided once
        # (the same division, so the same value).
        table = lens.size < n  # fewer colours than messages (a stream code's lens are per message)
        service = np.empty(lens.size if table else 0)
        for c in range(service.size):
            service[c] = (lens[c] + extra) / baud
        for m in range(n):
            tb = lens[sym[m]]
            bits_total += tb
            s = service[sym[m]] if table else (tb + extra) / baud
            departure = departure + s
            delay_sum += s + latency
            busy += s
        if n:
            bits_total += extra * n
            wait = 0.0
            last_service = (lens[sym[n - 1]] + extra) / baud
            zeros = n
            count += n
            slot = count // batch_size
            slot_sum = batch[slot] if slot < nslots else 0.0
    else:
        m = 0
        while m < n:
            k = min(telegram, n - m)
            tb = extra
            for j in range(m, m + k):
                tb += lens[sym[j]]
            bits_total += tb
            s = tb / baud
            if back_to_back:
                start = departure
                wait = 0.0
                departure = start + s
                delay_sum += k * (s + latency)
            else:
                a = arrival[m + k - 1]
                wait = wait + last_service - (a - last_arrival)
                if wait < 0.0 or count == 0:
                    wait = 0.0
                last_arrival = a
                departure = a + wait + s
                for j in range(m, m + k):
                    delay_sum += departure + latency - arrival[j]
            last_service = s
            m += k
            busy += s
            wait_sum += wait
            if wait > max_wait:
                max_wait = wait
            if wait == 0.0:
                zeros += 1
            else:
                hist[_wait_bin(wait, bins, nbins)] += 1
            slot_sum += wait
            room -= 1
            if room == 0:
                if slot < nslots:
                    batch[slot] = slot_sum
                slot += 1
                slot_sum = batch[slot] if slot < nslots else 0.0
                room = batch_size
            count += 1
    if slot < nslots:
        batch[slot] = slot_sum
    hist[0] += zeros
    st.last_arrival = last_arrival
    st.wait = wait
    st.service = last_service
    st.departure = departure
    st.wait_sum = wait_sum
    st.max_wait = max_wait
    st.busy = busy
    st.delay_sum = delay_sum
    st.telegrams = count
    st.bits = bits_total
    return departure


@njit(cache=True, nogil=True)
def telegrams_of(
    arrival, sym, lens, telegram, out_arrival, out_bits, out_messages, out_arrival_sum
):  # pragma: no cover
    """Group a batch's messages into telegrams of ``telegram`` messages (the last may be short).

    Each telegram's arrival is its last message's; its bits the sum of its
    codeword lengths; ``out_arrival_sum`` the sum of its messages' arrivals
    (for the delays). Returns the number of telegrams.
    """
    n = sym.size
    m = 0
    t = 0
    while m < n:
        k = min(telegram, n - m)
        tb = 0
        asum = 0.0
        for j in range(m, m + k):
            tb += lens[sym[j]]
            asum += arrival[j]
        out_arrival[t] = arrival[m + k - 1]
        out_bits[t] = tb
        out_messages[t] = k
        out_arrival_sum[t] = asum
        m += k
        t += 1
    return t


@njit(cache=True, nogil=True)
def shared_serve(
    arrival,
    bits,
    messages,
    arrival_sum,
    start,
    end,
    horizon,
    overlap_end,
    free_at,
    params,
    state,
    hist,
    batch,
    bins,
    departures,
):  # pragma: no cover
    """Serve the telegrams of several links on one wire, in order, up to a common horizon.

    Link j's pending telegrams are ``[start[j], end[j])`` of the flat arrays
    (``arrival``, ``bits``, ``messages``, ``arrival_sum``), in arrival order. Whenever the wire
    frees (at ``free_at[0]``) it takes, among the telegrams that have arrived,
    the one of the lowest ``priority`` (non-preemptive), the earliest arrival
    first, the lower link index on ties: FIFO when every priority is equal. A
    choice at time d is made only when d < ``horizon`` (every link has handed
    over all its telegrams arriving before it), so the order never depends on
    how the streams were cut into batches. Statistics go to each link's
    :data:`LINE_STATE` record and its rows of ``hist`` and ``batch``; each served
    telegram's departure to ``departures`` (``bins``: each link's
    :func:`wait_bins` row). A telegram of link j takes (bits + ``extra``) /
    ``baud`` seconds (its params' fields). Advances ``start`` and ``free_at``.
    Telegrams arriving by ``overlap_end`` (when the first link stops sending)
    are also counted in the ``overlap_`` fields: a prefix of each link's
    telegrams, the stretch theory's steady state describes.
    """
    links = start.size
    nbins = hist.shape[1]
    t_free = free_at[0]
    while True:
        first = math.inf
        for j in range(links):
            if start[j] < end[j] and arrival[start[j]] < first:
                first = arrival[start[j]]
        if first == math.inf:
            break
        d = max(t_free, first)
        if not d < horizon:
            break
        best = -1
        for j in range(links):
            if start[j] < end[j] and arrival[start[j]] <= d:
                if best < 0:
                    best = j
                else:
                    pj, pb = params[j].priority, params[best].priority
                    if pj < pb or (pj == pb and arrival[start[j]] < arrival[start[best]]):
                        best = j
        i = start[best]
        p = params[best]
        st = state[best]
        a = arrival[i]
        begin = max(t_free, a)
        wait = begin - a
        tb = bits[i] + p.extra
        s = tb / p.baud
        t_free = begin + s
        departures[i] = t_free
        start[best] = i + 1
        st.last_arrival = a
        st.wait = wait
        st.service = s
        st.departure = t_free
        st.wait_sum += wait
        if a <= overlap_end:
            st.overlap_wait_sum += wait
            st.overlap_telegrams += 1
        if wait > st.max_wait:
            st.max_wait = wait
        st.busy += s
        st.delay_sum += messages[i] * (t_free + p.latency) - arrival_sum[i]
        hist[best, _wait_bin(wait, bins[best], nbins)] += 1
        slot = st.telegrams // p.batch_size
        if slot < batch.shape[1]:
            batch[best, slot] += wait
        st.telegrams += 1
        st.bits += tb
    free_at[0] = t_free


@njit(cache=True, nogil=True)
def poisson_times(gaps, state):  # pragma: no cover
    """Arrival times from inter-arrival gaps, continuing from ``state[0]`` (one addition each)."""
    out = np.empty(gaps.size)
    t = state[0]
    for i in range(gaps.size):
        t += gaps[i]
        out[i] = t
    state[0] = t
    return out


class DecodeTables:
    """The lookup tables :func:`decode_chunk` parses a binary prefix code with.

    Built with whole-array operations (no loop over symbols), so a code of a
    million symbols gets its tables in well under a second.
    """

    def __init__(self, code: Code) -> None:
        if code.D != 2 or not code.is_prefix_free:
            raise ValueError("the engine decodes binary prefix codes only")
        lens = code.length_array()
        maxlen = int(lens.max())
        if maxlen > MAX_TABLE_BITS:
            raise ValueError(f"codewords longer than {MAX_TABLE_BITS} bits are not supported")
        vals = code.value_array()
        small = lens.size <= 256  # symbols fit the 8-bit slots of the multi-codeword table
        # A complete code (Kraft sum 1) has no dead ends, so a window wider than its longest
        # codeword changes nothing but lets one lookup take several codewords.
        complete = sum(1 << (maxlen - int(n)) for n in lens) == 1 << maxlen if small else False
        width = PRIMARY_BITS if complete else min(maxlen, PRIMARY_BITS)
        self.width = width
        self.lens = lens  # each symbol's codeword length (decode_split's hint)
        self.prim_sym = np.zeros(1 << width, dtype=np.int64)
        self.prim_len = np.full(1 << width, -1, dtype=np.int64)
        sym = np.arange(lens.size, dtype=np.int64)
        short = lens <= width
        # A codeword of l ≤ width bits owns the 2^(width − l) slots that start with it.
        span = np.left_shift(1, width - lens[short])
        first = vals[short] << (width - lens[short])
        slots = np.repeat(first - np.cumsum(span) + span, span) + np.arange(int(span.sum()))
        self.prim_sym[slots] = np.repeat(sym[short], span)
        self.prim_len[slots] = np.repeat(lens[short], span)
        self.tree = _long_tree(vals[~short], lens[~short], sym[~short], width, self.prim_sym, self.prim_len)
        self.multi = multi_table(self.prim_sym, self.prim_len, width) if small else _NO_MULTI


#: Most codewords one :func:`multi_table` entry holds.
MULTI_MAX = 6
_NO_MULTI = np.zeros(0, dtype=np.int64)
_NO_STEPS = np.zeros(0, dtype=np.uint8)  # decode_split's lanes: no codeword longer than the window


def multi_table(prim_sym: np.ndarray, prim_len: np.ndarray, width: int) -> np.ndarray:
    """For each ``width``-bit window, the whole codewords it starts with (at most :data:`MULTI_MAX`).

    Entry: count | bits << 8 | symbol_j << (16 + 8j) (symbols below 256).
    Worth it for codes whose codewords are short next to ``width``; a
    window whose first codeword is longer (or a dead end) gets count 0.
    """
    return _multi_entries(prim_sym, prim_len, width, np.zeros(1 << width, dtype=np.int64))


@njit(cache=True, nogil=True)
def _multi_entries(prim_sym, prim_len, width, entry):  # pragma: no cover
    mask = (1 << width) - 1
    for key in range(entry.size):
        used = 0
        count = 0
        e = 0
        for j in range(MULTI_MAX):
            rest = (key << used) & mask  # the bits not yet parsed, zero-filled on the right
            n = prim_len[rest]
            if n <= 0 or used + n > width:  # no whole codeword within the real bits
                break
            e |= prim_sym[rest] << (16 + 8 * j)
            used += n
            count += 1
        entry[key] = e | count | (used << 8)
    return entry


#: Longest codeword :class:`DecodeTables` accepts (a prefix and its depth share one int64 key).
MAX_TABLE_BITS = 57


def _long_tree(vals, lens, sym, width, prim_sym, prim_len):  # type: ignore[no-untyped-def]
    """The bit-by-bit tree under the primary table, for codewords longer than ``width`` bits.

    Its nodes are the distinct prefixes of depth width .. l − 1 of the long
    codewords (numbered in key order); ``prim_sym`` points each width-bit
    prefix at its node (``prim_len`` 0). Returns the flattened children.
    """
    if lens.size == 0:
        return np.array([_NOWHERE, _NOWHERE], dtype=np.int64)
    keys = _node_keys(vals, lens, width)  # one node per (prefix, depth)
    node_depth, node_prefix = keys & 63, keys >> 6
    tree = np.full(2 * keys.size, _NOWHERE, dtype=np.int64)

    def node_of(prefix, depth):  # type: ignore[no-untyped-def]
        return np.searchsorted(keys, (prefix << 6) | depth)

    ids = np.arange(keys.size)
    inner = node_depth > width
    parent = node_of(node_prefix[inner] >> 1, node_depth[inner] - 1)
    tree[2 * parent + (node_prefix[inner] & 1)] = ids[inner]
    leaf_parent = node_of(vals >> 1, lens - 1)
    tree[2 * leaf_parent + (vals & 1)] = -1 - sym
    roots = ~inner
    prim_sym[node_prefix[roots]] = ids[roots]
    prim_len[node_prefix[roots]] = 0
    return tree


_NOWHERE = -(1 << 62)


def _node_keys(vals: np.ndarray, lens: np.ndarray, width: int) -> np.ndarray:
    """The sorted distinct ``prefix << 6 | depth`` of every codeword's prefixes of depth width .. l − 1.

    In the order of the codewords read left-aligned, the prefixes of one depth
    never decrease, so the distinct ones are where they change: one linear
    pass per depth instead of a hash or a sort of all (codeword, depth) pairs
    (a code of 10^6 symbols has ~10^7 of them, and ~10^6 distinct).
    """
    top = int(lens.max())
    order = np.argsort(vals << (top - lens), kind="stable")
    v, n = vals[order], lens[order]
    parts = []
    for d in range(width, top):
        deep = n > d
        prefix = v[deep] >> (n[deep] - d)
        if prefix.size:
            new = np.empty(prefix.size, dtype=bool)
            new[0] = True
            np.not_equal(prefix[1:], prefix[:-1], out=new[1:])
            parts.append((prefix[new] << 6) | d)
    return np.sort(np.concatenate(parts))


def warm_up() -> None:
    """Compile (or load from cache) every kernel on a tiny input."""
    code = Code({"a": "0", "b": "10", "c": "11"})
    tables = DecodeTables(code)
    sym = np.array([0, 1, 2], dtype=np.int64)
    vals = np.array([0, 2, 3], dtype=np.uint64)
    lens = np.array([1, 2, 2], dtype=np.int64)
    words = np.zeros(3, dtype=np.uint64)
    tally = np.zeros(1, dtype=TALLY)
    pts = np.array([1], dtype=np.int64)
    z = np.zeros(1, np.int64)
    n = encode_chunk(sym, vals, lens, words, tally, pts, z, z.copy(), np.zeros(3, np.int64))
    pairs = pair_table(lens, vals)
    encode_pairs(sym, pairs, vals, lens, words.copy(), tally.copy(), pts, z.copy(), z.copy(),
                 np.zeros(3, np.int64), np.zeros(pairs.size, np.int64),
                 np.zeros(LANES - 1, np.int64))  # fmt: skip
    res = np.zeros(4, dtype=np.int64)
    t = tables
    decode_chunk(words, n, t.prim_sym, t.prim_len, t.multi, t.tree, t.width, sym, sym, res)
    decode_chunk(words, n, t.prim_sym, t.prim_len, _NO_MULTI, t.tree, t.width, sym, sym, res)
    for m in (sym, _NO_MULTI):
        for marks in (_NO_MULTI, np.zeros(LANES - 1, np.int64)):
            decode_split(
                words, n, t.prim_sym, t.prim_len, t.multi, t.tree, t.width, sym, m, res, t.lens, marks
            )
    state = np.zeros(2, dtype=LINE_STATE)
    params = np.ones(2, dtype=LINE_PARAMS)
    hist, batch = np.zeros((2, 8), np.int64), np.zeros((2, 4))
    row = wait_bins(1.0, 1.0, 1.0, 8)
    bins = np.stack((row, row))
    params[0]["back_to_back"] = False
    line_chunk(np.zeros(3), sym, lens, params[:1], state[:1], hist[0], batch[0], row)
    params[0]["back_to_back"] = True
    line_chunk(np.zeros(3), sym, lens, params[:1], state[:1], hist[0], batch[0], row)
    arr, bits, msgs, asum = np.empty(3), np.empty(3, np.int64), np.empty(3, np.int64), np.empty(3)
    telegrams_of(np.zeros(3), sym, lens, 1, arr, bits, msgs, asum)
    start, end = np.array([0, 2], np.int64), np.array([2, 3], np.int64)
    shared_serve(
        arr,
        bits,
        msgs,
        asum,
        start,
        end,
        math.inf,
        math.inf,
        np.zeros(1),
        params,
        state,
        hist,
        batch,
        bins,
        np.empty(3),
    )
    draw_chunk(np.zeros(2), 3, np.zeros(1, np.int32), 2, np.arange(1, 4), np.empty(2, np.int64))
    draw_without_replacement(np.zeros(2), np.array([1, 1], np.int64), np.empty(2, np.int64))
    poisson_times(np.ones(2), np.zeros(1))


def needs_compiling() -> bool:
    """True when numba has no on-disk cache of the encoder yet: the first run compiles the kernels.

    Every run encodes, so a missing cache index of :func:`encode_chunk` means
    this run will spend seconds compiling (the CLI says so in one line).
    """
    import os

    cache = getattr(encode_chunk, "_cache", None)
    index = getattr(getattr(cache, "_cache_file", None), "_index_path", None)
    return isinstance(index, str) and not os.path.exists(index)
