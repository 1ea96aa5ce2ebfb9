"""Huffman codes, binary and D-ary."""

from __future__ import annotations

import heapq

from coding._validate import check_alphabet_size
from coding.builders import canonical
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
    nodes in that order.

    >>> die = Distribution.from_counts({s: 1 for s in ("one", "two", "three", "four", "five", "six")})
    >>> huffman_lengths(die)
    [2, 2, 3, 3, 3, 3]
    """
    D = check_alphabet_size(D)
    n = len(p)
    if n == 1:
        return [1]
    dummies = (-(n - 1)) % (D - 1)
    # Heap entries: (probability, age, node). Leaves are nodes 0 .. n−1, dummies follow,
    # then each merged node; a node's parent is always created after it.
    heap: list[tuple[float, int, int]] = [(0.0, -1 - k, n + k) for k in range(dummies)]
    heap += [(float(v), n - 1 - i, i) for i, v in enumerate(p.probabilities)]  # first-listed: youngest
    heapq.heapify(heap)
    parent = [-1] * (n + dummies)
    age = n
    while len(heap) > 1:
        total = 0.0
        node = len(parent)
        parent.append(-1)
        for _ in range(D):
            w, _, child = heapq.heappop(heap)
            total += w
            parent[child] = node
        heapq.heappush(heap, (total, age, node))
        age += 1
    depth = [0] * len(parent)
    for i in range(len(parent) - 2, -1, -1):  # the root is the last node
        depth[i] = depth[parent[i]] + 1
    return depth[:n]


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
    return canonical(p.symbols, huffman_lengths(p, D), D)
