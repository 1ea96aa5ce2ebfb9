"""Screenshots of the India report and the 26-letter English report at 420 and 1400 px (needs Chromium).

Run from the repository root: ``.venv/bin/python docs/screenshots/take.py``.
Writes ``docs/screenshots/<scenario>-<width>.png`` (the top of each page).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sim import cli  # noqa: E402
from tests.sim.publish.browser import chromium, screenshot  # noqa: E402

SHOTS = {"india_to_australia": "india_to_australia", str(ROOT / "docs/lessons/english.yaml"): "english"}
SIZES = {420: 2600, 1400: 2000}


def main() -> int:
    if chromium() is None:
        print("no chromium on PATH (apt-get install chromium)", file=sys.stderr)
        return 2
    out = Path(__file__).resolve().parent
    with tempfile.TemporaryDirectory() as tmp:
        for scenario, name in SHOTS.items():
            assert cli.main(["run", scenario, "--messages", "20000", "--out", tmp, "--quiet"]) == 0
            for width, height in SIZES.items():
                shot = out / f"{name}-{width}.png"
                print(screenshot(Path(tmp) / name / "report.html", shot, width, height))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
