"""Time and peak memory of ``telegraph plot`` on hostile results folders (issue 17, item 7).

Each case tampers with a copy of a small run's folder, then runs
``telegraph plot`` in a fresh process and reports its exit code, wall time,
peak RSS and the first line of stderr. The target: each finishes within
about 2 s and 300 MB, or is refused with a one-line error. CPU time
(user + system) is shown beside wall time because the wall time of a loaded
machine says little.

    python benchmarks/plot_attacks.py
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sim.cli import main


def _summary(folder: Path) -> dict:
    return json.loads((folder / "summary.json").read_text())


def _save(folder: Path, doc: dict) -> None:
    (folder / "summary.json").write_text(json.dumps(doc))


def trace_rows(folder: Path, rows: int = 10**7) -> None:
    line = b"india-huffman,%d,1.75,0.01\n"
    with open(folder / "trace.csv", "wb") as f:
        f.write(b"link,messages,running_mean,std_error\n")
        step = 100_000
        for start in range(1, rows + 1, step):
            f.write(b"".join(line % n for n in range(start, min(start + step, rows + 1))))


def histogram_bins(folder: Path, bins: int = 10**6) -> None:
    doc = _summary(folder)
    line = doc["links"][-1]["line"]
    line["wait_hist_edges"] = [0.0, 0.0] + [1e-3 * 1.00001**i for i in range(bins - 1)]
    line["wait_hist_counts"] = [5] * bins
    _save(folder, doc)


def long_codeword(folder: Path, bits: int = 10_000) -> None:
    doc = _summary(folder)
    link = doc["links"][-1]
    link["codewords"]["yellow"] = "1" * bits
    link["codewords"]["green"] = "1" * (bits - 1) + "0"
    _save(folder, doc)


def many_colours(folder: Path, colours: int = 10_000) -> None:
    doc = _summary(folder)
    link = doc["links"][-1]
    width = (colours - 1).bit_length()
    link["codewords"] = {f"c{i}": format(i, f"0{width}b") for i in range(colours)}
    link["source_distribution"] = {f"c{i}": 1 / colours for i in range(colours)}
    link["assumed_distribution"] = dict(link["source_distribution"])
    _save(folder, doc)


def deep_json(folder: Path, depth: int = 10**5) -> None:
    (folder / "summary.json").write_text("[" * depth + "]" * depth)


CASES = {
    "10^7-row trace.csv": trace_rows,
    "10^6-bin histogram": histogram_bins,
    "10 000-bit codeword": long_codeword,
    "10^4 colours": many_colours,
    "JSON nested 10^5 deep": deep_json,
}


def measure(folder: Path) -> tuple[int, float, float, float, str]:
    code = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_CPU, (60, 60))  # a hang is killed, not waited for\n"
        "from sim.cli import main\n"
        "rc = main(['plot', sys.argv[1]])\n"
        "u = resource.getrusage(resource.RUSAGE_SELF)\n"
        "print(u.ru_utime + u.ru_stime, file=sys.stderr)\n"
        "hwm = [ln for ln in open('/proc/self/status') if ln.startswith('VmHWM')][0]\n"
        "print(hwm.split()[1], file=sys.stderr)  # kB; ru_maxrss would count the parent's size\n"
        "sys.exit(rc)\n"
    )
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code, str(folder)], capture_output=True, text=True)
    wall = time.perf_counter() - start
    lines = proc.stderr.strip().splitlines()
    rss_mb = int(lines[-1]) / 1024
    cpu = float(lines[-2])
    message = lines[0] if len(lines) > 2 else ""
    return proc.returncode, wall, cpu, rss_mb, message


def main_() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        assert main(["run", "--messages", "2000", "--quiet", "--out", str(root / "base")]) == 0
        base = root / "base" / "india_to_australia"
        print(f"{'case':24} {'exit':>4} {'wall s':>7} {'CPU s':>6} {'peak MB':>8}  message")
        rc, wall, cpu, rss, msg = measure(base)
        print(f"{'untouched run':24} {rc:>4} {wall:7.2f} {cpu:6.2f} {rss:8.0f}  {msg[:90]}")
        for name, tamper in CASES.items():
            folder = root / name.replace(" ", "_").replace("^", "")
            shutil.copytree(base, folder)
            tamper(folder)
            rc, wall, cpu, rss, msg = measure(folder)
            print(f"{name:24} {rc:>4} {wall:7.2f} {cpu:6.2f} {rss:8.0f}  {msg[-90:]}")
    _ = resource  # imported for the child's sake; keeps linters quiet


if __name__ == "__main__":
    main_()
