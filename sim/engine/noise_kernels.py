"""Compiled loops of a noisy line (numba): channel noise, channel codes, a decoder that never gives up.

Bits travel as the engine packs them (:func:`sim.engine.kernels.encode_chunk`):
64-bit words, most significant bit first, with one zero padding word after
the last bit. Every loop keeps its state in small int64 arrays and reads its
randomness from one stream of uniforms in a fixed order, so cutting a run
into chunks of any size gives bit-for-bit the same result.

* :func:`noise_chunk` -- Gilbert–Elliott noise (the binary symmetric and
  erasure channels are its one-state cases). It never draws a uniform per
  bit: it jumps from one flip to the next by a geometric gap (inversion:
  1 + ⌊ln U / ln(1 − p)⌋), and from one state switch to the next the same
  way, so a line with ε = 10⁻³ costs about one uniform per thousand bits.
* :func:`recode_chunk` -- a block code as a table, k bits in, n bits out,
  carrying a partial block across chunks (encoding and decoding alike).
* :func:`tolerant_decode` -- a prefix decoder that survives garbage: a dead
  end of an incomplete code drops the failed codeword (the offending bit
  included) and restarts at the root with the next bit, counting it. It
  compares what it decodes with what was sent, by bit position: sent
  message j is right when the decoder emits exactly its symbol over exactly
  its bits. A run of wrong messages is an error event; its length is the
  resynchronisation length (see :mod:`coding.resync` for its theory).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

#: A position beyond any run: "never".
NEVER = 1 << 62
#: Tree slot of a bit that continues no codeword.
NOWHERE = -(1 << 62)

# Noise parameters (float64).
N_ERASE, N_GOOD_FLIP, N_BAD_FLIP, N_TO_BAD, N_TO_GOOD = range(5)
NOISE_PARAMS = 5
# Noise state (int64).
S_STARTED, S_BAD, S_SWITCH, S_NEXT, S_POS, S_HITS, S_BAD_BITS, S_MARK = range(8)
NOISE_STATE = 8

# Decoder state (int64).
D_NODE, D_START, D_POS, D_SENT_START, D_RUN, D_GOOD, D_BAD = range(7)
D_EVENTS, D_RSUM, D_RSQUARES, D_RMAX, D_DEAD, D_DECODED, D_TRACED = range(7, 14)
DECODER_STATE = 14


@njit(cache=True, nogil=True)
def _gap(u, log_stay):  # pragma: no cover
    """A geometric number of trials ≥ 1 (success probability p, ``log_stay`` = ln(1 − p)) from U in (0, 1]."""
    if log_stay == 0.0:
        return NEVER
    g = math.floor(math.log(u) / log_stay)
    if g >= NEVER:
        return NEVER
    return 1 + np.int64(g)


@njit(cache=True, nogil=True)
def noise_chunk(words, mask, nbits, params, state, u, upos):  # pragma: no cover
    """Damage the ``nbits`` bits of ``words`` in place; return the new read position r in ``u`` (or −1 − r).

    The channel is good or bad (Gilbert–Elliott); in state s each bit is hit
    with probability f_s, and after each bit the state switches with
    probability to_bad (from good) or to_good (from bad). A hit flips the bit,
    or, when ``params[N_ERASE]`` is set, erases it: the bit is cleared (an
    erased bit reads as 0) and marked in ``mask``. The first state is drawn
    from the stationary law. Sojourns and gaps between hits are geometric,
    drawn by inversion, so the cost is per hit and per switch, not per bit.

    ``u`` holds uniforms in (0, 1] read from ``upos`` on. When it runs dry the
    kernel stops before the event that needs more, keeps its state and
    returns −1 − r (r the read position): call again with more uniforms (the
    rest of ``u`` from r first) and the same words; it resumes where it stopped.
    """
    erase = params[N_ERASE] != 0.0
    to_bad = params[N_TO_BAD]
    to_good = params[N_TO_GOOD]
    flip_log = (math.log1p(-params[N_GOOD_FLIP]), math.log1p(-params[N_BAD_FLIP]))
    leave_log = (math.log1p(-to_bad), math.log1p(-to_good))
    start = state[S_POS]
    end = start + nbits
    if state[S_STARTED] == 0:
        if upos + 3 > u.size:
            return -1 - upos
        share = 0.0 if to_bad + to_good == 0.0 else to_bad / (to_bad + to_good)
        bad = 1 if 1.0 - u[upos] < share else 0
        state[S_BAD] = bad
        state[S_SWITCH] = start + _gap(u[upos + 1], leave_log[bad])
        state[S_NEXT] = start - 1 + _gap(u[upos + 2], flip_log[bad])
        state[S_STARTED] = 1
        state[S_MARK] = start
        upos += 3
    bad = state[S_BAD]
    switch = state[S_SWITCH]
    nxt = state[S_NEXT]
    hits = state[S_HITS]
    bad_bits = state[S_BAD_BITS]
    mark = state[S_MARK]
    one = np.uint64(1)
    stalled = False
    while True:
        if nxt < switch:
            if nxt >= end:
                break
            if upos + 1 > u.size:
                stalled = True
                break
            r = nxt - start
            bit = one << np.uint64(63 - (r & 63))
            if erase:
                words[r >> 6] &= ~bit
                mask[r >> 6] |= bit
            else:
                words[r >> 6] ^= bit
            hits += 1
            nxt += _gap(u[upos], flip_log[bad])
            upos += 1
        else:
            if switch >= end:
                break
            if upos + 2 > u.size:
                stalled = True
                break
            s0 = switch
            if bad:
                bad_bits += s0 - mark
            mark = s0
            bad = 1 - bad
            switch = s0 + _gap(u[upos], leave_log[bad])
            nxt = s0 - 1 + _gap(u[upos + 1], flip_log[bad])
            upos += 2
    state[S_BAD] = bad
    state[S_SWITCH] = switch
    state[S_NEXT] = nxt
    state[S_HITS] = hits
    if not stalled:
        if bad:
            bad_bits += end - mark
        mark = end
        state[S_POS] = end
    state[S_BAD_BITS] = bad_bits
    state[S_MARK] = mark
    if stalled:
        return -1 - upos
    return upos


@njit(cache=True, nogil=True)
def _take(words, pos, m):  # pragma: no cover
    """The ``m`` bits (1 ≤ m ≤ 57) of ``words`` from bit ``pos`` as an integer."""
    off = pos & 63
    x = words[pos >> 6] << np.uint64(off)
    if off > 0:
        x |= words[(pos >> 6) + 1] >> np.uint64(64 - off)
    return np.int64(x >> np.uint64(64 - m))


@njit(cache=True, nogil=True)
def recode_chunk(words, nbits, k, n, table, flag, carry, out, tally, g, gtable, gflag):  # pragma: no cover
    """Map each k-bit block of the stream to ``table[block]`` written as n bits; return the bits written.

    ``carry`` (value, count) holds an unfinished block across chunks. When
    ``flag`` is not empty, ``tally[0]`` counts the blocks whose ``flag`` is set
    (errors a channel decoder saw) and ``tally[1]`` the blocks read.
    ``out`` needs room for the output plus one padding word. For speed, runs
    of ``g`` whole blocks are mapped at once by ``gtable`` (and counted by
    ``gflag``), the same blocks side by side: the output does not depend on it.
    """
    acc = np.uint64(0)
    used = 0
    w = 0
    total = 0
    pos = 0
    v = carry[0]
    c = carry[1]
    seen = 0
    blocks = 0
    gk = g * k
    while True:
        if c == 0 and g > 1 and pos + gk <= nbits:
            v = _take(words, pos, gk)
            pos += gk
            if flag.size:
                seen += gflag[v]
            blocks += g
            x = np.uint64(gtable[v])
            m = g * n
        else:
            need = k - c
            if pos + need > nbits:
                rest = nbits - pos
                if rest > 0:
                    v = (v << rest) | _take(words, pos, rest)
                    c += rest
                break
            v = (v << need) | _take(words, pos, need)
            pos += need
            if flag.size:
                seen += flag[v]
            blocks += 1
            x = np.uint64(table[v])
            m = n
        total += m
        if used + m < 64:
            acc = (acc << np.uint64(m)) | x
            used += m
        else:
            r = 64 - used
            spill = m - r
            out[w] = (acc << np.uint64(r)) | (x >> np.uint64(spill))
            w += 1
            acc = x & ((np.uint64(1) << np.uint64(spill)) - np.uint64(1)) if spill > 0 else np.uint64(0)
            used = spill
        v = 0
        c = 0
    if used > 0:
        out[w] = acc << np.uint64(64 - used)
        w += 1
    out[w] = np.uint64(0)
    carry[0] = v
    carry[1] = c
    tally[0] += seen
    tally[1] += blocks
    return total


@njit(cache=True, nogil=True)
def _settle(sym, a, p, sent, to_code, lens, j, sj, run, good, state, hist, trace):  # pragma: no cover
    """Judge every sent message that ends by bit ``p``, given the decoder emitted ``sym`` over [a, p).

    ``sym`` < 0 means nothing was emitted (a dead end). A message is right when
    the emission covers exactly its bits with its symbol; a run of wrong ones
    closes as an error event when a right one follows.
    """
    while j < sent.size:
        s = to_code[sent[j]]
        ej = sj + lens[s]
        if ej > p:
            break
        if ej == p and sj == a and sym == s:
            if run > 0:
                state[D_EVENTS] += 1
                state[D_RSUM] += run
                state[D_RSQUARES] += run * run
                if run > state[D_RMAX]:
                    state[D_RMAX] = run
                hist[min(run, hist.size - 1)] += 1
                t = state[D_TRACED]
                if t < trace.shape[0]:
                    trace[t, 0] = good + state[D_BAD] - run
                    trace[t, 1] = run
                    state[D_TRACED] = t + 1
                run = 0
            good += 1
        else:
            run += 1
            state[D_BAD] += 1
        j += 1
        sj = ej
    return j, sj, run, good


@njit(cache=True, nogil=True)
def tolerant_decode(
    words, nbits, prim_val, prim_len, tree, width, sent, to_code, lens, state, hist, trace, out
):  # pragma: no cover
    """Decode ``nbits`` received bits with a prefix code, judging ``sent``; return how many were judged.

    :func:`decode_span` over the whole of ``words``.
    """
    return decode_span(words, 0, nbits, prim_val, prim_len, tree, width, sent, to_code, lens, state, hist,
                       trace, out)  # fmt: skip


@njit(cache=True, nogil=True)
def decode_span(
    words, lo, hi, prim_val, prim_len, tree, width, sent, to_code, lens, state, hist, trace, out
):  # pragma: no cover
    """Decode bits ``lo`` … ``hi`` − 1 of ``words`` with a prefix code, judging ``sent``; return how many
    were judged (the stream position carries on from the last call: bit ``lo`` follows it).

    ``tree[2·node + bit]`` is a node (> 0), a leaf −1 − symbol, or
    :data:`NOWHERE`; node 0 is the root. ``prim_len[key]`` for the next
    ``width`` bits from the root: > 0 a codeword of that length with symbol
    ``prim_val[key]``; < 0 a dead end after −len bits; 0 go on bit by bit from
    node ``prim_val[key]``. The table only speeds up what the bit-by-bit walk
    does, so chunk boundaries change nothing.

    ``sent`` are the messages not yet judged, as indices ``to_code`` maps to
    code symbols; ``lens`` are the codeword lengths per code symbol. Decoded
    symbols go to ``out`` while it has room. Counts, run statistics and the
    position go to ``state`` (the ``D_`` slots); ``hist[r]`` counts events of
    r messages (the last bin: r or more); ``trace`` keeps the first events
    as (first message, length).
    """
    node = state[D_NODE]
    a = state[D_START]
    base = state[D_POS] - lo
    sj = state[D_SENT_START]
    run = state[D_RUN]
    good = state[D_GOOD]
    dead = state[D_DEAD]
    decoded = state[D_DECODED]
    j = 0
    pos = lo
    while pos < hi:
        if node == 0 and pos + width <= hi:
            key = _take(words, pos, width)
            n = prim_len[key]
            a = base + pos
            if n == 0:
                node = prim_val[key]
                pos += width
                continue
            if n > 0:
                sym = prim_val[key]
                pos += n
            else:
                sym = -1
                pos -= n
                dead += 1
        else:
            if node == 0:
                a = base + pos
            bit = np.int64((words[pos >> 6] >> np.uint64(63 - (pos & 63))) & np.uint64(1))
            t = tree[2 * node + bit]
            pos += 1
            if t > 0:
                node = t
                continue
            node = 0
            if t == NOWHERE:
                sym = -1
                dead += 1
            else:
                sym = -1 - t
        if sym >= 0:
            if decoded < out.size:
                out[decoded] = sym
            decoded += 1
        if j < sent.size:
            p = base + pos
            s = to_code[sent[j]]
            if run == 0 and sj == a and sym == s and sj + lens[s] == p:
                good += 1  # the usual case, in step and right: what _settle would do, inline
                j += 1
                sj = p
            else:
                j, sj, run, good = _settle(
                    sym, a, p, sent, to_code, lens, j, sj, run, good, state, hist, trace
                )
    state[D_NODE] = node
    state[D_START] = a
    state[D_POS] = base + hi
    state[D_SENT_START] = sj
    state[D_RUN] = run
    state[D_GOOD] = good
    state[D_DEAD] = dead
    state[D_DECODED] = decoded
    return j


@njit(cache=True, nogil=True)
def _restart(start, end, sent, to_code, lens, state, hist, trace):  # pragma: no cover
    """End a telegram at stream position ``end``: an unfinished codeword is a dead end, the
    telegram's messages still unjudged (``sent``, from ``start``) are wrong, the decoder is at the root."""
    if state[D_NODE] != 0:
        state[D_DEAD] += 1
        state[D_NODE] = 0
    if sent.size:
        _, _, run, good = _settle(
            -1, state[D_START], end, sent, to_code, lens, 0, start, state[D_RUN], state[D_GOOD], state, hist,
            trace,
        )  # fmt: skip
        state[D_RUN] = run
        state[D_GOOD] = good
    state[D_SENT_START] = end


@njit(cache=True, nogil=True)
def telegram_decode(
    words,
    tel_bits,
    tel_msgs,
    lost,
    damaged,
    prim_val,
    prim_len,
    tree,
    width,
    sent,
    to_code,
    lens,
    state,
    hist,
    trace,
    out,
):  # pragma: no cover
    """Decode telegram by telegram (parity per telegram): skip the lost ones, restart at each boundary.

    Telegram t holds ``tel_bits[t]`` bits of ``words`` (in order) and the
    next ``tel_msgs[t]`` messages of ``sent``. A ``lost`` telegram is dropped
    whole, bits and messages (the caller counts them): the decoder never
    sees it. A kept one is decoded by :func:`decode_span`; a telegram carries
    whole codewords, so if the decoder ends it mid-codeword (an undetected
    error threw it off the boundaries) the unfinished codeword is a dead end,
    the telegram's unjudged messages are wrong, and decoding restarts at the
    root on the next telegram's first bit. A restart where the decoder is
    already at the root with every message judged changes nothing, and that
    is so at the end of every telegram that arrived intact; so runs of intact
    kept telegrams are decoded in one span, and the restart is done after each
    ``damaged`` one (a kept telegram with a wrong bit: the result is the same
    as restarting at every boundary, only cheaper). Returns the messages consumed.
    """
    lo = 0  # the telegram's first bit
    j = 0  # its first message
    span_lo = 0  # the span of kept telegrams not yet decoded starts here …
    span_j = 0  # … with this message
    for t in range(tel_bits.size):
        hi = lo + tel_bits[t]
        m = tel_msgs[t]
        if lost[t] or damaged[t]:
            bad = not lost[t]  # kept, with a wrong bit: decode it too, then restart
            end = hi if bad else lo
            mine = sent[span_j : j + m if bad else j]
            k = decode_span(words, span_lo, end, prim_val, prim_len, tree, width, mine, to_code, lens, state,
                            hist, trace, out)  # fmt: skip
            if bad:
                _restart(state[D_SENT_START], state[D_POS], mine[k:], to_code, lens, state, hist, trace)
            if lost[t]:
                state[D_POS] += hi - lo
                state[D_SENT_START] += hi - lo
            span_lo = hi
            span_j = j + m
        lo = hi
        j += m
    mine = sent[span_j:j]
    decode_span(
        words, span_lo, lo, prim_val, prim_len, tree, width, mine, to_code, lens, state, hist, trace, out
    )
    return j
