"""What the fork server imports once, so that every worker forks ready to simulate.

Importing this module imports the engine and loads its compiled kernels from
numba's on-disk cache (about half a second), once per fork server instead of
once per worker and run (:mod:`sim.engine.parallel`). A kernel module this
install has never run, or whose cache is stale, is left alone: compiling all
of it here would hold up every worker for kernels the run may not need; a
worker compiles what it uses.
"""

from __future__ import annotations

from types import ModuleType

import sim.engine.simulation  # noqa: F401  (the import is the point)
from sim.engine import adaptive_kernels, kernels, noise, noise_kernels, stream_kernels


def in_use(module: ModuleType) -> bool:
    """True when a public compiled kernel of ``module`` has an up-to-date entry in numba's disk cache.

    Then this install runs the module's kernels and its cache is current:
    loading them is quick, and any not cached yet are compiled here once (and
    cached) rather than in every worker. A module never run, or changed since
    (a stale cache), is left to the workers that need it. (Its ``_helpers``
    are inlined into the kernels and have no entry of their own.) Anything
    unexpected in numba's cache objects counts as not in use.
    """
    found = [
        obj
        for name, obj in vars(module).items()
        if not name.startswith("_") and hasattr(obj, "py_func") and hasattr(obj, "_cache")
    ]
    try:  # numba's cache file: an empty index is a missing or stale one (the source changed)
        return any(k._cache._cache_file._load_index() for k in found)
    except Exception:
        return False


#: (a kernel module, the function that loads or compiles all its kernels)
WARM = (
    (kernels, kernels.warm_up),
    (stream_kernels, stream_kernels.warm_up),
    (adaptive_kernels, adaptive_kernels.warm_up),
    (noise_kernels, noise.warm_up),
)

for _module, _warm_up in WARM:
    if in_use(_module):
        try:
            _warm_up()
        except Exception:  # noqa: S110  the worker meets the same problem and reports it properly
            pass
