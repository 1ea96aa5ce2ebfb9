"""Run ``python -m sim`` against hostile input in a fenced subprocess, and judge what it did.

Each attack runs in a fresh process with resource limits (address space,
CPU time, a wall-clock kill) inside a sandbox folder. :func:`telegraph`
returns what happened: exit status, output, CPU seconds, peak memory and
every file created, changed or removed in the sandbox. :func:`assert_refused`
holds an outcome to the rules of issue 17 for bad input: exit 2, one line
per problem each naming the file, no traceback, bounded CPU time and
memory, nothing written outside ``--out``.

Budgets are CPU seconds (user + system), not wall time: on a shared
machine wall time measures the neighbours. They include the interpreter's
start-up and imports (about 0.5 s of CPU).
"""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

#: Address space of an attacked process (a run with figures fits: it imports numba and matplotlib).
ADDRESS_SPACE = 2**30
#: The process is killed after this many CPU seconds, or this many wall seconds.
CPU_LIMIT = 60
WALL_LIMIT = 180


@dataclass(frozen=True)
class Outcome:
    """What one ``python -m sim`` process did."""

    args: tuple[str, ...]
    code: int
    stdout: str
    stderr: str
    cpu_seconds: float
    peak_mb: float
    changed: tuple[str, ...]  # sandbox paths created, modified or removed (relative, sorted)

    def describe(self) -> str:
        return (
            f"python -m sim {' '.join(a[:60] for a in self.args)}: exit {self.code}, "
            f"{self.cpu_seconds:.2f} s CPU, {self.peak_mb:.0f} MB\nstderr:\n{self.stderr[:2000]}"
        )


def _snapshot(root: Path) -> dict[str, tuple[int, int, int]]:
    """Every path under ``root`` with (size, mtime_ns, mode), symlinks not followed."""
    out: dict[str, tuple[int, int, int]] = {}
    for folder, dirs, files in os.walk(root, followlinks=False):
        for name in dirs + files:
            path = Path(folder, name)
            st = path.lstat()
            out[str(path.relative_to(root))] = (st.st_size, st.st_mtime_ns, st.st_mode)
    return out


#: A small fresh interpreter sets the limits, forks ``python -m sim`` and reports the child's CPU
#: time and peak RSS. (Forking the test process itself would start the child's peak RSS at the
#: parent's: ``ru_maxrss`` keeps the high-water mark from before ``exec``.)
_LAUNCHER = f"""
import os, resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({ADDRESS_SPACE}, {ADDRESS_SPACE}))
resource.setrlimit(resource.RLIMIT_CPU, ({CPU_LIMIT}, {CPU_LIMIT + 5}))
resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
pid = os.fork()
if pid == 0:
    os.execv(sys.executable, [sys.executable, "-m", "sim", *sys.argv[2:]])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as f:
    f.write(f"{{usage.ru_utime + usage.ru_stime}} {{usage.ru_maxrss}}")
code = os.waitstatus_to_exitcode(status)
sys.exit(code if code >= 0 else 128 - code)
"""


def telegraph(*args: str, sandbox: Path) -> Outcome:
    """Run ``python -m sim ARGS`` with the sandbox as working folder; see :class:`Outcome`."""
    before = _snapshot(sandbox)
    side = sandbox.parent
    out_path, err_path, use_path = (side / f".{sandbox.name}.{k}" for k in ("stdout", "stderr", "usage"))
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "MPLBACKEND": "Agg"}
    with open(out_path, "w+b") as out, open(err_path, "w+b") as err:
        proc = subprocess.Popen(
            [sys.executable, "-c", _LAUNCHER, str(use_path), *args],
            cwd=sandbox,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            env=env,
            start_new_session=True,  # one process group: the wall-clock kill reaches the child
        )
        timer = threading.Timer(WALL_LIMIT, lambda: os.killpg(proc.pid, signal.SIGKILL))
        timer.start()
        try:
            proc.wait()
        finally:
            timer.cancel()
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    cpu, peak_kb = (
        (float(x) for x in use_path.read_text().split()) if use_path.exists() else (math.inf, math.inf)
    )
    for path in (out_path, err_path, use_path):
        path.unlink(missing_ok=True)
    after = _snapshot(sandbox)
    changed = sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))
    return Outcome(
        args=tuple(args),
        code=proc.returncode,
        stdout=stdout,
        stderr=stderr,
        cpu_seconds=cpu,
        peak_mb=peak_kb / 1024,  # ru_maxrss is in kilobytes on Linux
        changed=tuple(changed),
    )


def assert_refused(
    outcome: Outcome,
    filename: str,
    *,
    cpu_seconds: float = 2.0,
    peak_mb: float = 300.0,
    out: str | None = None,
    says: str = "",
) -> None:
    """Bad input handled by the rules: exit 2, each stderr line names ``filename``, and the rest.

    ``out`` is the ``--out`` folder (relative to the sandbox) where writing is
    allowed; without it nothing in the sandbox may change. ``says`` must
    appear in stderr.
    """
    why = outcome.describe()
    assert outcome.code == 2, why
    assert "Traceback" not in outcome.stderr and "Traceback" not in outcome.stdout, why
    lines = outcome.stderr.splitlines()
    assert lines, why
    for line in lines:
        assert line.startswith(f"{filename}:"), f"a line that does not name {filename}: {line!r}\n{why}"
        assert len(line) < 1000, f"an unbounded line of {len(line)} characters\n{why}"
    assert says in outcome.stderr, why
    assert outcome.cpu_seconds < cpu_seconds, why
    assert outcome.peak_mb < peak_mb, why
    outside = [p for p in outcome.changed if out is None or not (p == out or p.startswith(f"{out}/"))]
    assert not outside, f"written outside --out: {outside}\n{why}"
