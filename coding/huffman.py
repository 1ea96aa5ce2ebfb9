"""Huffman codes, binary and D-ary."""

from __future__ import annotations

import numpy as np

from coding._validate import check_alphabet_size
from coding.builders import canonical_code
from coding.code import Code
from coding.distribution import Distribution

__all__ = ["huffman", "huffman_lengths"]


def huffman_lengths(p: Distribution, D: int = 2) -> list[int]:
    """Optimal codeword lengths for ``p`` (in symbol order).

    Tie-break (deterministic): nodes are ordered by (probability, age). Leaves
    are aged by their position in ``p.symbols`` read from the end: among equal
    probabilities the last-listed symbol is merged first and so goes deepest,
    and the first-listed symbols get the short codewords (a fair die's one and
    two, not its five and six). Every merged node is younger than all nodes
    before it; D-ary dummy symbols (probability 0, added so that (n − 1) is a
    multiple of D − 1) are oldest of all. Each step merges the D smallest
    nodes in that order, adding their probabilities in that order.

    The two-queue method (van Leeuwen 1976) runs in O(n log n): leaves sorted
    once, merged nodes queued in the order they are made (their weights never
    decrease). It works in rounds of numpy operations: every node no heavier
    than the first node a round makes is merged in that round, in order, so
    the lightest weight at least doubles from one round to the next.

    >>> die = Distribution.from_counts({s: 1 for s in ("one", "two", "three", "four", "five", "six")})
    >>> huffman_lengths(die)
    [2, 2, 3, 3, 3, 3]
    """
    D = check_alphabet_size(D)
    n = len(p)
    if n == 1:
        return [1]
    dummies = (-(n - 1)) % (D - 1)
    probs = np.asarray(p.probabilities, dtype=np.float64)
    order = np.lexsort((-np.arange(n), probs))  # (probability, position from the end): first-listed last
    leaf_w = np.concatenate((np.zeros(dummies), probs[order]))
    leaves = leaf_w.size
    merges = (leaves - 1) // (D - 1)
    # Node ids: leaves 0 .. leaves-1 in queue order, then merged nodes in the order made.
    weight = np.concatenate((leaf_w, np.empty(merges)))
    rounds: list[tuple[np.ndarray, np.ndarray]] = []  # (children, parent) of each round's merges
    li, mi, made = 0, leaves, leaves  # heads of the two queues, next free id
    while made - mi + leaves - li > 1:
        bound = _first_merge(weight, li, leaves, mi, made, D)  # the first node this round makes
        lcut = li + int(np.searchsorted(leaf_w[li:], bound, side="right"))
        mcut = mi + int(np.searchsorted(weight[mi:made], bound, side="right"))
        ids = _merge_queues(weight, np.arange(li, lcut), np.arange(mi, mcut))
        k = ids.size // D
        group = ids[: k * D].reshape(k, D)
        total = np.zeros(k)
        for j in range(D):  # the heap's order of additions
            total += weight[group[:, j]]
        new = np.arange(made, made + k)
        weight[new] = total
        rounds.append((group, new))
        used = group.ravel()
        li += int(np.count_nonzero(used < leaves))
        mi += int(np.count_nonzero(used >= leaves))
        made += k
    depth = np.zeros(leaves + merges, dtype=np.int64)
    for group, new in reversed(rounds):  # parents are made in later rounds than their children
        depth[group] = depth[new][:, None] + 1
    out = np.empty(n, dtype=np.int64)
    out[order] = depth[dummies:leaves]
    lengths: list[int] = out.tolist()
    return lengths


def _first_merge(weight: np.ndarray, li: int, leaves: int, mi: int, made: int, D: int) -> float:
    """The weight of the next merged node: the D lightest heads of the two queues, added in order."""
    heads = np.concatenate((weight[li : min(li + D, leaves)], weight[mi : min(mi + D, made)]))
    heads = heads[np.argsort(heads, kind="stable")][:D]
    total = 0.0
    for w in heads.tolist():
        total += w
    return total


def _merge_queues(weight: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Node ids ``a`` (leaves) and ``b`` (merged nodes), each sorted by weight, merged in order.

    On equal weights leaves come first: they are older than every merged node.
    """
    wa, wb = weight[a], weight[b]
    out = np.empty(a.size + b.size, dtype=np.int64)
    out[np.arange(a.size) + np.searchsorted(wb, wa, side="left")] = a
    out[np.arange(b.size) + np.searchsorted(wa, wb, side="right")] = b
    return out


def huffman(p: Distribution, D: int = 2) -> Code:
    """An optimal prefix code for ``p`` (Huffman 1952) with canonical codewords.

    Lengths come from :func:`huffman_lengths`; codewords are then assigned
    canonically in order of (length, symbol order). The expected length obeys
    H(p) ≤ L < H(p) + 1 (in D-ary digits: H_D(p) ≤ L < H_D(p) + 1), except
    for a degenerate source where one symbol has probability 1: H = 0 but
    codewords are never empty, so L = 1 = H + 1.

    >>> india = Distribution.from_counts({"blue": 25, "red": 50, "green": 13, "yellow": 12})
    >>> code = huffman(india)
    >>> dict(code.codewords)
    {'blue': '10', 'red': '0', 'green': '110', 'yellow': '111'}
    >>> code.expected_length(india)
    1.75
    """
    if not isinstance(p, Distribution):
        raise TypeError(f"'p' must be a Distribution (got {type(p).__name__})")
    return canonical_code(p.symbols, huffman_lengths(p, D), D, checked=True)
