"""How long a prefix code stays lost after one bit flip: exact resynchronisation theory.

A decoder of a prefix code walks the code tree bit by bit from the root; at
a leaf it emits a symbol and returns to the root. When a bit flips, the
decoder's parse and the true parse part ways. We say the decoder is **in
step** at a true codeword boundary when it stands at the root there. The
**resynchronisation length** R of a flip is the number of sent messages that
are not decoded correctly, from the one holding the flip to the one at whose
end the decoder is back in step (R = 1 when the flip turns a codeword into
another of the same length, as in a fixed-length code).

At every true boundary the decoder stands at some internal node v of the tree
(the root when in step). The next message x, drawn from the source q, moves
it deterministically to node T(v, x): feed x's bits from v, returning to the
root at every leaf and also at a dead end of an incomplete code (the decoder
drops the bits of the failed codeword, the offending bit included, and
restarts at the next bit). So the nodes form a Markov chain with
P(v → w) = Σ_{x : T(v, x) = w} q(x). A flip lands in message x with
probability q(x)·l(x)/L (longer codewords catch more flips), at each of its
l(x) bits alike, and sends the decoder from the root to v₁ = T(root, x with
that bit flipped). Then R = 1 + τ(v₁), τ(v) the number of steps the chain
needs to reach the root from v, with E τ solving (I − P_NN) h = 1 over the
non-root nodes N. The law of R follows by iterating the chain.

This assumes the flip is isolated (the decoder in step when it strikes, no
second flip before it is back): the small-ε limit.

>>> from coding import Code
>>> code = Code({"blue": "10", "red": "0", "green": "110", "yellow": "111"})
>>> round(resync_mean(code, [0.25, 0.5, 0.13, 0.12]), 6)
1.642857
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from coding.code import Code
from coding.measures import DistributionLike, _vector

__all__ = ["ResyncChain", "resync_distribution", "resync_mean"]


class ResyncChain:
    """The Markov chain over the internal nodes of a binary prefix code's tree.

    ``nodes`` are the proper prefixes of codewords ("" is the root, index 0);
    ``transition[v, w]`` is P(v → w) for one message drawn from ``q``;
    ``start[v]`` is the probability that an isolated flip leaves the decoder
    at node v at the end of the flipped message.
    """

    def __init__(self, code: Code, q: DistributionLike) -> None:
        if code.D != 2 or not code.is_prefix_free:
            raise ValueError("resynchronisation theory needs a binary prefix code")
        probs = _vector("q", q)
        if probs.size != len(code):
            raise ValueError(f"'q' has {probs.size} probabilities for a code of {len(code)} symbols")
        words = [code.codewords[s] for s in code.symbols]
        leaves = set(words)
        self.nodes: list[str] = [""] + sorted({w[:i] for w in words for i in range(1, len(w))})
        index = {v: i for i, v in enumerate(self.nodes)}

        def feed(node: str, bits: str) -> str:
            for b in bits:
                node += b
                if node in leaves or node not in index:  # a leaf, or a dead end: back to the root
                    node = ""
            return node

        size = len(self.nodes)
        self.transition = np.zeros((size, size))
        for v in self.nodes:
            for w, p in zip(words, probs):
                if p > 0:
                    self.transition[index[v], index[feed(v, w)]] += p
        mean_length = float(sum(p * len(w) for w, p in zip(words, probs)))
        self.start = np.zeros(size)
        for w, p in zip(words, probs):
            for i in range(len(w) if p > 0 else 0):
                flipped = w[:i] + ("1" if w[i] == "0" else "0") + w[i + 1 :]
                self.start[index[feed("", flipped)]] += p / mean_length

    def _reached(self) -> npt.NDArray[np.bool_] | None:
        """Non-root nodes the decoder can be at after a flip; None if from one of them it may stay lost."""
        size = len(self.nodes)
        reach = self.transition > 0
        back = np.zeros(size, dtype=bool)  # nodes from which the root is reachable
        back[0] = True
        changed = True
        while changed:
            new: npt.NDArray[np.bool_] = back | np.asarray((reach & back[None, :]).any(axis=1))
            changed = bool((new != back).any())
            back = new
        seen = self.start > 0
        frontier = seen.copy()
        while frontier.any():
            nxt: npt.NDArray[np.bool_] = np.asarray((reach[frontier] & ~seen[None, :]).any(axis=0))
            nxt[0] = False  # from the root the decoder is in step: stop there
            seen |= nxt
            frontier = nxt
        seen[0] = False
        return None if (seen & ~back).any() else seen

    def mean(self) -> float:
        """E[R], exact (a linear solve); ``inf`` when the decoder may stay lost forever."""
        seen = self._reached()
        if seen is None:
            return float("inf")
        inner = self.transition[np.ix_(seen, seen)]
        steps = np.linalg.solve(np.eye(inner.shape[0]) - inner, np.ones(inner.shape[0]))
        return float(1.0 + self.start[seen] @ steps)

    def distribution(self, tail: float = 1e-12, limit: int = 100_000) -> npt.NDArray[np.float64]:
        """P(R = r) for r = 1, 2, … (index r − 1), until less than ``tail`` of the mass is left."""
        pmf = [float(self.start[0])]
        where = self.start[1:].copy()
        inner, home = self.transition[1:, 1:], self.transition[1:, 0]
        while where.sum() > tail and len(pmf) < limit:
            pmf.append(float(where @ home))
            where = where @ inner
        return np.array(pmf)


def resync_mean(code: Code, q: DistributionLike) -> float:
    """Expected resynchronisation length (messages) after an isolated flip, for source ``q``.

    A fixed-length code never loses step: every flip costs exactly one message.

    >>> from coding import fixed_length
    >>> resync_mean(fixed_length(["a", "b", "c", "d"]), [0.25] * 4)
    1.0
    """
    return ResyncChain(code, q).mean()


def resync_distribution(code: Code, q: DistributionLike, tail: float = 1e-12) -> npt.NDArray[np.float64]:
    """P(R = r), r = 1, 2, … (index r − 1): the law of the resynchronisation length.

    >>> from coding import Code
    >>> pmf = resync_distribution(Code({"a": "0", "b": "10", "c": "11"}), [0.5, 0.25, 0.25])
    >>> [round(float(x), 4) for x in pmf[:4]]
    [0.5, 0.375, 0.0938, 0.0234]
    """
    return ResyncChain(code, q).distribution(tail)
