"""Serving a sequential stream in any chunking while producing it in blocks."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

#: Small requests are served from blocks of at least this many values.
BLOCK = 4096


class BlockStream:
    """Takes values from ``produce(n)`` (the next n values of a stream) in blocks.

    ``take(n)`` returns the next ``n`` values. Small requests are served from a
    block produced ahead, large ones are produced directly; either way the
    values are the same prefix of the same stream, so the chunking of a run
    never changes what it draws. Returned arrays are views: do not write to them.
    """

    def __init__(self, produce: Callable[[int], np.ndarray], block: int = BLOCK) -> None:
        self._produce = produce
        self._block = block
        self._buf: np.ndarray | None = None
        self._pos = 0

    def take(self, n: int) -> np.ndarray:
        buf, pos = self._buf, self._pos
        avail = 0 if buf is None else buf.size - pos
        if buf is not None and n <= avail:
            self._pos = pos + n
            return buf[pos : pos + n]
        need = n - avail
        fresh = self._produce(max(need, self._block))
        self._buf, self._pos = fresh, need
        return fresh[:need] if buf is None or avail == 0 else np.concatenate((buf[pos:], fresh[:need]))
