"""Run a benchmark child in fresh Python processes and collect what each prints."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_children(args: list[str], repeats: int) -> list[dict]:
    """Run ``args`` ``repeats`` times from the repository root; parse each run's last line as JSON.

    A fresh process per run gives each its own peak memory and its own first-call costs.
    """
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    runs = []
    for _ in range(repeats):
        out = subprocess.run(args, check=True, capture_output=True, text=True, cwd=ROOT, env=env)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return runs
