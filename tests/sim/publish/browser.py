"""Headless Chromium for the report's layout test and the docs screenshots (no network, no profile kept).

:func:`measure` loads a copy of a report with a small script appended that
writes, into the page itself, the box of every table, figure and picture and
of the column that holds them; ``--dump-dom`` hands the page back and the
numbers are read from it. :func:`screenshot` takes a PNG at a given width.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

_PROBE = """
<script>
(function () {
  const col = document.body.getBoundingClientRect();
  const cs = getComputedStyle(document.body);
  const left = col.left + parseFloat(cs.paddingLeft), right = col.right - parseFloat(cs.paddingRight);
  const boxes = [];
  for (const el of document.querySelectorAll("table, figure, figure svg, figure img, pre, dl")) {
    const r = el.getBoundingClientRect();
    const inFigure = el.closest("figure") !== null && el.tagName !== "FIGURE";
    boxes.push({tag: el.tagName.toLowerCase(), id: (el.closest("[id]") || {}).id || "",
                left: r.left, right: r.right, width: r.width, height: r.height, inFigure: inFigure,
                natural: parseFloat(el.getAttribute("width") || "0"),
                clientWidth: el.clientWidth || 0, scrollWidth: el.scrollWidth || 0});
  }
  const out = {viewport: window.innerWidth, page: document.documentElement.scrollWidth,
               left: left, right: right, boxes: boxes};
  const host = window.parent.document;  // the frame's page (same origin: srcdoc)
  const pre = host.createElement("pre");
  pre.id = "telegraph-measurements";
  pre.textContent = "MEASURE" + JSON.stringify(out) + "END";
  host.body.appendChild(pre);
})();
</script>
"""


def chromium() -> str | None:
    """The path of a Chromium (or Chrome) executable, or None."""
    for name in _NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def _run(args: list[str], timeout: float = 60) -> str:
    exe = chromium()
    if exe is None:
        raise RuntimeError("no chromium on PATH")
    with tempfile.TemporaryDirectory() as profile:
        cmd = [
            exe,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--disable-extensions",
            "--disable-quic",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--mute-audio",
            f"--user-data-dir={profile}",
            *args,
        ]
        done = subprocess.run(
            cmd, capture_output=True, text=True, timeout=timeout, env={**os.environ, "HOME": profile}
        )
    if done.returncode != 0:
        raise RuntimeError(f"chromium failed ({done.returncode}): {done.stderr[-500:]}")
    return done.stdout


def _framed(text: str, width: int, height: int) -> str:
    """The page in an iframe exactly ``width`` px wide (Chromium's windows are never narrower than 500 px)."""
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><style>body{margin:0}</style></head><body>"
        f"<iframe style='width:{width}px;height:{height}px;border:0;display:block' "
        f'srcdoc="{html.escape(text, quote=True)}"></iframe></body></html>'
    )


def _window(width: int) -> int:
    return max(width, 520)


def measure(report: Path, width: int, height: int = 1000) -> dict:
    """Boxes (CSS pixels) of the report's tables, figures and pictures in a viewport ``width`` px wide."""
    text = report.read_text(encoding="utf-8").replace("</body>", _PROBE + "</body>")
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "probe.html"
        page.write_text(_framed(text, width, height), encoding="utf-8")
        dom = _run(
            [
                f"--window-size={_window(width)},{height}",
                "--virtual-time-budget=5000",
                "--dump-dom",
                page.as_uri(),
            ]
        )
    found = re.findall(r"MEASURE(\{.*?\})END", dom, flags=re.S)  # the output, not the script's own text
    if not found:
        raise RuntimeError("the measuring script did not run")
    text = found[-1].replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return json.loads(text)


def screenshot(report: Path, out: Path, width: int, height: int) -> Path:
    """A PNG of the top ``height`` px of the report in a viewport ``width`` px wide."""
    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "shot.html"
        page.write_text(_framed(report.read_text(encoding="utf-8"), width, height), encoding="utf-8")
        raw = Path(tmp) / "raw.png"
        _run([f"--window-size={_window(width)},{height}", f"--screenshot={raw}", page.as_uri()])
        with Image.open(raw) as image:
            image.crop((0, 0, width, height)).save(out, optimize=True)
    return out
