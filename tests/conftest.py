"""Shared test setup: seeded Hypothesis runs, and ``strategies`` importable."""

from __future__ import annotations

import sys
from pathlib import Path

from hypothesis import HealthCheck, settings

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

# No unseeded randomness: every run explores the same examples, so a failure
# reproduces and a pass stays a pass. Example counts stay modest so the whole
# suite runs in seconds; tests that need more or fewer set their own.
settings.register_profile(
    "telegraph",
    derandomize=True,
    max_examples=100,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("telegraph")
